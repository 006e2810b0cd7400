//! The AI provider edge: the real OpenAI-compatible client against the scripted fake, and the
//! offline demo responder. No database and no Parley server.

use std::time::{Duration, Instant};

use parley::agent::names::{extraction_request, parse_extraction_json, PersonName};
use parley::agent::{
    build_reply_request, AgentFacts, ChatMessage, ChatRequest, OpenAiCompatible, Provider,
    ProviderError, ReplyContext, Role,
};
use parley::config::AiSettings;
use parley_tests::ai_fake::{AiFake, DEFAULT_REPLY};
use serde_json::json;

const KEY: &str = "sk-test-secret-key";

fn client(fake: &AiFake, key: Option<&str>) -> OpenAiCompatible {
    OpenAiCompatible::new(fake.base_url(), key, Duration::from_secs(5)).expect("client")
}

fn chat() -> ChatRequest {
    ChatRequest {
        model: "llama3.2".to_string(),
        messages: vec![
            ChatMessage::system("You are Ava."),
            ChatMessage::assistant("Hi! How can I help?"),
            ChatMessage::user("How much is a cleaning?"),
        ],
        temperature: 0.3,
        max_tokens: Some(120),
        json_mode: false,
        tools: Vec::new(),
        facts: Some(AgentFacts {
            known_first_name: Some("Sarah".to_string()),
            ..AgentFacts::default()
        }),
    }
}

fn settings(base_url: Option<&str>) -> AiSettings {
    AiSettings {
        base_url: base_url.map(str::to_string),
        api_key: None,
        model: "llama3.2".to_string(),
        timeout: Duration::from_secs(5),
        debounce: Duration::ZERO,
    }
}

#[tokio::test]
async fn the_request_has_the_chat_completions_shape() {
    let fake = AiFake::start().await;
    fake.push_reply("A cleaning is $120, Sarah.");
    let response = client(&fake, Some(KEY))
        .complete(&chat())
        .await
        .expect("completion");
    assert_eq!(response.content, "A cleaning is $120, Sarah.");
    assert_eq!(response.model, "llama3.2");
    assert_eq!(response.provider.as_str(), "openai_compatible");

    let recorded = fake.recorded();
    assert_eq!(recorded.len(), 1);
    let request = &recorded[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/chat/completions", "no doubled /v1");
    assert_eq!(
        request.authorization.as_deref(),
        Some("Bearer sk-test-secret-key")
    );
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    // Exactly this: no `facts`, no `response_format`, messages in order.
    assert_eq!(
        request.body,
        json!({
            "model": "llama3.2",
            "messages": [
                {"role": "system", "content": "You are Ava."},
                {"role": "assistant", "content": "Hi! How can I help?"},
                {"role": "user", "content": "How much is a cleaning?"}
            ],
            "temperature": 0.3,
            "max_tokens": 120
        })
    );
}

#[tokio::test]
async fn no_key_means_no_authorization_header() {
    let fake = AiFake::start().await;
    for key in [None, Some("   ")] {
        client(&fake, key)
            .complete(&chat())
            .await
            .expect("completion");
    }
    let recorded = fake.recorded();
    assert_eq!(recorded.len(), 2);
    assert!(recorded.iter().all(|r| r.authorization.is_none()));
    // The default answer, with `max_tokens` left out when unset.
    let request = ChatRequest {
        max_tokens: None,
        ..chat()
    };
    let response = client(&fake, None)
        .complete(&request)
        .await
        .expect("completion");
    assert_eq!(response.content, DEFAULT_REPLY);
    assert!(fake.requests()[2].get("max_tokens").is_none());
}

#[tokio::test]
async fn token_usage_is_read() {
    let fake = AiFake::start().await;
    fake.push_reply_with_usage("Sure thing!", 42, 7);
    let response = client(&fake, None)
        .complete(&chat())
        .await
        .expect("completion");
    assert_eq!(response.prompt_tokens, Some(42));
    assert_eq!(response.completion_tokens, Some(7));

    // The fake's own counts: words of the prompt and of the answer.
    fake.push_reply("two words");
    let response = client(&fake, None)
        .complete(&chat())
        .await
        .expect("completion");
    assert_eq!(response.prompt_tokens, Some(3 + 5 + 5));
    assert_eq!(response.completion_tokens, Some(2));

    // Servers that send no usage at all are fine.
    fake.push_raw(
        200,
        r#"{"choices": [{"message": {"role": "assistant", "content": "no usage"}}]}"#,
    );
    let response = client(&fake, None)
        .complete(&chat())
        .await
        .expect("completion");
    assert_eq!(response.content, "no usage");
    assert_eq!(response.prompt_tokens, None);
    assert_eq!(response.completion_tokens, None);
}

#[tokio::test]
async fn json_mode_asks_for_a_json_object() {
    let fake = AiFake::start().await;
    let model = client(&fake, None);
    // A scripted reply is for plain requests; the extraction gets the JSON step.
    fake.push_reply("plain reply");
    fake.push_json(json!({"first_name": "sarah", "last_name": "lee", "confidence": 0.9}));
    let extraction = extraction_request("llama3.2", "Customer: hi it's sarah lee");
    let response = model.complete(&extraction).await.expect("extraction");
    assert_eq!(
        parse_extraction_json(&response.content),
        Some(PersonName {
            first: "Sarah".to_string(),
            last: Some("Lee".to_string()),
        })
    );
    let body = &fake.requests()[0];
    assert_eq!(body["response_format"], json!({"type": "json_object"}));
    assert_eq!(body["temperature"], 0.0);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(
        body["messages"][1]["content"],
        "Conversation:\nCustomer: hi it's sarah lee"
    );

    // With nothing scripted for it, an extraction finds no name.
    let response = model.complete(&extraction).await.expect("extraction");
    assert_eq!(parse_extraction_json(&response.content), None);
    // A model that answers a non-name is validated away.
    fake.push_json(json!({"first_name": "Looking", "last_name": null}));
    let response = model.complete(&extraction).await.expect("extraction");
    assert_eq!(parse_extraction_json(&response.content), None);

    let response = model.complete(&chat()).await.expect("reply");
    assert_eq!(response.content, "plain reply");
    assert_eq!(fake.pending(), 0);
}

#[tokio::test]
async fn server_errors_are_retryable_and_client_errors_are_not() {
    let fake = AiFake::start().await;
    let model = client(&fake, Some(KEY));
    for (status, retryable) in [
        (500, true),
        (503, true),
        (429, true),
        (401, false),
        (404, false),
    ] {
        fake.push_error(status);
        let error = model.complete(&chat()).await.expect_err("an error");
        assert_eq!(error.status(), Some(status), "{error}");
        assert_eq!(error.is_retryable(), retryable, "{error}");
        assert!(error.to_string().contains("scripted error"), "{error}");
    }
    // A server that echoes the key back never gets it into our errors.
    fake.push_raw(
        401,
        format!(r#"{{"error": {{"message": "Incorrect API key provided: {KEY}"}}}}"#),
    );
    let error = model.complete(&chat()).await.expect_err("401");
    assert!(!error.to_string().contains(KEY), "{error}");
    assert!(!format!("{error:?}").contains(KEY), "{error:?}");
    assert!(!format!("{model:?}").contains(KEY));
}

#[tokio::test]
async fn a_slow_provider_times_out() {
    let fake = AiFake::start().await;
    let model =
        OpenAiCompatible::new(fake.base_url(), None, Duration::from_millis(300)).expect("client");
    fake.push_delay(Duration::from_secs(3));
    fake.push_reply("too late");
    let started = Instant::now();
    let error = model.complete(&chat()).await.expect_err("a timeout");
    assert_eq!(error, ProviderError::Timeout);
    assert!(error.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn malformed_answers_are_invalid() {
    let fake = AiFake::start().await;
    let model = client(&fake, None);
    for body in [
        "{not json",
        "<html>502 Bad Gateway</html>",
        r#"{"choices": []}"#,
        r#"{"choices": [{"message": {"content": null}}]}"#,
        r#"{"choices": [{"message": {"content": "  "}}]}"#,
    ] {
        fake.push_raw(200, body);
        let error = model.complete(&chat()).await.expect_err("invalid");
        assert!(
            matches!(error, ProviderError::InvalidResponse(_)),
            "{body}: {error}"
        );
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn an_unreachable_provider_is_a_network_error() {
    // Bind and drop: nothing listens on this port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("port")
        .port();
    let base = format!("http://127.0.0.1:{port}/v1");
    let model = OpenAiCompatible::new(&base, None, Duration::from_secs(2)).expect("client");
    let error = model.complete(&chat()).await.expect_err("unreachable");
    assert!(matches!(error, ProviderError::Network(_)), "{error}");
    assert!(error.is_retryable());

    let provider = Provider::from_settings(&settings(Some(&base))).expect("provider");
    assert!(provider.health_check().await.is_err());
}

#[tokio::test]
async fn the_provider_follows_the_settings() {
    let fake = AiFake::start().await;
    let provider = Provider::from_settings(&settings(Some(fake.base_url()))).expect("provider");
    assert_eq!(provider.name().as_str(), "openai_compatible");
    assert!(!provider.is_offline_demo());
    assert_eq!(provider.health_check().await, Ok(()));
    assert_eq!(fake.recorded()[0].path, "/v1/models");

    // A whole reply request, built from plain values, goes out in order.
    fake.push_reply("Hi Sarah! A cleaning is about an hour.");
    let request = build_reply_request(&ReplyContext {
        assistant_name: "Ava".to_string(),
        system_prompt: "You are Ava, Maple Dental's assistant.".to_string(),
        model: "llama3.2".to_string(),
        temperature: 0.5,
        guide: Some("Offer Saturday slots.".to_string()),
        history: vec![
            (Role::User, "hi".to_string()),
            (Role::Assistant, "Hi! Could I get your name?".to_string()),
            (Role::User, "Sarah. How long is a cleaning?".to_string()),
        ],
        known_first_name: Some("Sarah".to_string()),
        ..ReplyContext::default()
    });
    let response = provider.generate(request).await.expect("reply");
    assert_eq!(response.content, "Hi Sarah! A cleaning is about an hour.");
    let body = &fake.requests()[0];
    let messages = body["messages"].as_array().expect("messages");
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    let system = messages[0]["content"].as_str().unwrap_or_default();
    assert!(system.starts_with("You are Ava, Maple Dental's assistant."));
    assert!(system.contains("Conversation guide (follow it): Offer Saturday slots."));
    assert!(system.contains("The customer's first name is Sarah; address them by it."));
    assert_eq!(messages[3]["content"], "Sarah. How long is a cleaning?");
    assert!(body.get("facts").is_none());
}

fn demo_context(message: &str) -> ReplyContext {
    ReplyContext {
        assistant_name: "Ava".to_string(),
        system_prompt: "You are Ava.".to_string(),
        model: "gpt-4o-mini".to_string(),
        temperature: 0.7,
        history: vec![(Role::User, message.to_string())],
        ..ReplyContext::default()
    }
}

#[tokio::test]
async fn the_demo_responder_follows_the_conversation_rules() {
    let provider = Provider::from_settings(&settings(None)).expect("demo");
    assert!(provider.is_offline_demo());
    assert_eq!(provider.name().as_str(), "offline_demo");
    assert_eq!(provider.health_check().await, Ok(()));

    // A new customer is asked for their name before anything else.
    let ask = provider
        .generate(build_reply_request(&ReplyContext {
            ask_for_name: true,
            ..demo_context("How much is a cleaning?")
        }))
        .await
        .expect("reply");
    assert_eq!(ask.provider.as_str(), "offline_demo");
    assert!(ask.content.contains("your name"), "{}", ask.content);
    assert!(!ask.content.to_lowercase().contains("demo"));

    // A known texter is asked to confirm, and nothing else is revealed.
    let confirm = provider
        .generate(build_reply_request(&ReplyContext {
            confirm_identity_of: Some("Sarah".to_string()),
            ..demo_context("hi, are you open Saturday?")
        }))
        .await
        .expect("reply");
    assert_eq!(
        confirm.content,
        "Hi! I think we've spoken before - is this Sarah?"
    );

    // A known name is used.
    let named = provider
        .generate(build_reply_request(&ReplyContext {
            known_first_name: Some("Sarah".to_string()),
            ..demo_context("Can I book an appointment for Friday?")
        }))
        .await
        .expect("reply");
    assert!(
        named.content.starts_with("Great, Sarah!"),
        "{}",
        named.content
    );
    assert_eq!(named.prompt_tokens, None);

    // Name extraction is left to the deterministic extractor offline.
    let extraction = provider
        .generate(extraction_request("gpt-4o-mini", "Customer: it's Sarah"))
        .await
        .expect("extraction");
    assert_eq!(parse_extraction_json(&extraction.content), None);
}
