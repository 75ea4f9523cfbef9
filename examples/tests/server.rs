//! The assembled server over real TCP: JWT on every service (Bearer or bare
//! token; missing, bad and expired tokens refused), health checks and
//! reflection open, an order placed through the in-process dependencies, and
//! a graceful shutdown.

mod common;

use std::time::Duration;

use common::{Backend, on_both_backends};

use protoforge_examples::{
    auth::Auth,
    proto::{
        order::v1::{CreateOrderRequest, OrderItem, order_service_client::OrderServiceClient},
        user::v1::{CreateUserRequest, GetUserRequest, user_service_client::UserServiceClient},
    },
    server::{ServerConfig, serve},
};
use tokio::net::TcpListener;
use tonic::{Code, Request, transport::Channel};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

const SECRET: &[u8] = b"test-secret";

struct Running {
    addr: String,
    channel: Channel,
    metrics: protoforge_examples::metrics::Metrics,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), protoforge_examples::server::Error>>,
    _storage: tempfile::TempDir,
}

/// The server in memory.
async fn start() -> Running {
    start_on(&Backend::sqlite()).await
}

/// The server with its data in `backend`.
async fn start_on(backend: &Backend) -> Running {
    let storage = tempfile::tempdir().expect("tempdir");
    let config = ServerConfig {
        db: backend.db.clone(),
        storage: storage.path().to_owned(),
        ..ServerConfig::development(SECRET)
    };
    let metrics = config.metrics.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(config, listener, async {
        let _ = stopped.await;
    }));
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("url")
        .connect()
        .await
        .expect("connect");
    Running {
        addr: addr.to_string(),
        channel,
        metrics,
        stop,
        task,
        _storage: storage,
    }
}

fn with_token<T>(message: T, header: &str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", header.parse().expect("ascii"));
    request
}

on_both_backends!(
    tokens_guard_every_service_but_health_and_reflection,
    an_order_through_the_whole_server,
    every_call_is_counted_with_its_status_and_gets_a_request_id,
    shutdown_ends_open_streams_with_a_status_and_discards_uploads,
    user_activity_is_real,
    inventory_payments_and_limits_over_tcp,
);

async fn tokens_guard_every_service_but_health_and_reflection(backend: &Backend) {
    let server = start_on(backend).await;
    let mut users = UserServiceClient::new(server.channel.clone());
    let token = Auth::new(SECRET).issue(1, Duration::from_secs(60));

    let missing = users
        .get_user(GetUserRequest { user_id: 1 })
        .await
        .expect_err("no token");
    assert_eq!(
        (missing.code(), missing.message()),
        (Code::Unauthenticated, "no token")
    );
    let bad = users
        .get_user(with_token(
            GetUserRequest { user_id: 1 },
            "Bearer not-a-jwt",
        ))
        .await
        .expect_err("bad");
    assert_eq!(bad.code(), Code::Unauthenticated);
    let forged = Auth::new(b"another secret").issue(1, Duration::from_secs(60));
    let forged = users
        .get_user(with_token(GetUserRequest { user_id: 1 }, &forged))
        .await
        .expect_err("forged");
    assert_eq!(forged.code(), Code::Unauthenticated);
    let expired = Auth::new(SECRET).issue(1, Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = users
        .get_user(with_token(GetUserRequest { user_id: 1 }, &expired))
        .await
        .expect_err("expired");
    assert_eq!(expired.code(), Code::Unauthenticated);

    // A valid token, bare (as the article's client sends it) or Bearer.
    for header in [token.clone(), format!("Bearer {token}")] {
        let status = users
            .get_user(with_token(GetUserRequest { user_id: 42 }, &header))
            .await
            .expect_err("no such user");
        assert_eq!(
            status.code(),
            Code::NotFound,
            "authenticated, then not found"
        );
    }

    let mut health = HealthClient::new(server.channel.clone());
    for service in [
        "user.v1.UserService",
        "order.v1.OrderService",
        "chat.v1.ChatService",
        "",
    ] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("health without a token");
        assert_eq!(
            status.into_inner().status(),
            ServingStatus::Serving,
            "{service:?}"
        );
    }

    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let mut reflection = ServerReflectionClient::new(server.channel.clone());
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = reflection
        .server_reflection_info(tokio_stream::iter(vec![request]))
        .await
        .expect("reflection")
        .into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) = responses
        .message()
        .await
        .expect("ok")
        .expect("response")
        .message_response
    else {
        panic!("not a service list");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"order.v1.OrderService".to_owned()),
        "{names:?}"
    );

    server.stop.send(()).expect("running");
    server.task.await.expect("joined").expect("clean shutdown");
}

async fn an_order_through_the_whole_server(backend: &Backend) {
    let server = start_on(backend).await;
    let token = Auth::new(SECRET).issue(1, Duration::from_secs(60));
    let mut users = UserServiceClient::new(server.channel.clone());
    let user = users
        .create_user(with_token(
            CreateUserRequest {
                name: "Ada".into(),
                email: "ada@example.com".into(),
                age: 36,
            },
            &token,
        ))
        .await
        .expect("created")
        .into_inner()
        .user
        .expect("user");
    let mut orders = OrderServiceClient::new(server.channel.clone());
    let order = |product: &str| CreateOrderRequest {
        user_id: user.id,
        items: vec![OrderItem {
            product_id: product.into(),
            quantity: 2,
            unit_price_cents: 0,
        }],
        payment_method: "tok_visa".into(),
    };
    let placed = orders
        .create_order(with_token(order("book"), &token))
        .await
        .expect("placed")
        .into_inner();
    assert_eq!(placed.order.expect("order").total_cents, 2 * 1299);
    let sold_out = orders
        .create_order(with_token(order("sold-out"), &token))
        .await
        .expect_err("sold out");
    assert_eq!(sold_out.code(), Code::FailedPrecondition);
    let unknown = orders
        .create_order(with_token(
            CreateOrderRequest {
                user_id: 999,
                ..order("book")
            },
            &token,
        ))
        .await
        .expect_err("unknown user");
    assert_eq!(unknown.code(), Code::NotFound);

    // The order service's calls in process went through the network path's
    // stack: counted by the metrics layer, past the token check.
    let snapshot = server.metrics.snapshot();
    for (path, code, count) in [
        ("/user.v1.UserService/GetUser", "Ok", 2),
        ("/user.v1.UserService/GetUser", "NotFound", 1),
        ("/inventory.v1.InventoryService/CheckStock", "Ok", 2),
        ("/payment.v1.PaymentService/ProcessPayment", "Ok", 1),
        (
            "/notification.v1.NotificationService/SendNotification",
            "Ok",
            1,
        ),
    ] {
        assert_eq!(
            snapshot
                .get(&(path.to_owned(), code.to_owned()))
                .map(|stats| stats.count),
            Some(count),
            "{path} {code}:\n{}",
            server.metrics.render()
        );
    }
}

async fn every_call_is_counted_with_its_status_and_gets_a_request_id(backend: &Backend) {
    use protoforge_examples::proto::notification::v1::{
        GetNotificationsRequest, SendNotificationRequest,
        notification_service_client::NotificationServiceClient,
    };
    let server = start_on(backend).await;
    let token = Auth::new(SECRET).issue(1, Duration::from_secs(60));
    let mut users = UserServiceClient::new(server.channel.clone());
    let created = users
        .create_user(with_token(
            CreateUserRequest {
                name: "M".into(),
                email: "m@example.com".into(),
                age: 1,
            },
            &token,
        ))
        .await
        .expect("created");
    assert!(
        created.metadata().get("x-request-id").is_some(),
        "every response carries a request id"
    );
    let mut request = with_token(GetUserRequest { user_id: 999 }, &token);
    request
        .metadata_mut()
        .insert("x-request-id", "mine-1".parse().expect("ascii"));
    let missing = users.get_user(request).await.expect_err("missing");
    assert_eq!(
        missing.metadata().get("x-request-id").expect("echoed"),
        "mine-1"
    );
    let _ = users
        .get_user(GetUserRequest { user_id: 1 })
        .await
        .expect_err("no token");

    // A server stream is counted when it ends.
    let mut notifications = NotificationServiceClient::new(server.channel.clone());
    notifications
        .send_notification(with_token(
            SendNotificationRequest {
                user_id: 5,
                title: "t".into(),
                message: String::new(),
            },
            &token,
        ))
        .await
        .expect("sent");
    let mut stream = notifications
        .get_notifications(with_token(
            GetNotificationsRequest {
                user_id: 5,
                limit: 1,
            },
            &token,
        ))
        .await
        .expect("stream")
        .into_inner();
    stream.message().await.expect("ok").expect("one");
    drop(stream);

    let expected = [
        ("/user.v1.UserService/CreateUser", "Ok"),
        ("/user.v1.UserService/GetUser", "NotFound"),
        ("/user.v1.UserService/GetUser", "Unauthenticated"),
        (
            "/notification.v1.NotificationService/SendNotification",
            "Ok",
        ),
    ];
    let mut counted = false;
    for _ in 0..100 {
        let snapshot = server.metrics.snapshot();
        counted = expected.iter().all(|(path, code)| {
            snapshot
                .get(&((*path).to_owned(), (*code).to_owned()))
                .is_some_and(|s| s.count == 1)
        }) && snapshot
            .keys()
            .any(|(path, _)| path == "/notification.v1.NotificationService/GetNotifications");
        if counted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(counted, "{}", server.metrics.render());
    assert!(
        server
            .metrics
            .render()
            .contains("/user.v1.UserService/GetUser NotFound count=1 mean_ms=")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_development_certificate() {
    use tonic::transport::{Certificate, ClientTlsConfig};
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let (cert, key) = (certified.cert.pem(), certified.signing_key.serialize_pem());
    let storage = tempfile::tempdir().expect("tempdir");
    let config = ServerConfig {
        storage: storage.path().to_owned(),
        tls: Some((cert.clone().into_bytes(), key.into_bytes())),
        ..ServerConfig::development(SECRET)
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(serve(config, listener, std::future::pending()));

    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&cert))
        .domain_name("localhost");
    let channel = Channel::from_shared(format!("https://localhost:{port}"))
        .expect("url")
        .tls_config(tls)
        .expect("tls")
        .connect()
        .await
        .expect("a TLS connection");
    let status = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health over TLS");
    assert_eq!(status.into_inner().status(), ServingStatus::Serving);

    let plain = Channel::from_shared(format!("http://127.0.0.1:{port}"))
        .expect("url")
        .connect()
        .await;
    if let Ok(plain) = plain {
        let refused = HealthClient::new(plain)
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await;
        assert!(refused.is_err(), "plaintext is not served");
    }
}

async fn shutdown_ends_open_streams_with_a_status_and_discards_uploads(backend: &Backend) {
    use protoforge_examples::proto::{
        file::v1::{FileChunk, file_service_client::FileServiceClient},
        notification::v1::{
            GetNotificationsRequest, notification_service_client::NotificationServiceClient,
        },
    };
    let server = start_on(backend).await;
    let storage = server._storage.path().to_owned();
    let token = Auth::new(SECRET).issue(1, Duration::from_secs(60));
    let mut stream = NotificationServiceClient::new(server.channel.clone())
        .get_notifications(with_token(
            GetNotificationsRequest {
                user_id: 1,
                limit: 0,
            },
            &token,
        ))
        .await
        .expect("an endless stream")
        .into_inner();
    let (chunks, receiver) = tokio::sync::mpsc::channel(4);
    chunks
        .send(FileChunk {
            data: b"half".to_vec(),
            filename: "half.txt".into(),
            chunk_index: 0,
            is_last: false,
        })
        .await
        .expect("send");
    let mut files = FileServiceClient::new(server.channel.clone());
    let upload = tokio::spawn(async move {
        files
            .upload_file(with_token(
                tokio_stream::wrappers::ReceiverStream::new(receiver),
                &token,
            ))
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;

    server.stop.send(()).expect("running");
    let ended = tokio::time::timeout(Duration::from_secs(5), stream.message())
        .await
        .expect("ends in time");
    let status = ended.expect_err("ends with a status");
    assert_eq!(
        (status.code(), status.message()),
        (Code::Unavailable, "the server is shutting down")
    );
    let upload = tokio::time::timeout(Duration::from_secs(5), upload)
        .await
        .expect("in time")
        .expect("joined");
    assert_eq!(upload.expect_err("discarded").code(), Code::Unavailable);
    drop(chunks);
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("stops")
        .expect("joined")
        .expect("clean");
    let left: Vec<_> = std::fs::read_dir(&storage).expect("list").collect();
    assert!(left.is_empty(), "nothing of the upload is left: {left:?}");
}

async fn user_activity_is_real(backend: &Backend) {
    use protoforge_examples::proto::notification::v1::{
        ActivityType, UserActivityRequest, notification_service_client::NotificationServiceClient,
    };
    let server = start_on(backend).await;
    let token = Auth::new(SECRET).issue(1, Duration::from_secs(60));
    let mut users = UserServiceClient::new(server.channel.clone());
    let user = users
        .create_user(with_token(
            CreateUserRequest {
                name: "Ann".into(),
                email: "ann@example.com".into(),
                age: 20,
            },
            &token,
        ))
        .await
        .expect("created")
        .into_inner()
        .user
        .expect("user");
    let mut activity = NotificationServiceClient::new(server.channel.clone())
        .stream_user_activity(with_token(
            UserActivityRequest {
                user_id: user.id,
                types: vec![],
            },
            &token,
        ))
        .await
        .expect("stream")
        .into_inner();
    users
        .update_user(with_token(
            protoforge_examples::proto::user::v1::UpdateUserRequest {
                user_id: user.id,
                age: 21,
                ..Default::default()
            },
            &token,
        ))
        .await
        .expect("updated");
    OrderServiceClient::new(server.channel.clone())
        .create_order(with_token(
            CreateOrderRequest {
                user_id: user.id,
                items: vec![OrderItem {
                    product_id: "pen".into(),
                    quantity: 1,
                    unit_price_cents: 0,
                }],
                payment_method: "tok_visa".into(),
            },
            &token,
        ))
        .await
        .expect("placed");
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        let event = tokio::time::timeout(Duration::from_secs(5), activity.message())
            .await
            .unwrap_or_else(|_| panic!("in time; got {kinds:?}"))
            .expect("ok")
            .expect("event");
        kinds.push(event.r#type);
    }
    assert_eq!(
        kinds,
        [
            ActivityType::ProfileUpdate as i32,
            ActivityType::MessageSent as i32,
            ActivityType::OrderPlaced as i32
        ],
        "the update, the order's notification, the order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_call_their_dependencies_over_the_network() {
    let upstream = start().await;
    let token = Auth::new(SECRET).issue(1, Duration::from_secs(60));
    let user = UserServiceClient::new(upstream.channel.clone())
        .create_user(with_token(
            CreateUserRequest {
                name: "Net".into(),
                email: "net@example.com".into(),
                age: 1,
            },
            &token,
        ))
        .await
        .expect("created")
        .into_inner()
        .user
        .expect("user");
    // A second server whose order service calls the first one.
    let storage = tempfile::tempdir().expect("tempdir");
    let upstream_url = {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let config = ServerConfig {
            storage: storage.path().to_owned(),
            upstream: Some(format!("http://{}", upstream.addr)),
            upstream_token: Some(token.clone()),
            ..ServerConfig::development(SECRET)
        };
        tokio::spawn(serve(config, listener, std::future::pending()));
        format!("http://{addr}")
    };
    let channel = Channel::from_shared(upstream_url)
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let placed = OrderServiceClient::new(channel)
        .create_order(with_token(
            CreateOrderRequest {
                user_id: user.id,
                items: vec![OrderItem {
                    product_id: "book".into(),
                    quantity: 1,
                    unit_price_cents: 0,
                }],
                payment_method: "tok_visa".into(),
            },
            &token,
        ))
        .await
        .expect("placed through the network");
    assert!(placed.into_inner().success);
}

async fn inventory_payments_and_limits_over_tcp(backend: &Backend) {
    use protoforge_examples::proto::{
        inventory::v1::{CheckStockRequest, inventory_service_client::InventoryServiceClient},
        payment::v1::{ProcessPaymentRequest, payment_service_client::PaymentServiceClient},
    };
    let server = start_on(backend).await;
    let token = Auth::new(SECRET).issue(1, Duration::from_secs(60));
    let mut inventory = InventoryServiceClient::new(server.channel.clone());
    let pen = inventory
        .check_stock(with_token(
            CheckStockRequest {
                product_id: "pen".into(),
                quantity: 3,
            },
            &token,
        ))
        .await
        .expect("stock")
        .into_inner();
    assert!(pen.available && pen.unit_price_cents == 199);
    let unknown = inventory
        .check_stock(with_token(
            CheckStockRequest {
                product_id: "car".into(),
                quantity: 1,
            },
            &token,
        ))
        .await
        .expect_err("unknown");
    assert_eq!(unknown.code(), Code::NotFound);
    let mut payments = PaymentServiceClient::new(server.channel.clone());
    let charge = |method: &str| ProcessPaymentRequest {
        user_id: 1,
        amount_cents: 100,
        currency: "USD".into(),
        payment_method: method.into(),
        idempotency_key: format!("k-{method}"),
    };
    assert!(
        payments
            .process_payment(with_token(charge("tok_visa"), &token))
            .await
            .expect("ok")
            .into_inner()
            .success
    );
    assert!(
        !payments
            .process_payment(with_token(charge("tok_declined"), &token))
            .await
            .expect("ok")
            .into_inner()
            .success
    );
    let invalid = payments
        .process_payment(with_token(
            ProcessPaymentRequest {
                amount_cents: 0,
                ..charge("tok_visa")
            },
            &token,
        ))
        .await
        .expect_err("zero");
    assert_eq!(invalid.code(), Code::InvalidArgument);

    // The message size limit (4 MiB in development).
    let mut users = UserServiceClient::new(server.channel.clone());
    let huge = CreateUserRequest {
        name: "x".repeat(5 << 20),
        email: "big@example.com".into(),
        age: 1,
    };
    let refused = users
        .create_user(with_token(huge, &token))
        .await
        .expect_err("too large");
    assert_eq!(refused.code(), Code::OutOfRange, "{refused:?}");
}
