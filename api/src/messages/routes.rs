use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::{ConversationId, MessageId};
use crate::pagination::page_size;
use crate::state::AppState;
use crate::wire::{ErrorBody, Message, Page, SegmentsRequest, SegmentsResponse, SendMessage};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/conversations/{id}/messages")
            .route(web::get().to(history))
            .route(web::post().to(send)),
    )
    .service(web::resource("/messages/{id}/retry").route(web::post().to(retry)))
    .service(web::resource("/sms/segments").route(web::post().to(segments)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page: older messages.
    pub before: Option<String>,
}

/// A conversation's messages, newest last; `next_cursor` (as `before`) pages back in time.
#[utoipa::path(get, operation_id = "list_messages", path = "/api/v1/conversations/{id}/messages", tag = "messages",
    params(("id" = Uuid, Path), HistoryQuery),
    responses((status = 200, body = Page<Message>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
    query: web::Query<HistoryQuery>,
) -> Result<web::Json<Page<Message>>, ApiError> {
    let limit = page_size(query.limit)?;
    let page = super::history(
        &state,
        &caller,
        id.into_inner(),
        query.before.as_deref(),
        limit,
    )
    .await?;
    Ok(web::Json(page))
}

/// Sends a message: stored as `queued` and handed to Telnyx at once through the outbox. With
/// `media_ids` it is an MMS (`type: "MMS"`), whose items Telnyx fetches through signed links.
#[utoipa::path(post, operation_id = "send_message", path = "/api/v1/conversations/{id}/messages", tag = "messages",
    params(("id" = Uuid, Path)), request_body = SendMessage,
    responses((status = 201, body = Message), (status = 404, body = ErrorBody),
        (status = 409, description = "the customer opted out", body = ErrorBody),
        (status = 422, description = "`empty_message` (neither text nor media), `message_too_long`; on `media_ids`: `invalid_media_ids` (not 1 to 10), `unknown_media` (no upload of the tenant), `media_unavailable`, `mms_not_supported` (outside the US and Canada), `mms_too_large` (over 1 MB in all)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn send(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConversationId>,
    body: JsonBody<SendMessage>,
) -> Result<HttpResponse, ApiError> {
    let message = crate::conversations::send::send(
        &state,
        &caller,
        id.into_inner(),
        body.into_inner().try_into()?,
    )
    .await?;
    Ok(HttpResponse::Created().json(message))
}

/// Sends a failed outbound message (`sending_failed` or `delivery_failed`) again: 201 with the
/// new message, whose `retry_of` names the failed one. A message retried already, or in any
/// other status, is 409 `not_retryable`.
#[utoipa::path(post, operation_id = "retry_message", path = "/api/v1/messages/{id}/retry", tag = "messages",
    params(("id" = Uuid, Path)),
    responses((status = 201, body = Message), (status = 404, body = ErrorBody),
        (status = 409, description = "`not_retryable`; `opted_out`; `conversation_closed`; `no_sending_number`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn retry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<MessageId>,
) -> Result<HttpResponse, ApiError> {
    let message = crate::conversations::send::retry(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Created().json(message))
}

/// How a text travels as SMS: encoding, segments, characters.
#[utoipa::path(post, operation_id = "count_segments", path = "/api/v1/sms/segments", tag = "messages", request_body = SegmentsRequest,
    responses((status = 200, body = SegmentsResponse), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn segments(
    _caller: Caller,
    body: JsonBody<SegmentsRequest>,
) -> web::Json<SegmentsResponse> {
    web::Json(crate::sms::analyze(&body.into_inner().text).into())
}
