//! Internal notes in a conversation's timeline: written by the team for the team, never
//! sent by SMS, allowed whatever the customer's opt-out says.

pub mod routes;
pub mod storage;

use diesel_async::AsyncConnection;

use crate::auth::Caller;
use crate::conversations::storage as conversation_storage;
use crate::error::ApiError;
use crate::ids::{ConversationId, NoteId};
use crate::pagination::{page_from, Cursor};
use crate::realtime::events;
use crate::state::AppState;
use crate::wire::{FeedPayload, Note, Page};

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 5000;

#[derive(Debug, thiserror::Error)]
pub enum NoteError {
    #[error("{0}")]
    InvalidText(String),
    #[error("conversation not found")]
    ConversationNotFound,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<NoteError> for ApiError {
    fn from(error: NoteError) -> Self {
        match error {
            NoteError::InvalidText(message) => ApiError::invalid("invalid_field", "text", message),
            NoteError::ConversationNotFound => ApiError::not_found("conversation"),
            NoteError::Database(error) => error.into(),
            NoteError::Api(error) => error,
        }
    }
}

/// A note's text as written, checked: not blank, at most [`MAX_NOTE_CHARS`].
#[derive(Debug, Clone, PartialEq)]
pub struct NoteText(String);

impl TryFrom<String> for NoteText {
    type Error = NoteError;

    fn try_from(text: String) -> Result<NoteText, NoteError> {
        if crate::text::is_blank(&text) {
            return Err(NoteError::InvalidText("a note needs some text".into()));
        }
        if crate::text::length(&text) > MAX_NOTE_CHARS {
            return Err(NoteError::InvalidText(format!(
                "a note has at most {MAX_NOTE_CHARS} characters"
            )));
        }
        Ok(NoteText(text.trim().to_string()))
    }
}

/// Adds a note to the conversation, signed by the caller, and tells every open inbox.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    conversation_id: ConversationId,
    text: NoteText,
) -> Result<Note, NoteError> {
    let now = state.clock.now();
    let mut conn = state.db().await?;
    conn.transaction::<_, NoteError, _>(async |conn| {
        conversation_storage::find(conn, caller.tenant_id, conversation_id)
            .await?
            .ok_or(NoteError::ConversationNotFound)?;
        let note = Note {
            id: NoteId::random(),
            conversation_id,
            author_user_id: caller.user_id(),
            author_name: Some(caller.name.clone()),
            text: text.0,
            created_at: now,
        };
        storage::insert(conn, caller.tenant_id, &note).await?;
        events::record(
            conn,
            caller.tenant_id,
            FeedPayload::NoteCreated(note.clone()),
            now,
        )
        .await?;
        Ok(note)
    })
    .await
}

/// The conversation's notes, oldest first (as they sit in the timeline).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    conversation_id: ConversationId,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page<Note>, NoteError> {
    let mut conn = state.db().await?;
    conversation_storage::find(&mut conn, caller.tenant_id, conversation_id)
        .await?
        .ok_or(NoteError::ConversationNotFound)?;
    let rows = storage::page(
        &mut conn,
        caller.tenant_id,
        conversation_id,
        after.as_ref(),
        limit + 1,
    )
    .await?;
    Ok(page_from(rows, limit, |note| {
        Cursor::new(note.created_at, note.id)
    }))
}
