//! FileService end to end over real TCP: an upload is stored with its size
//! and checksum only when complete; an oversized, malformed, unfinished or
//! cancelled upload leaves nothing in the storage directory; the batch and
//! metrics aggregations.

use std::{path::Path, time::Duration};

use protoforge_examples::{
    files::FileServiceImpl,
    proto::file::v1::{
        FileChunk, MetricData, ProcessRequest, file_service_client::FileServiceClient,
    },
};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Code, transport::Channel};

async fn serve(storage: &Path, max_bytes: u64) -> FileServiceClient<Channel> {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let service = FileServiceImpl::new(storage, max_bytes).expect("storage");
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service.into_server())
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    FileServiceClient::connect(format!("http://{addr}"))
        .await
        .expect("connect")
}

fn chunk(index: i32, data: &[u8], last: bool) -> FileChunk {
    FileChunk {
        data: data.to_vec(),
        filename: if index == 0 {
            "report.txt".into()
        } else {
            String::new()
        },
        chunk_index: index,
        is_last: last,
    }
}

fn stored(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_complete_upload_is_stored_with_its_checksum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = serve(dir.path(), 1024).await;
    let chunks = vec![
        chunk(0, b"hello ", false),
        chunk(1, b"chunked ", false),
        chunk(2, b"world", true),
    ];
    let response = client
        .upload_file(tokio_stream::iter(chunks))
        .await
        .expect("stored")
        .into_inner();
    let expected: String = Sha256::digest(b"hello chunked world")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        (
            response.size,
            response.status.as_str(),
            response.sha256.as_str()
        ),
        (19, "stored", expected.as_str())
    );
    assert_eq!(response.file_id, format!("{}-report.txt", &expected[..16]));
    assert_eq!(stored(dir.path()), std::slice::from_ref(&response.file_id));
    assert_eq!(
        std::fs::read(dir.path().join(&response.file_id)).expect("read"),
        b"hello chunked world"
    );
}

#[tokio::test]
async fn bad_uploads_leave_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = serve(dir.path(), 10).await;
    let cases = [
        (
            vec![chunk(0, b"0123456789", false), chunk(1, b"x", true)],
            Code::ResourceExhausted,
        ),
        (
            vec![chunk(0, b"a", false), chunk(2, b"b", true)],
            Code::InvalidArgument,
        ),
        (
            vec![chunk(0, b"a", false), chunk(1, b"b", false)],
            Code::InvalidArgument,
        ),
        (
            vec![chunk(0, b"a", true), chunk(1, b"b", true)],
            Code::InvalidArgument,
        ),
        (
            vec![FileChunk {
                filename: "../escape".into(),
                ..chunk(0, b"a", true)
            }],
            Code::InvalidArgument,
        ),
        (vec![], Code::InvalidArgument),
    ];
    for (chunks, code) in cases {
        let status = client
            .upload_file(tokio_stream::iter(chunks))
            .await
            .expect_err("refused");
        assert_eq!(status.code(), code, "{status:?}");
    }
    assert_eq!(stored(dir.path()), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_upload_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = serve(dir.path(), 1 << 20).await;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    sender
        .send(chunk(0, b"partial", false))
        .await
        .expect("send");
    let upload = tokio::spawn(async move {
        client
            .upload_file(tokio_stream::wrappers::ReceiverStream::new(receiver))
            .await
    });
    // The first chunk reached the server: a temporary file exists.
    for _ in 0..100 {
        if !stored(dir.path()).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        stored(dir.path()).len(),
        1,
        "a temporary file while uploading"
    );
    upload.abort();
    drop(sender);
    for _ in 0..100 {
        if stored(dir.path()).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(stored(dir.path()), Vec::<String>::new());
}

#[tokio::test]
async fn batch_totals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = serve(dir.path(), 10).await;
    let job = |id: &str, operation: &str, payload: &[u8]| ProcessRequest {
        job_id: id.into(),
        operation: operation.into(),
        payload: payload.to_vec(),
    };
    let jobs = vec![
        job("1", "uppercase", b"abc"),
        job("2", "explode", b"abc"),
        job("3", "reverse", b"\xff"),
        job("4", "length", b"abc"),
    ];
    let batch = client
        .batch_process(tokio_stream::iter(jobs))
        .await
        .expect("batch")
        .into_inner();
    assert_eq!((batch.total, batch.succeeded, batch.failed), (4, 2, 2));
    let reasons: Vec<(&str, &str)> = batch
        .failures
        .iter()
        .map(|f| (f.job_id.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("2", "unknown operation 'explode'"),
            ("3", "the payload is not UTF-8")
        ]
    );
}

#[tokio::test]
async fn metric_statistics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = serve(dir.path(), 10).await;
    let sample = |name: &str, value: f64| MetricData {
        name: name.into(),
        value,
        timestamp_ms: 0,
        labels: Default::default(),
    };
    let samples = vec![
        sample("cpu", 0.5),
        sample("cpu", 1.5),
        sample("mem", 10.0),
        sample("cpu", 1.0),
    ];
    let summary = client
        .collect_metrics(tokio_stream::iter(samples))
        .await
        .expect("summary")
        .into_inner();
    assert_eq!(summary.count, 4);
    let cpu = &summary.metrics["cpu"];
    assert_eq!(
        (cpu.count, cpu.min, cpu.max, cpu.mean, cpu.sum),
        (3, 0.5, 1.5, 1.0, 3.0)
    );
    let status = client
        .collect_metrics(tokio_stream::iter(vec![sample("cpu", f64::NAN)]))
        .await
        .expect_err("not finite");
    assert_eq!(status.code(), Code::InvalidArgument);
}

#[tokio::test]
async fn a_name_too_long_to_store_is_refused_and_the_longest_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = serve(dir.path(), 1024).await;
    let upload = |name: String| {
        vec![FileChunk {
            data: b"x".to_vec(),
            filename: name,
            chunk_index: 0,
            is_last: true,
        }]
    };
    // 255 characters pass a file system's own limit, but not once the
    // stored name adds its hash prefix: refused as the client's mistake.
    for length in [255, 239] {
        let status = client
            .upload_file(tokio_stream::iter(upload("a".repeat(length))))
            .await
            .expect_err("too long");
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        assert_eq!(
            status.message(),
            format!("the file name is {length} bytes long: at most 238")
        );
    }
    assert!(stored(dir.path()).is_empty(), "{:?}", stored(dir.path()));
    let longest = client
        .upload_file(tokio_stream::iter(upload("b".repeat(238))))
        .await
        .expect("the longest name is stored")
        .into_inner();
    assert_eq!(stored(dir.path()), [longest.file_id.as_str()]);
    assert_eq!(longest.file_id.len(), 255);
}
