//! Headless Chromium, driven over the DevTools protocol (chromiumoxide): no driver process.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use std::time::Duration;
//! let browser = parley_tests::browser::Browser::launch().await?;
//! let page = browser.new_page("http://127.0.0.1:8080/login").await?;
//! page.fill("#email", "ada@example.com").await?;
//! page.fill("#password", "secret").await?;
//! page.click("#sign-in").await?;
//! let email = page.wait_for("#me-email", Duration::from_secs(10)).await?;
//! assert_eq!(email, "ada@example.com");
//! assert!(page.console_errors().is_empty(), "{:?}", page.console_errors());
//! browser.close().await?;
//! # Ok(())
//! # }
//! ```
//!
//! The browser is Debian's `/usr/bin/chromium` (override with `PARLEY_CHROMIUM`), started
//! headless with a fresh temporary profile. Every page records what its console and the
//! browser log report, so tests can assert that a page loaded without errors.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use chromiumoxide::browser::{Browser as CdpBrowser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::browser::{
    SetDownloadBehaviorBehavior, SetDownloadBehaviorParams,
};
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::cdp::browser_protocol::input::InsertTextParams;
use chromiumoxide::cdp::browser_protocol::log::{EventEntryAdded, LogEntryLevel};
use chromiumoxide::cdp::browser_protocol::page::{CaptureScreenshotFormat, Viewport as ClipRect};
use chromiumoxide::cdp::js_protocol::runtime::{
    ConsoleApiCalledType, EventConsoleApiCalled, EventExceptionThrown,
};
use chromiumoxide::handler::viewport::Viewport;
use chromiumoxide::page::ScreenshotParams;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

/// Default browser; Debian's package `chromium`.
const CHROMIUM: &str = "/usr/bin/chromium";

/// How often `wait_for` looks again.
const POLL: Duration = Duration::from_millis(50);

/// Flags that keep a headless run quiet, offline-friendly and deterministic.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// A running headless Chromium. Call [`Browser::close`] at the end of a test; dropping it
/// also ends the process, but less tidily.
pub struct Browser {
    inner: CdpBrowser,
    handler: JoinHandle<()>,
    // Kept until the browser is gone; removed on drop.
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium with a 1280×900 viewport.
    pub async fn launch() -> Result<Browser> {
        Self::launch_with_viewport(1280, 900).await
    }

    /// Starts Chromium whose pages have the given viewport (e.g. 375×812 for a phone).
    pub async fn launch_with_viewport(width: u32, height: u32) -> Result<Browser> {
        let executable = std::env::var("PARLEY_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
        if !Path::new(&executable).exists() {
            bail!("{executable} not found: apt-get install -y chromium (or set PARLEY_CHROMIUM)");
        }
        let profile = tempfile::Builder::new()
            .prefix("parley-chromium-")
            .tempdir()
            .context("creating a temporary Chromium profile")?;
        let config = BrowserConfig::builder()
            .chrome_executable(&executable)
            .no_sandbox()
            .user_data_dir(profile.path())
            .window_size(width, height)
            .viewport(Viewport {
                width,
                height,
                device_scale_factor: Some(1.0),
                emulating_mobile: false,
                is_landscape: false,
                has_touch: false,
            })
            .args(FLAGS.iter().copied())
            .launch_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| anyhow!("Chromium configuration: {e}"))?;
        let (inner, mut handler) = CdpBrowser::launch(config)
            .await
            .with_context(|| format!("launching {executable}"))?;
        // The handler must be polled for anything to happen. An error here is one message
        // the library could not read (a newer Chromium's protocol): not fatal, keep going.
        let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
        Ok(Browser {
            inner,
            handler,
            _profile: profile,
        })
    }

    /// Opens a tab and loads `url` in it, recording console output from the first byte on.
    pub async fn new_page(&self, url: &str) -> Result<Page> {
        let page = self
            .inner
            .new_page("about:blank")
            .await
            .context("opening a tab")?;
        let page = Page::watch(page).await?;
        page.goto(url).await?;
        Ok(page)
    }

    /// Saves downloads (a link with `download`, an attachment) into `dir`, under the names the
    /// page gives them.
    pub async fn allow_downloads(&self, dir: &Path) -> Result<()> {
        let params = SetDownloadBehaviorParams::builder()
            .behavior(SetDownloadBehaviorBehavior::Allow)
            .download_path(dir.display().to_string())
            .build()
            .map_err(|e| anyhow!("download behaviour: {e}"))?;
        self.inner
            .execute(params)
            .await
            .context("allowing downloads")?;
        Ok(())
    }

    /// Closes the browser and waits for its process to end.
    pub async fn close(mut self) -> Result<()> {
        let closed = self.inner.close().await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.inner.wait()).await;
        if closed.is_err() {
            let _ = self.inner.kill().await;
        }
        self.handler.abort();
        Ok(())
    }
}

/// One line the page or the browser logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleMessage {
    /// `error`, `warning`, `info`, `log`, `debug`, … ; `exception` for an uncaught one.
    pub level: String,
    /// `console` (the page's own calls), `exception`, or the browser log's source:
    /// `network`, `javascript`, `security`, ….
    pub source: String,
    pub text: String,
    /// The resource concerned, for browser log entries that name one.
    pub url: Option<String>,
}

impl ConsoleMessage {
    pub fn is_error(&self) -> bool {
        self.level == "error" || self.level == "exception" || self.level == "assert"
    }

    /// Chromium logs every 4xx answer to a fetch as an error, even when the app expected and
    /// handled it (a wrong password, an expired token): those of `/api/` are not counted by
    /// [`Page::console_errors`]. A failed asset (the wasm, a script) or a 5xx still is.
    pub fn is_expected_api_refusal(&self) -> bool {
        let api = self.url.as_deref().is_some_and(|url| {
            let path = url.split_once("://").map_or(url, |(_, rest)| rest);
            path.split_once('/')
                .is_some_and(|(_, path)| path.starts_with("api/"))
        });
        self.source == "network" && api && self.text.contains("status of 4")
    }
}

/// A browser tab with helpers that wait and fail with useful messages.
pub struct Page {
    inner: chromiumoxide::Page,
    console: Arc<Mutex<Vec<ConsoleMessage>>>,
    listeners: Vec<JoinHandle<()>>,
}

impl Drop for Page {
    fn drop(&mut self) {
        for listener in &self.listeners {
            listener.abort();
        }
    }
}

impl Page {
    async fn watch(inner: chromiumoxide::Page) -> Result<Page> {
        let console = Arc::new(Mutex::new(Vec::new()));
        let mut listeners = Vec::new();

        let mut calls = inner.event_listener::<EventConsoleApiCalled>().await?;
        let sink = Arc::clone(&console);
        listeners.push(tokio::spawn(async move {
            while let Some(event) = calls.next().await {
                let level = match event.r#type {
                    ConsoleApiCalledType::Error => "error".to_string(),
                    ConsoleApiCalledType::Warning => "warning".to_string(),
                    ConsoleApiCalledType::Assert => "assert".to_string(),
                    ref other => format!("{other:?}").to_lowercase(),
                };
                let text = event
                    .args
                    .iter()
                    .map(|arg| match (&arg.value, &arg.description) {
                        (Some(serde_json::Value::String(s)), _) => s.clone(),
                        (Some(value), _) => value.to_string(),
                        (None, Some(description)) => description.clone(),
                        (None, None) => String::new(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                record(&sink, level, "console", text, None);
            }
        }));

        let mut exceptions = inner.event_listener::<EventExceptionThrown>().await?;
        let sink = Arc::clone(&console);
        listeners.push(tokio::spawn(async move {
            while let Some(event) = exceptions.next().await {
                let details = &event.exception_details;
                let description = details
                    .exception
                    .as_ref()
                    .and_then(|e| e.description.clone())
                    .unwrap_or_default();
                let text = format!("{} {}", details.text, description);
                record(&sink, "exception".to_string(), "exception", text, None);
            }
        }));

        // Network failures (a 404 for the wasm, a refused fetch) and CSP violations.
        let mut entries = inner.event_listener::<EventEntryAdded>().await?;
        let sink = Arc::clone(&console);
        listeners.push(tokio::spawn(async move {
            while let Some(event) = entries.next().await {
                let entry = &event.entry;
                let level = match entry.level {
                    LogEntryLevel::Error => "error",
                    LogEntryLevel::Warning => "warning",
                    LogEntryLevel::Info => "info",
                    LogEntryLevel::Verbose => "debug",
                };
                let source = serde_json::to_value(&entry.source)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("{:?}", entry.source).to_lowercase());
                record(
                    &sink,
                    level.to_string(),
                    &source,
                    entry.text.clone(),
                    entry.url.clone(),
                );
            }
        }));

        inner.enable_runtime().await?;
        inner.enable_log().await?;
        Ok(Page {
            inner,
            console,
            listeners,
        })
    }

    /// Navigates and waits for the load event.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.inner
            .goto(url)
            .await
            .with_context(|| format!("loading {url}"))?;
        Ok(())
    }

    /// The page's current URL.
    pub async fn url(&self) -> Result<String> {
        Ok(self.inner.url().await?.unwrap_or_default())
    }

    /// The underlying chromiumoxide page, for anything not covered here.
    pub fn raw(&self) -> &chromiumoxide::Page {
        &self.inner
    }

    /// Emulates a screen of this size (CSS pixels), e.g. `set_viewport(375, 812)`.
    pub async fn set_viewport(&self, width: u32, height: u32) -> Result<()> {
        let params = SetDeviceMetricsOverrideParams::builder()
            .width(width)
            .height(height)
            .device_scale_factor(1.0)
            .mobile(width < 600)
            .build()
            .map_err(|e| anyhow!("viewport: {e}"))?;
        self.inner.execute(params).await?;
        Ok(())
    }

    /// Evaluates a JavaScript expression and reads its (JSON) value.
    pub async fn eval<T: DeserializeOwned>(&self, expression: &str) -> Result<T> {
        // Through JSON.stringify so that `null` and `undefined` come back as well.
        let wrapped = format!("JSON.stringify(({expression}) ?? null)");
        let json: String = self
            .inner
            .evaluate(wrapped)
            .await
            .with_context(|| format!("evaluating {expression}"))?
            .into_value()
            .with_context(|| format!("reading the value of {expression}"))?;
        serde_json::from_str(&json).with_context(|| format!("decoding the value of {expression}"))
    }

    /// The element's visible text (`innerText`), or `None` when nothing matches `selector`.
    pub async fn try_text(&self, selector: &str) -> Result<Option<String>> {
        let selector_js = serde_json::to_string(selector)?;
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({selector_js}); \
             return e ? (e.innerText ?? e.textContent ?? '') : null; }})()"
        ))
        .await
    }

    /// The element's visible text; fails when nothing matches `selector`.
    pub async fn text(&self, selector: &str) -> Result<String> {
        match self.try_text(selector).await? {
            Some(text) => Ok(text.trim().to_string()),
            None => bail!("no element matches {selector} on {}", self.url().await?),
        }
    }

    /// Whether something matches `selector` now.
    pub async fn exists(&self, selector: &str) -> Result<bool> {
        Ok(self.try_text(selector).await?.is_some())
    }

    /// A form control's current value.
    pub async fn value(&self, selector: &str) -> Result<String> {
        let selector_js = serde_json::to_string(selector)?;
        let value: Option<String> = self
            .eval(&format!(
                "(() => {{ const e = document.querySelector({selector_js}); \
                 return e ? String(e.value ?? '') : null; }})()"
            ))
            .await?;
        value.ok_or_else(|| anyhow!("no element matches {selector}"))
    }

    /// Waits until something matches `selector` and returns its (trimmed) text.
    pub async fn wait_for(&self, selector: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(text) = self.try_text(selector).await? {
                return Ok(text.trim().to_string());
            }
            if Instant::now() >= deadline {
                return Err(self
                    .timeout_error(&format!("{selector} to appear"), timeout)
                    .await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the element's text contains `expected`; returns the whole text.
    pub async fn wait_for_text(
        &self,
        selector: &str,
        expected: &str,
        timeout: Duration,
    ) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(text) = self.try_text(selector).await? {
                if text.contains(expected) {
                    return Ok(text.trim().to_string());
                }
            }
            if Instant::now() >= deadline {
                let what = format!("{selector} to contain {expected:?}");
                return Err(self.timeout_error(&what, timeout).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until nothing matches `selector` any more.
    pub async fn wait_for_gone(&self, selector: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        while self.exists(selector).await? {
            if Instant::now() >= deadline {
                return Err(self
                    .timeout_error(&format!("{selector} to go"), timeout)
                    .await);
            }
            tokio::time::sleep(POLL).await;
        }
        Ok(())
    }

    /// Waits until the URL's path (and query) is `path`, e.g. `/login`.
    pub async fn wait_for_path(&self, path: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let current: String = self.eval("location.pathname + location.search").await?;
            if current == path {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let what = format!("the path to be {path} (it is {current})");
                return Err(self.timeout_error(&what, timeout).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn timeout_error(&self, what: &str, timeout: Duration) -> anyhow::Error {
        let url = self.url().await.unwrap_or_default();
        let errors = self.console_errors();
        anyhow!(
            "timed out after {timeout:?} waiting for {what} on {url}; console errors: {errors:?}"
        )
    }

    async fn element(&self, selector: &str) -> Result<chromiumoxide::Element> {
        self.inner
            .find_element(selector)
            .await
            .with_context(|| format!("no element matches {selector}"))
    }

    /// Replaces a text field's content as typing would: focus, select all, insert the text
    /// (one `input` event, as with a paste or an input method).
    pub async fn fill(&self, selector: &str, text: &str) -> Result<()> {
        let element = self.element(selector).await?;
        element.scroll_into_view().await?;
        element
            .call_js_fn(
                "function() { this.focus(); this.select && this.select(); }",
                false,
            )
            .await?;
        if text.is_empty() {
            element
                .call_js_fn(
                    "function() { this.value = ''; \
                     this.dispatchEvent(new Event('input', { bubbles: true })); \
                     this.dispatchEvent(new Event('change', { bubbles: true })); }",
                    false,
                )
                .await?;
        } else {
            self.inner.execute(InsertTextParams::new(text)).await?;
            element
                .call_js_fn(
                    "function() { this.dispatchEvent(new Event('change', { bubbles: true })); }",
                    false,
                )
                .await?;
        }
        Ok(())
    }

    /// Clicks the middle of the element with the mouse (scrolling it into view first).
    pub async fn click(&self, selector: &str) -> Result<()> {
        // A live page may replace the element between finding and clicking it (a list row
        // redrawn by a feed event); a person would click the new one, so this does too.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let clicked = async {
                self.element(selector)
                    .await?
                    .click()
                    .await
                    .with_context(|| format!("clicking {selector}"))?;
                Ok::<_, anyhow::Error>(())
            }
            .await;
            match clicked {
                Err(error) if attempts < 5 && is_stale_node(&error) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                other => return other,
            }
        }
    }

    /// Presses a key (e.g. `Enter`, `Tab`) in the element.
    pub async fn press(&self, selector: &str, key: &str) -> Result<()> {
        let element = self.element(selector).await?;
        element.focus().await?;
        element
            .press_key(key)
            .await
            .with_context(|| format!("pressing {key} in {selector}"))?;
        Ok(())
    }

    /// Saves a PNG of the whole page (creating the parent folder), at the current viewport
    /// width. (chromiumoxide's own `full_page` resets the emulated viewport afterwards, so a
    /// phone-sized page would turn desktop-sized; this clips instead.)
    pub async fn screenshot(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        let size = self.inner.layout_metrics().await?.css_content_size;
        let params = ScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .capture_beyond_viewport(true)
            .clip(ClipRect {
                x: 0.0,
                y: 0.0,
                width: size.width,
                height: size.height,
                scale: 1.0,
            })
            .build();
        self.inner
            .save_screenshot(params, path)
            .await
            .with_context(|| format!("saving a screenshot to {}", path.display()))?;
        Ok(())
    }

    /// Everything logged so far.
    pub fn console(&self) -> Vec<ConsoleMessage> {
        match self.console.lock() {
            Ok(messages) => messages.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The errors and uncaught exceptions logged so far, as text, leaving out the refusals
    /// of `/api/` requests (4xx) that the app handles (see
    /// [`ConsoleMessage::is_expected_api_refusal`]; [`Page::console`] has everything).
    pub fn console_errors(&self) -> Vec<String> {
        self.console()
            .into_iter()
            .filter(|m| m.is_error() && !m.is_expected_api_refusal())
            .map(|m| match &m.url {
                Some(url) => format!("{} ({}): {} [{url}]", m.level, m.source, m.text),
                None => format!("{} ({}): {}", m.level, m.source, m.text),
            })
            .collect()
    }

    /// Closes the tab.
    pub async fn close(self) -> Result<()> {
        self.inner.clone().close().await?;
        Ok(())
    }
}

fn record(
    sink: &Mutex<Vec<ConsoleMessage>>,
    level: String,
    source: &str,
    text: String,
    url: Option<String>,
) {
    let message = ConsoleMessage {
        level,
        source: source.to_string(),
        text,
        url,
    };
    match sink.lock() {
        Ok(mut messages) => messages.push(message),
        Err(poisoned) => poisoned.into_inner().push(message),
    }
}

/// Whether an error says the element found was gone from the page by the time it was used.
fn is_stale_node(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let text = cause.to_string();
        text.contains("Could not find node with given id") || text.contains("No node with given id")
    })
}

#[cfg(test)]
mod tests {
    use super::ConsoleMessage;

    fn network(text: &str, url: &str) -> ConsoleMessage {
        ConsoleMessage {
            level: "error".into(),
            source: "network".into(),
            text: text.into(),
            url: Some(url.into()),
        }
    }

    #[test]
    fn only_api_client_errors_are_expected() {
        let refused = "Failed to load resource: the server responded with a status of 401";
        let failed = "Failed to load resource: the server responded with a status of 500";
        let missing = "Failed to load resource: the server responded with a status of 404";
        assert!(network(refused, "http://127.0.0.1:8080/api/v1/me").is_expected_api_refusal());
        assert!(!network(failed, "http://127.0.0.1:8080/api/v1/me").is_expected_api_refusal());
        let wasm = network(missing, "http://127.0.0.1:8080/parley-web_bg.wasm?v=1");
        assert!(!wasm.is_expected_api_refusal());
        let not_api = network(refused, "http://127.0.0.1:8080/apiary");
        assert!(!not_api.is_expected_api_refusal());
    }
}
