use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::tenants;
use crate::ids::TenantId;
use crate::wire::Tenant;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = tenants)]
struct TenantRow {
    id: TenantId,
    name: String,
    default_region: String,
    resume_window_days: i32,
    created_at: chrono::DateTime<chrono::Utc>,
    ai_idle_resume_minutes: i32,
    auto_assign_on_reply: bool,
}

impl From<TenantRow> for Tenant {
    fn from(row: TenantRow) -> Self {
        Tenant {
            id: row.id,
            name: row.name,
            default_region: row.default_region,
            resume_window_days: row.resume_window_days,
            ai_idle_resume_minutes: row.ai_idle_resume_minutes,
            auto_assign_on_reply: row.auto_assign_on_reply,
            created_at: row.created_at,
        }
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, tenant: &Tenant) -> QueryResult<()> {
    diesel::insert_into(tenants::table)
        .values(TenantRow {
            id: tenant.id,
            name: tenant.name.clone(),
            default_region: tenant.default_region.clone(),
            resume_window_days: tenant.resume_window_days,
            ai_idle_resume_minutes: tenant.ai_idle_resume_minutes,
            auto_assign_on_reply: tenant.auto_assign_on_reply,
            created_at: tenant.created_at,
        })
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find(conn: &mut AsyncPgConnection, id: TenantId) -> QueryResult<Option<Tenant>> {
    tenants::table
        .find(id)
        .select(TenantRow::as_select())
        .first(conn)
        .await
        .optional()
        .map(|row| row.map(Tenant::from))
}
