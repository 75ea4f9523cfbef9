//! ChatService end to end over real TCP: rooms broadcast every member's
//! message to the others, history is replayed on join, members leave when
//! their stream ends; the echo chat and the game relay.

mod common;

use std::time::Duration;

use common::{Backend, on_both_backends};

use protoforge_examples::{
    chat::ChatServiceImpl,
    proto::chat::v1::{
        ChatMessage, GameEvent, JoinRoomRequest, MessageType, RoomJoin,
        chat_service_client::ChatServiceClient, join_room_request::Payload,
    },
};
use tokio::{net::TcpListener, sync::mpsc};
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tonic::{Code, Streaming, transport::Channel};

/// The service in memory.
async fn serve() -> (ChatServiceClient<Channel>, ChatServiceImpl) {
    serve_on(&Backend::sqlite()).await
}

/// The service with its rooms in `backend`.
async fn serve_on(backend: &Backend) -> (ChatServiceClient<Channel>, ChatServiceImpl) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let service = ChatServiceImpl::new().with_feed(backend.feed().await);
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service.clone().into_server())
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    (
        ChatServiceClient::connect(format!("http://{addr}"))
            .await
            .expect("connect"),
        service,
    )
}

/// A member: the sending half and the received stream.
struct Member {
    outgoing: mpsc::Sender<JoinRoomRequest>,
    incoming: Streaming<ChatMessage>,
}

async fn join(client: &mut ChatServiceClient<Channel>, room: &str, user_id: i32) -> Member {
    let (outgoing, receiver) = mpsc::channel(8);
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
    let incoming = client
        .join_room(ReceiverStream::new(receiver))
        .await
        .expect("joined")
        .into_inner();
    Member { outgoing, incoming }
}

impl Member {
    async fn say(&self, text: &str) {
        let message = ChatMessage {
            message: text.into(),
            r#type: MessageType::Text as i32,
            ..ChatMessage::default()
        };
        self.outgoing
            .send(JoinRoomRequest {
                payload: Some(Payload::Message(message)),
            })
            .await
            .expect("say");
    }

    /// The next message that is not a system notice.
    async fn next_text(&mut self) -> ChatMessage {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(5), self.incoming.message())
                .await
                .expect("in time")
                .expect("ok")
                .expect("a message");
            if message.r#type != MessageType::System as i32 {
                return message;
            }
        }
    }
}

on_both_backends!(
    a_room_broadcasts_replays_and_forgets_who_left,
    joining_needs_a_join_first
);

async fn a_room_broadcasts_replays_and_forgets_who_left(backend: &Backend) {
    let (mut client, service) = serve_on(backend).await;
    let mut ada = join(&mut client, "lobby", 1).await;
    let mut bob = join(&mut client, "lobby", 2).await;

    bob.say("hi all").await;
    let heard = ada.next_text().await;
    assert_eq!(
        (
            heard.user_id,
            heard.message.as_str(),
            heard.room_id.as_str()
        ),
        (2, "hi all", "lobby")
    );
    assert!(
        heard.id > 0 && !heard.timestamp.is_empty(),
        "stored and stamped by the server"
    );
    ada.say("hello bob").await;
    let heard = bob.next_text().await;
    assert_eq!(
        (heard.user_id, heard.message.as_str()),
        (1, "hello bob"),
        "members do not get their own messages"
    );

    // A late joiner gets the history.
    let mut cy = join(&mut client, "lobby", 3).await;
    assert_eq!(cy.next_text().await.message, "hi all");
    assert_eq!(cy.next_text().await.message, "hello bob");
    assert_eq!(service.members("lobby"), [1, 2, 3]);

    // Bob's stream ends: he leaves.
    drop(bob);
    for _ in 0..100 {
        if service.members("lobby") == [1, 3] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(service.members("lobby"), [1, 3]);
    drop(cy);
    drop(ada);
}

async fn joining_needs_a_join_first(backend: &Backend) {
    let (mut client, _) = serve_on(backend).await;
    let message = JoinRoomRequest {
        payload: Some(Payload::Message(ChatMessage::default())),
    };
    let status = client
        .join_room(tokio_stream::iter(vec![message]))
        .await
        .expect_err("no join");
    assert_eq!(status.code(), Code::InvalidArgument);
}

#[tokio::test]
async fn the_article_echo() {
    let (mut client, _) = serve().await;
    let messages = vec![
        ChatMessage {
            user_id: 1,
            message: "Hello!".into(),
            ..ChatMessage::default()
        },
        ChatMessage {
            user_id: 1,
            message: "How are you?".into(),
            ..ChatMessage::default()
        },
    ];
    let mut replies = client
        .chat(tokio_stream::iter(messages))
        .await
        .expect("chat")
        .into_inner();
    assert_eq!(
        replies.message().await.expect("ok").expect("echo").message,
        "Echo: Hello!"
    );
    assert_eq!(
        replies.message().await.expect("ok").expect("echo").message,
        "Echo: How are you?"
    );
    assert!(
        replies.message().await.expect("ok").is_none(),
        "ends when the client does"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn game_events_are_relayed_and_numbered() {
    let (mut client, _) = serve().await;
    let (one_out, one_in) = mpsc::channel(8);
    let (two_out, two_in) = mpsc::channel(8);
    let event = |player: i32| GameEvent {
        game_id: "g1".into(),
        player_id: player,
        ..GameEvent::default()
    };
    one_out.send(event(1)).await.expect("send");
    let mut one = client
        .game_stream(ReceiverStream::new(one_in))
        .await
        .expect("stream")
        .into_inner();
    let first = one.message().await.expect("ok").expect("own event back");
    assert_eq!((first.player_id, first.sequence), (1, 1));
    two_out.send(event(2)).await.expect("send");
    let mut two = client
        .game_stream(ReceiverStream::new(two_in))
        .await
        .expect("stream")
        .into_inner();
    let seen_by_one = tokio::time::timeout(Duration::from_secs(5), one.message())
        .await
        .expect("in time")
        .expect("ok")
        .expect("event");
    assert_eq!((seen_by_one.player_id, seen_by_one.sequence), (2, 2));
    let own = two.message().await.expect("ok").expect("own event back");
    assert_eq!(own.sequence, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_edits_are_relayed_with_revisions() {
    use protoforge_examples::proto::chat::v1::{
        DocumentChange, Insert, document_change::Operation,
    };
    let (mut client, _) = serve().await;
    let edit = |user: i32, text: &str| DocumentChange {
        document_id: "doc".into(),
        user_id: user,
        operation: Some(Operation::Insert(Insert {
            position: 0,
            text: text.into(),
        })),
        ..DocumentChange::default()
    };
    let (ada_out, ada_in) = mpsc::channel(4);
    ada_out.send(edit(1, "Hello")).await.expect("send");
    let mut ada = client
        .collaboration(ReceiverStream::new(ada_in))
        .await
        .expect("stream")
        .into_inner();
    assert_eq!(ada.message().await.expect("ok").expect("ack").revision, 1);
    let (bob_out, bob_in) = mpsc::channel(4);
    bob_out.send(edit(2, "World")).await.expect("send");
    let mut bob = client
        .collaboration(ReceiverStream::new(bob_in))
        .await
        .expect("stream")
        .into_inner();
    let seen = tokio::time::timeout(Duration::from_secs(5), ada.message())
        .await
        .expect("in time")
        .expect("ok")
        .expect("edit");
    assert_eq!((seen.user_id, seen.revision), (2, 2));
    assert_eq!(bob.message().await.expect("ok").expect("ack").revision, 2);
}
