//! The SPA in a real headless Chromium against the real server.

use std::time::Duration;

use parley::demo;
use parley_tests::browser::Browser;
use parley_tests::{screenshot_dir, TestApp};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn signs_in_with_the_demo_account_and_refuses_a_wrong_password() -> anyhow::Result<()> {
    let app = TestApp::spawn().await;
    demo::seed(&app.state.pool, &app.address, chrono::Utc::now())
        .await
        .expect("demo seed");
    let shots = screenshot_dir();

    let browser = Browser::launch_with_viewport(375, 812).await?;
    let page = browser.new_page(&app.url("/")).await?;
    page.wait_for("#sign-in", WAIT).await?;
    page.wait_for_path("/login", WAIT).await?;
    page.screenshot(shots.join("login.png")).await?;

    page.fill("#email", demo::DEMO_EMAIL).await?;
    page.fill("#password", "not the password").await?;
    page.click("#sign-in").await?;
    let error = page.wait_for("#login-error", WAIT).await?;
    assert_eq!(error, "The email or password is incorrect.");
    page.screenshot(shots.join("login-error.png")).await?;

    page.fill("#password", demo::DEMO_PASSWORD).await?;
    page.press("#password", "Enter").await?;
    page.wait_for_text("#me-email", demo::DEMO_EMAIL, WAIT)
        .await?;
    page.wait_for_text("#me-tenant", "Maple Dental (demo)", WAIT)
        .await?;
    page.wait_for_text("#me-role", "admin", WAIT).await?;
    page.screenshot(shots.join("signed-in.png")).await?;

    // The session survives a reload; signing out returns to the login page.
    page.goto(&app.url("/")).await?;
    page.wait_for_text("#me-email", demo::DEMO_EMAIL, WAIT)
        .await?;
    page.click("#sign-out").await?;
    page.wait_for("#sign-in", WAIT).await?;

    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await?;
    Ok(())
}
