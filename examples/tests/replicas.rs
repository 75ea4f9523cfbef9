//! Two server processes (the `server` binary) on one PostgreSQL database, as
//! replicas behind a load balancer: a notification sent on one reaches a
//! stream open on the other; chat members on different replicas see each
//! other's messages in order; 1,000 concurrent `CreateUser` calls with
//! overlapping emails, split across both, store one row per email and answer
//! `ALREADY_EXISTS` for the rest; a replica that restarts loses no stored
//! notification.
//!
//! PostgreSQL only: skipped (loudly) without `PROTOFORGE_EXAMPLE_TEST_POSTGRES`.

mod common;

use std::{
    collections::{BTreeMap, HashMap},
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

use protoforge_examples::{
    auth::Auth,
    proto::{
        chat::v1::{
            ChatMessage, JoinRoomRequest, MessageType, RoomJoin,
            chat_service_client::ChatServiceClient, join_room_request::Payload,
        },
        notification::v1::{
            GetNotificationsRequest, SendNotificationRequest,
            notification_service_client::NotificationServiceClient,
        },
        user::v1::{CreateUserRequest, user_service_client::UserServiceClient},
    },
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Request, Streaming, service::Interceptor, transport::Channel};

const SECRET: &str = "replica-secret";
const PATIENCE: Duration = Duration::from_secs(10);

/// A `server` process; killed when dropped.
struct Replica {
    child: Child,
    channel: Channel,
    _storage: tempfile::TempDir,
}

impl Replica {
    async fn start(db: &str) -> Replica {
        let storage = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--addr", "127.0.0.1:0", "--db", db, "--jwt-secret", SECRET])
            .args(["--metrics-interval-secs", "0", "--storage"])
            .arg(storage.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server binary");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the address");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the server said {line:?}"))
            .to_owned();
        let channel = Channel::from_shared(format!("http://{addr}"))
            .expect("url")
            .connect()
            .await
            .expect("connect");
        Replica {
            child,
            channel,
            _storage: storage,
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds a valid token to every call.
#[derive(Clone)]
struct Token(tonic::metadata::MetadataValue<tonic::metadata::Ascii>);

impl Token {
    fn new() -> Token {
        Token(
            Auth::new(SECRET.as_bytes())
                .issue(1, Duration::from_secs(600))
                .parse()
                .expect("ascii"),
        )
    }
}

impl Interceptor for Token {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, tonic::Status> {
        request
            .metadata_mut()
            .insert("authorization", self.0.clone());
        Ok(request)
    }
}

type Intercepted = tonic::service::interceptor::InterceptedService<Channel, Token>;

fn notifications(replica: &Replica) -> NotificationServiceClient<Intercepted> {
    NotificationServiceClient::with_interceptor(replica.channel.clone(), Token::new())
}

/// Two replicas on a fresh database; `None` when PostgreSQL is not
/// configured (said by [`common::fresh_database`]).
async fn two_replicas(test: &str) -> Option<(String, Replica, Replica)> {
    let db = common::fresh_database(test).await?;
    // One first, so the migrations are applied once and visibly so; the
    // advisory lock would serialise two at once anyway.
    let a = Replica::start(&db).await;
    let b = Replica::start(&db).await;
    Some((db, a, b))
}

async fn next<T>(stream: &mut Streaming<T>) -> Option<T> {
    tokio::time::timeout(PATIENCE, stream.message())
        .await
        .expect("in time")
        .expect("ok")
}

fn send(user_id: i32, title: &str) -> SendNotificationRequest {
    SendNotificationRequest {
        user_id,
        title: title.to_owned(),
        message: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_sent_on_one_replica_reaches_a_stream_on_the_other() {
    let Some((_db, a, b)) = two_replicas("notifications_across").await else {
        return;
    };
    let mut stream = notifications(&a)
        .get_notifications(GetNotificationsRequest {
            user_id: 7,
            limit: 5,
        })
        .await
        .expect("stream on A")
        .into_inner();
    // The stream is open once the server answered; give it the first wake-up.
    let mut on_b = notifications(&b);
    let mut sent = Vec::new();
    for title in ["first", "second", "third"] {
        let notification = on_b
            .send_notification(send(7, title))
            .await
            .expect("sent on B")
            .into_inner()
            .notification
            .expect("stored");
        on_b.send_notification(send(8, "someone else's"))
            .await
            .expect("sent on B");
        sent.push((notification.id, notification.title));
    }
    let mut received = Vec::new();
    while received.len() < sent.len() {
        let notification = next(&mut stream).await.expect("a notification");
        received.push((notification.id, notification.title));
    }
    assert_eq!(received, sent, "every one, once, in order, on A");
}

/// A room member: what it sends and what it receives.
struct Member {
    outgoing: mpsc::Sender<JoinRoomRequest>,
    incoming: Streaming<ChatMessage>,
}

async fn join(replica: &Replica, room: &str, user_id: i32) -> Member {
    let (outgoing, receiver) = mpsc::channel(64);
    outgoing
        .send(JoinRoomRequest {
            payload: Some(Payload::Join(RoomJoin {
                room_id: room.into(),
                user_id,
                history_limit: 0,
            })),
        })
        .await
        .expect("join");
    let incoming = ChatServiceClient::with_interceptor(replica.channel.clone(), Token::new())
        .join_room(ReceiverStream::new(receiver))
        .await
        .expect("joined")
        .into_inner();
    Member { outgoing, incoming }
}

impl Member {
    async fn say(&self, text: String) {
        self.outgoing
            .send(JoinRoomRequest {
                payload: Some(Payload::Message(ChatMessage {
                    message: text,
                    ..ChatMessage::default()
                })),
            })
            .await
            .expect("said");
    }

    /// Skips messages up to one saying `text`.
    async fn wait_for(&mut self, text: &str) {
        loop {
            let message: ChatMessage = next(&mut self.incoming).await.expect("a message");
            if message.message == text {
                return;
            }
        }
    }

    /// The next `count` messages of members (system notices skipped).
    async fn hear(&mut self, count: usize) -> Vec<ChatMessage> {
        let mut heard = Vec::new();
        while heard.len() < count {
            let message: ChatMessage = next(&mut self.incoming).await.expect("a message");
            if message.r#type != MessageType::System as i32 {
                heard.push(message);
            }
        }
        heard
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_members_on_two_replicas_see_each_other_in_order() {
    let Some((_db, a, b)) = two_replicas("chat_across").await else {
        return;
    };
    let mut ada = join(&a, "lobby", 1).await;
    let mut bob = join(&b, "lobby", 2).await;
    // Each sees the other join (a system notice), so both are subscribed.
    ada.wait_for("user 2 joined").await;
    const EACH: usize = 25;
    // Both talk at once.
    let talk = |member: &Member, name: &'static str| {
        let outgoing = member.outgoing.clone();
        async move {
            for n in 0..EACH {
                outgoing
                    .send(JoinRoomRequest {
                        payload: Some(Payload::Message(ChatMessage {
                            message: format!("{name} {n}"),
                            ..ChatMessage::default()
                        })),
                    })
                    .await
                    .expect("said");
            }
        }
    };
    tokio::join!(talk(&ada, "ada"), talk(&bob, "bob"));
    let heard_by_ada = ada.hear(EACH).await;
    let heard_by_bob = bob.hear(EACH).await;
    let texts = |heard: &[ChatMessage]| heard.iter().map(|m| m.message.clone()).collect::<Vec<_>>();
    assert_eq!(
        texts(&heard_by_ada),
        (0..EACH).map(|n| format!("bob {n}")).collect::<Vec<_>>(),
        "Ada, on A, hears all of Bob's messages from B, in order"
    );
    assert_eq!(
        texts(&heard_by_bob),
        (0..EACH).map(|n| format!("ada {n}")).collect::<Vec<_>>(),
        "Bob, on B, hears all of Ada's messages from A, in order"
    );
    for heard in [&heard_by_ada, &heard_by_bob] {
        assert!(
            heard.windows(2).all(|w| w[0].id < w[1].id),
            "ids increase: {:?}",
            heard.iter().map(|m| m.id).collect::<Vec<_>>()
        );
    }

    // A third member joining on B gets the history from the database: the
    // newest 50 messages, interleaved as they were stored, ids increasing.
    ada.say("last word".to_owned()).await;
    bob.hear(1).await;
    let mut carol = join(&b, "lobby", 3).await;
    let mut history = Vec::new();
    while history.len() < 50 {
        history.push(next(&mut carol.incoming).await.expect("history"));
    }
    assert!(history.windows(2).all(|w| w[1].id == w[0].id + 1), "no gap");
    assert_eq!(
        history.last().map(|m| m.message.as_str()),
        Some("last word")
    );
    let ada_said: Vec<&str> = history
        .iter()
        .filter(|m| m.user_id == 1)
        .map(|m| m.message.as_str())
        .collect();
    let mut expected: Vec<String> = (0..EACH).map(|n| format!("ada {n}")).collect();
    expected.push("last word".to_owned());
    assert!(
        expected.ends_with(&ada_said.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        "Ada's part of the history is in her order: {ada_said:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_creates_with_overlapping_emails_give_one_row_per_email() {
    let Some((db, a, b)) = two_replicas("thousand_creates").await else {
        return;
    };
    const CALLS: usize = 1000;
    const EMAILS: usize = 250;
    let mut calls = Vec::with_capacity(CALLS);
    for call in 0..CALLS {
        let replica = if call % 2 == 0 { &a } else { &b };
        let mut users = UserServiceClient::with_interceptor(replica.channel.clone(), Token::new());
        // Each email four times, two on each replica.
        let email = format!("person{}@example.com", call % EMAILS);
        calls.push(tokio::spawn(async move {
            users
                .create_user(CreateUserRequest {
                    name: format!("call {call}"),
                    email: email.clone(),
                    age: 30,
                })
                .await
                .map(|response| (email.clone(), response.into_inner().user.expect("user").id))
                .map_err(|status| (email, status))
        }));
    }
    let mut created: BTreeMap<String, i32> = BTreeMap::new();
    let mut refused: HashMap<String, usize> = HashMap::new();
    for call in calls {
        match call.await.expect("joined") {
            Ok((email, id)) => {
                assert!(created.insert(email.clone(), id).is_none(), "{email} twice");
            }
            Err((email, status)) => {
                assert_eq!(status.code(), Code::AlreadyExists, "{email}: {status:?}");
                *refused.entry(email).or_default() += 1;
            }
        }
    }
    assert_eq!(created.len(), EMAILS, "one success per email");
    assert_eq!(refused.values().sum::<usize>(), CALLS - EMAILS);
    assert!(
        refused.values().all(|&n| n == 3),
        "three refusals per email"
    );

    let (client, connection) = tokio_postgres::connect(&db, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let rows = client
        .query("SELECT email, id FROM users ORDER BY email", &[])
        .await
        .expect("users");
    let stored: BTreeMap<String, i32> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(rows.len(), EMAILS, "exactly one row per email");
    assert_eq!(
        stored, created,
        "the rows are the users the successes returned"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_restarts_loses_no_stored_notification() {
    let Some((db, a, b)) = two_replicas("replica_restart").await else {
        return;
    };
    let mut stream = notifications(&a)
        .get_notifications(GetNotificationsRequest {
            user_id: 9,
            limit: 50,
        })
        .await
        .expect("stream on A")
        .into_inner();
    let mut on_b = notifications(&b);
    on_b.send_notification(send(9, "before"))
        .await
        .expect("sent");
    let before = next(&mut stream).await.expect("live on A");
    assert_eq!(before.title, "before");

    // A goes away mid-stream: the stream ends with an error.
    drop(a);
    let ended = tokio::time::timeout(PATIENCE, stream.message())
        .await
        .expect("in time");
    assert!(!matches!(ended, Ok(Some(_))), "{ended:?}");
    for title in ["while down 1", "while down 2"] {
        on_b.send_notification(send(9, title)).await.expect("sent");
    }

    // The client reconnects (to A restarted) and replays what it missed.
    let a = Replica::start(&db).await;
    let mut stream = notifications(&a)
        .get_notifications(GetNotificationsRequest {
            user_id: 9,
            limit: 50,
        })
        .await
        .expect("stream on the new A")
        .into_inner();
    let mut replayed = Vec::new();
    for _ in 0..3 {
        replayed.push(next(&mut stream).await.expect("replayed").title);
    }
    assert_eq!(replayed, ["before", "while down 1", "while down 2"]);
    on_b.send_notification(send(9, "after"))
        .await
        .expect("sent");
    assert_eq!(next(&mut stream).await.expect("live").title, "after");
}
