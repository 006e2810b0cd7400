//! Operational records are pruned after their retention; unsigned webhooks keep no body.

use diesel_async::RunQueryDsl;
use parley::agent::generations::{self, GenerationRow};
use parley::wire::{GenerationOutcome, GenerationPurpose};
use parley_tests::{expect_error, TestApp};

const OUR_NUMBER: &str = "+14165550100";

/// A sent and delivered message: jobs, webhook deliveries, processed event ids, feed events.
async fn delivered_message(app: &TestApp, token: &str, phone: &str) {
    let started = app.start_conversation(token, phone, "hello").await;
    app.wait_for_status(
        token,
        started["conversation"]["id"].as_str().unwrap(),
        started["message"]["id"].as_str().unwrap(),
        "delivered",
    )
    .await;
}

async fn generation(app: &TestApp, tenant_id: parley::ids::TenantId) {
    let mut conn = app.state.pool.get().await.unwrap();
    generations::insert_all(
        &mut conn,
        &[GenerationRow {
            id: parley::ids::GenerationId::random(),
            tenant_id,
            conversation_id: None,
            message_id: None,
            assistant_id: None,
            purpose: GenerationPurpose::Reply,
            provider: "demo".into(),
            model: "demo".into(),
            prompt_tokens: None,
            completion_tokens: None,
            latency_ms: 1,
            outcome: GenerationOutcome::Ok,
            error: None,
            created_at: app.clock_now(),
        }],
    )
    .await
    .unwrap();
}

/// A job no worker runs, in the given status, last changed now.
async fn job(app: &TestApp, status: &str) {
    let mut conn = app.state.pool.get().await.unwrap();
    diesel::sql_query(
        "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
         VALUES ('retention_test', '{}', $1, 1, 1, $2, $2, $2)",
    )
    .bind::<diesel::sql_types::Text, _>(status)
    .bind::<diesel::sql_types::Timestamptz, _>(app.clock_now())
    .execute(&mut conn)
    .await
    .unwrap();
}

async fn older_than(app: &TestApp, table: &str, column: &str, days: i64) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS count FROM {table} WHERE {column} < '{}'",
        (app.clock_now() - chrono::Duration::days(days)).to_rfc3339()
    ))
    .await
}

async fn newer_than(app: &TestApp, table: &str, column: &str, days: i64) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS count FROM {table} WHERE {column} >= '{}'",
        (app.clock_now() - chrono::Duration::days(days)).to_rfc3339()
    ))
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn one_pass_prunes_what_is_past_its_retention_and_keeps_the_rest() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    // An API key outlives the clock jump; an access token would expire.
    let key = app.create_api_key(acme.tenant.id).await;

    // Old records.
    delivered_message(&app, &key, "4165551234").await;
    generation(&app, acme.tenant.id).await;
    job(&app, "failed").await;
    job(&app, "pending").await;
    expect_error(
        app.login("ghost@example.com", "guess").await,
        401,
        "invalid_credentials",
    )
    .await;

    app.clock.advance(chrono::Duration::days(100));

    // Recent records.
    delivered_message(&app, &key, "4165554321").await;
    generation(&app, acme.tenant.id).await;
    job(&app, "done").await;

    for (table, column) in [
        ("webhook_deliveries", "received_at"),
        ("processed_webhook_events", "processed_at"),
        ("ai_generations", "created_at"),
        ("events", "occurred_at"),
    ] {
        assert!(older_than(&app, table, column, 90).await > 0, "{table}");
    }
    let pruned = parley::retention::prune_once(&app.state)
        .await
        .unwrap()
        .expect("no other instance prunes");
    assert!(pruned.webhook_deliveries > 0, "{pruned:?}");
    assert!(pruned.processed_webhook_events > 0, "{pruned:?}");
    assert!(pruned.finished_jobs >= 2, "{pruned:?}");
    assert!(pruned.ai_generations == 1, "{pruned:?}");
    assert!(pruned.events > 0, "{pruned:?}");
    assert!(pruned.login_attempts > 0, "{pruned:?}");

    // Gone: everything older than its retention.
    assert_eq!(
        older_than(&app, "webhook_deliveries", "received_at", 30).await,
        0
    );
    assert_eq!(
        older_than(&app, "processed_webhook_events", "processed_at", 30).await,
        0
    );
    assert_eq!(
        older_than(&app, "ai_generations", "created_at", 90).await,
        0
    );
    assert_eq!(older_than(&app, "events", "occurred_at", 7).await, 0);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS count FROM jobs WHERE status IN ('done', 'failed') AND updated_at < '{}'",
            (app.clock_now() - chrono::Duration::days(14)).to_rfc3339()
        ))
        .await,
        0
    );
    assert_eq!(
        older_than(&app, "login_attempts", "window_start", 0).await,
        0,
        "expired sign-in windows"
    );
    // Kept: what is recent, and unfinished work whatever its age.
    for (table, column) in [
        ("webhook_deliveries", "received_at"),
        ("processed_webhook_events", "processed_at"),
        ("ai_generations", "created_at"),
        ("events", "occurred_at"),
        ("jobs", "updated_at"),
    ] {
        assert!(newer_than(&app, table, column, 1).await > 0, "{table}");
    }
    assert_eq!(
        app.count("SELECT count(*) AS count FROM jobs WHERE status = 'pending' AND kind = 'retention_test'")
            .await,
        1
    );
    // Business records stay.
    assert_eq!(app.count("SELECT count(*) AS count FROM messages").await, 2);
    // A second pass finds nothing more.
    let again = parley::retention::prune_once(&app.state)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.total(), 0, "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsigned_webhook_leaves_a_row_without_its_body() {
    let app = TestApp::spawn().await;
    let body = format!(
        "{{\"data\": {{\"event_type\": \"message.received\", \"payload\": {{\"text\": \"{}\"}}}}}}",
        "customer secret ".repeat(2000)
    );
    let response = app
        .client
        .post(app.url("/webhooks/telnyx"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    expect_error(response, 401, "invalid_signature").await;
    assert_eq!(
        app.count("SELECT count(*) AS count FROM webhook_deliveries WHERE outcome = 'rejected' AND error IS NOT NULL AND body IS NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM webhook_deliveries WHERE body IS NOT NULL")
            .await,
        0
    );
}
