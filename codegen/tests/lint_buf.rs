//! The linter against buf, the oracle: the catalog of every config version,
//! the rules each configuration selects, and the findings (rule, path,
//! span, message) on the fixtures under `tests/lint/` with every category
//! of every config version, every option of the `lint:` block and comment
//! ignores. The `catalog` fixture triggers every rule buf reports.

use std::{collections::BTreeSet, path::Path, process::Command};

use protoforge_bench::anchors;
use protoforge_codegen::{
    compat::{self, config::Version, input::Input},
    lint::{self, rules},
};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/lint")
        .join(name)
}

fn buf(dir: &Path, args: &[&str]) -> (String, i32) {
    let output = Command::new(anchors::buf())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("buf runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("buf prints JSON lines"))
        .collect()
}

/// buf's findings as `RULE path:line:col-line:col message`, and its exit
/// code.
fn buf_findings(dir: &Path, config: Option<&str>) -> (Vec<String>, i32) {
    let mut args = vec![];
    if let Some(config) = config {
        args.extend(["--config", config]);
    }
    buf_findings_with(dir, &args)
}

fn buf_findings_with(dir: &Path, more: &[&str]) -> (Vec<String>, i32) {
    let mut args = vec!["lint", "--error-format", "json"];
    args.extend(more);
    let (stdout, code) = buf(dir, &args);
    let findings = json_lines(&stdout)
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}-{}:{} {}",
                f["type"].as_str().unwrap_or_default(),
                f["path"].as_str().unwrap_or_default(),
                f["start_line"],
                f["start_column"],
                f["end_line"],
                f["end_column"],
                f["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    (findings, code)
}

fn protoforge_findings(dir: &Path, config: Option<&str>) -> Vec<String> {
    let options = lint::Options {
        config: config.map(|text| compat::Config::parse(text, "--config").expect("valid config")),
        ..Default::default()
    };
    protoforge_findings_with(dir, &options)
}

fn protoforge_findings_with(dir: &Path, options: &lint::Options) -> Vec<String> {
    let linted = lint::run(&Input::Dir(dir.to_owned()), options).expect("lints");
    let prefix = format!("{}/", dir.display());
    linted
        .shown_findings()
        .iter()
        .map(|f| {
            let span = f.span.expect("every finding has a span");
            format!(
                "{} {}:{}:{}-{}:{} {}",
                f.rule,
                f.path
                    .as_deref()
                    .unwrap_or_default()
                    .trim_start_matches(&prefix),
                span.start_line,
                span.start_column,
                span.end_line,
                span.end_column,
                f.message
            )
        })
        .collect()
}

fn version_name(version: Version) -> &'static str {
    match version {
        Version::V1Beta1 => "v1beta1",
        Version::V1 => "v1",
        Version::V2 => "v2",
    }
}

const VERSIONS: [Version; 3] = [Version::V1Beta1, Version::V1, Version::V2];

/// Every category of `version`.
fn categories(version: Version) -> BTreeSet<&'static str> {
    rules::all()
        .filter_map(|rule| rule.categories.of(version))
        .flatten()
        .copied()
        .collect()
}

/// The configurations the `catalog` fixture is linted with (besides its
/// own buf.yaml): every category of every version, every rule at once, and
/// each option of the `lint:` block.
fn configurations() -> Vec<String> {
    let mut configs = Vec::new();
    for version in VERSIONS {
        for category in categories(version) {
            configs.push(format!(
                "{{\"version\":\"{}\",\"lint\":{{\"use\":[\"{category}\"]}}}}",
                version_name(version)
            ));
        }
        let every: Vec<String> = rules::all()
            .filter(|rule| rule.categories.of(version).is_some())
            .map(|rule| format!("\"{}\"", rule.id))
            .collect();
        let comments = match version {
            Version::V2 => "",
            _ => ",\"allow_comment_ignores\":true",
        };
        configs.push(format!(
            "{{\"version\":\"{}\",\"lint\":{{\"use\":[{}]{comments}}}}}",
            version_name(version),
            every.join(",")
        ));
    }
    configs.extend(
        [
            "version: v2\nlint:\n  use: [STANDARD, COMMENTS]\n  disallow_comment_ignores: true\n  \
             enum_zero_value_suffix: _NONE\n  service_suffix: API\n  \
             rpc_allow_same_request_response: true\n  except: [FIELD_LOWER_SNAKE_CASE, COMMENTS]\n  \
             ignore: [d/x.proto, cyc]\n  ignore_only:\n    BASIC: [a]\n    \
             PACKAGE_DIRECTORY_MATCH: [root.proto, d]\n",
            "version: v2\nlint:\n  use: [STANDARD]\n  rpc_allow_google_protobuf_empty_requests: true\n",
            "version: v2\nlint:\n  use: [STANDARD]\n  rpc_allow_google_protobuf_empty_responses: true\n",
            "version: v2\nlint:\n  use: [STANDARD]\n  rpc_allow_google_protobuf_empty_requests: true\n  \
             rpc_allow_google_protobuf_empty_responses: true\n",
            "version: v1\nlint:\n  use: [DEFAULT, UNARY_RPC]\n  allow_comment_ignores: true\n  \
             ignore_only:\n    ENUM_VALUE_PREFIX: [foo/v1/foo.proto]\n    BASIC: [n]\n",
            "version: v1beta1\nlint:\n  use: [STYLE_STANDARD, SENSIBLE]\n  except: [ENUM_VALUE_PREFIX]\n  \
             ignore: [x/Bad.proto]\n",
        ]
        .map(str::to_owned),
    );
    configs
}

#[test]
fn catalogs_match_buf() {
    for version in VERSIONS {
        let (stdout, _) = buf(
            &fixture("plain"),
            &[
                "config",
                "ls-lint-rules",
                "--version",
                version_name(version),
                "--include-deprecated",
                "--format",
                "json",
            ],
        );
        let theirs: BTreeSet<String> = json_lines(&stdout)
            .iter()
            .map(|rule| {
                format!(
                    "{} {} {} {}",
                    rule["id"].as_str().unwrap_or_default(),
                    rule["categories"],
                    rule["deprecated"],
                    rule["purpose"].as_str().unwrap_or_default()
                )
            })
            .collect();
        let ours: BTreeSet<String> = rules::all()
            .filter_map(|rule| {
                let categories = rule.categories.of(version)?;
                Some(format!(
                    "{} {} {} {}",
                    rule.id,
                    serde_json::json!(categories),
                    rule.deprecated,
                    rule.purpose
                ))
            })
            .collect();
        assert_eq!(
            ours,
            theirs,
            "the {} catalog differs",
            version_name(version)
        );
    }
}

#[test]
fn configured_rules_match_buf() {
    for config in configurations() {
        let (stdout, code) = buf(
            &fixture("plain"),
            &[
                "config",
                "ls-lint-rules",
                "--configured-only",
                "--config",
                &config,
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 0, "{config}");
        let theirs: BTreeSet<String> = json_lines(&stdout)
            .iter()
            .map(|rule| rule["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        let module = compat::Config::parse(&config, "--config").expect("valid");
        let ours: BTreeSet<String> = module
            .lint
            .rules()
            .iter()
            .map(|rule| rule.id.to_owned())
            .collect();
        assert_eq!(ours, theirs, "{config}");
    }
}

#[test]
fn every_configuration_agrees_with_buf() {
    let mut fired = BTreeSet::new();
    let catalog = fixture("catalog");
    let runs = std::iter::once(None)
        .chain(configurations().into_iter().map(Some))
        .map(|config| (catalog.clone(), config))
        .chain([(fixture("modules"), None), (fixture("plain"), None)]);
    for (dir, config) in runs {
        let (expected, code) = buf_findings(&dir, config.as_deref());
        let found = protoforge_findings(&dir, config.as_deref());
        assert_eq!(
            found,
            expected,
            "{} with {}",
            dir.display(),
            config.as_deref().unwrap_or("its buf.yaml")
        );
        assert_eq!(code, if expected.is_empty() { 0 } else { 100 });
        fired.extend(
            expected
                .iter()
                .filter_map(|f| f.split(' ').next().map(str::to_owned)),
        );
    }
    // Every rule fires somewhere, but the two that find nothing here:
    // IMPORT_NO_WEAK (buf 1.75 reports nothing for it) and PROTOVALIDATE
    // (see `protovalidate_agrees_with_buf`).
    let silent: BTreeSet<String> = rules::all()
        .map(|rule| rule.id.to_owned())
        .filter(|id| !fired.contains(id))
        .collect();
    assert_eq!(
        silent,
        BTreeSet::from(["IMPORT_NO_WEAK".to_owned(), "PROTOVALIDATE".to_owned()])
    );
}

/// buf counts columns as a terminal shows the line (wide characters 2,
/// combining marks 0, tabs to the next multiple of 4), where source info
/// counts bytes: the `columns` fixture puts non-ASCII comments, strings and
/// tabs before and inside findings' spans.
#[test]
fn columns_agree_with_buf() {
    let dir = fixture("columns");
    let (expected, code) = buf_findings(&dir, None);
    assert_eq!(code, 100);
    assert!(expected.len() > 30, "{expected:#?}");
    assert_eq!(protoforge_findings(&dir, None), expected);
}

/// buf's compiler attaches no leading comment to an element when a comment
/// sits before it on the line it starts on (protoc attaches that comment):
/// the COMMENT_* rules and `buf:lint:ignore` comments follow buf's.
#[test]
fn same_line_comments_agree_with_buf() {
    let dir = fixture("same_line_comments");
    let (expected, code) = buf_findings(&dir, None);
    assert_eq!(code, 100);
    assert!(expected.len() > 10, "{expected:#?}");
    assert_eq!(protoforge_findings(&dir, None), expected);
}

/// PROTOVALIDATE on the `protovalidate` fixture: a workspace of the
/// rules' module and buf/validate/validate.proto (protovalidate 2.1.0's,
/// Apache-2.0, vendored with its licence). Every finding is buf's, to the
/// column, but in `c.proto`: there the rules are aggregate values, whose
/// inside buf's source info records and protoforge's does not, so those
/// findings are compared by file, line and message.
#[test]
fn protovalidate_agrees_with_buf() {
    let dir = fixture("protovalidate");
    let (expected, code) = buf_findings(&dir, None);
    let found = protoforge_findings(&dir, None);
    assert_eq!(code, 100);
    let exact = |findings: &[String]| -> Vec<String> {
        findings
            .iter()
            .filter(|f| !f.contains(" proto/c.proto:"))
            .cloned()
            .collect()
    };
    assert_eq!(exact(&found), exact(&expected));
    let by_line = |findings: &[String]| -> BTreeSet<String> {
        findings
            .iter()
            .filter(|f| f.contains(" proto/c.proto:"))
            .map(|f| {
                let (place, message) = f
                    .split_once(' ')
                    .expect("rule")
                    .1
                    .split_once(' ')
                    .expect("place");
                let line = place.split(':').take(2).collect::<Vec<_>>().join(":");
                format!("{line} {message}")
            })
            .collect()
    };
    assert!(!by_line(&expected).is_empty());
    assert_eq!(by_line(&found), by_line(&expected));
    assert!(exact(&expected).len() > 60, "the fixture covers the checks");
}

/// What protoforge cannot check as buf does stops the lint with an error
/// that names it and says how to lint the rest: never a silent pass.
#[test]
fn protovalidate_refuses_what_it_cannot_check() {
    let cases = [
        // A syntax error ANTLR's recovery words, the strings extension's
        // `strings.quote`, message construction, a character CEL does not
        // know.
        "message M { string s = 1 [(buf.validate.field).cel = {id: \"x\", expression: \"this.size() > * 1 >> 2\"}]; }",
        "message M { string s = 1 [(buf.validate.field).cel_expression = \"strings.quote(this) != ''\"]; }",
        "message M { option (buf.validate.message).cel = {id: \"x\", expression: \"a.M{} == this\"}; string s = 1; }",
        // Examples buf words with formatting protoforge does not model
        // (infinite bounds, bytes), or beside rules it does not evaluate.
        "message M { double s = 1 [(buf.validate.field).double.example = 3, (buf.validate.field).double.gt = inf]; }",
        "message M { bytes s = 1 [(buf.validate.field).bytes.example = \"a\", (buf.validate.field).bytes.in = \"\\xff\"]; }",
        "message M { string s = 1 [(buf.validate.field).string.example = \"a\", (buf.validate.field).string.email = true]; }",
        "message M { string s = 1 [(buf.validate.field).string.example = \"a\", (buf.validate.field).cel = {id: \"x\", expression: \"this != ''\"}]; }",
        // An example where buf 1.75 panics.
        "message M { map<string, E> m = 1 [(buf.validate.field).map.values.enum.example = 1]; } enum E { E_A = 0; E_B = 1; }",
        // A Unicode class Go may name otherwise than protoforge knows.
        "message M { string s = 1 [(buf.validate.field).string.pattern = \"\\\\p{Letter}\"]; }",
        "message M { repeated string s = 1 [(buf.validate.field).repeated.items.cel = {id: \"x\", expression: \"this # 1\"}]; }",
        // A predefined rule with optional syntax (extending a rules message takes
        // proto2 or editions: protoc allows proto3 extensions of options
        // messages only).
        "extend buf.validate.Int32Rules { optional bool shown = 1161 [(buf.validate.predefined).cel = {id: \"shown\", expression: \"this.?x\"}]; }",
    ];
    let vendor = fixture("protovalidate").join("vendor/buf/validate/validate.proto");
    for case in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("buf/validate")).expect("mkdir");
        std::fs::copy(&vendor, dir.path().join("buf/validate/validate.proto")).expect("copy");
        std::fs::write(
            dir.path().join("a.proto"),
            format!(
                "syntax = \"{}\";\nimport \"buf/validate/validate.proto\";\n{case}\n",
                if case.starts_with("extend") {
                    "proto2"
                } else {
                    "proto3"
                }
            ),
        )
        .expect("write");
        let config = |text: &str| lint::Options {
            config: Some(compat::Config::parse(text, "--config").expect("valid")),
            ..Default::default()
        };
        let only = config("version: v2\nlint:\n  use: [PROTOVALIDATE]\n");
        let err = lint::run(&Input::Dir(dir.path().to_owned()), &only).expect_err(case);
        assert!(err.to_string().contains("except"), "{case}: {err}");
        let except = config(
            "version: v2\nlint:\n  use: [PROTOVALIDATE, FILE_LOWER_SNAKE_CASE]\n  except: [PROTOVALIDATE]\n",
        );
        lint::run(&Input::Dir(dir.path().to_owned()), &except).expect(case);
    }
}

/// `--path` and `--exclude-path` select the files linted as buf's do (the
/// rules across files see only the selected ones, as buf's), and the same
/// path for both is refused, as buf refuses it.
#[test]
fn paths_agree_with_buf() {
    let dir = fixture("catalog");
    let cases: [(&[&str], &[&str]); 4] = [
        (&["a"], &[]),
        (&["foo", "n"], &[]),
        (&[], &["foo"]),
        (&["stable", "root.proto"], &["stable/v1/use.proto"]),
    ];
    for (paths, excludes) in cases {
        let mut args = Vec::new();
        for path in paths {
            args.extend(["--path", path]);
        }
        for path in excludes {
            args.extend(["--exclude-path", path]);
        }
        let (expected, code) = buf_findings_with(&dir, &args);
        assert_eq!(code, 100, "{args:?}");
        let on_disk = |names: &[&str]| -> Vec<String> {
            names
                .iter()
                .map(|name| dir.join(name).display().to_string())
                .collect()
        };
        let options = lint::Options {
            paths: on_disk(paths),
            exclude_paths: on_disk(excludes),
            ..Default::default()
        };
        assert_eq!(
            protoforge_findings_with(&dir, &options),
            expected,
            "{args:?}"
        );
    }
    let (_, code) = buf(&dir, &["lint", "--path", "a", "--exclude-path", "a"]);
    assert_eq!(code, 1);
    let both = lint::Options {
        paths: vec![dir.join("a").display().to_string()],
        exclude_paths: vec![dir.join("a").display().to_string()],
        ..Default::default()
    };
    let err = lint::run(&Input::Dir(dir.clone()), &both).expect_err("refused");
    assert!(
        err.to_string()
            .contains("cannot set the same path for both --path and --exclude-path: \"a\""),
        "{err}"
    );
}

/// A `buf.yaml` read as buf's Go `yaml.v3` reads it: buf and protoforge
/// refuse the same configurations (the second column says what buf 1.75
/// does), and select the same rules from the others. Constructs
/// protoforge refuses that buf takes (`? ` keys, a second document, and a
/// key written twice in JSON given inline to `--config`, which buf reads
/// with Go's JSON decoder) are left out: refusing them is protoforge's
/// choice, documented in `codegen/src/yaml/mod.rs`.
#[test]
fn yaml_is_read_as_buf_reads_it() {
    let dir = fixture("plain");
    for (config, accepted) in [
        // Booleans: YAML 1.2's and, plain or quoted, YAML 1.1's.
        (
            "version: v2\nlint:\n  rpc_allow_same_request_response: yes\n",
            true,
        ),
        (
            "version: v2\nlint:\n  rpc_allow_same_request_response: \"yes\"\n",
            true,
        ),
        (
            "version: v2\nlint:\n  rpc_allow_same_request_response: True\n",
            true,
        ),
        (
            "version: v2\nlint:\n  rpc_allow_same_request_response: off\n",
            true,
        ),
        (
            "version: v2\nlint:\n  rpc_allow_same_request_response: ~\n",
            true,
        ),
        (
            "version: v2\nlint:\n  rpc_allow_same_request_response: \"true\"\n",
            false,
        ),
        (
            "version: v2\nlint:\n  rpc_allow_same_request_response: tRue\n",
            false,
        ),
        (
            "version: v2\nlint:\n  rpc_allow_same_request_response: 1\n",
            false,
        ),
        // Strings and lists of them.
        ("version: v2\nlint:\n  use: [1]\n", false),
        ("version: v2\nlint:\n  use: [null]\n", true),
        ("version: v2\nlint:\n  use: [\"\"]\n", true),
        ("version: v2\nlint:\n  use: [MINIMAL, ~]\n", true),
        ("version: v2\nlint:\n  use: ~\n", true),
        ("version: v2\nlint:\n  use: MINIMAL\n", false),
        ("version: v2\nlint:\n  use: [[MINIMAL]]\n", false),
        ("version: v2\nlint:\n  use: [!!str MINIMAL]\n", true),
        ("version: v2\nlint:\n  use: [!foo MINIMAL]\n", false),
        ("version: \"v2\"\nlint:\n  use: ['MINIMAL']\n", true),
        // Blocks.
        ("version: v2\nlint: ~\n", true),
        ("version: v2\nlint: []\n", false),
        ("version: v2\nlint: x\n", false),
        ("version: v2\nlint:\n  use: [MINIMAL]\n  nope: 1\n", false),
        (
            "version: v2\nlint:\n  use: [MINIMAL]\n  use: [BASIC]\n",
            false,
        ),
        ("version: ~\n", false),
        ("version: 2\n", false),
        // Every block refuses a key buf does not know, on every command.
        ("version: v1\nfoo: 1\n", false),
        ("version: v1beta1\nfoo: 1\n", false),
        ("version: v2\nfoo: 1\n", false),
        ("version: v1\nbuild:\n  foo: 1\n", false),
        ("version: v1beta1\nbuild:\n  roots: [.]\n  foo: 1\n", false),
        ("version: v2\nbuild:\n  excludes: []\n", false),
        ("version: v1\nbreaking:\n  foo: 1\n", false),
        (
            "version: v2\nbreaking:\n  ignore_unstable_package: true\n",
            false,
        ),
        ("version: v2\nmodules:\n  - path: .\n    foo: 1\n", false),
        (
            "version: v2\nmodules:\n  - path: .\n    breaking:\n      foo: 1\n",
            false,
        ),
        (
            "version: v2\nmodules:\n  - path: .\n    lint:\n      foo: 1\n",
            false,
        ),
        (
            "version: v2\nname: buf.build/a/b\ndeps: []\nplugins: []\npolicies: []\nbreaking:\n  use: [FILE]\n  ignore_unstable_packages: true\n  disable_builtin: false\n",
            true,
        ),
        (
            "version: v1\nname: buf.build/a/b\ndeps: []\nbuild:\n  excludes: []\n",
            true,
        ),
        (
            "version: v2\nmodules:\n  - path: .\n    name: buf.build/a/b\n    excludes: []\n",
            true,
        ),
        // YAML's own constructs.
        (
            "version: v2\nlint:\n  use: [MINIMAL]\n  <<: {except: [PACKAGE_DEFINED]}\n",
            true,
        ),
        ("version: v2\nlint: {use: &a [MINIMAL], ignore: *a}\n", true),
        (
            "version: v2\nlint:\n  use:\n  - MINIMAL # the least\n  - COMMENTS\n...\n",
            true,
        ),
        (
            "---\nversion: v2\nlint:\n  use: [BASIC,\n    COMMENTS]\n",
            true,
        ),
        (
            "version: v2\nlint:\n  service_suffix: |-\n    API\n  use: [\"\\x4dINIMAL\"]\n",
            true,
        ),
        ("version: v2\nlint:\n\tuse: [MINIMAL]\n", false),
        ("version: v2\nlint:\n  use:\n  -\tMINIMAL\n", false),
        ("%YAML 1.2\n---\nversion: v2\n", false),
    ] {
        let (stdout, code) = buf(
            &dir,
            &[
                "config",
                "ls-lint-rules",
                "--configured-only",
                "--config",
                config,
                "--format",
                "json",
            ],
        );
        assert_eq!(code == 0, accepted, "buf 1.75 on {config:?}");
        let ours = compat::Config::parse(config, "--config")
            .map_err(|err| err.to_string())
            .map(|module| module.lint);
        assert_eq!(ours.is_ok(), accepted, "{config:?}: {ours:?}");
        if let Ok(ours) = ours {
            let theirs: BTreeSet<String> = json_lines(&stdout)
                .iter()
                .map(|rule| rule["id"].as_str().unwrap_or_default().to_owned())
                .collect();
            let ours: BTreeSet<String> = ours.rules().iter().map(|r| r.id.to_owned()).collect();
            assert_eq!(ours, theirs, "{config:?}");
        }
    }
}
