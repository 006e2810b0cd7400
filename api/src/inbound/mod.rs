//! A customer writes (`message.received`): find the tenant by the receiving number, find,
//! resume or create the conversation, save the message, honour opt-out keywords, and hand the
//! reply to the AI step through a job, all in one transaction.

pub mod replies;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::clock::Clock;
use crate::conversations::lifecycle;
use crate::conversations::storage as conversation_storage;
use crate::ids::{MediaId, MessageId, TenantId};
use crate::jobs::{self, Job, JobKind};
use crate::media::storage::{self as media_storage, MediaRow};
use crate::messages::storage::{self as message_storage, MessageRow};
use crate::messages::{self, schedule, Dispatch, Outbound, SendError, SmsText};
use crate::phone::E164;
use crate::realtime::events;
use crate::settings;
use crate::state::AppState;
use crate::telnyx::wire::{self as telnyx_wire, WebhookEvent};
use crate::webhooks::storage::{self as webhook_storage, DeliveryRow};
use crate::wire::FeedPayload;
use crate::wire::{
    Author, DeliveryOutcome, Direction, Media, MediaStatus, Message, MessageStatus, MessageType,
};
use crate::{opt_outs, sms};
use opt_outs::keywords::{self, Keyword};

/// Attempts at the transaction when a concurrent message for the same new customer wins the
/// race to create the conversation.
const ATTEMPTS: u32 = 3;

/// What became of a customer's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Stored in the tenant's conversation (a reply job may follow), and the delivery logged
    /// in the same transaction.
    Stored,
    /// Already stored (the same event, or the same message under another event id).
    Duplicate { tenant_id: TenantId },
    /// No tenant owns the number it was sent to.
    UnknownNumber { numbers: String },
    /// The sender cannot hold a conversation (a short code, an alphanumeric sender); an
    /// opt-out keyword from it is still honoured.
    NotAConversation { tenant_id: TenantId, reason: String },
}

/// Why a message could not be stored (Telnyx delivers it again), and whose it was when that
/// was known, so that the tenant's webhook log shows the failure.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct InboundFailure {
    pub tenant_id: Option<TenantId>,
    #[source]
    pub error: InboundError,
}

impl<E: Into<InboundError>> From<E> for InboundFailure {
    fn from(error: E) -> Self {
        InboundFailure {
            tenant_id: None,
            error: error.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("no database connection: {0}")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
}

/// Takes one `message.received` event. A stored message and `log` (the delivery's entry in
/// the webhook log, marked processed) are written in one transaction: one commit per message.
pub async fn receive(
    state: &AppState,
    event: &WebhookEvent,
    now: DateTime<Utc>,
    log: &DeliveryRow,
) -> Result<Received, InboundFailure> {
    let payload = event.payload();
    let mut conn = state.pool.get().await?;
    // Telnyx sends `to` as an array; the first number that a tenant owns is ours.
    let mut owner = None;
    for recipient in payload
        .to
        .iter()
        .filter_map(|to| to.phone_number.as_deref())
    {
        if let Some(route) = state.routes.resolve(&mut conn, recipient).await? {
            owner = Some(route);
            break;
        }
    }
    let Some(route) = owner else {
        let numbers = payload
            .to
            .iter()
            .filter_map(|to| to.phone_number.as_deref())
            .collect::<Vec<_>>()
            .join(", ");
        return Ok(Received::UnknownNumber { numbers });
    };
    let tenant_id = route.tenant_id;
    let failed = |error: diesel::result::Error| InboundFailure {
        tenant_id: Some(tenant_id),
        error: error.into(),
    };
    let sender = payload.from_number().unwrap_or_default().trim();
    let text = payload.text.clone().unwrap_or_default();
    let from = match E164::from_carrier(sender) {
        Ok(from) => from,
        Err(error) => {
            // A short code or an alphanumeric sender cannot hold a conversation, but its
            // STOP is still the law.
            let keyword = keywords::classify(&text);
            if keyword.is_some() && !sender.is_empty() {
                conn.transaction(async |conn| {
                    honour_keyword(conn, tenant_id, sender, &text, keyword, event.id(), now).await
                })
                .await
                .map_err(failed)?;
            }
            return Ok(Received::NotAConversation {
                tenant_id,
                reason: format!("the sender is not an E.164 number: {error}"),
            });
        }
    };
    let inbound = Inbound {
        tenant_id,
        window_days: route.resume_window_days,
        from,
        to: route.number,
        text,
        telnyx_message_id: payload.id.clone(),
        media: payload.media.clone(),
        event_id: event.id().to_string(),
        received_at: now,
        clock: state.clock.clone(),
        ai_debounce: chrono::Duration::from_std(state.settings.ai.debounce).unwrap_or_default(),
        log: DeliveryRow {
            tenant_id: Some(tenant_id),
            outcome: DeliveryOutcome::Processed,
            ..log.clone()
        },
    };
    let mut attempt = 0;
    let received = loop {
        attempt += 1;
        let result = conn
            .transaction(async |conn| record(conn, &inbound).await)
            .await;
        match result {
            Ok(received) => break received,
            // Rolled back: nothing of this delivery was written.
            Err(RecordError::Duplicate) => break Received::Duplicate { tenant_id },
            Err(RecordError::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ))) if attempt < ATTEMPTS => {}
            Err(RecordError::Database(error)) => return Err(failed(error)),
        }
    };
    if received == Received::Stored && !inbound.media.is_empty() {
        state.jobs_wake.notify(JobKind::FetchMedia);
    }
    if received == Received::Stored {
        // An automatic reply (keyword, away message) may be waiting.
        state.jobs_wake.notify(JobKind::SendSms);
        // The reply job comes due after the debounce.
        state
            .jobs_wake
            .notify_in(JobKind::AiReply, state.settings.ai.debounce);
    }
    Ok(received)
}

struct Inbound {
    tenant_id: TenantId,
    window_days: i32,
    from: E164,
    to: String,
    text: String,
    telnyx_message_id: String,
    /// The MMS's items as Telnyx declared them (fetched by `Job::FetchMedia`).
    media: Vec<telnyx_wire::Media>,
    event_id: String,
    received_at: DateTime<Utc>,
    /// Read again once the conversation is locked (see `record`).
    clock: Arc<dyn Clock>,
    ai_debounce: chrono::Duration,
    /// The delivery's log entry, written with the message.
    log: DeliveryRow,
}

/// Why `record` rolled back.
#[derive(Debug, thiserror::Error)]
enum RecordError {
    /// The message is already stored (under another event id): nothing is written.
    #[error("the message is already stored")]
    Duplicate,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Stores the message in as few round trips as it takes (its events are numbered at the
/// commit, see [`events::record_all`], so that one tenant's webhooks overlap).
async fn record(conn: &mut AsyncPgConnection, inbound: &Inbound) -> Result<Received, RecordError> {
    let now = inbound.received_at;
    if !webhook_storage::mark_processed(conn, &inbound.event_id, now).await? {
        return Ok(Received::Duplicate {
            tenant_id: inbound.tenant_id,
        });
    }
    let lifecycle::Destination {
        conversation,
        created,
        closed,
    } = lifecycle::destination_of_customer_message(
        conn,
        inbound.tenant_id,
        inbound.window_days,
        &inbound.from,
        &inbound.to,
        now,
    )
    .await?;
    // The conversation is locked now: whatever changed it meanwhile (an AI reply committed
    // while this waited) is older than this message, so its time is read again here and the
    // conversation's times never go backwards.
    let now = inbound.clock.now().max(conversation.updated_at);
    let info = sms::analyze(&inbound.text);
    let message = MessageRow {
        id: MessageId::random(),
        tenant_id: inbound.tenant_id,
        conversation_id: conversation.id,
        direction: Direction::Inbound,
        author: Author::Customer,
        author_user_id: None,
        text: inbound.text.clone(),
        encoding: info.encoding,
        segments: info.segments.max(1) as i32,
        status: MessageStatus::Received,
        error_code: None,
        error_title: None,
        error_detail: None,
        telnyx_message_id: Some(inbound.telnyx_message_id.clone()),
        created_at: now,
        sent_at: None,
        delivered_at: Some(now),
        updated_at: now,
        ai_provider: None,
        send_started_at: None,
        send_slot_at: None,
        author_name: None,
        retry_of: None,
        message_type: if inbound.media.is_empty() {
            MessageType::Sms
        } else {
            MessageType::Mms
        },
        scheduled_at: None,
        held_until: None,
        quiet_hours_apply: false,
        compliance_reply: false,
    };
    // Telnyx's message id is unique: the same message under another event id stops here, and
    // the conversation this transaction may have created or reopened is rolled back with it.
    if !message_storage::insert_unless_stored(conn, &message).await? {
        return Err(RecordError::Duplicate);
    }
    let media = pending_media(inbound, now);
    if !media.is_empty() {
        media_storage::insert_all(conn, &media).await?;
        let ids: Vec<MediaId> = media.iter().map(|item| item.id).collect();
        media_storage::link(conn, message.id, &ids).await?;
        for item in &media {
            let job = Job::FetchMedia { media_id: item.id };
            jobs::enqueue(conn, Some(inbound.tenant_id), &job, now, now).await?;
        }
    }
    let content_types: Vec<&str> = media
        .iter()
        .map(|item| item.content_type.as_str())
        .collect();
    let conversation = conversation_storage::record_activity(
        conn,
        conversation.id,
        &crate::media::words::preview(&inbound.text, &content_types),
        Author::Customer,
        now,
    )
    .await?;
    let keyword = keywords::classify(&inbound.text);
    let phone = inbound.from.as_str();
    let changed =
        opt_outs::apply_keyword(conn, inbound.tenant_id, phone, &inbound.text, keyword, now)
            .await?;
    let opted_out = opt_outs::storage::is_opted_out(conn, inbound.tenant_id, phone).await?;
    if opted_out && changed {
        // Nothing scheduled goes to a customer who opted out.
        schedule::cancel_waiting_for(conn, inbound.tenant_id, phone, now).await?;
    }
    let settings = settings::of_tenant(conn, inbound.tenant_id).await?;
    let mut reply_feed = Vec::new();
    let reply = replies::automatic_reply(
        &settings,
        keyword,
        changed,
        opted_out,
        conversation.away_sent_for,
        now,
    );
    let conversation = match reply {
        Some(reply) => {
            send_automatic_reply(conn, conversation, reply, now, &mut reply_feed).await?
        }
        None => conversation,
    };
    // Keywords, opted-out customers and (when the tenant says so) messages outside business
    // hours get no AI reply; the AI step checks the rest.
    if keyword.is_none() && !opted_out && conversation.ai_enabled && settings.ai_answers_at(now) {
        let job = Job::AiReply {
            conversation_id: conversation.id,
            message_id: message.id,
        };
        // A moment for a second message, so that one reply answers both.
        jobs::enqueue(
            conn,
            Some(inbound.tenant_id),
            &job,
            now + inbound.ai_debounce,
            now,
        )
        .await?;
    }
    webhook_storage::insert(conn, &inbound.log).await?;
    let wire = conversation.into_wire(opted_out);
    let mut feed = Vec::with_capacity(3);
    if let Some(closed) = closed {
        feed.push(FeedPayload::ConversationUpdated(closed));
    }
    let mut wire_message = Message::from(message);
    wire_message.media = media.into_iter().map(Media::from).collect();
    feed.push(FeedPayload::MessageCreated(wire_message));
    feed.append(&mut reply_feed);
    feed.push(if created {
        FeedPayload::ConversationCreated(wire)
    } else {
        FeedPayload::ConversationUpdated(wire)
    });
    events::record_all(conn, inbound.tenant_id, feed, now).await?;
    Ok(Received::Stored)
}

/// The MMS's items, each waiting for its fetch; an item without a URL cannot be fetched and
/// is unavailable at once (still shown on the message).
fn pending_media(inbound: &Inbound, now: DateTime<Utc>) -> Vec<MediaRow> {
    inbound
        .media
        .iter()
        .map(|item| {
            let url = item.url.clone().filter(|url| !url.trim().is_empty());
            MediaRow {
                id: MediaId::random(),
                tenant_id: inbound.tenant_id,
                status: if url.is_some() {
                    MediaStatus::Pending
                } else {
                    MediaStatus::Unavailable
                },
                content_type: item
                    .content_type
                    .as_deref()
                    .map(|declared| {
                        crate::media::allowed_type(declared)
                            .map_or(declared.trim().to_string(), str::to_string)
                    })
                    .unwrap_or_default(),
                size: item
                    .size
                    .and_then(|size| i64::try_from(size).ok())
                    .unwrap_or(0),
                sha256: None,
                error: url
                    .is_none()
                    .then(|| "Telnyx gave no URL for it".to_string()),
                source_url: url,
                declared_sha256: item
                    .hash_sha256
                    .clone()
                    .or_else(|| item.sha256.clone())
                    .map(|hash| hash.trim().to_ascii_lowercase())
                    .filter(|hash| !hash.is_empty()),
                created_at: now,
                updated_at: now,
            }
        })
        .collect()
}

/// Queues Parley's own answer (a keyword's confirmation, the HELP text, the away message)
/// in the inbound message's transaction, a moment after it so the thread keeps their order.
async fn send_automatic_reply(
    conn: &mut AsyncPgConnection,
    conversation: conversation_storage::ConversationRow,
    reply: replies::AutoReply,
    now: DateTime<Utc>,
    feed: &mut Vec<FeedPayload>,
) -> Result<conversation_storage::ConversationRow, diesel::result::Error> {
    let at = now + chrono::Duration::milliseconds(1);
    let text = match SmsText::parse(reply.text, "text") {
        Ok(text) => text,
        Err(error) => {
            tracing::warn!(%error, "an automatic reply cannot be sent");
            return Ok(conversation);
        }
    };
    let queued = messages::queue_outbound(
        conn,
        Outbound {
            conversation: &conversation,
            text: &text,
            author: Author::System,
            author_user_id: None,
            author_name: None,
            ai_provider: None,
            retry_of: None,
            media: &[],
            dispatch: Dispatch::Now,
            compliance_reply: reply.compliance,
        },
        at,
        feed,
    )
    .await;
    let updated = match queued {
        Ok((_, updated)) => updated,
        Err(SendError::Database(error)) => return Err(error),
        // No number to answer from, or the like: the customer's message still counts.
        Err(error) => {
            tracing::warn!(%error, "an automatic reply cannot be sent");
            return Ok(conversation);
        }
    };
    match reply.away_period {
        Some(period) => {
            let changes = conversation_storage::ConversationChanges {
                away_sent_for: Some(Some(period)),
                ..Default::default()
            };
            conversation_storage::update(conn, updated.id, &changes).await
        }
        None => Ok(updated),
    }
}

/// A keyword from a sender that cannot hold a conversation: applied once per event.
async fn honour_keyword(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    sender: &str,
    text: &str,
    keyword: Option<Keyword>,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<(), diesel::result::Error> {
    if webhook_storage::mark_processed(conn, event_id, now).await? {
        opt_outs::apply_keyword(conn, tenant_id, sender, text, keyword, now).await?;
    }
    Ok(())
}
