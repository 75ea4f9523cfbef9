//! protoforge's library: everything the `protoforge` binary does, usable from
//! tests and build scripts.
//!
//! - [`compile`]: `.proto` files to descriptor sets, with no `protoc`.
//! - [`output`]: writing generated files atomically.

pub mod compile;
pub mod output;

pub use compile::{CompileError, Compiled, Compiler, Diagnostic, Severity};
