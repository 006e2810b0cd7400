use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::{conversation_guides, conversations};
use crate::ids::{AssistantId, ClientId, ConversationId, TenantId, UserId};
use crate::wire::{
    Author, Channel, Conversation, ConversationStatus, Guide, Identity, QualificationStatus,
};

/// How long a list preview of the last message may be.
pub const PREVIEW_CHARS: usize = 140;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = conversations)]
pub struct ConversationRow {
    pub id: ConversationId,
    pub tenant_id: TenantId,
    pub phone_number: String,
    pub tenant_phone_number: String,
    pub contact_name: Option<String>,
    pub company: Option<String>,
    pub client_id: Option<ClientId>,
    pub assistant_id: Option<AssistantId>,
    pub status: ConversationStatus,
    pub qualification_status: QualificationStatus,
    pub channel: Channel,
    pub ai_enabled: bool,
    pub identity: Identity,
    pub last_message_at: Option<DateTime<Utc>>,
    pub last_message_preview: Option<String>,
    pub last_read_at: Option<DateTime<Utc>>,
    pub unread_count: i32,
    pub previous_conversation_id: Option<ConversationId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// A human replied: the AI stays quiet until then (or until turned back on).
    pub ai_paused_until: Option<DateTime<Utc>>,
    /// The last AI failure, cleared by the next success.
    pub ai_error: Option<String>,
    pub ai_error_at: Option<DateTime<Utc>>,
    /// How many times the agent asked for the customer's name.
    pub name_requests: i32,
    pub assignee_id: Option<UserId>,
    /// The AI handed over to a person, who has not answered yet.
    pub needs_human: bool,
    pub handoff_reason: Option<String>,
    /// Who wrote the last message (none before the first).
    pub last_message_author: Option<Author>,
    /// The customer's own last message, as a list preview.
    pub last_customer_preview: Option<String>,
    /// The latest message the business sent failed; the next one (or its retry) clears it.
    pub delivery_failed: bool,
    /// The closed period (its start) whose away message this conversation got.
    pub away_sent_for: Option<DateTime<Utc>>,
}

impl ConversationRow {
    /// A fresh active conversation for unit tests.
    #[cfg(test)]
    pub fn example() -> ConversationRow {
        let now = Utc::now();
        ConversationRow {
            id: ConversationId::random(),
            tenant_id: TenantId::random(),
            phone_number: "+14165551234".into(),
            tenant_phone_number: "+14165550100".into(),
            contact_name: None,
            company: None,
            client_id: None,
            assistant_id: None,
            status: ConversationStatus::Active,
            qualification_status: QualificationStatus::New,
            channel: Channel::Sms,
            ai_enabled: true,
            identity: Identity::Unknown,
            last_message_at: None,
            last_message_preview: None,
            last_read_at: None,
            unread_count: 0,
            previous_conversation_id: None,
            created_at: now,
            updated_at: now,
            ai_paused_until: None,
            ai_error: None,
            ai_error_at: None,
            name_requests: 0,
            assignee_id: None,
            needs_human: false,
            handoff_reason: None,
            last_message_author: None,
            last_customer_preview: None,
            delivery_failed: false,
            away_sent_for: None,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == ConversationStatus::Active
    }

    pub fn into_wire(self, opted_out: bool) -> Conversation {
        let customer_time_zone = crate::phone_zones::display_zone(&self.phone_number);
        Conversation {
            id: self.id,
            phone_number: self.phone_number,
            tenant_phone_number: self.tenant_phone_number,
            contact_name: self.contact_name,
            company: self.company,
            client_id: self.client_id,
            assistant_id: self.assistant_id,
            status: self.status,
            qualification_status: self.qualification_status,
            channel: self.channel,
            ai_enabled: self.ai_enabled,
            opted_out,
            identity: self.identity,
            last_message_at: self.last_message_at,
            last_message_preview: self.last_message_preview,
            unread_count: self.unread_count,
            previous_conversation_id: self.previous_conversation_id,
            ai_paused_until: self.ai_paused_until,
            assignee_id: self.assignee_id,
            needs_human: self.needs_human,
            handoff_reason: self.handoff_reason,
            last_message_author: self.last_message_author,
            last_customer_message_preview: self.last_customer_preview,
            delivery_failed: self.delivery_failed,
            ai_error: self.ai_error,
            customer_time_zone,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// A preview of a message for the list: its start, on one line.
pub fn preview(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ConversationRow) -> QueryResult<()> {
    diesel::insert_into(conversations::table)
        .values(row.clone())
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: ConversationId,
) -> QueryResult<Option<ConversationRow>> {
    conversations::table
        .filter(
            conversations::tenant_id
                .eq(tenant_id)
                .and(conversations::id.eq(id)),
        )
        .select(ConversationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The row, locked until the transaction ends (serialises changes to one conversation).
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: ConversationId,
) -> QueryResult<Option<ConversationRow>> {
    conversations::table
        .filter(
            conversations::tenant_id
                .eq(tenant_id)
                .and(conversations::id.eq(id)),
        )
        .select(ConversationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The customer's active conversation, locked.
pub async fn find_active_for_update(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone_number: &str,
) -> QueryResult<Option<ConversationRow>> {
    conversations::table
        .filter(conversations::tenant_id.eq(tenant_id))
        .filter(conversations::phone_number.eq(phone_number))
        .filter(conversations::status.eq(ConversationStatus::Active))
        .select(ConversationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The customer's most recent conversation, active or not.
pub async fn latest_for_phone(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone_number: &str,
) -> QueryResult<Option<ConversationRow>> {
    conversations::table
        .filter(conversations::tenant_id.eq(tenant_id))
        .filter(conversations::phone_number.eq(phone_number))
        .order((conversations::created_at.desc(), conversations::id.desc()))
        .select(ConversationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The customer's other conversations, newest first (cross-channel context).
pub async fn others_for_phone(
    conn: &mut AsyncPgConnection,
    conversation: &ConversationRow,
    limit: i64,
) -> QueryResult<Vec<ConversationRow>> {
    conversations::table
        .filter(conversations::tenant_id.eq(conversation.tenant_id))
        .filter(conversations::phone_number.eq(&conversation.phone_number))
        .filter(conversations::id.ne(conversation.id))
        .order(conversations::created_at.desc())
        .limit(limit)
        .select(ConversationRow::as_select())
        .load(conn)
        .await
}

diesel::define_sql_function! {
    /// The first of two texts that is not null.
    fn coalesce(first: diesel::sql_types::Nullable<diesel::sql_types::Text>, second: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// Records a new message's activity: a customer's also counts as unread and becomes the
/// customer's last line; one the business sends settles an earlier failure (it was retried or
/// followed by another message).
pub async fn record_activity(
    conn: &mut AsyncPgConnection,
    id: ConversationId,
    text: &str,
    author: Author,
    at: DateTime<Utc>,
) -> QueryResult<ConversationRow> {
    let from_customer = author == Author::Customer;
    let line = preview(text);
    diesel::update(conversations::table.find(id))
        .set((
            conversations::last_message_at.eq(at),
            conversations::last_message_preview.eq(&line),
            conversations::last_message_author.eq(author),
            conversations::last_customer_preview.eq(coalesce(
                from_customer.then(|| line.clone()),
                conversations::last_customer_preview,
            )),
            conversations::unread_count.eq(conversations::unread_count + i32::from(from_customer)),
            conversations::delivery_failed.eq(conversations::delivery_failed
                .and(from_customer.into_sql::<diesel::sql_types::Bool>())),
            conversations::updated_at.eq(at),
        ))
        .returning(ConversationRow::as_returning())
        .get_result(conn)
        .await
}

/// Marks the conversation's delivery as failed when `message_created_at` belongs to the
/// latest message the business sent in it (a later one already tells the newer story);
/// `None` when nothing changed.
pub async fn mark_delivery_failed(
    conn: &mut AsyncPgConnection,
    id: ConversationId,
    message_created_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> QueryResult<Option<ConversationRow>> {
    use crate::db::schema::messages;
    let later_outbound = messages::table
        .filter(messages::conversation_id.eq(id))
        .filter(messages::direction.eq(crate::wire::Direction::Outbound))
        .filter(messages::created_at.gt(message_created_at));
    diesel::update(conversations::table.find(id))
        .filter(conversations::delivery_failed.eq(false))
        .filter(diesel::dsl::not(diesel::dsl::exists(later_outbound)))
        .set((
            conversations::delivery_failed.eq(true),
            conversations::updated_at.eq(at),
        ))
        .returning(ConversationRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The fields a PATCH may change (already validated).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = conversations)]
pub struct ConversationChanges {
    pub tenant_phone_number: Option<String>,
    pub contact_name: Option<Option<String>>,
    pub company: Option<Option<String>>,
    pub status: Option<ConversationStatus>,
    pub qualification_status: Option<QualificationStatus>,
    pub assistant_id: Option<Option<AssistantId>>,
    pub ai_enabled: Option<bool>,
    pub client_id: Option<Option<ClientId>>,
    pub identity: Option<Identity>,
    pub last_read_at: Option<Option<DateTime<Utc>>>,
    pub unread_count: Option<i32>,
    pub ai_paused_until: Option<Option<DateTime<Utc>>>,
    pub ai_error: Option<Option<String>>,
    pub ai_error_at: Option<Option<DateTime<Utc>>>,
    pub name_requests: Option<i32>,
    pub assignee_id: Option<Option<UserId>>,
    pub needs_human: Option<bool>,
    pub handoff_reason: Option<Option<String>>,
    pub away_sent_for: Option<Option<DateTime<Utc>>>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: ConversationId,
    changes: &ConversationChanges,
) -> QueryResult<ConversationRow> {
    diesel::update(conversations::table.find(id))
        .set(changes)
        .returning(ConversationRow::as_returning())
        .get_result(conn)
        .await
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = conversation_guides)]
struct GuideRow {
    conversation_id: ConversationId,
    text: String,
    updated_at: DateTime<Utc>,
}

pub async fn find_guide(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_id: ConversationId,
) -> QueryResult<Option<Guide>> {
    conversation_guides::table
        .filter(conversation_guides::tenant_id.eq(tenant_id))
        .filter(conversation_guides::conversation_id.eq(conversation_id))
        .select(GuideRow::as_select())
        .first(conn)
        .await
        .optional()
        .map(|row| {
            row.map(|row| Guide {
                conversation_id: row.conversation_id,
                text: row.text,
                updated_at: Some(row.updated_at),
            })
        })
}

pub async fn upsert_guide(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_id: ConversationId,
    text: &str,
    updated_by: Option<UserId>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(conversation_guides::table)
        .values((
            conversation_guides::conversation_id.eq(conversation_id),
            conversation_guides::tenant_id.eq(tenant_id),
            conversation_guides::text.eq(text),
            conversation_guides::updated_by.eq(updated_by),
            conversation_guides::created_at.eq(now),
            conversation_guides::updated_at.eq(now),
        ))
        .on_conflict(conversation_guides::conversation_id)
        .do_update()
        .set((
            conversation_guides::text.eq(text),
            conversation_guides::updated_by.eq(updated_by),
            conversation_guides::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn delete_guide(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_id: ConversationId,
) -> QueryResult<bool> {
    diesel::delete(
        conversation_guides::table
            .filter(conversation_guides::tenant_id.eq(tenant_id))
            .filter(conversation_guides::conversation_id.eq(conversation_id)),
    )
    .execute(conn)
    .await
    .map(|count| count > 0)
}

#[derive(QueryableByName)]
struct UnreadRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    conversation_id: ConversationId,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    unread: i32,
}

/// How many of each conversation's customer messages `user` has not read: those after the
/// user's read marker there, or, without one, after the user joined the tenant.
pub async fn unread_for_user(
    conn: &mut AsyncPgConnection,
    user: UserId,
    ids: &[ConversationId],
) -> QueryResult<Vec<(ConversationId, i32)>> {
    use diesel::sql_types::{Array, Uuid as SqlUuid};
    let ids: Vec<uuid::Uuid> = ids.iter().map(|id| (*id).into()).collect();
    diesel::sql_query(
        "SELECT c.id AS conversation_id,
                (SELECT count(*) FROM messages m
                  WHERE m.conversation_id = c.id AND m.direction = 'inbound'
                    AND m.created_at > coalesce(r.read_at, u.created_at))::int4 AS unread
           FROM unnest($2::uuid[]) AS c(id)
           JOIN users u ON u.id = $1
           LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = $1",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<Array<SqlUuid>, _>(ids)
    .load::<UnreadRow>(conn)
    .await
    .map(|rows| {
        rows.into_iter()
            .map(|row| (row.conversation_id, row.unread))
            .collect()
    })
}

/// Moves the user's read marker in the conversation to `at`.
pub async fn mark_read_by(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_id: ConversationId,
    user: UserId,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    use crate::db::schema::conversation_reads;
    diesel::insert_into(conversation_reads::table)
        .values((
            conversation_reads::conversation_id.eq(conversation_id),
            conversation_reads::user_id.eq(user),
            conversation_reads::tenant_id.eq(tenant_id),
            conversation_reads::read_at.eq(at),
        ))
        .on_conflict((
            conversation_reads::conversation_id,
            conversation_reads::user_id,
        ))
        .do_update()
        .set(conversation_reads::read_at.eq(at))
        .execute(conn)
        .await
        .map(|_| ())
}
