//! In-process transports: a tonic client talking to a tonic server with no
//! socket in between.
//!
//! - [`channel`]: a real `tonic::transport::Channel`, connected through
//!   `Endpoint::connect_with_connector` to an HTTP/2 server on the other end
//!   of an in-memory `tokio::io::duplex` stream. Code written against
//!   `FooClient<Channel>` is tested unchanged; every byte goes through
//!   HTTP/2 framing and gRPC encoding as on the network.
//! - [`InProcess`]: the client's transport is the server itself (no HTTP/2),
//!   for `FooClient<InProcess<FooServer<T>>>`.
//!
//! The server side of both enforces the deadline a client sets with
//! `Request::set_timeout` as a gRPC server does, with `DEADLINE_EXCEEDED`
//! (tonic's own server answers `CANCELLED`). On a `Channel`, tonic's client
//! also stops the call at its deadline (`CANCELLED`, "Timeout expired"),
//! whichever comes first, as on the network.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use hyper_util::rt::{TokioExecutor, TokioIo};
use tonic::{
    Status,
    body::Body,
    service::Routes,
    transport::{Channel, Endpoint, Uri},
};
use tower_service::Service;

/// How much one direction of the in-memory stream buffers.
const DUPLEX_BUFFER: usize = 64 * 1024;

/// A `Channel` connected in memory to `routes` (one server:
/// `Routes::new(FooServer::new(x))`, or several with `.add_service(..)`).
/// It connects lazily, so it is made without `.await`, but it must be made
/// and used inside a tokio runtime. The server lives as long as the
/// channel's connection.
pub fn channel(routes: Routes) -> Channel {
    Endpoint::from_static("http://in-memory.protoforge")
        .connect_with_connector_lazy(MemoryConnector { routes })
}

/// Each connection: a fresh duplex stream, its server end served over HTTP/2
/// in a task of its own.
#[derive(Clone, Debug)]
struct MemoryConnector {
    routes: Routes,
}

impl Service<Uri> for MemoryConnector {
    type Response = TokioIo<tokio::io::DuplexStream>;
    type Error = std::io::Error;
    type Future = std::future::Ready<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: Uri) -> Self::Future {
        let (client, server) = tokio::io::duplex(DUPLEX_BUFFER);
        let service =
            hyper_util::service::TowerToHyperService::new(InProcess::new(self.routes.clone()));
        tokio::spawn(async move {
            // The connection ends when the channel drops it; an error here
            // is the client's, and it sees it.
            let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(server), service)
                .await;
        });
        std::future::ready(Ok(TokioIo::new(client)))
    }
}

/// Wraps a tonic server (itself a `GrpcService`) so that a generated client
/// can use it as its transport: `FooClient::new(InProcess::new(FooServer::new(mock)))`.
///
/// A real tonic server enforces the deadline a client sets with
/// `Request::set_timeout` (the `grpc-timeout` header); so does this, answering
/// `DEADLINE_EXCEEDED` when the handler does not answer in time.
#[derive(Clone, Debug)]
pub struct InProcess<S> {
    inner: S,
}

impl<S> InProcess<S> {
    /// Wraps `server`.
    pub fn new(server: S) -> Self {
        InProcess { inner: server }
    }

    /// The wrapped server.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B> Service<http::Request<B>> for InProcess<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let deadline = request
            .headers()
            .get("grpc-timeout")
            .and_then(|value| value.to_str().ok())
            .and_then(parse_grpc_timeout);
        let response = self.inner.call(request);
        Box::pin(async move {
            match deadline {
                None => response.await,
                Some(deadline) => match tokio::time::timeout(deadline, response).await {
                    Ok(response) => response,
                    Err(_) => Ok(Status::deadline_exceeded(format!(
                        "deadline of {deadline:?} exceeded"
                    ))
                    .into_http()),
                },
            }
        })
    }
}

/// Parses a `grpc-timeout` value: at most 8 digits and a unit (`H`, `M`, `S`,
/// `m`, `u`, `n`), as the gRPC HTTP/2 protocol defines it.
fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount * 3600),
        "M" => Duration::from_secs(amount * 60),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_values() {
        assert_eq!(parse_grpc_timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(parse_grpc_timeout("2S"), Some(Duration::from_secs(2)));
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("5n"), Some(Duration::from_nanos(5)));
        assert_eq!(parse_grpc_timeout("123456789S"), None, "at most 8 digits");
        assert_eq!(parse_grpc_timeout("S"), None);
        assert_eq!(parse_grpc_timeout("10x"), None);
        assert_eq!(parse_grpc_timeout(""), None);
    }
}
