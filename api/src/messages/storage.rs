use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::messages;
use crate::ids::{ConversationId, MessageId, TenantId, UserId};
use crate::pagination::Cursor;
use crate::sms::Encoding;
use crate::wire::{
    AiProvider, Author, Direction, Message, MessageError, MessageStatus, MessageType,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: MessageId,
    pub tenant_id: TenantId,
    pub conversation_id: ConversationId,
    pub direction: Direction,
    pub author: Author,
    pub author_user_id: Option<UserId>,
    pub text: String,
    pub encoding: Encoding,
    pub segments: i32,
    pub status: MessageStatus,
    pub error_code: Option<String>,
    pub error_title: Option<String>,
    pub error_detail: Option<String>,
    pub telnyx_message_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// For AI messages: `openai_compatible`, or `offline_demo` for the built-in responder.
    pub ai_provider: Option<AiProvider>,
    /// Set while a hand-over to Telnyx is in doubt (see the outbox).
    pub send_started_at: Option<DateTime<Utc>>,
    /// The sending slot reserved for it (see `messages::pacing`), until it is handed over.
    pub send_slot_at: Option<DateTime<Utc>>,
    /// The agent's name when they wrote it.
    pub author_name: Option<String>,
    /// The failed message this one sends again.
    pub retry_of: Option<MessageId>,
    /// `MMS` when it carries media (`message_media`).
    pub message_type: MessageType,
    /// When a message sent later is due.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// When the recipient's quiet hours release a held message.
    pub held_until: Option<DateTime<Utc>>,
    /// Quiet hours apply to it (it starts a conversation, or was scheduled).
    pub quiet_hours_apply: bool,
    /// The answer to STOP, START or HELP: sent even to a number that opted out.
    pub compliance_reply: bool,
}

impl MessageRow {
    pub fn status(&self) -> MessageStatus {
        self.status
    }
}

impl From<MessageRow> for Message {
    fn from(row: MessageRow) -> Self {
        let status = row.status();
        Message {
            id: row.id,
            conversation_id: row.conversation_id,
            direction: row.direction,
            author: row.author,
            text: row.text,
            encoding: row.encoding,
            segments: row.segments,
            status,
            error: row.error_code.map(|code| MessageError {
                code,
                title: row.error_title.unwrap_or_default(),
                detail: row.error_detail,
            }),
            telnyx_message_id: row.telnyx_message_id,
            created_at: row.created_at,
            sent_at: row.sent_at,
            delivered_at: row.delivered_at,
            ai_provider: row.ai_provider,
            author_user_id: row.author_user_id,
            author_name: row.author_name,
            retry_of: row.retry_of,
            message_type: row.message_type,
            // Filled in by `messages::to_wire` for an MMS.
            media: Vec::new(),
            scheduled_at: row.scheduled_at,
            held_until: row.held_until,
        }
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &MessageRow) -> QueryResult<()> {
    diesel::insert_into(messages::table)
        .values(row.clone())
        .execute(conn)
        .await
        .map(|_| ())
}

/// Inserts a message unless one with its Telnyx id is stored already (answers whether it was
/// inserted). A concurrent insert of the same id waits for the other to commit or roll back.
pub async fn insert_unless_stored(
    conn: &mut AsyncPgConnection,
    row: &MessageRow,
) -> QueryResult<bool> {
    diesel::insert_into(messages::table)
        .values(row.clone())
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|inserted| inserted == 1)
}

pub async fn find(conn: &mut AsyncPgConnection, id: MessageId) -> QueryResult<Option<MessageRow>> {
    messages::table
        .find(id)
        .select(MessageRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    id: MessageId,
) -> QueryResult<Option<MessageRow>> {
    messages::table
        .find(id)
        .select(MessageRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_telnyx_id_for_update(
    conn: &mut AsyncPgConnection,
    telnyx_id: &str,
) -> QueryResult<Option<MessageRow>> {
    messages::table
        .filter(messages::telnyx_message_id.eq(telnyx_id))
        .select(MessageRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// A page of history, newest first, strictly before `before` (created_at, id).
pub async fn page_before(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_id: ConversationId,
    before: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<MessageRow>> {
    let mut query = messages::table
        .filter(messages::tenant_id.eq(tenant_id))
        .filter(messages::conversation_id.eq(conversation_id))
        .select(MessageRow::as_select())
        .order((messages::created_at.desc(), messages::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(Cursor { at, id }) = before {
        query = query.filter(
            messages::created_at
                .lt(at)
                .or(messages::created_at.eq(at).and(messages::id.lt(id))),
        );
    }
    query.load(conn).await
}

/// Who wrote the conversation's messages after `after` (to see whether someone answered).
pub async fn authors_after(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_id: ConversationId,
    after: DateTime<Utc>,
) -> QueryResult<Vec<String>> {
    messages::table
        .filter(messages::tenant_id.eq(tenant_id))
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::created_at.gt(after))
        .select(messages::author)
        .distinct()
        .load(conn)
        .await
}

pub async fn count_by_author(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_id: ConversationId,
    author: crate::wire::Author,
) -> QueryResult<i64> {
    messages::table
        .filter(messages::tenant_id.eq(tenant_id))
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::author.eq(author.as_str()))
        .count()
        .get_result(conn)
        .await
}

/// The fields a status change may set.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = messages)]
pub struct MessageChanges {
    pub status: Option<MessageStatus>,
    pub telnyx_message_id: Option<String>,
    pub error_code: Option<Option<String>>,
    pub error_title: Option<Option<String>>,
    pub error_detail: Option<Option<String>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub send_started_at: Option<Option<DateTime<Utc>>>,
    pub send_slot_at: Option<Option<DateTime<Utc>>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub text: Option<String>,
    pub encoding: Option<Encoding>,
    pub segments: Option<i32>,
    pub scheduled_at: Option<Option<DateTime<Utc>>>,
    pub held_until: Option<Option<DateTime<Utc>>>,
    pub quiet_hours_apply: Option<bool>,
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: MessageId,
    changes: &MessageChanges,
) -> QueryResult<MessageRow> {
    diesel::update(messages::table.find(id))
        .set(changes)
        .returning(MessageRow::as_returning())
        .get_result(conn)
        .await
}

/// The tenant's message `id`, locked for the caller's transaction.
pub async fn find_in_tenant_for_update(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: MessageId,
) -> QueryResult<Option<MessageRow>> {
    messages::table
        .filter(messages::tenant_id.eq(tenant_id))
        .filter(messages::id.eq(id))
        .select(MessageRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The message that sends `id` again, if one was made.
pub async fn retry_of(
    conn: &mut AsyncPgConnection,
    id: MessageId,
) -> QueryResult<Option<MessageId>> {
    messages::table
        .filter(messages::retry_of.eq(id))
        .select(messages::id)
        .first(conn)
        .await
        .optional()
}

/// When the customer `phone` last wrote to the tenant (in any of their conversations).
pub async fn last_inbound_at(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone: &str,
) -> QueryResult<Option<DateTime<Utc>>> {
    use crate::db::schema::conversations;
    messages::table
        .inner_join(conversations::table.on(conversations::id.eq(messages::conversation_id)))
        .filter(conversations::tenant_id.eq(tenant_id))
        .filter(conversations::phone_number.eq(phone))
        .filter(messages::direction.eq(Direction::Inbound))
        .select(diesel::dsl::max(messages::created_at))
        .first(conn)
        .await
}

/// The messages still waiting to be sent to `phone` (scheduled or held), locked in id order.
pub async fn waiting_for_phone_for_update(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone: &str,
) -> QueryResult<Vec<MessageRow>> {
    use crate::db::schema::conversations;
    let conversation_ids = conversations::table
        .filter(conversations::tenant_id.eq(tenant_id))
        .filter(conversations::phone_number.eq(phone))
        .select(conversations::id);
    messages::table
        .filter(messages::tenant_id.eq(tenant_id))
        .filter(messages::conversation_id.eq_any(conversation_ids))
        .filter(messages::status.eq_any([MessageStatus::Scheduled, MessageStatus::HeldQuietHours]))
        .order(messages::id)
        .select(MessageRow::as_select())
        .for_update()
        .load(conn)
        .await
}

/// A conversation's messages that wait to be sent, soonest due first.
pub async fn waiting_in_conversation(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_id: ConversationId,
    limit: i64,
) -> QueryResult<Vec<MessageRow>> {
    messages::table
        .filter(messages::tenant_id.eq(tenant_id))
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::status.eq_any([MessageStatus::Scheduled, MessageStatus::HeldQuietHours]))
        .order((
            diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
                "coalesce(held_until, scheduled_at, created_at)",
            ),
            messages::id,
        ))
        .limit(limit)
        .select(MessageRow::as_select())
        .load(conn)
        .await
}
