//! The inputs of a check, in buf's forms: a directory, a descriptor set image,
//! or a git reference (`.git#branch=main,subdir=proto`), read from git
//! objects without touching the work tree.

use std::{
    collections::{BTreeMap, HashMap},
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use prost::Message;

use super::{Config, Schema, config::ConfigError};
use crate::{CompileError, Compiler, Diagnostic};

/// Where a schema comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A directory of `.proto` files (its `buf.yaml` decides the roots).
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
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The input string is not one of the accepted forms.
    #[error("{0}")]
    Invalid(String),
    /// The schema does not compile.
    #[error("{0}")]
    Compile(CompileError),
    /// Its `buf.yaml` is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl InputError {
    /// The problems, as located diagnostics.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            InputError::Compile(err) => err.diagnostics().to_vec(),
            other => vec![Diagnostic::from_message(other.to_string())],
        }
    }
}

/// A loaded input.
#[derive(Debug)]
pub struct Loaded {
    /// The schema.
    pub schema: Schema,
    /// Its `buf.yaml`, when it has one.
    pub config: Option<Config>,
    /// How to show each file: import name to the path buf prints.
    pub shown: HashMap<String, String>,
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

    /// Reads the schema (compiling sources with protox).
    pub fn load(&self) -> Result<Loaded, InputError> {
        match self {
            Input::Dir(dir) => load_dir(dir),
            Input::Image(path) => load_image(path),
            Input::Git {
                repository,
                revision,
                subdir,
            } => load_git(repository, revision, subdir.as_deref()),
        }
    }
}

/// The help given when sources fail to parse: protox reads no editions.
fn editions_help(mut err: CompileError, sources: impl Fn() -> bool) -> InputError {
    if sources() {
        err.add_note(
            "protox does not parse `edition = \"2023\"` files yet: build an image of the schema \
             with `buf build -o image.binpb` and pass the image instead",
        );
    }
    InputError::Compile(err)
}

fn load_dir(dir: &Path) -> Result<Loaded, InputError> {
    let config = Config::find_in(dir)?;
    let roots: Vec<PathBuf> = match config.as_ref().map(|c| &c.roots) {
        Some(roots) if !roots.is_empty() => roots.iter().map(|r| dir.join(r)).collect(),
        _ => vec![dir.to_owned()],
    };
    let schema =
        Schema::compile(&roots).map_err(|err| editions_help(err, || mentions_editions(&roots)))?;
    let mut shown = HashMap::new();
    for name in schema.file_names() {
        if let Some(root) = roots.iter().find(|root| root.join(name).is_file()) {
            let path = root.join(name);
            let path = path.strip_prefix(".").unwrap_or(&path);
            shown.insert(name.to_owned(), path.display().to_string());
        }
    }
    Ok(Loaded {
        schema,
        config,
        shown,
    })
}

/// Whether a source declares an edition (`edition = "2023";` as a statement,
/// not in a comment).
fn declares_edition(source: &str) -> bool {
    source.lines().any(|line| {
        line.trim_start()
            .strip_prefix("edition")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })
}

fn mentions_editions(roots: &[PathBuf]) -> bool {
    roots.iter().any(|root| {
        walkdir::WalkDir::new(root)
            .into_iter()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "proto"))
            .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| declares_edition(&t)))
    })
}

fn load_image(path: &Path) -> Result<Loaded, InputError> {
    let bytes = std::fs::read(path)
        .map_err(|err| InputError::Invalid(format!("{}: cannot read: {err}", path.display())))?;
    let binary = if path.extension().is_some_and(|e| e == "json") {
        // protoc 35's FileDescriptorSet, so that `edition` and `features` parse.
        let descriptor = crate::compile::descriptor::reflect_file_descriptor_set();
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let message = prost_reflect::DynamicMessage::deserialize(descriptor, &mut deserializer)
            .map_err(|err| {
                InputError::Invalid(format!(
                    "{}: not a JSON FileDescriptorSet: {err}",
                    path.display()
                ))
            })?;
        message.encode_to_vec()
    } else {
        bytes
    };
    // Read through protoforge's own descriptor types, which know every field
    // of the current descriptor.proto; the rules still work on prost-types,
    // which lose `edition` and `features` (see `to_prost`).
    let schema = crate::compile::descriptor::FileDescriptorSet::decode(binary.as_slice())
        .and_then(|set| Schema::decode(&set.to_prost().encode_to_vec()))
        .map_err(|err| {
            InputError::Invalid(format!(
                "{}: not a FileDescriptorSet image: {err}",
                path.display()
            ))
        })?;
    let shown = schema
        .file_names()
        .map(|n| (n.to_owned(), n.to_owned()))
        .collect();
    Ok(Loaded {
        schema,
        config: None,
        shown,
    })
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
fn load_git(repository: &Path, revision: &str, subdir: Option<&str>) -> Result<Loaded, InputError> {
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
    let prefix = subdir.map(|s| format!("{s}/")).unwrap_or_default();
    let listing = run_git(
        repository,
        &[
            "ls-tree",
            "-r",
            "-z",
            "--full-tree",
            "--name-only",
            &commit,
            "--",
            subdir.unwrap_or("."),
        ],
    )?;
    let paths: Vec<String> = listing
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .filter(|p| {
            p.ends_with(".proto")
                || *p == format!("{prefix}buf.yaml")
                || *p == format!("{prefix}buf.yml")
        })
        .collect();
    let blobs = read_blobs(repository, &commit, &paths)?;

    let config = match blobs
        .iter()
        .find(|(p, _)| p.ends_with("buf.yaml") || p.ends_with("buf.yml"))
    {
        Some((path, text)) => Some(Config::parse(text, &format!("{revision}:{path}"))?),
        None => None,
    };
    let roots: Vec<String> = match config.as_ref().map(|c| &c.roots) {
        Some(roots) if !roots.is_empty() => roots
            .iter()
            .map(|r| format!("{prefix}{}/", r.trim_matches('/')))
            .collect(),
        _ => vec![prefix.clone()],
    };
    let mut sources = BTreeMap::new();
    let mut shown = HashMap::new();
    for (path, text) in blobs.into_iter().filter(|(p, _)| p.ends_with(".proto")) {
        if let Some(root) = roots.iter().find(|root| path.starts_with(root.as_str())) {
            let name = path[root.len()..].to_owned();
            shown.insert(name.clone(), path.clone());
            sources.insert(name, text);
        }
    }
    if sources.is_empty() {
        return Err(InputError::Invalid(format!(
            "git: no .proto files at {revision}{}",
            subdir.map(|s| format!(" below {s}")).unwrap_or_default()
        )));
    }
    let compiled = Compiler::new()
        .include_imports(true)
        .include_source_info(true)
        .compile_sources(&sources)
        .map_err(|err| editions_help(err, || sources.values().any(|t| declares_edition(t))))?;
    Ok(Loaded {
        schema: Schema::from_compiled(&compiled),
        config,
        shown,
    })
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
