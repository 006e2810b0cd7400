//! Sends paced to Telnyx's limits, and job lanes: each number keeps to its rate, Telnyx asking
//! us to slow down (429, 40318) never fails a message, and sends never wait behind AI work.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parley::telnyx::simulator::{SendFaultKind, SendLimits};
use parley_tests::ai_fake::AiFake;
use parley_tests::{json_with_status, TestApp};
use serde_json::json;

const OUR_NUMBER: &str = "+14165550100";

fn settings(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

/// Waits until every message the simulator should have accepted is there.
async fn wait_for_sends(app: &TestApp, count: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while app.sim.sent_messages().len() < count {
        assert!(
            Instant::now() < deadline,
            "only {} of {count} sends reached Telnyx",
            app.sim.sent_messages().len()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// When Telnyx accepted each send, in order.
fn accepted_times(app: &TestApp) -> Vec<chrono::DateTime<chrono::Utc>> {
    let mut times: Vec<_> = app
        .sim
        .sent_messages()
        .into_iter()
        .map(|m| m.accepted_at)
        .collect();
    times.sort();
    times
}

#[tokio::test(flavor = "multi_thread")]
async fn a_number_keeps_to_its_rate_and_telnyx_never_refuses() {
    let app = TestApp::spawn_with(settings(&[("PARLEY_SEND_BURST_MS", "0")])).await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    let number = json_with_status(
        app.post_json(
            "/api/v1/phone-numbers",
            Some(token),
            &json!({"number": OUR_NUMBER, "number_type": "toll_free", "messages_per_second": 4}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(number["number_type"], "toll_free");
    assert_eq!(number["messages_per_second"], 4.0);
    // Telnyx refuses what goes over 5 a second; paced at 4, nothing is refused (a refusal
    // would make the send wait 30 s, past this test's deadline).
    app.sim.faults().limit_sends(SendLimits {
        account_per_second: None,
        number_per_second: Some(5),
    });
    let customers = 10;
    for i in 0..customers {
        app.start_conversation(token, &format!("41655512{i:02}"), "Your order is ready")
            .await;
    }
    wait_for_sends(&app, customers, Duration::from_secs(15)).await;
    let times = accepted_times(&app);
    let span = (*times.last().unwrap() - times[0]).num_milliseconds();
    // Ten sends at four a second: the last leaves 9 × 250 ms after the first (less the
    // first's own lateness).
    assert!(span >= 2100, "ten sends within {span} ms");
    // Slots are 250 ms apart, so five span 1,000 ms; a send that left late (a busy machine)
    // shortens the window after it by its lateness, never below the slots it kept.
    for window in times.windows(5) {
        let within = (window[4] - window[0]).num_milliseconds();
        assert!(within >= 700, "five sends within {within} ms: {times:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_number_may_burst_then_keeps_to_its_rate() {
    let app = TestApp::spawn_with(settings(&[("PARLEY_SEND_BURST_MS", "2000")])).await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    let number = json_with_status(
        app.post_json(
            "/api/v1/phone-numbers",
            Some(token),
            &json!({"number": OUR_NUMBER, "messages_per_second": 1}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(number["number_type"], "long_code", "the default type");
    // One a second; two seconds of burst let three go at once.
    for i in 0..5 {
        app.start_conversation(token, &format!("41655512{i:02}"), "Hello")
            .await;
    }
    wait_for_sends(&app, 5, Duration::from_secs(15)).await;
    let times = accepted_times(&app);
    let burst = (times[2] - times[0]).num_milliseconds();
    assert!(burst < 900, "the first three left together: {burst} ms");
    let paced = (times[4] - times[0]).num_milliseconds();
    assert!(paced >= 1900, "then one a second: {paced} ms for five");
}

#[tokio::test(flavor = "multi_thread")]
async fn numbers_follow_their_types_rate_and_refuse_a_rate_out_of_range() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    for (number, kind, rate) in [
        ("+14165550101", "long_code", 4.0),
        ("+18005550102", "toll_free", 20.0),
        ("+14165550103", "short_code", 1000.0),
    ] {
        let created = json_with_status(
            app.post_json(
                "/api/v1/phone-numbers",
                Some(token),
                &json!({"number": number, "number_type": kind}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(created["messages_per_second"], rate, "{kind}");
    }
    for rate in [json!(0), json!(-1), json!(10001)] {
        let refused = parley_tests::expect_error(
            app.post_json(
                "/api/v1/phone-numbers",
                Some(token),
                &json!({"number": "+14165550199", "messages_per_second": rate}),
            )
            .await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(refused["field"], "messages_per_second");
    }
    parley_tests::expect_error(
        app.post_json(
            "/api/v1/phone-numbers",
            Some(token),
            &json!({"number": "+14165550199", "number_type": "landline"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn telnyx_asking_to_slow_down_never_fails_a_message() {
    // The test moves the clock on by minutes in moments: leases and the in-doubt wait are
    // long enough that no jump makes a running send look abandoned.
    let app = TestApp::spawn_with(settings(&[
        ("PARLEY_JOB_LEASE_SECONDS", "3600"),
        ("PARLEY_SEND_IN_DOUBT_SECONDS", "86400"),
    ]))
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    // More 429s than a send has attempts: waiting for Telnyx spends none.
    app.sim.faults().fail_sends(
        10,
        SendFaultKind::RateLimited {
            retry_after_seconds: Some(1),
        },
    );
    let started = app.start_conversation(token, "4165551234", "hello").await;
    let conversation = started["conversation"]["id"].as_str().unwrap().to_string();
    let message = started["message"]["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.sim.sent_messages().is_empty() {
        assert!(Instant::now() < deadline, "never sent after the 429s");
        app.clock.advance(chrono::Duration::milliseconds(1100));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.wait_for_status(token, &conversation, &message, "delivered")
        .await;

    // A full queue (40318) waits too, then goes.
    app.sim.faults().fail_sends(
        2,
        SendFaultKind::Rejected {
            code: "40318".into(),
            status: 429,
        },
    );
    let second = json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(token),
            &json!({"text": "are you there?"}),
        )
        .await,
        201,
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.sim.sent_messages().len() < 2 {
        assert!(Instant::now() < deadline, "never sent after the full queue");
        app.clock.advance(chrono::Duration::seconds(31));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.wait_for_status(
        token,
        &conversation,
        second["id"].as_str().unwrap(),
        "delivered",
    )
    .await;
    let failed = app
        .count("SELECT count(*) FROM jobs WHERE kind = 'send_sms' AND status <> 'done'")
        .await;
    assert_eq!(failed, 0);
    assert_eq!(app.sim.sent_messages().len(), 2, "each sent once");
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_never_wait_behind_ai_replies() {
    let fake = AiFake::start().await;
    // The model takes 4 s and only one reply runs at a time: the AI lane is busy for long.
    fake.set_latency(Duration::from_secs(4));
    let app = TestApp::spawn_with(settings(&[
        ("PARLEY_AI_BASE_URL", fake.base_url()),
        ("PARLEY_AI_API_KEY", "sk-test"),
        ("PARLEY_AI_TIMEOUT_SECONDS", "30"),
        ("PARLEY_AI_DEBOUNCE_MS", "0"),
        ("PARLEY_AI_CONCURRENCY", "1"),
        ("PARLEY_SEND_BURST_MS", "10000"),
    ]))
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    for i in 0..3 {
        app.sim
            .send_inbound(
                &format!("+141655520{i:02}"),
                OUR_NUMBER,
                "Hi, are you open?",
            )
            .await
            .unwrap();
    }
    fake.wait_for_requests(1, Duration::from_secs(10)).await;
    // While the model thinks, an agent writes to another customer: it leaves at once.
    let started = Instant::now();
    app.start_conversation(token, "4165559999", "Your table is ready")
        .await;
    wait_for_sends(&app, 1, Duration::from_secs(3)).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the send waited {:?} behind the AI",
        started.elapsed()
    );
    assert_eq!(app.sim.sent_messages()[0].to, "+14165559999");
}
