use actix_web::{web, HttpRequest, HttpResponse};

use super::{DeliveryContext, SignatureHeaders};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pagination::{page_from, page_size, Cursor, PageQuery};
use crate::state::AppState;
use crate::telnyx::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::wire::{ErrorBody, Page, WebhookDelivery};

/// Telnyx's webhook bodies are small; anything near this is not from Telnyx.
const WEBHOOK_BODY_LIMIT: usize = 1024 * 1024;

pub fn configure_public(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/webhooks/telnyx")
            .app_data(web::PayloadConfig::new(WEBHOOK_BODY_LIMIT))
            .route(web::post().to(telnyx)),
    );
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/webhook-deliveries").route(web::get().to(recent)));
}

/// The query our receipt URLs carry (`?message_id=`).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ReceiptQuery {
    /// The message a receipt belongs to, as our send named it.
    pub message_id: Option<String>,
}

/// Telnyx messaging webhooks: signed with Ed25519 over `timestamp|body`; no bearer token.
#[utoipa::path(post, operation_id = "receive_telnyx_webhook", path = "/webhooks/telnyx", tag = "webhooks",
    request_body(content = serde_json::Value, description = "A Telnyx event envelope"),
    params(
        ReceiptQuery,
        ("telnyx-signature-ed25519" = String, Header, description = "base64 Ed25519 signature"),
        ("telnyx-timestamp" = String, Header, description = "Unix seconds"),
    ),
    responses((status = 200, description = "accepted (also for duplicates and unknown numbers)"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn telnyx(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let headers = SignatureHeaders {
        timestamp: header(TIMESTAMP_HEADER),
        signature: header(SIGNATURE_HEADER),
    };
    // A malformed value is ignored: the receipt is then matched by Telnyx's id alone.
    let context = DeliveryContext {
        sent_as: web::Query::<ReceiptQuery>::from_query(request.query_string())
            .ok()
            .and_then(|query| query.message_id.as_deref().and_then(|id| id.parse().ok())),
    };
    let outcome = super::receive(&state, headers, context, &body).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": outcome.as_str() })))
}

/// Recent webhook deliveries for the tenant: event type, signature check, outcome, error.
#[utoipa::path(get, operation_id = "list_webhook_deliveries", path = "/api/v1/webhook-deliveries", tag = "webhooks", params(PageQuery),
    responses((status = 200, body = Page<WebhookDelivery>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn recent(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<WebhookDelivery>>, ApiError> {
    let limit = page_size(query.limit)?;
    let before = Cursor::from_query(query.cursor.as_deref())?;
    let mut conn = state.db().await?;
    let rows = super::storage::recent(&mut conn, caller.tenant_id, before, limit + 1).await?;
    Ok(web::Json(page_from(rows, limit, |d| {
        Cursor::new(d.received_at, d.id)
    })))
}
