//! Client records (the tenant's CRM): names, phones, companies; linked to conversations,
//! matched by phone to recognise returning customers.

pub mod routes;
pub mod storage;

use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::pagination::{page_from, Cursor};
use crate::phone::{search_term, E164};
use crate::state::AppState;
use crate::tenants;
use crate::text;
use crate::wire::{Client, CreateClient, Page, UpdateClient};
use storage::{ClientChanges, ClientRow};

pub const MAX_FIELD_CHARS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{message}")]
    Invalid {
        code: &'static str,
        field: &'static str,
        message: String,
    },
    #[error("Another client of this tenant already has the number {0}.")]
    PhoneTaken(String),
    #[error("client not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<ClientError> for ApiError {
    fn from(error: ClientError) -> Self {
        let message = error.to_string();
        match error {
            ClientError::Invalid { code, field, .. } => ApiError::invalid(code, field, message),
            ClientError::PhoneTaken(_) => {
                ApiError::conflict("phone_number_taken", Some("phone_number"), message)
            }
            ClientError::NotFound => ApiError::not_found("client"),
            ClientError::Database(error) => error.into(),
            ClientError::Api(error) => error,
        }
    }
}

/// A name, company or email: absent, or 1 to 200 characters that are not all whitespace (send
/// `null` to clear one).
fn text_field(value: Option<String>, field: &'static str) -> Result<Option<String>, ClientError> {
    let Some(value) = value else {
        return Ok(None);
    };
    if text::is_blank(&value) || text::length(&value) > MAX_FIELD_CHARS {
        return Err(ClientError::Invalid {
            code: "invalid_field",
            field,
            message: format!(
                "`{field}` has 1 to {MAX_FIELD_CHARS} characters (send null to clear it)"
            ),
        });
    }
    Ok(Some(value.trim().to_string()))
}

fn email_field(value: Option<String>) -> Result<Option<String>, ClientError> {
    let Some(email) = value else {
        return Ok(None);
    };
    if text::length(&email) > MAX_FIELD_CHARS {
        return Err(ClientError::Invalid {
            code: "invalid_field",
            field: "email",
            message: format!("`email` has at most {MAX_FIELD_CHARS} characters"),
        });
    }
    crate::users::normalize_email(&email)
        .map(Some)
        .map_err(|error| ClientError::Invalid {
            code: "invalid_field",
            field: "email",
            message: error.to_string(),
        })
}

fn phone_field(value: Option<String>, region: &str) -> Result<Option<String>, ClientError> {
    value
        .map(|text| {
            E164::parse(&text, region)
                .map(E164::into_string)
                .map_err(|error| ClientError::Invalid {
                    code: "invalid_phone_number",
                    field: "phone_number",
                    message: error.to_string(),
                })
        })
        .transpose()
}

fn unique_phone(
    result: Result<ClientRow, diesel::result::Error>,
    phone: Option<&str>,
) -> Result<ClientRow, ClientError> {
    match result {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(ClientError::PhoneTaken(
            phone.unwrap_or_default().to_string(),
        )),
        other => Ok(other?),
    }
}

async fn region(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant_id: Uuid,
) -> Result<String, ClientError> {
    Ok(tenants::storage::find(conn, tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?
        .default_region)
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateClient,
) -> Result<Client, ClientError> {
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let region = region(&mut conn, caller.tenant_id).await?;
    let row = ClientRow {
        id: Uuid::new_v4(),
        tenant_id: caller.tenant_id,
        first_name: text_field(input.first_name, "first_name")?,
        last_name: text_field(input.last_name, "last_name")?,
        phone_number: phone_field(input.phone_number, &region)?,
        company: text_field(input.company, "company")?,
        email: email_field(input.email)?,
        created_at: now,
        updated_at: now,
    };
    if row.first_name.is_none()
        && row.last_name.is_none()
        && row.company.is_none()
        && row.phone_number.is_none()
    {
        return Err(ClientError::Invalid {
            code: "invalid_field",
            field: "first_name",
            message: "give at least a name, a company or a phone number".into(),
        });
    }
    let inserted = storage::insert(&mut conn, &row).await.map(|_| row.clone());
    Ok(unique_phone(inserted, row.phone_number.as_deref())?.into())
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    input: UpdateClient,
) -> Result<Client, ClientError> {
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let region = region(&mut conn, caller.tenant_id).await?;
    storage::find(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    let changes = ClientChanges {
        first_name: input
            .first_name
            .map(|v| text_field(v, "first_name"))
            .transpose()?,
        last_name: input
            .last_name
            .map(|v| text_field(v, "last_name"))
            .transpose()?,
        phone_number: input
            .phone_number
            .map(|v| phone_field(v, &region))
            .transpose()?,
        company: input
            .company
            .map(|v| text_field(v, "company"))
            .transpose()?,
        email: input.email.map(email_field).transpose()?,
        updated_at: Some(now),
    };
    let phone = changes.phone_number.clone().flatten();
    Ok(unique_phone(
        storage::update(&mut conn, id, &changes).await,
        phone.as_deref(),
    )?
    .into())
}

pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: Option<&str>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Client>, ApiError> {
    let cursor = Cursor::from_query(cursor)?;
    let q = q.and_then(search_term);
    let mut conn = state.db().await?;
    let rows = storage::page(&mut conn, caller.tenant_id, q.as_deref(), cursor, limit + 1).await?;
    let page = page_from(rows, limit, |row| Cursor::new(row.created_at, row.id));
    Ok(Page {
        data: page.data.into_iter().map(Client::from).collect(),
        next_cursor: page.next_cursor,
    })
}
