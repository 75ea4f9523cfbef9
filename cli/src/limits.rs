//! The resource limits every command that compiles takes.

use std::time::Duration;

use clap::Args;
use protoforge_codegen::Limits;

/// Limits on what one compilation reads; past one, the command exits 1
/// with an error saying which limit and where.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Largest .proto file, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_size)]
    max_file_size: u64,
    /// Most files in one compilation, imports included.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_files)]
    max_files: usize,
    /// Deepest nesting of brackets ({ [ ( <) in one file.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_nesting)]
    max_nesting: usize,
    /// Most messages in one compilation, nested ones included.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_messages)]
    max_messages: usize,
    /// Most seconds a compilation may take (checked before each file and
    /// between phases).
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    time_limit: f64,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_size: self.max_file_size,
            max_files: self.max_files,
            max_nesting: self.max_nesting,
            max_messages: self.max_messages,
            time_limit: Duration::try_from_secs_f64(self.time_limit).ok(),
        }
    }
}
