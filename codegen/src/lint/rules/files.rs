//! Rules about a file as a whole: its name, its syntax, its package.

use super::{Categories, Check, Report, Rule};
use crate::lint::{
    elements::{FILE_SYNTAX, FileView, Module},
    naming,
};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "FILE_LOWER_SNAKE_CASE",
        purpose: "Checks that filenames are lower_snake_case.",
        categories: Categories {
            v1beta1: Some(&["DEFAULT", "STANDARD", "STYLE_DEFAULT", "STYLE_STANDARD"]),
            v1: Some(&["DEFAULT", "STANDARD"]),
            v2: Some(&["DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::File(file_lower_snake_case),
    },
    Rule {
        id: "SYNTAX_SPECIFIED",
        purpose: "Checks that all files have a syntax specified.",
        categories: Categories {
            v1beta1: None,
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::File(syntax_specified),
    },
    Rule {
        id: "PACKAGE_DEFINED",
        purpose: "Checks that all files have a package defined.",
        categories: Categories {
            v1beta1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD", "SENSIBLE"]),
            v1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::File(package_defined),
    },
];

fn file_lower_snake_case(file: &FileView<'_>, _: &Module<'_>, report: &mut Report<'_>) {
    let name = file.name();
    let base = name.rsplit('/').next().unwrap_or(name);
    let (stem, extension) = match base.rfind('.') {
        Some(dot) => base.split_at(dot),
        None => (base, ""),
    };
    let expected = naming::to_lower_snake_case(stem);
    if stem != expected {
        report.add_file(
            file,
            format!(
                "Filename {base:?} should be lower_snake_case{extension}, such as \"{expected}{extension}\"."
            ),
        );
    }
}

/// A file states its syntax or edition when its source has the statement:
/// descriptors leave `syntax` empty for proto2 either way.
fn syntax_specified(file: &FileView<'_>, _: &Module<'_>, report: &mut Report<'_>) {
    const FILE_EDITION: i32 = 14;
    let stated = !file.proto.syntax().is_empty() && file.proto.syntax() != "proto2"
        || file.location(&[FILE_SYNTAX]).is_some()
        || file.location(&[FILE_EDITION]).is_some();
    if !stated {
        report.add_file(
            file,
            "Files must have a syntax explicitly specified. If no syntax is specified, the file \
             defaults to \"proto2\"."
                .to_owned(),
        );
    }
}

fn package_defined(file: &FileView<'_>, _: &Module<'_>, report: &mut Report<'_>) {
    if file.proto.package().is_empty() {
        report.add_file(file, "Files must have a package defined.".to_owned());
    }
}
