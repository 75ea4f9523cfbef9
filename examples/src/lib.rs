//! The article's microservices, built only on code that protoforge generates
//! from `proto/` (see `build.rs`).
//!
//! The services: [`users`], [`notifications`], [`files`], [`chat`],
//! [`orders`] and [`shop`] (inventory and payments); [`auth`], [`metrics`]
//! and [`shutdown`] around them; storage in SQLite ([`users`]) or
//! PostgreSQL ([`postgres`]), notifications and chat messages through a
//! [`feed`] that replicas on one PostgreSQL share; [`server`] puts them
//! together (the `server`, `client` and `dev-cert` binaries use it).

pub mod auth;
pub mod chat;
pub mod feed;
pub mod files;
pub mod metrics;
pub mod notifications;
pub mod orders;
pub mod postgres;
pub mod server;
pub mod shop;
pub mod shutdown;
pub mod users;

/// Generated messages, clients, servers and mocks, one module per package:
/// `proto::user::v1`, `proto::chat::v1`, ...
#[allow(
    clippy::all,
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms
)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/protos.rs"));

    /// The compiled schemas, imports included, for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.binpb"));
}
