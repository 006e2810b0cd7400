use actix_web::{web, HttpResponse};
use diesel_async::AsyncConnection;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::phone::E164;
use crate::tenants;
use crate::wire::{ErrorBody, OptOut};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/opt-outs", web::get().to(list))
        .route("/opt-outs/{phone}", web::delete().to(delete));
}

/// The tenant's opted-out numbers, newest first.
#[utoipa::path(get, path = "/api/v1/opt-outs", tag = "opt-outs",
    responses((status = 200, body = Vec<OptOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<OptOut>>, ApiError> {
    let mut conn = state.db().await?;
    Ok(web::Json(
        super::storage::list(&mut conn, caller.tenant_id).await?,
    ))
}

/// Removes an opt-out (the customer asked to hear from you again). Admins only.
#[utoipa::path(delete, path = "/api/v1/opt-outs/{phone}", tag = "opt-outs",
    params(("phone" = String, Path, description = "E.164, URL-encoded (`%2B14165551234`)")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    phone: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let mut conn = state.db().await?;
    let tenant = tenants::storage::find(&mut conn, caller.tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let number = E164::parse(&phone, &tenant.default_region)
        .map_err(|error| ApiError::invalid("invalid_phone_number", "phone", error.to_string()))?;
    let now = state.clock.now();
    let tenant_id = caller.tenant_id;
    let lifted = conn
        .transaction::<_, diesel::result::Error, _>(async |conn| {
            super::opt_in(conn, tenant_id, number.as_str(), now).await
        })
        .await?;
    if lifted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("opt-out"))
    }
}
