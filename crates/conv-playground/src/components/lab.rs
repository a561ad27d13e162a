//! The lab below the figure (`lab=grow|backward`): a choice of none, the four ways to grow a map,
//! or the backward pass. The lab's passes and drawing run in the export worker (`lab.rs`,
//! `gif_job.rs` with `format=lab`, drawn for the figure column's width) and come back as SVG,
//! shown as an image with a link to save it. At most one job runs at a time: a change while it
//! runs waits, and only the newest state is drawn, never an older one over it.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::context::use_app;
use crate::dom;
use crate::i18n::{tr, trf};
use crate::state::Action;
use crate::types::{ImageInput, Lab};
use crate::worker::Heard;

/// The jobs of the lab: the one wanted (the page's state now) and whether one runs.
#[derive(Default)]
struct Jobs {
    wanted: Option<String>,
    running: bool,
    /// The `blob:` URL of the image shown, revoked when replaced.
    url: Option<String>,
}

/// What the lab shows: the job its image was drawn for, and the image; or why it failed.
#[derive(Clone, PartialEq)]
enum Shown {
    Nothing,
    /// `figures`: what a stack's image carries for the page's hooks.
    Image {
        job: String,
        url: String,
        figures: Rc<Vec<(String, String)>>,
    },
    Failed {
        job: String,
        detail: String,
    },
}

/// Starts `job` in the export worker; when it answers, shows the image if `job` is still the one
/// wanted and starts the wanted one if it is not.
fn start(
    job: String,
    image: Option<ImageInput>,
    jobs: Rc<RefCell<Jobs>>,
    shown: UseStateHandle<Shown>,
) {
    jobs.borrow_mut().running = true;
    let (j, img, s) = (jobs.clone(), image.clone(), shown.clone());
    let done = job.clone();
    let started = crate::worker::export(
        &job,
        image.as_ref(),
        std::rc::Rc::new(move |heard| {
            let result = match heard {
                Heard::Progress(..) => return,
                Heard::Done(svg) => dom::object_url(&svg, "image/svg+xml").map(|url| {
                    let figures = crate::gif_job::stack_figures(&svg);
                    (url, figures)
                }),
                Heard::Failed(e) => Err(e),
            };
            let wanted = {
                let mut jobs = j.borrow_mut();
                jobs.running = false;
                jobs.wanted.clone()
            };
            if wanted.as_deref() == Some(done.as_str()) {
                let old = match result {
                    Ok((url, figures)) => {
                        s.set(Shown::Image {
                            job: done.clone(),
                            url: url.clone(),
                            figures: Rc::new(figures),
                        });
                        j.borrow_mut().url.replace(url)
                    }
                    Err(detail) => {
                        s.set(Shown::Failed {
                            job: done.clone(),
                            detail,
                        });
                        None
                    }
                };
                if let Some(old) = old {
                    let _ = web_sys::Url::revoke_object_url(&old);
                }
            } else {
                if let Ok((url, _)) = result {
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
                if let Some(next) = wanted {
                    start(next, img.clone(), j.clone(), s.clone());
                }
            }
        }),
    );
    if let Err(detail) = started {
        jobs.borrow_mut().running = false;
        shown.set(Shown::Failed { job, detail });
    }
}

#[function_component(LabPanel)]
pub fn lab_panel() -> Html {
    let jobs = use_mut_ref(Jobs::default);
    let shown = use_state(|| Shown::Nothing);
    let ctx = use_app();
    let job = ctx.as_ref().and_then(|c| {
        (c.state.lab != Lab::Off).then(|| crate::gif_job::lab_request(&c.state, c.dark, c.width))
    });
    let image = ctx.as_ref().and_then(|c| c.state.image.clone());
    {
        let (jobs, shown) = (jobs.clone(), shown.clone());
        use_effect_with(job.clone(), move |job| {
            let idle = {
                let mut j = jobs.borrow_mut();
                j.wanted = job.clone();
                !j.running
            };
            if let (Some(job), true) = (job.clone(), idle) {
                start(job, image, jobs, shown);
            }
        });
    }
    // An edited stack as the worker wrote it: the state takes it.
    let written = match (&*shown, &ctx, &job) {
        (Shown::Image { job, figures, .. }, Some(c), Some(now)) if job == now => {
            crate::stack_pick::figure(figures, "changed")
                .filter(|t| *t != c.state.stack && c.state.stack_edit.is_some_and(|e| e.changed))
                .map(|t| (t.to_string(), c.dispatch.clone()))
        }
        _ => None,
    };
    use_effect_with(written.as_ref().map(|w| w.0.clone()), move |_| {
        if let Some((w, d)) = written {
            d.emit(Action::StackWritten(w));
        }
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang();
    let lab = ctx.state.lab;
    let d = ctx.dispatch.clone();
    let pick = Callback::from(move |i| d.emit(Action::SetLab(Lab::ALL[i])));
    let select = super::controls::named_select(
        &ctx,
        "lab-select",
        "lab",
        &Lab::ALL.map(|l| l.code()),
        "lab.",
        lab as usize,
        pick,
    );
    // The image drawn for the state shown now, or the last one (dimmed) while the next is drawn.
    let now = job.unwrap_or_default();
    let stack = lab == Lab::Stack;
    let (fresh, body) = match &*shown {
        Shown::Image { job, url, figures } if !now.is_empty() => (
            *job == now,
            html! { <>
                <p class="stack-figures">{ for figures.iter().filter(|(k, _)| k.starts_with("stack-")).map(|(k, v)| html! {
                    <span>{ tr(lang, &format!("stat.{k}")) }{ " " }<b data-stat={k.clone()}>{ v }</b></span>
                }) }</p>
                if stack {
                    { super::stack::stack_image(&ctx, figures, url, *job == now) }
                } else {
                    <img class="lab-figure" src={url.clone()} alt={tr(lang, "lab.figure")} data-current={(*job == now).to_string()} />
                }
                <a class="lab-download" href={url.clone()} download={format!("conv-lab-{}.svg", lab.code())}>{ tr(lang, "lab.download") }</a>
            </> },
        ),
        Shown::Failed { job, detail } if *job == now => (
            true,
            html! { <p class="note" role="alert">{ trf(lang, "lab.failed", &[("detail", detail.clone())]) }</p> },
        ),
        _ => (now.is_empty(), html! {}),
    };
    let presets = (lab == Lab::Stack).then(|| super::stack::presets(&ctx));
    html! {
        <section class="lab" aria-label={tr(lang, "lab")} data-lab-view={lab.code()}>
            { select }
            { for presets }
            <p class="lab-status" role="status" hidden={fresh}>{ tr(lang, "computing") }</p>
            { body }
        </section>
    }
}
