//! Breaking-change detection between two versions of a schema, with buf's
//! rule IDs, messages and locations.
//!
//! Elements pair as buf pairs them ([`pairing`]): files by path; messages,
//! enums and services by full name; fields and enum values by number;
//! extensions by extendee and number; rpcs by name. Every finding points at
//! the current schema.
//!
//! [`rules::RULES`] holds buf's catalog (64 rules in config v2), each rule
//! beside its check in the module of the element it checks, compared with
//! buf on fixtures and on generated schemas
//! (`tests/compat_differential.rs`); [`Config`] reads the `breaking:` block
//! of `buf.yaml`;
//! [`input`] reads directories, images and git references; [`output`]
//! renders findings for CI. [`run`] ties them together for the command line.

mod changed;
pub(crate) mod columns;
pub mod config;
pub mod finding;
pub mod input;
pub mod output;
mod pairing;
pub mod rules;
pub mod schema;
mod surface;

pub use config::Config;
pub use finding::{Finding, Span};
pub use schema::Schema;

use rules::{Report, Rule};
use schema::Index;

use std::borrow::Cow;

use crate::workspace;

/// Options of [`run`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The configuration to use instead of the current input's `buf.yaml`
    /// (`--config`): its rules, and its modules for a directory input.
    pub config: Option<Config>,
    /// The configuration that builds the against input instead of its own
    /// (`--against-config`).
    pub against_config: Option<workspace::Document>,
    /// Check only the inputs' own files, not their imports.
    pub exclude_imports: bool,
    /// Check only the files the current input has.
    pub limit_to_input_files: bool,
    /// Only the files under these paths are checked (`--path`), on each
    /// side in its own terms (see [`input::LoadOptions::paths`]).
    pub paths: Vec<String>,
    /// Files under these paths are not checked (`--exclude-path`).
    pub exclude_paths: Vec<String>,
    /// Also run protoforge's structural wire check (the WIRE_STRUCTURAL
    /// category, not a buf rule: see [`rules::wire_structural`]).
    pub wire_structural: bool,
    /// Compile and compare both sides whole, rather than only the files
    /// that changed and what the rules need around them (the findings are
    /// the same: this is for testing that they are).
    pub compare_all: bool,
}

/// Checks `current` against `against`: both read in parallel, the rules
/// and ignores of the configuration applied, paths shown as buf shows them.
pub fn run(
    current: &input::Input,
    against: &input::Input,
    options: &Options,
) -> Result<Vec<Finding>, input::InputError> {
    run_with_notes(current, against, options).map(|(findings, _)| findings)
}

/// [`run`], with the notes to show the user: which configuration was used
/// when it is not the input's own.
pub fn run_with_notes(
    current: &input::Input,
    against: &input::Input,
    options: &Options,
) -> Result<(Vec<Finding>, Vec<String>), input::InputError> {
    let load_options = |config: Option<workspace::Document>| input::LoadOptions {
        config,
        paths: options.paths.clone(),
        exclude_paths: options.exclude_paths.clone(),
    };
    let current_options = load_options(options.config.as_ref().and_then(|c| c.document.clone()));
    let against_options = load_options(options.against_config.clone());
    // Both inputs read, then (unless told to compare everything) only what
    // can change the findings compiled: see [`changed`].
    let against_error = |source| input::InputError::Against {
        input: against.to_string(),
        source: Box::new(source),
    };
    let (current, previous) = both(
        || current.prepare(&current_options),
        || against.prepare(&against_options),
    );
    let (mut current, mut previous) = (current?, previous.map_err(against_error)?);
    let plan = if options.compare_all {
        None
    } else {
        both(|| current.read_texts(), || previous.read_texts());
        match (current.texts(), previous.texts()) {
            (Some(now), Some(before)) => changed::plan(now, before),
            _ => None,
        }
    };
    let (current_selection, previous_selection) = match plan {
        Some(plan) => (Some(plan.current), Some(plan.previous)),
        None => (None, None),
    };
    let (current, previous) = both(
        || current.finish(current_selection),
        || previous.finish(previous_selection),
    );
    let (current, previous) = (current?, previous.map_err(against_error)?);
    let notes: Vec<String> = current.note.iter().chain(&previous.note).cloned().collect();
    // buf checks a workspace module by module: each selected module of the
    // input, with its imports, against a module of the against input, under
    // the module's own configuration. Imports are checked too (unless
    // excluded), under the configuration of the module importing them.
    // buf pairs the modules in the order of their identities
    // (`Config::module_id`: name, else path), not as listed, so reordered
    // modules pair as before. An input with more modules than the against
    // input keeps those the against input has (a module added has nothing
    // to break); fewer is an error.
    let mut current_parts: Vec<(Config, Option<&std::collections::HashSet<String>>)> = current
        .parts(options.config.as_ref())
        .into_iter()
        .map(|(config, names)| (config.cloned().unwrap_or_default(), names))
        .collect();
    let mut previous_parts: Vec<(String, Option<&std::collections::HashSet<String>>)> = previous
        .parts(None)
        .into_iter()
        .map(|(config, names)| {
            (
                config.map(|c| c.module_id.clone()).unwrap_or_default(),
                names,
            )
        })
        .collect();
    let listed = current_parts.len();
    if current_parts.len() > previous_parts.len() {
        current_parts
            .retain(|(config, _)| previous_parts.iter().any(|(id, _)| *id == config.module_id));
    }
    if current_parts.len() != previous_parts.len() {
        return Err(input::InputError::Invalid(format!(
            "input contained {listed} images, whereas against contained {} images",
            previous_parts.len()
        )));
    }
    current_parts.sort_by(|a, b| a.0.module_id.cmp(&b.0.module_id));
    previous_parts.sort_by(|a, b| a.0.cmp(&b.0));
    let mut findings = Vec::new();
    for ((config, names), (_, previous_names)) in current_parts.into_iter().zip(previous_parts) {
        let current_schema = part(&current.schema, names, options.exclude_imports);
        let mut previous_schema = part(&previous.schema, previous_names, options.exclude_imports);
        if options.limit_to_input_files {
            let names: std::collections::HashSet<String> =
                current_schema.file_names().map(str::to_owned).collect();
            previous_schema = Cow::Owned(
                previous_schema
                    .into_owned()
                    .retain_files(|name| names.contains(name)),
            );
        }
        config.check_for_breaking().map_err(|message| {
            input::InputError::Config(config::ConfigError::Invalid {
                path: config.shown().to_owned(),
                message,
            })
        })?;
        let mut rules = config.rules();
        if options.wire_structural {
            for rule in rules::in_category(config.version, rules::wire_structural::CATEGORY) {
                if !rules.iter().any(|r| r.id == rule.id) {
                    rules.push(rule);
                }
            }
        }
        let mut found = check(&previous_schema, &current_schema, rules);
        config.filter(&mut found, &previous_schema, &current_schema);
        findings.extend(found);
    }
    current.to_buf_columns(&mut findings);
    for finding in &mut findings {
        if let Some(path) = &finding.path
            && let Some(shown) = current.shown.get(path)
        {
            finding.path = Some(shown.clone());
        }
        // An image without source info has no spans: buf prints 1:1.
        if finding.path.is_some() && finding.span.is_none() {
            finding.span = Some(Span::FILE);
        }
    }
    finding::normalize(&mut findings);
    Ok((findings, notes))
}

/// Runs `a` and `b` at the same time.
fn both<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    std::thread::scope(|scope| {
        let b = scope.spawn(b);
        let a = a();
        (
            a,
            b.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    })
}

/// One module's part of a schema (`names`, with what they import), its
/// imports left out when asked; with no module to cut out and nothing to
/// leave out, the schema itself, borrowed rather than copied.
fn part<'s>(
    schema: &'s Schema,
    names: Option<&std::collections::HashSet<String>>,
    exclude_imports: bool,
) -> Cow<'s, Schema> {
    let restricted = match names {
        Some(names) => Cow::Owned(schema.clone().restrict_to(|name| names.contains(name))),
        None => Cow::Borrowed(schema),
    };
    if exclude_imports {
        Cow::Owned(restricted.into_owned().without_imports())
    } else {
        restricted
    }
}

/// Every finding of `rules` between `previous` and `current`, sorted and
/// without duplicates.
pub fn check<'r>(
    previous: &Schema,
    current: &Schema,
    rules: impl IntoIterator<Item = &'r Rule>,
) -> Vec<Finding> {
    let (before, after) = (Index::new(previous), Index::new(current));
    let mut findings = Vec::new();
    for rule in rules {
        let mut report = Report {
            rule: rule.id,
            findings: &mut findings,
        };
        rule.run(&before, &after, &mut report);
    }
    finding::normalize(&mut findings);
    findings
}

#[cfg(test)]
mod tests;
