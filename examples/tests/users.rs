//! UserService end to end over real TCP on an ephemeral port, against a real
//! database (SQLite and PostgreSQL): the CRUD flow, validation, the status
//! codes, and data that outlives the server.

mod common;

use std::sync::Arc;

use common::{Backend, on_both_backends};

use protoforge_examples::{
    proto::user::v1::{
        CreateUserRequest, DeleteUserRequest, GetUserRequest, UpdateUserRequest,
        user_service_client::UserServiceClient,
    },
    users::{SqliteUsers, UserRepository, UserServiceImpl},
};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Code, transport::Channel};

/// Serves the users of `repository` on 127.0.0.1 until the returned sender
/// is dropped.
async fn serve(
    repository: Arc<dyn UserRepository>,
) -> (UserServiceClient<Channel>, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(UserServiceImpl::new(repository).into_server())
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                let _ = stopped.await;
            }),
    );
    let client = UserServiceClient::connect(format!("http://{addr}"))
        .await
        .expect("connect");
    (client, stop)
}

fn create(name: &str, email: &str, age: i32) -> CreateUserRequest {
    CreateUserRequest {
        name: name.to_owned(),
        email: email.to_owned(),
        age,
    }
}

on_both_backends!(
    crud_flow,
    validation_and_status_codes,
    users_outlive_the_server
);

async fn crud_flow(backend: &Backend) {
    let repository = backend.users().await;
    let (mut client, _stop) = serve(repository.clone()).await;

    let created = client
        .create_user(create("Ada Lovelace", "Ada@Example.com", 36))
        .await
        .expect("created")
        .into_inner();
    assert!(created.success);
    let user = created.user.expect("user");
    assert!(user.id > 0);
    assert_eq!(
        user.email, "ada@example.com",
        "emails are stored lower-case"
    );
    assert!(
        user.created_at.ends_with('Z') && user.created_at == user.updated_at,
        "{user:?}"
    );

    let fetched = client
        .get_user(GetUserRequest { user_id: user.id })
        .await
        .expect("found")
        .into_inner();
    assert_eq!(fetched.user.as_ref(), Some(&user));

    // A partial update keeps the fields the request leaves empty.
    let updated = client
        .update_user(UpdateUserRequest {
            user_id: user.id,
            age: 37,
            ..UpdateUserRequest::default()
        })
        .await
        .expect("updated")
        .into_inner()
        .user
        .expect("user");
    assert_eq!(
        (updated.name.as_str(), updated.email.as_str(), updated.age),
        ("Ada Lovelace", "ada@example.com", 37)
    );
    assert_eq!(updated.created_at, user.created_at);

    let deleted = client
        .delete_user(DeleteUserRequest { user_id: user.id })
        .await
        .expect("deleted")
        .into_inner();
    assert!(deleted.success);
    let gone = client
        .get_user(GetUserRequest { user_id: user.id })
        .await
        .expect_err("gone");
    assert_eq!(gone.code(), Code::NotFound);
    assert_eq!(repository.count().await.expect("count"), 0);
}

async fn validation_and_status_codes(backend: &Backend) {
    let (mut client, _stop) = serve(backend.users().await).await;
    let cases = [
        (
            create("", "a@example.com", 1),
            Code::InvalidArgument,
            "name is required",
        ),
        (
            create("A", "", 1),
            Code::InvalidArgument,
            "email is required",
        ),
        (
            create("A", "not-an-email", 1),
            Code::InvalidArgument,
            "'not-an-email' is not an email address",
        ),
        (
            create("A", "a@example.com", -1),
            Code::InvalidArgument,
            "age must be between 0 and 150",
        ),
    ];
    for (request, code, message) in cases {
        let status = client.create_user(request).await.expect_err("invalid");
        assert_eq!((status.code(), status.message()), (code, message));
    }
    client
        .create_user(create("A", "a@example.com", 1))
        .await
        .expect("first");
    let duplicate = client
        .create_user(create("B", "A@example.com", 2))
        .await
        .expect_err("duplicate");
    assert_eq!(duplicate.code(), Code::AlreadyExists);
    let second = client
        .create_user(create("B", "b@example.com", 2))
        .await
        .expect("second")
        .into_inner();
    let taken = client
        .update_user(UpdateUserRequest {
            user_id: second.user.expect("user").id,
            email: "a@example.com".into(),
            ..UpdateUserRequest::default()
        })
        .await
        .expect_err("email taken");
    assert_eq!(taken.code(), Code::AlreadyExists);
    for status in [
        client
            .get_user(GetUserRequest { user_id: 0 })
            .await
            .expect_err("zero"),
        client
            .delete_user(DeleteUserRequest { user_id: -3 })
            .await
            .expect_err("negative"),
    ] {
        assert_eq!(status.code(), Code::InvalidArgument);
    }
    let missing = client
        .update_user(UpdateUserRequest {
            user_id: 999,
            name: "X".into(),
            ..UpdateUserRequest::default()
        })
        .await
        .expect_err("missing");
    assert_eq!(
        (missing.code(), missing.message()),
        (Code::NotFound, "user 999 not found")
    );
    let missing = client
        .delete_user(DeleteUserRequest { user_id: 999 })
        .await
        .expect_err("missing");
    assert_eq!(missing.code(), Code::NotFound);
}

/// A SQLite file, or the PostgreSQL database, reopened.
async fn users_outlive_the_server(backend: &Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("users.db");
    let open = async || -> Arc<dyn UserRepository> {
        if backend.is_postgres() {
            backend.users().await
        } else {
            Arc::new(SqliteUsers::open(file.to_str().expect("utf-8")).expect("open"))
        }
    };
    let id = {
        let (mut client, stop) = serve(open().await).await;
        let created = client
            .create_user(create("Grace", "grace@example.com", 85))
            .await
            .expect("created");
        drop(stop);
        created.into_inner().user.expect("user").id
    };
    let (mut client, _stop) = serve(open().await).await;
    let user = client
        .get_user(GetUserRequest { user_id: id })
        .await
        .expect("still there")
        .into_inner()
        .user;
    assert_eq!(user.expect("user").name, "Grace");
}
