//! Scheduling, hours and compliance in the SPA: the Settings page (admins edit, agents read,
//! the server's refusal at its field, a phone without sideways scrolling), Send later from
//! the composer (a preset in the tenant's zone, then edit and cancel in the thread), and a
//! message held for quiet hours that an admin sends at once.

use anyhow::Result;
use chrono::{Duration, Timelike};
use parley_tests::browser::{Browser, Page};
use parley_tests::{json_with_status, TestApp};
use serde_json::{json, Value};

use super::spa::{
    add_lee, assert_clean_console, choose, shots_path, sign_in, start, wait_until, OUR_NUMBER, WAIT,
};

const NO_SIDEWAYS_SCROLL: &str =
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth";

async fn settings(app: &TestApp, token: &str) -> Value {
    json_with_status(app.get("/api/v1/settings", token).await, 200).await
}

async fn patch_settings(app: &TestApp, token: &str, changes: Value) -> Value {
    json_with_status(
        app.patch_json("/api/v1/settings", token, &changes).await,
        200,
    )
    .await
}

/// The message of the conversation with this text, as the API shows it.
async fn message_with_text(app: &TestApp, token: &str, id: &str, text: &str) -> Value {
    app.messages(token, id)
        .await
        .into_iter()
        .find(|m| m["text"] == text)
        .unwrap_or(Value::Null)
}

/// Waits until the API shows the message `message_id` with `status`.
async fn wait_for_api_status(
    app: &TestApp,
    token: &str,
    conversation: &str,
    message_id: &str,
    status: &str,
) -> Value {
    app.wait_for_status(token, conversation, message_id, status)
        .await
}

/// Opens the conversation from the inbox list.
async fn open_conversation(page: &Page, id: &str) -> Result<()> {
    page.click("#nav-inbox").await?;
    let row = format!("[data-id='{id}'].conv-row");
    page.wait_for(&row, WAIT).await?;
    page.click(&row).await?;
    wait_until(
        page,
        &format!("document.querySelector('article.conversation')?.dataset.id === '{id}'"),
        "the conversation",
    )
    .await?;
    page.wait_for("#composer", WAIT).await?;
    Ok(())
}

/// The wall time (`HH:MM`, 24 h) of an RFC 3339 instant in `zone`, as the browser's `Intl`
/// tells it (the tests have no zone database of their own).
async fn wall_clock(page: &Page, at: &str, zone: &str) -> Result<String> {
    page.eval(&format!(
        "new Intl.DateTimeFormat('en-US', {{ timeZone: {zone}, hour: '2-digit', minute: '2-digit', \
         hourCycle: 'h23' }}).format(new Date({at}))",
        zone = serde_json::to_string(zone)?,
        at = serde_json::to_string(at)?,
    ))
    .await
}

/// The date (`YYYY-MM-DD`) of an instant in `zone`, by the browser's `Intl`.
async fn wall_date(page: &Page, at: &str, zone: &str) -> Result<String> {
    page.eval(&format!(
        "new Intl.DateTimeFormat('en-CA', {{ timeZone: {zone}, year: 'numeric', month: '2-digit', \
         day: '2-digit' }}).format(new Date({at}))",
        zone = serde_json::to_string(zone)?,
        at = serde_json::to_string(at)?,
    ))
    .await
}

/// Makes sure Monday has a first interval in the form (adding one when the day is closed).
async fn ensure_monday_interval(page: &Page) -> Result<()> {
    if !page.exists("#hours-mon-0-start").await? {
        page.click("#hours-mon-add").await?;
        page.wait_for("#hours-mon-0-start", WAIT).await?;
    }
    Ok(())
}

/// Turns quiet hours on in the form unless they are.
async fn ensure_quiet_hours_on(page: &Page) -> Result<()> {
    let on: bool = page
        .eval("document.querySelector('#settings-quiet-on').checked")
        .await?;
    if !on {
        page.click("#settings-quiet-on").await?;
    }
    page.wait_for("#settings-quiet-start", WAIT).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_edit_the_settings_agents_read_them() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    add_lee(&app, &token).await;

    let browser = Browser::launch_with_viewport(1280, 900).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.click("#nav-settings").await?;
    page.wait_for_path("/settings", WAIT).await?;
    page.wait_for("#settings-form", WAIT).await?;
    assert!(!page.exists("#settings-read-only").await?);

    // Time zone, a business-hours interval, the away message and quiet hours; one Save.
    choose(&page, "#settings-time-zone", "America/Chicago").await?;
    page.wait_for_text("#settings-time-zone-hint", "America/Chicago", WAIT)
        .await?;
    ensure_monday_interval(&page).await?;
    page.fill("#hours-mon-0-start", "08:30").await?;
    page.fill("#hours-mon-0-end", "18:00").await?;
    page.fill(
        "#settings-away",
        "Thanks! We are closed now and reply from 8:30.",
    )
    .await?;
    page.wait_for_text("#settings-away-segments", "1 segment", WAIT)
        .await?;
    ensure_quiet_hours_on(&page).await?;
    page.fill("#settings-quiet-start", "21:30").await?;
    page.fill("#settings-quiet-end", "07:45").await?;
    page.click("#settings-save").await?;
    page.wait_for_text("#settings-status", "Settings saved", WAIT)
        .await?;

    let saved = settings(&app, &token).await;
    assert_eq!(saved["time_zone"], "America/Chicago", "{saved}");
    assert_eq!(saved["business_hours"]["mon"][0], json!(["08:30", "18:00"]));
    assert_eq!(
        saved["away_message"],
        "Thanks! We are closed now and reply from 8:30."
    );
    assert_eq!(
        saved["quiet_hours"],
        json!({"start": "21:30", "end": "07:45"})
    );

    // After a reload the form shows what was saved.
    page.goto(&app.url("/settings")).await?;
    page.wait_for("#settings-form", WAIT).await?;
    wait_until(
        &page,
        "document.querySelector('#settings-time-zone').value === 'America/Chicago'",
        "the saved zone",
    )
    .await?;
    assert_eq!(page.value("#hours-mon-0-start").await?, "08:30");
    assert_eq!(page.value("#hours-mon-0-end").await?, "18:00");
    assert_eq!(
        page.value("#settings-away").await?,
        "Thanks! We are closed now and reply from 8:30."
    );
    assert_eq!(page.value("#settings-quiet-start").await?, "21:30");
    assert_eq!(page.value("#settings-quiet-end").await?, "07:45");
    page.screenshot(shots_path("spa-settings.png")).await?;

    // An interval ending before it starts: the server's refusal beside Monday's hours.
    page.fill("#hours-mon-0-end", "07:00").await?;
    page.click("#settings-save").await?;
    wait_until(
        &page,
        "!!(document.querySelector('#hours-mon-error') || document.querySelector('#settings-hours-error'))?.innerText",
        "the refusal of Monday's interval",
    )
    .await?;
    assert!(!page.exists("#settings-status").await?);
    page.screenshot(shots_path("spa-settings-error.png"))
        .await?;
    assert_eq!(
        settings(&app, &token).await["business_hours"]["mon"][0],
        json!(["08:30", "18:00"]),
        "nothing saved"
    );

    // Put back, the form is no longer being edited: another admin's change shows at once.
    page.fill("#hours-mon-0-end", "18:00").await?;
    patch_settings(
        &app,
        &token,
        json!({"away_message": "Closed for the holidays."}),
    )
    .await;
    wait_until(
        &page,
        "document.querySelector('#settings-away').value === 'Closed for the holidays.'",
        "the colleague's away message from the feed",
    )
    .await?;
    assert_clean_console(&page);
    browser.close().await?;

    // On a phone: nothing scrolls sideways, for the admin's form or the agent's view.
    let phone = Browser::launch_with_viewport(390, 844).await?;
    let page = sign_in(&phone, &app, &acme.admin_email).await?;
    page.goto(&app.url("/settings")).await?;
    page.wait_for("#settings-form", WAIT).await?;
    page.wait_for("#hours-mon-0-start", WAIT).await?;
    page.click("#hours-mon-add").await?;
    page.wait_for("#hours-mon-1-start", WAIT).await?;
    assert!(
        page.eval::<bool>(NO_SIDEWAYS_SCROLL).await?,
        "the settings scroll sideways at 390 px"
    );
    page.screenshot(shots_path("spa-settings-phone.png"))
        .await?;
    page.click("#sign-out").await?;
    page.wait_for("#sign-in", WAIT).await?;
    page.fill("#email", "lee@example.com").await?;
    page.fill("#password", parley_tests::ADMIN_PASSWORD).await?;
    page.click("#sign-in").await?;
    page.wait_for("#inbox-title", WAIT).await?;
    page.click("#nav-settings").await?;
    page.wait_for("#settings-read-only", WAIT).await?;
    page.wait_for("#settings-form", WAIT).await?;
    assert!(!page.exists("#settings-save").await?, "agents cannot save");
    assert!(
        page.eval::<bool>("document.querySelector('#settings-away').matches(':disabled')")
            .await?,
        "agents read the settings only"
    );
    assert_eq!(
        page.value("#settings-away").await?,
        "Closed for the holidays."
    );
    assert!(
        page.eval::<bool>(NO_SIDEWAYS_SCROLL).await?,
        "the agent's settings scroll sideways at 390 px"
    );
    assert_clean_console(&page);
    phone.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn send_later_schedules_then_edits_and_cancels_in_the_thread() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    // No quiet hours: the first message leaves at once whatever the hour of the test.
    patch_settings(
        &app,
        &token,
        json!({"time_zone": "America/New_York", "quiet_hours": null}),
    )
    .await;
    let conversation = start(&app, &token, "+14165556201", "Sarah Chen", "").await;
    let id = conversation["id"].as_str().unwrap_or_default().to_string();

    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    open_conversation(&page, &id).await?;

    // A time in the past is refused in the menu, before anything is sent.
    let text = "Reminder: your appointment is tomorrow.";
    page.fill("#composer", text).await?;
    page.click("#send-later").await?;
    page.wait_for("#send-later-menu", WAIT).await?;
    page.wait_for_text("#send-later-zone", "America/New_York", WAIT)
        .await?;
    choose(&page, "#send-later-at", "2020-01-01T09:00").await?;
    page.click("#send-later-schedule").await?;
    page.wait_for_text("#send-later-error", "future", WAIT)
        .await?;
    assert_eq!(app.messages(&token, &id).await.len(), 1);

    // "Tomorrow 9:00 AM" in New York.
    page.click("#send-later-tomorrow").await?;
    page.wait_for_gone("#send-later-menu", WAIT).await?;
    let row = "[data-testid=message][data-status=scheduled]";
    page.wait_for_text(row, text, WAIT).await?;
    page.wait_for("#scheduled-heading", WAIT).await?;
    page.wait_for_text(
        &format!("{row} [data-testid=message-status]"),
        "Scheduled for",
        WAIT,
    )
    .await?;
    assert_eq!(page.value("#composer").await?, "");
    let scheduled = message_with_text(&app, &token, &id, text).await;
    assert_eq!(scheduled["status"], "scheduled", "{scheduled}");
    let at = scheduled["scheduled_at"].as_str().unwrap_or_default();
    assert_eq!(wall_clock(&page, at, "America/New_York").await?, "09:00");
    let now = chrono::Utc::now().to_rfc3339();
    let today = wall_date(&page, &now, "America/New_York").await?;
    let tomorrow = wall_date(
        &page,
        &(chrono::Utc::now() + Duration::days(1)).to_rfc3339(),
        "America/New_York",
    )
    .await?;
    let day = wall_date(&page, at, "America/New_York").await?;
    assert!(
        day > today && day <= tomorrow,
        "{day} is tomorrow in New York"
    );
    // It comes after the message already sent, under the heading.
    assert!(
        page.eval::<bool>(
            "(() => { const items = [...document.querySelectorAll('#messages > li')]; \
             const heading = items.findIndex(li => li.id === 'scheduled-heading'); \
             const row = items.findIndex(li => li.dataset.status === 'scheduled'); \
             return heading > 0 && row === heading + 1; })()"
        )
        .await?,
        "the scheduled message sits under its heading, last"
    );
    page.screenshot(shots_path("spa-scheduled.png")).await?;

    // Edit its text and time (10:30 the same day, New York time).
    let message_id = scheduled["id"].as_str().unwrap_or_default().to_string();
    page.click(&format!("{row} [data-testid=scheduled-edit]"))
        .await?;
    page.wait_for("#scheduled-edit-text", WAIT).await?;
    let when = page.value("#scheduled-edit-time").await?;
    assert!(when.ends_with("T09:00"), "{when}");
    let edited = "Reminder: your appointment is tomorrow at 10:30.";
    page.fill("#scheduled-edit-text", edited).await?;
    choose(
        &page,
        "#scheduled-edit-time",
        &when.replace("T09:00", "T10:30"),
    )
    .await?;
    page.click("[data-testid=scheduled-save]").await?;
    page.wait_for_gone("#scheduled-edit-text", WAIT).await?;
    page.wait_for_text(row, edited, WAIT).await?;
    let changed = message_with_text(&app, &token, &id, edited).await;
    assert_eq!(changed["id"], message_id.as_str());
    assert_eq!(changed["status"], "scheduled");
    let at = changed["scheduled_at"].as_str().unwrap_or_default();
    assert_eq!(wall_clock(&page, at, "America/New_York").await?, "10:30");
    page.wait_for_text(
        &format!("{row} [data-testid=message-status]"),
        "10:30 AM",
        WAIT,
    )
    .await?;

    // Cancel, after confirming: struck through and dimmed, and the heading goes.
    page.click(&format!("{row} [data-testid=scheduled-cancel]"))
        .await?;
    page.wait_for("[data-testid=scheduled-confirm-cancel]", WAIT)
        .await?;
    assert_eq!(
        message_with_text(&app, &token, &id, edited).await["status"],
        "scheduled",
        "not before confirming"
    );
    page.click("[data-testid=scheduled-confirm-cancel]").await?;
    let cancelled = "[data-testid=message][data-status=cancelled]";
    page.wait_for_text(cancelled, edited, WAIT).await?;
    page.wait_for_text(
        &format!("{cancelled} [data-testid=message-status]"),
        "Cancelled",
        WAIT,
    )
    .await?;
    page.wait_for_gone("#scheduled-heading", WAIT).await?;
    wait_for_api_status(&app, &token, &id, &message_id, "cancelled").await;
    assert!(
        !app.sim.sent_messages().iter().any(|m| m.text == edited),
        "a cancelled message never reaches the carrier"
    );
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

/// `HH:MM` of a time of day.
fn hh_mm(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_held_for_quiet_hours_is_sent_now_by_an_admin() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    // Quiet hours around now in the tenant's zone (UTC here), which a number whose zone is
    // unknown (+1 555) follows.
    let now = app.clock_now();
    let start_at = hh_mm(now - Duration::hours(1));
    let end = now + Duration::hours(2);
    let end_at = hh_mm(end);
    // The thread names the day too when the hours end after midnight.
    let until = if end.date_naive() == now.date_naive() {
        end_at.clone()
    } else {
        format!("{} {end_at}", end.format("%a"))
    };
    patch_settings(
        &app,
        &token,
        json!({"time_zone": "UTC", "quiet_hours": {"start": start_at, "end": end_at}}),
    )
    .await;
    let phone = "+18005550142";
    let started = app
        .start_conversation(&token, phone, "Good evening from Acme.")
        .await;
    let id = started["conversation"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let message_id = started["message"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        started["message"]["status"], "held_quiet_hours",
        "{started}"
    );
    assert!(started["conversation"]["customer_time_zone"].is_null());

    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    open_conversation(&page, &id).await?;
    let row = "[data-testid=message][data-status=held_quiet_hours]";
    page.wait_for_text(
        &format!("{row} [data-testid=message-status]"),
        &format!("Held until {until} their time"),
        WAIT,
    )
    .await?;
    page.wait_for("#scheduled-heading", WAIT).await?;
    assert!(
        page.exists(&format!("{row} [data-testid=scheduled-cancel]"))
            .await?,
        "a held message can still be cancelled before the customer's morning"
    );
    page.screenshot(shots_path("spa-held.png")).await?;
    assert!(
        !app.sim.sent_messages().iter().any(|m| m.to == phone),
        "held: nothing reached the carrier"
    );

    // Send now overrides the quiet hours: the carrier gets it.
    page.click(&format!("{row} [data-testid=scheduled-send-now]"))
        .await?;
    page.wait_for_gone(row, WAIT).await?;
    page.wait_for_gone("#scheduled-heading", WAIT).await?;
    let deadline = std::time::Instant::now() + WAIT;
    while !app.sim.sent_messages().iter().any(|m| m.to == phone) {
        assert!(
            std::time::Instant::now() < deadline,
            "the carrier never got the message"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let sent = app
        .sim
        .sent_messages()
        .into_iter()
        .find(|m| m.to == phone)
        .map(|m| m.text);
    assert_eq!(sent.as_deref(), Some("Good evening from Acme."));
    let shown = app
        .messages(&token, &id)
        .await
        .into_iter()
        .find(|m| m["id"] == message_id.as_str())
        .unwrap_or(Value::Null);
    assert!(
        !["held_quiet_hours", "scheduled", "cancelled"]
            .contains(&shown["status"].as_str().unwrap_or("")),
        "{shown}"
    );
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}
