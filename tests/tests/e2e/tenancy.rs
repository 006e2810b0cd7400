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
