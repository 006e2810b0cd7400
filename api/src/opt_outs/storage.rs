use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::opt_outs;
use crate::ids::TenantId;
use crate::wire::OptOut;

pub async fn is_opted_out(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone_number: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        opt_outs::table.filter(
            opt_outs::tenant_id
                .eq(tenant_id)
                .and(opt_outs::phone_number.eq(phone_number)),
        ),
    ))
    .get_result(conn)
    .await
}

/// Marks the number opted out; a repeated STOP keeps the first time.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone_number: &str,
    keyword: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::insert_into(opt_outs::table)
        .values((
            opt_outs::tenant_id.eq(tenant_id),
            opt_outs::phone_number.eq(phone_number),
            opt_outs::keyword.eq(keyword),
            opt_outs::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|count| count > 0)
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone_number: &str,
) -> QueryResult<bool> {
    diesel::delete(
        opt_outs::table.filter(
            opt_outs::tenant_id
                .eq(tenant_id)
                .and(opt_outs::phone_number.eq(phone_number)),
        ),
    )
    .execute(conn)
    .await
    .map(|count| count > 0)
}

pub async fn list(conn: &mut AsyncPgConnection, tenant_id: TenantId) -> QueryResult<Vec<OptOut>> {
    opt_outs::table
        .filter(opt_outs::tenant_id.eq(tenant_id))
        .order(opt_outs::created_at.desc())
        .select((
            opt_outs::phone_number,
            opt_outs::keyword,
            opt_outs::created_at,
        ))
        .load::<(String, String, DateTime<Utc>)>(conn)
        .await
        .map(|rows| {
            rows.into_iter()
                .map(|(phone_number, keyword, created_at)| OptOut {
                    phone_number,
                    keyword,
                    created_at,
                })
                .collect()
        })
}
