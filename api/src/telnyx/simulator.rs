//! The built-in carrier simulator: a small fake of Telnyx's messages API, so the real client,
//! signatures and webhooks run locally and in tests without a Telnyx account.
//!
//! - `POST /v2/messages` checks the bearer token and the body as Telnyx does, answers with a
//!   message record in Telnyx's shape, then posts signed `message.sent` and
//!   `message.finalized` webhooks (three attempts per URL, like Telnyx). A destination
//!   ending in `0000` fails delivery with error 40008.
//! - `POST /sim/inbound` posts a signed `message.received` webhook, as a customer's text.
//! - `GET|POST|DELETE /sim/faults` injects failures: sends that answer 500, 429 or 4xx, or
//!   hang; webhooks duplicated, reordered, delayed or dropped. The same from Rust through
//!   [`SimulatorHandle::faults`].
//! - `GET /sim/messages`, `GET /sim/webhooks`: what was accepted and delivered.
//! - `GET /sim/public-key`, `POST /sim/webhook-url`.
//!
//! The webhook URL of the simulated messaging profile serves inbound messages and the
//! receipts of messages sent without a `webhook_url` of their own, as on Telnyx.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::signature::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::wire::{
    error_title, format_timestamp, Cost, DeliveryStatus, Endpoint, ErrorMeta, EventType, Media,
    MessageRecord, MessageResponse, Recipient, TelnyxErrorBody, TelnyxErrorObject, WebhookEvent,
    WebhookMeta,
};
use crate::phone::E164;
use crate::sms;

/// Telnyx's limit without chunking: more parts than this is refused with 40302.
const MAX_PARTS: u32 = 10;
const MAX_MEDIA_URLS: usize = 10;
/// Telnyx tries each webhook URL this many times.
const ATTEMPTS_PER_URL: u32 = 3;
/// Destinations ending in this fail delivery (demo data, tests).
const FAILING_SUFFIX: &str = "0000";
const CARRIER: &str = "Parley Simulated Carrier";
const PRICE_PER_PART: f64 = 0.004;

#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// Port 0 picks a free port.
    pub listen: SocketAddr,
    /// The simulated messaging profile's webhook URL (also settable later).
    pub webhook_url: Option<String>,
    /// The Ed25519 key's seed; random when `None`.
    pub seed: Option<[u8; 32]>,
    /// How long a `hang` fault holds a send before answering 504.
    pub hang: Duration,
    /// Pause before each delivery receipt.
    pub receipt_delay: Duration,
    /// How long one webhook delivery may take before it counts as failed.
    pub webhook_timeout: Duration,
    /// Pause between attempts at a failing webhook URL.
    pub retry_backoff: Duration,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            webhook_url: None,
            seed: None,
            hang: Duration::from_secs(30),
            receipt_delay: Duration::from_millis(20),
            webhook_timeout: Duration::from_secs(5),
            retry_backoff: Duration::from_millis(100),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    #[error("the carrier simulator cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("the carrier simulator cannot start: {0}")]
    Setup(String),
    #[error("`{0}` is not an http:// or https:// URL")]
    InvalidUrl(String),
    #[error("no webhook URL is set for inbound messages")]
    NoWebhookUrl,
    #[error("`{field}`: {reason}")]
    InvalidNumber { field: &'static str, reason: String },
}

/// A send the simulator accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedMessage {
    pub id: String,
    pub from: String,
    pub to: String,
    pub text: String,
    pub media_urls: Vec<String>,
    pub webhook_url: Option<String>,
    pub accepted_at: DateTime<Utc>,
    /// How delivery will end (`delivered`, or `delivery_failed` for `...0000`).
    pub final_status: DeliveryStatus,
}

/// One attempt at posting a webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub event_id: String,
    pub event_type: String,
    pub message_id: String,
    pub url: String,
    pub attempt: u32,
    /// The receiver's HTTP status; `None` when no answer came.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

/// What happened to a simulated inbound message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundResult {
    /// The message id (`payload.id`).
    pub id: String,
    pub event_id: String,
    /// Our endpoint's last answer; `None` if it never answered or the webhook was dropped.
    pub status: Option<u16>,
    pub attempts: u32,
    pub dropped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl InboundResult {
    pub fn accepted(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

/// `POST /sim/inbound` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundRequest {
    /// The customer's number.
    pub from: String,
    /// Our tenant's number.
    pub to: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub media_urls: Vec<String>,
}

/// How the next sends fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum SendFaultKind {
    /// 500 with Telnyx's error 10007.
    ServerError,
    /// 429 with error 10011 and, when given, `Retry-After`.
    RateLimited {
        #[serde(default)]
        retry_after_seconds: Option<u64>,
    },
    /// A refusal with this code (default 40305) and status (default 422).
    Rejected {
        #[serde(default = "default_reject_code")]
        code: String,
        #[serde(default = "default_reject_status")]
        status: u16,
    },
    /// No answer for `seconds` (default: the config's `hang`), then 504.
    Hang {
        #[serde(default)]
        seconds: Option<u64>,
    },
    /// Accepts the message (webhooks follow) but holds the answer like `Hang`: the case where
    /// a client times out although Telnyx took the message.
    AcceptThenHang {
        #[serde(default)]
        seconds: Option<u64>,
    },
}

fn default_reject_code() -> String {
    "40305".to_string()
}

fn default_reject_status() -> u16 {
    422
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendFault {
    #[serde(flatten)]
    pub kind: SendFaultKind,
    /// How many of the next sends fail this way.
    #[serde(default = "one")]
    pub count: u32,
}

/// Webhook faults apply to every webhook until cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookFaults {
    /// Each event is delivered this many times (0 and 1 mean once).
    #[serde(default)]
    pub duplicate: u32,
    /// `message.finalized` before `message.sent`.
    #[serde(default)]
    pub reorder: bool,
    /// Pause before each event.
    #[serde(default)]
    pub delay_ms: u64,
    /// No webhooks at all.
    #[serde(default)]
    pub drop: bool,
}

/// `POST /sim/faults` body; the parts given replace the current ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    #[serde(default)]
    pub send: Option<SendFault>,
    #[serde(default)]
    pub webhooks: Option<WebhookFaults>,
}

/// What the simulator shares between its workers, delivery tasks and handle.
struct Shared {
    config: SimulatorConfig,
    signing_key: SigningKey,
    messaging_profile_id: String,
    webhook_url: Mutex<Option<String>>,
    faults: Mutex<FaultConfig>,
    messages: Mutex<Vec<SimulatedMessage>>,
    deliveries: Mutex<Vec<WebhookDelivery>>,
    http: reqwest::Client,
}

/// A poisoned lock only means a panic elsewhere; the data is still usable for a fake.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn check_url(url: &str) -> Result<String, SimulatorError> {
    let trimmed = url.trim();
    match reqwest::Url::parse(trimmed) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {
            Ok(trimmed.to_string())
        }
        _ => Err(SimulatorError::InvalidUrl(url.to_string())),
    }
}

impl Shared {
    fn webhook_url(&self) -> Option<String> {
        lock(&self.webhook_url).clone()
    }

    fn webhook_faults(&self) -> WebhookFaults {
        lock(&self.faults).webhooks.clone().unwrap_or_default()
    }

    /// The fault for this send, if one is pending; counts it down.
    fn take_send_fault(&self) -> Option<SendFaultKind> {
        let mut faults = lock(&self.faults);
        let pending = faults.send.as_mut()?;
        if pending.count == 0 {
            faults.send = None;
            return None;
        }
        pending.count -= 1;
        let kind = pending.kind.clone();
        if pending.count == 0 {
            faults.send = None;
        }
        Some(kind)
    }

    fn apply_faults(&self, update: FaultConfig) -> FaultConfig {
        let mut faults = lock(&self.faults);
        if update.send.is_some() {
            faults.send = update.send.filter(|fault| fault.count > 0);
        }
        if update.webhooks.is_some() {
            faults.webhooks = update.webhooks;
        }
        faults.clone()
    }

    fn hang_for(&self, seconds: Option<u64>) -> Duration {
        seconds.map(Duration::from_secs).unwrap_or(self.config.hang)
    }

    /// Posts one event to the first URL that takes it, trying each up to three times.
    async fn deliver(&self, urls: &[String], mut event: WebhookEvent) -> Outcome {
        let mut last = Outcome {
            status: None,
            error: Some("no webhook URL".to_string()),
            attempts: 0,
        };
        let mut attempts = 0;
        for url in urls {
            for attempt in 1..=ATTEMPTS_PER_URL {
                if attempt > 1 {
                    tokio::time::sleep(self.config.retry_backoff).await;
                }
                attempts += 1;
                event.meta = Some(WebhookMeta {
                    attempt: Some(attempt),
                    delivered_to: Some(url.clone()),
                });
                let (status, error) = self.post_once(url, &event).await;
                lock(&self.deliveries).push(WebhookDelivery {
                    event_id: event.id().to_string(),
                    event_type: event.data.event_type.clone(),
                    message_id: event.message_id().to_string(),
                    url: url.clone(),
                    attempt,
                    status,
                    error: error.clone(),
                    at: Utc::now(),
                });
                last = Outcome {
                    status,
                    error,
                    attempts,
                };
                if last.succeeded() {
                    return last;
                }
            }
        }
        last
    }

    async fn post_once(&self, url: &str, event: &WebhookEvent) -> (Option<u16>, Option<String>) {
        let body = match serde_json::to_vec(event) {
            Ok(body) => body,
            Err(error) => return (None, Some(error.to_string())),
        };
        let timestamp = Utc::now().timestamp();
        let signature = signature::sign(&self.signing_key, timestamp, &body);
        let sent = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                (Some(response.status().as_u16()), None)
            }
            Ok(response) => {
                let status = response.status().as_u16();
                (Some(status), Some(format!("HTTP {status}")))
            }
            Err(error) => (None, Some(error.without_url().to_string())),
        }
    }

    /// Delivers `event` as the webhook faults say; answers the first copy's outcome.
    async fn deliver_with_faults(
        &self,
        urls: &[String],
        event: WebhookEvent,
        faults: &WebhookFaults,
    ) -> Option<Outcome> {
        if faults.drop {
            return None;
        }
        if faults.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(faults.delay_ms)).await;
        }
        let mut first = None;
        for _ in 0..faults.duplicate.max(1) {
            let outcome = self.deliver(urls, event.clone()).await;
            first.get_or_insert(outcome);
        }
        first
    }

    /// `message.sent` then `message.finalized` (or the other way round, as faults say).
    async fn send_receipts(self: Arc<Self>, record: MessageRecord, urls: Vec<String>) {
        let faults = self.webhook_faults();
        let fails = record
            .to_number()
            .is_some_and(|number| number.ends_with(FAILING_SUFFIX));
        tokio::time::sleep(self.config.receipt_delay).await;
        let sent_at = Utc::now();
        let mut sent = record;
        set_status(&mut sent, DeliveryStatus::Sent);
        sent.sent_at = Some(format_timestamp(sent_at));
        let sent_event = WebhookEvent::new(EventType::MessageSent, sent.clone(), sent_at);

        let completed_at = sent_at + chrono::Duration::milliseconds(1);
        let mut finalized = sent;
        finalized.completed_at = Some(format_timestamp(completed_at));
        if fails {
            set_status(&mut finalized, DeliveryStatus::DeliveryFailed);
            finalized.errors = vec![TelnyxErrorObject::new(
                "40008",
                "Undeliverable",
                "The recipient's carrier did not accept the message (simulated: destinations ending in 0000 always fail).",
            )];
        } else {
            set_status(&mut finalized, DeliveryStatus::Delivered);
        }
        let finalized_event =
            WebhookEvent::new(EventType::MessageFinalized, finalized, completed_at);

        let events = if faults.reorder {
            [finalized_event, sent_event]
        } else {
            [sent_event, finalized_event]
        };
        for (index, event) in events.into_iter().enumerate() {
            if index > 0 {
                tokio::time::sleep(self.config.receipt_delay).await;
            }
            self.deliver_with_faults(&urls, event, &faults).await;
        }
    }

    async fn inbound(&self, request: InboundRequest) -> Result<InboundResult, SimulatorError> {
        let number = |field: &'static str, text: &str| {
            E164::parse_e164(text).map_err(|error| SimulatorError::InvalidNumber {
                field,
                reason: error.to_string(),
            })
        };
        let from = number("from", &request.from)?;
        let to = number("to", &request.to)?;
        let url = self.webhook_url().ok_or(SimulatorError::NoWebhookUrl)?;
        let now = Utc::now();
        let info = sms::analyze(&request.text);
        let record = MessageRecord {
            id: uuid::Uuid::new_v4().to_string(),
            record_type: Some("message".to_string()),
            direction: Some("inbound".to_string()),
            from: Some(Endpoint {
                phone_number: Some(from.into_string()),
                carrier: Some(CARRIER.to_string()),
                line_type: Some("Wireless".to_string()),
            }),
            to: vec![Recipient {
                phone_number: Some(to.into_string()),
                status: Some("webhook_delivered".to_string()),
                carrier: Some("Telnyx".to_string()),
                line_type: Some("VoIP".to_string()),
            }],
            text: Some(request.text.clone()),
            encoding: Some(info.encoding.as_str().to_string()),
            parts: Some(info.segments.max(1)),
            r#type: Some(message_type(&request.media_urls).to_string()),
            received_at: Some(format_timestamp(now)),
            messaging_profile_id: Some(self.messaging_profile_id.clone()),
            media: media(&request.media_urls),
            webhook_url: Some(url.clone()),
            ..MessageRecord::default()
        };
        let event = WebhookEvent::new(EventType::MessageReceived, record, now);
        let (id, event_id) = (event.message_id().to_string(), event.id().to_string());
        let outcome = self
            .deliver_with_faults(&[url], event, &self.webhook_faults())
            .await;
        Ok(match outcome {
            Some(outcome) => InboundResult {
                id,
                event_id,
                status: outcome.status,
                attempts: outcome.attempts,
                dropped: false,
                error: outcome.error,
            },
            None => InboundResult {
                id,
                event_id,
                status: None,
                attempts: 0,
                dropped: true,
                error: None,
            },
        })
    }
}

/// How the delivery of one event ended: the last attempt's answer.
struct Outcome {
    status: Option<u16>,
    error: Option<String>,
    attempts: u32,
}

impl Outcome {
    fn succeeded(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

fn set_status(record: &mut MessageRecord, status: DeliveryStatus) {
    for recipient in &mut record.to {
        recipient.status = Some(status.as_str().to_string());
    }
}

fn message_type(media_urls: &[String]) -> &'static str {
    if media_urls.is_empty() {
        "SMS"
    } else {
        "MMS"
    }
}

fn media(urls: &[String]) -> Vec<Media> {
    urls.iter()
        .map(|url| Media {
            url: Some(url.clone()),
            ..Media::default()
        })
        .collect()
}

/// A refused send: Telnyx's status and error, with its title and documentation link.
struct Refusal {
    status: StatusCode,
    /// Boxed: the error is large and refusals are the rare path.
    error: Box<TelnyxErrorObject>,
}

impl Refusal {
    fn new(
        status: StatusCode,
        code: &str,
        detail: impl Into<String>,
        pointer: Option<&str>,
    ) -> Self {
        let mut error = TelnyxErrorObject::new(code, error_title(code).unwrap_or("Error"), detail);
        if let Some(pointer) = pointer {
            error = error.at(pointer);
        }
        error.meta = Some(ErrorMeta {
            url: Some(format!(
                "https://developers.telnyx.com/docs/overview/errors/{code}"
            )),
        });
        Refusal {
            status,
            error: Box::new(error),
        }
    }

    fn response(self) -> HttpResponse {
        HttpResponse::build(self.status).json(TelnyxErrorBody::single(*self.error))
    }
}

/// Telnyx's error body for `code`.
fn telnyx_error(status: StatusCode, code: &str, detail: &str) -> HttpResponse {
    Refusal::new(status, code, detail, None).response()
}

/// A send as the simulator read it, after Telnyx's checks.
struct ValidSend {
    from: String,
    to: String,
    text: String,
    media_urls: Vec<String>,
    subject: Option<String>,
    messaging_profile_id: Option<String>,
    webhook_url: Option<String>,
    webhook_failover_url: Option<String>,
    use_profile_webhooks: bool,
}

/// Telnyx's checks of `POST /v2/messages`. Telnyx documents 40310 as HTTP 400; we answer the
/// other 403xx refusals the same way and missing fields with 422.
fn validate(body: &[u8]) -> Result<ValidSend, Refusal> {
    let refuse = |status: StatusCode, code: &str, detail: String, pointer: &str| {
        Refusal::new(status, code, detail, Some(pointer))
    };
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "10015",
            format!("The request body is not valid JSON: {error}"),
            None,
        )
    })?;
    let Value::Object(fields) = value else {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "10015",
            "The request body must be a JSON object.",
            None,
        ));
    };
    let text_field = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
    };
    // `to` may be a string or an array of exactly one (Telnyx has no multi-destination send).
    let to = match fields.get("to") {
        None | Some(Value::Null) => None,
        Some(Value::String(to)) => Some(to.trim().to_string()).filter(|to| !to.is_empty()),
        Some(Value::Array(items)) if items.len() == 1 => items[0].as_str().map(str::to_string),
        Some(_) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "40310",
                "The 'to' address should be a single valid number.".to_string(),
                "/to",
            ))
        }
    };
    let Some(to) = to else {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "10004",
            "The 'to' parameter is required.".to_string(),
            "/to",
        ));
    };
    let Some(from) = text_field("from") else {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "10004",
            "The 'from' parameter is required when sending from a phone number.".to_string(),
            "/from",
        ));
    };
    let from = E164::parse_e164(&from).map_err(|error| {
        refuse(
            StatusCode::BAD_REQUEST,
            "40305",
            format!("Invalid 'from' address: {error}"),
            "/from",
        )
    })?;
    let to = E164::parse_e164(&to).map_err(|error| {
        refuse(
            StatusCode::BAD_REQUEST,
            "40310",
            format!("The 'to' address must be a valid +E.164 number: {error}"),
            "/to",
        )
    })?;
    let text = fields
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let media_urls: Vec<String> = match fields.get("media_urls") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "40317",
                    "'media_urls' must be an array of URLs.".to_string(),
                    "/media_urls",
                )
            })?,
        Some(_) => {
            return Err(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "40317",
                "'media_urls' must be an array of URLs.".to_string(),
                "/media_urls",
            ))
        }
    };
    if text.trim().is_empty() && media_urls.is_empty() {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "40316",
            "Provide 'text' (SMS) or 'media_urls' (MMS).".to_string(),
            "/text",
        ));
    }
    if media_urls.len() > MAX_MEDIA_URLS || media_urls.iter().any(|url| check_url(url).is_err()) {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "40317",
            format!("An MMS takes at most {MAX_MEDIA_URLS} http(s) media URLs."),
            "/media_urls",
        ));
    }
    if media_urls.is_empty() {
        let parts = sms::analyze(&text).segments;
        if parts > MAX_PARTS {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "40302",
                format!("The SMS message would be divided into {parts} parts. The maximum is {MAX_PARTS}."),
                "/text",
            ));
        }
    }
    let mut urls = Vec::new();
    for (name, pointer) in [
        ("webhook_url", "/webhook_url"),
        ("webhook_failover_url", "/webhook_failover_url"),
    ] {
        let url = match text_field(name) {
            Some(url) => Some(check_url(&url).map_err(|_| {
                refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "10003",
                    format!("'{name}' is not a valid http(s) URL."),
                    pointer,
                )
            })?),
            None => None,
        };
        urls.push(url);
    }
    let webhook_failover_url = urls.pop().flatten();
    let webhook_url = urls.pop().flatten();
    Ok(ValidSend {
        from: from.into_string(),
        to: to.into_string(),
        text,
        media_urls,
        subject: text_field("subject"),
        messaging_profile_id: text_field("messaging_profile_id"),
        webhook_url,
        webhook_failover_url,
        use_profile_webhooks: fields
            .get("use_profile_webhooks")
            .and_then(Value::as_bool)
            .unwrap_or(true),
    })
}

fn authorized(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| !token.trim().is_empty())
        })
        .unwrap_or(false)
}

/// Records the message, schedules its receipts and builds Telnyx's answer.
fn accept(shared: &Arc<Shared>, send: ValidSend) -> HttpResponse {
    let now = Utc::now();
    let info = sms::analyze(&send.text);
    let parts = info.segments.max(1);
    let fails = send.to.ends_with(FAILING_SUFFIX);
    let record = MessageRecord {
        id: uuid::Uuid::new_v4().to_string(),
        record_type: Some("message".to_string()),
        direction: Some("outbound".to_string()),
        from: Some(Endpoint {
            phone_number: Some(send.from.clone()),
            carrier: Some("Telnyx".to_string()),
            line_type: Some("VoIP".to_string()),
        }),
        to: vec![Recipient {
            phone_number: Some(send.to.clone()),
            status: Some(DeliveryStatus::Queued.as_str().to_string()),
            carrier: Some(CARRIER.to_string()),
            line_type: Some("Wireless".to_string()),
        }],
        text: Some(send.text.clone()),
        subject: send.subject.clone(),
        encoding: Some(info.encoding.as_str().to_string()),
        parts: Some(parts),
        r#type: Some(message_type(&send.media_urls).to_string()),
        cost: Some(Cost {
            amount: Some(format!("{:.4}", PRICE_PER_PART * f64::from(parts))),
            currency: Some("USD".to_string()),
        }),
        received_at: Some(format_timestamp(now)),
        sent_at: None,
        completed_at: None,
        errors: Vec::new(),
        messaging_profile_id: Some(
            send.messaging_profile_id
                .clone()
                .unwrap_or_else(|| shared.messaging_profile_id.clone()),
        ),
        media: media(&send.media_urls),
        webhook_url: send.webhook_url.clone(),
        webhook_failover_url: send.webhook_failover_url.clone(),
    };
    lock(&shared.messages).push(SimulatedMessage {
        id: record.id.clone(),
        from: send.from,
        to: send.to,
        text: send.text,
        media_urls: send.media_urls,
        webhook_url: send.webhook_url.clone(),
        accepted_at: now,
        final_status: if fails {
            DeliveryStatus::DeliveryFailed
        } else {
            DeliveryStatus::Delivered
        },
    });
    // The message's own URLs first, then the profile's (as Telnyx orders them).
    let mut urls: Vec<String> = [send.webhook_url, send.webhook_failover_url]
        .into_iter()
        .flatten()
        .collect();
    if send.use_profile_webhooks || urls.is_empty() {
        if let Some(profile_url) = shared.webhook_url() {
            if !urls.contains(&profile_url) {
                urls.push(profile_url);
            }
        }
    }
    if !urls.is_empty() {
        tokio::spawn(shared.clone().send_receipts(record.clone(), urls));
    }
    HttpResponse::Ok().json(MessageResponse { data: record })
}

async fn create_message(
    request: HttpRequest,
    body: web::Bytes,
    shared: web::Data<Shared>,
) -> HttpResponse {
    if !authorized(&request) {
        return telnyx_error(StatusCode::UNAUTHORIZED, "10009", "The required authentication headers were either invalid or not included in the request.");
    }
    let shared = shared.into_inner();
    match shared.take_send_fault() {
        None => {}
        Some(SendFaultKind::ServerError) => {
            return telnyx_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "10007",
                "An unexpected error occured (simulated).",
            )
        }
        Some(SendFaultKind::RateLimited {
            retry_after_seconds,
        }) => {
            let mut response = telnyx_error(
                StatusCode::TOO_MANY_REQUESTS,
                "10011",
                "You have exceeded the maximum number of allowed requests (simulated).",
            );
            if let Some(seconds) = retry_after_seconds {
                if let Ok(value) =
                    actix_web::http::header::HeaderValue::from_str(&seconds.to_string())
                {
                    response
                        .headers_mut()
                        .insert(actix_web::http::header::RETRY_AFTER, value);
                }
            }
            return response;
        }
        Some(SendFaultKind::Rejected { code, status }) => {
            let status = StatusCode::from_u16(status)
                .ok()
                .filter(|status| status.is_client_error() || status.is_server_error())
                .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            return telnyx_error(status, &code, "Refused (simulated fault).");
        }
        Some(SendFaultKind::Hang { seconds }) => {
            tokio::time::sleep(shared.hang_for(seconds)).await;
            return telnyx_error(
                StatusCode::GATEWAY_TIMEOUT,
                "10008",
                "The request timed out (simulated).",
            );
        }
        Some(SendFaultKind::AcceptThenHang { seconds }) => {
            let response = match validate(&body) {
                Ok(send) => accept(&shared, send),
                Err(refusal) => return refusal.response(),
            };
            tokio::time::sleep(shared.hang_for(seconds)).await;
            return response;
        }
    }
    match validate(&body) {
        Ok(send) => accept(&shared, send),
        Err(refusal) => refusal.response(),
    }
}

async fn list_messages(shared: web::Data<Shared>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "data": lock(&shared.messages).clone() }))
}

async fn list_webhooks(shared: web::Data<Shared>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "data": lock(&shared.deliveries).clone() }))
}

fn sim_error(status: StatusCode, message: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": message.to_string() }))
}

async fn get_faults(shared: web::Data<Shared>) -> HttpResponse {
    HttpResponse::Ok().json(lock(&shared.faults).clone())
}

async fn set_faults(body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    match serde_json::from_slice::<FaultConfig>(&body) {
        Ok(update) => HttpResponse::Ok().json(shared.apply_faults(update)),
        Err(error) => sim_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("not a fault description: {error}"),
        ),
    }
}

async fn clear_faults(shared: web::Data<Shared>) -> HttpResponse {
    *lock(&shared.faults) = FaultConfig::default();
    HttpResponse::NoContent().finish()
}

async fn post_inbound(body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let request = match serde_json::from_slice::<InboundRequest>(&body) {
        Ok(request) => request,
        Err(error) => {
            return sim_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("expected {{\"from\", \"to\", \"text\", \"media_urls\"?}}: {error}"),
            )
        }
    };
    match shared.inbound(request).await {
        Ok(result) if result.accepted() || result.dropped => HttpResponse::Accepted().json(result),
        Ok(result) => HttpResponse::BadGateway().json(result),
        Err(error @ SimulatorError::NoWebhookUrl) => sim_error(StatusCode::CONFLICT, error),
        Err(error) => sim_error(StatusCode::UNPROCESSABLE_ENTITY, error),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookUrlBody {
    url: Option<String>,
}

async fn set_webhook_url(body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let url = match serde_json::from_slice::<WebhookUrlBody>(&body) {
        Ok(body) => body.url,
        Err(error) => {
            return sim_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("expected {{\"url\"}}: {error}"),
            )
        }
    };
    let url = match url.as_deref().map(check_url).transpose() {
        Ok(url) => url,
        Err(error) => return sim_error(StatusCode::UNPROCESSABLE_ENTITY, error),
    };
    *lock(&shared.webhook_url) = url.clone();
    HttpResponse::Ok().json(json!({ "webhook_url": url }))
}

async fn public_key(shared: web::Data<Shared>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "public_key": signature::public_key_base64(&shared.signing_key.verifying_key())
    }))
}

async fn not_found() -> HttpResponse {
    telnyx_error(
        StatusCode::NOT_FOUND,
        "10005",
        "The requested resource or URL could not be found.",
    )
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v2/messages", web::post().to(create_message))
        .route("/sim/messages", web::get().to(list_messages))
        .route("/sim/webhooks", web::get().to(list_webhooks))
        .route("/sim/faults", web::get().to(get_faults))
        .route("/sim/faults", web::post().to(set_faults))
        .route("/sim/faults", web::delete().to(clear_faults))
        .route("/sim/inbound", web::post().to(post_inbound))
        .route("/sim/webhook-url", web::post().to(set_webhook_url))
        .route("/sim/public-key", web::get().to(public_key));
}

/// Starts simulators; see [`Simulator::start`].
pub struct Simulator;

impl Simulator {
    /// Binds `config.listen` and serves in the current tokio runtime until the handle is
    /// stopped or dropped.
    pub async fn start(config: SimulatorConfig) -> Result<SimulatorHandle, SimulatorError> {
        let address = config.listen;
        let bind_error = |source| SimulatorError::Bind {
            address: address.to_string(),
            source,
        };
        let webhook_url = config.webhook_url.as_deref().map(check_url).transpose()?;
        let seed = config.seed.unwrap_or_else(|| {
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            seed
        });
        let http = reqwest::Client::builder()
            .timeout(config.webhook_timeout)
            .user_agent("telnyx-webhooks (parley carrier simulator)")
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| SimulatorError::Setup(error.to_string()))?;
        let listener = TcpListener::bind(address).map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;
        let shared = Arc::new(Shared {
            signing_key: SigningKey::from_bytes(&seed),
            messaging_profile_id: uuid::Uuid::new_v4().to_string(),
            webhook_url: Mutex::new(webhook_url),
            faults: Mutex::new(FaultConfig::default()),
            messages: Mutex::new(Vec::new()),
            deliveries: Mutex::new(Vec::new()),
            http,
            config,
        });
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .configure(routes)
                .default_service(web::to(not_found))
        })
        .workers(1)
        // The embedding process owns its signals; a hanging send must not delay a stop.
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .map_err(bind_error)?
        .run();
        let server_handle = server.handle();
        tokio::spawn(server);
        let ip = match local_addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Ok(SimulatorHandle {
            shared,
            server: server_handle,
            base_url: format!("http://{}", SocketAddr::new(ip, local_addr.port())),
        })
    }
}

/// A running simulator; dropping it stops the server.
pub struct SimulatorHandle {
    shared: Arc<Shared>,
    server: ServerHandle,
    base_url: String,
}

impl SimulatorHandle {
    /// What to configure as `TELNYX_API_BASE`, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// What to configure as `TELNYX_PUBLIC_KEY`.
    pub fn public_key_base64(&self) -> String {
        signature::public_key_base64(&self.verifying_key())
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.shared.signing_key.verifying_key()
    }

    /// The messaging profile's webhook URL: where inbound messages go, and the receipts of
    /// messages sent without their own `webhook_url`.
    pub fn set_inbound_webhook_url(&self, url: impl Into<String>) -> Result<(), SimulatorError> {
        let url = check_url(&url.into())?;
        *lock(&self.shared.webhook_url) = Some(url);
        Ok(())
    }

    pub fn inbound_webhook_url(&self) -> Option<String> {
        self.shared.webhook_url()
    }

    pub fn faults(&self) -> Faults {
        Faults {
            shared: self.shared.clone(),
        }
    }

    /// Every send accepted so far, oldest first.
    pub fn sent_messages(&self) -> Vec<SimulatedMessage> {
        lock(&self.shared.messages).clone()
    }

    /// Every webhook delivery attempt so far, oldest first.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.shared.deliveries).clone()
    }

    /// A customer texts `to` (our number): posts a signed `message.received` webhook and
    /// answers our endpoint's status.
    pub async fn send_inbound(
        &self,
        from: &str,
        to: &str,
        text: &str,
    ) -> Result<InboundResult, SimulatorError> {
        self.send_inbound_message(InboundRequest {
            from: from.to_string(),
            to: to.to_string(),
            text: text.to_string(),
            media_urls: Vec::new(),
        })
        .await
    }

    /// [`SimulatorHandle::send_inbound`] with media (MMS).
    pub async fn send_inbound_message(
        &self,
        request: InboundRequest,
    ) -> Result<InboundResult, SimulatorError> {
        self.shared.inbound(request).await
    }

    /// Stops serving at once (a hanging send is cut off).
    pub async fn stop(self) {
        self.server.stop(false).await;
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; awaiting only waits for it.
        std::mem::drop(self.server.stop(false));
    }
}

/// Fault injection from Rust; the same as `POST /sim/faults`.
#[derive(Clone)]
pub struct Faults {
    shared: Arc<Shared>,
}

impl Faults {
    pub fn set(&self, update: FaultConfig) -> FaultConfig {
        self.shared.apply_faults(update)
    }

    pub fn current(&self) -> FaultConfig {
        lock(&self.shared.faults).clone()
    }

    pub fn clear(&self) {
        *lock(&self.shared.faults) = FaultConfig::default();
    }

    /// The next `count` sends fail as `kind`.
    pub fn fail_sends(&self, count: u32, kind: SendFaultKind) {
        self.set(FaultConfig {
            send: Some(SendFault { kind, count }),
            webhooks: None,
        });
    }

    pub fn server_error(&self, count: u32) {
        self.fail_sends(count, SendFaultKind::ServerError);
    }

    pub fn rate_limit(&self, count: u32, retry_after: Option<Duration>) {
        self.fail_sends(
            count,
            SendFaultKind::RateLimited {
                retry_after_seconds: retry_after.map(|after| after.as_secs()),
            },
        );
    }

    /// Refusals with Telnyx's `code`, answered 422.
    pub fn reject(&self, count: u32, code: &str) {
        self.fail_sends(
            count,
            SendFaultKind::Rejected {
                code: code.to_string(),
                status: default_reject_status(),
            },
        );
    }

    pub fn hang(&self, count: u32) {
        self.fail_sends(count, SendFaultKind::Hang { seconds: None });
    }

    pub fn accept_then_hang(&self, count: u32) {
        self.fail_sends(count, SendFaultKind::AcceptThenHang { seconds: None });
    }

    fn update_webhooks(&self, change: impl FnOnce(&mut WebhookFaults)) {
        let mut faults = lock(&self.shared.faults);
        let mut webhooks = faults.webhooks.clone().unwrap_or_default();
        change(&mut webhooks);
        faults.webhooks = Some(webhooks);
    }

    /// Every webhook is delivered `copies` times.
    pub fn duplicate_webhooks(&self, copies: u32) {
        self.update_webhooks(|webhooks| webhooks.duplicate = copies);
    }

    /// `message.finalized` arrives before `message.sent`.
    pub fn reorder_webhooks(&self, on: bool) {
        self.update_webhooks(|webhooks| webhooks.reorder = on);
    }

    pub fn delay_webhooks(&self, by: Duration) {
        let millis = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.update_webhooks(|webhooks| webhooks.delay_ms = millis);
    }

    pub fn drop_webhooks(&self, on: bool) {
        self.update_webhooks(|webhooks| webhooks.drop = on);
    }
}

/// `parley carrier-sim`: serves until Ctrl-C or SIGTERM after printing one JSON line with
/// `base_url`, `public_key` and `webhook_url`.
pub async fn run_cli(listen: SocketAddr, webhook_url: Option<String>) -> Result<(), String> {
    let handle = Simulator::start(SimulatorConfig {
        listen,
        webhook_url,
        ..SimulatorConfig::default()
    })
    .await
    .map_err(|error| error.to_string())?;
    let line = json!({
        "base_url": handle.base_url(),
        "public_key": handle.public_key_base64(),
        "webhook_url": handle.inbound_webhook_url(),
    });
    println!("{line}");
    wait_for_shutdown().await?;
    handle.stop().await;
    Ok(())
}

async fn wait_for_shutdown() -> Result<(), String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())
            .map_err(|error| format!("cannot watch SIGTERM: {error}"))?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.map_err(|error| format!("cannot watch Ctrl-C: {error}")),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .map_err(|error| format!("cannot watch Ctrl-C: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(body: Value) -> (u16, TelnyxErrorObject) {
        let refusal = validate(&serde_json::to_vec(&body).expect("json"))
            .err()
            .expect("refused");
        (refusal.status.as_u16(), *refusal.error)
    }

    #[test]
    fn sends_are_checked_like_telnyx() {
        let ok = json!({"from": "+16475550100", "to": "+14165551234", "text": "Hi"});
        assert!(validate(&serde_json::to_vec(&ok).expect("json")).is_ok());
        let array = json!({"from": "+16475550100", "to": ["+14165551234"], "text": "Hi"});
        assert!(validate(&serde_json::to_vec(&array).expect("json")).is_ok());

        let cases = [
            (
                json!({"from": "+16475550100", "text": "Hi"}),
                422,
                "10004",
                "/to",
            ),
            (
                json!({"to": "+14165551234", "text": "Hi"}),
                422,
                "10004",
                "/from",
            ),
            (
                json!({"from": "+16475550100", "to": "4165551234", "text": "Hi"}),
                400,
                "40310",
                "/to",
            ),
            (
                json!({"from": "+16475550100", "to": ["+14165551234", "+14165551235"], "text": "Hi"}),
                400,
                "40310",
                "/to",
            ),
            (
                json!({"from": "16475550100", "to": "+14165551234", "text": "Hi"}),
                400,
                "40305",
                "/from",
            ),
            (
                json!({"from": "+16475550100", "to": "+14165551234", "text": "  "}),
                422,
                "40316",
                "/text",
            ),
            (
                json!({"from": "+16475550100", "to": "+14165551234", "text": "a".repeat(1531)}),
                400,
                "40302",
                "/text",
            ),
            (
                json!({"from": "+16475550100", "to": "+14165551234", "media_urls": ["ftp://x"]}),
                422,
                "40317",
                "/media_urls",
            ),
            (
                json!({"from": "+16475550100", "to": "+14165551234", "text": "Hi", "webhook_url": "nope"}),
                422,
                "10003",
                "/webhook_url",
            ),
        ];
        for (body, status, code, pointer) in cases {
            let (got_status, error) = refusal(body.clone());
            assert_eq!((got_status, error.code.as_str()), (status, code), "{body}");
            assert_eq!(
                error.source.and_then(|source| source.pointer).as_deref(),
                Some(pointer),
                "{body}"
            );
            assert!(error.title.is_some());
        }
        // Ten full GSM-7 parts are allowed.
        let ten_parts =
            json!({"from": "+16475550100", "to": "+14165551234", "text": "a".repeat(1530)});
        assert!(validate(&serde_json::to_vec(&ten_parts).expect("json")).is_ok());
        let (status, error) = refusal(json!([1, 2]));
        assert_eq!((status, error.code.as_str()), (400, "10015"));
    }

    #[test]
    fn fault_descriptions_read_from_json() {
        let config: FaultConfig = serde_json::from_value(json!({
            "send": {"fault": "rejected", "code": "40310", "count": 2},
            "webhooks": {"duplicate": 2, "reorder": true}
        }))
        .expect("reads");
        assert_eq!(
            config.send,
            Some(SendFault {
                kind: SendFaultKind::Rejected {
                    code: "40310".into(),
                    status: 422
                },
                count: 2
            })
        );
        let config: FaultConfig =
            serde_json::from_value(json!({"send": {"fault": "hang"}})).expect("reads");
        assert_eq!(
            config.send,
            Some(SendFault {
                kind: SendFaultKind::Hang { seconds: None },
                count: 1
            })
        );
        assert!(serde_json::from_value::<FaultConfig>(json!({"sned": {}})).is_err());
        assert!(
            serde_json::from_value::<FaultConfig>(json!({"send": {"fault": "meteor"}})).is_err()
        );
    }

    #[test]
    fn bearer_tokens_must_be_present() {
        use actix_web::test::TestRequest;
        let with = |value: &str| {
            TestRequest::default()
                .insert_header(("Authorization", value))
                .to_http_request()
        };
        assert!(authorized(&with("Bearer KEY_123")));
        assert!(authorized(&with("bearer x")));
        assert!(!authorized(&with("Bearer ")));
        assert!(!authorized(&with("Basic abc")));
        assert!(!authorized(&TestRequest::default().to_http_request()));
    }
}
