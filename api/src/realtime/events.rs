use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::db::schema::events;

/// What happened, as the feed names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    ConversationCreated,
    ConversationUpdated,
    MessageCreated,
    MessageStatusUpdated,
    AiResponseGenerated,
    ContactIdentified,
    OptOutChanged,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ConversationCreated => "conversation.created",
            EventType::ConversationUpdated => "conversation.updated",
            EventType::MessageCreated => "message.created",
            EventType::MessageStatusUpdated => "message.status_updated",
            EventType::AiResponseGenerated => "ai.response_generated",
            EventType::ContactIdentified => "contact.identified",
            EventType::OptOutChanged => "opt_out.changed",
        }
    }
}

/// Records an event; call it inside the transaction that makes the change.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    event_type: EventType,
    data: &impl Serialize,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    let data = serde_json::to_value(data)
        .map_err(|error| diesel::result::Error::SerializationError(Box::new(error)))?;
    diesel::insert_into(events::table)
        .values((
            events::tenant_id.eq(tenant_id),
            events::event_type.eq(event_type.as_str()),
            events::data.eq(data),
            events::occurred_at.eq(now),
        ))
        .returning(events::id)
        .get_result(conn)
        .await
}
