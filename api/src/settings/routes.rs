use actix_web::web;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::wire::{ErrorBody, Settings, UpdateSettings};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/settings")
            .route(web::get().to(get))
            .route(web::patch().to(update)),
    );
}

/// The tenant's settings: time zone, business hours, away message, quiet hours, keyword
/// replies, auto-assign.
#[utoipa::path(get, operation_id = "get_settings", path = "/api/v1/settings", tag = "settings",
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Settings>, ApiError> {
    Ok(web::Json(super::get(&state, &caller).await?))
}

/// Changes the settings (admins); absent fields stay, `null` clears a nullable one.
#[utoipa::path(patch, operation_id = "update_settings", path = "/api/v1/settings", tag = "settings",
    request_body = UpdateSettings,
    responses((status = 200, body = Settings),
        (status = 400, description = "the body is not valid JSON", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "only admins change settings", body = ErrorBody),
        (status = 422, description = "a field is not acceptable: `invalid_time_zone`, `invalid_business_hours` (the field names the day), `invalid_quiet_hours`, `invalid_field`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<UpdateSettings>,
) -> Result<web::Json<Settings>, ApiError> {
    Ok(web::Json(
        super::update(&state, &caller, body.into_inner()).await?,
    ))
}
