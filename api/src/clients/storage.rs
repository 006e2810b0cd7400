use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::clients;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = clients)]
pub struct ClientRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone_number: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    id: Uuid,
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
    tenant_id: Uuid,
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
