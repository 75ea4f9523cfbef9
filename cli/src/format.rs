//! `protoforge format`: `.proto` files in buf's canonical style, the bytes
//! `buf format` writes.

use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::Args;
use protoforge_codegen::{Diagnostic, format, output, walk};

/// Format .proto files as `buf format` does, byte for byte.
///
/// Each PATH is a .proto file, a directory (every .proto file below it, in
/// sorted order) or `-` (standard input). Without -w, -d or -o, the
/// formatted files are printed on standard output.
///
/// A file that does not parse is left untouched and its error printed
/// (exit 1); the other files are still formatted. Rewrites (-w, -o) are
/// atomic: a temporary file beside the target, renamed over it when complete.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct FormatArgs {
    /// .proto files, directories, or `-` for standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Rewrite the files in place.
    #[arg(short = 'w', long = "write")]
    write: bool,
    /// Print a unified diff of the changes instead of the formatted files.
    #[arg(short = 'd', long = "diff")]
    diff: bool,
    /// Exit with 100 when a file is not formatted.
    #[arg(long)]
    exit_code: bool,
    /// Write the formatted output to OUT: a file when the input is one file,
    /// else a directory mirroring the input's tree.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "OUT",
        conflicts_with = "write"
    )]
    output: Option<PathBuf>,
}

const AFTER_HELP: &str = "\
Exit codes:
  0    success
  1    a file does not parse or cannot be read or written
  2    a usage error
  100  with --exit-code: a file is not formatted

In CI, `protoforge format -d --exit-code` fails when a file is not formatted
and shows the change, as `buf format -d --exit-code` does.";

/// One input: where it is read from and how it is named in the output.
struct Input {
    /// `None` for standard input.
    path: Option<PathBuf>,
    /// The path relative to the PATH argument, for `-o DIR`.
    relative: PathBuf,
}

pub fn run(args: &FormatArgs) -> ExitCode {
    let mut inputs = Vec::new();
    let mut failed = false;
    for path in &args.paths {
        if path.as_os_str() == "-" {
            inputs.push(Input {
                path: None,
                relative: PathBuf::from("stdin.proto"),
            });
        } else if path.is_dir() {
            // A directory that cannot be walked whole is an error, not a
            // silently shorter list.
            match walk::protos_below(path) {
                Ok(found) => inputs.extend(found.into_iter().map(|(_, file)| Input {
                    relative: file.strip_prefix(path).unwrap_or(&file).to_owned(),
                    path: Some(file),
                })),
                Err(err) => {
                    eprintln!("{}", Diagnostic::from_message(err.to_string()));
                    failed = true;
                }
            }
        } else if path.is_file() {
            inputs.push(Input {
                relative: PathBuf::from(path.file_name().unwrap_or_default()),
                path: Some(path.clone()),
            });
        } else {
            eprintln!(
                "{}",
                Diagnostic::from_message(format!("{}: no such file or directory", path.display()))
            );
            failed = true;
        }
    }
    let to_file = args
        .output
        .as_ref()
        .filter(|_| inputs.len() == 1 && args.paths.len() == 1 && !args.paths[0].is_dir());
    let mut changed = false;
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    for input in &inputs {
        let name = input
            .path
            .as_ref()
            .map_or_else(|| PathBuf::from("-"), Clone::clone);
        let source = match read(input.path.as_deref()) {
            Ok(source) => source,
            Err(message) => {
                eprintln!(
                    "{}",
                    Diagnostic::from_message(format!("{}: {message}", name.display()))
                );
                failed = true;
                continue;
            }
        };
        let formatted = match format::format(&source) {
            Ok(formatted) => formatted,
            Err(error) => {
                eprintln!(
                    "{}",
                    error.to_diagnostic(&name, &source).render_with_frame()
                );
                failed = true;
                continue;
            }
        };
        let differs = formatted != source;
        changed |= differs;
        if args.diff && differs {
            let _ = stdout.write_all(unified_diff(&name, &source, &formatted).as_bytes());
        }
        let target = match (&args.output, input.path.as_ref()) {
            (Some(out), _) if to_file.is_some() => Some(out.clone()),
            (Some(out), _) => Some(out.join(&input.relative)),
            (None, Some(path)) if args.write => differs.then(|| path.clone()),
            _ => None,
        };
        if let Some(target) = target {
            if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty())
                && let Err(err) = std::fs::create_dir_all(parent)
            {
                eprintln!(
                    "{}",
                    Diagnostic::from_message(format!("{}: {err}", parent.display()))
                );
                failed = true;
                continue;
            }
            if let Err(err) = output::write_atomic(&target, formatted.as_bytes()) {
                eprintln!("{}", Diagnostic::from(err));
                failed = true;
            }
        } else if !args.diff && !args.write && args.output.is_none() {
            let _ = stdout.write_all(formatted.as_bytes());
        }
    }
    let _ = stdout.flush();
    if failed {
        ExitCode::FAILURE
    } else if args.exit_code && changed {
        ExitCode::from(100)
    } else {
        ExitCode::SUCCESS
    }
}

fn read(path: Option<&Path>) -> Result<String, String> {
    let mut bytes = Vec::new();
    match path {
        Some(path) => {
            bytes = std::fs::read(path).map_err(|err| format!("cannot read: {err}"))?;
        }
        None => {
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|err| format!("cannot read standard input: {err}"))?;
        }
    }
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_owned())
}

/// The diff `buf format -d` prints: `diff -u` of `NAME.orig` and `NAME`,
/// the file named as buf names it.
fn unified_diff(name: &Path, before: &str, after: &str) -> String {
    let name = shown_name(name).display().to_string();
    let orig = format!("{name}.orig");
    let header = format!("diff -u {orig} {name}\n");
    let diff = format::unified_diff(before, after, &orig, &name);
    header + &diff
}

/// A file's name as buf prints it in a diff: an absolute path cleaned, a
/// relative one cleaned and taken from the current directory (`./a.proto`
/// is `a.proto`; `../dir/a.proto`, run inside `dir`, is `a.proto` too).
fn shown_name(path: &Path) -> PathBuf {
    use std::path::Component;
    fn clean(path: &Path) -> Vec<Component<'_>> {
        let mut parts: Vec<Component<'_>> = Vec::new();
        for part in path.components() {
            match part {
                Component::CurDir => {}
                Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                    parts.pop();
                }
                Component::ParentDir if matches!(parts.last(), Some(Component::RootDir)) => {}
                part => parts.push(part),
            }
        }
        parts
    }
    let Ok(cwd) = std::env::current_dir() else {
        return path.to_owned();
    };
    if path.is_absolute() || path == Path::new("-") {
        return clean(path).iter().collect();
    }
    let joined = cwd.join(path);
    let (file, here) = (clean(&joined), clean(&cwd));
    let common = file.iter().zip(&here).take_while(|(a, b)| a == b).count();
    let mut shown: PathBuf = here[common..]
        .iter()
        .map(|_| Component::ParentDir)
        .collect();
    shown.extend(&file[common..]);
    shown
}
