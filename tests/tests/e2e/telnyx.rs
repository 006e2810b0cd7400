//! The Telnyx client against the carrier simulator, with a local webhook receiver that checks
//! every delivery's signature. No database and no Parley server: this is the carrier edge.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::Utc;
use parley::telnyx::signature::{self, SignatureError, VerifyingKey};
use parley::telnyx::simulator::{Simulator, SimulatorConfig, SimulatorHandle};
use parley::telnyx::wire::{DeliveryStatus, EventType, ParseError, WebhookEvent};
use parley::telnyx::{SendError, SendMessageRequest, TelnyxClient};
use serde_json::{json, Value};

const OUR_NUMBER: &str = "+16475550100";
const CUSTOMER: &str = "+14165551234";
const FAILING_CUSTOMER: &str = "+14165550000";

/// One webhook as it arrived.
#[derive(Debug, Clone)]
struct Received {
    verified: Result<(), SignatureError>,
    event: Result<WebhookEvent, ParseError>,
    body: Vec<u8>,
}

struct ReceiverState {
    key: VerifyingKey,
    received: Mutex<Vec<Received>>,
    /// Answer 500 to this many requests before accepting.
    refuse: AtomicU32,
}

/// A stand-in for our `/webhooks/telnyx` endpoint.
struct Receiver {
    url: String,
    state: Arc<ReceiverState>,
    server: ServerHandle,
}

async fn receive(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<ReceiverState>,
) -> HttpResponse {
    let verified = signature::verify_headers(&state.key, request.headers(), &body, Utc::now());
    let event = WebhookEvent::parse(&body);
    state.received.lock().expect("lock").push(Received {
        verified,
        event,
        body: body.to_vec(),
    });
    let refused = state
        .refuse
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if refused {
        HttpResponse::InternalServerError().finish()
    } else {
        HttpResponse::Ok().finish()
    }
}

impl Receiver {
    async fn start(key: VerifyingKey) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(ReceiverState {
            key,
            received: Mutex::new(Vec::new()),
            refuse: AtomicU32::new(0),
        });
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/webhooks/telnyx", web::post().to(receive))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/webhooks/telnyx"),
            state,
            server: handle,
        }
    }

    fn refuse_next(&self, count: u32) {
        self.state.refuse.store(count, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("lock").clone()
    }

    /// Waits until `count` webhooks arrived, then a little longer to catch any extra one.
    async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.received().len() < count {
            assert!(
                Instant::now() < deadline,
                "expected {count} webhooks, got {:#?}",
                self.received()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let received = self.received();
        assert_eq!(received.len(), count, "{received:#?}");
        received
    }

    /// The verified, parsed events, in arrival order.
    async fn events(&self, count: usize) -> Vec<WebhookEvent> {
        self.wait_for(count)
            .await
            .into_iter()
            .map(|received| {
                assert_eq!(received.verified, Ok(()), "signature of {received:?}");
                received.event.expect("a Telnyx webhook")
            })
            .collect()
    }
}

struct Setup {
    sim: SimulatorHandle,
    receiver: Receiver,
    client: TelnyxClient,
    http: reqwest::Client,
}

impl Setup {
    async fn new() -> Setup {
        Setup::with_timeout(Duration::from_secs(5)).await
    }

    async fn with_timeout(timeout: Duration) -> Setup {
        let sim = Simulator::start(SimulatorConfig::default())
            .await
            .expect("the simulator starts");
        let receiver = Receiver::start(sim.verifying_key()).await;
        sim.set_inbound_webhook_url(receiver.url.clone())
            .expect("a valid URL");
        let client = TelnyxClient::new(sim.base_url(), "KEY_test_key", timeout).expect("client");
        Setup {
            sim,
            receiver,
            client,
            http: reqwest::Client::new(),
        }
    }

    fn sim_url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path)
    }

    async fn send(&self, to: &str, text: &str) -> Result<parley::telnyx::MessageRecord, SendError> {
        self.client
            .send_message(&SendMessageRequest::sms(OUR_NUMBER, to, text))
            .await
    }

    async fn stop(self) {
        self.receiver.server.stop(false).await;
        self.sim.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_returns_an_id_then_sent_and_finalized_arrive_signed() {
    let setup = Setup::new().await;
    let record = setup
        .send(CUSTOMER, "Hello from Parley")
        .await
        .expect("accepted");
    assert!(!record.id.is_empty());
    assert_eq!(record.direction.as_deref(), Some("outbound"));
    assert_eq!(record.delivery_status(), Some(DeliveryStatus::Queued));
    assert_eq!(record.from_number(), Some(OUR_NUMBER));
    assert_eq!(record.to_number(), Some(CUSTOMER));
    assert_eq!(record.encoding.as_deref(), Some("GSM-7"));
    assert_eq!(record.parts, Some(1));
    assert_eq!(
        record.cost.as_ref().and_then(|cost| cost.amount.as_deref()),
        Some("0.0040")
    );
    assert!(record.received_at_parsed().is_some());
    assert!(record.sent_at.is_none() && record.errors.is_empty());

    let events = setup.receiver.events(2).await;
    let kinds: Vec<EventType> = events.iter().map(WebhookEvent::kind).collect();
    assert_eq!(kinds, [EventType::MessageSent, EventType::MessageFinalized]);
    let statuses: Vec<_> = events.iter().map(WebhookEvent::delivery_status).collect();
    assert_eq!(
        statuses,
        [Some(DeliveryStatus::Sent), Some(DeliveryStatus::Delivered)]
    );
    for event in &events {
        assert_eq!(event.message_id(), record.id);
        assert_eq!(event.attempt(), Some(1));
        assert_eq!(
            event
                .meta
                .as_ref()
                .and_then(|meta| meta.delivered_to.as_deref()),
            Some(setup.receiver.url.as_str())
        );
        assert!(event.occurred_at().is_some());
    }
    assert_ne!(events[0].id(), events[1].id(), "each event has its own id");
    assert!(events[1].payload().completed_at_parsed().is_some());

    // Delivered once, as the simulator saw it and as its HTTP view says.
    let sent = setup.sim.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (
            sent[0].id.as_str(),
            sent[0].from.as_str(),
            sent[0].to.as_str(),
            sent[0].text.as_str()
        ),
        (
            record.id.as_str(),
            OUR_NUMBER,
            CUSTOMER,
            "Hello from Parley"
        )
    );
    let listed: Value = setup
        .http
        .get(setup.sim_url("/sim/messages"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["data"][0]["id"], record.id.as_str());
    assert!(listed["data"][0]["accepted_at"].is_string());
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_fault_is_retryable_and_the_retry_is_delivered_once() {
    let setup = Setup::new().await;
    setup.sim.faults().server_error(1);
    let error = setup.send(CUSTOMER, "first try").await.expect_err("500");
    assert!(
        matches!(&error, SendError::Server { status: 500, errors } if errors[0].code == "10007"),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert!(setup.sim.sent_messages().is_empty());

    let record = setup.send(CUSTOMER, "first try").await.expect("the retry");
    assert_eq!(setup.sim.sent_messages().len(), 1);
    let events = setup.receiver.events(2).await;
    assert!(events.iter().all(|event| event.message_id() == record.id));
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_carry_telnyxs_error_and_are_permanent() {
    let setup = Setup::new().await;
    // A fault set over HTTP, as a developer would with curl.
    let faults = setup
        .http
        .post(setup.sim_url("/sim/faults"))
        .json(&json!({"send": {"fault": "rejected", "code": "40310", "count": 1}}))
        .send()
        .await
        .expect("request");
    assert_eq!(faults.status(), 200);
    let error = setup.send(CUSTOMER, "Hi").await.expect_err("422");
    match &error {
        SendError::Rejected { status, errors } => {
            assert_eq!(*status, 422);
            assert_eq!(errors[0].code, "40310");
            assert_eq!(errors[0].title.as_deref(), Some("Invalid 'to' address"));
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert!(!error.is_retryable());

    // The simulator's own checks answer the same way.
    let error = setup.send("4165551234", "Hi").await.expect_err("not E.164");
    let SendError::Rejected { status, errors } = &error else {
        panic!("expected Rejected, got {error:?}");
    };
    assert_eq!((*status, errors[0].code.as_str()), (400, "40310"));
    assert_eq!(
        errors[0]
            .source
            .as_ref()
            .and_then(|source| source.pointer.as_deref()),
        Some("/to")
    );
    let error = setup
        .send(CUSTOMER, &"a".repeat(1531))
        .await
        .expect_err("11 parts");
    assert_eq!(error.errors()[0].code, "40302");

    // No bearer token: 401 in Telnyx's shape.
    let response = setup
        .http
        .post(setup.sim_url("/v2/messages"))
        .json(&json!({"from": OUR_NUMBER, "to": CUSTOMER, "text": "Hi"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["errors"][0]["code"], "10009");
    assert!(setup.sim.sent_messages().is_empty());
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_say_when_to_retry() {
    let setup = Setup::new().await;
    setup
        .sim
        .faults()
        .rate_limit(1, Some(Duration::from_secs(3)));
    let error = setup.send(CUSTOMER, "Hi").await.expect_err("429");
    assert_eq!(
        error,
        SendError::RateLimited {
            retry_after: Some(Duration::from_secs(3))
        }
    );
    assert!(error.is_retryable());
    setup
        .send(CUSTOMER, "Hi")
        .await
        .expect("the fault is used up");
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_send_times_out() {
    let setup = Setup::with_timeout(Duration::from_secs(1)).await;
    setup.sim.faults().hang(1);
    let started = Instant::now();
    let error = setup.send(CUSTOMER, "Hi").await.expect_err("timeout");
    assert_eq!(error, SendError::Timeout);
    assert!(error.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(setup.sim.sent_messages().is_empty());

    // Accepted, but the answer never came: the message exists although the client failed.
    setup.sim.faults().accept_then_hang(1);
    let error = setup.send(CUSTOMER, "Hi").await.expect_err("timeout");
    assert_eq!(error, SendError::Timeout);
    // Under load the simulator may record the accepted message just after our timeout.
    let deadline = Instant::now() + Duration::from_secs(10);
    while setup.sim.sent_messages().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(setup.sim.sent_messages().len(), 1);
    setup.receiver.events(2).await;
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicated_and_reordered_webhooks_arrive_as_configured() {
    let setup = Setup::new().await;
    let faults = setup.sim.faults();
    faults.duplicate_webhooks(2);
    faults.reorder_webhooks(true);
    let record = setup.send(CUSTOMER, "Hi").await.expect("accepted");
    let events = setup.receiver.events(4).await;
    let kinds: Vec<EventType> = events.iter().map(WebhookEvent::kind).collect();
    assert_eq!(
        kinds,
        [
            EventType::MessageFinalized,
            EventType::MessageFinalized,
            EventType::MessageSent,
            EventType::MessageSent
        ]
    );
    // A duplicate is the same event: same event id, same message.
    assert_eq!(events[0].id(), events[1].id());
    assert_eq!(events[2].id(), events[3].id());
    assert_ne!(events[0].id(), events[2].id());
    assert!(events.iter().all(|event| event.message_id() == record.id));
    // The late `message.sent` still says it happened before the finalization.
    assert!(events[2].occurred_at() < events[0].occurred_at());
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_webhooks_are_retried_and_dropped_ones_never_come() {
    let setup = Setup::new().await;
    setup.receiver.refuse_next(2);
    let record = setup.send(CUSTOMER, "Hi").await.expect("accepted");
    // message.sent: refused twice, taken the third time; then message.finalized once.
    let received = setup.receiver.wait_for(4).await;
    let attempts: Vec<Option<u32>> = received
        .iter()
        .map(|received| received.event.as_ref().expect("parses").attempt())
        .collect();
    assert_eq!(attempts, [Some(1), Some(2), Some(3), Some(1)]);
    assert!(received.iter().all(|received| received.verified.is_ok()));
    let log = setup.sim.webhook_deliveries();
    assert_eq!(log.len(), 4);
    assert_eq!(
        log.iter()
            .map(|delivery| delivery.status)
            .collect::<Vec<_>>(),
        [Some(500), Some(500), Some(200), Some(200)]
    );
    assert!(log.iter().all(|delivery| delivery.message_id == record.id));

    setup.sim.faults().drop_webhooks(true);
    setup.send(CUSTOMER, "Hi again").await.expect("accepted");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        setup.receiver.received().len(),
        4,
        "no webhook for a dropped send"
    );
    assert_eq!(setup.sim.sent_messages().len(), 2);
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inbound_text_arrives_as_a_signed_message_received() {
    let setup = Setup::new().await;
    let response = setup
        .http
        .post(setup.sim_url("/sim/inbound"))
        .json(&json!({"from": CUSTOMER, "to": OUR_NUMBER, "text": "Hi, I'm Sarah 👋"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 202);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["status"], 200);

    let received = setup.receiver.wait_for(1).await;
    assert_eq!(received[0].verified, Ok(()));
    let raw: Value = serde_json::from_slice(&received[0].body).expect("json");
    assert!(raw["data"]["payload"]["to"].is_array(), "{raw}");
    assert_eq!(raw["data"]["record_type"], "event");
    let event = WebhookEvent::parse(&received[0].body).expect("parses");
    assert_eq!(event.kind(), EventType::MessageReceived);
    assert_eq!(event.id(), answer["event_id"].as_str().expect("event id"));
    assert_eq!(event.message_id(), answer["id"].as_str().expect("id"));
    let payload = event.payload();
    assert_eq!(payload.direction.as_deref(), Some("inbound"));
    assert_eq!(payload.from_number(), Some(CUSTOMER));
    assert_eq!(payload.to_number(), Some(OUR_NUMBER));
    assert_eq!(payload.text.as_deref(), Some("Hi, I'm Sarah 👋"));
    assert_eq!(payload.encoding.as_deref(), Some("UCS-2"));
    assert_eq!(payload.parts, Some(1));
    assert!(payload.received_at_parsed().is_some());
    assert!(payload.messaging_profile_id.is_some());

    // Our endpoint refusing shows in the answer: every attempt, and the last status.
    setup.receiver.refuse_next(3);
    let result = setup
        .sim
        .send_inbound(CUSTOMER, OUR_NUMBER, "Anyone there?")
        .await
        .expect("sent");
    assert_eq!((result.status, result.attempts), (Some(500), 3));
    assert!(!result.accepted());
    setup.receiver.refuse_next(3);
    let response = setup
        .http
        .post(setup.sim_url("/sim/inbound"))
        .json(&json!({"from": CUSTOMER, "to": OUR_NUMBER, "text": "Hello?"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 502);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["status"], 500);

    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_destination_ending_in_0000_fails_delivery_with_40008() {
    let setup = Setup::new().await;
    let record = setup.send(FAILING_CUSTOMER, "Hi").await.expect("accepted");
    assert_eq!(record.delivery_status(), Some(DeliveryStatus::Queued));
    let events = setup.receiver.events(2).await;
    assert_eq!(events[0].delivery_status(), Some(DeliveryStatus::Sent));
    let finalized = &events[1];
    assert_eq!(finalized.kind(), EventType::MessageFinalized);
    assert_eq!(
        finalized.delivery_status(),
        Some(DeliveryStatus::DeliveryFailed)
    );
    let error = finalized.payload().first_error().expect("an error");
    assert_eq!(error.code, "40008");
    assert_eq!(error.title.as_deref(), Some("Undeliverable"));
    assert_eq!(
        setup.sim.sent_messages()[0].final_status,
        DeliveryStatus::DeliveryFailed
    );
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_key_is_served_and_a_seed_fixes_it() {
    let setup = Setup::new().await;
    let body: Value = setup
        .http
        .get(setup.sim_url("/sim/public-key"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(body["public_key"], setup.sim.public_key_base64().as_str());
    assert_eq!(
        parley::config::parse_public_key(&setup.sim.public_key_base64()),
        Ok(setup.sim.verifying_key())
    );
    let seeded = |seed| {
        Simulator::start(SimulatorConfig {
            seed: Some(seed),
            ..SimulatorConfig::default()
        })
    };
    let (one, two) = (
        seeded([5; 32]).await.expect("starts"),
        seeded([5; 32]).await.expect("starts"),
    );
    assert_eq!(one.public_key_base64(), two.public_key_base64());
    assert_ne!(one.base_url(), two.base_url());
    one.stop().await;
    two.stop().await;
    setup.stop().await;
}
