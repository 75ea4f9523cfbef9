//! Writing outputs so that a reader never sees half a file.
//!
//! Every file protoforge writes goes to a temporary file in the target's own
//! directory first and is renamed over the target only once it is complete:
//! a failed or interrupted run leaves the previous file (or nothing) behind.

use std::{
    fs, io,
    io::Write,
    path::{Path, PathBuf},
};

/// Why an output file could not be written.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct OutputError {
    /// The file that could not be written.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl From<OutputError> for crate::Diagnostic {
    fn from(err: OutputError) -> Self {
        crate::Diagnostic::error(err.message).with_path(err.path)
    }
}

/// Writes `contents` to `path` atomically: a temporary file beside it, then a
/// rename. The parent directory must exist.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
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
            return fs::write(path, contents).map_err(|err| error(format!("cannot write: {err}")));
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
    temp.write_all(contents)
        .and_then(|()| temp.as_file().sync_all())
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
