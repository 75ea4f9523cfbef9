//! `fdsdiff A.binpb B.binpb`: compares two descriptor sets file by file (source
//! locations order-normalised) and prints `identical N/M files`, then one line
//! per file that differs. Exits 0 when every file is identical, 1 otherwise.

use std::process::ExitCode;

use protoforge_bench::descriptor_set::{compare, normalise};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [first, second] = args.as_slice() else {
        eprintln!("usage: fdsdiff FIRST.binpb SECOND.binpb");
        return ExitCode::from(2);
    };
    let load = |path: &str| {
        std::fs::read(path)
            .map_err(|err| format!("{path}: {err}"))
            .and_then(|bytes| normalise(&bytes).map_err(|err| format!("{path}: {err}")))
    };
    let (first_files, second_files) = match (load(first), load(second)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(err), _) | (_, Err(err)) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let comparison = compare(&first_files, &second_files);
    let total = first_files.len().max(second_files.len());
    println!("identical {}/{} files", comparison.identical.len(), total);
    for name in &comparison.different {
        println!("different: {name}");
    }
    for name in &comparison.only_in_first {
        println!("only in {first}: {name}");
    }
    for name in &comparison.only_in_second {
        println!("only in {second}: {name}");
    }
    if comparison.identical.len() == total {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
