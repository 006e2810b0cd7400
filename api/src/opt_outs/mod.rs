//! Opted-out numbers: a customer who sent STOP gets nothing from the tenant until START.

pub mod keywords;
pub mod routes;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use crate::conversations::storage as conversation_storage;
use crate::ids::TenantId;
use crate::realtime::events;
use crate::wire::FeedPayload;
use crate::wire::{OptOut, OptOutChanged};
use keywords::Keyword;

/// Why a customer cannot be texted.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("{0} has opted out (replied STOP): nothing can be sent until they reply START.")]
    OptedOut(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// The one check every path that texts a customer makes: the agent's and the AI's messages
/// when they are queued, and the outbox when it hands a message to Telnyx (the customer may
/// have written STOP in between).
pub async fn ensure_can_text(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone: &str,
) -> Result<(), GuardError> {
    if storage::is_opted_out(conn, tenant_id, phone).await? {
        return Err(GuardError::OptedOut(phone.to_string()));
    }
    Ok(())
}

/// Records an opt-out (inside the caller's transaction); false when it already was.
pub async fn opt_out(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone: &str,
    keyword: &str,
    now: DateTime<Utc>,
) -> diesel::QueryResult<bool> {
    if !storage::insert(conn, tenant_id, phone, keyword, now).await? {
        return Ok(false);
    }
    let change = OptOut {
        phone_number: phone.to_string(),
        keyword: keyword.to_string(),
        created_at: now,
    };
    let change = OptOutChanged {
        phone_number: phone.to_string(),
        opted_out: true,
        opt_out: Some(change),
    };
    events::record(conn, tenant_id, FeedPayload::OptOutChanged(change), now).await?;
    Ok(true)
}

/// Lifts an opt-out (START, or an admin); false when there was none. The customer's latest
/// conversation is announced too, so inboxes drop the opted-out marker.
pub async fn opt_in(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone: &str,
    now: DateTime<Utc>,
) -> diesel::QueryResult<bool> {
    if !storage::delete(conn, tenant_id, phone).await? {
        return Ok(false);
    }
    let change = OptOutChanged {
        phone_number: phone.to_string(),
        opted_out: false,
        opt_out: None,
    };
    events::record(conn, tenant_id, FeedPayload::OptOutChanged(change), now).await?;
    if let Some(latest) = conversation_storage::latest_for_phone(conn, tenant_id, phone).await? {
        events::record(
            conn,
            tenant_id,
            FeedPayload::ConversationUpdated(latest.into_wire(false)),
            now,
        )
        .await?;
    }
    Ok(true)
}

/// STOP (or a plain request to stop) opts the sender out, START back in; HELP changes
/// nothing. Answers whether the sender's state changed (a second STOP changes nothing).
pub async fn apply_keyword(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    sender: &str,
    text: &str,
    keyword: Option<Keyword>,
    now: DateTime<Utc>,
) -> Result<bool, diesel::result::Error> {
    match keyword {
        Some(Keyword::OptOut) => {
            opt_out(conn, tenant_id, sender, &keywords::label(text), now).await
        }
        Some(Keyword::OptIn) => opt_in(conn, tenant_id, sender, now).await,
        Some(Keyword::Help) | None => Ok(false),
    }
}
