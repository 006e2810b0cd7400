//! Pictures and files (MMS) in the SPA: a customer's picture arrives as a thumbnail that
//! opens the viewer (an item the carrier could not give shows as unavailable), the agent
//! attaches pictures (button, paste, drop) and sends them, files refused before upload, the
//! server's refusal beside the composer, the simulator dialog's picture, and the phone
//! layout.

use std::time::{Duration, Instant};

use anyhow::Result;
use base64::Engine;
use parley::telnyx::simulator::InboundRequest;
use parley_tests::browser::{Browser, Page};
use parley_tests::{json_with_status, TestApp};
use serde_json::json;

use crate::inbound::deliver;
use crate::spa::{assert_clean_console, shots_path, sign_in, wait_until, OUR_NUMBER, WAIT};

const CUSTOMER: &str = "+14165551234";

/// A real PNG of `width`×`height` (a colour gradient), so the browser can show it.
fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    use std::io::Write;
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // no filter
        for x in 0..width {
            raw.extend([
                (x * 255 / width) as u8,
                (y * 255 / height) as u8,
                seed.wrapping_mul(40),
            ]);
        }
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&raw).expect("deflate");
    let data = encoder.finish().expect("deflate");
    let chunk = |out: &mut Vec<u8>, kind: &[u8], body: &[u8]| {
        out.extend((body.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        out.extend(kind);
        out.extend(body);
        out.extend(crc.sum().to_be_bytes());
    };
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &data);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A JavaScript expression for a `DataTransfer` holding the given files (name, type, bytes).
fn data_transfer(files: &[(&str, &str, &[u8])]) -> String {
    let adds: Vec<String> = files
        .iter()
        .map(|(name, kind, bytes)| {
            let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
            format!(
                "dt.items.add(new File([Uint8Array.from(atob('{encoded}'), c => c.charCodeAt(0))], \
                 {name:?}, {{ type: {kind:?} }}));"
            )
        })
        .collect();
    format!(
        "(() => {{ const dt = new DataTransfer(); {} return dt; }})()",
        adds.join(" ")
    )
}

/// Chooses files in a file input as a person would (its `change` event).
async fn choose_files(page: &Page, selector: &str, files: &[(&str, &str, &[u8])]) -> Result<()> {
    let found: bool = page
        .eval(&format!(
            "(() => {{ const input = document.querySelector({selector:?}); if (!input) return false; \
             input.files = {}.files; input.dispatchEvent(new Event('change', {{ bubbles: true }})); \
             return true; }})()",
            data_transfer(files)
        ))
        .await?;
    anyhow::ensure!(found, "no file input {selector}");
    Ok(())
}

/// How many times the page fetched an item's bytes (`GET /api/v1/media/{id}`).
async fn media_fetches(page: &Page) -> Result<usize> {
    page.eval(
        "performance.getEntriesByType('resource')\
         .filter(e => /\\/api\\/v1\\/media\\/[0-9a-f-]{36}$/.test(e.name)).length",
    )
    .await
}

const NO_SIDEWAYS_SCROLL: &str =
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth";

/// A thumbnail whose picture the browser decoded.
const THUMB_SHOWN: &str = "[...document.querySelectorAll('[data-testid=media-thumb] img')]\
     .some(img => img.complete && img.naturalWidth > 0)";

async fn conversation_id(app: &TestApp, token: &str, phone: &str) -> String {
    let started = app.start_conversation(token, phone, "Hello").await;
    started["conversation"]["id"]
        .as_str()
        .expect("id")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inbound_mms_shows_a_thumbnail_that_opens_the_viewer_and_unavailable_items() -> Result<()>
{
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let id = conversation_id(&app, &token, CUSTOMER).await;
    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("[data-testid=message]", WAIT).await?;

    // The customer sends a picture and a PDF while the thread is open: the message comes
    // with its items pending, and `message.updated` brings them.
    let picture = png(320, 200, 1);
    let pdf = b"%PDF-1.4 a small pdf for the test".to_vec();
    let picture_url = app.sim.host_media("image/png", picture.clone());
    let pdf_url = app.sim.host_media("application/pdf", pdf.clone());
    let result = app
        .sim
        .send_inbound_message(InboundRequest {
            from: CUSTOMER.to_string(),
            to: OUR_NUMBER.to_string(),
            text: "Here is the photo".to_string(),
            media_urls: vec![picture_url.clone(), pdf_url],
        })
        .await
        .expect("inbound");
    assert_eq!(result.status, Some(200));
    wait_until(&page, THUMB_SHOWN, "the customer's picture as a thumbnail").await?;
    let chip = match page.wait_for("[data-testid=media-file]", WAIT).await {
        Ok(chip) => chip,
        Err(e) => {
            let dom: String = page
                .eval("document.querySelector('#messages').outerHTML")
                .await?;
            panic!("{e}: {:#?}\n{dom}", app.messages(&token, &id).await);
        }
    };
    assert!(chip.starts_with("PDF · "), "{chip}");
    wait_until(
        &page,
        "document.querySelector('[data-testid=media-file]')?.getAttribute('href')?.startsWith('blob:')",
        "the PDF ready to download",
    )
    .await?;

    // An item the carrier's URL no longer serves: the message stays, the item says so.
    let (base, _) = picture_url.rsplit_once('/').expect("url");
    let body = json!({
        "data": {
            "event_type": "message.received", "id": "ev-spa-mms-dead", "occurred_at": "2026-11-25T10:00:00Z",
            "payload": {
                "direction": "inbound", "encoding": "GSM-7", "errors": [],
                "from": {"carrier": "T-Mobile USA", "line_type": "long_code", "phone_number": CUSTOMER},
                "id": "msg-spa-mms-dead",
                "media": [{"url": format!("{base}/999999"), "content_type": "image/jpeg", "size": 10}],
                "parts": 1, "record_type": "message", "text": "and another", "type": "MMS",
                "to": [{"phone_number": OUR_NUMBER, "status": "webhook_delivered"}],
            },
            "record_type": "event"
        },
        "meta": {"attempt": 1}
    })
    .to_string();
    json_with_status(deliver(&app, &body).await, 200).await;
    let unavailable = page
        .wait_for("[data-testid=media-unavailable]", WAIT)
        .await?;
    assert_eq!(unavailable, "Media unavailable");
    page.screenshot(shots_path("spa-mms-thread.png")).await?;

    // The thumbnail opens the viewer: the picture large, its type and size, a download.
    page.click("[data-testid=media-thumb]").await?;
    page.wait_for("#media-viewer[open]", WAIT).await?;
    wait_until(
        &page,
        "document.querySelector('#viewer-image')?.naturalWidth === 320",
        "the picture in the viewer",
    )
    .await?;
    let meta = page.text("#viewer-meta").await?;
    assert!(meta.starts_with("Picture (PNG) · "), "{meta}");
    let download: (String, String) = page
        .eval(
            "(() => { const a = document.querySelector('#viewer-download'); \
             return [a.getAttribute('href'), a.getAttribute('download')]; })()",
        )
        .await?;
    assert!(download.0.starts_with("blob:"), "{download:?}");
    assert!(download.1.ends_with(".png"), "{download:?}");
    page.screenshot(shots_path("spa-mms-viewer.png")).await?;
    page.press("#media-viewer", "Escape").await?;
    page.wait_for_gone("#media-viewer", WAIT).await?;

    // Each item was fetched once, however often the thread and the viewer showed it.
    assert_eq!(media_fetches(&page).await?, 2);
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agent_attaches_pictures_and_sends_them_as_an_mms() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let id = conversation_id(&app, &token, CUSTOMER).await;
    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("#attach", WAIT).await?;

    // By the Attach button's file input, by pasting, and by dropping onto the composer.
    let chosen = png(240, 160, 2);
    let pasted = png(60, 60, 3);
    let dropped = png(80, 40, 4);
    choose_files(
        &page,
        "#composer-file",
        &[("porch.png", "image/png", &chosen)],
    )
    .await?;
    page.wait_for("[data-testid=attachment]", WAIT).await?;
    let pasting = data_transfer(&[("pasted.png", "image/png", &pasted)]);
    page.eval::<bool>(&format!(
        "document.querySelector('#composer').dispatchEvent(new ClipboardEvent('paste', \
         {{ clipboardData: {pasting}, bubbles: true, cancelable: true }}))"
    ))
    .await?;
    let dropping = data_transfer(&[("dropped.png", "image/png", &dropped)]);
    page.eval::<bool>(&format!(
        "document.querySelector('form.composer').dispatchEvent(new DragEvent('drop', \
         {{ dataTransfer: {dropping}, bubbles: true, cancelable: true }}))"
    ))
    .await?;
    wait_until(
        &page,
        "document.querySelectorAll('[data-testid=attachment]').length === 3",
        "three attachments",
    )
    .await?;
    let labels = page.text("#attachments").await?;
    assert!(labels.contains("porch.png"), "{labels}");
    page.fill("#composer", "The porch, as promised").await?;
    page.wait_for("#segment-counter", WAIT).await?;
    page.screenshot(shots_path("spa-mms-composer.png")).await?;

    // One removed: two go.
    page.eval::<()>(
        "[...document.querySelectorAll('[data-testid=attachment]')]\
         .find(a => a.innerText.includes('dropped.png'))\
         .querySelector('[data-testid=attachment-remove]').click()",
    )
    .await?;
    wait_until(
        &page,
        "document.querySelectorAll('[data-testid=attachment]').length === 2",
        "two attachments",
    )
    .await?;
    page.click("#send").await?;
    page.wait_for_gone("[data-testid=attachment]", WAIT).await?;
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message][data-direction=outbound]')]\
         .some(m => m.querySelectorAll('[data-testid=media-thumb] img').length === 2 \
              && m.innerText.includes('The porch, as promised') && m.dataset.status !== 'pending')",
        "the MMS in the thread with its two pictures",
    )
    .await?;
    wait_until(&page, THUMB_SHOWN, "the thumbnails shown").await?;

    // The carrier got the media URLs and fetched the very bytes.
    let deadline = Instant::now() + WAIT;
    let carried = loop {
        if let Some(sent) = app
            .sim
            .sent_messages()
            .into_iter()
            .find(|m| !m.media_urls.is_empty())
        {
            break sent;
        }
        assert!(Instant::now() < deadline, "the carrier never got the MMS");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(carried.text, "The porch, as promised");
    assert_eq!(carried.media.len(), 2);
    assert_eq!(carried.media[0].bytes, chosen);
    assert_eq!(carried.media[1].bytes, pasted);
    // The thread showed the page's own copies: nothing fetched back.
    assert_eq!(media_fetches(&page).await?, 0);

    // A picture alone, without text, goes too.
    choose_files(
        &page,
        "#composer-file",
        &[("alone.png", "image/png", &dropped)],
    )
    .await?;
    page.wait_for("[data-testid=attachment]", WAIT).await?;
    page.click("#send").await?;
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message][data-direction=outbound]')]\
         .filter(m => m.querySelector('[data-testid=media-thumb]')).length === 2",
        "the picture without text in the thread",
    )
    .await?;
    // Notes take no attachments.
    page.click("#mode-note").await?;
    assert!(!page.exists("#attach").await?);
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_files_show_errors_before_upload_and_the_phone_layout_holds() -> Result<()> {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let id = conversation_id(&app, &token, CUSTOMER).await;
    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("#attach", WAIT).await?;

    // Too large, and of a type an MMS cannot carry: refused in the page, nothing uploaded.
    let large = vec![7u8; 1024 * 1024 + 1];
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec();
    choose_files(
        &page,
        "#composer-file",
        &[
            ("huge.png", "image/png", &large),
            ("logo.svg", "image/svg+xml", &svg),
        ],
    )
    .await?;
    let error = page.wait_for("#composer-media-error", WAIT).await?;
    assert!(
        error.contains("“huge.png” was not attached") && error.contains("1 MB"),
        "{error}"
    );
    assert!(error.contains("“logo.svg” was not attached"), "{error}");
    assert!(!page.exists("[data-testid=attachment]").await?);
    assert_eq!(app.count("SELECT count(*) AS count FROM media").await, 0);

    // The server's refusal shows beside the composer: no MMS outside North America.
    let abroad = conversation_id(&app, &token, "+447911123456").await;
    page.goto(&app.url(&format!("/c/{abroad}"))).await?;
    page.wait_for("#attach", WAIT).await?;
    let picture = png(120, 90, 5);
    choose_files(
        &page,
        "#composer-file",
        &[("map.png", "image/png", &picture)],
    )
    .await?;
    page.wait_for("[data-testid=attachment]", WAIT).await?;
    page.click("#send").await?;
    let refusal = page.wait_for("#composer-media-error", WAIT).await?;
    assert!(!refusal.is_empty());
    page.wait_for("[data-testid=retry-send]", WAIT).await?;

    // On a phone: thumbnails, attachments and the viewer fit without sideways scrolling.
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("#attach", WAIT).await?;
    choose_files(
        &page,
        "#composer-file",
        &[("wide.png", "image/png", &png(900, 200, 6))],
    )
    .await?;
    page.click("#send").await?;
    wait_until(&page, THUMB_SHOWN, "the sent picture").await?;
    // The contact panel, open beside the thread on a desktop, stays closed on a phone.
    page.set_viewport(390, 844).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("#attach", WAIT).await?;
    wait_until(&page, THUMB_SHOWN, "the picture in the thread").await?;
    choose_files(
        &page,
        "#composer-file",
        &[(
            "a-rather-long-file-name-for-a-small-screen.png",
            "image/png",
            &picture,
        )],
    )
    .await?;
    page.wait_for("[data-testid=attachment]", WAIT).await?;
    wait_until(&page, NO_SIDEWAYS_SCROLL, "no sideways scroll at 390 px").await?;
    let thumb_width: f64 = page
        .eval("document.querySelector('[data-testid=media-thumb]').getBoundingClientRect().width")
        .await?;
    assert!(thumb_width <= 220.0, "{thumb_width}");
    page.screenshot(shots_path("spa-mms-phone.png")).await?;
    page.click("[data-testid=media-thumb]").await?;
    page.wait_for("#media-viewer[open]", WAIT).await?;
    wait_until(&page, NO_SIDEWAYS_SCROLL, "the viewer fits at 390 px").await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_dialog_sends_a_customers_picture() -> Result<()> {
    let app = TestApp::spawn_with(parley_tests::settings(&[("TELNYX_API_KEY", "")])).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let id = conversation_id(&app, &token, CUSTOMER).await;
    let browser = Browser::launch_with_viewport(1280, 800).await?;
    let page = sign_in(&browser, &app, &acme.admin_email).await?;
    page.goto(&app.url(&format!("/c/{id}"))).await?;
    page.wait_for("#demo-menu", WAIT).await?;
    page.click("#demo-menu").await?;
    page.click("#simulate-reply").await?;
    page.wait_for("#simulate-dialog", WAIT).await?;
    // A wrong type is refused at once.
    choose_files(&page, "#sim-file", &[("x.svg", "image/svg+xml", b"<svg/>")]).await?;
    page.wait_for("#sim-error", WAIT).await?;
    choose_files(
        &page,
        "#sim-file",
        &[("shed.png", "image/png", &png(200, 150, 7))],
    )
    .await?;
    page.wait_for_gone("#sim-error", WAIT).await?;
    page.click("#sim-submit").await?;
    page.wait_for_gone("#simulate-dialog", WAIT).await?;
    wait_until(
        &page,
        "[...document.querySelectorAll('[data-testid=message][data-direction=inbound]')]\
         .some(m => [...m.querySelectorAll('[data-testid=media-thumb] img')]\
                    .some(img => img.complete && img.naturalWidth === 200))",
        "the customer's picture in the thread",
    )
    .await?;
    assert_clean_console(&page);
    browser.close().await?;
    Ok(())
}
