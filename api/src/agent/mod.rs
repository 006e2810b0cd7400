//! The AI agent: the provider abstraction (an OpenAI-compatible chat-completions client, or
//! the built-in offline demo responder), the reply prompt, the name and identity rules as
//! code, the generation log, and the reply job that puts them together with the database.

pub mod demo;
pub mod generations;
pub mod identity;
pub mod names;
pub mod openai;
pub mod prompt;
pub mod provider;
pub mod reply;

pub use demo::DemoResponder;
pub use names::{
    extract_name, extract_name_reply, identity_answer, is_affirmative, is_negative,
    parse_extraction_json, validate_name, IdentityAnswer, NameRejection, PersonName,
};
pub use openai::{ClientError, OpenAiCompatible};
pub use prompt::{build_reply_request, ReplyContext, HISTORY_LIMIT};
pub use provider::{
    AgentFacts, ChatMessage, ChatRequest, ChatResponse, Provider, ProviderError, Role,
};
