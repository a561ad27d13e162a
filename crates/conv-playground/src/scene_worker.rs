//! The scene of a large layer, computed away from the page's thread: the page answers every
//! input at once with the scene's outline ([`Scene::outline`]: shapes, costs, formulas, kernels,
//! the maps shown before where they have the same shape), and the scene worker (the export
//! worker's module, started once and kept) computes the convolutions: first the output
//! channels the channel view draws ([`first`]), then all of them. Jobs coalesce
//! ([`Coalescer`]): one runs at a time, and an answer for a state that is no longer the page's is
//! dropped, never drawn. Small layers are computed on the page's thread, as is every layer where
//! a worker cannot start.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::jobs::Coalescer;
use crate::scene::{first_helps, Scene, SceneKey};
use crate::worker::{Heard, Resident};

/// Layers of more multiply-accumulates than this are computed in the worker (a few
/// milliseconds of the page's thread at most stay on it).
pub const WORKER_MACS: u128 = 16_000_000;

/// The output channels computed first: those the channel view draws of `key`'s output.
pub fn first(key: &SceneKey) -> usize {
    match key.spec.output_shape(&conv_core::Budget::PLAYGROUND) {
        Ok([_, h, w]) => crate::layout::max_maps(h, w),
        Err(_) => crate::layout::MAX_MAPS,
    }
}

/// How much of the scene shown is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Computed {
    Whole,
    /// The first output channels; the others are zero until the rest arrives.
    First,
    /// None of the convolutions: the outline, with the maps shown before.
    Outline,
}

impl Computed {
    /// What is still being computed, as the figure's `data-computing` says: `maps`, `rest`, or
    /// nothing.
    pub fn pending(self) -> Option<&'static str> {
        match self {
            Computed::Whole => None,
            Computed::First => Some("rest"),
            Computed::Outline => Some("maps"),
        }
    }
}

/// A job: the scene's key, and whether all of it (or the first channels).
type Job = (SceneKey, bool);

/// An answer of the worker, built into a scene.
struct Answer {
    job: Job,
    scene: Rc<Result<Scene, String>>,
}

#[derive(Default)]
struct Jobs {
    worker: Option<Resident>,
    /// The worker could not start or stopped: every scene is computed on the page's thread.
    broken: bool,
    line: Coalescer<Job>,
    /// The last answer shown.
    shown: Option<Rc<Answer>>,
    /// The outline of the page's scene: an answer for it is built on it.
    outline: Option<(SceneKey, Rc<Result<Scene, String>>)>,
}

type Shared = Rc<RefCell<Jobs>>;
/// Renders the page again (with a new answer, or to compute on its own thread).
type Shown = UseForceUpdateHandle;

/// Whether `key`'s scene is computed in the worker.
fn heavy(key: &SceneKey) -> bool {
    key.spec
        .costs(&conv_core::Budget::PLAYGROUND)
        .is_ok_and(|c| c.macs > WORKER_MACS)
}

/// The scene of `key` and how much of it is computed.
#[hook]
pub fn use_scene(key: &SceneKey) -> (Rc<Result<Scene, String>>, Computed) {
    let jobs = use_mut_ref(Jobs::default);
    let shown: Shown = use_force_update();
    let heavy = !jobs.borrow().broken && heavy(key);
    let answer = jobs.borrow().shown.clone();
    let quick = {
        let carry = answer.clone();
        use_memo((key.clone(), heavy), move |(key, heavy)| {
            if *heavy {
                let carry = carry.as_ref().and_then(|a| a.scene.as_ref().as_ref().ok());
                Scene::outline(key, carry)
            } else {
                Scene::build(key)
            }
        })
    };
    {
        let (jobs, shown, outline) = (jobs.clone(), shown.clone(), quick.clone());
        use_effect_with((key.clone(), heavy), move |(key, heavy)| {
            if *heavy {
                jobs.borrow_mut().outline = Some((key.clone(), outline));
                let whole = !first_helps(&key.spec, first(key));
                want(&jobs, &shown, (key.clone(), whole));
            } else {
                let mut j = jobs.borrow_mut();
                j.line.forget();
                j.outline = None;
            }
        });
    }
    match &answer {
        Some(a) if heavy && a.job.0 == *key => {
            let computed = if a.job.1 {
                Computed::Whole
            } else {
                Computed::First
            };
            (a.scene.clone(), computed)
        }
        _ if heavy => (quick, Computed::Outline),
        _ => (quick, Computed::Whole),
    }
}

fn want(jobs: &Shared, shown: &Shown, job: Job) {
    let start = jobs.borrow_mut().line.want(job);
    if let Some(job) = start {
        send(jobs, shown, job);
    }
}

/// Sends `job` to the worker, starting it the first time.
fn send(jobs: &Shared, shown: &Shown, job: Job) {
    let query = crate::gif_job::scene_job(&job.0, (!job.1).then_some(first(&job.0)));
    let mut j = jobs.borrow_mut();
    if j.worker.is_none() {
        let (jobs, shown) = (jobs.clone(), shown.clone());
        match Resident::start(Rc::new(move |heard| hear(&jobs, &shown, heard))) {
            Ok(worker) => j.worker = Some(worker),
            Err(_) => j.broken = true,
        }
    }
    let sent = j
        .worker
        .as_ref()
        .is_some_and(|w| w.send(&query, job.0.image.as_ref()).is_ok());
    if !sent {
        j.broken = true;
        drop(j);
        // A new render computes the scene on the page's thread.
        shown.force_update();
    }
}

/// The worker answered the running job (`Some`), or stopped (`None`).
fn hear(jobs: &Shared, shown: &Shown, heard: Option<Heard>) {
    let result = match heard {
        Some(Heard::Progress(..)) => return,
        Some(Heard::Done(bytes)) => Ok(bytes),
        Some(Heard::Failed(e)) => Err(e),
        None => {
            jobs.borrow_mut().broken = true;
            shown.force_update();
            return;
        }
    };
    let Some(done) = jobs.borrow_mut().line.answered() else {
        return;
    };
    if done.show {
        let (key, whole) = done.job;
        let base = jobs.borrow().outline.clone().filter(|(k, _)| *k == key);
        let scene = result
            .and_then(|bytes| crate::scene::decode_outputs(&bytes))
            .and_then(|given| match base.as_ref().map(|(_, s)| s.as_ref()) {
                Some(Ok(outline)) => outline.with_outputs(given),
                _ => Scene::build_given(&key, given),
            });
        jobs.borrow_mut().shown = Some(Rc::new(Answer {
            job: (key.clone(), whole),
            scene: Rc::new(scene),
        }));
        shown.force_update();
        if !whole {
            want(jobs, shown, (key, true));
        }
    }
    if let Some(next) = done.next {
        send(jobs, shown, next);
    }
}
