//! A client of any OpenAI-compatible chat-completions endpoint: OpenAI, Ollama, vLLM,
//! llama.cpp's server, LM Studio… (`POST {base}/chat/completions`).
//!
//! The base URL is the API root including its version, e.g. `https://api.openai.com/v1` or
//! `http://localhost:11434/v1`; a bare host gets `/v1`, and a pasted full
//! `…/chat/completions` URL is accepted too. Answers are read tolerantly, since the servers
//! differ in the details. The API key only ever goes into the `Authorization` header (marked
//! sensitive); it is kept out of `Debug`, logs and error bodies.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::{StatusCode, Url};
use serde::Serialize;
use serde_json::Value;

use super::provider::{AiProvider, ChatRequest, ChatResponse, ProviderError, ToolCall};
use crate::config::AiSettings;

/// Connecting takes at most this long (capped by the total timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const USER_AGENT: &str = concat!("parley/", env!("CARGO_PKG_VERSION"));
/// Error bodies are kept to this many characters: enough to read, not a whole HTML page.
const ERROR_BODY_LIMIT: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("the AI base URL `{0}` is not an http:// or https:// URL")]
    InvalidBase(String),
    #[error("the AI API key is not a valid header value")]
    InvalidKey,
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

#[derive(Clone)]
pub struct OpenAiCompatible {
    http: reqwest::Client,
    chat_url: Url,
    models_url: Url,
    /// Only to scrub it from error bodies that echo it back.
    api_key: Option<String>,
    /// The model of the health check's fallback completion.
    model: String,
}

impl std::fmt::Debug for OpenAiCompatible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiCompatible")
            .field("chat_url", &self.chat_url.as_str())
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .finish()
    }
}

/// The API root (`…/v1`) of a configured base URL, without a trailing slash.
fn api_root(base_url: &str) -> Result<String, ClientError> {
    let invalid = || ClientError::InvalidBase(base_url.to_string());
    let mut root = base_url.trim().trim_end_matches('/').to_string();
    if let Some(stripped) = root.strip_suffix("/chat/completions") {
        root = stripped.to_string();
    }
    let url = Url::parse(&root).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(invalid());
    }
    // `http://localhost:11434` means the usual `/v1`; any other path is taken as given, so
    // `/v1` is never doubled and roots like `/api/v1` or `/openai/v1` work.
    if matches!(url.path(), "" | "/") {
        root.push_str("/v1");
    }
    Ok(root)
}

impl OpenAiCompatible {
    /// `timeout` bounds a whole request, connecting included. A missing or blank key sends
    /// no `Authorization` header (local servers need none).
    pub fn new(
        base_url: &str,
        api_key: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        let root = api_root(base_url)?;
        let parse = |path: &str| {
            Url::parse(&format!("{root}/{path}"))
                .map_err(|_| ClientError::InvalidBase(base_url.to_string()))
        };
        let chat_url = parse("chat/completions")?;
        let models_url = parse("models")?;
        let api_key = api_key
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .map(str::to_string);
        let mut headers = HeaderMap::new();
        if let Some(key) = &api_key {
            let mut authorization = HeaderValue::from_str(&format!("Bearer {key}"))
                .map_err(|_| ClientError::InvalidKey)?;
            // Keeps the key out of reqwest's and hyper's debug output.
            authorization.set_sensitive(true);
            headers.insert(AUTHORIZATION, authorization);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .timeout(timeout)
            // A redirect could carry the key to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| ClientError::Build(error.to_string()))?;
        Ok(OpenAiCompatible {
            http,
            chat_url,
            models_url,
            api_key,
            model: String::new(),
        })
    }

    pub fn from_settings(settings: &AiSettings) -> Result<Self, ClientError> {
        let base = settings
            .base_url
            .as_deref()
            .ok_or_else(|| ClientError::InvalidBase(String::new()))?;
        let mut client =
            OpenAiCompatible::new(base, settings.api_key.as_deref(), settings.timeout)?;
        client.model = settings.model.clone();
        Ok(client)
    }

    pub fn chat_url(&self) -> &str {
        self.chat_url.as_str()
    }

    /// One chat completion.
    pub async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, ProviderError> {
        let response = self
            .http
            .post(self.chat_url.clone())
            .json(&RequestBody::from(request))
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport_error)?;
        if !status.is_success() {
            return Err(self.status_error(status, &body));
        }
        parse_completion(&body, &request.model)
    }

    /// The ids the server lists at `GET {base}/models`.
    pub async fn list_models(&self) -> Result<Vec<String>, ProviderError> {
        let response = self
            .http
            .get(self.models_url.clone())
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport_error)?;
        if !status.is_success() {
            return Err(self.status_error(status, &body));
        }
        let value: Value = serde_json::from_slice(&body)
            .map_err(|error| ProviderError::InvalidResponse(format!("not JSON: {error}")))?;
        // OpenAI: `{"data": [{"id": …}]}`; Ollama's native API: `{"models": [{"name": …}]}`.
        let list = value
            .get("data")
            .or_else(|| value.get("models"))
            .and_then(Value::as_array)
            .ok_or_else(|| ProviderError::InvalidResponse("no model list".to_string()))?;
        Ok(list
            .iter()
            .filter_map(|model| {
                model
                    .get("id")
                    .or_else(|| model.get("name"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect())
    }

    /// For diagnostics: `GET /models`, or, where a server has no such route (404), a
    /// one-token completion.
    pub async fn health_check(&self) -> Result<(), String> {
        match self.list_models().await {
            Ok(_) => Ok(()),
            Err(ProviderError::Status { status: 404, .. }) if !self.model.is_empty() => {
                let ping = ChatRequest {
                    model: self.model.clone(),
                    messages: vec![super::provider::ChatMessage::user("ping")],
                    temperature: 0.0,
                    max_tokens: Some(1),
                    json_mode: false,
                    tools: Vec::new(),
                    facts: None,
                };
                match self.complete(&ping).await {
                    // An empty answer to a one-token ping still proves the endpoint works.
                    Ok(_) | Err(ProviderError::InvalidResponse(_)) => Ok(()),
                    Err(error) => Err(error.to_string()),
                }
            }
            Err(error) => Err(error.to_string()),
        }
    }

    fn status_error(&self, status: StatusCode, body: &[u8]) -> ProviderError {
        let mut text = String::from_utf8_lossy(body).trim().to_string();
        if let Some(key) = &self.api_key {
            text = text.replace(key.as_str(), "<redacted>");
        }
        ProviderError::Status {
            status: status.as_u16(),
            body: truncate_chars(&text, ERROR_BODY_LIMIT),
        }
    }
}

#[derive(Serialize)]
struct RequestBody<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    temperature: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormat>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Value>,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct ResponseFormat {
    #[serde(rename = "type")]
    kind: &'static str,
}

impl<'a> From<&'a ChatRequest> for RequestBody<'a> {
    fn from(request: &'a ChatRequest) -> Self {
        RequestBody {
            model: &request.model,
            messages: request
                .messages
                .iter()
                .map(|message| WireMessage {
                    role: message.role.as_str(),
                    content: &message.content,
                })
                .collect(),
            temperature: request.temperature,
            max_tokens: request.max_tokens,
            response_format: request.json_mode.then_some(ResponseFormat {
                kind: "json_object",
            }),
            tools: request.tools.iter().map(|tool| tool.definition()).collect(),
        }
    }
}

/// Reads a 2xx answer. Tolerates the variants of OpenAI, vLLM, llama.cpp and Ollama: content
/// as a string or as a list of text parts, the legacy `choices[0].text`, Ollama's native
/// `message.content`, missing usage, and a reasoning model's `<think>…</think>` preamble.
fn parse_completion(body: &[u8], requested_model: &str) -> Result<ChatResponse, ProviderError> {
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        ProviderError::InvalidResponse(format!("the body is not JSON: {error}"))
    })?;
    if let Some(error) = value.get("error").filter(|error| !error.is_null()) {
        // Some servers answer 200 with an error object.
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| error.to_string());
        return Err(ProviderError::InvalidResponse(truncate_chars(
            &message,
            ERROR_BODY_LIMIT,
        )));
    }
    let choice = value
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|choices| choices.first());
    let message = choice
        .and_then(|choice| choice.get("message"))
        .or_else(|| value.get("message"));
    let tool_calls: Vec<ToolCall> = message
        .and_then(|message| message.get("tool_calls"))
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .filter_map(|call| {
                    let function = call.get("function")?;
                    let name = function.get("name")?.as_str()?;
                    // OpenAI sends the arguments as a JSON text; Ollama as an object.
                    let arguments = match function.get("arguments") {
                        Some(Value::String(text)) => text.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    ToolCall::parse(name, &arguments)
                })
                .collect()
        })
        .unwrap_or_default();
    let content = message
        .and_then(|message| message.get("content"))
        .or_else(|| choice.and_then(|choice| choice.get("text")))
        .and_then(content_text);
    let content = content
        .as_deref()
        .map(|text| strip_reasoning(text).trim().to_string())
        .unwrap_or_default();
    if content.is_empty() && tool_calls.is_empty() {
        return Err(ProviderError::InvalidResponse(
            "the message content is empty".to_string(),
        ));
    }
    let usage = value.get("usage");
    let count = |key: &str, ollama_key: &str| {
        usage
            .and_then(|usage| usage.get(key))
            .or_else(|| value.get(ollama_key))
            .and_then(Value::as_u64)
            .and_then(|count| u32::try_from(count).ok())
    };
    Ok(ChatResponse {
        content,
        tool_calls,
        model: value
            .get("model")
            .and_then(Value::as_str)
            .filter(|model| !model.is_empty())
            .unwrap_or(requested_model)
            .to_string(),
        prompt_tokens: count("prompt_tokens", "prompt_eval_count"),
        completion_tokens: count("completion_tokens", "eval_count"),
        provider: AiProvider::OpenAiCompatible,
    })
}

/// A message's text: a string, or the concatenated `text` of a list of content parts.
fn content_text(content: &Value) -> Option<String> {
    match content {
        Value::String(text) => Some(text.clone()),
        Value::Array(parts) => {
            let text: String = parts
                .iter()
                .filter_map(|part| part.get("text").and_then(Value::as_str))
                .collect();
            Some(text)
        }
        _ => None,
    }
}

/// Drops a leading `<think>…</think>` block (DeepSeek-R1, Qwen3 via Ollama): it must never
/// reach a customer's phone.
fn strip_reasoning(content: &str) -> &str {
    let trimmed = content.trim_start();
    if trimmed.starts_with("<think>") {
        match trimmed.find("</think>") {
            Some(end) => &trimmed[end + "</think>".len()..],
            // Cut off mid-thought: there is no answer.
            None => "",
        }
    } else {
        content
    }
}

fn truncate_chars(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((index, _)) => format!("{}…", &text[..index]),
        None => text.to_string(),
    }
}

fn transport_error(error: reqwest::Error) -> ProviderError {
    if error.is_timeout() {
        ProviderError::Timeout
    } else {
        // The URL in reqwest's message never holds the key, but keep messages short.
        ProviderError::Network(error.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::provider::{AgentFacts, ChatMessage};
    use serde_json::json;

    fn body(value: Value) -> Vec<u8> {
        serde_json::to_vec(&value).expect("json")
    }

    #[test]
    fn base_urls_never_double_v1() {
        let chat = |base: &str| {
            OpenAiCompatible::new(base, None, Duration::from_secs(1))
                .map(|client| client.chat_url().to_string())
        };
        assert_eq!(
            chat("http://localhost:11434/v1").as_deref(),
            Ok("http://localhost:11434/v1/chat/completions")
        );
        assert_eq!(
            chat("https://api.openai.com/v1/").as_deref(),
            Ok("https://api.openai.com/v1/chat/completions")
        );
        assert_eq!(
            chat("http://localhost:11434").as_deref(),
            Ok("http://localhost:11434/v1/chat/completions")
        );
        assert_eq!(
            chat("http://127.0.0.1:8000/v1/chat/completions").as_deref(),
            Ok("http://127.0.0.1:8000/v1/chat/completions")
        );
        assert_eq!(
            chat("https://openrouter.ai/api/v1").as_deref(),
            Ok("https://openrouter.ai/api/v1/chat/completions")
        );
        assert!(matches!(chat("ftp://x"), Err(ClientError::InvalidBase(_))));
        assert!(matches!(chat("nope"), Err(ClientError::InvalidBase(_))));
    }

    #[test]
    fn keys_are_checked_and_never_shown() {
        let timeout = Duration::from_secs(1);
        assert_eq!(
            OpenAiCompatible::new("http://x/v1", Some("k\u{7}"), timeout).err(),
            Some(ClientError::InvalidKey)
        );
        let client =
            OpenAiCompatible::new("http://x/v1", Some("sk-secret123"), timeout).expect("client");
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret123"), "{shown}");
        let error = client.status_error(
            StatusCode::UNAUTHORIZED,
            b"{\"error\":{\"message\":\"Incorrect API key provided: sk-secret123\"}}",
        );
        assert!(!error.to_string().contains("secret123"), "{error}");
        assert_eq!(error.status(), Some(401));
        assert!(!error.is_retryable());
    }

    #[test]
    fn error_bodies_are_cut_short() {
        let client =
            OpenAiCompatible::new("http://x/v1", None, Duration::from_secs(1)).expect("client");
        let long = "x".repeat(5000);
        match client.status_error(StatusCode::BAD_GATEWAY, long.as_bytes()) {
            ProviderError::Status { status, body } => {
                assert_eq!(status, 502);
                assert_eq!(body.chars().count(), ERROR_BODY_LIMIT + 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn request_body_shape() {
        let request = ChatRequest {
            model: "m".to_string(),
            messages: vec![ChatMessage::system("s"), ChatMessage::user("u")],
            temperature: 0.5,
            max_tokens: None,
            json_mode: false,
            tools: Vec::new(),
            facts: Some(AgentFacts::default()),
        };
        let value = serde_json::to_value(RequestBody::from(&request)).expect("json");
        assert_eq!(
            value,
            json!({"model": "m", "temperature": 0.5, "messages": [
                {"role": "system", "content": "s"}, {"role": "user", "content": "u"}]})
        );
        let json_request = ChatRequest {
            max_tokens: Some(60),
            json_mode: true,
            tools: Vec::new(),
            ..request
        };
        let value = serde_json::to_value(RequestBody::from(&json_request)).expect("json");
        assert_eq!(value["max_tokens"], 60);
        assert_eq!(value["response_format"], json!({"type": "json_object"}));
        assert!(value.get("facts").is_none());
    }

    #[test]
    fn completions_are_read_tolerantly() {
        let openai = body(json!({
            "model": "gpt-4o-mini-2024",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": " Hi there "}}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
        }));
        let response = parse_completion(&openai, "gpt-4o-mini").expect("openai");
        assert_eq!(response.content, "Hi there");
        assert_eq!(response.model, "gpt-4o-mini-2024");
        assert_eq!(response.prompt_tokens, Some(12));
        assert_eq!(response.completion_tokens, Some(3));
        assert_eq!(response.provider, AiProvider::OpenAiCompatible);

        let no_usage = body(json!({"choices": [{"message": {"content": "ok"}}]}));
        let response = parse_completion(&no_usage, "llama3").expect("no usage");
        assert_eq!(response.model, "llama3");
        assert_eq!(response.prompt_tokens, None);
        assert_eq!(response.completion_tokens, None);

        let null_usage = body(json!({"choices": [{"message": {"content": "ok"}}], "usage": null}));
        assert!(parse_completion(&null_usage, "m").is_ok());

        let parts = body(json!({"choices": [{"message": {"content": [
            {"type": "text", "text": "Hello "}, {"type": "text", "text": "world"}]}}]}));
        assert_eq!(
            parse_completion(&parts, "m").expect("parts").content,
            "Hello world"
        );

        let legacy = body(json!({"choices": [{"text": "legacy"}]}));
        assert_eq!(
            parse_completion(&legacy, "m").expect("legacy").content,
            "legacy"
        );

        let ollama = body(json!({"model": "llama3.2", "message": {"role": "assistant",
            "content": "native"}, "prompt_eval_count": 20, "eval_count": 4}));
        let response = parse_completion(&ollama, "m").expect("ollama");
        assert_eq!(response.content, "native");
        assert_eq!(response.prompt_tokens, Some(20));
        assert_eq!(response.completion_tokens, Some(4));

        let thinking = body(json!({"choices": [{"message": {"content":
            "<think>The user wants hours.</think>\n\nWe open at 9."}}]}));
        assert_eq!(
            parse_completion(&thinking, "m").expect("think").content,
            "We open at 9."
        );
    }

    #[test]
    fn unreadable_completions_are_invalid() {
        for unreadable in [
            b"{oops".to_vec(),
            b"<html>".to_vec(),
            body(json!({"choices": []})),
            body(json!({"choices": [{"message": {"content": null}}]})),
            body(json!({"choices": [{"message": {"content": "   "}}]})),
            body(json!({"choices": [{"message": {"content": "<think>never ends"}}]})),
            body(json!({"error": {"message": "model not loaded"}})),
        ] {
            let error = parse_completion(&unreadable, "m").expect_err("invalid");
            assert!(
                matches!(error, ProviderError::InvalidResponse(_)),
                "{error}"
            );
        }
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate_chars("héllo", 2), "hé…");
        assert_eq!(truncate_chars("hé", 2), "hé");
    }
}
