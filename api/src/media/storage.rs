//! The SQL of media: items, their links to messages, and what retention may remove.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::{media, message_media};
use crate::ids::{MediaId, MessageId, TenantId};
use crate::wire::{Media, MediaStatus};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: MediaId,
    pub tenant_id: TenantId,
    pub status: MediaStatus,
    pub content_type: String,
    pub size: i64,
    pub sha256: Option<String>,
    /// Inbound: Telnyx's short-lived URL, until the fetch settles.
    pub source_url: Option<String>,
    /// Inbound: the hash Telnyx declared.
    pub declared_sha256: Option<String>,
    /// Why an inbound item is unavailable.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<MediaRow> for Media {
    fn from(row: MediaRow) -> Self {
        Media {
            url: Media::url_of(row.id),
            id: row.id,
            content_type: row.content_type,
            size: row.size,
            sha256: row.sha256,
            status: row.status,
        }
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &MediaRow) -> QueryResult<()> {
    diesel::insert_into(media::table)
        .values(row.clone())
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn insert_all(conn: &mut AsyncPgConnection, rows: &[MediaRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(media::table)
        .values(rows.to_vec())
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find(conn: &mut AsyncPgConnection, id: MediaId) -> QueryResult<Option<MediaRow>> {
    media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_in_tenant(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: MediaId,
) -> QueryResult<Option<MediaRow>> {
    media::table
        .filter(media::tenant_id.eq(tenant_id))
        .filter(media::id.eq(id))
        .select(MediaRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The tenant's items among `ids` (in no particular order; missing ones are left out).
pub async fn find_many_in_tenant(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    ids: &[MediaId],
) -> QueryResult<Vec<MediaRow>> {
    media::table
        .filter(media::tenant_id.eq(tenant_id))
        .filter(media::id.eq_any(ids))
        .select(MediaRow::as_select())
        .load(conn)
        .await
}

/// Links `ids` to a message, in their order.
pub async fn link(
    conn: &mut AsyncPgConnection,
    message_id: MessageId,
    ids: &[MediaId],
) -> QueryResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(position, id)| {
            (
                message_media::message_id.eq(message_id),
                message_media::position.eq(position as i32),
                message_media::media_id.eq(*id),
            )
        })
        .collect();
    diesel::insert_into(message_media::table)
        .values(rows)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The items of each of `messages`, in order.
pub async fn of_messages(
    conn: &mut AsyncPgConnection,
    messages: &[MessageId],
) -> QueryResult<HashMap<MessageId, Vec<MediaRow>>> {
    if messages.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(MessageId, MediaRow)> = message_media::table
        .inner_join(media::table)
        .filter(message_media::message_id.eq_any(messages))
        .order((message_media::message_id, message_media::position))
        .select((message_media::message_id, MediaRow::as_select()))
        .load(conn)
        .await?;
    let mut by_message: HashMap<MessageId, Vec<MediaRow>> = HashMap::new();
    for (message_id, row) in rows {
        by_message.entry(message_id).or_default().push(row);
    }
    Ok(by_message)
}

/// The messages an item belongs to.
pub async fn messages_of(conn: &mut AsyncPgConnection, id: MediaId) -> QueryResult<Vec<MessageId>> {
    message_media::table
        .filter(message_media::media_id.eq(id))
        .select(message_media::message_id)
        // Locked in this order by `fetch::announce`, so two fetches never deadlock.
        .order(message_media::message_id)
        .load(conn)
        .await
}

/// The fields a fetch's outcome sets.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = media)]
pub struct MediaChanges {
    pub status: Option<MediaStatus>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<Option<String>>,
    pub source_url: Option<Option<String>>,
    pub error: Option<Option<String>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Changes a pending item; `None` when it is no longer pending (settled meanwhile).
pub async fn settle_pending(
    conn: &mut AsyncPgConnection,
    id: MediaId,
    changes: &MediaChanges,
) -> QueryResult<Option<MediaRow>> {
    diesel::update(
        media::table
            .filter(media::id.eq(id))
            .filter(media::status.eq(MediaStatus::Pending)),
    )
    .set(changes)
    .returning(MediaRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Serialises the writers and the remover of one content (see `media::keep_bytes` and
/// retention), for the caller's transaction.
pub async fn lock_content(conn: &mut AsyncPgConnection, sha256: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7)) IS NULL AS locked")
        .bind::<Text, _>(sha256)
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(QueryableByName)]
struct Hash {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    sha256: Option<String>,
}

/// Deletes up to `limit` items no message refers to that were created before `before`
/// (uploads never sent, and what deleted messages left); answers the hash each held.
pub async fn delete_unlinked(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Option<String>>> {
    let rows: Vec<Hash> = diesel::sql_query(
        "DELETE FROM media WHERE id IN (
             SELECT m.id FROM media m
             WHERE m.created_at < $1
               AND NOT EXISTS (SELECT 1 FROM message_media l WHERE l.media_id = m.id)
             LIMIT $2)
         RETURNING sha256",
    )
    .bind::<Timestamptz, _>(before)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|row| row.sha256).collect())
}

/// Whether any item still holds this content.
pub async fn content_in_use(conn: &mut AsyncPgConnection, sha256: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        media::table.filter(media::sha256.eq(sha256)),
    ))
    .get_result(conn)
    .await
}
