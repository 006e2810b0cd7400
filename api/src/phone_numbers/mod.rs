//! The tenant's Telnyx numbers: what it sends from, and how inbound messages find it.

pub mod routes;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use crate::error::ApiError;
use crate::ids::{PhoneNumberId, TenantId};
use crate::phone::E164;
use crate::wire::PhoneNumber;

#[derive(Debug, thiserror::Error)]
pub enum PhoneNumberError {
    #[error("{0}")]
    InvalidNumber(String),
    #[error("{0}")]
    InvalidProfile(String),
    #[error("the number {0} is already registered")]
    Taken(String),
    #[error("phone number not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

impl From<PhoneNumberError> for ApiError {
    fn from(error: PhoneNumberError) -> Self {
        match error {
            PhoneNumberError::InvalidNumber(message) => {
                ApiError::invalid("invalid_phone_number", "number", message)
            }
            PhoneNumberError::InvalidProfile(message) => {
                ApiError::invalid("invalid_field", "messaging_profile_id", message)
            }
            PhoneNumberError::Taken(_) => {
                ApiError::conflict("phone_number_taken", Some("number"), error.to_string())
            }
            PhoneNumberError::NotFound => ApiError::not_found("phone number"),
            PhoneNumberError::Database(error) => error.into(),
        }
    }
}

pub const MAX_PROFILE_ID_CHARS: usize = 100;

/// The number a message to a customer leaves from: the conversation's own number while the
/// tenant still owns it (the customer knows it), else the tenant's default (its first
/// registered number). Never a number outside the tenant: a number deleted and registered
/// by another tenant would route the customer's reply to that tenant. `None` when the
/// tenant has no number at all.
pub async fn sending_number(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    conversation_number: &str,
) -> diesel::QueryResult<Option<PhoneNumber>> {
    storage::preferred_of_tenant(conn, tenant_id, conversation_number).await
}

pub async fn add(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    number: &str,
    messaging_profile_id: Option<String>,
    now: DateTime<Utc>,
) -> Result<PhoneNumber, PhoneNumberError> {
    // Telnyx numbers are always given in E.164.
    let number = E164::parse_e164(number)
        .map_err(|error| PhoneNumberError::InvalidNumber(error.to_string()))?;
    if messaging_profile_id
        .as_deref()
        .is_some_and(|id| crate::text::length(id) > MAX_PROFILE_ID_CHARS)
    {
        return Err(PhoneNumberError::InvalidProfile(format!(
            "a messaging profile id has at most {MAX_PROFILE_ID_CHARS} characters"
        )));
    }
    let messaging_profile_id = messaging_profile_id
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty());
    let phone_number = PhoneNumber {
        id: PhoneNumberId::random(),
        tenant_id,
        number: number.into_string(),
        messaging_profile_id,
        created_at: now,
    };
    match storage::insert(conn, &phone_number).await {
        Ok(()) => Ok(phone_number),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(PhoneNumberError::Taken(phone_number.number)),
        Err(error) => Err(error.into()),
    }
}
