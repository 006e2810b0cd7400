//! Telnyx's webhooks for our sends: signatures, duplicates, order, the delivery log.

use std::time::Duration;

use parley::telnyx::signature;
use parley::telnyx::simulator::WebhookFaults;
use parley_tests::{expect_error, json_with_status, sim_signing_key, TestApp};
use serde_json::{json, Value};

async fn post_webhook(
    app: &TestApp,
    body: &str,
    timestamp: Option<i64>,
    key: Option<&ed25519_dalek::SigningKey>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/webhooks/telnyx"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(timestamp) = timestamp {
        request = request.header("telnyx-timestamp", timestamp.to_string());
        if let Some(key) = key {
            request = request.header(
                "telnyx-signature-ed25519",
                signature::sign(key, timestamp, body.as_bytes()),
            );
        }
    }
    request.send().await.unwrap()
}

fn receipt(event_id: &str, message_id: &str, event_type: &str, status: &str) -> String {
    json!({
        "data": {
            "record_type": "event", "id": event_id, "event_type": event_type,
            "occurred_at": "2026-11-25T10:00:00.000+00:00",
            "payload": {
                "id": message_id, "record_type": "message", "direction": "outbound",
                "from": {"phone_number": "+14165550100"},
                "to": [{"phone_number": "+14165551234", "status": status, "carrier": "T-Mobile USA", "line_type": "Wireless"}],
                "text": "hello", "encoding": "GSM-7", "parts": 1,
                "cost": {"amount": "0.0051", "currency": "USD"},
                "sent_at": "2026-11-25T10:00:00.000+00:00", "completed_at": "2026-11-25T10:00:01.000+00:00",
                "errors": if status == "delivery_failed" { json!([{"code": "40008", "title": "Undeliverable", "detail": "The carrier could not deliver it."}]) } else { json!([]) }
            }
        },
        "meta": {"attempt": 1, "delivered_to": "http://example.com/webhooks"}
    })
    .to_string()
}

/// A sent message whose webhooks are dropped, so the test can play Telnyx itself.
async fn accepted_message(app: &TestApp, token: &str) -> (String, String, String) {
    app.sim
        .faults()
        .set(parley::telnyx::simulator::FaultConfig {
            send: None,
            limits: None,
            webhooks: Some(WebhookFaults {
                drop: true,
                ..Default::default()
            }),
        });
    let started = app.start_conversation(token, "4165551234", "hello").await;
    let conversation = started["conversation"]["id"].as_str().unwrap().to_string();
    let message = started["message"]["id"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let messages = app.messages(token, &conversation).await;
        if let Some(telnyx_id) = messages[0]["telnyx_message_id"].as_str() {
            return (conversation, message, telnyx_id.to_string());
        }
        assert!(std::time::Instant::now() < deadline, "never accepted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn status_events(app: &TestApp) -> i64 {
    app.count("SELECT count(*) AS count FROM events WHERE type = 'message.status_updated'")
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_unsigned_and_stale_webhooks_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let (conversation, message, telnyx_id) = accepted_message(&app, &acme.admin_token).await;
    let body = receipt("e-1", &telnyx_id, "message.finalized", "delivered");
    let now = chrono::Utc::now().timestamp();
    let forger = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);

    expect_error(
        post_webhook(&app, &body, Some(now), Some(&forger)).await,
        401,
        "invalid_signature",
    )
    .await;
    expect_error(
        post_webhook(&app, &body, None, None).await,
        401,
        "invalid_signature",
    )
    .await;
    expect_error(
        post_webhook(&app, &body, Some(now), None).await,
        401,
        "invalid_signature",
    )
    .await;
    expect_error(
        post_webhook(&app, &body, Some(now - 301), Some(&sim_signing_key())).await,
        401,
        "invalid_signature",
    )
    .await;
    // Signed, but the body was altered afterwards.
    let signature = signature::sign(&sim_signing_key(), now, body.as_bytes());
    let tampered = body.replace("delivered", "delivery_failed");
    let response = app
        .client
        .post(app.url("/webhooks/telnyx"))
        .header("telnyx-timestamp", now.to_string())
        .header("telnyx-signature-ed25519", signature)
        .body(tampered)
        .send()
        .await
        .unwrap();
    expect_error(response, 401, "invalid_signature").await;

    let messages = app.messages(&acme.admin_token, &conversation).await;
    assert_eq!(messages[0]["id"], message);
    assert_eq!(messages[0]["status"], "sending");
    assert_eq!(app.count("SELECT count(*) AS count FROM webhook_deliveries WHERE NOT signature_ok AND outcome = 'rejected'").await, 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receipt_delivered_three_times_changes_the_status_once() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let (conversation, _, telnyx_id) = accepted_message(&app, &acme.admin_token).await;
    let before = status_events(&app).await;
    let body = receipt("e-sent", &telnyx_id, "message.sent", "sent");
    for _ in 0..3 {
        let now = chrono::Utc::now().timestamp();
        json_with_status(
            post_webhook(&app, &body, Some(now), Some(&sim_signing_key())).await,
            200,
        )
        .await;
    }
    assert_eq!(status_events(&app).await, before + 1);
    let messages = app.messages(&acme.admin_token, &conversation).await;
    assert_eq!(messages[0]["status"], "sent");
    let log = json_with_status(
        app.get("/api/v1/webhook-deliveries", &acme.admin_token)
            .await,
        200,
    )
    .await["data"]
        .clone();
    let outcomes: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == "duplicate").count(),
        2,
        "{log}"
    );
    assert!(log[0]["signature_ok"].as_bool().unwrap());
    assert_eq!(log[0]["event_type"], "message.sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn late_receipts_never_move_a_message_backwards() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let (conversation, _, telnyx_id) = accepted_message(&app, &acme.admin_token).await;
    let now = chrono::Utc::now().timestamp();
    let finalized = receipt("e-final", &telnyx_id, "message.finalized", "delivered");
    let sent = receipt("e-sent", &telnyx_id, "message.sent", "sent");
    json_with_status(
        post_webhook(&app, &finalized, Some(now), Some(&sim_signing_key())).await,
        200,
    )
    .await;
    json_with_status(
        post_webhook(&app, &sent, Some(now), Some(&sim_signing_key())).await,
        200,
    )
    .await;
    let message = &app.messages(&acme.admin_token, &conversation).await[0];
    assert_eq!(message["status"], "delivered");
    assert!(message["delivered_at"].is_string() && message["sent_at"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_delivery_shows_the_carriers_error() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    // The simulator fails delivery to numbers ending in 0000.
    let started = app
        .start_conversation(&acme.admin_token, "+14165550000", "hello?")
        .await;
    let failed = app
        .wait_for_status(
            &acme.admin_token,
            started["conversation"]["id"].as_str().unwrap(),
            started["message"]["id"].as_str().unwrap(),
            "delivery_failed",
        )
        .await;
    assert_eq!(failed["error"]["code"], "40008");
    assert!(failed["error"]["title"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicated_and_reordered_simulator_webhooks_end_delivered() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    app.sim
        .faults()
        .set(parley::telnyx::simulator::FaultConfig {
            send: None,
            limits: None,
            webhooks: Some(WebhookFaults {
                duplicate: 3,
                reorder: true,
                ..Default::default()
            }),
        });
    let started = app
        .start_conversation(&acme.admin_token, "4165551234", "hello")
        .await;
    let conversation = started["conversation"]["id"].as_str().unwrap();
    let message = started["message"]["id"].as_str().unwrap();
    app.wait_for_status(&acme.admin_token, conversation, message, "delivered")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let final_message: Value = app.messages(&acme.admin_token, conversation).await[0].clone();
    assert_eq!(final_message["status"], "delivered");
}

/// A receipt that arrives while the send is recording Telnyx's answer waits for that row,
/// then applies at once: it is not put off as "too early" for a message that has the id.
#[tokio::test(flavor = "multi_thread")]
async fn a_receipt_racing_the_sends_own_record_applies_at_once() {
    use diesel_async::{AsyncConnection, RunQueryDsl};
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let (conversation, message, telnyx_id) = accepted_message(&app, &acme.admin_token).await;
    // Back to the moment before the send recorded Telnyx's id...
    app.count(&format!(
        "WITH cleared AS (UPDATE messages SET telnyx_message_id = NULL WHERE id = '{message}' RETURNING 1) SELECT count(*) AS count FROM cleared"
    ))
    .await;
    // ...then the send records it in a transaction that is still open when the receipt
    // (naming our message in its URL, as our sends ask) comes in.
    let mut conn = app.state.pool.get().await.unwrap();
    let (locked_tx, locked) = tokio::sync::oneshot::channel();
    let (commit_tx, commit) = tokio::sync::oneshot::channel::<()>();
    let (recorded_id, recorded_message) = (telnyx_id.clone(), message.clone());
    let recording = tokio::spawn(async move {
        let (telnyx_id, message) = (recorded_id, recorded_message);
        conn.transaction::<_, diesel::result::Error, _>(async |conn| {
            diesel::sql_query(format!(
                "UPDATE messages SET telnyx_message_id = '{telnyx_id}' WHERE id = '{message}'"
            ))
            .execute(conn)
            .await?;
            let _ = locked_tx.send(());
            let _ = commit.await;
            Ok(())
        })
        .await
        .unwrap();
    });
    locked.await.unwrap();
    let body = receipt("e-race", &telnyx_id, "message.finalized", "delivered");
    let url = app.url(&format!("/webhooks/telnyx?message_id={message}"));
    let now = chrono::Utc::now().timestamp();
    let request = app
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("telnyx-timestamp", now.to_string())
        .header(
            "telnyx-signature-ed25519",
            signature::sign(&sim_signing_key(), now, body.as_bytes()),
        )
        .body(body)
        .send();
    let posted = tokio::spawn(request);
    tokio::time::sleep(Duration::from_millis(300)).await;
    commit_tx.send(()).unwrap();
    recording.await.unwrap();
    json_with_status(posted.await.unwrap().unwrap(), 200).await;

    let messages = app.messages(&acme.admin_token, &conversation).await;
    assert_eq!(messages[0]["status"], "delivered");
    assert_eq!(
        app.count("SELECT count(*) AS count FROM jobs WHERE kind = 'apply_receipt'")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receipt_blocked_by_stop_opts_the_customer_out() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let token = acme.admin_token.as_str();
    let (conversation, message, telnyx_id) = accepted_message(&app, token).await;
    // Telnyx saw a STOP that never reached us: its final receipt says 40300.
    let body = receipt(
        "ev-stop",
        &telnyx_id,
        "message.finalized",
        "delivery_failed",
    )
    .replace("\"40008\"", "\"40300\"")
    .replace("Undeliverable", "Blocked due to STOP message");
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        post_webhook(&app, &body, Some(now), Some(&sim_signing_key()))
            .await
            .status(),
        200
    );
    let failed = app
        .wait_for_status(token, &conversation, &message, "delivery_failed")
        .await;
    assert_eq!(failed["error"]["code"], "40300");
    let shown = json_with_status(
        app.get(&format!("/api/v1/conversations/{conversation}"), token)
            .await,
        200,
    )
    .await;
    assert_eq!(shown["opted_out"], true);
    let opt_outs = json_with_status(app.get("/api/v1/opt-outs", token).await, 200).await;
    assert_eq!(opt_outs["data"][0]["keyword"], "TELNYX 40300");
}
