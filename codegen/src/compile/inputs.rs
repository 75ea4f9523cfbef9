//! Turning the paths a user passes into include roots and files to compile.

use std::path::{Path, PathBuf};

use super::Diagnostic;

/// What to hand to protox: include roots in lookup order, and files to open.
#[derive(Debug)]
pub(crate) struct Inputs {
    pub includes: Vec<PathBuf>,
    pub files: Vec<PathBuf>,
}

/// Expands directories to every `.proto` below them (sorted by their name
/// relative to the directory, as buf sorts) and makes each directory an
/// include root after the explicit ones. With no include root at all, the
/// working directory is one, as with protoc.
pub(crate) fn expand(inputs: &[PathBuf], includes: &[PathBuf]) -> Result<Inputs, Vec<Diagnostic>> {
    let mut roots: Vec<PathBuf> = includes.to_vec();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Ok(meta) if meta.is_dir() => match protos_below(input) {
                Ok(found) if found.is_empty() => errors.push(
                    Diagnostic::error(format!(
                        "directory '{}' contains no .proto files",
                        input.display()
                    ))
                    .with_path(input),
                ),
                Ok(found) => {
                    if !roots.iter().any(|root| same_dir(root, input)) {
                        roots.push(input.clone());
                    }
                    files.extend(found);
                }
                Err(err) => {
                    let path = err.path().unwrap_or(input).to_owned();
                    errors.push(
                        Diagnostic::error(format!(
                            "cannot read '{}': {}",
                            path.display(),
                            walk_reason(&err)
                        ))
                        .with_path(path),
                    );
                }
            },
            Ok(_) => files.push(input.clone()),
            Err(err) => errors.push(
                Diagnostic::error(format!(
                    "cannot read '{}': {}",
                    input.display(),
                    io_reason(&err)
                ))
                .with_path(input),
            ),
        }
    }
    if inputs.is_empty() {
        errors.push(
            Diagnostic::error("no input files")
                .with_help("pass .proto files or directories holding them"),
        );
    }
    // Checked here so that an unreadable file is reported as such, and not as
    // a file outside the include paths (protox canonicalises paths first).
    errors.extend(files.iter().filter_map(|file| {
        std::fs::File::open(file).err().map(|err| {
            Diagnostic::error(format!(
                "cannot read '{}': {}",
                file.display(),
                io_reason(&err)
            ))
            .with_path(file)
        })
    }));
    if !errors.is_empty() {
        return Err(errors);
    }
    if roots.is_empty() {
        roots.push(PathBuf::from("."));
    }
    Ok(Inputs {
        includes: roots,
        files,
    })
}

/// Every `.proto` file below `dir`, sorted by its `/`-separated name relative
/// to `dir`. Symbolic links are followed, to directories too (a tree of links
/// is a common way to assemble a module); a dangling one is reported, not
/// skipped.
fn protos_below(dir: &Path) -> Result<Vec<PathBuf>, walkdir::Error> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(true) {
        let entry = entry?;
        let path = entry.path();
        let is_proto = path.extension().is_some_and(|ext| ext == "proto");
        if is_proto && !entry.file_type().is_dir() {
            let name = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            found.push((name, path.to_owned()));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, path)| path).collect())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => err.to_string(),
    }
}

fn walk_reason(err: &walkdir::Error) -> String {
    match err.io_error() {
        Some(io) => io_reason(io),
        None => err.to_string(),
    }
}
