//! buf's catalog of breaking rules, grouped by the element each checks:
//! [`file`], [`package`], [`message`], [`field`], [`extension`], [`enums`],
//! [`enum_value`], [`service`] and [`rpc`],  Each rule is declared once, beside its check:
//! its ID, its purpose, its categories in every configuration version, and
//! one small handler over a pair of elements ([`super::pairing`] decides
//! what pairs). [`wire_structural`] adds protoforge's opt-in category,
//! never one of buf's. Adding a rule touches one module's `RULES` and nothing else;
//! helpers more than one rule uses live in [`helpers`].

mod enum_value;
mod enums;
mod extension;
mod field;
mod file;
mod helpers;
mod message;
mod package;
mod rpc;
mod service;
pub mod wire_structural;

use std::sync::LazyLock;

use super::{
    config::Version,
    finding::{Finding, Span},
    pairing::{
        self, EnumPair, EnumValuePair, FieldPair, FilePair, MessagePair, MethodPair, ServicePair,
    },
    schema::Index,
};

/// A rule of the catalog.
#[derive(Clone, Debug)]
pub struct Rule {
    /// buf's ID, such as `FIELD_NO_DELETE`.
    pub id: &'static str,
    /// One line on what it checks, as buf lists it.
    pub purpose: &'static str,
    /// Its categories in each configuration version.
    pub categories: Categories,
    pub(crate) check: Check,
}

pub use super::config::Categories;

/// The categories buf knows in each version (protoforge's opt-in
/// [`wire_structural::CATEGORY`] is never one of them).
pub fn categories(version: Version) -> &'static [&'static str] {
    match version {
        Version::V2 => &["FILE", "PACKAGE", "WIRE_JSON", "WIRE", "CSR"],
        _ => &["FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
    }
}

/// The deprecated IDs buf still accepts in `version`, and the rules they
/// stand for (none: kept for old configurations, they check nothing). v2
/// knows only MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT: the others are unknown
/// IDs there, refused as buf 1.75 refuses them.
pub fn deprecated(
    version: Version,
) -> impl Iterator<Item = &'static (&'static str, &'static [&'static str])> {
    DEPRECATED.iter().filter(move |(id, _)| {
        version != Version::V2 || *id == "MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT"
    })
}

/// Every deprecated ID of some version; see [`deprecated`].
const DEPRECATED: [(&str, &[&str]); 5] = [
    ("FIELD_SAME_CTYPE", &["FIELD_SAME_CPP_STRING_TYPE"]),
    (
        "FIELD_SAME_LABEL",
        &[
            "FIELD_SAME_CARDINALITY",
            "FIELD_WIRE_COMPATIBLE_CARDINALITY",
            "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
        ],
    ),
    (
        "FILE_SAME_JAVA_STRING_CHECK_UTF8",
        &["FIELD_SAME_JAVA_UTF8_VALIDATION"],
    ),
    ("FILE_SAME_PHP_GENERIC_SERVICES", &[]),
    ("MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT", &[]),
];

/// What a rule looks at: one pair of elements at a time, or both schemas
/// whole (deletions of files and packages).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Check {
    Schema(fn(&Index<'_>, &Index<'_>, &mut Report<'_>)),
    File(fn(&FilePair<'_>, &mut Report<'_>)),
    Message(fn(&MessagePair<'_>, &mut Report<'_>)),
    Field(fn(&FieldPair<'_>, &mut Report<'_>)),
    Enum(fn(&EnumPair<'_>, &mut Report<'_>)),
    EnumValue(fn(&EnumValuePair<'_>, &mut Report<'_>)),
    Service(fn(&ServicePair<'_>, &mut Report<'_>)),
    Method(fn(&MethodPair<'_>, &mut Report<'_>)),
}

impl Rule {
    /// Runs the rule over every pair it looks at.
    pub(crate) fn run(&self, before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
        match self.check {
            Check::Schema(check) => check(before, after, report),
            Check::File(check) => pairing::files(before, after, |pair| check(pair, report)),
            Check::Message(check) => pairing::messages(before, after, |pair| check(pair, report)),
            Check::Field(check) => pairing::fields(before, after, |pair| check(pair, report)),
            Check::Enum(check) => pairing::enums(before, after, |pair| check(pair, report)),
            Check::EnumValue(check) => {
                pairing::enum_values(before, after, |pair| check(pair, report))
            }
            Check::Service(check) => pairing::services(before, after, |pair| check(pair, report)),
            Check::Method(check) => pairing::methods(before, after, |pair| check(pair, report)),
        }
    }
}

/// Collects a rule's findings, filling in its ID.
#[derive(Debug)]
pub(crate) struct Report<'a> {
    pub rule: &'static str,
    pub findings: &'a mut Vec<Finding>,
}

impl Report<'_> {
    /// A finding in the current file `path`.
    pub fn add(&mut self, path: &str, span: Option<Span>, message: String) {
        self.findings.push(Finding {
            path: Some(path.to_owned()),
            span,
            rule: self.rule,
            message,
            previous_path: Some(path.to_owned()),
        });
    }

    /// A finding with no place in the current schema (a deleted file or
    /// package), about the previous file `previous_path`.
    pub fn add_gone(&mut self, previous_path: Option<String>, message: String) {
        self.findings.push(Finding {
            path: None,
            span: Some(Span::FILE),
            rule: self.rule,
            message,
            previous_path,
        });
    }
}

/// Every rule: buf's catalog, then protoforge's opt-in WIRE_STRUCTURAL.
pub static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    [
        file::RULES,
        package::RULES,
        message::RULES,
        field::RULES,
        extension::RULES,
        enums::RULES,
        enum_value::RULES,
        service::RULES,
        rpc::RULES,
        wire_structural::RULES,
    ]
    .concat()
});

/// The rules of `category` in `version`.
pub fn in_category(version: Version, category: &str) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES.iter().filter(move |rule| {
        rule.categories
            .of(version)
            .is_some_and(|categories| categories.contains(&category))
    })
}
