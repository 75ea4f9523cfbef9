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
    /// Deepest nesting of brackets ({ [ ( <) in one file (at most 1000).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_nesting,
          value_parser = nesting)]
    max_nesting: usize,
    /// Most messages in one compilation, nested ones included.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_messages)]
    max_messages: usize,
    /// Most seconds a compilation may take (checked before each file and
    /// between phases).
    #[arg(long, value_name = "SECONDS", default_value = "600", value_parser = seconds)]
    time_limit: Duration,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_size: self.max_file_size,
            max_files: self.max_files,
            max_nesting: self.max_nesting,
            max_messages: self.max_messages,
            time_limit: Some(self.time_limit),
        }
    }
}

/// A number of seconds: finite, not negative, and small enough for a
/// `Duration` (`NaN`, `-5` and `inf` are usage errors, not "no limit").
fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!(
            "'{text}' is not a number of seconds (a finite number, 0 or more)"
        ));
    }
    Duration::try_from_secs_f64(value).map_err(|_| format!("'{text}' seconds is too long"))
}

/// A nesting limit, at most [`Limits::MAX_NESTING`]: past it, no stack is
/// sized for the parsers' recursion.
fn nesting(text: &str) -> Result<usize, String> {
    let value: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number"))?;
    if value > Limits::MAX_NESTING {
        return Err(format!(
            "{value} is more than {}, the deepest nesting protoforge parses",
            Limits::MAX_NESTING
        ));
    }
    Ok(value)
}
