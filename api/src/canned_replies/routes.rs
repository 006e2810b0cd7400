use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::{CannedReplyId, ConversationId};
use crate::pagination::{page_size, PageQuery};
use crate::state::AppState;
use crate::wire::{
    CannedReply, CreateCannedReply, ErrorBody, Page, RenderedCannedReply, UpdateCannedReply,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/canned-replies")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/canned-replies/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(
        web::resource("/conversations/{id}/canned-replies/{reply_id}/render")
            .route(web::post().to(render)),
    );
}

/// The tenant's canned replies, in shortcut order (regardless of case).
#[utoipa::path(get, operation_id = "list_canned_replies", path = "/api/v1/canned-replies", tag = "canned-replies",
    params(PageQuery),
    responses((status = 200, body = Page<CannedReply>),
        (status = 400, description = "`limit` or `cursor` is not acceptable", body = ErrorBody),
        (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<CannedReply>>, ApiError> {
    let limit = page_size(query.limit)?;
    Ok(web::Json(
        super::list(&state, &caller, query.cursor.as_deref(), limit).await?,
    ))
}

/// Saves a canned reply (any user of the tenant, or an API key).
#[utoipa::path(post, operation_id = "create_canned_reply", path = "/api/v1/canned-replies", tag = "canned-replies",
    request_body = CreateCannedReply,
    responses((status = 201, body = CannedReply),
        (status = 400, description = "the body is not valid JSON", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 409, description = "`duplicate_shortcut`: another reply of the tenant has this shortcut", body = ErrorBody),
        (status = 422, description = "a field is not acceptable; `unknown_variable` or `invalid_template` on `text`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateCannedReply>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(super::create(&state, &caller, body.into_inner()).await?))
}

#[utoipa::path(get, operation_id = "get_canned_reply", path = "/api/v1/canned-replies/{id}", tag = "canned-replies",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = CannedReply), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<CannedReplyId>,
) -> Result<web::Json<CannedReply>, ApiError> {
    Ok(web::Json(
        super::get(&state, &caller, id.into_inner()).await?,
    ))
}

/// Changes a canned reply's shortcut, title or text; absent fields stay.
#[utoipa::path(patch, operation_id = "update_canned_reply", path = "/api/v1/canned-replies/{id}", tag = "canned-replies",
    params(("id" = Uuid, Path)), request_body = UpdateCannedReply,
    responses((status = 200, body = CannedReply),
        (status = 400, description = "the body is not valid JSON", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`duplicate_shortcut`: another reply of the tenant has this shortcut", body = ErrorBody),
        (status = 422, description = "a field is not acceptable; `unknown_variable` or `invalid_template` on `text`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<CannedReplyId>,
    body: JsonBody<UpdateCannedReply>,
) -> Result<web::Json<CannedReply>, ApiError> {
    Ok(web::Json(
        super::update(&state, &caller, id.into_inner(), body.into_inner()).await?,
    ))
}

#[utoipa::path(delete, operation_id = "delete_canned_reply", path = "/api/v1/canned-replies/{id}", tag = "canned-replies",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<CannedReplyId>,
) -> Result<HttpResponse, ApiError> {
    super::delete(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A canned reply filled in for this conversation and the calling user: `contact.first_name`
/// and `contact.name` from the conversation's `contact_name`, else its linked client;
/// `agent.name` is the caller's name (none for an API key); `tenant.name` the business's. A
/// variable without a value renders its fallback, or nothing (and the spacing around it is
/// tidied: `Hi {{contact.first_name}}, ` becomes `Hi, `).
#[utoipa::path(post, operation_id = "render_canned_reply",
    path = "/api/v1/conversations/{id}/canned-replies/{reply_id}/render", tag = "canned-replies",
    params(("id" = Uuid, Path, description = "The conversation"),
        ("reply_id" = Uuid, Path, description = "The canned reply")),
    responses((status = 200, body = RenderedCannedReply), (status = 401, body = ErrorBody),
        (status = 404, description = "no such conversation or canned reply in the caller's tenant", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn render(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ConversationId, CannedReplyId)>,
) -> Result<web::Json<RenderedCannedReply>, ApiError> {
    let (conversation_id, reply_id) = path.into_inner();
    Ok(web::Json(
        super::render(&state, &caller, conversation_id, reply_id).await?,
    ))
}
