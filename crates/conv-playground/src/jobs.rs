//! One job at a time, and only the newest wanted: how the page hands work to a worker without
//! queueing a job per input. A job wanted while another runs waits (replacing any that waited);
//! a job's answer is shown only if it is still the one wanted. And what is on screen meanwhile
//! ([`Showing`]). Pure, tested natively.

/// The jobs of one worker, by key.
#[derive(Debug)]
pub struct Coalescer<K> {
    wanted: Option<K>,
    running: Option<K>,
}

impl<K> Default for Coalescer<K> {
    fn default() -> Self {
        Coalescer {
            wanted: None,
            running: None,
        }
    }
}

/// What to do when the running job answers.
#[derive(Debug, PartialEq, Eq)]
pub struct Answered<K> {
    /// The job that answered.
    pub job: K,
    /// Whether its answer is the one wanted (else it is dropped).
    pub show: bool,
    /// The job to start now, if one waited.
    pub next: Option<K>,
}

impl<K: Clone + PartialEq> Coalescer<K> {
    /// `job` is wanted now: returns it if it is to start now (no job runs); `None` if it waits
    /// for the running one, or if it is the one wanted already (running or answered).
    pub fn want(&mut self, job: K) -> Option<K> {
        if self.wanted.as_ref() == Some(&job) {
            return None;
        }
        self.wanted = Some(job.clone());
        if self.running.is_some() {
            return None;
        }
        self.running = Some(job.clone());
        Some(job)
    }

    /// The running job answered; `None` if none ran.
    pub fn answered(&mut self) -> Option<Answered<K>> {
        let job = self.running.take()?;
        let show = self.wanted.as_ref() == Some(&job);
        let next = if show { None } else { self.wanted.clone() };
        self.running = next.clone();
        Some(Answered { job, show, next })
    }

    /// Whether `job` is the one wanted now.
    pub fn wants(&self, job: &K) -> bool {
        self.wanted.as_ref() == Some(job)
    }

    /// Nothing is wanted any more (a job that runs still answers, and is dropped).
    pub fn forget(&mut self) {
        self.wanted = None;
    }
}

/// What the page shows of a computation done in a worker, by key: the worker's last answer
/// (`whole`: all of it, else a first part), the outline of the page's key where one is built
/// (what is known without the worker: shapes, costs, the maps shown before), and what is on
/// screen.
#[derive(Debug)]
pub struct Showing<K, S> {
    pub answer: Option<(K, bool, S)>,
    /// Of the page's key only ([`Showing::keep_outline_of`]).
    pub outline: Option<(K, S)>,
    on_screen: Option<S>,
}

impl<K, S> Default for Showing<K, S> {
    fn default() -> Self {
        Showing {
            answer: None,
            outline: None,
            on_screen: None,
        }
    }
}

impl<K: PartialEq, S: Clone> Showing<K, S> {
    /// The outline of `key`, if it is built.
    pub fn outline_of(&self, key: &K) -> Option<S> {
        let (k, s) = self.outline.as_ref()?;
        (k == key).then(|| s.clone())
    }

    /// The worker's answer for `key` and whether it is whole, if it came.
    pub fn answer_of(&self, key: &K) -> Option<(S, bool)> {
        let (k, whole, s) = self.answer.as_ref()?;
        (k == key).then(|| (s.clone(), *whole))
    }

    /// The page's key is `key`: an outline of another is dropped.
    pub fn keep_outline_of(&mut self, key: &K) {
        if self.outline.as_ref().is_some_and(|(k, _)| k != key) {
            self.outline = None;
        }
    }

    /// What to show for `key`, now on screen: its answer if it came (and whether it is whole),
    /// else its outline, else what is on screen already (`None` for the last two); `None` if
    /// nothing was ever shown.
    pub fn show(&mut self, key: &K) -> Option<(S, Option<bool>)> {
        let shown = match (self.answer_of(key), self.outline_of(key)) {
            (Some((s, whole)), _) => (s, Some(whole)),
            (None, Some(outline)) => (outline, None),
            (None, None) => (self.on_screen.clone()?, None),
        };
        self.on_screen = Some(shown.0.clone());
        Some(shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_for_an_old_state_is_dropped_and_the_newest_state_runs_next() {
        let mut jobs = Coalescer::default();
        assert_eq!(jobs.want("a"), Some("a"));
        // While "a" runs, three newer states: none starts, only the last waits.
        assert_eq!(jobs.want("b"), None);
        assert_eq!(jobs.want("c"), None);
        assert_eq!(jobs.want("d"), None);
        let a = jobs.answered().unwrap();
        assert_eq!(
            a,
            Answered {
                job: "a",
                show: false,
                next: Some("d")
            }
        );
        let d = jobs.answered().unwrap();
        assert_eq!(
            d,
            Answered {
                job: "d",
                show: true,
                next: None
            }
        );
        assert_eq!(jobs.answered(), None);
    }

    #[test]
    fn the_job_wanted_is_the_newest_until_nothing_is() {
        let mut jobs = Coalescer::default();
        assert!(!jobs.wants(&"a"));
        jobs.want("a");
        assert!(jobs.wants(&"a"));
        // Answered, it is still the one wanted (its rest may follow); a newer one replaces it.
        jobs.answered();
        assert!(jobs.wants(&"a"));
        jobs.want("b");
        assert!(jobs.wants(&"b") && !jobs.wants(&"a"));
        jobs.forget();
        assert!(!jobs.wants(&"b"));
    }

    #[test]
    fn a_job_wanted_again_is_not_run_again() {
        let mut jobs = Coalescer::default();
        assert_eq!(jobs.want(1), Some(1));
        assert_eq!(jobs.want(1), None);
        assert!(jobs.answered().unwrap().show);
        assert_eq!(jobs.want(1), None);
        // Back and forth while one runs: the newest is the one that counts.
        assert_eq!(jobs.want(2), Some(2));
        assert_eq!(jobs.want(1), None);
        assert_eq!(jobs.want(2), None);
        let two = jobs.answered().unwrap();
        assert!(two.show && two.next.is_none());
    }

    #[test]
    fn a_forgotten_job_is_dropped() {
        let mut jobs = Coalescer::default();
        assert_eq!(jobs.want(1), Some(1));
        jobs.forget();
        let one = jobs.answered().unwrap();
        assert!(!one.show && one.next.is_none());
        // Wanted again after being forgotten, it runs again.
        assert_eq!(jobs.want(1), Some(1));
    }

    #[test]
    fn what_is_on_screen_stays_until_the_new_key_has_an_outline_or_an_answer() {
        let mut showing = Showing::<&str, &str>::default();
        assert_eq!(showing.show(&"a"), None);
        showing.outline = Some(("a", "outline of a"));
        assert_eq!(showing.show(&"a"), Some(("outline of a", None)));
        // The worker's first part for "a", then all of it, replace the outline.
        showing.answer = Some(("a", false, "first of a"));
        assert_eq!(showing.show(&"a"), Some(("first of a", Some(false))));
        showing.answer = Some(("a", true, "a"));
        assert_eq!(showing.show(&"a"), Some(("a", Some(true))));
        // "b" wanted: nothing of it yet, and "a" stays on screen; "a"'s outline goes.
        assert_eq!(showing.show(&"b"), Some(("a", None)));
        showing.keep_outline_of(&"b");
        assert_eq!(showing.outline, None);
        assert_eq!(showing.show(&"b"), Some(("a", None)));
        // "b"'s answer came before an outline was built: it is shown.
        showing.answer = Some(("b", false, "first of b"));
        assert_eq!(showing.show(&"b"), Some(("first of b", Some(false))));
        // Back to "a": only the last answer is kept ("b"'s), so "b" stays until "a" has one.
        assert_eq!(showing.show(&"a"), Some(("first of b", None)));
        // "c": its outline built, shown instead of what was on screen.
        showing.keep_outline_of(&"c");
        showing.outline = Some(("c", "outline of c"));
        assert_eq!(showing.show(&"c"), Some(("outline of c", None)));
        assert_eq!(showing.outline_of(&"b"), None);
    }
}
