//! The storage backends the end-to-end tests run on: SQLite always, and
//! PostgreSQL when `PROTOFORGE_EXAMPLE_TEST_POSTGRES` names a server's
//! administrative database (`postgres://postgres@127.0.0.1:PORT/postgres`;
//! `.ci/run` starts a throwaway cluster and sets it). Each PostgreSQL test
//! gets a database of its own. Without the variable, the PostgreSQL half of
//! every test says loudly that it was skipped, and fails under CI (`CI` set),
//! where the variable must be set.

// Each test binary uses its part.
#![allow(dead_code, unused_macros, unused_imports)]

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use protoforge_examples::{
    feed::Feed,
    postgres::Database,
    users::{SqliteUsers, UserRepository},
};

/// The variable naming the PostgreSQL server of the tests.
pub const POSTGRES: &str = "PROTOFORGE_EXAMPLE_TEST_POSTGRES";

/// Where a test's data lives.
#[derive(Clone, Debug)]
pub struct Backend {
    /// What `--db` says: `:memory:` or a PostgreSQL URL.
    pub db: String,
}

impl Backend {
    /// SQLite in memory (notifications and chat in the process).
    pub fn sqlite() -> Backend {
        Backend {
            db: ":memory:".to_owned(),
        }
    }

    /// A fresh PostgreSQL database for `test`, or `None` (said on stderr)
    /// when no server is configured.
    pub async fn postgres(test: &str) -> Option<Backend> {
        Some(Backend {
            db: fresh_database(test).await?,
        })
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        protoforge_examples::postgres::is_url(&self.db)
    }

    /// The users of this backend.
    pub async fn users(&self) -> Arc<dyn UserRepository> {
        if self.is_postgres() {
            Arc::new(protoforge_examples::postgres::PostgresUsers::new(
                self.database().await,
            ))
        } else {
            Arc::new(SqliteUsers::open(&self.db).expect("open SQLite"))
        }
    }

    /// The notifications and chat messages of this backend.
    pub async fn feed(&self) -> Feed {
        if self.is_postgres() {
            Feed::postgres(self.database().await)
                .await
                .expect("follow PostgreSQL")
        } else {
            Feed::memory()
        }
    }

    /// A connection pool to this backend's PostgreSQL database.
    pub async fn database(&self) -> Database {
        Database::connect(&self.db, 4)
            .await
            .expect("connect to PostgreSQL")
    }
}

/// Creates an empty database for `test` on the configured server and
/// returns its URL; `None`, said loudly, when there is no server (a failure
/// under CI).
pub async fn fresh_database(test: &str) -> Option<String> {
    let Some(admin) = std::env::var(POSTGRES).ok().filter(|v| !v.is_empty()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{POSTGRES} is not set: CI must run the PostgreSQL tests (.ci/run starts a server)"
        );
        eprintln!(
            "SKIPPED: {test} on PostgreSQL: set {POSTGRES}=postgres://USER@HOST:PORT/postgres \
             (source examples/throwaway-postgres.sh starts a throwaway server)"
        );
        return None;
    };
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "protoforge_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        test.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(30)
            .collect::<String>()
    );
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|err| panic!("{POSTGRES}={admin}: {err}"));
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|err| panic!("CREATE DATABASE {name}: {err}"));
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}

/// Runs each listed `async fn NAME(backend: &Backend)` as two tests,
/// `sqlite::NAME` and `postgres::NAME`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(&crate::common::Backend::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = crate::common::Backend::postgres(stringify!($name)).await {
                        super::$name(&backend).await;
                    }
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;
