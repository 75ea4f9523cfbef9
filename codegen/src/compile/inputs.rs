//! Turning the paths a user passes into include roots and files to compile.

use std::path::{Path, PathBuf};

use super::Diagnostic;
use crate::{read::check_regular, workspace::Workspace};

/// What to compile: include roots in lookup order, and files to open.
#[derive(Debug)]
pub(crate) struct Inputs {
    pub includes: Vec<PathBuf>,
    pub files: Vec<PathBuf>,
}

/// Expands directories to the `.proto` files of the modules they select
/// (see [`crate::workspace`]: a directory's `buf.yaml` or a workspace above
/// it decides the modules, their roots and excludes; with no configuration
/// the directory is one module) and makes every module root an include root
/// after the explicit ones. A file is taken as protoc takes it: a path on
/// disk first, then a name under each include root; the same file reached
/// both ways is one input. With no include root at all, the working
/// directory is one, as with protoc.
pub(crate) fn expand(inputs: &[PathBuf], includes: &[PathBuf]) -> Result<Inputs, Vec<Diagnostic>> {
    let mut roots: Vec<PathBuf> = includes.to_vec();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Ok(meta) if meta.is_dir() => match directory(input) {
                Ok((_, found)) if found.is_empty() => errors.push(
                    Diagnostic::error(format!(
                        "directory '{}' contains no .proto files",
                        input.display()
                    ))
                    .with_path(input),
                ),
                Ok((module_roots, found)) => {
                    for root in module_roots {
                        if !roots.iter().any(|known| same_path(known, &root)) {
                            roots.push(root);
                        }
                    }
                    files.extend(found);
                }
                Err(diagnostic) => errors.push(*diagnostic),
            },
            Ok(_) => files.push(input.clone()),
            Err(err) => match under_includes(input, includes) {
                Some(found) => files.push(found),
                None => errors.push(
                    Diagnostic::error(format!(
                        "cannot read '{}': {}",
                        input.display(),
                        io_reason(&err)
                    ))
                    .with_path(input),
                ),
            },
        }
    }
    if inputs.is_empty() {
        errors.push(
            Diagnostic::error("no input files")
                .with_help("pass .proto files or directories holding them"),
        );
    }
    // Checked here so that an unreadable file is reported as such, and not as
    // a file outside the include paths;
    // and before anything opens it, since opening a FIFO blocks.
    errors.extend(files.iter().filter_map(|file| {
        check_regular(file).err().map(|err| {
            Diagnostic::error(format!("cannot read '{}': {err}", file.display())).with_path(file)
        })
    }));
    if !errors.is_empty() {
        return Err(errors);
    }
    // One file named twice (on disk and under an include root) is one input.
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(file.canonicalize().unwrap_or_else(|_| file.clone())));
    if roots.is_empty() {
        roots.push(PathBuf::from("."));
    }
    Ok(Inputs {
        includes: roots,
        files,
    })
}

/// A relative input that is not a path on disk, looked up as protoc does:
/// under each include root in order.
fn under_includes(input: &Path, includes: &[PathBuf]) -> Option<PathBuf> {
    if input.is_absolute() {
        return None;
    }
    includes
        .iter()
        .map(|root| root.join(input))
        .find(|path| std::fs::symlink_metadata(path).is_ok())
}

/// The include roots and files of a directory input, its workspace applied.
fn directory(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Box<Diagnostic>> {
    let workspace =
        Workspace::find_dir(dir).map_err(|err| Box::new(Diagnostic::error(err.to_string())))?;
    let listing = workspace
        .list()
        .map_err(|err| Box::new(Diagnostic::error(err.to_string()).with_path(err.path())))?;
    Ok((
        listing.roots,
        listing.files.into_iter().map(|(_, path, _)| path).collect(),
    ))
}

/// Whether `a` and `b` name the same file or directory.
pub(crate) fn same_path(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => err.to_string(),
    }
}
