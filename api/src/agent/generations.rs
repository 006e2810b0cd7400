//! The generation log: every call to the AI provider with its model, tokens, latency and
//! outcome; `GET /api/v1/ai-generations` shows it.

use actix_web::web;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::schema::ai_generations;
use crate::error::ApiError;
use crate::pagination::{page_from, page_size, Cursor};
use crate::state::AppState;
use crate::wire::{AiGeneration, ErrorBody, Page};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ai_generations)]
pub struct GenerationRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    pub assistant_id: Option<Uuid>,
    pub purpose: String,
    pub provider: String,
    pub model: String,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub latency_ms: i32,
    pub outcome: String,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<GenerationRow> for AiGeneration {
    fn from(row: GenerationRow) -> Self {
        AiGeneration {
            id: row.id,
            conversation_id: row.conversation_id,
            message_id: row.message_id,
            assistant_id: row.assistant_id,
            purpose: row.purpose,
            provider: row.provider,
            model: row.model,
            prompt_tokens: row.prompt_tokens,
            completion_tokens: row.completion_tokens,
            latency_ms: row.latency_ms,
            outcome: row.outcome,
            error: row.error,
            created_at: row.created_at,
        }
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &GenerationRow) -> QueryResult<()> {
    diesel::insert_into(ai_generations::table)
        .values(row.clone())
        .execute(conn)
        .await
        .map(|_| ())
}

/// Links a generation to the reply it produced.
pub async fn attach_message(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    message_id: Uuid,
) -> QueryResult<()> {
    diesel::update(ai_generations::table.find(id))
        .set(ai_generations::message_id.eq(message_id))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn recent(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    errors_only: bool,
    before: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<AiGeneration>> {
    let mut query = ai_generations::table
        .filter(ai_generations::tenant_id.eq(tenant_id))
        .order((ai_generations::created_at.desc(), ai_generations::id.desc()))
        .limit(limit)
        .select(GenerationRow::as_select())
        .into_boxed();
    if errors_only {
        query = query.filter(ai_generations::outcome.eq("error"));
    }
    if let Some(before) = before {
        query = query.filter(
            ai_generations::created_at
                .lt(before.at)
                .or(ai_generations::created_at
                    .eq(before.at)
                    .and(ai_generations::id.lt(before.id))),
        );
    }
    query
        .load(conn)
        .await
        .map(|rows| rows.into_iter().map(AiGeneration::from).collect())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/ai-generations").route(web::get().to(list)));
}

/// `?outcome=` selects the failed generations; it has no other value.
pub const ERRORS_ONLY: &str = "error";

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
    let errors_only = match query.outcome.as_deref() {
        None => false,
        Some(ERRORS_ONLY) => true,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_query",
                Some("outcome"),
                "`outcome` can only be `error`.",
            ));
        }
    };
    let before = Cursor::from_query(query.cursor.as_deref())?;
    let mut conn = state.db().await?;
    let rows = recent(&mut conn, caller.tenant_id, errors_only, before, limit + 1).await?;
    Ok(web::Json(page_from(rows, limit, |g| {
        Cursor::new(g.created_at, g.id)
    })))
}
