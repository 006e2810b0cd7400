//! The seed's AI stories end to end: the carrier simulator plays the customer, a scripted
//! OpenAI-compatible fake plays the model, and the tests read the exact requests it got.

use std::collections::HashMap;
use std::time::Duration;

use parley_tests::ai_fake::AiFake;
use parley_tests::{json_with_status, TestApp};
use serde_json::{json, Value};

const OUR_NUMBER: &str = "+14165550100";
const CUSTOMER: &str = "+14165551234";

async fn spawn_with_ai(fake: &AiFake) -> TestApp {
    spawn_with_ai_debounce(fake, 300).await
}

async fn spawn_with_ai_debounce(fake: &AiFake, debounce_ms: u64) -> TestApp {
    spawn_with_ai_settings(fake, &[("PARLEY_AI_DEBOUNCE_MS", &debounce_ms.to_string())]).await
}

/// A server whose AI is `fake`, with `extra` settings on top.
async fn spawn_with_ai_settings(fake: &AiFake, extra: &[(&str, &str)]) -> TestApp {
    let mut settings: HashMap<String, String> = [
        ("PARLEY_AI_BASE_URL", fake.base_url()),
        ("PARLEY_AI_API_KEY", "sk-test"),
        ("PARLEY_AI_MODEL", "test-model"),
        ("PARLEY_AI_TIMEOUT_SECONDS", "2"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    settings.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    TestApp::spawn_with(settings).await
}

/// The chat requests that asked for a reply (not the name extractions), in order.
fn reply_requests(fake: &AiFake) -> Vec<Value> {
    fake.requests()
        .into_iter()
        .filter(|r| r.get("response_format").is_none())
        .collect()
}

fn system_prompt(request: &Value) -> String {
    request["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn conversation(app: &TestApp, token: &str) -> Value {
    let page = json_with_status(app.get("/api/v1/conversations", token).await, 200).await;
    page["data"][0].clone()
}

/// The id of the tenant's newest conversation.
async fn conversation_id(app: &TestApp, token: &str) -> String {
    conversation(app, token).await["id"]
        .as_str()
        .expect("a conversation id")
        .to_string()
}

/// Waits for the conversation's `n`-th AI message.
async fn ai_messages(app: &TestApp, token: &str, conversation_id: &str, n: usize) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let ai: Vec<Value> = app
            .messages(token, conversation_id)
            .await
            .into_iter()
            .filter(|m| m["author"] == "ai")
            .collect();
        if ai.len() >= n {
            return ai;
        }
        assert!(std::time::Instant::now() < deadline, "no AI reply #{n}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn customer_writes(app: &TestApp, text: &str) {
    let result = app
        .sim
        .send_inbound(CUSTOMER, OUR_NUMBER, text)
        .await
        .unwrap();
    assert_eq!(result.status, Some(200));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_customer_is_asked_for_a_name_gives_it_and_is_addressed_by_it() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai(&fake).await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let token = acme.admin_token.as_str();

    fake.push_reply("Hi! Before we continue, could I get your name?");
    customer_writes(&app, "Hi, do you do teeth whitening?").await;
    let id = conversation_id(&app, token).await;
    let first = ai_messages(&app, token, &id, 1).await;
    assert_eq!(
        first[0]["text"],
        "Hi! Before we continue, could I get your name?"
    );
    assert_eq!(first[0]["ai_provider"], "openai_compatible");
    let request = reply_requests(&fake).pop().unwrap();
    assert_eq!(request["model"], "test-model");
    let system = system_prompt(&request);
    assert!(
        system.contains("before handling the request, ask for their name"),
        "{system}"
    );
    assert!(system.contains("on behalf of Maple Dental"), "{system}");
    // The customer's words are the last message, as the user.
    let messages = request["messages"].as_array().unwrap();
    assert_eq!(messages.last().unwrap()["role"], "user");
    assert_eq!(
        messages.last().unwrap()["content"],
        "Hi, do you do teeth whitening?"
    );

    fake.push_reply("Thanks, Priya! Yes, we offer whitening.");
    customer_writes(&app, "It's Priya").await;
    ai_messages(&app, token, &id, 2).await;
    let conversation = conversation(&app, token).await;
    assert_eq!(conversation["contact_name"], "Priya");
    let system = system_prompt(&reply_requests(&fake).pop().unwrap());
    assert!(
        system.contains("The customer's first name is Priya; address them by it."),
        "{system}"
    );
    // The whole exchange, in order and with roles.
    let request = reply_requests(&fake).pop().unwrap();
    let roles: Vec<&str> = request["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_only_the_model_reads_is_used_in_the_same_reply() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai(&fake).await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let token = acme.admin_token.as_str();
    // The extraction runs beside the reply, which was written not knowing the name.
    fake.push_json(json!({"first_name": "Priya", "last_name": null}));
    fake.push_reply("Hi! Could I get your name first?");
    fake.push_reply("Thanks, Priya! Yes, we offer whitening.");
    customer_writes(&app, "do u do whitening? ty -p").await;
    let id = conversation_id(&app, token).await;
    let sent = ai_messages(&app, token, &id, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent_now = ai_messages(&app, token, &id, 1).await;
    assert_eq!(sent_now.len(), 1, "one reply: {sent_now:?}");
    assert_eq!(sent[0]["text"], "Thanks, Priya! Yes, we offer whitening.");
    let requests = reply_requests(&fake);
    assert_eq!(
        requests.len(),
        2,
        "the reply asking for the name is written again"
    );
    assert!(system_prompt(&requests[0]).contains("ask for their name"));
    assert!(system_prompt(&requests[1])
        .contains("The customer's first name is Priya; address them by it."));
    assert_eq!(conversation(&app, token).await["contact_name"], "Priya");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_client_is_asked_is_this_sarah_confirms_and_is_linked() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai(&fake).await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let token = acme.admin_token.as_str();
    let client = json_with_status(
        app.post_json("/api/v1/clients", Some(token), &json!({"first_name": "Sarah", "last_name": "Lee", "phone_number": CUSTOMER, "company": "Lee & Co"})).await,
        201,
    )
    .await;

    fake.push_reply("Hi! I think we've spoken before - is this Sarah?");
    customer_writes(&app, "Hello, I need to move my appointment").await;
    let id = conversation_id(&app, token).await;
    ai_messages(&app, token, &id, 1).await;
    let system = system_prompt(&reply_requests(&fake).pop().unwrap());
    assert!(
        system.contains("ask whether you are speaking with Sarah"),
        "{system}"
    );
    assert!(
        !system.contains("Lee & Co"),
        "nothing else about the client before a yes"
    );
    let pending = conversation(&app, token).await;
    assert_eq!(pending["identity"], "pending");
    assert!(pending["client_id"].is_null());

    fake.push_reply("Thanks Sarah! Which day works for you?");
    customer_writes(&app, "Yes, that's me").await;
    ai_messages(&app, token, &id, 2).await;
    let linked = conversation(&app, token).await;
    assert_eq!(linked["identity"], "verified");
    assert_eq!(linked["client_id"], client["id"]);
    assert_eq!(linked["contact_name"], "Sarah Lee");
    let system = system_prompt(&reply_requests(&fake).pop().unwrap());
    assert!(
        system.contains("The customer's first name is Sarah"),
        "{system}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_no_declines_the_match_and_the_name_is_asked_instead() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai(&fake).await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let token = acme.admin_token.as_str();
    json_with_status(
        app.post_json(
            "/api/v1/clients",
            Some(token),
            &json!({"first_name": "Sarah", "phone_number": CUSTOMER}),
        )
        .await,
        201,
    )
    .await;
    customer_writes(&app, "hi").await;
    let id = conversation_id(&app, token).await;
    ai_messages(&app, token, &id, 1).await;
    customer_writes(&app, "No, wrong person").await;
    ai_messages(&app, token, &id, 2).await;
    let declined = conversation(&app, token).await;
    assert_eq!(declined["identity"], "declined");
    assert!(declined["client_id"].is_null());
    let system = system_prompt(&reply_requests(&fake).pop().unwrap());
    assert!(system.contains("ask for their name"), "{system}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_guide_history_and_other_channels_reach_the_request() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai(&fake).await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let token = acme.admin_token.as_str();
    let assistant = json_with_status(
        app.post_json("/api/v1/assistants", Some(token), &json!({"name": "Front desk", "system_prompt": "You are the front desk of Maple Dental.", "model": "assistant-model", "temperature": 0.1, "is_default": true})).await,
        201,
    )
    .await;
    let started = app
        .start_conversation(token, CUSTOMER, "Hi Sam, following up on your visit.")
        .await;
    let id = started["conversation"]["id"].as_str().unwrap().to_string();
    assert_eq!(started["conversation"]["assistant_id"], assistant["id"]);
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{id}"),
            token,
            &json!({"contact_name": "Sam Ortiz"}),
        )
        .await,
        200,
    )
    .await;
    json_with_status(
        app.put_json(
            &format!("/api/v1/conversations/{id}/guide"),
            token,
            &json!({"text": "This customer is interested in enterprise plans. Focus on ROI."}),
        )
        .await,
        200,
    )
    .await;
    json_with_status(
        app.post_json("/api/v1/interactions", Some(token), &json!({"channel": "voice", "phone_number": CUSTOMER, "summary": "Called about whitening prices"})).await,
        201,
    )
    .await;
    customer_writes(&app, "Thanks! What would it cost for my whole team?").await;
    ai_messages(&app, token, &id, 1).await;
    let request = reply_requests(&fake).pop().unwrap();
    assert_eq!(request["model"], "assistant-model");
    assert_eq!(
        request["temperature"].as_f64().map(|t| (t * 10.0).round()),
        Some(1.0)
    );
    let system = system_prompt(&request);
    assert!(
        system.starts_with("You are the front desk of Maple Dental."),
        "{system}"
    );
    assert!(system.contains("Conversation guide (follow it): This customer is interested in enterprise plans. Focus on ROI."), "{system}");
    assert!(
        system.contains("The customer's first name is Sam"),
        "{system}"
    );
    assert!(system.contains("Called about whitening prices"), "{system}");
    let contents: Vec<&str> = request["messages"].as_array().unwrap()[1..]
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        [
            "Hi Sam, following up on your visit.",
            "Thanks! What would it cost for my whole team?"
        ]
    );

    // The generation is logged and counted in the usage.
    let log =
        json_with_status(app.get("/api/v1/ai-generations", token).await, 200).await["data"].clone();
    let reply = log
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["purpose"] == "reply")
        .unwrap()
        .clone();
    assert_eq!(reply["outcome"], "ok");
    assert_eq!(reply["model"], "assistant-model");
    assert_eq!(reply["assistant_id"], assistant["id"]);
    assert!(
        reply["message_id"].is_string()
            && reply["latency_ms"].is_number()
            && reply["prompt_tokens"].as_i64().unwrap() > 0
    );
    let usage = json_with_status(app.get("/api/v1/usage", token).await, 200).await;
    assert!(usage["totals"]["ai_tokens"].as_i64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_debounced_reply_leaves_when_it_comes_due_not_at_the_next_poll() {
    let fake = AiFake::start().await;
    // The lanes look for due work every minute only: the reply must not wait for that.
    let app = spawn_with_ai_settings(
        &fake,
        &[
            ("PARLEY_AI_DEBOUNCE_MS", "300"),
            ("PARLEY_WORKER_POLL_MS", "60000"),
        ],
    )
    .await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let started = std::time::Instant::now();
    customer_writes(&app, "Are you open on Saturday?").await;
    let deadline = started + Duration::from_secs(15);
    while app.sim.sent_messages().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the reply waited for the poll"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let id = conversation_id(&app, &acme.admin_token).await;
    assert_eq!(ai_messages(&app, &acme.admin_token, &id, 1).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_quick_messages_get_one_reply() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai_debounce(&fake, 2500).await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let token = acme.admin_token.as_str();
    json_with_status(
        app.post_json(
            "/api/v1/clients",
            Some(token),
            &json!({"first_name": "Ana", "phone_number": "+14165559876"}),
        )
        .await,
        201,
    )
    .await;
    customer_writes(&app, "Hi, this is Ana").await;
    customer_writes(&app, "Are you open on Saturday?").await;
    let id = conversation_id(&app, token).await;
    ai_messages(&app, token, &id, 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(ai_messages(&app, token, &id, 1).await.len(), 1, "one reply");
    let requests = reply_requests(&fake);
    assert_eq!(requests.len(), 1);
    let contents: Vec<&str> = requests[0]["messages"].as_array().unwrap()[1..]
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents.len(),
        1,
        "consecutive customer messages are joined: {contents:?}"
    );
    assert!(contents[0].contains("this is Ana") && contents[0].contains("Saturday"));
}

#[tokio::test(flavor = "multi_thread")]
async fn ai_off_opted_out_and_a_human_reply_keep_the_ai_quiet() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai(&fake).await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let token = acme.admin_token.as_str();
    customer_writes(&app, "Hi, my name is Omar").await;
    let id = conversation_id(&app, token).await;
    ai_messages(&app, token, &id, 1).await;

    // A human answers: the AI pauses, visibly.
    json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(token),
            &json!({"text": "Omar, it's Dr. Patel here."}),
        )
        .await,
        201,
    )
    .await;
    let paused = conversation(&app, token).await;
    assert!(paused["ai_paused_until"].is_string());
    customer_writes(&app, "Oh hi doctor!").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        ai_messages(&app, token, &id, 1).await.len(),
        1,
        "no AI reply while a human handles it"
    );

    // Turned back on: the AI answers again.
    let resumed = json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{id}"),
            token,
            &json!({"ai_enabled": true}),
        )
        .await,
        200,
    )
    .await;
    assert!(resumed["ai_paused_until"].is_null());
    customer_writes(&app, "Can I book Monday?").await;
    ai_messages(&app, token, &id, 2).await;

    // AI off: nothing.
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{id}"),
            token,
            &json!({"ai_enabled": false}),
        )
        .await,
        200,
    )
    .await;
    let before = reply_requests(&fake).len();
    customer_writes(&app, "Hello?").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(reply_requests(&fake).len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn provider_errors_are_retried_then_recorded_and_nothing_is_lost() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai(&fake).await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let token = acme.admin_token.as_str();
    for _ in 0..12 {
        fake.push_error(503);
    }
    customer_writes(&app, "My name is Lena, is anyone there?").await;
    let id = conversation_id(&app, token).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let c = conversation(&app, token).await;
        if c["ai_error"].is_string() {
            assert!(
                c["ai_error"].as_str().unwrap().contains("could not reply"),
                "{c}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the failure was never recorded"
        );
        app.clock.advance(chrono::Duration::minutes(2));
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let messages = app.messages(token, &id).await;
    assert_eq!(
        messages.len(),
        1,
        "the inbound message is kept, no reply was invented"
    );
    let errors = json_with_status(
        app.get("/api/v1/ai-generations?outcome=error", token).await,
        200,
    )
    .await["data"]
        .clone();
    assert!(
        errors.as_array().unwrap().len() >= 2,
        "each failed attempt is logged"
    );
    assert!(errors[0]["error"].as_str().unwrap().contains("503"));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_provider_the_offline_demo_replies_and_says_so() {
    let app = TestApp::spawn_with(
        [("PARLEY_AI_DEBOUNCE_MS".to_string(), "100".to_string())]
            .into_iter()
            .collect(),
    )
    .await;
    let acme = app
        .create_tenant_with_number("Maple Dental", OUR_NUMBER)
        .await;
    let token = acme.admin_token.as_str();
    customer_writes(&app, "Do you have any openings this week?").await;
    let id = conversation_id(&app, token).await;
    let first = ai_messages(&app, token, &id, 1).await;
    assert_eq!(first[0]["ai_provider"], "offline_demo");
    assert!(
        first[0]["text"].as_str().unwrap().contains("name"),
        "{}",
        first[0]["text"]
    );
    customer_writes(&app, "I'm Zoë").await;
    let second = ai_messages(&app, token, &id, 2).await;
    assert!(
        second[1]["text"].as_str().unwrap().contains("Zoë"),
        "addressed by name: {}",
        second[1]["text"]
    );
    assert_eq!(conversation(&app, token).await["contact_name"], "Zoë");
    // An assistant was created for the tenant, marked default.
    let assistants =
        json_with_status(app.get("/api/v1/assistants", token).await, 200).await["data"].clone();
    assert_eq!(assistants.as_array().unwrap().len(), 1);
    assert_eq!(assistants[0]["is_default"], true);
    let diagnostics = json_with_status(app.get("/api/v1/diagnostics", token).await, 200).await;
    let ai = diagnostics["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ai_provider")
        .unwrap()
        .clone();
    assert_eq!(ai["status"], "warning");
    assert!(ai["detail"].as_str().unwrap().contains("offline demo"));
}

#[tokio::test(flavor = "multi_thread")]
async fn diagnostics_say_what_is_wrong_and_what_to_do() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let diagnostics =
        json_with_status(app.get("/api/v1/diagnostics", &acme.admin_token).await, 200).await;
    let checks: HashMap<String, Value> = diagnostics["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c.clone()))
        .collect();
    assert_eq!(checks["telnyx_api_key"]["status"], "ok");
    assert_eq!(checks["webhook_public_key"]["status"], "ok");
    assert_eq!(checks["phone_number"]["status"], "error");
    assert!(checks["phone_number"]["action"].is_string());
    assert_eq!(checks["default_assistant"]["status"], "warning");
    for name in [
        "ai_provider",
        "webhook_deliveries",
        "ai_generations",
        "jobs",
        "webhook_url",
    ] {
        assert!(checks.contains_key(name), "{name}");
    }
}

/// A generation logged directly, `hours_ago` before the test clock's now.
async fn logged_generation(
    app: &TestApp,
    tenant_id: parley::ids::TenantId,
    outcome: parley::wire::GenerationOutcome,
    hours_ago: i64,
) {
    let mut conn = app.state.pool.get().await.unwrap();
    parley::agent::generations::insert_all(
        &mut conn,
        &[parley::agent::generations::GenerationRow {
            id: parley::ids::GenerationId::random(),
            tenant_id,
            conversation_id: None,
            message_id: None,
            assistant_id: None,
            purpose: parley::wire::GenerationPurpose::NameExtraction,
            provider: "openai_compatible".into(),
            model: "test-model".into(),
            prompt_tokens: Some(3),
            completion_tokens: None,
            latency_ms: 12,
            outcome,
            error: (outcome == parley::wire::GenerationOutcome::Error).then(|| "timeout".into()),
            created_at: app.clock_now() - chrono::Duration::hours(hours_ago),
        }],
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn diagnostics_count_the_ai_errors_of_the_last_day_and_the_log_lists_them_all() {
    use parley::wire::GenerationOutcome::{Error, Ok};
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let tenant_id = acme.tenant.id;
    // An API key outlives the clock jump at the end; an access token would expire.
    let key = app.create_api_key(tenant_id).await;
    let token = key.as_str();
    logged_generation(&app, tenant_id, Error, 48).await;
    logged_generation(&app, tenant_id, Error, 2).await;
    logged_generation(&app, tenant_id, Ok, 1).await;
    logged_generation(&app, tenant_id, Error, 1).await;
    // Another tenant's errors are not counted.
    let other = app.create_tenant("Other").await;
    logged_generation(&app, other.tenant.id, Error, 1).await;

    let diagnostics = json_with_status(app.get("/api/v1/diagnostics", token).await, 200).await;
    let check = diagnostics["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ai_generations")
        .unwrap()
        .clone();
    assert_eq!(check["status"], "warning");
    assert_eq!(
        check["detail"],
        "2 AI generations failed in the last 24 hours."
    );
    let recent = diagnostics["recent_ai_errors"].as_array().unwrap();
    assert_eq!(recent.len(), 2, "{recent:?}");
    assert!(recent.iter().all(|g| g["outcome"] == "error"));
    assert!(recent[0]["created_at"].as_str() > recent[1]["created_at"].as_str());
    assert_eq!(recent[0]["purpose"], "name_extraction");

    let all = json_with_status(app.get("/api/v1/ai-generations", token).await, 200).await;
    assert_eq!(all["data"].as_array().unwrap().len(), 4);
    let errors = json_with_status(
        app.get("/api/v1/ai-generations?outcome=error", token).await,
        200,
    )
    .await;
    assert_eq!(errors["data"].as_array().unwrap().len(), 3);
    let refused = parley_tests::expect_error(
        app.get("/api/v1/ai-generations?outcome=ok", token).await,
        400,
        "invalid_query",
    )
    .await;
    assert_eq!(refused["field"], "outcome");

    // Without errors in the last day, the check is fine again.
    app.clock.advance(chrono::Duration::hours(24));
    let later = json_with_status(app.get("/api/v1/diagnostics", token).await, 200).await;
    let check = later["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ai_generations")
        .unwrap()
        .clone();
    assert_eq!(check["status"], "ok");
    assert!(check["action"].is_null());
    assert_eq!(later["recent_ai_errors"].as_array().unwrap().len(), 0);
}
