//! The event log: written in the same transaction as the change, read by id per tenant.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::events;
use crate::db::Bind as _;
use crate::ids::TenantId;
use crate::wire::{FeedEvent, FeedPayload};

/// The channel `NOTIFY` wakes listeners on; the payload is `<tenant id>:<first new id>`.
/// The commit trigger of `pending_events` (migration `event_numbering_at_commit`) sends it.
pub const CHANNEL: &str = "parley_events";

/// Records an event; call it inside the transaction that makes the change.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    payload: FeedPayload,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    record_all(conn, tenant_id, vec![payload], now).await
}

/// Records a transaction's events, in order, in one statement. They are numbered as the
/// transaction commits (a deferred trigger takes the tenant's next ids then, and wakes the
/// listeners), so ids commit in order while the tenant's counter is locked only for the
/// commit: concurrent writers of one tenant never queue behind each other's transactions.
pub async fn record_all(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    payloads: Vec<FeedPayload>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    if payloads.is_empty() {
        return Ok(());
    }
    let mut types = Vec::with_capacity(payloads.len());
    let mut bodies = Vec::with_capacity(payloads.len());
    for payload in payloads {
        types.push(payload.type_name().to_string());
        bodies.push(
            match serde_json::to_value(payload)
                .map_err(|error| diesel::result::Error::SerializationError(Box::new(error)))?
            {
                serde_json::Value::Object(mut tagged) => tagged.remove("data").unwrap_or_default(),
                _ => serde_json::Value::Null,
            },
        );
    }
    crate::db::prepared(
        "INSERT INTO pending_events (tenant_id, type, data, occurred_at, first_of_statement)
         SELECT $1, item.type, item.data, $4, item.position = 1
           FROM unnest($2::text[], $3::jsonb[]) WITH ORDINALITY AS item(type, data, position)
          ORDER BY item.position",
    )
    .bind::<SqlUuid, _>(tenant_id)
    .bind::<Array<Text>, _>(types)
    .bind::<Array<Jsonb>, _>(bodies)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await
    .map(|_| ())
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
