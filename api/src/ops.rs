//! Operations: liveness, readiness, Prometheus metrics, logging set-up.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::config::LogFormat;
use crate::db;
use crate::state::AppState;
use crate::wire::{Health, Readiness};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(healthz)))
        .service(web::resource("/readyz").route(web::get().to(readyz)))
        .service(web::resource("/metrics").route(web::get().to(metrics)));
}

/// Logs go to stderr so that CLI commands keep stdout for their JSON.
pub fn init_tracing(format: LogFormat, default_filter: &str) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation (tests) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The process-wide Prometheus recorder (metrics allows one global recorder per process).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".to_string()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    ],
                )
                .map(|builder| builder.build_recorder())
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            // Fails only when another recorder is installed, whose data we then do not see.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Counts requests and their latency per route pattern (never per raw path: ids would
/// explode the label space).
pub async fn record_metrics(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = request.method().to_string();
    let response = next.call(request).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}

/// Liveness: the process answers.
#[utoipa::path(get, operation_id = "healthz", path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".to_string(),
    })
}

/// Readiness: the database answers and every migration is applied.
#[utoipa::path(get, operation_id = "readyz", path = "/readyz", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let readiness = match state.pool.get().await {
        Err(error) => Readiness {
            status: "unavailable".into(),
            database: false,
            migrations_applied: false,
            detail: Some(format!("database: {error}")),
        },
        Ok(mut conn) => {
            let database = db::ping(&mut conn).await.is_ok();
            let migrations = db::migrations_applied(&mut conn).await;
            let migrations_applied = matches!(migrations, Ok(true));
            Readiness {
                status: if database && migrations_applied {
                    "ok"
                } else {
                    "unavailable"
                }
                .into(),
                database,
                migrations_applied,
                detail: match migrations {
                    Ok(true) => None,
                    Ok(false) => Some("migrations are pending: run `parley migrate`".into()),
                    Err(error) => Some(error.to_string()),
                },
            }
        }
    };
    if readiness.status == "ok" {
        HttpResponse::Ok().json(readiness)
    } else {
        HttpResponse::ServiceUnavailable().json(readiness)
    }
}

/// Prometheus text format: requests and latency per route, database pool usage.
#[utoipa::path(get, operation_id = "metrics", path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain")))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let status = state.pool.status();
    metrics::gauge!("db_pool_connections", "state" => "open").set(status.size as f64);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(status.available as f64);
    metrics::gauge!("db_pool_connections", "state" => "in_use")
        .set(status.size.saturating_sub(status.available) as f64);
    metrics::gauge!("db_pool_connections", "state" => "max").set(status.max_size as f64);
    metrics::gauge!("db_pool_waiting").set(status.waiting as f64);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
