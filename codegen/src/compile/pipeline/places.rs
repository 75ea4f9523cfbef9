//! Where the problems of linked files are: each located through its file's
//! source info (at the part protoc points at: a field's number, a type
//! name, an option's value).
//!
//! A compilation asked for source info keeps it on every file, and locates
//! from it. One that is not builds none while loading (it is most of the
//! lowering's work and of the front end's memory: about 2.5 million
//! locations on googleapis), and a file with a problem gets its source
//! info built again, once, when the first of its problems is located: its
//! text read again, parsed, its source info recorded, and, once options
//! are interpreted, their locations moved as they were in the other mode.
//! A problem is thus located at the same line and column in both modes,
//! and only the few files with one are read twice.

use std::sync::OnceLock;

use super::super::{
    Diagnostic, LineCol, Severity,
    descriptor::{FileDescriptorProto, SourceCodeInfo},
    lower, options,
    sources::Sources,
    validate, well_known,
};
use crate::syntax;

/// What is known of a linked file beside its descriptor.
pub(super) struct About {
    /// Where its problems are reported: the disk path, else the import name.
    pub shown: std::path::PathBuf,
    pub is_import: bool,
    /// The paths of its extensions' `json_name`s as written (linking gives
    /// every field one): see [`super::checks::written_json_names`].
    pub written_json_names: Vec<Vec<i32>>,
    /// Where the option interpretation moved the option locations, kept
    /// when the file has no source info, to move them again in one built
    /// for a problem.
    pub moves: Vec<(Vec<i32>, Vec<i32>)>,
    /// The source info built for a problem when the file has none (`None`
    /// inside when its text is no longer what was compiled).
    rebuilt: OnceLock<Option<SourceCodeInfo>>,
}

impl About {
    pub fn new(shown: std::path::PathBuf, is_import: bool) -> About {
        About {
            shown,
            is_import,
            written_json_names: Vec::new(),
            moves: Vec::new(),
            rebuilt: OnceLock::new(),
        }
    }
}

/// Locates problems in linked files.
pub(super) struct Places<'s> {
    sources: &'s Sources,
    /// Whether the option locations were moved (they are once every option
    /// is interpreted without error): a source info built afterwards moves
    /// them too.
    moved: bool,
}

impl<'s> Places<'s> {
    pub fn new(sources: &'s Sources) -> Places<'s> {
        Places {
            sources,
            moved: false,
        }
    }

    /// Moves the option locations of every file by its `moves`: in its
    /// source info, or in the one built for a problem; from now on, in
    /// those built later too.
    pub fn move_options(
        &mut self,
        files: &mut [FileDescriptorProto],
        about: &mut [About],
    ) -> Result<(), Vec<Diagnostic>> {
        self.moved = true;
        let mut pairs: Vec<_> = files.iter_mut().zip(about).collect();
        super::parallel_each(&mut pairs, |(file, about)| {
            let info = match &mut file.source_code_info {
                Some(info) => info,
                None => match about.rebuilt.get_mut() {
                    Some(Some(info)) => info,
                    _ => return,
                },
            };
            lower::apply_interpreted_options(info, &std::mem::take(&mut about.moves));
        })
    }

    /// `found` located through the file's source info.
    pub fn locate(
        &self,
        file: &FileDescriptorProto,
        about: &About,
        found: validate::Problem,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::error(found.message).with_path(&about.shown);
        if found.warning {
            diagnostic.severity = Severity::Warning;
        }
        // An empty path: protoc gives the problem no location.
        if found.path.is_empty() {
            return diagnostic;
        }
        let span = self.source_info(file, about).and_then(|info| {
            info.location
                .iter()
                .find(|location| location.path == found.path)
                .map(|location| location.span.as_slice())
        });
        if let Some(&[line, column, ..]) = span {
            diagnostic.start = Some(LineCol {
                line: usize::try_from(line).unwrap_or(0) + 1,
                column: usize::try_from(column).unwrap_or(0) + 1,
            });
        }
        diagnostic
    }

    /// An option protoc refuses, located at its name or value.
    pub fn option_problem(
        &self,
        file: &FileDescriptorProto,
        about: &About,
        error: options::OptionError,
    ) -> Diagnostic {
        let path = match error.part {
            options::OptionPart::Name => [error.option.as_slice(), &[2]].concat(),
            options::OptionPart::Value => self
                .source_info(file, about)
                .iter()
                .flat_map(|info| &info.location)
                .map(|location| &location.path)
                .find(|path| {
                    path.len() == error.option.len() + 1
                        && path.starts_with(&error.option)
                        && (3..=8).contains(&path[error.option.len()])
                })
                .cloned()
                .unwrap_or(error.option),
        };
        self.locate(file, about, validate::Problem::error(path, error.message))
    }

    /// The file's source info: its own, else the one built for its
    /// problems.
    fn source_info<'a>(
        &self,
        file: &'a FileDescriptorProto,
        about: &'a About,
    ) -> Option<&'a SourceCodeInfo> {
        if let Some(info) = &file.source_code_info {
            return Some(info);
        }
        about
            .rebuilt
            .get_or_init(|| self.rebuild(file.name(), &about.moves))
            .as_ref()
    }

    /// The source info of the file named `name`, from its text read again,
    /// as the load step would have recorded it, its option locations moved
    /// when the others' are. `None` when the text no longer parses and
    /// lowers (it changed since).
    fn rebuild(&self, name: &str, moves: &[(Vec<i32>, Vec<i32>)]) -> Option<SourceCodeInfo> {
        let text = match self.sources.read(name) {
            Ok(Some(text)) => text.text,
            Ok(None) => well_known::source(name)?.to_owned(),
            Err(_) => return None,
        };
        let limit = self.sources.budget().limits.max_nesting;
        let parsed = syntax::parse_with_limit(&text, limit).ok()?;
        // Source info is recorded only for a file that lowers.
        lower::lower_without_source_info(&parsed, name).ok()?;
        let mut info = lower::source_code_info(&parsed);
        if self.moved {
            lower::apply_interpreted_options(&mut info, moves);
        }
        Some(info)
    }
}
