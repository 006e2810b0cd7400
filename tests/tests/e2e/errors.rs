//! Bad input answers 4xx with the error envelope and changes nothing; never a 500 or HTML.

use parley_tests::{expect_error, json_with_status, TestApp};
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn malformed_unknown_and_mistyped_bodies_name_the_problem() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = Some(acme.admin_token.as_str());
    let post_raw = |body: &'static str, content_type: &'static str| {
        app.request(Method::POST, "/api/v1/api-keys", token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    expect_error(
        post_raw("{\"name\": ", "application/json").await.unwrap(),
        400,
        "malformed_json",
    )
    .await;
    let unknown = expect_error(
        post_raw(r#"{"name": "k", "colour": "red"}"#, "application/json")
            .await
            .unwrap(),
        422,
        "unknown_field",
    )
    .await;
    assert_eq!(unknown["field"], "colour");
    let mistyped = expect_error(
        post_raw(r#"{"name": 42}"#, "application/json")
            .await
            .unwrap(),
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(mistyped["field"], "name");
    let missing = expect_error(
        post_raw("{}", "application/json").await.unwrap(),
        422,
        "missing_field",
    )
    .await;
    assert_eq!(missing["field"], "name");
    let role = expect_error(
        post_raw(r#"{"name": "k", "role": "owner"}"#, "application/json")
            .await
            .unwrap(),
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(role["field"], "role");
    expect_error(
        post_raw(r#"{"name": "k"}"#, "text/plain").await.unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;

    let huge = json!({ "name": "x".repeat(300_000) });
    expect_error(
        app.post_json("/api/v1/api-keys", token, &huge).await,
        413,
        "payload_too_large",
    )
    .await;

    // None of that created a key.
    let keys = json_with_status(app.get("/api/v1/api-keys", &acme.admin_token).await, 200).await
        ["data"]
        .clone();
    assert_eq!(keys, json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_and_ids_answer_json_404() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    expect_error(
        app.get("/api/v1/no-such-thing", &acme.admin_token).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/no-such-file.js", &acme.admin_token).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.post_json("/webhooks/nowhere", None, &json!({})).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.delete("/api/v1/api-keys/not-a-uuid", &acme.admin_token)
            .await,
        404,
        "not_found",
    )
    .await;
    let wrong_method = app
        .request(Method::PATCH, "/healthz", None)
        .send()
        .await
        .unwrap();
    assert!(wrong_method.status().is_client_error());
    let body: serde_json::Value = wrong_method.json().await.expect("an envelope, not HTML");
    assert!(body["error"]["code"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_navigation_gets_the_app_not_an_error() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(app.url("/conversations/123"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

/// What the contract fuzzer found: each of these was a 500, a 200 for data the document calls
/// invalid, a 4xx for data it calls valid, or a 404/405 without `Allow`.
#[tokio::test(flavor = "multi_thread")]
async fn what_the_contract_fuzzer_found_stays_fixed() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();

    // U+0000 cannot be stored: 422 naming the field, not a 500; nothing is created.
    let nul = expect_error(
        app.post_json(
            "/api/v1/assistants",
            Some(token),
            &json!({"name": "a\u{0}b", "system_prompt": "p"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(nul["field"], "name");
    expect_error(
        app.get("/api/v1/clients?q=%00", token).await,
        400,
        "invalid_query",
    )
    .await;
    // A body is an object, not an array serde could read as a struct.
    let array = app
        .request(
            Method::PATCH,
            "/api/v1/assistants/00000000-0000-0000-0000-000000000000",
            Some(token),
        )
        .header("content-type", "application/json")
        .body("[null, null]")
        .send()
        .await
        .unwrap();
    expect_error(array, 422, "invalid_body").await;
    // A length counts the text as sent: 201 characters with a space around are too many.
    let padded = format!(" {} ", "x".repeat(200));
    expect_error(
        app.post_json("/api/v1/api-keys", Some(token), &json!({ "name": padded }))
            .await,
        422,
        "invalid_field",
    )
    .await;
    // A path that takes one method answers 405 with `Allow` for another, in the envelope.
    let wrong = app
        .request(Method::DELETE, "/api/v1/diagnostics", Some(token))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.headers()["allow"], "GET");
    expect_error(wrong, 405, "method_not_allowed").await;
    // Every cursor of the documented form is accepted, even one no page gave out.
    let cursor = format!("1700000000000000.{}", "0".repeat(32));
    json_with_status(
        app.get(&format!("/api/v1/users?cursor={cursor}"), token)
            .await,
        200,
    )
    .await;
    json_with_status(
        app.get(
            &format!("/api/v1/conversations?cursor=1.2.{}", "a".repeat(32)),
            token,
        )
        .await,
        200,
    )
    .await;
    // A filter that is not one of its values (the empty string included) is a 400.
    expect_error(
        app.get("/api/v1/conversations?status=", token).await,
        400,
        "invalid_query",
    )
    .await;
    // A reference to a client that is not there is a 404, like the client itself.
    expect_error(
        app.post_json(
            "/api/v1/interactions",
            Some(token),
            &json!({"channel": "voice", "summary": "Called", "client_id": "00000000-0000-0000-0000-000000000000"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // An opt-out path that is not a phone number names no opt-out.
    expect_error(
        app.delete("/api/v1/opt-outs/abc", token).await,
        404,
        "not_found",
    )
    .await;
}
