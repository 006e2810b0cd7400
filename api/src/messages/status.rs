//! The order a message moves through; late or repeated receipts never move it backwards.

use crate::wire::MessageStatus;

const FINAL: u8 = 5;

/// Position in the outbound life: scheduled → held for quiet hours → queued → sending →
/// sent → a final state.
pub fn rank(status: MessageStatus) -> u8 {
    match status {
        MessageStatus::Scheduled => 0,
        MessageStatus::HeldQuietHours => 1,
        MessageStatus::Queued => 2,
        MessageStatus::Sending => 3,
        MessageStatus::Sent => 4,
        MessageStatus::Received
        | MessageStatus::Cancelled
        | MessageStatus::Delivered
        | MessageStatus::SendingFailed
        | MessageStatus::DeliveryFailed
        | MessageStatus::DeliveryUnconfirmed
        | MessageStatus::Expired => FINAL,
    }
}

pub fn is_final(status: MessageStatus) -> bool {
    rank(status) == FINAL
}

/// A message that waits to be sent: scheduled, or held by quiet hours. It can still be
/// edited, cancelled or sent now.
pub fn is_waiting(status: MessageStatus) -> bool {
    matches!(
        status,
        MessageStatus::Scheduled | MessageStatus::HeldQuietHours
    )
}

/// Whether a message at `current` may move to `next`.
pub fn may_advance(current: MessageStatus, next: MessageStatus) -> bool {
    rank(next) > rank(current)
}

/// A message that never reached the customer and may be sent again (as a new message).
pub fn is_retryable(status: MessageStatus) -> bool {
    matches!(
        status,
        MessageStatus::SendingFailed | MessageStatus::DeliveryFailed
    )
}

pub fn is_failure(status: MessageStatus) -> bool {
    matches!(
        status,
        MessageStatus::SendingFailed | MessageStatus::DeliveryFailed | MessageStatus::Expired
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use MessageStatus::*;

    #[test]
    fn only_forward() {
        assert!(may_advance(Queued, Sending));
        assert!(may_advance(Sending, Sent));
        assert!(may_advance(Sending, Delivered));
        assert!(may_advance(Sent, DeliveryFailed));
        assert!(!may_advance(Delivered, Sent));
        assert!(!may_advance(Sent, Sent));
        assert!(!may_advance(Delivered, DeliveryFailed));
        assert!(!may_advance(SendingFailed, Delivered));
        assert!(may_advance(Scheduled, HeldQuietHours));
        assert!(may_advance(HeldQuietHours, Queued));
        assert!(may_advance(Scheduled, Cancelled));
        assert!(!may_advance(Cancelled, Queued));
        assert!(is_waiting(Scheduled) && is_waiting(HeldQuietHours) && !is_waiting(Queued));
    }
}
