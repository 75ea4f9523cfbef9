//! The one way protoforge reads an input file: `.proto` files (named or
//! found in an input directory), images, `buf.yaml`, `buf.work.yaml` and
//! `--config`.
//!
//! A schema comes from any pull request, so a "file" may be a FIFO (whose
//! open blocks forever), a device such as `/dev/zero` (endless), or a
//! symbolic link to one. Only regular files are read, and a file is
//! measured before it is read: its size is checked against the caller's
//! limit on the open handle, and the read itself stops one byte past the
//! limit, so a file that grows meanwhile cannot exhaust memory either.

use std::{
    fs,
    io::{self, Read},
    path::Path,
};

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing at that path.
    NotFound,
    /// A directory, FIFO, socket or device.
    NotRegular(&'static str),
    /// Larger than the limit.
    TooLarge {
        /// Its size (at least; it may have grown).
        len: u64,
        /// The limit.
        limit: u64,
    },
    /// Any other failure (permissions, I/O).
    Io(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file or directory"),
            ReadError::NotRegular(kind) => write!(f, "not a regular file (it is {kind})"),
            ReadError::TooLarge { len, limit } => {
                write!(
                    f,
                    "file is {len} bytes, more than the limit of {limit} bytes"
                )
            }
            ReadError::Io(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ReadError {}

impl ReadError {
    pub(crate) fn from_io(err: &io::Error) -> ReadError {
        match err.kind() {
            io::ErrorKind::NotFound => ReadError::NotFound,
            io::ErrorKind::PermissionDenied => ReadError::Io("permission denied".to_owned()),
            _ => ReadError::Io(err.to_string()),
        }
    }
}

/// What a path that is not a regular file is, for the error.
pub(crate) fn kind_of(meta: &fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Whether `path` (links followed) is a regular file; `Err` says what it is
/// otherwise. Checked before anything opens it: opening a FIFO blocks.
pub(crate) fn check_regular(path: &Path) -> Result<u64, ReadError> {
    let meta = fs::metadata(path).map_err(|err| ReadError::from_io(&err))?;
    if meta.is_file() {
        Ok(meta.len())
    } else {
        Err(ReadError::NotRegular(kind_of(&meta)))
    }
}

/// Reads the regular file at `path` (links followed), at most `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let len = check_regular(path)?;
    if len > limit {
        return Err(ReadError::TooLarge { len, limit });
    }
    let file = fs::File::open(path).map_err(|err| ReadError::from_io(&err))?;
    // The path may have been replaced between the check and the open.
    let meta = file.metadata().map_err(|err| ReadError::from_io(&err))?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|err| ReadError::from_io(&err))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            len: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Reads the regular file at `path` as UTF-8 text, at most `limit` bytes.
/// `Ok(Err(offset))` when it is not UTF-8: the byte offset of the first bad
/// byte.
pub fn read_text_bounded(path: &Path, limit: u64) -> Result<Result<String, usize>, ReadError> {
    let bytes = read_bounded(path, limit)?;
    Ok(String::from_utf8(bytes).map_err(|err| err.utf8_error().valid_up_to()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a");
        fs::write(&file, b"hello").expect("write");
        assert_eq!(read_bounded(&file, 5).expect("read"), b"hello");
        assert!(matches!(
            read_bounded(&file, 4),
            Err(ReadError::TooLarge { len: 5, limit: 4 })
        ));
        assert!(matches!(
            read_bounded(dir.path(), 10),
            Err(ReadError::NotRegular("a directory"))
        ));
        assert!(matches!(
            read_bounded(&dir.path().join("missing"), 10),
            Err(ReadError::NotFound)
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular("a device"))
        ));
    }
}
