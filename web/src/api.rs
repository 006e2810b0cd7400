//! Typed client of Parley's REST API (same origin, relative URLs) and the stored session.
//!
//! Request and response bodies are the shared types of `parley::wire`; the few endpoints whose
//! types live only in the server (simulator, diagnostics, AI generations) are read leniently.

use chrono::{DateTime, Utc};
use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use parley::ids::CannedReplyId;
use parley::wire::{
    AiGeneration, Assistant, AssistantId, CannedReply, Client, ClientId, Conversation,
    ConversationId, CreateAssistant, CreateCannedReply, CreateClient, CreateNote, Diagnostics,
    ErrorBody, Guide, Interaction, LoginRequest, LoginResponse, Me, Media, MediaId, Message,
    MessageId, NormalizedPhone, Note, Page, PutGuide, RenderedCannedReply, SendMessage, Settings,
    SimulateInbound, SimulatorStatus, StartConversation, StartedConversation, UpdateAssistant,
    UpdateCannedReply, UpdateClient, UpdateConversation, UpdateMessage, UpdateSettings, Usage,
    User, WebhookDelivery,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::util::{query_string, Filters};
use crate::Session;

/// Where the access token is kept between visits.
const TOKEN_KEY: &str = "parley.access_token";

/// Why a call failed, with a sentence fit to show a person.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error status; `body` is its error envelope when it sent one.
    Status {
        status: u16,
        body: Option<ErrorBody>,
    },
    /// The request never got an answer (offline, server down, CORS, ...).
    Network(String),
    /// The answer was not the JSON we expected.
    Decode(String),
}

impl ApiError {
    /// The server's own message when there is one, otherwise a generic sentence.
    pub fn message(&self) -> String {
        match self {
            ApiError::Status {
                body: Some(body), ..
            } => body.error.message.clone(),
            ApiError::Status { status, body: None } => {
                format!(
                    "The server could not handle the request (HTTP {status}). Please try again."
                )
            }
            ApiError::Network(_) => {
                "Could not reach the server. Check your connection and try again.".to_string()
            }
            ApiError::Decode(_) => "The server sent an unexpected answer.".to_string(),
        }
    }

    /// Whether the token is missing, invalid or expired (sign in again).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Status { status: 401, .. })
    }

    /// Whether the server answered 404 (no such object, or an endpoint not built yet).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::Status { status: 404, .. })
    }

    /// The request field the server blames, when it names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Status {
                body: Some(body), ..
            } => body.error.field.as_deref(),
            _ => None,
        }
    }

    /// The server's machine-readable code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status {
                body: Some(body), ..
            } => Some(body.error.code.as_str()),
            _ => None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Status { status, body } => match body {
                Some(body) => write!(
                    f,
                    "HTTP {status} {}: {}",
                    body.error.code, body.error.message
                ),
                None => write!(f, "HTTP {status}"),
            },
            ApiError::Network(detail) => write!(f, "network error: {detail}"),
            ApiError::Decode(detail) => write!(f, "unexpected answer: {detail}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// Reads the error envelope of a failed answer.
async fn failure(response: Response) -> ApiError {
    let status = response.status();
    let body = match response.text().await {
        Ok(text) => serde_json::from_str::<ErrorBody>(&text).ok(),
        Err(_) => None,
    };
    ApiError::Status { status, body }
}

/// Reads a JSON body on success, or the error envelope otherwise.
async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| ApiError::Decode(e.to_string()));
    }
    Err(failure(response).await)
}

fn authorized(builder: RequestBuilder, token: &str) -> RequestBuilder {
    builder.header("Authorization", &format!("Bearer {token}"))
}

async fn send(request: Request) -> Result<Response, ApiError> {
    request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// `POST /api/v1/auth/login`.
pub async fn login(email: &str, password: &str) -> Result<LoginResponse, ApiError> {
    let body = LoginRequest {
        email: email.to_string(),
        password: password.to_string(),
    };
    let request = Request::post("/api/v1/auth/login")
        .header("Accept", "application/json")
        .json(&body)
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    decode(send(request).await?).await
}

pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The token saved by the last sign-in, if any.
pub fn stored_token() -> Option<String> {
    local_storage()?
        .get_item(TOKEN_KEY)
        .ok()
        .flatten()
        .filter(|token| !token.is_empty())
}

/// Saves (or, with `None`, forgets) the access token. Storage may be unavailable (private
/// mode, disabled); the session then lasts until the page is reloaded.
pub fn store_token(token: Option<&str>) {
    if let Some(storage) = local_storage() {
        let _ = match token {
            Some(token) => storage.set_item(TOKEN_KEY, token),
            None => storage.remove_item(TOKEN_KEY),
        };
    }
}

/// A started conversation and whether the server created it (201) or resumed one (200).
pub type Started = StartedConversation;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// What a request carries.
enum Body {
    None,
    Json(serde_json::Value),
    /// multipart/form-data (the browser writes the boundary).
    Form(web_sys::FormData),
}

/// The signed-in API client: adds the bearer token, and signs out when the server no longer
/// accepts it (401), which sends the person back to the sign-in page.
#[derive(Clone, Copy)]
pub struct Api {
    session: Session,
}

impl Api {
    /// The client of the current session (from context).
    pub fn new() -> Api {
        Api {
            session: expect_context::<Session>(),
        }
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Response, ApiError> {
        let body = match body {
            Some(body) => Body::Json(body),
            None => Body::None,
        };
        self.raw_with(method, path, body).await
    }

    async fn raw_with(&self, method: Method, path: &str, body: Body) -> Result<Response, ApiError> {
        let token = self.session.token_untracked().unwrap_or_default();
        let builder = match method {
            Method::Get => Request::get(path),
            Method::Post => Request::post(path),
            Method::Put => Request::put(path),
            Method::Patch => Request::patch(path),
            Method::Delete => Request::delete(path),
        };
        let builder = authorized(builder, &token).header("Accept", "application/json");
        let request = match body {
            Body::Json(body) => builder.json(&body),
            Body::Form(form) => builder.body(form),
            Body::None => builder.build(),
        }
        .map_err(|e| ApiError::Network(e.to_string()))?;
        let response = send(request).await?;
        if response.status() == 401 {
            let error = failure(response).await;
            if error.is_unauthorized() {
                self.session.sign_out();
            }
            return Err(error);
        }
        Ok(response)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T, ApiError> {
        decode(self.raw(method, path, body).await?).await
    }

    async fn call_empty(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(), ApiError> {
        let response = self.raw(method, path, body).await?;
        if response.ok() {
            Ok(())
        } else {
            Err(failure(response).await)
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.call(Method::Get, path, None).await
    }

    /// Every item of a cursor-paged collection at `path` (no query of its own), following
    /// `next_cursor` to the end, 200 at a time: for the short lists a screen shows whole.
    async fn every_page<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut pairs = vec![("limit", "200".to_string())];
            if let Some(cursor) = cursor.take() {
                pairs.push(("cursor", cursor));
            }
            let page: Page<T> = self.get(&format!("{path}{}", query_string(&pairs))).await?;
            items.extend(page.data);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(items),
            }
        }
    }

    async fn with_body<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ApiError> {
        let body = serde_json::to_value(body).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.call(method, path, Some(body)).await
    }

    /// `GET /api/v1/me`.
    pub async fn me(&self) -> Result<Me, ApiError> {
        self.get("/api/v1/me").await
    }

    /// `GET /api/v1/conversations` with the inbox filters.
    pub async fn conversations(
        &self,
        filters: &Filters,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<Conversation>, ApiError> {
        let mut pairs = filters.pairs();
        pairs.push(("limit", limit.to_string()));
        if let Some(cursor) = cursor {
            pairs.push(("cursor", cursor.to_string()));
        }
        self.get(&format!("/api/v1/conversations{}", query_string(&pairs)))
            .await
    }

    /// `POST /api/v1/conversations`: answers the body and whether it was resumed (200).
    pub async fn start_conversation(&self, body: &StartConversation) -> Result<Started, ApiError> {
        self.with_body(Method::Post, "/api/v1/conversations", body)
            .await
    }

    pub async fn conversation(&self, id: ConversationId) -> Result<Conversation, ApiError> {
        self.get(&format!("/api/v1/conversations/{id}")).await
    }

    pub async fn update_conversation(
        &self,
        id: ConversationId,
        changes: &UpdateConversation,
    ) -> Result<Conversation, ApiError> {
        self.with_body(
            Method::Patch,
            &format!("/api/v1/conversations/{id}"),
            changes,
        )
        .await
    }

    /// `POST /api/v1/conversations/{id}/read`.
    pub async fn mark_read(&self, id: ConversationId) -> Result<Conversation, ApiError> {
        self.call(
            Method::Post,
            &format!("/api/v1/conversations/{id}/read"),
            None,
        )
        .await
    }

    /// A page of history, newest last; `before` is the previous page's `next_cursor`.
    pub async fn messages(
        &self,
        id: ConversationId,
        limit: u32,
        before: Option<&str>,
    ) -> Result<Page<Message>, ApiError> {
        let mut pairs = vec![("limit", limit.to_string())];
        if let Some(before) = before {
            pairs.push(("before", before.to_string()));
        }
        self.get(&format!(
            "/api/v1/conversations/{id}/messages{}",
            query_string(&pairs)
        ))
        .await
    }

    /// The messages that wait to be sent (scheduled, held), however far back they were
    /// written: the latest page of history may not reach them.
    pub async fn waiting_messages(&self, id: ConversationId) -> Result<Page<Message>, ApiError> {
        self.get(&format!(
            "/api/v1/conversations/{id}/messages?waiting=true&limit=200"
        ))
        .await
    }

    /// Every internal note of a conversation, oldest first (a conversation has few; pages
    /// are followed to the end).
    pub async fn notes(&self, id: ConversationId) -> Result<Vec<Note>, ApiError> {
        self.every_page(&format!("/api/v1/conversations/{id}/notes"))
            .await
    }

    /// `POST /api/v1/conversations/{id}/notes`: an internal note, never sent.
    pub async fn add_note(&self, id: ConversationId, text: &str) -> Result<Note, ApiError> {
        let body = CreateNote {
            text: text.to_string(),
        };
        self.with_body(
            Method::Post,
            &format!("/api/v1/conversations/{id}/notes"),
            &body,
        )
        .await
    }

    /// `POST /api/v1/messages/{id}/retry`: the failed message sent again as a new one.
    pub async fn retry_message(&self, id: MessageId) -> Result<Message, ApiError> {
        self.with_body(
            Method::Post,
            &format!("/api/v1/messages/{id}/retry"),
            &serde_json::json!({}),
        )
        .await
    }

    /// `POST /api/v1/media`: uploads a file (multipart, field `file`) for an MMS.
    pub async fn upload_media(&self, file: &web_sys::File) -> Result<Media, ApiError> {
        let form = web_sys::FormData::new().map_err(|_| ApiError::Network("FormData".into()))?;
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(|_| ApiError::Network("FormData".into()))?;
        decode(
            self.raw_with(Method::Post, "/api/v1/media", Body::Form(form))
                .await?,
        )
        .await
    }

    /// The bytes of an item (`GET /api/v1/media/{id}`, bearer auth) as a Blob of its type.
    pub async fn media_blob(&self, id: MediaId) -> Result<web_sys::Blob, ApiError> {
        let response = self.raw(Method::Get, &Media::url_of(id), None).await?;
        if !response.ok() {
            return Err(failure(response).await);
        }
        let kind = response.headers().get("content-type").unwrap_or_default();
        let bytes = response
            .binary()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(&kind);
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|_| ApiError::Decode("blob".into()))
    }

    /// Sends text, pictures and files (`media_ids` from [`Self::upload_media`]; none for an
    /// SMS), at once or, with `send_at`, later (the answer is then `scheduled`).
    pub async fn send_message(
        &self,
        id: ConversationId,
        text: &str,
        media_ids: &[MediaId],
        send_at: Option<DateTime<Utc>>,
    ) -> Result<Message, ApiError> {
        let body = SendMessage {
            text: text.to_string(),
            media_ids: (!media_ids.is_empty()).then(|| media_ids.to_vec()),
            send_at,
        };
        self.with_body(
            Method::Post,
            &format!("/api/v1/conversations/{id}/messages"),
            &body,
        )
        .await
    }

    /// `PATCH /api/v1/messages/{id}`: a scheduled message's text or time (409
    /// `not_scheduled` once it left or was cancelled).
    pub async fn update_message(
        &self,
        id: MessageId,
        changes: &UpdateMessage,
    ) -> Result<Message, ApiError> {
        self.with_body(Method::Patch, &format!("/api/v1/messages/{id}"), changes)
            .await
    }

    /// `DELETE /api/v1/messages/{id}`: cancels a scheduled message; answers it `cancelled`.
    pub async fn cancel_message(&self, id: MessageId) -> Result<Message, ApiError> {
        self.call(Method::Delete, &format!("/api/v1/messages/{id}"), None)
            .await
    }

    /// `POST /api/v1/messages/{id}/send-now` (admins): a scheduled or held message leaves at
    /// once, quiet hours or not.
    pub async fn send_now(&self, id: MessageId) -> Result<Message, ApiError> {
        self.with_body(
            Method::Post,
            &format!("/api/v1/messages/{id}/send-now"),
            &serde_json::json!({}),
        )
        .await
    }

    /// `GET /api/v1/settings`: the tenant's hours, quiet hours, keyword replies…
    pub async fn settings(&self) -> Result<Settings, ApiError> {
        self.get("/api/v1/settings").await
    }

    /// `PATCH /api/v1/settings` (admins).
    pub async fn update_settings(&self, changes: &UpdateSettings) -> Result<Settings, ApiError> {
        self.with_body(Method::Patch, "/api/v1/settings", changes)
            .await
    }

    /// The AI guide, or `None` when the conversation has none (an empty one).
    pub async fn guide(&self, id: ConversationId) -> Result<Option<Guide>, ApiError> {
        let guide = self
            .get::<Guide>(&format!("/api/v1/conversations/{id}/guide"))
            .await?;
        Ok((!guide.text.is_empty()).then_some(guide))
    }

    pub async fn put_guide(&self, id: ConversationId, text: &str) -> Result<Guide, ApiError> {
        let body = PutGuide {
            text: text.to_string(),
        };
        self.with_body(
            Method::Put,
            &format!("/api/v1/conversations/{id}/guide"),
            &body,
        )
        .await
    }

    pub async fn delete_guide(&self, id: ConversationId) -> Result<(), ApiError> {
        self.call_empty(
            Method::Delete,
            &format!("/api/v1/conversations/{id}/guide"),
            None,
        )
        .await
    }

    /// `GET /api/v1/phone-numbers/normalize?input=`: the E.164 form of what was typed.
    pub async fn normalize_phone(&self, input: &str) -> Result<NormalizedPhone, ApiError> {
        self.get(&format!(
            "/api/v1/phone-numbers/normalize{}",
            query_string(&[("input", input.to_string())])
        ))
        .await
    }

    /// `GET /api/v1/conversations/export.csv`: the file's bytes and its suggested name.
    pub async fn export_csv(&self, filters: &Filters) -> Result<(Vec<u8>, String), ApiError> {
        let path = format!(
            "/api/v1/conversations/export.csv{}",
            query_string(&filters.pairs())
        );
        let response = self.raw(Method::Get, &path, None).await?;
        if !response.ok() {
            return Err(failure(response).await);
        }
        let name = response
            .headers()
            .get("content-disposition")
            .and_then(|header| crate::util::attachment_filename(&header))
            .unwrap_or_else(|| "conversations.csv".to_string());
        let bytes = response
            .binary()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        Ok((bytes, name))
    }

    /// The tenant's people, to assign conversations to.
    pub async fn users(&self) -> Result<Vec<User>, ApiError> {
        let page: Page<User> = self.get("/api/v1/users?limit=200").await?;
        Ok(page.data)
    }

    pub async fn assistants(&self) -> Result<Vec<Assistant>, ApiError> {
        let page: Page<Assistant> = self.get("/api/v1/assistants?limit=200").await?;
        Ok(page.data)
    }

    pub async fn create_assistant(&self, body: &CreateAssistant) -> Result<Assistant, ApiError> {
        self.with_body(Method::Post, "/api/v1/assistants", body)
            .await
    }

    pub async fn update_assistant(
        &self,
        id: AssistantId,
        changes: &UpdateAssistant,
    ) -> Result<Assistant, ApiError> {
        self.with_body(Method::Patch, &format!("/api/v1/assistants/{id}"), changes)
            .await
    }

    pub async fn delete_assistant(&self, id: AssistantId) -> Result<(), ApiError> {
        self.call_empty(Method::Delete, &format!("/api/v1/assistants/{id}"), None)
            .await
    }

    pub async fn clients(
        &self,
        q: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<Client>, ApiError> {
        let mut pairs = vec![("limit", limit.to_string())];
        if !q.trim().is_empty() {
            pairs.push(("q", q.trim().to_string()));
        }
        if let Some(cursor) = cursor {
            pairs.push(("cursor", cursor.to_string()));
        }
        self.get(&format!("/api/v1/clients{}", query_string(&pairs)))
            .await
    }

    pub async fn create_client(&self, body: &CreateClient) -> Result<Client, ApiError> {
        self.with_body(Method::Post, "/api/v1/clients", body).await
    }

    /// `GET /api/v1/clients/{id}`.
    pub async fn client(&self, id: ClientId) -> Result<Client, ApiError> {
        self.get(&format!("/api/v1/clients/{id}")).await
    }

    pub async fn update_client(
        &self,
        id: ClientId,
        changes: &UpdateClient,
    ) -> Result<Client, ApiError> {
        self.with_body(Method::Patch, &format!("/api/v1/clients/{id}"), changes)
            .await
    }

    /// Every canned reply of the tenant, in shortcut order (all pages).
    pub async fn canned_replies(&self) -> Result<Vec<CannedReply>, ApiError> {
        self.every_page("/api/v1/canned-replies").await
    }

    pub async fn create_canned_reply(
        &self,
        body: &CreateCannedReply,
    ) -> Result<CannedReply, ApiError> {
        self.with_body(Method::Post, "/api/v1/canned-replies", body)
            .await
    }

    pub async fn update_canned_reply(
        &self,
        id: CannedReplyId,
        changes: &UpdateCannedReply,
    ) -> Result<CannedReply, ApiError> {
        self.with_body(
            Method::Patch,
            &format!("/api/v1/canned-replies/{id}"),
            changes,
        )
        .await
    }

    pub async fn delete_canned_reply(&self, id: CannedReplyId) -> Result<(), ApiError> {
        self.call_empty(
            Method::Delete,
            &format!("/api/v1/canned-replies/{id}"),
            None,
        )
        .await
    }

    /// The reply filled in by the server for this conversation and the signed-in caller.
    pub async fn render_canned_reply(
        &self,
        conversation: ConversationId,
        reply: CannedReplyId,
    ) -> Result<RenderedCannedReply, ApiError> {
        self.call(
            Method::Post,
            &format!("/api/v1/conversations/{conversation}/canned-replies/{reply}/render"),
            None,
        )
        .await
    }

    /// The conversations with the customer number `phone` (E.164), newest activity first:
    /// the list searched by its digits, then only those with exactly this number.
    pub async fn conversations_with(&self, phone: &str) -> Result<Vec<Conversation>, ApiError> {
        let filters = Filters {
            q: phone.chars().filter(char::is_ascii_digit).collect(),
            ..Default::default()
        };
        let page = self.conversations(&filters, 50, None).await?;
        Ok(page
            .data
            .into_iter()
            .filter(|c| c.phone_number == phone)
            .collect())
    }

    /// `GET /api/v1/interactions`: what the customer did on other channels, by their number
    /// or their client record, newest first.
    pub async fn interactions(
        &self,
        phone: &str,
        client: Option<ClientId>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<Interaction>, ApiError> {
        let mut pairs = vec![
            ("phone_number", phone.to_string()),
            ("limit", limit.to_string()),
        ];
        if let Some(client) = client {
            pairs.push(("client_id", client.to_string()));
        }
        if let Some(cursor) = cursor {
            pairs.push(("cursor", cursor.to_string()));
        }
        self.get(&format!("/api/v1/interactions{}", query_string(&pairs)))
            .await
    }

    /// `GET /api/v1/diagnostics`: the troubleshooting checks and the last day's failures.
    pub async fn diagnostics(&self) -> Result<Diagnostics, ApiError> {
        self.get("/api/v1/diagnostics").await
    }

    pub async fn webhook_deliveries(&self, limit: u32) -> Result<Vec<WebhookDelivery>, ApiError> {
        let page: Page<WebhookDelivery> = self
            .get(&format!("/api/v1/webhook-deliveries?limit={limit}"))
            .await?;
        Ok(page.data)
    }

    /// `GET /api/v1/ai-generations`: the latest AI generations, newest first.
    pub async fn ai_generations(&self, limit: u32) -> Result<Vec<AiGeneration>, ApiError> {
        let page: Page<AiGeneration> = self
            .get(&format!("/api/v1/ai-generations?limit={limit}"))
            .await?;
        Ok(page.data)
    }

    pub async fn usage(&self, from: &str, to: &str) -> Result<Usage, ApiError> {
        let mut pairs = Vec::new();
        if !from.is_empty() {
            pairs.push(("from", from.to_string()));
        }
        if !to.is_empty() {
            pairs.push(("to", to.to_string()));
        }
        self.get(&format!("/api/v1/usage{}", query_string(&pairs)))
            .await
    }

    pub async fn simulator(&self) -> Result<SimulatorStatus, ApiError> {
        self.get("/api/v1/simulator").await
    }

    /// The customer `from` writes `text` (and sends the uploaded `media_ids`, if any).
    pub async fn simulate_inbound(
        &self,
        from: &str,
        text: &str,
        media_ids: &[MediaId],
    ) -> Result<(), ApiError> {
        let body = SimulateInbound {
            from: from.to_string(),
            to: None,
            text: text.to_string(),
            media_ids: (!media_ids.is_empty()).then(|| media_ids.to_vec()),
        };
        let body = serde_json::to_value(&body).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.call_empty(Method::Post, "/api/v1/simulator/inbound", Some(body))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley::wire::ErrorDetail;

    fn refused(status: u16, code: &str, message: &str) -> ApiError {
        ApiError::Status {
            status,
            body: Some(ErrorBody {
                error: ErrorDetail {
                    code: code.into(),
                    message: message.into(),
                    field: Some("phone_number".into()),
                },
            }),
        }
    }

    #[test]
    fn shows_the_servers_own_message() {
        let error = refused(401, "invalid_credentials", "Wrong email or password.");
        assert_eq!(error.message(), "Wrong email or password.");
        assert!(error.is_unauthorized());
    }

    #[test]
    fn names_the_field_and_code() {
        let error = refused(422, "invalid_phone_number", "Not a number.");
        assert_eq!(error.field(), Some("phone_number"));
        assert_eq!(error.code(), Some("invalid_phone_number"));
        assert!(!error.is_not_found());
    }

    #[test]
    fn falls_back_to_a_sentence_without_an_envelope() {
        let error = ApiError::Status {
            status: 502,
            body: None,
        };
        assert!(error.message().contains("HTTP 502"));
        assert!(!error.is_unauthorized());
        assert!(ApiError::Network("x".into())
            .message()
            .contains("reach the server"));
    }

    #[test]
    fn reads_the_error_envelope() {
        let text = r#"{"error":{"code":"invalid_credentials","message":"No.","field":null}}"#;
        let body: ErrorBody = serde_json::from_str(text).expect("envelope");
        assert_eq!(body.error.code, "invalid_credentials");
    }
}
