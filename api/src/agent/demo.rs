//! The offline demo responder: deterministic, rule-based replies used when no AI provider is
//! configured, so local trials work end to end. It follows the same conversation rules a
//! real model gets in its prompt (confirm a known texter, ask for the name, address the
//! customer by it), read from [`AgentFacts`] instead of prose. Its replies are labelled by
//! the response's `provider` ("offline_demo"), never in the SMS text itself.
//!
//! Replies are short and, apart from the names they quote, plain ASCII (GSM-7, hence "-"
//! rather than an em dash), so each fits one SMS segment. The conversation guide is free
//! text the demo cannot follow; a real provider is needed for that.

use super::names::extract_name_reply;
use super::provider::{AgentFacts, ChatMessage, ChatRequest, ChatResponse, Role, Tool, ToolCall};
use crate::wire::AiProvider;

/// The `model` the demo responder reports.
pub const DEMO_MODEL: &str = "offline-demo";
/// Its answer to a name-extraction request: offline, the deterministic extractor does that
/// work.
pub const NULL_NAME_JSON: &str = r#"{"first_name": null, "last_name": null}"#;

/// The seed's ways of asking for a name; one is picked by the customer's message.
pub const ASK_NAME_PHRASES: [&str; 3] = [
    "Hi! Before we continue, could I get your name?",
    "Thanks for reaching out! What's your name?",
    "Hi there! Before I help with that, may I ask your name?",
];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoResponder;

impl DemoResponder {
    pub fn respond(&self, request: &ChatRequest) -> ChatResponse {
        if request.json_mode {
            return self.answer(NULL_NAME_JSON.to_string(), Vec::new());
        }
        let facts = match &request.facts {
            Some(facts) => facts.clone(),
            None => facts_from_messages(&request.messages),
        };
        if request.tools.contains(&Tool::HandoffToHuman)
            && asks_for_a_person(&facts.last_customer_message)
        {
            let known = facts
                .known_first_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty());
            let lead = match known {
                Some(name) => format!("Of course, {name}."),
                None => "Of course.".to_string(),
            };
            return self.answer(
                format!("{lead} I've asked a member of our team to take over; they'll reply here shortly."),
                vec![ToolCall::HandoffToHuman {
                    reason: "The customer asked to talk to a person.".to_string(),
                }],
            );
        }
        self.answer(reply(&facts), Vec::new())
    }

    fn answer(&self, content: String, tool_calls: Vec<ToolCall>) -> ChatResponse {
        ChatResponse {
            content,
            tool_calls,
            model: DEMO_MODEL.to_string(),
            prompt_tokens: None,
            completion_tokens: None,
            provider: AiProvider::OfflineDemo,
        }
    }
}

/// The customer asks for a person: "can I talk to a real person?", "human please",
/// "get me a manager". A word for a person alone is not enough ("my agent said…").
pub fn asks_for_a_person(message: &str) -> bool {
    let lower = message.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let has = |options: &[&str]| words.iter().any(|word| options.contains(word));
    let unmistakable = has(&[
        "human",
        "humans",
        "representative",
        "operator",
        "manager",
        "supervisor",
    ]);
    let someone = has(&["person", "someone", "somebody", "agent", "staff", "people"]);
    let asking = has(&[
        "talk", "speak", "real", "actual", "live", "get", "want", "need", "connect", "transfer",
    ]);
    (unmistakable && (asking || words.len() <= 3)) || (someone && asking)
}

/// Without facts, all the demo knows is the customer's last message.
fn facts_from_messages(messages: &[ChatMessage]) -> AgentFacts {
    AgentFacts {
        last_customer_message: messages
            .iter()
            .rev()
            .find(|message| message.role == Role::User)
            .map(|message| message.content.clone())
            .unwrap_or_default(),
        ..AgentFacts::default()
    }
}

/// FNV-1a: a stable hash (std's may change between Rust releases) to vary phrasing.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The question asking for a name, varied deterministically by the customer's message.
pub fn ask_name_phrase(last_customer_message: &str) -> &'static str {
    let index = stable_hash(last_customer_message.trim()) % ASK_NAME_PHRASES.len() as u64;
    ASK_NAME_PHRASES[index as usize]
}

/// What the customer's last message is about, by keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    Cancel,
    Reschedule,
    Appointment,
    Price,
    Hours,
    Thanks,
    Greeting,
    Other,
}

fn topic(message: &str) -> Topic {
    let lower = message.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let has = |options: &[&str]| words.iter().any(|word| options.contains(word));
    if has(&["cancel", "cancelling", "canceling", "cancellation"]) {
        Topic::Cancel
    } else if has(&["reschedule", "rescheduling", "postpone", "move"]) {
        Topic::Reschedule
    } else if has(&[
        "appointment",
        "appointments",
        "appt",
        "book",
        "booking",
        "schedule",
        "availability",
        "available",
        "slot",
        "opening",
        "openings",
    ]) {
        Topic::Appointment
    } else if has(&[
        "price", "prices", "pricing", "cost", "costs", "quote", "estimate", "rate", "rates", "fee",
        "fees",
    ]) || lower.contains("how much")
    {
        Topic::Price
    } else if has(&["hours", "open", "close", "closed", "closing"]) {
        Topic::Hours
    } else if has(&["thanks", "thank", "thx", "ty", "cheers", "appreciate"]) {
        Topic::Thanks
    } else if words.len() <= 3
        && has(&[
            "hi",
            "hello",
            "hey",
            "hiya",
            "howdy",
            "morning",
            "afternoon",
            "evening",
        ])
    {
        Topic::Greeting
    } else {
        Topic::Other
    }
}

/// The demo's reply under the conversation rules: confirm a known texter first, then ask for
/// a missing name, then answer, by name when it is known.
pub fn reply(facts: &AgentFacts) -> String {
    let known = facts
        .known_first_name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty());
    if let Some(client) = facts
        .confirm_identity_of
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        return format!("Hi! I think we've spoken before - is this {client}?");
    }
    if known.is_none() && facts.ask_for_name {
        return ask_name_phrase(&facts.last_customer_message).to_string();
    }
    let message = facts.last_customer_message.as_str();
    // "Thanks, Sarah! " or "Thanks! "
    let with_name = |lead: &str, end: char| match known {
        Some(name) => format!("{lead}, {name}{end}"),
        None => format!("{lead}{end}"),
    };
    match topic(message) {
        Topic::Cancel => format!(
            "{} I can help you cancel - which appointment or order is it about?",
            with_name("No problem", '.')
        ),
        Topic::Reschedule => format!(
            "{} What day and time would work better for you?",
            with_name("No problem", '.')
        ),
        Topic::Appointment => format!(
            "{} I can help you book an appointment. What day and time work best for you?",
            with_name("Great", '!')
        ),
        Topic::Price => format!(
            "{} I'd be happy to get you a quote. Could you tell me a bit more about what you need?",
            with_name("Thanks", '!')
        ),
        Topic::Hours => format!(
            "{} A team member will confirm our hours for the day you have in mind. Which day are you thinking of?",
            with_name("Good question", '!')
        ),
        Topic::Thanks => format!(
            "{} Let me know if there's anything else I can help with.",
            with_name("You're welcome", '!')
        ),
        _ if known.is_some_and(|name| just_gave_name(message, name)) => format!(
            "{} How can I help you today?",
            with_name("Nice to meet you", '!')
        ),
        Topic::Greeting => {
            let hello = match known {
                Some(name) => format!("Hi {name}!"),
                None => "Hi there!".to_string(),
            };
            match facts.business_name.as_deref().map(str::trim) {
                Some(business) if !business.is_empty() => {
                    format!("{hello} Thanks for texting {business}. How can I help you today?")
                }
                _ => format!("{hello} How can I help you today?"),
            }
        }
        Topic::Other => format!(
            "{} I've noted your message and a team member will follow up shortly. Anything else I can help with?",
            with_name("Thanks", '!')
        ),
    }
}

/// The customer's message is (or states) the name we now know: "Sarah", "it's Sarah".
fn just_gave_name(message: &str, known: &str) -> bool {
    extract_name_reply(message, true).is_some_and(|name| name.first.eq_ignore_ascii_case(known))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(message: &str) -> AgentFacts {
        AgentFacts {
            last_customer_message: message.to_string(),
            ..AgentFacts::default()
        }
    }

    fn named(message: &str, name: &str) -> AgentFacts {
        AgentFacts {
            known_first_name: Some(name.to_string()),
            ..facts(message)
        }
    }

    #[test]
    fn identity_comes_first() {
        let facts = AgentFacts {
            confirm_identity_of: Some("Sarah".to_string()),
            ask_for_name: true,
            known_first_name: Some("Sarah".to_string()),
            ..facts("How much is a cleaning?")
        };
        assert_eq!(
            reply(&facts),
            "Hi! I think we've spoken before - is this Sarah?"
        );
    }

    #[test]
    fn a_missing_name_is_asked_for_in_the_seed_phrasings() {
        let mut seen = std::collections::HashSet::new();
        for message in [
            "hi",
            "How much is a cleaning?",
            "Are you open Saturday?",
            "help",
            "x",
        ] {
            let ask = AgentFacts {
                ask_for_name: true,
                ..facts(message)
            };
            let text = reply(&ask);
            assert!(ASK_NAME_PHRASES.contains(&text.as_str()), "{text}");
            assert_eq!(text, reply(&ask), "deterministic");
            seen.insert(text);
        }
        assert!(seen.len() > 1, "the phrasing varies: {seen:?}");
        // A known name is never asked for again.
        let known = AgentFacts {
            ask_for_name: true,
            ..named("hi", "Sarah")
        };
        assert!(!reply(&known).contains("your name"), "{}", reply(&known));
    }

    #[test]
    fn replies_address_the_customer_by_name() {
        let cases = [
            (
                "How much does whitening cost?",
                "Thanks, Sarah! I'd be happy to get you a quote.",
            ),
            (
                "Can I book an appointment?",
                "Great, Sarah! I can help you book",
            ),
            ("What are your hours?", "Good question, Sarah!"),
            (
                "I need to cancel",
                "No problem, Sarah. I can help you cancel",
            ),
            ("can we reschedule", "No problem, Sarah. What day"),
            ("thank you!", "You're welcome, Sarah!"),
            ("Sarah", "Nice to meet you, Sarah!"),
            ("it's sarah", "Nice to meet you, Sarah!"),
            (
                "my car is making a noise",
                "Thanks, Sarah! I've noted your message",
            ),
            ("hello", "Hi Sarah! How can I help you today?"),
        ];
        for (message, start) in cases {
            let text = reply(&named(message, "Sarah"));
            assert!(text.starts_with(start), "{message:?} → {text:?}");
            assert!(
                text.len() <= 160 && text.is_ascii(),
                "one GSM segment: {text}"
            );
        }
        assert_eq!(
            reply(&facts("What are your prices?")),
            "Thanks! I'd be happy to get you a quote. Could you tell me a bit more about what you need?"
        );
        let business = AgentFacts {
            business_name: Some("Maple Dental".to_string()),
            ..named("hi", "Zoë")
        };
        assert_eq!(
            reply(&business),
            "Hi Zoë! Thanks for texting Maple Dental. How can I help you today?"
        );
    }

    #[test]
    fn responses_are_labelled_offline() {
        let request = ChatRequest {
            model: "gpt-4o-mini".to_string(),
            messages: vec![
                ChatMessage::system("rules"),
                ChatMessage::user("what are your hours?"),
            ],
            temperature: 0.7,
            max_tokens: None,
            json_mode: false,
            tools: Vec::new(),
            facts: None,
        };
        let response = DemoResponder.respond(&request);
        assert_eq!(response.provider, AiProvider::OfflineDemo);
        assert_eq!(response.model, DEMO_MODEL);
        assert!(
            response.content.starts_with("Good question!"),
            "{}",
            response.content
        );
        assert!(!response.content.to_lowercase().contains("demo"));

        let extraction = ChatRequest {
            json_mode: true,
            tools: Vec::new(),
            ..request
        };
        assert_eq!(DemoResponder.respond(&extraction).content, NULL_NAME_JSON);
    }
}
