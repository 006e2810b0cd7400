//! Send later, business hours, quiet hours and the opt-out law, with the real worker running
//! and the test's clock moved across opening times, quiet hours, DST changes and schedules.

use std::time::Duration;

use chrono::{DateTime, Utc};
use parley::jobs;
use parley_tests::{expect_error, json_with_status, TestApp};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

const OUR_NUMBER: &str = "+12125550100";
/// New York (area code 212).
const NEW_YORK: &str = "+12125550123";
/// Los Angeles (415).
const LOS_ANGELES: &str = "+14155550123";
/// Chicago (312).
const CHICAGO: &str = "+13125550123";
/// A toll-free number belongs to no area: the tenant's zone stands in.
const NOWHERE: &str = "+18005550123";

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test time")
        .with_timezone(&Utc)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An app whose clock reads `at`, with a tenant (New York) and an API key that outlives
/// clock jumps.
async fn app_at(at: &str) -> (TestApp, String) {
    let (app, key, _) = app_and_tenant_at(at).await;
    (app, key)
}

async fn app_and_tenant_at(at: &str) -> (TestApp, String, parley::ids::TenantId) {
    let app = TestApp::spawn().await;
    app.clock.set(utc(at));
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let key = app.create_api_key(acme.tenant.id).await;
    (app, key, acme.tenant.id)
}

async fn patch_settings(app: &TestApp, key: &str, body: Value) -> Value {
    json_with_status(app.patch_json("/api/v1/settings", key, &body).await, 200).await
}

async fn send_later(
    app: &TestApp,
    key: &str,
    conversation: &str,
    text: &str,
    at: DateTime<Utc>,
) -> Value {
    json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(key),
            &json!({"text": text, "send_at": rfc3339(at)}),
        )
        .await,
        201,
    )
    .await
}

fn sent_texts(app: &TestApp, to: &str) -> Vec<String> {
    app.sim
        .sent_messages()
        .into_iter()
        .filter(|m| m.to == to)
        .map(|m| m.text)
        .collect()
}

async fn message(app: &TestApp, key: &str, conversation: &str, id: &str) -> Value {
    app.messages(key, conversation)
        .await
        .into_iter()
        .find(|m| m["id"] == id)
        .expect("message in history")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_message_leaves_at_its_time_once_however_many_workers_run() {
    let app = TestApp::spawn_with(
        [("PARLEY_WORKERS".to_string(), "0".to_string())]
            .into_iter()
            .collect(),
    )
    .await;
    app.clock.set(utc("2026-12-07T15:00:00Z"));
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let key = app.create_api_key(acme.tenant.id).await;
    let started = app.start_conversation(&key, NEW_YORK, "Hello").await;
    let conversation = started["conversation"]["id"].as_str().unwrap().to_string();
    // A send ten days ahead: beyond Telnyx's own five-day `send_at`.
    let due = utc("2026-12-17T14:00:00Z");
    let scheduled = send_later(&app, &key, &conversation, "Your part is in", due).await;
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(scheduled["scheduled_at"], "2026-12-17T14:00:00Z");
    let id = scheduled["id"].as_str().unwrap().to_string();
    // Not the conversation's activity until it leaves.
    let listed = json_with_status(
        app.get(&format!("/api/v1/conversations/{conversation}"), &key)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["last_message_preview"], "Hello");

    // Three workers, as after a restart with several instances.
    let shutdown = CancellationToken::new();
    for _ in 0..3 {
        tokio::spawn(jobs::worker::run(app.state.clone(), shutdown.clone()));
    }
    app.wait_for_status(
        &key,
        &conversation,
        started["message"]["id"].as_str().unwrap(),
        "delivered",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        message(&app, &key, &conversation, &id).await["status"],
        "scheduled"
    );
    assert!(sent_texts(&app, NEW_YORK)
        .iter()
        .all(|t| t != "Your part is in"));

    app.clock.set(due - chrono::Duration::seconds(60));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        message(&app, &key, &conversation, &id).await["status"],
        "scheduled",
        "not a second early"
    );
    app.clock.set(due + chrono::Duration::seconds(1));
    app.wait_for_status(&key, &conversation, &id, "delivered")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sent_texts(&app, NEW_YORK)
            .iter()
            .filter(|t| *t == "Your part is in")
            .count(),
        1
    );
    let listed = json_with_status(
        app.get(&format!("/api/v1/conversations/{conversation}"), &key)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["last_message_preview"], "Your part is in");
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_message_is_edited_cancelled_or_sent_now_while_it_waits() {
    let (app, key, tenant_id) = app_and_tenant_at("2026-12-07T15:00:00Z").await;
    let started = app.start_conversation(&key, NEW_YORK, "Hello").await;
    let conversation = started["conversation"]["id"].as_str().unwrap().to_string();
    let now = app.clock_now();
    let path = format!("/api/v1/conversations/{conversation}/messages");

    // The time is checked.
    for send_at in [
        now - chrono::Duration::minutes(1),
        now + chrono::Duration::days(366),
    ] {
        let error = expect_error(
            app.post_json(
                &path,
                Some(&key),
                &json!({"text": "x", "send_at": rfc3339(send_at)}),
            )
            .await,
            422,
            "invalid_send_at",
        )
        .await;
        assert_eq!(error["field"], "send_at");
    }
    expect_error(
        app.post_json(
            &path,
            Some(&key),
            &json!({"text": "x", "send_at": "tomorrow"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;

    let first = send_later(
        &app,
        &key,
        &conversation,
        "Reminder",
        now + chrono::Duration::hours(3),
    )
    .await;
    let id = first["id"].as_str().unwrap().to_string();
    // What waits is listed on its own, however much history came after it.
    let waiting = json_with_status(app.get(&format!("{path}?waiting=true"), &key).await, 200).await;
    let waiting_ids: Vec<&str> = waiting["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(waiting_ids, vec![id.as_str()]);
    assert!(waiting["next_cursor"].is_null());
    let edited = json_with_status(
        app.patch_json(
            &format!("/api/v1/messages/{id}"),
            &key,
            &json!({"text": "Reminder: 3pm tomorrow", "send_at": rfc3339(now + chrono::Duration::hours(5))}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(edited["status"], "scheduled");
    assert_eq!(edited["text"], "Reminder: 3pm tomorrow");
    assert_eq!(
        edited["scheduled_at"],
        rfc3339(now + chrono::Duration::hours(5))
    );
    expect_error(
        app.patch_json(
            &format!("/api/v1/messages/{id}"),
            &key,
            &json!({"text": " "}),
        )
        .await,
        422,
        "empty_message",
    )
    .await;
    expect_error(
        app.patch_json(
            &format!("/api/v1/messages/{id}"),
            &key,
            &json!({"colour": "red"}),
        )
        .await,
        422,
        "unknown_field",
    )
    .await;

    let cancelled = json_with_status(
        app.delete(&format!("/api/v1/messages/{id}"), &key).await,
        200,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    expect_error(
        app.delete(&format!("/api/v1/messages/{id}"), &key).await,
        409,
        "not_scheduled",
    )
    .await;
    expect_error(
        app.patch_json(
            &format!("/api/v1/messages/{id}"),
            &key,
            &json!({"text": "late"}),
        )
        .await,
        409,
        "not_scheduled",
    )
    .await;
    // A sent message is not scheduled either.
    let sent = started["message"]["id"].as_str().unwrap();
    expect_error(
        app.delete(&format!("/api/v1/messages/{sent}"), &key).await,
        409,
        "not_scheduled",
    )
    .await;

    // Send now: admins only.
    let second = send_later(
        &app,
        &key,
        &conversation,
        "Right away",
        now + chrono::Duration::days(2),
    )
    .await;
    let second_id = second["id"].as_str().unwrap().to_string();
    let agent_email = "agent@example.com";
    app.create_user(tenant_id, agent_email, parley::wire::Role::Agent)
        .await;
    let agent = app
        .token_for(agent_email, parley_tests::ADMIN_PASSWORD)
        .await;
    expect_error(
        app.post_json(
            &format!("/api/v1/messages/{second_id}/send-now"),
            Some(&agent),
            &json!({}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let now_sent = json_with_status(
        app.post_json(
            &format!("/api/v1/messages/{second_id}/send-now"),
            Some(&key),
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(now_sent["status"], "queued");
    app.wait_for_status(&key, &conversation, &second_id, "delivered")
        .await;
    // The cancelled one never went.
    app.clock.advance(chrono::Duration::hours(6));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let texts = sent_texts(&app, NEW_YORK);
    assert_eq!(texts, vec!["Hello", "Right away"]);
    assert_eq!(
        message(&app, &key, &conversation, &id).await["status"],
        "cancelled"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_opt_out_cancels_what_waits_and_is_confirmed_once() {
    let (app, key) = app_at("2026-12-07T15:00:00Z").await;
    let started = app.start_conversation(&key, NEW_YORK, "Hello").await;
    let conversation = started["conversation"]["id"].as_str().unwrap().to_string();
    let later = send_later(
        &app,
        &key,
        &conversation,
        "Follow-up",
        app.clock_now() + chrono::Duration::hours(2),
    )
    .await;
    let id = later["id"].as_str().unwrap().to_string();

    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "please stop texting me")
        .await
        .unwrap();
    let cancelled = message(&app, &key, &conversation, &id).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["error"]["code"], "opted_out");
    // One confirmation, from the system; a second STOP gets none.
    let confirmation = app
        .messages(&key, &conversation)
        .await
        .into_iter()
        .find(|m| m["author"] == "system")
        .expect("confirmation");
    assert!(confirmation["text"]
        .as_str()
        .unwrap()
        .contains("unsubscribed"));
    app.wait_for_status(
        &key,
        &conversation,
        confirmation["id"].as_str().unwrap(),
        "delivered",
    )
    .await;
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "STOP")
        .await
        .unwrap();
    app.clock.advance(chrono::Duration::hours(3));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let texts = sent_texts(&app, NEW_YORK);
    assert_eq!(texts.len(), 2, "hello and one confirmation: {texts:?}");
    assert!(texts.iter().all(|t| t != "Follow-up"));
    let opt_outs = json_with_status(app.get("/api/v1/opt-outs", &key).await, 200).await;
    assert_eq!(opt_outs["data"][0]["keyword"], "please stop texting me");

    // HELP is answered even now; START brings the customer back, confirmed.
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "HELP")
        .await
        .unwrap();
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "unstop all")
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while sent_texts(&app, NEW_YORK).len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            sent_texts(&app, NEW_YORK)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let texts = sent_texts(&app, NEW_YORK);
    assert!(
        texts[2].starts_with("Acme:") && texts[2].contains("STOP"),
        "{texts:?}"
    );
    assert!(texts[3].contains("subscribed again"), "{texts:?}");

    // A near miss is a message, not an opt-out.
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "where do I stop by?")
        .await
        .unwrap();
    let opt_outs = json_with_status(app.get("/api/v1/opt-outs", &key).await, 200).await;
    assert_eq!(opt_outs["data"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_carrier_answers_keywords_when_the_tenant_says_so_and_its_40300_opts_out() {
    let (app, key) = app_at("2026-12-07T15:00:00Z").await;
    patch_settings(
        &app,
        &key,
        json!({"keyword_replies": "carrier", "help_message": "Acme: call 212-555-0100."}),
    )
    .await;
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "HELP")
        .await
        .unwrap();
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "STOP")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        sent_texts(&app, NEW_YORK).is_empty(),
        "the carrier answers, not Parley"
    );

    // Telnyx knows of a STOP that never reached us: its 40300 opts the number out here.
    let started = app.start_conversation(&key, CHICAGO, "Hello").await;
    let conversation = started["conversation"]["id"].as_str().unwrap().to_string();
    let later = send_later(
        &app,
        &key,
        &conversation,
        "Later",
        app.clock_now() + chrono::Duration::hours(1),
    )
    .await;
    app.sim.faults().reject(1, "40300");
    json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&key),
            &json!({"text": "Are you there?"}),
        )
        .await,
        201,
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let conversation = json_with_status(
            app.get(&format!("/api/v1/conversations/{conversation}"), &key)
                .await,
            200,
        )
        .await;
        if conversation["opted_out"] == true {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never opted out");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let waiting = message(&app, &key, &conversation, later["id"].as_str().unwrap()).await;
    assert_eq!(waiting["status"], "cancelled");
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_hours_hold_first_and_scheduled_messages_until_the_recipients_morning() {
    // Monday 2026-12-07 22:00 in New York, 19:00 in Los Angeles.
    let (app, key) = app_at("2026-12-08T03:00:00Z").await;
    let settings = patch_settings(
        &app,
        &key,
        json!({"quiet_hours": {"start": "21:00", "end": "08:00"}}),
    )
    .await;
    assert_eq!(
        settings["quiet_hours"],
        json!({"start": "21:00", "end": "08:00"})
    );

    let new_york = app
        .start_conversation(&key, NEW_YORK, "Good morning!")
        .await;
    assert_eq!(new_york["message"]["status"], "held_quiet_hours");
    assert_eq!(new_york["message"]["held_until"], "2026-12-08T13:00:00Z");
    assert_eq!(
        new_york["conversation"]["customer_time_zone"],
        "America/New_York"
    );
    let los_angeles = app.start_conversation(&key, LOS_ANGELES, "Evening!").await;
    assert_eq!(los_angeles["message"]["status"], "queued", "19:00 there");
    // A number without a zone of its own is read in the tenant's zone (New York).
    let nowhere = app.start_conversation(&key, NOWHERE, "Hi").await;
    assert_eq!(nowhere["message"]["status"], "held_quiet_hours");
    // A customer who wrote in the last day gets the answer at once.
    app.sim
        .send_inbound(CHICAGO, OUR_NUMBER, "are you open tomorrow?")
        .await
        .unwrap();
    let chicago = app.start_conversation(&key, CHICAGO, "Yes, from 9").await;
    assert_eq!(chicago["message"]["status"], "queued");

    // A message scheduled for 23:30 New York time is held when it comes due.
    let conversation = los_angeles["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let late = send_later(
        &app,
        &key,
        &conversation,
        "Late one",
        utc("2026-12-08T05:30:00Z"),
    )
    .await;
    let late_id = late["id"].as_str().unwrap().to_string();

    let held = new_york["message"]["id"].as_str().unwrap().to_string();
    let ny_conversation = new_york["conversation"]["id"].as_str().unwrap().to_string();
    app.clock.set(utc("2026-12-08T05:31:00Z"));
    app.wait_for_status(&key, &conversation, &late_id, "held_quiet_hours")
        .await;
    // 21:30 in Los Angeles: held until 08:00 there (16:00 UTC).
    assert_eq!(
        message(&app, &key, &conversation, &late_id).await["held_until"],
        "2026-12-08T16:00:00Z"
    );

    app.clock.set(utc("2026-12-08T12:59:00Z"));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        message(&app, &key, &ny_conversation, &held).await["status"],
        "held_quiet_hours"
    );
    app.clock.set(utc("2026-12-08T13:00:30Z"));
    app.wait_for_status(&key, &ny_conversation, &held, "delivered")
        .await;
    assert_eq!(
        message(&app, &key, &conversation, &late_id).await["status"],
        "held_quiet_hours"
    );
    app.clock.set(utc("2026-12-08T16:00:30Z"));
    app.wait_for_status(&key, &conversation, &late_id, "delivered")
        .await;
    assert_eq!(sent_texts(&app, NEW_YORK), vec!["Good morning!"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_hours_end_at_the_wall_clock_morning_across_a_dst_change_and_an_admin_may_override() {
    // Saturday 2026-03-07 22:00 EST; the clocks go forward that night.
    let (app, key) = app_at("2026-03-08T03:00:00Z").await;
    patch_settings(
        &app,
        &key,
        json!({"quiet_hours": {"start": "21:00", "end": "08:00"}}),
    )
    .await;
    let started = app
        .start_conversation(&key, NEW_YORK, "Sunday special")
        .await;
    assert_eq!(
        started["message"]["held_until"], "2026-03-08T12:00:00Z",
        "08:00 EDT"
    );
    let other = app
        .start_conversation(&key, NOWHERE, "Urgent: your order")
        .await;
    let id = other["message"]["id"].as_str().unwrap();
    let conversation = other["conversation"]["id"].as_str().unwrap();
    let sent = json_with_status(
        app.post_json(
            &format!("/api/v1/messages/{id}/send-now"),
            Some(&key),
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(sent["status"], "queued");
    app.wait_for_status(&key, conversation, id, "delivered")
        .await;
    assert!(sent_texts(&app, NEW_YORK).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_away_message_answers_once_per_closed_period_and_the_ai_waits_for_opening() {
    // Saturday 2026-12-05 12:00 in New York.
    let (app, key) = app_at("2026-12-05T17:00:00Z").await;
    patch_settings(
        &app,
        &key,
        json!({"away_message": "We're closed; back Monday at 9.", "ai_answers_after_hours": false}),
    )
    .await;
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "Is anyone there?")
        .await
        .unwrap();
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "Hello?")
        .await
        .unwrap();
    let ai_jobs = "SELECT count(*) AS count FROM jobs WHERE kind = 'ai_reply'";
    assert_eq!(app.count(ai_jobs).await, 0, "no AI after hours");
    let away = |texts: Vec<String>| texts.iter().filter(|t| t.contains("closed")).count();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while away(sent_texts(&app, NEW_YORK)) == 0 {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Sunday: the same closed period.
    app.clock.set(utc("2026-12-06T17:00:00Z"));
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "Still closed?")
        .await
        .unwrap();
    // Monday 10:00: open; the AI answers, no away message.
    app.clock.set(utc("2026-12-07T15:00:00Z"));
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "Now?")
        .await
        .unwrap();
    assert_eq!(app.count(ai_jobs).await, 1);
    // Monday 18:00: a new closed period, a new away message.
    app.clock.set(utc("2026-12-07T23:00:00Z"));
    app.sim
        .send_inbound(NEW_YORK, OUR_NUMBER, "One more thing")
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while away(sent_texts(&app, NEW_YORK)) < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            sent_texts(&app, NEW_YORK)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(away(sent_texts(&app, NEW_YORK)), 2);
    let conversations = json_with_status(app.get("/api/v1/conversations", &key).await, 200).await;
    let conversation = conversations["data"][0]["id"].as_str().unwrap();
    let authors: Vec<Value> = app
        .messages(&key, conversation)
        .await
        .into_iter()
        .filter(|m| {
            m["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("We're closed"))
        })
        .map(|m| m["author"].clone())
        .collect();
    assert_eq!(authors, vec![json!("system"), json!("system")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_are_checked_and_changed_by_admins_only() {
    let (app, key, tenant_id) = app_and_tenant_at("2026-12-07T15:00:00Z").await;
    let settings = json_with_status(app.get("/api/v1/settings", &key).await, 200).await;
    assert_eq!(settings["time_zone"], "America/New_York");
    assert_eq!(
        settings["business_hours"]["mon"],
        json!([["09:00", "17:00"]])
    );
    assert_eq!(settings["business_hours"]["sun"], json!([]));
    assert_eq!(settings["quiet_hours"], Value::Null);
    assert_eq!(settings["ai_answers_after_hours"], true);
    assert_eq!(settings["keyword_replies"], "parley");

    for (body, code, field) in [
        (
            json!({"time_zone": "Mars/Olympus"}),
            "invalid_time_zone",
            "time_zone",
        ),
        (
            json!({"business_hours": {"tue": [["17:00", "09:00"]]}}),
            "invalid_business_hours",
            "business_hours.tue",
        ),
        (
            json!({"business_hours": {"wed": [["9am", "5pm"]]}}),
            "invalid_business_hours",
            "business_hours.wed",
        ),
        (
            json!({"quiet_hours": {"start": "21:00", "end": "21:00"}}),
            "invalid_quiet_hours",
            "quiet_hours",
        ),
        (json!({"away_message": ""}), "invalid_field", "away_message"),
        (
            json!({"help_message": "x".repeat(1531)}),
            "invalid_field",
            "help_message",
        ),
    ] {
        let error = expect_error(
            app.patch_json("/api/v1/settings", &key, &body).await,
            422,
            code,
        )
        .await;
        assert_eq!(error["field"], field, "{body}");
    }
    expect_error(
        app.patch_json("/api/v1/settings", &key, &json!({"hours": 1}))
            .await,
        422,
        "unknown_field",
    )
    .await;
    assert_eq!(
        json_with_status(app.get("/api/v1/settings", &key).await, 200).await,
        settings,
        "nothing changed"
    );

    let changed = patch_settings(
        &app,
        &key,
        json!({
            "time_zone": "Europe/London",
            "business_hours": {"mon": [["08:00", "12:00"], ["13:00", "18:00"]], "sat": [["10:00", "14:00"]]},
            "away_message": "Back soon.",
            "quiet_hours": {"start": "20:00", "end": "09:00"},
            "auto_assign_on_reply": false
        }),
    )
    .await;
    assert_eq!(changed["time_zone"], "Europe/London");
    assert_eq!(
        changed["business_hours"]["mon"],
        json!([["08:00", "12:00"], ["13:00", "18:00"]])
    );
    assert_eq!(changed["business_hours"]["tue"], json!([]));
    assert_eq!(changed["auto_assign_on_reply"], false);
    assert_eq!(
        json_with_status(app.get("/api/v1/settings", &key).await, 200).await,
        changed
    );
    let cleared = patch_settings(
        &app,
        &key,
        json!({"quiet_hours": null, "away_message": null}),
    )
    .await;
    assert_eq!(cleared["quiet_hours"], Value::Null);
    assert_eq!(cleared["away_message"], Value::Null);

    app.create_user(tenant_id, "agent@example.com", parley::wire::Role::Agent)
        .await;
    let agent = app
        .token_for("agent@example.com", parley_tests::ADMIN_PASSWORD)
        .await;
    json_with_status(app.get("/api/v1/settings", &agent).await, 200).await;
    expect_error(
        app.patch_json("/api/v1/settings", &agent, &json!({"away_message": "x"}))
            .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_while_a_message_waits_sends_it_once_after_the_restart() {
    use parley::telnyx::simulator::{Simulator, SimulatorConfig};
    use parley_tests::process::{free_port, tenant_with_number_and_key, ServerProcess};
    use parley_tests::{TestDb, JWT_SECRET, SIM_SEED, TELNYX_TEST_KEY};

    let db = TestDb::create().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let sim = Simulator::start(SimulatorConfig {
        seed: Some(SIM_SEED),
        webhook_url: Some(format!("{base}/webhooks/telnyx")),
        ..SimulatorConfig::default()
    })
    .await
    .expect("the carrier simulator starts");
    let (_, key) = tenant_with_number_and_key(&db.url, "Acme", OUR_NUMBER, &[]);
    let env = [
        ("DATABASE_URL", db.url.clone()),
        ("PARLEY_JWT_SECRET", JWT_SECRET.to_string()),
        ("TELNYX_API_BASE", sim.base_url().to_string()),
        ("TELNYX_API_KEY", TELNYX_TEST_KEY.to_string()),
        ("TELNYX_PUBLIC_KEY", sim.public_key_base64()),
        ("PARLEY_WORKER_POLL_MS", "100".to_string()),
        ("PARLEY_JOB_LEASE_SECONDS", "3".to_string()),
    ];
    let mut server = ServerProcess::start(port, &env);
    server.wait_ready(Duration::from_secs(30)).await;
    let client = reqwest::Client::new();
    let started: Value = client
        .post(format!("{base}/api/v1/conversations"))
        .bearer_auth(&key)
        .json(&json!({"phone_number": NEW_YORK, "message": "Hello"}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    let conversation = started["conversation"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Due in four seconds of the server's own (wall) clock.
    let due = Utc::now() + chrono::Duration::seconds(4);
    let scheduled = client
        .post(format!(
            "{base}/api/v1/conversations/{conversation}/messages"
        ))
        .bearer_auth(&key)
        .json(&json!({"text": "Scheduled through a crash", "send_at": rfc3339(due)}))
        .send()
        .await
        .expect("schedule");
    assert_eq!(scheduled.status(), 201);

    // Killed before the time; back only after it.
    server.kill9();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(sim
        .sent_messages()
        .iter()
        .all(|m| m.text != "Scheduled through a crash"));
    server.kill9_and_restart();
    server.wait_ready(Duration::from_secs(30)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !sim
        .sent_messages()
        .iter()
        .any(|m| m.text == "Scheduled through a crash")
    {
        assert!(std::time::Instant::now() < deadline, "{}", server.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Killed again right after it left: the restart sends nothing twice.
    server.kill9_and_restart();
    server.wait_ready(Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let copies = sim
        .sent_messages()
        .iter()
        .filter(|m| m.text == "Scheduled through a crash")
        .count();
    assert_eq!(copies, 1, "{}", server.logs());
    server.kill9();
}
