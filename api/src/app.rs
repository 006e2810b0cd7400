//! Builds the actix application: state, routes, middleware; binds (port 0 in tests).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::password::Passwords;
use crate::auth::tokens::Tokens;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, DbConn, DbPool};
use crate::error::ApiError;
use crate::{api_keys, auth, extract, ops, openapi, phone_numbers, spa, users};

/// What every request handler and background task shares.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub passwords: Arc<Passwords>,
    pub tokens: Arc<Tokens>,
    pub metrics: PrometheusHandle,
}

impl AppState {
    pub fn new(settings: Settings, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
        let pool = db::build_pool(&settings.database_url, settings.database_pool_size)?;
        let passwords = Passwords::new().map_err(|error| StartError::Setup(error.to_string()))?;
        Ok(AppState {
            pool,
            tokens: Arc::new(Tokens::new(&settings.jwt_secret, settings.access_token_ttl)),
            settings: Arc::new(settings),
            clock,
            passwords: Arc::new(passwords),
            metrics: ops::metrics_handle(),
        })
    }

    /// A pooled connection; a database outage answers 503, not 500.
    pub async fn db(&self) -> Result<DbConn, ApiError> {
        Ok(self.pool.get().await?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Setup(String),
}

/// All routes, shared by the server and by in-process tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(extract::query_config())
        .app_data(extract::path_config())
        .configure(ops::configure)
        .configure(openapi::configure)
        .service(
            web::scope("/api/v1")
                .configure(auth::routes::configure)
                .configure(users::routes::configure)
                .configure(api_keys::routes::configure)
                .configure(phone_numbers::routes::configure)
                .default_service(web::to(spa::api_not_found)),
        );
}

pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
}

impl Application {
    /// Migrates the database, binds the listen address and prepares the server.
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> Result<Application, StartError> {
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
        let state = AppState::new(settings, clock)?;
        let data = web::Data::new(state.clone());
        let web_dist = state.settings.web_dist.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(ErrorHandlers::new().default_handler(spa::json_error_body))
                .wrap(from_fn(ops::record_metrics))
                .wrap(tracing_actix_web::TracingLogger::default())
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
        Ok(Application {
            server,
            port,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM/SIGINT (graceful: in-flight requests finish) or a stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
