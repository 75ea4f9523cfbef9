//! `protoforge generate`: the code `build.rs` would generate, written into a
//! source tree, for teams that check generated code in.

use std::{path::PathBuf, process::ExitCode};

use clap::Args;
use protoforge_codegen::{Compiler, Diagnostic, configure, generate::write_source_tree};

use crate::{report, ui};

/// Generate prost messages, tonic clients and servers, and (with --mocks)
/// typed mocks into DIR, without protoc.
///
/// Writes one file per protobuf package, named as prost-build names them
/// (`user.v1.rs`), and a `mod.rs` that nests the packages in modules
/// (`pub mod user { pub mod v1 { include!("user.v1.rs"); } }`): add
/// `mod DIR;` to your crate. Only changed files are written; generated files
/// of packages that no longer exist are removed; each is listed. The run is
/// all or nothing: on any error, DIR is as it was. The crate needs prost,
/// tonic and tonic-prost, and protoforge-runtime for mocks.
///
/// PATH may instead be one descriptor set with its imports (an image:
/// `.binpb`, `.pb` or `.bin`, from `protoc --include_imports
/// --descriptor_set_out`, `buf build -o` or `protoforge build`), editions
/// files (2023, 2024) included.
#[derive(Debug, Args)]
#[command(after_help = GENERATE_EXIT_CODES)]
pub struct GenerateArgs {
    /// .proto files and directories (every .proto below them; a directory is
    /// an include root).
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Add an include root (repeatable; searched in order).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    includes: Vec<PathBuf>,
    /// The directory to write into (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also generate a typed mock per service (`foo_mock::MockFoo`).
    #[arg(long)]
    mocks: bool,
    /// Do not generate clients.
    #[arg(long)]
    no_client: bool,
    /// Do not generate servers (and so no mocks).
    #[arg(long)]
    no_server: bool,
    #[command(flatten)]
    limits: crate::limits::LimitArgs,
}

const GENERATE_EXIT_CODES: &str = "\
Exit codes:
  0  success (the files written and removed are listed on stdout)
  1  a schema, input or output error (nothing is written)
  2  a usage error";

pub fn run(args: &GenerateArgs) -> ExitCode {
    match generate(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(diagnostics) => {
            report::print(&diagnostics);
            ExitCode::from(1)
        }
    }
}

/// The image among `paths`, when they are one descriptor set file.
fn image(paths: &[PathBuf]) -> Option<&PathBuf> {
    match paths {
        [path]
            if path.is_file()
                && path
                    .extension()
                    .is_some_and(|e| e == "binpb" || e == "pb" || e == "bin") =>
        {
            Some(path)
        }
        _ => None,
    }
}

fn generate(args: &GenerateArgs) -> Result<(), Vec<Diagnostic>> {
    let builder = configure()
        .build_client(!args.no_client)
        .build_server(!args.no_server)
        .build_mocks(args.mocks);
    if let Some(path) = image(&args.paths) {
        let set = std::fs::read(path).map_err(|err| {
            vec![Diagnostic::from_message(format!(
                "{}: cannot read: {err}",
                path.display()
            ))]
        })?;
        let files = builder
            .generate_descriptor_set(&set)
            .map_err(|err| err.diagnostics())?;
        let committed = write_source_tree(&args.out, &files).map_err(|e| vec![e.into()])?;
        ui::list("wrote", &committed.written);
        ui::list("removed", &committed.removed);
        return Ok(());
    }
    let compiling = ui::Phase::start("compiling");
    let compiled = Compiler::new()
        .includes(args.includes.iter().cloned())
        .include_imports(true)
        .include_source_info(true)
        .limits(args.limits.limits())
        .compile(&args.paths)
        .map_err(|err| err.diagnostics().to_vec())?;
    drop(compiling);
    report::print(compiled.warnings());
    for note in protoforge_codegen::workspace::notes(&args.paths) {
        eprintln!("{note}");
    }
    let generating = ui::Phase::start(format!(
        "generating code for {} files",
        compiled.input_files().len()
    ));
    let files = builder
        .generate(&compiled)
        .map_err(|err| err.diagnostics())?;
    drop(generating);
    let committed = write_source_tree(&args.out, &files).map_err(|e| vec![e.into()])?;
    ui::list("wrote", &committed.written);
    ui::list("removed", &committed.removed);
    Ok(())
}
