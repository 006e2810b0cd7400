//! Client records (the tenant's CRM): names, phones, companies; linked to conversations,
//! matched by phone to recognise returning customers.

pub mod routes;
pub mod storage;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ids::{ClientId, TenantId};
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
    tenant_id: TenantId,
) -> Result<String, ClientError> {
    Ok(tenants::storage::find(conn, tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?
        .default_region)
}

/// A validated `POST /clients`. The phone number is read with the tenant's region, so it
/// is still the text sent.
#[derive(Debug, Clone, PartialEq)]
pub struct NewClient {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone_number: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
}

impl TryFrom<CreateClient> for NewClient {
    type Error = ClientError;

    fn try_from(input: CreateClient) -> Result<NewClient, ClientError> {
        let client = NewClient {
            first_name: text_field(input.first_name, "first_name")?,
            last_name: text_field(input.last_name, "last_name")?,
            phone_number: input.phone_number,
            company: text_field(input.company, "company")?,
            email: email_field(input.email)?,
        };
        if client.first_name.is_none()
            && client.last_name.is_none()
            && client.company.is_none()
            && client.phone_number.is_none()
        {
            return Err(ClientError::Invalid {
                code: "invalid_field",
                field: "first_name",
                message: "give at least a name, a company or a phone number".into(),
            });
        }
        Ok(client)
    }
}

/// A validated `PATCH /clients/{id}`: `Some(None)` clears a field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientEdit {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub phone_number: Option<Option<String>>,
    pub company: Option<Option<String>>,
    pub email: Option<Option<String>>,
}

impl TryFrom<UpdateClient> for ClientEdit {
    type Error = ClientError;

    fn try_from(input: UpdateClient) -> Result<ClientEdit, ClientError> {
        Ok(ClientEdit {
            first_name: input
                .first_name
                .map(|v| text_field(v, "first_name"))
                .transpose()?,
            last_name: input
                .last_name
                .map(|v| text_field(v, "last_name"))
                .transpose()?,
            phone_number: input.phone_number,
            company: input
                .company
                .map(|v| text_field(v, "company"))
                .transpose()?,
            email: input.email.map(email_field).transpose()?,
        })
    }
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateClient,
) -> Result<Client, ClientError> {
    let input = NewClient::try_from(input)?;
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let region = region(&mut conn, caller.tenant_id).await?;
    let row = ClientRow {
        id: ClientId::random(),
        tenant_id: caller.tenant_id,
        first_name: input.first_name,
        last_name: input.last_name,
        phone_number: phone_field(input.phone_number, &region)?,
        company: input.company,
        email: input.email,
        created_at: now,
        updated_at: now,
    };
    let inserted = storage::insert(&mut conn, &row).await.map(|_| row.clone());
    Ok(unique_phone(inserted, row.phone_number.as_deref())?.into())
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: ClientId,
    input: UpdateClient,
) -> Result<Client, ClientError> {
    let edit = ClientEdit::try_from(input)?;
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let region = region(&mut conn, caller.tenant_id).await?;
    storage::find(&mut conn, caller.tenant_id, id)
        .await?
        .ok_or(ClientError::NotFound)?;
    let changes = ClientChanges {
        first_name: edit.first_name,
        last_name: edit.last_name,
        phone_number: edit
            .phone_number
            .map(|v| phone_field(v, &region))
            .transpose()?,
        company: edit.company,
        email: edit.email,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> CreateClient {
        CreateClient {
            first_name: None,
            last_name: None,
            phone_number: None,
            company: None,
            email: None,
        }
    }

    #[test]
    fn a_new_client_needs_a_name_a_company_or_a_phone() {
        assert!(matches!(
            NewClient::try_from(request()),
            Err(ClientError::Invalid {
                field: "first_name",
                ..
            })
        ));
        let company = NewClient::try_from(CreateClient {
            company: Some("  Acme  ".into()),
            email: Some("Ann@Example.com".into()),
            ..request()
        })
        .unwrap();
        assert_eq!(company.company.as_deref(), Some("Acme"));
        assert_eq!(company.email.as_deref(), Some("Ann@Example.com"));
    }

    #[test]
    fn an_edit_rejects_a_blank_name_and_clears_with_null() {
        let blank = UpdateClient {
            first_name: Some(Some("   ".into())),
            ..Default::default()
        };
        assert!(matches!(
            ClientEdit::try_from(blank),
            Err(ClientError::Invalid {
                field: "first_name",
                ..
            })
        ));
        let clear = UpdateClient {
            company: Some(None),
            ..Default::default()
        };
        assert_eq!(ClientEdit::try_from(clear).unwrap().company, Some(None));
    }
}
