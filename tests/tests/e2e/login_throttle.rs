//! Sign-in throttling holds under concurrency and across instances, per email and per client
//! address, and password hashing is bounded.

use std::collections::HashMap;

use futures_util::future::join_all;
use parley::auth::throttle::{MAX_FAILURES, MAX_PER_ADDRESS};
use parley::wire::Role;
use parley_tests::{expect_error, json_with_status, TestApp, ADMIN_PASSWORD};
use serde_json::json;

/// Posts a sign-in, optionally as if forwarded for `address`; answers the status.
async fn login_from(app: &TestApp, email: &str, password: &str, address: Option<&str>) -> u16 {
    let mut request = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }));
    if let Some(address) = address {
        request = request.header("X-Forwarded-For", address);
    }
    request.send().await.expect("request").status().as_u16()
}

fn tally(statuses: &[u16]) -> HashMap<u16, usize> {
    let mut counts = HashMap::new();
    for status in statuses {
        *counts.entry(*status).or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_concurrent_wrong_passwords_get_at_most_ten_tries() {
    // Patient hashing: this test is about counting, not about a busy server.
    let app = TestApp::spawn_with(HashMap::from([(
        "PARLEY_HASH_WAIT_MS".to_string(),
        "60000".to_string(),
    )]))
    .await;
    let tenant = app.create_tenant("Acme").await;
    let before = app.state.passwords.verifications();
    let statuses =
        join_all((0..100).map(|_| login_from(&app, &tenant.admin_email, "wrong guess", None)))
            .await;
    let counts = tally(&statuses);
    assert!(
        counts.get(&401).copied().unwrap_or(0) <= MAX_FAILURES as usize,
        "{counts:?}"
    );
    assert_eq!(
        counts.get(&401).copied().unwrap_or(0) + counts.get(&429).copied().unwrap_or(0),
        100,
        "every answer is 401 or 429: {counts:?}"
    );
    // The refused attempts never ran argon2.
    assert!(app.state.passwords.verifications() - before <= MAX_FAILURES as u64);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_share_one_count() {
    let first = TestApp::spawn().await;
    let tenant = first.create_tenant("Acme").await;
    let second = TestApp::spawn_on(first.db.shared(), HashMap::new()).await;
    let half = MAX_FAILURES / 2;
    for _ in 0..half {
        assert_eq!(
            login_from(&first, &tenant.admin_email, "guess", None).await,
            401
        );
    }
    for _ in half..MAX_FAILURES {
        assert_eq!(
            login_from(&second, &tenant.admin_email, "guess", None).await,
            401
        );
    }
    for app in [&first, &second] {
        let response = app.login(&tenant.admin_email, ADMIN_PASSWORD).await;
        assert!(response.headers().contains_key("retry-after"));
        expect_error(response, 429, "too_many_requests").await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_address_is_limited_across_many_emails() {
    let app = TestApp::spawn_with(HashMap::from([(
        "PARLEY_TRUST_FORWARDED_FOR".to_string(),
        "true".to_string(),
    )]))
    .await;
    let tenant = app.create_tenant("Acme").await;
    let guesser = "198.51.100.1, 203.0.113.7";
    // Each email stays under its own limit; the address does not.
    for i in 0..MAX_PER_ADDRESS {
        let email = format!("nobody-{}@example.com", i % 40);
        assert_eq!(
            login_from(&app, &email, "guess", Some(guesser)).await,
            401,
            "attempt {i}"
        );
    }
    assert_eq!(
        login_from(&app, &tenant.admin_email, ADMIN_PASSWORD, Some(guesser)).await,
        429
    );
    // The hop the client wrote itself does not choose the counter: only our proxy's does.
    assert_eq!(
        login_from(
            &app,
            &tenant.admin_email,
            ADMIN_PASSWORD,
            Some("192.0.2.99, 203.0.113.7")
        )
        .await,
        429
    );
    // Another address is unaffected.
    assert_eq!(
        login_from(
            &app,
            &tenant.admin_email,
            ADMIN_PASSWORD,
            Some("203.0.113.8")
        )
        .await,
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn successful_sign_ins_do_not_use_up_an_addresss_allowance() {
    let app = TestApp::spawn_with(HashMap::from([(
        "PARLEY_TRUST_FORWARDED_FOR".to_string(),
        "true".to_string(),
    )]))
    .await;
    let tenant = app.create_tenant("Acme").await;
    // Everyone in one office, behind one address.
    let office = Some("203.0.113.9");
    for i in 0..MAX_PER_ADDRESS + 5 {
        assert_eq!(
            login_from(&app, &tenant.admin_email, ADMIN_PASSWORD, office).await,
            200,
            "sign-in {i}"
        );
    }
    assert_eq!(
        login_from(&app, &tenant.admin_email, "typo", office).await,
        401
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_correct_password_below_the_limit_works_and_starts_the_count_afresh() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("Acme").await;
    for _ in 0..MAX_FAILURES - 1 {
        assert_eq!(
            login_from(&app, &tenant.admin_email, "guess", None).await,
            401
        );
    }
    app.token_for(&tenant.admin_email, ADMIN_PASSWORD).await;
    // A full allowance again.
    for _ in 0..MAX_FAILURES {
        assert_eq!(
            login_from(&app, &tenant.admin_email, "guess", None).await,
            401
        );
    }
    assert_eq!(
        login_from(&app, &tenant.admin_email, ADMIN_PASSWORD, None).await,
        429
    );
    // And the window passes.
    app.clock.advance(chrono::Duration::minutes(16));
    app.token_for(&tenant.admin_email, ADMIN_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_busy_hashing_answers_503_and_counts_nothing() {
    let app = TestApp::spawn_with(HashMap::from([
        ("PARLEY_HASH_CONCURRENCY".to_string(), "1".to_string()),
        ("PARLEY_HASH_WAIT_MS".to_string(), "100".to_string()),
    ]))
    .await;
    let tenant = app.create_tenant("Acme").await;
    // Every hashing turn is taken.
    let held = app.state.passwords.permit().await.expect("the only permit");
    for _ in 0..MAX_FAILURES + 2 {
        let response = app.login(&tenant.admin_email, "guess").await;
        assert_eq!(response.headers()["retry-after"], "1");
        expect_error(response, 503, "busy").await;
    }
    // Creating a user hashes too.
    expect_error(
        app.post_json(
            "/api/v1/users",
            Some(&tenant.admin_token),
            &json!({"email": "sam@acme.example", "password": "a fine password"}),
        )
        .await,
        503,
        "busy",
    )
    .await;
    drop(held);
    // Busy answers were not held against the account.
    app.token_for(&tenant.admin_email, ADMIN_PASSWORD).await;
    app.create_user(tenant.tenant.id, "sam@acme.example", Role::Agent)
        .await;
    json_with_status(app.get("/api/v1/me", &tenant.admin_token).await, 200).await;
}
