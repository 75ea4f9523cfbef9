//! The server's shutdown, as seen by the calls that would otherwise never
//! end: streams end with `UNAVAILABLE` "the server is shutting down", and
//! uploads in progress are discarded.

use tokio::sync::watch;

/// Resolves when the server starts shutting down.
#[derive(Clone, Debug)]
pub struct Shutdown(watch::Receiver<bool>);

/// Starts the shutdown.
#[derive(Debug)]
pub struct ShutdownTrigger(watch::Sender<bool>);

/// A trigger and the signal it fires.
pub fn shutdown_pair() -> (ShutdownTrigger, Shutdown) {
    let (sender, receiver) = watch::channel(false);
    (ShutdownTrigger(sender), Shutdown(receiver))
}

impl ShutdownTrigger {
    /// Tells every holder of the signal.
    pub fn trigger(&self) {
        let _ = self.0.send(true);
    }
}

impl Shutdown {
    /// A signal that never fires (a service used outside a server).
    pub fn never() -> Shutdown {
        let (sender, receiver) = watch::channel(false);
        // The sender is leaked on purpose: with it dropped, `wait` would
        // resolve at once.
        std::mem::forget(sender);
        Shutdown(receiver)
    }

    /// Waits for the shutdown.
    pub async fn wait(&mut self) {
        let _ = self.0.wait_for(|down| *down).await;
    }

    /// The status that ends a call cut short by the shutdown.
    pub fn status() -> tonic::Status {
        tonic::Status::unavailable("the server is shutting down")
    }
}
