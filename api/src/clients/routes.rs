use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::ClientId;
use crate::pagination::page_size;
use crate::state::AppState;
use crate::wire::{Client, CreateClient, ErrorBody, Page, UpdateClient};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/clients")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/clients/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    );
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClientQuery {
    /// Name, company, email or phone digits (partial, case-insensitive).
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The tenant's client records, newest first.
#[utoipa::path(get, operation_id = "list_clients", path = "/api/v1/clients", tag = "clients", params(ClientQuery),
    responses((status = 200, body = Page<Client>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ClientQuery>,
) -> Result<web::Json<Page<Client>>, ApiError> {
    let limit = page_size(query.limit)?;
    Ok(web::Json(
        super::list(
            &state,
            &caller,
            crate::extract::text_param(query.q.as_deref(), "q")?,
            query.cursor.as_deref(),
            limit,
        )
        .await?,
    ))
}

/// Creates a client record; the phone number is unique within the tenant.
#[utoipa::path(post, operation_id = "create_client", path = "/api/v1/clients", tag = "clients", request_body = CreateClient,
    responses((status = 201, body = Client), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateClient>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(super::create(&state, &caller, body.into_inner()).await?))
}

#[utoipa::path(get, operation_id = "get_client", path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path)),
    responses((status = 200, body = Client), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<web::Json<Client>, ApiError> {
    let mut conn = state.db().await?;
    let row = super::storage::find(&mut conn, caller.tenant_id, id.into_inner())
        .await?
        .ok_or(super::ClientError::NotFound)?;
    Ok(web::Json(row.into()))
}

/// Updates a client record; absent fields stay, `null` clears.
#[utoipa::path(patch, operation_id = "update_client", path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path)),
    request_body = UpdateClient,
    responses((status = 200, body = Client), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
    body: JsonBody<UpdateClient>,
) -> Result<web::Json<Client>, ApiError> {
    Ok(web::Json(
        super::update(&state, &caller, id.into_inner(), body.into_inner()).await?,
    ))
}

/// Deletes a client record; linked conversations keep their history.
#[utoipa::path(delete, operation_id = "delete_client", path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.db().await?;
    if super::storage::delete(&mut conn, caller.tenant_id, id.into_inner()).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(super::ClientError::NotFound.into())
    }
}
