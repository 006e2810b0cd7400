use actix_web::{web, HttpResponse};
use diesel_async::AsyncConnection;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::pagination::{paginate, Cursor, PageQuery};
use crate::phone::E164;
use crate::state::AppState;
use crate::tenants;
use crate::wire::{ErrorBody, OptOut, Page};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/opt-outs").route(web::get().to(list)))
        .service(web::resource("/opt-outs/{phone}").route(web::delete().to(delete)));
}

/// The tenant's opted-out numbers, newest first.
#[utoipa::path(get, operation_id = "list_opt_outs", path = "/api/v1/opt-outs", tag = "opt-outs",
    params(PageQuery),
    responses((status = 200, body = Page<OptOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<OptOut>>, ApiError> {
    let mut conn = state.db().await?;
    let rows = super::storage::list(&mut conn, caller.tenant_id).await?;
    // An opt-out is identified by its number; its digits make the cursor's tie-breaker.
    let key = |o: &OptOut| {
        let digits = o
            .phone_number
            .trim_start_matches('+')
            .parse::<u128>()
            .unwrap_or_default();
        Cursor::new(o.created_at, uuid::Uuid::from_u128(digits))
    };
    let mut rows = rows;
    rows.sort_by_key(|o| {
        std::cmp::Reverse({
            let k = key(o);
            (k.at, k.id)
        })
    });
    Ok(web::Json(paginate(rows, &query, true, key)?))
}

/// Removes an opt-out (the customer asked to hear from you again). Admins only.
#[utoipa::path(delete, operation_id = "delete_opt_out", path = "/api/v1/opt-outs/{phone}", tag = "opt-outs",
    params(("phone" = String, Path, description = "E.164, URL-encoded (`%2B14165551234`)")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
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
    // Like a malformed id, a path that is not a phone number names no opt-out.
    let number =
        E164::parse(&phone, &tenant.default_region).map_err(|_| ApiError::not_found("opt-out"))?;
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
