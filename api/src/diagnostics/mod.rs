//! Troubleshooting: the seed's list (messages not sending, AI not replying, conversations not
//! appearing) as data. The facts are gathered once; each check is a rule from its facts to a
//! status, a sentence saying what was found and, when something is wrong, what to do.

pub mod routes;

use std::time::Duration;

use diesel_async::AsyncPgConnection;

use crate::agent::generations;
use crate::ids::TenantId;
use crate::state::AppState;
use crate::wire::{CheckStatus, DiagnosticCheck, Diagnostics};
use crate::{assistants, jobs, phone_numbers, webhooks};

/// How long the AI provider has to answer the health check.
const AI_HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// How many recent webhook failures and AI errors the answer lists (and counts).
const RECENT: i64 = 20;

/// What the AI provider answered to the health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AiHealth {
    /// No provider is configured: the built-in demo responder writes the replies.
    OfflineDemo,
    Answers {
        model: String,
    },
    Fails(String),
    TimedOut,
}

/// The checks of the caller's tenant, with the webhook failures and AI errors of the last day.
pub async fn diagnose(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
) -> diesel::QueryResult<Diagnostics> {
    let now = state.clock.now();
    let day_ago = now - chrono::Duration::hours(24);
    let simulator = state.simulator.is_some();
    let numbers = phone_numbers::storage::list(conn, tenant_id).await?;
    let default = assistants::storage::find_default(conn, tenant_id).await?;
    let ai = ai_health(state).await;
    let recent_webhook_failures =
        webhooks::storage::recent_failures(conn, tenant_id, day_ago, RECENT).await?;
    let recent_ai_errors =
        generations::storage::errors_since(conn, tenant_id, day_ago, RECENT).await?;
    let (overdue, failed) = jobs::health(conn, tenant_id, now, day_ago).await?;
    let numbers: Vec<&str> = numbers.iter().map(|n| n.number.as_str()).collect();
    let checks = vec![
        telnyx_api_key(simulator),
        webhook_public_key(simulator, state.webhook_key.is_some()),
        webhook_url(&state.webhook_url()),
        phone_number(&numbers),
        default_assistant(default.as_ref().map(|a| a.name.as_str())),
        ai_provider(&ai),
        webhook_deliveries(recent_webhook_failures.len()),
        ai_generations(recent_ai_errors.len()),
        background_jobs(overdue, failed),
    ];
    Ok(Diagnostics {
        checks,
        recent_webhook_failures,
        recent_ai_errors,
    })
}

/// Asks the provider whether it answers, giving up after `AI_HEALTH_TIMEOUT`.
async fn ai_health(state: &AppState) -> AiHealth {
    if state.ai.is_offline_demo() {
        return AiHealth::OfflineDemo;
    }
    match tokio::time::timeout(AI_HEALTH_TIMEOUT, state.ai.health_check()).await {
        Ok(Ok(())) => AiHealth::Answers {
            model: state.settings.ai.model.clone(),
        },
        Ok(Err(error)) => AiHealth::Fails(error),
        Err(_) => AiHealth::TimedOut,
    }
}

fn check(
    name: &str,
    status: CheckStatus,
    detail: impl Into<String>,
    action: Option<&str>,
) -> DiagnosticCheck {
    DiagnosticCheck {
        name: name.into(),
        status,
        detail: detail.into(),
        action: action.map(str::to_string),
    }
}

/// Without a Telnyx API key the carrier simulator plays Telnyx: nothing reaches a phone.
pub fn telnyx_api_key(simulator: bool) -> DiagnosticCheck {
    if simulator {
        check(
            "telnyx_api_key",
            CheckStatus::Warning,
            "No Telnyx API key: messages go to the built-in carrier simulator, not to phones.",
            Some("Set TELNYX_API_KEY (Telnyx portal → API Keys) and restart to send real SMS."),
        )
    } else {
        check(
            "telnyx_api_key",
            CheckStatus::Ok,
            "A Telnyx API key is configured.",
            None,
        )
    }
}

/// Real Telnyx webhooks need the public key to be verified; without it every one is refused.
pub fn webhook_public_key(simulator: bool, key_configured: bool) -> DiagnosticCheck {
    match (simulator, key_configured) {
        (true, _) => check(
            "webhook_public_key",
            CheckStatus::Ok,
            "Webhooks are signed by the built-in simulator.",
            None,
        ),
        (false, true) => check(
            "webhook_public_key",
            CheckStatus::Ok,
            "Telnyx webhook signatures are verified with the configured public key.",
            None,
        ),
        (false, false) => check(
            "webhook_public_key",
            CheckStatus::Error,
            "TELNYX_PUBLIC_KEY is not set: every Telnyx webhook is refused, so inbound messages and delivery receipts are lost.",
            Some("Copy the public key from Telnyx portal → Account Settings → Keys & Credentials into TELNYX_PUBLIC_KEY."),
        ),
    }
}

/// Where Telnyx must post: always shown, since only the Telnyx portal knows if it matches.
pub fn webhook_url(url: &str) -> DiagnosticCheck {
    check(
        "webhook_url",
        CheckStatus::Ok,
        format!("Telnyx should post to {url}"),
        Some("Make this the webhook URL of your Telnyx messaging profile (PARLEY_PUBLIC_URL sets the host)."),
    )
}

/// Without a number nothing can be sent, and inbound messages find no tenant.
pub fn phone_number(numbers: &[&str]) -> DiagnosticCheck {
    if numbers.is_empty() {
        check(
            "phone_number",
            CheckStatus::Error,
            "The tenant has no Telnyx number: nothing can be sent and inbound messages cannot find the tenant.",
            Some("Add the number under phone numbers (E.164, e.g. +14165550100)."),
        )
    } else {
        check(
            "phone_number",
            CheckStatus::Ok,
            format!("Numbers: {}.", numbers.join(", ")),
            None,
        )
    }
}

/// Without a default assistant the first AI reply creates a generic one.
pub fn default_assistant(name: Option<&str>) -> DiagnosticCheck {
    match name {
        Some(name) => check(
            "default_assistant",
            CheckStatus::Ok,
            format!("Default SMS assistant: {name}."),
            None,
        ),
        None => check(
            "default_assistant",
            CheckStatus::Warning,
            "No default SMS assistant: one with a generic prompt is created at the first AI reply.",
            Some("Create an assistant for the SMS channel and mark it default, with a prompt about your business."),
        ),
    }
}

/// The offline demo is a warning (it works, but is not an AI); a provider that does not
/// answer is an error.
pub fn ai_provider(health: &AiHealth) -> DiagnosticCheck {
    match health {
        AiHealth::OfflineDemo => check(
            "ai_provider",
            CheckStatus::Warning,
            "No AI provider configured: the built-in offline demo responder writes the replies.",
            Some("Set PARLEY_AI_BASE_URL (any OpenAI-compatible endpoint), PARLEY_AI_API_KEY and PARLEY_AI_MODEL."),
        ),
        AiHealth::Answers { model } => check(
            "ai_provider",
            CheckStatus::Ok,
            format!("The AI provider answers (model {model})."),
            None,
        ),
        AiHealth::Fails(error) => check(
            "ai_provider",
            CheckStatus::Error,
            format!("The AI provider does not answer: {error}"),
            Some("Check PARLEY_AI_BASE_URL, PARLEY_AI_API_KEY and that the model exists."),
        ),
        AiHealth::TimedOut => check(
            "ai_provider",
            CheckStatus::Error,
            format!(
                "The AI provider did not answer within {} seconds.",
                AI_HEALTH_TIMEOUT.as_secs()
            ),
            Some("Check that PARLEY_AI_BASE_URL is reachable from this server."),
        ),
    }
}

/// Refused or failed webhooks of the last day (counted up to `RECENT`).
pub fn webhook_deliveries(failures: usize) -> DiagnosticCheck {
    if failures == 0 {
        check(
            "webhook_deliveries",
            CheckStatus::Ok,
            "No refused or failed webhooks in the last 24 hours.",
            None,
        )
    } else {
        check(
            "webhook_deliveries",
            CheckStatus::Warning,
            format!("{failures} webhook deliveries were refused or failed in the last 24 hours."),
            Some("Open the webhook log: a bad signature means TELNYX_PUBLIC_KEY does not match your Telnyx account."),
        )
    }
}

/// Failed AI generations of the last day (counted up to `RECENT`).
pub fn ai_generations(errors: usize) -> DiagnosticCheck {
    if errors == 0 {
        check(
            "ai_generations",
            CheckStatus::Ok,
            "No AI generation errors in the last 24 hours.",
            None,
        )
    } else {
        check(
            "ai_generations",
            CheckStatus::Warning,
            format!("{errors} AI generations failed in the last 24 hours."),
            Some("Look at the errors below: timeouts point at the provider, 401 at the key, 404 at the model name."),
        )
    }
}

/// Overdue jobs (no worker, or a provider down) and jobs that failed in the last day.
pub fn background_jobs(overdue: i64, failed: i64) -> DiagnosticCheck {
    if overdue == 0 && failed == 0 {
        check(
            "jobs",
            CheckStatus::Ok,
            "Background work is keeping up.",
            None,
        )
    } else {
        check(
            "jobs",
            CheckStatus::Warning,
            format!("{overdue} background jobs are overdue and {failed} failed in the last 24 hours."),
            Some("Overdue jobs mean no worker is running or Telnyx/the AI provider is down; failed sends show their error on the message."),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_and_action(check: &DiagnosticCheck) -> (CheckStatus, bool) {
        (check.status, check.action.is_some())
    }

    #[test]
    fn the_simulator_is_a_warning_and_a_key_is_ok() {
        let simulated = telnyx_api_key(true);
        assert_eq!(simulated.name, "telnyx_api_key");
        assert_eq!(status_and_action(&simulated), (CheckStatus::Warning, true));
        assert!(simulated.detail.contains("simulator"));
        assert_eq!(
            status_and_action(&telnyx_api_key(false)),
            (CheckStatus::Ok, false)
        );
    }

    #[test]
    fn only_real_telnyx_without_a_public_key_is_an_error() {
        assert_eq!(webhook_public_key(true, false).status, CheckStatus::Ok);
        assert_eq!(webhook_public_key(true, true).status, CheckStatus::Ok);
        assert_eq!(webhook_public_key(false, true).status, CheckStatus::Ok);
        let missing = webhook_public_key(false, false);
        assert_eq!(status_and_action(&missing), (CheckStatus::Error, true));
        assert!(missing.detail.starts_with("TELNYX_PUBLIC_KEY is not set"));
    }

    #[test]
    fn the_webhook_url_is_shown_with_what_to_do() {
        let url = webhook_url("https://parley.example/webhooks/telnyx");
        assert_eq!(status_and_action(&url), (CheckStatus::Ok, true));
        assert_eq!(
            url.detail,
            "Telnyx should post to https://parley.example/webhooks/telnyx"
        );
    }

    #[test]
    fn no_number_is_an_error_and_numbers_are_listed() {
        let none = phone_number(&[]);
        assert_eq!(status_and_action(&none), (CheckStatus::Error, true));
        let two = phone_number(&["+14165550100", "+14165550101"]);
        assert_eq!(status_and_action(&two), (CheckStatus::Ok, false));
        assert_eq!(two.detail, "Numbers: +14165550100, +14165550101.");
    }

    #[test]
    fn no_default_assistant_is_a_warning() {
        let none = default_assistant(None);
        assert_eq!(status_and_action(&none), (CheckStatus::Warning, true));
        let named = default_assistant(Some("Front desk"));
        assert_eq!(status_and_action(&named), (CheckStatus::Ok, false));
        assert_eq!(named.detail, "Default SMS assistant: Front desk.");
    }

    #[test]
    fn the_ai_provider_is_ok_only_when_it_answers() {
        let demo = ai_provider(&AiHealth::OfflineDemo);
        assert_eq!(status_and_action(&demo), (CheckStatus::Warning, true));
        assert!(demo.detail.contains("offline demo"));
        let answers = ai_provider(&AiHealth::Answers {
            model: "gpt-4o-mini".into(),
        });
        assert_eq!(status_and_action(&answers), (CheckStatus::Ok, false));
        assert_eq!(
            answers.detail,
            "The AI provider answers (model gpt-4o-mini)."
        );
        let fails = ai_provider(&AiHealth::Fails("401 Unauthorized".into()));
        assert_eq!(status_and_action(&fails), (CheckStatus::Error, true));
        assert_eq!(
            fails.detail,
            "The AI provider does not answer: 401 Unauthorized"
        );
        let slow = ai_provider(&AiHealth::TimedOut);
        assert_eq!(status_and_action(&slow), (CheckStatus::Error, true));
        assert_eq!(
            slow.detail,
            "The AI provider did not answer within 5 seconds."
        );
    }

    #[test]
    fn recent_failures_are_counted_as_warnings() {
        assert_eq!(webhook_deliveries(0).status, CheckStatus::Ok);
        let refused = webhook_deliveries(3);
        assert_eq!(status_and_action(&refused), (CheckStatus::Warning, true));
        assert!(refused.detail.starts_with("3 webhook deliveries"));
        assert_eq!(ai_generations(0).status, CheckStatus::Ok);
        let failed = ai_generations(2);
        assert_eq!(status_and_action(&failed), (CheckStatus::Warning, true));
        assert!(failed.detail.starts_with("2 AI generations failed"));
    }

    #[test]
    fn jobs_keep_up_only_when_none_is_overdue_or_failed() {
        let fine = background_jobs(0, 0);
        assert_eq!((fine.name.as_str(), fine.status), ("jobs", CheckStatus::Ok));
        for (overdue, failed) in [(1, 0), (0, 1), (4, 2)] {
            let behind = background_jobs(overdue, failed);
            assert_eq!(status_and_action(&behind), (CheckStatus::Warning, true));
            assert_eq!(
                behind.detail,
                format!("{overdue} background jobs are overdue and {failed} failed in the last 24 hours.")
            );
        }
    }
}
