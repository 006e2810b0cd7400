//! A database outage: PostgreSQL refuses connections for a few seconds while customers' texts
//! arrive and agents send. During it webhooks answer 503 (Telnyx delivers them again), sends
//! answer 503 and store nothing, `/readyz` answers 503; once the database is back every text
//! is stored exactly once and every accepted send reaches the carrier exactly once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use parley::telnyx::simulator::{Simulator, SimulatorConfig};
use parley_tests::chaos::ChaosProxy;
use parley_tests::traffic::{self, Answer, InboundEvent, Inspector};
use parley_tests::{TestApp, TestDb, SIM_SEED};
use tokio_util::sync::CancellationToken;

const OUR_NUMBER: &str = "+14165550100";
/// Every request gets an answer within this, outage or not. Telnyx wants a webhook's answer
/// within 2 s; a request that waited out the pool's 10 s would show here as no answer.
const ANSWER_BOUND: Duration = Duration::from_secs(5);
/// The pause between one stream's requests (two streams each of webhooks and of sends).
const PACE: Duration = Duration::from_millis(100);
const OUTAGE: Duration = Duration::from_secs(3);
/// The carrier's pause between attempts at a receipt (three attempts).
const RECEIPT_RETRY: Duration = Duration::from_secs(2);
const BEFORE: Duration = Duration::from_millis(1500);
const AFTER: Duration = Duration::from_millis(1500);
/// How long the server may take to finish everything once the outage is over.
const SETTLE_SECONDS: u64 = 30;

/// A customer's text and every answer to its deliveries.
struct Delivered {
    event: InboundEvent,
    answers: Vec<Answer>,
}

impl Delivered {
    fn last(&self) -> &Answer {
        self.answers.last().expect("delivered at least once")
    }
}

struct Sent {
    text: String,
    answer: Answer,
}

type Shared<T> = Arc<Mutex<Vec<T>>>;

fn take<T>(shared: &Shared<T>) -> Vec<T> {
    std::mem::take(&mut *shared.lock().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_outage_answers_503_then_loses_and_doubles_nothing() {
    let db = TestDb::create().await;
    let direct = Inspector::new(&db.url);
    let (proxy, proxied_url) = ChaosProxy::for_database(&db.url).await;
    let overrides: HashMap<String, String> = [
        ("DATABASE_URL", proxied_url),
        // AI replies (the offline responder) run during the test and are checked too.
        ("PARLEY_AI_DEBOUNCE_MS", "200".to_string()),
        // A job whose outcome could not be recorded during the outage is claimed again soon.
        ("PARLEY_JOB_LEASE_SECONDS", "3".to_string()),
        // A send whose answer was lost waits for its receipt longer than the carrier retries.
        ("PARLEY_SEND_IN_DOUBT_SECONDS", "8".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // Telnyx retries a receipt that was not answered 2xx; two seconds apart, three attempts
    // outlast the outage.
    let sim = Simulator::start(SimulatorConfig {
        seed: Some(SIM_SEED),
        retry_backoff: RECEIPT_RETRY,
        ..SimulatorConfig::default()
    })
    .await
    .expect("the carrier simulator starts");
    let app = TestApp::spawn_with_sim(db, Arc::new(sim), overrides).await;
    let acme = app.create_tenant_with_number("Acme", OUR_NUMBER).await;
    let token = acme.admin_token.clone();

    // Agents write to three customers; six others text in.
    let mut conversations = Vec::new();
    let mut opening_texts = Vec::new();
    for i in 0..3 {
        let text = format!("opening {i} {}", uuid::Uuid::new_v4().simple());
        let started = app
            .start_conversation(&token, &format!("+1416555200{i}"), &text)
            .await;
        conversations.push(started["conversation"]["id"].as_str().unwrap().to_string());
        opening_texts.push(text);
    }
    let customers: Vec<String> = (0..6).map(|i| format!("+1416555300{i}")).collect();

    let stop = CancellationToken::new();
    let deliveries: Shared<Delivered> = Arc::default();
    let sends: Shared<Sent> = Arc::default();
    let readiness: Shared<Answer> = Arc::default();
    let webhook_url = app.url("/webhooks/telnyx");
    let mut streams = Vec::new();
    for stream in 0..2 {
        let (stop, deliveries, customers, url) = (
            stop.clone(),
            deliveries.clone(),
            customers.clone(),
            webhook_url.clone(),
        );
        let client = app.client.clone();
        streams.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.is_cancelled() {
                let from = &customers[(n * 2 + stream) % customers.len()];
                let event = InboundEvent::new(from, OUR_NUMBER, &format!("text {stream}-{n}"));
                let answer = event.deliver(&client, &url, 1, ANSWER_BOUND).await;
                deliveries.lock().unwrap().push(Delivered {
                    event,
                    answers: vec![answer],
                });
                n += 1;
                tokio::time::sleep(PACE).await;
            }
        }));
    }
    for stream in 0..2 {
        let (stop, sends, conversations, token) = (
            stop.clone(),
            sends.clone(),
            conversations.clone(),
            token.clone(),
        );
        let (client, base) = (app.client.clone(), app.address.clone());
        streams.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.is_cancelled() {
                let conversation = &conversations[(n * 2 + stream) % conversations.len()];
                let text = format!("agent {stream}-{n} {}", uuid::Uuid::new_v4().simple());
                let answer = traffic::send_message(
                    &client,
                    &base,
                    &token,
                    conversation,
                    &text,
                    ANSWER_BOUND,
                )
                .await;
                sends.lock().unwrap().push(Sent { text, answer });
                n += 1;
                tokio::time::sleep(PACE).await;
            }
        }));
    }
    {
        let (stop, readiness) = (stop.clone(), readiness.clone());
        let (client, base) = (app.client.clone(), app.address.clone());
        streams.push(tokio::spawn(async move {
            while !stop.is_cancelled() {
                let answer = traffic::readiness(&client, &base, ANSWER_BOUND).await;
                readiness.lock().unwrap().push(answer);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }

    tokio::time::sleep(BEFORE).await;
    let cut = proxy.break_connections();
    let outage_from = Instant::now();
    tokio::time::sleep(OUTAGE).await;
    let outage_until = Instant::now();
    proxy.restore();
    tokio::time::sleep(AFTER).await;
    stop.cancel();
    for stream in streams {
        stream.await.expect("a stream task");
    }
    let mut deliveries = take(&deliveries);
    let sends = take(&sends);
    let readiness = take(&readiness);

    // Telnyx delivers again what was not answered 2xx.
    let redelivery = Instant::now();
    let unanswered: Vec<&mut Delivered> = deliveries
        .iter_mut()
        .filter(|d| !d.last().is_success())
        .collect();
    let redelivered = unanswered.len();
    // Eight at a time: Telnyx spreads its retries out; a burst of a hundred would only
    // measure the pool's queue.
    stream::iter(unanswered)
        .for_each_concurrent(8, |delivered| {
            let (client, url) = (app.client.clone(), webhook_url.clone());
            async move {
                while !delivered.last().is_success() {
                    assert!(
                        redelivery.elapsed() < Duration::from_secs(30),
                        "event {} never accepted: {}",
                        delivered.event.event_id,
                        delivered.last().describe()
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let attempt = delivered.answers.len() as u32 + 1;
                    let answer = delivered
                        .event
                        .deliver(&client, &url, attempt, ANSWER_BOUND)
                        .await;
                    delivered.answers.push(answer);
                }
            }
        })
        .await;
    let redelivery_took = redelivery.elapsed();
    // Checked last: what is still moving explains the other failures less well than they do.
    let settled = direct
        .wait_until_settled(Instant::now() + Duration::from_secs(SETTLE_SECONDS))
        .await;

    let during = |answer: &Answer| answer.within(outage_from, outage_until);
    let slowest = deliveries
        .iter()
        .flat_map(|d| d.answers.iter())
        .chain(sends.iter().map(|s| &s.answer))
        .chain(readiness.iter())
        .filter(|a| a.overlaps(outage_from, outage_until))
        .map(Answer::took)
        .max()
        .unwrap_or_default();
    eprintln!(
        "outage figures: {} connections cut, {} refused; webhooks {} ({} during the outage, {} \
         delivered again, {} deliveries in all); sends {} ({} answered 201, {} during the \
         outage); readiness checks {} ({} during the outage); slowest answer during the \
         outage {slowest:?}; before {BEFORE:?}, outage {:?}, after {AFTER:?}, redelivery \
         {redelivery_took:?}, settled: {settled:?}",
        cut,
        proxy.refused(),
        deliveries.len(),
        deliveries.iter().filter(|d| during(&d.answers[0])).count(),
        redelivered,
        deliveries.iter().map(|d| d.answers.len()).sum::<usize>(),
        sends.len(),
        sends
            .iter()
            .filter(|s| s.answer.status == Some(201))
            .count(),
        sends.iter().filter(|s| during(&s.answer)).count(),
        readiness.len(),
        readiness.iter().filter(|a| during(a)).count(),
        outage_until - outage_from,
    );

    // Webhooks: 200 or 503, always within the bound; 503 throughout the outage.
    let odd: Vec<String> = deliveries
        .iter()
        .flat_map(|d| d.answers.iter().map(move |a| (d, a)))
        .filter(|(_, a)| !matches!(a.status, Some(200) | Some(503)))
        .map(|(d, a)| {
            format!(
                "{} at {} from the outage: {}",
                d.event.event_id,
                a.timing(outage_from),
                a.describe()
            )
        })
        .collect();
    assert!(
        odd.is_empty(),
        "webhooks answered other than 200/503: {odd:#?}"
    );
    let in_outage: Vec<&Answer> = deliveries
        .iter()
        .map(|d| &d.answers[0])
        .filter(|a| during(a))
        .collect();
    assert!(
        !in_outage.is_empty(),
        "no webhook arrived during the outage"
    );
    assert!(
        in_outage.iter().all(|a| a.status == Some(503)),
        "webhooks during the outage: {:?}",
        in_outage.iter().map(|a| a.describe()).collect::<Vec<_>>()
    );

    // Readiness: 503 throughout the outage, 200 after.
    let checks: Vec<&Answer> = readiness.iter().filter(|a| during(a)).collect();
    assert!(!checks.is_empty(), "no readiness check during the outage");
    assert!(
        checks.iter().all(|a| a.status == Some(503)),
        "readiness during the outage: {:?}",
        checks.iter().map(|a| a.describe()).collect::<Vec<_>>()
    );
    let after = traffic::readiness(&app.client, &app.address, ANSWER_BOUND).await;
    assert_eq!(after.status, Some(200), "ready again: {}", after.describe());

    // Every customer's text is stored exactly once, and nothing else came in.
    let inbound = direct.inbound_per_telnyx_id().await;
    let wrong: Vec<String> = deliveries
        .iter()
        .filter(|d| inbound.get(&d.event.message_id) != Some(&1))
        .map(|d| {
            format!(
                "{} stored {:?} times",
                d.event.message_id,
                inbound.get(&d.event.message_id)
            )
        })
        .collect();
    assert!(wrong.is_empty(), "inbound texts: {wrong:?}");
    assert_eq!(inbound.values().sum::<i64>(), deliveries.len() as i64);

    // Sends: 201 or 503, never a 500 or no answer; during the outage 503 and nothing stored;
    // every 201 reaches the carrier exactly once.
    let stored = direct.outbound_per_text().await;
    let sent = app.sim.sent_messages();
    let mut carried: HashMap<String, i64> = HashMap::new();
    for message in &sent {
        *carried.entry(message.text.clone()).or_default() += 1;
    }
    let count = |map: &HashMap<String, i64>, text: &str| map.get(text).copied().unwrap_or(0);
    let mut problems = Vec::new();
    for send in &sends {
        let (db, carrier) = (count(&stored, &send.text), count(&carried, &send.text));
        let ok = match send.answer.status {
            Some(201) => db == 1 && carrier == 1,
            Some(503) if during(&send.answer) => db == 0 && carrier == 0,
            // At the outage's edges the commit may have happened without its answer: it is
            // then stored and sent once, or neither.
            Some(503) => db <= 1 && carrier == db,
            _ => false,
        };
        if !ok {
            problems.push(format!(
                "{:?} at {} from the outage: {} (stored {db}, carried {carrier})",
                send.text,
                send.answer.timing(outage_from),
                send.answer.describe()
            ));
        }
    }
    for text in &opening_texts {
        if count(&stored, text) != 1 || count(&carried, text) != 1 {
            problems.push(format!("opening {text:?} not stored and carried once"));
        }
    }
    assert!(problems.is_empty(), "sends: {problems:#?}");
    assert!(
        sends
            .iter()
            .any(|s| during(&s.answer) && s.answer.status == Some(503)),
        "no send was refused during the outage"
    );

    // The carrier got each stored message once (AI replies included) and nothing else.
    direct.assert_carried_once(&sent).await;
    let failed: Vec<(String, i64)> = direct
        .jobs()
        .await
        .into_iter()
        .filter(|(key, _)| key.ends_with("/failed"))
        .collect();
    assert!(failed.is_empty(), "failed jobs: {failed:?}");
    if let Err(left) = settled {
        panic!("still moving {SETTLE_SECONDS} s after the outage: {left:?}");
    }
}
