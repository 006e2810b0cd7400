//! The harness of the end-to-end tests: each test gets its own PostgreSQL database, cloned
//! from a migrated template and dropped afterwards, and the real server on port 0.

pub mod ai_fake;
pub mod bench;
pub mod browser;
pub mod chaos;
pub mod db;
pub mod process;
pub mod traffic;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use parley::app::{AppState, Application};
use parley::clock::{Clock, ShiftedClock};
use parley::config::Settings;
use parley::telnyx::simulator::{Simulator, SimulatorConfig, SimulatorHandle};
use parley::wire::{Role, Tenant};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use uuid::Uuid;

pub use db::TestDb;

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const ADMIN_PASSWORD: &str = "correct horse battery";
/// The carrier simulator's key seed in tests, so tests can sign webhooks of their own.
pub const SIM_SEED: [u8; 32] = [7; 32];
pub const TELNYX_TEST_KEY: &str = "KEYtest_parley";

/// The key the test simulator signs webhooks with.
pub fn sim_signing_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&SIM_SEED)
}

/// The repository root (for `web/dist`, `openapi.yaml`, the built binary).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Settings for a test server: its own database, port 0, no Telnyx, no AI provider.
/// Server settings from `(name, value)` pairs, for [`TestApp::spawn_with`].
pub fn settings<V: ToString>(pairs: &[(&str, V)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

pub fn test_settings(database_url: &str, overrides: &HashMap<String, String>) -> Settings {
    let mut env: HashMap<String, String> = [
        ("DATABASE_URL", database_url.to_string()),
        ("PARLEY_LISTEN_ADDR", "127.0.0.1:0".to_string()),
        ("PARLEY_JWT_SECRET", JWT_SECRET.to_string()),
        ("PARLEY_DB_POOL_SIZE", "8".to_string()),
        ("PARLEY_WORKER_POLL_MS", "50".to_string()),
        // AI replies wait a minute unless a test asks for them sooner (they add messages).
        ("PARLEY_AI_DEBOUNCE_MS", "60000".to_string()),
        ("TELNYX_TIMEOUT_SECONDS", "2".to_string()),
        (
            "PARLEY_WEB_DIST",
            repo_root().join("web/dist").display().to_string(),
        ),
        // Content-addressed, so the tests may share one folder.
        (
            "PARLEY_MEDIA_STORE",
            std::env::temp_dir()
                .join("parley-test-media")
                .display()
                .to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    env.extend(overrides.clone());
    Settings::from_source(&env).expect("test settings are valid")
}

/// A running server on its own database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub clock: Arc<ShiftedClock>,
    /// The carrier simulator this server sends through (Telnyx's stand-in).
    pub sim: Arc<SimulatorHandle>,
    pub db: TestDb,
}

/// A tenant with a signed-in admin.
pub struct TestTenant {
    pub tenant: Tenant,
    pub admin_email: String,
    pub admin_token: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(HashMap::new()).await
    }

    pub async fn spawn_with(overrides: HashMap<String, String>) -> TestApp {
        let db = TestDb::create().await;
        TestApp::spawn_on(db, overrides).await
    }

    /// Another server on an existing database (several instances share one database).
    pub async fn spawn_on(db: TestDb, overrides: HashMap<String, String>) -> TestApp {
        let sim = Simulator::start(SimulatorConfig {
            seed: Some(SIM_SEED),
            ..SimulatorConfig::default()
        })
        .await
        .expect("the carrier simulator starts");
        TestApp::spawn_with_sim(db, Arc::new(sim), overrides).await
    }

    /// A server sending through a given simulator (several instances may share one).
    pub async fn spawn_with_sim(
        db: TestDb,
        sim: Arc<SimulatorHandle>,
        overrides: HashMap<String, String>,
    ) -> TestApp {
        parley::ops::init_tracing(parley::config::LogFormat::Text, "warn");
        let clock = Arc::new(ShiftedClock::default());
        let mut env: HashMap<String, String> = [
            ("TELNYX_API_BASE", sim.base_url().to_string()),
            ("TELNYX_API_KEY", TELNYX_TEST_KEY.to_string()),
            ("TELNYX_PUBLIC_KEY", sim.public_key_base64()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        env.extend(overrides);
        let settings = test_settings(&db.url, &env);
        let application = Application::build(settings, clock.clone() as Arc<dyn Clock>)
            .await
            .expect("the server starts");
        let address = format!("http://127.0.0.1:{}", application.port());
        let state = application.state().clone();
        tokio::spawn(application.run_until_stopped());
        if sim.inbound_webhook_url().is_none() {
            sim.set_inbound_webhook_url(format!("{address}/webhooks/telnyx"))
                .expect("webhook URL");
        }
        TestApp {
            address,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            state,
            clock,
            sim,
            db,
        }
    }

    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock.now()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch_json(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path, Some(token))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put_json(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::PUT, path, Some(token))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, Some(token))
            .send()
            .await
            .expect("request")
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({ "email": email, "password": password }),
        )
        .await
    }

    /// A token for `email`, which must be able to sign in.
    pub async fn token_for(&self, email: &str, password: &str) -> String {
        let response = self.login(email, password).await;
        assert_eq!(response.status(), 200, "login of {email}");
        let body: Value = response.json().await.expect("json");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// Creates a tenant (through the library, as the CLI does) with a signed-in admin.
    pub async fn create_tenant(&self, name: &str) -> TestTenant {
        let mut conn = self.state.pool.get().await.expect("connection");
        let tenant = parley::tenants::create(
            &mut conn,
            parley::tenants::NewTenant {
                name: name.to_string(),
                region: Some("US".to_string()),
                resume_window_days: None,
            },
            self.state.clock.now(),
        )
        .await
        .expect("tenant");
        let admin_email = format!("admin-{}@example.com", Uuid::new_v4().simple());
        self.create_user(tenant.id, &admin_email, Role::Admin).await;
        drop(conn);
        let admin_token = self.token_for(&admin_email, ADMIN_PASSWORD).await;
        TestTenant {
            tenant,
            admin_email,
            admin_token,
        }
    }

    /// An API key's secret: unlike a JWT it outlives clock jumps of days.
    pub async fn create_api_key(&self, tenant_id: parley::ids::TenantId) -> String {
        let mut conn = self.state.pool.get().await.expect("connection");
        parley::api_keys::create(
            &mut conn,
            tenant_id,
            "tests",
            Role::Admin,
            self.state.clock.now(),
        )
        .await
        .expect("api key")
        .secret
    }

    pub async fn create_user(&self, tenant_id: parley::ids::TenantId, email: &str, role: Role) {
        let mut conn = self.state.pool.get().await.expect("connection");
        parley::users::create(
            &mut conn,
            self.state.passwords.clone(),
            parley::users::NewUser {
                tenant_id,
                name: None,
                email: email.to_string(),
                password: ADMIN_PASSWORD.to_string(),
                role,
            },
            self.state.clock.now(),
        )
        .await
        .expect("user");
    }
}

/// Reads a JSON body, asserting the status first.
pub async fn json_with_status(response: Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Asserts an error envelope with this status and code; returns the `error` object.
pub async fn expect_error(response: Response, status: u16, code: &str) -> Value {
    let body = json_with_status(response, status).await;
    assert_eq!(body["error"]["code"], code, "error body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "a human message: {body}"
    );
    body["error"].clone()
}

/// Where browser tests save screenshots (`make test` prints the folder).
pub fn screenshot_dir() -> PathBuf {
    let dir = repo_root().join("tests/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

impl TestApp {
    /// A tenant with an admin and a Telnyx number.
    pub async fn create_tenant_with_number(&self, name: &str, number: &str) -> TestTenant {
        let tenant = self.create_tenant(name).await;
        let response = self
            .post_json(
                "/api/v1/phone-numbers",
                Some(&tenant.admin_token),
                &serde_json::json!({ "number": number }),
            )
            .await;
        json_with_status(response, 201).await;
        tenant
    }

    /// Starts a conversation; answers the whole `{conversation, message, resumed}` body.
    pub async fn start_conversation(&self, token: &str, phone: &str, text: &str) -> Value {
        let response = self
            .post_json(
                "/api/v1/conversations",
                Some(token),
                &serde_json::json!({ "phone_number": phone, "message": text }),
            )
            .await;
        let status = response.status().as_u16();
        assert!(status == 200 || status == 201, "start: {status}");
        response.json().await.expect("json")
    }

    /// The conversation's messages (oldest first).
    pub async fn messages(&self, token: &str, conversation_id: &str) -> Vec<Value> {
        let page = json_with_status(
            self.get(
                &format!("/api/v1/conversations/{conversation_id}/messages?limit=200"),
                token,
            )
            .await,
            200,
        )
        .await;
        page["data"].as_array().cloned().unwrap_or_default()
    }

    /// Polls until the message reaches `status` (receipts arrive asynchronously).
    pub async fn wait_for_status(
        &self,
        token: &str,
        conversation_id: &str,
        message_id: &str,
        status: &str,
    ) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let messages = self.messages(token, conversation_id).await;
            let message = messages
                .iter()
                .find(|m| m["id"] == message_id)
                .cloned()
                .unwrap_or(Value::Null);
            if message["status"] == status {
                return message;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "message {message_id} never reached {status}: {message}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Rows of a SQL count query on this test's database.
    pub async fn count(&self, sql: &str) -> i64 {
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            count: i64,
        }
        let mut conn = self.state.pool.get().await.expect("connection");
        diesel::sql_query(sql)
            .get_result::<Count>(&mut conn)
            .await
            .expect("count query")
            .count
    }
}
