//! Canned replies in the SPA: made on their page (with the server's refusals at their fields
//! and a live preview that flags a bad template), then typed as `/shortcut` in a
//! conversation's composer, filled in for its contact and the signed-in person, and sent.

use anyhow::Result;
use parley_tests::browser::{Browser, Page};
use parley_tests::{json_with_status, TestApp};
use serde_json::{json, Value};

use super::spa::{assert_clean_console, shots_path, sign_in, start, wait_until, OUR_NUMBER, WAIT};

const GREET: &str = "Hi {{contact.first_name|there}}, this is {{agent.name}} from {{tenant.name}}.";

/// The shortcuts the picker offers, in order.
const OPTIONS: &str = "[...document.querySelectorAll('[data-testid=canned-option]')]\
     .map(o => o.dataset.shortcut).join(',')";

const NO_SIDEWAYS_SCROLL: &str =
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth";

async fn create_reply(
    app: &TestApp,
    token: &str,
    shortcut: &str,
    title: &str,
    text: &str,
) -> Value {
    json_with_status(
        app.post_json(
            "/api/v1/canned-replies",
            Some(token),
            &json!({"shortcut": shortcut, "title": title, "text": text}),
        )
        .await,
        201,
    )
    .await
}

async fn replies(app: &TestApp, token: &str) -> Vec<Value> {
    json_with_status(app.get("/api/v1/canned-replies", token).await, 200).await["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Fills the reply form and saves it.
async fn fill_form(page: &Page, shortcut: &str, title: &str, text: &str) -> Result<()> {
    page.fill("#canned-shortcut", shortcut).await?;
    page.fill("#canned-title", title).await?;
    page.fill("#canned-text", text).await?;
    page.click("#canned-save").await
}

async fn wait_for_replies(page: &Page, count: usize) -> Result<()> {
    wait_until(
        page,
        &format!("document.querySelectorAll('[data-testid=canned-reply]').length === {count}"),
        &format!("{count} canned replies listed"),
    )
    .await
}

async fn composer_holds(page: &Page, text: &str) -> Result<()> {
    wait_until(
        page,
        &format!(
            "document.querySelector('#composer')?.value === {}",
            serde_json::to_string(text)?
        ),
        &format!("the composer to hold {text:?}"),
    )
    .await
}

/// Sends what the composer holds with Enter and waits until the API has it as the last
/// message of the conversation.
async fn send_with_enter(
    page: &Page,
    app: &TestApp,
    token: &str,
    id: &str,
    text: &str,
) -> Result<()> {
    let before = app.messages(token, id).await.len();
    page.press("#composer", "Enter").await?;
    page.wait_for_text("#messages", text, WAIT).await?;
    composer_holds(page, "").await?;
    // The page shows the message while it is being sent: wait for the server to have it.
    let deadline = std::time::Instant::now() + WAIT;
    let mut messages = app.messages(token, id).await;
    while messages.len() <= before && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        messages = app.messages(token, id).await;
    }
    assert_eq!(messages.len(), before + 1, "{messages:?}");
    assert_eq!(messages[before]["text"], text);
    assert_eq!(messages[before]["author"], "agent");
    Ok(())
}

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

#[tokio::test(flavor = "multi_thread")]
async fn canned_replies_are_made_on_their_page_and_typed_with_a_slash() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    json_with_status(
        app.patch_json("/api/v1/me", &token, &json!({"name": "Morgan Reyes"}))
            .await,
        200,
    )
    .await;
    let sarah = start(&app, &token, "+14165556001", "Sarah Chen", "").await;
    let sarah = sarah["id"].as_str().unwrap().to_string();
    let nameless = app
        .start_conversation(&token, "+14165556002", "Hello")
        .await;
    let nameless = nameless["conversation"]["id"].as_str().unwrap().to_string();
    // A conversation known only through its client record: the SPA does not have the
    // client's names, so the server fills the reply in.
    let client = json_with_status(
        app.post_json(
            "/api/v1/clients",
            Some(&token),
            &json!({"first_name": "Priya", "last_name": "Patel"}),
        )
        .await,
        201,
    )
    .await;
    let priya = app
        .start_conversation(&token, "+14165556003", "Hello")
        .await;
    let priya = priya["conversation"]["id"].as_str().unwrap().to_string();
    json_with_status(
        app.patch_json(
            &format!("/api/v1/conversations/{priya}"),
            &token,
            &json!({"client_id": client["id"]}),
        )
        .await,
        200,
    )
    .await;

    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.click("#nav-canned-replies").await?;
    page.wait_for("#canned-empty", WAIT).await?;
    page.wait_for_text("#canned-variables", "{{contact.first_name|there}}", WAIT)
        .await?;

    // The preview fills the text in as it is typed, for a named and a nameless contact.
    page.click("#new-canned-reply").await?;
    page.wait_for("#canned-form", WAIT).await?;
    page.fill("#canned-shortcut", "greet").await?;
    page.fill("#canned-title", "Greeting").await?;
    page.fill("#canned-text", GREET).await?;
    page.wait_for_text(
        "#canned-preview",
        "Hi Sarah, this is Morgan Reyes from Acme.",
        WAIT,
    )
    .await?;
    page.wait_for_text(
        "#canned-preview-unnamed",
        "Hi there, this is Morgan Reyes from Acme.",
        WAIT,
    )
    .await?;
    page.click("#canned-save").await?;
    wait_for_replies(&page, 1).await?;
    page.wait_for_gone("#canned-form", WAIT).await?;
    page.click("#new-canned-reply").await?;
    fill_form(
        &page,
        "bye",
        "Goodbye, great talking",
        "Great talking to you, {{contact.first_name}}. Bye!",
    )
    .await?;
    wait_for_replies(&page, 2).await?;
    page.click("#new-canned-reply").await?;
    fill_form(
        &page,
        "hours",
        "Hours",
        "We're open 9 to 5, Monday to Friday.",
    )
    .await?;
    wait_for_replies(&page, 3).await?;

    // A shortcut taken (in any case) is refused at the shortcut field.
    page.click("#new-canned-reply").await?;
    fill_form(&page, "GREET", "Another greeting", "Hello!").await?;
    page.wait_for_text("#canned-shortcut-error", "already has the shortcut", WAIT)
        .await?;
    assert_eq!(
        page.eval::<String>(
            "document.querySelector('#canned-shortcut').getAttribute('aria-invalid')"
        )
        .await?,
        "true"
    );
    // An unknown variable is flagged at the text before anything is saved, by the same
    // template code as the server's.
    page.fill("#canned-text", "Thanks {{contact.nmae}}!")
        .await?;
    page.wait_for_text("#canned-text-error", "contact.nmae", WAIT)
        .await?;
    page.wait_for("#canned-preview-invalid", WAIT).await?;
    page.screenshot(shots_path("spa-canned-replies-error.png"))
        .await?;
    page.click("#canned-save").await?;
    page.wait_for_text("#canned-text-error", "contact.nmae", WAIT)
        .await?;
    assert_eq!(replies(&app, &token).await.len(), 3);
    // The server's own refusal of the text lands there too.
    page.fill("#canned-shortcut", "thanks").await?;
    page.fill("#canned-text", "   ").await?;
    page.click("#canned-save").await?;
    page.wait_for_text("#canned-text-error", "not all of them whitespace", WAIT)
        .await?;
    assert!(!page.exists("#canned-shortcut-error").await?);
    page.fill("#canned-text", "Thanks, {{contact.first_name}}!")
        .await?;
    page.wait_for_gone("#canned-text-error", WAIT).await?;
    page.click("#canned-save").await?;
    wait_for_replies(&page, 4).await?;

    // Edit one, delete another (after confirming).
    page.click("[data-testid=canned-reply]:nth-child(4) [data-testid=edit-canned]")
        .await?;
    page.wait_for("#canned-form", WAIT).await?;
    assert_eq!(page.value("#canned-shortcut").await?, "thanks");
    page.fill("#canned-title", "Thank you").await?;
    page.click("#canned-save").await?;
    page.wait_for_gone("#canned-form", WAIT).await?;
    page.wait_for_text("#canned-list", "Thank you", WAIT)
        .await?;
    page.click("[data-testid=canned-reply]:nth-child(3) [data-testid=delete-canned]")
        .await?;
    page.wait_for("[data-testid=confirm-delete-canned]", WAIT)
        .await?;
    assert_eq!(
        replies(&app, &token).await.len(),
        4,
        "not before confirming"
    );
    page.click("[data-testid=confirm-delete-canned]").await?;
    wait_for_replies(&page, 3).await?;
    let left: Vec<String> = replies(&app, &token)
        .await
        .iter()
        .map(|reply| reply["shortcut"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(left, ["bye", "greet", "thanks"]);
    page.screenshot(shots_path("spa-canned-replies.png"))
        .await?;

    // A teammate's new reply (here through the API) arrives over the feed, no reload.
    let hours = create_reply(
        &app,
        &token,
        "hours",
        "Opening hours",
        "We are open 9 to 5.",
    )
    .await;
    wait_for_replies(&page, 4).await?;
    page.wait_for_text("#canned-list", "Opening hours", WAIT)
        .await?;
    let gone = app
        .delete(
            &format!(
                "/api/v1/canned-replies/{}",
                hours["id"].as_str().unwrap_or_default()
            ),
            &token,
        )
        .await;
    assert_eq!(gone.status(), 204);
    wait_for_replies(&page, 3).await?;

    // In a conversation, `/gre` offers the replies whose shortcut or title matches.
    open_conversation(&page, &sarah).await?;
    page.fill("#composer", "/gre").await?;
    page.wait_for("#canned-picker", WAIT).await?;
    wait_until(
        &page,
        &format!("{OPTIONS} === 'greet,bye'"),
        "greet and bye",
    )
    .await?;
    page.wait_for_text(
        "#canned-option-0",
        "Hi Sarah, this is Morgan Reyes from Acme.",
        WAIT,
    )
    .await?;
    page.screenshot(shots_path("spa-canned-picker.png")).await?;
    page.fill("#composer", "/gree").await?;
    wait_until(&page, &format!("{OPTIONS} === 'greet'"), "greet alone").await?;
    page.fill("#composer", "/gre").await?;
    wait_until(
        &page,
        &format!("{OPTIONS} === 'greet,bye'"),
        "greet and bye",
    )
    .await?;

    // Arrows move the selection; Enter inserts the highlighted reply, filled in, and sends
    // nothing.
    let selected = "document.querySelector('[data-testid=canned-option][aria-selected=true]')?.dataset.shortcut";
    wait_until(&page, &format!("{selected} === 'greet'"), "greet selected").await?;
    page.press("#composer", "ArrowDown").await?;
    wait_until(&page, &format!("{selected} === 'bye'"), "bye selected").await?;
    page.press("#composer", "ArrowUp").await?;
    wait_until(&page, &format!("{selected} === 'greet'"), "greet again").await?;
    page.press("#composer", "Enter").await?;
    composer_holds(&page, "Hi Sarah, this is Morgan Reyes from Acme.").await?;
    page.wait_for_gone("#canned-picker", WAIT).await?;
    assert_eq!(app.messages(&token, &sarah).await.len(), 1);
    // Enter now sends it.
    send_with_enter(
        &page,
        &app,
        &token,
        &sarah,
        "Hi Sarah, this is Morgan Reyes from Acme.",
    )
    .await?;

    // Escape closes the picker and sends nothing; typing on in that word keeps it closed.
    page.fill("#composer", "/").await?;
    wait_until(
        &page,
        &format!("{OPTIONS} === 'bye,greet,thanks'"),
        "all replies",
    )
    .await?;
    page.press("#composer", "Escape").await?;
    page.wait_for_gone("#canned-picker", WAIT).await?;
    composer_holds(&page, "/").await?;
    assert_eq!(app.messages(&token, &sarah).await.len(), 2);

    // After a word, a click inserts the reply in place of the `/query`.
    page.fill("#composer", "Sure! /by").await?;
    wait_until(&page, &format!("{OPTIONS} === 'bye'"), "bye alone").await?;
    page.click("[data-testid=canned-option]").await?;
    composer_holds(&page, "Sure! Great talking to you, Sarah. Bye!").await?;
    page.wait_for_gone("#canned-picker", WAIT).await?;
    page.fill("#composer", "").await?;

    // A contact without a name gets the fallback, or a tidy sentence without one.
    open_conversation(&page, &nameless).await?;
    page.fill("#composer", "/greet").await?;
    wait_until(&page, &format!("{OPTIONS} === 'greet'"), "greet").await?;
    page.press("#composer", "Enter").await?;
    composer_holds(&page, "Hi there, this is Morgan Reyes from Acme.").await?;
    send_with_enter(
        &page,
        &app,
        &token,
        &nameless,
        "Hi there, this is Morgan Reyes from Acme.",
    )
    .await?;
    page.fill("#composer", "/bye").await?;
    wait_until(&page, &format!("{OPTIONS} === 'bye'"), "bye").await?;
    page.press("#composer", "Enter").await?;
    composer_holds(&page, "Great talking to you. Bye!").await?;
    page.fill("#composer", "").await?;

    // Known by its client record only: the server fills it in with the client's name.
    open_conversation(&page, &priya).await?;
    page.fill("#composer", "/greet").await?;
    wait_until(&page, &format!("{OPTIONS} === 'greet'"), "greet").await?;
    page.press("#composer", "Enter").await?;
    composer_holds(&page, "Hi Priya, this is Morgan Reyes from Acme.").await?;
    send_with_enter(
        &page,
        &app,
        &token,
        &priya,
        "Hi Priya, this is Morgan Reyes from Acme.",
    )
    .await?;

    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_page_and_the_picker_stay_within_the_screen() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    json_with_status(
        app.patch_json("/api/v1/me", &token, &json!({"name": "Morgan Reyes"}))
            .await,
        200,
    )
    .await;
    let conversation = start(&app, &token, "+14165556101", "Sarah Chen", "").await;
    let id = conversation["id"].as_str().unwrap().to_string();

    let browser = Browser::launch_with_viewport(390, 844).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    // None yet: the picker says where to make them.
    let row = format!("[data-id='{id}'].conv-row");
    page.wait_for(&row, WAIT).await?;
    page.click(&row).await?;
    page.wait_for("#composer", WAIT).await?;
    page.fill("#composer", "/").await?;
    page.wait_for_text("#canned-picker-empty", "No canned replies yet", WAIT)
        .await?;
    page.click("#canned-picker-empty a").await?;
    page.wait_for_path("/canned-replies", WAIT).await?;
    page.wait_for("#canned-empty", WAIT).await?;

    // Made on the phone, with a long title and text that must wrap rather than widen.
    page.click("#new-canned-reply").await?;
    page.wait_for("#canned-form", WAIT).await?;
    page.fill("#canned-shortcut", "greet").await?;
    page.fill("#canned-title", "Greeting").await?;
    page.fill("#canned-text", GREET).await?;
    page.wait_for("#canned-preview", WAIT).await?;
    assert!(
        page.eval::<bool>(NO_SIDEWAYS_SCROLL).await?,
        "the form scrolls sideways at 390 px"
    );
    page.click("#canned-save").await?;
    wait_for_replies(&page, 1).await?;
    let long_word = "x".repeat(80);
    create_reply(
        &app,
        &token,
        "greet-returning-customers-long",
        &format!("Welcome back {long_word}"),
        &format!("Welcome back {{{{contact.first_name|there}}}}! {long_word}"),
    )
    .await;
    page.goto(&app.url("/canned-replies")).await?;
    wait_for_replies(&page, 2).await?;
    assert!(
        page.eval::<bool>(NO_SIDEWAYS_SCROLL).await?,
        "the page scrolls sideways at 390 px"
    );
    page.screenshot(shots_path("spa-canned-phone.png")).await?;

    // The picker fits the screen too.
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("#composer", WAIT).await?;
    page.fill("#composer", "/gre").await?;
    wait_until(
        &page,
        &format!("{OPTIONS} === 'greet,greet-returning-customers-long'"),
        "both replies",
    )
    .await?;
    assert!(
        page.eval::<bool>(NO_SIDEWAYS_SCROLL).await?,
        "the picker scrolls sideways at 390 px"
    );
    page.screenshot(shots_path("spa-canned-picker-phone.png"))
        .await?;
    page.press("#composer", "Enter").await?;
    composer_holds(&page, "Hi Sarah, this is Morgan Reyes from Acme.").await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}
