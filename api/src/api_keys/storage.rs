use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::api_keys;
use crate::ids::{ApiKeyId, TenantId};
use crate::wire::{ApiKey, Role};

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys)]
struct ApiKeyRow {
    id: ApiKeyId,
    tenant_id: TenantId,
    name: String,
    prefix: String,
    role: Role,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(row: ApiKeyRow) -> Self {
        ApiKey {
            id: row.id,
            tenant_id: row.tenant_id,
            name: row.name,
            prefix: row.prefix,
            role: row.role,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    key: &ApiKey,
    secret_hash: &str,
) -> QueryResult<()> {
    diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(key.id),
            api_keys::tenant_id.eq(key.tenant_id),
            api_keys::name.eq(&key.name),
            api_keys::prefix.eq(&key.prefix),
            api_keys::secret_hash.eq(secret_hash),
            api_keys::role.eq(key.role),
            api_keys::created_at.eq(key.created_at),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The live (unrevoked) key with this secret hash.
pub async fn find_active_by_hash(
    conn: &mut AsyncPgConnection,
    secret_hash: &str,
) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .filter(api_keys::secret_hash.eq(secret_hash))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .await
        .optional()
        .map(|row| row.map(ApiKey::from))
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: ApiKeyId,
) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .filter(api_keys::tenant_id.eq(tenant_id).and(api_keys::id.eq(id)))
        .select(ApiKeyRow::as_select())
        .first(conn)
        .await
        .optional()
        .map(|row| row.map(ApiKey::from))
}

/// Those of these keys that exist and are not revoked.
pub async fn live_ids(
    conn: &mut AsyncPgConnection,
    ids: &[ApiKeyId],
) -> QueryResult<Vec<ApiKeyId>> {
    api_keys::table
        .filter(api_keys::id.eq_any(ids))
        .filter(api_keys::revoked_at.is_null())
        .select(api_keys::id)
        .load(conn)
        .await
}

/// Records use, at most once a minute per key, so busy clients do not write on every call.
pub async fn touch_last_used(
    conn: &mut AsyncPgConnection,
    id: ApiKeyId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        api_keys::table.filter(api_keys::id.eq(id)).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(now - chrono::Duration::minutes(1))),
        ),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn list(conn: &mut AsyncPgConnection, tenant_id: TenantId) -> QueryResult<Vec<ApiKey>> {
    api_keys::table
        .filter(api_keys::tenant_id.eq(tenant_id))
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .select(ApiKeyRow::as_select())
        .load(conn)
        .await
        .map(|rows| rows.into_iter().map(ApiKey::from).collect())
}

/// Revokes the key; revoking twice keeps the first time. `None` when the tenant has no such key.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: ApiKeyId,
    now: DateTime<Utc>,
) -> QueryResult<Option<ApiKey>> {
    diesel::update(
        api_keys::table
            .filter(api_keys::tenant_id.eq(tenant_id).and(api_keys::id.eq(id)))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(conn)
    .await?;
    find(conn, tenant_id, id).await
}
