//! AI guides, assistants and the segment counter endpoint.

use parley_tests::{expect_error, json_with_status, TestApp};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn guides_can_be_set_read_and_cleared_by_their_tenant_only() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let globex = app.create_tenant("Globex").await;
    let token = acme.admin_token.as_str();
    let started = app.start_conversation(token, "4165551234", "hello").await;
    let path = format!(
        "/api/v1/conversations/{}/guide",
        started["conversation"]["id"].as_str().unwrap()
    );

    // No guide yet is an empty one (the conversation exists, so its guide does).
    let empty = json_with_status(app.get(&path, token).await, 200).await;
    assert_eq!(empty["text"], "");
    assert!(empty["updated_at"].is_null());
    let text = "This customer is interested in enterprise plans. Focus on ROI.";
    let saved = json_with_status(
        app.put_json(&path, token, &json!({"text": text})).await,
        200,
    )
    .await;
    assert_eq!(saved["text"], text);
    assert_eq!(
        json_with_status(app.get(&path, token).await, 200).await["text"],
        text
    );
    let replaced = json_with_status(
        app.put_json(&path, token, &json!({"text": "Be brief."}))
            .await,
        200,
    )
    .await;
    assert_eq!(replaced["text"], "Be brief.");
    expect_error(
        app.put_json(&path, token, &json!({"text": "  "})).await,
        422,
        "invalid_field",
    )
    .await;
    expect_error(app.get(&path, &globex.admin_token).await, 404, "not_found").await;
    expect_error(
        app.put_json(&path, &globex.admin_token, &json!({"text": "hijack"}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(app.delete(&path, token).await.status(), 204);
    assert_eq!(
        json_with_status(app.get(&path, token).await, 200).await["text"],
        ""
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_default_assistant_per_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    let first = json_with_status(
        app.post_json("/api/v1/assistants", Some(token), &json!({"name": "A", "system_prompt": "Be kind.", "is_default": true, "temperature": 0.2})).await,
        201,
    )
    .await;
    let second = json_with_status(
        app.post_json(
            "/api/v1/assistants",
            Some(token),
            &json!({"name": "B", "system_prompt": "Be brief.", "model": "llama3"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(second["channel"], "sms");
    let path = format!("/api/v1/assistants/{}", second["id"].as_str().unwrap());
    json_with_status(
        app.patch_json(&path, token, &json!({"is_default": true}))
            .await,
        200,
    )
    .await;
    let list =
        json_with_status(app.get("/api/v1/assistants", token).await, 200).await["data"].clone();
    let defaults: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["is_default"] == true)
        .collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0]["id"], second["id"]);
    let first_path = format!("/api/v1/assistants/{}", first["id"].as_str().unwrap());
    assert_eq!(
        json_with_status(app.get(&first_path, token).await, 200).await["is_default"],
        false
    );
    let bad = expect_error(
        app.patch_json(&path, token, &json!({"temperature": 3.5}))
            .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(bad["field"], "temperature");
    assert_eq!(app.delete(&path, token).await.status(), 204);
    expect_error(app.get(&path, token).await, 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_segment_counter_answers_known_cases() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let count = |text: String| {
        let app = &app;
        let token = acme.admin_token.clone();
        async move {
            json_with_status(
                app.post_json("/api/v1/sms/segments", Some(&token), &json!({"text": text}))
                    .await,
                200,
            )
            .await
        }
    };
    let cases = [
        ("a".repeat(160), "GSM-7", 1, 160),
        ("a".repeat(161), "GSM-7", 2, 153),
        ("Ж".repeat(70), "UCS-2", 1, 70),
        ("Ж".repeat(71), "UCS-2", 2, 67),
        ("a".repeat(153) + "€", "GSM-7", 1, 160),
        ("a".repeat(159) + "€", "GSM-7", 2, 153),
        ("Hello 😀".to_string(), "UCS-2", 1, 70),
    ];
    for (text, encoding, segments, units) in cases {
        let answer = count(text.clone()).await;
        assert_eq!(answer["encoding"], encoding, "{text}");
        assert_eq!(answer["segments"], segments, "{text}");
        assert_eq!(answer["units_per_segment"], units, "{text}");
        assert_eq!(answer["characters"], text.chars().count(), "{text}");
    }
}
