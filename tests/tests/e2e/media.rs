//! Pictures and files (MMS): customers' media fetched from Telnyx's URLs (checked against
//! the declared size and hash), uploads and their limits, outbound MMS through signed links
//! the carrier fetches, tenancy, and the S3 store against moto.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use parley::media::sha256_hex;
use parley::telnyx::simulator::InboundRequest;
use parley_tests::{expect_error, json_with_status, settings, TestApp};
use serde_json::{json, Value};

use crate::inbound::deliver;

const OUR_NUMBER: &str = "+14165550100";
const CUSTOMER: &str = "+14165551234";

/// A PNG's first bytes and some more: the server trusts the declared type, not the bytes.
fn picture(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

/// A media server standing in for Telnyx's media URLs: path → (content type, bytes); any
/// other path is 404.
struct MediaServer {
    base: String,
    _server: actix_web::dev::ServerHandle,
}

impl MediaServer {
    async fn start(files: Vec<(&str, &str, Vec<u8>)>) -> MediaServer {
        let files: Arc<HashMap<String, (String, Vec<u8>)>> = Arc::new(
            files
                .into_iter()
                .map(|(path, kind, bytes)| (path.to_string(), (kind.to_string(), bytes)))
                .collect(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let data = web::Data::from(files);
        // Paths under /flaky/ answer 503 to their first request.
        let flaky_seen = web::Data::new(std::sync::Mutex::new(
            std::collections::HashSet::<String>::new(),
        ));
        let server = HttpServer::new(move || {
            App::new().app_data(data.clone()).app_data(flaky_seen.clone()).default_service(web::to(
                |request: actix_web::HttpRequest,
                 files: web::Data<HashMap<String, (String, Vec<u8>)>>,
                 seen: web::Data<std::sync::Mutex<std::collections::HashSet<String>>>| async move {
                    let path = request.path().to_string();
                    if path.starts_with("/flaky/")
                        && seen.lock().expect("lock").insert(path.clone())
                    {
                        return HttpResponse::ServiceUnavailable().finish();
                    }
                    match files.get(&path) {
                        Some((kind, bytes)) => HttpResponse::Ok()
                            .content_type(kind.as_str())
                            .body(bytes.clone()),
                        None => HttpResponse::NotFound().finish(),
                    }
                },
            ))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        MediaServer {
            base: format!("http://127.0.0.1:{port}"),
            _server: handle,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// A `message.received` with media, shaped like Telnyx's.
fn received_mms(event_id: &str, message_id: &str, text: &str, media: Value) -> String {
    json!({
        "data": {
            "event_type": "message.received", "id": event_id, "occurred_at": "2026-11-25T10:00:00Z",
            "payload": {
                "direction": "inbound", "encoding": "GSM-7", "errors": [],
                "from": {"carrier": "T-Mobile USA", "line_type": "long_code", "phone_number": CUSTOMER},
                "id": message_id, "media": media, "parts": 1, "record_type": "message",
                "text": text, "type": "MMS",
                "to": [{"phone_number": OUR_NUMBER, "status": "webhook_delivered"}],
            },
            "record_type": "event"
        },
        "meta": {"attempt": 1}
    })
    .to_string()
}

fn declared(url: String, kind: &str, bytes: &[u8]) -> Value {
    json!({"url": url, "content_type": kind, "size": bytes.len(), "hash_sha256": sha256_hex(bytes)})
}

/// Polls the conversation's only message until none of its media is `pending`.
async fn settled_message(app: &TestApp, token: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let list = json_with_status(app.get("/api/v1/conversations", token).await, 200).await;
        if let Some(id) = list["data"][0]["id"].as_str() {
            let messages = app.messages(token, id).await;
            if let Some(message) = messages.first() {
                let media = message["media"].as_array().cloned().unwrap_or_default();
                if !media.is_empty() && media.iter().all(|item| item["status"] != "pending") {
                    return message.clone();
                }
            }
        }
        assert!(Instant::now() < deadline, "the media never settled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn bytes_of(app: &TestApp, token: &str, path: &str) -> (u16, Option<String>, Vec<u8>) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    (status, kind, response.bytes().await.expect("body").to_vec())
}

/// A multipart/form-data body with one file field.
fn multipart(field: &str, kind: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "parley-test-boundary-7e3f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"f\"\r\nContent-Type: {kind}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, token: &str, kind: &str, bytes: &[u8]) -> reqwest::Response {
    let (content_type, body) = multipart("file", kind, bytes);
    app.client
        .post(app.url("/api/v1/media"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inbound_mms_with_two_items_is_fetched_checked_and_stored() {
    let (png, jpeg) = (picture(1, 3000), picture(2, 5000));
    let server = MediaServer::start(vec![
        ("/one.png", "image/png", png.clone()),
        ("/two.jpg", "image/jpeg", jpeg.clone()),
    ])
    .await;
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = &acme.admin_token;
    let media = json!([
        declared(server.url("/one.png"), "image/png", &png),
        declared(server.url("/two.jpg"), "image/jpeg", &jpeg),
    ]);
    let body = received_mms("ev-mms-1", "msg-mms-1", "", media);
    json_with_status(deliver(&app, &body).await, 200).await;

    let message = settled_message(&app, token).await;
    assert_eq!(message["type"], "MMS");
    assert_eq!(message["text"], "");
    let items = message["media"].as_array().expect("media");
    assert_eq!(items.len(), 2);
    for (item, (bytes, kind)) in items
        .iter()
        .zip([(&png, "image/png"), (&jpeg, "image/jpeg")])
    {
        assert_eq!(item["status"], "stored", "{item}");
        assert_eq!(item["content_type"], kind);
        assert_eq!(item["size"], bytes.len());
        assert_eq!(item["sha256"], sha256_hex(bytes));
        let url = item["url"].as_str().expect("url");
        assert_eq!(
            url,
            format!("/api/v1/media/{}", item["id"].as_str().unwrap())
        );
        let (status, served_kind, served) = bytes_of(&app, token, url).await;
        assert_eq!(status, 200);
        assert_eq!(served_kind.as_deref(), Some(kind));
        assert_eq!(&served, bytes);
    }
    // The inbox says what came.
    let list = json_with_status(app.get("/api/v1/conversations", token).await, 200).await;
    assert_eq!(list["data"][0]["last_message_preview"], "2 pictures");
    // The feed told the SPA when the media arrived.
    assert!(
        app.count("SELECT count(*) AS count FROM events WHERE type = 'message.updated'")
            .await
            >= 1
    );
    // Usage counts the MMS apart.
    let usage = json_with_status(app.get("/api/v1/usage", token).await, 200).await;
    assert_eq!(usage["totals"]["mms_in"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hash_mismatch_and_a_dead_url_leave_unavailable_items_and_keep_the_message() {
    let real = picture(3, 2000);
    let server = MediaServer::start(vec![("/tampered.png", "image/png", real.clone())]).await;
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = &acme.admin_token;
    let mut tampered = declared(server.url("/tampered.png"), "image/png", &real);
    tampered["hash_sha256"] = json!(sha256_hex(b"something else"));
    let dead = json!({"url": server.url("/gone.jpg"), "content_type": "image/jpeg", "size": 10});
    let body = received_mms("ev-bad", "msg-bad", "see attached", json!([tampered, dead]));
    json_with_status(deliver(&app, &body).await, 200).await;

    let message = settled_message(&app, token).await;
    assert_eq!(message["type"], "MMS");
    assert_eq!(message["text"], "see attached");
    let items = message["media"].as_array().expect("media");
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(item["status"], "unavailable", "{item}");
        assert!(item["sha256"].is_null());
        let url = item["url"].as_str().expect("url");
        let response = app.get(url, token).await;
        expect_error(response, 409, "media_unavailable").await;
    }
    assert_eq!(
        app.count(
            "SELECT count(*) AS count FROM jobs WHERE kind = 'fetch_media' AND status = 'failed'"
        )
        .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_webhook_stores_nothing_twice() {
    let png = picture(4, 1000);
    let server = MediaServer::start(vec![("/p.png", "image/png", png.clone())]).await;
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let media = json!([declared(server.url("/p.png"), "image/png", &png)]);
    let body = received_mms("ev-dup-mms", "msg-dup-mms", "", media.clone());
    json_with_status(deliver(&app, &body).await, 200).await;
    json_with_status(deliver(&app, &body).await, 200).await;
    // The same message under another event id, too.
    let again = received_mms("ev-dup-mms-2", "msg-dup-mms", "", media);
    json_with_status(deliver(&app, &again).await, 200).await;
    settled_message(&app, &acme.admin_token).await;
    assert_eq!(app.count("SELECT count(*) AS count FROM messages").await, 1);
    assert_eq!(app.count("SELECT count(*) AS count FROM media").await, 1);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM message_media")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM jobs WHERE kind = 'fetch_media'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_limited_in_size_and_type() {
    let app = TestApp::spawn_with(settings(&[("PARLEY_MEDIA_MAX_BYTES", 4000)])).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = &acme.admin_token;

    let small = picture(5, 1000);
    let created = json_with_status(upload(&app, token, "image/png", &small).await, 201).await;
    assert_eq!(created["content_type"], "image/png");
    assert_eq!(created["size"], small.len());
    assert_eq!(created["sha256"], sha256_hex(&small));
    let id = created["id"].as_str().expect("id");
    assert_eq!(created["url"], format!("/api/v1/media/{id}"));
    let (status, kind, bytes) = bytes_of(&app, token, &format!("/api/v1/media/{id}")).await;
    assert_eq!((status, kind.as_deref()), (200, Some("image/png")));
    assert_eq!(bytes, small);
    // The same content twice is two items and one object.
    let again = json_with_status(upload(&app, token, "image/png", &small).await, 201).await;
    assert_ne!(again["id"], created["id"]);
    assert_eq!(again["sha256"], created["sha256"]);

    let error = expect_error(
        upload(&app, token, "image/png", &picture(6, 4001)).await,
        413,
        "media_too_large",
    )
    .await;
    assert_eq!(error["field"], "file");
    for kind in ["text/html", "image/svg+xml", "application/octet-stream"] {
        expect_error(
            upload(&app, token, kind, &small).await,
            415,
            "unsupported_media_type",
        )
        .await;
    }
    // Not multipart at all.
    let json_body = app
        .post_json("/api/v1/media", Some(token), &json!({"file": "x"}))
        .await;
    expect_error(json_body, 415, "unsupported_media_type").await;
    // Another field than `file`, and an empty file.
    let (content_type, body) = multipart("picture", "image/png", &small);
    let response = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload");
    let error = expect_error(response, 422, "unknown_field").await;
    assert_eq!(error["field"], "picture");
    expect_error(
        upload(&app, token, "image/png", b"").await,
        422,
        "missing_file",
    )
    .await;
    // Without a token.
    let (content_type, body) = multipart("file", "image/png", &small);
    let anonymous = app
        .client
        .post(app.url("/api/v1/media"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(anonymous.status().as_u16(), 401);
}

/// The `expires` and `signature` of a signed media link.
fn link_parts(url: &str) -> (String, i64, String) {
    let (path, query) = url.split_once('?').expect("query");
    let mut expires = 0;
    let mut signature = String::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("expires", value)) => expires = value.parse().expect("expires"),
            Some(("signature", value)) => signature = value.to_string(),
            _ => {}
        }
    }
    (path.to_string(), expires, signature)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outbound_mms_is_fetched_by_the_carrier_through_a_signed_link() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = &acme.admin_token;
    let started = app.start_conversation(token, CUSTOMER, "Hello").await;
    let conversation_id = started["conversation"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (png, pdf) = (picture(7, 3000), b"%PDF-1.4 a small pdf".to_vec());
    let first = json_with_status(upload(&app, token, "image/png", &png).await, 201).await;
    let second = json_with_status(upload(&app, token, "application/pdf", &pdf).await, 201).await;

    let sent = json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{conversation_id}/messages"),
            Some(token),
            &json!({"media_ids": [first["id"], second["id"]]}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(sent["type"], "MMS");
    assert_eq!(sent["media"].as_array().map(Vec::len), Some(2));
    assert_eq!(sent["media"][0]["id"], first["id"]);
    let message_id = sent["id"].as_str().expect("id");
    let delivered = app
        .wait_for_status(token, &conversation_id, message_id, "delivered")
        .await;
    assert_eq!(delivered["type"], "MMS");
    assert_eq!(delivered["media"][1]["content_type"], "application/pdf");

    let carried = app
        .sim
        .sent_messages()
        .into_iter()
        .find(|m| !m.media_urls.is_empty())
        .expect("the carrier got an MMS");
    assert_eq!(carried.media.len(), 2);
    assert_eq!(carried.media[0].bytes, png);
    assert_eq!(carried.media[1].bytes, pdf);
    assert_eq!(carried.media[0].content_type.as_deref(), Some("image/png"));
    let url = &carried.media_urls[0];
    assert!(url.starts_with(&format!("{}/media/", app.address)), "{url}");

    // A forged link, another item's signature, or an expired link: 403.
    let (path, expires, signature) = link_parts(url);
    let mut forged = signature.clone();
    forged.replace_range(0..2, if &signature[0..2] == "00" { "11" } else { "00" });
    let answer = |query: String| {
        let client = app.client.clone();
        let url = format!("{path}?{query}");
        async move { client.get(url).send().await.expect("get").status().as_u16() }
    };
    assert_eq!(
        answer(format!("expires={expires}&signature={signature}")).await,
        200
    );
    assert_eq!(
        answer(format!("expires={expires}&signature={forged}")).await,
        403
    );
    assert_eq!(
        answer(format!("expires={}&signature={signature}", expires + 60)).await,
        403
    );
    let (_, other_expires, other_signature) = link_parts(&carried.media_urls[1]);
    assert_eq!(
        answer(format!(
            "expires={other_expires}&signature={other_signature}"
        ))
        .await,
        403
    );

    // Usage counts it apart; the CSV export counts the items.
    let usage = json_with_status(app.get("/api/v1/usage", token).await, 200).await;
    assert_eq!(usage["totals"]["mms_out"], 1);
    let csv = app
        .client
        .get(app.url("/api/v1/conversations/export.csv"))
        .bearer_auth(token)
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("csv");
    let mut lines = csv.lines();
    assert!(lines.next().expect("header").ends_with(",media_count"));
    assert!(lines.next().expect("row").ends_with(",2"), "{csv}");

    // A day later the link has expired.
    app.clock.advance(chrono::Duration::hours(25));
    assert_eq!(
        answer(format!("expires={expires}&signature={signature}")).await,
        403
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn media_is_the_tenants_own_and_mms_goes_to_north_america_only() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let other = app.create_tenant_with_number("Other", "+14165550199").await;
    let mine = json_with_status(
        upload(&app, &acme.admin_token, "image/gif", b"GIF89a....").await,
        201,
    )
    .await;
    let id = mine["id"].as_str().expect("id");

    // Another tenant neither reads it nor sends it.
    let response = app
        .get(&format!("/api/v1/media/{id}"), &other.admin_token)
        .await;
    expect_error(response, 404, "not_found").await;
    let theirs = app
        .start_conversation(&other.admin_token, CUSTOMER, "Hi")
        .await;
    let their_conversation = theirs["conversation"]["id"].as_str().expect("id");
    let error = expect_error(
        app.post_json(
            &format!("/api/v1/conversations/{their_conversation}/messages"),
            Some(&other.admin_token),
            &json!({"text": "look", "media_ids": [id]}),
        )
        .await,
        422,
        "unknown_media",
    )
    .await;
    assert_eq!(error["field"], "media_ids");

    // Not in the US or Canada: no MMS.
    let abroad = app
        .start_conversation(&acme.admin_token, "+447911123456", "Hello")
        .await;
    let abroad_id = abroad["conversation"]["id"].as_str().expect("id");
    let error = expect_error(
        app.post_json(
            &format!("/api/v1/conversations/{abroad_id}/messages"),
            Some(&acme.admin_token),
            &json!({"media_ids": [id]}),
        )
        .await,
        422,
        "mms_not_supported",
    )
    .await;
    assert_eq!(error["field"], "media_ids");
    // More than 1 MB in all.
    let big = json_with_status(
        upload(&app, &acme.admin_token, "image/png", &picture(19, 700_000)).await,
        201,
    )
    .await;
    let ours = app
        .start_conversation(&acme.admin_token, "+14165551299", "Hi")
        .await;
    let ours_id = ours["conversation"]["id"].as_str().expect("id");
    expect_error(
        app.post_json(
            &format!("/api/v1/conversations/{ours_id}/messages"),
            Some(&acme.admin_token),
            &json!({"media_ids": [big["id"], big["id"]]}),
        )
        .await,
        422,
        "mms_too_large",
    )
    .await;
    // Too many, none, and neither text nor media.
    let eleven: Vec<&str> = std::iter::repeat_n(id, 11).collect();
    for body in [json!({"media_ids": eleven}), json!({"media_ids": []})] {
        expect_error(
            app.post_json(
                &format!("/api/v1/conversations/{abroad_id}/messages"),
                Some(&acme.admin_token),
                &body,
            )
            .await,
            422,
            "invalid_media_ids",
        )
        .await;
    }
    expect_error(
        app.post_json(
            &format!("/api/v1/conversations/{abroad_id}/messages"),
            Some(&acme.admin_token),
            &json!({}),
        )
        .await,
        422,
        "empty_message",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_delivers_an_inbound_mms_with_media_it_serves() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let bytes = picture(9, 1500);
    let url = app.sim.host_media("image/webp", bytes.clone());
    let result = app
        .sim
        .send_inbound_message(InboundRequest {
            from: CUSTOMER.to_string(),
            to: OUR_NUMBER.to_string(),
            text: String::new(),
            media_urls: vec![url],
        })
        .await
        .expect("inbound");
    assert_eq!(result.status, Some(200));
    let message = settled_message(&app, &acme.admin_token).await;
    assert_eq!(message["type"], "MMS");
    assert_eq!(message["media"][0]["status"], "stored");
    assert_eq!(message["media"][0]["sha256"], sha256_hex(&bytes));
    let (_, kind, served) = bytes_of(
        &app,
        &acme.admin_token,
        message["media"][0]["url"].as_str().expect("url"),
    )
    .await;
    assert_eq!(kind.as_deref(), Some("image/webp"));
    assert_eq!(served, bytes);
}

/// A free local port for moto.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// moto's S3 server, stopped when dropped.
struct Moto(std::process::Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_media_store_can_be_s3() {
    let root = parley_tests::repo_root();
    let installed = std::process::Command::new("bash")
        .arg(root.join(".ci/moto.sh"))
        .output()
        .expect(".ci/moto.sh runs");
    assert!(
        installed.status.success(),
        "installing moto failed: {}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let exe = String::from_utf8_lossy(&installed.stdout)
        .trim()
        .to_string();
    let port = free_port();
    let _moto = Moto(
        std::process::Command::new(&exe)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("moto starts"),
    );
    let endpoint = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    // The bucket (moto answers S3's CreateBucket without checking signatures).
    loop {
        match client.put(format!("{endpoint}/parley-media")).send().await {
            Ok(response) if response.status().is_success() => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            other => panic!("moto never answered: {other:?}"),
        }
    }
    let app = TestApp::spawn_with(settings(&[
        ("PARLEY_MEDIA_STORE", "s3://parley-media/tests/media"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
    ]))
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let bytes = picture(11, 20_000);
    let created = json_with_status(
        upload(&app, &acme.admin_token, "image/jpeg", &bytes).await,
        201,
    )
    .await;
    let sha256 = sha256_hex(&bytes);
    assert_eq!(created["sha256"], sha256);
    let (status, kind, served) = bytes_of(
        &app,
        &acme.admin_token,
        created["url"].as_str().expect("url"),
    )
    .await;
    assert_eq!((status, kind.as_deref()), (200, Some("image/jpeg")));
    assert_eq!(served, bytes);
    // The object is in the bucket, once, under its hash: moto lists it.
    assert!(app.state.media.exists(&sha256).await.expect("head"));
    let listing = client
        .get(format!(
            "{endpoint}/parley-media?list-type=2&prefix=tests/media/"
        ))
        .send()
        .await
        .expect("moto")
        .text()
        .await
        .expect("listing");
    assert!(
        listing.contains(&format!("tests/media/sha256/{}/{sha256}", &sha256[..2])),
        "{listing}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_upload_is_refused_without_reading_it_all() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    // Three times the default limit of 1 MB.
    let big = picture(12, 3 * 1024 * 1024);
    let response = upload(&app, &acme.admin_token, "image/png", &big).await;
    expect_error(response, 413, "media_too_large").await;
    assert_eq!(app.count("SELECT count(*) AS count FROM media").await, 0);
    // Exactly the limit is fine.
    let limit = picture(13, 1024 * 1024 - 8);
    json_with_status(
        upload(&app, &acme.admin_token, "image/png", &limit).await,
        201,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_removes_unsent_uploads_and_their_bytes_but_keeps_sent_media() {
    // A store of its own: other tests' contents are not this database's to remove.
    let store = tempfile::tempdir().expect("media folder");
    let app = TestApp::spawn_with(settings(&[(
        "PARLEY_MEDIA_STORE",
        store.path().display().to_string(),
    )]))
    .await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = &acme.admin_token;
    let started = app.start_conversation(token, CUSTOMER, "Hello").await;
    let conversation_id = started["conversation"]["id"].as_str().expect("id");
    let unsent_bytes = picture(14, 500);
    let sent_bytes = picture(15, 600);
    json_with_status(upload(&app, token, "image/png", &unsent_bytes).await, 201).await;
    let sent = json_with_status(upload(&app, token, "image/png", &sent_bytes).await, 201).await;
    json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{conversation_id}/messages"),
            Some(token),
            &json!({"text": "here", "media_ids": [sent["id"]]}),
        )
        .await,
        201,
    )
    .await;
    let unsent_hash = sha256_hex(&unsent_bytes);
    assert!(app.state.media.exists(&unsent_hash).await.expect("head"));

    // A fresh upload waits to be sent.
    parley::retention::prune_once(&app.state)
        .await
        .expect("prune");
    assert_eq!(app.count("SELECT count(*) AS count FROM media").await, 2);

    app.clock.advance(chrono::Duration::days(2));
    let pruned = parley::retention::prune_once(&app.state)
        .await
        .expect("prune")
        .expect("not pruning elsewhere");
    assert_eq!(pruned.media, 1);
    assert_eq!(app.count("SELECT count(*) AS count FROM media").await, 1);
    assert!(!app.state.media.exists(&unsent_hash).await.expect("head"));
    assert!(app
        .state
        .media
        .exists(&sha256_hex(&sent_bytes))
        .await
        .expect("head"));

    // A deleted message's media goes the same way.
    use diesel_async::RunQueryDsl;
    let mut conn = app.state.pool.get().await.expect("connection");
    diesel::sql_query("DELETE FROM messages WHERE message_type = 'MMS'")
        .execute(&mut conn)
        .await
        .expect("delete");
    drop(conn);
    parley::retention::prune_once(&app.state)
        .await
        .expect("prune");
    assert_eq!(app.count("SELECT count(*) AS count FROM media").await, 0);
    assert!(!app
        .state
        .media
        .exists(&sha256_hex(&sent_bytes))
        .await
        .expect("head"));
}

#[tokio::test(flavor = "multi_thread")]
async fn simulator_mode_simulates_a_customer_sending_a_picture() {
    // No Telnyx key: the built-in carrier simulator plays Telnyx.
    let app = TestApp::spawn_with(settings(&[("TELNYX_API_KEY", "")])).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = &acme.admin_token;
    let bytes = picture(16, 800);
    let item = json_with_status(upload(&app, token, "image/jpeg", &bytes).await, 201).await;
    let simulated = json_with_status(
        app.post_json(
            "/api/v1/simulator/inbound",
            Some(token),
            &json!({"from": CUSTOMER, "text": "", "media_ids": [item["id"]]}),
        )
        .await,
        202,
    )
    .await;
    assert_eq!(simulated["webhook_status"], 200);
    let message = settled_message(&app, token).await;
    assert_eq!(message["direction"], "inbound");
    assert_eq!(message["type"], "MMS");
    assert_eq!(message["media"][0]["status"], "stored");
    assert_eq!(message["media"][0]["sha256"], sha256_hex(&bytes));
    assert_ne!(
        message["media"][0]["id"], item["id"],
        "the customer's own item"
    );
    // Neither text nor media: refused.
    expect_error(
        app.post_json(
            "/api/v1/simulator/inbound",
            Some(token),
            &json!({"from": CUSTOMER, "text": " "}),
        )
        .await,
        422,
        "empty_message",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fetch_that_fails_for_a_moment_is_retried() {
    let bytes = picture(17, 700);
    let server = MediaServer::start(vec![("/flaky/p.png", "image/png", bytes.clone())]).await;
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let media = json!([declared(server.url("/flaky/p.png"), "image/png", &bytes)]);
    let body = received_mms("ev-flaky", "msg-flaky", "", media);
    json_with_status(deliver(&app, &body).await, 200).await;
    let message = settled_message(&app, &acme.admin_token).await;
    assert_eq!(message["media"][0]["status"], "stored");
    assert_eq!(
        app.count("SELECT count(*) AS count FROM jobs WHERE kind = 'fetch_media' AND status = 'done' AND attempts = 2")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn media_the_carrier_cannot_fetch_fails_the_send_with_telnyxs_error() {
    // A public URL nobody answers at: the carrier cannot fetch the media.
    let app = TestApp::spawn_with(settings(&[("PARLEY_PUBLIC_URL", "http://127.0.0.1:9")])).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = &acme.admin_token;
    let started = app.start_conversation(token, CUSTOMER, "Hello").await;
    let conversation_id = started["conversation"]["id"].as_str().expect("id");
    let item = json_with_status(
        upload(&app, token, "image/png", &picture(18, 100)).await,
        201,
    )
    .await;
    let sent = json_with_status(
        app.post_json(
            &format!("/api/v1/conversations/{conversation_id}/messages"),
            Some(token),
            &json!({"media_ids": [item["id"]]}),
        )
        .await,
        201,
    )
    .await;
    let failed = app
        .wait_for_status(
            token,
            conversation_id,
            sent["id"].as_str().expect("id"),
            "sending_failed",
        )
        .await;
    assert_eq!(failed["error"]["code"], "40317", "{failed}");
}
