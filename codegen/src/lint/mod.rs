//! Lint: buf's lint rules over a compiled schema, with buf's rule IDs,
//! categories, configuration, messages and locations.
//!
//! The layout follows breaking's ([`crate::compat`]) and buf's bufcheck:
//! [`rules`] holds the catalog, one file per kind of element, each rule an
//! ID, a purpose, its categories in each config version and one small
//! function; `elements` walks a schema's files once and hands each element
//! to the rules of its kind; [`LintConfig`] reads the `lint:` block of a
//! `buf.yaml`. Inputs, findings and output formats are breaking's
//! ([`crate::compat::input`], [`crate::compat::Finding`],
//! [`crate::compat::output`]), so both verbs take and print the same
//! things. Only a module's own files are linted; imports are read for what
//! the rules look up (the package of an imported file, where a type is
//! declared).

pub mod config;
mod elements;
pub(crate) mod naming;
pub mod rules;

use std::{borrow::Cow, collections::HashMap};

pub use config::{LintConfig, LintConfigError};

use crate::{
    Diagnostic,
    compat::{self, Finding, Schema, input::InputError},
};

/// What stops a lint before it has findings.
#[derive(Debug)]
pub enum LintError {
    /// The input cannot be read or does not compile.
    Input(InputError),
    /// The `lint:` block is invalid.
    Config(LintConfigError),
    /// A configured rule protoforge cannot check on this schema.
    Unsupported(String),
}

impl std::fmt::Display for LintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LintError::Input(err) => err.fmt(f),
            LintError::Config(err) => err.fmt(f),
            LintError::Unsupported(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for LintError {
    // The wrapped errors are shown as they are, so their causes are this
    // one's.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LintError::Input(err) => err.source(),
            LintError::Config(err) => err.source(),
            LintError::Unsupported(_) => None,
        }
    }
}

impl From<InputError> for LintError {
    fn from(err: InputError) -> Self {
        LintError::Input(err)
    }
}

impl From<LintConfigError> for LintError {
    fn from(err: LintConfigError) -> Self {
        LintError::Config(err)
    }
}

impl LintError {
    /// The problems, as located diagnostics.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            LintError::Input(err) => err.diagnostics(),
            other => vec![Diagnostic::from_message(other.to_string())],
        }
    }
}

/// Options of [`run`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The configuration to use instead of the input's `buf.yaml`.
    pub config: Option<compat::Config>,
    /// Lint only the files under these paths (`--path`, as `breaking`'s).
    pub paths: Vec<String>,
    /// Leave out the files under these paths (`--exclude-path`).
    pub exclude_paths: Vec<String>,
}

/// The findings of one input.
#[derive(Debug, Default)]
pub struct Linted {
    /// Sorted, each path the file's name in its module (`a/v1/a.proto`).
    pub findings: Vec<Finding>,
    /// How to show each file: module name to the path buf prints.
    pub shown: HashMap<String, String>,
}

impl Linted {
    /// The findings with the paths buf prints (relative to the working
    /// directory, through the input).
    pub fn shown_findings(&self) -> Vec<Finding> {
        let mut findings = self.findings.clone();
        for finding in &mut findings {
            if let Some(path) = &finding.path
                && let Some(shown) = self.shown.get(path)
            {
                finding.path = Some(shown.clone());
            }
        }
        compat::finding::normalize(&mut findings);
        findings
    }
}

/// Lints `input` with the configuration of `options`, else its `buf.yaml`,
/// else buf's default (v1, STANDARD).
pub fn run(input: &compat::input::Input, options: &Options) -> Result<Linted, LintError> {
    let load = compat::input::LoadOptions {
        config: options.config.as_ref().and_then(|c| c.document.clone()),
        paths: options.paths.clone(),
        exclude_paths: options.exclude_paths.clone(),
    };
    let loaded = input.load_with(&load)?;
    // As buf does, each selected module of a workspace is linted on its own
    // files under its own `lint:` block.
    // The own files' texts, read once: for comments and columns.
    let names = loaded
        .schema
        .file_names()
        .filter(|name| loaded.schema.is_input(name))
        .map(str::to_owned)
        .collect();
    let texts = loaded.texts_of(names);
    let parts = loaded.parts(options.config.as_ref());
    let mut findings = Vec::new();
    for (module, names) in parts {
        let (config, roots) = match module {
            Some(module) => {
                // Refused when lint runs, not when the file is read.
                compat::config::whole_module_ignored_only(module.lint.ignore_only.values())
                    .map_err(|message| LintConfigError {
                        path: module.shown().to_owned(),
                        message,
                    })?;
                (Cow::Borrowed(&module.lint), module.roots.as_slice())
            }
            None => (Cow::Owned(LintConfig::default()), &[][..]),
        };
        let schema = match names {
            Some(names) => Cow::Owned(
                loaded
                    .schema
                    .clone()
                    .restrict_to(|name| names.contains(name)),
            ),
            None => Cow::Borrowed(&loaded.schema),
        };
        let mut part = check_with_texts(&schema, &config, &texts)?;
        config.filter(&mut part, roots);
        findings.extend(part);
    }
    compat::columns::to_buf(&mut findings, &texts);
    let compat::input::Loaded { schema, shown, .. } = loaded;
    free_beside(schema);
    compat::finding::normalize(&mut findings);
    Ok(Linted { findings, shown })
}

/// Frees `schema` on a thread of its own: the descriptors of thousands of
/// files, source info included, take a noticeable part of a lint to free,
/// and nothing needs to wait for it (a command-line run may even end
/// first). Where no thread can start, it is freed here.
fn free_beside(schema: Schema) {
    let _ = std::thread::Builder::new().spawn(move || drop(schema));
}

/// Every finding of the configured rules on the own files of `schema`
/// (comment ignores applied when the configuration allows them; `ignore`
/// paths are [`LintConfig::filter`]'s), sorted and without duplicates.
pub fn check(schema: &Schema, config: &LintConfig) -> Result<Vec<Finding>, LintError> {
    check_with_texts(schema, config, &HashMap::new())
}

/// [`check`], with the files' texts (by name) where the input has them:
/// buf's compiler reads comments on them (see
/// `elements::FileView::leading_comments`).
fn check_with_texts(
    schema: &Schema,
    config: &LintConfig,
    texts: &HashMap<String, Cow<'_, str>>,
) -> Result<Vec<Finding>, LintError> {
    let module = elements::Module::new(schema, texts);
    let rules = config.rules();
    let mut findings = Vec::new();
    for rule in &rules {
        if let rules::Check::Fallible(check) = rule.check {
            let mut report = rules::Report {
                rule: rule.id,
                options: &config.options,
                comment_ignores: config.allow_comment_ignores,
                findings: &mut findings,
            };
            check(&module, &mut report).map_err(LintError::Unsupported)?;
        }
    }
    rules::run(
        &module,
        &rules,
        &config.options,
        config.allow_comment_ignores,
        &mut findings,
    );
    compat::finding::normalize(&mut findings);
    Ok(findings)
}

/// buf's `config-ignore-yaml` format: the `lint:` block (of a v1
/// `buf.yaml`, as buf prints it) whose `ignore_only` silences exactly the
/// files of `findings` for their rules, which is how a team adopts lint on
/// an old schema. Paths are the files' names in their module.
pub fn config_ignore_yaml(findings: &[Finding]) -> String {
    let mut by_rule: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        std::collections::BTreeMap::new();
    for finding in findings {
        if let Some(path) = finding.path.as_deref() {
            by_rule.entry(finding.rule).or_default().insert(path);
        }
    }
    if by_rule.is_empty() {
        return String::new();
    }
    let mut out = String::from("version: v1\nlint:\n  ignore_only:\n");
    for (rule, paths) in by_rule {
        out.push_str(&format!("    {rule}:\n"));
        for path in paths {
            out.push_str(&format!("      - {path}\n"));
        }
    }
    out
}
