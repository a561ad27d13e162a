//! One job at a time, and only the newest wanted: how the page hands work to a worker without
//! queueing a job per input. A job wanted while another runs waits (replacing any that waited);
//! a job's answer is shown only if it is still the one wanted. Pure, tested natively.

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

    /// Nothing is wanted any more (a job that runs still answers, and is dropped).
    pub fn forget(&mut self) {
        self.wanted = None;
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
}
