//! Messages: sending (validated, stored as `queued`, handed to the outbox in one
//! transaction), history, and the status a message moves through.

pub mod outbox;
pub mod pacing;
pub mod receipts;
pub mod routes;
pub mod status;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use crate::auth::Caller;
use crate::conversations::storage::{
    self as conversation_storage, ConversationChanges, ConversationRow,
};
use crate::error::ApiError;
use crate::ids::{ConversationId, MessageId, UserId};
use crate::jobs::{self, Job};
use crate::opt_outs::{self, GuardError};
use crate::pagination::{page_from, Cursor};
use crate::phone_numbers;
use crate::realtime::events;
use crate::sms;
use crate::state::AppState;
use crate::wire::FeedPayload;
use crate::wire::{AiProvider, Author, Direction, Message, MessageStatus, Page, SendMessage};
use storage::MessageRow;

pub use crate::sms::{MAX_SEGMENTS, MAX_TEXT_CHARS};

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("The message is empty; write something to send.")]
    EmptyText { field: &'static str },
    #[error("The message needs {segments} SMS segments; the limit is {MAX_SEGMENTS} (1,530 GSM-7 or 670 Unicode characters).")]
    TooLong { field: &'static str, segments: u32 },
    #[error("{0} has opted out (replied STOP): nothing can be sent until they reply START.")]
    OptedOut(String),
    #[error("The customer has another active conversation; write there instead.")]
    AnotherActive,
    #[error(
        "The tenant has no Telnyx number to send from; an admin adds one under phone numbers."
    )]
    NoSendingNumber,
    #[error("conversation not found")]
    ConversationNotFound,
    #[error("message not found")]
    MessageNotFound,
    #[error("{0}")]
    NotRetryable(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<GuardError> for SendError {
    fn from(error: GuardError) -> Self {
        match error {
            GuardError::OptedOut(phone) => SendError::OptedOut(phone),
            GuardError::Database(error) => error.into(),
        }
    }
}

impl From<SendError> for ApiError {
    fn from(error: SendError) -> Self {
        let message = error.to_string();
        match error {
            SendError::EmptyText { field } => ApiError::invalid("empty_message", field, message),
            SendError::TooLong { field, .. } => {
                ApiError::invalid("message_too_long", field, message)
            }
            SendError::OptedOut(_) => ApiError::conflict("opted_out", None, message),
            SendError::AnotherActive => {
                ApiError::conflict("conversation_closed", Some("status"), message)
            }
            SendError::NoSendingNumber => ApiError::conflict("no_sending_number", None, message),
            SendError::ConversationNotFound => ApiError::not_found("conversation"),
            SendError::MessageNotFound => ApiError::not_found("message"),
            SendError::NotRetryable(_) => ApiError::conflict("not_retryable", None, message),
            SendError::Database(error) => error.into(),
            SendError::Api(error) => error,
        }
    }
}

/// A text Telnyx will take: not blank, at most ten segments. Requests are parsed into one
/// at the edge ([`SmsText::parse`]); nothing queues a message without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsText(String);

impl SmsText {
    /// A stored outbound message's text, which passed [`SmsText::parse`] when it was written.
    pub fn stored(row: &MessageRow) -> SmsText {
        SmsText(row.text.clone())
    }

    /// `field` names the request field in the error.
    pub fn parse(text: String, field: &'static str) -> Result<SmsText, SendError> {
        if text.trim().is_empty() {
            return Err(SendError::EmptyText { field });
        }
        let segments = sms::analyze(&text).segments;
        if segments > MAX_SEGMENTS {
            return Err(SendError::TooLong { field, segments });
        }
        Ok(SmsText(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<SendMessage> for SmsText {
    type Error = SendError;

    fn try_from(request: SendMessage) -> Result<SmsText, SendError> {
        SmsText::parse(request.text, "text")
    }
}

pub struct Outbound<'a> {
    pub conversation: &'a ConversationRow,
    pub text: &'a SmsText,
    pub author: Author,
    pub author_user_id: Option<UserId>,
    /// The writer's name as the team sees it (agents and API keys).
    pub author_name: Option<String>,
    /// Which provider wrote an AI message.
    pub ai_provider: Option<AiProvider>,
    /// The failed message this one sends again.
    pub retry_of: Option<MessageId>,
}

/// Inside the caller's transaction: the message row (`queued`), its outbox job and the
/// conversation's activity; the feed's event goes into `feed`, which the caller records last
/// with its own (see [`crate::realtime::events::record_all`]). The conversation answers from
/// a number the tenant owns now (see [`phone_numbers::sending_number`]); none is
/// `NoSendingNumber`.
pub async fn queue_outbound(
    conn: &mut AsyncPgConnection,
    outbound: Outbound<'_>,
    now: DateTime<Utc>,
    feed: &mut Vec<FeedPayload>,
) -> Result<(MessageRow, ConversationRow), SendError> {
    let info = sms::analyze(outbound.text.as_str());
    let conversation = outbound.conversation;
    opt_outs::ensure_can_text(conn, conversation.tenant_id, &conversation.phone_number).await?;
    let from = phone_numbers::sending_number(
        conn,
        conversation.tenant_id,
        &conversation.tenant_phone_number,
    )
    .await?
    .ok_or(SendError::NoSendingNumber)?;
    if from.number != conversation.tenant_phone_number {
        conversation_storage::update(
            conn,
            conversation.id,
            &ConversationChanges {
                tenant_phone_number: Some(from.number),
                updated_at: Some(now),
                ..Default::default()
            },
        )
        .await?;
    }
    let row = MessageRow {
        id: MessageId::random(),
        tenant_id: conversation.tenant_id,
        conversation_id: conversation.id,
        direction: Direction::Outbound,
        author: outbound.author,
        author_user_id: outbound.author_user_id,
        text: outbound.text.as_str().to_string(),
        encoding: info.encoding,
        segments: info.segments as i32,
        status: MessageStatus::Queued,
        error_code: None,
        error_title: None,
        error_detail: None,
        telnyx_message_id: None,
        created_at: now,
        sent_at: None,
        delivered_at: None,
        updated_at: now,
        ai_provider: outbound.ai_provider,
        send_started_at: None,
        send_slot_at: None,
        author_name: outbound.author_name,
        retry_of: outbound.retry_of,
    };
    storage::insert(conn, &row).await?;
    let job = Job::SendSms { message_id: row.id };
    jobs::enqueue(conn, Some(conversation.tenant_id), &job, now, now).await?;
    let updated = conversation_storage::record_activity(
        conn,
        conversation.id,
        outbound.text.as_str(),
        outbound.author,
        now,
    )
    .await?;
    feed.push(FeedPayload::MessageCreated(Message::from(row.clone())));
    Ok((row, updated))
}

/// Announces a message's new status on the feed, in the caller's transaction. A failure of
/// the latest message the business sent also marks its conversation (`delivery_failed`, the
/// list's Failed chip), announced with it.
pub async fn announce_status(
    conn: &mut AsyncPgConnection,
    updated: MessageRow,
    now: DateTime<Utc>,
) -> diesel::QueryResult<()> {
    let (tenant_id, conversation_id, created_at) = (
        updated.tenant_id,
        updated.conversation_id,
        updated.created_at,
    );
    let failed = status::is_retryable(updated.status());
    let mut feed = vec![FeedPayload::MessageStatusUpdated(Message::from(updated))];
    if failed {
        if let Some(conversation) =
            conversation_storage::mark_delivery_failed(conn, conversation_id, created_at, now)
                .await?
        {
            let opted_out =
                opt_outs::storage::is_opted_out(conn, tenant_id, &conversation.phone_number)
                    .await?;
            feed.push(FeedPayload::ConversationUpdated(
                conversation.into_wire(opted_out),
            ));
        }
    }
    events::record_all(conn, tenant_id, feed, now).await
}

/// One page of a conversation's history, oldest first; `next_cursor` pages further back.
pub async fn history(
    state: &AppState,
    caller: &Caller,
    conversation_id: ConversationId,
    before: Option<&str>,
    limit: i64,
) -> Result<Page<Message>, ApiError> {
    let before = Cursor::from_param(before, "before")?;
    let mut conn = state.db().await?;
    conversation_storage::find(&mut conn, caller.tenant_id, conversation_id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let rows = storage::page_before(
        &mut conn,
        caller.tenant_id,
        conversation_id,
        before,
        limit + 1,
    )
    .await?;
    // Read newest first to find the page; shown oldest first.
    let mut page = page_from(rows, limit, |row| Cursor::new(row.created_at, row.id));
    page.data.reverse();
    Ok(Page {
        data: page.data.into_iter().map(Message::from).collect(),
        next_cursor: page.next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limits() {
        let parse = |text: String| SmsText::parse(text, "text");
        assert!(matches!(
            parse("  \n".into()),
            Err(SendError::EmptyText { field: "text" })
        ));
        assert!(parse("a".repeat(1530)).is_ok());
        assert!(matches!(
            parse("a".repeat(1531)),
            Err(SendError::TooLong { segments: 11, .. })
        ));
        assert!(parse("Ж".repeat(670)).is_ok());
        assert!(parse("Ж".repeat(671)).is_err());
        // A text is kept as written: whitespace is the sender's.
        assert_eq!(parse(" hi ".into()).unwrap().as_str(), " hi ");
    }
}
