//! Writing outputs so that a reader never sees half a file, and a run never
//! leaves half its files.
//!
//! One file ([`write_atomic`]) goes to a temporary file in the target's own
//! directory first and is renamed over the target only once it is complete:
//! a failed or interrupted run leaves the previous file (or nothing) behind.
//!
//! Several files in one directory ([`OutputDir`]: `generate`, `scaffold`)
//! are all or nothing. Every target is resolved first, and a target that a
//! symbolic link would take out of the directory is refused before anything
//! is written. The new contents are then staged in a hidden directory inside
//! the output (so the moves are renames on one filesystem), and moved into
//! place; the files they replace or remove are moved aside first, and moved
//! back if a later move fails. Files of the directory that the run does not
//! name are never touched.

use std::{
    fs, io,
    io::Write,
    path::{Path, PathBuf},
};

/// Why an output file could not be written.
#[derive(Clone, Debug)]
pub struct OutputError {
    /// The file that could not be written.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for OutputError {}

impl From<OutputError> for crate::Diagnostic {
    fn from(err: OutputError) -> Self {
        crate::Diagnostic::error(err.message).with_path(err.path)
    }
}

/// Writes `contents` to `path` atomically: a temporary file beside it, then a
/// rename. The parent directory must exist.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    write_atomic_with(path, |out| out.write_all(contents))
}

/// [`write_atomic`] of what `write` writes, as it writes it: a large output
/// need not be held in memory whole first.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputError> {
    let error = |message: String| OutputError {
        path: path.to_owned(),
        message,
    };
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(error("cannot write output: it is a directory".to_owned()));
        }
        // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`) is written to,
        // never replaced: there is no half-written file to protect.
        Ok(meta) if !meta.is_file() => {
            return fs::File::create(path)
                .and_then(|file| {
                    let mut out = io::BufWriter::new(file);
                    write(&mut out)?;
                    out.flush()
                })
                .map_err(|err| error(format!("cannot write: {err}")));
        }
        _ => {}
    }
    // Through a symbolic link, the file it points at is replaced, not the link.
    let resolved;
    let path = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            resolved = fs::canonicalize(path)
                .map_err(|err| error(format!("cannot resolve the link: {err}")))?;
            resolved.as_path()
        }
        _ => path,
    };
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(error(format!(
            "cannot write output: directory '{}' does not exist",
            parent.display()
        )));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".protoforge-").suffix(".tmp");
    // tempfile creates files readable by their owner only; an output file gets
    // the mode any new file would (0666 less the umask).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder
        .tempfile_in(parent)
        .map_err(|err| error(format!("cannot create a temporary file: {err}")))?;
    let mut out = io::BufWriter::new(temp.as_file_mut());
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|err| error(format!("cannot write: {err}")))?;
    drop(out);
    temp.as_file()
        .sync_all()
        .map_err(|err| error(format!("cannot write: {err}")))?;
    temp.persist(path).map_err(|err| {
        error(format!(
            "cannot rename the temporary file into place: {}",
            err.error
        ))
    })?;
    Ok(())
}

/// Like [`write_atomic`], but leaves the file untouched (and its mtime too)
/// when it already holds `contents`. Returns whether it wrote.
pub fn write_if_changed(path: &Path, contents: &[u8]) -> Result<bool, OutputError> {
    match fs::read(path) {
        Ok(existing) if existing == contents => Ok(false),
        Ok(_) => write_atomic(path, contents).map(|()| true),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            write_atomic(path, contents).map(|()| true)
        }
        Err(err) => Err(OutputError {
            path: path.to_owned(),
            message: format!("cannot read the existing file: {err}"),
        }),
    }
}

/// What a run does to one file of an [`OutputDir`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Change {
    Write(Vec<u8>),
    Remove,
}

/// Whether an [`OutputDir`] may replace existing files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Replace a file whose content differs; leave an identical one (and its
    /// modification time) alone. For generated code.
    ReplaceIfChanged,
    /// Refuse to run, writing nothing, when any target exists. For
    /// scaffolds, which users edit.
    Refuse,
}

/// Files to write into (and remove from) one directory, all or nothing:
/// see the module documentation.
#[derive(Debug)]
pub struct OutputDir {
    root: PathBuf,
    changes: Vec<(PathBuf, Change)>,
}

/// What [`OutputDir::commit`] did, each path below the output directory as
/// the user named it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Committed {
    /// Files written (new or changed).
    pub written: Vec<PathBuf>,
    /// Files left as they were: they already held the content.
    pub unchanged: Vec<PathBuf>,
    /// Files removed.
    pub removed: Vec<PathBuf>,
}

impl OutputDir {
    /// Changes to make below `root`, which is created when missing.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        OutputDir {
            root: root.into(),
            changes: Vec::new(),
        }
    }

    /// The directory written into.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `contents` to `relative` (a path below the root, `/`-separated
    /// components, no `..`).
    pub fn write(&mut self, relative: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.changes
            .push((relative.into(), Change::Write(contents.into())));
    }

    /// Removes `relative` if it exists.
    pub fn remove(&mut self, relative: impl Into<PathBuf>) {
        self.changes.push((relative.into(), Change::Remove));
    }

    /// Makes every change, or none: on an error, the directory is as it was
    /// (and is removed again when this call created it).
    pub fn commit(self, existing: Existing) -> Result<Committed, OutputError> {
        let root = self.root.clone();
        let created_root = fs::symlink_metadata(&root).is_err();
        let result = self.commit_inner(existing);
        if result.is_err() && created_root {
            let _ = fs::remove_dir_all(&root);
        }
        result
    }

    fn commit_inner(self, existing: Existing) -> Result<Committed, OutputError> {
        let error = |path: &Path, message: String| OutputError {
            path: path.to_owned(),
            message,
        };
        // Every name is checked, and every target resolved, before anything
        // is created.
        for (relative, _) in &self.changes {
            check_relative(relative)
                .map_err(|message| error(&self.root.join(relative), message))?;
        }
        if fs::symlink_metadata(&self.root).is_ok_and(|meta| !meta.is_dir() && !meta.is_symlink()) {
            return Err(error(
                &self.root,
                "the output is not a directory".to_owned(),
            ));
        }
        let mut plan = Vec::new();
        let mut committed = Committed::default();
        let mut clashes = Vec::new();
        for (relative, change) in self.changes {
            let shown = self.root.join(&relative);
            let target = resolve_inside(&self.root, &relative)?;
            let current = match fs::symlink_metadata(&target) {
                Ok(meta) if meta.is_dir() => {
                    return Err(error(
                        &shown,
                        "cannot write output: it is a directory".to_owned(),
                    ));
                }
                Ok(meta) if !meta.is_file() => {
                    return Err(error(
                        &shown,
                        "cannot replace a device, pipe or socket in the output directory"
                            .to_owned(),
                    ));
                }
                Ok(_) => Some(fs::read(&target).map_err(|err| {
                    error(&shown, format!("cannot read the existing file: {err}"))
                })?),
                Err(err) if err.kind() == io::ErrorKind::NotFound => None,
                Err(err) => return Err(error(&shown, format!("cannot read: {err}"))),
            };
            match (&change, &current) {
                (Change::Remove, None) => continue,
                (Change::Write(new), Some(old)) if new == old => {
                    committed.unchanged.push(shown);
                    continue;
                }
                (Change::Write(_), Some(_)) if existing == Existing::Refuse => {
                    clashes.push(shown);
                    continue;
                }
                _ => {}
            }
            match change {
                Change::Write(_) => committed.written.push(shown.clone()),
                Change::Remove => committed.removed.push(shown.clone()),
            }
            plan.push((shown, target, change, current.is_some()));
        }
        if let Some((first, others)) = clashes.split_first() {
            let also = match others {
                [] => String::new(),
                others => format!(
                    " (and so do {})",
                    others
                        .iter()
                        .map(|p| format!("'{}'", p.display()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(error(
                first,
                format!("the file exists{also}; nothing was written (pass --force to overwrite)"),
            ));
        }
        if plan.is_empty() {
            return Ok(committed);
        }
        fs::create_dir_all(&self.root).map_err(|err| {
            error(
                &self.root,
                format!("cannot create the output directory: {err}"),
            )
        })?;
        let stage = tempfile::Builder::new()
            .prefix(".protoforge-stage-")
            .tempdir_in(&self.root)
            .map_err(|err| {
                error(
                    &self.root,
                    format!("cannot create a staging directory: {err}"),
                )
            })?;
        // Stage the new contents.
        for (i, (shown, _, change, _)) in plan.iter().enumerate() {
            if let Change::Write(contents) = change {
                let staged = stage.path().join(format!("new-{i}"));
                write_new_file(&staged, contents)
                    .map_err(|err| error(shown, format!("cannot write: {err}")))?;
            }
        }
        // Move into place, the old files aside first; undo on a failure.
        let mut done: Vec<(&Path, Option<PathBuf>, bool)> = Vec::new();
        let mut created_dirs: Vec<PathBuf> = Vec::new();
        let mut step = |i: usize,
                        target: &Path,
                        change: &Change,
                        exists: bool|
         -> io::Result<(Option<PathBuf>, bool)> {
            let aside = if exists {
                let aside = stage.path().join(format!("old-{i}"));
                fs::rename(target, &aside)?;
                Some(aside)
            } else {
                None
            };
            if let Change::Write(_) = change {
                if let Some(parent) = target.parent() {
                    create_dirs(parent, &mut created_dirs)?;
                }
                if let Err(err) = fs::rename(stage.path().join(format!("new-{i}")), target) {
                    if let Some(aside) = &aside {
                        let _ = fs::rename(aside, target);
                    }
                    return Err(err);
                }
                return Ok((aside, true));
            }
            Ok((aside, false))
        };
        for (i, (shown, target, change, exists)) in plan.iter().enumerate() {
            match step(i, target, change, *exists) {
                Ok((aside, placed)) => done.push((target, aside, placed)),
                Err(err) => {
                    for (target, aside, placed) in done.into_iter().rev() {
                        if placed {
                            let _ = fs::remove_file(target);
                        }
                        if let Some(aside) = aside {
                            let _ = fs::rename(aside, target);
                        }
                    }
                    for dir in created_dirs.iter().rev() {
                        let _ = fs::remove_dir(dir);
                    }
                    return Err(error(shown, format!("cannot move into place: {err}")));
                }
            }
        }
        Ok(committed)
    }
}

/// A relative path of plain components.
fn check_relative(relative: &Path) -> Result<(), String> {
    let plain = relative.components().count() > 0
        && relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if plain {
        Ok(())
    } else {
        Err("an output name must be a relative path without '..'".to_owned())
    }
}

/// The file `root/relative` stands for, following the symbolic links on the
/// way, refused when one leads out of `root`. Links are followed by their
/// text, a component at a time, so a link to a file not there yet is
/// checked too, and so is every link a link leads through.
fn resolve_inside(root: &Path, relative: &Path) -> Result<PathBuf, OutputError> {
    use std::{ffi::OsString, path::Component};
    let canonical_root = match fs::canonicalize(root) {
        Ok(root) => root,
        // Not there yet: nothing below it can be a link.
        Err(_) => return Ok(root.join(relative)),
    };
    let refuse = |link: &Path, why: &str| OutputError {
        path: root.join(relative),
        message: format!(
            "would be written through a symbolic link to '{}', {why}; nothing was written",
            link.display()
        ),
    };
    let parts = |path: &Path| -> Vec<OsString> {
        path.components()
            .rev()
            .map(|c| c.as_os_str().to_owned())
            .collect()
    };
    let mut pending = parts(relative);
    let mut current = canonical_root.clone();
    let mut link: Option<PathBuf> = None;
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            current.pop();
        } else if part != "." {
            current.push(&part);
        }
        if !current.starts_with(&canonical_root) {
            let link = link.clone().unwrap_or_else(|| current.clone());
            return Err(refuse(&link, "outside the output directory"));
        }
        if !fs::symlink_metadata(&current).is_ok_and(|meta| meta.file_type().is_symlink()) {
            continue;
        }
        links += 1;
        let target = fs::read_link(&current).map_err(|err| OutputError {
            path: root.join(relative),
            message: format!("cannot read the link: {err}"),
        })?;
        if links > 40 {
            return Err(refuse(&target, "one of more than 40 links in a row"));
        }
        current.pop();
        if target.is_absolute() {
            // Inside the root only if it names it, as given or resolved.
            let absolute_root = std::path::absolute(root).unwrap_or_else(|_| root.to_owned());
            let below = target
                .strip_prefix(&canonical_root)
                .or_else(|_| target.strip_prefix(&absolute_root))
                .map_err(|_| refuse(&target, "outside the output directory"))?;
            current = canonical_root.clone();
            pending.extend(parts(below));
        } else {
            pending.extend(parts(&target).into_iter().filter(|part| {
                Path::new(part)
                    .components()
                    .all(|c| !matches!(c, Component::RootDir))
            }));
        }
        link = Some(target);
    }
    Ok(current)
}

/// Creates `dir` and its missing parents, recording the ones it created.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut at = dir;
    while !at.as_os_str().is_empty() && !at.exists() {
        missing.push(at.to_owned());
        match at.parent() {
            Some(parent) => at = parent,
            None => break,
        }
    }
    for dir in missing.into_iter().rev() {
        fs::create_dir(&dir)?;
        created.push(dir);
    }
    Ok(())
}

/// Writes a new file with the mode any new file gets, synced to disk.
fn write_new_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.bin");
        write_atomic(&path, b"one").expect("first write");
        write_atomic(&path, b"two").expect("second write");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("out.bin")]);
    }

    #[test]
    fn missing_directory_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("missing/out.bin");
        let err = write_atomic(&path, b"x").expect_err("must fail");
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert!(!dir.path().join("missing").exists());
    }

    #[test]
    fn devices_are_written_to_not_replaced() {
        write_atomic(Path::new("/dev/null"), b"discarded").expect("write to /dev/null");
        let meta = fs::metadata("/dev/null").expect("stat");
        assert!(!meta.is_file(), "/dev/null must stay a device");
    }

    #[test]
    fn links_are_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.bin");
        let link = dir.path().join("link.bin");
        fs::write(&real, b"old").expect("write");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_atomic(&link, b"new").expect("write through link");
        assert!(
            fs::symlink_metadata(&link)
                .expect("stat")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).expect("read"), b"new");
    }

    #[test]
    fn unchanged_content_is_not_rewritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.rs");
        assert!(write_if_changed(&path, b"a").expect("write"));
        assert!(!write_if_changed(&path, b"a").expect("same"));
        assert!(write_if_changed(&path, b"b").expect("changed"));
    }
}
