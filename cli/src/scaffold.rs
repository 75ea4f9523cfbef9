//! `protoforge new service` and `protoforge scaffold`: a new service in two
//! commands.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::{Args, Subcommand};
use protoforge_codegen::{
    Compiler, Diagnostic,
    scaffold::{NewService, ProtoforgeSource, Scaffold, ScaffoldError, write_files},
};

use crate::report;

/// Create something new.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    Service(NewServiceArgs),
}

/// Write the .proto file of a new service.
///
/// Follows the conventions buf lint checks by default: a versioned package
/// (billing.v1), the file in the package's directory below the proto root,
/// one request and one response message per rpc named after it, and doc
/// comments to fill in. The file compiles with protoforge, protoc and buf
/// and passes `buf lint`.
///
/// Example: protoforge new service billing.v1.InvoiceService --rpc GetInvoice
/// --rpc WatchInvoices:server-stream
#[derive(Debug, Args)]
#[command(after_help = NEW_EXIT_CODES)]
pub struct NewServiceArgs {
    /// The service's full name: <package>.<Service>, such as
    /// billing.v1.InvoiceService.
    name: String,
    /// An rpc: NAME[:unary|server-stream|client-stream|bidi] (repeatable;
    /// default: one unary Get<Name>).
    #[arg(long = "rpc", value_name = "NAME[:KIND]")]
    rpcs: Vec<String>,
    /// The root the package directories start from.
    #[arg(long, value_name = "DIR", default_value = "proto")]
    proto_root: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

/// Write Rust stubs for the services of .proto files: an implementation of
/// each generated server trait whose methods answer UNIMPLEMENTED (streaming
/// types wired), a `serve()` with health checks and server reflection, and a
/// test per service that calls every rpc once in process.
///
/// With --crate, a whole crate around them (Cargo.toml, build.rs on
/// protoforge_codegen::configure(), src/main.rs) that `cargo build` and
/// `cargo test` accept as written. Without it, modules that expect the
/// generated code at `crate::proto` and live at the crate root.
///
/// Never overwrites a file unless --force is given; lists what it wrote.
#[derive(Debug, Args)]
#[command(after_help = SCAFFOLD_EXIT_CODES)]
pub struct ScaffoldArgs {
    /// .proto files or directories whose services to scaffold.
    #[arg(value_name = "PROTO_OR_DIR", required = true)]
    paths: Vec<PathBuf>,
    /// Add an include root (repeatable; searched in order).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    includes: Vec<PathBuf>,
    /// Only this service, by name or full name (repeatable; default: all).
    #[arg(long = "service", value_name = "NAME")]
    services: Vec<String>,
    /// Where to write.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Write a whole crate of this name.
    #[arg(long = "crate", value_name = "NAME")]
    crate_name: Option<String>,
    /// Take protoforge-codegen and protoforge-runtime from this protoforge
    /// checkout (a clone of protoforge) [default: the checkout this binary
    /// was built from; an error when it is gone].
    #[arg(long, value_name = "DIR")]
    protoforge_path: Option<PathBuf>,
    /// Overwrite existing files.
    #[arg(long, conflicts_with = "update")]
    force: bool,
    /// Update a scaffold written before: add the stubs (and tests) of rpcs
    /// added to the schema since, and the files of new services, without
    /// touching what is written (server.rs is not changed: register a new
    /// service there yourself).
    #[arg(long)]
    update: bool,
}

const NEW_EXIT_CODES: &str = "\
Exit codes:
  0  success (the file written is listed on stdout)
  1  the file exists (without --force), or it cannot be written
  2  a usage error: a name that is not a valid proto identifier or breaks
     buf lint's conventions";

const SCAFFOLD_EXIT_CODES: &str = "\
Exit codes:
  0  success (the files written are listed on stdout)
  1  a schema or input error, services whose Rust names collide, files that
     exist (without --force), or an output error; nothing is written
  2  a usage error: an unknown --service, a bad crate name, or a
     --protoforge-path that is not a protoforge checkout";

pub fn run_new(command: &NewCommand) -> ExitCode {
    let NewCommand::Service(args) = command;
    let result = NewService::parse(&args.name, &args.rpcs)
        .map(|service| service.proto_file(&args.proto_root))
        .and_then(|file| write_files(&args.proto_root, std::slice::from_ref(&file), args.force));
    let written = match result {
        Ok(written) => written,
        Err(err) => return fail(&err),
    };
    // What was written must compile: check it as a user's next build would.
    if let Err(err) = Compiler::new().include(&args.proto_root).compile(&written) {
        report::print(err.diagnostics());
        return ExitCode::from(1);
    }
    print_written(&written);
    ExitCode::SUCCESS
}

pub fn run_scaffold(args: &ScaffoldArgs) -> ExitCode {
    let compiled = match Compiler::new()
        .includes(args.includes.iter().cloned())
        .include_source_info(true)
        .compile(&args.paths)
    {
        Ok(compiled) => compiled,
        Err(err) => {
            report::print(err.diagnostics());
            return ExitCode::from(1);
        }
    };
    let mut scaffold = Scaffold::new();
    // Only a crate names protoforge's crates as dependencies.
    if args.crate_name.is_some() || args.protoforge_path.is_some() {
        match protoforge_source(args.protoforge_path.as_deref()) {
            Ok(source) => scaffold = scaffold.protoforge_source(source),
            Err(err) => return fail(&err),
        }
    }
    for service in &args.services {
        scaffold = scaffold.service(service);
    }
    if let Some(name) = &args.crate_name {
        scaffold = scaffold.crate_name(name);
    }
    let result = if args.update {
        scaffold
            .update_files(&compiled, &args.paths, &args.includes, &args.out)
            .and_then(|files| write_files(&args.out, &files, true))
    } else {
        scaffold
            .files(&compiled, &args.paths, &args.includes, &args.out)
            .and_then(|files| write_files(&args.out, &files, args.force))
    };
    match result {
        Ok(written) => {
            format_rust(&written);
            print_written(&written);
            if args.crate_name.is_none() {
                eprintln!(
                    "note: the modules expect the generated code at `crate::proto` \
                     (include the file of configure().include_file(\"protos.rs\")) with \
                     `FILE_DESCRIPTOR_SET` beside it, and `mod` lines for each module at the crate root"
                );
            }
            ExitCode::SUCCESS
        }
        Err(err) => fail(&err),
    }
}

fn protoforge_source(path: Option<&Path>) -> Result<ProtoforgeSource, ScaffoldError> {
    match path {
        Some(path) => ProtoforgeSource::checkout(path),
        None => ProtoforgeSource::built_from(),
    }
}

/// Formats the Rust files written with rustfmt, as `cargo fmt` would, so a
/// scaffolded crate passes `cargo fmt --check` from the start. Without
/// rustfmt on the PATH the files stay as generated (valid, unformatted).
fn format_rust(written: &[PathBuf]) {
    let rust: Vec<&PathBuf> = written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    if rust.is_empty() {
        return;
    }
    let formatted = std::process::Command::new("rustfmt")
        .args(["--edition", "2024"])
        .args(&rust)
        .status();
    if !formatted.is_ok_and(|status| status.success()) {
        eprintln!("note: rustfmt did not run; the Rust files are not formatted");
    }
}

fn print_written(written: &[PathBuf]) {
    crate::ui::list("wrote", written);
}

fn fail(err: &ScaffoldError) -> ExitCode {
    let diagnostic = match err {
        ScaffoldError::Output(output) => Diagnostic::from(output.clone()),
        other => Diagnostic::from_message(other.to_string()),
    };
    report::print(&[diagnostic]);
    // A bad name is a usage error; colliding names, files in the way and
    // I/O are input errors.
    match err {
        ScaffoldError::Name(_) => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}
