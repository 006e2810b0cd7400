//! The trust defects: each test failed on the code before its fix. No customer message is
//! lost or sent from the wrong business, bad input is a 4xx, jobs end.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use parley::jobs;
use parley_tests::ai_fake::AiFake;
use parley_tests::{expect_error, json_with_status, TestApp};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::inbound::{deliver, received};

const OUR_NUMBER: &str = "+14165550100";
const CUSTOMER: &str = "+14165551234";

fn settings(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn set_status(app: &TestApp, token: &str, conversation: &str, status: &str) {
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{conversation}"),
            token,
            &json!({ "status": status }),
        )
        .await,
        200,
    )
    .await;
}

async fn conversation(app: &TestApp, token: &str, id: &str) -> Value {
    json_with_status(
        app.get(&format!("/api/v1/conversations/{id}"), token).await,
        200,
    )
    .await
}

async fn customer_texts(app: &TestApp, text: &str) {
    let id = Uuid::new_v4();
    let body = received(&id.to_string(), &id.to_string(), CUSTOMER, OUR_NUMBER, text);
    let response = deliver(app, &body).await;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 200, "the webhook was not taken: {body}");
}

/// Two closed conversations, the older reopened: the customer's message goes to the active
/// one (it answered 503 forever, trying to reopen the newest).
#[tokio::test(flavor = "multi_thread")]
async fn an_inbound_message_goes_to_the_active_conversation_not_the_newest() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    let first = app.start_conversation(token, CUSTOMER, "first").await["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    set_status(&app, token, &first, "closed").await;
    let second = app.start_conversation(token, CUSTOMER, "second").await["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(first, second);
    set_status(&app, token, &second, "closed").await;
    set_status(&app, token, &first, "active").await;

    customer_texts(&app, "Are you still there?").await;
    let texts: Vec<Value> = app
        .messages(token, &first)
        .await
        .into_iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(texts, [json!("first"), json!("Are you still there?")]);
    assert_eq!(conversation(&app, token, &first).await["status"], "active");
    assert_eq!(conversation(&app, token, &second).await["status"], "closed");
}

/// The same, past the resume window: the active (old) conversation closes and a new one,
/// linked to it, takes the message.
#[tokio::test(flavor = "multi_thread")]
async fn past_the_window_the_active_conversation_closes_and_a_new_one_continues_it() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let key = app.create_api_key(acme.tenant.id).await;
    let token = key.as_str();
    let first = app.start_conversation(token, CUSTOMER, "first").await["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    set_status(&app, token, &first, "closed").await;
    let second = app.start_conversation(token, CUSTOMER, "second").await["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    set_status(&app, token, &second, "closed").await;
    set_status(&app, token, &first, "active").await;
    app.clock.advance(chrono::Duration::days(31));

    customer_texts(&app, "Hello again").await;
    let page = json_with_status(
        app.get("/api/v1/conversations?status=active", token).await,
        200,
    )
    .await;
    let active = page["data"].as_array().unwrap();
    assert_eq!(active.len(), 1, "{page}");
    let third = active[0]["id"].as_str().unwrap();
    assert!(third != first && third != second);
    assert_eq!(active[0]["last_message_preview"], "Hello again");
    assert!(active[0]["previous_conversation_id"].is_string());
    assert_eq!(conversation(&app, token, &first).await["status"], "closed");
}

async fn add_number(app: &TestApp, token: &str, number: &str) -> Value {
    json_with_status(
        app.post_json(
            "/api/v1/phone-numbers",
            Some(token),
            &json!({ "number": number }),
        )
        .await,
        201,
    )
    .await
}

async fn send(app: &TestApp, token: &str, conversation: &str, text: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/conversations/{conversation}/messages"),
        Some(token),
        &json!({ "text": text }),
    )
    .await
}

/// A number given up and taken by another tenant is never sent from again: with no number
/// left a send is refused (409 `no_sending_number`); with another, it leaves from that one.
#[tokio::test(flavor = "multi_thread")]
async fn a_send_never_leaves_from_a_number_the_tenant_gave_up() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let other = app.create_tenant("Other").await;
    let token = acme.admin_token.as_str();
    let started = app.start_conversation(token, CUSTOMER, "hello").await;
    let id = started["conversation"]["id"].as_str().unwrap().to_string();
    let numbers = json_with_status(app.get("/api/v1/phone-numbers", token).await, 200).await;
    let number_id = numbers["data"][0]["id"].as_str().unwrap().to_string();
    let response = app
        .delete(&format!("/api/v1/phone-numbers/{number_id}"), token)
        .await;
    assert_eq!(response.status(), 204);
    add_number(&app, &other.admin_token, OUR_NUMBER).await;

    let error = expect_error(
        send(&app, token, &id, "still there?").await,
        409,
        "no_sending_number",
    )
    .await;
    assert!(error["message"].as_str().unwrap().contains("number"));
    assert_eq!(app.messages(token, &id).await.len(), 1, "nothing stored");

    add_number(&app, token, "+14165550199").await;
    let message = json_with_status(send(&app, token, &id, "from our new number").await, 201).await;
    app.wait_for_status(token, &id, message["id"].as_str().unwrap(), "delivered")
        .await;
    let sent: Vec<_> = app
        .sim
        .sent_messages()
        .into_iter()
        .filter(|m| m.text == "from our new number")
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].from, "+14165550199");
    assert_eq!(
        conversation(&app, token, &id).await["tenant_phone_number"],
        "+14165550199"
    );
}

/// The outbox chooses the number when it sends: a message queued before the number was
/// given up fails with `no_sending_number` instead of leaving from another tenant's number.
#[tokio::test(flavor = "multi_thread")]
async fn the_outbox_never_looks_a_number_up_outside_the_tenant() {
    let app = TestApp::spawn_with(settings(&[("PARLEY_WORKERS", "0")])).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let other = app.create_tenant("Other").await;
    let token = acme.admin_token.as_str();
    let started = app.start_conversation(token, CUSTOMER, "queued").await;
    let id = started["conversation"]["id"].as_str().unwrap();
    let numbers = json_with_status(app.get("/api/v1/phone-numbers", token).await, 200).await;
    let number_id = numbers["data"][0]["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/phone-numbers/{number_id}"), token)
        .await;
    add_number(&app, &other.admin_token, OUR_NUMBER).await;

    let shutdown = CancellationToken::new();
    tokio::spawn(jobs::worker::run(app.state.clone(), shutdown.clone()));
    let failed = app
        .wait_for_status(
            token,
            id,
            started["message"]["id"].as_str().unwrap(),
            "sending_failed",
        )
        .await;
    shutdown.cancel();
    assert_eq!(failed["error"]["code"], "no_sending_number");
    assert!(app.sim.sent_messages().is_empty());
}

fn cursor_at(micros: i64) -> String {
    format!("{micros}.{}", Uuid::nil().simple())
}

/// Times outside what PostgreSQL stores (and dates near chrono's ends) are a 400/422 with the
/// envelope, not a 500 or a dropped connection.
#[tokio::test(flavor = "multi_thread")]
async fn far_away_times_are_a_client_error() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    let ancient = cursor_at(-200_000_000_000_000_000);
    let inbox_cursor = format!("{}.0.{}", -200_000_000_000_000_000i64, Uuid::nil().simple());
    for (path, field) in [
        (format!("/api/v1/clients?cursor={ancient}"), "cursor"),
        (
            format!("/api/v1/webhook-deliveries?cursor={ancient}"),
            "cursor",
        ),
        (format!("/api/v1/ai-generations?cursor={ancient}"), "cursor"),
        (
            format!("/api/v1/conversations?cursor={inbox_cursor}"),
            "cursor",
        ),
        ("/api/v1/conversations?from=-5000-01-01".to_string(), "from"),
        (
            "/api/v1/conversations?to=%2B12000-01-01T00:00:00Z".to_string(),
            "to",
        ),
        (
            "/api/v1/conversations/export.csv?from=-5000-01-01".to_string(),
            "from",
        ),
        ("/api/v1/usage?to=-262143-01-01".to_string(), "to"),
        (
            "/api/v1/usage?from=0000-12-31&to=0001-01-01".to_string(),
            "from",
        ),
    ] {
        let code = if field == "cursor" {
            "invalid_cursor"
        } else {
            "invalid_query"
        };
        let error = expect_error(app.get(&path, token).await, 400, code).await;
        assert_eq!(error["field"], field, "{path}: {error}");
    }
    let error = expect_error(
        app.post_json(
            "/api/v1/interactions",
            Some(token),
            &json!({"channel": "voice", "phone_number": CUSTOMER, "summary": "Called",
                    "occurred_at": "-5000-01-01T00:00:00Z"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(error["field"], "occurred_at", "{error}");
    // The server is still there and the valid edges work.
    json_with_status(
        app.get("/api/v1/usage?from=0001-01-01&to=0001-01-31", token)
            .await,
        200,
    )
    .await;
}

/// Concurrent requests to make an assistant the default all succeed; one is the default.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_defaults_all_succeed_and_one_wins() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    let bodies: Vec<Value> = (0..12)
        .map(|i| json!({"name": format!("Assistant {i}"), "system_prompt": "Be brief.", "is_default": true}))
        .collect();
    let created = join_all(
        bodies
            .iter()
            .map(|body| app.post_json("/api/v1/assistants", Some(token), body)),
    )
    .await;
    for response in created {
        json_with_status(response, 201).await;
    }
    let list = json_with_status(app.get("/api/v1/assistants", token).await, 200).await;
    let defaults = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["is_default"] == true)
        .count();
    assert_eq!(defaults, 1, "{list}");
}

/// A model's answer longer than the assistant's limit is cut at a sentence boundary to fit,
/// and the prompt states the limit. (A 700-character Cyrillic answer was queued as 11
/// segments, which Telnyx refuses.)
#[tokio::test(flavor = "multi_thread")]
async fn ai_replies_fit_the_assistants_segment_limit() {
    let fake = AiFake::start().await;
    let app = TestApp::spawn_with(settings(&[
        ("PARLEY_AI_BASE_URL", fake.base_url()),
        ("PARLEY_AI_API_KEY", "sk-test"),
        ("PARLEY_AI_DEBOUNCE_MS", "100"),
    ]))
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    json_with_status(
        app.post_json(
            "/api/v1/assistants",
            Some(token),
            &json!({"name": "Long", "system_prompt": "Answer fully.", "is_default": true, "max_segments": 10}),
        )
        .await,
        201,
    )
    .await;
    expect_error(
        app.post_json(
            "/api/v1/assistants",
            Some(token),
            &json!({"name": "Too long", "system_prompt": "x", "max_segments": 11}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    let answer = "Здравствуйте! Мы открыты каждый день с девяти до шести. ".repeat(13);
    assert!(parley::sms::analyze(&answer).segments > 10);
    fake.set_default_reply(answer.clone());
    app.sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "Когда вы открыты?")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let reply = loop {
        let list = json_with_status(app.get("/api/v1/conversations", token).await, 200).await;
        if let Some(id) = list["data"][0]["id"].as_str() {
            if let Some(reply) = app
                .messages(token, id)
                .await
                .into_iter()
                .find(|m| m["author"] == "ai")
            {
                break reply;
            }
        }
        assert!(Instant::now() < deadline, "no AI reply");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let text = reply["text"].as_str().unwrap();
    assert!(reply["segments"].as_u64().unwrap() <= 10, "{reply}");
    assert!(text.ends_with(['.', '!']), "cut after a sentence: {text}");
    assert!(answer.starts_with(text));
    let prompt = fake
        .requests()
        .into_iter()
        .filter(|r| r.get("response_format").is_none())
        .map(|r| {
            r["messages"][0]["content"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .next_back()
        .unwrap_or_default();
    assert!(prompt.contains("fits in 10 SMS segments"), "{prompt}");
}

/// STOP from a sender the phone library rejects is still an opt-out; a well-formed number
/// outside libphonenumber's ranges is a customer like any other.
#[tokio::test(flavor = "multi_thread")]
async fn stop_from_an_unusual_sender_is_honoured() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    for (sender, text) in [("22395", "STOP"), ("ACME-ALERTS", "unsubscribe")] {
        let id = Uuid::new_v4().to_string();
        let response = deliver(&app, &received(&id, &id, sender, OUR_NUMBER, text)).await;
        assert_eq!(response.status(), 200);
    }
    let opt_outs = json_with_status(app.get("/api/v1/opt-outs", token).await, 200).await;
    let numbers: Vec<&str> = opt_outs["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["phone_number"].as_str())
        .collect();
    assert!(
        numbers.contains(&"22395") && numbers.contains(&"ACME-ALERTS"),
        "{opt_outs}"
    );

    let id = Uuid::new_v4().to_string();
    let response = deliver(
        &app,
        &received(&id, &id, "+15555550100", OUR_NUMBER, "Hello"),
    )
    .await;
    assert_eq!(response.status(), 200);
    let list = json_with_status(app.get("/api/v1/conversations", token).await, 200).await;
    assert_eq!(list["data"][0]["phone_number"], "+15555550100", "{list}");
}

/// A send job whose last attempt's worker died is failed for good and the message says so;
/// it used to be claimed again forever.
#[tokio::test(flavor = "multi_thread")]
async fn a_job_out_of_attempts_ends_and_its_message_says_so() {
    let app = TestApp::spawn_with(settings(&[("PARLEY_WORKERS", "0")])).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    let started = app.start_conversation(token, CUSTOMER, "doomed").await;
    app.count("WITH changed AS (UPDATE jobs SET max_attempts = 1 RETURNING 1) SELECT count(*) FROM changed")
        .await;
    let mut conn = app.state.pool.get().await.unwrap();
    let claimed = jobs::storage::claim(
        &mut conn,
        &[jobs::JobKind::SendSms],
        "doomed-worker",
        app.clock_now(),
        app.state.settings.job_lease,
        10,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    drop(conn);

    app.clock.advance(chrono::Duration::minutes(5));
    let shutdown = CancellationToken::new();
    tokio::spawn(jobs::worker::run(app.state.clone(), shutdown.clone()));
    let failed = app
        .wait_for_status(
            token,
            started["conversation"]["id"].as_str().unwrap(),
            started["message"]["id"].as_str().unwrap(),
            "sending_failed",
        )
        .await;
    shutdown.cancel();
    assert_eq!(failed["error"]["code"], "telnyx_unavailable");
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE status = 'failed' AND attempts = 1")
            .await,
        1
    );
    assert!(app.sim.sent_messages().is_empty());
}

/// A send slower than the job's lease is not taken over by another worker: the lease is
/// renewed while it runs, so the customer gets one text.
#[tokio::test(flavor = "multi_thread")]
async fn a_slow_send_keeps_its_lease_and_is_sent_once() {
    let app = TestApp::spawn_with(settings(&[
        ("PARLEY_WORKERS", "3"),
        ("PARLEY_JOB_LEASE_SECONDS", "2"),
        ("TELNYX_TIMEOUT_SECONDS", "20"),
    ]))
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    app.sim.faults().fail_sends(
        1,
        parley::telnyx::simulator::SendFaultKind::AcceptThenHang { seconds: Some(5) },
    );
    let started = app
        .start_conversation(token, CUSTOMER, "slow but once")
        .await;
    app.wait_for_status(
        token,
        started["conversation"]["id"].as_str().unwrap(),
        started["message"]["id"].as_str().unwrap(),
        "delivered",
    )
    .await;
    wait_for_jobs_to_settle(&app).await;
    assert_eq!(app.sim.sent_messages().len(), 1);
}

async fn wait_for_jobs_to_settle(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while app
        .count("SELECT count(*) FROM jobs WHERE status IN ('pending', 'running')")
        .await
        > 0
    {
        assert!(Instant::now() < deadline, "jobs never settled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Telnyx accepts a message but its answer never arrives (our timeout): the send is in
/// doubt, so the outbox waits for the receipt, which names our message and brings Telnyx's
/// id. It used to send the message again after the timeout: the customer got it twice.
#[tokio::test(flavor = "multi_thread")]
async fn a_send_whose_answer_is_lost_is_not_sent_twice() {
    let app = TestApp::spawn_with(settings(&[
        ("TELNYX_TIMEOUT_SECONDS", "1"),
        ("PARLEY_SEND_IN_DOUBT_SECONDS", "3"),
    ]))
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    app.sim.faults().accept_then_hang(1);
    let started = app
        .start_conversation(token, CUSTOMER, "exactly once")
        .await;
    let delivered = app
        .wait_for_status(
            token,
            started["conversation"]["id"].as_str().unwrap(),
            started["message"]["id"].as_str().unwrap(),
            "delivered",
        )
        .await;
    let sent = app.sim.sent_messages();
    assert_eq!(delivered["telnyx_message_id"], sent[0].id.as_str());
    // The job wakes after the in-doubt wait, finds Telnyx's id, and ends.
    wait_for_jobs_to_settle(&app).await;
    assert_eq!(app.sim.sent_messages().len(), 1);
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE kind = 'send_sms' AND status = 'done'")
            .await,
        1
    );
}

/// When no receipt ever comes for a send in doubt, it is sent again once the wait is over:
/// a message is never lost to a lost answer.
#[tokio::test(flavor = "multi_thread")]
async fn a_send_in_doubt_without_a_receipt_is_sent_again() {
    let app = TestApp::spawn_with(settings(&[
        ("TELNYX_TIMEOUT_SECONDS", "1"),
        ("PARLEY_SEND_IN_DOUBT_SECONDS", "2"),
    ]))
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    app.sim.faults().hang(1);
    let started = app.start_conversation(token, CUSTOMER, "not lost").await;
    app.wait_for_status(
        token,
        started["conversation"]["id"].as_str().unwrap(),
        started["message"]["id"].as_str().unwrap(),
        "delivered",
    )
    .await;
    assert_eq!(app.sim.sent_messages().len(), 1);
}
