//! What every request handler and background task shares: the pool, settings, clock,
//! clients of the outside world (Telnyx, the AI provider), this instance's feed hub and its
//! shutdown signal. It sits below every domain module, which reach it through here; the
//! assembly of routes and tasks (`app`) sits above them all.

use std::sync::Arc;

use ed25519_dalek::VerifyingKey;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio_util::sync::CancellationToken;

use crate::agent::provider::Provider;
use crate::auth::password::Passwords;
use crate::auth::tokens::Tokens;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, DbConn, DbPool};
use crate::error::ApiError;
use crate::jobs::wake::JobsWake;
use crate::media::links::MediaLinks;
use crate::media::store::MediaStore;
use crate::phone_numbers::routing::Routes;
use crate::realtime::hub::Hub;
use crate::telnyx::simulator::SimulatorHandle;
use crate::telnyx::TelnyxClient;

/// What every request handler and background task shares.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub passwords: Arc<Passwords>,
    pub tokens: Arc<Tokens>,
    pub metrics: PrometheusHandle,
    pub telnyx: Arc<TelnyxClient>,
    /// Verifies Telnyx's webhook signatures; `None` refuses every webhook.
    pub webhook_key: Option<VerifyingKey>,
    /// Wakes the job workers when work is enqueued.
    pub jobs_wake: Arc<JobsWake>,
    /// The URL the world reaches this instance at.
    pub public_url: String,
    /// Where Telnyx (or the simulator) posts delivery receipts for the messages we send.
    pub webhook_url: String,
    /// The built-in carrier simulator, when no Telnyx API key is configured.
    pub simulator: Option<Arc<SimulatorHandle>>,
    /// This instance's feed subscribers.
    pub hub: Arc<Hub>,
    /// The AI provider: OpenAI-compatible, or the offline demo responder.
    pub ai: Arc<Provider>,
    /// Which tenant owns which number, as this instance last read it.
    pub routes: Arc<Routes>,
    /// Cancelled when the instance stops: background tasks and feed sessions wind down.
    pub shutdown: CancellationToken,
    /// Where media (MMS) bytes live.
    pub media: MediaStore,
    /// Signs the links Telnyx fetches our outbound media through.
    pub media_links: MediaLinks,
    /// Fetches customers' media from Telnyx.
    pub media_http: reqwest::Client,
}

impl AppState {
    pub fn new(
        settings: Settings,
        clock: Arc<dyn Clock>,
        public_url: String,
        simulator: Option<Arc<SimulatorHandle>>,
        metrics: PrometheusHandle,
    ) -> Result<AppState, SetupError> {
        let pool = db::build_pool(&settings.database_url, settings.database_pool_size)?;
        let passwords = Passwords::with_limits(settings.hash_concurrency, settings.hash_wait)
            .map_err(|error| SetupError::Component(error.to_string()))?;
        let telnyx_key = settings
            .telnyx
            .api_key
            .clone()
            .unwrap_or_else(|| "simulator".to_string());
        let telnyx = TelnyxClient::new(
            &settings.telnyx.api_base,
            &telnyx_key,
            settings.telnyx.timeout,
        )
        .map_err(|error| SetupError::Component(format!("Telnyx client: {error}")))?;
        let ai = Provider::from_settings(&settings.ai)
            .map_err(|error| SetupError::Component(format!("AI provider: {error}")))?;
        let media = MediaStore::open(&settings.media.store)
            .map_err(|error| SetupError::Component(format!("PARLEY_MEDIA_STORE: {error}")))?;
        let media_links = MediaLinks::new(&settings.jwt_secret, settings.media.link_ttl);
        let media_http = reqwest::Client::builder()
            .timeout(settings.media.fetch_timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent("parley-media-fetch")
            .build()
            .map_err(|error| SetupError::Component(format!("media fetcher: {error}")))?;
        Ok(AppState {
            media,
            media_links,
            media_http,
            ai: Arc::new(ai),
            routes: Arc::default(),
            pool,
            tokens: Arc::new(Tokens::new(&settings.jwt_secret, settings.access_token_ttl)),
            webhook_key: settings.telnyx.public_key,
            settings: Arc::new(settings),
            clock,
            passwords: Arc::new(passwords),
            metrics,
            telnyx: Arc::new(telnyx),
            jobs_wake: Arc::new(JobsWake::default()),
            webhook_url: simulator
                .as_ref()
                .and_then(|sim| sim.inbound_webhook_url())
                .unwrap_or_else(|| format!("{public_url}/webhooks/telnyx")),
            public_url,
            simulator,
            hub: Arc::new(Hub::default()),
            shutdown: CancellationToken::new(),
        })
    }

    pub fn webhook_url(&self) -> String {
        self.webhook_url.clone()
    }

    /// A pooled connection; a database outage answers 503, not 500.
    pub async fn db(&self) -> Result<DbConn, ApiError> {
        Ok(self.pool.get().await?)
    }
}

/// Why the shared state cannot be set up (a setting the components refuse).
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error("{0}")]
    Component(String),
}
