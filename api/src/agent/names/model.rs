//! Model-assisted extraction: the request, and reading the model's JSON through the
//! validator.

use super::*;

pub(super) const EXTRACTION_PROMPT: &str =
    "You read an SMS conversation between a business's agent and \
a customer, and extract the customer's own name if the customer has stated it.\n\
Answer with only a JSON object: {\"first_name\": string or null, \"last_name\": string or null}.\n\
Rules:\n\
- Only a name the customer gives for themselves (\"my name is…\", \"this is…\", \"I'm…\", or \
a bare name in reply to the agent asking for it).\n\
- Phrases such as \"I'm looking for a quote\", \"I'm interested\" or \"this is urgent\" are not \
names.\n\
- Never use a name the agent used, a business name, or another person the customer mentions.\n\
- When unsure, answer null.";

/// A conversation as the extraction prompt reads it: one line per message, oldest first.
pub fn transcript(history: &[(Role, String)]) -> String {
    history
        .iter()
        .filter(|(role, _)| *role != Role::System)
        .map(|(role, text)| {
            let speaker = if *role == Role::User {
                "Customer"
            } else {
                "Agent"
            };
            format!(
                "{speaker}: {}",
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The structured name-extraction request (JSON mode, temperature 0). Its answer goes
/// through [`parse_extraction_json`], which validates it.
pub fn extraction_request(model: &str, conversation_text: &str) -> ChatRequest {
    ChatRequest {
        model: model.to_string(),
        messages: vec![
            ChatMessage::system(EXTRACTION_PROMPT),
            ChatMessage::user(format!("Conversation:\n{conversation_text}")),
        ],
        temperature: 0.0,
        max_tokens: Some(100),
        json_mode: true,
        tools: Vec::new(),
        facts: None,
    }
}

/// Reads `{"first_name": …, "last_name": …}` from a model's answer (code fences, extra
/// keys, nulls and camelCase tolerated) and validates it.
pub fn parse_extraction_json(content: &str) -> Option<PersonName> {
    let start = content.find('{')?;
    let end = content.rfind('}')?;
    let value: Value = serde_json::from_str(content.get(start..=end)?).ok()?;
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|key| value.get(*key).and_then(Value::as_str))
            .map(str::trim)
            .filter(|text| !text.is_empty())
    };
    let first = text(&["first_name", "firstName", "first", "given_name"]);
    let last = text(&["last_name", "lastName", "last", "family_name", "surname"]);
    let Some(first) = first else {
        // Some models put the whole name in `name`.
        return text(&["name", "full_name"]).and_then(|name| validate_name(name).ok());
    };
    let validated = validate_name(first).ok()?;
    match last.map(validate_name) {
        // The model's split wins: {"first_name": "Anne Marie", "last_name": "Lee"}.
        Some(Ok(last)) => Some(PersonName {
            first: validated.full(),
            last: Some(last.full()),
        }),
        _ => Some(validated),
    }
}
