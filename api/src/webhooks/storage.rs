use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::{processed_webhook_events, webhook_deliveries};
use crate::ids::{TenantId, WebhookDeliveryId};
use crate::pagination::Cursor;
use crate::wire::{DeliveryOutcome, WebhookDelivery};

/// Bodies of signed deliveries are kept for troubleshooting, cut at this size.
const MAX_LOGGED_BODY: usize = 64 * 1024;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: WebhookDeliveryId,
    pub tenant_id: Option<TenantId>,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub telnyx_message_id: Option<String>,
    pub signature_ok: bool,
    pub outcome: DeliveryOutcome,
    pub error: Option<String>,
    pub attempt: Option<i32>,
    /// `None` when the signature failed: a body from anyone is not ours to keep.
    pub body: Option<String>,
    pub received_at: DateTime<Utc>,
}

impl DeliveryRow {
    pub fn new(raw_body: &[u8], received_at: DateTime<Utc>) -> DeliveryRow {
        let mut body = String::from_utf8_lossy(raw_body).into_owned();
        if body.len() > MAX_LOGGED_BODY {
            let mut cut = MAX_LOGGED_BODY;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
        }
        DeliveryRow {
            id: WebhookDeliveryId::random(),
            tenant_id: None,
            event_id: None,
            event_type: None,
            telnyx_message_id: None,
            signature_ok: false,
            outcome: DeliveryOutcome::Received,
            error: None,
            attempt: None,
            body: Some(body),
            received_at,
        }
    }
}

/// Writes the delivery to the log; the body only if its signature was verified.
pub async fn insert(conn: &mut AsyncPgConnection, row: &DeliveryRow) -> QueryResult<()> {
    let mut row = row.clone();
    if !row.signature_ok {
        row.body = None;
    }
    diesel::insert_into(webhook_deliveries::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryView {
    id: WebhookDeliveryId,
    event_id: Option<String>,
    event_type: Option<String>,
    telnyx_message_id: Option<String>,
    signature_ok: bool,
    outcome: DeliveryOutcome,
    error: Option<String>,
    attempt: Option<i32>,
    received_at: DateTime<Utc>,
}

/// Deliveries since `since` that were refused or failed, newest first.
impl From<DeliveryView> for WebhookDelivery {
    fn from(row: DeliveryView) -> Self {
        WebhookDelivery {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            telnyx_message_id: row.telnyx_message_id,
            signature_ok: row.signature_ok,
            outcome: row.outcome,
            error: row.error,
            attempt: row.attempt,
            received_at: row.received_at,
        }
    }
}

pub async fn recent_failures(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    since: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<WebhookDelivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::tenant_id.eq(tenant_id))
        .filter(webhook_deliveries::received_at.ge(since))
        .filter(
            webhook_deliveries::outcome
                .eq_any([DeliveryOutcome::Rejected, DeliveryOutcome::Failed]),
        )
        .order((
            webhook_deliveries::received_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit)
        .select(DeliveryView::as_select())
        .load(conn)
        .await
        .map(|rows| rows.into_iter().map(WebhookDelivery::from).collect())
}

pub async fn recent(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    before: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<WebhookDelivery>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::tenant_id.eq(tenant_id))
        .order((
            webhook_deliveries::received_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit)
        .select(DeliveryView::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(
            webhook_deliveries::received_at
                .lt(before.at)
                .or(webhook_deliveries::received_at
                    .eq(before.at)
                    .and(webhook_deliveries::id.lt(before.id))),
        );
    }
    query
        .load(conn)
        .await
        .map(|rows| rows.into_iter().map(WebhookDelivery::from).collect())
}

/// Marks Telnyx's event id as processed; false when it already was (a redelivery).
pub async fn mark_processed(
    conn: &mut AsyncPgConnection,
    event_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::insert_into(processed_webhook_events::table)
        .values((
            processed_webhook_events::event_id.eq(event_id),
            processed_webhook_events::processed_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|count| count == 1)
}
