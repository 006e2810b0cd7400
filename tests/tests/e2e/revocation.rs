//! A revoked API key or a removed user loses its open feed at once, on every instance.

use std::collections::HashMap;
use std::time::Duration;

use diesel_async::RunQueryDsl;
use futures_util::StreamExt;
use parley_tests::{json_with_status, TestApp, ADMIN_PASSWORD};
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe(app: &TestApp, token: &str) -> Socket {
    let url = format!(
        "{}/api/v1/ws?access_token={token}",
        app.address.replace("http://", "ws://")
    );
    connect_async(url).await.expect("websocket").0
}

/// The close frame the server sends, which must come within five seconds.
async fn closed_within_5s(socket: &mut Socket) -> CloseFrame {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("the feed closes within 5 s")
        {
            Some(Ok(Message::Close(Some(frame)))) => return frame,
            Some(Ok(Message::Close(None))) => panic!("closed without a reason"),
            Some(Ok(_)) => continue,
            other => panic!("the feed ended without a close frame: {other:?}"),
        }
    }
}

/// The socket is still open: nothing but pings within a short while.
async fn still_open(socket: &mut Socket) {
    if let Ok(Some(message)) = tokio::time::timeout(Duration::from_millis(300), socket.next()).await
    {
        assert!(
            matches!(message, Ok(Message::Ping(_) | Message::Text(_))),
            "the feed should stay open: {message:?}"
        );
    }
}

/// Creates an API key over the API; answers (id, secret).
async fn api_key(app: &TestApp, admin_token: &str) -> (String, String) {
    let created = json_with_status(
        app.post_json(
            "/api/v1/api-keys",
            Some(admin_token),
            &json!({"name": "feed reader"}),
        )
        .await,
        201,
    )
    .await;
    (
        created["id"].as_str().unwrap().to_string(),
        created["secret"].as_str().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn revoking_an_api_key_closes_its_feed_with_a_reason() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let (key_id, secret) = api_key(&app, &acme.admin_token).await;
    let (_, other_secret) = api_key(&app, &acme.admin_token).await;
    let mut feed = subscribe(&app, &secret).await;
    let mut other_feed = subscribe(&app, &other_secret).await;
    let mut admin_feed = subscribe(&app, &acme.admin_token).await;

    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{key_id}"), &acme.admin_token)
            .await
            .status(),
        204
    );
    let close = closed_within_5s(&mut feed).await;
    assert_eq!(close.code, CloseCode::Policy);
    assert_eq!(close.reason.as_str(), "API key revoked");
    // Only that key's sessions end.
    still_open(&mut other_feed).await;
    still_open(&mut admin_feed).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_user_closes_their_feed_with_a_reason() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let user = json_with_status(
        app.post_json(
            "/api/v1/users",
            Some(&acme.admin_token),
            &json!({"email": "sam@acme.example", "password": ADMIN_PASSWORD}),
        )
        .await,
        201,
    )
    .await;
    let token = app.token_for("sam@acme.example", ADMIN_PASSWORD).await;
    let mut feed = subscribe(&app, &token).await;
    let mut admin_feed = subscribe(&app, &acme.admin_token).await;

    let id = user["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/users/{id}"), &acme.admin_token)
            .await
            .status(),
        204
    );
    let close = closed_within_5s(&mut feed).await;
    assert_eq!(close.code, CloseCode::Policy);
    assert_eq!(close.reason.as_str(), "user removed");
    still_open(&mut admin_feed).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revocation_on_one_instance_closes_the_feed_on_another() {
    let first = TestApp::spawn().await;
    let acme = first.create_tenant("Acme").await;
    let second = TestApp::spawn_on(first.db.shared(), HashMap::new()).await;
    let (key_id, secret) = api_key(&first, &acme.admin_token).await;
    let mut feed = subscribe(&second, &secret).await;

    assert_eq!(
        first
            .delete(&format!("/api/v1/api-keys/{key_id}"), &acme.admin_token)
            .await
            .status(),
        204
    );
    let close = closed_within_5s(&mut feed).await;
    assert_eq!(close.reason.as_str(), "API key revoked");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revocation_whose_notification_was_missed_is_found_by_the_recheck() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("Acme").await;
    let (key_id, secret) = api_key(&app, &acme.admin_token).await;
    let mut feed = subscribe(&app, &secret).await;

    // Revoked behind the server's back: no notification is sent.
    let mut conn = app.state.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "UPDATE api_keys SET revoked_at = now() WHERE id = '{key_id}'"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    still_open(&mut feed).await;

    // What the listener does after a reconnect, and the periodic backstop does every minute.
    parley::realtime::revocations::recheck(&app.state).await;
    let close = closed_within_5s(&mut feed).await;
    assert_eq!(close.reason.as_str(), "API key revoked");
}
