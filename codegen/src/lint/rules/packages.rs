//! Rules about packages: their names, and what the files of one package
//! (or one directory) must share.

use std::collections::{BTreeMap, BTreeSet};

use crate::compile::descriptor::FileOptions;

use super::{Categories, Check, Report, Rule};
use crate::lint::{
    elements::{FILE_DEPENDENCY, FILE_OPTIONS, FILE_PACKAGE, FileView, Module},
    naming,
};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "DIRECTORY_SAME_PACKAGE",
        purpose: "Checks that all files in a given directory are in the same package.",
        categories: Categories {
            v1beta1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD", "FILE_LAYOUT"]),
            v1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(directory_same_package),
    },
    Rule {
        id: "PACKAGE_DIRECTORY_MATCH",
        purpose: "Checks that all files are in a directory that matches their package name.",
        categories: Categories {
            v1beta1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD", "FILE_LAYOUT"]),
            v1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::File(package_directory_match),
    },
    Rule {
        id: "PACKAGE_SAME_DIRECTORY",
        purpose: "Checks that all files with a given package are in the same directory.",
        categories: Categories {
            v1beta1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD", "FILE_LAYOUT"]),
            v1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(package_same_directory),
    },
    Rule {
        id: "PACKAGE_LOWER_SNAKE_CASE",
        purpose: "Checks that packages are lower_snake.case.",
        categories: Categories {
            v1beta1: Some(&[
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "STYLE_BASIC",
                "STYLE_DEFAULT",
                "STYLE_STANDARD",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::File(package_lower_snake_case),
    },
    Rule {
        id: "PACKAGE_VERSION_SUFFIX",
        purpose: "Checks that the last component of all packages is a version of the form v\\d+, v\\d+test.*, v\\d+(alpha|beta)\\d+, or v\\d+p\\d+(alpha|beta)\\d+, where numbers are >=1.",
        categories: Categories {
            v1beta1: Some(&["DEFAULT", "STANDARD", "STYLE_DEFAULT", "STYLE_STANDARD"]),
            v1: Some(&["DEFAULT", "STANDARD"]),
            v2: Some(&["DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::File(package_version_suffix),
    },
    Rule {
        id: "PACKAGE_NO_IMPORT_CYCLE",
        purpose: "Checks that packages do not have import cycles.",
        categories: Categories {
            v1beta1: None,
            v1: Some(&[]),
            v2: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(package_no_import_cycle),
    },
    Rule {
        id: "PACKAGE_SAME_CSHARP_NAMESPACE",
        purpose: "Checks that all files with a given package have the same value for the csharp_namespace option.",
        categories: Categories {
            v1beta1: Some(&[
                "MINIMAL",
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "PACKAGE_AFFINITY",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(package_same_csharp_namespace),
    },
    Rule {
        id: "PACKAGE_SAME_GO_PACKAGE",
        purpose: "Checks that all files with a given package have the same value for the go_package option.",
        categories: Categories {
            v1beta1: Some(&[
                "MINIMAL",
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "PACKAGE_AFFINITY",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(package_same_go_package),
    },
    Rule {
        id: "PACKAGE_SAME_JAVA_MULTIPLE_FILES",
        purpose: "Checks that all files with a given package have the same value for the java_multiple_files option.",
        categories: Categories {
            v1beta1: Some(&[
                "MINIMAL",
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "PACKAGE_AFFINITY",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(package_same_java_multiple_files),
    },
    Rule {
        id: "PACKAGE_SAME_JAVA_PACKAGE",
        purpose: "Checks that all files with a given package have the same value for the java_package option.",
        categories: Categories {
            v1beta1: Some(&[
                "MINIMAL",
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "PACKAGE_AFFINITY",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(package_same_java_package),
    },
    Rule {
        id: "PACKAGE_SAME_PHP_NAMESPACE",
        purpose: "Checks that all files with a given package have the same value for the php_namespace option.",
        categories: Categories {
            v1beta1: Some(&[
                "MINIMAL",
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "PACKAGE_AFFINITY",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(package_same_php_namespace),
    },
    Rule {
        id: "PACKAGE_SAME_RUBY_PACKAGE",
        purpose: "Checks that all files with a given package have the same value for the ruby_package option.",
        categories: Categories {
            v1beta1: Some(&[
                "MINIMAL",
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "PACKAGE_AFFINITY",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(package_same_ruby_package),
    },
    Rule {
        id: "PACKAGE_SAME_SWIFT_PREFIX",
        purpose: "Checks that all files with a given package have the same value for the swift_prefix option.",
        categories: Categories {
            v1beta1: Some(&[
                "MINIMAL",
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "PACKAGE_AFFINITY",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(package_same_swift_prefix),
    },
];

/// The directory of a file path, `.` at the root.
pub(super) fn directory(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(dir, _)| dir)
}

/// A finding at the package statement (the file when it has none).
fn at_package(file: &FileView<'_>, message: String, report: &mut Report<'_>) {
    report.add(file, &[FILE_PACKAGE], &[FILE_PACKAGE], message);
}

fn directory_same_package(module: &Module<'_>, report: &mut Report<'_>) {
    let mut by_directory: BTreeMap<&str, Vec<&FileView<'_>>> = BTreeMap::new();
    for file in &module.files {
        by_directory
            .entry(directory(file.name()))
            .or_default()
            .push(file);
    }
    for (directory, files) in by_directory {
        let mut packages: BTreeSet<&str> = files.iter().map(|f| f.proto.package()).collect();
        if packages.len() < 2 {
            continue;
        }
        let no_package = packages.remove("");
        let list = packages.iter().copied().collect::<Vec<_>>().join(",");
        let prefix = match (no_package, packages.len()) {
            (true, 1) => format!("Package {list:?} and file with no package"),
            (true, _) => format!("Multiple packages {list:?} and file with no package"),
            (false, _) => format!("Multiple packages {list:?}"),
        };
        for file in files {
            at_package(
                file,
                format!("{prefix} detected within directory {directory:?}."),
                report,
            );
        }
    }
}

fn package_directory_match(file: &FileView<'_>, _: &Module<'_>, report: &mut Report<'_>) {
    let package = file.proto.package();
    if package.is_empty() {
        return;
    }
    let expected = package.replace('.', "/");
    let actual = directory(file.name());
    if actual != expected {
        at_package(
            file,
            format!(
                "Files with package {package:?} must be within a directory {expected:?} relative \
                 to root but were in directory {actual:?}."
            ),
            report,
        );
    }
}

fn package_same_directory(module: &Module<'_>, report: &mut Report<'_>) {
    let mut by_package: BTreeMap<&str, Vec<&FileView<'_>>> = BTreeMap::new();
    // Files with no package count as one package, as in buf.
    for file in &module.files {
        by_package
            .entry(file.proto.package())
            .or_default()
            .push(file);
    }
    for (package, files) in by_package {
        let directories: BTreeSet<&str> = files.iter().map(|f| directory(f.name())).collect();
        if directories.len() > 1 {
            let list = directories.into_iter().collect::<Vec<_>>().join(",");
            for file in files {
                at_package(
                    file,
                    format!(
                        "Multiple directories {list:?} contain files with package {package:?}."
                    ),
                    report,
                );
            }
        }
    }
}

fn package_lower_snake_case(file: &FileView<'_>, _: &Module<'_>, report: &mut Report<'_>) {
    let package = file.proto.package();
    if package.is_empty() {
        return;
    }
    let expected = package
        .split('.')
        .map(naming::to_lower_snake_case)
        .collect::<Vec<_>>()
        .join(".");
    if package != expected {
        at_package(
            file,
            format!("Package name {package:?} should be lower_snake.case, such as {expected:?}."),
            report,
        );
    }
}

fn package_version_suffix(file: &FileView<'_>, _: &Module<'_>, report: &mut Report<'_>) {
    let package = file.proto.package();
    if package.is_empty() || naming::package_version(package).is_some() {
        return;
    }
    at_package(
        file,
        format!(
            "Package name {package:?} should be suffixed with a correctly formed version, such \
             as \"{package}.v1\"."
        ),
        report,
    );
}

/// A finding at each import of another package from which the importing
/// package can be reached again.
fn package_no_import_cycle(module: &Module<'_>, report: &mut Report<'_>) {
    let package_of = |name: &str| module.by_name.get(name).map(|f| f.package());
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for file in &module.files {
        let package = file.proto.package();
        if package.is_empty() {
            continue;
        }
        for import in &file.proto.dependency {
            if let Some(imported) = package_of(import)
                && !imported.is_empty()
                && imported != package
            {
                edges.entry(package).or_default().insert(imported);
            }
        }
    }
    for file in &module.files {
        let package = file.proto.package();
        if package.is_empty() {
            continue;
        }
        for (i, import) in file.proto.dependency.iter().enumerate() {
            let Some(imported) = package_of(import) else {
                continue;
            };
            if imported.is_empty() || imported == package {
                continue;
            }
            let mut seen = BTreeSet::new();
            if let Some(path) = find_path(&edges, imported, package, &mut seen) {
                let mut cycle = vec![package];
                cycle.extend(path);
                let at = [FILE_DEPENDENCY, i as i32];
                report.add(
                    file,
                    &at,
                    &at,
                    format!("Package import cycle: {}", cycle.join(" -> ")),
                );
            }
        }
    }
}

/// A path of packages from `from` to `to` (both included), depth first in
/// name order.
fn find_path<'a>(
    edges: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    from: &'a str,
    to: &'a str,
    seen: &mut BTreeSet<&'a str>,
) -> Option<Vec<&'a str>> {
    if from == to {
        return Some(vec![to]);
    }
    if !seen.insert(from) {
        return None;
    }
    for next in edges.get(from).into_iter().flatten() {
        if let Some(mut path) = find_path(edges, next, to, seen) {
            path.insert(0, from);
            return Some(path);
        }
    }
    None
}

/// The files of each package must agree on a file option: a finding at
/// each file's option (or the file, when it has none) when they do not.
fn same_option(
    module: &Module<'_>,
    report: &mut Report<'_>,
    name: &str,
    number: i32,
    value: fn(&FileOptions) -> Option<String>,
) {
    let mut by_package: BTreeMap<&str, Vec<&FileView<'_>>> = BTreeMap::new();
    for file in &module.files {
        by_package
            .entry(file.proto.package())
            .or_default()
            .push(file);
    }
    for (package, files) in by_package {
        let values: BTreeSet<String> = files
            .iter()
            .map(|file| {
                file.proto
                    .options
                    .as_ref()
                    .and_then(value)
                    .unwrap_or_default()
            })
            .collect();
        if values.len() < 2 {
            continue;
        }
        let no_value = values.contains("");
        let list = values
            .iter()
            .filter(|v| !v.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(",");
        let prefix = if no_value {
            format!(
                "Files in package {package:?} have both values {list:?} and no value for option {name:?}"
            )
        } else {
            format!(
                "Files in package {package:?} have multiple values {list:?} for option {name:?}"
            )
        };
        for file in files {
            let at = [FILE_OPTIONS, number];
            report.add(
                file,
                &at,
                &at,
                format!("{prefix} and all values must be equal."),
            );
        }
    }
}

fn string_option(value: &Option<String>) -> Option<String> {
    value.clone()
}

fn package_same_csharp_namespace(module: &Module<'_>, report: &mut Report<'_>) {
    same_option(module, report, "csharp_namespace", 37, |o| {
        string_option(&o.csharp_namespace)
    });
}

fn package_same_go_package(module: &Module<'_>, report: &mut Report<'_>) {
    same_option(module, report, "go_package", 11, |o| {
        string_option(&o.go_package)
    });
}

fn package_same_java_multiple_files(module: &Module<'_>, report: &mut Report<'_>) {
    same_option(module, report, "java_multiple_files", 10, |o| {
        o.java_multiple_files.map(|v| v.to_string())
    });
}

fn package_same_java_package(module: &Module<'_>, report: &mut Report<'_>) {
    same_option(module, report, "java_package", 1, |o| {
        string_option(&o.java_package)
    });
}

fn package_same_php_namespace(module: &Module<'_>, report: &mut Report<'_>) {
    same_option(module, report, "php_namespace", 41, |o| {
        string_option(&o.php_namespace)
    });
}

fn package_same_ruby_package(module: &Module<'_>, report: &mut Report<'_>) {
    same_option(module, report, "ruby_package", 45, |o| {
        string_option(&o.ruby_package)
    });
}

fn package_same_swift_prefix(module: &Module<'_>, report: &mut Report<'_>) {
    same_option(module, report, "swift_prefix", 39, |o| {
        string_option(&o.swift_prefix)
    });
}
