//! Who is calling: password login that issues JWTs, API keys, and the [`Caller`] extractor
//! that accepts either and enforces roles.

pub mod caller;
pub mod password;
pub mod principal;
pub mod routes;
pub mod throttle;
pub mod tokens;

pub use caller::Caller;
pub use principal::Principal;

use crate::api_keys;
use crate::error::ApiError;
use crate::state::AppState;
use crate::users;
use crate::wire::{LoginRequest, LoginResponse};
use password::PasswordError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    #[error(
        "Sign in first: send `Authorization: Bearer <token>` with an access token or API key."
    )]
    MissingToken,
    #[error("The access token or API key is not valid.")]
    InvalidToken,
    #[error("The access token has expired; sign in again.")]
    ExpiredToken,
    #[error("Only an admin can do this.")]
    AdminOnly,
    #[error("Too many sign-in attempts for this email or from this address; try again in {} minutes.", .0.as_secs().div_ceil(60))]
    TooManyAttempts(std::time::Duration),
    #[error("The server is busy checking other sign-ins; try again in a moment.")]
    Busy,
    #[error(transparent)]
    Internal(#[from] ApiError),
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        let message = error.to_string();
        match error {
            AuthError::InvalidCredentials => ApiError::unauthorized("invalid_credentials", message),
            AuthError::MissingToken => ApiError::unauthorized("unauthenticated", message),
            AuthError::InvalidToken => ApiError::unauthorized("invalid_token", message),
            AuthError::ExpiredToken => ApiError::unauthorized("token_expired", message),
            AuthError::AdminOnly => ApiError::forbidden(message),
            AuthError::TooManyAttempts(wait) => ApiError::TooManyRequests {
                message,
                retry_after: wait,
            },
            AuthError::Busy => ApiError::Busy {
                retry_after: password::BUSY_RETRY_AFTER,
            },
            AuthError::Internal(error) => error,
        }
    }
}

impl From<diesel::result::Error> for AuthError {
    fn from(error: diesel::result::Error) -> Self {
        AuthError::Internal(error.into())
    }
}

/// Checks an email and password; every attempt that is not throttled does one argon2
/// verification, whether or not the email exists. The attempt is counted (per email and per
/// client address, shared by every instance) before the password is checked.
pub async fn login(
    state: &AppState,
    request: LoginRequest,
    client_address: &str,
) -> Result<LoginResponse, AuthError> {
    let keys = throttle::AttemptKeys::new(&request.email, client_address);
    let mut conn = state.db().await?;
    if let Err(wait) = throttle::count(&mut conn, &keys, state.clock.now()).await? {
        return Err(AuthError::TooManyAttempts(wait));
    }
    let found = users::storage::find_for_login(&mut conn, &request.email).await?;
    // No connection is held while the password is checked.
    drop(conn);
    let stored_hash = found.as_ref().map(|(_, hash)| hash.clone());
    let verified = match state
        .passwords
        .verify_bounded(request.password, stored_hash)
        .await
    {
        Ok(verified) => verified,
        Err(PasswordError::Busy) => {
            // Nothing was checked: the attempt does not count against anyone.
            let mut conn = state.db().await?;
            throttle::refund(&mut conn, &keys).await?;
            return Err(AuthError::Busy);
        }
        Err(PasswordError::Hash(error)) => return Err(ApiError::internal(error).into()),
    };
    let user = match (verified, found) {
        (true, Some((user, _))) => user,
        _ => return Err(AuthError::InvalidCredentials),
    };
    let mut conn = state.db().await?;
    throttle::succeeded(&mut conn, &keys).await?;
    drop(conn);
    let access_token = state
        .tokens
        .issue(user.id, user.tenant_id, user.role, state.clock.now())
        .map_err(ApiError::internal)?;
    Ok(LoginResponse {
        access_token,
        token_type: "Bearer".to_string(),
        expires_in: state.tokens.ttl_seconds(),
    })
}

/// Resolves a bearer token (an API key or a JWT) to the caller it speaks for.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Caller, AuthError> {
    let now = state.clock.now();
    let mut conn = state.db().await?;
    if token.starts_with(api_keys::SECRET_PREFIX) {
        let key = api_keys::storage::find_active_by_hash(&mut conn, &api_keys::hash_secret(token))
            .await?
            .ok_or(AuthError::InvalidToken)?;
        api_keys::storage::touch_last_used(&mut conn, key.id, now).await?;
        return Ok(Caller {
            tenant_id: key.tenant_id,
            role: key.role,
            principal: Principal::ApiKey(key.id),
            name: key.name,
            expires_at: None,
        });
    }
    let claims = state
        .tokens
        .verify(token, now)
        .map_err(|error| match error {
            tokens::TokenError::Expired => AuthError::ExpiredToken,
            tokens::TokenError::Invalid => AuthError::InvalidToken,
        })?;
    // The user may have been removed since the token was issued; the stored role is current.
    let user = users::storage::find(&mut conn, claims.tid, claims.sub)
        .await?
        .ok_or(AuthError::InvalidToken)?;
    Ok(Caller {
        tenant_id: user.tenant_id,
        role: user.role,
        principal: Principal::User(user.id),
        name: user.name,
        expires_at: chrono::DateTime::from_timestamp(claims.exp, 0),
    })
}
