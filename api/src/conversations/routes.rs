use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::ConversationId;
use crate::pagination::page_size;
use crate::state::AppState;
use crate::wire::{
    Conversation, ErrorBody, Guide, Page, PutGuide, StartConversation, StartedConversation,
    UpdateConversation,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Before `/conversations/{id}`, which would otherwise take `export.csv` for an id.
    cfg.service(web::resource("/conversations/export.csv").route(web::get().to(export)))
        .service(
            web::resource("/conversations")
                .route(web::get().to(list))
                .route(web::post().to(start)),
        )
        .service(web::resource("/conversations/{id}/read").route(web::post().to(mark_read)))
        .service(
            web::resource("/conversations/{id}")
                .route(web::get().to(get))
                .route(web::patch().to(update)),
        )
        .service(
            web::resource("/conversations/{id}/guide")
                .route(web::get().to(get_guide))
                .route(web::put().to(put_guide))
                .route(web::delete().to(delete_guide)),
        );
}

/// The inbox: conversations with their last message and unread count, newest activity
/// first, searched and filtered; `next_cursor` gives the next page.
#[utoipa::path(get, operation_id = "list_conversations", path = "/api/v1/conversations", tag = "conversations",
    params(super::ListQuery),
    responses((status = 200, body = Page<Conversation>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<super::ListQuery>,
) -> Result<web::Json<Page<Conversation>>, ApiError> {
    let limit = page_size(query.limit)?;
    Ok(web::Json(
        super::list(&state, &caller, &query, limit).await?,
    ))
}

/// CSV of the conversations the same filters select (all of them: there are no pages):
/// streamed, RFC 4180, UTF-8, formula-like cells neutralised.
#[utoipa::path(get, operation_id = "export_conversations", path = "/api/v1/conversations/export.csv", tag = "conversations",
    params(super::ExportQuery),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<super::ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let filters = query.filters(&caller)?;
    let now = state.clock.now();
    let body = super::export::spawn(state.pool.clone(), caller.tenant_id, filters, now);
    let filename = format!("conversations-{}.csv", now.format("%Y-%m-%d"));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(tokio_stream::wrappers::ReceiverStream::new(body)))
}

/// Marks the conversation read: its unread count drops to zero.
#[utoipa::path(post, operation_id = "mark_conversation_read", path = "/api/v1/conversations/{id}/read", tag = "conversations",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mark_read(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
) -> Result<web::Json<Conversation>, ApiError> {
    Ok(web::Json(
        super::mark_read(&state, &caller, id.into_inner()).await?,
    ))
}

/// Starts a conversation, or resumes the customer's active one, with a first message.
///
/// 201 with `resumed: false` for a new conversation; 200 with `resumed: true` when the
/// customer's active conversation was reused.
#[utoipa::path(post, operation_id = "start_conversation", path = "/api/v1/conversations", tag = "conversations", request_body = StartConversation,
    responses((status = 201, body = StartedConversation), (status = 200, body = StartedConversation),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn start(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<StartConversation>,
) -> Result<HttpResponse, ApiError> {
    let started = super::start::start(&state, &caller, body.into_inner()).await?;
    Ok(if started.resumed {
        HttpResponse::Ok().json(started)
    } else {
        HttpResponse::Created().json(started)
    })
}

#[utoipa::path(get, operation_id = "get_conversation", path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
) -> Result<web::Json<Conversation>, ApiError> {
    Ok(web::Json(
        super::get(&state, &caller, id.into_inner()).await?,
    ))
}

/// Updates contact name, company, status, qualification status, assistant, AI on/off or the
/// linked client. Absent fields stay; `null` clears.
#[utoipa::path(patch, operation_id = "update_conversation", path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = Uuid, Path)), request_body = UpdateConversation,
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
    body: JsonBody<UpdateConversation>,
) -> Result<web::Json<Conversation>, ApiError> {
    Ok(web::Json(
        super::update(&state, &caller, id.into_inner(), body.into_inner()).await?,
    ))
}

/// The conversation's AI guide: an empty `text` (and no `updated_at`) when none is set.
#[utoipa::path(get, operation_id = "get_guide", path = "/api/v1/conversations/{id}/guide", tag = "conversations",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Guide), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_guide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
) -> Result<web::Json<Guide>, ApiError> {
    Ok(web::Json(
        super::guide(&state, &caller, id.into_inner()).await?,
    ))
}

/// Sets the AI guide: instructions the assistant follows in this conversation.
#[utoipa::path(put, operation_id = "put_guide", path = "/api/v1/conversations/{id}/guide", tag = "conversations",
    params(("id" = Uuid, Path)), request_body = PutGuide,
    responses((status = 200, body = Guide), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_guide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
    body: JsonBody<PutGuide>,
) -> Result<web::Json<Guide>, ApiError> {
    Ok(web::Json(
        super::put_guide(&state, &caller, id.into_inner(), body.into_inner().text).await?,
    ))
}

/// Removes the AI guide (204 whether or not one was set).
#[utoipa::path(delete, operation_id = "delete_guide", path = "/api/v1/conversations/{id}/guide", tag = "conversations",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn delete_guide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
) -> Result<HttpResponse, ApiError> {
    super::delete_guide(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
