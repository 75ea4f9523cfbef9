//! Where notifications and chat messages are stored, and how a new one
//! reaches the streams that wait for it.
//!
//! A [`Feed`] stores (in this process's memory, or in PostgreSQL) and
//! publishes to a [`Hub`]: this process's broadcast channels, one for
//! notifications and one a chat room, which the open streams subscribe to.
//! In memory, a write publishes itself, under the lock that assigns its id.
//! In PostgreSQL, a write only commits; every replica's follower
//! ([`PostgresFeed::follow`]) reads what was committed, by whichever replica,
//! and publishes it, so a stream on one replica sees what another wrote.
//!
//! A stream subscribes before it reads the stored history, then skips live
//! items whose id it already replayed: nothing falls between the two, and
//! nothing comes twice.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
    time::SystemTime,
};

use tokio::sync::broadcast;
use tonic::Status;

use crate::{
    postgres::{Database, Follower, PostgresFeed},
    proto::{chat::v1::ChatMessage, notification::v1::Notification},
    users::{RepositoryError, status},
};

/// How many messages a room replays at most (and keeps, in memory).
pub const ROOM_HISTORY: usize = 50;

/// The live items of this process: what its streams subscribe to.
#[derive(Clone, Debug)]
pub struct Hub {
    notifications: broadcast::Sender<(i32, Notification)>,
    rooms: Arc<Mutex<HashMap<String, broadcast::Sender<ChatMessage>>>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            notifications: broadcast::channel(1024).0,
            rooms: Arc::default(),
        }
    }
}

impl Hub {
    /// Publishes a stored notification of `user_id`.
    pub fn publish_notification(&self, user_id: i32, notification: Notification) {
        // No subscriber is fine: nobody is watching.
        let _ = self.notifications.send((user_id, notification));
    }

    /// Publishes a stored chat message to the members of its room here.
    pub fn publish_chat(&self, message: ChatMessage) {
        let rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(room) = rooms.get(&message.room_id) {
            let _ = room.send(message);
        }
    }

    fn subscribe_room(&self, room_id: &str) -> broadcast::Receiver<ChatMessage> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms
            .entry(room_id.to_owned())
            .or_insert_with(|| broadcast::channel(256).0)
            .subscribe()
    }
}

/// Notifications and chat messages, stored and published.
#[derive(Clone, Debug)]
pub struct Feed {
    hub: Hub,
    storage: Storage,
}

#[derive(Clone, Debug)]
enum Storage {
    Memory(Arc<Mutex<Memory>>),
    Postgres {
        feed: PostgresFeed,
        _follower: Arc<Follower>,
    },
}

#[derive(Debug, Default)]
struct Memory {
    notifications: HashMap<i32, Vec<Notification>>,
    next_notification: i32,
    rooms: HashMap<String, MemoryRoom>,
}

#[derive(Debug, Default)]
struct MemoryRoom {
    history: VecDeque<ChatMessage>,
    last_id: i64,
}

impl Default for Feed {
    fn default() -> Self {
        Feed::memory()
    }
}

fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

impl Feed {
    /// A feed in this process's memory: one process, gone when it stops.
    pub fn memory() -> Feed {
        Feed {
            hub: Hub::default(),
            storage: Storage::Memory(Arc::default()),
        }
    }

    /// A feed in `database`, shared with every replica on it; follows what
    /// they write until the last clone of the feed is dropped.
    pub async fn postgres(database: Database) -> Result<Feed, RepositoryError> {
        let hub = Hub::default();
        let feed = PostgresFeed::new(database);
        let follower = feed.follow(hub.clone()).await?;
        Ok(Feed {
            hub,
            storage: Storage::Postgres {
                feed,
                _follower: Arc::new(follower),
            },
        })
    }

    fn memory_state(memory: &Mutex<Memory>) -> MutexGuard<'_, Memory> {
        memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores a notification for `user_id`; every stream of that user, on
    /// any replica, receives it.
    pub async fn notify(
        &self,
        user_id: i32,
        title: &str,
        message: &str,
    ) -> Result<Notification, Status> {
        match &self.storage {
            Storage::Memory(memory) => {
                let mut memory = Self::memory_state(memory);
                memory.next_notification += 1;
                let notification = Notification {
                    id: memory.next_notification,
                    title: title.to_owned(),
                    message: message.to_owned(),
                    timestamp: now(),
                    read: false,
                };
                memory
                    .notifications
                    .entry(user_id)
                    .or_default()
                    .push(notification.clone());
                self.hub.publish_notification(user_id, notification.clone());
                Ok(notification)
            }
            Storage::Postgres { feed, .. } => {
                feed.notify(user_id, title, message).await.map_err(status)
            }
        }
    }

    /// Subscribes to the notifications of every user, then reads the newest
    /// `limit` stored for `user_id` (oldest first).
    pub async fn notifications(
        &self,
        user_id: i32,
        limit: usize,
    ) -> Result<(Vec<Notification>, broadcast::Receiver<(i32, Notification)>), Status> {
        let live = self.hub.notifications.subscribe();
        let history = match &self.storage {
            Storage::Memory(memory) => {
                let memory = Self::memory_state(memory);
                let stored = memory
                    .notifications
                    .get(&user_id)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                stored[stored.len().saturating_sub(limit)..].to_vec()
            }
            Storage::Postgres { feed, .. } => feed
                .recent_notifications(user_id, i64::try_from(limit).unwrap_or(i64::MAX))
                .await
                .map_err(status)?,
        };
        Ok((history, live))
    }

    /// Stores `message` in `room_id` with the room's next id and the time;
    /// every member, on any replica, receives it.
    pub async fn post(&self, room_id: &str, message: ChatMessage) -> Result<ChatMessage, Status> {
        match &self.storage {
            Storage::Memory(memory) => {
                let mut memory = Self::memory_state(memory);
                let room = memory.rooms.entry(room_id.to_owned()).or_default();
                room.last_id += 1;
                let message = ChatMessage {
                    id: room.last_id,
                    room_id: room_id.to_owned(),
                    timestamp: now(),
                    ..message
                };
                room.history.push_back(message.clone());
                if room.history.len() > ROOM_HISTORY {
                    room.history.pop_front();
                }
                self.hub.publish_chat(message.clone());
                Ok(message)
            }
            Storage::Postgres { feed, .. } => feed.post(room_id, &message).await.map_err(status),
        }
    }

    /// Subscribes to `room_id`, then reads its newest `limit` messages
    /// (oldest first).
    pub async fn join(
        &self,
        room_id: &str,
        limit: usize,
    ) -> Result<(Vec<ChatMessage>, broadcast::Receiver<ChatMessage>), Status> {
        let live = self.hub.subscribe_room(room_id);
        let limit = limit.min(ROOM_HISTORY);
        let history = match &self.storage {
            Storage::Memory(memory) => {
                let memory = Self::memory_state(memory);
                memory
                    .rooms
                    .get(room_id)
                    .map(|room| {
                        let skip = room.history.len().saturating_sub(limit);
                        room.history.iter().skip(skip).cloned().collect()
                    })
                    .unwrap_or_default()
            }
            Storage::Postgres { feed, .. } => feed
                .recent_messages(room_id, limit as i64)
                .await
                .map_err(status)?,
        };
        Ok((history, live))
    }
}
