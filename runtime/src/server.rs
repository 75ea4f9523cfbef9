//! Serving mocks on real TCP, for clients in other processes or languages.

use std::{io, net::SocketAddr};

use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::Routes;

/// A running server; dropping it stops it.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
}

impl MockServer {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, for `Channel::from_shared` or another language's client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting calls, lets the ones in flight finish, and waits.
    pub async fn shutdown(mut self) -> Result<(), tonic::transport::Error> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Serves `routes` (one or several services: `Routes::new(a).add_service(b)`)
/// on `addr`, in a background task of the current tokio runtime.
pub async fn serve(routes: Routes, addr: SocketAddr) -> io::Result<MockServer> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (shutdown, stop) = oneshot::channel::<()>();
    let task = tokio::spawn(
        tonic::transport::Server::builder()
            .add_routes(routes)
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                let _ = stop.await;
            }),
    );
    Ok(MockServer {
        addr,
        shutdown: Some(shutdown),
        task: Some(task),
    })
}

/// Serves `routes` on a free port of 127.0.0.1.
pub async fn serve_ephemeral(routes: Routes) -> io::Result<MockServer> {
    serve(routes, SocketAddr::from(([127, 0, 0, 1], 0))).await
}
