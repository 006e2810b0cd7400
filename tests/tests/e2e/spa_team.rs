//! The team inbox in the browser, beyond assignment and handoffs (in `spa`): what the list
//! shows without opening a conversation (a failed delivery, the customer's question), internal
//! notes, the keyboard, and alerts (sound and desktop notifications).

use std::time::Duration;

use anyhow::Result;
use parley_tests::browser::{Browser, Page};
use parley_tests::{json_with_status, TestApp};
use serde_json::json;

use super::spa::{
    add_lee, assert_clean_console, choose, conversation_json, row_count, shots_path, sign_in,
    wait_for_rows, wait_until, OUR_NUMBER, WAIT,
};

/// The row of the conversation with this customer's number.
fn row(phone: &str) -> String {
    format!("[data-testid=conversation-row][data-phone='{phone}']")
}

/// Presses a key on the page itself, as a person does with nothing focused.
async fn press_on_page(page: &Page, key: &str) -> Result<()> {
    page.eval::<bool>(&format!(
        "(() => {{ document.activeElement?.blur(); document.body.dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', bubbles: true }})); return true; }})()"
    ))
    .await?;
    Ok(())
}

async fn path(page: &Page) -> Result<String> {
    page.eval("location.pathname").await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_shows_failures_and_questions_notes_stay_internal_and_keys_move() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    // The simulator fails deliveries to numbers ending in 0000.
    let failed = app
        .start_conversation(&token, "+14165550000", "Your order is ready")
        .await;
    let failed_id = failed["conversation"]["id"].as_str().unwrap().to_string();
    let failed_message = failed["message"]["id"].as_str().unwrap().to_string();
    app.wait_for_status(&token, &failed_id, &failed_message, "delivery_failed")
        .await;
    app.sim
        .send_inbound("+14165554411", OUR_NUMBER, "Are you open on Sunday?")
        .await
        .expect("inbound");
    app.start_conversation(&token, "+14165554422", "Thanks for your visit")
        .await;
    app.sim
        .send_inbound("+14165554422", OUR_NUMBER, "STOP")
        .await
        .expect("opt-out");

    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    wait_for_rows(&page, 3).await?;
    // The failure and the customer's question show in the list, unopened.
    page.wait_for(
        &format!("{} [data-testid=failed-chip]", row("+14165550000")),
        WAIT,
    )
    .await?;
    let question = page
        .text(&format!(
            "{} [data-testid=conversation-preview]",
            row("+14165554411")
        ))
        .await?;
    assert_eq!(question.trim(), "Are you open on Sunday?");
    page.screenshot(shots_path("spa-list-failed-chip.png"))
        .await?;

    // j and k walk the list from anywhere but a text field.
    let first: String = page
        .eval("document.querySelector('[data-testid=conversation-row]').dataset.id")
        .await?;
    let second: String = page
        .eval("document.querySelectorAll('[data-testid=conversation-row]')[1].dataset.id")
        .await?;
    press_on_page(&page, "j").await?;
    page.wait_for_path(&format!("/c/{first}"), WAIT).await?;
    press_on_page(&page, "j").await?;
    page.wait_for_path(&format!("/c/{second}"), WAIT).await?;
    press_on_page(&page, "k").await?;
    page.wait_for_path(&format!("/c/{first}"), WAIT).await?;
    // Typing a j in the composer is only a letter.
    page.wait_for("#composer", WAIT).await?;
    page.fill("#composer", "j").await?;
    page.eval::<bool>("(() => { const c = document.querySelector('#composer'); c.focus(); c.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true })); return true; })()")
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(path(&page).await?, format!("/c/{first}"));
    page.fill("#composer", "").await?;

    // The Start dialog opens on its first field.
    page.goto(&app.url("/")).await?;
    page.wait_for("#start-conversation", WAIT).await?;
    page.click("#start-conversation").await?;
    wait_until(
        &page,
        "document.activeElement?.id === 'start-phone'",
        "the phone field focused",
    )
    .await?;
    page.eval::<bool>(
        "(() => { document.querySelector('#start-dialog').close(); return true; })()",
    )
    .await?;

    // A note on the opted-out conversation: Reply is blocked, a note is not.
    page.click(&row("+14165554422")).await?;
    page.wait_for("#composer-blocked", WAIT).await?;
    assert!(
        page.eval::<bool>("document.querySelector('#composer').disabled")
            .await?
    );
    page.click("#mode-note").await?;
    assert!(
        !page
            .eval::<bool>("document.querySelector('#composer').disabled")
            .await?
    );
    page.fill(
        "#composer",
        "Opted out after the visit: do not call either.",
    )
    .await?;
    page.press("#composer", "Enter").await?;
    page.wait_for_text(
        "[data-testid=note-text]",
        "Opted out after the visit: do not call either.",
        WAIT,
    )
    .await?;
    let label = page.text("[data-testid=note] .note-label").await?;
    assert_eq!(label.trim().to_lowercase(), "internal note");
    page.screenshot(shots_path("spa-note.png")).await?;
    let opted_out_id: String = page.eval("location.pathname.split('/').pop()").await?;
    let notes = json_with_status(
        app.get(
            &format!("/api/v1/conversations/{opted_out_id}/notes"),
            &token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(notes["data"].as_array().map(Vec::len), Some(1), "{notes}");
    assert!(
        app.sim
            .sent_messages()
            .iter()
            .all(|m| !m.text.contains("do not call")),
        "a note is never texted"
    );
    // After a reload the note is still in its place in the timeline.
    page.goto(&app.url(&format!("/c/{opted_out_id}"))).await?;
    page.wait_for("[data-testid=note]", WAIT).await?;

    // On a phone the thread with its note does not scroll sideways.
    page.set_viewport(390, 844).await?;
    page.wait_for("[data-testid=note]", WAIT).await?;
    assert!(
        page.eval::<bool>(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        .await?,
        "no sideways scrolling at 390 px"
    );
    page.screenshot(shots_path("spa-note-phone.png")).await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

/// Replaces the browser's Notification and AudioContext with recorders (headless Chromium
/// shows neither), as a script run before each page's own: `window.__shown` lists [title, body]; `window.__chimes` counts sounds.
const RECORDERS: &str = "(() => {
    window.__shown = []; window.__chimes = 0;
    window.Notification = class {
        constructor(title, options) { window.__shown.push([title, options?.body ?? '']); }
        static get permission() { return 'granted'; }
        static requestPermission() { return Promise.resolve('granted'); }
        close() {}
        set onclick(f) {}
    };
    window.AudioContext = class {
        constructor() { window.__chimes += 1; this.currentTime = 0; this.destination = {}; }
        createOscillator() { return { frequency: { value: 0 }, connect() {}, start() {}, stop() {} }; }
        createGain() { return { gain: { value: 0 }, connect() {} }; }
    };
})()";

async fn shown(page: &Page) -> Result<Vec<(String, String)>> {
    page.eval("window.__shown").await
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_chime_and_notify_for_my_and_unassigned_conversations() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let lee = add_lee(&app, &token).await;
    // Lee's conversation: its messages are for Lee, not for the admin.
    let lees = app
        .start_conversation(&token, "+14165554501", "Hello from Acme")
        .await;
    let lees_id = lees["conversation"]["id"].as_str().unwrap();
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{lees_id}"),
            &token,
            &json!({"assignee_id": lee["id"]}),
        )
        .await,
        200,
    )
    .await;

    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    // Installed before the app loads: its glue code takes AudioContext as the page starts.
    page.raw().evaluate_on_new_document(RECORDERS).await?;
    page.goto(&app.url("/")).await?;
    page.wait_for("#alerts-button", WAIT).await?;
    page.click("#alerts-button").await?;
    page.wait_for("#alerts-panel", WAIT).await?;
    page.click("#alerts-sound").await?;
    page.click("#alerts-desktop").await?;
    wait_until(&page, "window.__chimes === 1", "a sample chime").await?;
    let label = page.text("#alerts-button").await?;
    assert_eq!(label.trim(), "Alerts on");
    page.screenshot(shots_path("spa-alerts-menu.png")).await?;
    page.eval::<bool>(
        "(() => { document.querySelector('#alerts-button').click(); return true; })()",
    )
    .await?;

    // Lee's customer writes, then a new customer nobody has yet.
    app.sim
        .send_inbound("+14165554501", OUR_NUMBER, "For Lee: is my order ready?")
        .await
        .expect("inbound");
    app.sim
        .send_inbound("+14165554502", OUR_NUMBER, "Do you deliver to Etobicoke?")
        .await
        .expect("inbound");
    wait_until(
        &page,
        "window.__shown.some(([t, b]) => b === 'Do you deliver to Etobicoke?')",
        "a notification for the unassigned conversation",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let notifications = shown(&page).await?;
    assert_eq!(
        notifications,
        vec![(
            "(416) 555-4502".to_string(),
            "Do you deliver to Etobicoke?".to_string()
        )],
        "only the unassigned conversation alerts the admin"
    );
    assert!(page.eval::<i64>("window.__chimes").await? >= 2);

    // The choices survive a reload; turned off, nothing alerts.
    page.goto(&app.url("/")).await?;
    page.wait_for("#alerts-button", WAIT).await?;
    let label = page.text("#alerts-button").await?;
    assert_eq!(label.trim(), "Alerts on");
    page.click("#alerts-button").await?;
    page.click("#alerts-sound").await?;
    page.click("#alerts-desktop").await?;
    app.sim
        .send_inbound("+14165554502", OUR_NUMBER, "Hello?")
        .await
        .expect("inbound");
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=conversation-preview]')].some(p => p.innerText.includes('Hello?'))",
        "the message in the list",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(shown(&page).await?.is_empty());
    assert_eq!(page.eval::<i64>("window.__chimes").await?, 0);
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn conversations_are_assigned_and_unassigned_from_their_row_of_the_list() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let lee = add_lee(&app, &token).await;
    let lee_id = lee["id"].as_str().unwrap().to_string();
    for (phone, text) in [
        ("+14165554601", "Can I move my appointment to Friday?"),
        ("+14165554602", "Is the blue one back in stock?"),
    ] {
        app.sim
            .send_inbound(phone, OUR_NUMBER, text)
            .await
            .expect("inbound");
    }

    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.click("#view-unassigned").await?;
    wait_for_rows(&page, 2).await?;
    let first = row("+14165554601");
    let select = format!("{first} ~ [data-testid=row-assignee]");
    wait_until(
        &page,
        &format!("document.querySelector({:?})?.options.length === 3", select),
        "Unassigned, the admin and Lee to choose from",
    )
    .await?;
    let label: String = page
        .eval(&format!(
            "document.querySelector({select:?}).getAttribute('aria-label')"
        ))
        .await?;
    assert_eq!(label, "Assigned to, (416) 555-4601");
    page.screenshot(shots_path("spa-list-assign.png")).await?;

    // Given to Lee from the row: the server has it, and it leaves the Unassigned view
    // without the conversation being opened.
    choose(&page, &select, &lee_id).await?;
    wait_until(
        &page,
        "document.querySelectorAll('[data-testid=conversation-row]').length === 1",
        "the assigned conversation leaving the Unassigned view",
    )
    .await?;
    assert_eq!(path(&page).await?, "/");
    let id: String = page
        .eval("document.querySelector('[data-testid=conversation-row]').dataset.phone")
        .await?;
    assert_eq!(id, "+14165554602");
    let conversations = json_with_status(
        app.get("/api/v1/conversations?assignee=unassigned", &token)
            .await,
        200,
    )
    .await;
    assert_eq!(conversations["data"].as_array().map(Vec::len), Some(1));

    // In All, the row names Lee; unassigned again from the row, it says so in the API.
    page.click("#view-all").await?;
    wait_for_rows(&page, 2).await?;
    wait_until(
        &page,
        &format!(
            "(() => {{ const s = document.querySelector({select:?}); return s && s.options[s.selectedIndex].text === 'Lee Park'; }})()"
        ),
        "the row showing Lee",
    )
    .await?;
    let assigned_id: String = page
        .eval(&format!("document.querySelector({first:?}).dataset.id"))
        .await?;
    assert_eq!(
        conversation_json(&app, &token, &assigned_id).await["assignee_id"],
        json!(lee_id)
    );
    choose(&page, &select, "").await?;
    let mut unassigned = false;
    for _ in 0..50 {
        if conversation_json(&app, &token, &assigned_id).await["assignee_id"].is_null() {
            unassigned = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(unassigned, "unassigned from the row");
    // The arrow keys on a row's choice stay with the choice.
    page.eval::<bool>(&format!(
        "(() => {{ const s = document.querySelector({select:?}); s.focus(); s.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'ArrowDown', bubbles: true }})); return true; }})()"
    ))
    .await?;
    assert!(
        page.eval::<bool>("document.activeElement?.dataset.testid === 'row-assignee'")
            .await?
    );

    // On a phone the rows keep their choice within the screen.
    page.set_viewport(390, 844).await?;
    assert_eq!(row_count(&page).await?, 2);
    assert!(
        page.eval::<bool>(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth \
             && [...document.querySelectorAll('[data-testid=row-assignee]')].every(s => s.getBoundingClientRect().right <= window.innerWidth)"
        )
        .await?,
        "the row's choice within 390 px"
    );
    page.screenshot(shots_path("spa-list-assign-phone.png"))
        .await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}
