//! protox's errors, turned into located [`Diagnostic`]s.
//!
//! protox names files by their import name (`user/v1/user.proto`); users
//! click disk paths (`proto/user/v1/user.proto`), so every name is mapped
//! back through the include roots it was found in.

use std::path::{Path, PathBuf};

use miette::Diagnostic as _;

use super::{Diagnostic, diagnostic::line_col};

/// How protox starts the message of an import cycle.
pub(crate) const CYCLE_PREFIX: &str = "import cycle detected: ";

/// Maps import names back to the disk files they were read from.
#[derive(Debug)]
pub(crate) struct Locator<'a> {
    pub includes: &'a [PathBuf],
    pub cwd: Option<PathBuf>,
}

impl Locator<'_> {
    /// The disk path of import name `name`, relative to the working directory
    /// when it is below it.
    pub fn disk_path(&self, name: &str) -> Option<PathBuf> {
        let path = self
            .includes
            .iter()
            .map(|include| include.join(name))
            .find(|candidate| candidate.symlink_metadata().is_ok())?;
        Some(self.relative(&path))
    }

    pub fn relative(&self, path: &Path) -> PathBuf {
        let path = path.strip_prefix(".").unwrap_or(path);
        match &self.cwd {
            Some(cwd) if path.is_absolute() => path
                .strip_prefix(cwd)
                .map_or_else(|_| path.to_owned(), Path::to_owned),
            _ => path.to_owned(),
        }
    }

    /// Every problem protox reports in `err`: the error itself and the related
    /// errors it found in the same file.
    pub fn diagnostics(&self, err: &protox::Error) -> Vec<Diagnostic> {
        let name = err.file();
        let path = name.map(|name| self.disk_path(name).unwrap_or_else(|| PathBuf::from(name)));
        let source = path.as_deref().and_then(|p| std::fs::read(p).ok());
        let text = source
            .as_deref()
            .and_then(|bytes| std::str::from_utf8(bytes).ok());

        let mut message = err.to_string();
        if let Some(cause) = std::error::Error::source(err) {
            message = format!("{message}: {cause}");
        }
        let mut first = located(Diagnostic::error(message), err, path.as_ref(), text);
        if first.start.is_none() {
            first = self.locate_unspanned(first, err, source.as_deref());
        }
        let mut all = vec![first];
        for related in err.related().into_iter().flatten() {
            all.push(located(
                Diagnostic::error(related.to_string()),
                related,
                path.as_ref(),
                text,
            ));
        }
        all
    }

    /// Like [`diagnostics`](Self::diagnostics), for sources held in memory:
    /// paths are import names, texts come from `sources`.
    pub fn diagnostics_in(
        &self,
        err: &protox::Error,
        sources: &std::collections::BTreeMap<String, String>,
    ) -> Vec<Diagnostic> {
        let name = err.file();
        let path = name.map(PathBuf::from);
        let text = name.and_then(|name| sources.get(name)).map(String::as_str);
        let mut all = vec![located(
            Diagnostic::error(err.to_string()),
            err,
            path.as_ref(),
            text,
        )];
        for related in err.related().into_iter().flatten() {
            all.push(located(
                Diagnostic::error(related.to_string()),
                related,
                path.as_ref(),
                text,
            ));
        }
        all
    }

    /// Gives a location to the errors protox reports without a span.
    fn locate_unspanned(
        &self,
        diagnostic: Diagnostic,
        err: &protox::Error,
        source: Option<&[u8]>,
    ) -> Diagnostic {
        // A file that is not UTF-8: point at the first bad byte.
        if let Some(bytes) = source
            && let Err(utf8) = std::str::from_utf8(bytes)
        {
            let valid = std::str::from_utf8(&bytes[..utf8.valid_up_to()]).unwrap_or_default();
            let at = line_col(valid, valid.len());
            return Diagnostic {
                start: Some(at),
                end: Some(at),
                help: Some("protobuf source files must be UTF-8".to_owned()),
                ..diagnostic
            };
        }
        // An import cycle "a -> b -> a": point at the import that closes it,
        // in the file just before the last name.
        if let Some(cycle) = err.to_string().strip_prefix(CYCLE_PREFIX)
            && let [.., importer, imported] = cycle.split(" -> ").collect::<Vec<_>>().as_slice()
            && let Some(path) = self.disk_path(importer)
        {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let located = Diagnostic {
                path: Some(path),
                ..diagnostic
            };
            return match find_import(&text, imported) {
                Some(start) => {
                    let end = start + text[start..].find(';').map_or(0, |i| i + 1);
                    located.at(&text, start, end)
                }
                None => located,
            };
        }
        if err.is_file_not_found() && diagnostic.help.is_none() {
            return diagnostic.with_help(format!(
                "the include paths are: {}",
                self.includes
                    .iter()
                    .map(|p| format!("'{}'", p.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        diagnostic
    }
}

/// Fills in path, span and help from a miette diagnostic. The last label is
/// the offending one: for duplicates, protox labels the first definition and
/// then the second.
fn located(
    mut diagnostic: Diagnostic,
    source: &dyn miette::Diagnostic,
    path: Option<&PathBuf>,
    text: Option<&str>,
) -> Diagnostic {
    diagnostic.path = path.cloned();
    if let Some(help) = source.help() {
        diagnostic.help = Some(help.to_string());
    }
    let span = source.labels().and_then(|labels| labels.last());
    if let (Some(span), Some(text)) = (span, text) {
        let (start, end) = (span.offset(), span.offset() + span.len());
        if let Some(problem) = import_path_problem(text, start, end) {
            diagnostic.message = problem;
            diagnostic.help = None;
        }
        diagnostic = diagnostic.at(text, start, end);
    }
    diagnostic
}

/// What is wrong with the import path at `start..end`, when the span is the
/// string of an `import` statement: protox 0.10 calls every bad import path
/// an "invalid group name".
fn import_path_problem(text: &str, start: usize, end: usize) -> Option<String> {
    let literal = text.get(start..end)?;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..start].trim_start().starts_with("import") {
        return None;
    }
    let quote = literal.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let path = literal.strip_prefix(quote)?.strip_suffix(quote)?;
    super::import_path::check(path).err()
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
