//! Both ends of the page's Web Workers: the exports' (GIF, SVG, the lab's drawings, a paste:
//! one worker a job, [`export`]) and the scene's (one that stays, [`Resident`]); the jobs
//! themselves are `gif_job.rs`.
//!
//! The worker is the binary `gif-worker` (`src/bin/gif-worker.rs`), which trunk builds as a
//! second wasm module with a loader script (`index.html`: `data-type="worker"`); the post-build
//! hook (`scripts/externalize-loader.mjs`) writes the loader's hashed name into
//! `<meta name="gif-worker">`, where the page finds it. Messages: the worker says
//! `{type: "ready"}` once it listens (a message sent before its module has loaded would be lost);
//! the page then sends `{query, rgba?, width?, height?}`; the worker answers
//! `{type: "progress", done, total}` every few frames and `{type: "done", bytes}` or
//! `{type: "error", message}` at the end.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Worker};

use crate::types::ImageInput;

fn set(o: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn typed(kind: &str) -> Object {
    let o = Object::new();
    set(&o, "type", &JsValue::from_str(kind));
    o
}

/// In the worker: answers every job the page sends.
pub fn serve() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = e.data();
        let query = get(&data, "query").as_string().unwrap_or_default();
        let image = get(&data, "rgba")
            .dyn_into::<Uint8Array>()
            .ok()
            .map(|rgba| ImageInput {
                id: 0,
                name: String::new(),
                width: get(&data, "width").as_f64().unwrap_or(0.0) as usize,
                height: get(&data, "height").as_f64().unwrap_or(0.0) as usize,
                rgba: Rc::new(rgba.to_vec()),
            });
        let post = |o: &Object| {
            let _ = reply.post_message(o);
        };
        let result = crate::gif_job::run(&query, image, &mut |done, total| {
            let o = typed("progress");
            set(&o, "done", &JsValue::from_f64(done as f64));
            set(&o, "total", &JsValue::from_f64(total as f64));
            post(&o);
        });
        match result {
            Ok(bytes) => {
                let o = typed("done");
                let array = Uint8Array::from(&bytes[..]);
                set(&o, "bytes", &array);
                // Handed over, not copied (a scene's outputs are megabytes the page would
                // otherwise read twice).
                let _ = reply.post_message_with_transfer(&o, &js_sys::Array::of1(&array.buffer()));
            }
            Err(message) => {
                let o = typed("error");
                set(&o, "message", &JsValue::from_str(&message));
                post(&o);
            }
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&typed("ready"));
}

/// What the page hears from a worker's job.
pub enum Heard {
    Progress(usize, usize),
    Done(Vec<u8>),
    Failed(String),
}

/// The worker's loader script, relative to the page (from `<meta name="gif-worker">`).
fn worker_url() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector("meta[name=\"gif-worker\"]")
        .ok()??
        .get_attribute("content")
}

/// The message of job `query` on `image`.
fn job(query: &str, image: Option<&ImageInput>) -> Object {
    let job = Object::new();
    set(&job, "query", &JsValue::from_str(query));
    if let Some(img) = image {
        set(&job, "rgba", &Uint8Array::from(&img.rgba[..]));
        set(&job, "width", &JsValue::from_f64(img.width as f64));
        set(&job, "height", &JsValue::from_f64(img.height as f64));
    }
    job
}

/// What a [`Resident`]'s owner hears: what its jobs say, or `None` once the worker stopped.
pub type Hear = Rc<dyn Fn(Option<Heard>)>;

/// In the page: a worker, ended when dropped. The owner sends one job at a time
/// ([`crate::jobs::Coalescer`] for jobs that come often); a job sent before the worker listens
/// waits for it.
pub struct Resident {
    worker: Worker,
    /// Whether the worker listens, and the job that waits until it does.
    waiting: Rc<RefCell<(bool, Option<Object>)>>,
    _listeners: Listeners,
}

/// A worker's listeners: its messages, its errors.
type Listeners = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(web_sys::Event)>,
);

impl Resident {
    /// Starts the worker.
    ///
    /// **Errors** if it cannot start (no worker script in this build, workers unavailable or
    /// forbidden).
    pub fn start(hear: Hear) -> Result<Resident, String> {
        let url = worker_url().ok_or("this build has no worker")?;
        let worker = Worker::new(&url).map_err(|e| format!("{e:?}"))?;
        let waiting = Rc::new(RefCell::new((false, None::<Object>)));
        let on_message = {
            let (hear, waiting, worker) = (hear.clone(), waiting.clone(), worker.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data();
                let number = |k| get(&data, k).as_f64().unwrap_or(0.0) as usize;
                let heard = match get(&data, "type").as_string().as_deref() {
                    Some("ready") => {
                        let job = {
                            let mut w = waiting.borrow_mut();
                            w.0 = true;
                            w.1.take()
                        };
                        match job.map(|job| worker.post_message(&job)) {
                            Some(Err(_)) => None,
                            _ => return,
                        }
                    }
                    Some("progress") => Some(Heard::Progress(number("done"), number("total"))),
                    Some("done") => Some(Heard::Done(
                        get(&data, "bytes")
                            .dyn_into::<Uint8Array>()
                            .map(|a| a.to_vec())
                            .unwrap_or_default(),
                    )),
                    _ => Some(Heard::Failed(
                        get(&data, "message").as_string().unwrap_or_default(),
                    )),
                };
                hear(heard);
            })
        };
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| hear(None));
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Resident {
            worker,
            waiting,
            _listeners: (on_message, on_error),
        })
    }

    /// Sends job `query` on `image`.
    ///
    /// **Errors** if the worker cannot take it.
    pub fn send(&self, query: &str, image: Option<&ImageInput>) -> Result<(), String> {
        let job = job(query, image);
        let mut waiting = self.waiting.borrow_mut();
        if !waiting.0 {
            waiting.1 = Some(job);
            return Ok(());
        }
        self.worker.post_message(&job).map_err(|e| format!("{e:?}"))
    }
}

impl Drop for Resident {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// In the page: starts job `query` (an export, a lab's drawing, a paste to read) in a worker of
/// its own; `hear` gets its progress and then its bytes or its failure, after which the worker
/// is ended.
///
/// **Errors** if the worker cannot start (no worker script in this build, or a policy that
/// forbids workers).
pub fn export(
    query: &str,
    image: Option<&ImageInput>,
    hear: Rc<dyn Fn(Heard)>,
) -> Result<(), String> {
    let slot: Rc<RefCell<Option<Resident>>> = Rc::new(RefCell::new(None));
    let held = slot.clone();
    let worker = Resident::start(Rc::new(move |heard| {
        let heard = heard.unwrap_or_else(|| Heard::Failed("the export worker stopped".into()));
        if !matches!(heard, Heard::Progress(..)) {
            // Ended after this call returns (a listener must not free itself while it runs).
            let ended = held.borrow_mut().take();
            wasm_bindgen_futures::spawn_local(async move { drop(ended) });
        }
        hear(heard);
    }))?;
    worker.send(query, image)?;
    *slot.borrow_mut() = Some(worker);
    Ok(())
}
