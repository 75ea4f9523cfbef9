//! buf's configuration found where buf finds it, each layout checked
//! against buf: a v2 `buf.yaml` above the input (module paths, per-module
//! `breaking` blocks, excludes), v1 `buf.work.yaml` workspaces, v1 module
//! `buf.yaml`, v1beta1 roots, git references into a workspace, `--path`,
//! `--exclude-path`, `--config`, `--against-config`, images without source
//! info; and `build` reading the same workspace.

mod common;

use std::{path::Path, process::Command};

use common::{buf, git, protoforge, text};
use protoforge_bench::anchors;

/// Writes `files` (path, content) below a new directory.
fn layout(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    dir
}

/// Runs buf and protoforge in `dir` with `args`: same exit code, same
/// stdout, and some findings when `findings` says so. Returns protoforge's
/// stderr.
fn same(dir: &Path, args: &[&str], findings: bool) -> String {
    let theirs = buf(dir, args);
    let ours = protoforge(dir, args);
    let stderr = text(&ours.stderr);
    assert_eq!(
        ours.status.code(),
        theirs.status.code(),
        "{args:?} in {}: buf said {}{}, protoforge {}{stderr}",
        dir.display(),
        text(&theirs.stdout),
        text(&theirs.stderr),
        text(&ours.stdout),
    );
    assert_eq!(
        text(&ours.stdout),
        text(&theirs.stdout),
        "{args:?} in {}",
        dir.display()
    );
    assert_eq!(
        !ours.stdout.is_empty(),
        findings,
        "{args:?}: {}",
        text(&ours.stdout)
    );
    stderr
}

const BAR_V1: &str =
    "syntax = \"proto3\";\npackage bar.v1;\nmessage B { int32 a = 1; int32 b = 2; }\n";
const BAR_V2: &str = "syntax = \"proto3\";\npackage bar.v1;\nmessage B { int32 a = 1; }\n";
const FOO_V1: &str = "syntax = \"proto3\";\npackage foo.v1;\nimport \"bar/v1/b.proto\";\nmessage M { string a = 1; int32 b = 2; bar.v1.B c = 3; }\n";
const FOO_V2: &str = "syntax = \"proto3\";\npackage foo.v1;\nimport \"bar/v1/b.proto\";\nmessage M { string renamed = 1; bar.v1.B c = 3; }\n";
const EX_V1: &str = "syntax = \"proto3\";\npackage ex.v1;\nmessage E { int32 a = 1; }\n";
const EX_V2: &str = "syntax = \"proto3\";\npackage ex.v1;\nmessage E {}\n";

/// `prev/` and `cur/`, each with `proto/foo/v1/m.proto` importing
/// `vendor/bar/v1/b.proto` (named `bar/v1/b.proto`), `vendor/ex/v1/e.proto`
/// unused; `cur/` deletes a field in each file and renames one in `m.proto`.
/// `configs` are written into both sides.
fn two_sides(configs: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files = vec![
        ("prev/proto/foo/v1/m.proto", FOO_V1),
        ("prev/vendor/bar/v1/b.proto", BAR_V1),
        ("prev/vendor/ex/v1/e.proto", EX_V1),
        ("cur/proto/foo/v1/m.proto", FOO_V2),
        ("cur/vendor/bar/v1/b.proto", BAR_V2),
        ("cur/vendor/ex/v1/e.proto", EX_V2),
    ];
    let owned: Vec<(String, &str)> = configs
        .iter()
        .flat_map(|(path, text)| ["prev", "cur"].map(|side| (format!("{side}/{path}"), *text)))
        .collect();
    files.extend(owned.iter().map(|(p, t)| (p.as_str(), *t)));
    layout(&files)
}

#[test]
fn a_v2_buf_yaml_above_the_input_decides_the_rules() {
    // The issue's case: buf.yaml at the root, `breaking proto` run with
    // WIRE (which does not see a rename), not the default FILE.
    let dir = layout(&[
        (
            "buf.yaml",
            "version: v2\nmodules:\n  - path: proto\n    breaking:\n      use: [WIRE]\n",
        ),
        (
            "proto/foo/v1/m.proto",
            "syntax = \"proto3\";\npackage foo.v1;\nmessage M { string renamed = 1; }\n",
        ),
        ("prev/buf.yaml", "version: v2\nmodules:\n  - path: proto\n"),
        (
            "prev/proto/foo/v1/m.proto",
            "syntax = \"proto3\";\npackage foo.v1;\nmessage M { string a = 1; int32 b = 2; }\n",
        ),
    ]);
    let root = dir.path();
    let stderr = same(
        root,
        &["breaking", "proto", "--against", "prev/proto"],
        true,
    );
    assert!(
        stderr.contains("note: proto: using the configuration buf.yaml (module proto)"),
        "{stderr}"
    );
    let ours = protoforge(root, &["breaking", "proto", "--against", "prev/proto"]);
    assert!(
        !text(&ours.stdout).contains("changed name"),
        "FILE ran instead of WIRE: {}",
        text(&ours.stdout)
    );
    same(root, &["breaking", ".", "--against", "prev"], true);
    same(
        root,
        &[
            "breaking",
            ".",
            "--against",
            "prev",
            "--error-format",
            "json",
        ],
        true,
    );
    // From inside the module, paths are shown from there.
    same(
        &root.join("proto"),
        &["breaking", ".", "--against", "../prev/proto"],
        true,
    );
    // A directory inside a module is not an input, for buf and protoforge.
    let inside = same(
        root,
        &["breaking", "proto/foo", "--against", "prev/proto/foo"],
        false,
    );
    assert!(
        inside.contains("filter to this path using --path"),
        "{inside}"
    );
}

#[test]
fn v2_modules_each_with_their_own_rules_and_excludes() {
    let config = "version: v2\nmodules:\n  - path: proto\n    breaking:\n      use: [WIRE]\n  - path: vendor\n    excludes: [vendor/ex]\nbreaking:\n  use: [PACKAGE]\n";
    let dir = two_sides(&[("buf.yaml", config)]);
    let root = dir.path();
    for args in [
        &["breaking", "cur", "--against", "prev"][..],
        &["breaking", "cur/proto", "--against", "prev/proto"],
        &["breaking", "cur/vendor", "--against", "prev/vendor"],
        &["breaking", "cur", "--against", "prev", "--exclude-imports"],
        &[
            "breaking",
            "cur",
            "--against",
            "prev",
            "--error-format",
            "json",
        ],
    ] {
        same(root, args, true);
    }
    // --path and --exclude-path, from the workspace root.
    let cur = root.join("cur");
    for args in [
        &[
            "breaking",
            ".",
            "--against",
            "../prev",
            "--path",
            "proto/foo",
        ][..],
        &[
            "breaking",
            ".",
            "--against",
            "../prev",
            "--exclude-path",
            "vendor",
        ],
        &["breaking", ".", "--against", "../prev", "--path", "proto"],
        &["breaking", ".", "--against", "../prev", "--path", "../prev"],
    ] {
        same(&cur, args, false);
    }
    // --config and --against-config in place of the inputs' own.
    same(
        &cur,
        &[
            "breaking",
            ".",
            "--against",
            "../prev",
            "--config",
            "buf.yaml",
            "--against-config",
            "buf.yaml",
        ],
        true,
    );
    // build reads the same workspace: one file per name, as buf builds it
    // (today's duplicate definitions came from compiling `.` as one root).
    assert_eq!(
        built_as_buf_builds(&cur, "--include-imports", None),
        ["bar/v1/b.proto", "foo/v1/m.proto"]
    );
}

/// Ignore paths name files as buf reads them, for every version: v2 from
/// the workspace root (a module's own block may name nothing outside the
/// module, the top-level block's paths outside it name none of its files),
/// v1 from the module, v1beta1 from its roots; an `ignore_only` list naming
/// the whole module is refused by the command that reads it. Each config,
/// under breaking and lint: buf's exit code and findings.
#[test]
fn ignore_paths_name_files_as_buf_reads_them() {
    const OLD: &str =
        "syntax = \"proto3\";\npackage a.v1;\nmessage M { int32 x = 1; string y = 2; }\n";
    const NEW: &str = "syntax = \"proto3\";\npackage a.v1;\nmessage foo_bar { int32 X = 1; }\nmessage M { string x = 1; }\n";
    let module = "version: v2\nmodules:\n  - path: a\n";
    let own = |block: &str, lines: &str| format!("{module}    {block}:\n{lines}");
    let top = |block: &str, lines: &str| format!("{module}{block}:\n{lines}");
    let mut configs = Vec::new();
    for (block, rule) in [
        ("breaking", "FIELD_SAME_TYPE"),
        ("lint", "FIELD_LOWER_SNAKE_CASE"),
    ] {
        for path in [".", "a", "v1", "a/v1"] {
            configs.push(top(block, &format!("  ignore: [\"{path}\"]\n")));
            configs.push(top(
                block,
                &format!("  ignore_only:\n    {rule}: [\"{path}\"]\n"),
            ));
            configs.push(own(block, &format!("      ignore: [\"{path}\"]\n")));
            configs.push(own(
                block,
                &format!("      ignore_only:\n        {rule}: [\"{path}\"]\n"),
            ));
        }
        for (version, extra) in [
            ("v2", ""),
            ("v1", ""),
            ("v1beta1", "build:\n  roots: [a]\n"),
        ] {
            for path in ["", ".", "a", "v1", "a/v1"] {
                configs.push(format!(
                    "version: {version}\n{extra}{block}:\n  ignore_only:\n    {rule}: [\"{path}\"]\n"
                ));
                configs.push(format!(
                    "version: {version}\n{extra}{block}:\n  ignore: [\"{path}\"]\n"
                ));
            }
        }
    }
    let mut outcomes = std::collections::BTreeSet::new();
    for config in &configs {
        let dir = layout(&[
            ("prev/a/v1/a.proto", OLD),
            ("cur/a/v1/a.proto", NEW),
            ("prev/buf.yaml", config),
            ("cur/buf.yaml", config),
        ]);
        for args in [
            &["breaking", "cur", "--against", "prev"][..],
            &["lint", "cur"],
        ] {
            let theirs = buf(dir.path(), args);
            let ours = protoforge(dir.path(), args);
            assert_eq!(
                (ours.status.code(), text(&ours.stdout)),
                (theirs.status.code(), text(&theirs.stdout)),
                "{args:?} with\n{config}buf said {}, protoforge {}",
                text(&theirs.stderr),
                text(&ours.stderr)
            );
            outcomes.insert(theirs.status.code());
        }
    }
    // Passes, findings and refusals all occur.
    assert_eq!(
        outcomes,
        [Some(0), Some(1), Some(100)].into_iter().collect(),
        "{} configs",
        configs.len()
    );
}

/// Runs buf and protoforge on `files` with `args` (from the layout's
/// root): the same exit code and the same findings. Returns buf's code.
fn agree(files: &[(&str, &str)], args: &[&str]) -> Option<i32> {
    let dir = layout(files);
    let theirs = buf(dir.path(), args);
    let ours = protoforge(dir.path(), args);
    let lines = |out: &[u8]| {
        let mut lines: Vec<String> = text(out).lines().map(str::to_owned).collect();
        lines.sort();
        lines
    };
    assert_eq!(
        (ours.status.code(), lines(&ours.stdout)),
        (theirs.status.code(), lines(&theirs.stdout)),
        "{args:?} with {files:#?}\nbuf said {}, protoforge {}",
        text(&theirs.stderr),
        text(&ours.stderr)
    );
    theirs.status.code()
}

/// Corners of buf's configuration where protoforge used to pass a gate buf
/// fails (found by probing buf 1.75 case by case), each against buf.
#[test]
fn configuration_corners_as_buf_reads_them() {
    const LINT: [&str; 2] = ["lint", "cur"];
    const BREAKING: [&str; 4] = ["breaking", "cur", "--against", "prev"];
    // An empty suffix is no suffix: the defaults apply.
    let enum_and_service =
        "syntax = \"proto3\";\npackage bar.v1;\nenum Color { RED = 0; }\nservice Thing {}\n";
    for option in ["enum_zero_value_suffix", "service_suffix"] {
        let config = format!(
            "version: v2\nlint:\n  use: [ENUM_ZERO_VALUE_SUFFIX, SERVICE_SUFFIX]\n  {option}: \"\"\n"
        );
        assert_eq!(
            agree(
                &[
                    ("cur/buf.yaml", &config),
                    ("cur/bar/v1/y.proto", enum_and_service)
                ],
                &LINT
            ),
            Some(100)
        );
    }
    // `buf:lint:ignore` takes exactly one space before the rule.
    for separator in ["", " ", "  ", "\t"] {
        let proto = format!(
            "syntax = \"proto3\";\npackage a.v1;\nmessage M {{\n  // buf:lint:ignore{separator}FIELD_LOWER_SNAKE_CASE\n  int32 BadF = 1;\n}}\n"
        );
        agree(
            &[
                (
                    "cur/buf.yaml",
                    "version: v2\nlint:\n  use: [FIELD_LOWER_SNAKE_CASE]\n",
                ),
                ("cur/a/v1/x.proto", &proto),
            ],
            &LINT,
        );
    }
    // A package's version is its last component, well formed, and a package
    // of one component has none.
    for package in [
        "foo.v1alpha1",
        "foo.v1alpha1.bar",
        "v1alpha1",
        "v1",
        "foo.v1alpha1test",
        "foo.v1alpha0",
        "foo.v0alpha1",
        "foo.v1p0alpha1",
        "foo.v1p1beta",
    ] {
        let config = "version: v2\nbreaking:\n  ignore_unstable_packages: true\nlint:\n  use: [PACKAGE_VERSION_SUFFIX, STABLE_PACKAGE_NO_IMPORT_UNSTABLE]\n";
        let prev =
            format!("syntax = \"proto3\";\npackage {package};\nmessage M {{ int32 x = 1; }}\n");
        let cur = prev.replace("int32", "string");
        let files = [
            ("prev/buf.yaml", config),
            ("cur/buf.yaml", config),
            ("prev/p/x.proto", prev.as_str()),
            ("cur/p/x.proto", cur.as_str()),
        ];
        agree(&files, &BREAKING);
        agree(&files, &LINT);
    }
    // buf 1.75 reads no buf.yml: the defaults apply.
    let yml = "version: v2\nbreaking:\n  use: [WIRE]\nlint:\n  use: [BASIC]\n";
    let deleted = [
        ("prev/buf.yml", yml),
        ("cur/buf.yml", yml),
        (
            "prev/a/v1/x.proto",
            "syntax = \"proto3\";\npackage a.v1;\nmessage M { int32 x = 1; }\n",
        ),
        ("cur/a/v1/x.proto", "syntax = \"proto3\";\npackage a.v1;\n"),
    ];
    assert_eq!(agree(&deleted, &BREAKING), Some(100));
    agree(&deleted, &LINT);
    // A module's block that sets nothing leaves the top-level block in force.
    for own in [
        "{}",
        "\n      except: []",
        "\n      disallow_comment_ignores: false",
        "\n      use: []",
    ] {
        let config = format!(
            "version: v2\nmodules:\n  - path: a\n    lint: {own}\nlint:\n  use: [COMMENTS]\n"
        );
        assert_eq!(
            agree(
                &[
                    ("cur/buf.yaml", &config),
                    (
                        "cur/a/foo/v1/x.proto",
                        "syntax = \"proto3\";\npackage foo.v1;\nmessage M {}\n"
                    ),
                ],
                &LINT
            ),
            Some(100)
        );
    }
    // A module with nothing to build fails the run: its files deleted, or
    // all excluded.
    for (config, files) in [
        (
            "version: v2\nmodules:\n  - path: a\n  - path: b\nbreaking:\n  use: [WIRE]\n",
            "",
        ),
        (
            "version: v2\nmodules:\n  - path: a\n    excludes: [a/p]\n  - path: b\n",
            "cur/a/p/x.proto",
        ),
    ] {
        let proto = "syntax = \"proto3\";\npackage p.v1;\nmessage M { int32 x = 1; }\n";
        let mut layout = vec![
            ("prev/buf.yaml", config),
            ("cur/buf.yaml", config),
            ("prev/a/p/x.proto", proto),
            ("prev/b/q.proto", "syntax = \"proto3\";\npackage q.v1;\n"),
            ("cur/b/q.proto", "syntax = \"proto3\";\npackage q.v1;\n"),
        ];
        if !files.is_empty() {
            layout.push((files, proto));
        }
        assert_eq!(agree(&layout, &BREAKING), Some(1), "{config}");
        assert_eq!(agree(&layout, &LINT), Some(1), "{config}");
    }
    // A module nested in another that excludes it is its own module, its
    // files named from its own root.
    for outer in [
        "  - path: proto\n    excludes: [proto/vendor]\n",
        "  - path: proto\n    includes: [proto/foo]\n",
        "  - path: .\n    excludes: [proto/vendor]\n",
    ] {
        let config = format!("version: v2\nmodules:\n{outer}  - path: proto/vendor\n");
        let files = [
            ("cur/buf.yaml", config.as_str()),
            (
                "cur/proto/foo/v1/x.proto",
                "syntax = \"proto3\";\npackage foo.v1;\nmessage M { int32 x = 1; }\n",
            ),
            (
                "cur/proto/vendor/v/v.proto",
                "syntax = \"proto3\";\npackage v;\nmessage M { int32 x = 1; }\n",
            ),
        ];
        assert_eq!(agree(&files, &LINT), Some(100), "{config}");
        let dir = layout(&files);
        assert!(
            built_as_buf_builds(&dir.path().join("cur"), "--include-imports", None)
                .contains(&"v/v.proto".to_owned()),
            "{config}"
        );
    }
    // `--exclude-path` may not name a module, as `--path` may not.
    let config = "version: v2\nmodules:\n  - path: a\n  - path: b\n";
    let proto = "syntax = \"proto3\";\npackage a.v1;\nmessage M {}\n";
    let files = [
        ("cur/buf.yaml", config),
        ("cur/a/a/v1/x.proto", proto),
        ("cur/b/a/v1/y.proto", proto),
    ];
    assert_eq!(
        agree(&files, &["lint", "cur", "--exclude-path", "cur/a"]),
        Some(1)
    );
    // Deprecated breaking IDs: v1 takes them all, v2 only
    // MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT.
    let optional = "syntax = \"proto3\";\npackage a.v1;\nmessage M { optional int32 o = 4; }\n";
    for version in ["v1", "v2"] {
        for id in [
            "FIELD_SAME_LABEL",
            "FIELD_SAME_CTYPE",
            "FILE_SAME_PHP_GENERIC_SERVICES",
            "MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT",
        ] {
            let config =
                format!("version: {version}\nbreaking:\n  use: [FILE]\n  except: [{id}]\n");
            agree(
                &[
                    ("prev/buf.yaml", &config),
                    ("cur/buf.yaml", &config),
                    ("prev/a/v1/x.proto", optional),
                    (
                        "cur/a/v1/x.proto",
                        &optional.replace("optional", "repeated"),
                    ),
                ],
                &BREAKING,
            );
        }
    }
    // A package leaving beta is not held to a stable package's rules.
    let config = "version: v2\nbreaking:\n  use: [FILE]\n  ignore_unstable_packages: true\n";
    let beta = "syntax = \"proto3\";\npackage p.v1beta1;\nmessage M { int32 x = 1; }\n";
    assert_eq!(
        agree(
            &[
                ("prev/buf.yaml", config),
                ("cur/buf.yaml", config),
                ("prev/p/x.proto", beta),
                ("cur/p/x.proto", &beta.replace("v1beta1", "v1")),
            ],
            &BREAKING
        ),
        Some(0)
    );
    // breaking refuses an unknown lint rule; lint reads past an unknown
    // breaking rule.
    let proto = "syntax = \"proto3\";\npackage a.v1;\nmessage M {}\n";
    for config in [
        "version: v2\nlint:\n  use: [NOPE]\n",
        "version: v2\nbreaking:\n  use: [NOPE]\n",
        "version: v2\nbreaking:\n  ignore_only:\n    NOPE: [a]\n",
    ] {
        let files = [
            ("prev/buf.yaml", config),
            ("cur/buf.yaml", config),
            ("prev/a/v1/x.proto", proto),
            ("cur/a/v1/x.proto", proto),
        ];
        agree(&files, &BREAKING);
        agree(&files, &LINT);
    }
    let config = "version: v2\nmodules:\n  - path: a\n    breaking: {}\nbreaking:\n  use: [WIRE]\n";
    let proto = "syntax = \"proto3\";\npackage foo.v1;\nmessage M {}\n";
    assert_eq!(
        agree(
            &[
                ("prev/buf.yaml", config),
                ("cur/buf.yaml", config),
                ("prev/a/foo/v1/x.proto", proto),
                (
                    "prev/a/foo/v1/y.proto",
                    "syntax = \"proto3\";\npackage foo.v1;\nmessage Y {}\n"
                ),
                ("cur/a/foo/v1/x.proto", proto),
            ],
            &BREAKING
        ),
        Some(0)
    );
}

/// A workspace's modules pair with the against input's as buf pairs them:
/// in the order of their names or paths, not as listed (a reordered
/// `modules:` or `directories:` list pairs as before); modules added are
/// new; modules removed, or an against input of another shape, are an
/// error. Before, pairing was by position: reordering two modules under
/// WIRE passed a change buf fails.
#[test]
fn modules_pair_with_the_against_inputs_as_buf_pairs_them() {
    const X1: &str = "syntax = \"proto3\";\npackage p;\nmessage M { int32 x = 1; }\n";
    const X2: &str = "syntax = \"proto3\";\npackage p;\nmessage M { string x = 1; }\n";
    const Q: &str = "syntax = \"proto3\";\npackage q;\nmessage Q { int32 y = 1; }\n";
    const R: &str = "syntax = \"proto3\";\npackage r;\nmessage R {}\n";
    let modules = |paths: &[&str], rules: &str| {
        let mut yaml = String::from("version: v2\nmodules:\n");
        for path in paths {
            yaml.push_str(&format!("  - path: {path}\n"));
        }
        yaml + rules
    };
    let breaking = ["breaking", "cur", "--against", "prev"];
    let sides = |prev: &str, cur: &str| {
        vec![
            ("prev/buf.yaml".to_owned(), prev.to_owned()),
            ("cur/buf.yaml".to_owned(), cur.to_owned()),
            ("prev/a/p/x.proto".to_owned(), X1.to_owned()),
            ("cur/a/p/x.proto".to_owned(), X2.to_owned()),
            ("prev/b/q/q.proto".to_owned(), Q.to_owned()),
            ("cur/b/q/q.proto".to_owned(), Q.to_owned()),
            ("cur/c/r/r.proto".to_owned(), R.to_owned()),
        ]
    };
    let run = |files: &[(String, String)], args: &[&str]| {
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        agree(&files, args)
    };
    for rules in ["breaking:\n  use: [FILE]\n", "breaking:\n  use: [WIRE]\n"] {
        // Reordered.
        let files = sides(&modules(&["a", "b"], rules), &modules(&["b", "a"], rules));
        assert_eq!(run(&files, &breaking), Some(100), "{rules}");
        // One added.
        let files = sides(
            &modules(&["a", "b"], rules),
            &modules(&["a", "b", "c"], rules),
        );
        assert_eq!(run(&files, &breaking), Some(100), "{rules}");
        // One removed.
        let files = sides(
            &modules(&["a", "b", "c"], rules),
            &modules(&["a", "b"], rules),
        );
        let mut files = files;
        files.push(("prev/c/r/r.proto".to_owned(), R.to_owned()));
        assert_eq!(run(&files, &breaking), Some(1), "{rules}");
        // Renamed: paired by name, so `a` meets `b`.
        let named = "version: v2\nmodules:\n  - path: b\n    name: buf.build/acme/aaa\n  - path: a\n    name: buf.build/acme/zzz\n".to_owned() + rules;
        let files = sides(&modules(&["a", "b"], rules), &named);
        run(&files, &breaking);
        // Against one module of the against workspace.
        let files = sides(&modules(&["a", "b"], rules), &modules(&["a", "b"], rules));
        assert_eq!(
            run(&files, &["breaking", "cur", "--against", "prev/a"]),
            Some(100)
        );
    }
    // v1 workspaces: directories reordered.
    let mut files = sides("", "");
    files.retain(|(path, _)| !path.ends_with("buf.yaml"));
    files.push((
        "prev/buf.work.yaml".to_owned(),
        "version: v1\ndirectories: [a, b]\n".to_owned(),
    ));
    files.push((
        "cur/buf.work.yaml".to_owned(),
        "version: v1\ndirectories: [b, a]\n".to_owned(),
    ));
    files.retain(|(path, _)| !path.starts_with("cur/c/"));
    assert_eq!(run(&files, &breaking), Some(100));
}

/// The files `protoforge build .` (with `ours`) and `buf build .` (with
/// `theirs`) write in `dir`: asserted the same, and returned.
fn built_as_buf_builds(dir: &Path, ours: &str, theirs: Option<&str>) -> Vec<String> {
    let built = protoforge(dir, &["build", ".", "-o", "out.binpb", ours]);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let mut args = vec!["build", ".", "-o", "buf.binpb"];
    args.extend(theirs);
    let reference = buf(dir, &args);
    assert_eq!(
        reference.status.code(),
        Some(0),
        "{}",
        text(&reference.stderr)
    );
    let names = file_names(&dir.join("out.binpb"));
    assert_eq!(names, file_names(&dir.join("buf.binpb")));
    names
}

/// v2 `includes`: a module holds only the files under them (less its
/// excludes), for every verb; includes buf refuses are refused alike.
#[test]
fn v2_module_includes_select_its_files() {
    let config = "version: v2\nmodules:\n  - path: vendor\n    includes: [vendor/bar]\n  - path: proto\nbreaking:\n  use: [FILE]\n";
    let dir = two_sides(&[("buf.yaml", config)]);
    let root = dir.path();
    same(root, &["breaking", "cur", "--against", "prev"], true);
    same(
        root,
        &[
            "breaking",
            "cur",
            "--against",
            "prev",
            "--error-format",
            "json",
        ],
        true,
    );
    let cur = root.join("cur");
    assert_eq!(
        built_as_buf_builds(&cur, "--quiet", Some("--exclude-imports")),
        ["bar/v1/b.proto", "foo/v1/m.proto"]
    );
    for refused in [
        "version: v2\nmodules:\n  - path: vendor\n    includes: [bar]\n",
        "version: v2\nmodules:\n  - path: vendor\n    includes: [vendor]\n",
        "version: v2\nmodules:\n  - path: vendor\n    includes: [vendor/bar, vendor/bar/v1]\n",
        "version: v2\nmodules:\n  - path: vendor\n    includes: [vendor/bar]\n    excludes: [vendor/ex]\n",
        "version: v2\nmodules:\n  - path: vendor\n    includes: [vendor/bar/v1]\n    excludes: [vendor/bar]\n",
    ] {
        std::fs::write(cur.join("buf.yaml"), refused).expect("write");
        let ours = protoforge(&cur, &["lint", "."]);
        let theirs = buf(&cur, &["lint", "."]);
        assert_eq!(
            ours.status.code(),
            Some(1),
            "{refused}: {}",
            text(&ours.stderr)
        );
        assert_ne!(theirs.status.code(), Some(0), "buf accepts {refused}");
        let reason = text(&theirs.stderr);
        let reason = reason
            .trim()
            .trim_start_matches("Failure: decode buf.yaml: ");
        assert!(
            text(&ours.stderr).contains(reason),
            "{refused}: buf said {reason}, protoforge {}",
            text(&ours.stderr)
        );
    }
}

/// What buf would add to the findings and protoforge cannot (plugins,
/// policies) stops the verb with exit 1; `disable_builtin` without them
/// runs no rule, as buf runs none.
#[test]
fn plugins_are_refused_not_left_out_and_disable_builtin_runs_no_rule() {
    let dir = two_sides(&[]);
    let cur = dir.path().join("cur");
    for (config, verb, said) in [
        (
            "version: v2\nmodules: [{path: proto}, {path: vendor}]\nplugins:\n  - plugin: buf-plugin-x\n",
            "lint",
            "plugins: buf runs",
        ),
        (
            "version: v2\nmodules: [{path: proto}, {path: vendor}]\nplugins:\n  - plugin: buf-plugin-x\n",
            "breaking",
            "plugins: buf runs",
        ),
    ] {
        std::fs::write(cur.join("buf.yaml"), config).expect("write");
        let args: &[&str] = if verb == "lint" {
            &["lint", "."]
        } else {
            &["breaking", ".", "--against", "."]
        };
        let ours = protoforge(&cur, args);
        assert_eq!(ours.status.code(), Some(1), "{config} {verb}");
        assert!(text(&ours.stderr).contains(said), "{}", text(&ours.stderr));
    }
    // lint does not read breaking's block for it.
    std::fs::write(
        cur.join("buf.yaml"),
        "version: v2\nmodules: [{path: proto}, {path: vendor}]\nbreaking:\n  disable_builtin: true\nlint:\n  use: [MINIMAL]\n",
    )
    .expect("write");
    assert_eq!(protoforge(&cur, &["lint", "."]).status.code(), Some(0));
    // The same changes that break FILE break nothing with buf's rules off,
    // in buf and here, for breaking (v2, v1) and lint.
    for config in [
        "version: v2\nmodules: [{path: proto}, {path: vendor}]\nbreaking:\n  use: [FILE]\n",
        "version: v2\nmodules: [{path: proto}, {path: vendor}]\nbreaking:\n  use: [FILE]\n  disable_builtin: true\n",
        "version: v2\nmodules: [{path: proto}, {path: vendor}]\nlint:\n  disable_builtin: true\n",
    ] {
        let disabled = config.contains("disable_builtin");
        for side in ["prev", "cur"] {
            std::fs::write(dir.path().join(side).join("buf.yaml"), config).expect("write");
        }
        let verb = if config.contains("lint:") {
            &["lint", "cur"][..]
        } else {
            &["breaking", "cur", "--against", "prev"][..]
        };
        same(dir.path(), verb, !disabled);
    }
    // v1: a module of its own, a field deleted.
    for (side, text) in [
        (
            "prev",
            "syntax = \"proto3\";\npackage foo.v1;\nmessage M { string a = 1; }\n",
        ),
        (
            "cur",
            "syntax = \"proto3\";\npackage foo.v1;\nmessage M {}\n",
        ),
    ] {
        let module = dir.path().join(format!("{side}/v1module"));
        std::fs::create_dir_all(module.join("foo/v1")).expect("mkdir");
        std::fs::write(module.join("foo/v1/m.proto"), text).expect("write");
        std::fs::write(
            module.join("buf.yaml"),
            "version: v1\nbreaking:\n  use: [FILE]\n  disable_builtin: true\n",
        )
        .expect("write");
    }
    same(
        dir.path(),
        &["breaking", "cur/v1module", "--against", "prev/v1module"],
        false,
    );
}

fn file_names(image: &Path) -> Vec<String> {
    use prost::Message;
    let bytes = std::fs::read(image).expect("image");
    let set = prost_types::FileDescriptorSet::decode(bytes.as_slice()).expect("decodes");
    let mut names: Vec<String> = set.file.iter().map(|f| f.name().to_owned()).collect();
    names.sort();
    names
}

#[test]
fn v1_buf_work_yaml_workspaces() {
    let dir = two_sides(&[
        (
            "buf.work.yaml",
            "version: v1\ndirectories: [proto, vendor]\n",
        ),
        ("proto/buf.yaml", "version: v1\nbreaking:\n  use: [WIRE]\n"),
        ("vendor/buf.yaml", "version: v1\nbuild:\n  excludes: [ex]\n"),
    ]);
    let root = dir.path();
    same(root, &["breaking", "cur", "--against", "prev"], true);
    let note = same(
        root,
        &["breaking", "cur/proto", "--against", "prev/proto"],
        true,
    );
    assert!(
        note.contains("using the configuration cur/buf.work.yaml (module proto)"),
        "{note}"
    );
    same(
        root,
        &["breaking", "cur/vendor", "--against", "prev/vendor"],
        true,
    );
    same(
        &root.join("cur/proto"),
        &["breaking", ".", "--against", "../../prev/proto"],
        true,
    );
}

#[test]
fn v1_and_v1beta1_module_buf_yaml() {
    let dir = two_sides(&[]);
    let root = dir.path();
    // v1 in the input: its own, so no note.
    for side in ["cur", "prev"] {
        std::fs::write(
            root.join(side).join("proto/buf.yaml"),
            "version: v1\nbreaking:\n  use: [WIRE_JSON]\n",
        )
        .expect("write");
    }
    std::fs::rename(root.join("cur/vendor/bar"), root.join("cur/proto/bar")).expect("mv");
    std::fs::rename(root.join("prev/vendor/bar"), root.join("prev/proto/bar")).expect("mv");
    let stderr = same(
        root,
        &["breaking", "cur/proto", "--against", "prev/proto"],
        true,
    );
    assert!(!stderr.contains("note:"), "{stderr}");
    // A directory inside a v1 module is refused, as buf refuses it.
    let inside = same(
        root,
        &["breaking", "cur/proto/foo", "--against", "prev/proto/foo"],
        false,
    );
    assert!(
        inside.contains("contained by module at path \"cur/proto\""),
        "{inside}"
    );
    // v1beta1 roots and excludes.
    let dir = two_sides(&[(
        "buf.yaml",
        "version: v1beta1\nbuild:\n  roots: [proto, vendor]\n  excludes: [vendor/ex]\nbreaking:\n  use: [WIRE]\n",
    )]);
    same(dir.path(), &["breaking", "cur", "--against", "prev"], true);
}

#[test]
fn git_references_into_a_workspace() {
    let config = "version: v2\nmodules:\n  - path: proto\n    breaking:\n      use: [WIRE]\n  - path: vendor\n    excludes: [vendor/ex]\n";
    let dir = two_sides(&[("buf.yaml", config)]);
    let repo = dir.path().join("prev");
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "prev"]);
    for side in ["proto", "vendor"] {
        std::fs::remove_dir_all(repo.join(side)).expect("rm");
        let copy = Command::new("cp")
            .args(["-r", &format!("../cur/{side}"), "."])
            .current_dir(&repo)
            .status()
            .expect("cp");
        assert!(copy.success());
    }
    for args in [
        &["breaking", ".", "--against", ".git#branch=main"][..],
        &[
            "breaking",
            "proto",
            "--against",
            ".git#branch=main,subdir=proto",
        ],
        &[
            "breaking",
            "vendor",
            "--against",
            ".git#branch=main,subdir=vendor",
        ],
        &[
            "breaking",
            ".",
            "--against",
            ".git#branch=main",
            "--path",
            "proto/foo",
        ],
        &[
            "breaking",
            ".",
            "--against",
            ".git#branch=main",
            "--exclude-path",
            "proto/foo",
        ],
    ] {
        same(&repo, args, true);
    }
    same(
        &repo,
        &[
            "breaking",
            ".",
            "--against",
            ".git#branch=main",
            "--path",
            "proto",
        ],
        false,
    );
}

#[test]
fn images_without_source_info_are_located_at_1_1() {
    let dir = two_sides(&[]);
    let root = dir.path();
    for side in ["prev", "cur"] {
        let output = Command::new(anchors::protoc())
            .args([
                "-Iproto",
                "-Ivendor",
                "--descriptor_set_out=../image.binpb",
                "foo/v1/m.proto",
                "bar/v1/b.proto",
            ])
            .current_dir(root.join(side))
            .output()
            .expect("protoc runs");
        assert!(output.status.success(), "{}", text(&output.stderr));
        std::fs::rename(root.join("image.binpb"), root.join(format!("{side}.binpb"))).expect("mv");
    }
    for format in ["text", "json"] {
        same(
            root,
            &[
                "breaking",
                "cur.binpb",
                "--against",
                "prev.binpb",
                "--error-format",
                format,
            ],
            true,
        );
    }
    let ours = protoforge(root, &["breaking", "cur.binpb", "--against", "prev.binpb"]);
    assert!(
        text(&ours.stdout).starts_with("bar/v1/b.proto:1:1:"),
        "{}",
        text(&ours.stdout)
    );
}

#[test]
fn inputs_named_under_an_include_root_as_protoc_takes_them() {
    let dir = layout(&[
        (
            "vendor/google/api/http.proto",
            "syntax = \"proto3\";\npackage google.api;\nmessage Http { string a = 1; }\n",
        ),
        ("elsewhere/.keep", ""),
    ]);
    let root = dir.path();
    let elsewhere = root.join("elsewhere");
    // From any directory, like `protoc -I ../vendor google/api/http.proto`.
    let build = protoforge(
        &elsewhere,
        &[
            "build",
            "-I",
            "../vendor",
            "google/api/http.proto",
            "-o",
            "a.binpb",
        ],
    );
    assert_eq!(build.status.code(), Some(0), "{}", text(&build.stderr));
    let protoc = Command::new(anchors::protoc())
        .args([
            "-I",
            "../vendor",
            "google/api/http.proto",
            "-o",
            "protoc.binpb",
        ])
        .current_dir(&elsewhere)
        .output()
        .expect("protoc runs");
    assert!(protoc.status.success(), "{}", text(&protoc.stderr));
    assert_eq!(
        std::fs::read(elsewhere.join("a.binpb")).expect("ours"),
        std::fs::read(elsewhere.join("protoc.binpb")).expect("protoc's")
    );
    // The same file named both ways is one input, not a duplicate.
    let both = protoforge(
        root,
        &[
            "build",
            "-I",
            "vendor",
            "google/api/http.proto",
            "vendor/google/api/http.proto",
            "-o",
            "b.binpb",
        ],
    );
    assert_eq!(both.status.code(), Some(0), "{}", text(&both.stderr));
    assert_eq!(file_names(&root.join("b.binpb")), ["google/api/http.proto"]);
    // generate takes them the same way.
    std::fs::create_dir(elsewhere.join("out")).expect("mkdir");
    let generate = protoforge(
        &elsewhere,
        &[
            "generate",
            "-I",
            "../vendor",
            "google/api/http.proto",
            "--out",
            "out",
        ],
    );
    assert_eq!(
        generate.status.code(),
        Some(0),
        "{}",
        text(&generate.stderr)
    );
    assert!(elsewhere.join("out/google.api.rs").is_file());
    // A name under no root is still "cannot read".
    let missing = protoforge(
        &elsewhere,
        &[
            "build",
            "-I",
            "../vendor",
            "google/api/nope.proto",
            "-o",
            "c.binpb",
        ],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("cannot read 'google/api/nope.proto'"));
}
