//! The generated mocks, driven through their generated clients: every kind of
//! rpc, matching, sequences, latency, recording, verification, unmatched
//! calls, several services at once, and real TCP.

use std::time::Duration;

use protoforge_examples::proto::{
    chat::v1::{ChatMessage, MessageType, chat_service_mock::MockChatService},
    file::v1::{FileChunk, UploadResponse, file_service_mock::MockFileService},
    notification::v1::{
        GetNotificationsRequest, Notification,
        notification_service_client::NotificationServiceClient,
        notification_service_mock::MockNotificationService,
    },
    user::v1::{
        GetUserRequest, GetUserResponse, User, user_service_client::UserServiceClient,
        user_service_mock::MockUserService,
    },
};
use tokio_stream::StreamExt;
use tonic::{Code, Request, Status, transport::Channel};

fn user(id: i32, name: &str) -> User {
    User {
        id,
        name: name.to_owned(),
        email: format!("{name}@example.com"),
        ..User::default()
    }
}

fn found(user: User) -> GetUserResponse {
    GetUserResponse {
        user: Some(user),
        success: true,
        error_message: String::new(),
    }
}

// ------------------------------------------------------------------ unary

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unary_returns_a_value() {
    let mock = MockUserService::new();
    mock.get_user().returns(found(user(1, "ada")));
    let response = mock
        .client()
        .get_user(GetUserRequest { user_id: 1 })
        .await
        .expect("answered");
    assert_eq!(response.into_inner().user, Some(user(1, "ada")));
    mock.verify().expect("met");
}

#[tokio::test]
async fn unary_fails_with_a_status() {
    let mock = MockUserService::new();
    mock.get_user().fails(Status::not_found("no user 7"));
    let status = mock
        .client()
        .get_user(GetUserRequest { user_id: 7 })
        .await
        .expect_err("fails");
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "no user 7");
}

#[tokio::test]
async fn unary_responds_with_a_closure_of_the_request() {
    let mock = MockUserService::new();
    mock.get_user()
        .responds_with(|req| Ok(found(user(req.user_id, "echo"))));
    let mut client = mock.client();
    for id in [3, 4] {
        let response = client
            .get_user(GetUserRequest { user_id: id })
            .await
            .expect("answered");
        assert_eq!(response.into_inner().user.expect("user").id, id);
    }
}

#[tokio::test]
async fn first_matching_expectation_wins_in_the_order_added() {
    let mock = MockUserService::new();
    mock.get_user()
        .when(|req| req.user_id == 1)
        .returns(found(user(1, "one")));
    mock.get_user()
        .when(|req| req.user_id < 10)
        .returns(found(user(0, "small")));
    mock.get_user()
        .expect()
        .optional()
        .fails(Status::not_found("other"));
    let mut client = mock.client();
    let name = |r: tonic::Response<GetUserResponse>| r.into_inner().user.expect("user").name;
    assert_eq!(
        name(
            client
                .get_user(GetUserRequest { user_id: 1 })
                .await
                .expect("ok")
        ),
        "one"
    );
    assert_eq!(
        name(
            client
                .get_user(GetUserRequest { user_id: 5 })
                .await
                .expect("ok")
        ),
        "small"
    );
    let status = client
        .get_user(GetUserRequest { user_id: 50 })
        .await
        .expect_err("other");
    assert_eq!(status.code(), Code::NotFound);
    mock.verify().expect("met");
}

#[tokio::test]
async fn metadata_matching() {
    let mock = MockUserService::new();
    mock.get_user()
        .expect()
        .when_metadata(|md| md.get("authorization").is_some_and(|v| v == "Bearer good"))
        .returns(found(user(1, "ada")));
    mock.get_user()
        .expect()
        .optional()
        .fails(Status::unauthenticated("no token"));
    let mut client = mock.client();
    let mut request = Request::new(GetUserRequest { user_id: 1 });
    request
        .metadata_mut()
        .insert("authorization", "Bearer good".parse().expect("ascii"));
    assert!(client.get_user(request).await.is_ok());
    let status = client
        .get_user(GetUserRequest { user_id: 1 })
        .await
        .expect_err("no token");
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn sequence_for_a_retry() {
    let mock = MockUserService::new();
    mock.get_user()
        .expect()
        .times(2)
        .fails(Status::unavailable("warming up"))
        .then()
        .returns(found(user(1, "ada")));
    let mut client = mock.client();
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(match client.get_user(GetUserRequest { user_id: 1 }).await {
            Ok(_) => Code::Ok,
            Err(status) => status.code(),
        });
    }
    assert_eq!(codes, [Code::Unavailable, Code::Unavailable, Code::Ok]);
    let expectations: Vec<_> = mock
        .get_user()
        .calls()
        .iter()
        .map(|c| c.expectation)
        .collect();
    assert_eq!(expectations, [Some(0), Some(0), Some(1)]);
    mock.verify().expect("met");
}

#[tokio::test]
async fn injected_latency_trips_the_client_deadline() {
    let mock = MockUserService::new();
    mock.get_user()
        .expect()
        .delay(Duration::from_millis(500))
        .returns(found(user(1, "slow")));
    let mut request = Request::new(GetUserRequest { user_id: 1 });
    request.set_timeout(Duration::from_millis(50));
    let started = std::time::Instant::now();
    let status = mock.client().get_user(request).await.expect_err("too slow");
    // On a Channel, as in production: tonic's client stops the call itself
    // (CANCELLED, "Timeout expired") unless the server's DEADLINE_EXCEEDED
    // arrives first; either way at the deadline, not after the delay.
    assert!(
        matches!(status.code(), Code::Cancelled | Code::DeadlineExceeded),
        "{status:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );

    // The server side alone answers DEADLINE_EXCEEDED, as a gRPC server does.
    let mut direct = UserServiceClient::new(protoforge_runtime::InProcess::new(mock.server()));
    let mut request = Request::new(GetUserRequest { user_id: 1 });
    request.set_timeout(Duration::from_millis(50));
    let status = direct.get_user(request).await.expect_err("too slow");
    assert_eq!(status.code(), Code::DeadlineExceeded);

    // Within the deadline the same expectation answers.
    let mut request = Request::new(GetUserRequest { user_id: 1 });
    request.set_timeout(Duration::from_secs(5));
    assert!(mock.client().get_user(request).await.is_ok());
}

/// Code under test written against a real `Channel`, as a team writes it.
async fn name_of(client: &mut UserServiceClient<Channel>, id: i32) -> Result<String, Status> {
    let response = client.get_user(GetUserRequest { user_id: id }).await?;
    Ok(response.into_inner().user.unwrap_or_default().name)
}

/// `mock.client()` is a `UserServiceClient<Channel>` on a real tonic
/// `Channel` (HTTP/2 over an in-memory duplex stream): code that takes
/// `FooClient<Channel>` is tested unchanged, metadata and streams included.
#[tokio::test]
async fn the_client_is_on_a_real_channel() {
    let mock = MockUserService::new();
    mock.get_user().returns(found(user(1, "ada")));
    let mut client: UserServiceClient<Channel> = mock.client();
    assert_eq!(name_of(&mut client, 1).await.expect("answered"), "ada");
    // Clones share the connection, as with any Channel.
    let mut clone = client.clone();
    assert_eq!(name_of(&mut clone, 1).await.expect("answered"), "ada");
    assert_eq!(mock.get_user().calls().len(), 2);

    // A channel to several mocks at once.
    let notifications = MockNotificationService::new();
    notifications
        .get_notifications()
        .returns(vec![Notification::default()]);
    let channel = protoforge_runtime::channel(
        protoforge_runtime::Routes::new(mock.server()).add_service(notifications.server()),
    );
    let mut users = UserServiceClient::new(channel.clone());
    assert_eq!(name_of(&mut users, 1).await.expect("answered"), "ada");
    let stream = NotificationServiceClient::new(channel)
        .get_notifications(GetNotificationsRequest::default())
        .await
        .expect("stream")
        .into_inner();
    assert_eq!(stream.collect::<Vec<_>>().await.len(), 1);
}

#[tokio::test]
async fn calls_are_recorded_with_their_metadata() {
    let mock = MockUserService::new();
    mock.get_user().returns(found(user(1, "ada")));
    let mut request = Request::new(GetUserRequest { user_id: 42 });
    request
        .metadata_mut()
        .insert("x-request-id", "abc".parse().expect("ascii"));
    mock.client().get_user(request).await.expect("answered");
    let calls = mock.get_user().calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].request().user_id, 42);
    assert_eq!(
        calls[0].metadata.get("x-request-id").expect("header"),
        "abc"
    );
}

#[tokio::test]
async fn verify_lists_unmet_expectations() {
    let mock = MockUserService::new();
    mock.get_user()
        .expect()
        .named("lookup")
        .times(2)
        .returns(found(user(1, "ada")));
    mock.delete_user().fails(Status::internal("never called"));
    mock.client()
        .get_user(GetUserRequest { user_id: 1 })
        .await
        .expect("answered");
    let err = mock.verify().expect_err("unmet");
    assert_eq!(err.unmet.len(), 2, "{err}");
    assert!(
        err.unmet[0].contains("/user.v1.UserService/GetUser expectation #1 \"lookup\""),
        "{err}"
    );
    assert!(err.unmet[0].ends_with("expected 2 call(s), got 1"), "{err}");
    assert!(
        err.unmet[1].contains("/user.v1.UserService/DeleteUser"),
        "{err}"
    );
    assert!(err.unmet[1].ends_with("never called"), "{err}");
    assert!(
        err.to_string().starts_with("2 unmet mock expectation(s):"),
        "{err}"
    );
}

#[tokio::test]
async fn unmatched_calls_are_unimplemented_and_say_why() {
    let mock = MockUserService::new();
    let status = mock
        .client()
        .get_user(GetUserRequest { user_id: 1 })
        .await
        .expect_err("no expectations");
    assert_eq!(status.code(), Code::Unimplemented);
    assert_eq!(
        status.message(),
        "mock: no expectation of /user.v1.UserService/GetUser matched the call; it has no expectations"
    );

    mock.get_user()
        .when(|req| req.user_id == 1)
        .times(1)
        .returns(found(user(1, "ada")));
    mock.client()
        .get_user(GetUserRequest { user_id: 1 })
        .await
        .expect("first");
    let status = mock
        .client()
        .get_user(GetUserRequest { user_id: 1 })
        .await
        .expect_err("used up");
    assert_eq!(status.code(), Code::Unimplemented);
    assert!(
        status.message().contains("#1 (examples/tests/mocks.rs:"),
        "{}",
        status.message()
    );
    assert!(
        status.message().ends_with("used up"),
        "{}",
        status.message()
    );
    let status = mock
        .client()
        .get_user(GetUserRequest { user_id: 2 })
        .await
        .expect_err("no match");
    assert!(
        status.message().ends_with("used up"),
        "used up is checked first: {}",
        status.message()
    );
}

// ------------------------------------------------------------------ server streaming

fn notification(id: i32) -> Notification {
    Notification {
        id,
        title: format!("n{id}"),
        ..Notification::default()
    }
}

#[tokio::test]
async fn server_streaming_returns_a_list() {
    let mock = MockNotificationService::new();
    mock.get_notifications()
        .returns(vec![notification(1), notification(2), notification(3)]);
    let stream = mock
        .client()
        .get_notifications(GetNotificationsRequest {
            user_id: 1,
            limit: 3,
        })
        .await
        .expect("stream")
        .into_inner();
    let ids: Vec<i32> = stream.map(|n| n.expect("item").id).collect().await;
    assert_eq!(ids, [1, 2, 3]);
}

#[tokio::test]
async fn server_streaming_items_and_errors() {
    let mock = MockNotificationService::new();
    mock.get_notifications().expect().returns_results(vec![
        Ok(notification(1)),
        Err(Status::resource_exhausted("slow down")),
    ]);
    let mut stream = mock
        .client()
        .get_notifications(GetNotificationsRequest::default())
        .await
        .expect("stream")
        .into_inner();
    assert_eq!(stream.message().await.expect("first").expect("item").id, 1);
    let status = stream.message().await.expect_err("then the error");
    assert_eq!(status.code(), Code::ResourceExhausted);
}

#[tokio::test]
async fn server_streaming_closure_sees_the_request() {
    let mock = MockNotificationService::new();
    mock.get_notifications().responds_with(|req| {
        let limit = req.limit;
        tokio_stream::iter((1..=limit).map(|id| Ok(notification(id))))
    });
    let ids: Vec<i32> = mock
        .client()
        .get_notifications(GetNotificationsRequest {
            user_id: 1,
            limit: 4,
        })
        .await
        .expect("stream")
        .into_inner()
        .map(|n| n.expect("item").id)
        .collect()
        .await;
    assert_eq!(ids, [1, 2, 3, 4]);
}

#[tokio::test]
async fn server_streaming_fails_before_any_item() {
    let mock = MockNotificationService::new();
    mock.get_notifications()
        .fails(Status::permission_denied("not yours"));
    let status = mock
        .client()
        .get_notifications(GetNotificationsRequest::default())
        .await
        .expect_err("the call fails");
    assert_eq!(status.code(), Code::PermissionDenied);
}

// ------------------------------------------------------------------ client streaming

fn chunk(index: i32, data: &[u8], last: bool) -> FileChunk {
    FileChunk {
        data: data.to_vec(),
        filename: if index == 0 {
            "a.txt".to_owned()
        } else {
            String::new()
        },
        chunk_index: index,
        is_last: last,
    }
}

#[tokio::test]
async fn client_streaming_closure_over_every_request() {
    let mock = MockFileService::new();
    mock.upload_file().responds_with(|chunks| {
        Ok(UploadResponse {
            file_id: chunks[0].filename.clone(),
            size: chunks.iter().map(|c| c.data.len() as i64).sum(),
            status: "stored".to_owned(),
            ..UploadResponse::default()
        })
    });
    let chunks = vec![chunk(0, b"hello ", false), chunk(1, b"world", true)];
    let response = mock
        .client()
        .upload_file(tokio_stream::iter(chunks))
        .await
        .expect("answered")
        .into_inner();
    assert_eq!((response.file_id.as_str(), response.size), ("a.txt", 11));
    let calls = mock.upload_file().calls();
    assert_eq!(calls[0].requests.len(), 2);
}

#[tokio::test]
async fn client_streaming_matches_on_the_whole_stream() {
    let mock = MockFileService::new();
    mock.upload_file()
        .when(|chunks| chunks.last().is_some_and(|c| c.is_last))
        .returns(UploadResponse {
            status: "stored".to_owned(),
            ..UploadResponse::default()
        });
    mock.upload_file()
        .expect()
        .optional()
        .fails(Status::invalid_argument("the last chunk must set is_last"));
    let mut client = mock.client();
    let ok = client
        .upload_file(tokio_stream::iter(vec![chunk(0, b"x", true)]))
        .await
        .expect("complete upload");
    assert_eq!(ok.into_inner().status, "stored");
    let status = client
        .upload_file(tokio_stream::iter(vec![chunk(0, b"x", false)]))
        .await
        .expect_err("truncated upload");
    assert_eq!(status.code(), Code::InvalidArgument);
}

// ------------------------------------------------------------------ bidirectional

fn text(user_id: i32, message: &str) -> ChatMessage {
    ChatMessage {
        user_id,
        message: message.to_owned(),
        r#type: MessageType::Text as i32,
        ..ChatMessage::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bidi_replies_per_message_then_a_final_status() {
    let mock = MockChatService::new();
    mock.chat()
        .responds_with(|m: &ChatMessage| {
            // Zero replies to typing indicators, two to everything else.
            if m.r#type == MessageType::Typing as i32 {
                vec![]
            } else {
                vec![
                    text(0, &format!("ack {}", m.message)),
                    text(0, &format!("echo {}", m.message)),
                ]
            }
        })
        .finishes_with(Status::aborted("room closed"));
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let mut replies = mock
        .client()
        .chat(tokio_stream::wrappers::ReceiverStream::new(receiver))
        .await
        .expect("stream")
        .into_inner();
    sender.send(text(1, "hi")).await.expect("send");
    assert_eq!(
        replies.message().await.expect("ok").expect("reply").message,
        "ack hi"
    );
    assert_eq!(
        replies.message().await.expect("ok").expect("reply").message,
        "echo hi"
    );
    sender
        .send(ChatMessage {
            r#type: MessageType::Typing as i32,
            ..text(1, "")
        })
        .await
        .expect("send");
    sender.send(text(1, "bye")).await.expect("send");
    assert_eq!(
        replies.message().await.expect("ok").expect("reply").message,
        "ack bye"
    );
    assert_eq!(
        replies.message().await.expect("ok").expect("reply").message,
        "echo bye"
    );
    drop(sender);
    let status = replies.message().await.expect_err("final status");
    assert_eq!(status.code(), Code::Aborted);
    let calls = mock.chat().calls();
    assert_eq!(
        calls[0].requests.len(),
        3,
        "every incoming message is recorded"
    );
}

#[tokio::test]
async fn bidi_ends_ok_and_matches_on_the_first_message() {
    let mock = MockChatService::new();
    mock.chat()
        .when(|first| first.user_id == 7)
        .responds_with(|m: &ChatMessage| [text(7, &m.message.to_uppercase())]);
    let replies: Vec<String> = mock
        .client()
        .chat(tokio_stream::iter(vec![text(7, "a"), text(7, "b")]))
        .await
        .expect("stream")
        .into_inner()
        .map(|m| m.expect("reply").message)
        .collect()
        .await;
    assert_eq!(replies, ["A", "B"]);
    let status = mock
        .client()
        .chat(tokio_stream::iter(vec![text(8, "a")]))
        .await
        .expect("the response starts at once")
        .into_inner()
        .message()
        .await
        .expect_err("user 8 matches nothing");
    assert_eq!(status.code(), Code::Unimplemented);
}

// ------------------------------------------------------------------ several services, TCP

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_services_in_one_test() {
    let users = MockUserService::new();
    let notifications = MockNotificationService::new();
    users.get_user().returns(found(user(1, "ada")));
    notifications
        .get_notifications()
        .returns(vec![notification(9)]);
    let (mut user_client, mut notification_client) = (users.client(), notifications.client());
    let (a, b) = tokio::join!(
        user_client.get_user(GetUserRequest { user_id: 1 }),
        notification_client.get_notifications(GetNotificationsRequest::default()),
    );
    assert!(a.is_ok());
    let items: Vec<_> = b.expect("stream").into_inner().collect().await;
    assert_eq!(items.len(), 1);
    users.verify().expect("users met");
    notifications.verify().expect("notifications met");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_over_tcp_together() {
    let users = MockUserService::new();
    let notifications = MockNotificationService::new();
    users.get_user().returns(found(user(1, "ada")));
    notifications
        .get_notifications()
        .returns(vec![notification(1), notification(2)]);
    let server = protoforge_runtime::serve_ephemeral(
        tonic::service::Routes::new(users.server()).add_service(notifications.server()),
    )
    .await
    .expect("listening");
    let channel = tonic::transport::Channel::from_shared(server.url())
        .expect("url")
        .connect()
        .await
        .expect("connected");
    let response = UserServiceClient::new(channel.clone())
        .get_user(GetUserRequest { user_id: 1 })
        .await
        .expect("over TCP");
    assert_eq!(response.into_inner().user.expect("user").name, "ada");
    let items: Vec<_> = NotificationServiceClient::new(channel)
        .get_notifications(GetNotificationsRequest::default())
        .await
        .expect("stream")
        .into_inner()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn one_mock_served_alone() {
    let users = MockUserService::new();
    users.get_user().returns(found(user(1, "ada")));
    let server = users.serve_ephemeral().await.expect("listening");
    let mut client = UserServiceClient::connect(server.url())
        .await
        .expect("connected");
    assert!(client.get_user(GetUserRequest { user_id: 1 }).await.is_ok());
}
