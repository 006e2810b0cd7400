//! Telnyx's messaging JSON as it really is: the send request, the message record it answers
//! with, its error body and the webhook envelope.
//!
//! Reading is tolerant on purpose. Telnyx adds fields, sends `null` where the reference says
//! string, numbers as strings (`cost.amount`) and, in its own reference examples, placeholder
//! strings such as `"date-time"` in timestamps. A webhook must never be refused over a field
//! we do not need, so every field here is optional or defaulted, a value of the wrong type
//! reads as absent, and unknown fields are ignored. Only what a caller strictly needs (the
//! event id and type, the message id) is checked, by [`WebhookEvent::parse`] and the client.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The most media one MMS carries, in bytes, all items together (more is refused with 40317).
pub const MAX_MMS_BYTES: u64 = crate::mms::MAX_MMS_BYTES;

/// `POST /v2/messages` body. `None` fields are left out, so Telnyx applies its defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SendMessageRequest {
    /// Our tenant's number, E.164.
    pub from: String,
    /// The customer's number, E.164.
    pub to: String,
    /// Telnyx wants a non-empty string or nothing (an MMS may carry only media).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_profile_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_failover_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_profile_webhooks: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_urls: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// `SMS` or `MMS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// `auto` (Telnyx's default), `gsm7` or `ucs2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// RFC 3339; Telnyx schedules the message (to the minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_at: Option<String>,
}

impl SendMessageRequest {
    /// A plain SMS; set the optional fields on the result.
    pub fn sms(from: impl Into<String>, to: impl Into<String>, text: impl Into<String>) -> Self {
        SendMessageRequest {
            from: from.into(),
            to: to.into(),
            text: text.into(),
            ..SendMessageRequest::default()
        }
    }
}

/// `{"data": {...}}`, the answer to a successful send.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageResponse {
    #[serde(default, deserialize_with = "lenient")]
    pub data: MessageRecord,
}

/// A message as Telnyx describes it: the send answer, and the payload of every messaging
/// webhook (`message.received`, `message.sent`, `message.finalized`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// The message id (uuid) every later webhook about this message carries; empty if absent.
    #[serde(default, deserialize_with = "lenient_string_or_empty")]
    pub id: String,
    /// `message`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub record_type: Option<String>,
    /// `inbound` or `outbound`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub direction: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub from: Option<Endpoint>,
    /// An array, even for one recipient.
    #[serde(default, deserialize_with = "one_or_many_recipients")]
    pub to: Vec<Recipient>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub subject: Option<String>,
    /// `GSM-7` or `UCS-2` (Telnyx's spelling).
    #[serde(default, deserialize_with = "lenient_string")]
    pub encoding: Option<String>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub parts: Option<u32>,
    /// `SMS` or `MMS`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub r#type: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub cost: Option<Cost>,
    /// Kept as sent; see [`parse_timestamp`].
    #[serde(default, deserialize_with = "lenient_string")]
    pub received_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub sent_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub completed_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub errors: Vec<TelnyxErrorObject>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub messaging_profile_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub media: Vec<Media>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub webhook_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub webhook_failover_url: Option<String>,
}

impl MessageRecord {
    /// The delivery status of the first recipient (`to[0].status`); `None` when absent or a
    /// value we do not know (inbound payloads say `webhook_delivered`, for one).
    pub fn delivery_status(&self) -> Option<DeliveryStatus> {
        self.to
            .first()
            .and_then(|recipient| recipient.status.as_deref())
            .and_then(DeliveryStatus::parse)
    }

    pub fn from_number(&self) -> Option<&str> {
        self.from
            .as_ref()
            .and_then(|from| from.phone_number.as_deref())
    }

    /// The first recipient's number: our number for inbound messages, the customer's for
    /// outbound ones.
    pub fn to_number(&self) -> Option<&str> {
        self.to
            .first()
            .and_then(|recipient| recipient.phone_number.as_deref())
    }

    pub fn first_error(&self) -> Option<&TelnyxErrorObject> {
        self.errors.first()
    }

    pub fn received_at_parsed(&self) -> Option<DateTime<Utc>> {
        parse_timestamp(self.received_at.as_deref())
    }

    pub fn sent_at_parsed(&self) -> Option<DateTime<Utc>> {
        parse_timestamp(self.sent_at.as_deref())
    }

    pub fn completed_at_parsed(&self) -> Option<DateTime<Utc>> {
        parse_timestamp(self.completed_at.as_deref())
    }
}

/// The sender: `from` of a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    #[serde(default, deserialize_with = "lenient_string")]
    pub phone_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub carrier: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub line_type: Option<String>,
}

/// One entry of `to`: a recipient and, for outbound messages, its delivery status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    #[serde(default, deserialize_with = "lenient_string")]
    pub phone_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub carrier: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub line_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    /// A decimal string; Telnyx sends a string or a number, both read as the string.
    #[serde(default, deserialize_with = "lenient_string")]
    pub amount: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub currency: Option<String>,
}

/// An MMS attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    #[serde(default, deserialize_with = "lenient_string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub content_type: Option<String>,
    /// Inbound payloads name the hash `hash_sha256`...
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub hash_sha256: Option<String>,
    /// ...outbound ones `sha256`.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sha256: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub size: Option<u64>,
}

/// One entry of Telnyx's `errors` array (error bodies and `payload.errors`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelnyxErrorObject {
    /// Telnyx's code, e.g. `40008`; sent as a string or a number, always read as a string.
    #[serde(default, deserialize_with = "lenient_string_or_empty")]
    pub code: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub detail: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<ErrorSource>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub meta: Option<ErrorMeta>,
}

impl TelnyxErrorObject {
    pub fn new(code: &str, title: &str, detail: impl Into<String>) -> Self {
        TelnyxErrorObject {
            code: code.to_string(),
            title: Some(title.to_string()),
            detail: Some(detail.into()),
            source: None,
            meta: None,
        }
    }

    /// Points the error at a request field, as JSON pointer (`/to`).
    pub fn at(mut self, pointer: &str) -> Self {
        self.source = Some(ErrorSource {
            pointer: Some(pointer.to_string()),
            parameter: None,
        });
        self
    }

    /// Our words for the code when we have them, else Telnyx's title, else the code.
    pub fn describe(&self) -> String {
        describe_error_code(&self.code)
            .map(str::to_string)
            .or_else(|| self.title.clone())
            .unwrap_or_else(|| format!("Telnyx error {}", self.code))
    }
}

impl std::fmt::Display for TelnyxErrorObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(title) = &self.title {
            write!(f, " {title}")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorSource {
    /// JSON pointer (RFC 6901) to the request field at fault, e.g. `/to`.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub pointer: Option<String>,
    /// The query parameter at fault.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub parameter: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMeta {
    /// Telnyx's documentation page for the code.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
}

/// `{"errors": [...]}`, the body of Telnyx's 4xx and 5xx answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelnyxErrorBody {
    #[serde(default, deserialize_with = "lenient_list")]
    pub errors: Vec<TelnyxErrorObject>,
}

impl TelnyxErrorBody {
    pub fn single(error: TelnyxErrorObject) -> Self {
        TelnyxErrorBody {
            errors: vec![error],
        }
    }
}

/// Where an outbound message stands, as `to[].status` says. The order of the variants is the
/// order a message normally moves through; [`DeliveryStatus::is_final`] marks the ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Queued,
    Sending,
    Sent,
    Delivered,
    SendingFailed,
    DeliveryFailed,
    DeliveryUnconfirmed,
    Expired,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 8] = [
        DeliveryStatus::Queued,
        DeliveryStatus::Sending,
        DeliveryStatus::Sent,
        DeliveryStatus::Delivered,
        DeliveryStatus::SendingFailed,
        DeliveryStatus::DeliveryFailed,
        DeliveryStatus::DeliveryUnconfirmed,
        DeliveryStatus::Expired,
    ];

    /// Telnyx's spelling (also the message statuses of our API).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::SendingFailed => "sending_failed",
            DeliveryStatus::DeliveryFailed => "delivery_failed",
            DeliveryStatus::DeliveryUnconfirmed => "delivery_unconfirmed",
            DeliveryStatus::Expired => "expired",
        }
    }

    /// Reads Telnyx's spelling; anything else is `None`.
    pub fn parse(text: &str) -> Option<DeliveryStatus> {
        let text = text.trim();
        DeliveryStatus::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(text))
    }

    /// No later status follows (what `message.finalized` reports).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DeliveryStatus::Delivered
                | DeliveryStatus::SendingFailed
                | DeliveryStatus::DeliveryFailed
                | DeliveryStatus::DeliveryUnconfirmed
                | DeliveryStatus::Expired
        )
    }

    pub fn is_failure(self) -> bool {
        matches!(
            self,
            DeliveryStatus::SendingFailed
                | DeliveryStatus::DeliveryFailed
                | DeliveryStatus::Expired
        )
    }
}

impl std::fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Telnyx error codes with our words for them (shown on a failed message) and Telnyx's own
/// title. Send-time codes (1xxxx, 403xx) come back from `POST /v2/messages`; delivery codes
/// (400xx) arrive in `message.finalized`.
const ERROR_CODES: &[(&str, &str, &str)] = &[
    ("10001", "Inactive phone number", "The phone number is not active."),
    ("10002", "Invalid phone number", "The phone number is not valid."),
    ("10003", "Invalid URL", "A URL in the request is invalid or longer than 2000 characters."),
    ("10004", "Missing required parameter", "A required field is missing from the request."),
    ("10005", "Resource not found", "Telnyx did not find the requested resource or URL."),
    ("10007", "Unexpected error", "Telnyx had an unexpected error; retrying may help."),
    ("10009", "Authentication failed", "Telnyx refused the API key (missing or invalid)."),
    ("10010", "Authorization failed", "The API key may not perform this action."),
    ("10011", "Too many requests", "Telnyx's API rate limit was exceeded; retry later."),
    ("10015", "Bad Request", "Telnyx could not read the request."),
    ("10016", "Phone number must be in +E.164 format", "A phone number is not in +E.164 form."),
    ("40001", "Not routable", "Not routable: the number is a landline or cannot receive SMS."),
    ("40002", "Blocked as spam - temporary", "Blocked as spam by the carrier (temporary)."),
    ("40003", "Blocked as spam - permanent", "Blocked as spam by the carrier (permanent): the sending number is blocked."),
    ("40004", "Rejected by destination", "Rejected by the recipient's carrier."),
    ("40005", "Message expired during transmission", "Expired before it could be delivered."),
    ("40006", "Recipient server unavailable", "The recipient's carrier is unavailable (may be temporary)."),
    ("40008", "Undeliverable", "Undeliverable: the recipient's carrier did not accept it."),
    ("40009", "Invalid message body", "The carrier rejected the message body."),
    ("40010", "Unregistered 10DLC message", "Blocked: the sending number is not registered for 10DLC messaging."),
    ("40011", "Too many requests", "Blocked by the carrier's rate limit (temporary)."),
    ("40012", "Invalid messaging destination number", "The carrier rejected the destination number."),
    ("40013", "Invalid messaging source number", "The carrier rejected the sending number."),
    ("40014", "Message expired in queue", "Expired in Telnyx's queue before it was sent."),
    ("40300", "Blocked due to STOP message", "Blocked: the recipient texted STOP to this number; they must text START to receive messages again."),
    ("40302", "Message too large", "Too long: more than 10 SMS parts."),
    ("40305", "Invalid 'from' address", "The sending number cannot send through this Telnyx account or messaging profile."),
    ("40310", "Invalid 'to' address", "The recipient is not a valid +E.164 number or short code."),
    ("40316", "No content provided for message", "The message has neither text nor media."),
    ("40317", "Invalid MMS content", "Invalid MMS content (at most 10 media URLs, under 1 MB in total)."),
];

/// Words for a Telnyx error code worth showing to a person; `None` for codes we do not know.
pub fn describe_error_code(code: &str) -> Option<&'static str> {
    let code = code.trim();
    ERROR_CODES
        .iter()
        .find(|(known, _, _)| *known == code)
        .map(|(_, _, words)| *words)
}

/// Telnyx's own title for a code (as its error bodies carry it).
pub fn error_title(code: &str) -> Option<&'static str> {
    let code = code.trim();
    ERROR_CODES
        .iter()
        .find(|(known, _, _)| *known == code)
        .map(|(_, title, _)| *title)
}

/// Reads a Telnyx timestamp leniently: RFC 3339 (`2019-12-09T21:32:14.148+00:00`,
/// `...Z`), a space instead of `T`, or no offset at all (taken as UTC). Anything else,
/// such as the `"date-time"` placeholder of reference examples or a time outside the years
/// 1 to 9999, is `None`.
pub fn parse_timestamp(text: Option<&str>) -> Option<DateTime<Utc>> {
    // Stored as is, a time PostgreSQL cannot hold would fail the webhook on every delivery.
    read_timestamp(text?).filter(crate::timestamps::is_storable)
}

fn read_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    let with_t = text.replacen(' ', "T", 1);
    if let Ok(parsed) = DateTime::parse_from_rfc3339(&with_t) {
        return Some(parsed.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(&with_t, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

/// The event types we act on; anything else is kept by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventType {
    MessageReceived,
    MessageSent,
    MessageFinalized,
    Unknown(String),
}

impl EventType {
    pub fn parse(text: &str) -> EventType {
        match text.trim() {
            "message.received" => EventType::MessageReceived,
            "message.sent" => EventType::MessageSent,
            "message.finalized" => EventType::MessageFinalized,
            other => EventType::Unknown(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            EventType::MessageReceived => "message.received",
            EventType::MessageSent => "message.sent",
            EventType::MessageFinalized => "message.finalized",
            EventType::Unknown(other) => other,
        }
    }

    /// Whether the payload is a message record.
    pub fn is_message_event(&self) -> bool {
        !matches!(self, EventType::Unknown(_))
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A webhook as Telnyx posts it: `{"data": {...event...}, "meta": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub data: EventData,
    /// Absent on some deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<WebhookMeta>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    /// `event`.
    pub record_type: String,
    /// The event id (uuid): a redelivery of the same event carries the same id.
    pub id: String,
    pub event_type: String,
    #[serde(default)]
    pub occurred_at: Option<String>,
    /// The message; an empty record for event types that do not carry one.
    #[serde(default)]
    pub payload: MessageRecord,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookMeta {
    /// 1 for the first delivery attempt of this event to this URL.
    #[serde(default, deserialize_with = "lenient_u32")]
    pub attempt: Option<u32>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub delivered_to: Option<String>,
}

/// Why a webhook body is not one we can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the body is not JSON: {0}")]
    Json(String),
    #[error("the body is not a Telnyx webhook: `{0}` is missing")]
    Missing(&'static str),
    #[error("the payload of a {event_type} event is not a message: {reason}")]
    Payload { event_type: String, reason: String },
}

impl WebhookEvent {
    /// Reads a webhook body (the raw bytes, as verified). Needs `data.id` and
    /// `data.event_type`; for message events, a payload object with an `id`. Everything else
    /// is read leniently.
    pub fn parse(raw: &[u8]) -> Result<WebhookEvent, ParseError> {
        let value: Value =
            serde_json::from_slice(raw).map_err(|error| ParseError::Json(error.to_string()))?;
        let Value::Object(mut envelope) = value else {
            return Err(ParseError::Json(
                "the body is not a JSON object".to_string(),
            ));
        };
        let Some(Value::Object(mut data)) = envelope.remove("data") else {
            return Err(ParseError::Missing("data"));
        };
        let text = |value: Option<Value>| value.and_then(scalar_to_string);
        let id = text(data.remove("id"))
            .filter(|id| !id.trim().is_empty())
            .ok_or(ParseError::Missing("data.id"))?;
        let event_type = text(data.remove("event_type"))
            .filter(|kind| !kind.trim().is_empty())
            .ok_or(ParseError::Missing("data.event_type"))?;
        let kind = EventType::parse(&event_type);
        let payload =
            match data.remove("payload") {
                Some(Value::Object(object)) => serde_json::from_value(Value::Object(object))
                    .map_err(|error| ParseError::Payload {
                        event_type: event_type.clone(),
                        reason: error.to_string(),
                    })?,
                _ if kind.is_message_event() => return Err(ParseError::Missing("data.payload")),
                _ => MessageRecord::default(),
            };
        if kind.is_message_event() && payload.id.trim().is_empty() {
            return Err(ParseError::Missing("data.payload.id"));
        }
        let meta = envelope
            .remove("meta")
            .and_then(|meta| serde_json::from_value(meta).ok());
        Ok(WebhookEvent {
            data: EventData {
                record_type: text(data.remove("record_type")).unwrap_or_else(|| "event".into()),
                id,
                event_type,
                occurred_at: text(data.remove("occurred_at")),
                payload,
            },
            meta,
        })
    }

    /// A new event with a fresh id, as Telnyx (or our simulator) would post it.
    pub fn new(kind: EventType, payload: MessageRecord, occurred_at: DateTime<Utc>) -> Self {
        WebhookEvent {
            data: EventData {
                record_type: "event".to_string(),
                id: uuid::Uuid::new_v4().to_string(),
                event_type: kind.as_str().to_string(),
                occurred_at: Some(format_timestamp(occurred_at)),
                payload,
            },
            meta: None,
        }
    }

    pub fn id(&self) -> &str {
        &self.data.id
    }

    pub fn kind(&self) -> EventType {
        EventType::parse(&self.data.event_type)
    }

    pub fn payload(&self) -> &MessageRecord {
        &self.data.payload
    }

    /// The message id the event is about.
    pub fn message_id(&self) -> &str {
        &self.data.payload.id
    }

    pub fn delivery_status(&self) -> Option<DeliveryStatus> {
        self.data.payload.delivery_status()
    }

    pub fn occurred_at(&self) -> Option<DateTime<Utc>> {
        parse_timestamp(self.data.occurred_at.as_deref())
    }

    pub fn attempt(&self) -> Option<u32> {
        self.meta.as_ref().and_then(|meta| meta.attempt)
    }
}

/// Telnyx's timestamp form: RFC 3339 with milliseconds and `+00:00`.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

// --- lenient readers --------------------------------------------------------------------

/// A string, or a number or boolean written as one; `null` and anything else is `None`.
fn scalar_to_string(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(scalar_to_string(Value::deserialize(deserializer)?))
}

fn lenient_string_or_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(lenient_string(deserializer)?.unwrap_or_default())
}

fn lenient_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Number(number) => number
            .as_u64()
            .or_else(|| number.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    Ok(lenient_u64(deserializer)?.and_then(|value| u32::try_from(value).ok()))
}

/// Any value that does not read as `T` reads as `T::default()`.
fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(serde_json::from_value(Value::deserialize(deserializer)?).unwrap_or_default())
}

/// A list whose unreadable entries are skipped rather than failing the whole list.
fn lenient_list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// `to` is an array of recipients; a lone object or a bare number string is read as one.
fn one_or_many_recipients<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Recipient>, D::Error> {
    let recipient = |value: Value| match value {
        Value::String(number) => Some(Recipient {
            phone_number: Some(number),
            ..Recipient::default()
        }),
        other @ Value::Object(_) => serde_json::from_value(other).ok(),
        _ => None,
    };
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items.into_iter().filter_map(recipient).collect(),
        other => recipient(other).into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Shaped like Telnyx's reference example of an inbound message, placeholders included.
    fn inbound_example() -> Value {
        json!({
            "data": {
                "event_type": "message.received",
                "id": "b301ed3f-1490-491f-995f-6e64e69674d4",
                "occurred_at": "date-time",
                "payload": {
                    "cc": [],
                    "completed_at": null,
                    "cost": null,
                    "direction": "inbound",
                    "encoding": "GSM-7",
                    "errors": [],
                    "from": {
                        "carrier": "T-Mobile USA",
                        "line_type": "long_code",
                        "phone_number": "+14165551234",
                        "status": "webhook_delivered"
                    },
                    "id": "84cca175-9755-4859-b67f-4730d7f58aa3",
                    "media": [{
                        "content_type": "image/jpeg",
                        "hash_sha256": "13f1e7d0c5a...",
                        "size": "105432",
                        "url": "https://media.example.com/1.jpg"
                    }],
                    "messaging_profile_id": "740572b6-099c-44a1-89b9-6c92163bc68d",
                    "organization_id": "47a530f8-4362-4526-829b-bcee17fd9f7a",
                    "parts": 1,
                    "received_at": "2022-05-26T17:33:16.221+00:00",
                    "record_type": "message",
                    "sent_at": null,
                    "tags": [],
                    "text": "Hello there",
                    "to": [{
                        "carrier": "Telnyx",
                        "line_type": "Wireless",
                        "phone_number": "+16475550100",
                        "status": "webhook_delivered"
                    }],
                    "type": "MMS",
                    "valid_until": null,
                    "webhook_failover_url": null,
                    "webhook_url": "https://example.com/webhooks"
                },
                "record_type": "event"
            },
            "meta": {"attempt": 1, "delivered_to": "https://example.com/webhooks"}
        })
    }

    /// Shaped like Telnyx's reference `message.finalized` example.
    fn finalized_example(amount: Value, status: &str) -> Value {
        json!({
            "data": {
                "event_type": "message.finalized",
                "id": "4ee8c3a6-4995-4309-a3c6-38e3db9ea4be",
                "occurred_at": "2019-12-09T21:32:14.148+00:00",
                "payload": {
                    "completed_at": "2019-12-09T21:32:14.148+00:00",
                    "cost": {"amount": amount, "currency": "USD"},
                    "cost_breakdown": {"carrier_fee": {"amount": "0.00305", "currency": "USD"}},
                    "direction": "outbound",
                    "encoding": "GSM-7",
                    "errors": [{"code": 40008, "title": "Undeliverable", "detail": "The carrier did not accept it."}],
                    "from": {"carrier": "TELNYX LLC", "line_type": "VoIP", "phone_number": "+18445550001"},
                    "id": "40385f64-5717-4562-b3fc-2c963f66afa6",
                    "media": [{"url": "https://x/y.png", "content_type": null, "sha256": null, "size": null}],
                    "messaging_profile_id": "4000eba1-a0c0-4563-9925-b25e842a7cb6",
                    "parts": "1",
                    "received_at": "date-time",
                    "record_type": "message",
                    "sent_at": "2019-12-09 21:32:13.552",
                    "tags": ["Greetings"],
                    "text": "Hello, World!",
                    "to": [{"carrier": "T-MOBILE USA, INC.", "line_type": "Wireless",
                            "phone_number": "+18665550001", "status": status}],
                    "type": "SMS",
                    "valid_until": null,
                    "webhook_failover_url": null,
                    "webhook_url": "https://www.example.com/hooks",
                    "future_field": {"nested": [1, 2, 3]}
                },
                "record_type": "event"
            }
        })
    }

    fn bytes(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).expect("serialise")
    }

    #[test]
    fn inbound_message_reads_with_to_as_an_array() {
        let event = WebhookEvent::parse(&bytes(&inbound_example())).expect("parses");
        assert_eq!(event.kind(), EventType::MessageReceived);
        assert_eq!(event.id(), "b301ed3f-1490-491f-995f-6e64e69674d4");
        assert_eq!(event.message_id(), "84cca175-9755-4859-b67f-4730d7f58aa3");
        let payload = event.payload();
        assert_eq!(payload.direction.as_deref(), Some("inbound"));
        assert_eq!(payload.from_number(), Some("+14165551234"));
        assert_eq!(payload.to_number(), Some("+16475550100"));
        assert_eq!(payload.text.as_deref(), Some("Hello there"));
        assert_eq!(payload.parts, Some(1));
        assert_eq!(payload.media[0].size, Some(105_432));
        assert_eq!(
            payload.media[0].hash_sha256.as_deref(),
            Some("13f1e7d0c5a...")
        );
        // `webhook_delivered` is not a delivery status of ours.
        assert_eq!(payload.delivery_status(), None);
        // The placeholder timestamp reads as absent; the real one parses.
        assert_eq!(event.occurred_at(), None);
        assert_eq!(
            payload.received_at_parsed().map(|at| at.timestamp_millis()),
            Some(1_653_586_396_221)
        );
        assert_eq!(event.attempt(), Some(1));
    }

    #[test]
    fn finalized_reads_cost_as_string_or_number_and_code_as_number() {
        for amount in [json!("0.0051"), json!(0.0051)] {
            let event = WebhookEvent::parse(&bytes(&finalized_example(amount, "delivery_failed")))
                .expect("parses");
            assert_eq!(event.kind(), EventType::MessageFinalized);
            let payload = event.payload();
            assert_eq!(
                payload
                    .cost
                    .as_ref()
                    .and_then(|cost| cost.amount.as_deref()),
                Some("0.0051")
            );
            assert_eq!(
                payload.delivery_status(),
                Some(DeliveryStatus::DeliveryFailed)
            );
            assert_eq!(payload.parts, Some(1));
            let error = payload.first_error().expect("an error");
            assert_eq!(error.code, "40008");
            assert_eq!(
                error.describe(),
                "Undeliverable: the recipient's carrier did not accept it."
            );
            assert_eq!(payload.received_at_parsed(), None);
            assert!(
                payload.sent_at_parsed().is_some(),
                "a space instead of T reads"
            );
            assert!(payload.completed_at_parsed().is_some());
            assert!(event.meta.is_none());
        }
    }

    #[test]
    fn odd_values_never_fail_the_parse() {
        let mut value = finalized_example(json!({"weird": true}), "delivered");
        let payload = &mut value["data"]["payload"];
        payload["parts"] = json!("many");
        payload["from"] = json!("not an object");
        payload["errors"] = json!([{"code": "40001"}, "garbage", 17]);
        payload["media"] = json!(null);
        payload["received_at"] = json!(1_700_000_000);
        payload["to"] = json!({"phone_number": "+18665550001", "status": "SENT"});
        value["meta"] = json!({"attempt": "2", "delivered_to": null});
        let event = WebhookEvent::parse(&bytes(&value)).expect("parses");
        let payload = event.payload();
        assert_eq!(payload.parts, None);
        assert_eq!(payload.from, None);
        assert_eq!(payload.errors.len(), 1);
        assert!(payload.media.is_empty());
        assert_eq!(payload.received_at.as_deref(), Some("1700000000"));
        assert_eq!(
            payload.cost.as_ref().and_then(|cost| cost.amount.clone()),
            None
        );
        assert_eq!(payload.delivery_status(), Some(DeliveryStatus::Sent));
        assert_eq!(event.attempt(), Some(2));
    }

    #[test]
    fn what_we_strictly_need_is_checked() {
        assert!(matches!(
            WebhookEvent::parse(b"not json"),
            Err(ParseError::Json(_))
        ));
        assert!(matches!(
            WebhookEvent::parse(b"[1]"),
            Err(ParseError::Json(_))
        ));
        assert_eq!(WebhookEvent::parse(b"{}"), Err(ParseError::Missing("data")));
        let mut value = inbound_example();
        value["data"]["id"] = json!("");
        assert_eq!(
            WebhookEvent::parse(&bytes(&value)),
            Err(ParseError::Missing("data.id"))
        );
        let mut value = inbound_example();
        value["data"]["payload"]["id"] = json!(null);
        assert_eq!(
            WebhookEvent::parse(&bytes(&value)),
            Err(ParseError::Missing("data.payload.id"))
        );
        let mut value = inbound_example();
        value["data"]["payload"] = json!("text");
        assert_eq!(
            WebhookEvent::parse(&bytes(&value)),
            Err(ParseError::Missing("data.payload"))
        );
    }

    #[test]
    fn unknown_event_types_are_kept_by_name() {
        let body = json!({"data": {"id": "e1", "event_type": "number_order.complete",
                                   "payload": {"to": "weird", "phone_numbers": [1]}}});
        let event = WebhookEvent::parse(&bytes(&body)).expect("parses");
        assert_eq!(
            event.kind(),
            EventType::Unknown("number_order.complete".to_string())
        );
        assert_eq!(event.data.record_type, "event");
    }

    #[test]
    fn a_built_event_round_trips() {
        let record = MessageRecord {
            id: "m1".into(),
            direction: Some("outbound".into()),
            to: vec![Recipient {
                phone_number: Some("+14165551234".into()),
                status: Some("sent".into()),
                ..Recipient::default()
            }],
            ..MessageRecord::default()
        };
        let event = WebhookEvent::new(EventType::MessageSent, record, Utc::now());
        let parsed =
            WebhookEvent::parse(&serde_json::to_vec(&event).expect("json")).expect("parses");
        assert_eq!(parsed, event);
        assert_eq!(parsed.delivery_status(), Some(DeliveryStatus::Sent));
        assert!(parsed.occurred_at().is_some());
    }

    #[test]
    fn send_request_leaves_out_what_is_unset() {
        let request = SendMessageRequest {
            webhook_url: Some("https://example.com/hook".into()),
            ..SendMessageRequest::sms("+16475550100", "+14165551234", "Hi")
        };
        assert_eq!(
            serde_json::to_value(&request).expect("json"),
            json!({"from": "+16475550100", "to": "+14165551234", "text": "Hi",
                   "webhook_url": "https://example.com/hook"})
        );
        let mms = SendMessageRequest {
            media_urls: Some(vec!["https://x/y.png".into()]),
            r#type: Some("MMS".into()),
            ..SendMessageRequest::sms("+16475550100", "+14165551234", "")
        };
        let value = serde_json::to_value(&mms).expect("json");
        assert!(value.get("text").is_none());
        assert_eq!(value["type"], "MMS");
    }

    #[test]
    fn send_answer_and_error_body_read() {
        let answer: MessageResponse = serde_json::from_value(json!({"data": {
            "id": "40385f64-5717-4562-b3fc-2c963f66afa6", "record_type": "message",
            "direction": "outbound", "from": {"phone_number": "+18445550001"},
            "to": [{"phone_number": "+18665550001", "status": "queued"}],
            "cost": {"amount": 0.004, "currency": "USD"}, "parts": 1, "errors": [],
            "sent_at": null, "completed_at": null, "received_at": "date-time"
        }}))
        .expect("reads");
        assert_eq!(answer.data.delivery_status(), Some(DeliveryStatus::Queued));
        assert_eq!(
            answer.data.cost.and_then(|cost| cost.amount).as_deref(),
            Some("0.004")
        );
        let body: TelnyxErrorBody = serde_json::from_value(json!({"errors": [{
            "code": "10015", "title": "Bad Request", "detail": "The request failed.",
            "source": {"pointer": "/to"}, "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10015"}
        }]}))
        .expect("reads");
        let error = &body.errors[0];
        assert_eq!(error.code, "10015");
        assert_eq!(
            error.source.as_ref().and_then(|s| s.pointer.as_deref()),
            Some("/to")
        );
        assert!(error.meta.as_ref().and_then(|m| m.url.as_deref()).is_some());
        assert_eq!(error.to_string(), "10015 Bad Request: The request failed.");
    }

    #[test]
    fn statuses_and_codes_have_names() {
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).expect("json"),
                json!(status.as_str())
            );
        }
        assert_eq!(DeliveryStatus::parse("webhook_delivered"), None);
        assert!(DeliveryStatus::Delivered.is_final());
        assert!(!DeliveryStatus::Sent.is_final());
        assert!(DeliveryStatus::Expired.is_failure());
        for code in [
            "40001", "40002", "40003", "40004", "40005", "40006", "40008", "40009", "40300",
        ] {
            assert!(describe_error_code(code).is_some(), "{code}");
        }
        assert!(describe_error_code("40002").is_some_and(|words| words.contains("temporary")));
        assert!(describe_error_code("40003").is_some_and(|words| words.contains("permanent")));
        assert!(describe_error_code("40300").is_some_and(|words| words.contains("STOP")));
        assert_eq!(describe_error_code("99999"), None);
        assert_eq!(error_title("40310"), Some("Invalid 'to' address"));
    }

    #[test]
    fn timestamps_parse_leniently() {
        let expected = DateTime::parse_from_rfc3339("2019-12-09T21:32:14.148Z")
            .map(|at| at.with_timezone(&Utc))
            .ok();
        for text in [
            "2019-12-09T21:32:14.148+00:00",
            "2019-12-09T21:32:14.148Z",
            "2019-12-09 21:32:14.148+00:00",
            "2019-12-09T21:32:14.148",
        ] {
            assert_eq!(parse_timestamp(Some(text)), expected, "{text}");
        }
        for text in ["date-time", "", "yesterday", "2019-13-40T99:00:00Z"] {
            assert_eq!(parse_timestamp(Some(text)), None, "{text}");
        }
        assert_eq!(parse_timestamp(None), None);
        let now = Utc::now();
        assert_eq!(
            parse_timestamp(Some(&format_timestamp(now))).map(|at| at.timestamp_millis()),
            Some(now.timestamp_millis())
        );
    }
}
