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
mod diagnostic;
mod errors;
mod inputs;
#[cfg(test)]
mod tests;

use std::{
    collections::HashSet,
    fmt,
    path::{Path, PathBuf},
};

use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage};

pub use diagnostic::{Diagnostic, LineCol, Severity};

/// Options for compiling `.proto` files; [`Compiler::compile`] runs them.
#[derive(Clone, Debug, Default)]
pub struct Compiler {
    includes: Vec<PathBuf>,
    include_imports: bool,
    include_source_info: bool,
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

        if let Some(batch) = batch::compile(&expanded.includes, &expanded.files) {
            let files_read = batch
                .files
                .iter()
                .filter_map(|(_, path, _)| path.as_deref().map(|p| locator.relative(p)))
                .collect();
            let input_names = batch
                .files
                .iter()
                .filter(|(_, _, is_import)| !is_import)
                .map(|(name, _, _)| name.clone())
                .collect();
            let warnings = missing_syntax_warnings(&batch.pool, &locator);
            return Ok(Compiled {
                pool: batch.pool,
                input_names,
                files_read,
                warnings,
                include_imports: self.include_imports,
                include_source_info: self.include_source_info,
            });
        }

        // Something is wrong: protox's own path finds and locates it.
        let mut protox = protox::Compiler::new(&expanded.includes)
            .map_err(|err| CompileError::new(locator.diagnostics(&err)))?;
        protox.include_imports(true).include_source_info(true);

        let mut problems = Vec::new();
        for file in &expanded.files {
            if let Err(err) = protox.open_file(file) {
                problems.extend(locator.diagnostics(&err));
            }
        }
        if !problems.is_empty() {
            return Err(CompileError::new(problems));
        }

        let mut files_read = Vec::new();
        let mut input_names = HashSet::new();
        for file in protox.files() {
            if let Some(path) = file.path() {
                files_read.push(locator.relative(path));
            }
            if !file.is_import() {
                input_names.insert(file.name().to_owned());
            }
        }
        let pool = protox.descriptor_pool();
        let warnings = missing_syntax_warnings(&pool, &locator);
        Ok(Compiled {
            pool,
            input_names,
            files_read,
            warnings,
            include_imports: self.include_imports,
            include_source_info: self.include_source_info,
        })
    }
}

impl Compiler {
    /// Compiles `inputs` for comparing schemas: every file (imports
    /// included) with its source info, and the names of the inputs. Faster
    /// than [`compile`](Self::compile) on large schemas (the source info never
    /// enters the descriptor pool); errors are the same.
    pub(crate) fn compile_for_comparison<P: AsRef<Path>>(
        &self,
        inputs: &[P],
    ) -> Result<(Vec<prost_types::FileDescriptorProto>, HashSet<String>), CompileError> {
        let paths: Vec<PathBuf> = inputs.iter().map(|p| p.as_ref().to_owned()).collect();
        let expanded = inputs::expand(&paths, &self.includes).map_err(CompileError::new)?;
        if let Some(mut stripped) = batch::compile_stripped(&expanded.includes, &expanded.files) {
            let files = stripped
                .pool
                .files()
                .map(|file| {
                    let mut proto = file.file_descriptor_proto().clone();
                    proto.source_code_info = stripped.source_info.remove(file.name());
                    proto
                })
                .collect();
            return Ok((files, stripped.inputs.into_iter().collect()));
        }
        let compiled = self.compile(inputs)?;
        let files = compiled
            .pool
            .files()
            .map(|file| file.file_descriptor_proto().clone())
            .collect();
        Ok((files, compiled.input_names))
    }

    /// Compiles `.proto` sources held in memory (import name to text), all of
    /// them inputs: for schemas read from git objects rather than a work
    /// tree. Imports resolve among the sources, then the well-known types.
    /// Diagnostics name the files by their import names.
    pub fn compile_sources(
        &self,
        sources: &std::collections::BTreeMap<String, String>,
    ) -> Result<Compiled, CompileError> {
        let mut resolver = protox::file::ChainFileResolver::new();
        resolver.add(MemoryResolver {
            sources: std::sync::Arc::new(sources.clone()),
        });
        resolver.add(protox::file::GoogleFileResolver::new());
        let mut protox = protox::Compiler::with_file_resolver(resolver);
        protox.include_imports(true).include_source_info(true);
        let locator = errors::Locator {
            includes: &[],
            cwd: None,
        };
        let mut problems = Vec::new();
        for name in sources.keys() {
            if let Err(err) = protox.open_file(name) {
                problems.extend(locator.diagnostics_in(&err, sources));
            }
        }
        if !problems.is_empty() {
            return Err(CompileError::new(problems));
        }
        let input_names = protox
            .files()
            .filter(|f| !f.is_import())
            .map(|f| f.name().to_owned())
            .collect();
        Ok(Compiled {
            pool: protox.descriptor_pool(),
            input_names,
            files_read: Vec::new(),
            warnings: Vec::new(),
            include_imports: self.include_imports,
            include_source_info: self.include_source_info,
        })
    }
}

/// Serves sources from memory by import name.
struct MemoryResolver {
    sources: std::sync::Arc<std::collections::BTreeMap<String, String>>,
}

impl protox::file::FileResolver for MemoryResolver {
    fn resolve_path(&self, path: &Path) -> Option<String> {
        let name = path.to_str()?;
        self.sources.contains_key(name).then(|| name.to_owned())
    }

    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        match self.sources.get(name) {
            Some(source) => protox::file::File::from_source(name, source),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// protoc warns when a file has no `syntax` statement, then reads it as proto2.
fn missing_syntax_warnings(
    pool: &DescriptorPool,
    locator: &errors::Locator<'_>,
) -> Vec<Diagnostic> {
    const SYNTAX_FIELD: i32 = 12;
    pool.files()
        .filter(|file| {
            let proto = file.file_descriptor_proto();
            proto.syntax.is_none()
                && proto
                    .source_code_info
                    .as_ref()
                    .is_some_and(|info| !info.location.iter().any(|loc| loc.path == [SYNTAX_FIELD]))
        })
        .filter_map(|file| {
            let path = locator.disk_path(file.name())?;
            Some(Diagnostic {
                severity: Severity::Warning,
                start: Some(LineCol { line: 1, column: 1 }),
                end: None,
                ..Diagnostic::error(format!(
                    "no syntax specified for '{}'; defaulting to proto2",
                    file.name()
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
    input_names: HashSet<String>,
    files_read: Vec<PathBuf>,
    warnings: Vec<Diagnostic>,
    include_imports: bool,
    include_source_info: bool,
}

impl Compiled {
    /// Every compiled file, imports included, with source info, dependencies
    /// before the files that import them.
    pub fn descriptor_pool(&self) -> &DescriptorPool {
        &self.pool
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
        let pool = encoding_pool(&self.pool);
        if self.include_imports && self.include_source_info {
            return pool.encode_to_vec();
        }
        const FILE_FIELD: u32 = 1;
        let mut out = Vec::new();
        for file in pool
            .files()
            .filter(|file| self.include_imports || self.input_names.contains(file.name()))
        {
            let bytes = if self.include_source_info {
                file.encode_to_vec()
            } else {
                let mut message = file_message(&pool, &file);
                message.clear_field_by_name("source_code_info");
                message.encode_to_vec()
            };
            prost::encoding::bytes::encode(FILE_FIELD, &bytes, &mut out);
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

/// The pool whose encoding matches protoc's.
///
/// protox encodes custom option values before it has read the `packed`
/// option of their fields, so a repeated option declared `[packed = false]`
/// (`google.api.field_behavior`, on most of googleapis) comes out packed,
/// where protoc writes it unpacked. Both are valid wire forms, but the bytes
/// differ; decoding the pool afresh reads `packed` first and re-encodes the
/// values as protoc does.
fn encoding_pool(pool: &DescriptorPool) -> std::borrow::Cow<'_, DescriptorPool> {
    let declared_unpacked = |field: &prost_types::FieldDescriptorProto| {
        field.options.as_ref().and_then(|o| o.packed) == Some(false)
    };
    let misread = pool
        .all_extensions()
        .any(|ext| ext.is_packed() && declared_unpacked(ext.field_descriptor_proto()))
        || pool
            .all_messages()
            .flat_map(|message| message.fields().collect::<Vec<_>>())
            .any(|field| field.is_packed() && declared_unpacked(field.field_descriptor_proto()));
    if !misread {
        return std::borrow::Cow::Borrowed(pool);
    }
    match DescriptorPool::decode(pool.encode_to_vec().as_slice()) {
        Ok(fresh) => std::borrow::Cow::Owned(fresh),
        // Cannot happen for a pool protox built; its own encoding is then the
        // best there is.
        Err(_) => std::borrow::Cow::Borrowed(pool),
    }
}

fn file_message(pool: &DescriptorPool, file: &prost_reflect::FileDescriptor) -> DynamicMessage {
    let descriptor = pool
        .get_message_by_name("google.protobuf.FileDescriptorProto")
        .unwrap_or_else(|| prost_types::FileDescriptorProto::default().descriptor());
    let mut message = DynamicMessage::new(descriptor);
    if let Err(err) = message.merge(file.encode_to_vec().as_slice()) {
        unreachable!("re-decoding our own file descriptor failed: {err}");
    }
    message
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
