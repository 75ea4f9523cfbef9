//! `user.v1.UserService`: users CRUD over a repository: SQLite by default,
//! or PostgreSQL ([`crate::postgres`]).
//!
//! The service validates as the article describes (missing name or email,
//! duplicate email) and answers with gRPC status codes: `INVALID_ARGUMENT`,
//! `NOT_FOUND`, `ALREADY_EXISTS`. An update keeps the fields its request
//! leaves empty (and an age of 0); the server sets the timestamps.

use std::{
    sync::{Arc, Mutex},
    time::SystemTime,
};

use rusqlite::{Connection, OptionalExtension, params};
use tonic::{Request, Response, Status};

use crate::notifications::ActivityBus;
use crate::proto::notification::v1::ActivityType;
use crate::proto::user::v1::{
    self as pb, User,
    user_service_server::{UserService, UserServiceServer},
};

/// The fields of a user to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    /// Display name.
    pub name: String,
    /// Email address, unique.
    pub email: String,
    /// Age in years; 0 when unknown.
    pub age: i32,
}

/// The fields of an update; `None` keeps the stored value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// New display name.
    pub name: Option<String>,
    /// New email address.
    pub email: Option<String>,
    /// New age.
    pub age: Option<i32>,
}

/// Why the storage refused or failed.
#[derive(Debug, PartialEq, Eq)]
pub enum RepositoryError {
    /// Another user has this email.
    DuplicateEmail,
    /// The storage failed.
    Storage(String),
}

impl std::fmt::Display for RepositoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RepositoryError::DuplicateEmail => f.write_str("a user with this email already exists"),
            RepositoryError::Storage(message) => write!(f, "storage: {message}"),
        }
    }
}

impl std::error::Error for RepositoryError {}

/// Where users live: [`SqliteUsers`] (one process) or
/// [`PostgresUsers`](crate::postgres::PostgresUsers) (any number of
/// replicas). Hand one to [`UserServiceImpl::new`].
#[tonic::async_trait]
pub trait UserRepository: Send + Sync + 'static {
    /// Stores a new user; the repository assigns the id and timestamps. A
    /// duplicate email is refused by the storage's unique constraint
    /// ([`RepositoryError::DuplicateEmail`]), never by a read before the
    /// write, which two concurrent calls would both pass.
    async fn create(&self, user: &NewUser, now: &str) -> Result<User, RepositoryError>;
    /// The user with this id.
    async fn get(&self, id: i32) -> Result<Option<User>, RepositoryError>;
    /// Applies `changes`; `None` when there is no such user.
    async fn update(
        &self,
        id: i32,
        changes: &UserChanges,
        now: &str,
    ) -> Result<Option<User>, RepositoryError>;
    /// Deletes; whether there was such a user.
    async fn delete(&self, id: i32) -> Result<bool, RepositoryError>;
    /// How many users are stored.
    async fn count(&self) -> Result<i64, RepositoryError>;
}

/// Users in SQLite: a file, or `:memory:`. The schema is created on open.
/// SQLite blocks: every call runs on tokio's blocking threads.
#[derive(Debug, Clone)]
pub struct SqliteUsers {
    connection: Arc<Mutex<Connection>>,
}

fn storage(err: rusqlite::Error) -> RepositoryError {
    RepositoryError::Storage(err.to_string())
}

impl SqliteUsers {
    /// Opens (and creates when needed) the database at `path`; `:memory:`
    /// for one that lives as long as the process.
    pub fn open(path: &str) -> Result<SqliteUsers, RepositoryError> {
        let connection = Connection::open(path).map_err(storage)?;
        // WAL with synchronous=NORMAL: durable across application crashes,
        // one fsync per checkpoint instead of per commit (a power loss may
        // lose the last commits, never corrupt the file).
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA busy_timeout = 5000;
                 CREATE TABLE IF NOT EXISTS users (
                     id INTEGER PRIMARY KEY AUTOINCREMENT,
                     name TEXT NOT NULL,
                     email TEXT NOT NULL UNIQUE,
                     age INTEGER NOT NULL DEFAULT 0,
                     created_at TEXT NOT NULL,
                     updated_at TEXT NOT NULL
                 );",
            )
            .map_err(storage)?;
        Ok(SqliteUsers {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `call` on the connection, off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        call: impl FnOnce(&Connection) -> Result<T, RepositoryError> + Send + 'static,
    ) -> Result<T, RepositoryError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let connection = connection
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            call(&connection)
        })
        .await
        .map_err(|err| RepositoryError::Storage(format!("storage task failed: {err}")))?
    }

    fn read(connection: &Connection, id: i32) -> Result<Option<User>, RepositoryError> {
        connection
            .query_row(
                "SELECT id, name, email, age, created_at, updated_at FROM users WHERE id = ?1",
                params![id],
                |row| {
                    Ok(User {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        email: row.get(2)?,
                        age: row.get(3)?,
                        created_at: row.get(4)?,
                        updated_at: row.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(storage)
    }
}

/// A unique-constraint failure is a duplicate email; anything else fails.
fn write_error(err: rusqlite::Error) -> RepositoryError {
    match &err {
        rusqlite::Error::SqliteFailure(code, _)
            if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            RepositoryError::DuplicateEmail
        }
        _ => storage(err),
    }
}

#[tonic::async_trait]
impl UserRepository for SqliteUsers {
    async fn create(&self, user: &NewUser, now: &str) -> Result<User, RepositoryError> {
        let (user, now) = (user.clone(), now.to_owned());
        self.blocking(move |connection| {
            connection
                .execute(
                    "INSERT INTO users (name, email, age, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                    params![user.name, user.email, user.age, now],
                )
                .map_err(write_error)?;
            let id = i32::try_from(connection.last_insert_rowid())
                .map_err(|_| RepositoryError::Storage("user ids are exhausted".to_owned()))?;
            Self::read(connection, id)?
                .ok_or_else(|| RepositoryError::Storage("the new user vanished".to_owned()))
        })
        .await
    }

    async fn get(&self, id: i32) -> Result<Option<User>, RepositoryError> {
        self.blocking(move |connection| Self::read(connection, id))
            .await
    }

    async fn update(
        &self,
        id: i32,
        changes: &UserChanges,
        now: &str,
    ) -> Result<Option<User>, RepositoryError> {
        let (changes, now) = (changes.clone(), now.to_owned());
        self.blocking(move |connection| {
            let changed = connection
                .execute(
                    "UPDATE users SET name = COALESCE(?2, name), email = COALESCE(?3, email),
                            age = COALESCE(?4, age), updated_at = ?5
                     WHERE id = ?1",
                    params![id, changes.name, changes.email, changes.age, now],
                )
                .map_err(write_error)?;
            if changed == 0 {
                return Ok(None);
            }
            Self::read(connection, id)
        })
        .await
    }

    async fn delete(&self, id: i32) -> Result<bool, RepositoryError> {
        self.blocking(move |connection| {
            let deleted = connection
                .execute("DELETE FROM users WHERE id = ?1", params![id])
                .map_err(storage)?;
            Ok(deleted > 0)
        })
        .await
    }

    async fn count(&self) -> Result<i64, RepositoryError> {
        self.blocking(|connection| {
            connection
                .query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))
                .map_err(storage)
        })
        .await
    }
}

/// The current time as RFC 3339 in UTC, to the second.
fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// The implementation of `user.v1.UserService` over a repository.
#[derive(Debug)]
pub struct UserServiceImpl<R: ?Sized> {
    repository: Arc<R>,
    activity: Option<ActivityBus>,
}

impl<R: UserRepository + ?Sized> UserServiceImpl<R> {
    /// A service storing users in `repository`.
    pub fn new(repository: Arc<R>) -> Self {
        UserServiceImpl {
            repository,
            activity: None,
        }
    }

    /// Publishes profile changes to `activity` (for `StreamUserActivity`).
    pub fn with_activity(mut self, activity: ActivityBus) -> Self {
        self.activity = Some(activity);
        self
    }

    fn publish(&self, user: &User, what: &str) {
        if let Some(activity) = &self.activity {
            activity.publish(
                user.id,
                ActivityType::ProfileUpdate,
                format!("{what} their profile"),
                std::collections::HashMap::from([("email".to_owned(), user.email.clone())]),
            );
        }
    }

    /// The tonic server of this service.
    pub fn into_server(self) -> UserServiceServer<Self> {
        UserServiceServer::new(self)
    }
}

/// A repository error as the status the client sees.
pub(crate) fn status(err: RepositoryError) -> Status {
    match err {
        RepositoryError::DuplicateEmail => {
            Status::already_exists("a user with this email already exists")
        }
        RepositoryError::Storage(message) => Status::internal(format!("storage: {message}")),
    }
}

fn check_id(id: i32) -> Result<i32, Status> {
    if id > 0 {
        Ok(id)
    } else {
        Err(Status::invalid_argument("user_id must be positive"))
    }
}

fn check_email(email: &str) -> Result<(), Status> {
    let valid = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if valid {
        Ok(())
    } else {
        Err(Status::invalid_argument(format!(
            "'{email}' is not an email address"
        )))
    }
}

fn check_age(age: i32) -> Result<(), Status> {
    if (0..=150).contains(&age) {
        Ok(())
    } else {
        Err(Status::invalid_argument("age must be between 0 and 150"))
    }
}

fn not_found(id: i32) -> Status {
    Status::not_found(format!("user {id} not found"))
}

#[tonic::async_trait]
impl<R: UserRepository + ?Sized> UserService for UserServiceImpl<R> {
    async fn get_user(
        &self,
        request: Request<pb::GetUserRequest>,
    ) -> Result<Response<pb::GetUserResponse>, Status> {
        let id = check_id(request.into_inner().user_id)?;
        let user = self
            .repository
            .get(id)
            .await
            .map_err(status)?
            .ok_or_else(|| not_found(id))?;
        Ok(Response::new(pb::GetUserResponse {
            user: Some(user),
            success: true,
            error_message: String::new(),
        }))
    }

    async fn create_user(
        &self,
        request: Request<pb::CreateUserRequest>,
    ) -> Result<Response<pb::CreateUserResponse>, Status> {
        let request = request.into_inner();
        if request.name.trim().is_empty() {
            return Err(Status::invalid_argument("name is required"));
        }
        if request.email.trim().is_empty() {
            return Err(Status::invalid_argument("email is required"));
        }
        check_email(request.email.trim())?;
        check_age(request.age)?;
        let new = NewUser {
            name: request.name.trim().to_owned(),
            email: request.email.trim().to_lowercase(),
            age: request.age,
        };
        let user = self.repository.create(&new, &now()).await.map_err(status)?;
        Ok(Response::new(pb::CreateUserResponse {
            user: Some(user),
            success: true,
            error_message: String::new(),
        }))
    }

    async fn update_user(
        &self,
        request: Request<pb::UpdateUserRequest>,
    ) -> Result<Response<pb::UpdateUserResponse>, Status> {
        let request = request.into_inner();
        let id = check_id(request.user_id)?;
        let non_empty = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let changes = UserChanges {
            name: non_empty(&request.name),
            email: non_empty(&request.email).map(|e| e.to_lowercase()),
            age: Some(request.age).filter(|age| *age != 0),
        };
        if let Some(email) = &changes.email {
            check_email(email)?;
        }
        if let Some(age) = changes.age {
            check_age(age)?;
        }
        let user = self
            .repository
            .update(id, &changes, &now())
            .await
            .map_err(status)?
            .ok_or_else(|| not_found(id))?;
        self.publish(&user, "updated");
        Ok(Response::new(pb::UpdateUserResponse {
            user: Some(user),
            success: true,
            error_message: String::new(),
        }))
    }

    async fn delete_user(
        &self,
        request: Request<pb::DeleteUserRequest>,
    ) -> Result<Response<pb::DeleteUserResponse>, Status> {
        let id = check_id(request.into_inner().user_id)?;
        if !self.repository.delete(id).await.map_err(status)? {
            return Err(not_found(id));
        }
        Ok(Response::new(pb::DeleteUserResponse {
            success: true,
            error_message: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn repository_round_trip() {
        let users = SqliteUsers::open(":memory:").expect("open");
        let new = NewUser {
            name: "Ada".into(),
            email: "ada@example.com".into(),
            age: 36,
        };
        let created = users
            .create(&new, "2026-01-01T00:00:00Z")
            .await
            .expect("create");
        assert_eq!(created.id, 1);
        assert_eq!(created.created_at, "2026-01-01T00:00:00Z");
        assert_eq!(
            users.create(&new, "x").await,
            Err(RepositoryError::DuplicateEmail)
        );
        let changes = UserChanges {
            age: Some(37),
            ..UserChanges::default()
        };
        let updated = users
            .update(1, &changes, "2026-02-01T00:00:00Z")
            .await
            .expect("update")
            .expect("found");
        assert_eq!((updated.name.as_str(), updated.age), ("Ada", 37));
        assert_eq!(updated.created_at, "2026-01-01T00:00:00Z");
        assert_eq!(updated.updated_at, "2026-02-01T00:00:00Z");
        assert_eq!(users.update(9, &changes, "x").await.expect("update"), None);
        assert!(users.delete(1).await.expect("delete"));
        assert!(!users.delete(1).await.expect("delete again"));
        assert_eq!(users.count().await.expect("count"), 0);
    }
}
