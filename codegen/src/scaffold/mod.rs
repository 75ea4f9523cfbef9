//! Scaffolding: the `.proto` of a new service (`protoforge new service`), and
//! Rust stubs that implement generated server traits, with a `serve()` and a
//! first test, optionally inside a whole crate (`protoforge scaffold`).
//!
//! Both produce a list of [`FileToWrite`]; [`write_files`] writes them, never
//! over an existing file unless forced.

mod names;
mod new_service;
mod rust;
mod update;

use std::path::{Path, PathBuf};

pub use new_service::{NewService, RpcKind};
pub use rust::ProtoforgeSource;

use crate::{Compiled, output};

/// A file to write: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileToWrite {
    /// Its path.
    pub path: PathBuf,
    /// Its content.
    pub content: String,
}

/// Why scaffolding failed.
#[derive(Debug)]
pub enum ScaffoldError {
    /// A name the user gave is not acceptable.
    Name(String),
    /// Two services, or a service and the scaffold's own files, would take
    /// the same Rust name or file; nothing was written.
    Collision(String),
    /// A scaffold to update cannot be read as one; nothing was written.
    Update(String),
    /// A file could not be written.
    Output(output::OutputError),
}

impl std::fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScaffoldError::Name(message)
            | ScaffoldError::Collision(message)
            | ScaffoldError::Update(message) => f.write_str(message),
            ScaffoldError::Output(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for ScaffoldError {}

impl From<output::OutputError> for ScaffoldError {
    fn from(err: output::OutputError) -> Self {
        ScaffoldError::Output(err)
    }
}

/// Writes `files`, which are below `root`, creating their directories: all
/// of them or, on any error, none (see [`output::OutputDir`]). Unless
/// `force`, writes nothing at all when any of them exists. Returns the files
/// written.
pub fn write_files(
    root: &Path,
    files: &[FileToWrite],
    force: bool,
) -> Result<Vec<PathBuf>, ScaffoldError> {
    let mut dir = output::OutputDir::new(root);
    for file in files {
        let relative = file
            .path
            .strip_prefix(root)
            .map_err(|_| output::OutputError {
                path: file.path.clone(),
                message: format!("is not below the output directory '{}'", root.display()),
            })?;
        dir.write(relative, file.content.as_bytes());
    }
    let existing = if force {
        output::Existing::ReplaceIfChanged
    } else {
        output::Existing::Refuse
    };
    let committed = dir.commit(existing)?;
    // Unchanged files count as written: the scaffold is there as asked.
    let mut written = committed.written;
    written.extend(committed.unchanged);
    written.sort_by_key(|path| files.iter().position(|file| &file.path == path));
    Ok(written)
}

/// Options of `protoforge scaffold`.
#[derive(Clone, Debug)]
pub struct Scaffold {
    services: Vec<String>,
    crate_name: Option<String>,
    source: ProtoforgeSource,
}

impl Default for Scaffold {
    fn default() -> Self {
        Scaffold {
            services: Vec::new(),
            crate_name: None,
            source: ProtoforgeSource::Path(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .parent()
                    .map_or_else(|| PathBuf::from(".."), Path::to_owned),
            ),
        }
    }
}

impl Scaffold {
    /// Every service of the input files, modules only, protoforge's crates
    /// from the checkout this library was built from.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this service (simple or full name); repeatable.
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.services.push(name.into());
        self
    }

    /// Writes a whole crate of this name around the modules.
    pub fn crate_name(mut self, name: impl Into<String>) -> Self {
        self.crate_name = Some(name.into());
        self
    }

    /// Where the scaffolded crate takes protoforge's crates from.
    pub fn protoforge_source(mut self, source: ProtoforgeSource) -> Self {
        self.source = source;
        self
    }

    /// The files to write into `out` for the services of `compiled`, which
    /// was compiled from `inputs` with the include roots `includes`.
    ///
    /// Without a crate name: `<service>.rs` (the implementation),
    /// `<service>/tests.rs` (its first test) and `server.rs` (`serve()`),
    /// which expect the generated code at `crate::proto` and the modules at
    /// the crate root. With one, the same below `src/`, plus `Cargo.toml`,
    /// `build.rs`, `src/lib.rs`, `src/main.rs` and `tests/server.rs`.
    pub fn files(
        &self,
        compiled: &Compiled,
        inputs: &[PathBuf],
        includes: &[PathBuf],
        out: &Path,
    ) -> Result<Vec<FileToWrite>, ScaffoldError> {
        let services = rust::services(compiled, &self.services)?;
        let modules_dir = self.modules_dir(out);
        rust::check_collisions(&services, &modules_dir)?;
        let mut files = Vec::new();
        for service in &services {
            files.push(rust::service_module(service, &modules_dir));
            files.push(rust::service_tests(service, &modules_dir));
        }
        files.push(rust::server_module(&services, &modules_dir));
        if let Some(name) = &self.crate_name {
            check_crate_name(name)?;
            let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
            let crate_dir = absolute(out);
            let relative = |paths: &[PathBuf]| -> Vec<String> {
                paths
                    .iter()
                    .map(|p| rust::relative_path(&absolute(p), &crate_dir))
                    .collect()
            };
            files.extend(rust::crate_files(
                name,
                &services,
                out,
                &relative(inputs),
                &relative(includes),
                &self.source,
            ));
        }
        Ok(files)
    }

    /// Where the service modules go: `out/src` in a crate, else `out`.
    fn modules_dir(&self, out: &Path) -> PathBuf {
        match &self.crate_name {
            Some(_) => out.join("src"),
            None => out.to_owned(),
        }
    }

    /// What `--update` writes into the scaffold at `out`: for each service
    /// whose module exists, the stubs (and tests) of the rpcs it lacks,
    /// added without touching the rest; the files of the scaffold that do
    /// not exist yet (a new service's module) as [`files`](Self::files)
    /// writes them. Files that exist and lack nothing are left out.
    pub fn update_files(
        &self,
        compiled: &Compiled,
        inputs: &[PathBuf],
        includes: &[PathBuf],
        out: &Path,
    ) -> Result<Vec<FileToWrite>, ScaffoldError> {
        let services = rust::services(compiled, &self.services)?;
        let modules_dir = self.modules_dir(out);
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|err| {
                ScaffoldError::Update(format!("{}: cannot read: {err}", path.display()))
            })
        };
        let mut updates = Vec::new();
        for service in &services {
            let module = rust::service_module(service, &modules_dir);
            if !module.path.exists() {
                continue;
            }
            let Some((content, added)) =
                update::add_missing_stubs(&read(&module.path)?, service, &module.path)?
            else {
                continue;
            };
            let tests = rust::service_tests(service, &modules_dir);
            if tests.path.exists() {
                let content = update::add_tests(&read(&tests.path)?, service, &added, &tests.path)?;
                updates.push(FileToWrite {
                    path: tests.path,
                    content,
                });
            }
            updates.push(FileToWrite {
                path: module.path,
                content,
            });
        }
        let missing = self
            .files(compiled, inputs, includes, out)?
            .into_iter()
            .filter(|file| !file.path.exists());
        updates.extend(missing);
        Ok(updates)
    }
}

fn check_crate_name(name: &str) -> Result<(), ScaffoldError> {
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(ScaffoldError::Name(format!(
            "'{name}' is not a valid crate name (letters, digits, '-' and '_', starting with a letter)"
        )))
    }
}
