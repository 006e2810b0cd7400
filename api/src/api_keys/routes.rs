use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::ApiKeyId;
use crate::pagination::{paginate, Cursor, PageQuery};
use crate::state::AppState;
use crate::wire::{ApiKey, CreateApiKey, CreatedApiKey, ErrorBody, Page, Role};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api-keys")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(web::resource("/api-keys/{id}").route(web::delete().to(revoke)));
}

/// The tenant's API keys, revoked ones included (admins only). Secrets are never listed.
#[utoipa::path(get, operation_id = "list_api_keys", path = "/api/v1/api-keys", tag = "api-keys",
    params(PageQuery),
    responses((status = 200, body = Page<ApiKey>), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<ApiKey>>, ApiError> {
    caller.require_admin()?;
    let mut conn = state.db().await?;
    let rows = super::storage::list(&mut conn, caller.tenant_id).await?;
    Ok(web::Json(paginate(rows, &query, true, |k| {
        Cursor::new(k.created_at, k.id)
    })?))
}

/// Creates an API key; the answer holds its secret, shown this once.
#[utoipa::path(post, operation_id = "create_api_key", path = "/api/v1/api-keys", tag = "api-keys", request_body = CreateApiKey,
    responses((status = 201, body = CreatedApiKey), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateApiKey>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let body = body.into_inner();
    let mut conn = state.db().await?;
    let created = super::create(
        &mut conn,
        caller.tenant_id,
        &body.name,
        body.role.unwrap_or(Role::Admin),
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Revokes an API key at once (204); the key stays listed with `revoked_at`.
#[utoipa::path(delete, operation_id = "revoke_api_key", path = "/api/v1/api-keys/{id}", tag = "api-keys",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ApiKeyId>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let mut conn = state.db().await?;
    super::revoke(
        &mut conn,
        caller.tenant_id,
        id.into_inner(),
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
