//! The authenticated caller, extracted from `Authorization: Bearer <token>`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use super::principal::Principal;
use super::{authenticate, AuthError};
use crate::error::ApiError;
use crate::ids::{TenantId, UserId};
use crate::state::AppState;
use crate::wire::Role;

/// A signed-in user or an API key, with the tenant every query must be scoped to.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant_id: TenantId,
    pub role: Role,
    pub principal: Principal,
    /// The name the team sees on what the caller writes: the user's, or the API key's.
    pub name: String,
    /// When the access token stops being valid (API keys: until revoked).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Caller {
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Agent => Err(AuthError::AdminOnly.into()),
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self.principal {
            Principal::User(id) => Some(id),
            Principal::ApiKey(_) => None,
        }
    }
}

/// The token of `Authorization: Bearer <token>`, if the header has that form.
pub fn bearer_token(request: &HttpRequest) -> Option<String> {
    let header = request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(request);
        let state = request.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or(AuthError::MissingToken)?;
            Ok(authenticate(&state, &token).await?)
        })
    }
}
