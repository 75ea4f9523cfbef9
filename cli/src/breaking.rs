//! `protoforge breaking`: buf's breaking-change check, buf-compatible.

use std::process::ExitCode;

use clap::Args;
use protoforge_codegen::{
    Diagnostic,
    compat::{
        self, Config,
        config::ConfigError,
        input::Input,
        output::{self, Format},
    },
    workspace::Document,
};

use crate::report;

/// Report every breaking change of INPUT against the previous version of the
/// schema, with buf's rules, configuration, messages and locations.
///
/// An INPUT is:
///   - a directory (the .proto files of the modules its buf configuration
///     selects: a v2 buf.yaml or a buf.work.yaml above it, or its own
///     buf.yaml, found as buf finds it; stderr names the configuration when
///     it is not the directory's own),
///   - a descriptor set image: .binpb/.pb/.bin from protoc, buf or
///     `protoforge build`, or .json,
///   - a git reference in buf's form, read from git objects without touching
///     the work tree: `.git#branch=main`, `.git#tag=v1.0.0`,
///     `.git#ref=HEAD~1`, with `,subdir=proto` for a schema below the root.
///
/// The rules come from --config, else each module's breaking block, else
/// buf's default (the FILE category). Schemas protox cannot parse yet
/// (edition = "2023") work through images.
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
    /// Check only the files under this path (repeatable): a path on disk
    /// inside a directory INPUT, a path in the tree for a git reference, a
    /// file name for an image; the same path selects the against files.
    #[arg(long = "path", value_name = "PATH")]
    paths: Vec<String>,
    /// Leave out the files under this path (repeatable), as --path names
    /// them.
    #[arg(long = "exclude-path", value_name = "PATH")]
    exclude_paths: Vec<String>,
    /// A buf.yaml to build the --against input with instead of its own (a
    /// path, or YAML/JSON data); the rules still come from INPUT's side.
    #[arg(long, value_name = "FILE")]
    against_config: Option<String>,
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
    for (flag, value) in [
        ("--config", &args.config),
        ("--against-config", &args.against_config),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            eprintln!("error: {flag} is empty: give a buf.yaml path or YAML data");
            return ExitCode::from(2);
        }
    }
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
    let config_error = |err: ConfigError| vec![Diagnostic::from_message(err.to_string())];
    let config = match &args.config {
        None => None,
        Some(value) => Some(Config::from_flag(value).map_err(config_error)?),
    };
    let against_config = match &args.against_config {
        None => None,
        Some(value) => Some(Document::from_flag(value).map_err(config_error)?),
    };
    let current = Input::parse(&args.input).map_err(|e| e.diagnostics())?;
    let against = Input::parse(&args.against).map_err(|e| e.diagnostics())?;
    let options = compat::Options {
        config,
        against_config,
        exclude_imports: args.exclude_imports,
        limit_to_input_files: args.limit_to_input_files,
        paths: args.paths.clone(),
        exclude_paths: args.exclude_paths.clone(),
        wire_structural: args.wire_structural,
        // Undocumented escape hatch, and the benchmark's reference.
        compare_all: std::env::var_os("PROTOFORGE_BREAKING_COMPARE_ALL").is_some(),
    };
    let (findings, notes) =
        compat::run_with_notes(&current, &against, &options).map_err(|e| e.diagnostics())?;
    for note in notes {
        eprintln!("{note}");
    }
    Ok(findings)
}
