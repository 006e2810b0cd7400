use base64::Engine;
use parley::wire::Role;
use parley_tests::{expect_error, json_with_status, TestApp, ADMIN_PASSWORD};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn login_issues_a_token_that_opens_me() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("Acme").await;
    let response = app
        .login(&tenant.admin_email.to_uppercase(), ADMIN_PASSWORD)
        .await;
    let body = json_with_status(response, 200).await;
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_i64().unwrap() > 0);
    let me = json_with_status(
        app.get("/api/v1/me", body["access_token"].as_str().unwrap())
            .await,
        200,
    )
    .await;
    assert_eq!(me["kind"], "user");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["tenant"]["name"], "Acme");
    assert_eq!(me["tenant"]["resume_window_days"], 30);
    assert_eq!(me["user"]["email"], tenant.admin_email);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_and_unknown_email_cost_the_same_work() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("Acme").await;
    let before = app.state.passwords.verifications();
    expect_error(
        app.login(&tenant.admin_email, "wrong password").await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(app.state.passwords.verifications(), before + 1);
    let unknown = expect_error(
        app.login("nobody@example.com", "wrong password").await,
        401,
        "invalid_credentials",
    )
    .await;
    // One full argon2 verification for the unknown email too, and the same answer.
    assert_eq!(app.state.passwords.verifications(), before + 2);
    assert_eq!(unknown["message"], "The email or password is incorrect.");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_expired_forged_and_unsigned_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("Acme").await;

    let response = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    expect_error(response, 401, "unauthenticated").await;
    expect_error(app.get("/api/v1/me", "garbage").await, 401, "invalid_token").await;

    // Signed with another secret.
    let other = parley::auth::tokens::Tokens::new(
        b"another-secret-another-secret-xxxx",
        std::time::Duration::from_secs(3600),
    );
    let claims = app
        .state
        .tokens
        .verify(&tenant.admin_token, chrono::Utc::now())
        .unwrap();
    let forged = other
        .issue(claims.sub, claims.tid, Role::Admin, chrono::Utc::now())
        .unwrap();
    expect_error(app.get("/api/v1/me", &forged).await, 401, "invalid_token").await;

    // `alg: none` with the real claims and no signature.
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = tenant.admin_token.split('.').nth(1).unwrap();
    let unsigned = format!(
        "{}.{}.",
        engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
        payload
    );
    expect_error(app.get("/api/v1/me", &unsigned).await, 401, "invalid_token").await;

    // Expired: move the server's clock past the token's lifetime.
    app.clock.advance(chrono::Duration::hours(9));
    expect_error(
        app.get("/api/v1/me", &tenant.admin_token).await,
        401,
        "token_expired",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn api_keys_are_shown_once_work_record_use_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("Acme").await;
    let created = json_with_status(
        app.post_json(
            "/api/v1/api-keys",
            Some(&tenant.admin_token),
            &json!({"name": "CRM sync"}),
        )
        .await,
        201,
    )
    .await;
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("pk_"));
    let key_id = created["id"].as_str().unwrap().to_string();

    let me = json_with_status(app.get("/api/v1/me", &secret).await, 200).await;
    assert_eq!(me["kind"], "api_key");
    assert_eq!(me["api_key"]["name"], "CRM sync");
    assert!(me["api_key"].get("secret").is_none());

    let listed = json_with_status(app.get("/api/v1/api-keys", &tenant.admin_token).await, 200)
        .await["data"]
        .clone();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0].get("secret").is_none(),
        "the secret is never listed"
    );
    assert!(listed[0]["last_used_at"].is_string(), "use was recorded");

    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{key_id}"), &tenant.admin_token)
            .await
            .status(),
        204
    );
    let listed =
        json_with_status(app.get("/api/v1/api-keys", &tenant.admin_token).await, 200).await;
    assert!(listed["data"][0]["revoked_at"].is_string());
    expect_error(app.get("/api/v1/me", &secret).await, 401, "invalid_token").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn agents_cannot_do_admin_work() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("Acme").await;
    app.create_user(tenant.tenant.id, "agent@acme.example", Role::Agent)
        .await;
    let agent = app.token_for("agent@acme.example", ADMIN_PASSWORD).await;

    let me = json_with_status(app.get("/api/v1/me", &agent).await, 200).await;
    assert_eq!(me["role"], "agent");
    expect_error(
        app.post_json("/api/v1/api-keys", Some(&agent), &json!({"name": "x"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    expect_error(app.get("/api/v1/api-keys", &agent).await, 403, "forbidden").await;
    expect_error(
        app.post_json(
            "/api/v1/phone-numbers",
            Some(&agent),
            &json!({"number": "+14165550123"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        app.post_json(
            "/api/v1/users",
            Some(&agent),
            &json!({"email": "x@acme.example", "password": "long enough"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // Agents may read the tenant's numbers.
    json_with_status(app.get("/api/v1/phone-numbers", &agent).await, 200).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_manage_users_and_new_users_can_sign_in() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("Acme").await;
    let user = json_with_status(
        app.post_json(
            "/api/v1/users",
            Some(&tenant.admin_token),
            &json!({"email": "Sam@Acme.example", "password": "a fine password"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(user["role"], "agent");
    app.token_for("sam@acme.example", "a fine password").await;
    expect_error(
        app.post_json(
            "/api/v1/users",
            Some(&tenant.admin_token),
            &json!({"email": "sam@acme.example", "password": "another one"}),
        )
        .await,
        409,
        "email_taken",
    )
    .await;
    let short = expect_error(
        app.post_json(
            "/api/v1/users",
            Some(&tenant.admin_token),
            &json!({"email": "t@acme.example", "password": "short"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(short["field"], "password");
    let users = json_with_status(app.get("/api/v1/users", &tenant.admin_token).await, 200).await
        ["data"]
        .clone();
    assert_eq!(users.as_array().unwrap().len(), 2);
    let id = user["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/users/{id}"), &tenant.admin_token)
            .await
            .status(),
        204
    );
    expect_error(
        app.login("sam@acme.example", "a fine password").await,
        401,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_wrong_passwords_are_throttled() {
    let app = TestApp::spawn().await;
    let tenant = app.create_tenant("Acme").await;
    for _ in 0..parley::auth::throttle::MAX_FAILURES {
        expect_error(
            app.login(&tenant.admin_email, "guess").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    let response = app.login(&tenant.admin_email, ADMIN_PASSWORD).await;
    assert!(response.headers().contains_key("retry-after"));
    expect_error(response, 429, "too_many_requests").await;
    // Other accounts are unaffected.
    let other = format!("other-{}", tenant.admin_email);
    app.create_user(tenant.tenant.id, &other, Role::Agent).await;
    app.token_for(&other, ADMIN_PASSWORD).await;
}
