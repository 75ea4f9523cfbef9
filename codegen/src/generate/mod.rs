//! Code generation: prost messages, tonic clients and servers, and a typed
//! mock per service, from `.proto` files with no `protoc`.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     protoforge_codegen::configure()
//!         .build_mocks(true)
//!         .file_descriptor_set_path("descriptor.binpb")
//!         .compile_protos(&["proto/user/v1/user.proto"], &["proto"])?;
//!     Ok(())
//! }
//! ```
//!
//! [`Builder`] takes tonic-prost-build's option names, and writes the code
//! prost-build and tonic-prost-build would write with the same options, byte
//! for byte ([`prost`] says what that is; `tests/prost_differential.rs`
//! compares), without compiling either in the user's build.

mod mock;
mod modules;
pub(crate) mod prost;
pub(crate) mod service;
mod source_tree;

use std::{
    fmt,
    path::{Path, PathBuf},
};

use ::prost::Message;

use crate::{CompileError, Compiled, Compiler, Diagnostic, compile::descriptor, output};
pub use modules::{GeneratedFile, mod_rs};
pub use source_tree::write_source_tree;

/// Starts configuring code generation, with tonic-prost-build's defaults:
/// clients, servers and transport on; mocks off.
pub fn configure() -> Builder {
    Builder {
        options: prost::Options::default(),
        out_dir: None,
        file_descriptor_set_path: None,
        include_file: None,
        emit_rerun_if_changed: true,
    }
}

/// Options for generating code; see [`configure`].
pub struct Builder {
    /// What the code looks like: prost-build's and tonic-prost-build's options.
    options: prost::Options,
    out_dir: Option<PathBuf>,
    file_descriptor_set_path: Option<PathBuf>,
    include_file: Option<PathBuf>,
    emit_rerun_if_changed: bool,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("build_client", &self.options.build_client)
            .field("build_server", &self.options.build_server)
            .field("build_mocks", &self.options.build_mocks)
            .field("out_dir", &self.out_dir)
            .field("file_descriptor_set_path", &self.file_descriptor_set_path)
            .field("include_file", &self.include_file)
            .finish_non_exhaustive()
    }
}

/// A builder option that sets the generator's option of the same name.
macro_rules! generator_option {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*)) => {
        $(#[$doc])*
        pub fn $name(mut self, $($arg: $ty),*) -> Self {
            self.options.$name($($arg),*);
            self
        }
    };
}

/// A builder option that sets one of the generator's path sets; as in
/// prost-build, a second call replaces the first's paths.
macro_rules! generator_paths {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub fn $name<S: AsRef<str>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
            let paths: Vec<String> = paths.into_iter().map(|p| p.as_ref().to_owned()).collect();
            self.options.$name.set(&paths);
            self
        }
    };
}

impl Builder {
    /// Generate gRPC clients (default on).
    pub fn build_client(mut self, enable: bool) -> Self {
        self.options.build_client = enable;
        self
    }

    /// Generate gRPC servers (default on); mocks need them.
    pub fn build_server(mut self, enable: bool) -> Self {
        self.options.build_server = enable;
        self
    }

    /// Generate a typed mock per service, `foo_mock::MockFoo`, beside
    /// `foo_client` and `foo_server` (default off). The crate then needs
    /// `protoforge-runtime` as a dependency.
    pub fn build_mocks(mut self, enable: bool) -> Self {
        self.options.build_mocks = enable;
        self
    }

    generator_option!(
        /// Generate `connect` and other tonic transport helpers (default on).
        build_transport(enable: bool)
    );

    /// Where generated files go (default: `$OUT_DIR`).
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Uses an existing Rust type for a protobuf path: `.google.protobuf`,
    /// `.common.v1.Timestamp`, and so on.
    pub fn extern_path(mut self, proto_path: impl AsRef<str>, rust_path: impl AsRef<str>) -> Self {
        self.options.extern_paths.push((
            proto_path.as_ref().to_owned(),
            rust_path.as_ref().to_owned(),
        ));
        self
    }

    generator_option!(
        /// Adds an attribute to matching fields.
        field_attribute(path: &str, attribute: &str)
    );
    generator_option!(
        /// Adds an attribute to matching messages.
        message_attribute(path: &str, attribute: &str)
    );
    generator_option!(
        /// Adds an attribute to matching enums.
        enum_attribute(path: &str, attribute: &str)
    );
    generator_option!(
        /// Adds an attribute to matching messages, enums and oneofs.
        type_attribute(path: &str, attribute: &str)
    );
    generator_option!(
        /// Boxes matching fields.
        boxed(path: &str)
    );
    generator_paths!(
        /// Generates `BTreeMap` instead of `HashMap` for matching map fields.
        btree_map
    );
    generator_paths!(
        /// Generates `bytes::Bytes` instead of `Vec<u8>` for matching fields.
        bytes
    );
    generator_paths!(
        /// Skips the `Debug` derive of matching types.
        skip_debug
    );
    generator_option!(
        /// Adds an attribute to the server modules of matching services.
        server_mod_attribute(path: &str, attribute: &str)
    );
    generator_option!(
        /// Adds an attribute to the server structs of matching services.
        server_attribute(path: &str, attribute: &str)
    );
    generator_option!(
        /// Adds an attribute to the server traits of matching services.
        trait_attribute(path: &str, attribute: &str)
    );
    generator_option!(
        /// Adds an attribute to the client modules of matching services.
        client_mod_attribute(path: &str, attribute: &str)
    );
    generator_option!(
        /// Adds an attribute to the client structs of matching services.
        client_attribute(path: &str, attribute: &str)
    );
    generator_option!(
        /// Generates servers that do not require every method, answering
        /// `UNIMPLEMENTED` for the missing ones.
        generate_default_stubs(enable: bool)
    );
    generator_option!(
        /// The codec of generated clients and servers (default
        /// `tonic_prost::ProstCodec`).
        codec_path(path: &str)
    );

    /// The path from a service module to the message types (default
    /// `super`).
    pub fn proto_path(mut self, path: impl AsRef<str>) -> Self {
        path.as_ref().clone_into(&mut self.options.proto_path);
        self
    }

    /// Generates the well-known types instead of using `prost-types`.
    pub fn compile_well_known_types(mut self, enable: bool) -> Self {
        self.options.compile_well_known_types = enable;
        self
    }

    /// tonic-prost-build's `emit_package`, accepted so that its users'
    /// build scripts compile, and without effect as there: tonic-prost-build
    /// 0.14 never reads it, and its clients and servers (so these, and the
    /// mocks) always route on `/pkg.Service/Method`.
    pub fn emit_package(self, _enable: bool) -> Self {
        self
    }

    /// Writes the compiled `FileDescriptorSet` (imports and source info
    /// included) to this path, relative to the output directory, for
    /// `tonic-reflection`.
    pub fn file_descriptor_set_path(mut self, path: impl AsRef<Path>) -> Self {
        self.file_descriptor_set_path = Some(path.as_ref().to_owned());
        self
    }

    /// Writes a file, relative to the output directory, that nests every
    /// generated package in modules, to `include!` once.
    pub fn include_file(mut self, path: impl AsRef<Path>) -> Self {
        self.include_file = Some(path.as_ref().to_owned());
        self
    }

    /// Prints `cargo:rerun-if-changed` for every file read and `build.rs`
    /// (default on).
    pub fn emit_rerun_if_changed(mut self, enable: bool) -> Self {
        self.emit_rerun_if_changed = enable;
        self
    }

    /// Leaves out the doc comments of matching messages, enums and fields
    /// (prost-build's paths), and of services and methods named exactly
    /// (`pkg.Service`, `pkg.Service.Method`, as tonic-prost-build takes them).
    pub fn disable_comments<S: AsRef<str>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        let paths: Vec<String> = paths.into_iter().map(|p| p.as_ref().to_owned()).collect();
        // prost-build's paths replace the previous call's, tonic's add up.
        self.options.disable_comments.set(&paths);
        self.options.disable_comments_exact.extend(paths);
        self
    }

    /// Server trait methods take `self: Arc<Self>`.
    pub fn use_arc_self(mut self, enable: bool) -> Self {
        self.options.use_arc_self = enable;
        self
    }

    /// Compiles `protos` (files or directories) against the include roots
    /// `includes` and writes the generated code to the output directory; the
    /// call to make from `build.rs`.
    ///
    /// Every compile error is printed on stderr (cargo shows it when the build
    /// script fails) as `path:line:col: error: ...` with a code frame, and
    /// returned. Files are written only when their content changed.
    pub fn compile_protos<P: AsRef<Path>>(
        self,
        protos: &[P],
        includes: &[P],
    ) -> Result<(), GenerateError> {
        let out_dir = self.output_dir()?;
        let compiled = Compiler::new()
            .includes(includes.iter().map(|p| p.as_ref().to_owned()))
            .include_imports(true)
            .include_source_info(true)
            .compile(protos);
        let compiled = match compiled {
            Ok(compiled) => compiled,
            // Not printed here: `build.rs` returns the error and the
            // diagnostics appear once, from its `Debug`.
            Err(err) => return Err(GenerateError::Compile(err)),
        };
        for warning in compiled.warnings() {
            println!("cargo:warning={warning}");
        }
        if self.emit_rerun_if_changed {
            println!("cargo:rerun-if-changed=build.rs");
            for path in compiled.files_read() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
            // A new file in an input directory is an input too.
            for dir in protos.iter().map(AsRef::as_ref).filter(|p| p.is_dir()) {
                println!("cargo:rerun-if-changed={}", dir.display());
            }
        }
        self.write(&out_dir, &compiled.encode())
    }

    /// Generates code from an encoded `FileDescriptorSet` file (with its
    /// imports: `protoc --include_imports --descriptor_set_out`, `buf build
    /// -o x.binpb`) and writes it to the output directory, as
    /// [`compile_protos`](Self::compile_protos) does from `.proto` files.
    /// Editions files are generated too (see
    /// [`generate_descriptor_set`](Self::generate_descriptor_set)).
    pub fn compile_descriptor_set(self, path: impl AsRef<Path>) -> Result<(), GenerateError> {
        let path = path.as_ref();
        let out_dir = self.output_dir()?;
        let bytes = std::fs::read(path).map_err(|err| {
            GenerateError::Config(format!("{}: cannot read: {err}", path.display()))
        })?;
        if self.emit_rerun_if_changed {
            println!("cargo:rerun-if-changed=build.rs");
            println!("cargo:rerun-if-changed={}", path.display());
        }
        self.write(&out_dir, &bytes)
    }

    /// The output directory: as set, else `$OUT_DIR`.
    fn output_dir(&self) -> Result<PathBuf, GenerateError> {
        match &self.out_dir {
            Some(dir) => Ok(dir.clone()),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    GenerateError::Config(
                        "OUT_DIR is not set: call from build.rs, or set out_dir".to_owned(),
                    )
                }),
        }
    }

    /// Generates from the encoded descriptor set `set` and writes the code,
    /// the include file and the descriptor set to `out_dir`.
    fn write(self, out_dir: &Path, set: &[u8]) -> Result<(), GenerateError> {
        let descriptor_set_path = self.file_descriptor_set_path.clone();
        let include_file = self.include_file.clone();
        let files = self.generate_descriptor_set(set)?;
        for file in &files {
            output::write_if_changed(&out_dir.join(&file.name), file.content.as_bytes())?;
        }
        if let Some(include_file) = include_file {
            let content = modules::include_file(&files, modules::IncludeFrom::OutDirEnv);
            output::write_if_changed(&out_dir.join(include_file), content.as_bytes())?;
        }
        if let Some(path) = descriptor_set_path {
            output::write_if_changed(&out_dir.join(path), set)?;
        }
        Ok(())
    }

    /// Generates the code of every package of `compiled` (which must include
    /// its imports), one file per package named as prost-build names them
    /// (`user.v1.rs`), sorted by name.
    pub fn generate(self, compiled: &Compiled) -> Result<Vec<GeneratedFile>, GenerateError> {
        self.generate_descriptor_set(&compiled.encode())
    }

    /// Generates the code of every package of an encoded `FileDescriptorSet`
    /// (which must include its imports), as [`generate`](Self::generate)
    /// does. Editions files (edition 2023 and 2024) are generated as
    /// prost-build would generate the same file spelled in proto3 (see
    /// [`descriptor::respell_editions`]): explicit presence as `optional`,
    /// `LEGACY_REQUIRED` as `required`, delimited messages as groups, packed
    /// or expanded repeated fields as they resolve, so the code encodes and
    /// decodes as protoc's does.
    pub fn generate_descriptor_set(self, set: &[u8]) -> Result<Vec<GeneratedFile>, GenerateError> {
        if self.options.build_mocks && !self.options.build_server {
            return Err(GenerateError::Config(
                "mocks implement the generated server trait: build_mocks(true) needs build_server(true)".to_owned(),
            ));
        }
        prost::generate(&proto3_set(set)?, &self.options).map_err(GenerateError::Config)
    }
}

/// The encoded set `set` decoded, its editions files spelled in proto3,
/// which is what the generator reads.
fn proto3_set(set: &[u8]) -> Result<descriptor::FileDescriptorSet, GenerateError> {
    let mut set = descriptor::FileDescriptorSet::decode(set)
        .map_err(|err| GenerateError::Config(format!("cannot read the descriptor set: {err}")))?;
    descriptor::respell_editions(&mut set, descriptor::OlderSyntax::Proto3)
        .map_err(GenerateError::Config)?;
    Ok(set)
}

/// Every service of `compiled` as the generated code names it: Rust names
/// of the service and its methods, and the Rust paths of their request and
/// response types relative to the package's module (`GetRequest`,
/// `super::super::common::v1::Money`, `()`, `::prost_types::Timestamp`),
/// with [`configure`]'s defaults. Whatever names code against the
/// generated code takes them from here, so it names things exactly as the
/// generated code does (today only [`crate::scaffold`]).
#[cfg(feature = "scaffold")]
pub(crate) fn services(compiled: &Compiled) -> Result<Vec<service::Service>, GenerateError> {
    prost::services(&proto3_set(&compiled.encode())?, &prost::Options::default())
        .map_err(GenerateError::Config)
}

/// The snake-case stem tonic gives a service's modules (`foo_bar_server`,
/// `foo_bar_client`) from its Rust name: a `_` before every capital that
/// follows a letter, so `HTTPService` is `h_t_t_p_service`, not heck's
/// `http_service`. Mocks and scaffolds use it so their paths match tonic's.
pub(crate) fn service_module_stem(rust_name: &str) -> String {
    let mut stem = String::with_capacity(rust_name.len() + 4);
    let mut chars = rust_name.chars().peekable();
    while let Some(c) = chars.next() {
        stem.push(c.to_ascii_lowercase());
        if chars.peek().is_some_and(|next| next.is_uppercase()) {
            stem.push('_');
        }
    }
    stem
}

/// Why code generation failed.
pub enum GenerateError {
    /// The schema does not compile; every problem is listed.
    Compile(CompileError),
    /// An output file could not be written.
    Output(output::OutputError),
    /// The options do not go together, or the environment lacks something.
    Config(String),
}

impl GenerateError {
    /// The problems as diagnostics, for printing.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            GenerateError::Compile(err) => err.diagnostics().to_vec(),
            GenerateError::Output(err) => vec![Diagnostic::from(err.clone())],
            GenerateError::Config(message) => vec![Diagnostic::error(message.clone())],
        }
    }
}

impl From<output::OutputError> for GenerateError {
    fn from(err: output::OutputError) -> Self {
        GenerateError::Output(err)
    }
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.diagnostics().iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

/// The located diagnostics, each with its code frame: `build.rs` returning
/// this error prints it with `{:?}` (as `Error: ...`), and that is the one
/// place cargo shows them.
impl fmt::Debug for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self
            .diagnostics()
            .iter()
            .map(Diagnostic::render_with_frame)
            .collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for GenerateError {}
