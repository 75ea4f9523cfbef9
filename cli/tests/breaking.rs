//! `protoforge breaking` as a user runs it, against buf on the same inputs:
//! the article's demo, every output format, every kind of input, the
//! configuration, and the exit codes.

mod common;

use std::{path::Path, process::Command};

use common::{protoforge, text, workspace};
use protoforge_bench::anchors;

fn buf(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(anchors::buf())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("buf runs")
}

const DEMO: [&str; 4] = [
    "breaking",
    "examples/compat/after",
    "--against",
    "examples/compat/before",
];

#[test]
fn the_article_demo_prints_what_buf_prints() {
    let root = workspace();
    // Byte for byte, JSON key order included: scripts written for buf keep
    // working.
    for format in [
        "text",
        "json",
        "github-actions",
        "msvs",
        "gitlab-code-quality",
    ] {
        let mut args = DEMO.to_vec();
        args.extend(["--error-format", format]);
        let ours = protoforge(&root, &args);
        let theirs = buf(&root, &args);
        assert_eq!(ours.status.code(), Some(100), "{format}");
        assert_eq!(theirs.status.code(), Some(100), "{format}");
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{format}");
    }
}

#[test]
fn text_and_json_snapshots() {
    let root = workspace();
    for format in ["text", "json", "junit", "gitlab-code-quality", "sarif"] {
        let mut args = DEMO.to_vec();
        args.extend(["--error-format", format]);
        let output = protoforge(&root, &args);
        insta::with_settings!({ snapshot_path => root.join("snapshots"), prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("breaking_demo_{}", format.replace('-', "_")), text(&output.stdout));
        });
    }
}

/// GitLab's report byte for byte, fingerprints included (buf hashes each
/// issue's JSON), on findings without a file (a deleted file), names that
/// Go's JSON escapes, non-ASCII; and nothing at all when nothing breaks.
#[test]
fn gitlab_reports_are_bufs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "old/a.proto",
        "syntax = \"proto3\";\npackage a;\nmessage M {}\n",
    );
    let kept =
        "syntax = \"proto3\";\npackage b;\nmessage M { int32 x = 1; map<string, int32> m = 2; }\n";
    write("old/x<&>\u{e9}/b.proto", kept);
    write(
        "new/x<&>\u{e9}/b.proto",
        "syntax = \"proto3\";\npackage b;\nmessage M { string x = 1; }\n",
    );
    for (current, against, code) in [("new", "old", 100), ("old", "old", 0)] {
        for format in ["gitlab-code-quality", "junit"] {
            let args = [
                "breaking",
                current,
                "--against",
                against,
                "--error-format",
                format,
            ];
            let ours = protoforge(dir.path(), &args);
            let theirs = buf(dir.path(), &args);
            assert_eq!(ours.status.code(), Some(code), "{}", text(&ours.stderr));
            assert_eq!(
                text(&ours.stdout),
                text(&theirs.stdout),
                "{current} {format}"
            );
        }
    }
}

#[test]
fn junit_matches_buf() {
    let root = workspace();
    let mut args = DEMO.to_vec();
    args.extend(["--error-format", "junit"]);
    assert_eq!(
        text(&protoforge(&root, &args).stdout),
        text(&buf(&root, &args).stdout)
    );
}

#[test]
fn sarif_is_sarif() {
    let mut args = DEMO.to_vec();
    args.extend(["--error-format", "sarif"]);
    let output = protoforge(&workspace(), &args);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "protoforge");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 11);
    let first = &results[0];
    assert_eq!(first["ruleId"], "FIELD_NO_DELETE");
    let location = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "examples/compat/after/user.proto"
    );
    assert_eq!(location["region"]["startLine"], 23);
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert!(rules.contains(&"FIELD_SAME_TYPE"));
}

#[test]
fn exit_codes() {
    let root = workspace();
    let clean = protoforge(&root, &["breaking", "proto", "--against", "proto"]);
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(text(&clean.stdout), "");
    let missing = protoforge(&root, &["breaking", "nope", "--against", "proto"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        text(&missing.stderr),
        "error: 'nope': no such file or directory\n"
    );
    let format = protoforge(
        &root,
        &[
            "breaking",
            "proto",
            "--against",
            "proto",
            "--error-format",
            "yaml",
        ],
    );
    assert_eq!(format.status.code(), Some(2));
    let usage = protoforge(&root, &["breaking", "proto"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn images_and_directories_mix() {
    let root = workspace();
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("before.binpb");
    let build = protoforge(
        &root,
        &[
            "build",
            "examples/compat/before",
            "-o",
            image.to_str().expect("utf-8"),
            "--include-imports",
            "--include-source-info",
        ],
    );
    assert!(build.status.success());
    let from_image = protoforge(
        &root,
        &[
            "breaking",
            "examples/compat/after",
            "--against",
            image.to_str().expect("utf-8"),
        ],
    );
    let from_dir = protoforge(&root, &DEMO);
    assert_eq!(from_image.status.code(), Some(100));
    assert_eq!(text(&from_image.stdout), text(&from_dir.stdout));
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn git_references_are_read_without_touching_the_work_tree() {
    let repo = tempfile::tempdir().expect("tempdir");
    let root = repo.path();
    let schema = root.join("proto/shop/v1/cart.proto");
    std::fs::create_dir_all(schema.parent().expect("parent")).expect("mkdir");
    std::fs::write(&schema, "syntax = \"proto3\";\npackage shop.v1;\nmessage Cart {\n  int32 id = 1;\n  string owner = 2;\n}\n").expect("write");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "v1"]);
    git(root, &["tag", "v1.0.0"]);
    std::fs::write(
        &schema,
        "syntax = \"proto3\";\npackage shop.v1;\nmessage Cart {\n  int32 id = 1;\n}\n",
    )
    .expect("write");
    git(root, &["commit", "-q", "-am", "drop owner"]);
    // An uncommitted edit that a checkout would clobber.
    std::fs::write(
        &schema,
        "syntax = \"proto3\";\npackage shop.v1;\nmessage Cart {\n  int64 id = 1;\n}\n",
    )
    .expect("write");

    let expected_previous = "proto/shop/v1/cart.proto:3:1:Previously present field \"2\" with name \"owner\" on message \"Cart\" was deleted.\n";
    for against in [
        ".git#tag=v1.0.0,subdir=proto",
        ".git#ref=HEAD~1,subdir=proto",
        ".git#branch=main,subdir=proto",
    ] {
        let output = protoforge(root, &["breaking", "proto", "--against", against]);
        let theirs = buf(root, &["breaking", "proto", "--against", against]);
        assert_eq!(text(&output.stdout), text(&theirs.stdout), "{against}");
        assert!(
            output.status.code() == Some(100),
            "{against}: {}",
            text(&output.stderr)
        );
        if against.contains("v1.0.0") || against.contains("HEAD~1") {
            assert!(
                text(&output.stdout).contains(expected_previous.trim_end()),
                "{against}"
            );
        }
    }
    assert!(
        std::fs::read_to_string(&schema)
            .expect("read")
            .contains("int64 id = 1;"),
        "the work tree is untouched"
    );
    let status = Command::new("git")
        .args(["status", "--porcelain"])
        .current_dir(root)
        .output()
        .expect("git");
    assert_eq!(text(&status.stdout), " M proto/shop/v1/cart.proto\n");
}

#[test]
fn configuration_use_except_ignore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    for (side, owner) in [("previous", "  string owner = 2;\n"), ("current", "")] {
        for package in ["shop/v1", "lab/v1alpha1"] {
            let path = root.join(side).join(package).join("cart.proto");
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(
                &path,
                format!("syntax = \"proto3\";\npackage {};\nmessage Cart {{\n  int32 id = 1;\n{owner}}}\n", package.replace('/', ".")),
            )
            .expect("write");
        }
    }
    let configs = [
        ("version: v2\n", 2),
        ("version: v2\nbreaking:\n  except: [FIELD_NO_DELETE]\n", 0),
        ("version: v2\nbreaking:\n  ignore: [lab]\n", 1),
        (
            "version: v2\nbreaking:\n  ignore_only:\n    FIELD_NO_DELETE: [shop/v1/cart.proto]\n",
            1,
        ),
        (
            "version: v2\nbreaking:\n  ignore_unstable_packages: true\n",
            1,
        ),
        ("version: v1\nbreaking:\n  use: [WIRE]\n", 2),
        ("version: v1\nbreaking:\n  use: [WIRE_JSON]\n", 4),
    ];
    for (config, expected) in configs {
        std::fs::write(root.join("current/buf.yaml"), config).expect("write");
        let ours = protoforge(
            root,
            &[
                "breaking",
                "current",
                "--against",
                "previous",
                "--error-format",
                "json",
            ],
        );
        let theirs = buf(
            root,
            &[
                "breaking",
                "current",
                "--against",
                "previous",
                "--error-format",
                "json",
            ],
        );
        let count = |out: &[u8]| text(out).lines().count();
        assert_eq!(
            text(&ours.stdout),
            text(&theirs.stdout),
            "{config}{}",
            text(&ours.stderr)
        );
        assert_eq!(count(&ours.stdout), expected, "{config}");
        let inline = protoforge(
            root,
            &[
                "breaking",
                "current",
                "--against",
                "previous",
                "--config",
                config,
            ],
        );
        assert_eq!(count(&inline.stdout), expected, "--config {config}");
    }
    std::fs::write(root.join("current/buf.yaml"), "version: v9\n").expect("write");
    let bad = protoforge(root, &["breaking", "current", "--against", "previous"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("unknown file version: \"v9\""),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn editions_directories_are_compared() {
    // The two sides differ, so the file must be compiled (identical sides
    // are not compiled at all, and have no findings, as buf says).
    let dir = tempfile::tempdir().expect("tempdir");
    for (side, body) in [
        ("current", "message A {}\n"),
        ("previous", "message A {}\nmessage B {}\n"),
    ] {
        std::fs::create_dir(dir.path().join(side)).expect("mkdir");
        std::fs::write(
            dir.path().join(side).join("a.proto"),
            format!("edition = \"2023\";\npackage a;\n{body}"),
        )
        .expect("write");
    }
    let output = protoforge(
        dir.path(),
        &["breaking", "current", "--against", "previous"],
    );
    assert_eq!(output.status.code(), Some(100), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "current/a.proto:1:1:Previously present message \"B\" was deleted from file.\n"
    );
}

/// The expected findings of every fixture pair (one or more per rule), as
/// text and JSON; `codegen/tests/compat_buf.rs` checks them against buf.
#[test]
fn fixture_snapshots() {
    let fixtures = workspace().join("codegen/tests/compat");
    let mut cases: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    for case in cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        for format in ["text", "json"] {
            let output = protoforge(
                &case,
                &[
                    "breaking",
                    "current",
                    "--against",
                    "previous",
                    "--error-format",
                    format,
                ],
            );
            assert_eq!(
                output.status.code(),
                Some(100),
                "{name}: {}",
                text(&output.stderr)
            );
            insta::with_settings!({ snapshot_path => workspace().join("snapshots"), prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(format!("breaking_fixture_{name}_{format}"), text(&output.stdout));
            });
        }
    }
}

#[test]
fn imports_count_unless_excluded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    for (side, text) in [
        (
            "previous",
            "syntax = \"proto3\";\npackage i.v1;\nimport \"google/protobuf/timestamp.proto\";\nmessage A { google.protobuf.Timestamp t = 1; }\n",
        ),
        (
            "current",
            "syntax = \"proto3\";\npackage i.v1;\nmessage A { int64 t = 1; }\n",
        ),
    ] {
        std::fs::create_dir_all(root.join(side)).expect("mkdir");
        std::fs::write(root.join(side).join("a.proto"), text).expect("write");
    }
    for extra in [None, Some("--exclude-imports")] {
        let mut args = vec!["breaking", "current", "--against", "previous"];
        args.extend(extra);
        let ours = protoforge(root, &args);
        let theirs = buf(root, &args);
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{extra:?}");
    }
    let with_imports =
        text(&protoforge(root, &["breaking", "current", "--against", "previous"]).stdout);
    assert!(
        with_imports
            .contains("Previously present file \"google/protobuf/timestamp.proto\" was deleted.")
    );
    let single = protoforge(
        root,
        &["breaking", "current/a.proto", "--against", "previous"],
    );
    assert_eq!(single.status.code(), Some(1));
    assert!(text(&single.stderr).contains("a single .proto file is not an input"));
}

/// Every way a git input can be wrong is one clear error (exit 1), and
/// reading one never changes the repository: work tree, index and status
/// are as before.
/// A file moved from proto3 to edition 2023 on a branch, checked against
/// `.git#branch=main`: the resolved features are compared (implicit
/// presence kept file-wide is no finding; an open enum made closed and a
/// field given explicit presence are), in buf's words and JSON, buf run on
/// the same repository as the oracle.
#[test]
fn editions_against_a_git_reference_agree_with_buf() {
    let repo = tempfile::tempdir().expect("tempdir");
    let root = repo.path();
    let schema = root.join("proto/a/a.proto");
    std::fs::create_dir_all(schema.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &schema,
        "syntax = \"proto3\";\npackage a;\nenum E {\n  E_UNSPECIFIED = 0;\n  E_ONE = 1;\n}\n\
         message M {\n  int32 x = 1;\n  E e = 2;\n}\n",
    )
    .expect("write");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "v1"]);
    std::fs::write(
        &schema,
        "edition = \"2023\";\npackage a;\noption features.field_presence = IMPLICIT;\n\
         enum E {\n  option features.enum_type = CLOSED;\n  E_UNSPECIFIED = 0;\n  E_ONE = 1;\n}\n\
         message M {\n  int32 x = 1;\n  E e = 2 [features.field_presence = EXPLICIT];\n}\n",
    )
    .expect("write");
    for format in ["text", "json"] {
        let args = [
            "breaking",
            "proto",
            "--against",
            ".git#branch=main,subdir=proto",
            "--error-format",
            format,
        ];
        let ours = protoforge(root, &args);
        let theirs = buf(root, &args);
        assert_eq!(ours.status.code(), Some(100), "{}", text(&ours.stderr));
        assert_eq!(theirs.status.code(), Some(100), "{}", text(&theirs.stderr));
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{format}");
    }
    let ours = protoforge(
        root,
        &[
            "breaking",
            "proto",
            "--against",
            ".git#branch=main,subdir=proto",
        ],
    );
    assert!(text(&ours.stdout).contains("Enum \"E\" changed from open to closed."));
}

#[test]
fn git_input_errors_are_clear_and_leave_the_repository_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    let schema = repo.join("proto/a.proto");
    std::fs::create_dir_all(schema.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &schema,
        "syntax = \"proto3\";\npackage a.v1;\nmessage A { int32 id = 1; }\n",
    )
    .expect("write");
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "v1"]);
    std::fs::write(
        &schema,
        "syntax = \"proto3\";\npackage a.v1;\nmessage A {}\n",
    )
    .expect("write");
    git(&repo, &["commit", "-q", "-am", "v2"]);
    // A staged change and an unstaged one.
    std::fs::write(
        repo.join("proto/b.proto"),
        "syntax = \"proto3\";\npackage a.v1;\nmessage B {}\n",
    )
    .expect("write");
    git(&repo, &["add", "proto/b.proto"]);
    std::fs::write(
        &schema,
        "syntax = \"proto3\";\npackage a.v1;\nmessage A { string id = 1; }\n",
    )
    .expect("write");
    let shallow = dir.path().join("shallow");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &format!("file://{}", repo.display()),
            "shallow",
        ],
    );
    let not_a_repository = dir.path().join("plain");
    std::fs::create_dir_all(not_a_repository.join("proto")).expect("mkdir");
    std::fs::copy(&schema, not_a_repository.join("proto/a.proto")).expect("copy");

    let state = |root: &Path| {
        let status = Command::new("git")
            .args(["status", "--porcelain"])
            .current_dir(root)
            .output()
            .expect("git");
        let index = std::fs::read(root.join(".git/index")).expect("index");
        (
            text(&status.stdout),
            index,
            std::fs::read(root.join("proto/a.proto")).expect("read"),
        )
    };
    let before = state(&repo);
    let cases: [(&Path, &str, &str); 5] = [
        (
            &repo,
            ".git#branch=nope,subdir=proto",
            "error: git: no commit 'nope' in .git",
        ),
        (&repo, ".git#tag=v9", "error: git: no commit 'v9' in .git"),
        (
            &repo,
            ".git#branch=main,subdir=missing",
            "error: git: no .proto files at main below missing",
        ),
        (
            &shallow,
            ".git#ref=HEAD~1,subdir=proto",
            "error: git: no commit 'HEAD~1' in .git (the clone is shallow: fetch the history it needs, such as `git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout)",
        ),
        (
            &not_a_repository,
            ".git#branch=main,subdir=proto",
            "error: git: .git is not a git repository",
        ),
    ];
    for (root, against, expected) in cases {
        let output = protoforge(root, &["breaking", "proto", "--against", against]);
        // Each error says it is the against side, and which reference.
        let shown = against.replace("branch=", "ref=").replace("tag=", "ref=");
        let expected = format!("error: the against input {shown} failed:\n{expected}");
        assert_eq!(
            output.status.code(),
            Some(1),
            "{against}: {}",
            text(&output.stderr)
        );
        assert_eq!(text(&output.stderr).trim_end(), expected, "{against}");
    }
    // A good reference, read from the dirty repository, changes nothing either.
    let output = protoforge(
        &repo,
        &[
            "breaking",
            "proto",
            "--against",
            ".git#ref=HEAD~1,subdir=proto",
        ],
    );
    assert_eq!(output.status.code(), Some(100), "{}", text(&output.stderr));
    assert!(state(&repo) == before, "the repository changed");
}

/// Editions images (`buf build -o`), proto2 and proto3 among them, compared
/// by their resolved features: the same output as buf's, byte for byte, and
/// the same exit code, for every pair of `codegen/tests/compat_editions`.
#[test]
fn editions_images_print_what_buf_prints() {
    let fixtures = workspace().join("codegen/tests/compat_editions");
    let mut cases: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let scratch = tempfile::tempdir().expect("tempdir");
        for side in ["previous", "current"] {
            let image = scratch.path().join(format!("{side}.binpb"));
            let image = image.to_str().expect("utf-8");
            let built = buf(&case.join(side), &["build", "-o", image]);
            assert!(built.status.success(), "{}", text(&built.stderr));
        }
        let config = case.join("current/buf.yaml");
        let args = [
            "breaking",
            "current.binpb",
            "--against",
            "previous.binpb",
            "--config",
            config.to_str().expect("utf-8"),
        ];
        let ours = protoforge(scratch.path(), &args);
        let theirs = buf(scratch.path(), &args);
        assert_eq!(ours.status.code(), Some(100), "{}", text(&ours.stderr));
        assert_eq!(theirs.status.code(), Some(100), "{}", case.display());
        assert_eq!(
            text(&ours.stdout),
            text(&theirs.stdout),
            "{}",
            case.display()
        );
    }
}

/// FIELD_SAME_DEFAULT as buf reads an absent default: an enum field's
/// default is its enum's first value, compared when that value's number is
/// not zero (a closed enum's), against any other type's zero value too.
#[test]
fn an_enum_fields_implicit_default_is_compared_as_buf_compares_it() {
    let cases = [
        (
            "enum E { A = 1; B = 2; }",
            "optional E a = 1;",
            "enum E { B = 2; }",
            "optional E a = 1;",
        ),
        (
            "enum E { A = 1; }",
            "optional E a = 1;",
            "enum E { A = 1; }",
            "optional string a = 1;",
        ),
        (
            "enum E { A = 1; }",
            "optional int32 a = 1;",
            "enum E { A = 1; }",
            "optional E a = 1;",
        ),
        (
            "enum E { Z = 0; A = 1; }",
            "optional E a = 1;",
            "enum E { Z = 0; A = 1; }",
            "optional bool a = 1;",
        ),
    ];
    for (before_enum, before, after_enum, after) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        for (side, body) in [
            (
                "previous",
                format!("{before_enum}\nmessage M {{ {before} }}\n"),
            ),
            (
                "current",
                format!("{after_enum}\nmessage M {{ {after} }}\n"),
            ),
        ] {
            std::fs::create_dir(dir.path().join(side)).expect("mkdir");
            std::fs::write(
                dir.path().join(side).join("a.proto"),
                format!("syntax = \"proto2\";\npackage a;\n{body}"),
            )
            .expect("write");
            std::fs::write(
                dir.path().join(side).join("buf.yaml"),
                "version: v2\nbreaking:\n  use: [FILE]\n",
            )
            .expect("write");
        }
        let args = ["breaking", "current", "--against", "previous"];
        let ours = protoforge(dir.path(), &args);
        let theirs = buf(dir.path(), &args);
        assert_eq!(
            text(&ours.stdout),
            text(&theirs.stdout),
            "{before} -> {after}"
        );
        assert_eq!(
            ours.status.code(),
            theirs.status.code(),
            "{before} -> {after}"
        );
    }
}
