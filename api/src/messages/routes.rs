use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::ids::{ConversationId, MessageId};
use crate::pagination::page_size;
use crate::state::AppState;
use crate::wire::{
    ErrorBody, Message, Page, SegmentsRequest, SegmentsResponse, SendMessage, UpdateMessage,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/conversations/{id}/messages")
            .route(web::get().to(history))
            .route(web::post().to(send)),
    )
    .service(
        web::resource("/messages/{id}")
            .route(web::patch().to(update))
            .route(web::delete().to(cancel)),
    )
    .service(web::resource("/messages/{id}/send-now").route(web::post().to(send_now)))
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
    /// `true`: only the messages that wait to be sent (scheduled, or held for quiet hours),
    /// however old, soonest due first, on one page (`before` does not apply).
    pub waiting: Option<bool>,
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
    let id = id.into_inner();
    let page = if query.waiting == Some(true) {
        super::waiting(&state, &caller, id, limit).await?
    } else {
        super::history(&state, &caller, id, query.before.as_deref(), limit).await?
    };
    Ok(web::Json(page))
}

/// Sends a message: stored as `queued` and handed to Telnyx at once through the outbox. With
/// `media_ids` it is an MMS (`type: "MMS"`), whose items Telnyx fetches through signed links.
/// With `send_at` it is `scheduled` and leaves at that time (held further if it falls in the
/// recipient's quiet hours; cancelled if they opt out before).
#[utoipa::path(post, operation_id = "send_message", path = "/api/v1/conversations/{id}/messages", tag = "messages",
    params(("id" = Uuid, Path)), request_body = SendMessage,
    responses((status = 201, body = Message), (status = 404, body = ErrorBody),
        (status = 409, description = "the customer opted out", body = ErrorBody),
        (status = 422, description = "`empty_message` (neither text nor media), `message_too_long`; on `media_ids`: `invalid_media_ids` (not 1 to 10), `unknown_media` (no upload of the tenant), `media_unavailable`, `mms_not_supported` (outside the US and Canada), `mms_too_large` (over 1 MB in all); `invalid_send_at` (not in the future, or more than a year ahead)", body = ErrorBody)),
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

/// Changes a waiting message (scheduled, or held for quiet hours): its text or its time
/// (a held message given a time is scheduled again). Announced as `message.updated`.
#[utoipa::path(patch, operation_id = "update_message", path = "/api/v1/messages/{id}", tag = "messages",
    params(("id" = Uuid, Path)), request_body = UpdateMessage,
    responses((status = 200, body = Message),
        (status = 400, description = "the body is not valid JSON", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`not_scheduled`: the message left already, or was cancelled", body = ErrorBody),
        (status = 422, description = "`empty_message`, `message_too_long` on `text`; `invalid_send_at`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<MessageId>,
    body: JsonBody<UpdateMessage>,
) -> Result<web::Json<Message>, ApiError> {
    let message =
        super::schedule::edit(&state, &caller, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(message))
}

/// Cancels a waiting message (scheduled, or held for quiet hours): it stays in the history
/// as `cancelled`.
#[utoipa::path(delete, operation_id = "cancel_message", path = "/api/v1/messages/{id}", tag = "messages",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Message),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`not_scheduled`: the message left already, or was cancelled", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<MessageId>,
) -> Result<web::Json<Message>, ApiError> {
    Ok(web::Json(
        super::schedule::cancel(&state, &caller, id.into_inner()).await?,
    ))
}

/// Sends a waiting message at once (admins): before its time, and past the recipient's
/// quiet hours.
#[utoipa::path(post, operation_id = "send_message_now", path = "/api/v1/messages/{id}/send-now", tag = "messages",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Message),
        (status = 401, body = ErrorBody),
        (status = 403, description = "only admins override a schedule or quiet hours", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`not_scheduled`: the message left already, or was cancelled; `opted_out`", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn send_now(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<MessageId>,
) -> Result<web::Json<Message>, ApiError> {
    Ok(web::Json(
        super::schedule::send_now(&state, &caller, id.into_inner()).await?,
    ))
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
