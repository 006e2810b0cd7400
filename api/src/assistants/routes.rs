use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::AssistantId;
use crate::pagination::{paginate, Cursor, PageQuery};
use crate::state::AppState;
use crate::wire::{Assistant, CreateAssistant, ErrorBody, Page, UpdateAssistant};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/assistants")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/assistants/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    );
}

/// The tenant's assistants.
#[utoipa::path(get, operation_id = "list_assistants", path = "/api/v1/assistants", tag = "assistants",
    params(PageQuery),
    responses((status = 200, body = Page<Assistant>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<Assistant>>, ApiError> {
    let mut conn = state.db().await?;
    let rows: Vec<Assistant> = super::storage::list(&mut conn, caller.tenant_id)
        .await?
        .into_iter()
        .map(Assistant::from)
        .collect();
    Ok(web::Json(paginate(rows, &query, false, |a| {
        Cursor::new(a.created_at, a.id)
    })?))
}

/// Creates an assistant (admins); `is_default: true` makes it the tenant's default SMS assistant.
#[utoipa::path(post, operation_id = "create_assistant", path = "/api/v1/assistants", tag = "assistants", request_body = CreateAssistant,
    responses((status = 201, body = Assistant), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateAssistant>,
) -> Result<HttpResponse, ApiError> {
    let assistant = super::create(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(assistant))
}

#[utoipa::path(get, operation_id = "get_assistant", path = "/api/v1/assistants/{id}", tag = "assistants",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Assistant), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AssistantId>,
) -> Result<web::Json<Assistant>, ApiError> {
    let mut conn = state.db().await?;
    let row = super::storage::find(&mut conn, caller.tenant_id, id.into_inner())
        .await?
        .ok_or(super::AssistantError::NotFound)?;
    Ok(web::Json(row.into()))
}

/// Updates an assistant (admins).
#[utoipa::path(patch, operation_id = "update_assistant", path = "/api/v1/assistants/{id}", tag = "assistants",
    params(("id" = Uuid, Path)), request_body = UpdateAssistant,
    responses((status = 200, body = Assistant), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AssistantId>,
    body: JsonBody<UpdateAssistant>,
) -> Result<web::Json<Assistant>, ApiError> {
    Ok(web::Json(
        super::update(&state, &caller, id.into_inner(), body.into_inner()).await?,
    ))
}

/// Deletes an assistant (admins); conversations that used it fall back to the default.
#[utoipa::path(delete, operation_id = "delete_assistant", path = "/api/v1/assistants/{id}", tag = "assistants",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AssistantId>,
) -> Result<HttpResponse, ApiError> {
    super::delete(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
