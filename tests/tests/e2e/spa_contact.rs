//! The contact panel beside the conversation, the lean header and the simulator's Demo menu,
//! in headless Chromium against the real server: a client created or linked from the panel,
//! a returning customer's earlier conversation, recorded interactions, qualification, the
//! Demo menu playing the customer, and the phone layout (header and panel sheet).

use std::time::{Duration, Instant};

use anyhow::Result;
use parley_tests::browser::{Browser, Page};
use parley_tests::{json_with_status, TestApp};
use serde_json::{json, Value};

use super::spa::{
    assert_clean_console, choose, conversation_json, shots_path, sign_in, start, wait_until,
    OUR_NUMBER, WAIT,
};

/// A server whose SPA offers the simulator (no Telnyx key: the built-in simulator plays it).
async fn spawn_in_simulator_mode() -> TestApp {
    TestApp::spawn_with(parley_tests::settings(&[("TELNYX_API_KEY", "")])).await
}

/// Waits until the API shows the conversation's `field` as `expected`.
async fn wait_for_field(app: &TestApp, token: &str, id: &str, field: &str, expected: &Value) {
    let deadline = Instant::now() + WAIT;
    loop {
        let conversation = conversation_json(app, token, id).await;
        if &conversation[field] == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{field} never became {expected}: {conversation}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const PANEL_SHOWN: &str = "#contact-panel:not([hidden])";
const NO_SIDEWAYS_SCROLL: &str =
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth";

async fn focused_id(page: &Page) -> Result<String> {
    page.eval("document.activeElement?.id ?? ''").await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_contact_panel_creates_a_client_shows_interactions_and_saves_qualification(
) -> Result<()> {
    let app = TestApp::spawn().await;
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
    json_with_status(
        app.post_json(
            "/api/v1/interactions",
            Some(&token),
            &json!({"channel": "voice", "phone_number": "+14165551234",
                    "summary": "Called about the enterprise plan; wants a quote."}),
        )
        .await,
        201,
    )
    .await;

    let browser = Browser::launch().await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for_text("#conv-title", "Ada Lovelace", WAIT)
        .await?;
    // Open by default beside the thread on a wide screen, with what we know of Ada.
    page.wait_for(PANEL_SHOWN, WAIT).await?;
    assert_eq!(page.text("#conv-company").await?, "Analytical Engines");
    page.wait_for_text("#interactions", "enterprise plan", WAIT)
        .await?;
    assert_eq!(
        page.eval::<usize>("document.querySelectorAll('[data-testid=interaction]').length")
            .await?,
        1
    );
    page.wait_for("#earlier-none", WAIT).await?;
    page.wait_for("#client-record-none", WAIT).await?;

    // A client record prefilled from the conversation, created and linked in one go.
    page.click("#create-client").await?;
    page.wait_for("#new-client-form", WAIT).await?;
    assert_eq!(page.value("#new-client-first-name").await?, "Ada");
    assert_eq!(page.value("#new-client-last-name").await?, "Lovelace");
    assert_eq!(page.value("#new-client-phone").await?, "(416) 555-1234");
    assert_eq!(
        page.value("#new-client-company").await?,
        "Analytical Engines"
    );
    page.fill("#new-client-email", "not an email").await?;
    page.click("#new-client-save").await?;
    // The server's refusal shows under the field it names.
    page.wait_for("#new-client-email-error", WAIT).await?;
    page.fill("#new-client-email", "ada@example.com").await?;
    page.click("#new-client-save").await?;
    page.wait_for_text("#client-record-link", "Ada Lovelace", WAIT)
        .await?;
    let conversation = conversation_json(&app, &token, &id).await;
    let client_id = conversation["client_id"]
        .as_str()
        .expect("the conversation is linked")
        .to_string();
    let client = json_with_status(
        app.get(&format!("/api/v1/clients/{client_id}"), &token)
            .await,
        200,
    )
    .await;
    assert_eq!(client["first_name"], "Ada");
    assert_eq!(client["last_name"], "Lovelace");
    assert_eq!(client["phone_number"], "+14165551234");
    assert_eq!(client["email"], "ada@example.com");

    // Qualification is saved on the server.
    choose(&page, "#qualification", "customer").await?;
    wait_for_field(
        &app,
        &token,
        &id,
        "qualification_status",
        &json!("customer"),
    )
    .await;
    page.screenshot(shots_path("spa-contact-panel.png")).await?;

    // The client's name leads to the Clients page, searched for it.
    page.click("#client-record-link").await?;
    page.wait_for_path("/clients?q=14165551234", WAIT).await?;
    page.wait_for_text("#client-list", "Ada Lovelace", WAIT)
        .await?;
    assert_eq!(page.value("#client-search").await?, "14165551234");

    // Closed on a wide screen, the panel stays closed on the next visit, until opened.
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for(PANEL_SHOWN, WAIT).await?;
    page.click("#contact-panel-toggle").await?;
    page.wait_for_gone(PANEL_SHOWN, WAIT).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for_text("#conv-title", "Ada Lovelace", WAIT)
        .await?;
    assert!(!page.exists(PANEL_SHOWN).await?);
    assert_eq!(
        page.eval::<String>(
            "document.querySelector('#contact-panel-toggle').getAttribute('aria-expanded')"
        )
        .await?,
        "false"
    );
    page.click("#contact-panel-toggle").await?;
    page.wait_for_text("#client-record-link", "Ada Lovelace", WAIT)
        .await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_returning_customer_links_a_client_and_the_demo_menu_plays_the_customer() -> Result<()> {
    let app = spawn_in_simulator_mode().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    // Grace's first conversation is closed; starting again makes a new one that continues it.
    let first = start(&app, &token, "+14165552222", "Grace Hopper", "Navy").await;
    let first = first["id"].as_str().unwrap().to_string();
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{first}"),
            &token,
            &json!({"status": "closed"}),
        )
        .await,
        200,
    )
    .await;
    let second = start(&app, &token, "+14165552222", "Grace Hopper", "Navy").await;
    assert_eq!(second["previous_conversation_id"], first.as_str());
    let second = second["id"].as_str().unwrap().to_string();
    let grace = json_with_status(
        app.post_json(
            "/api/v1/clients",
            Some(&token),
            &json!({"first_name": "Grace", "last_name": "Hopper", "phone_number": "+14165552222"}),
        )
        .await,
        201,
    )
    .await;

    let browser = Browser::launch().await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{second}"))).await?;
    page.wait_for_text("#conv-title", "Grace Hopper", WAIT)
        .await?;
    let earlier = format!("[data-testid=earlier-conversation][data-id='{first}']");
    let shown = page.wait_for(&earlier, WAIT).await?;
    assert!(shown.contains("Closed"), "{shown}");
    assert!(shown.contains("continued here"), "{shown}");
    assert_eq!(
        page.eval::<usize>(
            "document.querySelectorAll('[data-testid=earlier-conversation]').length"
        )
        .await?,
        1
    );

    // The existing client is found by the conversation's number and linked.
    page.click("#link-client").await?;
    page.wait_for("[data-testid=client-result]", WAIT).await?;
    assert_eq!(page.value("#client-link-search").await?, "(416) 555-2222");
    page.click("[data-testid=link-this-client]").await?;
    page.wait_for_text("#client-record-link", "Grace Hopper", WAIT)
        .await?;
    wait_for_field(&app, &token, &second, "client_id", &grace["id"]).await;

    // The Demo menu: opens, closes with Escape (the focus back on its button).
    page.click("#demo-menu").await?;
    page.wait_for("#demo-menu-items", WAIT).await?;
    wait_until(
        &page,
        "document.activeElement?.id === 'simulate-reply'",
        "the focus on the first item",
    )
    .await?;
    page.screenshot(shots_path("spa-demo-menu.png")).await?;
    page.press("#simulate-reply", "Escape").await?;
    page.wait_for_gone("#demo-menu-items", WAIT).await?;
    assert_eq!(focused_id(&page).await?, "demo-menu");
    // A click elsewhere closes it too.
    page.click("#demo-menu").await?;
    page.wait_for("#demo-menu-items", WAIT).await?;
    page.click("#conv-title").await?;
    page.wait_for_gone("#demo-menu-items", WAIT).await?;

    // It plays the customer: their reply arrives in the thread.
    page.click("#demo-menu").await?;
    page.click("#simulate-reply").await?;
    page.wait_for("#simulate-dialog", WAIT).await?;
    assert_eq!(page.value("#sim-from").await?, "+14165552222");
    page.fill("#sim-text", "Is Thursday still on?").await?;
    page.click("#sim-submit").await?;
    page.wait_for_gone("#simulate-dialog", WAIT).await?;
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message][data-direction=inbound]')]\
         .some(m => m.innerText.includes('Is Thursday still on?'))",
        "the simulated reply in the thread",
    )
    .await?;
    // And opts out with STOP.
    page.click("#demo-menu").await?;
    page.click("#demo-stop").await?;
    page.wait_for("#conv-opted-out", WAIT).await?;

    // The earlier conversation is a link; from there, the newer one is listed as active.
    page.click(&format!("{earlier} a")).await?;
    page.wait_for_path(&format!("/c/{first}"), WAIT).await?;
    let newer = format!("[data-testid=earlier-conversation][data-id='{second}']");
    let shown = page.wait_for(&newer, WAIT).await?;
    assert!(shown.contains("Active"), "{shown}");
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_header_is_lean_and_the_contact_panel_is_a_sheet() -> Result<()> {
    let app = spawn_in_simulator_mode().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let ada = start(
        &app,
        &token,
        "+14165551234",
        "Ada Lovelace-Byron of Ockham",
        "Analytical Engines and Difference Engines Limited",
    )
    .await;
    let id = ada["id"].as_str().unwrap().to_string();
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

    let browser = Browser::launch_with_viewport(390, 844).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for_text("#conv-title", "Ada Lovelace", WAIT)
        .await?;
    page.wait_for("#conv-needs-person", WAIT).await?;
    page.wait_for("#demo-menu", WAIT).await?;
    // The header holds the everyday controls; the panel waits behind its button.
    for control in [
        "#assignee",
        "#ai-toggle",
        "#status-toggle",
        "#contact-panel-toggle",
    ] {
        assert!(page.exists(control).await?, "{control} in the header");
    }
    assert!(!page.exists(PANEL_SHOWN).await?);
    assert!(
        page.eval::<bool>(NO_SIDEWAYS_SCROLL).await?,
        "the page scrolls sideways at 390 px"
    );
    // Nothing in the header reaches past its edge (the handoff's notice included).
    let header_fits = "[...document.querySelectorAll('.conv-header > *')].every(e => \
                       e.getBoundingClientRect().right <= window.innerWidth)";
    assert!(
        page.eval::<bool>(header_fits).await?,
        "the header is wider than the screen"
    );
    page.screenshot(shots_path("spa-header-lean.png")).await?;

    // The panel opens as a full-screen sheet with the focus on its title.
    page.click("#contact-panel-toggle").await?;
    page.wait_for(PANEL_SHOWN, WAIT).await?;
    wait_until(
        &page,
        "document.activeElement?.id === 'contact-panel-title'",
        "the focus in the sheet",
    )
    .await?;
    page.wait_for("#interactions-none", WAIT).await?;
    let covers =
        "(() => { const r = document.querySelector('#contact-panel').getBoundingClientRect(); \
                  return r.left === 0 && r.top === 0 && r.width === window.innerWidth; })()";
    assert!(
        page.eval::<bool>(covers).await?,
        "the sheet covers the screen"
    );
    let panel_fits = "(() => { const p = document.querySelector('#contact-panel'); \
                      return p.scrollWidth <= p.clientWidth; })()";
    assert!(page.eval::<bool>(NO_SIDEWAYS_SCROLL).await?);
    assert!(
        page.eval::<bool>(panel_fits).await?,
        "the sheet scrolls sideways"
    );
    page.screenshot(shots_path("spa-contact-panel-phone.png"))
        .await?;
    page.click("#create-client").await?;
    page.wait_for("#new-client-form", WAIT).await?;
    assert!(
        page.eval::<bool>(panel_fits).await?,
        "the new client form scrolls sideways"
    );

    // Close gives the focus back to the header's button; Escape closes the sheet too.
    page.click("#contact-panel-close").await?;
    page.wait_for_gone(PANEL_SHOWN, WAIT).await?;
    wait_until(
        &page,
        "document.activeElement?.id === 'contact-panel-toggle'",
        "the focus back on the header's button",
    )
    .await?;
    page.click("#contact-panel-toggle").await?;
    page.wait_for(PANEL_SHOWN, WAIT).await?;
    // The half-filled form is still there.
    page.wait_for("#new-client-form", WAIT).await?;
    page.press("#contact-panel-title", "Escape").await?;
    page.wait_for_gone(PANEL_SHOWN, WAIT).await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}
