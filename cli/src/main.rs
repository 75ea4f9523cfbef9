//! `protoforge`: a thin command-line layer over `protoforge-codegen`.
//!
//! Exit codes, for every command:
//! - 0: success;
//! - 1: the schema or an input is bad (every problem is printed on stderr);
//! - 2: the command line is wrong.

mod breaking;
mod build;
mod docs;
mod format;
mod generate;
mod limits;
mod lint;
mod mock;
mod report;
mod scaffold;
mod ui;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A pure-Rust toolchain for Protocol Buffers and gRPC.
#[derive(Debug, Parser)]
#[command(name = "protoforge", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print no list of files written and no progress; errors and warnings
    /// still go to stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
}

const EXIT_CODES: &str = "\
Exit codes (each verb's --help lists its own):
  0    success
  1    a schema or input error (every error is printed on stderr)
  2    a usage error (including names that are not valid proto identifiers)
  100  breaking changes found (breaking, as buf)";

#[derive(Debug, Subcommand)]
enum Command {
    Breaking(breaking::BreakingArgs),
    Build(build::BuildArgs),
    Format(format::FormatArgs),
    Generate(generate::GenerateArgs),
    Lint(lint::LintArgs),
    #[command(subcommand)]
    Mock(mock::MockCommand),
    #[command(subcommand)]
    New(scaffold::NewCommand),
    Scaffold(scaffold::ScaffoldArgs),
    Completions(docs::CompletionsArgs),
    Man(docs::ManArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Compilation recurses once or more per level of nesting; the thread gets
    // the stack the largest nesting `--max-nesting` allows needs.
    let stack = protoforge_codegen::Limits {
        max_nesting: protoforge_codegen::Limits::MAX_NESTING,
        ..Default::default()
    }
    .stack_size();
    std::thread::Builder::new()
        .name("protoforge".to_owned())
        .stack_size(stack)
        .spawn(move || run(cli))
        .ok()
        .and_then(|thread| thread.join().ok())
        .unwrap_or(ExitCode::FAILURE)
}

fn run(cli: Cli) -> ExitCode {
    ui::set_quiet(cli.quiet);
    match cli.command {
        Command::Breaking(args) => breaking::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Format(args) => format::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Mock(command) => mock::run(&command),
        Command::Lint(args) => lint::run(&args),
        Command::New(command) => scaffold::run_new(&command),
        Command::Scaffold(args) => scaffold::run_scaffold(&args),
        Command::Completions(args) => {
            docs::completions(&args, &mut <Cli as clap::CommandFactory>::command())
        }
        Command::Man(args) => docs::man(&args, <Cli as clap::CommandFactory>::command()),
    }
}
