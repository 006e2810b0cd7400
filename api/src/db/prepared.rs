//! Hand-written SQL that PostgreSQL parses and plans once per connection.
//!
//! Diesel never caches `sql_query` statements (their text may be built at run time), so each
//! run is parsed and planned again; on the hot paths (events, job claims, send pacing) that
//! planning was a fifth of the database's CPU under a burst. [`prepared`] takes only a
//! `&'static str`, so the text is fixed and the statement is safe to keep prepared: diesel's
//! cache keys it by that text.

use std::marker::PhantomData;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::QueryResult;

/// A fixed SQL statement; bind its parameters with [`PreparedSql::bind`] in order.
#[derive(Debug, Clone, Copy)]
#[must_use = "Queries are only executed when calling `load`, `get_result` or similar."]
pub struct PreparedSql(&'static str);

/// `sql`, kept prepared on each connection that runs it.
pub fn prepared(sql: &'static str) -> PreparedSql {
    PreparedSql(sql)
}

/// A statement with its parameters bound so far (`$1` first), as `sql_query`'s `bind`.
#[derive(Debug, Clone, Copy)]
#[must_use = "Queries are only executed when calling `load`, `get_result` or similar."]
pub struct Bound<Statement, Value, ST> {
    statement: Statement,
    value: Value,
    sql_type: PhantomData<ST>,
}

/// Binds the next parameter.
pub trait Bind: Sized {
    fn bind<ST, Value>(self, value: Value) -> Bound<Self, Value, ST>
    where
        Pg: HasSqlType<ST>,
    {
        Bound {
            statement: self,
            value,
            sql_type: PhantomData,
        }
    }
}

impl Bind for PreparedSql {}
impl<Statement, Value, ST> Bind for Bound<Statement, Value, ST> {}

impl QueryFragment<Pg> for PreparedSql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(self.0);
        Ok(())
    }
}

impl<Statement, Value, ST> QueryFragment<Pg> for Bound<Statement, Value, ST>
where
    Statement: QueryFragment<Pg>,
    Value: ToSql<ST, Pg>,
    Pg: HasSqlType<ST>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.statement.walk_ast(out.reborrow())?;
        out.push_bind_param_value_only(&self.value)
    }
}

// Keyed by their text in diesel's statement cache, not by a type.
impl QueryId for PreparedSql {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Statement, Value, ST> QueryId for Bound<Statement, Value, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for PreparedSql {
    type SqlType = Untyped;
}

impl<Statement, Value, ST> Query for Bound<Statement, Value, ST> {
    type SqlType = Untyped;
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_types::{BigInt, Text};

    #[test]
    fn the_statement_is_safe_to_cache_and_binds_in_order() {
        let query = prepared("SELECT $1::text || $2::bigint")
            .bind::<Text, _>("a")
            .bind::<BigInt, _>(1i64);
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&query, &Pg).expect("checked"));
        let sql = diesel::debug_query::<Pg, _>(&query).to_string();
        assert!(sql.starts_with("SELECT $1::text || $2::bigint"), "{sql}");
        assert!(!QueryFragment::<Pg>::is_safe_to_cache_prepared(
            &diesel::sql_query("SELECT 1"),
            &Pg
        )
        .expect("checked"));
    }
}
