//! A conversation's life: which one a customer's message belongs to (resumption within the
//! tenant's window), and every change of status (close, reopen). A customer has at most one
//! active conversation per tenant (a partial unique index says so); each rule here keeps it.

use chrono::{DateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::AsyncPgConnection;

use super::storage::{self, ConversationChanges, ConversationRow};
use crate::ids::{ConversationId, TenantId};
use crate::phone::E164;
use crate::wire::{Channel, ConversationStatus, Identity, QualificationStatus};
use crate::{assistants, clients};

#[derive(Debug, thiserror::Error)]
pub enum ReopenError {
    #[error("The customer has another active conversation; write there instead.")]
    AnotherActive,
    #[error(transparent)]
    Database(#[from] DieselError),
}

/// Whether the conversation's last activity is within `window_days` of `now`.
pub fn within_window(row: &ConversationRow, window_days: i32, now: DateTime<Utc>) -> bool {
    let last_activity = row.last_message_at.unwrap_or(row.created_at);
    now - last_activity <= chrono::Duration::days(i64::from(window_days))
}

/// Makes a closed conversation active again, unless the customer has another active one.
/// Inside the caller's transaction, with `row` locked; the caller announces the change.
pub async fn reopen(
    conn: &mut AsyncPgConnection,
    row: ConversationRow,
    now: DateTime<Utc>,
) -> Result<ConversationRow, ReopenError> {
    if row.is_active() {
        return Ok(row);
    }
    if storage::find_active_for_update(conn, row.tenant_id, &row.phone_number)
        .await?
        .is_some()
    {
        return Err(ReopenError::AnotherActive);
    }
    set_status(conn, row.id, ConversationStatus::Active, now)
        .await
        .map_err(|error| match error {
            // A concurrent change made another one active first.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ReopenError::AnotherActive
            }
            other => other.into(),
        })
}

/// Closes the conversation. Inside the caller's transaction, which announces the change.
pub async fn close(
    conn: &mut AsyncPgConnection,
    row: &ConversationRow,
    now: DateTime<Utc>,
) -> Result<ConversationRow, DieselError> {
    set_status(conn, row.id, ConversationStatus::Closed, now).await
}

async fn set_status(
    conn: &mut AsyncPgConnection,
    id: ConversationId,
    status: ConversationStatus,
    now: DateTime<Utc>,
) -> Result<ConversationRow, DieselError> {
    storage::update(
        conn,
        id,
        &ConversationChanges {
            status: Some(status),
            updated_at: Some(now),
            ..Default::default()
        },
    )
    .await
}

/// Where a customer's new message goes, and whether that conversation is new.
pub struct Destination {
    pub conversation: ConversationRow,
    pub created: bool,
    /// The thread closed because it was past the window, for the caller's feed events (it
    /// records them last, see [`crate::realtime::events::record_all`]).
    pub closed: Option<crate::wire::Conversation>,
}

/// Resumption: the customer's active conversation when its last activity is within the
/// tenant's window; else their latest conversation, reopened, when it is within the window;
/// else a new conversation linked to the previous one (an active one past the window is
/// closed first). `to_number` is the tenant's number the customer wrote to, which a new
/// conversation answers from. Inside the caller's transaction; a concurrent message that
/// creates the conversation first makes this fail with a unique violation, and the caller
/// retries (then finds that conversation active).
pub async fn destination_of_customer_message(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    window_days: i32,
    from: &E164,
    to_number: &str,
    now: DateTime<Utc>,
) -> Result<Destination, DieselError> {
    let active = storage::find_active_for_update(conn, tenant_id, from.as_str()).await?;
    let mut closed_thread = None;
    match active {
        Some(active) if within_window(&active, window_days, now) => {
            return Ok(Destination {
                conversation: active,
                created: false,
                closed: None,
            });
        }
        // Past the window: the old thread closes and a new one continues it.
        Some(active) => {
            let closed = close(conn, &active, now).await?;
            closed_thread = Some(super::to_wire(conn, closed).await?);
        }
        None => {
            if let Some(latest) = storage::latest_for_phone(conn, tenant_id, from.as_str()).await? {
                let latest = storage::find_for_update(conn, tenant_id, latest.id)
                    .await?
                    .unwrap_or(latest);
                if within_window(&latest, window_days, now) {
                    // No other is active (read above, under lock); a concurrent one that
                    // becomes active meanwhile fails the unique index and the caller retries.
                    let reopened =
                        set_status(conn, latest.id, ConversationStatus::Active, now).await?;
                    return Ok(Destination {
                        conversation: reopened,
                        created: false,
                        closed: None,
                    });
                }
            }
        }
    }
    let mut row = new_conversation(conn, tenant_id, from, to_number, None, None, now).await?;
    // The number the customer wrote to is the one to answer from.
    row.tenant_phone_number = to_number.to_string();
    storage::insert(conn, &row).await?;
    Ok(Destination {
        conversation: row,
        created: true,
        closed: closed_thread,
    })
}

/// A new conversation row: the default SMS assistant, and a link to the customer's previous
/// conversation when there is one.
pub async fn new_conversation(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone: &E164,
    tenant_number: &str,
    contact_name: Option<String>,
    company: Option<String>,
    now: DateTime<Utc>,
) -> Result<ConversationRow, diesel::result::Error> {
    let previous = storage::latest_for_phone(conn, tenant_id, phone.as_str()).await?;
    let assistant = assistants::storage::find_default(conn, tenant_id).await?;
    let client = clients::storage::find_by_phone(conn, tenant_id, phone.as_str()).await?;
    Ok(ConversationRow {
        id: ConversationId::random(),
        tenant_id,
        phone_number: phone.to_string(),
        tenant_phone_number: previous
            .as_ref()
            .map(|p| p.tenant_phone_number.clone())
            .unwrap_or_else(|| tenant_number.to_string()),
        // What the agent typed wins; otherwise what we knew from last time.
        contact_name: contact_name
            .or_else(|| previous.as_ref().and_then(|p| p.contact_name.clone())),
        company: company
            .or_else(|| previous.as_ref().and_then(|p| p.company.clone()))
            .or_else(|| client.as_ref().and_then(|c| c.company.clone())),
        client_id: previous.as_ref().and_then(|p| p.client_id),
        assistant_id: assistant.map(|a| a.id),
        status: ConversationStatus::Active,
        qualification_status: previous
            .as_ref()
            .map(|p| p.qualification_status)
            .unwrap_or(QualificationStatus::New),
        channel: Channel::Sms,
        ai_enabled: true,
        identity: previous
            .as_ref()
            .filter(|p| p.client_id.is_some())
            .map(|p| p.identity)
            .unwrap_or(Identity::Unknown),
        last_message_at: None,
        last_message_preview: None,
        last_read_at: None,
        unread_count: 0,
        // A returning customer goes back to the person who looked after them.
        assignee_id: previous.as_ref().and_then(|p| p.assignee_id),
        needs_human: false,
        last_message_author: None,
        last_customer_preview: None,
        delivery_failed: false,
        away_sent_for: None,
        handoff_reason: None,
        previous_conversation_id: previous.map(|p| p.id),
        created_at: now,
        updated_at: now,
        ai_paused_until: None,
        ai_error: None,
        ai_error_at: None,
        name_requests: 0,
    })
}
