//! Typed client of Parley's REST API (same origin, relative URLs) and the stored session.

use gloo_net::http::{Request, RequestBuilder, Response};
use parley::wire::{ErrorBody, LoginRequest, LoginResponse, Me};
use serde::de::DeserializeOwned;

/// Where the access token is kept between visits.
const TOKEN_KEY: &str = "parley.access_token";

/// Why a call failed, with a sentence fit to show a person.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error status; `body` is its error envelope when it sent one.
    Status {
        status: u16,
        body: Option<ErrorBody>,
    },
    /// The request never got an answer (offline, server down, CORS, ...).
    Network(String),
    /// The answer was not the JSON we expected.
    Decode(String),
}

impl ApiError {
    /// The server's own message when there is one, otherwise a generic sentence.
    pub fn message(&self) -> String {
        match self {
            ApiError::Status {
                body: Some(body), ..
            } => body.error.message.clone(),
            ApiError::Status { status, body: None } => {
                format!(
                    "The server could not handle the request (HTTP {status}). Please try again."
                )
            }
            ApiError::Network(_) => {
                "Could not reach the server. Check your connection and try again.".to_string()
            }
            ApiError::Decode(_) => "The server sent an unexpected answer.".to_string(),
        }
    }

    /// Whether the token is missing, invalid or expired (sign in again).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Status { status: 401, .. })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Status { status, body } => match body {
                Some(body) => write!(
                    f,
                    "HTTP {status} {}: {}",
                    body.error.code, body.error.message
                ),
                None => write!(f, "HTTP {status}"),
            },
            ApiError::Network(detail) => write!(f, "network error: {detail}"),
            ApiError::Decode(detail) => write!(f, "unexpected answer: {detail}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// Reads a JSON body on success, or the error envelope otherwise.
async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| ApiError::Decode(e.to_string()));
    }
    let status = response.status();
    let body = match response.text().await {
        Ok(text) => serde_json::from_str::<ErrorBody>(&text).ok(),
        Err(_) => None,
    };
    Err(ApiError::Status { status, body })
}

fn authorized(builder: RequestBuilder, token: &str) -> RequestBuilder {
    builder.header("Authorization", &format!("Bearer {token}"))
}

async fn send(request: Request) -> Result<Response, ApiError> {
    request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// `POST /api/v1/auth/login`.
pub async fn login(email: &str, password: &str) -> Result<LoginResponse, ApiError> {
    let body = LoginRequest {
        email: email.to_string(),
        password: password.to_string(),
    };
    let request = Request::post("/api/v1/auth/login")
        .header("Accept", "application/json")
        .json(&body)
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    decode(send(request).await?).await
}

/// `GET /api/v1/me`.
pub async fn me(token: &str) -> Result<Me, ApiError> {
    let request = authorized(Request::get("/api/v1/me"), token)
        .header("Accept", "application/json")
        .build()
        .map_err(|e| ApiError::Network(e.to_string()))?;
    decode(send(request).await?).await
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The token saved by the last sign-in, if any.
pub fn stored_token() -> Option<String> {
    local_storage()?
        .get_item(TOKEN_KEY)
        .ok()
        .flatten()
        .filter(|token| !token.is_empty())
}

/// Saves (or, with `None`, forgets) the access token. Storage may be unavailable (private
/// mode, disabled); the session then lasts until the page is reloaded.
pub fn store_token(token: Option<&str>) {
    if let Some(storage) = local_storage() {
        let _ = match token {
            Some(token) => storage.set_item(TOKEN_KEY, token),
            None => storage.remove_item(TOKEN_KEY),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley::wire::ErrorDetail;

    fn refused(status: u16, code: &str, message: &str) -> ApiError {
        ApiError::Status {
            status,
            body: Some(ErrorBody {
                error: ErrorDetail {
                    code: code.into(),
                    message: message.into(),
                    field: None,
                },
            }),
        }
    }

    #[test]
    fn shows_the_servers_own_message() {
        let error = refused(401, "invalid_credentials", "Wrong email or password.");
        assert_eq!(error.message(), "Wrong email or password.");
        assert!(error.is_unauthorized());
    }

    #[test]
    fn falls_back_to_a_sentence_without_an_envelope() {
        let error = ApiError::Status {
            status: 502,
            body: None,
        };
        assert!(error.message().contains("HTTP 502"));
        assert!(!error.is_unauthorized());
        assert!(ApiError::Network("x".into())
            .message()
            .contains("reach the server"));
    }

    #[test]
    fn reads_the_error_envelope() {
        let text = r#"{"error":{"code":"invalid_credentials","message":"No.","field":null}}"#;
        let body: ErrorBody = serde_json::from_str(text).expect("envelope");
        assert_eq!(body.error.code, "invalid_credentials");
    }
}
