//! The OpenAPI description (utoipa), served at `/api/openapi.json` with Swagger UI at
//! `/api/docs/` from vendored assets, and written to `openapi.yaml` by `make openapi`.

use actix_web::web;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::wire;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Parley API",
        description = "One-on-one SMS conversations with customers, with an AI assistant. \
Authenticate with `Authorization: Bearer <token>`: a user's access token from \
`POST /api/v1/auth/login`, or an API key. Errors answer `{\"error\": {\"code\", \"message\", \"field\"}}`."
    ),
    paths(
        crate::ops::healthz,
        crate::ops::readyz,
        crate::ops::metrics,
        crate::auth::routes::login,
        crate::auth::routes::me,
        crate::auth::routes::update_me,
        crate::users::routes::list,
        crate::users::routes::create,
        crate::users::routes::delete,
        crate::api_keys::routes::list,
        crate::api_keys::routes::create,
        crate::api_keys::routes::revoke,
        crate::phone_numbers::routes::list,
        crate::phone_numbers::routes::create,
        crate::phone_numbers::routes::delete,
        crate::phone_numbers::routes::normalize,
        crate::conversations::routes::list,
        crate::conversations::routes::export,
        crate::conversations::routes::mark_read,
        crate::conversations::routes::start,
        crate::conversations::routes::get,
        crate::conversations::routes::update,
        crate::conversations::routes::get_guide,
        crate::conversations::routes::put_guide,
        crate::conversations::routes::delete_guide,
        crate::messages::routes::history,
        crate::messages::routes::send,
        crate::messages::routes::retry,
        crate::media::routes::upload,
        crate::media::routes::get,
        crate::media::routes::get_signed,
        crate::notes::routes::list,
        crate::notes::routes::create,
        crate::messages::routes::segments,
        crate::assistants::routes::list,
        crate::assistants::routes::create,
        crate::assistants::routes::get,
        crate::assistants::routes::update,
        crate::assistants::routes::delete,
        crate::opt_outs::routes::list,
        crate::opt_outs::routes::delete,
        crate::webhooks::routes::telnyx,
        crate::webhooks::routes::recent,
        crate::clients::routes::list,
        crate::clients::routes::create,
        crate::clients::routes::get,
        crate::clients::routes::update,
        crate::clients::routes::delete,
        crate::interactions::routes::create,
        crate::interactions::routes::list,
        crate::usage::routes::get,
        crate::realtime::ws::connect,
        crate::agent::generations::routes::list,
        crate::diagnostics::routes::get,
        crate::simulation::status,
        crate::simulation::inbound,
        crate::canned_replies::routes::list,
        crate::canned_replies::routes::create,
        crate::canned_replies::routes::get,
        crate::canned_replies::routes::update,
        crate::canned_replies::routes::delete,
        crate::canned_replies::routes::render,
        crate::messages::routes::update,
        crate::messages::routes::cancel,
        crate::messages::routes::send_now,
        crate::settings::routes::get,
        crate::settings::routes::update,
    ),
    components(schemas(
        wire::ErrorBody, wire::ErrorDetail, wire::Role, wire::LoginRequest, wire::LoginResponse,
        wire::Tenant, wire::User, wire::CreateUser, wire::UpdateMe, wire::Note, wire::CreateNote, wire::ApiKey, wire::CreateApiKey,
        wire::CreatedApiKey, wire::PhoneNumber, wire::CreatePhoneNumber, wire::Me,
        wire::Health, wire::Readiness, wire::Conversation, wire::StartConversation,
        wire::StartedConversation, wire::UpdateConversation, wire::Message, wire::MessageError,
        wire::SendMessage, wire::Guide, wire::PutGuide, wire::Assistant, wire::CreateAssistant,
        wire::UpdateAssistant, wire::OptOut, wire::WebhookDelivery, wire::SegmentsRequest,
        wire::SegmentsResponse, wire::ConversationStatus, wire::QualificationStatus, wire::Channel,
        wire::Identity, wire::Direction, wire::Author, wire::MessageStatus,
        wire::SimulatorStatus, wire::SimulateInbound, wire::SimulatedInbound, wire::Client, wire::CreateClient, wire::UpdateClient,
        wire::Interaction, wire::CreateInteraction, wire::Usage, wire::UsageDay, wire::NormalizedPhone, wire::FeedEvent, wire::AiGeneration, wire::GenerationPurpose, wire::GenerationOutcome, wire::Diagnostics, wire::DiagnosticCheck, wire::CheckStatus,
        wire::CannedReply, wire::CreateCannedReply, wire::UpdateCannedReply, wire::RenderedCannedReply,
        wire::Media, wire::MediaStatus, wire::MessageType, wire::UploadMedia,
        wire::UpdateMessage, wire::Settings, wire::UpdateSettings, wire::BusinessHours,
        wire::QuietHours, wire::KeywordReplies,
    )),
    modifiers(&BearerAuth, &RequestRules, &Contract),
    tags(
        (name = "auth", description = "Sign in and who am I"),
        (name = "users", description = "The tenant's people (adding and removing them: admins only)"),
        (name = "notes", description = "Internal notes in a conversation's timeline"),
        (name = "api-keys", description = "Keys for third-party clients (admins only)"),
        (name = "phone-numbers", description = "The tenant's Telnyx numbers"),
        (name = "conversations", description = "Start, read and update conversations; AI guides"),
        (name = "messages", description = "History, sending, SMS segment counting"),
        (name = "assistants", description = "The AI assistants of the tenant"),
        (name = "opt-outs", description = "Numbers that replied STOP"),
        (name = "webhooks", description = "Telnyx's webhooks and their delivery log"),
        (name = "clients", description = "Client records and other channels' interactions"),
        (name = "usage", description = "Messages, segments and AI tokens per day"),
        (name = "ai", description = "The AI assistant's generations"),
        (name = "feed", description = "The real-time WebSocket feed"),
        (name = "simulator", description = "The built-in carrier simulator (no Telnyx account)"),
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "canned-replies", description = "Saved answers, and filling one in for a conversation"),
        (name = "media", description = "Pictures and files (MMS): uploads, and reading them back"),
        (name = "settings", description = "The tenant's hours, quiet hours, away message and keyword replies"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A user's access token (JWT) or an API key (`pk_…`)"))
                    .build(),
            ),
        );
    }
}

/// What the server enforces on each request field, beyond its JSON type, so that the document
/// holds exactly the values the server accepts. The limits are the services' own constants.
struct RequestRules;

#[derive(Clone, Copy)]
enum Rule {
    /// At most `max` characters, at least one of them not whitespace.
    Words { max: usize },
    /// At most `max` characters; blank is the same as absent.
    Optional { max: usize },
    /// `min` to `max` characters of any kind.
    Length { min: usize, max: usize },
    /// A phone number as a person writes it: E.164 or national in the tenant's region.
    Phone,
    /// A phone number in strict E.164.
    E164,
    /// An email address.
    Email { max: usize },
    /// Matches `pattern` (which also rules out U+0000).
    Pattern(&'static str),
    /// A number between `min` and `max`, both included.
    Range { min: f64, max: f64 },
    /// A canned reply's template: at most `max` characters, not blank, naming known variables.
    Template { max: usize },
    /// One line of at most `max` characters, not blank, without control characters.
    Line { max: usize },
}

/// `(schema, property, rule)` for the request bodies.
fn body_rules() -> Vec<(&'static str, &'static str, Rule)> {
    use crate::{api_keys, assistants, clients, conversations, interactions, messages};
    use crate::{auth::password, phone_numbers, users};
    let name = Rule::Words {
        max: assistants::MAX_NAME_CHARS,
    };
    let prompt = Rule::Words {
        max: assistants::MAX_PROMPT_CHARS,
    };
    let model = Rule::Length {
        min: 0,
        max: assistants::MAX_MODEL_CHARS,
    };
    let temperature = Rule::Range {
        min: assistants::MIN_TEMPERATURE as f64,
        max: assistants::MAX_TEMPERATURE as f64,
    };
    let message = Rule::Words {
        max: messages::MAX_TEXT_CHARS,
    };
    let contact = Rule::Optional {
        max: conversations::MAX_NAME_CHARS,
    };
    let client_text = Rule::Words {
        max: clients::MAX_FIELD_CHARS,
    };
    let canned_title = Rule::Words {
        max: crate::canned_replies::MAX_TITLE_CHARS,
    };
    let canned_text = Rule::Template {
        max: crate::canned_replies::MAX_TEXT_CHARS,
    };
    vec![
        (
            "CreateUser",
            "email",
            Rule::Email {
                max: users::MAX_EMAIL_CHARS,
            },
        ),
        (
            "CreateUser",
            "password",
            Rule::Length {
                min: password::MIN_PASSWORD_LENGTH,
                max: password::MAX_PASSWORD_LENGTH,
            },
        ),
        (
            "CreateApiKey",
            "name",
            Rule::Words {
                max: api_keys::MAX_NAME_CHARS,
            },
        ),
        ("CreatePhoneNumber", "number", Rule::E164),
        (
            "CreatePhoneNumber",
            "messaging_profile_id",
            Rule::Length {
                min: 0,
                max: phone_numbers::MAX_PROFILE_ID_CHARS,
            },
        ),
        ("StartConversation", "phone_number", Rule::Phone),
        ("StartConversation", "contact_name", contact),
        ("StartConversation", "company", contact),
        ("StartConversation", "message", message),
        ("UpdateConversation", "contact_name", contact),
        ("UpdateConversation", "company", contact),
        // Blank is fine with `media_ids` (an MMS without text), refused (422) without.
        (
            "SendMessage",
            "text",
            Rule::Optional {
                max: messages::MAX_TEXT_CHARS,
            },
        ),
        (
            "PutGuide",
            "text",
            Rule::Words {
                max: conversations::MAX_GUIDE_CHARS,
            },
        ),
        ("CreateAssistant", "name", name),
        ("CreateAssistant", "system_prompt", prompt),
        ("CreateAssistant", "model", model),
        ("CreateAssistant", "temperature", temperature),
        ("UpdateAssistant", "name", name),
        ("UpdateAssistant", "system_prompt", prompt),
        ("UpdateAssistant", "model", model),
        ("UpdateAssistant", "temperature", temperature),
        ("CreateClient", "first_name", client_text),
        ("CreateClient", "last_name", client_text),
        ("CreateClient", "company", client_text),
        ("CreateClient", "phone_number", Rule::Phone),
        (
            "CreateClient",
            "email",
            Rule::Email {
                max: clients::MAX_FIELD_CHARS,
            },
        ),
        ("UpdateClient", "first_name", client_text),
        ("UpdateClient", "last_name", client_text),
        ("UpdateClient", "company", client_text),
        ("UpdateClient", "phone_number", Rule::Phone),
        (
            "UpdateClient",
            "email",
            Rule::Email {
                max: clients::MAX_FIELD_CHARS,
            },
        ),
        (
            "CreateInteraction",
            "channel",
            Rule::Pattern(interactions::CHANNEL_PATTERN),
        ),
        ("CreateInteraction", "phone_number", Rule::Phone),
        (
            "CreateInteraction",
            "summary",
            Rule::Words {
                max: interactions::MAX_SUMMARY_CHARS,
            },
        ),
        ("SimulateInbound", "from", Rule::Phone),
        ("SimulateInbound", "to", Rule::E164),
        (
            "SimulateInbound",
            "text",
            Rule::Optional {
                max: messages::MAX_TEXT_CHARS,
            },
        ),
        (
            "CreateUser",
            "name",
            Rule::Line {
                max: users::MAX_NAME_CHARS,
            },
        ),
        (
            "UpdateMe",
            "name",
            Rule::Line {
                max: users::MAX_NAME_CHARS,
            },
        ),
        (
            "CreateNote",
            "text",
            Rule::Words {
                max: crate::notes::MAX_NOTE_CHARS,
            },
        ),
        ("CreateCannedReply", "title", canned_title),
        ("CreateCannedReply", "text", canned_text),
        ("UpdateCannedReply", "title", canned_title),
        ("UpdateCannedReply", "text", canned_text),
    ]
}

/// The string schema inside `schema` (a string, or a string-or-null).
fn string_object(schema: &mut RefOr<Schema>) -> Option<&mut Object> {
    match schema {
        RefOr::T(Schema::Object(object)) => {
            let is_string = match &object.schema_type {
                SchemaType::Type(Type::String) => true,
                SchemaType::Array(types) => types.contains(&Type::String),
                _ => false,
            };
            is_string.then_some(object)
        }
        _ => None,
    }
}

impl Rule {
    fn apply(self, object: &mut Object) {
        match self {
            Rule::Words { max } => {
                object.min_length = Some(1);
                object.max_length = Some(max);
                object.pattern = Some(crate::text::not_blank_pattern());
            }
            Rule::Optional { max } => {
                object.max_length = Some(max);
            }
            Rule::Length { min, max } => {
                object.min_length = (min > 0).then_some(min);
                object.max_length = Some(max);
            }
            Rule::Phone => {
                object.format = Some(SchemaFormat::Custom("phone".to_string()));
            }
            Rule::E164 => {
                object.format = Some(SchemaFormat::Custom("e164".to_string()));
            }
            Rule::Email { max } => {
                object.format = Some(SchemaFormat::KnownFormat(KnownFormat::Email));
                object.max_length = Some(max);
            }
            Rule::Pattern(pattern) => {
                object.pattern = Some(pattern.to_string());
            }
            Rule::Range { min, max } => {
                object.minimum = Some(min.into());
                object.maximum = Some(max.into());
            }
            Rule::Line { max } => {
                object.min_length = Some(1);
                object.max_length = Some(max);
                object.pattern = Some(crate::text::one_line_pattern());
            }
            Rule::Template { max } => {
                object.min_length = Some(1);
                object.max_length = Some(max);
                object.pattern = Some(crate::canned_replies::text_pattern());
            }
        }
    }
}

/// Schemas named by a request body.
fn request_schemas(openapi: &utoipa::openapi::OpenApi) -> Vec<String> {
    let mut names = Vec::new();
    for item in openapi.paths.paths.values() {
        for operation in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
            .into_iter()
            .flatten()
        {
            let Some(RefOr::T(body)) = &operation.request_body else {
                continue;
            };
            for content in body.content.values() {
                if let RefOr::T(content) = content {
                    if let Some(RefOr::Ref(reference)) = &content.schema {
                        if let Some(name) = reference.ref_location.rsplit('/').next() {
                            names.push(name.to_string());
                        }
                    }
                }
            }
        }
    }
    names
}

impl Modify for RequestRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let requests = request_schemas(openapi);
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema, property, rule) in body_rules() {
            let object = match components.schemas.get_mut(schema) {
                Some(RefOr::T(Schema::Object(object))) => object,
                _ => panic!("no request schema {schema}"),
            };
            let property = object
                .properties
                .get_mut(property)
                .and_then(string_object_or_number)
                .unwrap_or_else(|| panic!("no property {schema}.{property}"));
            rule.apply(property);
        }
        // Whatever else a request's strings may hold, it is never U+0000.
        for name in requests {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
                for property in object.properties.values_mut() {
                    if let Some(text) = string_object(property) {
                        if text.pattern.is_none() && text.format.is_none() {
                            text.pattern = Some(crate::text::NO_NUL.to_string());
                        }
                    }
                }
            }
        }
        // Bodies that must name someone: one of these properties, as a string (not null).
        // utoipa's `Object` has no `anyOf` of its own; it is written beside the properties (an
        // `allOf` wrapper would say the same, but fuzzers read it less exactly).
        for (schema, any_of) in [
            (
                "CreateClient",
                &["first_name", "last_name", "company", "phone_number"][..],
            ),
            ("CreateInteraction", &["phone_number", "client_id"][..]),
        ] {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
                panic!("no request schema {schema}");
            };
            let branches: Vec<serde_json::Value> = any_of
                .iter()
                .map(|property| {
                    serde_json::json!({
                        "required": [property],
                        "properties": { *property: { "type": "string" } },
                    })
                })
                .collect();
            object
                .extensions
                .get_or_insert_with(Default::default)
                .insert("anyOf".to_string(), serde_json::Value::Array(branches));
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                let inbox = matches!(
                    operation.operation_id.as_deref(),
                    Some("list_conversations" | "export_conversations")
                );
                let canned = operation.operation_id.as_deref() == Some("list_canned_replies");
                for parameter in operation.parameters.iter_mut().flatten() {
                    let RefOr::T(parameter) = parameter else {
                        continue;
                    };
                    if parameter.parameter_in != ParameterIn::Query {
                        continue;
                    }
                    if let Some(schema) = query_schema(&parameter.name, inbox) {
                        parameter.schema = Some(schema);
                        continue;
                    }
                    let Some(text) = parameter.schema.as_mut().and_then(string_object) else {
                        continue;
                    };
                    match parameter.name.as_str() {
                        "cursor" if inbox => {
                            Rule::Pattern(crate::conversations::list::CURSOR_PATTERN)
                        }
                        "cursor" if canned => Rule::Pattern(crate::canned_replies::CURSOR_PATTERN),
                        "cursor" | "before" => Rule::Pattern(crate::pagination::CURSOR_PATTERN),
                        "q" => Rule::Pattern(crate::text::NO_NUL),
                        "phone_number" => Rule::E164,
                        _ => continue,
                    }
                    .apply(text);
                }
            }
        }
    }
}

fn string_schema(build: impl FnOnce(ObjectBuilder) -> ObjectBuilder) -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        build(ObjectBuilder::new().schema_type(Type::String)).build(),
    ))
}

fn choices(values: impl IntoIterator<Item = &'static str>) -> RefOr<Schema> {
    string_schema(|object| object.enum_values(Some(values)))
}

/// An RFC 3339 time, or a date (`YYYY-MM-DD`).
fn time_or_date() -> RefOr<Schema> {
    RefOr::T(Schema::AnyOf(
        AnyOfBuilder::new()
            .item(string_schema(|object| {
                object.format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            }))
            .item(string_schema(|object| {
                object.format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            }))
            .build(),
    ))
}

/// The schema of query parameters whose values are a choice or a time (`inbox`: the
/// conversation list's filters).
fn query_schema(name: &str, inbox: bool) -> Option<RefOr<Schema>> {
    use crate::wire::{Channel, ConversationStatus, QualificationStatus};
    Some(match name {
        "from" | "to" => time_or_date(),
        "qualification_status" => choices(QualificationStatus::ALL.iter().map(|v| v.as_str())),
        "channel" if inbox => choices(Channel::ALL.iter().map(|v| v.as_str())),
        "status" if inbox => choices(ConversationStatus::ALL.iter().map(|v| v.as_str())),
        "outcome" => choices([crate::agent::generations::OUTCOME_FILTER.as_str()]),
        _ => return None,
    })
}

/// The string or number schema of a property.
fn string_object_or_number(schema: &mut RefOr<Schema>) -> Option<&mut Object> {
    match schema {
        RefOr::T(Schema::Object(object)) => Some(object),
        _ => None,
    }
}

/// What every operation can answer besides its own outcomes, and the links between operations.
///
/// The rules live here once rather than on each handler: a secured operation can answer 401; a
/// JSON body can be malformed (400), too large (413), of another media type (415) or not fit
/// its schema (422); a query string can be unreadable (400); an id in the path can name nothing
/// (404); anything that reads the database can find it unavailable (503).
struct Contract;

/// Each create operation's answer feeds the operations that take the new object's id, so a
/// client (and the contract fuzzer) can follow them: (create, its id in the answer, users).
const LINKS: &[(&str, &str, &[&str])] = &[
    ("create_user", "/id", &["delete_user"]),
    ("create_api_key", "/id", &["revoke_api_key"]),
    ("create_phone_number", "/id", &["delete_phone_number"]),
    (
        "start_conversation",
        "/conversation/id",
        &[
            "get_conversation",
            "update_conversation",
            "mark_conversation_read",
            "list_messages",
            "send_message",
            "get_guide",
            "put_guide",
            "delete_guide",
        ],
    ),
    (
        "create_assistant",
        "/id",
        &["get_assistant", "update_assistant", "delete_assistant"],
    ),
    (
        "create_client",
        "/id",
        &["get_client", "update_client", "delete_client"],
    ),
    ("upload_media", "/id", &["get_media"]),
    (
        "create_canned_reply",
        "/id",
        &[
            "get_canned_reply",
            "update_canned_reply",
            "delete_canned_reply",
        ],
    ),
];

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn has_parameter_in(operation: &Operation, location: ParameterIn) -> bool {
    operation
        .parameters
        .iter()
        .flatten()
        .any(|parameter| match parameter {
            RefOr::T(parameter) => parameter.parameter_in == location,
            RefOr::Ref(_) => false,
        })
}

impl Contract {
    fn add_common_responses(path: &str, operation: &mut Operation) {
        let mut common: Vec<(&str, &str)> = Vec::new();
        if operation.security.is_some() {
            common.push(("401", "no valid access token or API key"));
        }
        if operation.request_body.is_some() {
            common.push(("400", "the body is not valid JSON"));
            common.push(("413", "the body is larger than 256 KiB"));
            common.push(("415", "the body is not `application/json`"));
            common.push(("422", "a field is missing, unknown or not acceptable"));
        }
        if has_parameter_in(operation, ParameterIn::Query) {
            common.push(("400", "a query parameter is not acceptable"));
        }
        if has_parameter_in(operation, ParameterIn::Path) {
            common.push(("404", "no such object in the caller's tenant"));
        }
        if path.starts_with("/api/v1/") {
            common.push(("503", "the database is not reachable; retry shortly"));
        }
        for (status, description) in common {
            operation
                .responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| error_response(description));
        }
        for (status, response) in operation.responses.responses.iter_mut() {
            if let RefOr::T(response) = response {
                if response.description.is_empty() {
                    response.description = status
                        .parse::<u16>()
                        .ok()
                        .and_then(|code| actix_web::http::StatusCode::from_u16(code).ok())
                        .and_then(|code| code.canonical_reason())
                        .unwrap_or("response")
                        .to_string();
                }
            }
        }
    }

    fn add_links(openapi: &mut utoipa::openapi::OpenApi) {
        for (creator, id_pointer, users) in LINKS {
            let operation = openapi
                .paths
                .paths
                .values_mut()
                .flat_map(operations_mut)
                .find(|operation| operation.operation_id.as_deref() == Some(creator));
            let Some(operation) = operation else {
                continue;
            };
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if !status.starts_with('2') {
                    continue;
                }
                for user in *users {
                    response.links.insert(
                        user.to_string(),
                        RefOr::T(
                            LinkBuilder::new()
                                .operation_id(*user)
                                .parameter("id", format!("$response.body#{id_pointer}"))
                                .build(),
                        ),
                    );
                }
            }
        }
    }
}

impl Modify for Contract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for operation in operations_mut(item) {
                Contract::add_common_responses(path, operation);
            }
        }
        Contract::add_links(openapi);
        Contract::describe_media(openapi);
    }
}

impl Contract {
    /// The media operations as they really are: an upload's `file` part carries one of the
    /// allowed types, and an item's bytes come back with their own `content-type`.
    fn describe_media(openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::encoding::Encoding;
        let types = crate::media::ALLOWED_TYPES;
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                match operation.operation_id.as_deref() {
                    Some("upload_media") => {
                        if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
                            for content in body.content.values_mut() {
                                if let RefOr::T(content) = content {
                                    let mut encoding = Encoding::default();
                                    encoding.content_type = Some(types.join(", "));
                                    content.encoding.insert("file".to_string(), encoding);
                                }
                            }
                        }
                    }
                    Some("get_media" | "get_media_by_link") => {
                        if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
                            let binary = ObjectBuilder::new()
                                .schema_type(Type::String)
                                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                                .build();
                            ok.content.clear();
                            for content_type in types {
                                ok.content.insert(
                                    content_type.to_string(),
                                    RefOr::T(
                                        ContentBuilder::new()
                                            .schema(Some(Schema::Object(binary.clone())))
                                            .build(),
                                    ),
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The description as YAML, as checked in at the top of the repository.
pub fn yaml() -> Result<String, String> {
    document().to_yaml().map_err(|error| error.to_string())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", document()))
        .route(
            "/api/docs",
            web::get().to(|| async {
                actix_web::HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/api/docs/"))
                    .finish()
            }),
        );
}
