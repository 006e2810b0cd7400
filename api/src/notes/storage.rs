use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::notes;
use crate::ids::{ConversationId, NoteId, TenantId, UserId};
use crate::pagination::Cursor;
use crate::wire::Note;

#[derive(Queryable, Selectable)]
#[diesel(table_name = notes)]
struct NoteRow {
    id: NoteId,
    conversation_id: ConversationId,
    author_user_id: Option<UserId>,
    author_name: Option<String>,
    text: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<NoteRow> for Note {
    fn from(row: NoteRow) -> Self {
        Note {
            id: row.id,
            conversation_id: row.conversation_id,
            author_user_id: row.author_user_id,
            author_name: row.author_name,
            text: row.text,
            created_at: row.created_at,
        }
    }
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    note: &Note,
) -> QueryResult<()> {
    diesel::insert_into(notes::table)
        .values((
            notes::id.eq(note.id),
            notes::tenant_id.eq(tenant_id),
            notes::conversation_id.eq(note.conversation_id),
            notes::author_user_id.eq(note.author_user_id),
            notes::author_name.eq(&note.author_name),
            notes::text.eq(&note.text),
            notes::created_at.eq(note.created_at),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Up to `fetch` notes of the conversation after `after`, oldest first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_id: ConversationId,
    after: Option<&Cursor>,
    fetch: i64,
) -> QueryResult<Vec<Note>> {
    let mut query = notes::table
        .filter(notes::tenant_id.eq(tenant_id))
        .filter(notes::conversation_id.eq(conversation_id))
        .order((notes::created_at, notes::id))
        .limit(fetch)
        .select(NoteRow::as_select())
        .into_boxed();
    if let Some(cursor) = after {
        let id = NoteId::from(cursor.id);
        query = query.filter(
            notes::created_at
                .gt(cursor.at)
                .or(notes::created_at.eq(cursor.at).and(notes::id.gt(id))),
        );
    }
    query
        .load(conn)
        .await
        .map(|rows| rows.into_iter().map(Note::from).collect())
}
