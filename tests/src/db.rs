//! One database per test, cloned from a template that is migrated once per migration set.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// The server's URL with the `postgres` maintenance database (from `DATABASE_URL`'s host).
fn server_url() -> String {
    let configured = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    with_database(&configured, "postgres")
}

fn with_database(url: &str, database: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    let (scheme, rest) = without_query
        .split_once("://")
        .unwrap_or(("postgres", without_query));
    let host_part = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host_part}/{database}")
}

/// A name that changes whenever a migration does, so a stale template is never used.
fn template_name() -> String {
    let mut hasher = DefaultHasher::new();
    let dir = crate::repo_root().join("migrations");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("migrations directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    for path in entries {
        path.file_name().hash(&mut hasher);
        std::fs::read(path.join("up.sql"))
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    format!("parley_template_{:016x}", hasher.finish())
}

async fn admin_connection() -> AsyncPgConnection {
    let url = server_url();
    let mut last_error = None;
    for _ in 0..20 {
        match AsyncPgConnection::establish(&url).await {
            Ok(conn) => return conn,
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("cannot reach PostgreSQL at {url}: {last_error:?} (is it running? `make db`)");
}

async fn execute(conn: &mut AsyncPgConnection, sql: &str) -> Result<usize, diesel::result::Error> {
    diesel::sql_query(sql).execute(conn).await
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Exists>(conn)
        .await
        .map(|row| row.exists)
        .unwrap_or(false)
}

/// Builds the template once; concurrent test processes wait on an advisory lock.
async fn ensure_template(conn: &mut AsyncPgConnection, template: &str) {
    if database_exists(conn, template).await {
        return;
    }
    execute(conn, "SELECT pg_advisory_lock(8675309)")
        .await
        .expect("lock");
    if !database_exists(conn, template).await {
        let building = format!("{template}_building");
        execute(
            conn,
            &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
        )
        .await
        .expect("drop stale template");
        execute(conn, &format!("CREATE DATABASE {building}"))
            .await
            .expect("create template");
        parley::db::run_migrations(&with_database(&server_url(), &building))
            .await
            .expect("migrate template");
        execute(
            conn,
            &format!("ALTER DATABASE {building} RENAME TO {template}"),
        )
        .await
        .expect("publish template");
    }
    execute(conn, "SELECT pg_advisory_unlock(8675309)")
        .await
        .expect("unlock");
}

/// A migrated database of this test's own, dropped when the value is.
pub struct TestDb {
    pub name: String,
    pub url: String,
    /// Only the owner drops the database.
    owned: bool,
}

impl TestDb {
    pub async fn create() -> TestDb {
        let template = template_name();
        let mut conn = admin_connection().await;
        ensure_template(&mut conn, &template).await;
        let name = format!("parley_test_{}", Uuid::new_v4().simple());
        let mut attempts = 0;
        // Cloning fails while another session is briefly connected to the template.
        while let Err(error) = execute(
            &mut conn,
            &format!("CREATE DATABASE {name} TEMPLATE {template}"),
        )
        .await
        {
            attempts += 1;
            assert!(attempts < 50, "cannot clone the template: {error}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        TestDb {
            url: with_database(&server_url(), &name),
            name,
            owned: true,
        }
    }

    /// The same database for another server instance; it does not drop it.
    pub fn shared(&self) -> TestDb {
        TestDb {
            name: self.name.clone(),
            url: self.url.clone(),
            owned: false,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a thread of its own may block.
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    if let Ok(mut conn) = AsyncPgConnection::establish(&server_url()).await {
                        let _ = execute(
                            &mut conn,
                            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                        )
                        .await;
                    }
                });
            }
        });
        let _ = dropper.join();
    }
}
