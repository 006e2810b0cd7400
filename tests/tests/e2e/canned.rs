//! Canned replies: the records, their limits and shortcuts, tenancy, pages, and filling one in
//! for a conversation and the calling user.

use parley::wire::Role;
use parley_tests::{expect_error, json_with_status, TestApp, ADMIN_PASSWORD};
use serde_json::{json, Value};

const PATH: &str = "/api/v1/canned-replies";

async fn create(app: &TestApp, token: &str, shortcut: &str, title: &str, text: &str) -> Value {
    json_with_status(
        app.post_json(
            PATH,
            Some(token),
            &json!({"shortcut": shortcut, "title": title, "text": text}),
        )
        .await,
        201,
    )
    .await
}

fn path_of(reply: &Value) -> String {
    format!("{PATH}/{}", reply["id"].as_str().expect("id"))
}

fn render_path(conversation_id: &str, reply: &Value) -> String {
    format!(
        "/api/v1/conversations/{conversation_id}/canned-replies/{}/render",
        reply["id"].as_str().expect("id")
    )
}

/// Starts a conversation, naming the contact when `contact_name` is given; answers its id.
async fn conversation(
    app: &TestApp,
    token: &str,
    phone: &str,
    contact_name: Option<&str>,
) -> String {
    let mut body = json!({"phone_number": phone, "message": "Hello"});
    if let Some(name) = contact_name {
        body["contact_name"] = json!(name);
    }
    let response = app
        .post_json("/api/v1/conversations", Some(token), &body)
        .await;
    json_with_status(response, 201).await["conversation"]["id"]
        .as_str()
        .expect("conversation id")
        .to_string()
}

async fn render(app: &TestApp, token: &str, conversation_id: &str, reply: &Value) -> String {
    let response = app
        .post_json(
            &render_path(conversation_id, reply),
            Some(token),
            &json!({}),
        )
        .await;
    json_with_status(response, 200).await["text"]
        .as_str()
        .expect("text")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn canned_replies_can_be_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();

    let created = create(
        &app,
        token,
        "Greet",
        "  Greeting  ",
        "Hi {{ contact.first_name | there }}!\n",
    )
    .await;
    assert_eq!(created["shortcut"], "Greet");
    assert_eq!(created["title"], "Greeting");
    assert_eq!(created["text"], "Hi {{ contact.first_name | there }}!\n");
    assert!(created["created_at"].is_string());
    assert_eq!(created["created_at"], created["updated_at"]);
    let path = path_of(&created);
    assert_eq!(
        json_with_status(app.get(&path, token).await, 200).await,
        created
    );

    let changed = json_with_status(
        app.patch_json(
            &path,
            token,
            &json!({"title": "Hello", "text": "Hello {{contact.name}}."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["shortcut"], "Greet");
    assert_eq!(changed["title"], "Hello");
    assert_eq!(changed["text"], "Hello {{contact.name}}.");
    assert_eq!(changed["created_at"], created["created_at"]);
    // An empty PATCH changes nothing; `null` is the same as absent.
    let same = json_with_status(
        app.patch_json(&path, token, &json!({"shortcut": null}))
            .await,
        200,
    )
    .await;
    assert_eq!(same["shortcut"], "Greet");
    assert_eq!(same["text"], "Hello {{contact.name}}.");
    let list = json_with_status(app.get(PATH, token).await, 200).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], created["id"]);
    assert!(list["next_cursor"].is_null());

    // Agents and API keys manage them too.
    app.create_user(acme.tenant.id, "sam@acme.example", Role::Agent)
        .await;
    let agent = app.token_for("sam@acme.example", ADMIN_PASSWORD).await;
    let by_agent = create(&app, &agent, "bye", "Goodbye", "Bye!").await;
    json_with_status(
        app.patch_json(&path_of(&by_agent), &agent, &json!({"title": "Bye"}))
            .await,
        200,
    )
    .await;
    let key = app.create_api_key(acme.tenant.id).await;
    let by_key = create(&app, &key, "thanks", "Thanks", "Thank you!").await;
    assert_eq!(app.delete(&path_of(&by_key), &agent).await.status(), 204);
    assert_eq!(app.delete(&path_of(&by_agent), &key).await.status(), 204);

    assert_eq!(app.delete(&path, token).await.status(), 204);
    expect_error(app.get(&path, token).await, 404, "not_found").await;
    expect_error(app.delete(&path, token).await, 404, "not_found").await;
    expect_error(
        app.patch_json(&path, token, &json!({"title": "Gone"}))
            .await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get(&format!("{PATH}/not-a-uuid"), token).await,
        404,
        "not_found",
    )
    .await;
    let empty = json_with_status(app.get(PATH, token).await, 200).await;
    assert_eq!(empty["data"], json!([]));
    expect_error(
        app.request(reqwest::Method::GET, PATH, None)
            .send()
            .await
            .unwrap(),
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn canned_shortcuts_are_unique_per_tenant_regardless_of_case() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let globex = app.create_tenant("Globex").await;
    let token = acme.admin_token.as_str();
    let greet = create(&app, token, "greet", "Greeting", "Hi!").await;

    let duplicate = expect_error(
        app.post_json(
            PATH,
            Some(token),
            &json!({"shortcut": "GREET", "title": "Other", "text": "Hello!"}),
        )
        .await,
        409,
        "duplicate_shortcut",
    )
    .await;
    assert_eq!(duplicate["field"], "shortcut");
    assert!(
        duplicate["message"].as_str().unwrap().contains("GREET"),
        "{duplicate}"
    );

    // On PATCH too; a reply may change the case of its own shortcut.
    let bye = create(&app, token, "bye", "Goodbye", "Bye!").await;
    let taken = expect_error(
        app.patch_json(&path_of(&bye), token, &json!({"shortcut": "Greet"}))
            .await,
        409,
        "duplicate_shortcut",
    )
    .await;
    assert_eq!(taken["field"], "shortcut");
    assert_eq!(
        json_with_status(app.get(&path_of(&bye), token).await, 200).await["shortcut"],
        "bye"
    );
    let recased = json_with_status(
        app.patch_json(&path_of(&greet), token, &json!({"shortcut": "GREET"}))
            .await,
        200,
    )
    .await;
    assert_eq!(recased["shortcut"], "GREET");

    // Another tenant has its own shortcuts.
    create(&app, &globex.admin_token, "greet", "Greeting", "Hi!").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn canned_texts_with_an_unknown_variable_or_an_open_brace_are_422_on_text() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    let body = |text: &str| json!({"shortcut": "greet", "title": "Greeting", "text": text});

    let unknown = expect_error(
        app.post_json(PATH, Some(token), &body("Hi {{contact.nmae|there}}!"))
            .await,
        422,
        "unknown_variable",
    )
    .await;
    assert_eq!(unknown["field"], "text");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("contact.nmae"),
        "{unknown}"
    );
    // Names are case-sensitive.
    expect_error(
        app.post_json(PATH, Some(token), &body("Hi {{Contact.Name}}"))
            .await,
        422,
        "unknown_variable",
    )
    .await;
    for text in ["Hi {{contact.name", "Hi {{}}", "Hi {{contact.name|a{b}}"] {
        let error = expect_error(
            app.post_json(PATH, Some(token), &body(text)).await,
            422,
            "invalid_template",
        )
        .await;
        assert_eq!(error["field"], "text", "{text}");
    }

    // Single braces are text.
    create(&app, token, "braces", "Braces", "a {b} c }} {").await;
    let reply = create(&app, token, "greet", "Greeting", "Hi {{agent.name}}").await;
    let patched = expect_error(
        app.patch_json(
            &path_of(&reply),
            token,
            &json!({"text": "Bye {{agent.nom}}"}),
        )
        .await,
        422,
        "unknown_variable",
    )
    .await;
    assert_eq!(patched["field"], "text");
}

#[tokio::test(flavor = "multi_thread")]
async fn canned_reply_limits_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    let valid = json!({"shortcut": "greet", "title": "Greeting", "text": "Hi!"});
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        body[field] = value;
        body
    };
    let cases = [
        ("shortcut", json!("")),
        ("shortcut", json!("has space")),
        ("shortcut", json!("/greet")),
        ("shortcut", json!("café")),
        ("shortcut", json!("a".repeat(33))),
        ("title", json!("")),
        ("title", json!("   ")),
        ("title", json!("t".repeat(101))),
        ("text", json!("")),
        ("text", json!(" \n ")),
        ("text", json!("x".repeat(1601))),
    ];
    for (field, value) in cases {
        let error = expect_error(
            app.post_json(PATH, Some(token), &with(field, value.clone()))
                .await,
            422,
            "invalid_field",
        )
        .await;
        assert_eq!(error["field"], field, "{field} = {value}");
        let message = error["message"].as_str().unwrap();
        assert!(message.ends_with('.'), "a sentence: {message}");
    }
    let slash = expect_error(
        app.post_json(PATH, Some(token), &with("shortcut", json!("/greet")))
            .await,
        422,
        "invalid_field",
    )
    .await;
    assert!(
        slash["message"].as_str().unwrap().contains("leading `/`"),
        "{slash}"
    );
    // The limits themselves are fine.
    let longest = create(
        &app,
        token,
        &"A".repeat(32),
        &"é".repeat(100),
        &"ü".repeat(1600),
    )
    .await;
    assert_eq!(longest["title"].as_str().unwrap().chars().count(), 100);
    // A PATCH is held to the same limits.
    let error = expect_error(
        app.patch_json(&path_of(&longest), token, &json!({"shortcut": "a b"}))
            .await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(error["field"], "shortcut");
    // Unknown and missing fields are refused by name.
    let unknown = expect_error(
        app.post_json(PATH, Some(token), &with("owner", json!("me")))
            .await,
        422,
        "unknown_field",
    )
    .await;
    assert_eq!(unknown["field"], "owner");
    let missing = expect_error(
        app.post_json(
            PATH,
            Some(token),
            &json!({"shortcut": "greet", "title": "Greeting"}),
        )
        .await,
        422,
        "missing_field",
    )
    .await;
    assert_eq!(missing["field"], "text");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_tenants_canned_reply_is_404() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", "+14165550100").await;
    let globex = app
        .create_tenant_with_number("Globex", "+14165550101")
        .await;
    let (token, other) = (acme.admin_token.as_str(), globex.admin_token.as_str());
    let reply = create(&app, token, "greet", "Greeting", "Hi {{contact.name}}").await;
    let path = path_of(&reply);
    let acme_conversation = conversation(&app, token, "4165551234", Some("Sarah")).await;
    let globex_conversation = conversation(&app, other, "4165551235", Some("Bob")).await;
    let globex_reply = create(&app, other, "greet", "Greeting", "Hi {{contact.name}}").await;

    expect_error(app.get(&path, other).await, 404, "not_found").await;
    expect_error(
        app.patch_json(&path, other, &json!({"title": "Mine"}))
            .await,
        404,
        "not_found",
    )
    .await;
    expect_error(app.delete(&path, other).await, 404, "not_found").await;
    let list = json_with_status(app.get(PATH, other).await, 200).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], globex_reply["id"]);
    // Rendering: another tenant's reply, in another tenant's conversation, or both.
    for (conversation_id, reply) in [
        (&globex_conversation, &reply),
        (&acme_conversation, &globex_reply),
        (&acme_conversation, &reply),
    ] {
        expect_error(
            app.post_json(
                &render_path(conversation_id, reply),
                Some(other),
                &json!({}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
    }
    expect_error(
        app.post_json(
            &render_path(&acme_conversation, &globex_reply),
            Some(token),
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // Still there, unchanged, for its own tenant.
    let mine = json_with_status(app.get(&path, token).await, 200).await;
    assert_eq!(mine["title"], "Greeting");
    assert_eq!(
        render(&app, token, &acme_conversation, &reply).await,
        "Hi Sarah"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn canned_replies_render_for_the_conversation_and_the_caller() {
    let app = TestApp::spawn().await;
    let acme = app
        .create_tenant_with_number("Acme Plumbing", "+14165550100")
        .await;
    let token = acme.admin_token.as_str();
    // The agent's name is the one they go by (PATCH /me).
    let admin_name = "Morgan Reyes";
    json_with_status(
        app.patch_json("/api/v1/me", token, &json!({"name": admin_name}))
            .await,
        200,
    )
    .await;
    let reply = create(
        &app,
        token,
        "greet",
        "Greeting",
        "Hi {{contact.first_name|there}}, {{ agent.name | Our team }} from {{tenant.name}} here. \
         Thanks, {{contact.name}}!",
    )
    .await;

    // A named contact.
    let named = conversation(&app, token, "4165551234", Some("Sarah Jane Lee")).await;
    assert_eq!(
        render(&app, token, &named, &reply).await,
        format!("Hi Sarah, {admin_name} from Acme Plumbing here. Thanks, Sarah Jane Lee!")
    );

    // An unnamed one: the fallback, or nothing (and no dangling comma).
    let unnamed = conversation(&app, token, "4165551235", None).await;
    assert_eq!(
        render(&app, token, &unnamed, &reply).await,
        format!("Hi there, {admin_name} from Acme Plumbing here. Thanks!")
    );

    // A linked client record names the contact when the conversation does not.
    let client = json_with_status(
        app.post_json(
            "/api/v1/clients",
            Some(token),
            &json!({"first_name": "Priya", "last_name": "Patel"}),
        )
        .await,
        201,
    )
    .await;
    let linked = conversation(&app, token, "4165551236", None).await;
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{linked}"),
            token,
            &json!({"client_id": client["id"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        render(&app, token, &linked, &reply).await,
        format!("Hi Priya, {admin_name} from Acme Plumbing here. Thanks, Priya Patel!")
    );
    // The conversation's own name wins over the record's.
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{linked}"),
            token,
            &json!({"contact_name": "Pri"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        render(&app, token, &linked, &reply).await,
        format!("Hi Pri, {admin_name} from Acme Plumbing here. Thanks, Pri!")
    );

    // The agent is whoever asks; an API key is nobody, so the fallback speaks.
    app.create_user(acme.tenant.id, "sam.rivera@acme.example", Role::Agent)
        .await;
    let agent = app
        .token_for("sam.rivera@acme.example", ADMIN_PASSWORD)
        .await;
    assert_eq!(
        render(&app, &agent, &named, &reply).await,
        "Hi Sarah, sam.rivera from Acme Plumbing here. Thanks, Sarah Jane Lee!"
    );
    let key = app.create_api_key(acme.tenant.id).await;
    assert_eq!(
        render(&app, &key, &unnamed, &reply).await,
        "Hi there, Our team from Acme Plumbing here. Thanks!"
    );

    // Rendering reads; it neither sends nor stores anything.
    assert_eq!(app.messages(token, &named).await.len(), 1);
    let missing = format!(
        "/api/v1/conversations/{named}/canned-replies/{}/render",
        uuid::Uuid::new_v4()
    );
    expect_error(
        app.post_json(&missing, Some(token), &json!({})).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn canned_replies_list_in_pages_by_shortcut() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    for shortcut in [
        "delta", "Alpha", "charlie", "_under", "Echo", "bravo", "9nine", "-dash",
    ] {
        create(&app, token, shortcut, shortcut, "Hi!").await;
    }
    let expected = [
        "-dash", "9nine", "_under", "Alpha", "bravo", "charlie", "delta", "Echo",
    ];

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let url = match &cursor {
            Some(cursor) => format!("{PATH}?limit=3&cursor={cursor}"),
            None => format!("{PATH}?limit=3"),
        };
        let page = json_with_status(app.get(&url, token).await, 200).await;
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 3);
        seen.extend(
            data.iter()
                .map(|r| r["shortcut"].as_str().unwrap().to_string()),
        );
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected);

    // The default page holds them all; the limits are the API's.
    let all = json_with_status(app.get(PATH, token).await, 200).await;
    assert_eq!(all["data"].as_array().unwrap().len(), expected.len());
    assert!(all["next_cursor"].is_null());
    let exact = json_with_status(app.get(&format!("{PATH}?limit=8"), token).await, 200).await;
    assert!(exact["next_cursor"].is_null());
    for query in ["limit=0", "limit=201", "limit=x"] {
        let response = app.get(&format!("{PATH}?{query}"), token).await;
        assert_eq!(response.status(), 400, "{query}");
    }
    let bad_cursor = expect_error(
        app.get(&format!("{PATH}?cursor=not%20one"), token).await,
        400,
        "invalid_cursor",
    )
    .await;
    assert_eq!(bad_cursor["field"], "cursor");
    expect_error(
        app.get(&format!("{PATH}?page=2"), token).await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_inbox_of_the_tenant_hears_of_canned_reply_changes_and_of_nothing_refused() {
    use super::feed::{events_until, next_event, subscribe, types};
    use std::time::Duration;

    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let globex = app.create_tenant("Globex").await;
    let token = acme.admin_token.clone();
    let mut acme_feed = subscribe(&app, &token, None).await;
    let mut globex_feed = subscribe(&app, &globex.admin_token, None).await;

    let reply = create(&app, &token, "hi", "Hello", "Hi there!").await;
    // Refused changes (a taken shortcut, an unknown id) are not announced.
    expect_error(
        app.post_json(
            PATH,
            Some(&token),
            &json!({"shortcut": "HI", "title": "Again", "text": "Hello again"}),
        )
        .await,
        409,
        "duplicate_shortcut",
    )
    .await;
    expect_error(
        app.delete(&format!("{PATH}/{}", uuid::Uuid::new_v4()), &token)
            .await,
        404,
        "not_found",
    )
    .await;
    json_with_status(
        app.patch_json(&path_of(&reply), &token, &json!({"title": "Greeting"}))
            .await,
        200,
    )
    .await;
    assert_eq!(app.delete(&path_of(&reply), &token).await.status(), 204);

    let events = events_until(&mut acme_feed, |seen| seen.len() >= 3).await;
    assert_eq!(
        types(&events),
        [
            "canned_reply.created",
            "canned_reply.updated",
            "canned_reply.deleted"
        ]
    );
    assert_eq!(events[0]["data"], reply);
    assert_eq!(events[1]["data"]["title"], "Greeting");
    assert_eq!(events[2]["data"], json!({"id": reply["id"]}));
    assert!(next_event(&mut acme_feed, Duration::from_millis(300))
        .await
        .is_none());
    assert!(next_event(&mut globex_feed, Duration::from_millis(300))
        .await
        .is_none());
}
