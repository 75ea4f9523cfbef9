//! Rules on packages: a package, or a type or extension of a package, is
//! deleted when no file of the current schema has it (moving between the
//! package's files is allowed).

use std::collections::HashSet;

use super::{
    Categories, Check, Report, Rule,
    helpers::{deleted_from_package, packages},
};
use crate::compat::schema::Index;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "PACKAGE_NO_DELETE",
        purpose: "Checks that packages are not deleted.",
        categories: Categories::all(&["PACKAGE"], &["PACKAGE"]),
        check: Check::Schema(package_no_delete),
    },
    Rule {
        id: "PACKAGE_MESSAGE_NO_DELETE",
        purpose: "Checks that messages are not deleted from a given package.",
        categories: Categories::all(&["PACKAGE"], &["PACKAGE"]),
        check: Check::Schema(package_message_no_delete),
    },
    Rule {
        id: "PACKAGE_ENUM_NO_DELETE",
        purpose: "Checks that enums are not deleted from a given package.",
        categories: Categories::all(&["PACKAGE"], &["PACKAGE"]),
        check: Check::Schema(package_enum_no_delete),
    },
    Rule {
        id: "PACKAGE_SERVICE_NO_DELETE",
        purpose: "Checks that services are not deleted from a given package.",
        categories: Categories::all(&["PACKAGE"], &["PACKAGE"]),
        check: Check::Schema(package_service_no_delete),
    },
    Rule {
        id: "PACKAGE_EXTENSION_NO_DELETE",
        purpose: "Checks that extensions are not deleted from a given package.",
        categories: Categories::since_v2(&["PACKAGE"]),
        check: Check::Schema(package_extension_no_delete),
    },
];

fn package_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    let current = packages(after);
    for (package, files) in packages(before)
        .iter()
        .filter(|(p, _)| !current.contains_key(*p))
    {
        report.add_gone(
            files.first().map(|f| f.name().to_owned()),
            format!("Previously present package \"{package}\" was deleted."),
        );
    }
}

fn package_message_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    // buf checks a package's messages only when the current package still
    // has some (and its enums and extensions likewise); services always.
    let remaining: HashSet<&str> = after
        .messages
        .values()
        .map(|m| m.place.file.package())
        .collect();
    let previous = before
        .messages
        .iter()
        .map(|(name, m)| (name.as_str(), m.place.file.package(), m.place.file.name()))
        .filter(|(_, package, _)| remaining.contains(package));
    deleted_from_package(after, report, "message", previous, |name| {
        after.messages.contains_key(name)
    });
}

fn package_enum_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    let remaining: HashSet<&str> = after
        .enums
        .values()
        .map(|e| e.place.file.package())
        .collect();
    let previous = before
        .enums
        .iter()
        .map(|(name, e)| (name.as_str(), e.place.file.package(), e.place.file.name()))
        .filter(|(_, package, _)| remaining.contains(package));
    deleted_from_package(after, report, "enum", previous, |name| {
        after.enums.contains_key(name)
    });
}

fn package_service_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    let previous = before
        .services
        .iter()
        .map(|(name, s)| (name.as_str(), s.place.file.package(), s.place.file.name()));
    deleted_from_package(after, report, "service", previous, |name| {
        after.services.contains_key(name)
    });
}

fn package_extension_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    // Extensions are kept by full name: a renamed one is a deleted one.
    // Like messages and enums, only packages that still have some are
    // checked.
    let current: HashSet<&str> = after
        .extensions
        .values()
        .map(|e| e.full_name.as_str())
        .collect();
    let remaining: HashSet<&str> = after
        .extensions
        .values()
        .map(|e| e.place.file.package())
        .collect();
    let previous = before
        .extensions
        .values()
        .map(|e| {
            (
                e.full_name.as_str(),
                e.place.file.package(),
                e.place.file.name(),
            )
        })
        .filter(|(_, package, _)| remaining.contains(package));
    deleted_from_package(after, report, "extension", previous, |name| {
        current.contains(name)
    });
}
