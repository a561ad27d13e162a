//! The scene of a large layer, computed away from the page's thread. The page answers every
//! input at once with the figures of the state's [`Summary`] (shapes, costs, formulas) and keeps
//! the scene on screen; the scene worker (the export worker's module, started once and kept)
//! computes the convolutions: first what the view shows ([`Ask::first_of`]: the output channels
//! the channel view draws, the faces of the volumes the volume view draws), then all of them,
//! asked for once the first answer is drawn. Where its first answer takes longer than
//! [`OUTLINE_AFTER_MS`], the scene's outline ([`Scene::outline`]: input, kernels, the maps shown before where they have the same
//! shape) is shown meanwhile. Jobs coalesce ([`Coalescer`]): one runs at a time, and an answer
//! for a state that is no longer the page's is dropped, never drawn. Small layers are computed on
//! the page's thread, as is every layer where a worker cannot start.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::jobs::{Coalescer, Showing};
use crate::scene::{Ask, Scene, SceneKey, Summary};
use crate::worker::{Heard, Resident};

/// Layers of more multiply-accumulates than this are computed in the worker (a few
/// milliseconds of the page's thread at most stay on it).
pub const WORKER_MACS: u128 = 16_000_000;

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

/// A job: the scene's key, and what of it.
type Job = (SceneKey, Ask);

#[derive(Default)]
struct Jobs {
    worker: Option<Resident>,
    /// The worker could not start or stopped: every scene is computed on the page's thread.
    broken: bool,
    line: Coalescer<Job>,
    /// The outline of the page's scene (an answer for it is built on it) and the last answer.
    showing: Showing<SceneKey, SceneRc>,
    /// The key whose outline a queued task builds.
    queued: Option<SceneKey>,
}

type Shared = Rc<RefCell<Jobs>>;
type SceneRc = Rc<Result<Scene, String>>;
/// Renders the page again (with a new answer, or to compute on its own thread).
type Shown = UseForceUpdateHandle;

/// Whether a layer of these figures is computed in the worker.
pub fn heavy(summary: &Result<Summary, String>) -> bool {
    summary.as_ref().is_ok_and(|s| s.costs.macs > WORKER_MACS)
}

impl Jobs {
    /// Builds and keeps the outline of `key`, on the outputs of the last answer.
    fn build_outline(&mut self, key: &SceneKey) -> SceneRc {
        let carry = self.showing.answer.as_ref();
        let carry = carry.and_then(|(_, _, s)| s.as_ref().as_ref().ok());
        let scene = Rc::new(Scene::outline(key, carry));
        self.showing.outline = Some((key.clone(), scene.clone()));
        scene
    }
}

/// The scene of `key` and how much of it is computed. `heavy`: computed in the worker (see
/// [`heavy`]); while the worker can start, such a layer's outline is built in a task of its own
/// after the one that answers the input (which renders the figures of the [`Summary`] at once
/// and keeps the scene on screen until then), so that an input never waits for it.
///
/// `volume`: the view is the volume view (its first picture is the volumes' faces), read when
/// the key changes.
#[hook]
pub fn use_scene(key: &SceneKey, heavy: bool, volume: bool) -> (SceneRc, Computed) {
    let jobs = use_mut_ref(Jobs::default);
    let shown: Shown = use_force_update();
    let heavy = heavy && !jobs.borrow().broken;
    let light = use_memo((key.clone(), heavy), |(key, heavy)| {
        (!heavy).then(|| Rc::new(Scene::build(key)))
    });
    {
        let (jobs, shown) = (jobs.clone(), shown.clone());
        use_effect_with((key.clone(), heavy), move |(key, heavy)| {
            if *heavy {
                jobs.borrow_mut().showing.keep_outline_of(key);
                want(&jobs, &shown, (key.clone(), Ask::first_of(key, volume)));
                if jobs.borrow().showing.outline_of(key).is_none() {
                    queue_outline(&jobs, &shown, key);
                }
            } else {
                // What a large layer showed is not on screen any more: a large layer again
                // starts from its outline, not from a picture of long ago.
                let mut j = jobs.borrow_mut();
                j.line.forget();
                j.showing = Showing::default();
                j.queued = None;
            }
        });
    }
    if let Some(scene) = light.as_ref() {
        return (scene.clone(), Computed::Whole);
    }
    let mut j = jobs.borrow_mut();
    let shown = j.showing.show(key);
    match shown {
        Some((scene, Some(true))) => (scene, Computed::Whole),
        Some((scene, Some(false))) => (scene, Computed::First),
        // Until the worker answers or the outline is built, the scene on screen stays.
        Some((scene, None)) => (scene, Computed::Outline),
        // Nothing on screen yet (the page opens on a large layer): the outline now.
        None => {
            let outline = j.build_outline(key);
            j.showing.show(key);
            (outline, Computed::Outline)
        }
    }
}

/// How long the scene on screen waits for the worker's first answer before the outline of the
/// page's key replaces it, in milliseconds: a frame or two. The worker answers the largest layer
/// sooner on a desktop, and building and drawing an outline that its answer replaces a moment
/// later would cost the page's thread as much as drawing the answer.
pub const OUTLINE_AFTER_MS: u32 = 40;

/// Builds the outline of `key` in a task of its own after [`OUTLINE_AFTER_MS`], unless the
/// worker has answered for it by then (one queued at a time, for the newest key), then renders
/// the page again.
fn queue_outline(jobs: &Shared, shown: &Shown, key: &SceneKey) {
    if jobs.borrow_mut().queued.replace(key.clone()).is_some() {
        return;
    }
    let (held, shown) = (jobs.clone(), shown.clone());
    let set = crate::dom::after(
        OUTLINE_AFTER_MS as i32,
        Box::new(move || {
            let mut j = held.borrow_mut();
            let Some(key) = j.queued.take() else {
                return;
            };
            if j.showing.outline_of(&key).is_none() && j.showing.answer_of(&key).is_none() {
                j.build_outline(&key);
                drop(j);
                shown.force_update();
            }
        }),
    );
    if !set {
        // No timer: the worker's answer replaces the scene on screen.
        jobs.borrow_mut().queued = None;
    }
}

/// Asks for all of the scene whose first part `first` answered, in a task after the one that
/// draws that answer (its render runs in the answer's task): asked at once, the worker's
/// computation would take a core the page's thread needs for drawing (on a machine of two).
/// Not if a newer state is wanted by then.
fn ask_rest_when_drawn(jobs: &Shared, shown: &Shown, first: Job) {
    let (held, redraw, job) = (jobs.clone(), shown.clone(), first.clone());
    let set = crate::dom::after(
        0,
        Box::new(move || {
            if held.borrow().line.wants(&job) {
                want(&held, &redraw, (job.0, Ask::Whole));
            }
        }),
    );
    if !set {
        want(jobs, shown, (first.0, Ask::Whole));
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
    let query = crate::gif_job::scene_job(&job.0, job.1);
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
        let (key, ask) = done.job;
        let whole = ask == Ask::Whole;
        // Built on the scene shown for the key (its outline or first answer) where there is one.
        let base = {
            let j = jobs.borrow();
            let first = || j.showing.answer_of(&key).map(|(s, _)| s);
            j.showing.outline_of(&key).or_else(first)
        };
        let scene = result
            .and_then(|bytes| crate::scene::decode_outputs(&bytes))
            .and_then(|given| match base.as_ref().map(|s| s.as_ref()) {
                Some(Ok(outline)) => outline.with_outputs(given),
                _ => Scene::build_given(&key, given),
            });
        jobs.borrow_mut().showing.answer = Some((key.clone(), whole, Rc::new(scene)));
        shown.force_update();
        if !whole {
            ask_rest_when_drawn(jobs, shown, (key, ask));
        }
    }
    if let Some(next) = done.next {
        send(jobs, shown, next);
    }
}
