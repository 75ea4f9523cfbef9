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
//!
//! Cargo features: the default, `generate`, is what a build script needs
//! (the compiler and the generator); `compat` (breaking and lint),
//! `format`, `scaffold` and `json` (`Compiled::to_json`) add what the
//! command-line tool does, each with its dependencies; `prost-types` adds
//! conversions to and from `prost_types` descriptors.

#[cfg(feature = "compat")]
pub mod compat;
pub mod compile;
#[cfg(feature = "format")]
pub mod format;
#[cfg(feature = "generate")]
pub mod generate;
#[cfg(feature = "compat")]
pub mod lint;
pub mod output;
pub mod read;
#[cfg(feature = "scaffold")]
pub mod scaffold;
pub mod syntax;
pub mod walk;
pub mod workspace;
pub mod yaml;

pub use compile::{CompileError, Compiled, Compiler, Diagnostic, Limits, Severity};
#[cfg(feature = "generate")]
pub use generate::{Builder, GenerateError, configure};
