//! `protoforge build`: compile to a descriptor set, like `protoc
//! --descriptor_set_out` and `buf build`.

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, ValueEnum};
use protoforge_codegen::{Compiler, Diagnostic, output};

use crate::report;

/// Compile .proto files into a FileDescriptorSet, without protoc.
///
/// Each PATH is a .proto file or a directory; a directory stands for every
/// .proto file below it (in sorted order) and is an include root itself.
/// The well-known types (google/protobuf/*.proto) are built in.
///
/// The output is written to a temporary file beside FILE and renamed over it
/// only when complete: on any error, no output file is left behind.
#[derive(Debug, Args)]
#[command(after_help = BUILD_EXIT_CODES)]
pub struct BuildArgs {
    /// .proto files and directories to compile.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Add an include root that imports are resolved against (repeatable;
    /// searched in order, before directory inputs).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    includes: Vec<PathBuf>,
    /// Where to write the descriptor set; `-` for stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Also write every imported file, so the output stands alone.
    #[arg(long)]
    include_imports: bool,
    /// Keep source locations and comments in the output.
    #[arg(long)]
    include_source_info: bool,
    /// Output format [default: json when FILE ends in .json, else binpb].
    #[arg(long, value_enum)]
    format: Option<Format>,
    #[command(flatten)]
    limits: crate::limits::LimitArgs,
}

const BUILD_EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  a schema or input error, or an output error (every error on stderr; no
     output written)
  2  a usage error";

/// How the descriptor set is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Binary protobuf, as protoc writes it.
    Binpb,
    /// Canonical protobuf JSON.
    Json,
}

pub fn run(args: &BuildArgs) -> ExitCode {
    let compiled = match Compiler::new()
        .includes(args.includes.iter().cloned())
        .include_imports(args.include_imports)
        .include_source_info(args.include_source_info)
        .limits(args.limits.limits())
        .compile(&args.paths)
    {
        Ok(compiled) => compiled,
        Err(err) => {
            report::print(err.diagnostics());
            return ExitCode::from(1);
        }
    };
    report::print(compiled.warnings());
    for note in protoforge_codegen::workspace::notes(&args.paths) {
        eprintln!("{note}");
    }

    let format = args.format.unwrap_or_else(|| {
        if args.output.extension().is_some_and(|ext| ext == "json") {
            Format::Json
        } else {
            Format::Binpb
        }
    });
    // The binary set is encoded as it is written: its bytes are never all
    // in memory at once.
    let json = (format == Format::Json).then(|| compiled.to_json());
    let write = |out: &mut dyn std::io::Write| match &json {
        Some(json) => out.write_all(json.as_bytes()),
        None => compiled.encode_to(out),
    };
    let written = if args.output.as_os_str() == "-" {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        write(&mut stdout)
            .and_then(|()| std::io::Write::flush(&mut stdout))
            .map_err(|err| output::OutputError {
                path: PathBuf::from("<stdout>"),
                message: format!("cannot write: {err}"),
            })
    } else {
        output::write_atomic_with(&args.output, write)
    };
    if let Err(err) = written {
        report::print(&[Diagnostic::from(err)]);
        return ExitCode::from(1);
    }
    // The process ends here: freeing a schema's pool piece by piece would
    // take a tenth of the run on a large corpus, for nothing.
    std::mem::forget(compiled);
    ExitCode::SUCCESS
}
