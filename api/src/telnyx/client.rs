//! The HTTP client of Telnyx's messages API (`POST {base}/v2/messages`).
//!
//! Failures are sorted by what the caller should do next (see [`SendError::is_retryable`]):
//! a 4xx other than 429 is Telnyx refusing this message for good; 429, 5xx, timeouts and
//! network errors may succeed later. The API key is only ever put in the `Authorization`
//! header (marked sensitive) and never appears in `Debug` output or errors.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, RETRY_AFTER};
use reqwest::{StatusCode, Url};

use super::wire::{
    MessageRecord, MessageResponse, SendMessageRequest, TelnyxErrorBody, TelnyxErrorObject,
};

/// Connecting takes at most this long (capped by the total timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const USER_AGENT: &str = concat!("parley/", env!("CARGO_PKG_VERSION"));
/// Telnyx's rate-limit answers carry this (seconds until the window resets).
const RATE_LIMIT_RESET: &str = "x-ratelimit-reset";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("the Telnyx API base `{0}` is not an http:// or https:// URL")]
    InvalidBase(String),
    #[error("the Telnyx API key is empty or not a valid header value")]
    InvalidKey,
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

/// Why a send did not produce a message id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// 4xx other than 429: Telnyx refuses this message; sending it again will not help.
    #[error("Telnyx refused the message (HTTP {status}){}", first_error(.errors))]
    Rejected {
        status: u16,
        errors: Vec<TelnyxErrorObject>,
    },
    /// 429: retry after `retry_after` (from `Retry-After`, else `x-ratelimit-reset`).
    #[error("Telnyx is rate limiting us{}", retry_hint(.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, or 408: the request did not reach Telnyx whole in time, so nothing of it was
    /// processed and it may be sent again (RFC 9110, 15.5.9).
    #[error("Telnyx had a server error (HTTP {status}){}", first_error(.errors))]
    Server {
        status: u16,
        errors: Vec<TelnyxErrorObject>,
    },
    /// No answer within the client's timeout. Telnyx may or may not have accepted it.
    #[error("Telnyx did not answer in time")]
    Timeout,
    /// No connection could be made: the request never left.
    #[error("cannot connect to Telnyx: {0}")]
    Unreachable(String),
    /// The connection failed after the request may have gone out.
    #[error("cannot reach Telnyx: {0}")]
    Network(String),
    /// A 2xx whose body we cannot read, or a status Telnyx does not use (1xx, 3xx).
    #[error("Telnyx's answer cannot be read: {0}")]
    InvalidResponse(String),
}

fn first_error(errors: &[TelnyxErrorObject]) -> String {
    errors
        .first()
        .map(|error| format!(": {error}"))
        .unwrap_or_default()
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|after| format!("; retry in {} s", after.as_secs()))
        .unwrap_or_default()
}

impl SendError {
    /// Whether sending the same message later may succeed: 429, 5xx, timeouts and network
    /// errors. `InvalidResponse` is not: a 2xx means Telnyx most likely accepted the message
    /// and will deliver it, so a retry would text the customer twice; the caller should
    /// record the message as sent-but-unconfirmed instead. (A timeout carries the same risk,
    /// but there Telnyx most likely did *not* answer because it did not get that far.)
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            SendError::RateLimited { .. }
                | SendError::Server { .. }
                | SendError::Timeout
                | SendError::Unreachable(_)
                | SendError::Network(_)
        )
    }

    /// Whether Telnyx may have accepted the message although we have no id for it: the
    /// request went out and no readable answer came back. Sending again could text the
    /// customer twice, so the caller waits for Telnyx's receipt first.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            SendError::Timeout | SendError::Network(_) | SendError::InvalidResponse(_)
        )
    }

    /// Telnyx's errors, when its answer carried any.
    pub fn errors(&self) -> &[TelnyxErrorObject] {
        match self {
            SendError::Rejected { errors, .. } | SendError::Server { errors, .. } => errors,
            _ => &[],
        }
    }

    /// How long Telnyx asked us to wait, for 429.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SendError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            SendError::Rejected { status, .. } | SendError::Server { status, .. } => Some(*status),
            SendError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }
}

/// Sends messages through Telnyx (or anything that speaks its API, like our simulator).
#[derive(Clone)]
pub struct TelnyxClient {
    http: reqwest::Client,
    messages_url: Url,
}

impl std::fmt::Debug for TelnyxClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelnyxClient")
            .field("messages_url", &self.messages_url.as_str())
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl TelnyxClient {
    /// `api_base` is e.g. `https://api.telnyx.com` (a trailing `/` is fine); `timeout` bounds
    /// a whole request, connecting included.
    pub fn new(api_base: &str, api_key: &str, timeout: Duration) -> Result<Self, ClientError> {
        let base = api_base.trim().trim_end_matches('/');
        let messages_url = Url::parse(&format!("{base}/v2/messages"))
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
            .ok_or_else(|| ClientError::InvalidBase(api_base.to_string()))?;
        let api_key = api_key.trim();
        if api_key.is_empty() {
            return Err(ClientError::InvalidKey);
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {api_key}"))
            .map_err(|_| ClientError::InvalidKey)?;
        // Keeps the key out of reqwest's and hyper's debug output.
        authorization.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, authorization);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .timeout(timeout)
            // A redirect would resend the key elsewhere; Telnyx does not redirect.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| ClientError::Build(error.to_string()))?;
        Ok(TelnyxClient { http, messages_url })
    }

    /// Sends one message; on success, Telnyx's record of it (its `id` is never empty).
    pub async fn send_message(
        &self,
        request: &SendMessageRequest,
    ) -> Result<MessageRecord, SendError> {
        let response = self
            .http
            .post(self.messages_url.clone())
            .json(request)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.map_err(transport_error)?;
        interpret(status, retry_after, &body)
    }
}

/// Turns a status and body into the send's outcome.
fn interpret(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Result<MessageRecord, SendError> {
    let errors = || {
        serde_json::from_slice::<TelnyxErrorBody>(body)
            .map(|body| body.errors)
            .unwrap_or_default()
    };
    let code = status.as_u16();
    if status.is_success() {
        let answer: MessageResponse = serde_json::from_slice(body).map_err(|error| {
            SendError::InvalidResponse(format!("HTTP {code} with a body that is not JSON: {error}"))
        })?;
        if answer.data.id.trim().is_empty() {
            return Err(SendError::InvalidResponse(format!(
                "HTTP {code} without a message id"
            )));
        }
        return Ok(answer.data);
    }
    match code {
        429 => Err(SendError::RateLimited { retry_after }),
        408 | 500..=599 => Err(SendError::Server {
            status: code,
            errors: errors(),
        }),
        400..=499 => Err(SendError::Rejected {
            status: code,
            errors: errors(),
        }),
        _ => Err(SendError::InvalidResponse(format!(
            "unexpected HTTP {code}"
        ))),
    }
}

/// Seconds from `Retry-After`, else from Telnyx's `x-ratelimit-reset`.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim().parse::<u64>().ok())
    };
    seconds(RETRY_AFTER.as_str())
        .or_else(|| seconds(RATE_LIMIT_RESET))
        .map(Duration::from_secs)
}

fn transport_error(error: reqwest::Error) -> SendError {
    if error.is_connect() {
        SendError::Unreachable(error.without_url().to_string())
    } else if error.is_timeout() {
        SendError::Timeout
    } else {
        // The URL in reqwest's message is the API base; it never holds the key.
        SendError::Network(error.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&value).expect("json")
    }

    #[test]
    fn bases_and_keys_are_checked() {
        let timeout = Duration::from_secs(1);
        assert!(TelnyxClient::new("https://api.telnyx.com/", "KEY", timeout).is_ok());
        assert_eq!(
            TelnyxClient::new("ftp://x", "KEY", timeout).err(),
            Some(ClientError::InvalidBase("ftp://x".to_string()))
        );
        assert!(TelnyxClient::new("not a url", "KEY", timeout).is_err());
        assert_eq!(
            TelnyxClient::new("https://api.telnyx.com", " ", timeout).err(),
            Some(ClientError::InvalidKey)
        );
        assert_eq!(
            TelnyxClient::new("https://api.telnyx.com", "KEY\n", timeout)
                .map(|_| ())
                .err(),
            None,
            "surrounding whitespace is trimmed"
        );
        assert_eq!(
            TelnyxClient::new("https://api.telnyx.com", "K\u{7}EY", timeout).err(),
            Some(ClientError::InvalidKey)
        );
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let client = TelnyxClient::new(
            "https://api.telnyx.com",
            "KEY_secret123",
            Duration::from_secs(1),
        )
        .expect("client");
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret123"), "{shown}");
        assert!(shown.contains("https://api.telnyx.com/v2/messages"));
    }

    #[test]
    fn statuses_sort_into_outcomes() {
        let ok = interpret(
            StatusCode::OK,
            None,
            &body(json!({"data": {"id": "m1", "to": [{"status": "queued"}]}})),
        );
        assert_eq!(ok.map(|record| record.id), Ok("m1".to_string()));

        let refused = body(json!({"errors": [{"code": 40310, "title": "Invalid 'to' address"}]}));
        let error = interpret(StatusCode::BAD_REQUEST, None, &refused).expect_err("4xx");
        assert!(!error.is_retryable());
        assert_eq!(error.errors()[0].code, "40310");
        assert_eq!(error.status(), Some(400));
        assert_eq!(
            error.to_string(),
            "Telnyx refused the message (HTTP 400): 40310 Invalid 'to' address"
        );

        let error = interpret(StatusCode::UNAUTHORIZED, None, b"<html>").expect_err("401");
        assert!(
            matches!(error, SendError::Rejected { status: 401, ref errors } if errors.is_empty())
        );

        let error = interpret(
            StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_secs(3)),
            b"",
        )
        .expect_err("429");
        assert!(error.is_retryable());
        assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));

        let error =
            interpret(StatusCode::BAD_GATEWAY, None, b"<html>bad gateway</html>").expect_err("502");
        assert!(matches!(error, SendError::Server { status: 502, .. }));
        assert!(error.is_retryable());
        // A request that did not arrive whole in time was not processed: send it again.
        let error = interpret(StatusCode::REQUEST_TIMEOUT, None, b"").expect_err("408");
        assert!(error.is_retryable());

        for unreadable in [&b"{oops"[..], &body(json!({"data": {"text": "no id"}}))[..]] {
            let error = interpret(StatusCode::OK, None, unreadable).expect_err("unreadable");
            assert!(matches!(error, SendError::InvalidResponse(_)), "{error}");
            assert!(!error.is_retryable());
        }
        let error = interpret(StatusCode::FOUND, None, b"").expect_err("3xx");
        assert!(matches!(error, SendError::InvalidResponse(_)));

        assert!(SendError::Timeout.is_retryable());
        assert!(SendError::Network("reset".into()).is_retryable());
    }

    #[test]
    fn retry_after_reads_either_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RATE_LIMIT_RESET, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static(" 2 "));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
    }
}
