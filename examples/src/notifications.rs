//! `notification.v1.NotificationService`: a user's notifications streamed
//! (stored ones first, then new ones as `SendNotification` creates them),
//! user activity as it happens, and market data ticks.
//!
//! Every stream is fed by a task that stops as soon as the client goes away.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, SystemTime},
};

use tokio::sync::{broadcast, mpsc};

use crate::{feed::Feed, shutdown::Shutdown};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::proto::notification::v1::{
    Activity, ActivityType, GetNotificationsRequest, MarketData, MarketDataRequest, Notification,
    SendNotificationRequest, SendNotificationResponse, UserActivityRequest,
    notification_service_server::{NotificationService, NotificationServiceServer},
};

/// The stream type of every streaming rpc here.
pub type Stream<T> = ReceiverStream<Result<T, Status>>;

/// How many stored notifications `GetNotifications` replays by default.
const DEFAULT_LIMIT: usize = 10;

/// What users do, published by the services as it happens and streamed by
/// `StreamUserActivity`.
#[derive(Clone, Debug)]
pub struct ActivityBus {
    sender: broadcast::Sender<Activity>,
    next_id: Arc<AtomicI64>,
}

impl Default for ActivityBus {
    fn default() -> Self {
        ActivityBus {
            sender: broadcast::channel(1024).0,
            next_id: Arc::new(AtomicI64::new(1)),
        }
    }
}

impl ActivityBus {
    /// Publishes that `user_id` did something.
    pub fn publish(
        &self,
        user_id: i32,
        kind: ActivityType,
        description: impl Into<String>,
        attributes: HashMap<String, String>,
    ) {
        let activity = Activity {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            user_id,
            r#type: kind as i32,
            description: description.into(),
            timestamp: now(),
            attributes,
        };
        // No subscriber is fine: nobody is watching.
        let _ = self.sender.send(activity);
    }
}

fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// The implementation of `notification.v1.NotificationService`.
#[derive(Debug, Clone)]
pub struct NotificationServiceImpl {
    feed: Feed,
    /// Streams open on this replica, per user (for `delivered_to`).
    open_streams: Arc<Mutex<HashMap<i32, usize>>>,
    activity: ActivityBus,
    shutdown: Shutdown,
}

impl NotificationServiceImpl {
    /// A service with no notifications, in memory, publishing to and
    /// streaming from `activity`.
    pub fn new(activity: ActivityBus) -> Self {
        NotificationServiceImpl {
            feed: Feed::memory(),
            open_streams: Arc::default(),
            activity,
            shutdown: Shutdown::never(),
        }
    }

    /// Stores and delivers notifications through `feed` (PostgreSQL, for
    /// replicas that agree).
    pub fn with_feed(mut self, feed: Feed) -> Self {
        self.feed = feed;
        self
    }

    /// Ends the open streams when `shutdown` fires.
    pub fn with_shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// The tonic server of this service.
    pub fn into_server(self) -> NotificationServiceServer<Self> {
        NotificationServiceServer::new(self)
    }

    fn open_streams(&self) -> MutexGuard<'_, HashMap<i32, usize>> {
        self.open_streams
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs `feed` to fill a response stream until it is done, the client goes
/// away, or the server shuts down (the stream then ends with UNAVAILABLE).
fn spawn_feed<T, F>(
    mut shutdown: Shutdown,
    feed: impl FnOnce(mpsc::Sender<Result<T, Status>>) -> F,
) -> Stream<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = mpsc::channel(16);
    let feeding = feed(sender.clone());
    tokio::spawn(async move {
        tokio::select! {
            () = sender.closed() => {}
            () = shutdown.wait() => {
                let _ = sender.send(Err(Shutdown::status())).await;
            }
            () = feeding => {}
        }
    });
    ReceiverStream::new(receiver)
}

/// Counts a user's open streams while alive.
struct OpenStream {
    open_streams: Arc<Mutex<HashMap<i32, usize>>>,
    user_id: i32,
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        let mut open_streams = self
            .open_streams
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open_streams.get_mut(&self.user_id) {
            *count = count.saturating_sub(1);
        }
    }
}

#[tonic::async_trait]
impl NotificationService for NotificationServiceImpl {
    type GetNotificationsStream = Stream<Notification>;

    async fn get_notifications(
        &self,
        request: Request<GetNotificationsRequest>,
    ) -> Result<Response<Self::GetNotificationsStream>, Status> {
        let request = request.into_inner();
        if request.user_id <= 0 {
            return Err(Status::invalid_argument("user_id must be positive"));
        }
        let limit = usize::try_from(request.limit)
            .map_err(|_| Status::invalid_argument("limit must not be negative"))?;
        let limit = if limit == 0 { DEFAULT_LIMIT } else { limit };
        // Subscribed before the history is read: nothing falls in between.
        let (history, mut live) = self.feed.notifications(request.user_id, limit).await?;
        *self.open_streams().entry(request.user_id).or_default() += 1;
        let guard = OpenStream {
            open_streams: self.open_streams.clone(),
            user_id: request.user_id,
        };
        let feed = async move |sender: mpsc::Sender<Result<Notification, Status>>| {
            let _guard = guard;
            let newest_replayed = history.last().map_or(0, |n| n.id);
            for notification in history {
                if sender.send(Ok(notification)).await.is_err() {
                    return;
                }
            }
            loop {
                // A notification stored between the subscription and the
                // read of the history is in both: ids increase, so skip it.
                match live.recv().await {
                    Ok((user, notification))
                        if user == request.user_id && notification.id > newest_replayed =>
                    {
                        if sender.send(Ok(notification)).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        let status = Status::resource_exhausted(format!(
                            "missed {missed} notifications: read faster"
                        ));
                        let _ = sender.send(Err(status)).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        };
        Ok(Response::new(spawn_feed(self.shutdown.clone(), feed)))
    }

    async fn send_notification(
        &self,
        request: Request<SendNotificationRequest>,
    ) -> Result<Response<SendNotificationResponse>, Status> {
        let request = request.into_inner();
        if request.user_id <= 0 {
            return Err(Status::invalid_argument("user_id must be positive"));
        }
        if request.title.trim().is_empty() {
            return Err(Status::invalid_argument("title is required"));
        }
        let notification = self
            .feed
            .notify(request.user_id, &request.title, &request.message)
            .await?;
        let delivered_to = self
            .open_streams()
            .get(&request.user_id)
            .copied()
            .unwrap_or(0);
        self.activity.publish(
            request.user_id,
            ActivityType::MessageSent,
            format!("was notified: {}", notification.title),
            HashMap::from([("notification_id".to_owned(), notification.id.to_string())]),
        );
        Ok(Response::new(SendNotificationResponse {
            notification: Some(notification),
            delivered_to: i32::try_from(delivered_to).unwrap_or(i32::MAX),
        }))
    }

    type StreamUserActivityStream = Stream<Activity>;

    async fn stream_user_activity(
        &self,
        request: Request<UserActivityRequest>,
    ) -> Result<Response<Self::StreamUserActivityStream>, Status> {
        let request = request.into_inner();
        if request.user_id <= 0 {
            return Err(Status::invalid_argument("user_id must be positive"));
        }
        let mut events = self.activity.sender.subscribe();
        let feed = async move |sender: mpsc::Sender<Result<Activity, Status>>| loop {
            match events.recv().await {
                Ok(activity) => {
                    let wanted = activity.user_id == request.user_id
                        && (request.types.is_empty() || request.types.contains(&activity.r#type));
                    if wanted && sender.send(Ok(activity)).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        };
        Ok(Response::new(spawn_feed(self.shutdown.clone(), feed)))
    }

    type StreamMarketDataStream = Stream<MarketData>;

    async fn stream_market_data(
        &self,
        request: Request<MarketDataRequest>,
    ) -> Result<Response<Self::StreamMarketDataStream>, Status> {
        let request = request.into_inner();
        if request.symbols.is_empty() {
            return Err(Status::invalid_argument("at least one symbol is required"));
        }
        let interval = match request.interval_ms {
            0 => Duration::from_secs(1),
            ms if ms < 10 => {
                return Err(Status::invalid_argument("interval_ms must be at least 10"));
            }
            ms => Duration::from_millis(ms as u64),
        };
        let mut tickers: Vec<Ticker> = request.symbols.iter().map(|s| Ticker::new(s)).collect();
        let feed = async move |sender: mpsc::Sender<Result<MarketData, Status>>| {
            let mut clock = tokio::time::interval(interval);
            loop {
                clock.tick().await;
                for ticker in &mut tickers {
                    if sender.send(Ok(ticker.tick())).await.is_err() {
                        return;
                    }
                }
            }
        };
        Ok(Response::new(spawn_feed(self.shutdown.clone(), feed)))
    }
}

/// A symbol's price: a random walk (a few basis points a tick) from a price
/// derived from the symbol, with a spread around it.
#[derive(Debug)]
struct Ticker {
    symbol: String,
    first: f64,
    price: f64,
    state: u64,
}

impl Ticker {
    fn new(symbol: &str) -> Ticker {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        symbol.hash(&mut hasher);
        let seed = hasher.finish() | 1;
        let first = 20.0 + (seed % 48_000) as f64 / 100.0;
        Ticker {
            symbol: symbol.to_owned(),
            first,
            price: first,
            state: seed,
        }
    }

    fn next_random(&mut self) -> f64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        (self.state % 10_000) as f64 / 10_000.0
    }

    fn tick(&mut self) -> MarketData {
        let step = (self.next_random() - 0.5) * 0.004;
        self.price = (self.price * (1.0 + step)).max(0.01);
        let spread = (self.price * 0.0005).max(0.01);
        let round = |v: f64| (v * 100.0).round() / 100.0;
        MarketData {
            symbol: self.symbol.clone(),
            price: round(self.price),
            bid: round(self.price - spread),
            ask: round(self.price + spread),
            volume: 100 + (self.next_random() * 10_000.0) as i64,
            change_percent: ((self.price / self.first - 1.0) * 10_000.0).round() / 100.0,
            timestamp: now(),
        }
    }
}
