//! The whole server: every service of the article behind JWT
//! authentication, with health checks and server reflection open, message
//! size, concurrency and time limits, and a graceful shutdown.
//!
//! The order service calls the users, inventory, payment and notification
//! services as gRPC clients: over the network (`upstream`), or in this
//! process through the same stack the network path has (the token check,
//! the message size limits and the metrics), presenting a token the server
//! issues itself.

use std::{future::Future, path::PathBuf, sync::Arc, time::Duration};

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::{Routes, interceptor::InterceptedService};
use tower::Layer;

use crate::{
    auth::Auth,
    chat::ChatServiceImpl,
    feed::Feed,
    files::FileServiceImpl,
    metrics::{Metrics, MetricsLayer},
    notifications::{ActivityBus, NotificationServiceImpl},
    orders::{CallPolicy, Dependencies, OrderServiceImpl, Transport, transport},
    postgres::{self, Database, PostgresUsers},
    proto::{
        self,
        chat::v1::chat_service_server::ChatServiceServer,
        file::v1::file_service_server::FileServiceServer,
        inventory::v1::{
            inventory_service_client::InventoryServiceClient,
            inventory_service_server::InventoryServiceServer,
        },
        notification::v1::{
            notification_service_client::NotificationServiceClient,
            notification_service_server::NotificationServiceServer,
        },
        order::v1::order_service_server::OrderServiceServer,
        payment::v1::{
            payment_service_client::PaymentServiceClient,
            payment_service_server::PaymentServiceServer,
        },
        user::v1::{
            user_service_client::UserServiceClient, user_service_server::UserServiceServer,
        },
    },
    shop::{InventoryServiceImpl, PaymentServiceImpl},
    shutdown::shutdown_pair,
    users::{SqliteUsers, UserRepository, UserServiceImpl},
};

/// What serving can fail with.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where users, notifications and chat messages are stored: a
    /// PostgreSQL URL (`postgres://...`; replicas on one database agree), or
    /// a SQLite file of users (or `:memory:`; notifications and chat in this
    /// process's memory).
    pub db: String,
    /// The most connections to PostgreSQL at once.
    pub db_pool_size: usize,
    /// The secret JWTs are signed with.
    pub jwt_secret: Vec<u8>,
    /// Where uploads are stored.
    pub storage: PathBuf,
    /// The largest upload, in bytes.
    pub max_upload_bytes: u64,
    /// The largest message, in bytes, either way.
    pub max_message_bytes: usize,
    /// Concurrent requests per connection.
    pub concurrency_limit: usize,
    /// The longest a request may take.
    pub request_timeout: Duration,
    /// Where per-rpc latencies and status codes are counted.
    pub metrics: Metrics,
    /// Serve TLS with this certificate chain and key (PEM), or plaintext.
    pub tls: Option<(Vec<u8>, Vec<u8>)>,
    /// Where the order service finds the users, inventory, payment and
    /// notification services (`http://host:port`, with a token in
    /// `upstream_token`); `None`: in this process.
    pub upstream: Option<String>,
    /// The token the order service presents upstream.
    pub upstream_token: Option<String>,
}

impl ServerConfig {
    /// Development defaults: an in-memory database, a temporary storage
    /// directory, 4 MiB messages, 64 MiB uploads.
    pub fn development(jwt_secret: &[u8]) -> ServerConfig {
        ServerConfig {
            db: ":memory:".to_owned(),
            db_pool_size: 16,
            jwt_secret: jwt_secret.to_vec(),
            storage: std::env::temp_dir().join("protoforge-uploads"),
            max_upload_bytes: 64 << 20,
            max_message_bytes: 4 << 20,
            concurrency_limit: 256,
            request_timeout: Duration::from_secs(30),
            metrics: Metrics::new(),
            tls: None,
            upstream: None,
            upstream_token: None,
        }
    }
}

/// Serves every service on `listener` until `shutdown` completes; calls in
/// flight then finish.
pub async fn serve(
    config: ServerConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), Error> {
    let auth = Auth::new(&config.jwt_secret);
    let max = config.max_message_bytes;
    // Streams that would never end, and uploads in progress, stop when the
    // shutdown starts; then tonic waits for the calls in flight.
    let (trigger, down) = shutdown_pair();
    let shutdown = async move {
        shutdown.await;
        trigger.trigger();
    };

    let (repository, feed): (Arc<dyn UserRepository>, Feed) = if postgres::is_url(&config.db) {
        let database = Database::connect(&config.db, config.db_pool_size).await?;
        (
            Arc::new(PostgresUsers::new(database.clone())),
            Feed::postgres(database).await?,
        )
    } else {
        (Arc::new(SqliteUsers::open(&config.db)?), Feed::memory())
    };

    macro_rules! guarded {
        ($server:expr) => {
            InterceptedService::new(
                $server
                    .max_decoding_message_size(max)
                    .max_encoding_message_size(max),
                auth.clone(),
            )
        };
    }
    let activity = ActivityBus::default();
    let users =
        UserServiceServer::new(UserServiceImpl::new(repository).with_activity(activity.clone()));
    let notifications = NotificationServiceServer::new(
        NotificationServiceImpl::new(activity.clone())
            .with_feed(feed.clone())
            .with_shutdown(down.clone()),
    );
    let inventory = InventoryServiceServer::new(InventoryServiceImpl::demo());
    let payments = PaymentServiceServer::new(PaymentServiceImpl::new());
    let files = FileServiceServer::new(
        FileServiceImpl::new(&config.storage, config.max_upload_bytes)?.with_shutdown(down.clone()),
    );
    let chat = ChatServiceServer::new(ChatServiceImpl::new().with_feed(feed).with_shutdown(down));
    // What the order service calls, behind the token check and size limits.
    let upstream_routes = Routes::new(guarded!(users))
        .add_service(guarded!(inventory))
        .add_service(guarded!(payments))
        .add_service(guarded!(notifications));
    let metrics = MetricsLayer::new(config.metrics.clone());
    let upstream: Transport = match &config.upstream {
        // Another server's services: one channel, the configured token.
        Some(url) => {
            let channel = tonic::transport::Channel::from_shared(url.clone())?.connect_lazy();
            let token: Option<http::HeaderValue> = config
                .upstream_token
                .as_deref()
                .map(str::parse)
                .transpose()?;
            presenting(channel, move || token.clone())
        }
        // This server's services, through the network path's layers, with a
        // short-lived token of the server's own (user 0) on every call.
        None => {
            let issuer = auth.clone();
            presenting(
                protoforge_runtime::InProcess::new(metrics.layer(upstream_routes.clone())),
                move || {
                    format!("Bearer {}", issuer.issue(0, Duration::from_secs(60)))
                        .parse()
                        .ok()
                },
            )
        }
    };
    let dependencies = Dependencies {
        users: UserServiceClient::new(upstream.clone()),
        inventory: InventoryServiceClient::new(upstream.clone()),
        payments: PaymentServiceClient::new(upstream.clone()),
        notifications: NotificationServiceClient::new(upstream),
    };
    let orders = OrderServiceServer::new(
        OrderServiceImpl::new(dependencies, CallPolicy::default()).with_activity(activity),
    );

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<UserServiceServer<UserServiceImpl<dyn UserRepository>>>()
        .await;
    health
        .set_serving::<NotificationServiceServer<NotificationServiceImpl>>()
        .await;
    health
        .set_serving::<InventoryServiceServer<InventoryServiceImpl>>()
        .await;
    health
        .set_serving::<PaymentServiceServer<PaymentServiceImpl>>()
        .await;
    health
        .set_serving::<FileServiceServer<FileServiceImpl>>()
        .await;
    health
        .set_serving::<ChatServiceServer<ChatServiceImpl>>()
        .await;
    health
        .set_serving::<OrderServiceServer<OrderServiceImpl>>()
        .await;
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
        .build_v1()?;

    let mut builder = tonic::transport::Server::builder();
    if let Some((certificate, key)) = &config.tls {
        let identity = tonic::transport::Identity::from_pem(certificate, key);
        builder =
            builder.tls_config(tonic::transport::ServerTlsConfig::new().identity(identity))?;
    }
    let routes = upstream_routes
        .add_service(health_service)
        .add_service(reflection)
        .add_service(guarded!(files))
        .add_service(guarded!(chat))
        .add_service(guarded!(orders));
    builder
        .layer(metrics)
        .timeout(config.request_timeout)
        .concurrency_limit_per_connection(config.concurrency_limit)
        .add_routes(routes)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await?;
    Ok(())
}

/// `service`, with the `authorization` header `token` gives on every call.
fn presenting<S>(
    service: S,
    token: impl Fn() -> Option<http::HeaderValue> + Clone + Send + Sync + 'static,
) -> Transport
where
    S: tower::Service<
            http::Request<tonic::body::Body>,
            Response = http::Response<tonic::body::Body>,
        > + Clone
        + Send
        + Sync
        + 'static,
    S::Error: Into<tower::BoxError>,
    S::Future: Send + 'static,
{
    transport(
        tower::ServiceBuilder::new()
            .map_request(move |mut request: http::Request<tonic::body::Body>| {
                if let Some(token) = token() {
                    request.headers_mut().insert("authorization", token);
                }
                request
            })
            .service(service),
    )
}
