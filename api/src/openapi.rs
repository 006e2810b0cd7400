//! The OpenAPI description (utoipa), served at `/api/openapi.json` with Swagger UI at
//! `/api/docs/` from vendored assets, and written to `openapi.yaml` by `make openapi`.

use actix_web::web;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        crate::usage::get,
        crate::realtime::ws::connect,
        crate::agent::generations::list,
        crate::diagnostics::get,
        crate::simulation::status,
        crate::simulation::inbound,
    ),
    components(schemas(
        wire::ErrorBody, wire::ErrorDetail, wire::Role, wire::LoginRequest, wire::LoginResponse,
        wire::Tenant, wire::User, wire::CreateUser, wire::ApiKey, wire::CreateApiKey,
        wire::CreatedApiKey, wire::PhoneNumber, wire::CreatePhoneNumber, wire::Me,
        wire::Health, wire::Readiness, wire::Conversation, wire::StartConversation,
        wire::StartedConversation, wire::UpdateConversation, wire::Message, wire::MessageError,
        wire::SendMessage, wire::Guide, wire::PutGuide, wire::Assistant, wire::CreateAssistant,
        wire::UpdateAssistant, wire::OptOut, wire::WebhookDelivery, wire::SegmentsRequest,
        wire::SegmentsResponse, wire::ConversationStatus, wire::QualificationStatus, wire::Channel,
        wire::Identity, wire::Direction, wire::Author, wire::MessageStatus,
        wire::SimulatorStatus, wire::SimulateInbound, wire::SimulatedInbound, wire::Client, wire::CreateClient, wire::UpdateClient,
        wire::Interaction, wire::CreateInteraction, wire::Usage, wire::UsageDay, wire::NormalizedPhone, wire::FeedEvent, wire::AiGeneration, wire::Diagnostics, wire::DiagnosticCheck,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign in and who am I"),
        (name = "users", description = "The tenant's people (admins only)"),
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
