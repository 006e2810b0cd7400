//! A customer writes: message.received through the simulator and as Telnyx sends it.

use futures_util::future::join_all;
use parley::telnyx::signature;
use parley_tests::{expect_error, json_with_status, sim_signing_key, TestApp};
use serde_json::{json, Value};

const OUR_NUMBER: &str = "+14165550100";
const CUSTOMER: &str = "+14165551234";

pub(crate) fn received(
    event_id: &str,
    message_id: &str,
    from: &str,
    to: &str,
    text: &str,
) -> String {
    // Shaped like Telnyx's reference example, odd values included.
    json!({
        "data": {
            "event_type": "message.received", "id": event_id, "occurred_at": "date-time",
            "payload": {
                "cc": [], "completed_at": null, "cost": {"amount": "0.0000", "currency": "USD"},
                "direction": "inbound", "encoding": "GSM-7", "errors": [],
                "from": {"carrier": "T-Mobile USA", "line_type": "long_code", "phone_number": from, "status": "received"},
                "id": message_id, "media": [], "messaging_profile_id": "740572b6-099c-44a1-89b9-6c92163bc68d",
                "organization_id": "47a530f8-4362-4526-829b-bcee17fd9f7a", "parts": "1",
                "received_at": "2026-11-25T10:00:00.000+00:00", "record_type": "message", "sent_at": null,
                "tags": [], "text": text,
                "to": [{"carrier": "Telnyx", "line_type": "Wireless", "phone_number": to, "status": "webhook_delivered"}],
                "type": "SMS", "valid_until": null, "webhook_failover_url": null, "webhook_url": "https://example.com/webhooks"
            },
            "record_type": "event"
        },
        "meta": {"attempt": 1, "delivered_to": "https://example.com/webhooks"}
    })
    .to_string()
}

pub(crate) async fn deliver(app: &TestApp, body: &str) -> reqwest::Response {
    let now = chrono::Utc::now().timestamp();
    app.client
        .post(app.url("/webhooks/telnyx"))
        .header("content-type", "application/json")
        .header("telnyx-timestamp", now.to_string())
        .header(
            "telnyx-signature-ed25519",
            signature::sign(&sim_signing_key(), now, body.as_bytes()),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn inbox(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let page = json_with_status(
        app.get(&format!("/api/v1/conversations{query}"), token)
            .await,
        200,
    )
    .await;
    page["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_simulated_sms_appears_in_the_list_and_the_search() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let result = app
        .sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "Hi, do you have time on Friday?")
        .await
        .unwrap();
    assert_eq!(result.status, Some(200));

    let list = inbox(&app, &acme.admin_token, "").await;
    assert_eq!(list.len(), 1);
    let conversation = &list[0];
    assert_eq!(conversation["phone_number"], CUSTOMER);
    assert_eq!(conversation["tenant_phone_number"], OUR_NUMBER);
    assert_eq!(
        conversation["last_message_preview"],
        "Hi, do you have time on Friday?"
    );
    assert_eq!(conversation["unread_count"], 1);
    for q in ["416555", "(416)%20555", "5551234", "%2B1416555"] {
        assert_eq!(
            inbox(&app, &acme.admin_token, &format!("?q={q}"))
                .await
                .len(),
            1,
            "q={q}"
        );
    }
    assert!(inbox(&app, &acme.admin_token, "?q=999888").await.is_empty());

    let id = conversation["id"].as_str().unwrap();
    let messages = app.messages(&acme.admin_token, id).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["direction"], "inbound");
    assert_eq!(messages[0]["author"], "customer");
    assert_eq!(messages[0]["status"], "received");
    // The reply is handed to the AI step in the same transaction.
    assert_eq!(
        app.count("SELECT count(*) AS count FROM jobs WHERE kind = 'ai_reply'")
            .await,
        1
    );

    let read = json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{id}/read"),
            Some(&acme.admin_token),
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(read["unread_count"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_number_nobody_owns_is_logged_and_answered_200() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let body = received("ev-1", "msg-1", CUSTOMER, "+14165559999", "hello?");
    let answer = json_with_status(deliver(&app, &body).await, 200).await;
    assert_eq!(answer["status"], "unknown_number");
    assert!(inbox(&app, &acme.admin_token, "").await.is_empty());
    assert_eq!(app.count("SELECT count(*) AS count FROM webhook_deliveries WHERE outcome = 'unknown_number' AND tenant_id IS NULL").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn three_concurrent_deliveries_of_one_event_make_one_message() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let body = received(
        "ev-dup",
        "msg-dup",
        CUSTOMER,
        OUR_NUMBER,
        "only once please",
    );
    let answers = join_all((0..3).map(|_| deliver(&app, &body))).await;
    for answer in answers {
        assert_eq!(answer.status(), 200);
    }
    // The same message under another event id is still the same message.
    json_with_status(
        deliver(
            &app,
            &received(
                "ev-other",
                "msg-dup",
                CUSTOMER,
                OUR_NUMBER,
                "only once please",
            ),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(app.count("SELECT count(*) AS count FROM messages").await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM jobs WHERE kind = 'ai_reply'")
            .await,
        1
    );
    let list = inbox(&app, &acme.admin_token, "").await;
    assert_eq!(list[0]["unread_count"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn odd_fields_and_placeholders_never_fail_the_request() {
    let app = TestApp::spawn().await;
    app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let mut body: Value =
        serde_json::from_str(&received("ev-odd", "msg-odd", CUSTOMER, OUR_NUMBER, "hi")).unwrap();
    body["data"]["payload"]["parts"] = json!("one");
    body["data"]["payload"]["cost"] = json!({"amount": 0.0051, "currency": null});
    body["data"]["payload"]["brand_new_field"] = json!({"nested": [1, 2, 3]});
    body.as_object_mut().unwrap().remove("meta");
    let answer = json_with_status(deliver(&app, &body.to_string()).await, 200).await;
    assert_eq!(answer["status"], "processed");
}

#[tokio::test(flavor = "multi_thread")]
async fn within_the_window_the_conversation_resumes_after_it_a_new_one_links_back() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let key = app.create_api_key(acme.tenant.id).await;
    let token = key.as_str();
    app.sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "first")
        .await
        .unwrap();
    let first = inbox(&app, token, "").await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The AI would add activity of its own as the clock jumps; this test is about the customer.
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{first}"),
            token,
            &json!({"ai_enabled": false}),
        )
        .await,
        200,
    )
    .await;
    // Closed by an agent; 29 days later the customer writes again: reopened.
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{first}"),
            token,
            &json!({"status": "closed"}),
        )
        .await,
        200,
    )
    .await;
    app.clock.advance(chrono::Duration::days(29));
    app.sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "after 29 days")
        .await
        .unwrap();
    let list = inbox(&app, token, "").await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], first.as_str());
    assert_eq!(list[0]["status"], "active");
    let from_customer = |messages: Vec<Value>| {
        messages
            .into_iter()
            .filter(|m| m["author"] == "customer")
            .count()
    };
    assert_eq!(
        from_customer(app.messages(token, &first).await),
        2,
        "history intact"
    );

    // 31 days of silence: a new conversation that continues the old one.
    app.clock.advance(chrono::Duration::days(31));
    app.sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "after 31 days")
        .await
        .unwrap();
    let list = inbox(&app, token, "").await;
    assert_eq!(list.len(), 2);
    let newest = &list[0];
    assert_ne!(newest["id"], first.as_str());
    assert_eq!(newest["previous_conversation_id"], first.as_str());
    assert_eq!(newest["status"], "active");
    assert_eq!(list[1]["status"], "closed");
    assert_eq!(from_customer(app.messages(token, &first).await), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_opts_out_start_opts_in_and_keywords_get_no_ai_reply() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    app.sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "  Stop All ")
        .await
        .unwrap();
    let conversation = inbox(&app, token, "").await[0].clone();
    assert_eq!(conversation["opted_out"], true);
    let id = conversation["id"].as_str().unwrap();
    expect_error(
        app.post_json(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(token),
            &json!({"text": "wait"}),
        )
        .await,
        409,
        "opted_out",
    )
    .await;
    let opt_outs =
        json_with_status(app.get("/api/v1/opt-outs", token).await, 200).await["data"].clone();
    assert_eq!(opt_outs[0]["phone_number"], CUSTOMER);
    assert_eq!(opt_outs[0]["keyword"], "STOPALL");

    app.sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "help")
        .await
        .unwrap();
    app.sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "START")
        .await
        .unwrap();
    assert_eq!(inbox(&app, token, "").await[0]["opted_out"], false);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM jobs WHERE kind = 'ai_reply'")
            .await,
        0,
        "no AI reply to keywords"
    );
    json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{id}/messages"),
            Some(token),
            &json!({"text": "welcome back"}),
        )
        .await,
        201,
    )
    .await;

    // An admin can lift an opt-out by hand too.
    app.sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "unsubscribe")
        .await
        .unwrap();
    assert_eq!(
        app.delete("/api/v1/opt-outs/%2B14165551234", token)
            .await
            .status(),
        204
    );
    assert_eq!(inbox(&app, token, "").await[0]["opted_out"], false);
}
