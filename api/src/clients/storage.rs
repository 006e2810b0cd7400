use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::clients;
use crate::ids::{ClientId, TenantId};
use crate::pagination::Cursor;
use crate::wire::Client;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = clients)]
pub struct ClientRow {
    pub id: ClientId,
    pub tenant_id: TenantId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone_number: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ClientRow> for Client {
    fn from(row: ClientRow) -> Self {
        Client {
            id: row.id,
            first_name: row.first_name,
            last_name: row.last_name,
            phone_number: row.phone_number,
            company: row.company,
            email: row.email,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = clients)]
pub struct ClientChanges {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub phone_number: Option<Option<String>>,
    pub company: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ClientRow) -> QueryResult<()> {
    diesel::insert_into(clients::table)
        .values(row.clone())
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: ClientId,
) -> QueryResult<Option<ClientRow>> {
    clients::table
        .filter(clients::tenant_id.eq(tenant_id).and(clients::id.eq(id)))
        .select(ClientRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_phone(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone_number: &str,
) -> QueryResult<Option<ClientRow>> {
    clients::table
        .filter(
            clients::tenant_id
                .eq(tenant_id)
                .and(clients::phone_number.eq(phone_number)),
        )
        .select(ClientRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: ClientId,
    changes: &ClientChanges,
) -> QueryResult<ClientRow> {
    diesel::update(clients::table.find(id))
        .set(changes)
        .returning(ClientRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: ClientId,
) -> QueryResult<bool> {
    diesel::delete(clients::table.filter(clients::tenant_id.eq(tenant_id).and(clients::id.eq(id))))
        .execute(conn)
        .await
        .map(|count| count > 0)
}

/// Newest first; `q` (already lower-cased, or digits) matches names, company, email, phone.
pub async fn page(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    q: Option<&str>,
    before: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<ClientRow>> {
    let mut query = clients::table
        .filter(clients::tenant_id.eq(tenant_id))
        .select(ClientRow::as_select())
        .order((clients::created_at.desc(), clients::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(q) = q {
        let pattern = crate::db::contains_pattern(q);
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("search_document LIKE ")
                .bind::<diesel::sql_types::Text, _>(pattern),
        );
    }
    if let Some(Cursor { at, id }) = before {
        query = query.filter(
            clients::created_at
                .lt(at)
                .or(clients::created_at.eq(at).and(clients::id.lt(id))),
        );
    }
    query.load(conn).await
}
