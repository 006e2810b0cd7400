use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::PhoneNumberId;
use crate::pagination::{paginate, Cursor, PageQuery};
use crate::phone::E164;
use crate::state::AppState;
use crate::wire::{CreatePhoneNumber, ErrorBody, NormalizedPhone, Page, PhoneNumber};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Before `/phone-numbers/{id}`.
    cfg.service(web::resource("/phone-numbers/normalize").route(web::get().to(normalize)))
        .service(
            web::resource("/phone-numbers")
                .route(web::get().to(list))
                .route(web::post().to(create)),
        )
        .service(web::resource("/phone-numbers/{id}").route(web::delete().to(delete)));
}

/// The tenant's Telnyx numbers.
#[utoipa::path(get, operation_id = "list_phone_numbers", path = "/api/v1/phone-numbers", tag = "phone-numbers",
    params(PageQuery),
    responses((status = 200, body = Page<PhoneNumber>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<PhoneNumber>>, ApiError> {
    let mut conn = state.db().await?;
    let rows = super::storage::list(&mut conn, caller.tenant_id).await?;
    Ok(web::Json(paginate(rows, &query, false, |n| {
        Cursor::new(n.created_at, n.id)
    })?))
}

/// Registers a Telnyx number (E.164) for the tenant (admins only).
#[utoipa::path(post, operation_id = "create_phone_number", path = "/api/v1/phone-numbers", tag = "phone-numbers", request_body = CreatePhoneNumber,
    responses((status = 201, body = PhoneNumber), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreatePhoneNumber>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let mut conn = state.db().await?;
    let number = super::add(
        &mut conn,
        caller.tenant_id,
        body.into_inner(),
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(number))
}

/// Removes a number from the tenant (admins only).
#[utoipa::path(delete, operation_id = "delete_phone_number", path = "/api/v1/phone-numbers/{id}", tag = "phone-numbers",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PhoneNumberId>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let mut conn = state.db().await?;
    super::remove(&mut conn, &state.routes, caller.tenant_id, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NormalizeQuery {
    /// What the person typed, e.g. `(416) 555-1234`.
    pub input: String,
}

/// Reads a typed phone number with the tenant's region: its E.164 form, or why it is not one.
#[utoipa::path(get, operation_id = "normalize_phone_number", path = "/api/v1/phone-numbers/normalize", tag = "phone-numbers", params(NormalizeQuery),
    responses((status = 200, body = NormalizedPhone)),
    security(("bearer" = [])))]
pub async fn normalize(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<NormalizeQuery>,
) -> Result<web::Json<NormalizedPhone>, ApiError> {
    let mut conn = state.db().await?;
    let tenant = crate::tenants::storage::find(&mut conn, caller.tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let parsed = E164::parse(&query.input, &tenant.default_region);
    Ok(web::Json(NormalizedPhone {
        input: query.input.clone(),
        e164: parsed.as_ref().ok().map(|phone| phone.to_string()),
        error: parsed.err().map(|error| error.to_string()),
    }))
}
