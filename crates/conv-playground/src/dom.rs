//! Small helpers over the browser APIs. Nothing here panics: a missing window, canvas or context
//! becomes an `Err` the caller shows.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::state::Action;
use crate::types::FileRefusal;

pub fn window() -> Result<web_sys::Window, String> {
    web_sys::window().ok_or_else(|| "no window".to_string())
}

/// The 2-D context of a canvas.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .map_err(|_| "canvas 2d context failed".to_string())?
        .ok_or_else(|| "canvas 2d context unavailable".to_string())?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| "not a 2d context".to_string())
}

pub fn device_pixel_ratio() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(1.0)
        .min(4.0)
}

/// The page's query string (with `?`), or empty.
pub fn location_search() -> String {
    window()
        .ok()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The least time between two writes of the address bar, in milliseconds: a slider dragged for
/// a while would otherwise write it sixty times a second, which costs the drag a millisecond a
/// frame and which browsers stop obeying (Chromium ignores history updates beyond 200 in ten
/// seconds).
pub const URL_EVERY_MS: f64 = 100.0;

/// The address bar's writer: when it last wrote, and the query waiting for its turn.
#[derive(Default)]
struct UrlWriter {
    last: f64,
    /// A query to write once the time has come (a timer is set for it).
    waiting: Option<String>,
}

thread_local! {
    static URL_WRITER: RefCell<UrlWriter> = RefCell::new(UrlWriter::default());
}

/// Replace the address bar's query without a navigation or a history entry, in a task of its own
/// (a write takes Chromium a few milliseconds, which the input that caused it should not wait
/// for): in the next task when the last write is [`URL_EVERY_MS`] old, else when it is (the latest
/// query wins).
pub fn replace_query(query: &str) {
    let now = js_sys::Date::now();
    URL_WRITER.with(|w| {
        let mut w = w.borrow_mut();
        if w.waiting.is_some() {
            w.waiting = Some(query.to_string());
            return;
        }
        let wait = (w.last + URL_EVERY_MS - now).max(0.0);
        if later(wait.ceil() as i32) {
            w.waiting = Some(query.to_string());
        } else {
            w.last = now;
            write_query(query);
        }
    });
}

/// Sets a timer that writes the waiting query in `ms` milliseconds; false if none could be set.
fn later(ms: i32) -> bool {
    after(
        ms,
        Box::new(|| {
            URL_WRITER.with(|w| {
                let mut w = w.borrow_mut();
                if let Some(query) = w.waiting.take() {
                    w.last = js_sys::Date::now();
                    write_query(&query);
                }
            })
        }),
    )
}

/// Runs `f` in a task of its own after `ms` milliseconds (0: the next task); false if no timer
/// could be set. One boxed callback type for every timer of the page (each closure type given to
/// the browser costs the page's module its own glue).
pub fn after(ms: i32, f: Box<dyn FnOnce()>) -> bool {
    let callback = Closure::once_into_js(f);
    window().is_ok_and(|win| {
        win.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms)
            .is_ok()
    })
}

fn write_query(query: &str) {
    let Ok(w) = window() else { return };
    let Ok(history) = w.history() else { return };
    let path = w.location().pathname().unwrap_or_default();
    let hash = w.location().hash().unwrap_or_default();
    let url = format!("{path}?{query}{hash}");
    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
}

/// The browser's preferred language tag (`navigator.language`).
pub fn browser_language() -> Option<String> {
    window().ok().and_then(|w| w.navigator().language())
}

/// Whether the system asks for a dark theme.
pub fn prefers_dark() -> bool {
    window()
        .ok()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false)
}

/// Sends actions to the reducer at most once per animation frame: a burst of slider events
/// between two frames collapses to the latest value of each parameter, so the page never queues
/// stale work. The first event after a quiet frame is applied at once (no frame of delay for a
/// single step of a slider); the frame it happened in then takes no further update.
#[derive(Clone)]
pub struct FrameDispatcher {
    pending: Rc<RefCell<Vec<Action>>>,
    /// A frame callback is pending: events wait for it.
    scheduled: Rc<RefCell<bool>>,
    sink: Rc<dyn Fn(Action)>,
}

impl PartialEq for FrameDispatcher {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.pending, &other.pending)
    }
}

fn request_frame(f: impl FnOnce() + 'static) -> bool {
    let callback = Closure::once_into_js(f);
    matches!(
        window().map(|w| w.request_animation_frame(callback.unchecked_ref())),
        Ok(Ok(_))
    )
}

impl FrameDispatcher {
    pub fn new(sink: impl Fn(Action) + 'static) -> Self {
        FrameDispatcher {
            pending: Rc::new(RefCell::new(Vec::new())),
            scheduled: Rc::new(RefCell::new(false)),
            sink: Rc::new(sink),
        }
    }

    /// Queue `action`, replacing a queued action of the same kind; apply it now if the page is
    /// idle.
    pub fn send(&self, action: Action) {
        {
            let mut pending = self.pending.borrow_mut();
            let same = |a: &Action| match (a, &action) {
                (Action::SetParam(p, _), Action::SetParam(q, _)) => p == q,
                _ => std::mem::discriminant(a) == std::mem::discriminant(&action),
            };
            if let Some(slot) = pending.iter_mut().find(|a| same(a)) {
                *slot = action;
            } else {
                pending.push(action);
            }
        }
        if *self.scheduled.borrow() {
            return;
        }
        // Idle: apply now, and hold later events until the frame after this one.
        self.apply();
        *self.scheduled.borrow_mut() = true;
        let this = self.clone();
        let held = request_frame(move || {
            let next = this.clone();
            if !request_frame(move || next.flush()) {
                this.flush();
            }
        });
        if !held {
            // No animation frames (a hidden page in some browsers): nothing to hold for.
            self.flush();
        }
    }

    fn apply(&self) {
        let actions: Vec<Action> = self.pending.borrow_mut().drain(..).collect();
        for a in actions {
            (self.sink)(a);
        }
    }

    /// Apply everything queued and stop holding.
    pub fn flush(&self) {
        *self.scheduled.borrow_mut() = false;
        self.apply();
    }
}

/// Installs the panic hook: the message goes to the console, and the reader sees an error panel
/// with a link that reloads the playground with its defaults.
pub fn install_panic_hook() {
    // Through Yew, which otherwise installs its own hook when the app is mounted.
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_error_panel(&info.to_string());
    }));
}

/// Puts a visible error panel with a reset link on the page.
pub fn show_error_panel(message: &str) {
    let Ok(w) = window() else { return };
    let Some(doc) = w.document() else { return };
    let Some(body) = doc.body() else { return };
    if doc.get_element_by_id("fatal-error").is_some() {
        return;
    }
    let zh = browser_language().is_some_and(|l| l.starts_with("zh"))
        || location_search().contains("lang=zh");
    let lang = if zh {
        crate::i18n::Lang::Zh
    } else {
        crate::i18n::Lang::En
    };
    let Ok(panel) = doc.create_element("div") else {
        return;
    };
    panel.set_id("fatal-error");
    let _ = panel.set_attribute("role", "alert");
    panel.set_class_name("fatal-error");
    let title = doc.create_element("strong").ok();
    if let Some(t) = &title {
        t.set_text_content(Some(crate::i18n::tr(lang, "error.title")));
        let _ = panel.append_child(t);
    }
    if let Ok(p) = doc.create_element("pre") {
        p.set_text_content(Some(&message.chars().take(400).collect::<String>()));
        let _ = panel.append_child(&p);
    }
    if let Ok(a) = doc.create_element("a") {
        let path = w.location().pathname().unwrap_or_else(|_| "./".into());
        let _ = a.set_attribute("href", &path);
        a.set_class_name("button");
        a.set_text_content(Some(crate::i18n::tr(lang, "error.reset")));
        let _ = panel.append_child(&a);
    }
    let _ = body.prepend_with_node_1(&panel);
}

/// Whether a key event comes from a form control, which keeps its own keys.
pub fn event_in_control(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| {
            matches!(
                el.tag_name().as_str(),
                "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "A" | "SUMMARY"
            )
        })
        .unwrap_or(false)
}

/// Largest file accepted for decoding, and the largest side kept after decoding.
pub const MAX_FILE_MB: u32 = 25;
pub const MAX_FILE_BYTES: f64 = MAX_FILE_MB as f64 * 1024.0 * 1024.0;
pub const MAX_IMAGE_SIDE: u32 = 512;

/// Decode an image file in the browser and downscale it to at most [`MAX_IMAGE_SIDE`] on its
/// longer side. Returns `(width, height, rgba)`. The pixels never leave the page.
///
/// **Errors** with why the file cannot be used: too large, empty, not a decodable image, or
/// pixels the browser would not draw or read.
pub async fn decode_image(file: &web_sys::File) -> Result<(usize, usize, Vec<u8>), FileRefusal> {
    if file.size() > MAX_FILE_BYTES {
        return Err(FileRefusal::TooLarge {
            max_mb: MAX_FILE_MB,
        });
    }
    if file.size() == 0.0 {
        return Err(FileRefusal::Empty);
    }
    let unreadable = |_| FileRefusal::Unreadable;
    let w = window().map_err(unreadable)?;
    let promise = w
        .create_image_bitmap_with_blob(file)
        .map_err(|_| FileRefusal::NotAnImage)?;
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| FileRefusal::NotAnImage)?
        .dyn_into()
        .map_err(|_| FileRefusal::NotAnImage)?;
    let (bw, bh) = (bitmap.width().max(1), bitmap.height().max(1));
    let scale = (MAX_IMAGE_SIDE as f64 / bw.max(bh) as f64).min(1.0);
    let (tw, th) = (
        ((bw as f64 * scale).round() as u32).max(1),
        ((bh as f64 * scale).round() as u32).max(1),
    );
    let doc = w.document().ok_or(FileRefusal::Unreadable)?;
    let canvas: HtmlCanvasElement = doc
        .create_element("canvas")
        .map_err(|_| FileRefusal::Unreadable)?
        .dyn_into()
        .map_err(|_| FileRefusal::Unreadable)?;
    canvas.set_width(tw);
    canvas.set_height(th);
    let ctx = context_2d(&canvas).map_err(unreadable)?;
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, tw as f64, th as f64)
        .map_err(|_| FileRefusal::Unreadable)?;
    bitmap.close();
    let data = ctx
        .get_image_data(0.0, 0.0, tw as f64, th as f64)
        .map_err(|_| FileRefusal::Unreadable)?;
    Ok((tw as usize, th as usize, data.data().0))
}

/// Offer `bytes` as a download named `filename`.
pub fn download(bytes: &[u8], mime: &str, filename: &str) -> Result<(), String> {
    let url = object_url(bytes, mime)?;
    let doc = window()?.document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "no link".to_string())?
        .dyn_into()
        .map_err(|_| "no link".to_string())?;
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    // Let the download start before the URL goes.
    after(
        10_000,
        Box::new(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        }),
    );
    Ok(())
}

/// A `blob:` URL of `bytes` typed `mime` (revoke it when done).
pub fn object_url(bytes: &[u8], mime: &str) -> Result<String, String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| "could not create the file".to_string())?;
    web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "could not create the file".to_string())
}

/// Copy `text` to the clipboard; `Err` when the browser refuses.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let promise = window()?.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| "the browser refused the clipboard".to_string())
}
