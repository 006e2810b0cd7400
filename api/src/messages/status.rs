//! The order a message moves through; late or repeated receipts never move it backwards.

use crate::wire::MessageStatus;

/// Position in the outbound life: queued → sending → sent → a final state.
pub fn rank(status: MessageStatus) -> u8 {
    match status {
        MessageStatus::Queued => 0,
        MessageStatus::Sending => 1,
        MessageStatus::Sent => 2,
        MessageStatus::Received
        | MessageStatus::Delivered
        | MessageStatus::SendingFailed
        | MessageStatus::DeliveryFailed
        | MessageStatus::DeliveryUnconfirmed
        | MessageStatus::Expired => 3,
    }
}

pub fn is_final(status: MessageStatus) -> bool {
    rank(status) == 3
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
    }
}
