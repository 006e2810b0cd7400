//! The team inbox through the API: names, assignment, each person's unread count, handoffs
//! from the AI to a person, internal notes and retries of failed messages.

use std::time::Duration;

use parley::wire::Role;
use parley_tests::ai_fake::AiFake;
use parley_tests::{expect_error, json_with_status, settings, TestApp, ADMIN_PASSWORD};
use serde_json::{json, Value};

const OUR_NUMBER: &str = "+14165550100";
const CUSTOMER: &str = "+14165551234";

async fn spawn_with_ai(fake: &AiFake) -> TestApp {
    TestApp::spawn_with(settings(&[
        ("PARLEY_AI_BASE_URL", fake.base_url()),
        ("PARLEY_AI_API_KEY", "sk-test"),
        ("PARLEY_AI_MODEL", "test-model"),
        ("PARLEY_AI_TIMEOUT_SECONDS", "2"),
        ("PARLEY_AI_DEBOUNCE_MS", "100"),
    ]))
    .await
}

/// A second person of the tenant, signed in; answers their token and id.
async fn agent(app: &TestApp, tenant: &parley_tests::TestTenant, name: &str) -> (String, String) {
    let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
    let created = json_with_status(
        app.post_json(
            "/api/v1/users",
            Some(&tenant.admin_token),
            &json!({"email": email, "password": ADMIN_PASSWORD, "name": name, "role": "agent"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["name"], name);
    let token = app.token_for(&email, ADMIN_PASSWORD).await;
    (token, created["id"].as_str().unwrap().to_string())
}

async fn customer_writes(app: &TestApp, text: &str) {
    let result = app
        .sim
        .send_inbound(CUSTOMER, OUR_NUMBER, text)
        .await
        .unwrap();
    assert_eq!(result.status, Some(200));
}

async fn only_conversation(app: &TestApp, token: &str) -> Value {
    let page = json_with_status(app.get("/api/v1/conversations", token).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1, "{page}");
    page["data"][0].clone()
}

async fn conversation(app: &TestApp, token: &str, id: &str) -> Value {
    json_with_status(
        app.get(&format!("/api/v1/conversations/{id}"), token).await,
        200,
    )
    .await
}

/// Waits until `check` holds for the conversation.
async fn wait_for_conversation(
    app: &TestApp,
    token: &str,
    id: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let current = conversation(app, token, id).await;
        if check(&current) {
            return current;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {current}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn ids_of(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page = json_with_status(
        app.get(&format!("/api/v1/conversations?{query}"), token)
            .await,
        200,
    )
    .await;
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn people_have_names_that_they_change_themselves() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let (dana, _) = agent(&app, &acme, "Dana Whitfield").await;

    // Every member of the team sees the team, to assign conversations.
    let users = json_with_status(app.get("/api/v1/users", &dana).await, 200).await;
    let names: Vec<&str> = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Dana Whitfield"), "{users}");
    assert!(
        users["data"][0]["email"].is_string() && users["data"][0]["role"].is_string(),
        "{users}"
    );

    let me = json_with_status(
        app.patch_json("/api/v1/me", &dana, &json!({"name": "  Dana W.  "}))
            .await,
        200,
    )
    .await;
    assert_eq!(me["user"]["name"], "Dana W.");
    for bad in [
        json!(""),
        json!("   "),
        json!("x".repeat(101)),
        json!("two\nlines"),
    ] {
        let error = expect_error(
            app.patch_json("/api/v1/me", &dana, &json!({"name": bad}))
                .await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(error["field"], "name");
    }
    expect_error(
        app.patch_json("/api/v1/me", &dana, &json!({"name": "ok", "role": "admin"}))
            .await,
        422,
        "unknown_field",
    )
    .await;
    let me = json_with_status(app.get("/api/v1/me", &dana).await, 200).await;
    assert_eq!(me["user"]["name"], "Dana W.");

    // An API key has no name of its own to change here.
    let key = app.create_api_key(acme.tenant.id).await;
    expect_error(
        app.patch_json("/api/v1/me", &key, &json!({"name": "Robot"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    // A user added without a name is known by their email's local part.
    app.create_user(acme.tenant.id, "sam.ortiz@example.com", Role::Agent)
        .await;
    let sam = app.token_for("sam.ortiz@example.com", ADMIN_PASSWORD).await;
    let me = json_with_status(app.get("/api/v1/me", &sam).await, 200).await;
    assert_eq!(me["user"]["name"], "sam.ortiz");
}

#[tokio::test(flavor = "multi_thread")]
async fn conversations_are_assigned_filtered_and_signed_by_their_agent() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let (dana, dana_id) = agent(&app, &acme, "Dana Whitfield").await;
    let (lee, lee_id) = agent(&app, &acme, "Lee Park").await;
    let other = app.create_tenant("Other").await;
    let (_, stranger_id) = agent(&app, &other, "Stranger Danger").await;

    customer_writes(&app, "Hi, is anyone there?").await;
    let id = only_conversation(&app, &dana).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fresh = conversation(&app, &dana, &id).await;
    assert!(fresh["assignee_id"].is_null() && fresh["needs_human"] == false);
    assert_eq!(
        ids_of(&app, &dana, "assignee=unassigned").await,
        vec![id.clone()]
    );
    assert!(ids_of(&app, &dana, "assignee=me").await.is_empty());

    // Lee takes it.
    let assigned = json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{id}"),
            &lee,
            &json!({"assignee_id": lee_id}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(assigned["assignee_id"], lee_id.as_str());
    assert_eq!(ids_of(&app, &lee, "assignee=me").await, vec![id.clone()]);
    assert!(ids_of(&app, &dana, "assignee=me").await.is_empty());
    assert_eq!(
        ids_of(&app, &dana, &format!("assignee={lee_id}")).await,
        vec![id.clone()]
    );
    assert!(ids_of(&app, &dana, "assignee=unassigned").await.is_empty());
    expect_error(
        app.get("/api/v1/conversations?assignee=nobody", &dana)
            .await,
        400,
        "invalid_query",
    )
    .await;
    // Empty is no filter, like `q=`.
    assert_eq!(ids_of(&app, &dana, "assignee=").await, vec![id.clone()]);

    // Another tenant's user cannot be assigned, and nothing changes.
    let error = expect_error(
        app.patch_json(
            &format!("/api/v1/conversations/{id}"),
            &dana,
            &json!({"assignee_id": stranger_id, "contact_name": "Changed"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(error["field"], "assignee_id");
    let unchanged = conversation(&app, &dana, &id).await;
    assert_eq!(unchanged["assignee_id"], lee_id.as_str());
    assert!(unchanged["contact_name"].is_null());

    // Unassigned again, then Dana replies: it becomes hers, signed with her name.
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{id}"),
            &dana,
            &json!({"assignee_id": null}),
        )
        .await,
        200,
    )
    .await;
    let sent = json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&dana),
            &json!({"text": "Hi! Dana here, how can I help?"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(sent["author_name"], "Dana Whitfield");
    assert_eq!(sent["author_user_id"], dana_id.as_str());
    let after = conversation(&app, &dana, &id).await;
    assert_eq!(after["assignee_id"], dana_id.as_str());
    assert!(after["ai_paused_until"].is_string());
    // Lee's reply does not take it from her.
    json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&lee),
            &json!({"text": "Lee here too."}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(
        conversation(&app, &dana, &id).await["assignee_id"],
        dana_id.as_str()
    );
    let history = app.messages(&dana, &id).await;
    let signatures: Vec<&Value> = history.iter().map(|m| &m["author_name"]).collect();
    assert_eq!(
        signatures,
        vec![&Value::Null, &json!("Dana Whitfield"), &json!("Lee Park")]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_person_has_their_own_unread_count() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let (dana, _) = agent(&app, &acme, "Dana Whitfield").await;
    let (lee, _) = agent(&app, &acme, "Lee Park").await;

    customer_writes(&app, "Hello?").await;
    customer_writes(&app, "Anyone?").await;
    let id = only_conversation(&app, &dana).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(only_conversation(&app, &dana).await["unread_count"], 2);
    assert_eq!(only_conversation(&app, &lee).await["unread_count"], 2);

    let read = json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{id}/read"),
            Some(&dana),
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(read["unread_count"], 0);
    assert_eq!(only_conversation(&app, &dana).await["unread_count"], 0);
    assert_eq!(
        only_conversation(&app, &lee).await["unread_count"],
        2,
        "Dana's reading is not Lee's"
    );

    customer_writes(&app, "Still there?").await;
    assert_eq!(conversation(&app, &dana, &id).await["unread_count"], 1);
    assert_eq!(conversation(&app, &lee, &id).await["unread_count"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_model_hands_a_conversation_to_a_person_who_answers_it() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai(&fake).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();

    fake.push_tool_call(
        "handoff_to_human",
        json!({"reason": "Wants a refund for a double charge"}),
        None,
    );
    customer_writes(&app, "You charged me twice, I want my money back").await;
    let id = only_conversation(&app, &token).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let handed = wait_for_conversation(&app, &token, &id, |c| c["needs_human"] == true).await;
    assert_eq!(
        handed["handoff_reason"],
        "Wants a refund for a double charge"
    );
    assert!(handed["ai_paused_until"].is_string());
    // The tool was offered in the OpenAI tools format.
    let request = fake
        .requests()
        .into_iter()
        .find(|r| r.get("response_format").is_none())
        .unwrap();
    assert_eq!(request["tools"][0]["type"], "function");
    assert_eq!(request["tools"][0]["function"]["name"], "handoff_to_human");
    assert_eq!(
        request["tools"][0]["function"]["parameters"]["required"],
        json!(["reason"])
    );
    // No text went to the customer: the model wrote none.
    let messages = app.messages(&token, &id).await;
    assert!(messages.iter().all(|m| m["author"] != "ai"), "{messages:?}");
    assert!(app.sim.sent_messages().is_empty());
    assert_eq!(
        ids_of(&app, &token, "needs_human=true").await,
        vec![id.clone()]
    );
    assert!(ids_of(&app, &token, "needs_human=false").await.is_empty());
    let events = app
        .count("SELECT count(*) AS count FROM events WHERE type = 'conversation.updated' AND data->>'needs_human' = 'true'")
        .await;
    assert!(events >= 1);

    // While it waits for a person, the AI stays quiet.
    let asked = fake.requests().len();
    customer_writes(&app, "Hello??").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        fake.requests().len(),
        asked,
        "the model was not asked again"
    );

    // A person's reply answers the handoff.
    json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&token),
            &json!({"text": "Sorry about that, refunding now."}),
        )
        .await,
        201,
    )
    .await;
    let answered = conversation(&app, &token, &id).await;
    assert_eq!(answered["needs_human"], false);
    assert!(answered["handoff_reason"].is_null());
    // The list still shows the customer's own last line beside the agent's answer.
    assert_eq!(answered["last_message_author"], "agent");
    assert_eq!(
        answered["last_message_preview"],
        "Sorry about that, refunding now."
    );
    assert_eq!(answered["last_customer_message_preview"], "Hello??");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_handoff_may_come_with_a_message_and_is_settled_by_hand() {
    let fake = AiFake::start().await;
    let app = spawn_with_ai(&fake).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();

    fake.push_tool_call(
        "handoff_to_human",
        json!({"reason": "Asked for the manager"}),
        Some("I'll get our manager to text you shortly."),
    );
    customer_writes(&app, "Let me talk to your manager").await;
    let id = only_conversation(&app, &token).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for_conversation(&app, &token, &id, |c| c["needs_human"] == true).await;
    let messages = app.messages(&token, &id).await;
    let ai: Vec<&Value> = messages.iter().filter(|m| m["author"] == "ai").collect();
    assert_eq!(ai.len(), 1);
    assert_eq!(ai[0]["text"], "I'll get our manager to text you shortly.");

    let settled = json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{id}"),
            &token,
            &json!({"needs_human": false}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(settled["needs_human"], false);
    assert!(settled["handoff_reason"].is_null());
    // A person can flag it again for someone else.
    let flagged = json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{id}"),
            &token,
            &json!({"needs_human": true}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(flagged["needs_human"], true);
    assert!(flagged["handoff_reason"]
        .as_str()
        .is_some_and(|reason| reason.starts_with("Flagged by ")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_offline_demo_hands_off_when_the_customer_asks_for_a_person() {
    let app = TestApp::spawn_with(settings(&[("PARLEY_AI_DEBOUNCE_MS", "100")])).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    customer_writes(&app, "Can I talk to a real person please?").await;
    let id = only_conversation(&app, &token).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let handed = wait_for_conversation(&app, &token, &id, |c| c["needs_human"] == true).await;
    assert!(handed["handoff_reason"].is_string());
    assert!(
        parley::agent::demo::asks_for_a_person("get me a human"),
        "the rule behind it"
    );
    assert!(!parley::agent::demo::asks_for_a_person(
        "My agent said to text you"
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_are_internal_signed_and_allowed_after_an_opt_out() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let (dana, dana_id) = agent(&app, &acme, "Dana Whitfield").await;
    customer_writes(&app, "STOP").await;
    let id = only_conversation(&app, &dana).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(conversation(&app, &dana, &id).await["opted_out"], true);

    let note = json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{id}/notes"),
            Some(&dana),
            &json!({"text": "  Asked us to stop; called them instead.  "}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(note["text"], "Asked us to stop; called them instead.");
    assert_eq!(note["author_name"], "Dana Whitfield");
    assert_eq!(note["author_user_id"], dana_id.as_str());
    assert_eq!(note["conversation_id"], id.as_str());
    json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{id}/notes"),
            Some(&acme.admin_token),
            &json!({"text": "Second note"}),
        )
        .await,
        201,
    )
    .await;
    let page = json_with_status(
        app.get(&format!("/api/v1/conversations/{id}/notes?limit=1"), &dana)
            .await,
        200,
    )
    .await;
    assert_eq!(page["data"][0]["id"], note["id"]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = json_with_status(
        app.get(
            &format!("/api/v1/conversations/{id}/notes?limit=1&cursor={cursor}"),
            &dana,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(next["data"][0]["text"], "Second note");
    assert!(next["next_cursor"].is_null());
    // Never sent by SMS (the one text after STOP is its confirmation); announced on the feed.
    let sent: Vec<String> = app
        .sim
        .sent_messages()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert!(
        sent.iter().all(|text| text.contains("unsubscribed")),
        "{sent:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM events WHERE type = 'note.created'")
            .await,
        2
    );

    for bad in [json!(""), json!("  "), json!("x".repeat(5001))] {
        let error = expect_error(
            app.post_json(
                &format!("/api/v1/conversations/{id}/notes"),
                Some(&dana),
                &json!({"text": bad}),
            )
            .await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(error["field"], "text");
    }
    let other = app.create_tenant("Other").await;
    expect_error(
        app.post_json(
            &format!("/api/v1/conversations/{id}/notes"),
            Some(&other.admin_token),
            &json!({"text": "hi"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get(
            &format!("/api/v1/conversations/{id}/notes"),
            &other.admin_token,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.count("SELECT count(*) AS count FROM notes").await,
        2,
        "bad input changed nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_message_is_retried_once_as_a_new_message() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    // The simulator fails deliveries to numbers ending in 0000.
    let started = app
        .start_conversation(&token, "+14165550000", "Your order is ready")
        .await;
    let conversation_id = started["conversation"]["id"].as_str().unwrap().to_string();
    let failed_id = started["message"]["id"].as_str().unwrap().to_string();
    app.wait_for_status(&token, &conversation_id, &failed_id, "delivery_failed")
        .await;
    // The list shows the failure without opening the conversation.
    let listed = only_conversation(&app, &token).await;
    assert_eq!(listed["delivery_failed"], true, "{listed}");
    assert_eq!(listed["last_message_author"], "agent");

    let retried = json_with_status(
        app.post_json(
            &format!("/api/v1/messages/{failed_id}/retry"),
            Some(&token),
            &json!({}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(retried["retry_of"], failed_id.as_str());
    assert_eq!(retried["text"], "Your order is ready");
    assert_ne!(retried["id"], failed_id.as_str());
    assert_eq!(retried["status"], "queued");
    // The retry settles the failure at once; when it fails too, the chip comes back.
    let settled = conversation(&app, &token, &conversation_id).await;
    assert_eq!(settled["delivery_failed"], false, "{settled}");
    let retried_id = retried["id"].as_str().unwrap();
    app.wait_for_status(&token, &conversation_id, retried_id, "delivery_failed")
        .await;
    assert_eq!(
        conversation(&app, &token, &conversation_id).await["delivery_failed"],
        true
    );
    // Twice is not twice: the second press is refused.
    expect_error(
        app.post_json(
            &format!("/api/v1/messages/{failed_id}/retry"),
            Some(&token),
            &json!({}),
        )
        .await,
        409,
        "not_retryable",
    )
    .await;
    // The failed one stays in the history as it was.
    let history = app.messages(&token, &conversation_id).await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["status"], "delivery_failed");

    // A message that did not fail is not retryable; another tenant's is not found.
    let fine = app.start_conversation(&token, "4165551234", "Hello").await;
    let fine_id = fine["message"]["id"].as_str().unwrap();
    expect_error(
        app.post_json(
            &format!("/api/v1/messages/{fine_id}/retry"),
            Some(&token),
            &json!({}),
        )
        .await,
        409,
        "not_retryable",
    )
    .await;
    let other = app.create_tenant("Other").await;
    expect_error(
        app.post_json(
            &format!("/api/v1/messages/{failed_id}/retry"),
            Some(&other.admin_token),
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.count("SELECT count(*) AS count FROM messages WHERE retry_of IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn starting_a_conversation_with_a_customer_already_talking_pauses_the_ai() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    customer_writes(&app, "Hi there").await;
    let id = only_conversation(&app, &token).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(conversation(&app, &token, &id).await["ai_paused_until"].is_null());
    let resumed = json_with_status(
        app.post_json(
            "/api/v1/conversations",
            Some(&token),
            &json!({"phone_number": CUSTOMER, "message": "Following up on your message"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(resumed["resumed"], true);
    assert!(resumed["conversation"]["ai_paused_until"].is_string());
    assert!(resumed["conversation"]["assignee_id"].is_string());
}
