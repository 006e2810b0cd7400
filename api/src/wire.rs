//! Request and response bodies of the public API, shared by the service and the SPA.
//!
//! Field names follow `API.md` exactly; adding fields is fine, renaming is not.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::ids::{
    ApiKeyId, AssistantId, ClientId, ConversationId, GenerationId, InteractionId, MediaId,
    MessageId, NoteId, PhoneNumberId, TenantId, UserId, WebhookDeliveryId,
};

/// The error envelope every failing request answers with.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ErrorDetail {
    /// Machine-readable code, e.g. `invalid_phone_number`.
    pub code: String,
    /// A human sentence saying what went wrong and what to do.
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
}

/// A paginated list: `next_cursor` is `null` on the last page.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// A setting that is on unless said otherwise.
fn enabled() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    /// ISO 3166 region used to read national phone numbers, e.g. `US`.
    pub default_region: String,
    /// An inbound message within this many days of the last activity resumes a conversation.
    pub resume_window_days: i32,
    /// After a human's reply the AI stays quiet until the conversation has been idle this long.
    pub ai_idle_resume_minutes: i32,
    /// An agent's reply in an unassigned conversation assigns it to them.
    #[serde(default = "enabled")]
    pub auto_assign_on_reply: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct User {
    pub id: UserId,
    pub tenant_id: TenantId,
    /// The name the team sees: on messages and notes, in assignment.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub password: String,
    /// 1 to 100 characters; default: the part of the email before `@`.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub tenant_id: TenantId,
    pub name: String,
    /// The first characters of the secret, to tell keys apart.
    pub prefix: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    pub name: String,
    /// `admin` (default) or `agent`.
    #[serde(default)]
    pub role: Option<Role>,
}

/// Answer to creating an API key: the only time the secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PhoneNumber {
    pub id: PhoneNumberId,
    pub tenant_id: TenantId,
    /// E.164, e.g. `+14165550100`.
    pub number: String,
    pub messaging_profile_id: Option<String>,
    pub number_type: NumberType,
    /// How many messages a second Parley sends from this number: the rate set for it, else
    /// its type's default (long code 4, toll-free 20, short code 1000).
    pub messages_per_second: f64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePhoneNumber {
    pub number: String,
    #[serde(default)]
    pub messaging_profile_id: Option<String>,
    /// Default `long_code`.
    #[serde(default)]
    pub number_type: Option<NumberType>,
    /// The rate Telnyx granted this number (a 10DLC campaign's throughput, say); default:
    /// the type's.
    #[serde(default)]
    #[schema(minimum = 0.01, maximum = 10000)]
    pub messages_per_second: Option<f64>,
}

/// `PATCH /api/v1/me`: the signed-in user changes their own name.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

/// Who is calling: a signed-in user or an API key, and its tenant.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Me {
    /// `user` or `api_key`.
    pub kind: String,
    pub role: Role,
    pub tenant: Tenant,
    pub user: Option<User>,
    pub api_key: Option<ApiKey>,
}

/// `POST /api/v1/sms/segments` request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentsRequest {
    pub text: String,
}

/// How a text travels as SMS.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct SegmentsResponse {
    pub encoding: Encoding,
    pub segments: u32,
    /// Characters as the user sees them (Unicode scalar values).
    pub characters: u32,
    /// Units (septets or UTF-16 code units) one segment holds for this text.
    pub units_per_segment: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    pub status: String,
    pub database: bool,
    pub migrations_applied: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
}

/// Distinguishes "absent" (leave as is) from `null` (clear) in PATCH bodies.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Reads a whole number given as any JSON number (`7` or `7.0`, which JSON Schema calls the
/// same integer); a fraction or a value beyond `i32` is an error naming the field.
fn whole_number<'de, D>(deserializer: D) -> Result<Option<i32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    match Option::<f64>::deserialize(deserializer)? {
        None => Ok(None),
        Some(value)
            if value.fract() == 0.0 && (i32::MIN as f64..=i32::MAX as f64).contains(&value) =>
        {
            Ok(Some(value as i32))
        }
        Some(value) => Err(serde::de::Error::custom(format!(
            "{value} is not a whole number"
        ))),
    }
}

/// Reads a JSON number into an `f32` rounding away from zero, so that no value is rounded into
/// a range it lies outside (2.0000000001 must stay above 2, not become 2.0).
fn f32_outward<'de, D>(deserializer: D) -> Result<Option<f32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(Option::<f64>::deserialize(deserializer)?.map(|exact| {
        let rounded = exact as f32;
        if (rounded as f64).abs() < exact.abs() {
            if exact > 0.0 {
                rounded.next_up()
            } else {
                rounded.next_down()
            }
        } else {
            rounded
        }
    }))
}

/// Declares a string enum of the API with its wire names, `as_str` and `parse`. On the
/// server it is also a column type (`text`): rows hold the enum, and a value in the database
/// that is none of the variants is an error when read, never a silent default.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, serde::Serialize, serde::Deserialize, utoipa::ToSchema, PartialEq,
            Eq, Hash,
        )]
        #[cfg_attr(feature = "server", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "server", diesel(sql_type = diesel::sql_types::Text))]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        #[cfg(feature = "server")]
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        #[cfg(feature = "server")]
        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::pg::Pg,
                >>::from_sql(value)?;
                $name::parse(&text).ok_or_else(|| {
                    format!("`{text}` is not a {} in the database", stringify!($name)).into()
                })
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Other modules declare their text enums (job status, …) with the same macro; they are all
/// server-side, so the SPA's build does not use the re-export.
#[cfg_attr(not(feature = "server"), allow(unused_imports))]
pub(crate) use wire_enum;

wire_enum!(
    /// What kind of Telnyx number: it decides how fast Telnyx lets the number send.
    NumberType {
        LongCode => "long_code",
        TollFree => "toll_free",
        ShortCode => "short_code",
    }
);

impl NumberType {
    /// The throughput assumed for the kind, in messages a second. Toll-free and short codes:
    /// Telnyx's defaults. Long codes: 4, the lowest 10DLC campaign class (AT&T's 240 a
    /// minute); Telnyx decides US long-code throughput per campaign, so set the campaign's
    /// rate on the number (and 0.1 for a number texting abroad).
    pub fn default_messages_per_second(self) -> f64 {
        match self {
            NumberType::LongCode => 4.0,
            NumberType::TollFree => 20.0,
            NumberType::ShortCode => 1000.0,
        }
    }
}

wire_enum!(
    /// What a user or API key may do: admins manage numbers, keys, users and assistants.
    Role {
        Admin => "admin",
        Agent => "agent",
    }
);

wire_enum!(
    /// What became of a webhook delivery.
    DeliveryOutcome {
        Received => "received",
        Processed => "processed",
        Duplicate => "duplicate",
        Deferred => "deferred",
        Ignored => "ignored",
        UnknownNumber => "unknown_number",
        Rejected => "rejected",
        Failed => "failed",
    }
);

wire_enum!(
    /// How a text travels as SMS: the GSM 03.38 alphabet, or UTF-16 for anything else.
    Encoding {
        Gsm7 => "GSM-7",
        Ucs2 => "UCS-2",
    }
);

wire_enum!(ConversationStatus { Active => "active", Closed => "closed" });

wire_enum!(
    /// What wrote an AI reply: any OpenAI-compatible chat-completions endpoint, or the
    /// built-in offline demo responder (used when no provider is configured).
    AiProvider {
        OpenAiCompatible => "openai_compatible",
        OfflineDemo => "offline_demo",
    }
);

wire_enum!(
    /// Where the contact stands as a lead.
    QualificationStatus {
        New => "new",
        Contacted => "contacted",
        Qualified => "qualified",
        Unqualified => "unqualified",
        Customer => "customer",
        Lost => "lost",
    }
);

wire_enum!(Channel { Sms => "sms" });

wire_enum!(
    /// Whether the texter is known to be the linked client ("is this Sarah?").
    Identity {
        Unknown => "unknown",
        Pending => "pending",
        Verified => "verified",
        Declined => "declined",
    }
);

wire_enum!(Direction { Inbound => "inbound", Outbound => "outbound" });

wire_enum!(Author { Customer => "customer", Agent => "agent", Ai => "ai", System => "system" });

wire_enum!(
    /// A message's place in its life: inbound messages are `received`; outbound ones move
    /// `queued → sending → sent → delivered`, or end failed, unconfirmed or expired. A
    /// message sent later is `scheduled` until its time (or `cancelled`), and one due inside
    /// the recipient's quiet hours is `held_quiet_hours` until they end.
    MessageStatus {
        Received => "received",
        Scheduled => "scheduled",
        HeldQuietHours => "held_quiet_hours",
        Cancelled => "cancelled",
        Queued => "queued",
        Sending => "sending",
        Sent => "sent",
        Delivered => "delivered",
        SendingFailed => "sending_failed",
        DeliveryFailed => "delivery_failed",
        DeliveryUnconfirmed => "delivery_unconfirmed",
        Expired => "expired",
    }
);

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Conversation {
    pub id: ConversationId,
    /// The customer, E.164.
    pub phone_number: String,
    /// The tenant's number the conversation runs on, E.164.
    pub tenant_phone_number: String,
    pub contact_name: Option<String>,
    pub company: Option<String>,
    pub client_id: Option<ClientId>,
    pub assistant_id: Option<AssistantId>,
    pub status: ConversationStatus,
    pub qualification_status: QualificationStatus,
    pub channel: Channel,
    pub ai_enabled: bool,
    /// The customer has opted out (STOP): nothing can be sent until they opt back in.
    pub opted_out: bool,
    pub identity: Identity,
    pub last_message_at: Option<DateTime<Utc>>,
    pub last_message_preview: Option<String>,
    pub unread_count: i32,
    /// The conversation this one continues, when the customer came back after the window.
    pub previous_conversation_id: Option<ConversationId>,
    /// A human replied, so the AI is quiet until this time (or until `ai_enabled` is set again).
    pub ai_paused_until: Option<DateTime<Utc>>,
    /// The user this conversation is assigned to, if any.
    pub assignee_id: Option<UserId>,
    /// The AI handed the conversation to a person, who has not answered yet. (Absent from
    /// events recorded before the team inbox: read as false.)
    #[serde(default)]
    pub needs_human: bool,
    /// Why the AI handed over, while `needs_human` holds.
    pub handoff_reason: Option<String>,
    /// Who wrote `last_message_preview`. (Absent from events recorded before it existed.)
    #[serde(default)]
    pub last_message_author: Option<Author>,
    /// The customer's own last message, on one line: the question an AI or agent reply
    /// after it would hide from the list.
    #[serde(default)]
    pub last_customer_message_preview: Option<String>,
    /// The latest message the business sent here failed; a retry or any later message the
    /// business sends clears it.
    #[serde(default)]
    pub delivery_failed: bool,
    /// Why the last AI reply failed, until one succeeds.
    pub ai_error: Option<String>,
    /// The customer's IANA time zone as their number tells it (country and area code), or
    /// null when it does not (the tenant's zone then stands in).
    #[serde(default)]
    pub customer_time_zone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartConversation {
    /// E.164, or a national number in the tenant's region (`(416) 555-1234`).
    pub phone_number: String,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    /// The first message to send.
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StartedConversation {
    pub conversation: Conversation,
    pub message: Message,
    /// True when the customer's active conversation was reused.
    pub resumed: bool,
}

/// PATCH body: absent fields stay as they are; `null` clears a nullable one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConversation {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ConversationStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification_status: Option<QualificationStatus>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Uuid>)]
    pub assistant_id: Option<Option<AssistantId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_enabled: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Uuid>)]
    pub client_id: Option<Option<ClientId>>,
    /// A user of the tenant, or `null` to unassign.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Uuid>)]
    pub assignee_id: Option<Option<UserId>>,
    /// `false`: a person has dealt with the handoff; `true`: flag it for someone of the team
    /// (the reason says who flagged it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_human: Option<bool>,
}

/// The carrier's reason a message failed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MessageError {
    pub code: String,
    pub title: String,
    pub detail: Option<String>,
}

wire_enum!(
    /// `SMS`, or `MMS` for a message with pictures or files (Telnyx's spelling).
    MessageType { Sms => "SMS", Mms => "MMS" }
);

// `wire_enum!` takes no attributes on variants, so `#[default]` cannot be derived.
#[allow(clippy::derivable_impls)]
impl Default for MessageType {
    fn default() -> Self {
        MessageType::Sms
    }
}

wire_enum!(
    /// Whether an item's bytes can be read: `stored`; `pending` while a customer's picture is
    /// being fetched from Telnyx; `unavailable` when that failed for good (the message stays).
    MediaStatus {
        Stored => "stored",
        Pending => "pending",
        Unavailable => "unavailable",
    }
);

/// A picture or file: uploaded by the team (`POST /api/v1/media`) or sent by a customer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Media {
    pub id: MediaId,
    /// e.g. `image/jpeg`.
    pub content_type: String,
    /// Bytes (for an item not stored, what the carrier declared; 0 when unknown).
    pub size: i64,
    /// Lowercase hex SHA-256 of the bytes; null until they are stored.
    pub sha256: Option<String>,
    /// `/api/v1/media/{id}`: the bytes with their `content-type` (bearer auth).
    pub url: String,
    #[serde(default = "stored")]
    pub status: MediaStatus,
}

fn stored() -> MediaStatus {
    MediaStatus::Stored
}

impl Media {
    /// Where the API serves an item's bytes.
    pub fn url_of(id: MediaId) -> String {
        format!("/api/v1/media/{id}")
    }
}

/// The multipart body of `POST /api/v1/media` (for the OpenAPI document): one field, `file`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadMedia {
    /// The file (not empty), with its `Content-Type`: image/jpeg, image/png, image/gif,
    /// image/webp, video/mp4, audio/mpeg, text/vcard or application/pdf.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    pub file: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub direction: Direction,
    pub author: Author,
    pub text: String,
    pub encoding: Encoding,
    pub segments: i32,
    pub status: MessageStatus,
    pub error: Option<MessageError>,
    pub telnyx_message_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// For AI replies, who wrote them: an OpenAI-compatible model, or the built-in offline
    /// demo responder used when no AI provider is configured.
    pub ai_provider: Option<AiProvider>,
    /// The agent who wrote it (null for customers, the AI and API keys).
    pub author_user_id: Option<UserId>,
    /// The agent's name when they wrote it (null for customers and the AI).
    pub author_name: Option<String>,
    /// The failed message this one sends again.
    pub retry_of: Option<MessageId>,
    /// `SMS`, or `MMS` when it carries pictures or files.
    #[serde(rename = "type", default)]
    pub message_type: MessageType,
    /// Its pictures and files, in order.
    #[serde(default)]
    pub media: Vec<Media>,
    /// When a message sent later leaves (`send_at` as asked); null for one sent at once.
    #[serde(default)]
    pub scheduled_at: Option<DateTime<Utc>>,
    /// While `held_quiet_hours`: when the recipient's quiet hours end and it leaves.
    #[serde(default)]
    pub held_until: Option<DateTime<Utc>>,
}

/// An internal note in a conversation's timeline: seen by the team, never sent by SMS.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Note {
    pub id: NoteId,
    pub conversation_id: ConversationId,
    /// The user who wrote it (null when an API key did).
    pub author_user_id: Option<UserId>,
    /// The author's name when they wrote it (an API key's name for a key).
    pub author_name: Option<String>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNote {
    /// 1 to 5,000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// The text; may be left out or empty when `media_ids` are given.
    #[serde(default)]
    pub text: String,
    /// 1 to 10 uploaded items (`POST /api/v1/media`) to send as an MMS (US and Canada).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_items = 1, max_items = 10)]
    pub media_ids: Option<Vec<MediaId>>,
    /// Send later: RFC 3339, in the future and at most a year ahead. The message is
    /// `scheduled` until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_at: Option<DateTime<Utc>>,
}

/// `PATCH /api/v1/messages/{id}`: a scheduled message's text or time (absent fields stay).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// RFC 3339, in the future and at most a year ahead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_at: Option<DateTime<Utc>>,
}

/// The AI guide of a conversation: instructions the assistant follows there. A conversation
/// without one has an empty `text` and no `updated_at`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Guide {
    pub conversation_id: ConversationId,
    pub text: String,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutGuide {
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Assistant {
    pub id: AssistantId,
    pub name: String,
    pub system_prompt: String,
    /// The provider's model; `null` uses the configured default.
    pub model: Option<String>,
    pub temperature: f32,
    pub channel: Channel,
    pub is_default: bool,
    /// The longest reply this assistant sends, in SMS segments (1 to 10): the prompt says
    /// so, and a longer answer is cut at a sentence boundary to fit.
    pub max_segments: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An assistant's reply limit unless it says otherwise: long enough for a helpful answer,
/// short enough to read (and pay for) as a text.
pub const DEFAULT_MAX_SEGMENTS: i32 = 3;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAssistant {
    pub name: String,
    pub system_prompt: String,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default, deserialize_with = "f32_outward")]
    pub temperature: Option<f32>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub is_default: Option<bool>,
    /// The longest reply in SMS segments, 1 to 10 (default 3).
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 1, maximum = 10)]
    pub max_segments: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAssistant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub model: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "f32_outward",
        skip_serializing_if = "Option::is_none"
    )]
    pub temperature: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// The longest reply in SMS segments, 1 to 10.
    #[serde(
        default,
        deserialize_with = "whole_number",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(minimum = 1, maximum = 10)]
    pub max_segments: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct OptOut {
    pub phone_number: String,
    /// The word the customer sent (`STOP`, `UNSUBSCRIBE`, …).
    pub keyword: String,
    pub created_at: DateTime<Utc>,
}

/// One webhook Telnyx delivered to us, and what we made of it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub telnyx_message_id: Option<String>,
    pub signature_ok: bool,
    pub outcome: DeliveryOutcome,
    pub error: Option<String>,
    pub attempt: Option<i32>,
    pub received_at: DateTime<Utc>,
}

/// A client record of the tenant's CRM.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Client {
    pub id: ClientId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// E.164; unique within the tenant.
    pub phone_number: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// E.164, or national in the tenant's region.
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// PATCH body: absent fields stay as they are; `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateClient {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub first_name: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub last_name: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub phone_number: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
}

/// Something that happened with a customer on another channel (a call, an email, a chat).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Interaction {
    pub id: InteractionId,
    pub client_id: Option<ClientId>,
    pub phone_number: Option<String>,
    /// `voice`, `email`, `webchat`, …
    pub channel: String,
    pub summary: String,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInteraction {
    pub channel: String,
    /// The customer's number (E.164 or national); or give `client_id`.
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub client_id: Option<ClientId>,
    pub summary: String,
    /// When it happened (RFC 3339, years 1 to 9999); now when absent.
    #[serde(default, deserialize_with = "crate::timestamps::deserialize_optional")]
    pub occurred_at: Option<DateTime<Utc>>,
}

/// One day of a tenant's traffic (UTC).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UsageDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub messages_in: i64,
    pub messages_out: i64,
    pub segments_in: i64,
    pub segments_out: i64,
    pub ai_prompt_tokens: i64,
    pub ai_completion_tokens: i64,
    /// Prompt plus completion tokens.
    pub ai_tokens: i64,
    /// Of `messages_in`, those with pictures or files (MMS).
    #[serde(default)]
    pub mms_in: i64,
    /// Of `messages_out`, those with pictures or files (MMS).
    #[serde(default)]
    pub mms_out: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Usage {
    /// The first day covered, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub from: String,
    /// The last day covered.
    #[schema(format = Date)]
    pub to: String,
    /// Every day of the range, oldest first (days without traffic count zero).
    pub days: Vec<UsageDay>,
    pub totals: UsageDay,
}

/// How the server reads a phone number typed by a person (the SPA shows it as you type).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct NormalizedPhone {
    pub input: String,
    /// The E.164 form, when the input is a valid number.
    pub e164: Option<String>,
    /// Why not, when it is not.
    pub error: Option<String>,
}

/// What a feed event says, by its `type`; `data` is the variant's body. One enum, written by
/// the server's event log and read by every subscriber with one `from_str`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(tag = "type", content = "data")]
pub enum FeedPayload {
    #[serde(rename = "conversation.created")]
    ConversationCreated(Conversation),
    #[serde(rename = "conversation.updated")]
    ConversationUpdated(Conversation),
    #[serde(rename = "message.created")]
    MessageCreated(Message),
    #[serde(rename = "message.status_updated")]
    MessageStatusUpdated(Message),
    /// A message changed otherwise: a customer's picture arrived (or could not be fetched).
    #[serde(rename = "message.updated")]
    MessageUpdated(Message),
    #[serde(rename = "ai.response_generated")]
    AiResponseGenerated(AiResponseGenerated),
    #[serde(rename = "contact.identified")]
    ContactIdentified(ContactIdentified),
    #[serde(rename = "opt_out.changed")]
    OptOutChanged(OptOutChanged),
    #[serde(rename = "note.created")]
    NoteCreated(Note),
    /// The team's saved replies changed: every open composer offers the same ones.
    #[serde(rename = "canned_reply.created")]
    CannedReplyCreated(CannedReply),
    #[serde(rename = "canned_reply.updated")]
    CannedReplyUpdated(CannedReply),
    #[serde(rename = "canned_reply.deleted")]
    CannedReplyDeleted(CannedReplyDeleted),
    /// An admin changed the tenant's settings (hours, quiet hours, …).
    #[serde(rename = "settings.updated")]
    SettingsUpdated(Settings),
    /// The events after the client's `after` were pruned: reload what is shown.
    #[serde(rename = "feed.reset")]
    FeedReset(FeedReset),
}

impl FeedPayload {
    /// The `type` as it travels.
    pub fn type_name(&self) -> &'static str {
        match self {
            FeedPayload::ConversationCreated(_) => "conversation.created",
            FeedPayload::ConversationUpdated(_) => "conversation.updated",
            FeedPayload::MessageCreated(_) => "message.created",
            FeedPayload::MessageStatusUpdated(_) => "message.status_updated",
            FeedPayload::MessageUpdated(_) => "message.updated",
            FeedPayload::AiResponseGenerated(_) => "ai.response_generated",
            FeedPayload::ContactIdentified(_) => "contact.identified",
            FeedPayload::OptOutChanged(_) => "opt_out.changed",
            FeedPayload::NoteCreated(_) => "note.created",
            FeedPayload::CannedReplyCreated(_) => "canned_reply.created",
            FeedPayload::CannedReplyUpdated(_) => "canned_reply.updated",
            FeedPayload::CannedReplyDeleted(_) => "canned_reply.deleted",
            FeedPayload::SettingsUpdated(_) => "settings.updated",
            FeedPayload::FeedReset(_) => "feed.reset",
        }
    }
}

/// One frame of the real-time feed (`GET /api/v1/ws`): `{"id", "type", "occurred_at",
/// "data"}`, its `type` and `data` from [`FeedPayload`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FeedEvent {
    /// Increases by one per event of the tenant; reconnect with `after=<id>` to resume.
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    #[serde(flatten)]
    pub payload: FeedPayload,
}

/// `ai.response_generated`: the AI's reply was queued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AiResponseGenerated {
    pub conversation_id: ConversationId,
    pub message: Message,
    pub provider: AiProvider,
    pub offline_demo: bool,
    pub model: String,
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
}

/// `contact.identified`: the customer's name or client record became known.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ContactIdentified {
    /// `client_record` (the customer confirmed a known client) or `message` (they said it).
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub conversation: Conversation,
}

/// `opt_out.changed`: a number opted out (STOP) or back in (START, or an admin's lift).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct OptOutChanged {
    pub phone_number: String,
    pub opted_out: bool,
    /// The opt-out, when there is one now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out: Option<OptOut>,
}

/// `canned_reply.deleted`: which saved reply is gone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CannedReplyDeleted {
    pub id: crate::ids::CannedReplyId,
}

/// `feed.reset`: why the client must reload.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FeedReset {
    pub reason: String,
}

wire_enum!(
    /// What an AI generation was for: a reply to the customer, or reading a name they gave.
    GenerationPurpose { Reply => "reply", NameExtraction => "name_extraction" }
);

wire_enum!(
    /// Whether the AI provider answered the generation.
    GenerationOutcome { Ok => "ok", Error => "error" }
);

/// One AI generation, for troubleshooting and usage.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AiGeneration {
    pub id: GenerationId,
    pub conversation_id: Option<ConversationId>,
    /// The reply it produced, when it produced one.
    pub message_id: Option<MessageId>,
    pub assistant_id: Option<AssistantId>,
    pub purpose: GenerationPurpose,
    /// `openai_compatible` or `offline_demo`.
    pub provider: String,
    pub model: String,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub latency_ms: i32,
    pub outcome: GenerationOutcome,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

wire_enum!(
    /// How a troubleshooting check came out: `warning` works but needs a look, `error` is
    /// broken.
    CheckStatus { Ok => "ok", Warning => "warning", Error => "error" }
);

/// One troubleshooting check.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DiagnosticCheck {
    /// A stable name, e.g. `telnyx_api_key`.
    pub name: String,
    pub status: CheckStatus,
    /// What was found, in a sentence.
    pub detail: String,
    /// What to do about it, when something is to be done.
    pub action: Option<String>,
}

/// `GET /api/v1/diagnostics`: the seed's troubleshooting checks as data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Diagnostics {
    pub checks: Vec<DiagnosticCheck>,
    /// Webhook deliveries of the last day that were refused or failed.
    pub recent_webhook_failures: Vec<WebhookDelivery>,
    /// AI generations of the last day that failed.
    pub recent_ai_errors: Vec<AiGeneration>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SimulatorStatus {
    /// True when no Telnyx API key is configured and the built-in simulator plays Telnyx.
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateInbound {
    /// The customer's number (E.164 or national in the tenant's region).
    pub from: String,
    /// One of the tenant's numbers; its first number when absent.
    #[serde(default)]
    pub to: Option<String>,
    /// May be empty when `media_ids` are given.
    #[serde(default)]
    pub text: String,
    /// Uploaded items (`POST /api/v1/media`) the customer sends as an MMS: the simulator
    /// serves them and Parley fetches them as it fetches Telnyx's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_items = 1, max_items = 10)]
    pub media_ids: Option<Vec<MediaId>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SimulatedInbound {
    /// The simulated Telnyx message id.
    pub telnyx_message_id: String,
    /// The HTTP status our webhook endpoint answered the simulator.
    pub webhook_status: Option<u16>,
}

/// A canned reply: a saved answer of the tenant that agents find by its shortcut and fill in
/// for a conversation (`POST /api/v1/conversations/{id}/canned-replies/{reply_id}/render`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CannedReply {
    pub id: crate::ids::CannedReplyId,
    /// 1 to 32 letters (`a`–`z`, `A`–`Z`), digits, `-` or `_`, as given; unique within the
    /// tenant regardless of case.
    pub shortcut: String,
    pub title: String,
    /// A template: `{{contact.first_name}}`, `{{contact.name}}`, `{{agent.name}}` and
    /// `{{tenant.name}}` are filled in, each with an optional fallback for when there is no
    /// value: `{{contact.first_name|there}}`.
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/canned-replies`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCannedReply {
    /// 1 to 32 letters (`a`–`z`, `A`–`Z`), digits, `-` or `_` (no spaces, no leading `/`);
    /// another reply of the tenant with the same shortcut in any case is 409
    /// `duplicate_shortcut`.
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub shortcut: String,
    /// 1 to 100 characters, not all whitespace (stored trimmed).
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// 1 to 1600 characters, not all whitespace: a template whose placeholders name only
    /// `contact.first_name`, `contact.name`, `agent.name` or `tenant.name` (case-sensitive),
    /// each optionally with a fallback without braces (`{{ contact.first_name | there }}`). An
    /// unknown variable is 422 `unknown_variable`, an unclosed `{{` 422 `invalid_template`.
    #[schema(min_length = 1, max_length = 1600)]
    pub text: String,
}

/// `PATCH /api/v1/canned-replies/{id}`: absent fields stay as they are (as does `null`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCannedReply {
    /// As in `CreateCannedReply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub shortcut: Option<String>,
    /// As in `CreateCannedReply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    /// As in `CreateCannedReply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 1600)]
    pub text: Option<String>,
}

/// A canned reply filled in for one conversation and the calling user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RenderedCannedReply {
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_feed_events_keep_the_wire_shape() {
        let frame = r#"{"id": 8, "type": "opt_out.changed", "occurred_at": "2026-11-25T10:00:00Z",
            "data": {"phone_number": "+14165551234", "opted_out": false}}"#;
        let event: FeedEvent = serde_json::from_str(frame).expect("typed");
        assert_eq!(event.id, 8);
        assert_eq!(event.payload.type_name(), "opt_out.changed");
        assert!(matches!(
            &event.payload,
            FeedPayload::OptOutChanged(OptOutChanged {
                opted_out: false,
                ..
            })
        ));
        let again = serde_json::to_value(&event).expect("json");
        assert_eq!(again["type"], "opt_out.changed");
        assert_eq!(again["data"]["phone_number"], "+14165551234");
        let reset = r#"{"id": 3, "type": "feed.reset", "occurred_at": "2026-11-25T10:00:00Z",
            "data": {"reason": "pruned"}}"#;
        let event: FeedEvent = serde_json::from_str(reset).expect("reset");
        assert!(matches!(event.payload, FeedPayload::FeedReset(_)));
        let unknown =
            r#"{"id": 4, "type": "no.such", "occurred_at": "2026-11-25T10:00:00Z", "data": {}}"#;
        assert!(serde_json::from_str::<FeedEvent>(unknown).is_err());
    }
}

/// Opening hours of one week: for each day, the intervals (`["09:00", "17:00"]`, local time
/// in the tenant's zone, `"24:00"` closes at midnight) in order; an empty day is closed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    #[serde(default)]
    pub mon: Vec<[String; 2]>,
    #[serde(default)]
    pub tue: Vec<[String; 2]>,
    #[serde(default)]
    pub wed: Vec<[String; 2]>,
    #[serde(default)]
    pub thu: Vec<[String; 2]>,
    #[serde(default)]
    pub fri: Vec<[String; 2]>,
    #[serde(default)]
    pub sat: Vec<[String; 2]>,
    #[serde(default)]
    pub sun: Vec<[String; 2]>,
}

impl BusinessHours {
    /// The days in order from Monday, named as the API spells them.
    pub fn days(&self) -> [(&'static str, &Vec<[String; 2]>); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }

    /// The day `index` from Monday (0) to Sunday (6), to edit.
    pub fn day_mut(&mut self, index: usize) -> Option<&mut Vec<[String; 2]>> {
        match index {
            0 => Some(&mut self.mon),
            1 => Some(&mut self.tue),
            2 => Some(&mut self.wed),
            3 => Some(&mut self.thu),
            4 => Some(&mut self.fri),
            5 => Some(&mut self.sat),
            6 => Some(&mut self.sun),
            _ => None,
        }
    }
}

/// The hours, in the recipient's local time, when messages that start a conversation or
/// were scheduled wait (`"21:00"` to `"08:00"`: overnight).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// `HH:MM`, 24-hour.
    #[schema(example = "21:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    /// `HH:MM`, 24-hour; different from `start`.
    #[schema(example = "08:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: String,
}

wire_enum!(
    /// Who answers STOP, START, HELP and INFO: Parley (one confirmation, the HELP text) or
    /// the carrier (Telnyx's own auto-replies on the messaging profile; Parley sends none).
    KeywordReplies {
        Parley => "parley",
        Carrier => "carrier",
    }
);

/// The tenant's settings: hours, away message, quiet hours, keyword replies, auto-assign.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Settings {
    /// IANA time zone of the business, e.g. `America/New_York`.
    pub time_zone: String,
    pub business_hours: BusinessHours,
    /// Sent once per conversation per closed period to a customer who writes outside
    /// business hours; null sends none.
    pub away_message: Option<String>,
    /// Whether the AI keeps answering outside business hours (then no away message).
    pub ai_answers_after_hours: bool,
    /// Null: messages are never held.
    pub quiet_hours: Option<QuietHours>,
    /// The answer to HELP and INFO; null answers with a sentence naming the business.
    pub help_message: Option<String>,
    pub keyword_replies: KeywordReplies,
    /// An agent's reply in an unassigned conversation assigns it to them.
    pub auto_assign_on_reply: bool,
}

/// `PATCH /api/v1/settings` (admins): absent fields stay as they are; `null` clears a
/// nullable one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "America/New_York")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_hours: Option<BusinessHours>,
    /// 1 to 1,530 characters, or null for none.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 1530)]
    pub away_message: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_answers_after_hours: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<QuietHours>)]
    pub quiet_hours: Option<Option<QuietHours>>,
    /// 1 to 1,530 characters, or null for the default sentence.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 1530)]
    pub help_message: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword_replies: Option<KeywordReplies>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_assign_on_reply: Option<bool>,
}
