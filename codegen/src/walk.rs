//! The one way protoforge finds the `.proto` files below a directory: the
//! files of a workspace's modules, and `protoforge format DIR`.
//!
//! Symbolic links are followed, to files and to directories (a tree of links
//! is a common way to assemble a module). What cannot be walked is an error
//! naming its path, never a silent gap in the schema: a dangling link, a
//! directory that cannot be read, and a link to a directory that contains it
//! (which would otherwise be walked forever). Loops are recognised on unix
//! by the device and inode of each directory on the way down; elsewhere,
//! where std gives no such identity, by a bound on the depth.
//!
//! A link to a directory the walk has already entered is skipped, as buf
//! skips it: its files are listed once, under the first name met. Without
//! this, links from each level to the next (`d0/x` and `d0/y` to `d1`, ...)
//! would list the same files 2^n times: an endless walk that is no loop.
//!
//! The walk keeps its own stack of open directories instead of recursing,
//! so a deep tree cannot exhaust the thread's stack; the stack doubles as
//! the list of ancestors a loop is checked against. Each directory's entries
//! are sorted before it is entered, so the first error is the same on every
//! run and every file system.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use crate::read::ReadError;

/// Directories nested deeper than this are refused: the loop check of
/// platforms without inodes, and a bound no real schema comes near.
pub const MAX_DEPTH: usize = 1024;

/// Why a directory could not be walked. Each names the path it is about.
#[derive(Debug)]
pub enum WalkError {
    /// A directory could not be read, or a link points at nothing.
    Io {
        /// The directory or the link.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// A link to a directory that contains it.
    Loop {
        /// The link.
        link: PathBuf,
        /// The directory it leads back to.
        ancestor: PathBuf,
    },
    /// Directories nested deeper than [`MAX_DEPTH`].
    TooDeep {
        /// The first directory too deep.
        path: PathBuf,
    },
}

impl WalkError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            WalkError::Io { path, .. } | WalkError::TooDeep { path } => path,
            WalkError::Loop { link, .. } => link,
        }
    }
}

impl std::fmt::Display for WalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read '{}': ", self.path().display())?;
        match self {
            WalkError::Io { error, .. } => ReadError::from_io(error).fmt(f),
            // walkdir's words, which protoforge printed before it walked on
            // its own.
            WalkError::Loop { link, ancestor } => write!(
                f,
                "File system loop found: {} points to an ancestor {}",
                link.display(),
                ancestor.display()
            ),
            WalkError::TooDeep { .. } => write!(
                f,
                "directories are nested more than {MAX_DEPTH} levels deep (a loop of links?)"
            ),
        }
    }
}

impl std::error::Error for WalkError {}

/// Every `.proto` file below `dir` with its `/`-separated name relative to
/// `dir`, sorted by name (as buf sorts). Anything named `.proto` that is not
/// a directory is listed, FIFOs and devices included: reading it is refused
/// later, with its name.
pub fn protos_below(dir: &Path) -> Result<Vec<(String, PathBuf)>, WalkError> {
    protos_within(dir, MAX_DEPTH)
}

/// A directory being walked: its path, its identity, and the entries not
/// yet visited with their types as the directory gives them (in reverse
/// order, so the next one is popped).
struct Open {
    path: PathBuf,
    id: Option<(u64, u64)>,
    entries: Vec<(PathBuf, fs::FileType)>,
}

fn protos_within(dir: &Path, max_depth: usize) -> Result<Vec<(String, PathBuf)>, WalkError> {
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |error| WalkError::Io { path, error }
    };
    let mut found = Vec::new();
    // A file given as the directory fails in `open`, as not a directory.
    let meta = fs::metadata(dir).map_err(io_error(dir))?;
    let mut stack = vec![open(dir, &meta)?];
    let mut entered: std::collections::HashSet<(u64, u64)> = stack[0].id.into_iter().collect();
    while let Some(top) = stack.last_mut() {
        let Some((path, file_type)) = top.entries.pop() else {
            stack.pop();
            continue;
        };
        // Only links and directories cost a `stat`: a link to know what it
        // leads to (a dangling one fails here), a directory for its identity.
        let dir_meta = if file_type.is_dir() || file_type.is_symlink() {
            Some(fs::metadata(&path).map_err(io_error(&path))?).filter(fs::Metadata::is_dir)
        } else {
            None
        };
        match dir_meta {
            Some(meta) => {
                let id = dir_id(&meta);
                if let Some(ancestor) = stack.iter().find(|open| id.is_some() && open.id == id) {
                    return Err(WalkError::Loop {
                        link: path,
                        ancestor: ancestor.path.clone(),
                    });
                }
                if let Some(id) = id
                    && !entered.insert(id)
                    && file_type.is_symlink()
                {
                    continue;
                }
                if stack.len() >= max_depth {
                    return Err(WalkError::TooDeep { path });
                }
                stack.push(open(&path, &meta)?);
            }
            None if is_proto(&path) => found.push((name_below(dir, &path), path)),
            None => {}
        }
    }
    found.sort();
    Ok(found)
}

/// `path`'s name below `dir`, `/`-separated.
fn name_below(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_proto(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "proto")
}

/// Reads the entries of the directory `path`.
fn open(path: &Path, meta: &fs::Metadata) -> Result<Open, WalkError> {
    let error = |error| WalkError::Io {
        path: path.to_owned(),
        error,
    };
    let mut entries = fs::read_dir(path)
        .map_err(error)?
        .map(|entry| entry.and_then(|entry| Ok((entry.path(), entry.file_type()?))))
        .collect::<Result<Vec<_>, _>>()
        .map_err(error)?;
    entries.sort_unstable_by(|a, b| b.0.cmp(&a.0));
    Ok(Open {
        path: path.to_owned(),
        id: dir_id(meta),
        entries,
    })
}

/// What identifies a directory however it is reached: its device and inode.
#[cfg(unix)]
fn dir_id(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

/// Nothing in std identifies a directory here: [`MAX_DEPTH`] stops loops.
#[cfg(not(unix))]
fn dir_id(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{PermissionsExt, symlink};

    use super::*;

    fn write(path: &Path) {
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, "syntax = \"proto3\";\n").expect("write");
    }

    fn names(dir: &Path) -> Vec<String> {
        protos_below(dir)
            .expect("walks")
            .into_iter()
            .map(|(name, path)| {
                assert_eq!(path, dir.join(&name), "the path is the name below dir");
                name
            })
            .collect()
    }

    /// The error's text, the scratch directory's path cut off.
    fn error(dir: &Path) -> String {
        protos_below(dir)
            .expect_err("must fail")
            .to_string()
            .replace(&format!("{}/", dir.display()), "")
    }

    #[test]
    fn lists_protos_only_sorted_by_name() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        for name in [
            "b.proto",
            "a/z.proto",
            "a/b.proto",
            "a.b/c.proto",
            "a/c/d.proto",
        ] {
            write(&dir.join(name));
        }
        fs::write(dir.join("a/README.md"), "").expect("write");
        fs::create_dir(dir.join("empty.proto")).expect("mkdir");
        // As buf sorts: by the name as a string, so `a.b/` before `a/`.
        assert_eq!(
            names(dir),
            [
                "a.b/c.proto",
                "a/b.proto",
                "a/c/d.proto",
                "a/z.proto",
                "b.proto"
            ]
        );
    }

    #[test]
    fn follows_links_to_files_and_directories() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (dir, elsewhere) = (tmp.path().join("module"), tmp.path().join("elsewhere"));
        write(&dir.join("own.proto"));
        write(&elsewhere.join("file.proto"));
        write(&elsewhere.join("tree/deep/leaf.proto"));
        symlink(elsewhere.join("file.proto"), dir.join("linked.proto")).expect("symlink");
        symlink(elsewhere.join("tree"), dir.join("tree")).expect("symlink");
        // Two links into one directory are not a loop: as buf, the files
        // are listed under the first name only.
        symlink(elsewhere.join("tree"), dir.join("again")).expect("symlink");
        assert_eq!(
            names(&dir),
            ["again/deep/leaf.proto", "linked.proto", "own.proto"]
        );
        // A directory is walked under its own name even after a link to it.
        fs::create_dir(dir.join("real")).expect("mkdir");
        write(&dir.join("real/r.proto"));
        symlink(dir.join("real"), dir.join("link")).expect("symlink");
        assert_eq!(
            names(&dir),
            [
                "again/deep/leaf.proto",
                "link/r.proto",
                "linked.proto",
                "own.proto",
                "real/r.proto"
            ]
        );
    }

    #[test]
    fn links_from_each_level_to_the_next_are_walked_once() {
        // d0/x and d0/y lead to d1, d1/x and d1/y to d2, ...: 2^12 paths
        // to d12/a.proto if each were walked (2^n for n levels).
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        for level in 0..=12 {
            fs::create_dir(dir.join(format!("d{level}"))).expect("mkdir");
        }
        for level in 0..12 {
            let next = dir.join(format!("d{}", level + 1));
            for link in ["x", "y"] {
                symlink(&next, dir.join(format!("d{level}/{link}"))).expect("symlink");
            }
        }
        write(&dir.join("d12/a.proto"));
        let names = names(&dir.join("d0"));
        assert_eq!(names, [format!("{}a.proto", "x/".repeat(12))]);
    }

    #[test]
    fn a_dangling_link_is_an_error_naming_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        write(&dir.join("a.proto"));
        fs::create_dir(dir.join("sub")).expect("mkdir");
        symlink(dir.join("nowhere"), dir.join("sub/gone.proto")).expect("symlink");
        let err = protos_below(dir).expect_err("must fail");
        assert_eq!(err.path(), dir.join("sub/gone.proto"));
        assert_eq!(
            error(dir),
            "cannot read 'sub/gone.proto': no such file or directory"
        );
    }

    #[test]
    fn a_link_to_an_ancestor_is_a_loop_not_an_endless_walk() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        write(&dir.join("a/b/x.proto"));
        symlink(dir.join("a"), dir.join("a/b/up")).expect("symlink");
        let err = protos_below(dir).expect_err("must fail");
        assert!(
            matches!(&err, WalkError::Loop { link, ancestor }
                if *link == dir.join("a/b/up") && *ancestor == dir.join("a")),
            "{err:?}"
        );
        assert_eq!(
            error(dir),
            "cannot read 'a/b/up': File system loop found: a/b/up points to an ancestor a"
        );
        // The walk's own root counts as an ancestor too.
        let tmp = tempfile::tempdir().expect("tempdir");
        symlink(tmp.path(), tmp.path().join("root")).expect("symlink");
        assert!(matches!(
            protos_below(tmp.path()),
            Err(WalkError::Loop { ancestor, .. }) if ancestor == tmp.path()
        ));
    }

    #[test]
    fn an_unreadable_directory_is_an_error_naming_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        write(&dir.join("a.proto"));
        write(&dir.join("locked/b.proto"));
        fs::set_permissions(dir.join("locked"), fs::Permissions::from_mode(0o000)).expect("chmod");
        let privileged = fs::read_dir(dir.join("locked")).is_ok();
        let result = protos_below(dir);
        fs::set_permissions(dir.join("locked"), fs::Permissions::from_mode(0o755))
            .expect("chmod back");
        if privileged {
            // Root reads any directory: nothing to check.
            assert!(result.is_ok());
            return;
        }
        assert_eq!(
            result.expect_err("must fail").to_string(),
            format!(
                "cannot read '{}': permission denied",
                dir.join("locked").display()
            )
        );
    }

    #[test]
    fn a_missing_or_non_directory_root_is_an_error() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        assert_eq!(
            protos_below(&dir.join("missing"))
                .expect_err("must fail")
                .to_string(),
            format!(
                "cannot read '{}': no such file or directory",
                dir.join("missing").display()
            )
        );
        write(&dir.join("a.proto"));
        assert!(matches!(
            protos_below(&dir.join("a.proto")),
            Err(WalkError::Io { path, .. }) if path == dir.join("a.proto")
        ));
    }

    #[test]
    fn nesting_beyond_the_bound_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        write(&dir.join("1/2/3/x.proto"));
        assert_eq!(protos_within(dir, 4).expect("walks").len(), 1);
        let err = protos_within(dir, 3).expect_err("must fail");
        assert_eq!(err.path(), dir.join("1/2/3"));
    }
}
