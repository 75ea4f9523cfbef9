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

pub mod config;
pub mod finding;
pub mod input;
pub mod output;
mod pairing;
pub mod rules;
pub mod schema;

pub use config::Config;
pub use finding::{Finding, Span};
pub use schema::Schema;

use rules::{Report, Rule};
use schema::Index;

/// Options of [`run`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The configuration to use instead of the current input's `buf.yaml`.
    pub config: Option<Config>,
    /// Check only the inputs' own files, not their imports.
    pub exclude_imports: bool,
    /// Check only the files the current input has.
    pub limit_to_input_files: bool,
    /// Also run protoforge's structural wire check (the WIRE_STRUCTURAL
    /// category, not a buf rule: see [`rules::wire_structural`]).
    pub wire_structural: bool,
}

/// Checks `current` against `against`: both read in parallel, the rules
/// and ignores of the configuration applied, paths shown as buf shows them.
pub fn run(
    current: &input::Input,
    against: &input::Input,
    options: &Options,
) -> Result<Vec<Finding>, input::InputError> {
    let (current, previous) = std::thread::scope(|scope| {
        let previous = scope.spawn(|| against.load());
        let current = current.load();
        (
            current,
            previous
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    let (current, previous) = (current?, previous?);
    let config = options
        .config
        .clone()
        .or_else(|| current.config.clone())
        .unwrap_or_default();
    let (mut current_schema, mut previous_schema) = (current.schema, previous.schema);
    if options.exclude_imports {
        current_schema = current_schema.without_imports();
        previous_schema = previous_schema.without_imports();
    }
    if options.limit_to_input_files {
        let names: std::collections::HashSet<String> =
            current_schema.file_names().map(str::to_owned).collect();
        previous_schema = previous_schema.retain_files(|name| names.contains(name));
    }
    let mut rules = config.rules();
    if options.wire_structural {
        for rule in rules::in_category(config.version, rules::wire_structural::CATEGORY) {
            if !rules.iter().any(|r| r.id == rule.id) {
                rules.push(rule);
            }
        }
    }
    let mut findings = check(&previous_schema, &current_schema, rules);
    config.filter(&mut findings, &previous_schema, &current_schema);
    for finding in &mut findings {
        if let Some(path) = &finding.path
            && let Some(shown) = current.shown.get(path)
        {
            finding.path = Some(shown.clone());
        }
    }
    finding::normalize(&mut findings);
    Ok(findings)
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
