use std::collections::HashMap;
use std::time::{Duration, Instant};

use parley_tests::traffic::InboundEvent;
use parley_tests::{expect_error, json_with_status, TestApp};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn another_tenants_objects_answer_404() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let globex = app.create_tenant("Globex").await;

    let number = json_with_status(
        app.post_json(
            "/api/v1/phone-numbers",
            Some(&globex.admin_token),
            &json!({"number": "+14165550111"}),
        )
        .await,
        201,
    )
    .await;
    let key = json_with_status(
        app.post_json(
            "/api/v1/api-keys",
            Some(&globex.admin_token),
            &json!({"name": "globex key"}),
        )
        .await,
        201,
    )
    .await;

    let number_path = format!("/api/v1/phone-numbers/{}", number["id"].as_str().unwrap());
    let key_path = format!("/api/v1/api-keys/{}", key["id"].as_str().unwrap());
    expect_error(
        app.delete(&number_path, &acme.admin_token).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.delete(&key_path, &acme.admin_token).await,
        404,
        "not_found",
    )
    .await;
    // Nothing of Globex's shows in Acme's lists, and Globex's objects are untouched.
    let numbers = json_with_status(
        app.get("/api/v1/phone-numbers", &acme.admin_token).await,
        200,
    )
    .await;
    assert_eq!(numbers["data"], json!([]));
    assert!(numbers["next_cursor"].is_null());
    let keys = json_with_status(app.get("/api/v1/api-keys", &globex.admin_token).await, 200).await
        ["data"]
        .clone();
    assert!(keys[0]["revoked_at"].is_null());
    assert_eq!(
        app.delete(&number_path, &globex.admin_token).await.status(),
        204
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn phone_numbers_are_e164_and_owned_once() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let globex = app.create_tenant("Globex").await;
    let added = json_with_status(
        app.post_json(
            "/api/v1/phone-numbers",
            Some(&acme.admin_token),
            &json!({"number": "+442071234567", "messaging_profile_id": "40017f8e-49bd-4f16-9e3d-ef103f916228"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(added["number"], "+442071234567");
    let error = expect_error(
        app.post_json(
            "/api/v1/phone-numbers",
            Some(&acme.admin_token),
            &json!({"number": "4165550111"}),
        )
        .await,
        422,
        "invalid_phone_number",
    )
    .await;
    assert_eq!(error["field"], "number");
    expect_error(
        app.post_json(
            "/api/v1/phone-numbers",
            Some(&globex.admin_token),
            &json!({"number": "+442071234567"}),
        )
        .await,
        409,
        "phone_number_taken",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_number_given_up_routes_to_its_new_owner_on_every_instance() {
    const NUMBER: &str = "+14165550188";
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(first.db.shared(), HashMap::new()).await;
    let acme = first.create_tenant_with_number("Acme", NUMBER).await;
    let globex = first.create_tenant("Globex").await;
    let client = reqwest::Client::new();
    let deliver = |app: &TestApp, text: &str| {
        let url = format!("{}/webhooks/telnyx", app.address);
        let event = InboundEvent::new("+14165557001", NUMBER, text);
        let client = client.clone();
        async move {
            let answer = event
                .deliver(&client, &url, 1, Duration::from_secs(10))
                .await;
            assert!(answer.is_success(), "{}", answer.describe());
        }
    };
    let messages_of = |tenant: &'static str| {
        format!(
            "SELECT count(*) FROM messages m JOIN tenants t ON t.id = m.tenant_id \
             WHERE t.name = '{tenant}' AND m.direction = 'inbound'"
        )
    };
    // Both instances route the number to Acme, and remember that.
    deliver(&first, "to Acme through the first").await;
    deliver(&second, "to Acme through the second").await;
    assert_eq!(first.count(&messages_of("Acme")).await, 2);

    // Through the first instance, Acme gives the number up and Globex takes it.
    let numbers = json_with_status(
        first.get("/api/v1/phone-numbers", &acme.admin_token).await,
        200,
    )
    .await;
    let id = numbers["data"][0]["id"].as_str().expect("a number id");
    assert_eq!(
        first
            .delete(&format!("/api/v1/phone-numbers/{id}"), &acme.admin_token)
            .await
            .status(),
        204
    );
    json_with_status(
        first
            .post_json(
                "/api/v1/phone-numbers",
                Some(&globex.admin_token),
                &json!({ "number": NUMBER }),
            )
            .await,
        201,
    )
    .await;

    // The first instance routes to Globex at once.
    deliver(&first, "to Globex through the first").await;
    assert_eq!(first.count(&messages_of("Globex")).await, 1);
    // The second one as soon as the announcement reaches it (well before its answers expire).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        deliver(&second, "to Globex through the second").await;
        if first.count(&messages_of("Globex")).await == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the second instance still routes the number to its former owner"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
