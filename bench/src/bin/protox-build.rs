//! `protox-build [-I DIR].. [--include-source-info] -o OUT FILE..`: protox
//! 0.10 as a user of the crate calls it, with no protoforge in between (its
//! own `Compiler`, imports included): the baseline `bench/compile.sh`
//! measures protoforge's front end against.

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Include roots, in lookup order.
    #[arg(short = 'I', long = "include")]
    includes: Vec<String>,
    /// Keep source locations and comments.
    #[arg(long)]
    include_source_info: bool,
    /// Where to write the descriptor set.
    #[arg(short, long)]
    output: String,
    /// Files to compile.
    files: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut compiler = match protox::Compiler::new(&args.includes) {
        Ok(compiler) => compiler,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(1);
        }
    };
    compiler
        .include_imports(true)
        .include_source_info(args.include_source_info);
    if let Err(err) = compiler.open_files(&args.files) {
        eprintln!("error: {err}");
        return ExitCode::from(1);
    }
    if let Err(err) = std::fs::write(&args.output, compiler.encode_file_descriptor_set()) {
        eprintln!("error: {}: {err}", args.output);
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
