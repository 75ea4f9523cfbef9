//! `protoforge breaking`: buf's breaking-change check, buf-compatible.

use std::process::ExitCode;

use clap::Args;
use protoforge_codegen::{
    Diagnostic,
    compat::{
        self, Config,
        input::Input,
        output::{self, Format},
    },
};

use crate::report;

/// Report every breaking change of INPUT against the previous version of the
/// schema, with buf's rules, configuration, messages and locations.
///
/// An INPUT is:
///   - a directory (every .proto below it; its buf.yaml, version v1beta1, v1
///     or v2, decides the rules and the roots),
///   - a descriptor set image: .binpb/.pb/.bin from protoc, buf or
///     `protoforge build`, or .json,
///   - a git reference in buf's form, read from git objects without touching
///     the work tree: `.git#branch=main`, `.git#tag=v1.0.0`,
///     `.git#ref=HEAD~1`, with `,subdir=proto` for a schema below the root.
///
/// The rules come from --config, else the buf.yaml of INPUT, else buf's
/// default (the FILE category). Schemas protox cannot parse yet (edition =
/// "2023") work through images.
#[derive(Debug, Args)]
#[command(after_help = BREAKING_EXIT_CODES)]
pub struct BreakingArgs {
    /// The current version of the schema.
    input: String,
    /// The version to compare with.
    #[arg(long, value_name = "INPUT")]
    against: String,
    /// A buf.yaml to use instead of the one of INPUT (a path, or YAML/JSON
    /// data).
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
    /// text, json, github-actions, junit, msvs, gitlab-code-quality or sarif.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    error_format: String,
    /// Check only the inputs' own files, not their imports.
    #[arg(long)]
    exclude_imports: bool,
    /// Check only the files INPUT has.
    #[arg(long)]
    limit_to_input_files: bool,
    /// Also compare changed message and enum types of fields by structure
    /// (protoforge's WIRE_STRUCTURAL check, not a buf rule): reports only
    /// real wire incompatibilities, with the path through the types.
    #[arg(long)]
    wire_structural: bool,
}

const BREAKING_EXIT_CODES: &str = "\
Exit codes:
  0    no breaking change
  100  breaking changes (as buf)
  1    a schema, input or configuration error
  2    a usage error";

pub fn run(args: &BreakingArgs) -> ExitCode {
    let Some(format) = Format::parse(&args.error_format) else {
        eprintln!(
            "error: invalid --error-format '{}': use text, json, github-actions, junit, msvs, gitlab-code-quality or sarif",
            args.error_format
        );
        return ExitCode::from(2);
    };
    match check(args) {
        Ok(findings) => {
            print!("{}", output::render(&findings, format));
            if findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(100)
            }
        }
        Err(diagnostics) => {
            report::print(&diagnostics);
            ExitCode::from(1)
        }
    }
}

fn check(args: &BreakingArgs) -> Result<Vec<compat::Finding>, Vec<Diagnostic>> {
    let config = match &args.config {
        None => None,
        Some(value) => Some(
            load_config(value).map_err(|err| vec![Diagnostic::from_message(err.to_string())])?,
        ),
    };
    let current = Input::parse(&args.input).map_err(|e| e.diagnostics())?;
    let against = Input::parse(&args.against).map_err(|e| e.diagnostics())?;
    let options = compat::Options {
        config,
        exclude_imports: args.exclude_imports,
        limit_to_input_files: args.limit_to_input_files,
        wire_structural: args.wire_structural,
    };
    compat::run(&current, &against, &options).map_err(|e| e.diagnostics())
}

/// A path to a buf.yaml, or its content inline.
fn load_config(value: &str) -> Result<Config, compat::config::ConfigError> {
    match std::fs::read_to_string(value) {
        Ok(text) => Config::parse(&text, value),
        Err(_) => Config::parse(value, "--config"),
    }
}
