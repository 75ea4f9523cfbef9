//! `features.enforce_naming_style = STYLE2024` (edition 2024's default), as
//! protoc 35 enforces it on each element whose features say so:
//!
//! - messages, enums, services and methods in TitleCase: no `_`, then a
//!   capital first letter;
//! - fields (extensions and map fields too), oneofs and the package in
//!   lower_snake_case: no capital, then a lower-case first letter, then no
//!   `_` that is doubled, last, or before a digit;
//! - enum values in UPPER_SNAKE_CASE, the same way round.
//!
//! Each error is at the element's name (the package's at its statement;
//! protoc gives a oneof's none), with protoc's hint to opt out.

use super::{Element, Site};
use crate::compile::{
    descriptor::{FileDescriptorProto, feature_set::EnforceNamingStyle},
    features::{self, Features},
    validate::Problem,
};

/// The key of `enforce_naming_style` among [`Features`].
const ENFORCE_NAMING_STYLE: features::FeatureKey = (0, 7);

const OPT_OUT: &str =
    "(features.enforce_naming_style = STYLE_LEGACY can be used to opt out of this check)";

fn enforced(features: &Features) -> bool {
    features.get(ENFORCE_NAMING_STYLE) == Some(EnforceNamingStyle::Style2024 as u64)
}

/// The package, under the file's features.
pub(super) fn package(file: &FileDescriptorProto, problems: &mut Vec<Problem>) {
    let Some(package) = file.package.as_deref() else {
        return;
    };
    let resolver = features::protoc_resolver();
    let Ok(defaults) = resolver.edition_defaults(features::file_edition(file)) else {
        return;
    };
    let own = file.options.as_ref().and_then(|o| o.features.as_ref());
    if !enforced(&defaults.merged(own).unwrap_or(defaults)) {
        return;
    }
    if let Some(why) = snake_case_problem(package, false) {
        problems.push(Problem::error(
            vec![2],
            format!("Package name {package} {why} {OPT_OUT}"),
        ));
    }
}

pub(super) fn check(site: &Site<'_>, problems: &mut Vec<Problem>) {
    if !enforced(site.resolved) {
        return;
    }
    let (kind, name, why) = match &site.element {
        // protoc's own map entries are not the author's.
        Element::Message(message) if message.options.as_ref().is_some_and(|o| o.map_entry()) => {
            return;
        }
        Element::Message(message) => (
            "Message",
            message.name(),
            title_case_problem(message.name()),
        ),
        Element::Enum(enumeration) => (
            "Enum",
            enumeration.name(),
            title_case_problem(enumeration.name()),
        ),
        Element::Service(service) => (
            "Service",
            service.name(),
            title_case_problem(service.name()),
        ),
        Element::Method(method) => ("Method", method.name(), title_case_problem(method.name())),
        Element::Field(field) if !field.in_map_entry => (
            "Field",
            field.field.name(),
            snake_case_problem(field.field.name(), false),
        ),
        Element::Oneof(oneof) => (
            "Oneof",
            oneof.name(),
            snake_case_problem(oneof.name(), false),
        ),
        Element::Value(value) => (
            "Enum value",
            value.name(),
            snake_case_problem(value.name(), true),
        ),
        _ => return,
    };
    let Some(why) = why else {
        return;
    };
    // protoc gives a oneof's problem no location.
    let path = match site.element {
        Element::Oneof(_) => Vec::new(),
        _ => site.name_path(),
    };
    problems.push(Problem::error(
        path,
        format!("{kind} name {name} {why} {OPT_OUT}"),
    ));
}

fn title_case_problem(name: &str) -> Option<&'static str> {
    if name.contains('_') {
        Some("should be TitleCase")
    } else if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        Some("should begin with a capital letter")
    } else {
        None
    }
}

/// lower_snake_case (`upper`: UPPER_SNAKE_CASE); dots separate a
/// package's parts.
fn snake_case_problem(name: &str, upper: bool) -> Option<&'static str> {
    let wrong_case = |c: char| {
        if upper {
            c.is_ascii_lowercase()
        } else {
            c.is_ascii_uppercase()
        }
    };
    let letter = |c: char| {
        if upper {
            c.is_ascii_uppercase()
        } else {
            c.is_ascii_lowercase()
        }
    };
    if name.chars().any(wrong_case) {
        return Some(if upper {
            "should be UPPER_SNAKE_CASE"
        } else {
            "should be lower_snake_case"
        });
    }
    if !name.starts_with(letter) {
        return Some(if upper {
            "should begin with an upper case letter"
        } else {
            "should begin with a lower case letter"
        });
    }
    let bytes = name.as_bytes();
    let bad_underscore = bytes.iter().enumerate().any(|(i, &b)| {
        b == b'_'
            && !bytes
                .get(i + 1)
                .is_some_and(|&next| letter(char::from(next)))
    });
    bad_underscore.then_some("contains style violating underscores")
}
