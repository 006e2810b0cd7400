//! `GET /api/v1/diagnostics`: the seed's troubleshooting list as data, each check with what
//! to do when it fails: messages not sending, AI not replying, conversations not appearing.

use std::time::Duration;

use actix_web::web;

use crate::agent::generations;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{DiagnosticCheck, Diagnostics, ErrorBody};
use crate::{assistants, jobs, phone_numbers, webhooks};

const AI_HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/diagnostics").route(web::get().to(get)));
}

fn check(
    name: &str,
    status: &str,
    detail: impl Into<String>,
    action: Option<&str>,
) -> DiagnosticCheck {
    DiagnosticCheck {
        name: name.into(),
        status: status.into(),
        detail: detail.into(),
        action: action.map(str::to_string),
    }
}

/// Troubleshooting checks with what to do for each failing one, recent webhook failures and
/// recent AI errors.
#[utoipa::path(get, operation_id = "get_diagnostics", path = "/api/v1/diagnostics", tag = "operations",
    responses((status = 200, body = Diagnostics), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Diagnostics>, ApiError> {
    let now = state.clock.now();
    let day_ago = now - chrono::Duration::hours(24);
    let mut conn = state.db().await?;
    let mut checks = Vec::new();

    let simulator = state.simulator.is_some();
    checks.push(if simulator {
        check(
            "telnyx_api_key",
            "warning",
            "No Telnyx API key: messages go to the built-in carrier simulator, not to phones.",
            Some("Set TELNYX_API_KEY (Telnyx portal → API Keys) and restart to send real SMS."),
        )
    } else {
        check(
            "telnyx_api_key",
            "ok",
            "A Telnyx API key is configured.",
            None,
        )
    });
    checks.push(match (simulator, state.webhook_key.is_some()) {
        (true, _) => check("webhook_public_key", "ok", "Webhooks are signed by the built-in simulator.", None),
        (false, true) => check("webhook_public_key", "ok", "Telnyx webhook signatures are verified with the configured public key.", None),
        (false, false) => check("webhook_public_key", "error", "TELNYX_PUBLIC_KEY is not set: every Telnyx webhook is refused, so inbound messages and delivery receipts are lost.",
            Some("Copy the public key from Telnyx portal → Account Settings → Keys & Credentials into TELNYX_PUBLIC_KEY.")),
    });
    checks.push(check("webhook_url", "ok", format!("Telnyx should post to {}", state.webhook_url()),
        Some("Make this the webhook URL of your Telnyx messaging profile (PARLEY_PUBLIC_URL sets the host).")));

    let numbers = phone_numbers::storage::list(&mut conn, caller.tenant_id).await?;
    checks.push(if numbers.is_empty() {
        check("phone_number", "error", "The tenant has no Telnyx number: nothing can be sent and inbound messages cannot find the tenant.",
            Some("Add the number under phone numbers (E.164, e.g. +14165550100)."))
    } else {
        let list: Vec<&str> = numbers.iter().map(|n| n.number.as_str()).collect();
        check("phone_number", "ok", format!("Numbers: {}.", list.join(", ")), None)
    });

    checks.push(match assistants::storage::find_default(&mut conn, caller.tenant_id).await? {
        Some(assistant) => check("default_assistant", "ok", format!("Default SMS assistant: {}.", assistant.name), None),
        None => check("default_assistant", "warning", "No default SMS assistant: one with a generic prompt is created at the first AI reply.",
            Some("Create an assistant for the SMS channel and mark it default, with a prompt about your business.")),
    });

    checks.push(if state.ai.is_offline_demo() {
        check("ai_provider", "warning", "No AI provider configured: the built-in offline demo responder writes the replies.",
            Some("Set PARLEY_AI_BASE_URL (any OpenAI-compatible endpoint), PARLEY_AI_API_KEY and PARLEY_AI_MODEL."))
    } else {
        match tokio::time::timeout(AI_HEALTH_TIMEOUT, state.ai.health_check()).await {
            Ok(Ok(())) => check("ai_provider", "ok", format!("The AI provider answers (model {}).", state.settings.ai.model), None),
            Ok(Err(error)) => check("ai_provider", "error", format!("The AI provider does not answer: {error}"),
                Some("Check PARLEY_AI_BASE_URL, PARLEY_AI_API_KEY and that the model exists.")),
            Err(_) => check("ai_provider", "error", "The AI provider did not answer within 5 seconds.",
                Some("Check that PARLEY_AI_BASE_URL is reachable from this server.")),
        }
    });

    let recent_webhook_failures =
        webhooks::storage::recent_failures(&mut conn, caller.tenant_id, day_ago, 20).await?;
    checks.push(if recent_webhook_failures.is_empty() {
        check("webhook_deliveries", "ok", "No refused or failed webhooks in the last 24 hours.", None)
    } else {
        check("webhook_deliveries", "warning", format!("{} webhook deliveries were refused or failed in the last 24 hours.", recent_webhook_failures.len()),
            Some("Open the webhook log: a bad signature means TELNYX_PUBLIC_KEY does not match your Telnyx account."))
    });

    let recent_ai_errors = generations::recent(&mut conn, caller.tenant_id, true, None, 20)
        .await?
        .into_iter()
        .filter(|g| g.created_at >= day_ago)
        .collect::<Vec<_>>();
    checks.push(if recent_ai_errors.is_empty() {
        check("ai_generations", "ok", "No AI generation errors in the last 24 hours.", None)
    } else {
        check("ai_generations", "warning", format!("{} AI generations failed in the last 24 hours.", recent_ai_errors.len()),
            Some("Look at the errors below: timeouts point at the provider, 401 at the key, 404 at the model name."))
    });

    let (overdue, failed) = jobs::health(&mut conn, caller.tenant_id.into(), now, day_ago).await?;
    checks.push(match (overdue, failed) {
        (0, 0) => check("jobs", "ok", "Background work is keeping up.", None),
        (overdue, failed) => check("jobs", "warning", format!("{overdue} background jobs are overdue and {failed} failed in the last 24 hours."),
            Some("Overdue jobs mean no worker is running or Telnyx/the AI provider is down; failed sends show their error on the message.")),
    });

    Ok(web::Json(Diagnostics {
        checks,
        recent_webhook_failures,
        recent_ai_errors,
    }))
}
