//! What a reply generator takes and gives, and the one provider the service holds: an
//! OpenAI-compatible endpoint when `PARLEY_AI_BASE_URL` is set, else the offline demo
//! responder. An enum rather than a trait object: two variants, no boxing, and it sits in
//! shared state as `Arc<Provider>`.

use serde::{Deserialize, Serialize};

use super::demo::DemoResponder;
use super::openai::{ClientError, OpenAiCompatible};
use crate::config::AiSettings;

/// Who said a chat message, in chat-completions terms (the customer is `User`; our agent,
/// human or AI, is `Assistant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        ChatMessage {
            role,
            content: content.into(),
        }
    }

    pub fn system(content: impl Into<String>) -> Self {
        ChatMessage::new(Role::System, content)
    }

    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage::new(Role::User, content)
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        ChatMessage::new(Role::Assistant, content)
    }
}

/// The conversation rules in structured form, for the offline demo responder, which cannot
/// read the prose of the system prompt. Never sent to a real provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentFacts {
    pub known_first_name: Option<String>,
    /// The customer's name is unknown and the agent should ask for it now.
    pub ask_for_name: bool,
    /// The number matches this known client: ask "is this Sarah?" before anything else.
    pub confirm_identity_of: Option<String>,
    pub guide: Option<String>,
    pub business_name: Option<String>,
    pub last_customer_message: String,
}

/// What the model may do besides writing, offered to it in the OpenAI tools format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Hand the conversation to a person of the team.
    HandoffToHuman,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::HandoffToHuman => "handoff_to_human",
        }
    }

    /// The tool's entry in a chat-completions request's `tools`.
    pub fn definition(self) -> serde_json::Value {
        match self {
            Tool::HandoffToHuman => serde_json::json!({
                "type": "function",
                "function": {
                    "name": self.name(),
                    "description": "Hand this conversation to a person of the team: when the customer asks for a person, is upset, or needs something you cannot do or promise (refunds, exceptions, medical, legal or billing questions). You may still write a short message telling the customer that a person will follow up.",
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "reason": {
                                "type": "string",
                                "description": "For the team, in one sentence: why a person is needed."
                            }
                        },
                        "required": ["reason"],
                        "additionalProperties": false
                    }
                }
            }),
        }
    }
}

/// An action the model took through a [`Tool`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolCall {
    HandoffToHuman { reason: String },
}

impl ToolCall {
    /// Reads a call as the model made it (its `arguments` are a JSON text); `None` for a tool
    /// we did not offer. Arguments that are not the JSON asked for still hand off, with the
    /// model's text as the reason: the customer's need matters more than the format.
    pub fn parse(name: &str, arguments: &str) -> Option<ToolCall> {
        match name {
            "handoff_to_human" => {
                let reason = serde_json::from_str::<serde_json::Value>(arguments)
                    .ok()
                    .and_then(|value| value.get("reason")?.as_str().map(str::to_string))
                    .unwrap_or_else(|| arguments.to_string());
                Some(ToolCall::HandoffToHuman { reason })
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    pub temperature: f32,
    pub max_tokens: Option<u32>,
    /// Ask for a JSON object (`response_format: {"type": "json_object"}`).
    pub json_mode: bool,
    /// For the demo responder only; see [`AgentFacts`].
    pub facts: Option<AgentFacts>,
    /// The actions offered to the model.
    pub tools: Vec<Tool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatResponse {
    /// What to text the customer; empty when the model only called a tool.
    pub content: String,
    /// The actions the model took.
    pub tool_calls: Vec<ToolCall>,
    /// The model that answered (as the provider names it).
    pub model: String,
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
    /// `"openai_compatible"` or `"offline_demo"`, for the generation log and the UI label.
    pub provider: AiProvider,
}

/// Why a generation failed. See [`ProviderError::is_retryable`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("the AI provider did not answer in time")]
    Timeout,
    #[error("cannot reach the AI provider: {0}")]
    Network(String),
    /// A non-2xx answer; `body` is cut short and never holds our API key.
    #[error("the AI provider answered HTTP {status}: {body}")]
    Status { status: u16, body: String },
    /// A 2xx we cannot read, or one without any text.
    #[error("the AI provider's answer cannot be read: {0}")]
    InvalidResponse(String),
}

impl ProviderError {
    /// Whether the same request may succeed later: 429, 5xx, timeouts and network errors.
    /// Other 4xx (a bad key, an unknown model) and unreadable answers need a person.
    pub fn is_retryable(&self) -> bool {
        match self {
            ProviderError::Timeout | ProviderError::Network(_) => true,
            ProviderError::Status { status, .. } => *status == 429 || (500..=599).contains(status),
            ProviderError::InvalidResponse(_) => false,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ProviderError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub use crate::wire::AiProvider;

/// The configured reply generator.
// One per process, behind an `Arc`: boxing the client would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Provider {
    OpenAi(OpenAiCompatible),
    Demo(DemoResponder),
}

impl Provider {
    /// An OpenAI-compatible client when a base URL is configured, else the demo responder.
    pub fn from_settings(settings: &AiSettings) -> Result<Provider, ClientError> {
        match settings.base_url.as_deref() {
            Some(_) => Ok(Provider::OpenAi(OpenAiCompatible::from_settings(settings)?)),
            None => Ok(Provider::Demo(DemoResponder)),
        }
    }

    pub fn name(&self) -> AiProvider {
        match self {
            Provider::OpenAi(_) => AiProvider::OpenAiCompatible,
            Provider::Demo(_) => AiProvider::OfflineDemo,
        }
    }

    pub fn is_offline_demo(&self) -> bool {
        matches!(self, Provider::Demo(_))
    }

    pub async fn generate(&self, request: ChatRequest) -> Result<ChatResponse, ProviderError> {
        match self {
            Provider::OpenAi(client) => client.complete(&request).await,
            Provider::Demo(demo) => Ok(demo.respond(&request)),
        }
    }

    /// For diagnostics: whether the provider answers at all (the demo always does).
    pub async fn health_check(&self) -> Result<(), String> {
        match self {
            Provider::OpenAi(client) => client.health_check().await,
            Provider::Demo(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn settings(base_url: Option<&str>) -> AiSettings {
        AiSettings {
            base_url: base_url.map(str::to_string),
            api_key: None,
            model: "llama3.2".to_string(),
            timeout: Duration::from_secs(5),
            debounce: Duration::ZERO,
        }
    }

    #[test]
    fn agent_provider_follows_the_settings() {
        let demo = Provider::from_settings(&settings(None)).expect("demo");
        assert!(demo.is_offline_demo());
        assert_eq!(demo.name(), AiProvider::OfflineDemo);
        let real =
            Provider::from_settings(&settings(Some("http://localhost:11434/v1"))).expect("real");
        assert!(!real.is_offline_demo());
        assert_eq!(real.name(), AiProvider::OpenAiCompatible);
        assert!(Provider::from_settings(&settings(Some("not a url"))).is_err());
    }

    #[test]
    fn agent_retryable_errors() {
        let status = |status| ProviderError::Status {
            status,
            body: String::new(),
        };
        assert!(ProviderError::Timeout.is_retryable());
        assert!(ProviderError::Network("reset".into()).is_retryable());
        assert!(status(429).is_retryable());
        assert!(status(500).is_retryable());
        assert!(status(503).is_retryable());
        assert!(!status(400).is_retryable());
        assert!(!status(401).is_retryable());
        assert!(!status(404).is_retryable());
        assert!(!ProviderError::InvalidResponse("x".into()).is_retryable());
        assert_eq!(status(502).status(), Some(502));
    }

    #[test]
    fn agent_roles_serialise_lowercase() {
        let message = ChatMessage::user("hi");
        assert_eq!(
            serde_json::to_value(&message).expect("json"),
            serde_json::json!({"role": "user", "content": "hi"})
        );
        assert_eq!(Role::Assistant.as_str(), "assistant");
    }
}
