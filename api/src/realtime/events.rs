//! The event log: written in the same transaction as the change, read by id per tenant.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::events;
use crate::ids::TenantId;
use crate::wire::{FeedEvent, FeedPayload};

/// The channel `NOTIFY` wakes listeners on; the payload is `<tenant id>:<event id>`.
pub const CHANNEL: &str = "parley_events";

#[derive(QueryableByName)]
struct NextId {
    #[diesel(sql_type = BigInt)]
    last_id: i64,
}

/// Records an event; call it inside the transaction that makes the change. The tenant's
/// counter row stays locked until that transaction ends, so ids commit in order.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    payload: FeedPayload,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    let event_type = payload.type_name();
    let data = match serde_json::to_value(payload)
        .map_err(|error| diesel::result::Error::SerializationError(Box::new(error)))?
    {
        serde_json::Value::Object(mut tagged) => tagged.remove("data").unwrap_or_default(),
        _ => serde_json::Value::Null,
    };
    let id = diesel::sql_query(
        "INSERT INTO tenant_event_counters (tenant_id, last_id) VALUES ($1, 1)
         ON CONFLICT (tenant_id) DO UPDATE SET last_id = tenant_event_counters.last_id + 1
         RETURNING last_id",
    )
    .bind::<SqlUuid, _>(tenant_id)
    .get_result::<NextId>(conn)
    .await?
    .last_id;
    diesel::insert_into(events::table)
        .values((
            events::tenant_id.eq(tenant_id),
            events::id.eq(id),
            events::event_type.eq(event_type),
            events::data.eq(data),
            events::occurred_at.eq(now),
        ))
        .execute(conn)
        .await?;
    // Delivered to listeners when the transaction commits; a wake-up, never the only copy.
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(format!("{tenant_id}:{id}"))
        .execute(conn)
        .await?;
    Ok(id)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = events)]
struct EventRow {
    id: i64,
    event_type: String,
    data: serde_json::Value,
    occurred_at: DateTime<Utc>,
}

impl EventRow {
    /// The stored event as the feed sends it; a type or body that is not one of
    /// [`FeedPayload`]'s is an error, never a guess.
    fn into_event(self) -> QueryResult<FeedEvent> {
        let payload: FeedPayload = serde_json::from_value(
            serde_json::json!({ "type": self.event_type, "data": self.data }),
        )
        .map_err(|error| diesel::result::Error::DeserializationError(Box::new(error)))?;
        Ok(FeedEvent {
            id: self.id,
            occurred_at: self.occurred_at,
            payload,
        })
    }
}

/// The tenant's events after `after`, in order.
pub async fn after(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<FeedEvent>> {
    events::table
        .filter(events::tenant_id.eq(tenant_id).and(events::id.gt(after)))
        .order(events::id)
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)
        .await?
        .into_iter()
        .map(EventRow::into_event)
        .collect()
}

/// The tenant's newest event id (0 when none).
pub async fn latest_id(conn: &mut AsyncPgConnection, tenant_id: TenantId) -> QueryResult<i64> {
    events::table
        .filter(events::tenant_id.eq(tenant_id))
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)
        .await
        .map(Option::unwrap_or_default)
}

/// The tenant's oldest kept event id, if any.
pub async fn oldest_id(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
) -> QueryResult<Option<i64>> {
    events::table
        .filter(events::tenant_id.eq(tenant_id))
        .select(diesel::dsl::min(events::id))
        .first::<Option<i64>>(conn)
        .await
}

/// Deletes events older than `before`; answers how many.
pub async fn prune(conn: &mut AsyncPgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(events::table.filter(events::occurred_at.lt(before)))
        .execute(conn)
        .await
}
