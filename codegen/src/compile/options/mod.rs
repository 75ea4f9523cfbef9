//! Option interpretation, as protoc's `OptionInterpreter` does it: each
//! `uninterpreted_option` the parser left on an element becomes a field of
//! the element's options message, written as protoc writes it.
//!
//! Per element, in the order written, each option's name is resolved
//! ([`name`]): a plain part is a field of the message reached so far
//! (`java_package`, `features`), a part in parentheses an extension looked
//! up from the element's scope outwards as protoc looks up names (the first
//! component in each enclosing scope, the rest inside the first match),
//! among the files the element's file imports (`import option` included).
//! The value is then checked against the field's type and written as one
//! wire record ([`value`]; an aggregate `{ ... }` is text format read into
//! the option's message, [`aggregate`]), wrapped in one record per
//! intermediate message of a `(a).b.c` name. The records are appended in
//! that order to the options message's own fields and the whole is read
//! back into the message: known fields land in their places (merged, as
//! a second `features.x` merges into the first), custom options stay
//! unknown fields in the order written, unpacked. That is protoc's
//! serialize-and-reparse, so the encoding is byte for byte protoc's.
//!
//! What is produced per file:
//! - the options messages, interpreted (nothing is left uninterpreted on
//!   success);
//! - [`OptionMoves`]: where protoc moves each option's source location,
//!   from `<options>.999.<i>` (`uninterpreted_option[i]`) to
//!   `<options>.<number>...[.<index>]`;
//! - [`OptionError`]s with protoc's text, pointing at the uninterpreted
//!   option (its name or its value, as protoc locates them). Like protoc,
//!   an element's remaining options are skipped after its first error.
//!
//! [`strip_source_retention`] then removes what protoc leaves out of
//! `--descriptor_set_out`: options declared `retention = RETENTION_SOURCE`
//! (`features.enforce_naming_style`, `default_symbol_visibility`, an
//! extension range's `declaration`s, custom options so declared).
//!
//! `default` and `json_name` never reach here: the parser (lowering) reads
//! them as protoc's parser does.

mod aggregate;
mod canonical;
mod name;
mod pool;
#[cfg(test)]
mod tests;
mod value;
mod walk;
mod wire;

use std::collections::HashMap;

use super::{
    descriptor::FileDescriptorProto,
    names::{Symbols, Visible},
};

/// An option protoc refuses: its message, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError {
    /// The file (its name in the set).
    pub file: String,
    /// The full name of the element the option is on (the file's name for
    /// file options).
    pub element: String,
    /// The path of the option in the unlinked file,
    /// `<options>.999.<i>`: its source location's path.
    pub option: Vec<i32>,
    /// Which part protoc points at.
    pub part: OptionPart,
    /// protoc's message.
    pub message: String,
}

/// Where in an option protoc locates an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionPart {
    /// The name (unknown option, set twice, not a message, ...): in source
    /// info, the location of `<option path>.2` (`UninterpretedOption.name`).
    Name,
    /// The value (wrong type, out of range, bad aggregate): the location of
    /// the option's value field (`<option path>.3` to `.8`).
    Value,
}

/// Where protoc moves the source locations of one file's options once
/// interpreted: one entry per option written, in the order of the file's
/// elements and, within an element, of the options.
///
/// `from` is `<options>.999.<i>` (`uninterpreted_option[i]`, as the parser
/// records it); `to` is `<options>.<number>` followed by the number of
/// each further part of a `(a).b.c` name and, when the last field is
/// repeated, the index of this value among the values set by earlier
/// options at the same path (`<options>.1052.0`, `<options>.1052.1` for
/// two `(google.api.field_behavior)`). A location whose path starts with
/// `from` moves to `to` followed by the rest of its path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionMoves {
    /// The file (its name in the set).
    pub file: String,
    /// `(from, to)`, in order.
    pub moves: Vec<(Vec<i32>, Vec<i32>)>,
}

/// What interpreting a file set gives besides the files themselves.
#[derive(Clone, Debug, Default)]
pub struct Interpreted {
    /// Every option refused, file by file.
    pub errors: Vec<OptionError>,
    /// Per file (same order as the files), where option locations move.
    pub moves: Vec<OptionMoves>,
}

/// Interprets every option of `files` in place. The files must be lowered
/// and name-resolved (`names::Symbols::resolve_file`), and hold every
/// file they import; `google/protobuf/descriptor.proto` is protoc 35's own
/// when the set lacks it.
pub fn interpret(files: &mut [FileDescriptorProto]) -> Interpreted {
    let types = OptionTypes::of(files);
    let mut out = Interpreted::default();
    for file in files.iter_mut() {
        let (errors, moves) = types.interpret(file);
        out.errors.extend(errors);
        out.moves.push(moves);
    }
    out
}

/// Rewrites every options message of `files` as protoc's
/// `--descriptor_set_out` has it ([`OptionTypes::strip_source_retention`]),
/// the declarations indexed from `files` as they are. Run after
/// [`interpret`], on the same set; gives, per file, where protoc drops
/// source locations.
pub fn strip_source_retention(files: &mut [FileDescriptorProto]) -> Vec<StrippedPaths> {
    let types = OptionTypes::of(files);
    files
        .iter_mut()
        .map(|file| types.strip_source_retention(file))
        .collect()
}

/// The declarations option values are written against, indexed once for a
/// file set ([`pool::Pool`]) and then only read: each file's
/// interpretation and stripping is independent of the others', so they
/// may run on all cores.
///
/// ```text
///   files ──(index once)──► OptionTypes ◄──(read)── interpret(file 1), strip(file 1)
///                                       ◄──(read)── interpret(file 2), strip(file 2)
///                                       ◄──(read)── ...
/// ```
///
/// Index the files before interpreting them: an element's `features` are
/// read from its options as written (`uninterpreted_option`), which
/// interpretation empties.
pub struct OptionTypes {
    pool: pool::Pool,
}

impl std::fmt::Debug for OptionTypes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OptionTypes").finish_non_exhaustive()
    }
}

impl OptionTypes {
    /// Indexes `files`, lowered and name-resolved.
    pub fn of(files: &[FileDescriptorProto]) -> OptionTypes {
        OptionTypes::with_symbols(files, Symbols::of(files))
    }

    /// Indexes `files`, lowered and name-resolved with `symbols` (their
    /// names, which the index keeps rather than making its own).
    pub fn with_symbols(files: &[FileDescriptorProto], symbols: Symbols) -> OptionTypes {
        OptionTypes {
            pool: pool::Pool::of(files, symbols),
        }
    }

    /// Interprets every option of `file` in place: the options refused,
    /// and where their source locations move.
    pub fn interpret(&self, file: &mut FileDescriptorProto) -> (Vec<OptionError>, OptionMoves) {
        let mut errors = Vec::new();
        let mut run = Run {
            pool: &self.pool,
            file: file.name().to_owned(),
            visible: self.pool.visible_files(file.name()),
            errors: &mut errors,
            moves: Vec::new(),
            counts: HashMap::new(),
        };
        walk::walk(file, &mut |site, options| {
            run.options(site, options);
            false
        });
        let moves = OptionMoves {
            file: run.file,
            moves: run.moves,
        };
        (errors, moves)
    }

    /// Rewrites every options message of `file` as protoc's
    /// `--descriptor_set_out` has it: without the options declared
    /// `retention = RETENTION_SOURCE` (at any depth), and re-serialized as
    /// protoc re-serializes them on the way (through a message of the
    /// pool's own types): every field and extension in number order, a
    /// message set by several options merged into one, repeated values
    /// packed as declared. An options message stripping leaves empty is
    /// dropped. Run after [`OptionTypes::interpret`]; gives where protoc
    /// drops source locations.
    pub fn strip_source_retention(&self, file: &mut FileDescriptorProto) -> StrippedPaths {
        let pool = &self.pool;
        let mut paths = Vec::new();
        walk::walk(file, &mut |site, options| {
            let bytes = options.to_bytes();
            let mut stripped = Vec::new();
            let canonical =
                canonical::canonical(pool, options.type_name(), &bytes, true, &mut stripped);
            // An options message stripping leaves empty is dropped, as
            // protoc drops it (one written empty, `rpc M(A) returns (B) {}`,
            // stays, and so does an empty `features` inside one).
            if canonical.is_empty() && !bytes.is_empty() {
                paths.push(site.path.to_vec());
                return true;
            }
            paths.extend(stripped.into_iter().map(|tail| [site.path, &tail].concat()));
            if canonical != bytes {
                options.read(&canonical);
            }
            false
        });
        StrippedPaths {
            file: file.name().to_owned(),
            paths,
        }
    }
}

/// Where protoc drops source locations of one file when it strips
/// source-retention options: every location whose path starts with one of
/// `paths` (after the moves of [`OptionMoves`]). A path is an options
/// message dropped whole (`[4, 0, 7]`), or a stripped field in one
/// (`[8, 50, 7]` for `option features.enforce_naming_style = ...`;
/// `[4, 2, 5, 0, 3, 2]` for every `declaration` of an extension range).
/// The location of the option statement itself (`[4, 0, 7]` when the
/// message keeps other options) stays, as protoc keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StrippedPaths {
    /// The file (its name in the set).
    pub file: String,
    /// Path prefixes, in the order of the file's elements.
    pub paths: Vec<Vec<i32>>,
}

/// `UninterpretedOption` in every options message.
const UNINTERPRETED: i32 = 999;

/// One file's interpretation.
struct Run<'a> {
    pool: &'a pool::Pool,
    file: String,
    /// The files whose declarations it may use.
    visible: Visible,
    errors: &'a mut Vec<OptionError>,
    moves: Vec<(Vec<i32>, Vec<i32>)>,
    /// Values set so far per repeated destination path: the next index.
    counts: HashMap<Vec<i32>, i32>,
}

impl Run<'_> {
    /// Interprets one options message.
    fn options(&mut self, site: &walk::Site<'_>, options: &mut dyn walk::OptionsMessage) {
        if options.uninterpreted().is_empty() {
            return;
        }
        let written = std::mem::take(options.uninterpreted());
        let mut records = Vec::new();
        for (i, option) in written.iter().enumerate() {
            let from = [site.path, &[UNINTERPRETED, i as i32]].concat();
            let result = name::resolve(
                self.pool,
                options.type_name(),
                option,
                site.scope,
                &self.visible,
            )
            .and_then(|resolved| {
                resolved.write(self.pool, option, site.scope, &self.visible, &mut records)?;
                Ok(resolved)
            });
            match result {
                Ok(resolved) => {
                    let mut to = site.path.to_vec();
                    to.extend(resolved.numbers.iter().map(|&n| n as i32));
                    if resolved.repeated {
                        let count = self.counts.entry(to.clone()).or_insert(0);
                        to.push(*count);
                        *count += 1;
                    }
                    self.moves.push((from, to));
                }
                Err((part, message)) => {
                    self.errors.push(OptionError {
                        file: self.file.clone(),
                        element: site.element.to_owned(),
                        option: from,
                        part,
                        message,
                    });
                    *options.uninterpreted() = written;
                    return;
                }
            }
        }
        let mut bytes = options.to_bytes();
        bytes.extend_from_slice(&records);
        // Checked against their types, the values read back as their
        // fields; should one not, the options stay as written.
        if !options.read(&bytes) {
            *options.uninterpreted() = written;
        }
    }
}
