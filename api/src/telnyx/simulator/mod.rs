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
//! - MMS: a send's `media_urls` are fetched (one that cannot be is refused with 40317) and
//!   kept for comparison; `GET /sim/media/{id}` serves media for inbound MMS
//!   ([`SimulatorHandle::host_media`]).
//! - `GET /sim/public-key`, `POST /sim/webhook-url`.
//!
//! The webhook URL of the simulated messaging profile serves inbound messages and the
//! receipts of messages sent without a `webhook_url` of their own, as on Telnyx.

mod delivery;
mod faults;
mod media;
mod validate;

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

use delivery::{media, message_type};
pub use faults::{FaultConfig, Faults, SendFault, SendFaultKind, SendLimits, WebhookFaults};
pub use media::FetchedMedia;
use validate::{authorized, telnyx_error, validate, ValidSend};

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
    /// How long every send takes to be answered (Telnyx's API latency).
    pub answer_delay: Duration,
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
            answer_delay: Duration::ZERO,
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
    /// What the simulator fetched from `media_urls`, in order.
    #[serde(default)]
    pub media: Vec<FetchedMedia>,
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

/// What the simulator shares between its workers, delivery tasks and handle.
struct Shared {
    config: SimulatorConfig,
    signing_key: SigningKey,
    messaging_profile_id: String,
    webhook_url: Mutex<Option<String>>,
    faults: Mutex<FaultConfig>,
    messages: Mutex<Vec<SimulatedMessage>>,
    deliveries: Mutex<Vec<WebhookDelivery>>,
    /// Media the simulator serves (`/sim/media/{id}`) for inbound MMS.
    hosted: Mutex<media::Hosted>,
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

/// Records the message, schedules its receipts and builds Telnyx's answer.
fn accept(shared: &Arc<Shared>, send: ValidSend, fetched: Vec<FetchedMedia>) -> HttpResponse {
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
        media: fetched,
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
    if !shared.config.answer_delay.is_zero() {
        tokio::time::sleep(shared.config.answer_delay).await;
    }
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
                Ok(send) => match shared.fetch_media(&send.media_urls).await {
                    Ok(fetched) => accept(&shared, send, fetched),
                    Err(refusal) => return refusal.response(),
                },
                Err(refusal) => return refusal.response(),
            };
            tokio::time::sleep(shared.hang_for(seconds)).await;
            return response;
        }
    }
    match validate(&body) {
        Ok(send) => match shared.limit_reached(&send.from, Utc::now()) {
            None => match shared.fetch_media(&send.media_urls).await {
                Ok(fetched) => accept(&shared, send, fetched),
                Err(refusal) => refusal.response(),
            },
            Some(LimitReached::Account) => {
                let mut response = telnyx_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "10011",
                    "You have exceeded the account's messaging rate (simulated).",
                );
                response.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from_static("1"),
                );
                response
            }
            Some(LimitReached::Number) => telnyx_error(
                StatusCode::TOO_MANY_REQUESTS,
                "40318",
                "The sending number's message queue is full (simulated).",
            ),
        },
        Err(refusal) => refusal.response(),
    }
}

/// The throughput limit a send would break (see [`SendLimits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitReached {
    Account,
    Number,
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
        .route("/sim/public-key", web::get().to(public_key))
        .route("/sim/media/{id}", web::get().to(media::get_hosted));
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
            hosted: Mutex::new(Default::default()),
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

    /// Serves `bytes` as `content_type` at a URL of the simulator (answered), for an inbound
    /// MMS: the webhook then carries their size and SHA-256, as Telnyx's does.
    pub fn host_media(&self, content_type: &str, bytes: Vec<u8>) -> String {
        let id = self.shared.host(content_type, bytes);
        format!("{}/sim/media/{id}", self.base_url)
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
