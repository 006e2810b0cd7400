//! The settings columns of `tenants`.

use chrono::NaiveTime;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::tenants;
use crate::ids::TenantId;
use crate::wire::KeywordReplies;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tenants)]
pub struct SettingsRow {
    pub id: TenantId,
    pub name: String,
    pub time_zone: String,
    pub business_hours: serde_json::Value,
    pub away_message: Option<String>,
    pub ai_answers_after_hours: bool,
    pub quiet_hours_start: Option<NaiveTime>,
    pub quiet_hours_end: Option<NaiveTime>,
    pub help_message: Option<String>,
    pub keyword_replies: KeywordReplies,
    pub auto_assign_on_reply: bool,
}

#[derive(Debug, Default, PartialEq, AsChangeset)]
#[diesel(table_name = tenants)]
pub struct SettingsChanges {
    pub time_zone: Option<String>,
    pub business_hours: Option<serde_json::Value>,
    pub away_message: Option<Option<String>>,
    pub ai_answers_after_hours: Option<bool>,
    pub quiet_hours_start: Option<Option<NaiveTime>>,
    pub quiet_hours_end: Option<Option<NaiveTime>>,
    pub help_message: Option<Option<String>>,
    pub keyword_replies: Option<KeywordReplies>,
    pub auto_assign_on_reply: Option<bool>,
}

impl SettingsChanges {
    /// Nothing to change (diesel refuses an empty update).
    pub fn is_empty(&self) -> bool {
        *self == SettingsChanges::default()
    }
}

pub async fn find(conn: &mut AsyncPgConnection, id: TenantId) -> QueryResult<Option<SettingsRow>> {
    tenants::table
        .find(id)
        .select(SettingsRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The row locked for the caller's transaction, so two admins' changes apply one after the
/// other.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    id: TenantId,
) -> QueryResult<Option<SettingsRow>> {
    tenants::table
        .find(id)
        .select(SettingsRow::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: TenantId,
    changes: &SettingsChanges,
) -> QueryResult<SettingsRow> {
    diesel::update(tenants::table.find(id))
        .set(changes)
        .returning(SettingsRow::as_returning())
        .get_result(conn)
        .await
}

/// A new tenant's zone, from its region (see `settings::zone_of_region`).
pub async fn set_time_zone(
    conn: &mut AsyncPgConnection,
    id: TenantId,
    zone: &str,
) -> QueryResult<()> {
    diesel::update(tenants::table.find(id))
        .set(tenants::time_zone.eq(zone))
        .execute(conn)
        .await
        .map(|_| ())
}
