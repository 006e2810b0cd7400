//! The inbox list: newest activity first, searched and filtered, paged by a cursor that
//! stays stable while messages arrive, and the same selection streamed as CSV.
//!
//! The first page fixes a snapshot time. Later pages order every conversation by its last
//! activity as of that snapshot, so a conversation that gets a new message mid-listing is
//! neither shown twice nor skipped (the live feed brings the news).

use crate::ids::TenantId;
use crate::pagination::{decode_id, decode_micros, encode_micros};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::storage::ConversationRow;
use crate::error::ApiError;
use crate::phone::search_term;
use crate::wire::{Channel, ConversationStatus, QualificationStatus};

/// What the list and the export select.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// What to find in contact name, company or phone digits (see [`search_term`]).
    pub term: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// Inclusive.
    pub to: Option<DateTime<Utc>>,
    pub qualification_status: Option<QualificationStatus>,
    pub channel: Option<Channel>,
    pub status: Option<ConversationStatus>,
    pub assignee: Option<Assignee>,
    pub needs_human: Option<bool>,
}

/// Whose conversations: nobody's, or one user's (`me` is resolved to the caller at the edge).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Assignee {
    Unassigned,
    User(crate::ids::UserId),
}

/// Reads `from`/`to`: RFC 3339, or a date (a whole UTC day).
pub fn parse_bound(
    text: &str,
    field: &'static str,
    end_of_day: bool,
) -> Result<DateTime<Utc>, ApiError> {
    let unreadable = || {
        ApiError::bad_request(
            "invalid_query",
            Some(field),
            format!("`{field}` must be an RFC 3339 time or a date like 2026-11-25."),
        )
    };
    let out_of_range = || {
        ApiError::bad_request(
            "invalid_query",
            Some(field),
            format!("`{field}` {}.", crate::timestamps::OUT_OF_RANGE),
        )
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return crate::timestamps::storable(at.with_timezone(&Utc)).ok_or_else(out_of_range);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| unreadable())?;
    if !crate::timestamps::is_storable_date(date) {
        return Err(out_of_range());
    }
    let start = date.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(if end_of_day {
        // The day's last microsecond; within range, as the date is.
        start + (chrono::Duration::days(1) - chrono::Duration::microseconds(1))
    } else {
        start
    })
}

impl Filters {
    pub fn search(mut self, q: Option<&str>) -> Filters {
        self.term = q.and_then(search_term);
        self
    }
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub snapshot: DateTime<Utc>,
    pub key: DateTime<Utc>,
    pub id: Uuid,
}

/// An inbox cursor is `<snapshot>.<sort key>.<id>`: two times in microseconds since 1970 and
/// the id as 32 hex digits. Every string of this form is a cursor the API accepts.
pub const CURSOR_PATTERN: &str = concat!(
    "^",
    crate::storable_micros_pattern!(),
    "\\.",
    crate::storable_micros_pattern!(),
    "\\.[0-9a-f]{32}$"
);

impl Cursor {
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}",
            encode_micros(self.snapshot),
            encode_micros(self.key),
            self.id.simple()
        )
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let mut parts = text.splitn(3, '.');
        let time = |part: &str| crate::timestamps::storable(decode_micros(part)?);
        let snapshot = time(parts.next()?)?;
        let key = time(parts.next()?)?;
        let id = decode_id(parts.next()?)?;
        Some(Cursor { snapshot, key, id })
    }
}

enum Param {
    Uuid(Uuid),
    Text(String),
    Time(DateTime<Utc>),
    Int(i64),
}

/// SQL with numbered parameters, bound in order.
#[derive(Default)]
struct Sql {
    text: String,
    params: Vec<Param>,
}

impl Sql {
    fn push(&mut self, fragment: &str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    fn param(&mut self, param: Param) -> &mut Self {
        self.params.push(param);
        let placeholder = format!("${}", self.params.len());
        self.text.push_str(&placeholder);
        self
    }

    fn build(self) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
        self.params
            .into_iter()
            .fold(
                diesel::sql_query(self.text).into_boxed(),
                |query, param| match param {
                    Param::Uuid(value) => query.bind::<SqlUuid, _>(value),
                    Param::Text(value) => query.bind::<Text, _>(value),
                    Param::Time(value) => query.bind::<Timestamptz, _>(value),
                    Param::Int(value) => query.bind::<BigInt, _>(value),
                },
            )
    }
}

/// The filters as conditions on the conversation `alias` and `key` (its activity).
fn push_filters(sql: &mut Sql, filters: &Filters, alias: &str, key: &str) {
    if let Some(term) = &filters.term {
        sql.push(&format!(" AND {alias}.search_document LIKE "))
            .param(Param::Text(crate::db::contains_pattern(term)));
    }
    if let Some(status) = filters.status {
        sql.push(&format!(" AND {alias}.status = "))
            .param(Param::Text(status.as_str().into()));
    }
    if let Some(qualification) = filters.qualification_status {
        sql.push(&format!(" AND {alias}.qualification_status = "))
            .param(Param::Text(qualification.as_str().into()));
    }
    match filters.assignee {
        None => {}
        Some(Assignee::Unassigned) => {
            sql.push(&format!(" AND {alias}.assignee_id IS NULL"));
        }
        Some(Assignee::User(user)) => {
            sql.push(&format!(" AND {alias}.assignee_id = "))
                .param(Param::Uuid(user.into()));
        }
    }
    if let Some(needs_human) = filters.needs_human {
        sql.push(&format!(" AND {alias}.needs_human = "))
            .push(if needs_human { "true" } else { "false" });
    }
    if let Some(channel) = filters.channel {
        sql.push(&format!(" AND {alias}.channel = "))
            .param(Param::Text(channel.as_str().into()));
    }
    if let Some(from) = filters.from {
        sql.push(&format!(" AND {key} >= "))
            .param(Param::Time(from));
    }
    if let Some(to) = filters.to {
        sql.push(&format!(" AND {key} <= ")).param(Param::Time(to));
    }
}

#[derive(QueryableByName)]
pub struct ListedRow {
    #[diesel(embed)]
    pub conversation: ConversationRow,
    #[diesel(sql_type = Timestamptz)]
    pub sort_key: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    pub opted_out: bool,
}

const OPTED_OUT: &str = "EXISTS (SELECT 1 FROM opt_outs o WHERE o.tenant_id = c.tenant_id AND o.phone_number = c.phone_number)";

/// The selection in list order, as of `snapshot`, after `after` (a sort key and an id), at
/// most `fetch` rows: conversations untouched since the snapshot in the index's order, and
/// those active since placed by their activity as of the snapshot. Columns: `c.*`,
/// `sort_key`, `opted_out`.
fn page_sql(
    tenant_id: TenantId,
    filters: &Filters,
    after: Option<(DateTime<Utc>, Uuid)>,
    snapshot: DateTime<Utc>,
    fetch: i64,
) -> Sql {
    let mut sql = Sql::default();
    // Conversations untouched since the snapshot: their activity is the index's order.
    sql.push("(SELECT c.*, c.activity_at AS sort_key, ")
        .push(OPTED_OUT)
        .push(" AS opted_out FROM conversations c WHERE c.tenant_id = ");
    sql.param(Param::Uuid(tenant_id.into()))
        .push(" AND c.activity_at <= ")
        .param(Param::Time(snapshot));
    if let Some((key, id)) = after {
        sql.push(" AND (c.activity_at, c.id) < (")
            .param(Param::Time(key))
            .push(", ")
            .param(Param::Uuid(id))
            .push(")");
    }
    push_filters(&mut sql, filters, "c", "c.activity_at");
    sql.push(" ORDER BY c.activity_at DESC, c.id DESC LIMIT ")
        .param(Param::Int(fetch))
        .push(")");
    // Conversations active since the snapshot: placed by their activity as of the snapshot.
    sql.push(" UNION ALL (SELECT * FROM (SELECT c.*, coalesce((SELECT max(m.created_at) FROM messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id AND m.created_at <= ");
    sql.param(Param::Time(snapshot))
        .push("), c.created_at) AS sort_key, ")
        .push(OPTED_OUT)
        .push(" AS opted_out FROM conversations c WHERE c.tenant_id = ");
    sql.param(Param::Uuid(tenant_id.into()))
        .push(" AND c.activity_at > ")
        .param(Param::Time(snapshot));
    sql.push(" AND c.created_at <= ")
        .param(Param::Time(snapshot));
    sql.push(") moved WHERE true");
    push_filters(&mut sql, filters, "moved", "moved.sort_key");
    if let Some((key, id)) = after {
        sql.push(" AND (moved.sort_key, moved.id) < (")
            .param(Param::Time(key))
            .push(", ")
            .param(Param::Uuid(id))
            .push(")");
    }
    sql.push(") ORDER BY sort_key DESC, id DESC LIMIT ")
        .param(Param::Int(fetch));
    sql
}

/// One page; `limit + 1` rows are read to know whether another page follows.
pub async fn page(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    filters: &Filters,
    cursor: Option<&Cursor>,
    now: DateTime<Utc>,
    limit: i64,
) -> diesel::QueryResult<(Vec<ListedRow>, Option<Cursor>)> {
    let snapshot = cursor.map(|c| c.snapshot).unwrap_or(now);
    let after = cursor.map(|c| (c.key, c.id));
    let mut rows: Vec<ListedRow> = page_sql(tenant_id, filters, after, snapshot, limit + 1)
        .build()
        .load(conn)
        .await?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|last| Cursor {
            snapshot,
            key: last.sort_key,
            id: last.conversation.id.into(),
        })
    } else {
        None
    };
    Ok((rows, next))
}

#[derive(QueryableByName)]
pub struct ExportRow {
    #[diesel(embed)]
    pub conversation: ConversationRow,
    #[diesel(sql_type = Timestamptz)]
    pub sort_key: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    pub opted_out: bool,
    #[diesel(sql_type = BigInt)]
    pub message_count: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
    pub first_message_at: Option<DateTime<Utc>>,
    /// Pictures and files its messages carry (MMS).
    #[diesel(sql_type = BigInt)]
    pub media_count: i64,
}

/// One page of the export: the list's order and snapshot (so a conversation that gets a
/// message mid-export is neither skipped nor repeated), with the export's extra columns.
pub async fn export_page(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    filters: &Filters,
    after: Option<(DateTime<Utc>, Uuid)>,
    snapshot: DateTime<Utc>,
    limit: i64,
) -> diesel::QueryResult<Vec<ExportRow>> {
    let mut sql = page_sql(tenant_id, filters, after, snapshot, limit);
    sql.text = format!(
        "SELECT p.*, \
         (SELECT count(*) FROM messages m WHERE m.tenant_id = p.tenant_id AND m.conversation_id = p.id) AS message_count, \
         (SELECT min(m.created_at) FROM messages m WHERE m.tenant_id = p.tenant_id AND m.conversation_id = p.id) AS first_message_at, \
         (SELECT count(*) FROM messages m JOIN message_media mm ON mm.message_id = m.id WHERE m.tenant_id = p.tenant_id AND m.conversation_id = p.id) AS media_count \
         FROM ({}) p ORDER BY p.sort_key DESC, p.id DESC",
        sql.text
    );
    sql.build().load(conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let cursor = Cursor {
            snapshot: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            key: DateTime::from_timestamp_micros(1_699_000_000_000_001).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("garbage"), None);
    }

    #[test]
    fn dates_cover_whole_days() {
        let from = parse_bound("2026-11-01", "from", false).unwrap();
        let to = parse_bound("2026-11-01", "to", true).unwrap();
        assert_eq!(from.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert!(to > from && to < parse_bound("2026-11-02", "from", false).unwrap());
        assert!(parse_bound("yesterday", "from", false).is_err());
    }
}
