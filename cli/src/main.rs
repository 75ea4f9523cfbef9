//! `protoforge`: a thin command-line layer over `protoforge-codegen`.
//!
//! Exit codes, for every command:
//! - 0: success;
//! - 1: the schema or an input is bad (every problem is printed on stderr);
//! - 2: the command line is wrong.

mod breaking;
mod build;
mod generate;
mod limits;
mod lint;
mod report;
mod scaffold;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A pure-Rust toolchain for Protocol Buffers and gRPC.
#[derive(Debug, Parser)]
#[command(name = "protoforge", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  a schema or input error (every error is printed on stderr)
  2  a usage error (including names that are not valid proto identifiers)";

#[derive(Debug, Subcommand)]
enum Command {
    Breaking(breaking::BreakingArgs),
    Build(build::BuildArgs),
    Generate(generate::GenerateArgs),
    Lint(lint::LintArgs),
    #[command(subcommand)]
    New(scaffold::NewCommand),
    Scaffold(scaffold::ScaffoldArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Breaking(args) => breaking::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::New(command) => scaffold::run_new(&command),
        Command::Scaffold(args) => scaffold::run_scaffold(&args),
    }
}
