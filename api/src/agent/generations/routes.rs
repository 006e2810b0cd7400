use actix_web::web;
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::pagination::{page_size, Cursor};
use crate::state::AppState;
use crate::wire::{AiGeneration, ErrorBody, Page};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/ai-generations").route(web::get().to(list)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GenerationQuery {
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// `error` to see failures only.
    pub outcome: Option<String>,
}

/// Recent AI generations: conversation, assistant, provider, model, tokens, latency, error.
#[utoipa::path(get, operation_id = "list_ai_generations", path = "/api/v1/ai-generations", tag = "ai", params(GenerationQuery),
    responses((status = 200, body = Page<AiGeneration>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<GenerationQuery>,
) -> Result<web::Json<Page<AiGeneration>>, ApiError> {
    let limit = page_size(query.limit)?;
    let outcome = super::outcome_filter(query.outcome.as_deref())?;
    let before = Cursor::from_query(query.cursor.as_deref())?;
    let mut conn = state.db().await?;
    let page = super::page(&mut conn, caller.tenant_id, outcome, before, limit).await?;
    Ok(web::Json(page))
}
