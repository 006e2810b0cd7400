//! Request extractors whose failures speak the error envelope: JSON bodies that name the
//! offending field, and query strings and paths that never fall back to actix's plain text.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Request bodies above this size answer 413 before they are parsed.
/// The largest body a schema-valid request can need is an assistant's 20,000-character prompt
/// sent as `\uXXXX` surrogate pairs (12 bytes a character): about 240 KB.
pub const JSON_BODY_LIMIT: usize = 256 * 1024;

/// A JSON request body. Unlike `web::Json`, errors carry the path of the field at fault.
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = request
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(|value| {
                let essence = value.split(';').next().unwrap_or("").trim();
                essence.eq_ignore_ascii_case("application/json")
                    || essence.to_ascii_lowercase().ends_with("+json")
            })
            .unwrap_or(false);
        let declared_length = request
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType);
            }
            if declared_length.is_some_and(|length| length > JSON_BODY_LIMIT) {
                return Err(ApiError::PayloadTooLarge {
                    limit: JSON_BODY_LIMIT,
                });
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|error| {
                    ApiError::bad_request("unreadable_body", None, error.to_string())
                })?;
                if body.len() + chunk.len() > JSON_BODY_LIMIT {
                    return Err(ApiError::PayloadTooLarge {
                        limit: JSON_BODY_LIMIT,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            let value = parse_json(&body)?;
            require_object(&body)?;
            reject_nul(&body)?;
            Ok(JsonBody(value))
        })
    }
}

/// Parses JSON, turning serde's complaint into an error that names the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => ApiError::bad_request(
                "malformed_json",
                None,
                format!("The request body is not valid JSON: {message}."),
            ),
            Category::Data => {
                let field = field_from_message(&message, &path);
                let code = if message.starts_with("unknown field") {
                    "unknown_field"
                } else if message.starts_with("missing field") {
                    "missing_field"
                } else {
                    "invalid_field"
                };
                let readable = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_string();
                ApiError::Invalid {
                    code,
                    message: match &field {
                        Some(field) => format!("Field `{field}`: {readable}."),
                        None => format!("The request body does not fit: {readable}."),
                    },
                    field,
                }
            }
        }
    })
}

/// Every request body is a JSON object: serde would also read a struct from an array
/// (`[null, null]`), which the API does not accept.
pub fn require_object(body: &[u8]) -> Result<(), ApiError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(()),
        _ => Err(ApiError::Invalid {
            code: "invalid_body",
            message: "The request body must be a JSON object.".to_string(),
            field: None,
        }),
    }
}

/// PostgreSQL cannot store U+0000 in text, so no string of a request may hold it (the OpenAPI
/// document says so with a pattern on every string): 422 naming the field.
pub fn reject_nul(body: &[u8]) -> Result<(), ApiError> {
    // Inside JSON strings NUL can only be written escaped, so most bodies skip the walk.
    if !body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    match nul_path(&value) {
        None => Ok(()),
        Some(path) => {
            let field = (!path.is_empty()).then_some(path);
            Err(ApiError::Invalid {
                code: "invalid_field",
                message: match &field {
                    Some(field) => format!("Field `{field}` contains the NUL character (U+0000), which text cannot hold."),
                    None => "The body contains the NUL character (U+0000), which text cannot hold.".to_string(),
                },
                field,
            })
        }
    }
}

/// The path (`a.b`, `a[0]`) of the first string or key holding U+0000.
fn nul_path(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(text) => text.contains('\0').then(String::new),
        Value::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
            nul_path(item).map(|rest| join_path(&format!("[{index}]"), &rest))
        }),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                return Some(key.clone());
            }
            nul_path(item).map(|rest| join_path(key, &rest))
        }),
        _ => None,
    }
}

fn join_path(head: &str, rest: &str) -> String {
    if rest.is_empty() {
        head.to_string()
    } else if rest.starts_with('[') {
        format!("{head}{rest}")
    } else {
        format!("{head}.{rest}")
    }
}

/// serde names a missing field only in its message (`missing field `x``) and reports the
/// parent's path, so the two are joined; for other errors the path already ends at the field.
fn field_from_message(message: &str, path: &str) -> Option<String> {
    let path = (path != "." && !path.is_empty()).then(|| path.to_string());
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (Some(parent), Some(name)) => Some(format!("{parent}.{name}")),
        (None, Some(name)) => Some(name.to_string()),
        (path, None) => path,
    }
}

/// A free-text query parameter (a search): never U+0000, which text cannot hold.
pub fn text_param<'a>(value: Option<&'a str>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match value {
        Some(text) if text.contains('\0') => Err(ApiError::bad_request(
            "invalid_query",
            Some(field),
            format!("`{field}` contains the NUL character (U+0000), which text cannot hold."),
        )),
        other => Ok(other),
    }
}

/// Query strings: a bad one answers 400 naming the parameter.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        let message = error.to_string();
        let field = message.split('`').nth(1).map(str::to_string);
        ApiError::BadRequest {
            code: "invalid_query",
            message: format!("The query string is not acceptable: {message}."),
            field,
        }
        .into()
    })
}

/// A path segment that does not parse (say, a malformed id) cannot name an existing row.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| ApiError::not_found("resource").into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    fn error_of(json: &str) -> (u16, String, Option<String>) {
        let error = parse_json::<Body>(json.as_bytes()).expect_err("should fail");
        let body = error.body();
        (
            error.status_code().as_u16(),
            body.error.code,
            body.error.field,
        )
    }

    #[test]
    fn names_the_field_at_fault() {
        assert_eq!(
            error_of(r#"{"name": "a", "extra": 1}"#),
            (422, "unknown_field".into(), Some("extra".into()))
        );
        assert_eq!(
            error_of(r#"{"inner": null}"#),
            (422, "missing_field".into(), Some("name".into()))
        );
        assert_eq!(
            error_of(r#"{"name": 5}"#),
            (422, "invalid_field".into(), Some("name".into()))
        );
        assert_eq!(
            error_of(r#"{"name": "a", "inner": {"count": "x"}}"#),
            (422, "invalid_field".into(), Some("inner.count".into()))
        );
        assert_eq!(
            error_of(r#"{"name": "a", "inner": {"other": 1}}"#),
            (422, "unknown_field".into(), Some("inner.other".into()))
        );
        assert_eq!(
            error_of(r#"{"name": "#),
            (400, "malformed_json".into(), None)
        );
        assert_eq!(
            error_of(r#"{"name": "a",}"#),
            (400, "malformed_json".into(), None)
        );
        assert_eq!(error_of("[1]").1, "invalid_field");
    }

    #[test]
    fn bodies_are_objects() {
        assert!(require_object(b" {}").is_ok());
        let error = require_object(b"[null, null]").expect_err("array");
        assert_eq!(error.status_code().as_u16(), 422);
    }

    #[test]
    fn nul_characters_are_refused_naming_the_field() {
        let error = reject_nul(br#"{"name": "a\u0000b"}"#).expect_err("NUL");
        assert_eq!(error.status_code().as_u16(), 422);
        assert_eq!(error.body().error.field.as_deref(), Some("name"));
        let nested = reject_nul(br#"{"a": {"b": ["x", "\u0000"]}}"#).expect_err("NUL");
        assert_eq!(nested.body().error.field.as_deref(), Some("a.b[1]"));
        // An escaped backslash followed by `u0000` is not NUL.
        assert!(reject_nul(br#"{"name": "a\\u0000b"}"#).is_ok());
        assert!(reject_nul(br#"{"name": "plain"}"#).is_ok());
    }
}
