//! Where the files of a compilation come from (include roots on disk, or
//! sources held in memory, then the built-in well-known types), read within
//! the compilation's [`Limits`](super::Limits).
//!
//! Both the fast path and protox's own path read through here, so a file is
//! measured before it is parsed whichever path reads it: a huge file is not
//! read, and one nested too deep never reaches the parser (whose recursion
//! it would overflow).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use protox::file::{File, FileResolver, GoogleFileResolver, IncludeFileResolver};

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
    /// Missing, unreadable, not UTF-8, or does not parse: protox's own path
    /// reports it with its location.
    Protox,
    /// A limit was reached, or the file must not be read (a FIFO, a
    /// device): these say which, and where.
    Limit(Vec<Diagnostic>),
}

pub(crate) struct Sources {
    origin: Origin,
    budget: Budget,
    /// Limits reached while protox's own path was reading (its errors carry
    /// no more than a message).
    reached: Mutex<Vec<Diagnostic>>,
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
            reached: Mutex::new(Vec::new()),
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
                .find_map(|root| IncludeFileResolver::new(root.clone()).resolve_path(path)),
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
                    let text = String::from_utf8(bytes).map_err(|_| Stop::Protox)?;
                    if let Some(diagnostic) = self.budget.check_nesting(&text) {
                        return located(diagnostic, &path);
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

    /// Reads and parses `name`, with its disk path.
    pub fn open(&self, name: &str) -> Result<(File, Option<PathBuf>), Stop> {
        match self.read(name)? {
            Some(Text { path, text }) => File::from_source(name, &text)
                .map(|file| (file, path))
                .map_err(|_| Stop::Protox),
            None => GoogleFileResolver::new()
                .open_file(name)
                .map(|file| (file, None))
                .map_err(|_| Stop::Protox),
        }
    }

    /// The limits protox's own path reached, if any.
    pub fn reached(&self) -> Vec<Diagnostic> {
        self.reached.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// [`Sources`] as protox's resolver, for its own path.
pub(crate) struct Resolver(pub Arc<Sources>);

impl FileResolver for Resolver {
    fn resolve_path(&self, path: &Path) -> Option<String> {
        self.0.resolve_path(path)
    }

    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.read(name) {
            // Opened again by protox, so that the file has its path (for
            // protox's check that an input is not shadowed).
            Ok(Some(Text {
                path: Some(path), ..
            })) => File::open(name, &path),
            Ok(Some(Text { path: None, text })) => File::from_source(name, &text),
            Ok(None) => GoogleFileResolver::new().open_file(name),
            Err(Stop::Limit(diagnostics)) => {
                let message = diagnostics
                    .first()
                    .map_or_else(String::new, |d| d.message.clone());
                if let Ok(mut reached) = self.0.reached.lock() {
                    reached.extend(diagnostics);
                }
                Err(protox::Error::new(message))
            }
            Err(Stop::Protox) => match &self.0.origin {
                Origin::Roots(roots) => roots
                    .iter()
                    .map(|root| root.join(name))
                    .find(|path| path.exists())
                    .map_or_else(
                        || Err(protox::Error::file_not_found(name)),
                        |path| File::open(name, &path),
                    ),
                Origin::Memory(sources) => match sources.get(name) {
                    Some(text) => File::from_source(name, text),
                    None => Err(protox::Error::file_not_found(name)),
                },
            },
        }
    }
}
