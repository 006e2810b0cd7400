//! The people of a tenant who sign in to the inbox: admins and agents.

pub mod routes;
pub mod storage;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::auth::password::{
    PasswordError, Passwords, BUSY_RETRY_AFTER, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH,
};
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::ids::{TenantId, UserId};
use crate::realtime::revocations;
use crate::wire::{Role, User};

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("a user with the email {0} already exists")]
    EmailTaken(String),
    #[error("user not found")]
    NotFound,
    #[error("{0}")]
    Hashing(String),
    #[error("too many passwords are being hashed at once")]
    Busy,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

impl From<UserError> for ApiError {
    fn from(error: UserError) -> Self {
        match error {
            UserError::Invalid { field, message } => {
                ApiError::invalid("invalid_field", field, message)
            }
            UserError::EmailTaken(_) => {
                ApiError::conflict("email_taken", Some("email"), error.to_string())
            }
            UserError::NotFound => ApiError::not_found("user"),
            UserError::Hashing(message) => ApiError::internal(message),
            UserError::Busy => ApiError::Busy {
                retry_after: BUSY_RETRY_AFTER,
            },
            UserError::Database(error) => error.into(),
        }
    }
}

/// The longest email address (RFC 5321's path limit), in characters.
pub const MAX_EMAIL_CHARS: usize = 320;

/// Checks an email address as sent: `local@domain.tld`, no whitespace anywhere.
pub fn normalize_email(email: &str) -> Result<String, UserError> {
    let well_formed = crate::text::length(email) <= MAX_EMAIL_CHARS
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if !well_formed {
        return Err(UserError::Invalid {
            field: "email",
            message: format!("`{email}` is not an email address"),
        });
    }
    Ok(email.to_string())
}

pub struct NewUser {
    pub tenant_id: TenantId,
    pub email: String,
    pub password: String,
    pub role: Role,
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    passwords: Arc<Passwords>,
    input: NewUser,
    now: DateTime<Utc>,
) -> Result<User, UserError> {
    let email = normalize_email(&input.email)?;
    let length = input.password.chars().count();
    if !(MIN_PASSWORD_LENGTH..=MAX_PASSWORD_LENGTH).contains(&length) {
        return Err(UserError::Invalid {
            field: "password",
            message: format!(
                "a password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
            ),
        });
    }
    let hash = passwords
        .hash_bounded(input.password)
        .await
        .map_err(|error| match error {
            PasswordError::Busy => UserError::Busy,
            PasswordError::Hash(error) => UserError::Hashing(error.to_string()),
        })?;
    let user = User {
        id: UserId::random(),
        tenant_id: input.tenant_id,
        email,
        role: input.role,
        created_at: now,
    };
    match storage::insert(conn, &user, &hash).await {
        Ok(()) => Ok(user),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(UserError::EmailTaken(user.email)),
        Err(error) => Err(error.into()),
    }
}

/// Removes the user; their open feed sessions, on every instance, close at once (their access
/// tokens already stop working: each request looks the user up).
pub async fn remove(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: UserId,
) -> Result<(), UserError> {
    conn.transaction::<(), UserError, _>(async |conn| {
        if !storage::delete(conn, tenant_id, id).await? {
            return Err(UserError::NotFound);
        }
        revocations::announce(conn, Principal::User(id)).await?;
        Ok(())
    })
    .await
}

/// The name an agent goes by with customers (a canned reply's `{{agent.name}}`): for now the
/// part of the email before `@`.
pub fn display_name(user: &User) -> String {
    let local = user.email.split('@').next().unwrap_or_default();
    if local.is_empty() {
        user.email.clone()
    } else {
        local.to_string()
    }
}
