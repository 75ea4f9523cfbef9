//! `chat.v1.ChatService`: rooms where every message a member sends reaches
//! every other member (a broadcast channel per room), recent history
//! replayed on join, members leaving when their stream ends; plus the
//! article's echo chat and relays for games and shared documents.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicI64, Ordering},
    },
    time::SystemTime,
};

use tokio::sync::{broadcast, mpsc};

use crate::{
    feed::{Feed, ROOM_HISTORY},
    shutdown::Shutdown,
};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::chat::v1::{
    ChatMessage, DocumentChange, GameEvent, JoinRoomRequest, MessageType,
    chat_service_server::{ChatService, ChatServiceServer},
    join_room_request::Payload,
};

/// The stream type of every rpc here.
pub type Stream<T> = ReceiverStream<Result<T, Status>>;

/// Who is in which room on this replica: members per room, streams per
/// member.
type Members = HashMap<String, HashMap<i32, usize>>;

/// The implementation of `chat.v1.ChatService`.
#[derive(Debug, Clone)]
pub struct ChatServiceImpl {
    feed: Feed,
    members: Arc<Mutex<Members>>,
    games: Relays<GameEvent>,
    documents: Relays<DocumentChange>,
    shutdown: Shutdown,
}

impl Default for ChatServiceImpl {
    fn default() -> Self {
        ChatServiceImpl {
            feed: Feed::memory(),
            members: Arc::default(),
            games: Relays::default(),
            documents: Relays::default(),
            shutdown: Shutdown::never(),
        }
    }
}

impl ChatServiceImpl {
    /// A service with no rooms, in memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores and delivers room messages through `feed` (PostgreSQL, for
    /// members on different replicas, and history that outlives them).
    pub fn with_feed(mut self, feed: Feed) -> Self {
        self.feed = feed;
        self
    }

    /// Ends the open room streams when `shutdown` fires.
    pub fn with_shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// The tonic server of this service.
    pub fn into_server(self) -> ChatServiceServer<Self> {
        ChatServiceServer::new(self)
    }

    fn members_by_room(&self) -> MutexGuard<'_, Members> {
        self.members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn enter(&self, room_id: &str, user_id: i32) {
        *self
            .members_by_room()
            .entry(room_id.to_owned())
            .or_default()
            .entry(user_id)
            .or_default() += 1;
    }

    fn leave(&self, room_id: &str, user_id: i32) {
        let mut members = self.members_by_room();
        if let Some(room) = members.get_mut(room_id)
            && let Some(count) = room.get_mut(&user_id)
        {
            *count -= 1;
            if *count == 0 {
                room.remove(&user_id);
            }
        }
    }

    /// The members of a room connected to this replica now.
    pub fn members(&self, room_id: &str) -> Vec<i32> {
        let mut members: Vec<i32> = self
            .members_by_room()
            .get(room_id)
            .map(|room| room.keys().copied().collect())
            .unwrap_or_default();
        members.sort_unstable();
        members
    }
}

fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

fn system(room_id: &str, text: String) -> ChatMessage {
    ChatMessage {
        message: text,
        r#type: MessageType::System as i32,
        room_id: room_id.to_owned(),
        ..ChatMessage::default()
    }
}

#[tonic::async_trait]
impl ChatService for ChatServiceImpl {
    type ChatStream = Stream<ChatMessage>;

    /// The article's echo: every message comes back stamped.
    async fn chat(
        &self,
        request: Request<Streaming<ChatMessage>>,
    ) -> Result<Response<Self::ChatStream>, Status> {
        let mut incoming = request.into_inner();
        let (sender, receiver) = mpsc::channel(16);
        tokio::spawn(async move {
            while let Ok(Some(message)) = incoming.message().await {
                let echo = ChatMessage {
                    message: format!("Echo: {}", message.message),
                    timestamp: now(),
                    ..message
                };
                if sender.send(Ok(echo)).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(receiver)))
    }

    type JoinRoomStream = Stream<ChatMessage>;

    async fn join_room(
        &self,
        request: Request<Streaming<JoinRoomRequest>>,
    ) -> Result<Response<Self::JoinRoomStream>, Status> {
        let mut incoming = request.into_inner();
        let join = match incoming.message().await? {
            Some(JoinRoomRequest {
                payload: Some(Payload::Join(join)),
            }) if !join.room_id.is_empty() && join.user_id > 0 => join,
            _ => {
                return Err(Status::invalid_argument(
                    "the first request must join a room: a room_id and a positive user_id",
                ));
            }
        };
        let limit = match usize::try_from(join.history_limit) {
            Ok(0) | Err(_) => ROOM_HISTORY,
            Ok(limit) => limit,
        };
        // Subscribed before the history is read: nothing falls in between.
        let (history, mut live) = self.feed.join(&join.room_id, limit).await?;
        self.enter(&join.room_id, join.user_id);
        self.feed
            .post(
                &join.room_id,
                system(&join.room_id, format!("user {} joined", join.user_id)),
            )
            .await?;
        let (sender, receiver) = mpsc::channel(64);
        let service = self.clone();
        let mut shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            let (room, me) = (join.room_id.clone(), join.user_id);
            let newest_replayed = history.last().map_or(0, |m| m.id);
            for message in history {
                if sender.send(Ok(message)).await.is_err() {
                    break;
                }
            }
            loop {
                tokio::select! {
                    () = sender.closed() => break,
                    () = shutdown.wait() => {
                        let _ = sender.send(Err(Shutdown::status())).await;
                        break;
                    }
                    next = incoming.message() => match next {
                        Ok(Some(JoinRoomRequest { payload: Some(Payload::Message(message)) })) => {
                            if let Err(status) = service.feed.post(&room, ChatMessage { user_id: me, ..message }).await {
                                let _ = sender.send(Err(status)).await;
                                break;
                            }
                        }
                        Ok(Some(_)) => {
                            let _ = sender.send(Err(Status::invalid_argument("only the first request joins"))).await;
                            break;
                        }
                        // The member closed their side, or went away.
                        Ok(None) | Err(_) => break,
                    },
                    next = live.recv() => match next {
                        // Replayed already (stored between the subscription
                        // and the read of the history).
                        Ok(message) if message.id <= newest_replayed => {}
                        // Members do not get their own messages back.
                        Ok(message) if message.user_id == me && message.r#type != MessageType::System as i32 => {}
                        Ok(message) => {
                            if sender.send(Ok(message)).await.is_err() {
                                break;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                }
            }
            service.leave(&room, me);
            if let Err(status) = service
                .feed
                .post(&room, system(&room, format!("user {me} left")))
                .await
            {
                tracing::warn!(
                    room,
                    "could not post that user {me} left: {}",
                    status.message()
                );
            }
        });
        Ok(Response::new(ReceiverStream::new(receiver)))
    }

    type GameStreamStream = Stream<GameEvent>;

    async fn game_stream(
        &self,
        request: Request<Streaming<GameEvent>>,
    ) -> Result<Response<Self::GameStreamStream>, Status> {
        Ok(Response::new(self.games.relay(
            request.into_inner(),
            |event: &GameEvent| event.game_id.clone(),
            |event, sequence| GameEvent { sequence, ..event },
        )))
    }

    type CollaborationStream = Stream<DocumentChange>;

    async fn collaboration(
        &self,
        request: Request<Streaming<DocumentChange>>,
    ) -> Result<Response<Self::CollaborationStream>, Status> {
        Ok(Response::new(self.documents.relay(
            request.into_inner(),
            |change: &DocumentChange| change.document_id.clone(),
            |change, revision| DocumentChange { revision, ..change },
        )))
    }
}

/// Relays messages between the streams of one key (a game, a document),
/// numbering them in arrival order; the sender gets its own message back,
/// numbered, as an acknowledgement.
#[derive(Debug)]
struct Relays<T> {
    channels: Arc<Mutex<HashMap<String, Relay<T>>>>,
}

/// One key's relay: its channel and its next number.
type Relay<T> = (broadcast::Sender<T>, Arc<AtomicI64>);

impl<T> Clone for Relays<T> {
    fn clone(&self) -> Self {
        Relays {
            channels: self.channels.clone(),
        }
    }
}

impl<T> Default for Relays<T> {
    fn default() -> Self {
        Relays {
            channels: Arc::default(),
        }
    }
}

impl<T: Clone + Send + Sync + 'static> Relays<T> {
    fn relay(
        &self,
        mut incoming: Streaming<T>,
        key: impl Fn(&T) -> String + Send + 'static,
        number: impl Fn(T, i64) -> T + Send + 'static,
    ) -> Stream<T>
    where
        T: prost::Message + Default,
    {
        let channels = self.channels.clone();
        let (sender, receiver) = mpsc::channel(64);
        tokio::spawn(async move {
            let mut joined: Option<broadcast::Receiver<T>> = None;
            loop {
                let live = async {
                    match joined.as_mut() {
                        Some(live) => live.recv().await.ok(),
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    () = sender.closed() => return,
                    next = incoming.message() => match next {
                        Ok(Some(message)) => {
                            let (channel, counter) = {
                                let mut channels = channels.lock().unwrap_or_else(|p| p.into_inner());
                                channels
                                    .entry(key(&message))
                                    .or_insert_with(|| (broadcast::channel(256).0, Arc::new(AtomicI64::new(1))))
                                    .clone()
                            };
                            if joined.is_none() {
                                joined = Some(channel.subscribe());
                            }
                            let numbered = number(message, counter.fetch_add(1, Ordering::Relaxed));
                            let _ = channel.send(numbered);
                        }
                        Ok(None) | Err(_) => return,
                    },
                    Some(message) = live => {
                        if sender.send(Ok(message)).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        ReceiverStream::new(receiver)
    }
}
