//! The real-time feed over a real WebSocket.

use std::collections::HashMap;
use std::time::Duration;

use diesel_async::RunQueryDsl;
use futures_util::{SinkExt, StreamExt};
use parley::wire::Role;
use parley_tests::{json_with_status, TestApp, JWT_SECRET};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const OUR_NUMBER: &str = "+14165550100";

fn ws_url(app: &TestApp, query: &str) -> String {
    format!(
        "{}/api/v1/ws?{query}",
        app.address.replace("http://", "ws://")
    )
}

pub(super) async fn subscribe(app: &TestApp, token: &str, after: Option<i64>) -> Socket {
    let mut query = format!("access_token={token}");
    if let Some(after) = after {
        query.push_str(&format!("&after={after}"));
    }
    connect_async(ws_url(app, &query))
        .await
        .expect("websocket")
        .0
}

/// The next event frame (pings are answered by the library), or None on close / timeout.
pub(super) async fn next_event(socket: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(wait, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                return Some(serde_json::from_str(&text).expect("JSON frame"))
            }
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Err(_) | Ok(Some(Err(_))) => return None,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

pub(super) async fn events_until(
    socket: &mut Socket,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let mut seen = Vec::new();
    while !done(&seen) {
        match next_event(socket, Duration::from_secs(10)).await {
            Some(event) => seen.push(event),
            None => panic!("feed ended early after {seen:?}"),
        }
    }
    seen
}

pub(super) fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn events_of_each_kind_arrive_in_order_for_their_tenant_only() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let globex = app
        .create_tenant_with_number("Globex", "+14165550200")
        .await;
    let mut acme_feed = subscribe(&app, &acme.admin_token, None).await;
    let mut globex_feed = subscribe(&app, &globex.admin_token, None).await;

    let started = app
        .start_conversation(&acme.admin_token, "4165551234", "Hello from Acme")
        .await;
    let events = events_until(&mut acme_feed, |seen| {
        seen.iter()
            .any(|e| e["type"] == "message.status_updated" && e["data"]["status"] == "delivered")
    })
    .await;
    let kinds = types(&events);
    assert_eq!(
        &kinds[..2],
        &["message.created", "conversation.created"],
        "{kinds:?}"
    );
    assert_eq!(events[0]["data"]["id"], started["message"]["id"]);
    assert_eq!(events[1]["data"]["phone_number"], "+14165551234");
    let statuses: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "message.status_updated")
        .map(|e| e["data"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.last(), Some(&"delivered"));
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "ids increase by one: {ids:?}"
    );
    assert!(events.iter().all(|e| e["occurred_at"].is_string()));

    // An inbound message and an opt-out.
    app.sim
        .send_inbound("+14165551234", OUR_NUMBER, "STOP")
        .await
        .unwrap();
    let more = events_until(&mut acme_feed, |seen| {
        seen.iter().any(|e| e["type"] == "conversation.updated")
    })
    .await;
    assert!(
        types(&more).contains(&"message.created") && types(&more).contains(&"opt_out.changed"),
        "{more:?}"
    );

    // Globex saw nothing of it.
    assert!(next_event(&mut globex_feed, Duration::from_millis(500))
        .await
        .is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_tokens_are_refused_before_the_upgrade_and_the_protocol_header_works() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    for query in ["", "access_token=garbage"] {
        match connect_async(ws_url(&app, query)).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 401)
            }
            other => panic!("expected 401, got {:?}", other.map(|(_, r)| r.status())),
        }
    }
    let mut request = ws_url(&app, "").into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        format!("bearer, {}", acme.admin_token).parse().unwrap(),
    );
    let (mut socket, response) = connect_async(request).await.expect("protocol auth");
    assert_eq!(response.headers()["sec-websocket-protocol"], "bearer");
    app.start_conversation(&acme.admin_token, "4165551234", "hi")
        .await;
    assert_eq!(
        next_event(&mut socket, Duration::from_secs(10))
            .await
            .unwrap()["type"],
        "message.created"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_that_expires_while_connected_ends_the_connection() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let me = json_with_status(app.get("/api/v1/me", &acme.admin_token).await, 200).await;
    let user_id = me["user"]["id"].as_str().unwrap().parse().unwrap();
    let short = parley::auth::tokens::Tokens::new(JWT_SECRET.as_bytes(), Duration::from_secs(2))
        .issue(user_id, acme.tenant.id, Role::Admin, app.clock_now())
        .unwrap();
    let mut socket = subscribe(&app, &short, None).await;
    let started = std::time::Instant::now();
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert!(started.elapsed() < Duration::from_secs(6));
    assert!(close.unwrap().reason.contains("expired"));
}

#[tokio::test(flavor = "multi_thread")]
async fn reconnecting_with_after_loses_nothing_while_messages_keep_arriving() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();
    let sim = app.sim.clone();
    let writer = tokio::spawn(async move {
        for i in 0..30 {
            sim.send_inbound(
                &format!("+1416555{:04}", 4000 + i % 5),
                OUR_NUMBER,
                &format!("message {i}"),
            )
            .await
            .unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let mut received: Vec<i64> = Vec::new();
    let mut last: Option<i64> = Some(0);
    // Connect, read a few, drop the connection, come back with after=<last>; repeatedly.
    for _ in 0..6 {
        let mut socket = subscribe(&app, &token, last).await;
        for _ in 0..8 {
            match next_event(&mut socket, Duration::from_millis(700)).await {
                Some(event) => {
                    let id = event["id"].as_i64().unwrap();
                    received.push(id);
                    last = Some(id);
                }
                None => break,
            }
        }
        let _ = socket.close(None).await;
    }
    writer.await.unwrap();
    let mut socket = subscribe(&app, &token, last).await;
    while let Some(event) = next_event(&mut socket, Duration::from_millis(1500)).await {
        received.push(event["id"].as_i64().unwrap());
    }
    let total = app
        .count(&format!(
            "SELECT count(*) AS count FROM events WHERE tenant_id = '{}'",
            acme.tenant.id
        ))
        .await;
    assert_eq!(
        received,
        (1..=total).collect::<Vec<_>>(),
        "every event once, in order"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_handled_by_one_instance_reaches_a_subscriber_of_another() {
    let first = TestApp::spawn().await;
    let acme = first.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let second =
        TestApp::spawn_with_sim(first.db.shared(), first.sim.clone(), HashMap::new()).await;
    let mut feed = subscribe(&second, &acme.admin_token, None).await;
    // The simulator posts to the first instance's webhook endpoint.
    first
        .sim
        .send_inbound("+14165551234", OUR_NUMBER, "hello over there")
        .await
        .unwrap();
    let events = events_until(&mut feed, |seen| {
        seen.iter().any(|e| e["type"] == "message.created")
    })
    .await;
    let message = events
        .iter()
        .find(|e| e["type"] == "message.created")
        .unwrap();
    assert_eq!(message["data"]["text"], "hello over there");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_listener_survives_losing_its_connection() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let mut feed = subscribe(&app, &acme.admin_token, None).await;
    app.start_conversation(&acme.admin_token, "4165551234", "before")
        .await;
    events_until(&mut feed, |seen| {
        seen.iter().any(|e| e["type"] == "message.created")
    })
    .await;

    let mut conn = app.state.pool.get().await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct Killed {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        killed: i64,
    }
    let killed: Killed = diesel::sql_query(format!(
        "SELECT count(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity WHERE application_name = '{}' AND datname = current_database()",
        parley::realtime::listener::APPLICATION_NAME
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(killed.killed, 1, "the listener had its own connection");
    // Events written while the listener is down still arrive.
    let after = app
        .start_conversation(&acme.admin_token, "4165554321", "after")
        .await;
    let events = events_until(&mut feed, |seen| {
        seen.iter().any(|e| {
            e["type"] == "conversation.created" && e["data"]["phone_number"] == "+14165554321"
        })
    })
    .await;
    assert!(events
        .iter()
        .any(|e| e["type"] == "message.created" && e["data"]["id"] == after["message"]["id"]));
    // And nothing twice.
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[1] > w[0]), "{ids:?}");
    let _ = feed.send(Message::Close(None)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pruned_events_are_announced_as_a_reset() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    app.start_conversation(&acme.admin_token, "4165551234", "old news")
        .await;
    let mut conn = app.state.pool.get().await.unwrap();
    let pruned =
        parley::realtime::events::prune(&mut conn, app.clock_now() + chrono::Duration::seconds(1))
            .await
            .unwrap();
    assert!(pruned >= 2);
    app.start_conversation(&acme.admin_token, "4165554321", "fresh")
        .await;
    let mut feed = subscribe(&app, &acme.admin_token, Some(0)).await;
    let first = next_event(&mut feed, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(first["type"], "feed.reset", "{first}");
    let next = next_event(&mut feed, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(
        next["id"].as_i64().unwrap(),
        first["id"].as_i64().unwrap() + 1
    );
}

/// Events are numbered as their transaction commits: ids follow the order of the commits,
/// not of the writes, a writer never waits for another tenant's or an open transaction's
/// events, a rolled-back transaction takes no id, and nothing is left to be numbered.
#[tokio::test(flavor = "multi_thread")]
async fn event_ids_follow_the_order_of_commits() {
    use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
    use parley::ids::TenantId;
    use parley::realtime::events;
    use parley::wire::{FeedPayload, FeedReset};

    let app = TestApp::spawn().await;
    let first = app.create_tenant("First").await.tenant.id;
    let second = app.create_tenant("Second").await.tenant.id;
    async fn write(
        conn: &mut AsyncPgConnection,
        tenant: TenantId,
        reasons: &[&str],
    ) -> diesel::QueryResult<()> {
        let payloads = reasons
            .iter()
            .map(|reason| {
                FeedPayload::FeedReset(FeedReset {
                    reason: reason.to_string(),
                })
            })
            .collect();
        events::record_all(conn, tenant, payloads, chrono::Utc::now()).await
    }
    let mut a = app.state.pool.get().await.expect("connection");
    let mut b = app.state.pool.get().await.expect("connection");
    let before_first = events::latest_id(&mut a, first).await.expect("latest");
    let before_second = events::latest_id(&mut a, second).await.expect("latest");

    a.batch_execute("BEGIN").await.expect("begin");
    write(&mut a, first, &["a1", "a2"]).await.expect("write");
    // Written later, committed first, while the first transaction is still open.
    let committed = tokio::time::timeout(Duration::from_secs(10), async {
        b.batch_execute("BEGIN").await?;
        write(&mut b, first, &["b1"]).await?;
        write(&mut b, second, &["b to the second tenant"]).await?;
        b.batch_execute("COMMIT").await
    })
    .await;
    committed
        .expect("a writer never waits for another open transaction's events")
        .expect("written and committed");
    write(&mut a, first, &["a3"]).await.expect("write");
    a.batch_execute("COMMIT").await.expect("commit");
    b.batch_execute("BEGIN").await.expect("begin");
    write(&mut b, first, &["rolled back"]).await.expect("write");
    b.batch_execute("ROLLBACK").await.expect("rollback");
    write(&mut b, first, &["after"]).await.expect("write");

    let reasons = |events: &[parley::wire::FeedEvent]| -> Vec<(i64, String)> {
        events
            .iter()
            .map(|event| match &event.payload {
                FeedPayload::FeedReset(reset) => (event.id, reset.reason.clone()),
                other => panic!("unexpected event {other:?}"),
            })
            .collect()
    };
    let seen = reasons(
        &events::after(&mut a, first, before_first, 100)
            .await
            .expect("read"),
    );
    let expected: Vec<(i64, String)> = ["b1", "a1", "a2", "a3", "after"]
        .iter()
        .enumerate()
        .map(|(i, reason)| (before_first + 1 + i as i64, reason.to_string()))
        .collect();
    assert_eq!(seen, expected);
    let seen = reasons(
        &events::after(&mut a, second, before_second, 100)
            .await
            .expect("read"),
    );
    assert_eq!(
        seen,
        vec![(before_second + 1, "b to the second tenant".to_string())]
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM pending_events")
            .await,
        0
    );
}
