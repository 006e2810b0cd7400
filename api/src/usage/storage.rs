use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Date, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::ids::TenantId;
use crate::wire::{Direction, MessageStatus};

/// Messages of one UTC day and direction, and their segments.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct MessageCount {
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = Text)]
    pub direction: Direction,
    #[diesel(sql_type = BigInt)]
    pub messages: i64,
    #[diesel(sql_type = BigInt)]
    pub segments: i64,
    /// Of `messages`, those with media (MMS), counted apart.
    #[diesel(sql_type = BigInt)]
    pub mms: i64,
}

/// AI tokens of one UTC day.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct TokenCount {
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub prompt_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub completion_tokens: i64,
}

/// The tenant's messages from `start` until before `end`, per UTC day and direction; a send
/// that failed before reaching the carrier is not counted.
pub async fn messages_per_day(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> diesel::QueryResult<Vec<MessageCount>> {
    diesel::sql_query(
        "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, direction, count(*) AS messages,
                coalesce(sum(segments), 0)::bigint AS segments,
                count(*) FILTER (WHERE message_type = 'MMS') AS mms
           FROM messages
          WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
            AND status <> $4
          GROUP BY 1, 2",
    )
    .bind::<SqlUuid, _>(tenant_id)
    .bind::<Timestamptz, _>(start)
    .bind::<Timestamptz, _>(end)
    .bind::<Text, _>(MessageStatus::SendingFailed)
    .load(conn)
    .await
}

/// The tenant's AI tokens from `start` until before `end`, per UTC day.
pub async fn tokens_per_day(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> diesel::QueryResult<Vec<TokenCount>> {
    diesel::sql_query(
        "SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
                coalesce(sum(prompt_tokens), 0)::bigint AS prompt_tokens,
                coalesce(sum(completion_tokens), 0)::bigint AS completion_tokens
           FROM ai_generations
          WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
          GROUP BY 1",
    )
    .bind::<SqlUuid, _>(tenant_id)
    .bind::<Timestamptz, _>(start)
    .bind::<Timestamptz, _>(end)
    .load(conn)
    .await
}
