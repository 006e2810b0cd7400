//! Serves the built SPA (`web/dist`) at `/`, with `index.html` for client-side routes, and
//! makes sure every other miss answers the JSON error envelope, never an HTML page.

use std::path::{Path, PathBuf};

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{guard, web, HttpRequest, HttpResponse};

use crate::error::ApiError;
use crate::wire::{ErrorBody, ErrorDetail};

const NOT_BUILT_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Parley</title></head><body><main><h1>Parley</h1><p>The web app has not been built. \
Run <code>make run</code> (or <code>make web</code>), then reload.</p>\
<p>The API is up: see <a href=\"/api/docs/\">/api/docs/</a>.</p></main></body></html>";

pub fn configure(cfg: &mut web::ServiceConfig, dist: &Path) {
    let index = dist.join("index.html");
    let index = index.is_file().then_some(index);
    if let Some(index) = &index {
        let fallback_index = index.clone();
        cfg.service(
            actix_files::Files::new("/", dist)
                .index_file("index.html")
                .use_etag(true)
                // Other methods fall through to the JSON 404 below rather than a 405.
                .guard(guard::Any(guard::Get()).or(guard::Head()))
                .default_handler(fn_service(move |request: ServiceRequest| {
                    let index = fallback_index.clone();
                    async move {
                        let (request, _) = request.into_parts();
                        let response = fallback(&request, Some(&index)).await;
                        Ok(ServiceResponse::new(request, response))
                    }
                })),
        );
    }
    cfg.default_service(web::to(move |request: HttpRequest| {
        let index = index.clone();
        async move { fallback(&request, index.as_ref()).await }
    }));
}

fn wants_page(request: &HttpRequest) -> bool {
    let path = request.path();
    let accepts_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    matches!(*request.method(), Method::GET | Method::HEAD)
        && accepts_html
        && !path.starts_with("/api/")
        && !path.starts_with("/webhooks/")
}

/// A browser navigating to a client route gets the SPA; anything else an envelope 404.
async fn fallback(request: &HttpRequest, index: Option<&PathBuf>) -> HttpResponse {
    if !wants_page(request) {
        return actix_web::ResponseError::error_response(&ApiError::not_found("route"));
    }
    match index {
        Some(index) => match actix_files::NamedFile::open(index) {
            Ok(file) => {
                let mut response = file.into_response(request);
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-cache"),
                );
                response
            }
            Err(error) => actix_web::ResponseError::error_response(&ApiError::internal(error)),
        },
        None => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(NOT_BUILT_PAGE),
    }
}

/// Unknown paths under `/api/v1`.
pub async fn api_not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("route"))
}

/// Turns actix's own plain-text error responses (405, a bad header, …) into the envelope.
pub fn json_error_body<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
        && response.status() == StatusCode::OK;
    if is_json || is_page {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "route not found".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this path does not accept that method".to_string(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "the request body is too large".to_string(),
        ),
        StatusCode::BAD_REQUEST => ("bad_request", "the request could not be read".to_string()),
        other if other.is_server_error() => (
            "internal_error",
            "Something went wrong on our side; the error was logged. Please try again.".to_string(),
        ),
        other => (
            "request_failed",
            other
                .canonical_reason()
                .unwrap_or("request failed")
                .to_string(),
        ),
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_string(),
            message,
            field: None,
        },
    };
    // A 405 keeps actix's `Allow` (the methods the path accepts), as RFC 9110 requires.
    let allow = response.headers().get(header::ALLOW).cloned();
    let (request, _) = response.into_parts();
    let mut replacement = HttpResponse::build(status);
    if let Some(allow) = allow {
        replacement.insert_header((header::ALLOW, allow));
    }
    let replacement: HttpResponse<BoxBody> = replacement.json(body);
    let response: ServiceResponse<EitherBody<B, BoxBody>> =
        ServiceResponse::new(request, replacement).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(response))
}
