//! Conversations: reading and updating one, its AI guide, the inbox list; starting one
//! (`start`), an agent writing in one (`send`), resumption and status changes (`lifecycle`),
//! the CSV export (`export`).

pub mod export;
pub mod lifecycle;
pub mod list;
pub mod routes;
pub mod send;
pub mod start;
pub mod storage;
pub mod team;

use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ids::{AssistantId, ClientId, ConversationId, UserId};
use crate::messages::SendError;
use crate::realtime::events;
use crate::state::AppState;
use crate::wire::FeedPayload;
use crate::wire::{
    Channel, Conversation, ConversationStatus, Guide, Identity, Page, QualificationStatus,
    UpdateConversation,
};
use crate::{assistants, clients, opt_outs};
use storage::{ConversationChanges, ConversationRow};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_GUIDE_CHARS: usize = 4000;

#[derive(Debug, thiserror::Error)]
pub enum ConversationError {
    #[error("{0}")]
    InvalidPhone(String),
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("conversation not found")]
    NotFound,
    #[error(transparent)]
    Send(#[from] SendError),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<ConversationError> for ApiError {
    fn from(error: ConversationError) -> Self {
        let message = error.to_string();
        match error {
            ConversationError::InvalidPhone(_) => {
                ApiError::invalid("invalid_phone_number", "phone_number", message)
            }
            ConversationError::Invalid { field, .. } => {
                ApiError::invalid("invalid_field", field, message)
            }
            ConversationError::NotFound => ApiError::not_found("conversation"),
            ConversationError::Send(error) => error.into(),
            ConversationError::Database(error) => error.into(),
            ConversationError::Api(error) => error,
        }
    }
}

/// Trims an optional name-like field; blank means absent.
fn optional_text(
    value: Option<String>,
    field: &'static str,
) -> Result<Option<String>, ConversationError> {
    if value
        .as_deref()
        .is_some_and(|text| crate::text::length(text) > MAX_NAME_CHARS)
    {
        return Err(ConversationError::Invalid {
            field,
            message: format!("`{field}` has at most {MAX_NAME_CHARS} characters"),
        });
    }
    Ok(value
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty()))
}

/// Whether the tenant's customer has opted out (shown on every conversation).
pub async fn opted_out(
    conn: &mut AsyncPgConnection,
    row: &ConversationRow,
) -> Result<bool, diesel::result::Error> {
    opt_outs::storage::is_opted_out(conn, row.tenant_id, &row.phone_number).await
}

pub async fn to_wire(
    conn: &mut AsyncPgConnection,
    row: ConversationRow,
) -> Result<Conversation, diesel::result::Error> {
    let opted_out = opted_out(conn, &row).await?;
    Ok(row.into_wire(opted_out))
}

pub async fn get(
    state: &AppState,
    caller: &Caller,
    id: ConversationId,
) -> Result<Conversation, ConversationError> {
    let mut conn = state.db().await?;
    let row = storage::find(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or(ConversationError::NotFound)?;
    let mut wire = to_wire(&mut conn, row).await?;
    team::personal_unread(&mut conn, caller, std::slice::from_mut(&mut wire)).await?;
    Ok(wire)
}

/// A validated `PATCH /conversations/{id}`: names trimmed (blank clears), `Some(None)` clears.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationEdit {
    pub contact_name: Option<Option<String>>,
    pub company: Option<Option<String>>,
    pub status: Option<ConversationStatus>,
    pub qualification_status: Option<QualificationStatus>,
    pub assistant_id: Option<Option<AssistantId>>,
    pub ai_enabled: Option<bool>,
    pub client_id: Option<Option<ClientId>>,
    pub assignee_id: Option<Option<UserId>>,
    /// `false`: a person settled the handoff; `true`: a person flags it for someone else.
    pub needs_human: Option<bool>,
}

impl TryFrom<UpdateConversation> for ConversationEdit {
    type Error = ConversationError;

    fn try_from(input: UpdateConversation) -> Result<ConversationEdit, ConversationError> {
        Ok(ConversationEdit {
            contact_name: input
                .contact_name
                .map(|value| optional_text(value, "contact_name"))
                .transpose()?,
            company: input
                .company
                .map(|value| optional_text(value, "company"))
                .transpose()?,
            status: input.status,
            qualification_status: input.qualification_status,
            assistant_id: input.assistant_id,
            ai_enabled: input.ai_enabled,
            client_id: input.client_id,
            assignee_id: input.assignee_id,
            needs_human: input.needs_human,
        })
    }
}

/// Applies a PATCH: each field validated, references checked within the tenant.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: ConversationId,
    input: UpdateConversation,
) -> Result<Conversation, ConversationError> {
    let input = ConversationEdit::try_from(input)?;
    let tenant_id = caller.tenant_id;
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let changes = ConversationChanges {
        contact_name: input.contact_name,
        company: input.company,
        status: input.status,
        qualification_status: input.qualification_status,
        assistant_id: input.assistant_id,
        ai_enabled: input.ai_enabled,
        // Turning the AI on (again) ends a pause after a human reply.
        ai_paused_until: (input.ai_enabled == Some(true)).then_some(None),
        client_id: input.client_id,
        assignee_id: input.assignee_id,
        updated_at: Some(now),
        ..match input.needs_human {
            Some(false) => team::handoff_settled(),
            Some(true) => team::flagged_by(&caller.name),
            None => ConversationChanges::default(),
        }
    };
    if let Some(Some(assignee)) = input.assignee_id {
        team::check_assignee(&mut conn, tenant_id, assignee)
            .await
            .map_err(|error| match error {
                team::AssigneeError::NotInTenant => ConversationError::Invalid {
                    field: "assignee_id",
                    message: error.to_string(),
                },
                team::AssigneeError::Database(error) => error.into(),
            })?;
    }
    if let Some(Some(assistant_id)) = changes.assistant_id {
        if assistants::storage::find(&mut conn, tenant_id, assistant_id)
            .await?
            .is_none()
        {
            // A reference to an assistant that is not there (or another tenant's) is a 404.
            return Err(ApiError::not_found("assistant").into());
        }
    }
    let mut changes = changes;
    if let Some(client_id) = changes.client_id {
        match client_id {
            Some(client_id) => {
                if clients::storage::find(&mut conn, tenant_id, client_id)
                    .await?
                    .is_none()
                {
                    return Err(ApiError::not_found("client").into());
                }
                // An agent linking the record vouches for the identity.
                changes.identity = Some(Identity::Verified);
            }
            None => changes.identity = Some(Identity::Unknown),
        }
    }
    let row = conn
        .transaction::<_, ConversationError, _>(async |conn| {
            storage::find_for_update(conn, tenant_id, id)
                .await?
                .ok_or(ConversationError::NotFound)?;
            let row = match storage::update(conn, id, &changes).await {
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => {
                    return Err(SendError::AnotherActive.into());
                }
                other => other?,
            };
            let wire = to_wire(conn, row.clone()).await?;
            events::record(
                conn,
                tenant_id,
                FeedPayload::ConversationUpdated(wire.clone()),
                now,
            )
            .await?;
            Ok(row)
        })
        .await?;
    let mut wire = to_wire(&mut conn, row).await?;
    team::personal_unread(&mut conn, caller, std::slice::from_mut(&mut wire)).await?;
    Ok(wire)
}

pub async fn guide(
    state: &AppState,
    caller: &Caller,
    id: ConversationId,
) -> Result<Guide, ConversationError> {
    let mut conn = state.db().await?;
    storage::find(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or(ConversationError::NotFound)?;
    // No guide is an empty one: the guide is part of the conversation, never missing.
    Ok(storage::find_guide(&mut conn, caller.tenant_id, id)
        .await?
        .unwrap_or(Guide {
            conversation_id: id,
            text: String::new(),
            updated_at: None,
        }))
}

pub async fn put_guide(
    state: &AppState,
    caller: &Caller,
    id: ConversationId,
    text: String,
) -> Result<Guide, ConversationError> {
    if crate::text::is_blank(&text) {
        return Err(ConversationError::Invalid {
            field: "text",
            message: "the guide is empty; DELETE the guide to remove it".into(),
        });
    }
    if crate::text::length(&text) > MAX_GUIDE_CHARS {
        return Err(ConversationError::Invalid {
            field: "text",
            message: format!("a guide has at most {MAX_GUIDE_CHARS} characters"),
        });
    }
    let text = text.trim().to_string();
    let now = state.clock.now();
    let mut conn = state.db().await?;
    storage::find(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or(ConversationError::NotFound)?;
    storage::upsert_guide(
        &mut conn,
        caller.tenant_id,
        id,
        &text,
        caller.user_id(),
        now,
    )
    .await?;
    Ok(Guide {
        conversation_id: id,
        text,
        updated_at: Some(now),
    })
}

pub async fn delete_guide(
    state: &AppState,
    caller: &Caller,
    id: ConversationId,
) -> Result<(), ConversationError> {
    let mut conn = state.db().await?;
    storage::find(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or(ConversationError::NotFound)?;
    storage::delete_guide(&mut conn, caller.tenant_id, id).await?;
    Ok(())
}

/// `GET /conversations` query parameters, as strings so that each error names its field.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Phone digits in any format (partial), contact name or company (case-insensitive, partial).
    pub q: Option<String>,
    /// Last activity at or after: RFC 3339, or a date (from its start).
    pub from: Option<String>,
    /// Last activity at or before: RFC 3339, or a date (to its end).
    pub to: Option<String>,
    /// `new`, `contacted`, `qualified`, `unqualified`, `customer` or `lost`.
    pub qualification_status: Option<String>,
    /// `sms`.
    pub channel: Option<String>,
    /// `active` or `closed`.
    pub status: Option<String>,
    /// `me`, `unassigned`, or a user's id (empty: any).
    #[param(
        pattern = "^(|me|unassigned|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
    )]
    pub assignee: Option<String>,
    /// `true`: only conversations the AI handed to a person; `false`: the others.
    pub needs_human: Option<bool>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// `GET /conversations/export.csv` query parameters: the list's filters, without paging.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Phone digits in any format (partial), contact name or company (case-insensitive, partial).
    pub q: Option<String>,
    /// Last activity at or after: RFC 3339, or a date (from its start).
    pub from: Option<String>,
    /// Last activity at or before: RFC 3339, or a date (to its end).
    pub to: Option<String>,
    /// `new`, `contacted`, `qualified`, `unqualified`, `customer` or `lost`.
    pub qualification_status: Option<String>,
    /// `sms`.
    pub channel: Option<String>,
    /// `active` or `closed`.
    pub status: Option<String>,
    /// `me`, `unassigned`, or a user's id (empty: any).
    #[param(
        pattern = "^(|me|unassigned|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
    )]
    pub assignee: Option<String>,
    /// `true`: only conversations the AI handed to a person; `false`: the others.
    pub needs_human: Option<bool>,
}

impl ExportQuery {
    pub fn filters(&self, caller: &Caller) -> Result<list::Filters, ApiError> {
        ListQuery {
            q: self.q.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            qualification_status: self.qualification_status.clone(),
            channel: self.channel.clone(),
            status: self.status.clone(),
            assignee: self.assignee.clone(),
            needs_human: self.needs_human,
            limit: None,
            cursor: None,
        }
        .filters(caller)
    }
}

/// Reads `assignee`: `me` (a signed-in user), `unassigned`, or a user's id.
fn parse_assignee(
    value: Option<&str>,
    caller: &Caller,
) -> Result<Option<list::Assignee>, ApiError> {
    let invalid = |message: &str| {
        ApiError::bad_request("invalid_query", Some("assignee"), message.to_string())
    };
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some("unassigned") => Ok(Some(list::Assignee::Unassigned)),
        Some("me") => caller
            .user_id()
            .map(|id| Some(list::Assignee::User(id)))
            .ok_or_else(|| {
                invalid("`assignee=me` needs a signed-in user; an API key names the user by id.")
            }),
        Some(text) => text
            .parse::<UserId>()
            .map(|id| Some(list::Assignee::User(id)))
            .map_err(|_| invalid("`assignee` is `me`, `unassigned` or a user's id.")),
    }
}

fn parse_choice<T: Copy>(
    value: Option<&str>,
    field: &'static str,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<Option<T>, ApiError> {
    match value {
        None => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| {
            let choices: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            ApiError::bad_request(
                "invalid_query",
                Some(field),
                format!("`{field}` must be one of: {}.", choices.join(", ")),
            )
        }),
    }
}

impl ListQuery {
    pub fn filters(&self, caller: &Caller) -> Result<list::Filters, ApiError> {
        Ok(list::Filters {
            assignee: parse_assignee(self.assignee.as_deref(), caller)?,
            needs_human: self.needs_human,
            from: self
                .from
                .as_deref()
                .map(|t| list::parse_bound(t, "from", false))
                .transpose()?,
            to: self
                .to
                .as_deref()
                .map(|t| list::parse_bound(t, "to", true))
                .transpose()?,
            qualification_status: parse_choice(
                self.qualification_status.as_deref(),
                "qualification_status",
                QualificationStatus::parse,
                QualificationStatus::ALL,
                QualificationStatus::as_str,
            )?,
            channel: parse_choice(
                self.channel.as_deref(),
                "channel",
                Channel::parse,
                Channel::ALL,
                Channel::as_str,
            )?,
            status: parse_choice(
                self.status.as_deref(),
                "status",
                ConversationStatus::parse,
                ConversationStatus::ALL,
                ConversationStatus::as_str,
            )?,
            ..Default::default()
        }
        .search(crate::extract::text_param(self.q.as_deref(), "q")?))
    }
}

/// A page of the inbox, newest activity first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
    limit: i64,
) -> Result<Page<Conversation>, ApiError> {
    let filters = query.filters(caller)?;
    let cursor = match query.cursor.as_deref() {
        None => None,
        Some(text) => Some(list::Cursor::decode(text).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_cursor",
                Some("cursor"),
                "The cursor is not one this API gave out.",
            )
        })?),
    };
    let mut conn = state.db().await?;
    let (rows, next) = list::page(
        &mut conn,
        caller.tenant_id,
        &filters,
        cursor.as_ref(),
        state.clock.now(),
        limit,
    )
    .await?;
    let mut data: Vec<Conversation> = rows
        .into_iter()
        .map(|row| row.conversation.into_wire(row.opted_out))
        .collect();
    team::personal_unread(&mut conn, caller, &mut data).await?;
    Ok(Page {
        data,
        next_cursor: next.map(|cursor| cursor.encode()),
    })
}

/// Marks everything in the conversation as read for the caller: a user's own read marker
/// moves (other people's unread counts stay theirs), and the team's count, which API keys
/// see, drops to zero.
pub async fn mark_read(
    state: &AppState,
    caller: &Caller,
    id: ConversationId,
) -> Result<Conversation, ConversationError> {
    let tenant_id = caller.tenant_id;
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let mut wire = conn
        .transaction::<_, ConversationError, _>(async |conn| {
            let row = storage::find_for_update(conn, tenant_id, id)
                .await?
                .ok_or(ConversationError::NotFound)?;
            if let Some(user) = caller.user_id() {
                storage::mark_read_by(conn, tenant_id, id, user, now).await?;
            }
            if row.unread_count == 0 {
                return Ok(to_wire(conn, row).await?);
            }
            let changes = ConversationChanges {
                last_read_at: Some(Some(now)),
                unread_count: Some(0),
                ..Default::default()
            };
            let row = storage::update(conn, id, &changes).await?;
            Ok(to_wire(conn, row).await?)
        })
        .await?;
    // Read up to now: nothing is unread for the caller (a person, or the team for a key).
    wire.unread_count = 0;
    Ok(wire)
}
