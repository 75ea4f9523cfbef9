//! Breaking-change detection between two versions of a schema, with buf's
//! rule IDs, messages and locations.
//!
//! Elements pair as buf pairs them: files by path; messages, enums and
//! services by full name; fields and enum values by number; rpcs by name.
//! Every finding points at the current schema.
//!
//! Work in progress: [`rules::RULES`] holds the rules checked so far, each
//! compared with buf on fixtures; the rest of buf's catalog, configuration
//! (`buf.yaml`), the other inputs and output formats are still to come, so
//! there is no `protoforge breaking` command yet.

pub mod config;
pub mod finding;
pub mod rules;
pub mod schema;

pub use config::Config;
pub use finding::{Finding, Span};
pub use schema::Schema;

use rules::{
    Check, EnumPair, FieldPair, FilePair, MessagePair, MethodPair, Report, Rule, ServicePair,
};
use schema::Index;

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
        run(rule, &before, &after, &mut report);
    }
    finding::normalize(&mut findings);
    findings
}

fn run(rule: &Rule, before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    match rule.check {
        Check::Schema(check) => check(before, after, report),
        Check::File(check) => {
            for (path, previous) in &before.files {
                if let Some(current) = after.files.get(path) {
                    check(
                        &FilePair {
                            previous,
                            current,
                            before,
                            after,
                        },
                        report,
                    );
                }
            }
        }
        Check::Message(check) => {
            for_messages(before, after, |pair| check(pair, report));
        }
        Check::Field(check) => for_messages(before, after, |message| {
            let current = schema::fields_by_number(message.current.proto);
            for (number, previous) in schema::fields_by_number(message.previous.proto) {
                if let Some(current) = current.get(&number) {
                    check(
                        &FieldPair {
                            message,
                            previous,
                            current: *current,
                        },
                        report,
                    );
                }
            }
        }),
        Check::Enum(check) => {
            for (name, previous) in &before.enums {
                if let Some(current) = after.enums.get(name) {
                    check(&EnumPair { previous, current }, report);
                }
            }
        }
        Check::Service(check) => {
            for (name, previous) in &before.services {
                if let Some(current) = after.services.get(name) {
                    check(&ServicePair { previous, current }, report);
                }
            }
        }
        Check::Method(check) => {
            for (name, previous) in &before.services {
                let Some(current) = after.services.get(name) else {
                    continue;
                };
                let service = ServicePair { previous, current };
                let current_methods = schema::methods_by_name(current.proto);
                for (method, (_, before_method)) in schema::methods_by_name(previous.proto) {
                    if let Some((current_index, after_method)) = current_methods.get(method) {
                        check(
                            &MethodPair {
                                service: &service,
                                previous: before_method,
                                current: after_method,
                                current_index: *current_index,
                            },
                            report,
                        );
                    }
                }
            }
        }
    }
}

/// Calls `each` for every message present on both sides. Map entries are
/// messages too (buf checks their key and value fields).
fn for_messages<'a>(
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    mut each: impl FnMut(&MessagePair<'_>),
) {
    for (name, previous) in &before.messages {
        if let Some(current) = after.messages.get(name) {
            each(&MessagePair { previous, current });
        }
    }
}

#[cfg(test)]
mod tests;
