//! The dynamic mock server behind `protoforge mock serve`: any schema on
//! real gRPC, answered from stubs, with no generated code.
//!
//! It takes a [`prost_reflect::DescriptorPool`] (and the encoded
//! `FileDescriptorSet` it came from, for server reflection) and knows
//! nothing of compiling: the CLI compiles the schema and hands it over.
//!
//! - [`stub`]: the stub format, checked against the schema with located
//!   errors;
//! - [`Mock`] (`store`): the stubs, how they are chosen, call counts, the
//!   journal, `verify`;
//! - `matching`: canonical-JSON matching and the fields an unmatched call
//!   differed in;
//! - `template`: `{{request.field}}` echoes in responses;
//! - `service`: one tower service for every method, on tonic's own
//!   unary/streaming machinery with a codec of dynamic messages;
//! - `admin`: the HTTP/JSON admin API;
//! - [`serve`]: everything on TCP, with reflection, health, stub reloads
//!   and graceful shutdown.
//!
//! ```no_run
//! # async fn run(pool: prost_reflect::DescriptorPool, encoded: Vec<u8>) -> Result<(), Box<dyn std::error::Error>> {
//! use protoforge_runtime::dynamic::{Mock, ServeOptions, load_stubs, serve};
//!
//! let mock = Mock::new(pool, encoded);
//! let stubs = vec!["stubs".into()];
//! mock.set_file_stubs(load_stubs(&stubs, mock.pool()).map_err(|e| e[0].clone())?);
//! let grpc = tokio::net::TcpListener::bind("127.0.0.1:50051").await?;
//! let admin = tokio::net::TcpListener::bind("127.0.0.1:50052").await?;
//! let options = ServeOptions { stub_paths: stubs, ..ServeOptions::default() };
//! let server = serve(mock, grpc, Some(admin), options).await?;
//! // ...
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod admin;
mod locate;
mod matching;
mod serve;
mod service;
mod store;
pub mod stub;
mod template;

pub use serve::{DynamicServer, ReloadReport, ServeOptions, load_stubs, serve, stub_files};
pub use store::{JOURNAL_LIMIT, JournalEntry, Mock, StubInfo, Unmet};
pub use stub::{Format, Stub, StubError, parse_stubs};
