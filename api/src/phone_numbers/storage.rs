use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::routing::Route;
use crate::db::schema::{phone_numbers, tenants};
use crate::ids::{PhoneNumberId, TenantId};
use crate::wire::{NumberType, PhoneNumber};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = phone_numbers)]
struct PhoneNumberRow {
    id: PhoneNumberId,
    tenant_id: TenantId,
    number: String,
    messaging_profile_id: Option<String>,
    created_at: DateTime<Utc>,
    number_type: NumberType,
    /// `None`: the type's default.
    messages_per_second: Option<f64>,
}

impl From<PhoneNumberRow> for PhoneNumber {
    fn from(row: PhoneNumberRow) -> Self {
        PhoneNumber {
            id: row.id,
            tenant_id: row.tenant_id,
            number: row.number,
            messaging_profile_id: row.messaging_profile_id,
            number_type: row.number_type,
            messages_per_second: super::messages_per_second(
                row.number_type,
                row.messages_per_second,
            ),
            created_at: row.created_at,
        }
    }
}

/// `rate`: the rate set for the number (`None` keeps following its type's default).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    number: &PhoneNumber,
    rate: Option<f64>,
) -> QueryResult<()> {
    diesel::insert_into(phone_numbers::table)
        .values(PhoneNumberRow {
            id: number.id,
            tenant_id: number.tenant_id,
            number: number.number.clone(),
            messaging_profile_id: number.messaging_profile_id.clone(),
            created_at: number.created_at,
            number_type: number.number_type,
            messages_per_second: rate,
        })
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
) -> QueryResult<Vec<PhoneNumber>> {
    phone_numbers::table
        .filter(phone_numbers::tenant_id.eq(tenant_id))
        .order((phone_numbers::created_at, phone_numbers::id))
        .select(PhoneNumberRow::as_select())
        .load(conn)
        .await
        .map(|rows| rows.into_iter().map(PhoneNumber::from).collect())
}

/// The tenant's number `preferred` when the tenant owns it, else its first registered one.
pub async fn preferred_of_tenant(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    preferred: &str,
) -> QueryResult<Option<PhoneNumber>> {
    phone_numbers::table
        .filter(phone_numbers::tenant_id.eq(tenant_id))
        .order((
            phone_numbers::number.eq(preferred).desc(),
            phone_numbers::created_at,
            phone_numbers::id,
        ))
        .select(PhoneNumberRow::as_select())
        .first(conn)
        .await
        .optional()
        .map(|row| row.map(PhoneNumber::from))
}

/// The number's owner, whoever it is, with the owner's resume window (inbound routing).
pub async fn route(conn: &mut AsyncPgConnection, number: &str) -> QueryResult<Option<Route>> {
    phone_numbers::table
        .inner_join(tenants::table)
        .filter(phone_numbers::number.eq(number))
        .select((
            phone_numbers::tenant_id,
            phone_numbers::number,
            tenants::resume_window_days,
        ))
        .first::<(TenantId, String, i32)>(conn)
        .await
        .optional()
        .map(|row| {
            row.map(|(tenant_id, number, resume_window_days)| Route {
                tenant_id,
                number,
                resume_window_days,
            })
        })
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: PhoneNumberId,
) -> QueryResult<bool> {
    diesel::delete(
        phone_numbers::table.filter(
            phone_numbers::tenant_id
                .eq(tenant_id)
                .and(phone_numbers::id.eq(id)),
        ),
    )
    .execute(conn)
    .await
    .map(|count| count > 0)
}
