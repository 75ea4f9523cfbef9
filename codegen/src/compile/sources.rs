//! Where the files of a compilation come from (include roots on disk, or
//! sources held in memory, then the built-in well-known types), read within
//! the compilation's [`Limits`](super::Limits).
//!
//! A file is measured before it is parsed: a huge file is not read, and one
//! nested too deep never reaches the parser (whose recursion it would
//! overflow).

use std::{
    collections::BTreeMap,
    path::{Component, Path, PathBuf},
    sync::{Arc, Mutex},
};

use super::{Diagnostic, limits::Budget};
use crate::read::{ReadError, read_bounded};

pub(crate) enum Origin {
    /// Include roots, in lookup order.
    Roots(Vec<PathBuf>),
    /// Sources by import name.
    Memory(Arc<BTreeMap<String, String>>),
}

/// Why reading a file stopped.
pub(crate) enum Stop {
    /// Not UTF-8: says where the first bad byte is. (The file fails;
    /// the compilation goes on.)
    NotUtf8(Box<Diagnostic>),
    /// A limit was reached, or the file must not be read (a FIFO, a
    /// device): these say which, and where.
    Limit(Vec<Diagnostic>),
}

pub(crate) struct Sources {
    origin: Origin,
    budget: Budget,
    /// Disk paths of the files read (for `cargo:rerun-if-changed`).
    paths_read: Mutex<Vec<PathBuf>>,
}

/// One file's text, read within the limits.
pub(crate) struct Text {
    pub path: Option<PathBuf>,
    pub text: String,
}

impl Sources {
    pub fn new(origin: Origin, budget: Budget) -> Sources {
        Sources {
            origin,
            budget,
            paths_read: Mutex::new(Vec::new()),
        }
    }

    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The import name of the input file `path`.
    pub fn resolve_path(&self, path: &Path) -> Option<String> {
        match &self.origin {
            Origin::Roots(roots) => roots
                .iter()
                .find_map(|root| import_name(path, root))
                .or_else(|| {
                    // A relative path below an absolute root (`-I $PWD
                    // a.proto`): compared as absolute paths.
                    let absolute = std::path::absolute(path).ok()?;
                    roots
                        .iter()
                        .find_map(|root| import_name(&absolute, &std::path::absolute(root).ok()?))
                }),
            Origin::Memory(sources) => {
                let name = path.to_str()?;
                sources.contains_key(name).then(|| name.to_owned())
            }
        }
    }

    /// The text of `name`; `Ok(None)` when it is not here (it may be a
    /// well-known type).
    pub fn read(&self, name: &str) -> Result<Option<Text>, Stop> {
        let located = |diagnostic: Diagnostic, path: &Path| {
            Err(Stop::Limit(vec![diagnostic.with_path(path)]))
        };
        if let Some(diagnostic) = self.budget.check_time() {
            return Err(Stop::Limit(vec![diagnostic]));
        }
        match &self.origin {
            Origin::Memory(sources) => {
                let Some(text) = sources.get(name) else {
                    return Ok(None);
                };
                let problem = self.budget.check_size(text.len() as u64);
                if let Some(diagnostic) = problem.or_else(|| self.budget.check_nesting(text)) {
                    return located(diagnostic, Path::new(name));
                }
                Ok(Some(Text {
                    path: None,
                    text: text.clone(),
                }))
            }
            Origin::Roots(roots) => {
                for root in roots {
                    let path = root.join(name);
                    let bytes = match read_bounded(&path, self.budget.limits.max_file_size) {
                        Ok(bytes) => bytes,
                        Err(ReadError::NotFound) => continue,
                        Err(ReadError::TooLarge { len, .. }) => {
                            let diagnostic = self.budget.check_size(len).unwrap_or_else(|| {
                                Diagnostic::error(ReadError::TooLarge { len, limit: 0 }.to_string())
                            });
                            return located(diagnostic, &path);
                        }
                        Err(err) => {
                            return located(
                                Diagnostic::error(format!("cannot read: {err}")),
                                &path,
                            );
                        }
                    };
                    let text = String::from_utf8(bytes).map_err(|err| {
                        let valid = err.utf8_error().valid_up_to();
                        let prefix = std::str::from_utf8(&err.as_bytes()[..valid]).unwrap_or("");
                        let mut diagnostic =
                            Diagnostic::error("File is not valid UTF-8.").with_path(&path);
                        diagnostic.start = Some(super::diagnostic::line_col(prefix, valid));
                        Stop::NotUtf8(Box::new(diagnostic))
                    })?;
                    if let Some(diagnostic) = self.budget.check_nesting(&text) {
                        return located(diagnostic, &path);
                    }
                    if let Ok(mut paths_read) = self.paths_read.lock() {
                        paths_read.push(path.clone());
                    }
                    return Ok(Some(Text {
                        path: Some(path),
                        text,
                    }));
                }
                Ok(None)
            }
        }
    }

    /// Disk paths of the files read so far.
    pub fn paths_read(&self) -> Vec<PathBuf> {
        self.paths_read
            .lock()
            .map(|paths| paths.clone())
            .unwrap_or_default()
    }
}

/// The import name of `path` below the include root `root` (`.` parts
/// aside): its remaining parts joined by `/`, none of them `..`.
fn import_name(path: &Path, root: &Path) -> Option<String> {
    fn significant(path: &Path) -> Vec<Component<'_>> {
        path.components()
            .filter(|part| *part != Component::CurDir)
            .collect()
    }
    let (path, root) = (significant(path), significant(root));
    let rest = path.strip_prefix(root.as_slice())?;
    let parts = rest
        .iter()
        .map(|part| match part {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    (!parts.is_empty()).then(|| parts.join("/"))
}
