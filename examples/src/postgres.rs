//! PostgreSQL: users, notifications and chat messages shared by any number
//! of server replicas on one database.
//!
//! - **Pool and migrations**: [`Database::connect`] opens a connection pool
//!   (`deadpool-postgres` over `tokio-postgres`) and applies the
//!   [`MIGRATIONS`] not yet recorded in `schema_migrations`, under an
//!   advisory lock so that replicas starting together apply each once.
//! - **Users** ([`PostgresUsers`]): a duplicate email is refused by the
//!   unique constraint (`23505`), so two replicas creating the same email at
//!   once give one row and one `ALREADY_EXISTS`.
//! - **Notifications and chat messages** ([`PostgresFeed`]): the tables are
//!   the outbox the replicas follow. A writer takes a transaction-level
//!   advisory lock before it inserts, so ids are assigned, and committed, in
//!   one order; it sends `NOTIFY` in the same transaction. Each replica's
//!   follower `LISTEN`s, and on every wake-up (and every
//!   [`FOLLOW_POLL`] in case a wake-up was missed) reads the rows after the
//!   last id it delivered, in id order. A follower whose connection breaks
//!   reconnects and reads on from its last id: a stream that stays open
//!   sees every row committed after it opened, once, in order, whatever the
//!   `NOTIFY` delivery did. The lock serialises writers of one table (a
//!   transaction of three statements); a service past a few thousand
//!   messages a second would partition the feed.

use std::{str::FromStr, time::Duration};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls, Row, error::SqlState};

use crate::{
    feed::Hub,
    proto::{chat::v1::ChatMessage, notification::v1::Notification, user::v1::User},
    users::{NewUser, RepositoryError, UserChanges, UserRepository},
};

/// The schema, one migration a step: (version, what it does, SQL). Append
/// new steps; never edit an applied one.
pub const MIGRATIONS: &[(i32, &str, &str)] = &[(
    1,
    "users, notifications, chat rooms and messages",
    "CREATE TABLE users (
         id serial PRIMARY KEY,
         name text NOT NULL,
         email text NOT NULL UNIQUE,
         age integer NOT NULL DEFAULT 0,
         created_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL
     );
     CREATE TABLE notifications (
         id serial PRIMARY KEY,
         user_id integer NOT NULL,
         title text NOT NULL,
         message text NOT NULL,
         read boolean NOT NULL DEFAULT false,
         created_at timestamptz NOT NULL DEFAULT now()
     );
     CREATE INDEX notifications_by_user ON notifications (user_id, id);
     CREATE TABLE chat_rooms (
         room_id text PRIMARY KEY,
         last_message_id bigint NOT NULL
     );
     CREATE TABLE chat_messages (
         id bigserial PRIMARY KEY,
         room_id text NOT NULL REFERENCES chat_rooms,
         room_message_id bigint NOT NULL,
         user_id integer NOT NULL,
         message text NOT NULL,
         type integer NOT NULL,
         metadata jsonb NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         UNIQUE (room_id, room_message_id)
     );",
)];

/// Advisory lock keys (one namespace per database).
const MIGRATION_LOCK: i64 = 0x7066_0001;
const NOTIFICATION_LOCK: i64 = 0x7066_0002;
const CHAT_LOCK: i64 = 0x7066_0003;

/// The channel writers `NOTIFY` and followers `LISTEN` on.
const CHANNEL: &str = "protoforge_feed";

/// How often a follower reads even without a wake-up.
pub const FOLLOW_POLL: Duration = Duration::from_secs(2);

/// Rows a follower reads at once.
const FOLLOW_BATCH: i64 = 500;

/// A timestamp column as the services print it (RFC 3339, UTC).
const SECONDS: &str = r#"'YYYY-MM-DD"T"HH24:MI:SS"Z"'"#;
const MILLIS: &str = r#"'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'"#;

/// What connecting or a query failed with, with the server's message.
pub fn describe(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => err.to_string(),
    }
}

fn storage(err: tokio_postgres::Error) -> RepositoryError {
    RepositoryError::Storage(describe(&err))
}

fn pool_error(err: deadpool_postgres::PoolError) -> RepositoryError {
    match err {
        deadpool_postgres::PoolError::Backend(err) => storage(err),
        other => RepositoryError::Storage(format!("connection pool: {other}")),
    }
}

/// One PostgreSQL database: its address and a connection pool.
#[derive(Clone)]
pub struct Database {
    config: std::sync::Arc<tokio_postgres::Config>,
    pool: Pool,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("hosts", &self.config.get_hosts())
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

/// Whether `--db` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

impl Database {
    /// Connects to `url` (`postgres://user:password@host:port/dbname`, no
    /// TLS), with at most `pool_size` connections, and applies the
    /// migrations.
    pub async fn connect(url: &str, pool_size: usize) -> Result<Database, RepositoryError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|err| RepositoryError::Storage(format!("{url}: {err}")))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|err| RepositoryError::Storage(format!("connection pool: {err}")))?;
        let database = Database {
            config: config.into(),
            pool,
        };
        database.migrate().await?;
        Ok(database)
    }

    /// A connection of its own, outside the pool (for session-level locks
    /// and `LISTEN`), with the task that drives it.
    async fn dedicated(
        &self,
    ) -> Result<
        (
            tokio_postgres::Client,
            tokio_postgres::Connection<tokio_postgres::Socket, tokio_postgres::tls::NoTlsStream>,
        ),
        RepositoryError,
    > {
        self.config.connect(NoTls).await.map_err(storage)
    }

    /// Applies the migrations not yet applied, each in a transaction with
    /// its record in `schema_migrations`.
    async fn migrate(&self) -> Result<(), RepositoryError> {
        let (mut client, connection) = self.dedicated().await?;
        let driver = tokio::spawn(connection);
        // The session lock ends with the connection, even on an error.
        client
            .query("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(storage)?;
        client
            .batch_execute(
                "SET client_min_messages = warning;
                 CREATE TABLE IF NOT EXISTS schema_migrations (
                     version integer PRIMARY KEY,
                     description text NOT NULL,
                     applied_at timestamptz NOT NULL DEFAULT now()
                 )",
            )
            .await
            .map_err(storage)?;
        let applied: Vec<i32> = client
            .query("SELECT version FROM schema_migrations", &[])
            .await
            .map_err(storage)?
            .iter()
            .map(|row| row.get(0))
            .collect();
        for (version, description, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            let transaction = client.transaction().await.map_err(storage)?;
            transaction.batch_execute(sql).await.map_err(|err| {
                RepositoryError::Storage(format!("migration {version}: {}", describe(&err)))
            })?;
            transaction
                .execute(
                    "INSERT INTO schema_migrations (version, description) VALUES ($1, $2)",
                    &[version, description],
                )
                .await
                .map_err(storage)?;
            transaction.commit().await.map_err(storage)?;
            tracing::info!(version, description, "applied migration");
        }
        drop(client);
        let _ = driver.await;
        Ok(())
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, RepositoryError> {
        self.pool.get().await.map_err(pool_error)
    }
}

/// Users in PostgreSQL.
#[derive(Clone, Debug)]
pub struct PostgresUsers {
    database: Database,
}

impl PostgresUsers {
    /// Users in `database`.
    pub fn new(database: Database) -> Self {
        PostgresUsers { database }
    }
}

fn user_columns() -> String {
    format!(
        "id, name, email, age, to_char(created_at AT TIME ZONE 'UTC', {SECONDS}), \
         to_char(updated_at AT TIME ZONE 'UTC', {SECONDS})"
    )
}

fn user(row: &Row) -> User {
    User {
        id: row.get(0),
        name: row.get(1),
        email: row.get(2),
        age: row.get(3),
        created_at: row.get(4),
        updated_at: row.get(5),
    }
}

/// A unique violation is a duplicate email (the only unique column).
fn write_error(err: tokio_postgres::Error) -> RepositoryError {
    if err.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        RepositoryError::DuplicateEmail
    } else {
        storage(err)
    }
}

#[tonic::async_trait]
impl UserRepository for PostgresUsers {
    async fn create(&self, new: &NewUser, now: &str) -> Result<User, RepositoryError> {
        let client = self.database.client().await?;
        let sql = format!(
            "INSERT INTO users (name, email, age, created_at, updated_at)
             VALUES ($1, $2, $3, $4::text::timestamptz, $4::text::timestamptz)
             RETURNING {}",
            user_columns()
        );
        let statement = client.prepare_cached(&sql).await.map_err(storage)?;
        let row = client
            .query_one(&statement, &[&new.name, &new.email, &new.age, &now])
            .await
            .map_err(write_error)?;
        Ok(user(&row))
    }

    async fn get(&self, id: i32) -> Result<Option<User>, RepositoryError> {
        let client = self.database.client().await?;
        let sql = format!("SELECT {} FROM users WHERE id = $1", user_columns());
        let statement = client.prepare_cached(&sql).await.map_err(storage)?;
        let row = client
            .query_opt(&statement, &[&id])
            .await
            .map_err(storage)?;
        Ok(row.as_ref().map(user))
    }

    async fn update(
        &self,
        id: i32,
        changes: &UserChanges,
        now: &str,
    ) -> Result<Option<User>, RepositoryError> {
        let client = self.database.client().await?;
        let sql = format!(
            "UPDATE users SET name = COALESCE($2, name), email = COALESCE($3, email),
                    age = COALESCE($4, age), updated_at = $5::text::timestamptz
             WHERE id = $1
             RETURNING {}",
            user_columns()
        );
        let statement = client.prepare_cached(&sql).await.map_err(storage)?;
        let row = client
            .query_opt(
                &statement,
                &[&id, &changes.name, &changes.email, &changes.age, &now],
            )
            .await
            .map_err(write_error)?;
        Ok(row.as_ref().map(user))
    }

    async fn delete(&self, id: i32) -> Result<bool, RepositoryError> {
        let client = self.database.client().await?;
        let deleted = client
            .execute("DELETE FROM users WHERE id = $1", &[&id])
            .await
            .map_err(storage)?;
        Ok(deleted > 0)
    }

    async fn count(&self) -> Result<i64, RepositoryError> {
        let client = self.database.client().await?;
        let row = client
            .query_one("SELECT count(*) FROM users", &[])
            .await
            .map_err(storage)?;
        Ok(row.get(0))
    }
}

/// Notifications and chat messages in PostgreSQL, and the follower that
/// brings what any replica wrote to this replica's streams.
#[derive(Clone, Debug)]
pub struct PostgresFeed {
    database: Database,
}

fn notification_columns() -> String {
    format!("id, title, message, to_char(created_at AT TIME ZONE 'UTC', {MILLIS}), read, user_id")
}

fn notification(row: &Row) -> Notification {
    Notification {
        id: row.get(0),
        title: row.get(1),
        message: row.get(2),
        timestamp: row.get(3),
        read: row.get(4),
    }
}

fn chat_columns() -> String {
    format!(
        "room_message_id, room_id, user_id, message, type, \
         to_char(created_at AT TIME ZONE 'UTC', {MILLIS}), \
         ARRAY(SELECT key FROM jsonb_each_text(metadata) ORDER BY key), \
         ARRAY(SELECT value FROM jsonb_each_text(metadata) ORDER BY key), id"
    )
}

fn chat_message(row: &Row) -> ChatMessage {
    let keys: Vec<String> = row.get(6);
    let values: Vec<String> = row.get(7);
    ChatMessage {
        id: row.get(0),
        room_id: row.get(1),
        user_id: row.get(2),
        message: row.get(3),
        r#type: row.get(4),
        timestamp: row.get(5),
        metadata: keys.into_iter().zip(values).collect(),
    }
}

impl PostgresFeed {
    /// The feed in `database`.
    pub fn new(database: Database) -> Self {
        PostgresFeed { database }
    }

    /// Stores a notification for `user_id` and wakes every follower.
    pub async fn notify(
        &self,
        user_id: i32,
        title: &str,
        message: &str,
    ) -> Result<Notification, RepositoryError> {
        let mut client = self.database.client().await?;
        let transaction = client.transaction().await.map_err(storage)?;
        // Ids in commit order: see the module's documentation.
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&NOTIFICATION_LOCK])
            .await
            .map_err(storage)?;
        let sql = format!(
            "INSERT INTO notifications (user_id, title, message) VALUES ($1, $2, $3) RETURNING {}",
            notification_columns()
        );
        let row = transaction
            .query_one(&sql, &[&user_id, &title, &message])
            .await
            .map_err(storage)?;
        transaction
            .execute("SELECT pg_notify($1, 'notification')", &[&CHANNEL])
            .await
            .map_err(storage)?;
        transaction.commit().await.map_err(storage)?;
        Ok(notification(&row))
    }

    /// The newest `limit` notifications of `user_id`, oldest first.
    pub async fn recent_notifications(
        &self,
        user_id: i32,
        limit: i64,
    ) -> Result<Vec<Notification>, RepositoryError> {
        let client = self.database.client().await?;
        let sql = format!(
            "SELECT * FROM (SELECT {} FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2) AS newest ORDER BY id",
            notification_columns()
        );
        let rows = client
            .query(&sql, &[&user_id, &limit])
            .await
            .map_err(storage)?;
        Ok(rows.iter().map(notification).collect())
    }

    /// Stores a message in `room_id` (created when missing), numbered after
    /// the room's last one, and wakes every follower. The room's counter and
    /// the message are written in one transaction: both or neither.
    pub async fn post(
        &self,
        room_id: &str,
        message: &ChatMessage,
    ) -> Result<ChatMessage, RepositoryError> {
        let mut client = self.database.client().await?;
        let transaction = client.transaction().await.map_err(storage)?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&CHAT_LOCK])
            .await
            .map_err(storage)?;
        let number: i64 = transaction
            .query_one(
                "INSERT INTO chat_rooms (room_id, last_message_id) VALUES ($1, 1)
                 ON CONFLICT (room_id) DO UPDATE SET last_message_id = chat_rooms.last_message_id + 1
                 RETURNING last_message_id",
                &[&room_id],
            )
            .await
            .map_err(storage)?
            .get(0);
        let (keys, values): (Vec<&str>, Vec<&str>) = message
            .metadata
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .unzip();
        let sql = format!(
            "INSERT INTO chat_messages (room_id, room_message_id, user_id, message, type, metadata)
             VALUES ($1, $2, $3, $4, $5, jsonb_object($6::text[], $7::text[]))
             RETURNING {}",
            chat_columns()
        );
        let row = transaction
            .query_one(
                &sql,
                &[
                    &room_id,
                    &number,
                    &message.user_id,
                    &message.message,
                    &message.r#type,
                    &keys,
                    &values,
                ],
            )
            .await
            .map_err(storage)?;
        transaction
            .execute("SELECT pg_notify($1, 'chat')", &[&CHANNEL])
            .await
            .map_err(storage)?;
        transaction.commit().await.map_err(storage)?;
        Ok(chat_message(&row))
    }

    /// The newest `limit` messages of `room_id`, oldest first.
    pub async fn recent_messages(
        &self,
        room_id: &str,
        limit: i64,
    ) -> Result<Vec<ChatMessage>, RepositoryError> {
        let client = self.database.client().await?;
        let sql = format!(
            "SELECT * FROM (SELECT {} FROM chat_messages WHERE room_id = $1 ORDER BY id DESC LIMIT $2) AS newest ORDER BY id",
            chat_columns()
        );
        let rows = client
            .query(&sql, &[&room_id, &limit])
            .await
            .map_err(storage)?;
        Ok(rows.iter().map(chat_message).collect())
    }

    /// Starts following: from now on, every notification and chat message
    /// committed by any replica is published to `hub`, in commit order. The
    /// follower stops when the returned handle is dropped.
    pub async fn follow(&self, hub: Hub) -> Result<Follower, RepositoryError> {
        let client = self.database.client().await?;
        let row = client
            .query_one(
                "SELECT (SELECT COALESCE(max(id), 0) FROM notifications)::bigint,
                        (SELECT COALESCE(max(id), 0) FROM chat_messages)",
                &[],
            )
            .await
            .map_err(storage)?;
        let cursors = Cursors {
            notification: row.get(0),
            chat: row.get(1),
        };
        let feed = self.clone();
        Ok(Follower(tokio::spawn(feed.run_follower(hub, cursors))))
    }

    async fn run_follower(self, hub: Hub, mut cursors: Cursors) {
        loop {
            if let Err(err) = self.listen_and_follow(&hub, &mut cursors).await {
                tracing::warn!("feed follower: {err:?}; reconnecting");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Listens on a connection of its own and reads on every wake-up, until
    /// that connection breaks.
    async fn listen_and_follow(
        &self,
        hub: &Hub,
        cursors: &mut Cursors,
    ) -> Result<(), RepositoryError> {
        let (client, mut connection) = self.database.dedicated().await?;
        let (wake, mut woken) = mpsc::channel::<()>(1);
        tokio::spawn(async move {
            while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                match message {
                    Ok(AsyncMessage::Notification(_)) => {
                        // One pending wake-up is enough: a read takes all.
                        let _ = wake.try_send(());
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            // `wake` dropped here: the follower reconnects.
        });
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .await
            .map_err(storage)?;
        loop {
            // Listening first, reading second: a row committed in between is
            // read now or on the wake-up it sent.
            self.catch_up(hub, cursors).await?;
            tokio::select! {
                woke = woken.recv() => if woke.is_none() {
                    return Err(RepositoryError::Storage("the LISTEN connection closed".to_owned()));
                },
                () = tokio::time::sleep(FOLLOW_POLL) => {}
            }
        }
    }

    /// Publishes every row after the cursors, in id order.
    async fn catch_up(&self, hub: &Hub, cursors: &mut Cursors) -> Result<(), RepositoryError> {
        let client = self.database.client().await?;
        loop {
            let sql = format!(
                "SELECT {} FROM notifications WHERE id > $1 ORDER BY id LIMIT $2",
                notification_columns()
            );
            let after = i32::try_from(cursors.notification).unwrap_or(i32::MAX);
            let rows = client
                .query(&sql, &[&after, &FOLLOW_BATCH])
                .await
                .map_err(storage)?;
            for row in &rows {
                let stored = notification(row);
                cursors.notification = i64::from(stored.id);
                hub.publish_notification(row.get(5), stored);
            }
            if (rows.len() as i64) < FOLLOW_BATCH {
                break;
            }
        }
        loop {
            let sql = format!(
                "SELECT {} FROM chat_messages WHERE id > $1 ORDER BY id LIMIT $2",
                chat_columns()
            );
            let rows = client
                .query(&sql, &[&cursors.chat, &FOLLOW_BATCH])
                .await
                .map_err(storage)?;
            for row in &rows {
                cursors.chat = row.get(8);
                hub.publish_chat(chat_message(row));
            }
            if (rows.len() as i64) < FOLLOW_BATCH {
                break;
            }
        }
        Ok(())
    }
}

/// The last ids a follower published.
#[derive(Debug)]
struct Cursors {
    notification: i64,
    chat: i64,
}

/// A running follower; stops when dropped.
#[derive(Debug)]
pub struct Follower(tokio::task::JoinHandle<()>);

impl Drop for Follower {
    fn drop(&mut self) {
        self.0.abort();
    }
}
