//! The top of the house: assembles the actix application (routes of every module,
//! middleware) and the background tasks around the shared [`AppState`], and binds (port 0 in
//! tests).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db;
use crate::request_log::RedactingRootSpan;
pub use crate::state::AppState;
use crate::state::SetupError;
use crate::telnyx::simulator::{Simulator, SimulatorConfig};
use crate::{
    agent, api_keys, assistants, auth, clients, conversations, diagnostics, extract, interactions,
    jobs, media, messages, notes, openapi, ops, opt_outs, phone_numbers, realtime, retention,
    simulation, spa, usage, users, webhooks,
};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("the carrier simulator cannot start: {0}")]
    Simulator(String),
}

/// All routes, shared by the server and by in-process tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(extract::query_config())
        .app_data(extract::path_config())
        .configure(ops::configure)
        .configure(openapi::configure)
        .configure(webhooks::routes::configure_public)
        .configure(media::routes::configure_public)
        .service(
            web::scope("/api/v1")
                .configure(auth::routes::configure)
                .configure(users::routes::configure)
                .configure(api_keys::routes::configure)
                .configure(phone_numbers::routes::configure)
                .configure(conversations::routes::configure)
                .configure(messages::routes::configure)
                .configure(media::routes::configure)
                .configure(notes::routes::configure)
                .configure(assistants::routes::configure)
                .configure(opt_outs::routes::configure)
                .configure(webhooks::routes::configure)
                .configure(simulation::configure)
                .configure(clients::routes::configure)
                .configure(interactions::routes::configure)
                .configure(crate::canned_replies::routes::configure)
                .configure(usage::routes::configure)
                .configure(realtime::ws::configure)
                .configure(agent::generations::routes::configure)
                .configure(diagnostics::routes::configure)
                .configure(crate::settings::routes::configure)
                .default_service(web::to(spa::api_not_found)),
        );
}

pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
    shutdown: CancellationToken,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Migrates the database, binds the listen address and prepares the server.
    pub async fn build(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Application, StartError> {
        db::run_migrations(&settings.database_url).await?;
        let address = settings.listen_addr;
        let listener = TcpListener::bind(address).map_err(|source| StartError::Bind {
            address: address.to_string(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                address: address.to_string(),
                source,
            })?
            .port();
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}:{port}", address.ip()));
        let mut settings = settings;
        let simulator = match settings.telnyx.api_key {
            Some(_) => None,
            None => {
                // No Telnyx account: the built-in carrier simulator plays Telnyx, so the whole
                // real path (client, signatures, webhooks) runs locally.
                let local_webhook = format!("http://127.0.0.1:{port}/webhooks/telnyx");
                let sim = Simulator::start(SimulatorConfig {
                    webhook_url: Some(local_webhook),
                    ..SimulatorConfig::default()
                })
                .await
                .map_err(|error| StartError::Simulator(error.to_string()))?;
                tracing::info!(
                    base_url = sim.base_url(),
                    "no TELNYX_API_KEY: using the built-in carrier simulator"
                );
                settings.telnyx.api_base = sim.base_url().to_string();
                settings.telnyx.public_key = Some(sim.verifying_key());
                Some(Arc::new(sim))
            }
        };
        let state = AppState::new(
            settings,
            clock,
            public_url,
            simulator,
            ops::metrics_handle(),
        )?;
        let data = web::Data::new(state.clone());
        let web_dist = state.settings.web_dist.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(ErrorHandlers::new().default_handler(spa::json_error_body))
                .wrap(from_fn(ops::record_metrics))
                .wrap(tracing_actix_web::TracingLogger::<RedactingRootSpan>::new())
                .configure(configure)
                .configure(|cfg| spa::configure(cfg, &web_dist))
        })
        .shutdown_timeout(20)
        .keep_alive(Duration::from_secs(75))
        .listen(listener)
        .map_err(|source| StartError::Bind {
            address: address.to_string(),
            source,
        })?
        .run();
        let shutdown = state.shutdown.clone();
        let mut workers: Vec<_> = (0..state.settings.workers)
            .map(|_| tokio::spawn(jobs::worker::run(state.clone(), shutdown.clone())))
            .collect();
        workers.push(tokio::spawn(realtime::listener::run(
            state.clone(),
            shutdown.clone(),
        )));
        workers.push(tokio::spawn(retention::run(
            state.clone(),
            shutdown.clone(),
        )));
        workers.push(tokio::spawn(realtime::revocations::run(
            state.clone(),
            shutdown.clone(),
        )));
        Ok(Application {
            server,
            port,
            state,
            shutdown,
            workers,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM/SIGINT (graceful: in-flight requests finish, then the workers
    /// finish the jobs in hand) or a stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.shutdown.cancel();
        for worker in self.workers {
            let _ = worker.await;
        }
        served
    }
}
