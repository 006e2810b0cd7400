use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::ai_generations;
use crate::ids::{AssistantId, ConversationId, GenerationId, MessageId, TenantId};
use crate::pagination::Cursor;
use crate::wire::{AiGeneration, GenerationOutcome, GenerationPurpose};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ai_generations)]
pub struct GenerationRow {
    pub id: GenerationId,
    pub tenant_id: TenantId,
    pub conversation_id: Option<ConversationId>,
    pub message_id: Option<MessageId>,
    pub assistant_id: Option<AssistantId>,
    pub purpose: GenerationPurpose,
    pub provider: String,
    pub model: String,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub latency_ms: i32,
    pub outcome: GenerationOutcome,
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

/// Writes several generations in one statement.
pub async fn insert_all(conn: &mut AsyncPgConnection, rows: &[GenerationRow]) -> QueryResult<()> {
    diesel::insert_into(ai_generations::table)
        .values(rows.to_vec())
        .execute(conn)
        .await
        .map(|_| ())
}

/// The tenant's generations before the cursor (of one outcome, when given), newest first.
pub async fn recent(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    outcome: Option<GenerationOutcome>,
    before: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<AiGeneration>> {
    let mut query = ai_generations::table
        .filter(ai_generations::tenant_id.eq(tenant_id))
        .order((ai_generations::created_at.desc(), ai_generations::id.desc()))
        .limit(limit)
        .select(GenerationRow::as_select())
        .into_boxed();
    if let Some(outcome) = outcome {
        query = query.filter(ai_generations::outcome.eq(outcome));
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

/// The tenant's failed generations since `since`, newest first.
pub async fn errors_since(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    since: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<AiGeneration>> {
    ai_generations::table
        .filter(ai_generations::tenant_id.eq(tenant_id))
        .filter(ai_generations::outcome.eq(GenerationOutcome::Error))
        .filter(ai_generations::created_at.ge(since))
        .order((ai_generations::created_at.desc(), ai_generations::id.desc()))
        .limit(limit)
        .select(GenerationRow::as_select())
        .load(conn)
        .await
        .map(|rows| rows.into_iter().map(AiGeneration::from).collect())
}
