//! The request span every log line of a request carries: method, route, target, status. The
//! target's query may hold a credential (the feed's `?access_token=`), so token-like
//! parameters are replaced by `[redacted]` before anything is recorded.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

pub const REDACTED: &str = "[redacted]";

/// Whether a query parameter's (decoded) name says it carries a credential.
fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "api_key",
        "apikey",
        "signature",
    ]
    .iter()
    .any(|word| name.contains(word))
        || name == "key"
}

/// The path and query with every credential-like parameter's value replaced. Names are
/// compared decoded (`access%5Ftoken` is still `access_token`); everything else is kept as
/// sent.
pub fn redact_target(path: &str, query: Option<&str>) -> String {
    let Some(query) = query else {
        return path.to_string();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|part| {
            let name = form_urlencoded::parse(part.as_bytes())
                .next()
                .map(|(name, _)| name.into_owned())
                .unwrap_or_default();
            if is_secret(&name) {
                let raw_name = part.split_once('=').map_or(part, |(raw, _)| raw);
                format!("{raw_name}={REDACTED}")
            } else {
                part.to_string()
            }
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

/// tracing-actix-web's default span, with the target redacted.
pub struct RedactingRootSpan;

impl RootSpanBuilder for RedactingRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_string());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let user_agent = request
            .headers()
            .get("User-Agent")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let target = redact_target(request.path(), request.uri().query());
        let connection = request.connection_info();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.flavor = ?request.version(),
            http.scheme = %connection.scheme(),
            http.host = %connection.host(),
            http.client_ip = %connection.realip_remote_addr().unwrap_or(""),
            http.user_agent = %user_agent,
            http.target = %target,
            http.status_code = tracing::field::Empty,
            otel.name = %format!("{} {}", request.method(), route),
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn token_like_parameters_are_redacted_and_the_rest_kept() {
        assert_eq!(redact_target("/api/v1/ws", None), "/api/v1/ws");
        assert_eq!(
            redact_target("/api/v1/ws", Some("access_token=pk_secret&after=42")),
            "/api/v1/ws?access_token=[redacted]&after=42"
        );
        assert_eq!(
            redact_target("/x", Some("after=1&access%5Ftoken=eyJ.x.y&q=a%20b")),
            "/x?after=1&access%5Ftoken=[redacted]&q=a%20b"
        );
        assert_eq!(
            redact_target("/x", Some("Token=a&refresh_token&key=k&api_key=b&password=p")),
            "/x?Token=[redacted]&refresh_token=[redacted]&key=[redacted]&api_key=[redacted]&password=[redacted]"
        );
        assert_eq!(
            redact_target("/x", Some("limit=5&cursor=abc")),
            "/x?limit=5&cursor=abc"
        );
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_log_line_inside_the_request_span_shows_no_token() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let request = actix_web::test::TestRequest::get()
                .uri("/api/v1/ws?access_token=pk_live_secret&after=3")
                .to_srv_request();
            let span = RedactingRootSpan::on_request_start(&request);
            span.in_scope(|| tracing::warn!("something worth logging"));
        });
        let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(logged.contains("something worth logging"), "{logged}");
        assert!(
            logged.contains("access_token=[redacted]&after=3"),
            "{logged}"
        );
        assert!(!logged.contains("pk_live_secret"), "{logged}");
    }
}
