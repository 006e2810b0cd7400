//! The inbox list: order, stable pages, search, filters, CSV; clients, interactions, usage.

use std::collections::HashSet;

use diesel_async::RunQueryDsl;
use parley_tests::{expect_error, json_with_status, TestApp};
use serde_json::{json, Value};

const OUR_NUMBER: &str = "+14165550100";

async fn page(app: &TestApp, token: &str, query: &str) -> Value {
    json_with_status(
        app.get(&format!("/api/v1/conversations{query}"), token)
            .await,
        200,
    )
    .await
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

async fn customer_writes(app: &TestApp, from: &str, text: &str) {
    let result = app.sim.send_inbound(from, OUR_NUMBER, text).await.unwrap();
    assert_eq!(result.status, Some(200));
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_stay_stable_while_messages_arrive() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    for i in 0..25 {
        customer_writes(
            &app,
            &format!("+1416555{:04}", 3000 + i),
            &format!("hello {i}"),
        )
        .await;
        app.clock.advance(chrono::Duration::seconds(1));
    }
    let first = page(&app, token, "?limit=10").await;
    let mut seen: Vec<String> = ids(&first);
    assert_eq!(
        seen[0],
        ids(&page(&app, token, "?limit=1").await)[0],
        "newest first"
    );
    // Activity mid-listing: one already seen, one not yet seen, and a brand new customer.
    customer_writes(&app, "+14165553024", "again").await;
    customer_writes(&app, "+14165553002", "me too").await;
    customer_writes(&app, "+14165559999", "new here").await;
    let mut cursor = first["next_cursor"].as_str().map(str::to_string);
    while let Some(next) = cursor {
        let more = page(&app, token, &format!("?limit=10&cursor={next}")).await;
        seen.extend(ids(&more));
        cursor = more["next_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(seen.len(), 25, "no duplicates, no gaps: {seen:?}");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);
    // A fresh listing shows the new activity on top.
    let fresh = page(&app, token, "?limit=3").await;
    assert_eq!(fresh["data"][0]["phone_number"], "+14165559999");
    assert_eq!(fresh["data"][1]["phone_number"], "+14165553002");
}

#[tokio::test(flavor = "multi_thread")]
async fn search_and_filters_select_the_right_conversations() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    let sarah = app
        .start_conversation(token, "(416) 555-1234", "Hello Sarah")
        .await["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    json_with_status(
        app.patch_json(&format!("/api/v1/conversations/{sarah}"), token, &json!({"contact_name": "Sarah O'Brien", "company": "Maple Ridge Dental", "qualification_status": "qualified"})).await,
        200,
    )
    .await;
    let bob = app
        .start_conversation(token, "+442071234567", "Hello Bob")
        .await["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{bob}"),
            token,
            &json!({"contact_name": "Bob Nguyễn", "status": "closed"}),
        )
        .await,
        200,
    )
    .await;
    let find = |query: &'static str| {
        let app = &app;
        async move { ids(&page(app, token, query).await) }
    };
    assert_eq!(find("?q=sarah").await, vec![sarah.clone()]);
    assert_eq!(find("?q=O%27BRI").await, vec![sarah.clone()]);
    assert_eq!(find("?q=ridge%20dent").await, vec![sarah.clone()]);
    assert_eq!(
        find("?q=NGUY%E1%BB%84N").await,
        vec![bob.clone()],
        "case-insensitive beyond ASCII"
    );
    assert_eq!(find("?q=20712").await, vec![bob.clone()]);
    assert_eq!(find("?q=416-555").await, vec![sarah.clone()]);
    assert_eq!(
        find("?qualification_status=qualified").await,
        vec![sarah.clone()]
    );
    assert_eq!(find("?status=closed").await, vec![bob.clone()]);
    assert_eq!(find("?channel=sms").await.len(), 2);
    let today = app.clock_now().date_naive();
    assert_eq!(
        find_owned(&app, token, &format!("?from={today}&to={today}"))
            .await
            .len(),
        2
    );
    assert!(find_owned(
        &app,
        token,
        &format!("?to={}", today - chrono::Duration::days(1))
    )
    .await
    .is_empty());
    let bad = expect_error(
        app.get("/api/v1/conversations?status=open", token).await,
        400,
        "invalid_query",
    )
    .await;
    assert_eq!(bad["field"], "status");
    let bad = expect_error(
        app.get("/api/v1/conversations?from=last-week", token).await,
        400,
        "invalid_query",
    )
    .await;
    assert_eq!(bad["field"], "from");
    expect_error(
        app.get("/api/v1/conversations?limit=500", token).await,
        400,
        "invalid_query",
    )
    .await;
    expect_error(
        app.get("/api/v1/conversations?cursor=bogus", token).await,
        400,
        "invalid_cursor",
    )
    .await;
}

async fn find_owned(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    ids(&page(app, token, query).await)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_search_uses_its_index_at_scale() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let mut conn = app.state.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "INSERT INTO conversations (id, tenant_id, phone_number, tenant_phone_number, contact_name, company, created_at, updated_at)
         SELECT gen_random_uuid(), '{}', '+1416' || lpad(n::text, 7, '0'), '{OUR_NUMBER}', 'Customer ' || n, 'Company ' || (n % 500), now(), now()
           FROM generate_series(1, 20000) AS n",
        acme.tenant.id
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query("ANALYZE conversations")
        .execute(&mut conn)
        .await
        .unwrap();
    #[derive(diesel::QueryableByName)]
    struct Plan {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let plan: Vec<Plan> = diesel::sql_query(format!(
        "EXPLAIN SELECT id FROM conversations WHERE tenant_id = '{}' AND search_document LIKE '%customer 1234%'",
        acme.tenant.id
    ))
    .load(&mut conn)
    .await
    .unwrap();
    let plan: Vec<String> = plan.into_iter().map(|p| p.line).collect();
    assert!(
        plan.iter()
            .any(|line| line.contains("conversations_search_idx")),
        "{plan:#?}"
    );
    let found = page(&app, &acme.admin_token, "?q=customer%2012345").await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_export_streams_what_the_filters_select() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    let first = app.start_conversation(token, "4165551234", "Hi").await["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    json_with_status(
        app.patch_json(&format!("/api/v1/conversations/{first}"), token, &json!({"contact_name": "=HYPERLINK(\"http://evil\")", "company": "Lee, Smith & \"Partners\""})).await,
        200,
    )
    .await;
    app.start_conversation(token, "4165554321", "Hello").await;
    let response = app
        .get("/api/v1/conversations/export.csv?q=416555123", token)
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "phone_number",
            "contact_name",
            "company",
            "status",
            "qualification_status",
            "channel",
            "message_count",
            "first_message_at",
            "last_message_at",
            "opted_out",
            "media_count"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "the filter applies: {body}");
    assert_eq!(&rows[0][0], first.as_str());
    assert_eq!(&rows[0][1], "'+14165551234", "a leading + is neutralised");
    assert_eq!(&rows[0][2], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(&rows[0][3], "Lee, Smith & \"Partners\"");
    assert_eq!(&rows[0][7], "1");
    assert_eq!(&rows[0][10], "false");
    assert!(
        body.contains("\"Lee, Smith & \"\"Partners\"\"\""),
        "RFC 4180 quoting: {body}"
    );
    let all = app
        .get("/api/v1/conversations/export.csv", token)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv::Reader::from_reader(all.as_bytes()).records().count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn clients_have_unique_phones_per_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let globex = app.create_tenant("Globex").await;
    let token = acme.admin_token.as_str();
    let sarah = json_with_status(
        app.post_json("/api/v1/clients", Some(token), &json!({"first_name": "Sarah", "last_name": "Lee", "phone_number": "(416) 555-1234", "company": "Lee & Co", "email": "sarah@lee.example"})).await,
        201,
    )
    .await;
    assert_eq!(sarah["phone_number"], "+14165551234");
    expect_error(
        app.post_json(
            "/api/v1/clients",
            Some(token),
            &json!({"first_name": "Imposter", "phone_number": "+14165551234"}),
        )
        .await,
        409,
        "phone_number_taken",
    )
    .await;
    json_with_status(
        app.post_json(
            "/api/v1/clients",
            Some(&globex.admin_token),
            &json!({"first_name": "Other", "phone_number": "+14165551234"}),
        )
        .await,
        201,
    )
    .await;
    let bad = expect_error(
        app.post_json(
            "/api/v1/clients",
            Some(token),
            &json!({"first_name": "X", "phone_number": "nope"}),
        )
        .await,
        422,
        "invalid_phone_number",
    )
    .await;
    assert_eq!(bad["field"], "phone_number");
    let path = format!("/api/v1/clients/{}", sarah["id"].as_str().unwrap());
    let updated = json_with_status(
        app.patch_json(
            &path,
            token,
            &json!({"company": null, "first_name": "Sara"}),
        )
        .await,
        200,
    )
    .await;
    assert!(updated["company"].is_null());
    assert_eq!(updated["first_name"], "Sara");
    let found = json_with_status(app.get("/api/v1/clients?q=lee.example", token).await, 200).await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    expect_error(app.get(&path, &globex.admin_token).await, 404, "not_found").await;
    assert_eq!(app.delete(&path, token).await.status(), 204);
}

#[tokio::test(flavor = "multi_thread")]
async fn interactions_are_recorded_by_phone_or_client() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    let call = json_with_status(
        app.post_json("/api/v1/interactions", Some(token), &json!({"channel": "voice", "phone_number": "4165551234", "summary": "Called about whitening prices", "occurred_at": "2026-11-20T15:00:00Z"})).await,
        201,
    )
    .await;
    assert_eq!(call["phone_number"], "+14165551234");
    let missing = expect_error(
        app.post_json(
            "/api/v1/interactions",
            Some(token),
            &json!({"channel": "email", "summary": "x"}),
        )
        .await,
        422,
        "missing_field",
    )
    .await;
    assert_eq!(missing["field"], "phone_number");
    let listed = json_with_status(
        app.get("/api/v1/interactions?phone_number=%2B14165551234", token)
            .await,
        200,
    )
    .await["data"]
        .clone();
    assert_eq!(listed[0]["summary"], "Called about whitening prices");
}

#[tokio::test(flavor = "multi_thread")]
async fn interactions_at_the_ends_of_the_accepted_years_page_through() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let token = acme.admin_token.as_str();
    let dates = [
        "9999-12-31T23:59:59.999999Z",
        "2300-01-01T00:00:00Z",
        "1500-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
    ];
    for at in dates {
        json_with_status(
            app.post_json("/api/v1/interactions", Some(token), &json!({"channel": "voice", "phone_number": "4165551234", "summary": at, "occurred_at": at})).await,
            201,
        )
        .await;
    }
    // One per page: each cursor the API gives out must be one it reads back.
    let mut seen = Vec::new();
    let mut path = "/api/v1/interactions?limit=1".to_string();
    loop {
        let page = json_with_status(app.get(&path, token).await, 200).await;
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["summary"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/interactions?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, dates.map(Value::from));
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_counts_messages_and_segments_per_day() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.as_str();
    app.start_conversation(token, "4165551234", &"a".repeat(161))
        .await;
    customer_writes(&app, "+14165551234", "thanks").await;
    let today = app.clock_now().date_naive();
    let usage = json_with_status(
        app.get(&format!("/api/v1/usage?from={today}&to={today}"), token)
            .await,
        200,
    )
    .await;
    let day = &usage["days"][0];
    assert_eq!(day["date"], today.to_string());
    assert_eq!(
        (day["messages_out"].as_i64(), day["segments_out"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        (day["messages_in"].as_i64(), day["segments_in"].as_i64()),
        (Some(1), Some(1))
    );
    let month = json_with_status(app.get("/api/v1/usage", token).await, 200).await;
    assert_eq!(month["days"].as_array().unwrap().len(), 30);
    assert_eq!(month["totals"]["messages_out"], 1);
    // `from` after `to` covers no day; a range past 366 days is cut, and the answer says so.
    let empty = json_with_status(
        app.get("/api/v1/usage?from=2026-12-01&to=2026-11-01", token)
            .await,
        200,
    )
    .await;
    assert_eq!(empty["days"].as_array().unwrap().len(), 0);
    assert_eq!(empty["totals"]["messages_out"], 0);
    let long = json_with_status(
        app.get("/api/v1/usage?from=2020-01-01&to=2026-11-01", token)
            .await,
        200,
    )
    .await;
    assert_eq!(long["days"].as_array().unwrap().len(), 366);
    assert_eq!(
        (&long["from"], &long["to"]),
        (&json!("2020-01-01"), &json!("2020-12-31"))
    );
    expect_error(
        app.get("/api/v1/usage?from=2026-13-01", token).await,
        400,
        "invalid_query",
    )
    .await;
}
