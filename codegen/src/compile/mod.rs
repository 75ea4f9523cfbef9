//! The front end: `.proto` files to a `FileDescriptorSet`, with no `protoc`.
//!
//! A thin layer over [protox] that adds what a command-line tool needs:
//! directories as inputs, every error located at a disk path a terminal can
//! open, the list of files read (for `cargo:rerun-if-changed`), protoc's
//! warnings, and canonical JSON output.
//!
//! ```no_run
//! let compiled = protoforge_codegen::Compiler::new()
//!     .include_imports(true)
//!     .include_source_info(true)
//!     .compile(&["proto"])?;
//! std::fs::write("proto.binpb", compiled.encode())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod batch;
pub mod descriptor;
mod diagnostic;
mod encoding;
mod errors;
pub mod features;
pub mod import_path;
mod inputs;
pub mod json_name;
mod limits;
mod load;
pub mod lower;
pub mod names;
pub mod options;
pub(crate) mod parallel;
mod pipeline;
mod source_info;
mod sources;
#[cfg(test)]
mod tests;
mod validate;
mod well_known;

use std::{
    collections::HashSet,
    fmt,
    path::{Path, PathBuf},
    sync::Arc,
};

use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage};

pub use diagnostic::{Diagnostic, LineCol, Severity};
pub use limits::Limits;

use limits::Budget;
use sources::{Origin, Sources, Stop};

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
            includes: &expanded.includes,
            cwd: std::env::current_dir().ok(),
        };
        let sources = Arc::new(Sources::new(
            Origin::Roots(expanded.includes.clone()),
            Budget::start(self.limits.clone()),
        ));
        match batch::compile_paths(&sources, &expanded.files, self.include_source_info) {
            Ok(batch) => return Ok(self.compiled(batch, &locator)),
            Err(Stop::Limit(diagnostics)) => {
                return Err(CompileError::new(located_limits(diagnostics, &locator)));
            }
            Err(Stop::Protox) => {}
        }

        // Something is wrong: protox's own path finds and locates it.
        let mut protox = protox::Compiler::with_file_resolver(sources::Resolver(sources.clone()));
        protox.include_imports(true).include_source_info(true);
        let mut problems = Vec::new();
        for file in &expanded.files {
            if let Err(err) = protox.open_file(file) {
                problems.extend(locator.diagnostics(&err));
            }
        }
        let reached = sources.reached();
        if !reached.is_empty() {
            return Err(CompileError::new(located_limits(reached, &locator)));
        }
        if !problems.is_empty() {
            return Err(CompileError::new(problems));
        }
        Ok(self.compiled(from_protox(&protox), &locator))
    }

    /// Compiles `inputs` as [`compile`](Self::compile) does, on the front end
    /// of our own ([`pipeline`]: our parser, linker and descriptor types, no
    /// protox), into the `FileDescriptorSet` it writes. Not yet what
    /// `compile` runs: options are left uninterpreted, so the set differs
    /// from protoc's wherever a file has options (see `bench/frontend-diff.sh`).
    pub fn compile_with_own_front_end<P: AsRef<Path>>(
        &self,
        inputs: &[P],
    ) -> Result<OwnCompiled, CompileError> {
        let inputs: Vec<PathBuf> = inputs.iter().map(|p| p.as_ref().to_owned()).collect();
        let expanded = inputs::expand(&inputs, &self.includes).map_err(CompileError::new)?;
        let locator = errors::Locator {
            includes: &expanded.includes,
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
                .filter(|found| !batch::same_file(found, file))
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
            names.push(name);
        }
        let linked = pipeline::compile(&sources, &names)
            .map_err(|problems| CompileError::new(located_limits(problems, &locator)))?;
        Ok(OwnCompiled {
            descriptor_set: linked.descriptor_set(self.include_imports, self.include_source_info),
            warnings: located_limits(linked.warnings, &locator),
        })
    }

    /// Compiles `.proto` sources held in memory (import name to text), all of
    /// them inputs: for schemas read from git objects rather than a work
    /// tree. Imports resolve among the sources, then the well-known types.
    /// Diagnostics name the files by their import names.
    pub fn compile_sources(
        &self,
        sources: &std::collections::BTreeMap<String, String>,
    ) -> Result<Compiled, CompileError> {
        let texts = Arc::new(sources.clone());
        let sources = Arc::new(Sources::new(
            Origin::Memory(texts.clone()),
            Budget::start(self.limits.clone()),
        ));
        let locator = errors::Locator {
            includes: &[],
            cwd: None,
        };
        let names: Vec<String> = texts.keys().cloned().collect();
        match batch::compile(&sources, &names, self.include_source_info) {
            Ok(batch) => return Ok(self.compiled(batch, &locator)),
            Err(Stop::Limit(diagnostics)) => return Err(CompileError::new(diagnostics)),
            Err(Stop::Protox) => {}
        }

        let mut protox = protox::Compiler::with_file_resolver(sources::Resolver(sources.clone()));
        protox.include_imports(true).include_source_info(true);
        let mut problems = Vec::new();
        for name in &names {
            if let Err(err) = protox.open_file(name) {
                problems.extend(locator.diagnostics_in(&err, &texts));
            }
        }
        let reached = sources.reached();
        if !reached.is_empty() {
            return Err(CompileError::new(reached));
        }
        if !problems.is_empty() {
            return Err(CompileError::new(problems));
        }
        Ok(self.compiled(from_protox(&protox), &locator))
    }

    fn compiled(&self, batch: batch::Batch, locator: &errors::Locator<'_>) -> Compiled {
        let files_read = batch
            .files
            .iter()
            .filter_map(|file| file.path.as_deref().map(|p| locator.relative(p)))
            .collect();
        let input_names = batch
            .files
            .iter()
            .filter(|file| !file.is_import)
            .map(|file| file.name.clone())
            .collect();
        let warnings = missing_syntax_warnings(&batch.files, locator);
        Compiled {
            pool: batch.pool,
            source_info: batch.source_info,
            option_order: batch.option_order,
            input_names,
            files_read,
            warnings,
            include_imports: self.include_imports,
            include_source_info: self.include_source_info,
        }
    }
}

/// A compilation protox did, in the form the fast path gives. protox only
/// runs when the fast path failed, so this is for the case where it was the
/// fast path's mistake: it costs a re-encoding of the pool.
fn from_protox(protox: &protox::Compiler) -> batch::Batch {
    let pool = protox.descriptor_pool();
    let mut set = Vec::new();
    let mut source_info = std::collections::HashMap::new();
    let mut files = Vec::new();
    for (file, meta) in pool.files().zip(protox.files()) {
        let info = file.file_descriptor_proto().source_code_info.clone();
        files.push(batch::BatchFile {
            name: file.name().to_owned(),
            path: meta.path().map(Path::to_owned),
            is_import: meta.is_import(),
            has_syntax: load::has_syntax_statement(file.file_descriptor_proto(), info.as_ref()),
        });
        encoding::encode_file(
            &encoding::without_source_info(&file.encode_to_vec()),
            None,
            &mut set,
        );
        if let Some(info) = info {
            source_info.insert(file.name().to_owned(), info.encode_to_vec());
        }
    }
    // Decoding reads each field's `packed` option before the options that
    // use it, which protox's own pool did not (see `take_packed_options`).
    let pool = DescriptorPool::decode(set.as_slice()).unwrap_or(pool);
    batch::Batch {
        pool,
        files,
        source_info,
        // protox's pool has custom options in number order; this path is
        // for errors, and is not byte-for-byte protoc's.
        option_order: std::collections::HashMap::new(),
    }
}

/// Limit diagnostics with their paths as the user would click them.
fn located_limits(diagnostics: Vec<Diagnostic>, locator: &errors::Locator<'_>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|mut diagnostic| {
            diagnostic.path = diagnostic.path.map(|path| locator.relative(&path));
            diagnostic
        })
        .collect()
}

/// protoc warns when a file has no `syntax` statement, then reads it as proto2.
fn missing_syntax_warnings(
    files: &[batch::BatchFile],
    locator: &errors::Locator<'_>,
) -> Vec<Diagnostic> {
    files
        .iter()
        .filter(|file| !file.has_syntax)
        .filter_map(|file| {
            let path = locator.disk_path(&file.name)?;
            Some(Diagnostic {
                severity: Severity::Warning,
                start: Some(LineCol { line: 1, column: 1 }),
                end: None,
                ..Diagnostic::error(format!(
                    "no syntax specified for '{}'; defaulting to proto2",
                    file.name
                ))
                .with_path(path)
                .with_help(
                    "add 'syntax = \"proto3\";' or 'syntax = \"proto2\";' as the first statement",
                )
            })
        })
        .collect()
}

/// The result of a successful compilation.
#[derive(Clone, Debug)]
pub struct Compiled {
    pool: DescriptorPool,
    /// Per file, its encoded `SourceCodeInfo` (see [`batch::Batch`]).
    source_info: std::collections::HashMap<String, Vec<u8>>,
    /// Per file, the order of its custom options (see [`batch::Batch`]).
    option_order: std::collections::HashMap<String, batch::OptionOrder>,
    input_names: HashSet<String>,
    files_read: Vec<PathBuf>,
    warnings: Vec<Diagnostic>,
    include_imports: bool,
    include_source_info: bool,
}

impl Compiled {
    /// Every compiled file, imports included, dependencies before the files
    /// that import them. The pool holds no source info (see
    /// [`file_descriptor_protos`](Self::file_descriptor_protos)).
    pub fn descriptor_pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// Every compiled file, imports included, with its source info when the
    /// compiler kept it, dependencies first. (As `prost_types` messages, which
    /// have no place for custom options; [`encode`](Self::encode) keeps them.)
    pub fn file_descriptor_protos(&self) -> Vec<prost_types::FileDescriptorProto> {
        let files: Vec<_> = self.pool.files().collect();
        // Decoding the source info is most of the work: on every core.
        parallel::map_with(
            files,
            || (),
            |(), file| {
                let mut proto = file.file_descriptor_proto().clone();
                proto.source_code_info = self
                    .source_info
                    .get(file.name())
                    .and_then(|info| prost_types::SourceCodeInfo::decode(info.as_slice()).ok());
                Some(proto)
            },
        )
        .unwrap_or_else(|| unreachable!("copying a descriptor panicked"))
    }

    /// Import names of the files given as inputs (the rest are imports).
    pub fn input_files(&self) -> Vec<String> {
        self.selected_inputs()
            .map(|f| f.name().to_owned())
            .collect()
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

    /// The binary `FileDescriptorSet`, as `protoc --descriptor_set_out` writes
    /// it for the same options. Custom options are kept.
    pub fn encode(&self) -> Vec<u8> {
        let packing = encoding::CustomOptionPacking::of(&self.pool);
        let mut out = Vec::new();
        for file in self
            .pool
            .files()
            .filter(|file| self.include_imports || self.input_names.contains(file.name()))
        {
            let info = self
                .source_info
                .get(file.name())
                .filter(|_| self.include_source_info)
                .map(Vec::as_slice);
            let mut bytes = file.encode_to_vec();
            let rewrite = encoding::OptionsRewrite {
                packing: packing.as_ref().filter(|p| p.may_apply(&file)),
                order: self.option_order.get(file.name()),
            };
            if let Some(rewritten) = rewrite.apply(&bytes) {
                bytes = rewritten;
            }
            encoding::encode_file(&bytes, info, &mut out);
        }
        out
    }

    /// The canonical protobuf JSON of the `FileDescriptorSet` that
    /// [`encode`](Self::encode) returns, custom options included.
    pub fn to_json(&self) -> String {
        let descriptor = self
            .pool
            .get_message_by_name("google.protobuf.FileDescriptorSet")
            .unwrap_or_else(|| prost_types::FileDescriptorSet::default().descriptor());
        let mut set = DynamicMessage::new(descriptor.clone());
        if let Err(err) = set.merge(self.encode().as_slice()) {
            // The bytes were just encoded from a valid pool.
            unreachable!("re-decoding our own descriptor set failed: {err}");
        }
        let mut json = serde_json::to_string(&set).unwrap_or_else(|err| {
            unreachable!("a descriptor set always serializes to JSON: {err}")
        });
        json.push('\n');
        json
    }

    fn selected_inputs(&self) -> impl Iterator<Item = prost_reflect::FileDescriptor> + '_ {
        self.pool
            .files()
            .filter(|file| self.input_names.contains(file.name()))
    }
}

/// What [`Compiler::compile_with_own_front_end`] gives.
#[derive(Clone, Debug)]
pub struct OwnCompiled {
    /// The `FileDescriptorSet`, as protoc writes it for the same options
    /// (options aside, see the method).
    pub descriptor_set: descriptor::FileDescriptorSet,
    /// Warnings about accepted input (protoc's).
    pub warnings: Vec<Diagnostic>,
}

/// A compilation that failed, with every problem found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    diagnostics: Vec<Diagnostic>,
}

impl CompileError {
    fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        // A file imported by several inputs fails once per input, and an
        // import cycle once per file on it (each time from another start).
        let mut seen = HashSet::new();
        diagnostics.retain(|d| {
            let key = match d.message.strip_prefix(errors::CYCLE_PREFIX) {
                Some(cycle) => {
                    let mut names: Vec<&str> = cycle.split(" -> ").collect();
                    names.sort_unstable();
                    names.dedup();
                    format!("{}{}", errors::CYCLE_PREFIX, names.join(" "))
                }
                None => d.to_string(),
            };
            seen.insert(key)
        });
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
