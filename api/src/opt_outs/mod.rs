//! Opted-out numbers: a customer who sent STOP gets nothing from the tenant until START.

pub mod routes;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::conversations::storage as conversation_storage;
use crate::realtime::events::{self, EventType};
use crate::wire::OptOut;

/// Records an opt-out (inside the caller's transaction); false when it already was.
pub async fn opt_out(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
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
    let data = serde_json::json!({ "phone_number": phone, "opted_out": true, "opt_out": change });
    events::record(conn, tenant_id, EventType::OptOutChanged, &data, now).await?;
    Ok(true)
}

/// Lifts an opt-out (START, or an admin); false when there was none. The customer's latest
/// conversation is announced too, so inboxes drop the opted-out marker.
pub async fn opt_in(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    phone: &str,
    now: DateTime<Utc>,
) -> diesel::QueryResult<bool> {
    if !storage::delete(conn, tenant_id, phone).await? {
        return Ok(false);
    }
    let data = serde_json::json!({ "phone_number": phone, "opted_out": false });
    events::record(conn, tenant_id, EventType::OptOutChanged, &data, now).await?;
    if let Some(latest) = conversation_storage::latest_for_phone(conn, tenant_id, phone).await? {
        events::record(
            conn,
            tenant_id,
            EventType::ConversationUpdated,
            &latest.into_wire(false),
            now,
        )
        .await?;
    }
    Ok(true)
}
