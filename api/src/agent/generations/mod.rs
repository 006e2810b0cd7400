//! The generation log: every call to the AI provider with its purpose, model, tokens, latency
//! and outcome; `GET /api/v1/ai-generations` shows it, diagnostics count its recent errors.

pub mod routes;
pub mod storage;

use diesel_async::AsyncPgConnection;

use crate::error::ApiError;
use crate::ids::TenantId;
use crate::pagination::{page_from, Cursor};
use crate::wire::{AiGeneration, GenerationOutcome, Page};
pub use storage::{insert_all, GenerationRow};

/// The one outcome `?outcome=` selects: the failed generations.
pub const OUTCOME_FILTER: GenerationOutcome = GenerationOutcome::Error;

#[derive(Debug, thiserror::Error)]
pub enum GenerationError {
    #[error("`outcome` can only be `{}`.", OUTCOME_FILTER.as_str())]
    UnknownOutcomeFilter,
}

impl From<GenerationError> for ApiError {
    fn from(error: GenerationError) -> Self {
        match error {
            GenerationError::UnknownOutcomeFilter => {
                ApiError::bad_request("invalid_query", Some("outcome"), error.to_string())
            }
        }
    }
}

/// The outcome whose generations a list shows: all when absent, else only the failed ones.
pub fn outcome_filter(text: Option<&str>) -> Result<Option<GenerationOutcome>, GenerationError> {
    match text {
        None => Ok(None),
        Some(text) if GenerationOutcome::parse(text) == Some(OUTCOME_FILTER) => {
            Ok(Some(OUTCOME_FILTER))
        }
        Some(_) => Err(GenerationError::UnknownOutcomeFilter),
    }
}

/// The outcome of a call to the provider, as the log records it.
pub fn outcome_of<T, E>(result: &Result<T, E>) -> GenerationOutcome {
    match result {
        Ok(_) => GenerationOutcome::Ok,
        Err(_) => GenerationOutcome::Error,
    }
}

/// One page of the tenant's generations, newest first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    outcome: Option<GenerationOutcome>,
    before: Option<Cursor>,
    limit: i64,
) -> diesel::QueryResult<Page<AiGeneration>> {
    let rows = storage::recent(conn, tenant_id, outcome, before, limit + 1).await?;
    Ok(page_from(rows, limit, |g| Cursor::new(g.created_at, g.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_error_filters_the_list() {
        assert_eq!(outcome_filter(None).ok(), Some(None));
        assert_eq!(
            outcome_filter(Some("error")).ok(),
            Some(Some(GenerationOutcome::Error))
        );
        for other in ["ok", "ERROR", "", "errors"] {
            assert!(outcome_filter(Some(other)).is_err(), "{other}");
        }
        assert_eq!(
            GenerationError::UnknownOutcomeFilter.to_string(),
            "`outcome` can only be `error`."
        );
    }

    #[test]
    fn a_failed_call_is_logged_as_an_error() {
        assert_eq!(outcome_of(&Ok::<_, ()>(1)), GenerationOutcome::Ok);
        assert_eq!(
            outcome_of(&Err::<(), _>("timeout")),
            GenerationOutcome::Error
        );
    }
}
