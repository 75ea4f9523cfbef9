//! protoforge's library: everything the `protoforge` binary does, usable from
//! tests and build scripts.
//!
//! - [`compat`]: breaking-change detection with buf's rules.
//! - [`compile`]: `.proto` files to descriptor sets, with no `protoc`.
//! - [`format`]: `.proto` files in buf's canonical style (`buf format`).
//! - [`generate`]: prost messages, tonic clients and servers, typed mocks.
//! - [`output`]: writing generated files atomically.
//! - [`scaffold`]: a new service's `.proto`, and stubs that compile from the start.
//! - [`syntax`]: the lossless `.proto` parser (tokens, comments, spans).

pub mod compat;
pub mod compile;
pub mod format;
pub mod generate;
pub mod lint;
pub mod output;
pub mod read;
pub mod scaffold;
pub mod syntax;
pub mod workspace;

pub use compile::{CompileError, Compiled, Compiler, Diagnostic, Limits, Severity};
pub use generate::{Builder, GenerateError, configure};
