//! What a check must compile: the files that changed, and what the rules
//! need to see around them.
//!
//! A file whose bytes are the same on both sides, and whose whole import
//! closure is too, compiles to the same descriptor on both sides: every
//! element in it pairs with itself (full names are unique on each side) and
//! no rule that looks at such a pair can find a difference. Such a file
//! needs no compiling; it stays in the schema as a *stub*, a descriptor
//! with only its name, package and imports, the same on both sides, so that
//! everything that walks imports (`--path`, `--exclude-imports`, the
//! modules of a workspace) keeps exactly the files the full comparison
//! keeps.
//!
//! A file whose bytes are the same but that imports a changed file can
//! still compile differently: a name it uses may now be an enum, an option
//! it sets may have another number. It can only if what it sees of its
//! imports changed, their *surface* ([`super::surface`]: names and kinds,
//! enums, extensions, imports, and the fields of messages option values
//! reach). A changed file whose surface is the same, say a field deleted
//! from a message no option reaches or an rpc renamed, leaves its importers
//! as they were.
//!
//! What is compiled, on each side: every *changed* file (bytes differ, on
//! one side only, or importing, directly or not, on either side, one of
//! those whose surface differs); when a file whose bytes differ declares
//! other names (a type, enum value, service or extension added, deleted or
//! moved; the file added, deleted or moved to another package), every file
//! of a package related to its package (equal, or one a dotted prefix of
//! the other), because package rules (`PACKAGE_*_NO_DELETE`) count what a
//! package still has and because a name can only clash with a name of a
//! related package (so that a clash a full compilation would refuse is
//! still refused); when a
//! changed file's `extend` blocks differ, every file extending a message of
//! the same name (extension numbers can clash); and their import closures.
//! Unchanged files compiled on one side are compiled on the other too, so
//! a package's compiled part is the same on both sides. Types that move
//! between files change both files, so both are compiled; a moved type's
//! findings and the places they point at are in compiled files.
//!
//! Whenever the plan cannot be sure it would see what a full comparison
//! sees, it gives up and the caller compiles everything: a file that does
//! not parse (so the full compilation reports the error), an import that
//! is neither a source nor a well-known type, names declared or deleted in
//! a package related to `google.protobuf` (the built-in files, which are
//! not sources here).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::compile::descriptor::FileDescriptorProto;

use super::surface::{OptionTypes, Surface};
use crate::syntax::{self, FileItem};

/// What one side compiles, and the stubs that stand for the rest.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    /// The names of the files to compile (closed under imports).
    pub compile: BTreeSet<String>,
    /// A stub for every other file of the side.
    pub stubs: Vec<FileDescriptorProto>,
}

/// The selections of both sides.
#[derive(Debug)]
pub(crate) struct Plan {
    pub current: Selection,
    pub previous: Selection,
}

/// What the plan reads of a file: its package and its imports.
#[derive(Clone, Debug)]
struct Scan {
    package: String,
    /// Every import, `import option` ones included (they change options).
    imports: Vec<String>,
    /// The imports a descriptor lists as `dependency` (not `import option`).
    dependency: Vec<String>,
    /// What its importers can see of it.
    surface: Surface,
}

fn scan(text: &str) -> Option<Scan> {
    let file = syntax::parse(text).ok()?;
    let mut scan = Scan {
        package: String::new(),
        imports: Vec::new(),
        dependency: Vec::new(),
        surface: Surface::of(&file),
    };
    for item in &file.items {
        match item {
            FileItem::Package(package) => scan.package = file.path_text(package.name).into_owned(),
            FileItem::Import(import) => {
                let name = String::from_utf8(file.string_value(import.path).ok()?).ok()?;
                let option = import
                    .modifier
                    .is_some_and(|modifier| file.text(modifier) == "option");
                if !option {
                    scan.dependency.push(name.clone());
                }
                scan.imports.push(name);
            }
            _ => {}
        }
    }
    Some(scan)
}

/// Whether one package is the other or a dotted prefix of it (names in
/// them can clash; `""` is a prefix of every package).
fn related(a: &str, b: &str) -> bool {
    let prefix = |short: &str, long: &str| {
        short.is_empty()
            || long == short
            || (long.starts_with(short) && long.as_bytes()[short.len()] == b'.')
    };
    prefix(a, b) || prefix(b, a)
}

/// The plan for sources `current` and `previous` (import name to text, every
/// file each side can import), or `None` when everything must be compiled.
pub(crate) fn plan<'s>(
    current: &'s BTreeMap<String, String>,
    previous: &'s BTreeMap<String, String>,
) -> Option<Plan> {
    // Each distinct text parsed once: most files are the same on both sides.
    let names: BTreeSet<&String> = current.keys().chain(previous.keys()).collect();
    let dirty: HashSet<&str> = names
        .iter()
        .filter(|name| current.get(**name) != previous.get(**name))
        .map(|name| name.as_str())
        .collect();
    let scan_side = |side: &'s BTreeMap<String, String>, shared: Option<&HashMap<&str, Scan>>| {
        let scans = crate::compile::parallel::map_with(
            side.iter().collect(),
            || (),
            |(), (name, text): (&'s String, &'s String)| {
                let reused = shared.and_then(|shared| shared.get(name.as_str()).cloned());
                Some((name.as_str(), reused.or_else(|| scan(text))?))
            },
        )?;
        Some(scans.into_iter().collect::<HashMap<&str, Scan>>())
    };
    let current_scans = scan_side(current, None)?;
    let previous_scans = scan_side(
        previous,
        Some(
            &current_scans
                .iter()
                .filter(|(name, _)| !dirty.contains(*name))
                .map(|(name, scan)| (*name, scan.clone()))
                .collect(),
        ),
    )?;
    let sides = [(current, &current_scans), (previous, &previous_scans)];
    // Every import resolves to a source or to a built-in file.
    for (sources, scans) in sides {
        for scan in scans.values() {
            if scan.imports.iter().any(|import| {
                !sources.contains_key(import) && !import.starts_with("google/protobuf/")
            }) {
                return None;
            }
        }
    }
    // Changed: dirty, or importing a file whose surface changed, directly
    // or not, on either side.
    let mut importers: HashMap<&str, Vec<&str>> = HashMap::new();
    for (_, scans) in sides {
        for (name, scan) in scans {
            for import in &scan.imports {
                importers.entry(import.as_str()).or_default().push(name);
            }
        }
    }
    let option_types = OptionTypes::of(
        current_scans
            .values()
            .chain(previous_scans.values())
            .map(|scan| &scan.surface),
    );
    let seen = |scans: &HashMap<&str, Scan>, name: &str| {
        scans.get(name).map(|scan| scan.surface.seen(&option_types))
    };
    let mut changed: HashSet<&str> = dirty.clone();
    let mut todo: Vec<&str> = dirty
        .iter()
        .copied()
        .filter(|name| seen(&current_scans, name) != seen(&previous_scans, name))
        .flat_map(|name| importers.get(name).into_iter().flatten().copied())
        .collect();
    while let Some(name) = todo.pop() {
        if changed.insert(name) {
            todo.extend(importers.get(name).into_iter().flatten().copied());
        }
    }
    // A changed `extend` block can clash with an extension of another file
    // extending the same message (by number): those files are compiled too.
    let extensions = |scans: &HashMap<&str, Scan>, name: &str| {
        scans.get(name).map(|scan| scan.surface.extensions)
    };
    let extendees: HashSet<&str> = dirty
        .iter()
        .filter(|name| extensions(&current_scans, name) != extensions(&previous_scans, name))
        .flat_map(|name| {
            [current_scans.get(name), previous_scans.get(name)]
                .into_iter()
                .flatten()
                .flat_map(|scan| scan.surface.extendees.iter().map(String::as_str))
        })
        .collect();
    let mut clashing: HashSet<&str> = HashSet::new();
    if !extendees.is_empty() {
        for (_, scans) in sides {
            for (name, scan) in scans {
                if scan
                    .surface
                    .extendees
                    .iter()
                    .any(|extendee| extendees.contains(extendee.as_str()))
                {
                    clashing.insert(name);
                }
            }
        }
    }
    // The packages of the changed files whose declarations differ (a type
    // deleted, added or moved, the file added, deleted or moved to another
    // package), and every file of a related package: package rules count
    // what a package still has, and new names can clash only there.
    let declarations = |scans: &HashMap<&str, Scan>, name: &str| {
        scans.get(name).map(|scan| scan.surface.declarations)
    };
    let packages: BTreeSet<&str> = dirty
        .iter()
        .filter(|name| declarations(&current_scans, name) != declarations(&previous_scans, name))
        .flat_map(|name| {
            sides
                .iter()
                .filter_map(|(_, scans)| scans.get(name).map(|scan| scan.package.as_str()))
        })
        .collect();
    if packages.iter().any(|p| related(p, "google.protobuf")) {
        return None;
    }
    let mut seeds: HashSet<&str> = changed.union(&clashing).copied().collect();
    for (_, scans) in sides {
        for (name, scan) in scans {
            if packages.iter().any(|p| related(p, &scan.package)) {
                seeds.insert(name);
            }
        }
    }
    // Their closures on each side; an unchanged file on one side is on the
    // other too (its closure is unchanged, so the union stays closed).
    let closure = |scans: &HashMap<&str, Scan>, from: &HashSet<&str>| {
        let mut seen: HashSet<String> = HashSet::new();
        let mut todo: Vec<&str> = from
            .iter()
            .copied()
            .filter(|n| scans.contains_key(n))
            .collect();
        while let Some(name) = todo.pop() {
            if let Some(scan) = scans.get(name)
                && seen.insert(name.to_owned())
            {
                todo.extend(scan.imports.iter().map(String::as_str));
            }
        }
        seen
    };
    let mut wanted: HashSet<&str> = seeds;
    let closures: Vec<HashSet<String>> = sides
        .iter()
        .map(|(_, scans)| closure(scans, &wanted))
        .collect();
    for names in &closures {
        for name in names {
            if let Some((name, _)) = current.get_key_value(name.as_str()) {
                wanted.insert(name);
            }
            if let Some((name, _)) = previous.get_key_value(name.as_str()) {
                wanted.insert(name);
            }
        }
    }
    let select = |sources: &BTreeMap<String, String>, scans: &HashMap<&str, Scan>| {
        let compile: BTreeSet<String> = closure(scans, &wanted).into_iter().collect();
        let stubs = sources
            .keys()
            .filter(|name| !compile.contains(name.as_str()))
            .map(|name| stub(name, &scans[name.as_str()]))
            .collect();
        Selection { compile, stubs }
    };
    Some(Plan {
        current: select(current, &current_scans),
        previous: select(previous, &previous_scans),
    })
}

/// The descriptor that stands for an unchanged file: what import walks and
/// package lookups read, and nothing a rule could compare.
fn stub(name: &str, scan: &Scan) -> FileDescriptorProto {
    FileDescriptorProto {
        name: Some(name.to_owned()),
        package: Some(scan.package.clone()).filter(|p| !p.is_empty()),
        dependency: scan.dependency.clone(),
        ..FileDescriptorProto::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect()
    }

    #[test]
    fn packages_relate_by_dotted_prefix() {
        assert!(related("a.b", "a.b"));
        assert!(related("a", "a.b"));
        assert!(related("a.b.c", "a"));
        assert!(related("", "x"));
        assert!(!related("a.b", "a.bc"));
        assert!(!related("a.b", "a.c"));
    }

    #[test]
    fn an_edit_deep_in_a_closure_compiles_every_importer() {
        let base = [
            (
                "top.proto",
                "syntax = \"proto3\"; package t; import \"mid.proto\";",
            ),
            (
                "mid.proto",
                "syntax = \"proto3\"; package m; import \"leaf.proto\";",
            ),
            ("leaf.proto", "syntax = \"proto3\"; package l; message L {}"),
            (
                "other.proto",
                "syntax = \"proto3\"; package o; message O {}",
            ),
        ];
        let previous = sources(&base);
        // L becomes an enum: what importers see of leaf.proto changed.
        let mut current = previous.clone();
        current.insert(
            "leaf.proto".into(),
            "syntax = \"proto3\"; package l; enum L { L_ZERO = 0; }".into(),
        );
        let plan = plan(&current, &previous).expect("a plan");
        for side in [&plan.current, &plan.previous] {
            let compiled: Vec<&str> = side.compile.iter().map(String::as_str).collect();
            assert_eq!(compiled, ["leaf.proto", "mid.proto", "top.proto"]);
            let stubs: Vec<&str> = side.stubs.iter().map(|s| s.name()).collect();
            assert_eq!(stubs, ["other.proto"]);
        }
        // A field added to L: importers see nothing new.
        current.insert(
            "leaf.proto".into(),
            "syntax = \"proto3\"; package l; message L { int32 x = 1; }".into(),
        );
        let field = super::plan(&current, &previous).expect("a plan");
        for side in [&field.current, &field.previous] {
            let compiled: Vec<&str> = side.compile.iter().map(String::as_str).collect();
            assert_eq!(compiled, ["leaf.proto"]);
        }
    }

    #[test]
    fn a_changed_extension_compiles_the_files_extending_the_same_message() {
        let extend = |number: u32| {
            format!(
                "syntax = \"proto3\"; package {number}; import \"google/protobuf/descriptor.proto\"; \
                 extend google.protobuf.FieldOptions {{ string tag = {number}; }}"
            )
        };
        let previous = sources(&[
            (
                "a.proto",
                &extend(50001).replace("package 50001", "package a"),
            ),
            (
                "b.proto",
                &extend(50002).replace("package 50002", "package b"),
            ),
            ("c.proto", "syntax = \"proto3\"; package c; message C {}"),
        ]);
        let mut current = previous.clone();
        current.insert(
            "a.proto".into(),
            extend(50002).replace("package 50002", "package a"),
        );
        let plan = plan(&current, &previous).expect("a plan");
        let compiled: Vec<&str> = plan.current.compile.iter().map(String::as_str).collect();
        assert_eq!(compiled, ["a.proto", "b.proto"]);
    }

    #[test]
    fn related_packages_and_closures_are_compiled_on_both_sides() {
        let previous = sources(&[
            (
                "a/one.proto",
                "syntax = \"proto3\"; package a; import \"c.proto\"; message One {}",
            ),
            (
                "a/two.proto",
                "syntax = \"proto3\"; package a; message Two {}",
            ),
            (
                "a/b/x.proto",
                "syntax = \"proto3\"; package a.b; message X {}",
            ),
            ("c.proto", "syntax = \"proto3\"; package c; message C {}"),
            ("d.proto", "syntax = \"proto3\"; package d; message D {}"),
        ]);
        let mut current = previous.clone();
        // one.proto no longer imports c.proto: c.proto is still compiled on
        // both sides, so package c looks the same on both. Its package's
        // other files are not needed: it declares the same names.
        current.insert(
            "a/one.proto".into(),
            "syntax = \"proto3\"; package a; message One {}".into(),
        );
        let same_names = plan(&current, &previous).expect("a plan");
        let compiled: Vec<&str> = same_names
            .current
            .compile
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(compiled, ["a/one.proto", "c.proto"]);
        // It declares another message: its package's files, and related
        // ones, are compiled.
        current.insert(
            "a/one.proto".into(),
            "syntax = \"proto3\"; package a; message One {} message Added {}".into(),
        );
        let plan = plan(&current, &previous).expect("a plan");
        for side in [&plan.current, &plan.previous] {
            let compiled: Vec<&str> = side.compile.iter().map(String::as_str).collect();
            assert_eq!(
                compiled,
                ["a/b/x.proto", "a/one.proto", "a/two.proto", "c.proto"]
            );
            assert_eq!(side.stubs.len(), 1);
            assert_eq!(side.stubs[0].package(), "d");
        }
    }

    #[test]
    fn nothing_changed_compiles_nothing() {
        let previous = sources(&[(
            "a.proto",
            "syntax = \"proto3\"; package a; import \"google/protobuf/any.proto\";",
        )]);
        let plan = plan(&previous, &previous).expect("a plan");
        assert!(plan.current.compile.is_empty());
        assert_eq!(
            plan.current.stubs[0].dependency,
            ["google/protobuf/any.proto"]
        );
    }

    #[test]
    fn the_plan_gives_up_where_it_cannot_be_sure() {
        let ok = sources(&[("a.proto", "syntax = \"proto3\"; package a;")]);
        let broken = sources(&[
            ("a.proto", "syntax = \"proto3\"; package a"),
            ("b.proto", ""),
        ]);
        assert!(plan(&broken, &ok).is_none(), "a file that does not parse");
        let missing = sources(&[("a.proto", "syntax = \"proto3\"; import \"nowhere.proto\";")]);
        assert!(plan(&missing, &ok).is_none(), "an import of nothing");
        let no_package = sources(&[("a.proto", "syntax = \"proto3\"; message M {}")]);
        assert!(
            plan(&no_package, &ok).is_none(),
            "a change in a package related to google.protobuf"
        );
    }
}
