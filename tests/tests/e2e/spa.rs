//! The inbox SPA in headless Chromium against the real server: start, send, live updates,
//! search and filters, guide, export, other pages, phone layout, tenant isolation.
//!
//! Screenshots of every main screen go to `parley_tests::screenshot_dir()`.
//! The `live_` test follows the real-time feed (`GET /api/v1/ws`) alone; the others also pass
//! while the feed is down (the page then refreshes itself).

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use parley_tests::browser::{Browser, Page};
use parley_tests::{json_with_status, screenshot_dir, TestApp, ADMIN_PASSWORD};
use serde_json::{json, Value};

pub(super) const WAIT: Duration = Duration::from_secs(20);
pub(super) const OUR_NUMBER: &str = "+14165550100";

/// No console errors (the app's own handled 4xx answers aside).
pub(super) fn assert_clean_console(page: &Page) {
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

/// Waits until a JavaScript expression is true.
pub(super) async fn wait_until(page: &Page, expression: &str, what: &str) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        if page.eval::<bool>(expression).await.unwrap_or(false) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "timed out waiting for {what} ({expression}) on {}; console: {:?}",
                page.url().await.unwrap_or_default(),
                page.console_errors()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(super) async fn row_count(page: &Page) -> Result<usize> {
    page.eval("document.querySelectorAll('[data-testid=conversation-row]').length")
        .await
}

pub(super) async fn wait_for_rows(page: &Page, count: usize) -> Result<()> {
    wait_until(
        page,
        &format!("document.querySelectorAll('[data-testid=conversation-row]').length === {count}"),
        &format!("{count} conversation rows"),
    )
    .await
}

/// Sets a `<select>` (or date input) as a person would, firing `change`.
pub(super) async fn choose(page: &Page, selector: &str, value: &str) -> Result<()> {
    let selector = serde_json::to_string(selector)?;
    let value = serde_json::to_string(value)?;
    let found: bool = page
        .eval(&format!(
            "(() => {{ const e = document.querySelector({selector}); if (!e) return false; \
             e.focus(); e.value = {value}; \
             e.dispatchEvent(new Event('input', {{ bubbles: true }})); \
             e.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
        ))
        .await?;
    if !found {
        bail!("no element matches {selector}");
    }
    Ok(())
}

/// Adds Lee Park, an agent of the tenant (the second person in the team tests); answers the user.
pub(super) async fn add_lee(app: &TestApp, admin_token: &str) -> Value {
    json_with_status(
        app.post_json(
            "/api/v1/users",
            Some(admin_token),
            &json!({"email": "lee@example.com", "password": ADMIN_PASSWORD, "name": "Lee Park", "role": "agent"}),
        )
        .await,
        201,
    )
    .await
}

/// Signs in through the login form and waits for the inbox.
pub(super) async fn sign_in(browser: &Browser, app: &TestApp, email: &str) -> Result<Page> {
    let page = browser.new_page(&app.url("/login")).await?;
    page.wait_for("#sign-in", WAIT).await?;
    page.fill("#email", email).await?;
    page.fill("#password", ADMIN_PASSWORD).await?;
    page.click("#sign-in").await?;
    page.wait_for("#inbox-title", WAIT).await?;
    wait_until(
        &page,
        "!!document.querySelector('#me-email')?.innerText",
        "the account",
    )
    .await?;
    Ok(page)
}

/// The conversation as the API shows it.
pub(super) async fn conversation_json(app: &TestApp, token: &str, id: &str) -> Value {
    json_with_status(
        app.get(&format!("/api/v1/conversations/{id}"), token).await,
        200,
    )
    .await
}

/// Starts a conversation through the API with a name and company.
pub(super) async fn start(
    app: &TestApp,
    token: &str,
    phone: &str,
    name: &str,
    company: &str,
) -> Value {
    let response = app
        .post_json(
            "/api/v1/conversations",
            Some(token),
            &json!({ "phone_number": phone, "contact_name": name, "company": company,
                     "message": format!("Hello {name}") }),
        )
        .await;
    json_with_status(response, 201).await["conversation"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn starts_a_conversation_sends_with_enter_and_saves_a_guide() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let shots = screenshot_dir();
    let browser = Browser::launch().await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.wait_for("#list-empty", WAIT).await?;
    page.wait_for("#no-selection", WAIT).await?;
    page.screenshot(shots.join("spa-inbox-empty.png")).await?;

    // The dialog shows the E.164 form as you type, and the server's refusal by the field.
    page.click("#start-conversation").await?;
    page.wait_for("#start-dialog", WAIT).await?;
    page.fill("#start-phone", "12").await?;
    page.wait_for("#start-phone-invalid", WAIT).await?;
    page.fill("#start-message", "Hello").await?;
    page.click("#start-submit").await?;
    let refusal = page.wait_for("#start-phone-error", WAIT).await?;
    assert!(!refusal.is_empty());
    page.screenshot(shots.join("spa-start-dialog-error.png"))
        .await?;

    page.fill("#start-phone", "(416) 555-1234").await?;
    page.wait_for_text("#start-phone-e164", "+14165551234", WAIT)
        .await?;
    page.fill("#start-name", "Ada Lovelace").await?;
    page.fill("#start-company", "Analytical Engines").await?;
    page.fill(
        "#start-message",
        "Hi Ada, thanks for your interest in our enterprise plan!",
    )
    .await?;
    assert_eq!(
        page.eval::<String>("document.querySelector('#start-segments').dataset.segments")
            .await?,
        "1"
    );
    page.screenshot(shots.join("spa-start-dialog.png")).await?;
    page.click("#start-submit").await?;

    // Lands in the new conversation, which the list shows too.
    wait_until(
        &page,
        "location.pathname.startsWith('/c/')",
        "the conversation URL",
    )
    .await?;
    page.wait_for_gone("#start-dialog", WAIT).await?;
    page.wait_for_text("#conv-title", "Ada Lovelace", WAIT)
        .await?;
    // Shown nationally to a North American tenant (the API keeps E.164).
    assert_eq!(page.text("#conv-phone").await?, "(416) 555-1234");
    assert_eq!(page.text("#conv-company").await?, "Analytical Engines");
    page.wait_for_text("#conversation-list", "Ada Lovelace", WAIT)
        .await?;
    page.wait_for_text("#messages", "enterprise plan", WAIT)
        .await?;
    let path: String = page.eval("location.pathname").await?;
    let id = path.trim_start_matches("/c/").to_string();

    // The composer counts segments with the server's own code and warns past one.
    page.fill("#composer", &"a".repeat(161)).await?;
    wait_until(
        &page,
        "document.querySelector('#segment-counter').dataset.segments === '2'",
        "two segments",
    )
    .await?;
    page.wait_for("#segment-counter-warning", WAIT).await?;
    page.fill("#composer", "Olá 😀").await?;
    wait_until(
        &page,
        "document.querySelector('#segment-counter').dataset.encoding === 'UCS-2'",
        "UCS-2",
    )
    .await?;

    // Shift+Enter does not send; Enter does, and clears the composer.
    page.fill("#composer", "Does Tuesday work for a demo?")
        .await?;
    page.eval::<bool>(
        "document.querySelector('#composer').dispatchEvent(new KeyboardEvent('keydown', \
         { key: 'Enter', shiftKey: true, bubbles: true, cancelable: true }))",
    )
    .await?;
    assert_eq!(app.messages(&acme.admin_token, &id).await.len(), 1);
    page.press("#composer", "Enter").await?;
    page.wait_for_text("#messages", "Does Tuesday work", WAIT)
        .await?;
    assert_eq!(page.value("#composer").await?, "");
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message]')].every(m => \
         m.dataset.status !== 'pending' && m.dataset.status !== 'not_sent')",
        "the server's answer to the send",
    )
    .await?;
    let messages = app.messages(&acme.admin_token, &id).await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[1]["text"], "Does Tuesday work for a demo?");
    assert_eq!(messages[1]["author"], "agent");

    // Telnyx refuses the next one: the message shows the carrier's reason in words (through
    // the feed, or the page's own refresh while the feed is down). The earlier sends must
    // have reached the carrier first, or the refusal could hit one of them.
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message]')].every(m => \
         m.dataset.status === 'sent' || m.dataset.status === 'delivered')",
        "the earlier messages to reach the carrier",
    )
    .await?;
    app.sim.faults().reject(1, "40010");
    page.fill("#composer", "This one will bounce").await?;
    page.press("#composer", "Enter").await?;
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message]')].some(m => \
         m.innerText.includes('This one will bounce') && m.dataset.status.endsWith('failed') \
         && m.querySelector('[data-testid=message-error]'))",
        "the carrier's refusal on the message",
    )
    .await?;
    page.screenshot(shots_path("spa-conversation-failed.png"))
        .await?;

    // Header: qualification and the AI switch are saved on the server.
    choose(&page, "#qualification", "qualified").await?;
    wait_until(
        &page,
        "document.querySelector('#qualification').value === 'qualified'",
        "qualified",
    )
    .await?;
    page.click("#ai-toggle").await?;
    wait_until(
        &page,
        "document.querySelector('#ai-toggle').getAttribute('aria-checked') === 'false'",
        "AI off",
    )
    .await?;
    page.wait_for_text("#conversation-list", "AI off", WAIT)
        .await?;
    assert_eq!(
        page.eval::<String>("document.activeElement.id").await?,
        "ai-toggle",
        "the switch keeps the focus after the update"
    );
    let conversation = json_with_status(
        app.get(&format!("/api/v1/conversations/{id}"), &acme.admin_token)
            .await,
        200,
    )
    .await;
    assert_eq!(conversation["qualification_status"], "qualified");
    assert_eq!(conversation["ai_enabled"], false);
    page.screenshot(shots.join("spa-conversation.png")).await?;

    // The AI guide: none yet, then written and saved.
    page.click("#guide-button").await?;
    page.wait_for_text("#guide-status", "no guide", WAIT)
        .await?;
    page.fill(
        "#guide-text",
        "This customer is interested in enterprise plans. Focus on ROI.",
    )
    .await?;
    page.click("#guide-save").await?;
    page.wait_for_text("#guide-status", "Saved", WAIT).await?;
    page.screenshot(shots.join("spa-guide-dialog.png")).await?;
    let guide = json_with_status(
        app.get(
            &format!("/api/v1/conversations/{id}/guide"),
            &acme.admin_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        guide["text"],
        "This customer is interested in enterprise plans. Focus on ROI."
    );
    page.press("#guide-text", "Escape").await?;
    page.wait_for_gone("#guide-dialog", WAIT).await?;
    page.wait_for("#guide-set", WAIT).await?;

    // Reopened after a reload, the guide is still there.
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for_text("#conv-title", "Ada Lovelace", WAIT)
        .await?;
    page.click("#guide-button").await?;
    wait_until(
        &page,
        "document.querySelector('#guide-text')?.value.includes('Focus on ROI')",
        "the saved guide",
    )
    .await?;

    page.press("#guide-text", "Escape").await?;
    page.wait_for_gone("#guide-dialog", WAIT).await?;

    // Starting again with the same customer resumes the active conversation.
    page.click("#start-conversation").await?;
    page.fill("#start-phone", "+1 416 555 1234").await?;
    page.fill("#start-message", "Following up on our chat")
        .await?;
    page.click("#start-submit").await?;
    page.wait_for_text("#inbox-notice", "already had an active conversation", WAIT)
        .await?;
    page.wait_for_path(&path, WAIT).await?;
    page.wait_for_text("#messages", "Following up on our chat", WAIT)
        .await?;
    assert_eq!(row_count(&page).await?, 1);

    // The customer opts out: the list says so and the composer explains why it is closed.
    app.sim
        .send_inbound("+14165551234", OUR_NUMBER, "STOP")
        .await
        .expect("inbound");
    page.goto(&app.url(&path)).await?;
    page.wait_for_text("#composer-blocked", "opted out", WAIT)
        .await?;
    page.wait_for_text("#conversation-list", "Opted out", WAIT)
        .await?;
    assert!(
        page.eval::<bool>("document.querySelector('#composer').disabled")
            .await?
    );

    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn live_delivery_status_and_inbound_messages_appear_without_reload() -> Result<()> {
    // AI replies come at once (tests otherwise hold them for a minute).
    let app = TestApp::spawn_with(
        [("PARLEY_AI_DEBOUNCE_MS".to_string(), "100".to_string())]
            .into_iter()
            .collect(),
    )
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let ada = start(
        &app,
        &token,
        "+14165551234",
        "Ada Lovelace",
        "Analytical Engines",
    )
    .await;
    let id = ada["id"].as_str().unwrap().to_string();
    let browser = Browser::launch().await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.wait_for_text("#conversation-list", "Ada Lovelace", WAIT)
        .await?;
    page.click(&format!("[data-id='{id}'].conv-row")).await?;
    page.wait_for_text("#conv-title", "Ada Lovelace", WAIT)
        .await?;
    page.wait_for("#feed-status[data-state='live']", WAIT)
        .await?;

    // The customer writes: the message appears, then the assistant's answer (the offline
    // demo responder in tests), both without a reload.
    app.sim
        .send_inbound("+14165551234", OUR_NUMBER, "Great, thank you!")
        .await
        .expect("inbound");
    page.wait_for_text("#messages", "Great, thank you!", WAIT)
        .await?;
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message]')].some(m => \
         m.dataset.direction === 'inbound' && m.dataset.author === 'customer')",
        "an inbound message",
    )
    .await?;
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message]')].some(m => m.dataset.author === 'ai')",
        "the AI's reply",
    )
    .await?;
    page.wait_for_text("#messages", "AI (offline demo)", WAIT)
        .await?;
    page.screenshot(shots_path("spa-live-ai-reply.png")).await?;

    // A person answers: sent, then delivered, as the receipts reach the page through the
    // feed; the AI steps back, and the header says so.
    page.fill("#composer", "Your order shipped today.").await?;
    page.press("#composer", "Enter").await?;
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message]')].some(m => \
         m.innerText.includes('Your order shipped') && m.dataset.status === 'delivered')",
        "the message to be delivered",
    )
    .await?;
    page.wait_for_text("#messages", "Delivered", WAIT).await?;
    page.wait_for("#conv-ai-paused", WAIT).await?;
    page.click("#ai-resume").await?;
    page.wait_for_gone("#conv-ai-paused", WAIT).await?;

    // Another customer writes: a new row on top of the list, with an unread badge.
    app.sim
        .send_inbound("+14165559876", OUR_NUMBER, "Do you open on Sundays?")
        .await
        .expect("inbound");
    wait_until(
        &page,
        "document.querySelector('[data-testid=conversation-row]')?.dataset.phone === '+14165559876'",
        "the new conversation on top",
    )
    .await?;
    page.wait_for(
        "[data-testid=conversation-row] [data-testid=unread-badge]",
        WAIT,
    )
    .await?;
    page.screenshot(shots_path("spa-live.png")).await?;
    // The tab counts what waits unread, for a person working in another tab.
    wait_until(
        &page,
        "/^\\(\\d+\\) .* — Parley$/.test(document.title)",
        "the unread count in the tab's title",
    )
    .await?;
    // Opening it reads it: the badge goes, for this person only.
    page.click("[data-testid=conversation-row][data-phone='+14165559876']")
        .await?;
    page.wait_for_gone(
        "[data-testid=conversation-row][data-phone='+14165559876'] [data-testid=unread-badge]",
        WAIT,
    )
    .await?;
    page.click("[data-testid=conversation-row][data-phone='+14165551234']")
        .await?;
    page.wait_for_text("#conv-phone", "(416) 555-1234", WAIT)
        .await?;

    // Ada writes again: her row moves back to the top.
    app.sim
        .send_inbound("+14165551234", OUR_NUMBER, "One more question")
        .await
        .expect("inbound");
    wait_until(
        &page,
        "document.querySelector('[data-testid=conversation-row]')?.dataset.phone === '+14165551234'",
        "Ada's conversation back on top",
    )
    .await?;

    // Ada opts out: her conversation says so and the composer closes, without a reload.
    // (After the AI has answered her question: a reply written while the STOP is recorded
    // can leave the conversation's `updated_at` older than the reply's, which the page
    // then takes for stale.)
    wait_until(
        &page,
        "document.querySelectorAll('[data-testid=message][data-author=ai]').length >= 2",
        "the AI's answer to the question",
    )
    .await?;
    app.sim
        .send_inbound("+14165551234", OUR_NUMBER, "STOP")
        .await
        .expect("inbound");
    page.wait_for("#conv-opted-out", WAIT).await?;
    page.wait_for_text("#composer-blocked", "opted out", WAIT)
        .await?;

    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

pub(super) fn shots_path(name: &str) -> std::path::PathBuf {
    screenshot_dir().join(name)
}

#[tokio::test(flavor = "multi_thread")]
async fn searches_filters_keeps_them_in_the_url_and_exports_csv() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    start(
        &app,
        &token,
        "+14165551234",
        "Ada Lovelace",
        "Analytical Engines",
    )
    .await;
    let grace = start(&app, &token, "+14165552222", "Grace Hopper", "Navy").await;
    start(&app, &token, "+14165553333", "Alan Turing", "Bletchley").await;
    let response = app
        .patch_json(
            &format!("/api/v1/conversations/{}", grace["id"].as_str().unwrap()),
            &token,
            &json!({ "qualification_status": "qualified" }),
        )
        .await;
    json_with_status(response, 200).await;

    let browser = Browser::launch().await?;
    let downloads = tempfile::tempdir()?;
    browser.allow_downloads(downloads.path()).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    wait_for_rows(&page, 3).await?;
    page.screenshot(shots_path("spa-inbox.png")).await?;

    // The keyboard moves between rows, and the focused row shows it.
    page.press("[data-testid=conversation-row]", "ArrowDown")
        .await?;
    wait_until(
        &page,
        "document.activeElement === document.querySelectorAll('[data-testid=conversation-row]')[1]",
        "focus on the second row",
    )
    .await?;
    let outline: String = page
        .eval("getComputedStyle(document.activeElement).outlineStyle")
        .await?;
    assert_ne!(outline, "none", "visible focus");

    // Search by name, then by partial digits in another format.
    page.fill("#search", "lovelace").await?;
    wait_for_rows(&page, 1).await?;
    page.wait_for_text("#conversation-list", "Ada Lovelace", WAIT)
        .await?;
    page.wait_for_path("/?q=lovelace", WAIT).await?;
    page.fill("#search", "555-22").await?;
    wait_for_rows(&page, 1).await?;
    page.wait_for_text("#conversation-list", "Grace Hopper", WAIT)
        .await?;
    page.fill("#search", "").await?;
    wait_for_rows(&page, 3).await?;

    // Filter by qualification: the URL keeps it, a reload shows the same selection.
    page.click("#filters-toggle").await?;
    page.wait_for("#filters", WAIT).await?;
    choose(&page, "#filter-qualification", "qualified").await?;
    wait_for_rows(&page, 1).await?;
    page.wait_for_path("/?qualification_status=qualified", WAIT)
        .await?;
    page.screenshot(shots_path("spa-inbox-filtered.png"))
        .await?;
    page.goto(&app.url("/?qualification_status=qualified"))
        .await?;
    wait_for_rows(&page, 1).await?;
    page.wait_for_text("#conversation-list", "Grace Hopper", WAIT)
        .await?;
    assert_eq!(page.value("#filter-qualification").await?, "qualified");

    // Export downloads what the filters select.
    page.click("#export-csv").await?;
    page.wait_for_text("#export-status", "Downloaded", WAIT)
        .await?;
    let deadline = Instant::now() + WAIT;
    let csv = loop {
        let found = std::fs::read_dir(downloads.path())?
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|ext| ext == "csv"));
        if let Some(path) = found {
            let text = std::fs::read_to_string(&path)?;
            if !text.is_empty() {
                break text;
            }
        }
        assert!(Instant::now() < deadline, "no CSV was downloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(csv.contains("+14165552222"), "{csv}");
    assert!(!csv.contains("+14165551234"), "{csv}");

    // A date range without activity selects nothing; clearing shows everything again.
    choose(&page, "#filter-from", "2001-01-01").await?;
    choose(&page, "#filter-to", "2001-01-31").await?;
    page.wait_for("#list-empty", WAIT).await?;
    page.click("#filters-clear").await?;
    wait_for_rows(&page, 3).await?;
    page.wait_for_path("/", WAIT).await?;

    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_loads_more_as_it_scrolls() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    for i in 0..36 {
        app.start_conversation(
            &acme.admin_token,
            &format!("+1416555{:04}", 4000 + i),
            &format!("Hello number {i}"),
        )
        .await;
    }
    let browser = Browser::launch_with_viewport(1280, 700).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    wait_until(
        &page,
        "document.querySelectorAll('[data-testid=conversation-row]').length >= 20",
        "the first page",
    )
    .await?;
    let first = row_count(&page).await?;
    assert!(first < 36, "one page at first ({first})");
    page.eval::<bool>(
        "(() => { const s = document.querySelector('.list-scroll'); \
         s.scrollTop = s.scrollHeight; return true; })()",
    )
    .await?;
    wait_for_rows(&page, 36).await?;
    page.wait_for_gone("#load-more", WAIT).await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn another_tenant_sees_none_of_it() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let globex = app
        .create_tenant_with_number("Globex", "+14165550199")
        .await;
    let ada = start(
        &app,
        &acme.admin_token,
        "+14165551234",
        "Ada Lovelace",
        "Analytical Engines",
    )
    .await;
    let id = ada["id"].as_str().unwrap();

    let acme_browser = Browser::launch().await?;
    let acme_page = sign_in(&acme_browser, &app, &acme.admin_email).await?;
    wait_for_rows(&acme_page, 1).await?;

    let globex_browser = Browser::launch().await?;
    let page = sign_in(&globex_browser, &app, &globex.admin_email).await?;
    assert_eq!(page.text("#me-tenant").await?, "Globex");
    page.wait_for("#list-empty", WAIT).await?;
    assert_eq!(row_count(&page).await?, 0);
    page.fill("#search", "Lovelace").await?;
    page.wait_for_path("/?q=Lovelace", WAIT).await?;
    page.wait_for("#list-empty", WAIT).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("#conversation-error", WAIT).await?;
    assert_eq!(row_count(&page).await?, 0);
    let body: String = page.eval("document.body.innerText").await?;
    assert!(
        !body.contains("Lovelace")
            && !body.contains("+14165551234")
            && !body.contains("(416) 555-1234")
    );

    // A customer writing to Acme does not reach Globex's page either.
    app.sim
        .send_inbound("+14165557777", OUR_NUMBER, "For Acme only")
        .await
        .expect("inbound");
    wait_for_rows(&acme_page, 2).await.ok();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let body: String = page.eval("document.body.innerText").await?;
    assert!(!body.contains("For Acme only"));

    assert_clean_console(&page);
    acme_browser.close().await?;
    globex_browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_list_and_the_conversation_are_two_screens() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let ada = start(
        &app,
        &acme.admin_token,
        "+14165551234",
        "Ada Lovelace",
        "Analytical Engines",
    )
    .await;
    start(
        &app,
        &acme.admin_token,
        "+14165552222",
        "Grace Hopper",
        "Navy",
    )
    .await;
    let id = ada["id"].as_str().unwrap();

    let browser = Browser::launch_with_viewport(375, 812).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    wait_for_rows(&page, 2).await?;
    let visible = |selector: &str| {
        format!("(() => {{ const e = document.querySelector('{selector}'); return !!e && e.offsetParent !== null; }})()")
    };
    assert!(page.eval::<bool>(&visible(".list-pane")).await?);
    assert!(!page.eval::<bool>(&visible(".conversation-pane")).await?);
    let no_overflow = "document.documentElement.scrollWidth <= 375";
    assert!(
        page.eval::<bool>(no_overflow).await?,
        "no sideways scrolling"
    );
    page.screenshot(shots_path("spa-phone-inbox.png")).await?;

    page.click(&format!("[data-id='{id}'].conv-row")).await?;
    page.wait_for_text("#conv-title", "Ada Lovelace", WAIT)
        .await?;
    wait_until(
        &page,
        &visible(".conversation-pane"),
        "the conversation screen",
    )
    .await?;
    assert!(!page.eval::<bool>(&visible(".list-pane")).await?);
    assert!(
        page.eval::<bool>(no_overflow).await?,
        "no sideways scrolling"
    );
    page.fill("#composer", "Sent from a phone").await?;
    page.click("#send").await?;
    page.wait_for_text("#messages", "Sent from a phone", WAIT)
        .await?;
    page.screenshot(shots_path("spa-phone-conversation.png"))
        .await?;

    page.click("#back-to-list").await?;
    wait_until(&page, &visible(".list-pane"), "the list screen").await?;
    page.wait_for_path("/", WAIT).await?;

    page.click("#start-conversation").await?;
    page.wait_for("#start-dialog", WAIT).await?;
    page.screenshot(shots_path("spa-phone-start-dialog.png"))
        .await?;

    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn assistants_clients_diagnostics_and_usage_pages() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    start(
        &app,
        &acme.admin_token,
        "+14165551234",
        "Ada Lovelace",
        "Analytical Engines",
    )
    .await;
    let browser = Browser::launch().await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;

    // Assistants: create one, make it the default, edit its prompt.
    page.click("#nav-assistants").await?;
    page.wait_for("#assistants-title", WAIT).await?;
    page.click("#new-assistant").await?;
    page.fill("#assistant-name", "Front desk").await?;
    page.fill(
        "#assistant-prompt",
        "You are the friendly front desk of Acme.",
    )
    .await?;
    page.fill("#assistant-temperature", "0.4").await?;
    page.click("#assistant-save").await?;
    page.wait_for_text("#assistant-list", "Front desk", WAIT)
        .await?;
    page.click("[data-testid=make-default]").await?;
    page.wait_for("[data-testid=default-badge]", WAIT).await?;
    let assistants =
        json_with_status(app.get("/api/v1/assistants", &acme.admin_token).await, 200).await;
    let front = assistants["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Front desk")
        .expect("created");
    assert_eq!(front["is_default"], true);
    page.click("[data-testid=edit-assistant]").await?;
    page.fill("#assistant-prompt", "You are Acme's front desk. Be brief.")
        .await?;
    page.click("#assistant-save").await?;
    page.wait_for_text("#assistant-list", "Be brief.", WAIT)
        .await?;
    page.screenshot(shots_path("spa-assistants.png")).await?;

    // Clients: create, search, edit.
    page.click("#nav-clients").await?;
    page.wait_for("#clients-title", WAIT).await?;
    page.click("#new-client").await?;
    page.fill("#client-first-name", "Sarah").await?;
    page.fill("#client-last-name", "Connor").await?;
    page.fill("#client-phone", "(416) 555-0142").await?;
    page.fill("#client-company", "Cyberdyne").await?;
    page.fill("#client-email", "sarah@example.com").await?;
    page.click("#client-save").await?;
    page.wait_for_text("#client-list", "+14165550142", WAIT)
        .await?;
    page.fill("#client-search", "cyber").await?;
    page.wait_for_text("#client-list", "Sarah Connor", WAIT)
        .await?;
    page.fill("#client-search", "nobody-by-that-name").await?;
    page.wait_for("#clients-empty", WAIT).await?;
    page.fill("#client-search", "").await?;
    page.wait_for_text("#client-list", "Sarah", WAIT).await?;
    page.click("[data-testid=edit-client]").await?;
    page.fill("#client-company", "Cyberdyne Systems").await?;
    page.click("#client-save").await?;
    page.wait_for_text("#client-list", "Cyberdyne Systems", WAIT)
        .await?;
    page.screenshot(shots_path("spa-clients.png")).await?;

    // Diagnostics: whatever the server offers, the page shows without errors.
    page.click("#nav-diagnostics").await?;
    page.wait_for("#diagnostics-title", WAIT).await?;
    page.wait_for("#webhook-deliveries", WAIT).await?;
    page.wait_for("#checks", WAIT).await?;
    page.wait_for("#ai-generations", WAIT).await?;
    page.screenshot(shots_path("spa-diagnostics.png")).await?;

    // Usage: a chart of the days with the message we sent.
    page.click("#nav-usage").await?;
    page.wait_for("#usage-title", WAIT).await?;
    page.wait_for("#usage-messages svg", WAIT).await?;
    wait_until(
        &page,
        "Number(document.querySelector('#total-messages-out')?.innerText) >= 1",
        "one message out",
    )
    .await?;
    page.screenshot(shots_path("spa-usage.png")).await?;

    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_views_show_mine_unassigned_closed_and_who_needs_a_person() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    json_with_status(
        app.patch_json("/api/v1/me", &token, &json!({"name": "Morgan Reyes"}))
            .await,
        200,
    )
    .await;
    // Started by the admin: assigned to them. Started by an API key: nobody's.
    let mine = start(&app, &token, "+14165554001", "Mia Mine", "Acme Dental").await;
    let key = app.create_api_key(acme.tenant.id).await;
    start(&app, &key, "+14165554002", "Uma Unassigned", "").await;
    let handed = start(&app, &key, "+14165554003", "Hana Handoff", "").await;
    let closed = start(&app, &key, "+14165554004", "Cole Closed", "").await;
    for (conversation, body) in [
        (&handed, json!({"needs_human": true})),
        (&closed, json!({"status": "closed"})),
    ] {
        let id = conversation["id"].as_str().unwrap();
        json_with_status(
            app.patch_json(&format!("/api/v1/conversations/{id}"), &token, &body)
                .await,
            200,
        )
        .await;
    }
    let names_shown = "Array.from(document.querySelectorAll('[data-testid=conversation-name]')).map(e => e.innerText.trim()).sort().join('|')";

    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    wait_for_rows(&page, 4).await?;
    assert_eq!(
        page.eval::<String>("document.querySelector('#view-all').getAttribute('aria-pressed')")
            .await?,
        "true"
    );
    for (tab, expected, query) in [
        ("#view-mine", "Mia Mine", "assignee=me"),
        (
            "#view-unassigned",
            "Hana Handoff|Uma Unassigned",
            "assignee=unassigned",
        ),
        ("#view-needs-person", "Hana Handoff", "needs_human=true"),
        ("#view-closed", "Cole Closed", "status=closed"),
        (
            "#view-open",
            "Hana Handoff|Mia Mine|Uma Unassigned",
            "status=active",
        ),
    ] {
        page.click(tab).await?;
        wait_until(
            &page,
            &format!("{names_shown} === {}", serde_json::to_string(expected)?),
            &format!("the rows of {tab}"),
        )
        .await?;
        assert!(page.url().await?.contains(query), "{tab} is in the URL");
        assert_eq!(
            page.eval::<String>(&format!(
                "document.querySelector('{tab}').getAttribute('aria-pressed')"
            ))
            .await?,
            "true"
        );
    }
    // The handoff stands out in the list.
    assert_eq!(
        page.eval::<usize>("document.querySelectorAll('[data-testid=needs-person]').length")
            .await?,
        1
    );
    page.screenshot(shots_path("spa-views-open.png")).await?;

    // A reload keeps the view; an agent's message is signed with their name.
    page.click("#view-mine").await?;
    wait_for_rows(&page, 1).await?;
    page.goto(&page.url().await?).await?;
    wait_for_rows(&page, 1).await?;
    let mine_id = mine["id"].as_str().unwrap();
    page.click(&format!("[data-id='{mine_id}']")).await?;
    page.wait_for("[data-testid=message]", WAIT).await?;
    wait_until(
        &page,
        "document.querySelector('[data-testid=message] .author')?.innerText.includes('Morgan Reyes')",
        "the agent's name on their message",
    )
    .await?;
    page.screenshot(shots_path("spa-views-mine-signed.png"))
        .await?;

    // On a phone nothing scrolls sideways, the tabs included.
    page.set_viewport(390, 844).await?;
    page.goto(&app.url("/?status=active")).await?;
    wait_for_rows(&page, 3).await?;
    assert!(
        page.eval::<bool>(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        .await?,
        "no sideways scrolling at 390 px"
    );
    page.screenshot(shots_path("spa-views-phone.png")).await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_delivery_is_retried_from_the_thread() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    // The simulator fails deliveries to numbers ending in 0000.
    let started = app
        .start_conversation(&acme.admin_token, "+14165550000", "Your order is ready")
        .await;
    let id = started["conversation"]["id"].as_str().unwrap().to_string();
    let failed = started["message"]["id"].as_str().unwrap().to_string();
    app.wait_for_status(&acme.admin_token, &id, &failed, "delivery_failed")
        .await;

    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("[data-testid=retry-failed]", WAIT).await?;
    page.click("[data-testid=retry-failed]").await?;
    wait_until(
        &page,
        "document.querySelectorAll('[data-testid=message]').length === 2",
        "the retried message in the thread",
    )
    .await?;
    page.screenshot(shots_path("spa-retry-failed.png")).await?;
    let history = app.messages(&acme.admin_token, &id).await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["retry_of"], failed.as_str());
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_half_written_reply_waits_in_its_conversation_and_names_its_ucs2_character() -> Result<()>
{
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let first = start(&app, &acme.admin_token, "+14165554101", "Ada First", "").await;
    let second = start(&app, &acme.admin_token, "+14165554102", "Bo Second", "").await;
    let (first, second) = (
        first["id"].as_str().unwrap().to_string(),
        second["id"].as_str().unwrap().to_string(),
    );
    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{first}"))).await?;
    page.wait_for("#composer", WAIT).await?;
    page.fill("#composer", "We\u{2019}ll call you back").await?;
    wait_until(
        &page,
        "document.querySelector('#segment-counter').innerText.includes('because of “’” (U+2019)')",
        "the counter naming the curly apostrophe",
    )
    .await?;
    page.screenshot(shots_path("spa-composer-draft-ucs2.png"))
        .await?;

    // Another conversation has its own (empty) composer; coming back finds the draft.
    page.click(&format!("[data-id='{second}']")).await?;
    wait_until(
        &page,
        &format!("document.querySelector('article.conversation')?.dataset.id === '{second}'"),
        "the second conversation",
    )
    .await?;
    assert_eq!(page.value("#composer").await?, "");
    page.click(&format!("[data-id='{first}']")).await?;
    wait_until(
        &page,
        "document.querySelector('#composer')?.value === 'We\u{2019}ll call you back'",
        "the draft after switching back",
    )
    .await?;
    // A reload keeps it too; sending forgets it.
    page.goto(&app.url(&format!("/c/{first}"))).await?;
    wait_until(
        &page,
        "document.querySelector('#composer')?.value === 'We\u{2019}ll call you back'",
        "the draft after a reload",
    )
    .await?;
    page.press("#composer", "Enter").await?;
    wait_until(
        &page,
        "document.querySelectorAll('[data-testid=message]').length === 2",
        "the sent reply",
    )
    .await?;
    page.goto(&app.url(&format!("/c/{first}"))).await?;
    page.wait_for("#composer", WAIT).await?;
    wait_until(
        &page,
        "document.querySelectorAll('[data-testid=message]').length === 2",
        "the thread after a reload",
    )
    .await?;
    assert_eq!(page.value("#composer").await?, "");
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_header_assigns_settles_a_handoff_and_shows_the_ai_in_one_control() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let lee = add_lee(&app, &token).await;
    let lee_id = lee["id"].as_str().unwrap().to_string();
    let key = app.create_api_key(acme.tenant.id).await;
    let conversation = start(&app, &key, "+14165554201", "Rita Refund", "").await;
    let id = conversation["id"].as_str().unwrap().to_string();
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{id}"),
            &token,
            &json!({"needs_human": true}),
        )
        .await,
        200,
    )
    .await;

    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("#conv-needs-person", WAIT).await?;
    wait_until(
        &page,
        "document.querySelectorAll('#assignee option').length === 3",
        "the team in the assignment list",
    )
    .await?;
    choose(&page, "#assignee", &lee_id).await?;
    let deadline = Instant::now() + WAIT;
    while conversation_json(&app, &token, &id).await["assignee_id"] != lee_id.as_str() {
        assert!(Instant::now() < deadline, "never assigned to Lee");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    page.screenshot(shots_path("spa-header-handoff-assigned.png"))
        .await?;
    page.click("#handoff-done").await?;
    page.wait_for_gone("#conv-needs-person", WAIT).await?;
    assert_eq!(
        conversation_json(&app, &token, &id).await["needs_human"],
        false
    );

    // A person's reply pauses the AI: the one control says so, and Resume ends it.
    assert_eq!(
        page.eval::<String>("document.querySelector('#ai-toggle').getAttribute('aria-checked')")
            .await?,
        "true"
    );
    page.fill("#composer", "I've refunded the second charge.")
        .await?;
    page.press("#composer", "Enter").await?;
    wait_until(
        &page,
        "document.querySelector('#ai-toggle').getAttribute('aria-checked') === 'mixed'",
        "the AI paused",
    )
    .await?;
    page.wait_for("#conv-ai-paused", WAIT).await?;
    page.screenshot(shots_path("spa-header-ai-paused.png"))
        .await?;
    page.click("#ai-resume").await?;
    wait_until(
        &page,
        "document.querySelector('#ai-toggle').getAttribute('aria-checked') === 'true'",
        "the AI on again",
    )
    .await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn two_agents_see_assignment_and_a_handoff_live() -> Result<()> {
    let fake = parley_tests::ai_fake::AiFake::start().await;
    let app = TestApp::spawn_with(parley_tests::settings(&[
        ("PARLEY_AI_BASE_URL", fake.base_url()),
        ("PARLEY_AI_API_KEY", "sk-test"),
        ("PARLEY_AI_DEBOUNCE_MS", "100"),
    ]))
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let lee = add_lee(&app, &acme.admin_token).await;
    let lee_id = lee["id"].as_str().unwrap().to_string();

    // The AI hands the first message it sees to a person.
    fake.push_tool_call(
        "handoff_to_human",
        json!({"reason": "Asks about a refund"}),
        Some("A colleague will text you shortly."),
    );

    let admin_browser = Browser::launch_with_viewport(1280, 800).await?;
    let lee_browser = Browser::launch_with_viewport(1280, 800).await?;
    let admin = sign_in(&admin_browser, &app, &acme.admin_email).await?;
    let lee_page = sign_in(&lee_browser, &app, "lee@example.com").await?;
    // Lee watches "Needs a person"; the admin watches everything.
    lee_page.click("#view-needs-person").await?;
    wait_for_rows(&lee_page, 0).await?;

    app.sim
        .send_inbound(
            "+14165554301",
            OUR_NUMBER,
            "I was charged twice, can I get a refund?",
        )
        .await
        .expect("inbound");
    // Both see the handoff without reloading.
    wait_for_rows(&lee_page, 1).await?;
    lee_page
        .wait_for("[data-testid=needs-person]", WAIT)
        .await?;
    wait_for_rows(&admin, 1).await?;
    admin.wait_for("[data-testid=needs-person]", WAIT).await?;

    // The admin assigns it to Lee; Lee's Mine view has it at once.
    lee_page.click("#view-mine").await?;
    wait_for_rows(&lee_page, 0).await?;
    admin.click("[data-testid=conversation-row]").await?;
    admin.wait_for("#conv-needs-person", WAIT).await?;
    wait_until(
        &admin,
        "document.querySelectorAll('#assignee option').length === 3",
        "the team in the assignment list",
    )
    .await?;
    choose(&admin, "#assignee", &lee_id).await?;
    wait_for_rows(&lee_page, 1).await?;
    lee_page
        .screenshot(shots_path("spa-two-agents-lee-mine.png"))
        .await?;

    // Lee answers: the handoff is settled for the admin too.
    lee_page.click("[data-testid=conversation-row]").await?;
    lee_page.wait_for("#composer", WAIT).await?;
    lee_page
        .fill(
            "#composer",
            "Hi, Lee here. I've refunded the second charge.",
        )
        .await?;
    lee_page.press("#composer", "Enter").await?;
    admin.wait_for_gone("#conv-needs-person", WAIT).await?;
    wait_until(
        &admin,
        "[...document.querySelectorAll('[data-testid=message] .author')].some(a => a.innerText.includes('Lee Park'))",
        "Lee's signed reply in the admin's thread",
    )
    .await?;
    // A note from the admin reaches Lee's open thread live, and is never texted.
    admin.click("#mode-note").await?;
    admin
        .fill("#composer", "Billing confirmed the refund: ticket 4411.")
        .await?;
    admin.press("#composer", "Enter").await?;
    lee_page
        .wait_for_text(
            "[data-testid=note-text]",
            "Billing confirmed the refund: ticket 4411.",
            WAIT,
        )
        .await?;
    assert!(app
        .sim
        .sent_messages()
        .iter()
        .all(|m| !m.text.contains("ticket 4411")));
    admin
        .screenshot(shots_path("spa-two-agents-admin.png"))
        .await?;
    lee_page
        .screenshot(shots_path("spa-two-agents-lee-note.png"))
        .await?;
    assert_clean_console(&admin);
    assert_clean_console(&lee_page);
    admin_browser.close().await?;
    lee_browser.close().await?;
    Ok(())
}
