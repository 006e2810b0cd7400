//! The tenant's Telnyx numbers: what it sends from, and how inbound messages find it.

pub mod routes;
pub mod routing;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use crate::error::ApiError;
use crate::ids::{PhoneNumberId, TenantId};
use crate::phone::E164;
use crate::wire::{CreatePhoneNumber, NumberType, PhoneNumber};

#[derive(Debug, thiserror::Error)]
pub enum PhoneNumberError {
    #[error("{0}")]
    InvalidNumber(String),
    #[error("{0}")]
    InvalidProfile(String),
    #[error(
        "messages_per_second is a rate between {} and {} messages a second",
        MIN_MESSAGES_PER_SECOND,
        MAX_MESSAGES_PER_SECOND
    )]
    InvalidRate,
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
            PhoneNumberError::InvalidRate => {
                ApiError::invalid("invalid_field", "messages_per_second", error.to_string())
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

pub const MIN_MESSAGES_PER_SECOND: f64 = 0.01;
pub const MAX_MESSAGES_PER_SECOND: f64 = 10_000.0;

/// A validated `POST /phone-numbers`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPhoneNumber {
    pub number: E164,
    pub messaging_profile_id: Option<String>,
    pub number_type: NumberType,
    /// `None`: the type's default.
    pub messages_per_second: Option<f64>,
}

impl TryFrom<CreatePhoneNumber> for NewPhoneNumber {
    type Error = PhoneNumberError;

    fn try_from(input: CreatePhoneNumber) -> Result<NewPhoneNumber, PhoneNumberError> {
        // Telnyx numbers are always given in E.164.
        let number = E164::parse_e164(&input.number)
            .map_err(|error| PhoneNumberError::InvalidNumber(error.to_string()))?;
        if input
            .messaging_profile_id
            .as_deref()
            .is_some_and(|id| crate::text::length(id) > MAX_PROFILE_ID_CHARS)
        {
            return Err(PhoneNumberError::InvalidProfile(format!(
                "a messaging profile id has at most {MAX_PROFILE_ID_CHARS} characters"
            )));
        }
        if input.messages_per_second.is_some_and(|rate| {
            !(MIN_MESSAGES_PER_SECOND..=MAX_MESSAGES_PER_SECOND).contains(&rate)
        }) {
            return Err(PhoneNumberError::InvalidRate);
        }
        Ok(NewPhoneNumber {
            number,
            messaging_profile_id: input
                .messaging_profile_id
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty()),
            number_type: input.number_type.unwrap_or(NumberType::LongCode),
            messages_per_second: input.messages_per_second,
        })
    }
}

/// How fast a number sends: the rate set for it, else its type's default.
pub fn messages_per_second(number_type: NumberType, rate: Option<f64>) -> f64 {
    rate.unwrap_or_else(|| number_type.default_messages_per_second())
}

/// Gives a number up. This instance stops routing to it at once; the others when the
/// routing trigger's announcement reaches them (milliseconds).
pub async fn remove(
    conn: &mut AsyncPgConnection,
    routes: &routing::Routes,
    tenant_id: TenantId,
    id: PhoneNumberId,
) -> Result<(), PhoneNumberError> {
    if !storage::delete(conn, tenant_id, id).await? {
        return Err(PhoneNumberError::NotFound);
    }
    routes.forget_all();
    Ok(())
}

pub async fn add(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    input: CreatePhoneNumber,
    now: DateTime<Utc>,
) -> Result<PhoneNumber, PhoneNumberError> {
    let input = NewPhoneNumber::try_from(input)?;
    let phone_number = PhoneNumber {
        id: PhoneNumberId::random(),
        tenant_id,
        number: input.number.into_string(),
        messaging_profile_id: input.messaging_profile_id,
        number_type: input.number_type,
        messages_per_second: messages_per_second(input.number_type, input.messages_per_second),
        created_at: now,
    };
    match storage::insert(conn, &phone_number, input.messages_per_second).await {
        Ok(()) => Ok(phone_number),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(PhoneNumberError::Taken(phone_number.number)),
        Err(error) => Err(error.into()),
    }
}
