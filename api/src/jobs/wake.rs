//! Wakes every job lane of this instance when work is enqueued. A broadcast that is never
//! lost: a lane busy when the wake comes sees it as soon as it next waits, and each lane
//! (sends, AI replies) is woken, not just one of them.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// A job due later than this is left to the lanes' poll rather than a timer.
const LONGEST_TIMED_WAKE: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct JobsWake(watch::Sender<u64>);

impl Default for JobsWake {
    fn default() -> Self {
        JobsWake(watch::channel(0).0)
    }
}

impl JobsWake {
    /// Work was enqueued (or came due): every lane looks for it now.
    pub fn notify(&self) {
        self.0.send_modify(|count| *count = count.wrapping_add(1));
    }

    /// Work comes due in `wait` (a debounced reply, a paced send, a retry): every lane looks
    /// for it then rather than at its next poll. Far-off work is left to the poll.
    pub fn notify_in(self: &Arc<Self>, wait: Duration) {
        if wait.is_zero() {
            self.notify();
        } else if wait <= LONGEST_TIMED_WAKE {
            let wake = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                wake.notify();
            });
        }
    }

    /// A lane's view of the wakes; `changed()` answers once per wake it has not seen.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_lane_sees_a_wake_sent_while_it_was_busy() {
        let wake = JobsWake::default();
        let mut sends = wake.subscribe();
        let replies = wake.subscribe();
        wake.notify();
        assert!(sends.has_changed().unwrap());
        assert!(replies.has_changed().unwrap());
        sends.changed().await.unwrap();
        assert!(!sends.has_changed().unwrap(), "a wake is seen once");
        assert!(replies.has_changed().unwrap());
    }
}
