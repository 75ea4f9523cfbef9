//! The front end: `.proto` files to a `FileDescriptorSet`, with no `protoc`.
//!
//! protoforge's own compiler ([`pipeline`]: parser, linker, option
//! interpretation and feature resolution, over descriptor types of our own,
//! [`descriptor`]), for proto2, proto3 and editions 2023 and 2024, writing
//! the descriptor set protoc 35 writes. Around it, what a command-line tool
//! needs: directories as inputs, every error located at a disk path a
//! terminal can open, the list of files read (for `cargo:rerun-if-changed`),
//! protoc's warnings, and canonical JSON output.
//!
//! ```no_run
//! let compiled = protoforge_codegen::Compiler::new()
//!     .include_imports(true)
//!     .include_source_info(true)
//!     .compile(&["proto"])?;
//! std::fs::write("proto.binpb", compiled.encode())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod descriptor;
mod diagnostic;
mod errors;
pub mod features;
pub mod import_path;
mod inputs;
#[cfg(feature = "json")]
mod json;
pub mod json_name;
mod limits;
pub mod lower;
pub mod names;
pub mod options;
pub(crate) mod parallel;
mod pipeline;
mod sources;
#[cfg(test)]
mod tests;
mod validate;
mod well_known;

use std::{
    collections::{BTreeMap, HashSet},
    fmt,
    path::{Path, PathBuf},
};

pub use diagnostic::{Diagnostic, LineCol, Severity};
pub use limits::Limits;

use limits::Budget;
use sources::{Origin, Sources};

/// Options for compiling `.proto` files; [`Compiler::compile`] runs them.
#[derive(Clone, Debug, Default)]
pub struct Compiler {
    includes: Vec<PathBuf>,
    include_imports: bool,
    include_source_info: bool,
    limits: Limits,
}

impl Compiler {
    /// A compiler with no include paths, imports and source info left out
    /// (protoc's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an include root (protoc's `-I`): imports are looked up below the
    /// roots in the order they were added, then among the well-known types.
    pub fn include(mut self, dir: impl Into<PathBuf>) -> Self {
        self.includes.push(dir.into());
        self
    }

    /// Adds several include roots, in order.
    pub fn includes<P: Into<PathBuf>>(mut self, dirs: impl IntoIterator<Item = P>) -> Self {
        self.includes.extend(dirs.into_iter().map(Into::into));
        self
    }

    /// Whether the output holds every imported file too, so that it stands
    /// alone (protoc's `--include_imports`).
    pub fn include_imports(mut self, yes: bool) -> Self {
        self.include_imports = yes;
        self
    }

    /// Whether the output keeps source locations and comments (protoc's
    /// `--include_source_info`).
    pub fn include_source_info(mut self, yes: bool) -> Self {
        self.include_source_info = yes;
        self
    }

    /// Limits on what the compilation reads (file size, files, nesting,
    /// messages, time); past one, it fails with an error saying which.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Compiles `inputs`: `.proto` files, and directories, which stand for every
    /// `.proto` below them (sorted) and become include roots themselves.
    ///
    /// Every error found is reported, not just the first: each input file is
    /// compiled even when an earlier one failed.
    pub fn compile<P: AsRef<Path>>(&self, inputs: &[P]) -> Result<Compiled, CompileError> {
        let inputs: Vec<PathBuf> = inputs.iter().map(|p| p.as_ref().to_owned()).collect();
        let expanded = inputs::expand(&inputs, &self.includes).map_err(CompileError::new)?;
        let locator = errors::Locator {
            cwd: std::env::current_dir().ok(),
        };
        let sources = Sources::new(
            Origin::Roots(expanded.includes.clone()),
            Budget::start(self.limits.clone()),
        );
        let mut names = Vec::with_capacity(expanded.files.len());
        for file in &expanded.files {
            let Some(name) = sources.resolve_path(file) else {
                return Err(CompileError::new(vec![
                    Diagnostic::error("File does not reside within any path specified using --proto_path (or -I).")
                        .with_path(locator.relative(file)),
                ]));
            };
            if let Some(shadow) = expanded
                .includes
                .iter()
                .map(|root| root.join(&name))
                .find(|candidate| candidate.exists())
                .filter(|found| !inputs::same_path(found, file))
            {
                return Err(CompileError::new(vec![
                    Diagnostic::error(format!(
                        "Input is shadowed in the --proto_path by \"{}\".  Either use the latter \
                         file as your input or reorder the --proto_path so that the former \
                         file's location comes first.",
                        locator.relative(&shadow).display()
                    ))
                    .with_path(locator.relative(file)),
                ]));
            }
            if !names.contains(&name) {
                names.push(name);
            }
        }
        self.run(&sources, &names, &locator)
    }

    /// Compiles `.proto` sources held in memory (import name to text), all of
    /// them inputs: for schemas read from git objects rather than a work
    /// tree. Imports resolve among the sources, then the well-known types.
    /// Diagnostics name the files by their import names.
    pub fn compile_sources(
        &self,
        sources: &BTreeMap<String, String>,
    ) -> Result<Compiled, CompileError> {
        let names: Vec<String> = sources.keys().cloned().collect();
        let sources = Sources::new(
            Origin::Memory(std::sync::Arc::new(sources.clone())),
            Budget::start(self.limits.clone()),
        );
        let locator = errors::Locator { cwd: None };
        self.run(&sources, &names, &locator)
    }

    fn run(
        &self,
        sources: &Sources,
        names: &[String],
        locator: &errors::Locator,
    ) -> Result<Compiled, CompileError> {
        let linked = pipeline::compile(sources, names, self.include_source_info)
            .map_err(|problems| CompileError::new(located(problems, locator)))?;
        let mut files_read: Vec<PathBuf> = sources
            .paths_read()
            .iter()
            .map(|path| locator.relative(path))
            .collect();
        // Read on several threads: sorted, to be the same on every run.
        files_read.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        files_read.dedup();
        let warnings = located(linked.warnings, locator);
        let mut files = Vec::with_capacity(linked.files.len());
        let mut input_names = HashSet::new();
        for file in linked.files {
            if !file.is_import {
                input_names.insert(file.descriptor.name().to_owned());
            }
            files.push(file.descriptor);
        }
        Ok(Compiled {
            files,
            inputs: names.to_vec(),
            input_names,
            files_read,
            warnings,
            include_imports: self.include_imports,
        })
    }
}

/// Diagnostics with their paths as the user would click them.
fn located(diagnostics: Vec<Diagnostic>, locator: &errors::Locator) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|mut diagnostic| {
            diagnostic.path = diagnostic.path.map(|path| locator.relative(&path));
            diagnostic
        })
        .collect()
}

/// The result of a successful compilation.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// Every file, imports included, each after the files it imports, with
    /// its source info when the compiler kept it.
    files: Vec<descriptor::FileDescriptorProto>,
    /// The import names of the inputs, in the order given.
    inputs: Vec<String>,
    input_names: HashSet<String>,
    files_read: Vec<PathBuf>,
    warnings: Vec<Diagnostic>,
    include_imports: bool,
}

impl Compiled {
    /// Every compiled file, imports included, dependencies before the files
    /// that import them, with its source info when the compiler kept it: as
    /// protoc writes them, editions, features and custom options included.
    pub fn files(&self) -> &[descriptor::FileDescriptorProto] {
        &self.files
    }

    /// [`files`](Self::files), taken.
    pub fn into_files(self) -> Vec<descriptor::FileDescriptorProto> {
        self.files
    }

    /// [`files`](Self::files) as `prost_types` messages, which have no place
    /// for editions, features and custom options (see
    /// [`descriptor::FileDescriptorSet::to_prost`]). Feature `prost-types`.
    #[cfg(feature = "prost-types")]
    pub fn file_descriptor_protos(&self) -> Vec<prost_types::FileDescriptorProto> {
        // Decoding the source info is most of the work: on every core.
        parallel::map_with(
            self.files.iter().collect(),
            || (),
            |(), file| {
                Some(
                    <prost_types::FileDescriptorProto as prost::Message>::decode(
                        prost::Message::encode_to_vec(file).as_slice(),
                    )
                    .unwrap_or_else(|err| unreachable!("a compiled file does not decode: {err}")),
                )
            },
        )
        .unwrap_or_else(|| unreachable!("copying a descriptor panicked"))
    }

    /// Import names of the files given as inputs (the rest are imports), in
    /// the order given (a directory's files sorted).
    pub fn input_files(&self) -> Vec<String> {
        self.inputs.clone()
    }

    /// Disk paths of every file read, imports included, relative to the
    /// working directory when below it; well-known types are built in and
    /// not listed.
    pub fn files_read(&self) -> &[PathBuf] {
        &self.files_read
    }

    /// Warnings about accepted input, such as a missing `syntax` statement.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The binary `FileDescriptorSet`, byte for byte what
    /// `protoc --descriptor_set_out` writes for the same options.
    pub fn encode(&self) -> Vec<u8> {
        encode_set(self.output_files())
    }

    /// [`encode`](Self::encode) written to `out` file by file, without
    /// holding the whole set's bytes (tens of megabytes with source info).
    pub fn encode_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut encoded = Vec::new();
        for file in self.output_files() {
            encoded.clear();
            prost::encoding::message::encode(1, file, &mut encoded);
            out.write_all(&encoded)?;
        }
        Ok(())
    }

    /// The files the descriptor set holds: the inputs, and their imports
    /// when asked for.
    fn output_files(&self) -> impl Iterator<Item = &descriptor::FileDescriptorProto> + Clone {
        self.files
            .iter()
            .filter(|file| self.include_imports || self.input_names.contains(file.name()))
    }
}

/// The `FileDescriptorSet` of `files`, encoded from them in place: a set
/// built first would copy every file, source info included.
pub(crate) fn encode_set<'a>(
    files: impl Iterator<Item = &'a descriptor::FileDescriptorProto> + Clone,
) -> Vec<u8> {
    let len = files
        .clone()
        .map(|file| prost::encoding::message::encoded_len(1, file))
        .sum();
    let mut encoded = Vec::with_capacity(len);
    for file in files {
        prost::encoding::message::encode(1, file, &mut encoded);
    }
    encoded
}

/// A compilation that failed, with every problem found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    diagnostics: Vec<Diagnostic>,
}

impl CompileError {
    fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        // A file imported by several inputs fails once per input.
        let mut seen = HashSet::new();
        diagnostics.retain(|d| seen.insert(d.to_string()));
        CompileError { diagnostics }
    }

    /// The problems, in the order they were found; never empty.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Adds a note to the first problem's message, so that it shows on the
    /// one line CI logs keep.
    pub fn add_note(&mut self, note: &str) {
        if let Some(first) = self.diagnostics.first_mut() {
            first.message = format!("{} ({note})", first.message);
        }
    }
}

/// One `path:line:col: error: message` line per problem.
impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileError {}
