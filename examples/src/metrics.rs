//! Monitoring: per-rpc latency and status-code counts, a request id on every
//! call, and a log line per call through `tracing`.
//!
//! [`MetricsLayer`] wraps the whole server. The status of a call is read
//! where gRPC puts it: the response headers for an error before any message,
//! else the trailers at the end of the response stream, so a streaming rpc
//! is counted when it ends.

use std::{
    collections::BTreeMap,
    fmt::Write,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use bytes::Bytes;
use http_body::Frame;
use tonic::{Status, body::Body};
use tower::{Layer, Service};

/// Counts and latencies per rpc and status code.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    calls: Arc<Mutex<BTreeMap<(String, String), Stats>>>,
    next_request: Arc<AtomicU64>,
}

/// What is known of one rpc and status code.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    /// Calls.
    pub count: u64,
    /// Their latencies added up.
    pub total: Duration,
    /// The slowest.
    pub max: Duration,
}

impl Metrics {
    /// A registry with nothing counted.
    pub fn new() -> Self {
        Self::default()
    }

    fn record(&self, path: &str, code: &str, latency: Duration) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let stats = calls.entry((path.to_owned(), code.to_owned())).or_default();
        stats.count += 1;
        stats.total += latency;
        stats.max = stats.max.max(latency);
    }

    /// Every (rpc, status code) counted so far.
    pub fn snapshot(&self) -> BTreeMap<(String, String), Stats> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// One line per rpc and code: `/pkg.Service/Method OK count=3 mean_ms=1.2 max_ms=2.0`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for ((path, code), stats) in self.snapshot() {
            let mean = stats.total.as_secs_f64() * 1000.0 / stats.count.max(1) as f64;
            let _ = writeln!(
                out,
                "{path} {code} count={} mean_ms={mean:.2} max_ms={:.2}",
                stats.count,
                stats.max.as_secs_f64() * 1000.0
            );
        }
        out
    }
}

/// Measures every call of the service it wraps.
#[derive(Debug, Clone)]
pub struct MetricsLayer {
    metrics: Metrics,
}

impl MetricsLayer {
    /// Records into `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        MetricsLayer { metrics }
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MetricsService {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service [`MetricsLayer`] makes.
#[derive(Debug, Clone)]
pub struct MetricsService<S> {
    inner: S,
    metrics: Metrics,
}

/// The header carrying a call's id: kept when the client sends one, made up
/// otherwise, and returned in the response.
pub const REQUEST_ID: &str = "x-request-id";

impl<S, B> Service<http::Request<B>> for MetricsService<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>> + Send,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let started = Instant::now();
        let path = request.uri().path().to_owned();
        let id = match request
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
        {
            Some(id) => id.to_owned(),
            None => {
                let id = format!(
                    "req-{}",
                    self.metrics.next_request.fetch_add(1, Ordering::Relaxed) + 1
                );
                if let Ok(value) = id.parse() {
                    request.headers_mut().insert(REQUEST_ID, value);
                }
                id
            }
        };
        let metrics = self.metrics.clone();
        let response = self.inner.call(request);
        Box::pin(async move {
            let mut response = response.await?;
            if let Ok(value) = id.parse() {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            let call = Finished {
                metrics,
                path,
                id,
                started,
            };
            // An error before any message: the status is in the headers.
            if let Some(code) = response
                .headers()
                .get("grpc-status")
                .and_then(|v| v.to_str().ok())
            {
                call.record(code.parse().unwrap_or(2));
                return Ok(response);
            }
            Ok(response.map(|body| {
                Body::new(Watched {
                    inner: body,
                    call: Some(call),
                })
            }))
        })
    }
}

/// A call whose status is not known yet.
#[derive(Debug)]
struct Finished {
    metrics: Metrics,
    path: String,
    id: String,
    started: Instant,
}

impl Finished {
    fn record(self, code: i32) {
        let code = format!("{:?}", tonic::Code::from_i32(code));
        let latency = self.started.elapsed();
        self.metrics.record(&self.path, &code, latency);
        tracing::info!(request_id = %self.id, rpc = %self.path, code = %code, latency_ms = latency.as_secs_f64() * 1000.0, "rpc");
    }
}

/// A response body that records its call when the trailers go by.
struct Watched {
    inner: Body,
    call: Option<Finished>,
}

impl http_body::Body for Watched {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let frame = Pin::new(&mut self.inner).poll_frame(cx);
        match &frame {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(trailers) = frame.trailers_ref() {
                    let code = trailers
                        .get("grpc-status")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok());
                    if let Some(call) = self.call.take() {
                        call.record(code.unwrap_or(0));
                    }
                }
            }
            // The stream broke off (the client went away): CANCELLED.
            Poll::Ready(Some(Err(_))) | Poll::Ready(None) => {
                if let Some(call) = self.call.take() {
                    call.record(tonic::Code::Cancelled as i32);
                }
            }
            Poll::Pending => {}
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        // Dropped before its end: the client cancelled.
        if let Some(call) = self.call.take() {
            call.record(tonic::Code::Cancelled as i32);
        }
    }
}
