use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::canned_replies;
use crate::ids::{CannedReplyId, TenantId, UserId};
use crate::wire::CannedReply;

/// The unique index on (tenant, lower-cased shortcut).
pub const SHORTCUT_KEY: &str = "canned_replies_shortcut_key";

/// The list's order, as the unique index keeps it: the lower-cased shortcut, bytewise.
const SHORTCUT_ORDER: &str = r#"lower(canned_replies.shortcut) COLLATE "C""#;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = canned_replies)]
pub struct CannedReplyRow {
    pub id: CannedReplyId,
    pub tenant_id: TenantId,
    pub shortcut: String,
    pub title: String,
    pub text: String,
    /// The user who wrote it (`None` for an API key, or once the user is removed).
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CannedReplyRow> for CannedReply {
    fn from(row: CannedReplyRow) -> Self {
        CannedReply {
            id: row.id,
            shortcut: row.shortcut,
            title: row.title,
            text: row.text,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = canned_replies)]
pub struct CannedReplyChanges {
    pub shortcut: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The row as stored (times at PostgreSQL's precision, as every later read answers them).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    row: &CannedReplyRow,
) -> QueryResult<CannedReplyRow> {
    diesel::insert_into(canned_replies::table)
        .values(row.clone())
        .returning(CannedReplyRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: CannedReplyId,
) -> QueryResult<Option<CannedReplyRow>> {
    canned_replies::table
        .filter(
            canned_replies::tenant_id
                .eq(tenant_id)
                .and(canned_replies::id.eq(id)),
        )
        .select(CannedReplyRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The updated row, or `None` when the tenant has no such reply.
pub async fn update(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: CannedReplyId,
    changes: &CannedReplyChanges,
) -> QueryResult<Option<CannedReplyRow>> {
    diesel::update(
        canned_replies::table.filter(
            canned_replies::tenant_id
                .eq(tenant_id)
                .and(canned_replies::id.eq(id)),
        ),
    )
    .set(changes)
    .returning(CannedReplyRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: CannedReplyId,
) -> QueryResult<bool> {
    diesel::delete(
        canned_replies::table.filter(
            canned_replies::tenant_id
                .eq(tenant_id)
                .and(canned_replies::id.eq(id)),
        ),
    )
    .execute(conn)
    .await
    .map(|count| count > 0)
}

/// Up to `limit` replies in shortcut order, after the lower-cased shortcut `after`.
pub async fn page(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<CannedReplyRow>> {
    let mut query = canned_replies::table
        .filter(canned_replies::tenant_id.eq(tenant_id))
        .select(CannedReplyRow::as_select())
        .order(diesel::dsl::sql::<Text>(SHORTCUT_ORDER))
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(
            diesel::dsl::sql::<Bool>(&format!("{SHORTCUT_ORDER} > "))
                .bind::<Text, _>(after.to_string()),
        );
    }
    query.load(conn).await
}
