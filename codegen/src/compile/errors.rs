//! Where problems are shown: at disk paths a terminal can open, relative to
//! where the user stands.

use std::path::{Path, PathBuf};

/// Shows disk paths relative to the working directory, where they are
/// below it.
#[derive(Debug)]
pub(crate) struct Locator {
    pub cwd: Option<PathBuf>,
}

impl Locator {
    pub fn relative(&self, path: &Path) -> PathBuf {
        let path = path.strip_prefix(".").unwrap_or(path);
        match &self.cwd {
            Some(cwd) if path.is_absolute() => path
                .strip_prefix(cwd)
                .map_or_else(|_| path.to_owned(), Path::to_owned),
            _ => path.to_owned(),
        }
    }
}

/// The byte offset of the `import` statement of `name` in `text`.
pub(crate) fn find_import(text: &str, name: &str) -> Option<usize> {
    let quoted = [format!("\"{name}\""), format!("'{name}'")];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("import") && quoted.iter().any(|q| line.contains(q.as_str())) {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}
