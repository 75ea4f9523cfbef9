//! `protoforge lint`: buf's lint rules, buf-compatible.

use std::process::ExitCode;

use clap::Args;
use protoforge_codegen::{
    Diagnostic,
    compat::{
        finding::normalize,
        input::Input,
        output::{self, Format},
    },
    lint,
};

use crate::report;

/// Report what breaks buf's lint rules in each INPUT, with buf's rule IDs,
/// categories, configuration, messages and locations.
///
/// An INPUT is what `protoforge breaking` takes: a directory (its buf.yaml,
/// version v1beta1, v1 or v2, decides the rules and the roots), a descriptor
/// set image (.binpb/.pb/.bin or .json; build it with source info for
/// locations and comments), or a git reference such as `.git#branch=main`
/// or `.git#ref=HEAD~1,subdir=proto`. The default is the current directory.
///
/// The rules come from --config, else the `lint:` block of the buf.yaml of
/// INPUT, else buf's default (the STANDARD category of config v1). Only the
/// input's own files are linted, not their imports. A
/// `// buf:lint:ignore RULE` comment above an element silences RULE there
/// when the configuration allows it (v2 by default; v1 and v1beta1 with
/// `allow_comment_ignores: true`).
#[derive(Debug, Args)]
#[command(after_help = LINT_EXIT_CODES)]
pub struct LintArgs {
    /// The schemas to lint.
    #[arg(default_value = ".")]
    inputs: Vec<String>,
    /// A buf.yaml to use instead of the one of each INPUT (a path, or
    /// YAML/JSON data).
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
    /// text, json, github-actions, junit, msvs, gitlab-code-quality, sarif,
    /// or config-ignore-yaml (the `lint:` block whose `ignore_only` silences
    /// every finding: how to adopt lint on an existing schema).
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    error_format: String,
    /// Lint only the files under this path (repeatable): a path on disk
    /// inside a directory INPUT, a path in the tree for a git reference, a
    /// file name for an image.
    #[arg(long = "path", value_name = "PATH")]
    paths: Vec<String>,
    /// Leave out the files under this path (repeatable), as --path names
    /// them.
    #[arg(long = "exclude-path", value_name = "PATH")]
    exclude_paths: Vec<String>,
}

const LINT_EXIT_CODES: &str = "\
Exit codes:
  0    no finding
  100  findings (as buf)
  1    a schema, input or configuration error, or a rule protoforge cannot
       check as buf does on this schema (PROTOVALIDATE on CEL expressions,
       examples, predefined or message rules)
  2    a usage error";

const FORMATS: &str =
    "text, json, github-actions, junit, msvs, gitlab-code-quality, sarif or config-ignore-yaml";

pub fn run(args: &LintArgs) -> ExitCode {
    let format = match args.error_format.as_str() {
        "config-ignore-yaml" => None,
        name => match Format::parse(name) {
            Some(format) => Some(format),
            None => {
                eprintln!("error: invalid --error-format '{name}': use {FORMATS}");
                return ExitCode::from(2);
            }
        },
    };
    match check(args) {
        Ok(linted) => {
            let mut findings = Vec::new();
            for one in &linted {
                match format {
                    Some(_) => findings.extend(one.shown_findings()),
                    None => findings.extend(one.findings.iter().cloned()),
                }
            }
            normalize(&mut findings);
            match format {
                Some(format) => print!("{}", output::render(&findings, format)),
                None => print!("{}", lint::config_ignore_yaml(&findings)),
            }
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

fn check(args: &LintArgs) -> Result<Vec<lint::Linted>, Vec<Diagnostic>> {
    let config = match &args.config {
        None => None,
        Some(value) => Some(
            protoforge_codegen::compat::Config::from_flag(value)
                .map_err(|err| vec![Diagnostic::from_message(err.to_string())])?,
        ),
    };
    let options = lint::Options {
        config,
        paths: args.paths.clone(),
        exclude_paths: args.exclude_paths.clone(),
    };
    args.inputs
        .iter()
        .map(|input| {
            let input = Input::parse(input).map_err(|e| e.diagnostics())?;
            lint::run(&input, &options).map_err(|e| e.diagnostics())
        })
        .collect()
}
