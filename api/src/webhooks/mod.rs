//! Telnyx's webhooks: verify the signature over the raw body, log the delivery, deduplicate
//! on the event id, then hand the event to the part of the house it concerns. Answers fast:
//! everything slow happens in jobs.

pub mod routes;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;

use crate::error::ApiError;
use crate::inbound::{self, Received};
use crate::messages::receipts::{self, ReceiptOutcome};
use crate::state::AppState;
use crate::telnyx::signature;
use crate::telnyx::wire::{EventType as TelnyxEvent, WebhookEvent};
use crate::wire::DeliveryOutcome;
use storage::DeliveryRow;

/// What became of a delivery (also its `outcome` in the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Processed,
    Duplicate,
    /// A receipt that arrived before we recorded the send; a job applies it shortly.
    Deferred,
    /// An event type we do not act on.
    Ignored,
    /// Inbound to a number no tenant owns: logged, answered 200 so Telnyx stops retrying.
    UnknownNumber,
}

impl Outcome {
    /// As the log and Telnyx's answer name it.
    pub fn logged(self) -> DeliveryOutcome {
        match self {
            Outcome::Processed => DeliveryOutcome::Processed,
            Outcome::Duplicate => DeliveryOutcome::Duplicate,
            Outcome::Deferred => DeliveryOutcome::Deferred,
            Outcome::Ignored => DeliveryOutcome::Ignored,
            Outcome::UnknownNumber => DeliveryOutcome::UnknownNumber,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.logged().as_str()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("Webhook signatures cannot be checked: TELNYX_PUBLIC_KEY is not configured.")]
    NoPublicKey,
    #[error("The webhook signature is not valid: {0}.")]
    BadSignature(String),
    #[error("The webhook body is not a Telnyx event: {0}.")]
    Unreadable(String),
    #[error("The event could not be processed: {0}")]
    Failed(String),
}

impl From<WebhookError> for ApiError {
    fn from(error: WebhookError) -> Self {
        let message = error.to_string();
        match error {
            WebhookError::NoPublicKey => ApiError::unauthorized("signature_unverifiable", message),
            WebhookError::BadSignature(_) => ApiError::unauthorized("invalid_signature", message),
            WebhookError::Unreadable(_) => ApiError::bad_request("invalid_payload", None, message),
            // Not 2xx, so Telnyx delivers it again later.
            WebhookError::Failed(_) => ApiError::Unavailable {
                code: "processing_failed",
                message,
            },
        }
    }
}

pub struct SignatureHeaders<'a> {
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// What the delivery's URL said besides the body: the message a receipt belongs to, when we
/// sent it with a receipt URL naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliveryContext {
    pub sent_as: Option<crate::ids::MessageId>,
}

/// Verifies, logs and processes one delivery.
pub async fn receive(
    state: &AppState,
    headers: SignatureHeaders<'_>,
    context: DeliveryContext,
    raw: &[u8],
) -> Result<Outcome, WebhookError> {
    let now = state.clock.now();
    let mut log = DeliveryRow::new(raw, now);
    let result = process(state, &headers, context, raw, now, &mut log).await;
    match &result {
        // Written with the message, in its transaction.
        Ok(Handled {
            logged: true,
            outcome,
        }) => return Ok(*outcome),
        Ok(Handled { outcome, .. }) => log.outcome = outcome.logged(),
        Err(error) => {
            log.outcome = match error {
                WebhookError::NoPublicKey | WebhookError::BadSignature(_) => {
                    DeliveryOutcome::Rejected
                }
                _ => DeliveryOutcome::Failed,
            };
            log.error = Some(error.to_string());
        }
    }
    // The log is for troubleshooting; failing to write it must not fail the delivery.
    match state.pool.get().await {
        Ok(mut conn) => {
            if let Err(error) = storage::insert(&mut conn, &log).await {
                tracing::warn!(%error, "cannot log a webhook delivery");
            }
        }
        Err(error) => tracing::warn!(%error, "cannot log a webhook delivery"),
    }
    result.map(|handled| handled.outcome)
}

/// What `process` did with a delivery, and whether it already wrote the delivery's log entry.
struct Handled {
    outcome: Outcome,
    logged: bool,
}

impl From<Outcome> for Handled {
    fn from(outcome: Outcome) -> Self {
        Handled {
            outcome,
            logged: false,
        }
    }
}

async fn process(
    state: &AppState,
    headers: &SignatureHeaders<'_>,
    context: DeliveryContext,
    raw: &[u8],
    now: DateTime<Utc>,
    log: &mut DeliveryRow,
) -> Result<Handled, WebhookError> {
    let key = state
        .webhook_key
        .as_ref()
        .ok_or(WebhookError::NoPublicKey)?;
    // Freshness is about real time (replays), not the business clock that tests move.
    signature::verify(
        key,
        headers.timestamp,
        headers.signature,
        raw,
        chrono::Utc::now(),
    )
    .map_err(|error| WebhookError::BadSignature(error.to_string()))?;
    log.signature_ok = true;
    let event =
        WebhookEvent::parse(raw).map_err(|error| WebhookError::Unreadable(error.to_string()))?;
    log.event_id = Some(event.id().to_string());
    log.event_type = Some(event.data.event_type.clone());
    log.telnyx_message_id = Some(event.message_id().to_string()).filter(|id| !id.is_empty());
    log.attempt = event.attempt().map(|attempt| attempt as i32);
    match event.kind() {
        TelnyxEvent::MessageSent | TelnyxEvent::MessageFinalized => {
            apply_receipt(state, &event, context, raw, now, log).await
        }
        TelnyxEvent::MessageReceived => {
            let received = inbound::receive(state, &event, now, log)
                .await
                .map_err(|failure| {
                    log.tenant_id = failure.tenant_id;
                    WebhookError::Failed(failure.to_string())
                })?;
            Ok(match received {
                Received::Stored => Handled {
                    outcome: Outcome::Processed,
                    logged: true,
                },
                Received::Duplicate { tenant_id } => {
                    log.tenant_id = Some(tenant_id);
                    Outcome::Duplicate.into()
                }
                Received::UnknownNumber { numbers } => {
                    log.error = Some(format!("no tenant owns {numbers}"));
                    Outcome::UnknownNumber.into()
                }
                Received::NotAConversation { tenant_id, reason } => {
                    log.tenant_id = Some(tenant_id);
                    log.error = Some(reason);
                    Outcome::Ignored.into()
                }
            })
        }
        TelnyxEvent::Unknown(_) => Ok(Outcome::Ignored.into()),
    }
}

async fn apply_receipt(
    state: &AppState,
    event: &WebhookEvent,
    context: DeliveryContext,
    raw: &[u8],
    now: DateTime<Utc>,
    log: &mut DeliveryRow,
) -> Result<Handled, WebhookError> {
    let failed = |error: diesel::result::Error| WebhookError::Failed(error.to_string());
    let mut conn = state
        .pool
        .get()
        .await
        .map_err(|e| WebhookError::Failed(e.to_string()))?;
    let raw_text = String::from_utf8_lossy(raw).into_owned();
    let entry = &*log;
    let outcome = conn
        .transaction::<Outcome, diesel::result::Error, _>(async |conn| {
            let (outcome, tenant_id) = if !storage::mark_processed(conn, event.id(), now).await? {
                let tenant = crate::messages::storage::find_by_telnyx_id_for_update(
                    conn,
                    event.message_id(),
                )
                .await?
                .map(|m| m.tenant_id);
                (Outcome::Duplicate, tenant)
            } else {
                match receipts::apply(conn, event, context.sent_as, now).await? {
                    ReceiptOutcome::Applied { tenant_id, .. }
                    | ReceiptOutcome::Unchanged { tenant_id, .. } => {
                        (Outcome::Processed, Some(tenant_id))
                    }
                    ReceiptOutcome::Unknown => {
                        receipts::defer(conn, &raw_text, context.sent_as, now).await?;
                        (Outcome::Deferred, None)
                    }
                }
            };
            // The delivery's log entry commits with what it did: one commit per receipt.
            let logged = DeliveryRow {
                tenant_id,
                outcome: outcome.logged(),
                ..entry.clone()
            };
            storage::insert(conn, &logged).await?;
            Ok(outcome)
        })
        .await
        .map_err(failed)?;
    if outcome == Outcome::Deferred {
        state
            .jobs_wake
            .notify_in(crate::jobs::JobKind::ApplyReceipt, receipts::DEFER);
    }
    Ok(Handled {
        outcome,
        logged: true,
    })
}
