//! Conversations: starting one (format the number, reuse the customer's active conversation
//! or create one, send the first message, assign the default assistant), reading and
//! updating one, and its AI guide.

pub mod export;
pub mod lifecycle;
pub mod list;
pub mod routes;
pub mod send;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::messages::{self, Outbound, SendError};
use crate::phone::E164;
use crate::realtime::events::{self, EventType};
use crate::state::AppState;
use crate::wire::{
    Author, Channel, Conversation, ConversationStatus, Guide, Identity, Message, Page,
    QualificationStatus, StartConversation, StartedConversation, UpdateConversation,
};
use crate::{assistants, clients, opt_outs, phone_numbers, tenants};
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
    #[error(
        "The tenant has no Telnyx number to send from; an admin adds one under phone numbers."
    )]
    NoPhoneNumber,
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
            ConversationError::NoPhoneNumber => {
                ApiError::conflict("no_sending_number", None, message)
            }
            ConversationError::NotFound => ApiError::not_found("conversation"),
            ConversationError::Send(SendError::EmptyText { .. }) => {
                ApiError::invalid("empty_message", "message", message)
            }
            ConversationError::Send(SendError::TooLong { .. }) => {
                ApiError::invalid("message_too_long", "message", message)
            }
            ConversationError::Send(SendError::OptedOut(_)) => {
                ApiError::conflict("opted_out", Some("phone_number"), message)
            }
            ConversationError::Send(other) => other.into(),
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

/// Starts (or resumes) a conversation with a first outbound message.
pub async fn start(
    state: &AppState,
    caller: &Caller,
    input: StartConversation,
) -> Result<StartedConversation, ConversationError> {
    let tenant_id = caller.tenant_id;
    let mut conn = state.db().await?;
    let tenant = tenants::storage::find(&mut conn, tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let phone = E164::parse(&input.phone_number, &tenant.default_region)
        .map_err(|error| ConversationError::InvalidPhone(error.to_string()))?;
    let contact_name = optional_text(input.contact_name, "contact_name")?;
    let company = optional_text(input.company, "company")?;
    messages::validate_text(&input.message, "message")?;
    let from = phone_numbers::sending_number(&mut conn, tenant_id, "")
        .await?
        .ok_or(ConversationError::NoPhoneNumber)?;
    let now = state.clock.now();
    let author_user_id = caller.user_id();
    // A concurrent start for the same customer may win the unique index: then resume it.
    let mut attempt = 0;
    let started = loop {
        attempt += 1;
        let result = conn
            .transaction::<_, ConversationError, _>(async |conn| {
                let (conversation, resumed) =
                    match storage::find_active_for_update(conn, tenant_id, phone.as_str()).await? {
                        Some(existing) => {
                            let changes = ConversationChanges {
                                contact_name: contact_name.clone().map(Some),
                                company: company.clone().map(Some),
                                updated_at: Some(now),
                                ..Default::default()
                            };
                            (storage::update(conn, existing.id, &changes).await?, true)
                        }
                        None => {
                            let row = new_conversation(
                                conn,
                                tenant_id,
                                &phone,
                                &from.number,
                                contact_name.clone(),
                                company.clone(),
                                now,
                            )
                            .await?;
                            storage::insert(conn, &row).await?;
                            (row, false)
                        }
                    };
                let (message, conversation) = messages::queue_outbound(
                    conn,
                    Outbound {
                        conversation: &conversation,
                        text: &input.message,
                        author: Author::Agent,
                        author_user_id,
                        ai_provider: None,
                    },
                    now,
                )
                .await?;
                let wire = conversation.into_wire(false);
                let event = if resumed {
                    EventType::ConversationUpdated
                } else {
                    EventType::ConversationCreated
                };
                events::record(conn, tenant_id, event, &wire, now).await?;
                Ok(StartedConversation {
                    conversation: wire,
                    message: Message::from(message),
                    resumed,
                })
            })
            .await;
        match result {
            Err(ConversationError::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ))) if attempt < 3 => continue,
            other => break other?,
        }
    };
    state.jobs_wake.notify_one();
    Ok(started)
}

/// A new conversation row: the default SMS assistant, and a link to the customer's previous
/// conversation when there is one.
pub async fn new_conversation(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    phone: &E164,
    tenant_number: &str,
    contact_name: Option<String>,
    company: Option<String>,
    now: DateTime<Utc>,
) -> Result<ConversationRow, diesel::result::Error> {
    let previous = storage::latest_for_phone(conn, tenant_id, phone.as_str()).await?;
    let assistant = assistants::storage::find_default(conn, tenant_id).await?;
    let client = clients::storage::find_by_phone(conn, tenant_id, phone.as_str()).await?;
    Ok(ConversationRow {
        id: Uuid::new_v4(),
        tenant_id,
        phone_number: phone.to_string(),
        tenant_phone_number: previous
            .as_ref()
            .map(|p| p.tenant_phone_number.clone())
            .unwrap_or_else(|| tenant_number.to_string()),
        // What the agent typed wins; otherwise what we knew from last time.
        contact_name: contact_name
            .or_else(|| previous.as_ref().and_then(|p| p.contact_name.clone())),
        company: company
            .or_else(|| previous.as_ref().and_then(|p| p.company.clone()))
            .or_else(|| client.as_ref().and_then(|c| c.company.clone())),
        client_id: previous.as_ref().and_then(|p| p.client_id),
        assistant_id: assistant.map(|a| a.id),
        status: ConversationStatus::Active.as_str().into(),
        qualification_status: previous
            .as_ref()
            .map(|p| p.qualification_status.clone())
            .unwrap_or_else(|| QualificationStatus::New.as_str().into()),
        channel: "sms".into(),
        ai_enabled: true,
        identity: previous
            .as_ref()
            .filter(|p| p.client_id.is_some())
            .map(|p| p.identity.clone())
            .unwrap_or_else(|| Identity::Unknown.as_str().into()),
        last_message_at: None,
        last_message_preview: None,
        last_read_at: None,
        unread_count: 0,
        previous_conversation_id: previous.map(|p| p.id),
        created_at: now,
        updated_at: now,
        ai_paused_until: None,
        ai_error: None,
        ai_error_at: None,
        name_requests: 0,
    })
}

pub async fn get(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Conversation, ConversationError> {
    let mut conn = state.db().await?;
    let row = storage::find(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or(ConversationError::NotFound)?;
    Ok(to_wire(&mut conn, row).await?)
}

/// Applies a PATCH: each field validated, references checked within the tenant.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    input: UpdateConversation,
) -> Result<Conversation, ConversationError> {
    let tenant_id = caller.tenant_id;
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let changes = ConversationChanges {
        contact_name: match input.contact_name {
            Some(value) => Some(optional_text(value, "contact_name")?),
            None => None,
        },
        company: match input.company {
            Some(value) => Some(optional_text(value, "company")?),
            None => None,
        },
        status: input.status.map(|status| status.as_str().to_string()),
        qualification_status: input.qualification_status.map(|q| q.as_str().to_string()),
        assistant_id: input.assistant_id,
        ai_enabled: input.ai_enabled,
        // Turning the AI on (again) ends a pause after a human reply.
        ai_paused_until: (input.ai_enabled == Some(true)).then_some(None),
        client_id: input.client_id,
        updated_at: Some(now),
        ..Default::default()
    };
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
                changes.identity = Some(Identity::Verified.as_str().into());
            }
            None => changes.identity = Some(Identity::Unknown.as_str().into()),
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
            events::record(conn, tenant_id, EventType::ConversationUpdated, &wire, now).await?;
            Ok(row)
        })
        .await?;
    Ok(to_wire(&mut conn, row).await?)
}

pub async fn guide(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Guide, ConversationError> {
    let mut conn = state.db().await?;
    storage::find(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or(ConversationError::NotFound)?;
    storage::find_guide(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("guide").into())
}

pub async fn put_guide(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
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
        updated_at: now,
    })
}

pub async fn delete_guide(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
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
}

impl ExportQuery {
    pub fn filters(&self) -> Result<list::Filters, ApiError> {
        ListQuery {
            q: self.q.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            qualification_status: self.qualification_status.clone(),
            channel: self.channel.clone(),
            status: self.status.clone(),
            limit: None,
            cursor: None,
        }
        .filters()
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
    pub fn filters(&self) -> Result<list::Filters, ApiError> {
        Ok(list::Filters {
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
    let filters = query.filters()?;
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
    Ok(Page {
        data: rows
            .into_iter()
            .map(|row| row.conversation.into_wire(row.opted_out))
            .collect(),
        next_cursor: next.map(|cursor| cursor.encode()),
    })
}

/// Marks everything in the conversation as read for the tenant's agents.
pub async fn mark_read(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Conversation, ConversationError> {
    let tenant_id = caller.tenant_id;
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let wire = conn
        .transaction::<_, ConversationError, _>(async |conn| {
            let row = storage::find_for_update(conn, tenant_id, id)
                .await?
                .ok_or(ConversationError::NotFound)?;
            if row.unread_count == 0 {
                return Ok(to_wire(conn, row).await?);
            }
            let changes = ConversationChanges {
                last_read_at: Some(Some(now)),
                unread_count: Some(0),
                ..Default::default()
            };
            let row = storage::update(conn, id, &changes).await?;
            let wire = to_wire(conn, row).await?;
            events::record(conn, tenant_id, EventType::ConversationUpdated, &wire, now).await?;
            Ok(wire)
        })
        .await?;
    Ok(wire)
}
