//! The inputs of a check, in buf's forms: a directory, a descriptor set image,
//! or a git reference (`.git#branch=main,subdir=proto`), read from git
//! objects without touching the work tree.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use prost::Message;

use super::{Config, Schema, changed::Selection, config::ConfigError, schema::ImageError};
use crate::{
    CompileError, Compiler, Diagnostic,
    compile::descriptor::{DescriptorProto, FileDescriptorProto, FileDescriptorSet},
    read::{ReadError, read_bounded},
    workspace::{self, CONFIG_SIZE_LIMIT, Document, Workspace, contains, normalize_relative},
};

/// The largest image read: protobuf's limit on one message (2 GiB).
pub const IMAGE_SIZE_LIMIT: u64 = (2 << 30) - 1;

/// Where a schema comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A directory of `.proto` files (the buf configuration that controls
    /// it, see [`crate::workspace`], decides the modules and roots).
    Dir(PathBuf),
    /// A `FileDescriptorSet` image: binary (`.binpb`, `.pb`, `.bin`) or JSON.
    Image(PathBuf),
    /// A commit of a local git repository.
    Git {
        /// The `.git` directory, or a directory inside a work tree.
        repository: PathBuf,
        /// A branch, tag or any revision git understands.
        revision: String,
        /// The directory of the schema inside the tree.
        subdir: Option<String>,
    },
}

/// Why an input could not be read.
#[derive(Debug)]
pub enum InputError {
    /// The input string is not one of the accepted forms.
    Invalid(String),
    /// The schema does not compile.
    Compile(CompileError),
    /// Its `buf.yaml` is invalid.
    Config(ConfigError),
    /// The input compared against failed: which one it is, and why.
    Against {
        /// The against input, as given.
        input: String,
        /// Why.
        source: Box<InputError>,
    },
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Invalid(message) => f.write_str(message),
            InputError::Compile(err) => err.fmt(f),
            InputError::Config(err) => err.fmt(f),
            InputError::Against { input, source } => {
                write!(f, "the against input {input} failed: {source}")
            }
        }
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InputError::Against { source, .. } => Some(source.as_ref()),
            // Shown as it is: its causes are this one's.
            InputError::Config(err) => err.source(),
            InputError::Invalid(_) | InputError::Compile(_) => None,
        }
    }
}

impl From<ConfigError> for InputError {
    fn from(err: ConfigError) -> Self {
        InputError::Config(err)
    }
}

impl InputError {
    /// The problems, as located diagnostics.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            InputError::Compile(err) => err.diagnostics().to_vec(),
            InputError::Against { input, source } => {
                let mut diagnostics = vec![Diagnostic::from_message(format!(
                    "the against input {input} failed:"
                ))];
                diagnostics.extend(source.diagnostics());
                diagnostics
            }
            other => vec![Diagnostic::from_message(other.to_string())],
        }
    }
}

/// A loaded input.
#[derive(Debug)]
pub struct Loaded {
    /// The schema.
    pub schema: Schema,
    /// Its `buf.yaml`, when it has one (the first selected module's).
    pub config: Option<Config>,
    /// Per selected module, its configuration and the names of its files
    /// (empty for an image: one module, configured by `config`).
    pub modules: Vec<(Config, HashSet<String>)>,
    /// How to show each file: import name to the path buf prints.
    pub shown: HashMap<String, String>,
    /// Which configuration was used, when it is not the input's own.
    pub note: Option<String>,
    /// Where the files' texts can be read again.
    pub(crate) texts: Texts,
}

/// Where a loaded input's texts are: buf prints columns counted on them
/// (see [`super::columns`]).
#[derive(Debug, Default)]
pub(crate) enum Texts {
    /// None: an image.
    #[default]
    None,
    /// Below these include roots, by import name.
    Disk(Vec<PathBuf>),
    /// By import name.
    Memory(BTreeMap<String, String>),
}

impl Loaded {
    /// The texts of the files `names` (by import name) that the input can
    /// read again (none for an image), read on every core.
    pub(crate) fn texts_of(
        &self,
        names: Vec<String>,
    ) -> HashMap<String, std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        let read = |_: &mut (), name: String| {
            let text = match &self.texts {
                Texts::None => None,
                Texts::Disk(roots) => roots
                    .iter()
                    .find_map(|root| std::fs::read_to_string(root.join(&name)).ok())
                    .map(Cow::Owned),
                Texts::Memory(texts) => texts.get(&name).map(|t| Cow::Borrowed(t.as_str())),
            };
            Some(text.map(|text| (name, text)))
        };
        if matches!(self.texts, Texts::None) {
            return HashMap::new();
        }
        crate::compile::parallel::map_with(names, || (), read)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect()
    }

    /// Moves the spans of `findings` (in this input's files, by import
    /// name) to the columns buf prints.
    pub(crate) fn to_buf_columns(&self, findings: &mut [super::Finding]) {
        let mut names: Vec<String> = findings.iter().filter_map(|f| f.path.clone()).collect();
        names.sort_unstable();
        names.dedup();
        let texts = self.texts_of(names);
        super::columns::to_buf(findings, &texts);
    }

    /// The parts buf checks one by one: each selected module of a
    /// workspace, with its configuration and the names of its files; else
    /// one part, the whole schema, under the input's configuration (which
    /// is `--config`'s when one was given to the load), else `fallback`
    /// (an image has none of its own). `breaking` and `lint` both split
    /// their inputs this way.
    pub fn parts<'a>(
        &'a self,
        fallback: Option<&'a Config>,
    ) -> Vec<(Option<&'a Config>, Option<&'a HashSet<String>>)> {
        if self.modules.len() > 1 {
            self.modules
                .iter()
                .map(|(config, names)| (Some(config), Some(names)))
                .collect()
        } else {
            vec![(self.config.as_ref().or(fallback), None)]
        }
    }
}

/// How an input is read.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// A configuration to use instead of the one the input would find
    /// (`--config`, `--against-config`): its modules, roots and excludes.
    pub config: Option<Document>,
    /// Only files under these paths are the input's own (`--path`): paths
    /// on disk for a directory (inside it), paths in the tree for a git
    /// reference, file names for an image.
    pub paths: Vec<String>,
    /// Files under these paths are not the input's own (`--exclude-path`).
    pub exclude_paths: Vec<String>,
}

/// The input as buf's syntax writes it, for messages.
impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Dir(path) | Input::Image(path) => write!(f, "{}", path.display()),
            Input::Git {
                repository,
                revision,
                subdir,
            } => {
                write!(f, "{}#ref={revision}", repository.display())?;
                match subdir {
                    Some(subdir) => write!(f, ",subdir={subdir}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl Input {
    /// Parses buf's input syntax.
    pub fn parse(text: &str) -> Result<Input, InputError> {
        if let Some((location, options)) = text.split_once('#') {
            if location.contains("://") {
                return Err(InputError::Invalid(format!(
                    "'{text}': only local git repositories are supported (clone it first)"
                )));
            }
            let mut revision = None;
            let mut subdir = None;
            for option in options.split(',').filter(|o| !o.is_empty()) {
                let (key, value) = option.split_once('=').ok_or_else(|| {
                    InputError::Invalid(format!("'{text}': expected key=value, found '{option}'"))
                })?;
                match key {
                    "branch" | "tag" | "ref" => revision = Some(value.to_owned()),
                    "subdir" => subdir = Some(value.trim_matches('/').to_owned()),
                    "depth" | "recurse_submodules" => {}
                    other => {
                        return Err(InputError::Invalid(format!(
                            "'{text}': unknown git option '{other}' (use branch, tag, ref or subdir)"
                        )));
                    }
                }
            }
            let location = if location.is_empty() { "." } else { location };
            return Ok(Input::Git {
                repository: PathBuf::from(location),
                revision: revision.unwrap_or_else(|| "HEAD".to_owned()),
                subdir,
            });
        }
        let path = PathBuf::from(text);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => Ok(Input::Dir(path)),
            Ok(_) if path.extension().is_some_and(|e| e == "proto") => {
                Err(InputError::Invalid(format!(
                    "'{text}': a single .proto file is not an input; pass the directory of its module"
                )))
            }
            Ok(_) => Ok(Input::Image(path)),
            Err(_) => Err(InputError::Invalid(format!(
                "'{text}': no such file or directory"
            ))),
        }
    }

    /// Reads the schema (compiling sources).
    pub fn load(&self) -> Result<Loaded, InputError> {
        self.load_with(&LoadOptions::default())
    }

    /// Reads the schema as `options` say.
    pub fn load_with(&self, options: &LoadOptions) -> Result<Loaded, InputError> {
        self.prepare(options)?.finish(None)
    }

    /// Reads the input up to its compilation: a directory's or a commit's
    /// sources, or an image's schema.
    pub(crate) fn prepare(&self, options: &LoadOptions) -> Result<Prepared, InputError> {
        match self {
            Input::Dir(dir) => prepare_dir(dir, options),
            Input::Image(path) => {
                load_image(path, options).map(|loaded| Prepared::Image(Box::new(loaded)))
            }
            Input::Git {
                repository,
                revision,
                subdir,
            } => prepare_git(repository, revision, subdir.as_deref(), options),
        }
    }
}

/// An input read up to its compilation (see [`super::changed`], which
/// decides what of two such inputs needs compiling).
#[derive(Debug)]
pub(crate) enum Prepared {
    /// An image: its schema is already there.
    Image(Box<Loaded>),
    /// Sources to compile.
    Sources(Box<Sources>),
}

/// The sources of a directory or a commit, and what the schema is cut to.
#[derive(Debug)]
pub(crate) struct Sources {
    /// Every file the input can import, by import name, when all of them
    /// have been read as text (a directory's files are read only when a
    /// plan asks: [`Prepared::read_texts`]).
    texts: Option<BTreeMap<String, String>>,
    /// How to compile everything.
    whole: Whole,
    /// The input's own files (the rest are imports).
    targeted: HashSet<String>,
    config: Option<Config>,
    modules: Vec<(Config, HashSet<String>)>,
    shown: HashMap<String, String>,
    note: Option<String>,
}

/// How a whole input compiles.
#[derive(Debug)]
enum Whole {
    /// Files on disk below include roots (their diagnostics name disk paths).
    Disk { listing: workspace::Listing },
    /// The texts, held in memory.
    Memory,
}

impl Prepared {
    /// Reads a directory's files as text, for [`super::changed::plan`]
    /// (the full compilation reads them itself).
    pub(crate) fn read_texts(&mut self) {
        if let Prepared::Sources(sources) = self
            && let Whole::Disk { listing, .. } = &sources.whole
            && sources.texts.is_none()
        {
            sources.texts = dir_texts(listing);
        }
    }

    /// The input's sources, when the plan can read them all.
    pub(crate) fn texts(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            Prepared::Sources(sources) => sources.texts.as_ref(),
            Prepared::Image(_) => None,
        }
    }

    /// Compiles the input: everything, or only what `selection` says, its
    /// other files standing as stubs. A selection that does not compile
    /// falls back to everything, so that errors are the full compilation's.
    pub(crate) fn finish(self, selection: Option<Selection>) -> Result<Loaded, InputError> {
        let loaded = match self {
            Prepared::Image(loaded) => *loaded,
            Prepared::Sources(sources) => sources.finish(selection)?,
        };
        if loaded.schema.has_no_inputs() {
            return Err(InputError::Invalid(
                "no .proto files were targeted. This can occur if no .proto files are found in \
                 your input, --path points to files that do not exist, or --exclude-path \
                 excludes all files."
                    .to_owned(),
            ));
        }
        Ok(loaded)
    }
}

impl Sources {
    fn finish(self, selection: Option<Selection>) -> Result<Loaded, InputError> {
        let texts = self.texts.as_ref();
        let partial = selection.and_then(|selection| {
            let texts = texts?;
            let wanted: BTreeMap<String, String> = selection
                .compile
                .iter()
                .filter_map(|name| Some((name.clone(), texts.get(name)?.clone())))
                .collect();
            let schema = if wanted.is_empty() {
                Schema::default()
            } else {
                let compiled = Compiler::new()
                    .include_imports(true)
                    .include_source_info(true)
                    .compile_sources(&wanted)
                    .ok()?;
                Schema::from_compiled(compiled)
            };
            Some(schema.with_stubs(selection.stubs))
        });
        let schema = match partial {
            Some(schema) => schema,
            None => self.compile_whole()?,
        };
        let schema = schema.restrict_to(|name| self.targeted.contains(name));
        let texts = match (self.texts, &self.whole) {
            (Some(texts), _) => Texts::Memory(texts),
            (None, Whole::Disk { listing }) => Texts::Disk(listing.roots.clone()),
            (None, Whole::Memory) => Texts::None,
        };
        let mut shown = self.shown;
        if let Whole::Disk { listing } = &self.whole {
            let roots = &listing.roots;
            for name in schema.file_names() {
                if shown.contains_key(name) {
                    continue;
                }
                if let Some(root) = roots.iter().find(|root| root.join(name).is_file()) {
                    let path = root.join(name);
                    let path = path.strip_prefix(".").unwrap_or(&path);
                    shown.insert(name.to_owned(), path.display().to_string());
                }
            }
        }
        Ok(Loaded {
            schema,
            config: self.config,
            modules: self.modules,
            shown,
            note: self.note,
            texts,
        })
    }

    fn compile_whole(&self) -> Result<Schema, InputError> {
        let compiled = match (&self.whole, &self.texts) {
            (Whole::Disk { listing }, _) => {
                let files: Vec<&PathBuf> = listing.files.iter().map(|(_, path, _)| path).collect();
                Compiler::new()
                    .include_imports(true)
                    .include_source_info(true)
                    .includes(listing.roots.iter().cloned())
                    .compile(&files)
                    .map_err(InputError::Compile)?
            }
            (Whole::Memory, Some(texts)) => Compiler::new()
                .include_imports(true)
                .include_source_info(true)
                .compile_sources(texts)
                .map_err(InputError::Compile)?,
            (Whole::Memory, None) => {
                return Err(InputError::Invalid("no sources to compile".to_owned()));
            }
        };
        Ok(Schema::from_compiled(compiled))
    }
}

/// `--path` and `--exclude-path` as predicates over the paths `to_path`
/// gives each file.
struct PathFilter {
    paths: Vec<String>,
    excludes: Vec<String>,
}

impl PathFilter {
    /// The filter of `options`, each path made relative by `relative`
    /// (which refuses paths outside the input).
    fn new(
        options: &LoadOptions,
        relative: impl Fn(&str) -> Result<String, InputError>,
    ) -> Result<PathFilter, InputError> {
        let filter = PathFilter {
            paths: options
                .paths
                .iter()
                .map(|p| relative(p))
                .collect::<Result<_, _>>()?,
            excludes: options
                .exclude_paths
                .iter()
                .map(|p| relative(p))
                .collect::<Result<_, _>>()?,
        };
        if let Some(both) = filter.paths.iter().find(|p| filter.excludes.contains(p)) {
            return Err(InputError::Invalid(format!(
                "cannot set the same path for both --path and --exclude-path: {both:?}"
            )));
        }
        Ok(filter)
    }

    fn accepts(&self, path: &str) -> bool {
        (self.paths.is_empty() || self.paths.iter().any(|p| contains(p, path)))
            && !self.excludes.iter().any(|p| contains(p, path))
    }
}

impl PathFilter {
    /// buf refuses a `--path` that names a whole module (the module is the
    /// input to give), and an `--exclude-path` that does.
    fn names_no_module(&self, workspace: &Workspace) -> Result<(), InputError> {
        if workspace.up > 0 {
            return Ok(());
        }
        let module = |paths: &[String]| {
            paths
                .iter()
                .find(|p| {
                    workspace
                        .modules
                        .iter()
                        .any(|m| m.path != "." && m.path == **p)
                })
                .cloned()
        };
        if let Some(path) = module(&self.paths) {
            return Err(InputError::Invalid(format!(
                "module \"{path}\" was specified with --path, specify this module path directly \
                 as an input"
            )));
        }
        if let Some(path) = module(&self.excludes) {
            return Err(InputError::Invalid(format!(
                "module \"{path}\" was specified with --exclude-path, this flag cannot be used to \
                 specify module directories"
            )));
        }
        Ok(())
    }
}

fn outside(path: &str, reason: &str) -> InputError {
    InputError::Invalid(format!("{path}: {reason}"))
}

fn prepare_dir(dir: &Path, options: &LoadOptions) -> Result<Prepared, InputError> {
    let workspace = match &options.config {
        Some(document) => {
            Workspace::with_document(document.clone(), |path| workspace::clean(&dir.join(path)))?
        }
        None => Workspace::find_dir(dir)?,
    };
    let listing = workspace
        .list()
        .map_err(|err| InputError::Invalid(err.to_string()))?;
    // buf builds every module it selects and refuses one with nothing to
    // build (its files deleted, or all excluded), rather than comparing or
    // linting the workspace without it.
    if workspace.modules.len() > 1 {
        for &index in &workspace.targets {
            if !listing.files.iter().any(|(_, _, module)| *module == index) {
                return Err(InputError::Invalid(format!(
                    "Module \"path: \"{}\"\" had no .proto files",
                    workspace.modules[index].path
                )));
            }
        }
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let base = workspace::clean(&cwd.join(dir));
    let relative_to_input = |path: &Path| -> Option<String> {
        let absolute = workspace::clean(&cwd.join(path));
        let rest = absolute.strip_prefix(&base).ok()?;
        let parts: Vec<String> = rest
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(if parts.is_empty() {
            ".".to_owned()
        } else {
            parts.join("/")
        })
    };
    let filter = PathFilter::new(options, |path| {
        relative_to_input(Path::new(path))
            .ok_or_else(|| outside(path, "is outside the context directory"))
    })?;
    filter.names_no_module(&workspace)?;
    let mut shown = HashMap::new();
    let mut targeted = HashSet::new();
    let mut modules: Vec<(Config, HashSet<String>)> = Vec::new();
    for &index in &workspace.targets {
        modules.push((
            Config::for_module(&workspace.modules[index])?,
            HashSet::new(),
        ));
    }
    for (name, path, index) in &listing.files {
        let path = path.strip_prefix(".").unwrap_or(path);
        shown.insert(name.clone(), path.display().to_string());
        if relative_to_input(path).is_some_and(|rel| filter.accepts(&rel)) {
            targeted.insert(name.clone());
        }
        if let Some(position) = workspace.targets.iter().position(|t| t == index) {
            modules[position].1.insert(name.clone());
        }
    }
    Ok(Prepared::Sources(Box::new(Sources {
        texts: None,
        whole: Whole::Disk { listing },
        targeted,
        config: modules.first().map(|(config, _)| config.clone()),
        modules,
        shown,
        note: workspace.note(&dir.display().to_string()),
    })))
}

/// The texts of a directory's files by import name, when each is the file
/// its name resolves to (the first root that has it) and is UTF-8 text
/// within the size limit; `None` otherwise (the full compilation then
/// reads and reports them).
fn dir_texts(listing: &workspace::Listing) -> Option<BTreeMap<String, String>> {
    let limit = crate::Limits::default().max_file_size;
    let texts = crate::compile::parallel::map_with(
        listing.files.iter().collect(),
        || (),
        |(), (name, path, _)| {
            let first = listing
                .roots
                .iter()
                .map(|root| root.join(name))
                .find(|p| p.is_file())?;
            if workspace::clean(&first) != workspace::clean(path) {
                return None;
            }
            let text = String::from_utf8(read_bounded(path, limit).ok()?).ok()?;
            Some((name.clone(), text))
        },
    )?;
    let count = texts.len();
    let texts: BTreeMap<String, String> = texts.into_iter().collect();
    // The same name twice: the full compilation says what is wrong.
    (texts.len() == count).then_some(texts)
}

fn load_image(path: &Path, options: &LoadOptions) -> Result<Loaded, InputError> {
    let shown_path = path.display();
    let bytes = read_bounded(path, IMAGE_SIZE_LIMIT)
        .map_err(|err| InputError::Invalid(format!("{shown_path}: cannot read: {err}")))?;
    let binary = if path.extension().is_some_and(|e| e == "json") {
        // protoc 35's FileDescriptorSet, so that `edition` and `features` parse.
        let descriptor = crate::compile::descriptor::reflect_file_descriptor_set();
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let message = prost_reflect::DynamicMessage::deserialize(descriptor, &mut deserializer)
            .map_err(|err| {
                InputError::Invalid(format!("{shown_path}: not a JSON FileDescriptorSet: {err}"))
            })?;
        message.encode_to_vec()
    } else {
        bytes
    };
    // Decoded once, into the front end's own types, which keep what
    // prost-types would drop (`edition`, `features`, custom options, the
    // import flags `buf build` writes).
    let set = FileDescriptorSet::decode(binary.as_slice()).map_err(|err| {
        InputError::Invalid(format!(
            "{shown_path}: invalid image: not a FileDescriptorSet: {err}"
        ))
    })?;
    drop(binary);
    validate_set(&set)
        .map_err(|err| InputError::Invalid(format!("{shown_path}: invalid image: {err}")))?;
    let schema = Schema::from_set(set).map_err(|err| match err {
        ImageError::Features(_) => {
            InputError::Invalid(format!("{shown_path}: invalid image: {err}"))
        }
        ImageError::Decode(_) => InputError::Invalid(format!(
            "{shown_path}: not a FileDescriptorSet image: {err}"
        )),
    })?;
    let filter = PathFilter::new(options, |p| {
        normalize_relative(p).map_err(|reason| outside(p, reason))
    })?;
    let schema = schema.restrict_to(|name| filter.accepts(name));
    let shown = schema
        .file_names()
        .map(|n| (n.to_owned(), n.to_owned()))
        .collect();
    Ok(Loaded {
        schema,
        config: None,
        modules: Vec::new(),
        shown,
        note: None,
        texts: Texts::None,
    })
}

/// Links an image as a compiler would before it is compared: every name it
/// refers to defined once, every import present, no import cycle, known
/// syntax, field types and labels protobuf has, a message or an enum where
/// the field's type says so. An image that cannot be true would give
/// invented findings. `Err` says what is wrong, naming the file and the
/// element.
pub fn validate_image(bytes: &[u8]) -> Result<(), String> {
    let set = FileDescriptorSet::decode(bytes)
        .map_err(|err| format!("not a FileDescriptorSet: {err}"))?;
    validate_set(&set)
}

/// [`validate_image`], on a set already decoded.
fn validate_set(set: &FileDescriptorSet) -> Result<(), String> {
    let mut names = HashSet::new();
    for (index, file) in set.file.iter().enumerate() {
        if file.name().is_empty() {
            return Err(format!("file {} has no name", index + 1));
        }
        if !names.insert(file.name()) {
            return Err(format!("file {} is in the image twice", file.name()));
        }
        if !matches!(file.syntax(), "" | "proto2" | "proto3" | "editions") {
            return Err(format!(
                "{}: unknown syntax \"{}\"",
                file.name(),
                file.syntax()
            ));
        }
    }
    // Every message and enum by full name, for the field checks below.
    let mut kinds: HashMap<String, bool> = HashMap::new(); // true: a message
    for file in &set.file {
        let prefix = if file.package().is_empty() {
            String::new()
        } else {
            format!(".{}", file.package())
        };
        let mut messages: Vec<(String, &DescriptorProto)> = file
            .message_type
            .iter()
            .map(|m| (format!("{prefix}.{}", m.name()), m))
            .collect();
        for e in &file.enum_type {
            kinds.insert(format!("{prefix}.{}", e.name()), false);
        }
        while let Some((name, message)) = messages.pop() {
            for e in &message.enum_type {
                kinds.insert(format!("{name}.{}", e.name()), false);
            }
            messages.extend(
                message
                    .nested_type
                    .iter()
                    .map(|m| (format!("{name}.{}", m.name()), m)),
            );
            kinds.insert(name, true);
        }
    }
    // Field types and labels protobuf knows (the linker below takes any
    // number), and a message or enum where the type says so, through nested
    // messages without recursion.
    for file in &set.file {
        let mut messages: Vec<(String, &DescriptorProto)> = file
            .message_type
            .iter()
            .map(|m| (format!("{}.{}", file.package(), m.name()), m))
            .collect();
        while let Some((name, message)) = messages.pop() {
            for field in message.field.iter().chain(&message.extension) {
                let known_type = field.r#type.is_none_or(|t| (1..=18).contains(&t));
                let known_label = field.label.is_none_or(|l| (1..=3).contains(&l));
                if !known_type || !known_label {
                    return Err(format!(
                        "{}: field {name}.{} has an unknown type or label",
                        file.name(),
                        field.name()
                    ));
                }
                let wanted = match field.r#type {
                    Some(11 | 10) => Some(true),
                    Some(14) => Some(false),
                    _ => None,
                };
                if let Some(wanted) = wanted
                    && let Some(&is_message) = kinds.get(field.type_name())
                    && is_message != wanted
                {
                    return Err(format!(
                        "{}: field {name}.{} is of type {} but names the {} {}",
                        file.name(),
                        field.name(),
                        if wanted { "message" } else { "enum" },
                        if is_message { "message" } else { "enum" },
                        field.type_name().trim_start_matches('.')
                    ));
                }
            }
            messages.extend(
                message
                    .nested_type
                    .iter()
                    .map(|m| (format!("{name}.{}", m.name()), m)),
            );
        }
    }
    // Imports: every one present, and no cycle (depth-first, iterative).
    let by_name: HashMap<&str, &FileDescriptorProto> =
        set.file.iter().map(|f| (f.name(), f)).collect();
    for file in &set.file {
        for dependency in &file.dependency {
            if !by_name.contains_key(dependency.as_str()) {
                return Err(format!(
                    "{}: imports {dependency}, which is not in the image",
                    file.name()
                ));
            }
        }
    }
    let mut state: HashMap<&str, bool> = HashMap::new(); // false: on the path; true: done
    for file in &set.file {
        let mut stack: Vec<(&str, usize)> = vec![(file.name(), 0)];
        while let Some((name, next)) = stack.pop() {
            if next == 0 {
                match state.get(name) {
                    Some(true) => continue,
                    Some(false) => {
                        return Err(format!("{name}: import cycle"));
                    }
                    None => {
                        state.insert(name, false);
                    }
                }
            }
            let dependencies = &by_name[name].dependency;
            if let Some(dependency) = dependencies.get(next) {
                stack.push((name, next + 1));
                if state.get(dependency.as_str()) == Some(&false) {
                    return Err(format!("{name}: import cycle through {dependency}"));
                }
                stack.push((dependency.as_str(), 0));
            } else {
                state.insert(name, true);
            }
        }
    }
    // Features are the rules' business, resolved by `Schema::decode`.
    crate::compile::descriptor::reflect_pool(&super::schema::encode_without_source_info(&set.file))
        .map(|_| ())
}

fn git(repository: &Path) -> Command {
    let mut command = Command::new("git");
    if repository.file_name().is_some_and(|n| n == ".git") {
        command.arg("--git-dir").arg(repository);
    } else {
        command.arg("-C").arg(repository);
    }
    command
}

fn run_git(repository: &Path, args: &[&str]) -> Result<Vec<u8>, InputError> {
    let output = git(repository)
        .args(args)
        .output()
        .map_err(|err| InputError::Invalid(format!("cannot run git: {err}")))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(InputError::Invalid(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

/// Reads the schema at `revision` from git objects: the user's work tree
/// and index are never touched.
fn prepare_git(
    repository: &Path,
    revision: &str,
    subdir: Option<&str>,
    options: &LoadOptions,
) -> Result<Prepared, InputError> {
    if run_git(repository, &["rev-parse", "--git-dir"]).is_err() {
        return Err(InputError::Invalid(format!(
            "git: {} is not a git repository",
            repository.display()
        )));
    }
    // A branch may exist only as a remote-tracking one (a CI clone).
    let commit = [revision.to_owned(), format!("origin/{revision}")]
        .iter()
        .find_map(|candidate| {
            run_git(
                repository,
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("{candidate}^{{commit}}"),
                ],
            )
            .ok()
        })
        .map(|out| String::from_utf8_lossy(&out).trim().to_owned())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            let shallow = run_git(repository, &["rev-parse", "--is-shallow-repository"])
                .is_ok_and(|out| out.starts_with(b"true"));
            let hint = if shallow {
                " (the clone is shallow: fetch the history it needs, such as `git fetch \
                 --unshallow`, or `fetch-depth: 0` with actions/checkout)"
            } else {
                ""
            };
            InputError::Invalid(format!(
                "git: no commit '{revision}' in {}{hint}",
                repository.display()
            ))
        })?;
    let subdir = match subdir {
        Some(subdir) => {
            let normal = normalize_relative(subdir)
                .map_err(|reason| outside(&format!("subdir {subdir}"), reason))?;
            Some(normal).filter(|s| s != ".")
        }
        None => None,
    };
    let subdir = subdir.as_deref();
    // Every entry of the tree, with its mode and size: only regular blobs
    // are read, each measured first.
    let listing = run_git(
        repository,
        &["ls-tree", "-r", "-l", "-z", "--full-tree", &commit],
    )?;
    let mut entries: HashMap<String, (bool, u64)> = HashMap::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut fields = meta.split_whitespace();
        let (mode, size) = (fields.next().unwrap_or(""), fields.nth(2).unwrap_or(""));
        let regular = mode.starts_with("100");
        entries.insert(path.to_owned(), (regular, size.parse().unwrap_or(u64::MAX)));
    }
    let segments: Vec<String> = subdir
        .map(|s| s.split('/').map(str::to_owned).collect())
        .unwrap_or_default();
    // A blob is read only when it is a regular file within the limit.
    let measure = |path: &str, limit: u64| -> Result<bool, InputError> {
        let Some(&(regular, size)) = entries.get(path) else {
            return Ok(false);
        };
        if !regular {
            return Err(InputError::Invalid(format!(
                "{revision}:{path}: cannot read: not a regular file"
            )));
        }
        if size > limit {
            return Err(InputError::Invalid(format!(
                "{revision}:{path}: cannot read: {}",
                ReadError::TooLarge { len: size, limit }
            )));
        }
        Ok(true)
    };
    let read_one = |path: &str, limit: u64| -> Result<Option<String>, InputError> {
        if !measure(path, limit)? {
            return Ok(None);
        }
        let blobs = read_blobs(repository, &commit, &[path.to_owned()])?;
        Ok(blobs.into_iter().next().map(|(_, text)| text))
    };
    let tree_path = |parts: &[String], rest: &str| {
        let mut parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        if rest != "." && !rest.is_empty() {
            parts.push(rest);
        }
        parts.join("/")
    };
    let workspace = match &options.config {
        Some(document) => Workspace::with_document(document.clone(), |path| {
            PathBuf::from(tree_path(&segments, path))
        })?,
        None => workspace::find(
            segments.len(),
            format!("{revision}:{}", subdir.unwrap_or(".")),
            &segments,
            |up, name| {
                let path = tree_path(&segments[..segments.len() - up], name);
                let shown = format!("{revision}:{path}");
                match read_one(&path, CONFIG_SIZE_LIMIT) {
                    Ok(Some(text)) => Document::parse(text, &shown).map(Some),
                    Ok(None) => Ok(None),
                    Err(err) => Err(ConfigError::Invalid {
                        path: shown,
                        message: err.to_string(),
                    }),
                }
            },
        )?,
    };
    let filter = PathFilter::new(options, |p| {
        let normal = normalize_relative(p).map_err(|reason| outside(p, reason))?;
        match subdir {
            Some(subdir) if !contains(subdir, &normal) => {
                Err(outside(p, "is outside the context directory"))
            }
            _ => Ok(normal),
        }
    })?;
    filter.names_no_module(&workspace)?;
    // Each module root's files, as import name and tree path.
    let mut sources = BTreeMap::new();
    let mut shown = HashMap::new();
    let mut targeted = HashSet::new();
    let mut modules: Vec<(Config, HashSet<String>)> = Vec::new();
    let mut wanted: Vec<(String, String, Option<usize>)> = Vec::new();
    for (index, module) in workspace.modules.iter().enumerate() {
        let target = workspace.targets.iter().position(|t| *t == index);
        if target.is_some() {
            modules.push((Config::for_module(module)?, HashSet::new()));
        }
        let module_dir = module.dir.to_string_lossy().into_owned();
        for root in &module.roots {
            let root_path = if root == "." {
                module_dir.clone()
            } else {
                tree_path(std::slice::from_ref(&module_dir), root)
            };
            let prefix = if root_path.is_empty() {
                String::new()
            } else {
                format!("{root_path}/")
            };
            let mut names: Vec<&String> = entries
                .keys()
                .filter(|p| p.ends_with(".proto") && p.starts_with(&prefix))
                .collect();
            names.sort();
            for path in names {
                let name = path[prefix.len()..].to_owned();
                let in_module = if root == "." {
                    name.clone()
                } else {
                    format!("{root}/{name}")
                };
                if !module.has(&in_module) {
                    continue;
                }
                wanted.push((name, path.clone(), target));
            }
        }
    }
    // Import names resolve in module order: the first root that has one.
    let mut seen = HashSet::new();
    wanted.retain(|(name, _, _)| seen.insert(name.clone()));
    let limit = crate::Limits::default().max_file_size;
    for (_, path, _) in &wanted {
        measure(path, limit)?;
    }
    let paths: Vec<String> = wanted.iter().map(|(_, path, _)| path.clone()).collect();
    let blobs = read_blobs(repository, &commit, &paths)?;
    for ((name, path, target), (_, text)) in wanted.into_iter().zip(blobs) {
        if let Some(target) = target {
            modules[target].1.insert(name.clone());
            if filter.accepts(&path) {
                targeted.insert(name.clone());
            }
        }
        shown.insert(name.clone(), path);
        sources.insert(name, text);
    }
    if modules.iter().all(|(_, names)| names.is_empty()) {
        return Err(InputError::Invalid(format!(
            "git: no .proto files at {revision}{}",
            subdir.map(|s| format!(" below {s}")).unwrap_or_default()
        )));
    }
    Ok(Prepared::Sources(Box::new(Sources {
        texts: Some(sources),
        whole: Whole::Memory,
        targeted,
        config: modules.first().map(|(config, _)| config.clone()),
        modules,
        shown,
        note: workspace.note(&format!("{revision}:{}", subdir.unwrap_or("."))),
    })))
}

/// Reads blobs with one `git cat-file --batch`.
fn read_blobs(
    repository: &Path,
    commit: &str,
    paths: &[String],
) -> Result<Vec<(String, String)>, InputError> {
    let mut child = git(repository)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|err| InputError::Invalid(format!("cannot run git: {err}")))?;
    let requests: String = paths.iter().map(|p| format!("{commit}:{p}\n")).collect();
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| InputError::Invalid("git: no stdin".to_owned()))?;
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|err| InputError::Invalid(format!("git cat-file: {err}")))?;
    let _ = writer.join();
    let mut rest = output.stdout.as_slice();
    let mut blobs = Vec::new();
    for path in paths {
        let header_end = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| InputError::Invalid("git cat-file: truncated output".to_owned()))?;
        let header = String::from_utf8_lossy(&rest[..header_end]).into_owned();
        let size: usize = header
            .split(' ')
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| InputError::Invalid(format!("git cat-file: {header}")))?;
        let body = rest
            .get(header_end + 1..header_end + 1 + size)
            .ok_or_else(|| InputError::Invalid("git cat-file: truncated output".to_owned()))?;
        let text = String::from_utf8(body.to_vec())
            .map_err(|_| InputError::Invalid(format!("{path}: file is not valid utf-8")))?;
        blobs.push((path.clone(), text));
        rest = rest.get(header_end + 2 + size..).unwrap_or_default();
    }
    Ok(blobs)
}
