//! The durable job table: work enqueued in the same transaction as the change that needs it,
//! claimed with `FOR UPDATE SKIP LOCKED` under a lease that the worker renews while it works,
//! retried with backoff. A worker that dies mid-job loses nothing: its lease expires and
//! another worker claims the job; a job that keeps dying ends after its attempts.
//!
//! Every kind of work is a variant of [`Job`] (its payload typed), every handler answers an
//! [`Outcome`] or a [`JobError`]; the worker (`jobs::worker`) dispatches them.

pub mod storage;
pub mod wake;
pub mod worker;

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::ids::{ConversationId, MediaId, MessageId, TenantId};

pub use storage::{counts, enqueue, health, JobCount};

/// A piece of background work and what it needs. Stored as `kind` (the variant's name) and
/// `payload` (its fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Job {
    /// Hand an outbound message to Telnyx (the outbox).
    SendSms { message_id: MessageId },
    /// Apply a delivery receipt that arrived before its message's Telnyx id was stored.
    ApplyReceipt {
        /// The webhook's raw body.
        event: String,
        /// The message the receipt URL named, if it did.
        #[serde(default)]
        sent_as: Option<MessageId>,
    },
    /// Generate and send the AI's reply to an inbound message.
    AiReply {
        conversation_id: ConversationId,
        message_id: MessageId,
    },
    /// Fetch a customer's picture or file from Telnyx's short-lived URL and keep it.
    FetchMedia { media_id: MediaId },
}

/// The kinds of [`Job`], for claiming by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    SendSms,
    ApplyReceipt,
    AiReply,
    FetchMedia,
}

impl JobKind {
    pub const ALL: [JobKind; 4] = [
        JobKind::SendSms,
        JobKind::ApplyReceipt,
        JobKind::AiReply,
        JobKind::FetchMedia,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::SendSms => "send_sms",
            JobKind::ApplyReceipt => "apply_receipt",
            JobKind::AiReply => "ai_reply",
            JobKind::FetchMedia => "fetch_media",
        }
    }

    /// Attempts before the job gives up: a send rides out a Telnyx outage of about ten
    /// minutes of backoff, a receipt waits for its send to be recorded, an AI reply is only
    /// worth sending while the customer is still there.
    pub fn max_attempts(self) -> i32 {
        match self {
            JobKind::SendSms => 8,
            JobKind::ApplyReceipt => 12,
            JobKind::AiReply => 5,
            // About two minutes of backoff: Telnyx's media URLs do not live long.
            JobKind::FetchMedia => 6,
        }
    }
}

impl Job {
    pub fn kind(&self) -> JobKind {
        match self {
            Job::SendSms { .. } => JobKind::SendSms,
            Job::ApplyReceipt { .. } => JobKind::ApplyReceipt,
            Job::AiReply { .. } => JobKind::AiReply,
            Job::FetchMedia { .. } => JobKind::FetchMedia,
        }
    }

    /// The fields, as the `payload` column keeps them.
    pub fn payload(&self) -> Result<serde_json::Value, serde_json::Error> {
        let mut tagged = serde_json::to_value(self)?;
        Ok(tagged
            .get_mut("payload")
            .map(serde_json::Value::take)
            .unwrap_or(serde_json::Value::Null))
    }

    /// Reads a stored job back from its `kind` and `payload`.
    pub fn from_stored(kind: &str, payload: serde_json::Value) -> Result<Job, JobError> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload }))
            .map_err(|error| JobError::UnreadablePayload(format!("{kind}: {error}")))
    }
}

crate::wire::wire_enum!(
    /// Where a job stands.
    JobStatus {
        Pending => "pending",
        Running => "running",
        Done => "done",
        Failed => "failed",
    }
);

/// A job this worker holds until its lease ends.
#[derive(Debug)]
pub struct ClaimedJob {
    pub id: i64,
    pub tenant_id: Option<TenantId>,
    /// The work, or why its stored payload cannot be read (the job then fails at once).
    pub job: Result<Job, JobError>,
    /// This claim's attempt number, starting at 1.
    pub attempts: i32,
    pub max_attempts: i32,
}

impl ClaimedJob {
    pub fn is_last_attempt(&self) -> bool {
        self.attempts >= self.max_attempts
    }
}

/// What a job handler decided.
#[derive(Debug)]
pub enum Outcome {
    Done,
    /// A failure worth another attempt at this time (when attempts are left).
    RetryAt(DateTime<Utc>, String),
    /// Nothing failed: the job waits for something outside it until this time, without
    /// spending an attempt.
    Wait(DateTime<Utc>, String),
    /// The work cannot be done; it will not be tried again.
    Failed(String),
}

/// Why a handler could not decide: the job is tried again a little later.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("no database connection: {0}")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("the job's payload cannot be read: {0}")]
    UnreadablePayload(String),
}

/// Exponential backoff with full jitter: attempt 1 waits up to 2 s, then 4, 8… capped at 5 min.
pub fn backoff(attempt: i32) -> Duration {
    let exponent = attempt.clamp(1, 20) as u32;
    let ceiling_ms = (1000u64 << exponent.min(9)).min(300_000);
    let floor_ms = ceiling_ms / 2;
    Duration::from_millis(rand::thread_rng().gen_range(floor_ms..=ceiling_ms))
}

/// [`backoff`] as a point in time after `now`.
pub fn retry_time(now: DateTime<Utc>, attempt: i32) -> DateTime<Utc> {
    now + chrono::Duration::from_std(backoff(attempt)).unwrap_or(chrono::Duration::seconds(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..30 {
            let wait = backoff(attempt);
            assert!(wait <= Duration::from_secs(300), "{attempt}: {wait:?}");
            assert!(wait >= Duration::from_millis(1000), "{attempt}: {wait:?}");
        }
        assert!(backoff(1) <= Duration::from_secs(2));
        assert!(backoff(12) >= Duration::from_secs(150));
    }

    #[test]
    fn jobs_are_stored_as_kind_and_payload_and_read_back() {
        let job = Job::AiReply {
            conversation_id: ConversationId::random(),
            message_id: MessageId::random(),
        };
        let payload = job.payload().expect("payload");
        assert!(payload.get("conversation_id").is_some(), "{payload}");
        assert_eq!(job.kind().as_str(), "ai_reply");
        let back = Job::from_stored("ai_reply", payload).expect("read back");
        assert_eq!(back, job);
        for kind in JobKind::ALL {
            assert!(kind.max_attempts() > 0);
        }
        assert!(matches!(
            Job::from_stored("send_sms", serde_json::json!({"message": "x"})),
            Err(JobError::UnreadablePayload(_))
        ));
        assert!(Job::from_stored("no_such_kind", serde_json::json!({})).is_err());
    }
}
