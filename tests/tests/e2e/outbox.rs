//! The durable outbox: Telnyx down, refusing, slow; a worker crashing mid-send; many workers.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use parley::jobs;
use parley::telnyx::simulator::SendFaultKind;
use parley_tests::{expect_error, json_with_status, TestApp};
use serde_json::json;
use tokio_util::sync::CancellationToken;

fn no_workers() -> std::collections::HashMap<String, String> {
    [("PARLEY_WORKERS".to_string(), "0".to_string())]
        .into_iter()
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn telnyx_down_then_back_delivers_every_message_once() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let token = acme.admin_token.as_str();
    app.sim.faults().fail_sends(6, SendFaultKind::ServerError);
    let started = app
        .start_conversation(token, "4165551234", "message 0")
        .await;
    let conversation = started["conversation"]["id"].as_str().unwrap().to_string();
    for i in 1..3 {
        json_with_status(
            app.post_json(
                &format!("/api/v1/conversations/{conversation}/messages"),
                Some(token),
                &json!({"text": format!("message {i}")}),
            )
            .await,
            201,
        )
        .await;
    }
    // Retries wait with backoff; move time on instead of sleeping through it.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let messages = app.messages(token, &conversation).await;
        if messages.iter().all(|m| m["status"] == "delivered") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not all delivered: {messages:?}"
        );
        app.clock.advance(chrono::Duration::seconds(20));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let texts: Vec<String> = app
        .sim
        .sent_messages()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts.len(), 3, "each accepted exactly once: {texts:?}");
    assert_eq!(texts.iter().collect::<HashSet<_>>().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_fails_the_message_with_telnyxs_error() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    app.sim.faults().fail_sends(
        1,
        SendFaultKind::Rejected {
            code: "40310".into(),
            status: 422,
        },
    );
    let started = app
        .start_conversation(&acme.admin_token, "4165551234", "hello")
        .await;
    let failed = app
        .wait_for_status(
            &acme.admin_token,
            started["conversation"]["id"].as_str().unwrap(),
            started["message"]["id"].as_str().unwrap(),
            "sending_failed",
        )
        .await;
    assert_eq!(failed["error"]["code"], "40310");
    assert!(
        failed["error"]["title"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{failed}"
    );
    assert!(app.sim.sent_messages().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_between_claim_and_result_loses_nothing() {
    let app = TestApp::spawn_with(no_workers()).await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let started = app
        .start_conversation(&acme.admin_token, "4165551234", "survive the crash")
        .await;

    // A worker claims the job and dies without a word.
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

    // A healthy worker does nothing while the lease holds...
    let shutdown = CancellationToken::new();
    tokio::spawn(jobs::worker::run(app.state.clone(), shutdown.clone()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.sim.sent_messages().is_empty());
    // ...and takes the job over once it has expired.
    app.clock.advance(chrono::Duration::seconds(61));
    app.wait_for_status(
        &acme.admin_token,
        started["conversation"]["id"].as_str().unwrap(),
        started["message"]["id"].as_str().unwrap(),
        "delivered",
    )
    .await;
    assert_eq!(app.sim.sent_messages().len(), 1);
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_telnyx_accepted_is_never_sent_again() {
    let app = TestApp::spawn_with(no_workers()).await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let started = app
        .start_conversation(&acme.admin_token, "4165551234", "only once")
        .await;
    let shutdown = CancellationToken::new();
    tokio::spawn(jobs::worker::run(app.state.clone(), shutdown.clone()));
    app.wait_for_status(
        &acme.admin_token,
        started["conversation"]["id"].as_str().unwrap(),
        started["message"]["id"].as_str().unwrap(),
        "delivered",
    )
    .await;
    // Replay the job as if its completion had been lost.
    let mut conn = app.state.pool.get().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE jobs SET status = 'pending', run_at = now() - interval '1 minute'",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    app.state.jobs_wake.notify(parley::jobs::JobKind::SendSms);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.count("SELECT count(*) AS count FROM jobs WHERE status = 'done'")
            .await,
        1
    );
    assert_eq!(app.sim.sent_messages().len(), 1);
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn many_workers_in_two_instances_send_each_message_once() {
    let first = TestApp::spawn_with(
        [("PARLEY_WORKERS".to_string(), "4".to_string())]
            .into_iter()
            .collect(),
    )
    .await;
    let acme = first
        .create_tenant_with_number("Acme", "+14165550100")
        .await;
    let second = TestApp::spawn_with_sim(
        first.db.shared(),
        first.sim.clone(),
        [("PARLEY_WORKERS".to_string(), "4".to_string())]
            .into_iter()
            .collect(),
    )
    .await;
    let mut expected = HashSet::new();
    for i in 0..40 {
        let app = if i % 2 == 0 { &first } else { &second };
        let phone = format!("+1416555{:04}", 2000 + i);
        let text = format!("message {i}");
        app.start_conversation(&acme.admin_token, &phone, &text)
            .await;
        expected.insert(text);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while first.sim.sent_messages().len() < 40 {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} sent",
            first.sim.sent_messages().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent: Vec<String> = first
        .sim
        .sent_messages()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(sent.len(), 40, "no duplicates");
    assert_eq!(sent.into_iter().collect::<HashSet<_>>(), expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn sending_validates_and_refuses_opted_out_numbers() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let token = acme.admin_token.as_str();
    let started = app.start_conversation(token, "4165551234", "hello").await;
    let path = format!(
        "/api/v1/conversations/{}/messages",
        started["conversation"]["id"].as_str().unwrap()
    );

    let empty = expect_error(
        app.post_json(&path, Some(token), &json!({"text": " \n "}))
            .await,
        422,
        "empty_message",
    )
    .await;
    assert_eq!(empty["field"], "text");
    let long = expect_error(
        app.post_json(&path, Some(token), &json!({"text": "a".repeat(1601)}))
            .await,
        422,
        "message_too_long",
    )
    .await;
    assert_eq!(long["field"], "text");

    let sent = json_with_status(
        app.post_json(
            &path,
            Some(token),
            &json!({"text": "Ünïcode ☕ needs UCS-2"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(sent["encoding"], "UCS-2");
    assert_eq!(sent["status"], "queued");

    let mut conn = app.state.pool.get().await.unwrap();
    parley::opt_outs::storage::insert(
        &mut conn,
        acme.tenant.id,
        "+14165551234",
        "STOP",
        Utc::now(),
    )
    .await
    .unwrap();
    expect_error(
        app.post_json(&path, Some(token), &json!({"text": "are you there?"}))
            .await,
        409,
        "opted_out",
    )
    .await;
    expect_error(
        app.post_json(
            "/api/v1/conversations",
            Some(token),
            &json!({"phone_number": "+14165551234", "message": "hi"}),
        )
        .await,
        409,
        "opted_out",
    )
    .await;
    let conversation =
        json_with_status(app.get(&path.replace("/messages", ""), token).await, 200).await;
    assert_eq!(conversation["opted_out"], true);
}
