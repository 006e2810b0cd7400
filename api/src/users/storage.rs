use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::users;
use crate::ids::{TenantId, UserId};
use crate::wire::{Role, User};

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: UserId,
    tenant_id: TenantId,
    name: String,
    email: String,
    role: Role,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            tenant_id: row.tenant_id,
            name: row.name,
            email: row.email,
            role: row.role,
            created_at: row.created_at,
        }
    }
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    user: &User,
    password_hash: &str,
) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(user.id),
            users::tenant_id.eq(user.tenant_id),
            users::name.eq(&user.name),
            users::email.eq(&user.email),
            users::password_hash.eq(password_hash),
            users::role.eq(user.role),
            users::created_at.eq(user.created_at),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

diesel::define_sql_function!(fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The user with this email (case-insensitive) and the stored password hash.
pub async fn find_for_login(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<(User, String)>> {
    users::table
        .filter(lower(users::email).eq(email.trim().to_lowercase()))
        .select((UserRow::as_select(), users::password_hash))
        .first::<(UserRow, String)>(conn)
        .await
        .optional()
        .map(|found| found.map(|(row, hash)| (row.into(), hash)))
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: UserId,
) -> QueryResult<Option<User>> {
    users::table
        .filter(users::tenant_id.eq(tenant_id).and(users::id.eq(id)))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
        .map(|row| row.map(User::from))
}

pub async fn list(conn: &mut AsyncPgConnection, tenant_id: TenantId) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::tenant_id.eq(tenant_id))
        .order((users::created_at, users::id))
        .select(UserRow::as_select())
        .load(conn)
        .await
        .map(|rows| rows.into_iter().map(User::from).collect())
}

/// Those of these users that still exist.
pub async fn existing_ids(
    conn: &mut AsyncPgConnection,
    ids: &[UserId],
) -> QueryResult<Vec<UserId>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select(users::id)
        .load(conn)
        .await
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: UserId,
) -> QueryResult<bool> {
    diesel::delete(users::table.filter(users::tenant_id.eq(tenant_id).and(users::id.eq(id))))
        .execute(conn)
        .await
        .map(|count| count > 0)
}

pub async fn rename(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: UserId,
    name: &str,
) -> QueryResult<Option<User>> {
    diesel::update(users::table.filter(users::tenant_id.eq(tenant_id).and(users::id.eq(id))))
        .set(users::name.eq(name))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .optional()
        .map(|row| row.map(User::from))
}
