//! The fast path of `breaking` (compile only what changed and what the
//! rules need around it, see `compat/changed.rs`) against the full
//! comparison, which compiles and compares both sides whole: the findings
//! must be the same, byte for byte.
//!
//! - Random edit sets over generated multi-file, multi-package projects
//!   (`common/schema_model.rs`, every kind of edit, moving types between
//!   files and packages included), several projects per module with only
//!   some of them edited, each pair checked with every category and under
//!   `--exclude-imports`, `--limit-to-input-files`, `--path`,
//!   `--exclude-path`, `ignore` and `ignore_only`, as directories and as a
//!   git reference.
//! - The article's demo (`examples/compat`).
//! - An edit anywhere in an import closure is still seen: a file whose
//!   bytes did not change, but whose imported type did, is compared.
//!
//! `PROTOFORGE_FAST_CASES=N` checks N batches (CI: a fixed few).

#[path = "common/schema_model.rs"]
mod schema_model;

use std::{collections::BTreeMap, path::Path, process::Command};

use protoforge_codegen::compat::{self, input::Input, output};
use schema_model::{Edit, Project, Rng};

const PROJECTS: u32 = 6;

fn write(dir: &Path, sources: &BTreeMap<String, String>, config: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("buf.yaml"), config).expect("buf.yaml");
    for (path, text) in sources {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

/// The findings of both ways, as JSON.
fn both_ways(current: &Input, against: &Input, options: &compat::Options) -> (String, String) {
    let run = |compare_all| {
        let options = compat::Options {
            compare_all,
            ..options.clone()
        };
        match compat::run(current, against, &options) {
            Ok(findings) => output::render(&findings, output::Format::Json),
            Err(err) => format!("error: {err}"),
        }
    };
    (run(true), run(false))
}

/// A batch of projects; some of them edited.
fn draw(batch: u32, rng: &mut Rng) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut previous = BTreeMap::new();
    let mut current = BTreeMap::new();
    for index in 0..PROJECTS {
        let case = batch * PROJECTS + index;
        let project = loop {
            let project = Project::draw(case, rng);
            if project.valid().is_ok() {
                break project;
            }
        };
        let mut edited = project.clone();
        if rng.chance(50) {
            let wanted = 1 + rng.below(4);
            let mut done = 0;
            for _ in 0..50 {
                if done == wanted {
                    break;
                }
                let edit = rng.pick(&Edit::ALL);
                if edited.edit(rng, edit) {
                    done += 1;
                }
            }
        }
        previous.extend(project.sources());
        current.extend(edited.sources());
    }
    (previous, current)
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@localhost"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

fn check_batch(batch: u32, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ u64::from(batch).wrapping_mul(0x9e37_79b9));
    let (previous, current) = draw(batch, &mut rng);
    let dir = tempfile::tempdir().expect("tempdir");
    // A file and a directory of one project, for paths and ignores.
    let some_file = previous
        .keys()
        .nth(rng.below(previous.len()))
        .expect("a file")
        .clone();
    let some_dir = some_file.split('/').next().expect("a directory").to_owned();
    let configs = [
        "version: v2\nbreaking:\n  use: [FILE, PACKAGE, WIRE_JSON, WIRE]\n".to_owned(),
        "version: v1\nbreaking:\n  use: [PACKAGE]\n".to_owned(),
        format!(
            "version: v2\nbreaking:\n  use: [FILE, PACKAGE]\n  ignore: [{some_dir}]\n  ignore_only:\n    FIELD_NO_DELETE: [{some_file}]\n    PACKAGE_MESSAGE_NO_DELETE: [{some_file}]\n"
        ),
    ];
    let mut failures = Vec::new();
    for (index, config) in configs.iter().enumerate() {
        let root = dir.path().join(index.to_string());
        write(&root.join("previous"), &previous, config);
        write(&root.join("current"), &current, config);
        let variants = [
            compat::Options::default(),
            compat::Options {
                exclude_imports: true,
                ..compat::Options::default()
            },
            compat::Options {
                limit_to_input_files: true,
                ..compat::Options::default()
            },
            compat::Options {
                paths: vec![root.join("current").join(&some_dir).display().to_string()],
                ..compat::Options::default()
            },
            compat::Options {
                exclude_paths: vec![root.join("current").join(&some_file).display().to_string()],
                ..compat::Options::default()
            },
        ];
        for options in &variants {
            let (all, fast) = both_ways(
                &Input::Dir(root.join("current")),
                &Input::Dir(root.join("previous")),
                options,
            );
            if all != fast {
                failures.push(format!(
                    "batch {batch}, config {config:?}, {options:?}:\nfull:\n{all}\nfast:\n{fast}"
                ));
            }
        }
    }
    // As a git reference: previous committed on main, current on a branch.
    let repo = dir.path().join("repo");
    write(&repo, &previous, &configs[0]);
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "previous"]);
    git(dir.path(), &["clone", "-q", "repo", "clone"]);
    let clone = dir.path().join("clone");
    for path in previous.keys() {
        std::fs::remove_file(clone.join(path)).ok();
    }
    write(&clone, &current, &configs[0]);
    let against = Input::parse(&format!("{}#branch=main", clone.join(".git").display()))
        .expect("a git input");
    let (all, fast) = both_ways(&Input::Dir(clone), &against, &compat::Options::default());
    if all != fast {
        failures.push(format!(
            "batch {batch}, against git:\nfull:\n{all}\nfast:\n{fast}"
        ));
    }
    failures
}

#[test]
fn the_fast_path_finds_what_the_full_comparison_finds() {
    let batches = std::env::var("PROTOFORGE_FAST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4u32);
    let seed = std::env::var("PROTOFORGE_FAST_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(19u64);
    let failures: Vec<String> = (0..batches).flat_map(|b| check_batch(b, seed)).collect();
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_article_demo_is_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/compat");
    let (all, fast) = both_ways(
        &Input::Dir(root.join("after")),
        &Input::Dir(root.join("before")),
        &compat::Options::default(),
    );
    assert_eq!(all, fast);
    assert!(all.contains("FIELD_NO_DELETE"), "{all}");
}

/// A chain top -> one -> deep, each in its own package (so no package rule
/// pulls `top.proto` in): `top.proto` uses `deep.T`, reached through
/// `one.proto`'s public import. Changing `T` at the end of the chain, or
/// the import in the middle of it, changes `top.proto`'s descriptor though
/// its bytes stay the same, and the findings say so. (One public hop: the
/// front end does not yet follow public imports of public imports.)
#[test]
fn an_edit_anywhere_in_an_import_closure_is_seen() {
    let chain = |one_imports: &str, deep: &str, other: &str| -> BTreeMap<String, String> {
        [
            (
                "top.proto",
                "syntax = \"proto3\";\npackage top;\nimport \"one.proto\";\nmessage Top {\n  deep.T t = 1;\n}\n"
                    .to_owned(),
            ),
            (
                "one.proto",
                format!("syntax = \"proto3\";\npackage one;\nimport public \"{one_imports}\";\n"),
            ),
            ("deep.proto", format!("syntax = \"proto3\";\npackage deep;\n{deep}\n")),
            ("other.proto", format!("syntax = \"proto3\";\npackage deep;\n{other}\n")),
            (
                "unrelated.proto",
                "syntax = \"proto3\";\npackage unrelated;\nmessage Alone {}\n".to_owned(),
            ),
        ]
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text))
        .collect()
    };
    let message = "message T { int32 v = 1; }";
    let enumeration = "enum T { T_UNSPECIFIED = 0; }";
    let previous = chain("deep.proto", message, "message U {}");
    let edits = [
        // At the end of the chain: the type becomes an enum.
        chain("deep.proto", enumeration, "message U {}"),
        // In the middle: the chain now reaches another T, an enum.
        chain("other.proto", "message U {}", enumeration),
    ];
    for current in edits {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = "version: v2\nbreaking:\n  use: [FILE]\n";
        assert_eq!(previous["top.proto"], current["top.proto"]);
        write(&dir.path().join("previous"), &previous, config);
        write(&dir.path().join("current"), &current, config);
        let (all, fast) = both_ways(
            &Input::Dir(dir.path().join("current")),
            &Input::Dir(dir.path().join("previous")),
            &compat::Options::default(),
        );
        assert_eq!(all, fast);
        assert!(
            fast.lines()
                .any(|line| line.contains("top.proto") && line.contains("FIELD_SAME_TYPE")),
            "the change reaches top.proto: {fast}"
        );
    }
}

/// Package rules look at whole packages: a message deleted from a changed
/// file is reported when the rest of its package (an unchanged file) still
/// has messages, and a package is not deleted while an unchanged file
/// keeps it.
#[test]
fn package_rules_see_the_unchanged_files_of_the_package() {
    let files = |g: &str| -> BTreeMap<String, String> {
        [
            (
                "p/g.proto",
                format!("syntax = \"proto3\";\npackage p;\n{g}\n"),
            ),
            (
                "p/h.proto",
                "syntax = \"proto3\";\npackage p;\nmessage Kept {}\n".to_owned(),
            ),
            (
                "q/q.proto",
                "syntax = \"proto3\";\npackage q;\nmessage Q {}\n".to_owned(),
            ),
        ]
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text))
        .collect()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let config = "version: v2\nbreaking:\n  use: [PACKAGE]\n";
    write(
        &dir.path().join("previous"),
        &files("message Gone {}"),
        config,
    );
    write(&dir.path().join("current"), &files(""), config);
    let (all, fast) = both_ways(
        &Input::Dir(dir.path().join("current")),
        &Input::Dir(dir.path().join("previous")),
        &compat::Options::default(),
    );
    assert_eq!(all, fast);
    assert!(fast.contains("PACKAGE_MESSAGE_NO_DELETE"), "{fast}");
    assert!(!fast.contains("PACKAGE_NO_DELETE"), "{fast}");
}

/// Edits deep in an import closure that change what an unchanged file
/// means, each with the sign the full comparison gives (a finding in the
/// unchanged file, or an error): an importer is left out only when what
/// it sees of its imports is the same (`compat/surface.rs`), and these are
/// the changes it must see. `previous` and `current` differ in `leaf.proto`
/// (or `inner.proto`) only; `top.proto`, which uses it, is the same.
#[test]
fn what_an_importer_sees_of_a_deep_edit_is_seen() {
    const DESCRIPTOR: &str = "import \"google/protobuf/descriptor.proto\";";
    let cases: [(&str, &str, &str, &str, &str); 6] = [
        (
            "an extension's number changes under an option that uses it",
            "syntax = \"proto2\";\npackage top;\nimport \"leaf.proto\";\nmessage Top {\n  optional string s = 1 [(leaf.tag) = \"x\"];\n}\n",
            "extend google.protobuf.FieldOptions { optional string tag = 50001; }",
            "extend google.protobuf.FieldOptions { optional int32 tag = 50001; }",
            "error",
        ),
        (
            "the field of an option's message type is renamed",
            "syntax = \"proto3\";\npackage top;\nimport \"leaf.proto\";\nservice S {\n  rpc Get(leaf.Empty) returns (leaf.Empty) {\n    option (leaf.rule) = { inner: { path: \"/x\" } };\n  }\n}\n",
            "message Empty {}\nextend google.protobuf.MethodOptions { optional Rule rule = 50002; }\nmessage Rule { optional Inner inner = 1; }\nmessage Inner { optional string path = 1; }",
            "message Empty {}\nextend google.protobuf.MethodOptions { optional Rule rule = 50002; }\nmessage Rule { optional Inner inner = 1; }\nmessage Inner { optional string route = 1; }",
            "error",
        ),
        (
            "a message becomes an enum",
            "syntax = \"proto2\";\npackage top;\nimport \"leaf.proto\";\nmessage Top {\n  optional leaf.T t = 1;\n}\n",
            "message T { optional int32 v = 1; }",
            "enum T { T_ZERO = 0; }",
            "FIELD_SAME_TYPE",
        ),
        (
            "the number of an enum value, the default of a field, changes",
            "syntax = \"proto2\";\npackage top;\nimport \"leaf.proto\";\nmessage Top {\n  optional leaf.E e = 1 [default = B];\n}\n",
            "enum E { A = 1; B = 2; }",
            "enum E { A = 1; B = 3; }",
            "FIELD_SAME_DEFAULT",
        ),
        (
            "a type a field names moves to an inner scope, where it is no longer found",
            "syntax = \"proto2\";\npackage top;\nimport \"leaf.proto\";\nmessage Top {\n  optional leaf.T t = 1;\n}\n",
            "message T {}",
            "message Outer { message T {} }",
            "error",
        ),
        (
            "an extension now clashes with one of an unrelated file",
            "syntax = \"proto2\";\npackage top;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FieldOptions { optional string mine = 50010; }\n",
            "extend google.protobuf.FieldOptions { optional string theirs = 50011; }",
            "extend google.protobuf.FieldOptions { optional string theirs = 50010; }",
            // buf refuses this input (`field number 50010 used more than
            // once`); the live compiler accepts it, so both ways agree on no
            // finding for now. The plan compiles top.proto here
            // (`changed.rs`'s a_changed_extension_compiles_...), so the
            // error will show both ways once the compiler reports it.
            "",
        ),
    ];
    for (what, top, before, after, sign) in cases {
        let files = |leaf: &str| -> BTreeMap<String, String> {
            [
                ("top.proto", top.to_owned()),
                (
                    "leaf.proto",
                    format!("syntax = \"proto2\";\npackage leaf;\n{DESCRIPTOR}\n{leaf}\n"),
                ),
                (
                    "unrelated.proto",
                    "syntax = \"proto3\";\npackage unrelated;\nmessage Alone {}\n".to_owned(),
                ),
            ]
            .into_iter()
            .map(|(name, text)| (name.to_owned(), text))
            .collect()
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let config = "version: v2\nbreaking:\n  use: [FILE]\n";
        write(&dir.path().join("previous"), &files(before), config);
        write(&dir.path().join("current"), &files(after), config);
        let (all, fast) = both_ways(
            &Input::Dir(dir.path().join("current")),
            &Input::Dir(dir.path().join("previous")),
            &compat::Options::default(),
        );
        assert_eq!(all, fast, "{what}");
        if sign.is_empty() {
            continue;
        }
        if sign == "error" {
            assert!(fast.starts_with("error"), "{what}: {fast}");
        } else {
            assert!(
                fast.lines()
                    .any(|line| line.contains("top.proto") && line.contains(sign)),
                "{what}: {fast}"
            );
        }
    }
}
