//! The mock generated for an editions (2024) service, through its generated
//! client: explicit presence, defaults and delimited fields arrive as sent,
//! unary and server streaming.

use protoforge_editions_example::proto::wire::v1::{
    Defaults, EchoRequest, EchoResponse, Everything, Inner, echo_service_mock::MockEchoService,
};
use tokio_stream::StreamExt;

fn response(count: i32) -> EchoResponse {
    EchoResponse {
        everything: Some(Everything {
            explicit_int: Some(0),
            required_int: count,
            delimited: Some(Inner::default()),
            ..Everything::default()
        }),
        defaults: Some(Defaults {
            count,
            present: Some(0),
            inner: Some(Inner {
                value: Some(count),
                note: None,
            }),
            ..Defaults::default()
        }),
    }
}

#[tokio::test]
async fn unary_answers_with_presence_kept() {
    let mock = MockEchoService::new();
    mock.echo().returns(response(1));
    let answer = mock
        .client()
        .echo(EchoRequest::default())
        .await
        .expect("answered")
        .into_inner();
    assert_eq!(answer, response(1));
    let everything = answer.everything.expect("everything");
    assert_eq!(everything.explicit_int, Some(0), "set to 0, not unset");
    assert_eq!(everything.explicit_string(), "hello", "unset: the default");
    mock.verify().expect("met");
}

#[tokio::test]
async fn server_streaming_returns_each_item() {
    let mock = MockEchoService::new();
    mock.echo_stream().returns(vec![response(1), response(2)]);
    let stream = mock
        .client()
        .echo_stream(EchoRequest::default())
        .await
        .expect("stream")
        .into_inner();
    let items: Vec<EchoResponse> = stream.map(|item| item.expect("item")).collect().await;
    assert_eq!(items, [response(1), response(2)]);
}
