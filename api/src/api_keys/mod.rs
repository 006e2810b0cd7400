//! API keys for third-party clients: random secrets shown once, stored as SHA-256, revocable.

pub mod routes;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::ids::{ApiKeyId, TenantId};
use crate::realtime::revocations;
use crate::wire::{ApiKey, CreatedApiKey, Role};

/// Every secret starts with this, so a bearer token is told apart from a JWT at a glance.
pub const SECRET_PREFIX: &str = "pk_";
const SECRET_RANDOM_CHARS: usize = 40;
pub const MAX_NAME_CHARS: usize = 200;
const DISPLAY_PREFIX_CHARS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("{0}")]
    InvalidName(String),
    #[error("API key not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

impl From<ApiKeyError> for ApiError {
    fn from(error: ApiKeyError) -> Self {
        match error {
            ApiKeyError::InvalidName(message) => {
                ApiError::invalid("invalid_field", "name", message)
            }
            ApiKeyError::NotFound => ApiError::not_found("API key"),
            ApiKeyError::Database(error) => error.into(),
        }
    }
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn generate_secret() -> String {
    let random: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(SECRET_RANDOM_CHARS)
        .map(char::from)
        .collect();
    format!("{SECRET_PREFIX}{random}")
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    name: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<CreatedApiKey, ApiKeyError> {
    if crate::text::is_blank(name) || crate::text::length(name) > MAX_NAME_CHARS {
        return Err(ApiKeyError::InvalidName(format!(
            "an API key needs a name of 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    let name = name.trim();
    let secret = generate_secret();
    let key = ApiKey {
        id: ApiKeyId::random(),
        tenant_id,
        name: name.to_string(),
        prefix: secret[..DISPLAY_PREFIX_CHARS].to_string(),
        role,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    storage::insert(conn, &key, &hash_secret(&secret)).await?;
    Ok(CreatedApiKey { key, secret })
}

/// Revokes the key; its open feed sessions, on every instance, close at once.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: ApiKeyId,
    now: DateTime<Utc>,
) -> Result<ApiKey, ApiKeyError> {
    conn.transaction::<ApiKey, ApiKeyError, _>(async |conn| {
        let key = storage::revoke(conn, tenant_id, id, now)
            .await?
            .ok_or(ApiKeyError::NotFound)?;
        revocations::announce(conn, Principal::ApiKey(key.id)).await?;
        Ok(key)
    })
    .await
}
