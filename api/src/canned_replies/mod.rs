//! Canned replies: a tenant's saved answers, found by a shortcut and filled in for one
//! conversation and the agent writing. The template language (and how a reply is filled in)
//! is `crate::templates`, which the SPA shares; this module keeps the records and builds what
//! a reply is filled with.

pub mod routes;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::auth::Caller;
use crate::clients::storage::ClientRow;
use crate::conversations::storage::ConversationRow;
use crate::error::ApiError;
use crate::ids::{CannedReplyId, ConversationId};
use crate::realtime::events;
use crate::state::AppState;
use crate::templates::{ContactNames, Template, TemplateContext, TemplateError};
use crate::text;
use crate::wire::{
    CannedReply, CannedReplyDeleted, CreateCannedReply, FeedPayload, Page, RenderedCannedReply,
    Tenant, UpdateCannedReply,
};
use crate::{clients, conversations, tenants};
use storage::{CannedReplyChanges, CannedReplyRow};

pub const MAX_SHORTCUT_CHARS: usize = 32;
pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_TEXT_CHARS: usize = 1600;

/// What a list's `?cursor=` holds: the last shortcut served (any case).
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{1,32}$";

#[derive(Debug, thiserror::Error)]
pub enum CannedReplyError {
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(
        "Another canned reply of this tenant already has the shortcut `{0}` (shortcuts are \
         compared regardless of case)."
    )]
    DuplicateShortcut(String),
    #[error("canned reply not found")]
    NotFound,
    #[error("conversation not found")]
    ConversationNotFound,
    #[error(transparent)]
    Database(#[from] DieselError),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<CannedReplyError> for ApiError {
    fn from(error: CannedReplyError) -> Self {
        let message = error.to_string();
        match error {
            CannedReplyError::Invalid { field, .. } => {
                ApiError::invalid("invalid_field", field, message)
            }
            CannedReplyError::Template(TemplateError::UnknownVariable { .. }) => {
                ApiError::invalid("unknown_variable", "text", message)
            }
            CannedReplyError::Template(_) => ApiError::invalid("invalid_template", "text", message),
            CannedReplyError::DuplicateShortcut(_) => {
                ApiError::conflict("duplicate_shortcut", Some("shortcut"), message)
            }
            CannedReplyError::NotFound => ApiError::not_found("canned reply"),
            CannedReplyError::ConversationNotFound => ApiError::not_found("conversation"),
            CannedReplyError::Database(error) => error.into(),
            CannedReplyError::Api(error) => error,
        }
    }
}

/// 1 to 32 ASCII letters, digits, `-` or `_`, kept as given.
fn shortcut_field(shortcut: String) -> Result<String, CannedReplyError> {
    let fits = (1..=MAX_SHORTCUT_CHARS).contains(&shortcut.len())
        && shortcut
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fits {
        return Ok(shortcut);
    }
    let message = match shortcut.strip_prefix('/') {
        Some(rest) if !rest.is_empty() => {
            format!("Write the shortcut without its leading `/`: `{rest}` is typed as `/{rest}`.")
        }
        _ => format!(
            "`shortcut` is 1 to {MAX_SHORTCUT_CHARS} letters (a–z, A–Z), digits, `-` or `_`, \
             without spaces."
        ),
    };
    Err(CannedReplyError::Invalid {
        field: "shortcut",
        message,
    })
}

/// 1 to 100 characters, not all whitespace; stored trimmed.
fn title_field(title: String) -> Result<String, CannedReplyError> {
    if text::is_blank(&title) || text::length(&title) > MAX_TITLE_CHARS {
        return Err(CannedReplyError::Invalid {
            field: "title",
            message: format!(
                "`title` has 1 to {MAX_TITLE_CHARS} characters, not all of them whitespace."
            ),
        });
    }
    Ok(title.trim().to_string())
}

/// 1 to 1600 characters, not all whitespace, and a template; stored as given.
fn text_field(reply: String) -> Result<String, CannedReplyError> {
    if text::is_blank(&reply) || text::length(&reply) > MAX_TEXT_CHARS {
        return Err(CannedReplyError::Invalid {
            field: "text",
            message: format!(
                "`text` has 1 to {MAX_TEXT_CHARS} characters, not all of them whitespace."
            ),
        });
    }
    Template::parse(&reply)?;
    Ok(reply)
}

/// The regular expression of an acceptable `text` (for the OpenAPI document).
pub fn text_pattern() -> String {
    crate::templates::pattern(&text::whitespace_class())
}

/// A validated `POST /canned-replies`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCannedReply {
    pub shortcut: String,
    pub title: String,
    pub text: String,
}

impl TryFrom<CreateCannedReply> for NewCannedReply {
    type Error = CannedReplyError;

    fn try_from(input: CreateCannedReply) -> Result<NewCannedReply, CannedReplyError> {
        Ok(NewCannedReply {
            shortcut: shortcut_field(input.shortcut)?,
            title: title_field(input.title)?,
            text: text_field(input.text)?,
        })
    }
}

/// A validated `PATCH /canned-replies/{id}`: `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CannedReplyEdit {
    pub shortcut: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
}

impl TryFrom<UpdateCannedReply> for CannedReplyEdit {
    type Error = CannedReplyError;

    fn try_from(input: UpdateCannedReply) -> Result<CannedReplyEdit, CannedReplyError> {
        Ok(CannedReplyEdit {
            shortcut: input.shortcut.map(shortcut_field).transpose()?,
            title: input.title.map(title_field).transpose()?,
            text: input.text.map(text_field).transpose()?,
        })
    }
}

/// A write that lost to the unique shortcut is the caller's duplicate.
fn unique_shortcut<T>(
    result: Result<T, DieselError>,
    shortcut: &str,
) -> Result<T, CannedReplyError> {
    match result {
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info))
            if info.constraint_name() == Some(storage::SHORTCUT_KEY) =>
        {
            Err(CannedReplyError::DuplicateShortcut(shortcut.to_string()))
        }
        other => Ok(other?),
    }
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateCannedReply,
) -> Result<CannedReply, CannedReplyError> {
    let input = NewCannedReply::try_from(input)?;
    let now = state.clock.now();
    let row = CannedReplyRow {
        id: CannedReplyId::random(),
        tenant_id: caller.tenant_id,
        shortcut: input.shortcut,
        title: input.title,
        text: input.text,
        created_by: caller.user_id(),
        created_at: now,
        updated_at: now,
    };
    let mut conn = state.db().await?;
    conn.transaction::<_, CannedReplyError, _>(async |conn| {
        let reply: CannedReply =
            unique_shortcut(storage::insert(conn, &row).await, &row.shortcut)?.into();
        announce(
            conn,
            caller,
            FeedPayload::CannedReplyCreated(reply.clone()),
            now,
        )
        .await?;
        Ok(reply)
    })
    .await
}

/// Tells every open inbox of the tenant, in the change's transaction.
async fn announce(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    payload: FeedPayload,
    now: DateTime<Utc>,
) -> Result<(), CannedReplyError> {
    events::record(conn, caller.tenant_id, payload, now).await?;
    Ok(())
}

pub async fn get(
    state: &AppState,
    caller: &Caller,
    id: CannedReplyId,
) -> Result<CannedReply, CannedReplyError> {
    let mut conn = state.db().await?;
    let row = storage::find(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or(CannedReplyError::NotFound)?;
    Ok(row.into())
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: CannedReplyId,
    input: UpdateCannedReply,
) -> Result<CannedReply, CannedReplyError> {
    let edit = CannedReplyEdit::try_from(input)?;
    let shortcut = edit.shortcut.clone().unwrap_or_default();
    let now = state.clock.now();
    let changes = CannedReplyChanges {
        shortcut: edit.shortcut,
        title: edit.title,
        text: edit.text,
        updated_at: Some(now),
    };
    let mut conn = state.db().await?;
    conn.transaction::<_, CannedReplyError, _>(async |conn| {
        let updated = storage::update(conn, caller.tenant_id, id, &changes).await;
        let reply: CannedReply = unique_shortcut(updated, &shortcut)?
            .ok_or(CannedReplyError::NotFound)?
            .into();
        announce(
            conn,
            caller,
            FeedPayload::CannedReplyUpdated(reply.clone()),
            now,
        )
        .await?;
        Ok(reply)
    })
    .await
}

pub async fn delete(
    state: &AppState,
    caller: &Caller,
    id: CannedReplyId,
) -> Result<(), CannedReplyError> {
    let now = state.clock.now();
    let mut conn = state.db().await?;
    conn.transaction::<_, CannedReplyError, _>(async |conn| {
        if !storage::delete(conn, caller.tenant_id, id).await? {
            return Err(CannedReplyError::NotFound);
        }
        let gone = FeedPayload::CannedReplyDeleted(CannedReplyDeleted { id });
        announce(conn, caller, gone, now).await
    })
    .await
}

/// The `?cursor=` of a list: a shortcut given out as `next_cursor`, or a 400 naming it.
fn after_cursor(cursor: Option<&str>) -> Result<Option<String>, ApiError> {
    cursor
        .map(|cursor| {
            let fits = (1..=MAX_SHORTCUT_CHARS).contains(&cursor.len())
                && cursor
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if fits {
                Ok(cursor.to_ascii_lowercase())
            } else {
                Err(ApiError::bad_request(
                    "invalid_cursor",
                    Some("cursor"),
                    "The `cursor` is not one this API gave out.",
                ))
            }
        })
        .transpose()
}

/// The tenant's replies in shortcut order (regardless of case); the cursor is the last
/// shortcut served.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<CannedReply>, ApiError> {
    let after = after_cursor(cursor)?;
    let mut conn = state.db().await?;
    let mut rows = storage::page(&mut conn, caller.tenant_id, after.as_deref(), limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|row| row.shortcut.to_ascii_lowercase())
    } else {
        None
    };
    Ok(Page {
        data: rows.into_iter().map(CannedReply::from).collect(),
        next_cursor,
    })
}

/// What a reply is filled with in this conversation, written by this agent (`None` for an
/// API key): the contact by the conversation's name, then its linked client's record.
pub fn context(
    conversation: &ConversationRow,
    client: Option<&ClientRow>,
    tenant: Option<&Tenant>,
    agent_name: Option<&str>,
) -> TemplateContext {
    TemplateContext {
        agent_name: agent_name.map(str::to_string),
        tenant_name: tenant.map(|tenant| tenant.name.clone()),
        ..TemplateContext::default()
    }
    .with_contact(ContactNames {
        contact_name: conversation.contact_name.as_deref(),
        client_first_name: client.and_then(|c| c.first_name.as_deref()),
        client_last_name: client.and_then(|c| c.last_name.as_deref()),
    })
}

/// The reply filled in for the conversation and the caller.
pub async fn render(
    state: &AppState,
    caller: &Caller,
    conversation_id: ConversationId,
    reply_id: CannedReplyId,
) -> Result<RenderedCannedReply, CannedReplyError> {
    let tenant_id = caller.tenant_id;
    let mut conn = state.db().await?;
    let conversation = conversations::storage::find(&mut conn, tenant_id, conversation_id)
        .await?
        .ok_or(CannedReplyError::ConversationNotFound)?;
    let reply = storage::find(&mut conn, tenant_id, reply_id)
        .await?
        .ok_or(CannedReplyError::NotFound)?;
    let client = match conversation.client_id {
        Some(client_id) => clients::storage::find(&mut conn, tenant_id, client_id).await?,
        None => None,
    };
    let tenant = tenants::storage::find(&mut conn, tenant_id).await?;
    // A person signs with their name; an API key is nobody's.
    let agent_name = caller.user_id().map(|_| caller.name.as_str());
    // Every stored text was checked when it was saved.
    let template = Template::parse(&reply.text).map_err(|error| {
        ApiError::internal(format!(
            "canned reply {reply_id} holds no template: {error}"
        ))
    })?;
    let context = context(&conversation, client.as_ref(), tenant.as_ref(), agent_name);
    Ok(RenderedCannedReply {
        text: template.render(&context),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(shortcut: &str, title: &str, text: &str) -> CreateCannedReply {
        CreateCannedReply {
            shortcut: shortcut.into(),
            title: title.into(),
            text: text.into(),
        }
    }

    fn field_of(result: Result<NewCannedReply, CannedReplyError>) -> Option<&'static str> {
        match result {
            Err(CannedReplyError::Invalid { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn a_new_reply_is_checked_field_by_field() {
        let reply =
            NewCannedReply::try_from(request("Greet_1-a", "  Greeting  ", " Hi {{agent.name}} "))
                .expect("valid");
        assert_eq!(reply.shortcut, "Greet_1-a");
        assert_eq!(reply.title, "Greeting");
        assert_eq!(reply.text, " Hi {{agent.name}} ");
        for shortcut in ["", "has space", "/greet", "café", "a.b", &"a".repeat(33)] {
            assert_eq!(
                field_of(NewCannedReply::try_from(request(shortcut, "t", "x"))),
                Some("shortcut"),
                "{shortcut:?}"
            );
        }
        assert!(NewCannedReply::try_from(request(&"a".repeat(32), "t", "x")).is_ok());
        for title in ["", "   ", &"t".repeat(101)] {
            assert_eq!(
                field_of(NewCannedReply::try_from(request("a", title, "x"))),
                Some("title")
            );
        }
        assert!(NewCannedReply::try_from(request("a", &"é".repeat(100), "x")).is_ok());
        for text in ["", " \n ", &"x".repeat(1601)] {
            assert_eq!(
                field_of(NewCannedReply::try_from(request("a", "t", text))),
                Some("text")
            );
        }
        assert!(NewCannedReply::try_from(request("a", "t", &"ü".repeat(1600))).is_ok());
    }

    #[test]
    fn a_leading_slash_is_explained() {
        let Err(error) = NewCannedReply::try_from(request("/greet", "t", "x")) else {
            panic!("accepted");
        };
        assert!(error.to_string().contains("`/greet`"), "{error}");
    }

    #[test]
    fn template_errors_are_422_on_text() {
        let error: ApiError = NewCannedReply::try_from(request("a", "t", "Hi {{contact.nmae}}"))
            .unwrap_err()
            .into();
        let body = error.body();
        assert_eq!(body.error.code, "unknown_variable");
        assert_eq!(body.error.field.as_deref(), Some("text"));
        assert!(body.error.message.contains("contact.nmae"));
        let error: ApiError = NewCannedReply::try_from(request("a", "t", "Hi {{contact.name"))
            .unwrap_err()
            .into();
        assert_eq!(error.body().error.code, "invalid_template");
    }

    #[test]
    fn an_edit_checks_only_what_it_changes() {
        assert_eq!(
            CannedReplyEdit::try_from(UpdateCannedReply::default()).unwrap(),
            CannedReplyEdit::default()
        );
        let edit = CannedReplyEdit::try_from(UpdateCannedReply {
            title: Some(" New ".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(edit.title.as_deref(), Some("New"));
        assert!(matches!(
            CannedReplyEdit::try_from(UpdateCannedReply {
                text: Some("{{tenant.nom}}".into()),
                ..Default::default()
            }),
            Err(CannedReplyError::Template(_))
        ));
    }

    #[test]
    fn cursors_are_shortcuts() {
        assert_eq!(after_cursor(None).unwrap(), None);
        assert_eq!(
            after_cursor(Some("Greet")).unwrap().as_deref(),
            Some("greet")
        );
        assert!(after_cursor(Some("")).is_err());
        assert!(after_cursor(Some("a b")).is_err());
    }
}
