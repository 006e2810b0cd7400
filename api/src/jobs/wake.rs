//! Wakes this instance's job lanes when work is enqueued, per kind of job: a lane is woken
//! only by the kinds it runs (a burst of AI replies does not send the sends lane looking for
//! work it does not have, and the other way round). A wake is never lost: a lane busy when
//! it comes sees it as soon as it next waits.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::select_all;
use tokio::sync::watch;

use super::JobKind;

/// A job due later than this is left to the lanes' poll rather than a timer.
const LONGEST_TIMED_WAKE: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct JobsWake {
    /// One channel per kind, in the order of [`JobKind::ALL`].
    kinds: Vec<(JobKind, watch::Sender<u64>)>,
}

impl Default for JobsWake {
    fn default() -> Self {
        JobsWake {
            kinds: JobKind::ALL
                .iter()
                .map(|kind| (*kind, watch::channel(0).0))
                .collect(),
        }
    }
}

impl JobsWake {
    /// Work of `kind` was enqueued (or came due): the lane that runs it looks for it now.
    pub fn notify(&self, kind: JobKind) {
        if let Some((_, sender)) = self.kinds.iter().find(|(k, _)| *k == kind) {
            sender.send_modify(|count| *count = count.wrapping_add(1));
        }
    }

    /// Work of `kind` comes due in `wait` (a debounced reply, a paced send, a retry): its
    /// lane looks for it then rather than at its next poll. Far-off work is left to the poll.
    pub fn notify_in(self: &Arc<Self>, kind: JobKind, wait: Duration) {
        if wait.is_zero() {
            self.notify(kind);
        } else if wait <= LONGEST_TIMED_WAKE {
            let wake = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                wake.notify(kind);
            });
        }
    }

    /// A lane's view of the wakes of the kinds it runs.
    pub fn subscribe(&self, kinds: &[JobKind]) -> LaneWake {
        LaneWake {
            receivers: self
                .kinds
                .iter()
                .filter(|(kind, _)| kinds.contains(kind))
                .map(|(_, sender)| sender.subscribe())
                .collect(),
        }
    }
}

/// The wakes one lane listens to.
pub struct LaneWake {
    receivers: Vec<watch::Receiver<u64>>,
}

impl LaneWake {
    /// Marks every wake so far as seen (the claim about to run answers them).
    pub fn mark_seen(&mut self) {
        for receiver in &mut self.receivers {
            receiver.borrow_and_update();
        }
    }

    /// Answers when a wake not yet seen comes (at once when one is waiting); never when the
    /// lane runs no kind at all.
    pub async fn changed(&mut self) {
        if self.receivers.is_empty() {
            return std::future::pending().await;
        }
        let waits = self
            .receivers
            .iter_mut()
            .map(|receiver| Box::pin(receiver.changed()));
        let (result, _, _) = select_all(waits).await;
        if result.is_err() {
            // The sender is gone (the instance is stopping): nothing will wake this lane.
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lane_is_woken_by_its_kinds_only_and_sees_each_wake_once() {
        let wake = JobsWake::default();
        let mut sends = wake.subscribe(&[JobKind::SendSms, JobKind::ApplyReceipt]);
        let mut replies = wake.subscribe(&[JobKind::AiReply]);
        wake.notify(JobKind::ApplyReceipt);
        tokio::time::timeout(Duration::from_millis(100), sends.changed())
            .await
            .expect("the sends lane is woken");
        sends.mark_seen();
        assert!(
            tokio::time::timeout(Duration::from_millis(50), replies.changed())
                .await
                .is_err(),
            "the AI lane is not woken by a receipt"
        );
        assert!(
            tokio::time::timeout(Duration::from_millis(50), sends.changed())
                .await
                .is_err(),
            "a wake is seen once"
        );
        wake.notify(JobKind::AiReply);
        tokio::time::timeout(Duration::from_millis(100), replies.changed())
            .await
            .expect("the AI lane is woken");
    }

    #[tokio::test]
    async fn a_wake_sent_while_the_lane_was_busy_is_not_lost() {
        let wake = JobsWake::default();
        let mut sends = wake.subscribe(&[JobKind::SendSms]);
        sends.mark_seen();
        wake.notify(JobKind::SendSms);
        tokio::time::timeout(Duration::from_millis(100), sends.changed())
            .await
            .expect("the wake waits for the lane");
    }
}
