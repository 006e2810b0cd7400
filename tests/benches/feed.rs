//! `make bench`: the real-time feed under load. 1,000 WebSocket subscribers of one tenant;
//! customers' messages arrive as signed webhooks through the carrier simulator; we measure
//! the time from posting the webhook to each subscriber holding the event (p50, p99), the
//! webhook answer time, and the event rate the feed sustains.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use parley_tests::bench::{env_number, percentile, report};
use parley_tests::TestApp;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

const OUR_NUMBER: &str = "+14165550100";

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let subscribers = env_number("BENCH_SUBSCRIBERS", 1000);
    let messages = env_number("BENCH_MESSAGES", 200);
    let concurrency = env_number("BENCH_CONCURRENCY", 8);
    let app = TestApp::spawn_with(
        [
            ("PARLEY_DB_POOL_SIZE".to_string(), "32".to_string()),
            ("PARLEY_AI_DEBOUNCE_MS".to_string(), "60000".to_string()),
        ]
        .into_iter()
        .collect(),
    )
    .await;
    let tenant = app.create_tenant_with_number("Bench", OUR_NUMBER).await;
    // AI replies would add their own events; this measures the feed, so AI is off.
    let ws = format!(
        "{}/api/v1/ws?access_token={}",
        app.address.replace("http://", "ws://"),
        tenant.admin_token
    );

    // text of the message -> when its webhook was posted
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let received_events = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut readers = Vec::with_capacity(subscribers);
    let connecting = Instant::now();
    for _ in 0..subscribers {
        let (mut socket, _) = connect_async(&ws).await.expect("subscribe");
        let sent = sent.clone();
        let latencies = latencies.clone();
        let received_events = received_events.clone();
        readers.push(tokio::spawn(async move {
            let mut seen = 0;
            while let Some(Ok(frame)) = socket.next().await {
                if let Message::Text(text) = frame {
                    let now = Instant::now();
                    received_events.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let event: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    if event["type"] == "message.created" {
                        let key = event["data"]["text"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        let posted = sent.lock().unwrap().get(&key).copied();
                        if let Some(posted) = posted {
                            latencies.lock().unwrap().push(now - posted);
                        }
                        seen += 1;
                        if seen == messages {
                            return;
                        }
                    }
                }
            }
        }));
    }
    let connect_time = connecting.elapsed();

    let webhook_times: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let started = Instant::now();
    let queue = Arc::new(Mutex::new((0..messages).collect::<Vec<_>>()));
    let senders: Vec<_> = (0..concurrency)
        .map(|_| {
            let queue = queue.clone();
            let sim = app.sim.clone();
            let sent = sent.clone();
            let webhook_times = webhook_times.clone();
            tokio::spawn(async move {
                loop {
                    let Some(i) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let text = format!("bench message {i}");
                    let from = format!("+1416555{:04}", 1000 + i % 500);
                    let posted = Instant::now();
                    sent.lock().unwrap().insert(text.clone(), posted);
                    let result = sim
                        .send_inbound(&from, OUR_NUMBER, &text)
                        .await
                        .expect("inbound");
                    assert_eq!(result.status, Some(200));
                    webhook_times.lock().unwrap().push(posted.elapsed());
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.expect("sender");
    }
    let sending = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(120);
    for reader in readers {
        let left = deadline.saturating_duration_since(Instant::now());
        let _ = tokio::time::timeout(left, reader).await;
    }
    let total = started.elapsed();

    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let mut webhook_times = webhook_times.lock().unwrap().clone();
    webhook_times.sort();
    let events = received_events.load(std::sync::atomic::Ordering::Relaxed);
    let expected = subscribers * messages;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!();
    println!("5. Feed fan-out: {subscribers} subscribers of one tenant, {messages} inbound messages ({concurrency} webhooks at a time)");
    report(
        "subscribers connected in",
        ms(connect_time),
        "ms",
        5000.0,
        "goal: 1,000 sessions within 5 s",
    );
    report(
        "webhook answered: p99",
        ms(percentile(&webhook_times, 0.99)),
        "ms",
        500.0,
        "goal: under 500 ms while fanning out",
    );
    report(
        "webhook → every subscriber: p50",
        ms(percentile(&latencies, 0.5)),
        "ms",
        500.0,
        "goal: p99 under 500 ms",
    );
    report(
        "webhook → every subscriber: p99",
        ms(percentile(&latencies, 0.99)),
        "ms",
        500.0,
        "goal: p99 under 500 ms",
    );
    report(
        "messages delivered to every subscriber",
        latencies.len() as f64,
        "",
        expected as f64,
        &format!("{expected} ({events} frames in all)"),
    );
    report(
        "feed rate",
        events as f64 / total.as_secs_f64(),
        "fr/s",
        0.0,
        &format!(
            "inbound at {:.0} messages/s",
            messages as f64 / sending.as_secs_f64()
        ),
    );
    assert_eq!(
        latencies.len(),
        expected,
        "every subscriber got every message"
    );
}
