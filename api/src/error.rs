//! The one error type of the HTTP API and its mapping to the JSON envelope of `API.md`.
//!
//! Domain modules return their own error enums; each converts into [`ApiError`] here, so the
//! status code and the machine-readable code of every failure are decided in this file.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::wire::{ErrorBody, ErrorDetail};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be read (malformed JSON, a bad query string).
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// 422: the request was read, but a field's value is not acceptable.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    #[error("{message}")]
    Forbidden { message: String },
    /// 404: missing, or another tenant's (which must look the same).
    #[error("{resource} not found")]
    NotFound { resource: &'static str },
    #[error("no route for this method")]
    MethodNotAllowed,
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after: std::time::Duration,
    },
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// 503 `busy`: too much of a bounded kind of work (password hashing) is in progress.
    #[error("The server is busy; please try again in a moment.")]
    Busy { retry_after: std::time::Duration },
    /// Another status with its own code (413 `media_too_large`, 415 for a file's type).
    #[error("{message}")]
    Coded {
        status: StatusCode,
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// A fault on our side; the detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            code,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    pub fn bad_request(
        code: &'static str,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    pub fn conflict(code: &'static str, field: Option<&str>, message: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Unauthorized {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden {
            message: message.into(),
        }
    }

    pub fn not_found(resource: &'static str) -> Self {
        ApiError::NotFound { resource }
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        ApiError::Internal(error.to_string())
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. }
            | ApiError::Invalid { code, .. }
            | ApiError::Unauthorized { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::Coded { code, .. }
            | ApiError::Unavailable { code, .. } => code,
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Busy { .. } => "busy",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            ApiError::BadRequest { field, .. }
            | ApiError::Invalid { field, .. }
            | ApiError::Coded { field, .. }
            | ApiError::Conflict { field, .. } => field.clone(),
            _ => None,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let message = match self {
            ApiError::Internal(_) => {
                "Something went wrong on our side; the error was logged. Please try again."
                    .to_string()
            }
            other => other.to_string(),
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message,
                field: self.field(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } | ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Coded { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(detail) = self {
            tracing::error!(error = %detail, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthorized { .. } => {
                response.insert_header(("WWW-Authenticate", "Bearer"));
            }
            ApiError::TooManyRequests { retry_after, .. } | ApiError::Busy { retry_after } => {
                response.insert_header(("Retry-After", retry_after.as_secs().max(1).to_string()));
            }
            _ => {}
        }
        response.json(self.body())
    }
}

impl ApiError {
    /// 503: the database cannot be reached or went away mid-request; retrying is right.
    pub fn database_unavailable() -> Self {
        ApiError::Unavailable {
            code: "database_unavailable",
            message: "The database is not reachable right now; please retry shortly.".to_string(),
        }
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(error: crate::db::DbError) -> Self {
        match error {
            crate::db::DbError::Pool(_) | crate::db::DbError::Connect(_) => {
                ApiError::database_unavailable()
            }
            crate::db::DbError::Query(error) => error.into(),
            other => ApiError::internal(other),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    /// Domain modules turn the conflicts they expect into their own errors; what reaches
    /// here unexpected is still told apart: a lost connection is the database being away
    /// (503, retry), a lost race on a unique key or a serialisation failure is a conflict
    /// the client may retry (409), anything else is our fault (500).
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &error {
            // diesel-async reports a connection that died under the query (the database
            // restarted, the network dropped) as UnableToSendCommand.
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )
            | Error::BrokenTransactionManager => ApiError::database_unavailable(),
            Error::DatabaseError(
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::SerializationFailure,
                _,
            ) => {
                tracing::warn!(%error, "conflicting concurrent change");
                ApiError::conflict(
                    "conflict",
                    None,
                    "A concurrent change got there first; read the current state and retry.",
                )
            }
            _ => ApiError::internal(error),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        crate::db::DbError::Pool(error).into()
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::internal(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error as DieselError};

    #[test]
    fn a_connection_lost_mid_query_is_503_and_unknown_query_errors_500() {
        let lost =
            |kind| DieselError::DatabaseError(kind, Box::new("connection closed".to_string()));
        for kind in [
            DatabaseErrorKind::UnableToSendCommand,
            DatabaseErrorKind::ClosedConnection,
        ] {
            let error = ApiError::from(lost(kind));
            assert_eq!(error.status_code(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(error.body().error.code, "database_unavailable");
            let wrapped = ApiError::from(crate::db::DbError::Query(lost(kind)));
            assert_eq!(wrapped.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        }
        assert_eq!(
            ApiError::from(DieselError::NotFound).status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            ApiError::from(lost(DatabaseErrorKind::Unknown)).status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
