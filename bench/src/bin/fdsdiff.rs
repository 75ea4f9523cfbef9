//! `fdsdiff [--except PREFIX].. A.binpb B.binpb`: compares two descriptor
//! sets file by file, byte for byte but for the order of source locations,
//! leaving out files whose name starts with a PREFIX (the well-known types,
//! which each compiler bundles in its own version). Prints `identical N/M
//! files`, then one line per file that differs. Exits 0 when every file is
//! identical, 1 otherwise, 2 on bad usage or input.

use std::process::ExitCode;

use protoforge_bench::descriptor_set::{compare, normalise};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut except = Vec::new();
    while args.len() > 2 && args[0] == "--except" {
        except.push(args.remove(1));
        args.remove(0);
    }
    let [first, second] = args.as_slice() else {
        eprintln!("usage: fdsdiff [--except PREFIX].. FIRST.binpb SECOND.binpb");
        return ExitCode::from(2);
    };
    let load = |path: &str| {
        let mut files = std::fs::read(path)
            .map_err(|err| format!("{path}: {err}"))
            .and_then(|bytes| normalise(&bytes).map_err(|err| format!("{path}: {err}")))?;
        files.retain(|file| !except.iter().any(|prefix| file.name.starts_with(prefix)));
        Ok::<_, String>(files)
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
