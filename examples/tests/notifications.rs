//! NotificationService end to end over real TCP: stored notifications
//! replayed up to the limit, new ones pushed live, activity streamed as it
//! happens, market data that makes sense, and streams that stop when the
//! client cancels.

mod common;

use std::time::Duration;

use common::{Backend, on_both_backends};

use protoforge_examples::{
    notifications::{ActivityBus, NotificationServiceImpl},
    proto::notification::v1::{
        ActivityType, GetNotificationsRequest, MarketDataRequest, SendNotificationRequest,
        UserActivityRequest, notification_service_client::NotificationServiceClient,
    },
};
use tokio::net::TcpListener;
use tokio_stream::{StreamExt, wrappers::TcpListenerStream};
use tonic::{Code, transport::Channel};

/// The service in memory.
async fn serve() -> NotificationServiceClient<Channel> {
    serve_on(&Backend::sqlite()).await
}

/// The service with its notifications in `backend`.
async fn serve_on(backend: &Backend) -> NotificationServiceClient<Channel> {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let service =
        NotificationServiceImpl::new(ActivityBus::default()).with_feed(backend.feed().await);
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service.into_server())
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    NotificationServiceClient::connect(format!("http://{addr}"))
        .await
        .expect("connect")
}

fn send(user_id: i32, title: &str) -> SendNotificationRequest {
    SendNotificationRequest {
        user_id,
        title: title.to_owned(),
        message: format!("about {title}"),
    }
}

const PATIENCE: Duration = Duration::from_secs(5);

on_both_backends!(
    replays_up_to_the_limit_then_pushes_live,
    a_cancelled_stream_stops_counting,
    invalid_requests,
);

async fn replays_up_to_the_limit_then_pushes_live(backend: &Backend) {
    let mut client = serve_on(backend).await;
    for title in ["one", "two", "three"] {
        client
            .send_notification(send(1, title))
            .await
            .expect("sent");
    }
    client
        .send_notification(send(2, "someone else's"))
        .await
        .expect("sent");

    let mut stream = client
        .get_notifications(GetNotificationsRequest {
            user_id: 1,
            limit: 2,
        })
        .await
        .expect("stream")
        .into_inner();
    let mut titles = Vec::new();
    for _ in 0..2 {
        titles.push(stream.message().await.expect("ok").expect("replayed").title);
    }
    assert_eq!(titles, ["two", "three"], "the newest `limit`, oldest first");

    let sent = client
        .send_notification(send(1, "live"))
        .await
        .expect("sent")
        .into_inner();
    assert_eq!(sent.delivered_to, 1, "one open stream");
    let live = tokio::time::timeout(PATIENCE, stream.message())
        .await
        .expect("in time")
        .expect("ok")
        .expect("live");
    assert_eq!(live.title, "live");
    assert_eq!(Some(live.id), sent.notification.map(|n| n.id));
}

async fn a_cancelled_stream_stops_counting(backend: &Backend) {
    let mut client = serve_on(backend).await;
    let stream = client
        .get_notifications(GetNotificationsRequest {
            user_id: 7,
            limit: 0,
        })
        .await
        .expect("stream");
    drop(stream);
    // The server notices the client left; wait for it (bounded).
    let mut delivered = 1;
    for _ in 0..50 {
        delivered = client
            .send_notification(send(7, "anyone?"))
            .await
            .expect("sent")
            .into_inner()
            .delivered_to;
        if delivered == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(delivered, 0);
}

async fn invalid_requests(backend: &Backend) {
    let mut client = serve_on(backend).await;
    let status = client
        .send_notification(send(0, "x"))
        .await
        .expect_err("no user");
    assert_eq!(status.code(), Code::InvalidArgument);
    let status = client
        .send_notification(send(1, " "))
        .await
        .expect_err("no title");
    assert_eq!(status.code(), Code::InvalidArgument);
    let status = client
        .get_notifications(GetNotificationsRequest {
            user_id: 1,
            limit: -1,
        })
        .await
        .expect_err("negative limit");
    assert_eq!(status.code(), Code::InvalidArgument);
    let status = client
        .stream_market_data(MarketDataRequest {
            symbols: vec![],
            interval_ms: 10,
        })
        .await
        .expect_err("no symbols");
    assert_eq!(status.code(), Code::InvalidArgument);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_is_streamed_as_it_happens() {
    let mut client = serve().await;
    let mut activity = client
        .stream_user_activity(UserActivityRequest {
            user_id: 3,
            types: vec![ActivityType::MessageSent as i32],
        })
        .await
        .expect("stream")
        .into_inner();
    client
        .send_notification(send(4, "not user 3"))
        .await
        .expect("sent");
    client
        .send_notification(send(3, "hello"))
        .await
        .expect("sent");
    let event = tokio::time::timeout(PATIENCE, activity.message())
        .await
        .expect("in time")
        .expect("ok")
        .expect("event");
    assert_eq!(event.user_id, 3);
    assert_eq!(event.r#type, ActivityType::MessageSent as i32);
    assert_eq!(event.description, "was notified: hello");
}

#[tokio::test]
async fn market_data_makes_sense() {
    let mut client = serve().await;
    let ticks: Vec<_> = client
        .stream_market_data(MarketDataRequest {
            symbols: vec!["ACME".into(), "GLOBEX".into()],
            interval_ms: 10,
        })
        .await
        .expect("stream")
        .into_inner()
        .take(20)
        .collect()
        .await;
    assert_eq!(ticks.len(), 20);
    for tick in ticks.iter().map(|t| t.as_ref().expect("tick")) {
        assert!(tick.symbol == "ACME" || tick.symbol == "GLOBEX");
        assert!(
            tick.price > 0.0 && tick.bid < tick.price && tick.price < tick.ask,
            "{tick:?}"
        );
        assert!(tick.volume > 0);
        assert!(
            tick.change_percent.abs() < 5.0,
            "a random walk of a few basis points a tick: {tick:?}"
        );
    }
    let acme: Vec<f64> = ticks
        .iter()
        .map(|t| t.as_ref().expect("tick"))
        .filter(|t| t.symbol == "ACME")
        .map(|t| t.price)
        .collect();
    assert_eq!(acme.len(), 10, "one tick per symbol per interval");
}
