//! Two instances on one database under load (docs/SCALING.md): customers' texts posted to both
//! instances, each webhook delivered more than once (at the same moment to both, or again to
//! the other after an answer), agents sending through both, AI replies and sends run by both
//! instances' workers. Every feed subscriber, on either instance, gets every event once and in
//! order; every text is stored once; nothing reaches the carrier twice.
//!
//! In a debug build on 2 cores the load takes about 15 s of the test's 20 s (signing and
//! checking the webhooks' Ed25519 signatures unoptimised is much of it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use parley_tests::ai_fake::AiFake;
use parley_tests::traffic::{InboundEvent, Inspector};
use parley_tests::{json_with_status, TestApp};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const OUR_NUMBER: &str = "+14165550100";
const CUSTOMERS: usize = 50;
const WEBHOOKS: usize = 200;
/// Events posted at a time (each with its two or three deliveries).
const CONCURRENCY: usize = 24;
/// Agents' sends into existing conversations, alternating between the instances.
const AGENT_SENDS: usize = 20;
/// Of which every `NEW_EVERY`th starts a conversation with a new customer instead.
const NEW_EVERY: usize = 6;
/// Attempts at one delivery before the test gives up on it (Telnyx retries non-2xx).
const DELIVERY_ATTEMPTS: u32 = 6;
/// Everything (sends, receipts, AI replies) is finished within this after the load.
const SETTLE: Duration = Duration::from_secs(60);

fn customer(i: usize) -> String {
    // Never ending in 0000: the simulator fails delivery to those.
    format!("+1416557{:04}", 1000 + i % CUSTOMERS)
}

fn overrides(fake: &AiFake) -> HashMap<String, String> {
    [
        ("PARLEY_AI_BASE_URL", fake.base_url().to_string()),
        ("PARLEY_AI_API_KEY", "sk-test".to_string()),
        ("PARLEY_AI_TIMEOUT_SECONDS", "30".to_string()),
        ("PARLEY_AI_DEBOUNCE_MS", "100".to_string()),
        ("PARLEY_DB_POOL_SIZE", "12".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// One feed subscriber: a task reading frames into `events`; if the server closes the feed
/// (a subscriber too slow is closed by design) it comes back with `after=<last id>`, as a
/// client should, and the close is recorded.
struct Feed {
    name: String,
    /// The first id this subscriber must see.
    first: i64,
    events: Arc<Mutex<Vec<Value>>>,
    closes: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Feed {
    fn events(&self) -> Vec<Value> {
        self.events.lock().unwrap().clone()
    }

    fn len(&self) -> usize {
        self.events.lock().unwrap().len()
    }
}

fn ws_url(app: &TestApp, token: &str, after: Option<i64>) -> String {
    let mut url = format!(
        "{}/api/v1/ws?access_token={token}",
        app.address.replace("http://", "ws://")
    );
    if let Some(after) = after {
        url.push_str(&format!("&after={after}"));
    }
    url
}

/// Subscribes (the subscription is in place when this returns) and reads in the background.
/// `after: None` starts live, from `latest` (the newest id when subscribing).
async fn follow(
    name: &str,
    app: &TestApp,
    token: &str,
    after: Option<i64>,
    latest: i64,
    stop: CancellationToken,
) -> Feed {
    let socket: Socket = connect_async(ws_url(app, token, after))
        .await
        .unwrap_or_else(|error| panic!("{name}: websocket: {error}"))
        .0;
    let events = Arc::new(Mutex::new(Vec::new()));
    let closes = Arc::new(Mutex::new(Vec::new()));
    let first = after.unwrap_or(latest) + 1;
    let task = tokio::spawn(read_feed(
        socket,
        app.address.clone(),
        token.to_string(),
        first - 1,
        events.clone(),
        closes.clone(),
        stop,
    ));
    Feed {
        name: name.to_string(),
        first,
        events,
        closes,
        task,
    }
}

async fn read_feed(
    mut socket: Socket,
    address: String,
    token: String,
    start: i64,
    events: Arc<Mutex<Vec<Value>>>,
    closes: Arc<Mutex<Vec<String>>>,
    stop: CancellationToken,
) {
    loop {
        let message = tokio::select! {
            message = socket.next() => message,
            _ = stop.cancelled() => {
                let _ = socket.close(None).await;
                return;
            }
        };
        let closed = match message {
            Some(Ok(Message::Text(text))) => {
                let event: Value = serde_json::from_str(&text).expect("a JSON frame");
                events.lock().unwrap().push(event);
                continue;
            }
            Some(Ok(Message::Close(frame))) => format!("closed: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(error)) => format!("error: {error}"),
            None => "ended".to_string(),
        };
        closes.lock().unwrap().push(closed);
        // Resume after the last event seen.
        let after = events
            .lock()
            .unwrap()
            .last()
            .and_then(|e| e["id"].as_i64())
            .unwrap_or(start);
        let url = format!(
            "{}/api/v1/ws?access_token={token}&after={after}",
            address.replace("http://", "ws://")
        );
        socket = loop {
            if stop.is_cancelled() {
                return;
            }
            match connect_async(url.as_str()).await {
                Ok((socket, _)) => break socket,
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
    }
}

/// Posts the event to `url` until it is answered 2xx (as Telnyx retries); answers the
/// non-2xx answers seen on the way.
async fn deliver(
    client: &reqwest::Client,
    event: &InboundEvent,
    url: &str,
    first_attempt: u32,
) -> Vec<String> {
    let mut refused = Vec::new();
    for attempt in first_attempt..first_attempt + DELIVERY_ATTEMPTS {
        let answer = event
            .deliver(client, url, attempt, Duration::from_secs(15))
            .await;
        if answer.is_success() {
            return refused;
        }
        refused.push(format!(
            "{} to {url}: {}",
            event.event_id,
            answer.describe()
        ));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{} never accepted by {url}: {refused:?}", event.event_id);
}

/// How a list of feed ids differs from `first..=last`, for a failure message.
fn sequence_problems(ids: &[i64], first: i64, last: i64) -> String {
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    for id in ids {
        *seen.entry(*id).or_default() += 1;
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    let missing: Vec<i64> = (first..=last).filter(|id| !seen.contains_key(id)).collect();
    let outside: Vec<i64> = seen
        .keys()
        .copied()
        .filter(|id| *id < first || *id > last)
        .collect();
    let backwards: Vec<(usize, i64, i64)> = ids
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[1] <= w[0])
        .map(|(i, w)| (i + 1, w[0], w[1]))
        .take(20)
        .collect();
    format!(
        "{} ids; repeated (id, times): {repeated:?}; missing: {missing:?}; outside {first}..={last}: \
         {outside:?}; not increasing (position, previous, id): {backwards:?}",
        ids.len()
    )
}

#[derive(diesel::QueryableByName)]
struct EventRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
}

#[derive(diesel::QueryableByName)]
struct OutboundRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    author: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
}

async fn load<T>(app: &TestApp, sql: &str) -> Vec<T>
where
    T: diesel::QueryableByName<diesel::pg::Pg> + Send + 'static,
{
    use diesel_async::RunQueryDsl;
    let mut conn = app.state.pool.get().await.expect("connection");
    diesel::sql_query(sql)
        .load::<T>(&mut conn)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
}

/// The `message_id` our receipt URL names (which of our messages the carrier was sent).
fn our_message_id(webhook_url: Option<&str>) -> Option<String> {
    let url = reqwest::Url::parse(webhook_url?).ok()?;
    url.query_pairs()
        .find(|(key, _)| key == "message_id")
        .map(|(_, value)| value.into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_under_load_deliver_every_event_once_in_order_and_send_nothing_twice() {
    let started = Instant::now();
    let fake = AiFake::start().await;
    fake.set_latency(Duration::from_millis(200));
    // Every model reply is different, so a reply sent twice shows as a repeated text.
    for i in 0..1000 {
        fake.push_reply(format!("AI reply {i}: thanks, we will get back to you."));
    }
    let a = TestApp::spawn_with(overrides(&fake)).await;
    let b = TestApp::spawn_with_sim(a.db.shared(), a.sim.clone(), overrides(&fake)).await;
    let acme = a.create_tenant("Acme").await;
    let token = acme.admin_token.clone();
    let tenant = acme.tenant.id;
    // A short code: pacing to a long code's 4 a second would make this test slow.
    json_with_status(
        a.post_json(
            "/api/v1/phone-numbers",
            Some(&token),
            &json!({"number": OUR_NUMBER, "number_type": "short_code"}),
        )
        .await,
        201,
    )
    .await;
    let count_events = format!("SELECT count(*) AS count FROM events WHERE tenant_id = '{tenant}'");
    let latest = a.count(&count_events).await;

    // Subscribers on both instances before any traffic: live, and replaying from 0.
    let stop = CancellationToken::new();
    let mut feeds = vec![
        follow("A live", &a, &token, None, latest, stop.clone()).await,
        follow("A after=0", &a, &token, Some(0), latest, stop.clone()).await,
        follow("B live", &b, &token, None, latest, stop.clone()).await,
    ];

    // The load: each text delivered two or three times, to both instances.
    let events: Vec<InboundEvent> = (0..WEBHOOKS)
        .map(|i| InboundEvent::new(&customer(i), OUR_NUMBER, &format!("Hello, question {i}")))
        .collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(2 * CONCURRENCY)
        .build()
        .expect("client");
    let urls = [a.url("/webhooks/telnyx"), b.url("/webhooks/telnyx")];
    let posted = Arc::new(AtomicUsize::new(0));
    let deliveries = Arc::new(AtomicUsize::new(0));
    let webhooks = {
        let client = client.clone();
        let urls = urls.clone();
        let posted = posted.clone();
        let deliveries = deliveries.clone();
        let events = events.clone();
        async move {
            let refused: Vec<Vec<String>> = stream::iter(events.into_iter().enumerate())
                .map(|(i, event)| {
                    let client = client.clone();
                    let first = urls[i % 2].clone();
                    let other = urls[(i + 1) % 2].clone();
                    let posted = posted.clone();
                    let deliveries = deliveries.clone();
                    async move {
                        let mut refused = Vec::new();
                        match i % 3 {
                            // Telnyx delivering the same event to both at the same moment.
                            0 => {
                                let (x, y) = tokio::join!(
                                    deliver(&client, &event, &first, 1),
                                    deliver(&client, &event, &other, 1)
                                );
                                refused.extend(x.into_iter().chain(y));
                                deliveries.fetch_add(2, Ordering::SeqCst);
                            }
                            // A retry (an answer that was lost) reaching the other instance.
                            1 => {
                                refused.extend(deliver(&client, &event, &first, 1).await);
                                refused.extend(deliver(&client, &event, &other, 2).await);
                                deliveries.fetch_add(2, Ordering::SeqCst);
                            }
                            // Stored, then delivered again to both at once.
                            _ => {
                                refused.extend(deliver(&client, &event, &first, 1).await);
                                let (x, y) = tokio::join!(
                                    deliver(&client, &event, &other, 2),
                                    deliver(&client, &event, &first, 3)
                                );
                                refused.extend(x.into_iter().chain(y));
                                deliveries.fetch_add(3, Ordering::SeqCst);
                            }
                        }
                        posted.fetch_add(1, Ordering::SeqCst);
                        refused
                    }
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            refused.into_iter().flatten().collect::<Vec<String>>()
        }
    };

    // Agents answering through both instances while the texts arrive; answers their
    // messages' ids.
    let agents = async {
        let deadline = Instant::now() + Duration::from_secs(60);
        let conversations: Vec<String> = loop {
            let page =
                json_with_status(b.get("/api/v1/conversations?limit=50", &token).await, 200).await;
            let ids: Vec<String> = page["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["id"].as_str().map(str::to_string))
                .collect();
            if ids.len() >= 12 {
                break ids;
            }
            assert!(Instant::now() < deadline, "conversations never appeared");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let mut sent = Vec::new();
        for k in 0..AGENT_SENDS {
            let app = if k % 2 == 0 { &a } else { &b };
            let id = if k % NEW_EVERY == NEW_EVERY - 1 {
                let started = app
                    .start_conversation(
                        &token,
                        &format!("+1416558{:04}", 2000 + k),
                        &format!("Agent opener {k}"),
                    )
                    .await;
                started["message"]["id"].as_str().unwrap().to_string()
            } else {
                let conversation = &conversations[k % conversations.len()];
                let message = json_with_status(
                    app.post_json(
                        &format!("/api/v1/conversations/{conversation}/messages"),
                        Some(&token),
                        &json!({"text": format!("Agent note {k}")}),
                    )
                    .await,
                    201,
                )
                .await;
                message["id"].as_str().unwrap().to_string()
            };
            sent.push(id);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        sent
    };

    // A subscriber joining B in the middle of the load, replaying from 0 into the live stream.
    let late = async {
        let deadline = Instant::now() + Duration::from_secs(60);
        while posted.load(Ordering::SeqCst) < WEBHOOKS / 3 {
            assert!(
                Instant::now() < deadline,
                "the load never got a third through"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        follow(
            "B joined mid-load, after=0",
            &b,
            &token,
            Some(0),
            latest,
            stop.clone(),
        )
        .await
    };

    let load_started = Instant::now();
    let ((refused, webhooks_took), (agent_messages, agents_took), late_feed) = tokio::join!(
        async { (webhooks.await, load_started.elapsed()) },
        async { (agents.await, load_started.elapsed()) },
        late
    );
    let load_took = load_started.elapsed();
    feeds.push(late_feed);

    // Everything finished: every job done, every outbound message delivered.
    let direct = Inspector::new(&a.db.url);
    let deadline = Instant::now() + SETTLE;
    loop {
        let unsettled = direct.unsettled().await;
        let undelivered = direct
            .count(
                "SELECT count(*) AS count FROM messages
                  WHERE direction = 'outbound' AND status <> 'delivered'",
            )
            .await;
        if unsettled.is_empty() && undelivered == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not settled within {SETTLE:?}: {unsettled:?}; outbound not delivered: {undelivered}; {:?}",
            direct.outbound_statuses().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let settled_after = load_started.elapsed();

    // The feeds catch up with the table, and nothing more arrives.
    let deadline = Instant::now() + Duration::from_secs(20);
    let total = loop {
        let total = a.count(&count_events).await;
        let behind: Vec<String> = feeds
            .iter()
            .filter(|feed| (feed.len() as i64) < total - feed.first + 1)
            .map(|feed| {
                format!(
                    "{}: {} of {}",
                    feed.name,
                    feed.len(),
                    total - feed.first + 1
                )
            })
            .collect();
        if behind.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if a.count(&count_events).await == total {
                break total;
            }
            continue;
        }
        assert!(
            Instant::now() < deadline,
            "the feeds never caught up with {total} events: {behind:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    stop.cancel();
    for feed in &mut feeds {
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut feed.task).await;
    }

    // Figures, printed before the assertions.
    let sent = a.sim.sent_messages();
    let by_instance = |app: &TestApp| {
        sent.iter()
            .filter(|m| {
                m.webhook_url
                    .as_deref()
                    .is_some_and(|url| url.starts_with(&app.address))
            })
            .count()
    };
    let workers = a
        .count("SELECT count(DISTINCT locked_by) AS count FROM jobs WHERE status = 'done'")
        .await;
    let closes: Vec<(String, Vec<String>)> = feeds
        .iter()
        .map(|feed| (feed.name.clone(), feed.closes.lock().unwrap().clone()))
        .filter(|(_, closes)| !closes.is_empty())
        .collect();
    println!(
        "scaling: {WEBHOOKS} texts from {CUSTOMERS} customers in {} deliveries, {} agent messages; \
         webhooks {webhooks_took:?}, agents {agents_took:?}, load {load_took:?}, settled {settled_after:?}, total {:?}; {total} events; \
         {} sent by A's workers, {} by B's; {workers} workers completed jobs; \
         non-2xx answers (retried): {}; feeds reconnected: {closes:?}",
        deliveries.load(Ordering::SeqCst),
        agent_messages.len(),
        started.elapsed(),
        by_instance(&a),
        by_instance(&b),
        refused.len(),
    );
    if !refused.is_empty() {
        println!("  refused: {:?}", &refused[..refused.len().min(20)]);
    }

    // A feed may be closed only as documented: a subscriber too slow, which resumes.
    for (name, closes) in &closes {
        assert!(
            closes.iter().all(|close| close.contains("too slow")),
            "{name}'s feed was closed: {closes:?}"
        );
    }

    // Every feed: every event once, in order, exactly the table's ids.
    let stored: Vec<EventRow> = load(
        &a,
        &format!("SELECT id, type AS kind FROM events WHERE tenant_id = '{tenant}' ORDER BY id"),
    )
    .await;
    let stored_ids: Vec<i64> = stored.iter().map(|e| e.id).collect();
    assert_eq!(stored.len() as i64, total);
    // (`assert!`, not `assert_eq!`: a failure names the wrong ids instead of printing all.)
    assert!(
        stored_ids == (1..=total).collect::<Vec<_>>(),
        "the table's ids are 1..=N: {}",
        sequence_problems(&stored_ids, 1, total)
    );
    let stored_kinds: HashMap<i64, &str> = stored.iter().map(|e| (e.id, e.kind.as_str())).collect();
    for feed in &feeds {
        let events = feed.events();
        let ids: Vec<i64> = events
            .iter()
            .map(|e| e["id"].as_i64().expect("an id"))
            .collect();
        assert!(
            ids == (feed.first..=total).collect::<Vec<_>>(),
            "{}: every event once and in order: {}",
            feed.name,
            sequence_problems(&ids, feed.first, total)
        );
        for event in &events {
            let id = event["id"].as_i64().unwrap_or_default();
            assert_eq!(
                event["type"].as_str(),
                stored_kinds.get(&id).copied(),
                "{}: event {id}'s type",
                feed.name
            );
        }
    }
    // And the same events (id, type, time, data) on every feed, replayed or live, A or B.
    let reference = feeds[1].events();
    for feed in &feeds {
        let events = feed.events();
        let offset = (feed.first - 1) as usize;
        assert!(
            events == reference[offset..],
            "{} saw other events than {}",
            feed.name,
            feeds[1].name
        );
    }

    // Every text stored once, under the tenant, whatever instance and however often.
    let inbound = direct.inbound_per_telnyx_id().await;
    let ours: HashSet<&str> = events.iter().map(|e| e.message_id.as_str()).collect();
    let doubled: Vec<_> = inbound.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        doubled.is_empty(),
        "texts stored more than once: {doubled:?}"
    );
    assert_eq!(inbound.len(), WEBHOOKS, "one inbound row per text");
    assert!(
        inbound.keys().all(|id| ours.contains(id.as_str())),
        "inbound rows of texts never sent"
    );
    let processed = direct
        .counts(
            "SELECT event_id AS key, count(*) AS count FROM webhook_deliveries
              WHERE event_type = 'message.received' AND outcome = 'processed' GROUP BY 1",
        )
        .await;
    let not_once: Vec<_> = events
        .iter()
        .filter(|e| processed.get(&e.event_id) != Some(&1))
        .map(|e| (e.event_id.clone(), processed.get(&e.event_id).copied()))
        .collect();
    assert!(
        not_once.is_empty(),
        "deliveries processed other than once (the others are duplicates): {not_once:?}"
    );
    let duplicates = direct
        .count(
            "SELECT count(*) AS count FROM webhook_deliveries
              WHERE event_type = 'message.received' AND outcome = 'duplicate'",
        )
        .await;
    assert!(
        duplicates >= WEBHOOKS as i64,
        "every text came at least twice: {duplicates} answered as duplicates"
    );
    // One AI reply job per text: a duplicate delivery enqueued nothing.
    let jobs = direct.jobs().await;
    assert_eq!(
        jobs.get("ai_reply/done").copied().unwrap_or_default(),
        WEBHOOKS as i64,
        "one AI job per text, all done: {jobs:?}"
    );
    assert!(
        jobs.keys().all(|key| key.ends_with("/done")),
        "every job done: {jobs:?}"
    );

    // Nothing sent twice: each outbound row reached the carrier once, under its own Telnyx id;
    // the carrier got nothing else.
    direct.assert_carried_once(&sent).await;
    let outbound: Vec<OutboundRow> = load(
        &a,
        &format!(
            "SELECT id::text AS id, author, status FROM messages
              WHERE tenant_id = '{tenant}' AND direction = 'outbound'"
        ),
    )
    .await;
    let mut carried: HashMap<String, usize> = HashMap::new();
    for message in &sent {
        let id = our_message_id(message.webhook_url.as_deref())
            .unwrap_or_else(|| panic!("a send without our receipt URL: {message:?}"));
        *carried.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = carried.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "messages sent more than once: {twice:?}");
    let outbound_ids: HashSet<&str> = outbound.iter().map(|m| m.id.as_str()).collect();
    let carried_ids: HashSet<&str> = carried.keys().map(String::as_str).collect();
    assert_eq!(
        outbound_ids, carried_ids,
        "each outbound row sent, and only those"
    );
    let mut texts: HashMap<(&str, &str), usize> = HashMap::new();
    for message in &sent {
        *texts.entry((&message.to, &message.text)).or_default() += 1;
    }
    let repeated: Vec<_> = texts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        repeated.is_empty(),
        "the same text to the same customer twice: {repeated:?}"
    );
    for id in &agent_messages {
        assert_eq!(carried.get(id), Some(&1), "agent message {id} sent once");
    }
    let ai_replies = outbound.iter().filter(|m| m.author == "ai").count();
    assert!(ai_replies > 0, "the AI replied");
    assert!(
        outbound.iter().all(|m| m.status == "delivered"),
        "every outbound message delivered"
    );

    // The feed tells the same story: each message created once, and each outbound message's
    // last status on the feed is the one stored.
    let mut created: HashMap<String, usize> = HashMap::new();
    let mut last_status: HashMap<String, String> = HashMap::new();
    for event in &reference {
        let message = match event["type"].as_str() {
            Some("message.created") => {
                *created
                    .entry(event["data"]["id"].as_str().unwrap_or_default().to_string())
                    .or_default() += 1;
                &event["data"]
            }
            Some("message.status_updated") => &event["data"],
            _ => continue,
        };
        if let (Some(id), Some(status)) = (message["id"].as_str(), message["status"].as_str()) {
            last_status.insert(id.to_string(), status.to_string());
        }
    }
    let created_twice: Vec<_> = created.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        created_twice.is_empty(),
        "message.created more than once: {created_twice:?}"
    );
    assert_eq!(
        created.len(),
        WEBHOOKS + outbound.len(),
        "one message.created per message"
    );
    for message in &outbound {
        assert_eq!(
            last_status.get(&message.id).map(String::as_str),
            Some("delivered"),
            "the feed's last status of {}",
            message.id
        );
    }
}
