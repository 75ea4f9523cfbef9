//! The rules: each an ID, a purpose line, its categories in each config
//! version, and one small function over one kind of element. The rules are
//! grouped by the element they look at, one file per element; a file's
//! `RULES` is its part of the registry, so adding a rule touches one file.

mod enums;
mod fields;
mod files;
mod imports;
mod messages;
mod oneofs;
mod packages;
mod protovalidate;
mod rpcs;
mod services;

use super::{
    config::RuleOptions,
    elements::{
        EnumValueView, EnumView, FieldView, FileView, MessageView, MethodView, Module, OneofView,
        ServiceView,
    },
};
use crate::compat::{Finding, Span};

/// A rule of the catalog.
#[derive(Debug)]
pub struct Rule {
    /// buf's ID, such as `FIELD_LOWER_SNAKE_CASE`.
    pub id: &'static str,
    /// One line on what it checks, as buf lists it.
    pub purpose: &'static str,
    /// Its categories in each config version (`None`: not in that
    /// version's catalog).
    pub categories: Categories,
    /// buf lists it only with `--include-deprecated`.
    pub deprecated: bool,
    pub(crate) check: Check,
}

pub use crate::compat::config::Categories;

/// What a rule looks at.
#[derive(Debug)]
pub(crate) enum Check {
    /// Every file of the module at once (rules across files).
    Module(fn(&Module<'_>, &mut Report<'_>)),
    File(fn(&FileView<'_>, &Module<'_>, &mut Report<'_>)),
    Message(fn(&MessageView<'_>, &mut Report<'_>)),
    Field(fn(&FieldView<'_>, &mut Report<'_>)),
    Oneof(fn(&OneofView<'_>, &mut Report<'_>)),
    Enum(fn(&EnumView<'_>, &mut Report<'_>)),
    EnumValue(fn(&EnumValueView<'_>, &mut Report<'_>)),
    Service(fn(&ServiceView<'_>, &mut Report<'_>)),
    Method(fn(&MethodView<'_>, &mut Report<'_>)),
    /// A deprecated ID buf still accepts but runs nothing for (never
    /// selected: see [`LintConfig::rules`](crate::lint::LintConfig::rules)).
    Nothing,
    /// Every file of the module at once, for a rule protoforge cannot
    /// check on some schemas: the reason, when the module is one of them
    /// (the lint stops rather than pass).
    Fallible(fn(&Module<'_>, &mut Report<'_>) -> Result<(), String>),
}

/// Every rule of every version.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    [
        files::RULES,
        packages::RULES,
        imports::RULES,
        messages::RULES,
        fields::RULES,
        oneofs::RULES,
        enums::RULES,
        services::RULES,
        rpcs::RULES,
        protovalidate::RULES,
    ]
    .into_iter()
    .flatten()
}

/// The rule `id`.
pub fn find(id: &str) -> Option<&'static Rule> {
    all().find(|rule| rule.id == id)
}

/// Collects a rule's findings, filling in its ID, and drops those a
/// `// buf:lint:ignore RULE` comment silences (when the configuration
/// allows them).
#[derive(Debug)]
pub(crate) struct Report<'a> {
    pub rule: &'static str,
    pub options: &'a RuleOptions,
    pub comment_ignores: bool,
    pub findings: &'a mut Vec<Finding>,
}

/// The prefix of a comment line that silences a rule for an element.
const IGNORE_PREFIX: &str = "buf:lint:ignore";

impl Report<'_> {
    /// A finding at `at` in `file`, about the element at `element`. The
    /// leading comments of the element, of the elements it is in (a nested
    /// message's outer messages, a value's enum, an rpc's service) and of
    /// `at` may ignore it.
    pub fn add(&mut self, file: &FileView<'_>, element: &[i32], at: &[i32], message: String) {
        if self.comment_ignores
            && (self.ignored(file, at)
                || (2..=element.len())
                    .step_by(2)
                    .any(|end| self.ignored(file, &element[..end])))
        {
            return;
        }
        self.findings.push(Finding {
            path: Some(file.name().to_owned()),
            span: Some(file.span(at).unwrap_or(Span::FILE)),
            rule: self.rule,
            message,
            previous_path: None,
        });
    }

    /// A finding at `span` in `file`, about the element at `element` (whose
    /// leading comments, and those of the elements it is in, may ignore
    /// it), for a place the source info may not record.
    pub fn add_at(&mut self, file: &FileView<'_>, element: &[i32], span: Span, message: String) {
        if self.comment_ignores
            && (2..=element.len())
                .step_by(2)
                .any(|end| self.ignored(file, &element[..end]))
        {
            return;
        }
        self.findings.push(Finding {
            path: Some(file.name().to_owned()),
            span: Some(span),
            rule: self.rule,
            message,
            previous_path: None,
        });
    }

    /// A finding about a whole file, with no place in it.
    pub fn add_file(&mut self, file: &FileView<'_>, message: String) {
        self.findings.push(Finding {
            path: Some(file.name().to_owned()),
            span: Some(Span::FILE),
            rule: self.rule,
            message,
            previous_path: None,
        });
    }

    fn ignored(&self, file: &FileView<'_>, path: &[i32]) -> bool {
        let Some(comments) = file.leading_comments(path) else {
            return false;
        };
        comments.lines().any(|line| {
            line.trim()
                .strip_prefix(IGNORE_PREFIX)
                // Exactly one space before the rule, as buf reads it (none,
                // two or a tab silence nothing); and buf matches a prefix:
                // `RULE_MORE` and `RULE, OTHER` ignore RULE too.
                .and_then(|rest| rest.strip_prefix(' '))
                .is_some_and(|rest| rest.starts_with(self.rule))
        })
    }
}

/// Whether a leading comment documents anything: a line with text that is
/// not a `buf:lint:ignore` directive.
pub(crate) fn has_documentation(comments: Option<&str>) -> bool {
    comments.is_some_and(|text| {
        text.lines().any(|line| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with(IGNORE_PREFIX)
        })
    })
}

/// The finding of a COMMENT_* rule: the element at `path` has no
/// documentation comment.
pub(crate) fn check_comment(
    file: &FileView<'_>,
    path: &[i32],
    kind: &str,
    name: &str,
    report: &mut Report<'_>,
) {
    if file.location(path).is_none() {
        return;
    }
    if !has_documentation(file.leading_comments(path)) {
        report.add(
            file,
            path,
            path,
            format!("{kind} {name:?} should have a non-empty comment for documentation."),
        );
    }
}

/// How a naming rule wants names: buf's name for the style, and the
/// conversion that gives the expected name.
pub(crate) type Style = (&'static str, fn(&str) -> String);
pub(crate) const PASCAL_CASE: Style = ("PascalCase", super::naming::to_pascal_case);
pub(crate) const LOWER_SNAKE_CASE: Style = ("lower_snake_case", super::naming::to_lower_snake_case);
pub(crate) const UPPER_SNAKE_CASE: Style = ("UPPER_SNAKE_CASE", super::naming::to_upper_snake_case);

/// The finding of a naming rule: the element at `element` of `file`, a
/// `kind` named `name`, is not named in `style` (found at its name).
pub(crate) fn check_name(
    file: &FileView<'_>,
    element: &[i32],
    kind: &str,
    name: &str,
    (style, convert): Style,
    report: &mut Report<'_>,
) {
    // Field 1 is the name in every descriptor message.
    const NAME: i32 = 1;
    let expected = convert(name);
    if name != expected {
        report.add(
            file,
            element,
            &super::elements::child(element, &[NAME]),
            format!("{kind} name {name:?} should be {style}, such as {expected:?}."),
        );
    }
}

/// Runs `rules` over `module`, adding their findings to `findings`: the
/// rules across files on this thread, the others file by file on every
/// core.
pub(crate) fn run(
    module: &Module<'_>,
    rules: &[&'static Rule],
    options: &RuleOptions,
    comment_ignores: bool,
    findings: &mut Vec<Finding>,
) {
    let per_file = |_: &mut (), file: &FileView<'_>| {
        let mut found = Vec::new();
        let mut dispatch = Dispatch {
            rules,
            options,
            comment_ignores,
            findings: &mut found,
        };
        dispatch.each(|check, report| {
            if let Check::File(check) = check {
                check(file, module, report);
            }
        });
        super::elements::walk(file, &mut dispatch);
        Some(found)
    };
    let files: Vec<&FileView<'_>> = module.files.iter().collect();
    let (per_file, ()) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| crate::compile::parallel::map_with(files, || (), per_file));
        for rule in rules {
            if let Check::Module(check) = rule.check {
                check(
                    module,
                    &mut Report {
                        rule: rule.id,
                        options,
                        comment_ignores,
                        findings,
                    },
                );
            }
        }
        (worker.join(), ())
    });
    let per_file = per_file
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("a lint rule panicked"));
    findings.extend(per_file.into_iter().flatten());
}

/// Hands each element to the rules of its kind.
struct Dispatch<'r, 'f> {
    rules: &'r [&'static Rule],
    options: &'r RuleOptions,
    comment_ignores: bool,
    findings: &'f mut Vec<Finding>,
}

impl Dispatch<'_, '_> {
    fn each(&mut self, mut call: impl FnMut(&Check, &mut Report<'_>)) {
        for rule in self.rules {
            let mut report = Report {
                rule: rule.id,
                options: self.options,
                comment_ignores: self.comment_ignores,
                findings: self.findings,
            };
            call(&rule.check, &mut report);
        }
    }
}

impl<'a> super::elements::Visitor<'a> for Dispatch<'_, '_> {
    fn message(&mut self, message: &MessageView<'a>) {
        self.each(|check, report| {
            if let Check::Message(check) = check {
                check(message, report);
            }
        });
    }

    fn field(&mut self, field: &FieldView<'a>) {
        self.each(|check, report| {
            if let Check::Field(check) = check {
                check(field, report);
            }
        });
    }

    fn oneof(&mut self, oneof: &OneofView<'a>) {
        self.each(|check, report| {
            if let Check::Oneof(check) = check {
                check(oneof, report);
            }
        });
    }

    fn enumeration(&mut self, enumeration: &EnumView<'a>) {
        self.each(|check, report| {
            if let Check::Enum(check) = check {
                check(enumeration, report);
            }
        });
    }

    fn enum_value(&mut self, value: &EnumValueView<'a>) {
        self.each(|check, report| {
            if let Check::EnumValue(check) = check {
                check(value, report);
            }
        });
    }

    fn service(&mut self, service: &ServiceView<'a>) {
        self.each(|check, report| {
            if let Check::Service(check) = check {
                check(service, report);
            }
        });
    }

    fn method(&mut self, method: &MethodView<'a>) {
        self.each(|check, report| {
            if let Check::Method(check) = check {
                check(method, report);
            }
        });
    }
}
