//! A customer writes (`message.received`): find the tenant by the receiving number, find,
//! resume or create the conversation, save the message, honour opt-out keywords, and hand the
//! reply to the AI step through a job, all in one transaction.

pub mod keywords;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::app::AppState;
use crate::conversations::lifecycle;
use crate::conversations::storage as conversation_storage;
use crate::jobs::{self, JobKind, NewJob};
use crate::messages::storage::{self as message_storage, MessageRow};
use crate::phone::E164;
use crate::realtime::events::{self, EventType};
use crate::telnyx::wire::WebhookEvent;
use crate::webhooks::storage::{self as webhook_storage, DeliveryRow};
use crate::webhooks::{Outcome, WebhookError};
use crate::wire::{Author, Direction, Message, MessageStatus};
use crate::{opt_outs, phone_numbers, sms, tenants};
use keywords::Keyword;

/// Attempts at the transaction when a concurrent message for the same new customer wins the
/// race to create the conversation.
const ATTEMPTS: u32 = 3;
/// Attempts at generating the AI's reply.
pub const AI_REPLY_ATTEMPTS: i32 = 5;

pub async fn receive(
    state: &AppState,
    event: &WebhookEvent,
    now: DateTime<Utc>,
    log: &mut DeliveryRow,
) -> Result<Outcome, WebhookError> {
    let failed = |error: String| WebhookError::Failed(error);
    let payload = event.payload();
    let mut conn = state.pool.get().await.map_err(|e| failed(e.to_string()))?;
    // Telnyx sends `to` as an array; the first number that a tenant owns is ours.
    let mut owner = None;
    for recipient in payload
        .to
        .iter()
        .filter_map(|to| to.phone_number.as_deref())
    {
        if let Some(number) = phone_numbers::storage::find_by_number(&mut conn, recipient)
            .await
            .map_err(|e| failed(e.to_string()))?
        {
            owner = Some(number);
            break;
        }
    }
    let Some(number) = owner else {
        log.error = Some(format!(
            "no tenant owns {}",
            payload
                .to
                .iter()
                .filter_map(|to| to.phone_number.as_deref())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Ok(Outcome::UnknownNumber);
    };
    log.tenant_id = Some(number.tenant_id);
    let tenant = tenants::storage::find(&mut conn, number.tenant_id)
        .await
        .map_err(|e| failed(e.to_string()))?
        .ok_or_else(|| failed("the number's tenant is gone".into()))?;
    let sender = payload.from_number().unwrap_or_default().trim();
    let text = payload.text.clone().unwrap_or_default();
    let from = match E164::from_carrier(sender) {
        Ok(from) => from,
        Err(error) => {
            // A short code or an alphanumeric sender cannot hold a conversation, but its
            // STOP is still the law.
            log.error = Some(format!("the sender is not an E.164 number: {error}"));
            let keyword = keywords::classify(&text);
            if keyword.is_some() && !sender.is_empty() {
                conn.transaction(async |conn| {
                    honour_keyword(conn, tenant.id, sender, &text, keyword, event.id(), now).await
                })
                .await
                .map_err(|e| failed(e.to_string()))?;
            }
            return Ok(Outcome::Ignored);
        }
    };
    let inbound = Inbound {
        tenant_id: tenant.id,
        window_days: tenant.resume_window_days,
        from,
        to: number.number.clone(),
        text,
        telnyx_message_id: payload.id.clone(),
        event_id: event.id().to_string(),
        received_at: now,
        ai_debounce: chrono::Duration::from_std(state.settings.ai.debounce).unwrap_or_default(),
    };
    let mut attempt = 0;
    let outcome = loop {
        attempt += 1;
        let result = conn
            .transaction(async |conn| record(conn, &inbound).await)
            .await;
        match result {
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) if attempt < ATTEMPTS => {}
            other => break other.map_err(|e| failed(e.to_string()))?,
        }
    };
    if outcome == Outcome::Processed {
        state.jobs_wake.notify_one();
    }
    Ok(outcome)
}

struct Inbound {
    tenant_id: Uuid,
    window_days: i32,
    from: E164,
    to: String,
    text: String,
    telnyx_message_id: String,
    event_id: String,
    received_at: DateTime<Utc>,
    ai_debounce: chrono::Duration,
}

async fn record(
    conn: &mut AsyncPgConnection,
    inbound: &Inbound,
) -> Result<Outcome, diesel::result::Error> {
    let now = inbound.received_at;
    if !webhook_storage::mark_processed(conn, &inbound.event_id, now).await? {
        return Ok(Outcome::Duplicate);
    }
    if message_storage::find_by_telnyx_id_for_update(conn, &inbound.telnyx_message_id)
        .await?
        .is_some()
    {
        // The same message under another event id.
        return Ok(Outcome::Duplicate);
    }
    let lifecycle::Destination {
        conversation,
        created,
    } = lifecycle::destination_of_customer_message(
        conn,
        inbound.tenant_id,
        inbound.window_days,
        &inbound.from,
        &inbound.to,
        now,
    )
    .await?;
    let info = sms::analyze(&inbound.text);
    let message = MessageRow {
        id: Uuid::new_v4(),
        tenant_id: inbound.tenant_id,
        conversation_id: conversation.id,
        direction: Direction::Inbound.as_str().into(),
        author: Author::Customer.as_str().into(),
        author_user_id: None,
        text: inbound.text.clone(),
        encoding: info.encoding.as_str().into(),
        segments: info.segments.max(1) as i32,
        status: MessageStatus::Received.as_str().into(),
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
    };
    message_storage::insert(conn, &message).await?;
    let conversation =
        conversation_storage::record_activity(conn, conversation.id, &inbound.text, now, true)
            .await?;
    let keyword = keywords::classify(&inbound.text);
    let phone = inbound.from.as_str();
    apply_keyword(conn, inbound.tenant_id, phone, &inbound.text, keyword, now).await?;
    let opted_out = opt_outs::storage::is_opted_out(conn, inbound.tenant_id, phone).await?;
    events::record(
        conn,
        inbound.tenant_id,
        EventType::MessageCreated,
        &Message::from(message.clone()),
        now,
    )
    .await?;
    let wire = conversation.clone().into_wire(opted_out);
    let event = if created {
        EventType::ConversationCreated
    } else {
        EventType::ConversationUpdated
    };
    events::record(conn, inbound.tenant_id, event, &wire, now).await?;
    // Keywords and opted-out customers get no AI reply; the AI step checks the rest.
    if keyword.is_none() && !opted_out && conversation.ai_enabled {
        jobs::enqueue(
            conn,
            NewJob {
                tenant_id: Some(inbound.tenant_id),
                kind: JobKind::AiReply,
                payload: serde_json::json!({ "conversation_id": conversation.id, "message_id": message.id }),
                max_attempts: AI_REPLY_ATTEMPTS,
                // A moment for a second message, so that one reply answers both.
                run_at: now + inbound.ai_debounce,
            },
            now,
        )
        .await?;
    }
    Ok(Outcome::Processed)
}

/// STOP opts the sender out, START back in; HELP needs nothing here.
async fn apply_keyword(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    sender: &str,
    text: &str,
    keyword: Option<Keyword>,
    now: DateTime<Utc>,
) -> Result<(), diesel::result::Error> {
    match keyword {
        Some(Keyword::OptOut) => {
            opt_outs::opt_out(conn, tenant_id, sender, &keywords::normalize(text), now).await?;
        }
        Some(Keyword::OptIn) => {
            opt_outs::opt_in(conn, tenant_id, sender, now).await?;
        }
        Some(Keyword::Help) | None => {}
    }
    Ok(())
}

/// A keyword from a sender that cannot hold a conversation: applied once per event.
async fn honour_keyword(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    sender: &str,
    text: &str,
    keyword: Option<Keyword>,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<(), diesel::result::Error> {
    if webhook_storage::mark_processed(conn, event_id, now).await? {
        apply_keyword(conn, tenant_id, sender, text, keyword, now).await?;
    }
    Ok(())
}
