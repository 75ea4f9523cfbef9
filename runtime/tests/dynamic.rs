//! The dynamic mock server: stub validation, hot reload, concurrent calls
//! and unmatched calls, over real TCP with the article's generated clients.

use std::{
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use prost_reflect::DescriptorPool;
use protoforge_examples::proto::{
    FILE_DESCRIPTOR_SET,
    file::v1::{FileChunk, file_service_client::FileServiceClient},
    user::v1::{GetUserRequest, user_service_client::UserServiceClient},
};
use protoforge_runtime::dynamic::{
    DynamicServer, Format, Mock, ServeOptions, load_stubs, parse_stubs, serve,
};
use tokio::net::TcpListener;
use tonic::{Code, transport::Channel};

fn pool() -> DescriptorPool {
    DescriptorPool::decode(FILE_DESCRIPTOR_SET).expect("the examples' descriptor set")
}

fn mock() -> Mock {
    Mock::new(pool(), FILE_DESCRIPTOR_SET.to_vec())
}

async fn start(mock: Mock, options: ServeOptions) -> DynamicServer {
    let grpc = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let admin = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    serve(mock, grpc, Some(admin), options)
        .await
        .expect("serve")
}

async fn users(server: &DynamicServer) -> UserServiceClient<Channel> {
    let channel = Channel::from_shared(format!("http://{}", server.addr()))
        .expect("url")
        .connect()
        .await
        .expect("connect");
    UserServiceClient::new(channel)
}

fn add(mock: &Mock, yaml: &str) {
    mock.add_stubs(yaml, Format::Yaml).expect("valid stubs");
}

async fn get_user(
    client: &mut UserServiceClient<Channel>,
    id: i32,
) -> Result<String, tonic::Status> {
    let response = client.get_user(GetUserRequest { user_id: id }).await?;
    Ok(response.into_inner().user.unwrap_or_default().name)
}

#[test]
fn stub_errors_are_located() {
    let yaml = "\
- method: user.v1.UserService/GetUsr
  response: {message: {}}
- method: user.v1.UserService/GetUser
  match:
    equals: {userId: 1, nickname: x}
    matches: {user_id: '('}
  response:
    message: {user: {name: '{{request.nme}}'}}
- method: notification.v1.NotificationService/StreamUserActivity
  response:
    stream:
      - message: {type: ACTIVITY_TYPE_DANCING}
    error: {code: NOPE}
- method: file.v1.FileService/UploadFile
  match:
    contains: {filename: a}
  respons: {}
";
    let errors = parse_stubs(yaml, Format::Yaml, "stubs.yaml", &pool()).expect_err("invalid");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "stubs.yaml:1:11: error: unknown method 'GetUsr' in user.v1.UserService (it has GetUser, CreateUser, UpdateUser, DeleteUser)",
            "stubs.yaml:5:25: error: unknown field 'nickname' in user.v1.GetUserRequest (fields: user_id)",
            "stubs.yaml:6:15: error: 'user_id' is not a string field: `matches` takes regexes on string fields",
            "stubs.yaml:8:28: error: '{{request.nme}}': no field 'nme' in user.v1.GetUserRequest",
            "stubs.yaml:12:25: error: unknown value 'ACTIVITY_TYPE_DANCING' of enum notification.v1.ActivityType (values: ACTIVITY_TYPE_UNSPECIFIED, ACTIVITY_TYPE_LOGIN, ACTIVITY_TYPE_LOGOUT, ACTIVITY_TYPE_PROFILE_UPDATE, ACTIVITY_TYPE_ORDER_PLACED, ACTIVITY_TYPE_MESSAGE_SENT)",
            "stubs.yaml:13:19: error: unknown status code \"NOPE\": use a name such as NOT_FOUND or a number from 1 to 16",
            "stubs.yaml:14:3: error: a stub needs a `response`",
            "stubs.yaml:16:5: error: file.v1.FileService/UploadFile is client streaming: `contains` is a list, one entry per request",
            "stubs.yaml:17:3: error: unknown key 'respons' in a stub (expected id, method, priority, times, match, response)",
        ]
    );

    let json = "[{\"method\": \"user.v1.UserService/GetUser\",\n  \"response\": {\"message\": {\"success\": \"yes\"}}}]";
    let errors = parse_stubs(json, Format::Json, "stubs.json", &pool()).expect_err("invalid");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .to_string()
            .starts_with("stubs.json:2:16: error: not a valid user.v1.GetUserResponse:"),
        "{}",
        errors[0]
    );
    let errors =
        parse_stubs("- method: [", Format::Yaml, "broken.yaml", &pool()).expect_err("invalid");
    assert_eq!(
        errors[0].to_string(),
        "broken.yaml:2:1: error: did not find expected node content"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmatched_call_names_the_closest_stub() {
    let mock = mock();
    add(
        &mock,
        "\
- {id: one, method: user.v1.UserService/GetUser, match: {equals: {userId: 1}}, response: {message: {}}}
- {id: two, method: user.v1.UserService/GetUser, match: {equals: {userId: 2}, metadata: {x-team: core}}, response: {message: {}}}
",
    );
    let server = start(mock.clone(), ServeOptions::default()).await;
    let mut client = users(&server).await;
    let status = get_user(&mut client, 3).await.expect_err("unmatched");
    assert_eq!(status.code(), Code::Unimplemented);
    assert_eq!(
        status.message(),
        "no stub matches user.v1.UserService/GetUser; closest is 'one' (admin): userId: expected 1, got 3"
    );
    let journal = mock.calls();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].code, "UNIMPLEMENTED");
    assert_eq!(journal[0].stub, None);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_respect_times() {
    let mock = mock();
    add(
        &mock,
        "\
- {id: first-five, method: user.v1.UserService/GetUser, times: 5, priority: 1, response: {message: {user: {name: early}}}}
- {id: the-rest, method: user.v1.UserService/GetUser, response: {message: {user: {name: 'late {{request.userId}}'}}}}
",
    );
    let server = start(mock.clone(), ServeOptions::default()).await;
    let client = users(&server).await;
    let calls = (0..64).map(|i| {
        let mut client = client.clone();
        tokio::spawn(async move { get_user(&mut client, i).await })
    });
    let mut early = 0;
    for (i, call) in calls.enumerate() {
        let name = call.await.expect("task").expect("answered");
        if name == "early" {
            early += 1;
        } else {
            assert_eq!(name, format!("late {i}"));
        }
    }
    assert_eq!(early, 5);
    assert_eq!(mock.calls().len(), 64);
    assert!(mock.verify().is_empty());
    server.shutdown().await;
}

fn write(path: &Path, text: &str) {
    // Through a rename, as editors save, so the reload never sees half a file.
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).expect("write");
    std::fs::rename(&temporary, path).expect("rename");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stub_directory_is_reloaded_when_it_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("users.yaml");
    let stub = |name: &str| {
        format!(
            "- {{method: user.v1.UserService/GetUser, response: {{message: {{user: {{name: {name}}}}}}}}}\n"
        )
    };
    write(&file, &stub("before"));
    let mock = mock();
    let paths = vec![dir.path().to_owned()];
    mock.set_file_stubs(load_stubs(&paths, mock.pool()).expect("valid"));
    let reloads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&reloads);
    let options = ServeOptions {
        stub_paths: paths,
        reload_interval: Duration::from_millis(50),
        on_reload: Arc::new(move |outcome| {
            let line = match outcome {
                Ok(count) => format!("{count} stubs"),
                Err(errors) => errors[0].to_string(),
            };
            seen.lock().expect("lock").push(line);
        }),
    };
    let server = start(mock.clone(), options).await;
    let mut client = users(&server).await;
    assert_eq!(get_user(&mut client, 1).await.expect("answered"), "before");

    async fn eventually(client: &mut UserServiceClient<Channel>, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if get_user(client, 1).await.ok().as_deref() == Some(want) {
                return;
            }
            assert!(Instant::now() < deadline, "never answered {want}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    write(&file, &stub("after"));
    eventually(&mut client, "after").await;

    // A new file in the directory is read too.
    write(
        &dir.path().join("more.yaml"),
        "- {method: user.v1.UserService/GetUser, priority: 5, response: {message: {user: {name: added}}}}\n",
    );
    eventually(&mut client, "added").await;

    // A broken edit keeps the stubs that work, and says why.
    write(
        &dir.path().join("more.yaml"),
        "- {method: user.v1.UserService/GetUser, response: {message: {nope: 1}}}\n",
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !reloads
        .lock()
        .expect("lock")
        .iter()
        .any(|l| l.contains("unknown field 'nope'"))
    {
        assert!(
            Instant::now() < deadline,
            "the broken file was not reported"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(get_user(&mut client, 1).await.expect("answered"), "added");
    assert_eq!(
        reloads.lock().expect("lock").as_slice()[..2],
        ["1 stubs".to_owned(), "2 stubs".to_owned()]
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_streaming_matches_the_collected_requests() {
    let mock = mock();
    add(
        &mock,
        "\
- method: file.v1.FileService/UploadFile
  match: {contains: [{filename: a.txt}, {isLast: true}]}
  response: {message: {status: 'two chunks, {{requests.1.chunkIndex}}'}}
",
    );
    let server = start(mock.clone(), ServeOptions::default()).await;
    let channel = Channel::from_shared(format!("http://{}", server.addr()))
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut files = FileServiceClient::new(channel);
    let chunk = |index, last| FileChunk {
        data: b"x".to_vec(),
        filename: "a.txt".into(),
        chunk_index: index,
        is_last: last,
    };
    let answered = files
        .upload_file(tokio_stream::iter(vec![chunk(0, false), chunk(1, true)]))
        .await
        .expect("matched")
        .into_inner();
    assert_eq!(answered.status, "two chunks, 1");
    let unmatched = files
        .upload_file(tokio_stream::iter(vec![chunk(0, false)]))
        .await
        .expect_err("one chunk only");
    assert!(
        unmatched
            .message()
            .ends_with("request: expected 2 items, got 1"),
        "{}",
        unmatched.message()
    );
    server.shutdown().await;
}

/// `google.rpc.Status` and `google.protobuf.Any`, to read
/// `grpc-status-details-bin`.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<RpcAny>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct RpcAny {
    #[prost(string, tag = "1")]
    type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    value: Vec<u8>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_code_message_and_details() {
    use prost::Message;
    let mock = mock();
    add(
        &mock,
        "\
- method: user.v1.UserService/GetUser
  response:
    error:
      code: failed_precondition
      message: 'user {{request.userId}} is locked'
      details:
        - {'@type': type.googleapis.com/user.v1.User, id: '{{request.userId}}', name: locked}
",
    );
    let server = start(mock.clone(), ServeOptions::default()).await;
    let mut client = users(&server).await;
    let status = get_user(&mut client, 9).await.expect_err("an error");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert_eq!(status.message(), "user 9 is locked");
    let details = RpcStatus::decode(status.details()).expect("google.rpc.Status");
    assert_eq!(details.code, Code::FailedPrecondition as i32);
    assert_eq!(details.details.len(), 1);
    assert_eq!(
        details.details[0].type_url,
        "type.googleapis.com/user.v1.User"
    );
    let user =
        protoforge_examples::proto::user::v1::User::decode(details.details[0].value.as_slice())
            .expect("a User");
    assert_eq!(user.name, "locked");
    server.shutdown().await;
}
