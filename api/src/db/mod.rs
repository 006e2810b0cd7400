//! The PostgreSQL pool, the embedded migrations and diesel's schema.

pub mod prepared;
pub mod schema;

pub use prepared::{prepared, Bind};

use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Serialises migrations when several instances start at once.
const MIGRATION_LOCK_KEY: i64 = 0x7061_726c_6579; // "parley"

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("database pool: {0}")]
    Pool(#[from] PoolError),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

pub fn build_pool(database_url: &str, max_size: usize) -> Result<DbPool, DbError> {
    // A connection is handed out again without a test query (one round trip fewer per
    // checkout): one the server closed, or whose transaction broke, is still discarded, and
    // callers already treat a failed statement as the database being away.
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(std::time::Duration::from_secs(10)))
        .create_timeout(Some(std::time::Duration::from_secs(10)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|error| DbError::Connect(error.to_string()))
}

type SyncConnection = AsyncConnectionWrapper<AsyncPgConnection>;

fn establish_sync(database_url: &str) -> Result<SyncConnection, DbError> {
    <SyncConnection as diesel::Connection>::establish(database_url)
        .map_err(|error| DbError::Connect(error.to_string()))
}

/// Applies pending migrations; returns the versions it applied.
pub async fn run_migrations(database_url: &str) -> Result<Vec<String>, DbError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = establish_sync(&url)?;
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            .execute(&mut conn)?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(|v| v.to_string()).collect())
            .map_err(|error| DbError::Migration(error.to_string()));
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
            .execute(&mut conn)?;
        applied
    })
    .await
    .map_err(|error| DbError::Migration(error.to_string()))?
}

#[derive(diesel::QueryableByName)]
struct MigrationVersion {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// Whether every embedded migration has been applied to the database.
pub async fn migrations_applied(conn: &mut AsyncPgConnection) -> Result<bool, DbError> {
    use diesel::migration::MigrationSource;
    use diesel_async::RunQueryDsl;
    let applied: Vec<MigrationVersion> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load(conn)
            .await?;
    let expected = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map_err(|error| DbError::Migration(error.to_string()))?;
    Ok(expected.iter().all(|migration| {
        let version = migration.name().version().to_string();
        applied.iter().any(|row| row.version == version)
    }))
}

/// A cheap round trip that proves the database answers.
pub async fn ping(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SELECT 1").execute(conn).await?;
    Ok(())
}

/// A `LIKE` pattern that finds `text` anywhere, its wildcards taken literally.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
