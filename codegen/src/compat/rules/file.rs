//! Rules on files: deletion, package, syntax and the file options buf
//! compares.

use crate::compile::descriptor::{FileDescriptorProto, FileOptions};

use super::{
    Categories, Check, Report, Rule,
    helpers::{file_span, go_quote, syntax},
};
use crate::compat::{
    pairing::FilePair,
    schema::{
        Index,
        number::{FILE_OPTIONS, FILE_PACKAGE, FILE_SYNTAX},
    },
};

const FILE_PACKAGE_CATEGORIES: Categories = Categories {
    v1beta1: Some(&["FILE"]),
    v1: Some(&["FILE", "PACKAGE", "WIRE_JSON", "WIRE"]),
    v2: Some(&["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"]),
};

/// A rule comparing one file option.
macro_rules! file_option_rule {
    ($id:literal, $option:literal) => {
        Rule {
            id: $id,
            purpose: concat!(
                "Checks that files have the same value for the ",
                $option,
                " option."
            ),
            categories: Categories::all(&["FILE", "PACKAGE"], &["FILE", "PACKAGE"]),
            check: Check::File(|pair, report| file_option(pair, report, $option)),
        }
    };
}

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "FILE_NO_DELETE",
        purpose: "Checks that files are not deleted.",
        categories: Categories::all(&["FILE"], &["CSR", "FILE"]),
        check: Check::Schema(file_no_delete),
    },
    Rule {
        id: "FILE_SAME_PACKAGE",
        purpose: "Checks that files have the same package.",
        categories: FILE_PACKAGE_CATEGORIES,
        check: Check::File(file_same_package),
    },
    Rule {
        id: "FILE_SAME_SYNTAX",
        purpose: "Checks that files have the same syntax.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["CSR", "FILE", "PACKAGE"]),
        check: Check::File(file_same_syntax),
    },
    file_option_rule!("FILE_SAME_CC_ENABLE_ARENAS", "cc_enable_arenas"),
    file_option_rule!("FILE_SAME_CC_GENERIC_SERVICES", "cc_generic_services"),
    file_option_rule!("FILE_SAME_CSHARP_NAMESPACE", "csharp_namespace"),
    file_option_rule!("FILE_SAME_GO_PACKAGE", "go_package"),
    file_option_rule!("FILE_SAME_JAVA_GENERIC_SERVICES", "java_generic_services"),
    file_option_rule!("FILE_SAME_JAVA_MULTIPLE_FILES", "java_multiple_files"),
    file_option_rule!("FILE_SAME_JAVA_OUTER_CLASSNAME", "java_outer_classname"),
    file_option_rule!("FILE_SAME_JAVA_PACKAGE", "java_package"),
    file_option_rule!("FILE_SAME_OBJC_CLASS_PREFIX", "objc_class_prefix"),
    file_option_rule!("FILE_SAME_OPTIMIZE_FOR", "optimize_for"),
    file_option_rule!("FILE_SAME_PHP_CLASS_PREFIX", "php_class_prefix"),
    file_option_rule!("FILE_SAME_PHP_METADATA_NAMESPACE", "php_metadata_namespace"),
    file_option_rule!("FILE_SAME_PHP_NAMESPACE", "php_namespace"),
    file_option_rule!("FILE_SAME_PY_GENERIC_SERVICES", "py_generic_services"),
    file_option_rule!("FILE_SAME_RUBY_PACKAGE", "ruby_package"),
    file_option_rule!("FILE_SAME_SWIFT_PREFIX", "swift_prefix"),
];

fn file_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    for name in before
        .files
        .keys()
        .filter(|name| !after.files.contains_key(*name))
    {
        report.add_gone(
            Some((*name).to_owned()),
            format!("Previously present file \"{name}\" was deleted."),
        );
    }
}

fn file_same_package(pair: &FilePair<'_>, report: &mut Report<'_>) {
    if pair.previous.package() != pair.current.package() {
        report.add(
            pair.current.name(),
            file_span(pair.current, &[FILE_PACKAGE]),
            format!(
                "File package changed from \"{}\" to \"{}\".",
                pair.previous.package(),
                pair.current.package()
            ),
        );
    }
}

fn file_same_syntax(pair: &FilePair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (syntax(pair.previous), syntax(pair.current));
    if previous != current {
        report.add(
            pair.current.name(),
            file_span(pair.current, &[FILE_SYNTAX]),
            format!("File syntax changed from \"{previous}\" to \"{current}\"."),
        );
    }
}

/// A file option's field number in `FileOptions`, and its value (the
/// default when unset) as buf prints it.
fn option_value(options: &FileOptions, option: &str) -> (i32, String) {
    match option {
        "java_package" => (1, options.java_package().to_owned()),
        "java_outer_classname" => (8, options.java_outer_classname().to_owned()),
        "optimize_for" => (9, options.optimize_for().as_str_name().to_owned()),
        "java_multiple_files" => (10, options.java_multiple_files().to_string()),
        "go_package" => (11, options.go_package().to_owned()),
        "cc_generic_services" => (16, options.cc_generic_services().to_string()),
        "java_generic_services" => (17, options.java_generic_services().to_string()),
        "py_generic_services" => (18, options.py_generic_services().to_string()),
        "cc_enable_arenas" => (31, options.cc_enable_arenas().to_string()),
        "objc_class_prefix" => (36, options.objc_class_prefix().to_owned()),
        "csharp_namespace" => (37, options.csharp_namespace().to_owned()),
        "swift_prefix" => (39, options.swift_prefix().to_owned()),
        "php_class_prefix" => (40, options.php_class_prefix().to_owned()),
        "php_namespace" => (41, options.php_namespace().to_owned()),
        "php_metadata_namespace" => (44, options.php_metadata_namespace().to_owned()),
        "ruby_package" => (45, options.ruby_package().to_owned()),
        other => unreachable!("no file option rule for {other}"),
    }
}

fn file_option(pair: &FilePair<'_>, report: &mut Report<'_>, option: &str) {
    let get = |file: &FileDescriptorProto| {
        option_value(&file.options.clone().unwrap_or_default(), option)
    };
    let ((number, previous), (_, current)) = (get(pair.previous), get(pair.current));
    if previous != current {
        report.add(
            pair.current.name(),
            file_span(pair.current, &[FILE_OPTIONS, number]),
            format!(
                "File option \"{option}\" changed from {} to {}.",
                go_quote(&previous),
                go_quote(&current)
            ),
        );
    }
}
