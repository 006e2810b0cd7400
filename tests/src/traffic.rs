//! Traffic for the reliability tests: customers' texts posted as Telnyx posts them (signed,
//! re-delivered with the same ids until answered 2xx), agents' sends with their answers, and
//! a look at the database that does not go through the server under test.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use parley::telnyx::signature;
use parley::telnyx::simulator::SimulatedMessage;
use serde_json::json;
use uuid::Uuid;

use crate::sim_signing_key;

/// A customer's text as a `message.received` event. Its ids stay the same on every delivery,
/// as they do when Telnyx retries.
#[derive(Debug, Clone)]
pub struct InboundEvent {
    pub event_id: String,
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub text: String,
}

/// How one HTTP request ended.
#[derive(Debug, Clone)]
pub struct Answer {
    /// `None` when no answer came (refused, reset, timed out).
    pub status: Option<u16>,
    pub error: Option<String>,
    /// The request could not even connect: the server cannot have seen it.
    pub never_connected: bool,
    pub started: Instant,
    pub finished: Instant,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }

    /// Whether the request began and ended within `from..until`.
    pub fn within(&self, from: Instant, until: Instant) -> bool {
        self.started >= from && self.finished <= until
    }

    /// Whether the request overlapped `from..until` at all.
    pub fn overlaps(&self, from: Instant, until: Instant) -> bool {
        self.started < until && self.finished > from
    }

    pub fn took(&self) -> Duration {
        self.finished - self.started
    }

    /// When the request started and ended, in seconds from `reference` (negative before it).
    pub fn timing(&self, reference: Instant) -> String {
        let offset = |at: Instant| {
            if at >= reference {
                (at - reference).as_secs_f64()
            } else {
                -(reference - at).as_secs_f64()
            }
        };
        format!(
            "{:+.2}s..{:+.2}s",
            offset(self.started),
            offset(self.finished)
        )
    }

    pub fn describe(&self) -> String {
        match (self.status, &self.error) {
            (Some(status), _) => status.to_string(),
            (None, Some(error)) => format!("no answer: {error}"),
            (None, None) => "no answer".to_string(),
        }
    }

    async fn of(started: Instant, result: Result<reqwest::Response, reqwest::Error>) -> Answer {
        match result {
            Ok(response) => {
                let status = response.status().as_u16();
                // The body is read so that a hang while streaming it counts too.
                let error = response.text().await.err().map(|e| e.to_string());
                Answer {
                    status: Some(status),
                    error,
                    never_connected: false,
                    started,
                    finished: Instant::now(),
                }
            }
            Err(error) => Answer {
                status: None,
                never_connected: error.is_connect(),
                error: Some(error_chain(&error)),
                started,
                finished: Instant::now(),
            },
        }
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl InboundEvent {
    pub fn new(from: &str, to: &str, text: &str) -> InboundEvent {
        InboundEvent {
            event_id: Uuid::new_v4().to_string(),
            message_id: Uuid::new_v4().to_string(),
            from: from.to_string(),
            to: to.to_string(),
            text: text.to_string(),
        }
    }

    /// The body of delivery `attempt` (Telnyx counts attempts in `meta`).
    pub fn body(&self, attempt: u32, delivered_to: &str) -> String {
        json!({
            "data": {
                "event_type": "message.received",
                "id": self.event_id,
                "occurred_at": chrono::Utc::now().to_rfc3339(),
                "record_type": "event",
                "payload": {
                    "direction": "inbound",
                    "encoding": "GSM-7",
                    "errors": [],
                    "from": {"carrier": "T-Mobile USA", "line_type": "long_code",
                             "phone_number": self.from, "status": "received"},
                    "id": self.message_id,
                    "media": [],
                    "parts": 1,
                    "received_at": chrono::Utc::now().to_rfc3339(),
                    "record_type": "message",
                    "text": self.text,
                    "to": [{"carrier": "Telnyx", "line_type": "Wireless",
                            "phone_number": self.to, "status": "webhook_delivered"}],
                    "type": "SMS"
                }
            },
            "meta": {"attempt": attempt, "delivered_to": delivered_to}
        })
        .to_string()
    }

    /// Posts the event to `url`, signed now with the simulator's key, as Telnyx would.
    pub async fn deliver(
        &self,
        client: &reqwest::Client,
        url: &str,
        attempt: u32,
        timeout: Duration,
    ) -> Answer {
        let body = self.body(attempt, url);
        let now = chrono::Utc::now().timestamp();
        let started = Instant::now();
        let result = client
            .post(url)
            .timeout(timeout)
            .header("content-type", "application/json")
            .header(signature::TIMESTAMP_HEADER, now.to_string())
            .header(
                signature::SIGNATURE_HEADER,
                signature::sign(&sim_signing_key(), now, body.as_bytes()),
            )
            .body(body)
            .send()
            .await;
        Answer::of(started, result).await
    }
}

/// An agent's send: `POST /api/v1/conversations/{id}/messages` with `text`.
pub async fn send_message(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    conversation_id: &str,
    text: &str,
    timeout: Duration,
) -> Answer {
    let started = Instant::now();
    let result = client
        .post(format!(
            "{base_url}/api/v1/conversations/{conversation_id}/messages"
        ))
        .timeout(timeout)
        .bearer_auth(token)
        .json(&json!({ "text": text }))
        .send()
        .await;
    Answer::of(started, result).await
}

/// `GET /readyz`.
pub async fn readiness(client: &reqwest::Client, base_url: &str, timeout: Duration) -> Answer {
    let started = Instant::now();
    let result = client
        .get(format!("{base_url}/readyz"))
        .timeout(timeout)
        .send()
        .await;
    Answer::of(started, result).await
}

/// Queries on the test's database over a connection of the test's own, so that they work
/// whatever state the server (or a proxy in front of the database) is in.
pub struct Inspector {
    url: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

#[derive(diesel::QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = diesel::sql_types::Text)]
    key: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// What is still moving: jobs pending or running, outbound messages queued or sending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unsettled {
    pub jobs: Vec<String>,
    pub messages: Vec<String>,
}

impl Unsettled {
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty() && self.messages.is_empty()
    }
}

impl Inspector {
    pub fn new(database_url: &str) -> Inspector {
        Inspector {
            url: database_url.to_string(),
        }
    }

    async fn connect(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url)
            .await
            .expect("a direct connection to the test database")
    }

    /// The value of a query that selects one `count` (bigint).
    pub async fn count(&self, sql: &str) -> i64 {
        diesel::sql_query(sql)
            .get_result::<Count>(&mut self.connect().await)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
            .count
    }

    /// A map from a query's `key` (text) to its `count` (bigint).
    pub async fn counts(&self, sql: &str) -> HashMap<String, i64> {
        diesel::sql_query(sql)
            .load::<KeyCount>(&mut self.connect().await)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
            .into_iter()
            .map(|row| (row.key, row.count))
            .collect()
    }

    /// Inbound rows per Telnyx message id.
    pub async fn inbound_per_telnyx_id(&self) -> HashMap<String, i64> {
        self.counts(
            "SELECT coalesce(telnyx_message_id, '') AS key, count(*) AS count FROM messages
              WHERE direction = 'inbound' GROUP BY 1",
        )
        .await
    }

    /// Outbound rows per text.
    pub async fn outbound_per_text(&self) -> HashMap<String, i64> {
        self.counts(
            "SELECT text AS key, count(*) AS count FROM messages
              WHERE direction = 'outbound' GROUP BY 1",
        )
        .await
    }

    /// Outbound rows per Telnyx message id (`''` for none yet).
    pub async fn outbound_per_telnyx_id(&self) -> HashMap<String, i64> {
        self.counts(
            "SELECT coalesce(telnyx_message_id, '') AS key, count(*) AS count FROM messages
              WHERE direction = 'outbound' GROUP BY 1",
        )
        .await
    }

    /// Jobs per `kind/status`.
    pub async fn jobs(&self) -> HashMap<String, i64> {
        self.counts("SELECT kind || '/' || status AS key, count(*) AS count FROM jobs GROUP BY 1")
            .await
    }

    /// Outbound messages per `author/status`.
    pub async fn outbound_statuses(&self) -> HashMap<String, i64> {
        self.counts(
            "SELECT author || '/' || status AS key, count(*) AS count FROM messages
              WHERE direction = 'outbound' GROUP BY 1",
        )
        .await
    }

    /// Each outbound row carries the Telnyx id of exactly one message the carrier accepted,
    /// and the carrier accepted nothing else: no message was sent twice or lost.
    pub async fn assert_carried_once(&self, carried: &[SimulatedMessage]) {
        let rows = self.outbound_per_telnyx_id().await;
        assert_eq!(rows.get(""), None, "outbound rows without a Telnyx id");
        let shared: Vec<_> = rows.iter().filter(|(_, count)| **count != 1).collect();
        assert!(shared.is_empty(), "Telnyx ids on several rows: {shared:?}");
        let unknown: Vec<String> = carried
            .iter()
            .filter(|m| !rows.contains_key(&m.id))
            .map(|m| format!("{} {:?} to {}", m.id, m.text, m.to))
            .collect();
        assert!(
            unknown.is_empty(),
            "the carrier accepted messages no row knows (sent twice?): {unknown:#?}"
        );
        assert_eq!(rows.len(), carried.len(), "one carrier message per row");
    }

    pub async fn unsettled(&self) -> Unsettled {
        let describe = |map: HashMap<String, i64>| {
            let mut rows: Vec<String> = map
                .into_iter()
                .map(|(key, count)| format!("{key}: {count}"))
                .collect();
            rows.sort();
            rows
        };
        Unsettled {
            jobs: describe(
                self.counts(
                    "SELECT kind || '/' || status || ' (' || coalesce(last_error, 'no error') || ')' AS key,
                            count(*) AS count
                       FROM jobs WHERE status IN ('pending', 'running') GROUP BY 1",
                )
                .await,
            ),
            messages: describe(
                self.counts(
                    "SELECT author || '/' || status AS key, count(*) AS count FROM messages
                      WHERE direction = 'outbound' AND status IN ('queued', 'sending') GROUP BY 1",
                )
                .await,
            ),
        }
    }

    /// Waits until nothing is pending, running, queued or sending; answers what is left when
    /// `deadline` passes first.
    pub async fn wait_until_settled(&self, deadline: Instant) -> Result<Duration, Unsettled> {
        let started = Instant::now();
        loop {
            let unsettled = self.unsettled().await;
            if unsettled.is_empty() {
                return Ok(started.elapsed());
            }
            if Instant::now() >= deadline {
                return Err(unsettled);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// A small random source for test schedules (not for anything secret), seeded from a uuid;
/// tests print the seed with their figures.
pub struct Dice {
    state: u64,
    seed: u64,
}

impl Dice {
    pub fn new() -> Dice {
        Dice::seeded(Uuid::new_v4().as_u64_pair().0 | 1)
    }

    pub fn seeded(seed: u64) -> Dice {
        Dice {
            state: seed.max(1),
            seed,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// xorshift64*.
    pub fn roll(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A duration in `low..high`.
    pub fn between(&mut self, low: Duration, high: Duration) -> Duration {
        let span = high.saturating_sub(low).as_millis().max(1) as u64;
        low + Duration::from_millis(self.roll() % span)
    }
}

impl Default for Dice {
    fn default() -> Self {
        Dice::new()
    }
}
