//! Starting conversations: number formatting, resume or create, the first message,
//! the default assistant, concurrency.

use futures_util::future::join_all;
use parley_tests::{expect_error, json_with_status, TestApp};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn start_formats_the_number_sends_and_then_resumes() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let token = acme.admin_token.as_str();

    let response = app
        .post_json(
            "/api/v1/conversations",
            Some(token),
            &json!({"phone_number": "(416) 555-1234", "contact_name": "Sarah Lee", "company": "Lee & Co", "message": "Hi Sarah, your cleaning is booked."}),
        )
        .await;
    let started = json_with_status(response, 201).await;
    assert_eq!(started["resumed"], false);
    let conversation = &started["conversation"];
    assert_eq!(conversation["phone_number"], "+14165551234");
    assert_eq!(conversation["tenant_phone_number"], "+14165550100");
    assert_eq!(conversation["contact_name"], "Sarah Lee");
    assert_eq!(conversation["company"], "Lee & Co");
    assert_eq!(conversation["status"], "active");
    assert_eq!(conversation["qualification_status"], "new");
    assert_eq!(conversation["channel"], "sms");
    assert_eq!(conversation["opted_out"], false);
    assert_eq!(conversation["identity"], "unknown");
    assert!(conversation["last_message_at"].is_string());
    assert_eq!(
        conversation["last_message_preview"],
        "Hi Sarah, your cleaning is booked."
    );
    let message = &started["message"];
    assert_eq!(message["direction"], "outbound");
    assert_eq!(message["author"], "agent");
    assert_eq!(message["status"], "queued");
    assert_eq!(message["encoding"], "GSM-7");
    assert_eq!(message["segments"], 1);

    let id = conversation["id"].as_str().unwrap();
    let message_id = message["id"].as_str().unwrap();
    let delivered = app
        .wait_for_status(token, id, message_id, "delivered")
        .await;
    assert!(delivered["telnyx_message_id"].is_string());
    assert!(delivered["sent_at"].is_string() && delivered["delivered_at"].is_string());
    let sent = app.sim.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].from.as_str(), sent[0].to.as_str()),
        ("+14165550100", "+14165551234")
    );

    // The same customer in E.164: the active conversation is resumed.
    let again = app
        .post_json(
            "/api/v1/conversations",
            Some(token),
            &json!({"phone_number": "+14165551234", "message": "One more thing"}),
        )
        .await;
    let again = json_with_status(again, 200).await;
    assert_eq!(again["resumed"], true);
    assert_eq!(again["conversation"]["id"], id);
    assert_eq!(
        again["conversation"]["contact_name"], "Sarah Lee",
        "kept when not given"
    );
    assert_eq!(app.messages(token, id).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_numbers_are_422_and_create_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    for bad in [
        "",
        "12345",
        "416-CALL-NOW",
        "+999 1234567",
        "+1 416 555 1234 5678 90",
    ] {
        let error = expect_error(
            app.post_json(
                "/api/v1/conversations",
                Some(&acme.admin_token),
                &json!({"phone_number": bad, "message": "hi"}),
            )
            .await,
            422,
            "invalid_phone_number",
        )
        .await;
        assert_eq!(error["field"], "phone_number", "{bad}");
    }
    let empty = expect_error(
        app.post_json(
            "/api/v1/conversations",
            Some(&acme.admin_token),
            &json!({"phone_number": "4165551234", "message": "  "}),
        )
        .await,
        422,
        "empty_message",
    )
    .await;
    assert_eq!(empty["field"], "message");
    assert_eq!(
        app.count("SELECT count(*) AS count FROM conversations")
            .await,
        0
    );
    assert_eq!(app.count("SELECT count(*) AS count FROM messages").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_without_a_number_is_told_so() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    expect_error(
        app.post_json(
            "/api/v1/conversations",
            Some(&acme.admin_token),
            &json!({"phone_number": "4165551234", "message": "hi"}),
        )
        .await,
        409,
        "no_sending_number",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_starts_make_one_conversation() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let bodies: Vec<_> = (0..12)
        .map(|i| json!({"phone_number": "+14165551234", "message": format!("hello {i}")}))
        .collect();
    let starts = bodies
        .iter()
        .map(|body| app.post_json("/api/v1/conversations", Some(&acme.admin_token), body));
    let responses = join_all(starts).await;
    let mut created = 0;
    for response in responses {
        match response.status().as_u16() {
            201 => created += 1,
            200 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM conversations")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM messages").await,
        12
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_assistant_is_assigned() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let assistant = json_with_status(
        app.post_json(
            "/api/v1/assistants",
            Some(&acme.admin_token),
            &json!({"name": "Front desk", "system_prompt": "You are the front desk of a dental clinic.", "is_default": true}),
        )
        .await,
        201,
    )
    .await;
    let started = app
        .start_conversation(&acme.admin_token, "4165551234", "Hello!")
        .await;
    assert_eq!(started["conversation"]["assistant_id"], assistant["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn patch_updates_fields_and_checks_references() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let globex = app
        .create_tenant_with_number("Globex", "+14165550200")
        .await;
    let token = acme.admin_token.as_str();
    let started = app.start_conversation(token, "4165551234", "Hello!").await;
    let path = format!(
        "/api/v1/conversations/{}",
        started["conversation"]["id"].as_str().unwrap()
    );

    let updated = json_with_status(
        app.patch_json(&path, token, &json!({"contact_name": "Sam", "qualification_status": "qualified", "ai_enabled": false})).await,
        200,
    )
    .await;
    assert_eq!(updated["contact_name"], "Sam");
    assert_eq!(updated["qualification_status"], "qualified");
    assert_eq!(updated["ai_enabled"], false);
    let cleared = json_with_status(
        app.patch_json(&path, token, &json!({"contact_name": null}))
            .await,
        200,
    )
    .await;
    assert!(cleared["contact_name"].is_null());
    assert_eq!(
        cleared["qualification_status"], "qualified",
        "absent fields stay"
    );

    let bad = expect_error(
        app.patch_json(&path, token, &json!({"qualification_status": "hot"}))
            .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(bad["field"], "qualification_status");
    let other_assistant = json_with_status(
        app.post_json(
            "/api/v1/assistants",
            Some(&globex.admin_token),
            &json!({"name": "G", "system_prompt": "p"}),
        )
        .await,
        201,
    )
    .await;
    let foreign = expect_error(
        app.patch_json(
            &path,
            token,
            &json!({"assistant_id": other_assistant["id"]}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // A reference to another tenant's (or a missing) assistant names nothing: 404, as documented.
    assert!(
        foreign["message"]
            .as_str()
            .unwrap_or("")
            .contains("assistant"),
        "{foreign}"
    );
    // Another tenant cannot see or change it.
    expect_error(app.get(&path, &globex.admin_token).await, 404, "not_found").await;
    expect_error(
        app.patch_json(&path, &globex.admin_token, &json!({"contact_name": "x"}))
            .await,
        404,
        "not_found",
    )
    .await;
}
