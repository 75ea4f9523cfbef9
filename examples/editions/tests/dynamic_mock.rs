//! `protoforge mock serve`'s dynamic server on an editions schema, called
//! through the client generated for it: the features that change the wire
//! (delimited messages, packed or expanded lists, required fields) must be
//! read and written as protoc's code writes them, in requests the stubs
//! match on and in the responses they send.

use protoforge_codegen::compile::{Compiler, descriptor::reflect_pool};
use protoforge_editions_example::proto::wire::v1::{
    Defaults, EchoRequest, EchoResponse, Everything, Inner, echo_service_client::EchoServiceClient,
};
use protoforge_runtime::dynamic::{Format, Mock, ServeOptions, serve};
use tokio::net::TcpListener;

fn mock() -> Mock {
    let proto = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("proto");
    let compiled = Compiler::new()
        .include(&proto)
        .include_imports(true)
        .compile(&[proto.join("echo.proto")])
        .expect("echo.proto compiles");
    let encoded = compiled.encode();
    let pool = reflect_pool(&encoded).expect("a pool of the editions schema");
    Mock::new(pool, encoded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delimited_packed_and_required_fields_cross_the_wire_as_protoc_writes_them() {
    let mock = mock();
    mock.add_stubs(
        "\
- id: echo
  method: wire.v1.EchoService/Echo
  match: {equals: {defaults: {inner: {value: 7}, values: [1, 2], packed: [-3]}}}
  response:
    message:
      everything:
        requiredInt: 3
        delimited: {value: 4}
        delimitedList: [{value: 5}, {note: six}]
        packedInts: [1, 2]
        expandedInts: [3, 4]
        packedEnums: [CLOSED_TWO]
        choiceInner: {value: 8}
      defaults: {count: 2, inner: {value: 9}, values: [5], packed: [-1, 1]}
",
        Format::Yaml,
    )
    .expect("valid stubs");
    let grpc = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = serve(mock.clone(), grpc, None, ServeOptions::default())
        .await
        .expect("serve");
    let mut client = EchoServiceClient::connect(format!("http://{}", server.addr()))
        .await
        .expect("connect");
    let request = EchoRequest {
        everything: None,
        defaults: Some(Defaults {
            inner: Some(Inner {
                value: Some(7),
                note: None,
            }),
            values: vec![1, 2],
            packed: vec![-3],
            ..Defaults::default()
        }),
    };
    let answer = client
        .echo(request)
        .await
        .unwrap_or_else(|status| panic!("the stub matches: {status:?}"))
        .into_inner();
    let inner = |value: Option<i32>, note: Option<&str>| Inner {
        value,
        note: note.map(str::to_owned),
    };
    let expected = EchoResponse {
        everything: Some(Everything {
            required_int: 3,
            delimited: Some(inner(Some(4), None)),
            delimited_list: vec![inner(Some(5), None), inner(None, Some("six"))],
            packed_ints: vec![1, 2],
            expanded_ints: vec![3, 4],
            packed_enums: vec![2],
            choice: Some(
                protoforge_editions_example::proto::wire::v1::everything::Choice::ChoiceInner(
                    inner(Some(8), None),
                ),
            ),
            ..Everything::default()
        }),
        defaults: Some(Defaults {
            count: 2,
            inner: Some(inner(Some(9), None)),
            values: vec![5],
            packed: vec![-1, 1],
            ..Defaults::default()
        }),
    };
    assert_eq!(answer, expected);
    server.shutdown().await;
}
