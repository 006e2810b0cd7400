//! Simulator mode for people trying Parley without a Telnyx account: the SPA's "simulate an
//! inbound SMS" goes through the built-in carrier simulator, which posts a signed
//! `message.received` webhook exactly as Telnyx would.

use actix_web::web;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::phone::E164;
use crate::state::AppState;
use crate::wire::{ErrorBody, SimulateInbound, SimulatedInbound, SimulatorStatus};
use crate::{phone_numbers, tenants};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/simulator").route(web::get().to(status)))
        .service(web::resource("/simulator/inbound").route(web::post().to(inbound)));
}

/// Whether the built-in carrier simulator is in use.
#[utoipa::path(get, operation_id = "get_simulator_status", path = "/api/v1/simulator", tag = "simulator",
    responses((status = 200, body = SimulatorStatus)), security(("bearer" = [])))]
pub async fn status(state: web::Data<AppState>, _caller: Caller) -> web::Json<SimulatorStatus> {
    web::Json(SimulatorStatus {
        enabled: state.simulator.is_some(),
    })
}

/// Simulates a customer texting one of the tenant's numbers (simulator mode only).
#[utoipa::path(post, operation_id = "simulate_inbound", path = "/api/v1/simulator/inbound", tag = "simulator", request_body = SimulateInbound,
    responses((status = 202, body = SimulatedInbound),
        (status = 404, description = "`to` is not one of the tenant's numbers", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn inbound(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<SimulateInbound>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let Some(simulator) = state.simulator.clone() else {
        return Err(ApiError::conflict(
            "simulator_disabled",
            None,
            "Parley is connected to Telnyx; real customers' messages arrive by themselves.",
        ));
    };
    let body = body.into_inner();
    let media_ids = body.media_ids.clone().unwrap_or_default();
    if body.media_ids.is_some()
        && (media_ids.is_empty() || media_ids.len() > crate::media::MAX_MEDIA_PER_MESSAGE)
    {
        return Err(ApiError::invalid(
            "invalid_media_ids",
            "media_ids",
            "An MMS carries 1 to 10 items.",
        ));
    }
    if crate::text::is_blank(&body.text) && media_ids.is_empty() {
        return Err(ApiError::invalid(
            "empty_message",
            "text",
            "Write the customer's message.",
        ));
    }
    if crate::text::length(&body.text) > crate::messages::MAX_TEXT_CHARS {
        return Err(ApiError::invalid(
            "message_too_long",
            "text",
            format!(
                "A customer's text holds at most {} characters.",
                crate::messages::MAX_TEXT_CHARS
            ),
        ));
    }
    let mut conn = state.db().await?;
    let tenant = tenants::storage::find(&mut conn, caller.tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let from = E164::parse(&body.from, &tenant.default_region)
        .map_err(|error| ApiError::invalid("invalid_phone_number", "from", error.to_string()))?;
    let numbers = phone_numbers::storage::list(&mut conn, caller.tenant_id).await?;
    let to = match body.to {
        Some(to) => numbers
            .into_iter()
            .find(|number| number.number == to.trim())
            // Like any reference, a number the tenant does not have is a 404.
            .ok_or_else(|| ApiError::not_found("phone number"))?,
        None => numbers.into_iter().next().ok_or_else(|| {
            ApiError::conflict(
                "no_phone_number",
                None,
                "The tenant has no number for customers to text.",
            )
        })?,
    };
    drop(conn);
    // The simulator serves the items itself, as Telnyx serves a customer's media.
    let mut media_urls = Vec::with_capacity(media_ids.len());
    for id in media_ids {
        let (item, bytes) = crate::media::read(&state, caller.tenant_id, id)
            .await
            .map_err(|error| match error {
                crate::media::MediaError::NotFound => ApiError::invalid(
                    "unknown_media",
                    "media_ids",
                    format!("No uploaded item has the id {id}."),
                ),
                other => other.into(),
            })?;
        media_urls.push(simulator.host_media(&item.content_type, bytes.to_vec()));
    }
    let result = simulator
        .send_inbound_message(crate::telnyx::simulator::InboundRequest {
            from: from.as_str().to_string(),
            to: to.number.clone(),
            text: body.text.clone(),
            media_urls,
        })
        .await
        .map_err(|error| ApiError::internal(format!("simulator: {error}")))?;
    Ok(actix_web::HttpResponse::Accepted().json(SimulatedInbound {
        telnyx_message_id: result.id,
        webhook_status: result.status,
    }))
}
