//! `protoforge lint` as a user runs it, against buf on the same inputs:
//! every output format byte for byte (GitLab's fingerprints included; but
//! SARIF, which buf lacks), `config-ignore-yaml` and its round trip, inputs given
//! as a path, an image or a git reference, `--config`, and the exit codes.

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

const CATALOG: &str = "codegen/tests/lint/catalog";

#[test]
fn every_format_prints_what_buf_prints() {
    let root = workspace();
    for format in [
        "text",
        "json",
        "github-actions",
        "msvs",
        "junit",
        "gitlab-code-quality",
        "config-ignore-yaml",
    ] {
        let args = ["lint", CATALOG, "--error-format", format];
        let ours = protoforge(&root, &args);
        let theirs = buf(&root, &args);
        assert_eq!(
            ours.status.code(),
            Some(100),
            "{format}: {}",
            text(&ours.stderr)
        );
        assert_eq!(theirs.status.code(), Some(100), "{format}");
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{format}");
    }
}

#[test]
fn sarif_carries_every_finding() {
    let root = workspace();
    let json = protoforge(&root, &["lint", CATALOG, "--error-format", "json"]);
    let findings = text(&json.stdout).lines().count();
    let output = protoforge(&root, &["lint", CATALOG, "--error-format", "sarif"]);
    assert_eq!(output.status.code(), Some(100));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let run = &sarif["runs"][0];
    assert_eq!(run["results"].as_array().expect("results").len(), findings);
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(
        rules.iter().any(|rule| rule["id"] == "ENUM_VALUE_PREFIX"
            && rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("prefixed"))),
        "lint rules are described"
    );
}

/// GitLab's report byte for byte, fingerprints included, where Go's JSON
/// escapes (`<`, `&`, `>` in a directory name, hence in paths and
/// messages) and beside non-ASCII; nothing at all without findings.
#[test]
fn gitlab_reports_are_bufs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("x<&>\u{e9}/a.proto");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    let proto =
        "syntax = \"proto3\";\npackage a;\n// \u{e9}t\u{e9} \u{65e5}\nmessage m { int32 X = 1; }\n";
    std::fs::write(&file, proto).expect("write");
    std::fs::write(dir.path().join("buf.yaml"), "version: v2\n").expect("write");
    let quiet = "{\"version\":\"v2\",\"lint\":{\"use\":[\"ENUM_NO_ALLOW_ALIAS\"]}}";
    for (config, code) in [(None, 100), (Some(quiet), 0)] {
        for format in ["gitlab-code-quality", "junit"] {
            let mut args = vec!["lint", "--error-format", format];
            args.extend(config.iter().flat_map(|c| ["--config", c]));
            let ours = protoforge(dir.path(), &args);
            let theirs = buf(dir.path(), &args);
            assert_eq!(ours.status.code(), Some(code), "{}", text(&ours.stderr));
            assert_eq!(theirs.status.code(), Some(code), "{format}");
            assert_eq!(
                text(&ours.stdout),
                text(&theirs.stdout),
                "{format} {config:?}"
            );
        }
    }
}

/// The `ignore_only` block buf prints silences every finding, for buf and
/// for protoforge: how a team adopts lint on an old schema.
#[test]
fn config_ignore_yaml_silences_every_finding() {
    let root = workspace();
    let dir = root.join(CATALOG);
    let printed = protoforge(&dir, &["lint", "--error-format", "config-ignore-yaml"]);
    assert_eq!(printed.status.code(), Some(100));
    let block = text(&printed.stdout);
    // buf heads the block `version: v1` whatever the configuration; the
    // fixture's is v2, with v2-only rules among the ignored.
    let own = std::fs::read_to_string(dir.join("buf.yaml")).expect("buf.yaml");
    let use_line = own.lines().find(|l| l.contains("use:")).expect("use");
    let config = block
        .replacen("version: v1\n", "version: v2\n", 1)
        .replacen("lint:\n", &format!("lint:\n{use_line}\n"), 1);
    for tool in ["protoforge", "buf"] {
        let output = if tool == "buf" {
            buf(&dir, &["lint", "--config", &config])
        } else {
            protoforge(&dir, &["lint", "--config", &config])
        };
        assert_eq!(
            output.status.code(),
            Some(0),
            "{tool}: {}",
            text(&output.stdout)
        );
    }
}

#[test]
fn images_and_git_references_are_inputs() {
    let root = workspace();
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("image.binpb");
    let image = image.to_str().expect("utf-8");
    let built = buf(&root.join(CATALOG), &["build", "-o", image]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let config = "{\"version\":\"v1\",\"lint\":{\"use\":[\"STANDARD\",\"COMMENTS\"]}}";
    let args = ["lint", image, "--config", config, "--error-format", "json"];
    let ours = protoforge(&root, &args);
    let theirs = buf(&root, &args);
    assert_eq!(ours.status.code(), Some(100), "{}", text(&ours.stderr));
    assert_eq!(text(&ours.stdout), text(&theirs.stdout));

    // The committed fixture at HEAD, read from git objects.
    let reference = format!(".git#ref=HEAD,subdir={CATALOG}");
    let from_git = protoforge(&root, &["lint", &reference]);
    let from_dir = protoforge(&root, &["lint", CATALOG]);
    assert_eq!(
        from_git.status.code(),
        Some(100),
        "{}",
        text(&from_git.stderr)
    );
    assert_eq!(text(&from_git.stdout), text(&from_dir.stdout));
}

#[test]
fn exit_codes() {
    let root = workspace();
    let clean = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(clean.path().join("a/v1")).expect("mkdir");
    std::fs::write(
        clean.path().join("a/v1/a.proto"),
        "syntax = \"proto3\";\n\npackage a.v1;\n\nmessage Thing {}\n",
    )
    .expect("write");
    let ok = protoforge(clean.path(), &["lint"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(ok.stdout.is_empty());
    assert_eq!(buf(clean.path(), &["lint"]).status.code(), Some(0));

    let bad_format = protoforge(&root, &["lint", CATALOG, "--error-format", "xml"]);
    assert_eq!(bad_format.status.code(), Some(2));
    let bad_config = protoforge(
        &root,
        &[
            "lint",
            CATALOG,
            "--config",
            "version: v2\nlint:\n  use: [NOPE]\n",
        ],
    );
    assert_eq!(bad_config.status.code(), Some(1));
    assert!(text(&bad_config.stderr).contains("unknown rule or category 'NOPE'"));
    let missing = protoforge(&root, &["lint", "no/such/dir"]);
    assert_eq!(missing.status.code(), Some(1));

    let help = protoforge(&root, &["lint", "--help"]);
    assert!(text(&help.stdout).contains("100  findings"));
}
