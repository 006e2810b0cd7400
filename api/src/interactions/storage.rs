use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::interactions;
use crate::ids::{ClientId, InteractionId, TenantId};
use crate::pagination::Cursor;
use crate::wire::Interaction;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = interactions)]
struct InteractionRow {
    id: InteractionId,
    tenant_id: TenantId,
    client_id: Option<ClientId>,
    phone_number: Option<String>,
    channel: String,
    summary: String,
    occurred_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    interaction: &Interaction,
) -> QueryResult<()> {
    diesel::insert_into(interactions::table)
        .values(InteractionRow {
            id: interaction.id,
            tenant_id,
            client_id: interaction.client_id,
            phone_number: interaction.phone_number.clone(),
            channel: interaction.channel.clone(),
            summary: interaction.summary.clone(),
            occurred_at: interaction.occurred_at,
            created_at: interaction.created_at,
        })
        .execute(conn)
        .await
        .map(|_| ())
}

/// The customer's interactions (by phone or client; the tenant's all without either),
/// newest first.
pub async fn recent_for(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone_number: Option<&str>,
    client_id: Option<ClientId>,
    before: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<Interaction>> {
    let mut query = interactions::table
        .filter(interactions::tenant_id.eq(tenant_id))
        .select(InteractionRow::as_select())
        .order((interactions::occurred_at.desc(), interactions::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(
            interactions::occurred_at
                .lt(before.at)
                .or(interactions::occurred_at
                    .eq(before.at)
                    .and(interactions::id.lt(before.id))),
        );
    }
    query = match (phone_number, client_id) {
        (Some(phone), Some(client)) => query.filter(
            interactions::phone_number
                .eq(phone.to_string())
                .or(interactions::client_id.eq(client)),
        ),
        (Some(phone), None) => query.filter(interactions::phone_number.eq(phone.to_string())),
        (None, Some(client)) => query.filter(interactions::client_id.eq(client)),
        (None, None) => query,
    };
    query.load::<InteractionRow>(conn).await.map(|rows| {
        rows.into_iter()
            .map(|row| Interaction {
                id: row.id,
                client_id: row.client_id,
                phone_number: row.phone_number,
                channel: row.channel,
                summary: row.summary,
                occurred_at: row.occurred_at,
                created_at: row.created_at,
            })
            .collect()
    })
}
