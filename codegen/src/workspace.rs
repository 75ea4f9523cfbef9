//! buf's configuration, found where buf finds it.
//!
//! buf decides which configuration governs a directory input by walking up
//! from the input towards the root of the file system (or of the git tree),
//! stopping at the first directory whose configuration *controls* the input:
//!
//! - a v2 `buf.yaml` controls when it sits in the input itself, or when one
//!   of its `modules[].path` equals or contains the input;
//! - a v1 `buf.work.yaml` controls in the same way with its `directories`;
//! - a v1 or v1beta1 `buf.yaml` controls only the directory it is in, and
//!   only when nothing above controls it.
//!
//! The input then selects modules: the workspace root selects all of them,
//! a module's directory that module, and a directory strictly inside a
//! module is refused as buf refuses it (filter with `--path` instead). Every
//! module's roots are include roots, so modules import each other.
//!
//! Every path a configuration names (module paths, `build.roots`,
//! `directories`, excludes) is validated and normalised as buf does it:
//! relative, and inside the directory of the configuration. Configuration
//! files are read through [`crate::read`] (regular files only, at most
//! [`CONFIG_SIZE_LIMIT`] bytes), must be UTF-8, and are read by
//! [`crate::yaml`], which refuses collections nested deeper than
//! [`CONFIG_NESTING_LIMIT`]. Their fields are read as buf's Go `yaml.v3`
//! decodes them (any scalar is a string, a null list item is left out),
//! and a value of the wrong shape is an error naming its line, column and
//! field (`modules[0].path`).
//!
//! [`Workspace::find_dir`] finds the configuration of a directory on disk;
//! [`Workspace::find`] does the same over any tree (git objects). Each
//! [`Module`] hands out its blocks (`breaking`, `lint`) as YAML nodes.

use std::path::{Component, Path, PathBuf};

use crate::yaml::{self, Node, YamlError};

/// The largest configuration file read (`buf.yaml`, `buf.work.yaml`,
/// `--config`): real ones are a few hundred bytes.
pub const CONFIG_SIZE_LIMIT: u64 = 1 << 20;

/// The deepest a configuration's collections may nest (mappings and
/// sequences, block or flow, the document's own counted): real ones nest 4
/// deep.
pub const CONFIG_NESTING_LIMIT: usize = 64;

/// The configuration file names buf reads. buf 1.75 reads no `buf.yml`
/// and no `buf.work.yml`: a directory holding one is linted and compared
/// with the defaults, so protoforge does not read them either.
pub(crate) const BUF_YAML: [&str; 1] = ["buf.yaml"];
const BUF_WORK_YAML: [&str; 1] = ["buf.work.yaml"];

/// A configuration version: the rule catalog and categories differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Version {
    /// `v1beta1`.
    V1Beta1,
    /// `v1`, and what buf applies with no `buf.yaml` at all.
    #[default]
    V1,
    /// `v2`.
    V2,
}

/// What went wrong reading a configuration.
#[derive(Debug)]
pub enum ConfigError {
    /// The file is not valid YAML for a buf configuration.
    Invalid {
        /// The configuration file.
        path: String,
        /// What is wrong, with a line when the YAML parser gives one.
        message: String,
    },
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Invalid { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Which kind of configuration governs the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A v2 `buf.yaml` workspace.
    V2,
    /// A v1 `buf.work.yaml` workspace of v1 modules.
    Work,
    /// A v1 or v1beta1 `buf.yaml` in the input directory: one module.
    Module,
    /// No configuration: the input is one module with buf's defaults.
    None,
}

/// A configuration document as read: its text and where it came from.
#[derive(Clone, Debug)]
pub struct Document {
    /// The file, as it is shown to the user (relative to the working
    /// directory for files on disk, `revision:path` in git).
    pub shown: String,
    /// The text.
    pub text: String,
    /// The version, as written (`v2`).
    pub version_written: String,
    /// The version.
    pub version: Version,
    /// The text, read.
    pub root: Node,
}

/// One module of a workspace.
#[derive(Clone, Debug)]
pub struct Module {
    /// Its directory relative to the workspace root, normalised (`.` for
    /// the root itself).
    pub path: String,
    /// Its directory, in the caller's terms: a path on disk (relative when
    /// the input was), or a path inside the git tree.
    pub dir: PathBuf,
    /// Its include roots, relative to `dir` (`.`, or v1beta1 `build.roots`).
    pub roots: Vec<String>,
    /// The directories that hold the module's files, relative to `dir`;
    /// empty: all of it (v2 `includes`).
    pub includes: Vec<String>,
    /// Directories whose files are not part of the module, relative to `dir`.
    pub excludes: Vec<String>,
    /// The document that configures it, if any.
    pub document: Option<Document>,
    /// Its index in the document's `modules` list (v2).
    pub index: Option<usize>,
}

/// The workspace an input belongs to.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// What kind of configuration governs the input.
    pub layout: Layout,
    /// The configuration file that decided (`buf.yaml`, `buf.work.yaml`).
    pub config: Option<Document>,
    /// How many directories above the input the workspace root is.
    pub up: usize,
    /// Every module: their roots are include roots.
    pub modules: Vec<Module>,
    /// The modules the input selects (indices into `modules`).
    pub targets: Vec<usize>,
}

impl Module {
    /// Whether the file `in_module` (its path relative to the module's
    /// directory) is one of the module's: inside an include, when there are
    /// any, and inside no exclude.
    pub fn has(&self, in_module: &str) -> bool {
        (self.includes.is_empty() || self.includes.iter().any(|i| contains(i, in_module)))
            && !self.excludes.iter().any(|e| contains(e, in_module))
    }

    /// The module's `key` block (`breaking`, `lint`): its own in a v2
    /// `modules` entry, else the document's top-level one.
    pub fn block(&self, key: &str) -> Option<&Node> {
        let root = &self.document.as_ref()?.root;
        let own = self.index.and_then(|i| {
            root.get("modules")
                .and_then(|m| m.at(i))
                .and_then(|m| m.get(key))
        });
        own.or_else(|| root.get(key))
    }
}

impl Workspace {
    /// One line for stderr naming the configuration used, when it is not
    /// the input's own.
    pub fn note(&self, input: &str) -> Option<String> {
        let config = self.config.as_ref().filter(|_| self.up > 0)?;
        let modules: Vec<&str> = self
            .targets
            .iter()
            .map(|&i| self.modules[i].path.as_str())
            .collect();
        Some(format!(
            "note: {input}: using the configuration {} (module {})",
            config.shown,
            modules.join(", ")
        ))
    }

    /// The workspace of the directory `dir` on disk.
    pub fn find_dir(dir: &Path) -> Result<Workspace, ConfigError> {
        let absolute = std::env::current_dir()
            .map(|cwd| clean(&cwd.join(dir)))
            .unwrap_or_else(|_| clean(dir));
        let segments: Vec<String> = absolute
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let cwd = std::env::current_dir().ok();
        // A path as the user would name it: relative to the working
        // directory when the input was, and inside it (`proto/a.proto`,
        // never `../proto/a.proto` from within `proto`).
        let shown_dir = |up: usize, rest: &str| {
            if up == 0 {
                // Below the input: named from it, as given.
                return if rest == "." {
                    dir.to_owned()
                } else {
                    dir.join(rest)
                };
            }
            let mut path = dir.to_owned();
            for _ in 0..up {
                path.push("..");
            }
            if rest != "." {
                path.push(rest);
            }
            let lexical = clean(&path);
            match &cwd {
                Some(cwd) if dir.is_relative() => clean(&cwd.join(&lexical))
                    .strip_prefix(cwd)
                    .map(clean)
                    .unwrap_or(lexical),
                _ => lexical,
            }
        };
        let read = |up: usize, name: &str| -> Result<Option<Document>, ConfigError> {
            let depth = segments.len() - up;
            let mut path = PathBuf::from("/");
            path.extend(&segments[..depth]);
            read_document(&path.join(name), &shown_dir(up, name).display().to_string())
        };
        let mut workspace = find(segments.len(), dir.display().to_string(), &segments, read)?;
        for module in &mut workspace.modules {
            module.dir = shown_dir(workspace.up, &module.path);
        }
        refuse_files(&workspace.modules)?;
        Ok(workspace)
    }
}

impl Workspace {
    /// The workspace a given configuration (`--config`) makes of the input:
    /// all its modules selected; `dir_of` places a module path.
    pub fn with_document(
        document: Document,
        dir_of: impl Fn(&str) -> PathBuf,
    ) -> Result<Workspace, ConfigError> {
        let (layout, mut modules) = if document.version == Version::V2 {
            (Layout::V2, v2_modules(&document)?)
        } else {
            let module = v1_module(".".to_owned(), PathBuf::new(), Some(document.clone()))?;
            (Layout::Module, vec![module])
        };
        for module in &mut modules {
            module.dir = dir_of(&module.path);
        }
        refuse_files(&modules)?;
        Ok(Workspace {
            layout,
            config: Some(document),
            up: 0,
            targets: (0..modules.len()).collect(),
            modules,
        })
    }
}

/// buf's refusal of an include or exclude that names a file on disk (it
/// would select nothing, or leave nothing out, silently).
fn refuse_files(modules: &[Module]) -> Result<(), ConfigError> {
    for module in modules {
        let Some(document) = &module.document else {
            continue;
        };
        let lists = [
            ("includes", &module.includes),
            ("excludes", &module.excludes),
        ];
        for (kind, paths) in lists {
            if let Some(path) = paths.iter().find(|p| module.dir.join(p).is_file()) {
                // buf names an include from the workspace root, an exclude
                // from the module.
                let shown = if kind == "includes" && module.path != "." {
                    format!("{}/{path}", module.path)
                } else {
                    path.clone()
                };
                return Err(invalid(
                    &document.shown,
                    format!("{kind} can only be directories but file \"{shown}\" discovered"),
                ));
            }
        }
    }
    Ok(())
}

/// The notes naming the configuration of each directory among `inputs`
/// whose configuration is not its own (for `build` and `generate`, which
/// find it through [`Compiler::compile`](crate::Compiler::compile)).
pub fn notes<P: AsRef<Path>>(inputs: &[P]) -> Vec<String> {
    inputs
        .iter()
        .map(AsRef::as_ref)
        .filter(|input| input.is_dir())
        .filter_map(|input| {
            Workspace::find_dir(input)
                .ok()?
                .note(&input.display().to_string())
        })
        .collect()
}

impl Workspace {
    /// The modules the input selects: for the lint verb, each one's
    /// document (`version_written`) and `block("lint")`.
    pub fn selected(&self) -> impl Iterator<Item = &Module> {
        self.targets.iter().map(|&i| &self.modules[i])
    }
}

/// The files of a workspace on disk.
#[derive(Debug, Default)]
pub struct Listing {
    /// Every module's include roots, deepest first (else in the modules'
    /// order).
    pub roots: Vec<PathBuf>,
    /// The files of the selected modules: import name, disk path, and the
    /// index of the module.
    pub files: Vec<(String, PathBuf, usize)>,
}

impl Workspace {
    /// Every `.proto` file of the selected modules (sorted by name within
    /// each root, excludes left out), and every module's roots.
    pub fn list(&self) -> Result<Listing, crate::walk::WalkError> {
        let mut listing = Listing::default();
        for (index, module) in self.modules.iter().enumerate() {
            for root in &module.roots {
                let root_dir = if root == "." {
                    module.dir.clone()
                } else {
                    module.dir.join(root)
                };
                if self.targets.contains(&index) {
                    for (name, path) in crate::walk::protos_below(&root_dir)? {
                        let in_module = if root == "." {
                            name.clone()
                        } else {
                            format!("{root}/{name}")
                        };
                        if module.has(&in_module) {
                            listing.files.push((name, path, index));
                        }
                    }
                }
                listing.roots.push(root_dir);
            }
        }
        // A module nested in another (`proto/vendor` in `proto`, which
        // excludes it) names its files from its own root, as buf does: a
        // file on disk takes its name from the first include root holding
        // it, so deeper roots come first.
        listing
            .roots
            .sort_by_key(|root| std::cmp::Reverse(root.components().count()));
        Ok(listing)
    }
}

/// The workspace of the directory whose path from the tree's root is
/// `segments`; `read(up, name)` reads the file `name` in the directory `up`
/// levels above the input. Modules' `dir` are left relative to the tree
/// root (`/`-joined segments).
pub fn find(
    max_up: usize,
    input_shown: String,
    segments: &[String],
    read: impl Fn(usize, &str) -> Result<Option<Document>, ConfigError>,
) -> Result<Workspace, ConfigError> {
    let read_first = |up: usize, names: &[&str]| -> Result<Option<Document>, ConfigError> {
        for name in names {
            if let Some(document) = read(up, name)? {
                return Ok(Some(document));
            }
        }
        Ok(None)
    };
    let tree_dir = |up: usize, rest: &str| -> PathBuf {
        let mut parts: Vec<&str> = segments[..segments.len() - up]
            .iter()
            .map(String::as_str)
            .collect();
        if rest != "." {
            parts.extend(rest.split('/'));
        }
        PathBuf::from(parts.join("/"))
    };
    let mut own: Option<Document> = None;
    for up in 0..=max_up {
        let work = read_first(up, &BUF_WORK_YAML)?;
        let buf = read_first(up, &BUF_YAML)?;
        if let (Some(work), Some(_)) = (&work, &buf) {
            return Err(invalid(
                &work.shown,
                "cannot have a buf.work.yaml and buf.yaml in the same directory",
            ));
        }
        // The input's path relative to this directory.
        let rel = segments[segments.len() - up..].join("/");
        let rel = if rel.is_empty() { ".".to_owned() } else { rel };
        if let Some(document) = buf {
            if document.version == Version::V2 {
                let modules = v2_modules(&document)?;
                if up == 0 || modules.iter().any(|m| contains(&m.path, &rel)) {
                    return select(
                        Layout::V2,
                        Some(document),
                        up,
                        modules,
                        &rel,
                        &input_shown,
                        &tree_dir,
                    );
                }
            } else if up == 0 {
                own = Some(document);
            } else {
                // A v1 module above the input: buf refuses a directory
                // inside a module as an input.
                let module = Path::new(&document.shown)
                    .parent()
                    .map_or_else(|| ".".to_owned(), |p| p.display().to_string());
                let module = if module.is_empty() {
                    ".".to_owned()
                } else {
                    module
                };
                return Err(contained(&input_shown, &module));
            }
        }
        if let Some(work) = work {
            let directories = work_directories(&work)?;
            if up == 0 || directories.iter().any(|d| contains(d, &rel)) {
                let mut modules = Vec::new();
                for path in directories {
                    let module_dir = tree_dir(up, &path);
                    // The module's own buf.yaml, named from the workspace root.
                    let mut document = None;
                    for name in BUF_YAML {
                        if let Some(found) = read(up, &format!("{path}/{name}"))? {
                            document = Some(found);
                            break;
                        }
                    }
                    modules.push(v1_module(path, module_dir, document)?);
                }
                return select(
                    Layout::Work,
                    Some(work),
                    up,
                    modules,
                    &rel,
                    &input_shown,
                    &tree_dir,
                );
            }
        }
    }
    let dir = tree_dir(0, ".");
    let (layout, module) = match own {
        Some(document) => (
            Layout::Module,
            v1_module(".".to_owned(), dir, Some(document))?,
        ),
        None => (Layout::None, v1_module(".".to_owned(), dir, None)?),
    };
    let config = module.document.clone();
    Ok(Workspace {
        layout,
        config,
        up: 0,
        modules: vec![module],
        targets: vec![0],
    })
}

/// Picks the modules the input (`rel`, relative to the workspace root)
/// selects.
fn select(
    layout: Layout,
    config: Option<Document>,
    up: usize,
    mut modules: Vec<Module>,
    rel: &str,
    input_shown: &str,
    tree_dir: &impl Fn(usize, &str) -> PathBuf,
) -> Result<Workspace, ConfigError> {
    for module in &mut modules {
        module.dir = tree_dir(up, &module.path);
    }
    let targets: Vec<usize> = if rel == "." {
        (0..modules.len()).collect()
    } else {
        modules
            .iter()
            .enumerate()
            .filter(|(_, m)| m.path == rel)
            .map(|(i, _)| i)
            .collect()
    };
    if targets.is_empty() {
        let container = modules
            .iter()
            .find(|m| contains(&m.path, rel))
            .map_or(".", |m| m.path.as_str());
        return Err(contained(input_shown, container));
    }
    Ok(Workspace {
        layout,
        config,
        up,
        modules,
        targets,
    })
}

/// buf's refusal of a directory inside a module as an input.
fn contained(input_shown: &str, module: &str) -> ConfigError {
    invalid(
        input_shown,
        format!(
            "failed to build input \"{input_shown}\" because it is contained by module at path \
             \"{module}\" specified in your configuration, you must provide the workspace or \
             module as the input, and filter to this path using --path"
        ),
    )
}

fn invalid(path: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Whether the normalised relative path `outer` equals or contains `inner`.
pub(crate) fn contains(outer: &str, inner: &str) -> bool {
    outer == "." || inner == outer || inner.starts_with(&format!("{outer}/"))
}

/// `path` lexically normalised, relative, inside its context: buf's rules
/// for every path a configuration names. `Err` holds buf's reason.
pub fn normalize_relative(path: &str) -> Result<String, &'static str> {
    if path.starts_with('/') || path.starts_with('\\') || Path::new(path).has_root() {
        return Err("expected to be relative");
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("is outside the context directory");
                }
            }
            part => parts.push(part),
        }
    }
    Ok(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

/// `path` with `.` and `name/..` removed, lexically.
pub(crate) fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// The keys buf 1.75 knows in each block of its configuration files: buf
/// decodes a block as a Go struct with known fields only, so any other key
/// (a typo such as `ignore_unstable_package`) is an error on every command,
/// never a setting silently left out.
mod known_keys {
    pub const WORK: &[&str] = &["version", "directories"];
    pub const V1: &[&str] = &["version", "name", "deps", "build", "breaking", "lint"];
    pub const V1_BUILD: &[&str] = &["roots", "excludes"];
    pub const V2: &[&str] = &[
        "version", "name", "deps", "breaking", "lint", "modules", "plugins", "policies",
    ];
    pub const V2_MODULE: &[&str] = &["path", "name", "includes", "excludes", "breaking", "lint"];
    pub const BREAKING: &[&str] = &[
        "use",
        "except",
        "ignore",
        "ignore_only",
        "ignore_unstable_packages",
        "disable_builtin",
    ];
    /// Both versions' comment-ignore keys: the lint block's reader says
    /// which one a version takes.
    pub const LINT: &[&str] = &[
        "use",
        "except",
        "ignore",
        "ignore_only",
        "enum_zero_value_suffix",
        "service_suffix",
        "rpc_allow_same_request_response",
        "rpc_allow_google_protobuf_empty_requests",
        "rpc_allow_google_protobuf_empty_responses",
        "allow_comment_ignores",
        "disallow_comment_ignores",
        "disable_builtin",
    ];
}
#[cfg(feature = "compat")]
pub(crate) use known_keys::LINT as LINT_KEYS;

/// The kind of a configuration file, by its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `buf.yaml`, or a `--config`.
    BufYaml,
    /// `buf.work.yaml`.
    BufWorkYaml,
}

impl Document {
    /// Refuses a key buf does not know, anywhere in the document (see
    /// [`known_keys`]).
    fn check_keys(&self, kind: Kind) -> Result<(), ConfigError> {
        use known_keys::*;
        let root = &self.root;
        let checked = || -> Result<(), YamlError> {
            if kind == Kind::BufWorkYaml {
                return root.deny_unknown_keys("", WORK);
            }
            let blocks = |node: &Node, prefix: &str| -> Result<(), YamlError> {
                for (key, accepted) in [("breaking", BREAKING), ("lint", LINT)] {
                    if let Some(block) = node.get(key) {
                        block.deny_unknown_keys(&format!("{prefix}{key}"), accepted)?;
                    }
                }
                Ok(())
            };
            if self.version != Version::V2 {
                root.deny_unknown_keys("", V1)?;
                if let Some(build) = root.get("build") {
                    build.deny_unknown_keys("build", V1_BUILD)?;
                }
                return blocks(root, "");
            }
            root.deny_unknown_keys("", V2)?;
            blocks(root, "")?;
            if let Some(modules) = root.get("modules") {
                for (index, module) in modules.as_items("modules")?.iter().enumerate() {
                    let what = format!("modules[{index}]");
                    module.deny_unknown_keys(&what, V2_MODULE)?;
                    blocks(module, &format!("{what}."))?;
                }
            }
            Ok(())
        };
        checked().map_err(located(&self.shown))
    }
}

/// Parses YAML (or JSON) text; errors name `shown`, the line and column.
pub fn parse_yaml(text: &str, shown: &str) -> Result<Node, ConfigError> {
    yaml::parse(text, CONFIG_NESTING_LIMIT).map_err(located(shown))
}

/// A [`YamlError`] of the file `shown` as a [`ConfigError`].
pub(crate) fn located(shown: &str) -> impl Fn(YamlError) -> ConfigError + '_ {
    move |err| invalid(shown, err.to_string())
}

/// Reads the configuration file at `path` (`shown` names it), if there is
/// one: a regular file, UTF-8, within [`CONFIG_SIZE_LIMIT`].
pub fn read_document(path: &Path, shown: &str) -> Result<Option<Document>, ConfigError> {
    match crate::read::read_text_bounded(path, CONFIG_SIZE_LIMIT) {
        Err(crate::read::ReadError::NotFound) => Ok(None),
        Err(err) => Err(invalid(shown, format!("cannot read: {err}"))),
        Ok(Err(offset)) => Err(invalid(
            shown,
            format!("not UTF-8 (an invalid byte at offset {offset})"),
        )),
        Ok(Ok(text)) => {
            let work = path
                .file_name()
                .is_some_and(|name| BUF_WORK_YAML.iter().any(|work| name == *work));
            let kind = if work {
                Kind::BufWorkYaml
            } else {
                Kind::BufYaml
            };
            Document::parse_as(text, shown, kind).map(Some)
        }
    }
}

impl Document {
    /// `--config` and `--against-config`: a path to a buf.yaml (named by its
    /// extension, or an existing file), else the YAML or JSON itself.
    pub fn from_flag(value: &str) -> Result<Document, ConfigError> {
        let path = Path::new(value);
        let named = path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
        if named || std::fs::symlink_metadata(path).is_ok() {
            return read_document(path, value)?
                .ok_or_else(|| invalid(value, "no such file or directory"));
        }
        Document::parse(value.to_owned(), "--config")
    }

    /// A `buf.yaml` from its text; its version must be set.
    pub fn parse(text: String, shown: &str) -> Result<Document, ConfigError> {
        Document::parse_as(text, shown, Kind::BufYaml)
    }

    fn parse_as(text: String, shown: &str, kind: Kind) -> Result<Document, ConfigError> {
        let root = parse_yaml(&text, shown)?;
        root.as_entries("").map_err(located(shown))?;
        let written = root
            .get("version")
            .map(|v| v.as_string("version"))
            .transpose()
            .map_err(located(shown))?
            .flatten()
            .unwrap_or_default();
        if kind == Kind::BufWorkYaml {
            // buf reads a buf.work.yaml of v1 only.
            match written.as_str() {
                "" => {
                    return Err(invalid(
                        shown,
                        "\"version\" is not set. Please add \"version: v1\"",
                    ));
                }
                "v1beta1" | "v2" => {
                    return Err(invalid(
                        shown,
                        format!("{written} is not supported for buf.work.yaml files"),
                    ));
                }
                _ => {}
            }
        }
        let version = match written.as_str() {
            "v1beta1" => Version::V1Beta1,
            "v1" => Version::V1,
            "v2" => Version::V2,
            "" => {
                return Err(invalid(
                    shown,
                    "\"version\" is not set. Please add \"version: v2\"",
                ));
            }
            other => {
                return Err(invalid(
                    shown,
                    format!("unknown file version: \"{other}\": use v1beta1, v1 or v2"),
                ));
            }
        };
        let document = Document {
            shown: shown.to_owned(),
            text,
            version_written: written,
            version,
            root,
        };
        document.check_keys(kind)?;
        Ok(document)
    }
}

/// Normalises a path the configuration names; `what` prefixes buf's error.
fn checked(document: &Document, what: &str, path: &str) -> Result<String, ConfigError> {
    normalize_relative(path)
        .map_err(|reason| invalid(&document.shown, format!("{what}{path}: {reason}")))
}

/// The modules of a v2 `buf.yaml` (one at `.` when it lists none, as buf
/// reads `modules: []` too).
fn v2_modules(document: &Document) -> Result<Vec<Module>, ConfigError> {
    let located = located(&document.shown);
    let listed = match document.root.get("modules") {
        Some(modules) => modules.as_items("modules").map_err(&located)?,
        None => &[],
    };
    if listed.is_empty() {
        return Ok(vec![Module {
            path: ".".to_owned(),
            dir: PathBuf::new(),
            roots: vec![".".to_owned()],
            includes: Vec::new(),
            excludes: Vec::new(),
            document: Some(document.clone()),
            index: None,
        }]);
    };
    let mut modules = Vec::new();
    for (index, entry) in listed.iter().enumerate() {
        let what = format!("modules[{index}]");
        entry.as_entries(&what).map_err(&located)?;
        let field = |key: &str| (entry.get(key), format!("{what}.{key}"));
        let (path, path_what) = field("path");
        let path = path
            .map(|p| p.as_string(&path_what))
            .transpose()
            .map_err(&located)?
            .flatten()
            .unwrap_or_default();
        let path = checked(document, "invalid module path: ", &path)?;
        let (listed_excludes, excludes_what) = field("excludes");
        let listed_excludes = strings(listed_excludes, &excludes_what).map_err(&located)?;
        let excludes = inside_module(document, "exclude", &path, &listed_excludes)?;
        // buf names excludes relative to the module here.
        distinct_paths(document, "exclude", &excludes, str::to_owned)?;
        let (listed_includes, includes_what) = field("includes");
        let listed_includes = strings(listed_includes, &includes_what).map_err(&located)?;
        let includes = v2_includes(document, &path, &listed_includes, &excludes)?;
        if modules.iter().any(|m: &Module| m.path == path) {
            return Err(invalid(
                &document.shown,
                format!("module path {path} is listed twice"),
            ));
        }
        modules.push(Module {
            path,
            dir: PathBuf::new(),
            roots: vec![".".to_owned()],
            includes,
            excludes,
            document: Some(document.clone()),
            index: Some(index),
        });
    }
    Ok(modules)
}

/// A v2 module's `includes` (`listed`, relative to the workspace root),
/// made relative to the module at `path`, with buf's checks: each strictly
/// inside the module, none inside another, none inside an exclude
/// (`excludes`, relative to the module), and every exclude inside one.
fn v2_includes(
    document: &Document,
    path: &str,
    listed: &[String],
    excludes: &[String],
) -> Result<Vec<String>, ConfigError> {
    let includes = inside_module(document, "include", path, listed)?;
    let shown = |inside: &str| {
        if path == "." {
            inside.to_owned()
        } else {
            format!("{path}/{inside}")
        }
    };
    distinct_paths(document, "include", &includes, shown)?;
    for include in &includes {
        if let Some(exclude) = excludes.iter().find(|e| contains(e, include)) {
            return Err(invalid(
                &document.shown,
                format!(
                    "\"{}\" (an include path) is a subdirectory of \"{}\" (an exclude path)",
                    shown(include),
                    shown(exclude)
                ),
            ));
        }
    }
    if !includes.is_empty()
        && let Some(exclude) = excludes
            .iter()
            .find(|e| !includes.iter().any(|include| contains(include, e)))
    {
        return Err(invalid(
            &document.shown,
            format!(
                "include paths are specified but \"{}\" is not contained within any of them",
                shown(exclude)
            ),
        ));
    }
    Ok(includes)
}

/// The paths of one `kind` (`include`, `exclude`) a v2 module at `path`
/// lists, relative to the workspace root, made relative to the module: each
/// must lie strictly inside it (buf's words when one does not).
fn inside_module(
    document: &Document,
    kind: &str,
    path: &str,
    listed: &[String],
) -> Result<Vec<String>, ConfigError> {
    let mut inside = Vec::new();
    for listed in listed {
        let listed = checked(document, &format!("invalid {kind} path: "), listed)?;
        if listed == path {
            return Err(invalid(
                &document.shown,
                format!("{kind} path \"{listed}\" is equal to module directory \"{path}\""),
            ));
        }
        let Some(relative) = within_module(path, &listed) else {
            return Err(invalid(
                &document.shown,
                format!(
                    "{kind} path \"{listed}\" does not reside within module directory \"{path}\""
                ),
            ));
        };
        inside.push(relative);
    }
    Ok(inside)
}

/// `path`, a path from a v2 workspace's root, from the directory of the
/// module at `module` instead (`.` for the module's own directory); `None`
/// when it lies outside the module.
pub(crate) fn within_module(module: &str, path: &str) -> Option<String> {
    if module == "." {
        Some(path.to_owned())
    } else if path == module {
        Some(".".to_owned())
    } else {
        path.strip_prefix(&format!("{module}/")).map(str::to_owned)
    }
}

/// buf's checks of a list of paths of one `kind` (`include`, `exclude`,
/// `root`): none twice, none inside another. `shown` names a path as buf
/// does in the error.
fn distinct_paths(
    document: &Document,
    kind: &str,
    paths: &[String],
    shown: impl Fn(&str) -> String,
) -> Result<(), ConfigError> {
    let refused = |message: String| Err(invalid(&document.shown, message));
    for (i, path) in paths.iter().enumerate() {
        if paths[..i].contains(path) {
            return refused(format!("duplicate {kind} \"{}\"", shown(path)));
        }
    }
    for path in paths {
        if let Some(outer) = paths
            .iter()
            .find(|outer| *outer != path && contains(outer, path))
        {
            return refused(format!(
                "{kind} \"{}\" is within {kind} \"{}\" which is not allowed",
                shown(path),
                shown(outer)
            ));
        }
    }
    Ok(())
}

/// The list of strings `node` (absent: empty); `what` names it in errors.
pub(crate) fn strings(node: Option<&Node>, what: &str) -> Result<Vec<String>, YamlError> {
    node.map_or(Ok(Vec::new()), |n| n.as_strings(what))
}

/// The directories of a `buf.work.yaml`.
fn work_directories(document: &Document) -> Result<Vec<String>, ConfigError> {
    let listed = strings(document.root.get("directories"), "directories")
        .map_err(located(&document.shown))?;
    let mut directories = Vec::new();
    for directory in listed {
        let directory = checked(document, "invalid directory path: ", &directory)?;
        if directory == "." {
            return Err(invalid(
                &document.shown,
                "directory \".\" is listed: a buf.work.yaml lists the directories of its modules",
            ));
        }
        if directories.contains(&directory) {
            return Err(invalid(
                &document.shown,
                format!("directory \"{directory}\" is listed more than once"),
            ));
        }
        directories.push(directory);
    }
    if directories.is_empty() {
        return Err(invalid(&document.shown, "directories is empty"));
    }
    for inner in &directories {
        if let Some(outer) = directories
            .iter()
            .find(|outer| *outer != inner && contains(outer, inner))
        {
            return Err(invalid(
                &document.shown,
                format!("directory \"{outer}\" contains directory \"{inner}\""),
            ));
        }
    }
    Ok(directories)
}

/// A v1 or v1beta1 module at `path`, configured by `document`.
fn v1_module(
    path: String,
    dir: PathBuf,
    document: Option<Document>,
) -> Result<Module, ConfigError> {
    let mut roots = vec![".".to_owned()];
    let mut excludes = Vec::new();
    if let Some(document) = &document {
        if document.version == Version::V2 {
            return Err(invalid(
                &document.shown,
                "a v2 buf.yaml cannot configure a module of a buf.work.yaml workspace",
            ));
        }
        let located = located(&document.shown);
        let build = document
            .root
            .mapping_at("build", "build")
            .map_err(&located)?;
        let build_roots = strings(yaml::field(build, "roots"), "build.roots").map_err(&located)?;
        let build_excludes =
            strings(yaml::field(build, "excludes"), "build.excludes").map_err(&located)?;
        if !build_roots.is_empty() {
            if document.version != Version::V1Beta1 {
                return Err(invalid(
                    &document.shown,
                    format!(
                        "build.roots cannot be set on version {}: [{}]",
                        document.version_written,
                        build_roots.join(" ")
                    ),
                ));
            }
            roots = build_roots
                .iter()
                .map(|root| checked(document, "", root))
                .collect::<Result<_, _>>()?;
            distinct_paths(document, "root", &roots, str::to_owned)?;
        }
        for exclude in &build_excludes {
            excludes.push(checked(document, "invalid exclude path: ", exclude)?);
        }
        distinct_paths(document, "exclude", &excludes, str::to_owned)?;
    }
    Ok(Module {
        path,
        dir,
        roots,
        includes: Vec::new(),
        excludes,
        document,
        index: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_as_buf_does() {
        assert_eq!(normalize_relative("./a.proto"), Ok("a.proto".to_owned()));
        assert_eq!(normalize_relative("a/../a.proto"), Ok("a.proto".to_owned()));
        assert_eq!(normalize_relative("a/"), Ok("a".to_owned()));
        assert_eq!(normalize_relative("."), Ok(".".to_owned()));
        assert_eq!(
            normalize_relative(".."),
            Err("is outside the context directory")
        );
        assert_eq!(
            normalize_relative("../x"),
            Err("is outside the context directory")
        );
        assert_eq!(normalize_relative("/"), Err("expected to be relative"));
        assert_eq!(normalize_relative("/abs"), Err("expected to be relative"));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "[".repeat(30_000);
        let err = parse_yaml(&deep, "buf.yaml").expect_err("too deep");
        assert_eq!(
            err.to_string(),
            "buf.yaml: line 1, column 65: nested more than 64 deep"
        );
        assert!(parse_yaml("a: '[[[[' # {{{{\nb: [[1]]", "buf.yaml").is_ok());
    }

    /// Reads the buf.yaml `text` and its modules.
    fn modules_of(text: &str) -> Result<(), ConfigError> {
        let document = Document::parse(text.to_owned(), "buf.yaml")?;
        match document.version {
            Version::V2 => v2_modules(&document).map(drop),
            _ => v1_module(".".to_owned(), PathBuf::new(), Some(document)).map(drop),
        }
    }

    #[test]
    fn fields_of_the_wrong_shape_are_located() {
        for (text, expected) in [
            (
                "version: v2\nmodules:\n  - path: [a]\n",
                "buf.yaml: line 3, column 11: modules[0].path: expected a string, found a sequence",
            ),
            (
                "version: v2\nmodules: {path: a}\n",
                "buf.yaml: line 2, column 10: modules: expected a sequence, found a mapping",
            ),
            (
                "version: v1beta1\nbuild:\n  roots: proto\n",
                "buf.yaml: line 3, column 10: build.roots: expected a list of strings, found the scalar \"proto\"",
            ),
            (
                "version: [v2]\n",
                "buf.yaml: line 1, column 10: version: expected a string, found a sequence",
            ),
            (
                "- version: v2\n",
                "buf.yaml: line 1, column 1: expected a mapping, found a sequence",
            ),
        ] {
            assert_eq!(
                modules_of(text).map_err(|e| e.to_string()),
                Err(expected.to_owned()),
                "{text}"
            );
        }
        // As buf: a number is a string, null and empty lists are nothing.
        let document = Document::parse(
            "version: v2\nmodules: [{path: 1, excludes: ~}, ~]\n".to_owned(),
            "buf.yaml",
        )
        .expect("valid");
        let modules = v2_modules(&document).expect("valid");
        assert_eq!(modules[0].path, "1");
        assert_eq!(modules[1].path, ".");
        let empty =
            Document::parse("version: v2\nmodules: []\n".to_owned(), "buf.yaml").expect("valid");
        assert_eq!(v2_modules(&empty).expect("valid")[0].path, ".");
    }

    /// buf 1.75's words for each (`buf lint` on the buf.yaml).
    #[test]
    fn path_lists_buf_refuses_are_refused() {
        for (text, expected) in [
            (
                "version: v1\nbuild:\n  roots: [a, b]\n",
                "build.roots cannot be set on version v1: [a b]",
            ),
            (
                "version: v1beta1\nbuild:\n  roots: [a, ./a]\n",
                "duplicate root \"a\"",
            ),
            (
                "version: v1beta1\nbuild:\n  roots: [a/b, a]\n",
                "root \"a/b\" is within root \"a\" which is not allowed",
            ),
            (
                "version: v1\nbuild:\n  excludes: [a, a/b]\n",
                "exclude \"a/b\" is within exclude \"a\" which is not allowed",
            ),
            (
                "version: v1\nbuild:\n  excludes: [a/, a]\n",
                "duplicate exclude \"a\"",
            ),
            (
                "version: v2\nmodules:\n  - path: proto\n    excludes: [proto/a, proto/a]\n",
                "duplicate exclude \"a\"",
            ),
            (
                "version: v2\nmodules:\n  - path: proto\n    excludes: [proto/a, proto/a/v1]\n",
                "exclude \"a/v1\" is within exclude \"a\" which is not allowed",
            ),
            (
                "version: v2\nmodules:\n  - path: proto\n    excludes: [proto]\n",
                "exclude path \"proto\" is equal to module directory \"proto\"",
            ),
            (
                "version: v2\nmodules:\n  - path: proto\n    includes: [proto/b, proto/a, proto/b]\n",
                "duplicate include \"proto/b\"",
            ),
            (
                "version: v2\nmodules:\n  - path: proto\n    excludes: [other]\n",
                "exclude path \"other\" does not reside within module directory \"proto\"",
            ),
            (
                "version: v2\nmodules:\n  - path: .\n    excludes: [.]\n",
                "exclude path \".\" is equal to module directory \".\"",
            ),
        ] {
            assert_eq!(
                modules_of(text).map_err(|e| e.to_string()),
                Err(format!("buf.yaml: {expected}")),
                "{text}"
            );
        }
        // A v1 `build:` with no roots, or an empty list of them, is fine.
        for text in [
            "version: v1\nbuild:\n  roots: []\n",
            "version: v1\nbuild:\n  roots:\n",
        ] {
            assert!(modules_of(text).is_ok(), "{text}");
        }
    }

    /// buf 1.75's words for each (`buf lint` in the workspace).
    #[test]
    fn work_files_buf_refuses_are_refused() {
        let error = |text: &str| {
            let document = Document::parse_as(text.to_owned(), "buf.work.yaml", Kind::BufWorkYaml)?;
            work_directories(&document).map(drop)
        };
        for (text, expected) in [
            (
                "directories: [x]\n",
                "\"version\" is not set. Please add \"version: v1\"",
            ),
            (
                "version: v2\ndirectories: [x]\n",
                "v2 is not supported for buf.work.yaml files",
            ),
            (
                "version: v1beta1\ndirectories: [x]\n",
                "v1beta1 is not supported for buf.work.yaml files",
            ),
            ("version: v1\n", "directories is empty"),
            ("version: v1\ndirectories: []\n", "directories is empty"),
            (
                "version: v1\ndirectories: [x/y, x, ./x]\n",
                "directory \"x\" is listed more than once",
            ),
            (
                "version: v1\ndirectories: [x/y, x]\n",
                "directory \"x\" contains directory \"x/y\"",
            ),
        ] {
            assert_eq!(
                error(text).map_err(|e| e.to_string()),
                Err(format!("buf.work.yaml: {expected}")),
                "{text}"
            );
        }
        assert!(error("version: v1\ndirectories: [x, y/x]\n").is_ok());
    }

    /// buf 1.75's words: an include or exclude must be a directory.
    #[test]
    fn includes_and_excludes_naming_files_are_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        std::fs::create_dir_all(root.join("proto/a/v1")).expect("mkdir");
        std::fs::write(root.join("proto/a/v1/x.proto"), "syntax = \"proto3\";\n").expect("write");
        for (config, expected) in [
            (
                "version: v2\nmodules:\n  - path: proto\n    includes: [proto/a/v1/x.proto]\n",
                "includes can only be directories but file \"proto/a/v1/x.proto\" discovered",
            ),
            (
                "version: v2\nmodules:\n  - path: proto\n    excludes: [proto/a/v1/x.proto]\n",
                "excludes can only be directories but file \"a/v1/x.proto\" discovered",
            ),
        ] {
            std::fs::write(root.join("buf.yaml"), config).expect("write");
            let error = Workspace::find_dir(root).expect_err(config).to_string();
            assert!(error.ends_with(&format!("buf.yaml: {expected}")), "{error}");
        }
        std::fs::write(
            root.join("buf.yaml"),
            "version: v2\nmodules:\n  - path: proto\n    includes: [proto/a]\n",
        )
        .expect("write");
        assert!(Workspace::find_dir(root).is_ok());
    }

    #[test]
    fn clean_is_lexical() {
        assert_eq!(clean(Path::new("proto/..")), PathBuf::from("."));
        assert_eq!(clean(Path::new("./../a")), PathBuf::from("../a"));
        assert_eq!(clean(Path::new("a/b/../../..")), PathBuf::from(".."));
    }
}
