use actix_web::web;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{Diagnostics, ErrorBody};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/diagnostics").route(web::get().to(get)));
}

/// Troubleshooting checks with what to do for each failing one, recent webhook failures and
/// recent AI errors.
#[utoipa::path(get, operation_id = "get_diagnostics", path = "/api/v1/diagnostics", tag = "operations",
    responses((status = 200, body = Diagnostics), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Diagnostics>, ApiError> {
    let mut conn = state.db().await?;
    let diagnostics = super::diagnose(&state, &mut conn, caller.tenant_id).await?;
    Ok(web::Json(diagnostics))
}
