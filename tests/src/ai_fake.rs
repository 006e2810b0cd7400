//! A scripted OpenAI-compatible chat-completions server for tests: point
//! `PARLEY_AI_BASE_URL` (or an `OpenAiCompatible` client) at [`AiFake::base_url`], script
//! its answers, and assert on the exact requests it received.
//!
//! Scripted steps are consumed in order, each by the first request it applies to:
//! [`AiFake::push_reply`] by plain (non-JSON-mode) requests, [`AiFake::push_json`] by
//! JSON-mode requests (name extraction), and errors, raw bodies and delays by any request.
//! So a reply job that also runs an extraction does not eat the reply you scripted. With no
//! step left, a plain request gets [`DEFAULT_REPLY`] and a JSON-mode request gets
//! `{"first_name": null, "last_name": null}`.
//!
//! Usage counts are deterministic: `prompt_tokens` is the number of whitespace-separated
//! words across the request's messages, `completion_tokens` those of the answer (see
//! [`estimate_tokens`]), unless a step sets them.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

pub const DEFAULT_REPLY: &str = "Thanks for your message! How can I help?";
pub const NULL_NAME: &str = r#"{"first_name": null, "last_name": null}"#;
/// The model `GET /v1/models` lists.
pub const FAKE_MODEL: &str = "fake-model";

/// One scripted step.
#[derive(Debug, Clone)]
enum Step {
    /// Answer a plain request with this text.
    Reply {
        text: String,
        usage: Option<(u32, u32)>,
    },
    /// Answer a JSON-mode request with this object as the content.
    Json(Value),
    /// Answer a plain request with a call of the tool `name` (OpenAI's `tool_calls`), and
    /// this text as the content when there is one.
    ToolCall {
        name: String,
        arguments: Value,
        text: Option<String>,
    },
    /// Answer any request with this status and an OpenAI-style error body.
    Error(u16),
    /// Answer any request with this status and body, verbatim.
    Raw { status: u16, body: String },
    /// Wait this long before answering the next request (with whatever answers it).
    Delay(Duration),
}

impl Step {
    fn applies_to(&self, json_mode: bool) -> bool {
        match self {
            Step::Reply { .. } | Step::ToolCall { .. } => !json_mode,
            Step::Json(_) => json_mode,
            Step::Error(_) | Step::Raw { .. } | Step::Delay(_) => true,
        }
    }
}

/// A request as the fake received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The `Authorization` header, verbatim.
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// The JSON body, or the raw text as a JSON string when it was not JSON; `Null` for GET.
    pub body: Value,
}

#[derive(Default)]
struct FakeState {
    script: Mutex<VecDeque<Step>>,
    recorded: Mutex<Vec<RecordedRequest>>,
    default_reply: Mutex<Option<String>>,
    /// How long every request takes, on top of scripted delays (the model thinking).
    latency: Mutex<Duration>,
    ids: AtomicU64,
}

impl FakeState {
    /// The delay and the answer for a request, taken from the script.
    fn take(&self, json_mode: bool) -> (Duration, Option<Step>) {
        let mut script = self.script.lock().expect("script lock");
        let mut delay = Duration::ZERO;
        while let Some(index) = script.iter().position(|step| step.applies_to(json_mode)) {
            match script.remove(index) {
                Some(Step::Delay(wait)) => delay += wait,
                step => return (delay, step),
            }
        }
        (delay, None)
    }
}

/// The running fake; stops when dropped.
pub struct AiFake {
    base_url: String,
    state: Arc<FakeState>,
    server: ServerHandle,
}

/// Deterministic token counts: whitespace-separated words.
pub fn estimate_tokens(text: &str) -> u32 {
    u32::try_from(text.split_whitespace().count()).unwrap_or(u32::MAX)
}

fn error_body(status: u16) -> Value {
    let kind = if status >= 500 {
        "server_error"
    } else if status == 429 {
        "rate_limit_exceeded"
    } else {
        "invalid_request_error"
    };
    json!({"error": {"message": format!("scripted error {status}"), "type": kind, "code": status}})
}

fn header(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

fn record(state: &FakeState, request: &HttpRequest, body: Value) {
    state
        .recorded
        .lock()
        .expect("recorded lock")
        .push(RecordedRequest {
            method: request.method().to_string(),
            path: request.path().to_string(),
            authorization: header(request, "authorization"),
            content_type: header(request, "content-type"),
            body,
        });
}

async fn chat_completions(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<FakeState>,
) -> HttpResponse {
    let parsed: Result<Value, _> = serde_json::from_slice(&body);
    let value = parsed
        .as_ref()
        .cloned()
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    record(&state, &request, value);
    let Ok(body) = parsed else {
        return HttpResponse::BadRequest().json(error_body(400));
    };
    let json_mode = body["response_format"]["type"] == "json_object";
    let (delay, step) = state.take(json_mode);
    let delay = delay + *state.latency.lock().expect("latency lock");
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let (content, usage) = match step {
        Some(Step::Error(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return HttpResponse::build(status).json(error_body(status.as_u16()));
        }
        Some(Step::Raw { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return HttpResponse::build(status)
                .content_type("application/json")
                .body(body);
        }
        Some(Step::Reply { text, usage }) => (text, usage),
        Some(Step::ToolCall {
            name,
            arguments,
            text,
        }) => {
            let id = state.ids.fetch_add(1, Ordering::SeqCst) + 1;
            return HttpResponse::Ok().json(json!({
                "id": format!("chatcmpl-fake-{id}"),
                "object": "chat.completion",
                "created": 1_700_000_000u64 + id,
                "model": body["model"].as_str().unwrap_or(FAKE_MODEL),
                "choices": [{
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": text,
                        "tool_calls": [{
                            "id": format!("call_fake_{id}"),
                            "type": "function",
                            "function": {"name": name, "arguments": arguments.to_string()}
                        }]
                    },
                    "finish_reason": "tool_calls"
                }],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
            }));
        }
        Some(Step::Json(value)) => (value.to_string(), None),
        Some(Step::Delay(_)) | None if json_mode => (NULL_NAME.to_string(), None),
        Some(Step::Delay(_)) | None => (
            state
                .default_reply
                .lock()
                .expect("default lock")
                .clone()
                .unwrap_or_else(|| DEFAULT_REPLY.to_string()),
            None,
        ),
    };
    let prompt_words: u32 = body["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .filter_map(|message| message["content"].as_str())
                .map(estimate_tokens)
                .sum()
        })
        .unwrap_or(0);
    let (prompt_tokens, completion_tokens) =
        usage.unwrap_or((prompt_words, estimate_tokens(&content)));
    let id = state.ids.fetch_add(1, Ordering::SeqCst) + 1;
    let model = body["model"].as_str().unwrap_or(FAKE_MODEL).to_string();
    HttpResponse::Ok().json(json!({
        "id": format!("chatcmpl-fake-{id}"),
        "object": "chat.completion",
        "created": 1_700_000_000u64 + id,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens
        }
    }))
}

async fn models(request: HttpRequest, state: web::Data<FakeState>) -> HttpResponse {
    record(&state, &request, Value::Null);
    HttpResponse::Ok().json(json!({
        "object": "list",
        "data": [{"id": FAKE_MODEL, "object": "model", "owned_by": "parley-tests"}]
    }))
}

async fn not_found(request: HttpRequest, state: web::Data<FakeState>) -> HttpResponse {
    record(&state, &request, Value::Null);
    HttpResponse::NotFound().json(error_body(404))
}

impl AiFake {
    /// Starts the fake on `127.0.0.1:0`.
    pub async fn start() -> AiFake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the AI fake");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(FakeState::default());
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                // Prompts with long histories are bigger than actix's default limit.
                .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
                .route("/v1/chat/completions", web::post().to(chat_completions))
                .route("/v1/models", web::get().to(models))
                .default_service(web::to(not_found))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        AiFake {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            state,
            server: handle,
        }
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn push(&self, step: Step) {
        self.state
            .script
            .lock()
            .expect("script lock")
            .push_back(step);
    }

    /// The next plain request is answered with `text`.
    pub fn push_reply(&self, text: impl Into<String>) {
        self.push(Step::Reply {
            text: text.into(),
            usage: None,
        });
    }

    /// Like [`AiFake::push_reply`], with these usage counts.
    pub fn push_reply_with_usage(
        &self,
        text: impl Into<String>,
        prompt_tokens: u32,
        completion_tokens: u32,
    ) {
        self.push(Step::Reply {
            text: text.into(),
            usage: Some((prompt_tokens, completion_tokens)),
        });
    }

    /// The next plain request is answered with a call of the tool `name` with `arguments`
    /// (sent as a JSON text, as OpenAI does), and `text` as the content (or `null`).
    pub fn push_tool_call(&self, name: &str, arguments: Value, text: Option<&str>) {
        self.push(Step::ToolCall {
            name: name.to_string(),
            arguments,
            text: text.map(str::to_string),
        });
    }

    /// The next JSON-mode request is answered with `value` (serialised) as its content.
    pub fn push_json(&self, value: Value) {
        self.push(Step::Json(value));
    }

    /// The next request is answered with this status and an OpenAI-style error body.
    pub fn push_error(&self, status: u16) {
        self.push(Step::Error(status));
    }

    /// The next request is answered with this status and body, verbatim (malformed answers).
    pub fn push_raw(&self, status: u16, body: impl Into<String>) {
        self.push(Step::Raw {
            status,
            body: body.into(),
        });
    }

    /// The next request waits this long before it is answered.
    pub fn push_delay(&self, delay: Duration) {
        self.push(Step::Delay(delay));
    }

    /// Every request takes this long (like a model thinking); requests wait side by side.
    pub fn set_latency(&self, latency: Duration) {
        *self.state.latency.lock().expect("latency lock") = latency;
    }

    /// What plain requests get once the script is used up.
    pub fn set_default_reply(&self, text: impl Into<String>) {
        *self.state.default_reply.lock().expect("default lock") = Some(text.into());
    }

    /// Scripted steps not consumed yet.
    pub fn pending(&self) -> usize {
        self.state.script.lock().expect("script lock").len()
    }

    /// Every request, in arrival order.
    pub fn recorded(&self) -> Vec<RecordedRequest> {
        self.state.recorded.lock().expect("recorded lock").clone()
    }

    /// The bodies of the chat-completion requests, in arrival order.
    pub fn requests(&self) -> Vec<Value> {
        self.recorded()
            .into_iter()
            .filter(|request| request.path.ends_with("/chat/completions"))
            .map(|request| request.body)
            .collect()
    }

    /// Waits until at least `count` chat-completion requests arrived (for background jobs).
    pub async fn wait_for_requests(&self, count: usize, timeout: Duration) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let requests = self.requests();
            if requests.len() >= count {
                return requests;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} AI requests, got {}: {requests:#?}",
                requests.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for AiFake {
    fn drop(&mut self) {
        let server = self.server.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { server.stop(false).await });
        }
    }
}
