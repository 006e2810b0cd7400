use actix_web::{web, HttpRequest};

use super::{Caller, Principal};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::wire::{ErrorBody, LoginRequest, LoginResponse, Me, UpdateMe};
use crate::{api_keys, tenants, users};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/auth/login").route(web::post().to(login)))
        .service(
            web::resource("/me")
                .route(web::get().to(me))
                .route(web::patch().to(update_me)),
        );
}

/// Sign in with email and password; answers an access token (JWT).
#[utoipa::path(
    post, operation_id = "login", path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong email or password", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "too many failed sign-in attempts for this email (10 per 15 minutes) or from this client address (50 per 15 minutes); `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "`busy`: too many passwords are being checked at once; `Retry-After` says when to try again", body = ErrorBody),
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let address = client_address(&request, state.settings.trust_forwarded_for);
    Ok(web::Json(
        super::login(&state, body.into_inner(), &address).await?,
    ))
}

/// Where the request comes from, for the sign-in throttle.
fn client_address(request: &HttpRequest, trust_forwarded_for: bool) -> String {
    let peer = request.peer_addr().map(|address| address.ip().to_string());
    let forwarded: Vec<&str> = request
        .headers()
        .get_all("X-Forwarded-For")
        .filter_map(|value| value.to_str().ok())
        .collect();
    super::throttle::client_address(peer.as_deref(), &forwarded, trust_forwarded_for)
}

/// The caller: a user or an API key, and its tenant.
#[utoipa::path(
    get, operation_id = "get_me", path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<web::Json<Me>, ApiError> {
    describe(&state, &caller).await.map(web::Json)
}

/// The signed-in user changes their own display name (an API key has none to change: 403).
#[utoipa::path(
    patch, operation_id = "update_me", path = "/api/v1/me", tag = "auth", request_body = UpdateMe,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<UpdateMe>,
) -> Result<web::Json<Me>, ApiError> {
    let Some(user_id) = caller.user_id() else {
        return Err(ApiError::forbidden(
            "An API key has no name to change here; its name is set when it is created.",
        ));
    };
    let mut conn = state.db().await?;
    users::rename(
        &mut conn,
        caller.tenant_id,
        user_id,
        &body.into_inner().name,
    )
    .await?;
    describe(&state, &caller).await.map(web::Json)
}

async fn describe(state: &AppState, caller: &Caller) -> Result<Me, ApiError> {
    let mut conn = state.db().await?;
    let tenant = tenants::storage::find(&mut conn, caller.tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let (kind, user, api_key) = match caller.principal {
        Principal::User(id) => (
            "user",
            users::storage::find(&mut conn, caller.tenant_id, id).await?,
            None,
        ),
        Principal::ApiKey(id) => (
            "api_key",
            None,
            api_keys::storage::find(&mut conn, caller.tenant_id, id).await?,
        ),
    };
    Ok(Me {
        kind: kind.to_string(),
        role: caller.role,
        tenant,
        user,
        api_key,
    })
}
