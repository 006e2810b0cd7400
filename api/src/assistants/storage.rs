use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::assistants;
use crate::ids::{AssistantId, TenantId};
use crate::wire::{Assistant, Channel};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = assistants)]
pub struct AssistantRow {
    pub id: AssistantId,
    pub tenant_id: TenantId,
    pub name: String,
    pub system_prompt: String,
    pub model: Option<String>,
    pub temperature: f32,
    pub channel: Channel,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub max_segments: i32,
}

impl From<AssistantRow> for Assistant {
    fn from(row: AssistantRow) -> Self {
        Assistant {
            id: row.id,
            name: row.name,
            system_prompt: row.system_prompt,
            model: row.model,
            temperature: row.temperature,
            channel: row.channel,
            is_default: row.is_default,
            max_segments: row.max_segments,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = assistants)]
pub struct AssistantChanges {
    pub name: Option<String>,
    pub system_prompt: Option<String>,
    pub model: Option<Option<String>>,
    pub temperature: Option<f32>,
    pub is_default: Option<bool>,
    pub max_segments: Option<i32>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &AssistantRow) -> QueryResult<()> {
    diesel::insert_into(assistants::table)
        .values(row.clone())
        .execute(conn)
        .await
        .map(|_| ())
}

/// Inserts the row unless it conflicts with a unique key (another default assistant made
/// meanwhile); answers whether it was inserted. Safe inside a transaction, unlike catching
/// the violation, which would abort it.
pub async fn insert_unless_conflicting(
    conn: &mut AsyncPgConnection,
    row: &AssistantRow,
) -> QueryResult<bool> {
    diesel::insert_into(assistants::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|count| count == 1)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: AssistantId,
) -> QueryResult<Option<AssistantRow>> {
    assistants::table
        .filter(
            assistants::tenant_id
                .eq(tenant_id)
                .and(assistants::id.eq(id)),
        )
        .select(AssistantRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The tenant's default SMS assistant.
pub async fn find_default(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
) -> QueryResult<Option<AssistantRow>> {
    assistants::table
        .filter(assistants::tenant_id.eq(tenant_id))
        .filter(assistants::channel.eq(Channel::Sms))
        .filter(assistants::is_default.eq(true))
        .select(AssistantRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
) -> QueryResult<Vec<AssistantRow>> {
    assistants::table
        .filter(assistants::tenant_id.eq(tenant_id))
        .order((assistants::created_at, assistants::id))
        .select(AssistantRow::as_select())
        .load(conn)
        .await
}

/// Makes no assistant of the tenant the default, before another becomes it. Concurrent
/// switches of one tenant queue on a transaction-scoped advisory lock, so the last one wins
/// instead of one of them breaking the one-default index.
pub async fn clear_default(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(hashtextextended('default-assistant:' || $1::text, 0))",
    )
    .bind::<diesel::sql_types::Uuid, _>(tenant_id)
    .execute(conn)
    .await?;
    diesel::update(
        assistants::table
            .filter(assistants::tenant_id.eq(tenant_id))
            .filter(assistants::is_default.eq(true)),
    )
    .set((
        assistants::is_default.eq(false),
        assistants::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: AssistantId,
    changes: &AssistantChanges,
) -> QueryResult<AssistantRow> {
    diesel::update(assistants::table.find(id))
        .set(changes)
        .returning(AssistantRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: AssistantId,
) -> QueryResult<bool> {
    diesel::delete(
        assistants::table.filter(
            assistants::tenant_id
                .eq(tenant_id)
                .and(assistants::id.eq(id)),
        ),
    )
    .execute(conn)
    .await
    .map(|count| count > 0)
}
