//! Labels and badges for the wire enums, in words a person reads.

use leptos::prelude::*;
use parley::wire::{Author, Identity, Message, MessageStatus, QualificationStatus};

pub fn status_label(status: MessageStatus) -> &'static str {
    match status {
        MessageStatus::Received => "Received",
        MessageStatus::Scheduled => "Scheduled",
        MessageStatus::HeldQuietHours => "Held (quiet hours)",
        MessageStatus::Cancelled => "Cancelled",
        MessageStatus::Queued => "Queued",
        MessageStatus::Sending => "Sending…",
        MessageStatus::Sent => "Sent",
        MessageStatus::Delivered => "Delivered",
        MessageStatus::SendingFailed => "Not sent",
        MessageStatus::DeliveryFailed => "Not delivered",
        MessageStatus::DeliveryUnconfirmed => "Delivery unconfirmed",
        MessageStatus::Expired => "Expired",
    }
}

/// How far along a message is; an older answer never moves a message backwards. A message
/// sent later waits (`scheduled`, then perhaps `held_quiet_hours`) before it is queued; an
/// edit keeps it `scheduled` (same rank: the newer text shows).
pub fn status_rank(status: MessageStatus) -> u8 {
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
        | MessageStatus::Expired => 5,
    }
}

/// Whether a message waits to leave (sent later, or held for quiet hours): it can still be
/// changed, cancelled or sent at once.
pub fn is_waiting(status: MessageStatus) -> bool {
    matches!(
        status,
        MessageStatus::Scheduled | MessageStatus::HeldQuietHours
    )
}

pub fn is_failure(status: MessageStatus) -> bool {
    matches!(
        status,
        MessageStatus::SendingFailed | MessageStatus::DeliveryFailed | MessageStatus::Expired
    )
}

pub fn author_label(author: Author) -> &'static str {
    match author {
        Author::Customer => "Customer",
        Author::Agent => "Agent",
        Author::Ai => "AI",
        Author::System => "System",
    }
}

pub fn qualification_label(status: QualificationStatus) -> &'static str {
    match status {
        QualificationStatus::New => "New",
        QualificationStatus::Contacted => "Contacted",
        QualificationStatus::Qualified => "Qualified",
        QualificationStatus::Unqualified => "Unqualified",
        QualificationStatus::Customer => "Customer",
        QualificationStatus::Lost => "Lost",
    }
}

pub fn identity_label(identity: Identity) -> &'static str {
    match identity {
        Identity::Unknown => "Identity unknown",
        Identity::Pending => "Verifying identity",
        Identity::Verified => "Identity verified",
        Identity::Declined => "Identity declined",
    }
}

/// The carrier's reason a message failed, in words: title, detail and code.
pub fn error_words(message: &Message) -> Option<String> {
    let error = message.error.as_ref()?;
    let mut words = error.title.trim().to_string();
    if let Some(detail) = error
        .detail
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        if !words.is_empty() {
            words.push_str(": ");
        }
        words.push_str(detail);
    }
    if !error.code.is_empty() {
        words.push_str(&format!(" (code {})", error.code));
    }
    Some(words)
}

#[component]
pub fn MessageStatusBadge(status: MessageStatus) -> impl IntoView {
    let class = if is_failure(status) {
        "status failed"
    } else {
        match status {
            MessageStatus::Delivered => "status delivered",
            MessageStatus::Scheduled => "status scheduled",
            MessageStatus::HeldQuietHours => "status held",
            MessageStatus::Cancelled => "status cancelled",
            _ => "status",
        }
    };
    view! {
        <span class=class data-testid="message-status" data-status=status.as_str()>
            {status_label(status)}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley::wire::MessageError;

    #[test]
    fn carrier_errors_read_as_words() {
        let mut message: Message = serde_json::from_value(serde_json::json!({
            "id": "6f1c0b1e-8e0a-4b8e-9b51-6a0b7d0c1a01",
            "conversation_id": "6f1c0b1e-8e0a-4b8e-9b51-6a0b7d0c1a02",
            "direction": "outbound", "author": "agent", "text": "Hi", "encoding": "GSM-7",
            "segments": 1, "status": "delivery_failed", "error": null, "telnyx_message_id": null,
            "created_at": "2026-11-25T10:00:00Z", "sent_at": null, "delivered_at": null
        }))
        .expect("message");
        assert_eq!(error_words(&message), None);
        message.error = Some(MessageError {
            code: "40300".into(),
            title: "Blocked as spam".into(),
            detail: Some("The carrier blocked the message.".into()),
        });
        assert_eq!(
            error_words(&message).as_deref(),
            Some("Blocked as spam: The carrier blocked the message. (code 40300)")
        );
        assert!(status_rank(MessageStatus::Delivered) > status_rank(MessageStatus::Queued));
        // Sent later: scheduled, held, then on its way; cancelled is final.
        assert!(status_rank(MessageStatus::HeldQuietHours) > status_rank(MessageStatus::Scheduled));
        assert!(status_rank(MessageStatus::Queued) > status_rank(MessageStatus::HeldQuietHours));
        assert!(status_rank(MessageStatus::Cancelled) > status_rank(MessageStatus::Scheduled));
        assert!(is_waiting(MessageStatus::HeldQuietHours) && !is_waiting(MessageStatus::Cancelled));
    }
}
