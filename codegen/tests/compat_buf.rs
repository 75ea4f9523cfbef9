//! The breaking-change checker against buf, the oracle: for every fixture
//! pair under `tests/compat/<case>/{previous,current}` (with the rules the
//! `buf.yaml` of `current` configures, or buf's defaults), buf's findings of
//! the rules protoforge implements equal protoforge's (rule, path, span and
//! message).
//!
//! Editions pairs live under `tests/compat_editions/`: each side is compared
//! as the image `buf build` writes (buf compiles editions), and as a
//! directory once protoforge's own compiler compiles editions (issue 12;
//! until then the directory form is skipped, and says so).

use std::{path::Path, process::Command};

use protoforge_bench::anchors;
use protoforge_codegen::{
    Compiler,
    compat::{Config, Schema, check, input::Input, rules::RULES},
};

#[path = "common/xorshift.rs"]
mod xorshift;
use xorshift::Rng;

fn schema(dir: &Path) -> Schema {
    let compiled = Compiler::new()
        .include_imports(true)
        .include_source_info(true)
        .compile(&[dir])
        .expect("fixture compiles");
    Schema::from_compiled(compiled)
}

/// buf's findings as `rule path:line:col-line:col message`, for the rules
/// protoforge implements.
fn buf_findings(case: &Path) -> Vec<String> {
    let output = Command::new(anchors::buf())
        .current_dir(case)
        .args([
            "breaking",
            "current",
            "--against",
            "previous",
            "--error-format",
            "json",
        ])
        .output()
        .expect("buf runs");
    let implemented: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    let mut findings: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("buf prints JSON lines"))
        .filter(|f| implemented.contains(&f["type"].as_str().unwrap_or_default()))
        .map(|f| {
            format!(
                "{} {}:{}:{}-{}:{} {}",
                f["type"].as_str().unwrap_or_default(),
                f["path"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_start_matches("current/"),
                f["start_line"],
                f["start_column"],
                f["end_line"],
                f["end_column"],
                f["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    findings.sort();
    findings
}

/// The rules of the case's `buf.yaml`, as protoforge reads it; they must be
/// the ones buf lists for it.
fn configured_rules(case: &Path) -> Vec<&'static protoforge_codegen::compat::rules::Rule> {
    let output = Command::new(anchors::buf())
        .current_dir(case.join("current"))
        .args([
            "config",
            "ls-breaking-rules",
            "--configured-only",
            "--format",
            "json",
        ])
        .output()
        .expect("buf runs");
    let mut configured: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("JSON"))
        .map(|rule| rule["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    configured.sort();
    let config = Config::find_in(&case.join("current"))
        .expect("valid buf.yaml")
        .expect("every fixture has a buf.yaml");
    let rules = config.rules();
    let mut ours: Vec<String> = rules.iter().map(|r| r.id.to_owned()).collect();
    ours.sort();
    assert_eq!(
        ours,
        configured,
        "{}: the configured rules differ from buf's",
        case.display()
    );
    rules
}

fn protoforge_findings(case: &Path) -> Vec<String> {
    findings_of(case, schema)
}

/// protoforge's findings on a case, each side loaded by `load`.
fn findings_of(case: &Path, load: impl Fn(&Path) -> Schema) -> Vec<String> {
    let findings = check(
        &load(&case.join("previous")),
        &load(&case.join("current")),
        configured_rules(case),
    );
    described(&findings, |path| path)
}

/// `findings` as `rule path:line:col-line:col message`, sorted, each path
/// shown by `path`.
fn described(
    findings: &[protoforge_codegen::compat::Finding],
    path: impl Fn(&str) -> &str,
) -> Vec<String> {
    let mut text: Vec<String> = findings
        .iter()
        .map(|f| {
            let span = f.span.expect("every finding here has a span");
            format!(
                "{} {}:{}:{}-{}:{} {}",
                f.rule,
                path(f.path.as_deref().unwrap_or_default()),
                span.start_line,
                span.start_column,
                span.end_line,
                span.end_column,
                f.message
            )
        })
        .collect();
    text.sort();
    text
}

/// The fixture pairs under `tests/<dir>`, sorted.
fn cases(dir: &str) -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    cases
}

#[test]
fn every_fixture_agrees_with_buf() {
    for case in cases("compat") {
        let expected = buf_findings(&case);
        assert!(
            !expected.is_empty(),
            "{}: buf finds nothing, the fixture tests nothing",
            case.display()
        );
        assert_eq!(protoforge_findings(&case), expected, "{}", case.display());
    }
}

/// The catalog is buf's: for each configuration version, the same rule IDs
/// with the same categories and purposes as `buf config ls-breaking-rules`
/// lists (protoforge's opt-in WIRE_STRUCTURAL aside).
#[test]
fn the_catalog_is_bufs_in_every_version() {
    use protoforge_codegen::compat::{config::Version, rules::wire_structural::CATEGORY};
    for (name, version) in [
        ("v1beta1", Version::V1Beta1),
        ("v1", Version::V1),
        ("v2", Version::V2),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("buf.yaml"), format!("version: {name}\n")).expect("write");
        let output = Command::new(anchors::buf())
            .current_dir(dir.path())
            .args(["config", "ls-breaking-rules", "--format", "json"])
            .output()
            .expect("buf runs");
        let mut theirs: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("JSON"))
            .map(|rule| format!("{} {} {}", rule["id"], rule["categories"], rule["purpose"]))
            .collect();
        theirs.sort();
        let mut ours: Vec<String> = RULES
            .iter()
            .filter_map(|rule| Some((rule, rule.categories.of(version)?)))
            .filter(|(_, categories)| !categories.contains(&CATEGORY))
            .map(|(rule, categories)| {
                format!(
                    "{} {} {}",
                    serde_json::json!(rule.id),
                    serde_json::json!(categories),
                    serde_json::json!(rule.purpose)
                )
            })
            .collect();
        ours.sort();
        assert!(!theirs.is_empty(), "buf lists no rules for {name}");
        assert_eq!(ours, theirs, "config {name}");
    }
}

/// A side of an editions case as the image `buf build` writes of it.
fn buf_image(dir: &Path) -> Schema {
    let scratch = tempfile::tempdir().expect("tempdir");
    let image = scratch.path().join("image.binpb");
    let output = Command::new(anchors::buf())
        .current_dir(dir)
        .args(["build", "-o"])
        .arg(&image)
        .output()
        .expect("buf runs");
    assert!(
        output.status.success(),
        "buf build {}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    Schema::decode(&std::fs::read(&image).expect("the image")).expect("buf's image decodes")
}

/// proto2, proto3 and editions files compared through their resolved
/// features: every finding buf gives on the pair, from buf's images.
#[test]
fn editions_images_agree_with_buf() {
    for case in cases("compat_editions") {
        let expected = buf_findings(&case);
        assert!(
            !expected.is_empty(),
            "{}: buf finds nothing, the fixture tests nothing",
            case.display()
        );
        assert_eq!(
            findings_of(&case, buf_image),
            expected,
            "{}",
            case.display()
        );
    }
}

/// The same pairs as directories, compiled by protoforge.
#[test]
fn editions_directories_agree_with_buf() {
    for case in cases("compat_editions") {
        let expected = buf_findings(&case);
        assert_eq!(protoforge_findings(&case), expected, "{}", case.display());
    }
}

/// One file of the drawn family: a proto2 or proto3 file of the same
/// shape (a quarter of the time each), else an editions one, every slot a
/// feature setting (or none) that protoc accepts whatever the others are.
fn draw_editions_file(package: &str, rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => return draw_legacy_file(package, "proto2", rng),
        1 => return draw_legacy_file(package, "proto3", rng),
        _ => {}
    }
    let edition = rng.pick(&["2023", "2024"]);
    let file = rng.pick(&[
        "",
        "option features.utf8_validation = NONE;",
        "option features.enum_type = CLOSED;",
        "option features.repeated_field_encoding = EXPANDED;",
        "option features.json_format = LEGACY_BEST_EFFORT;",
        "option features.(pb.cpp).string_type = CORD;",
        "option features.(pb.java).utf8_validation = VERIFY;",
    ]);
    let presence = [
        "",
        " [features.field_presence = IMPLICIT]",
        " [features.field_presence = EXPLICIT]",
        " [features.field_presence = LEGACY_REQUIRED]",
    ];
    let a = rng.pick(&presence);
    let s = rng.pick(&[
        "",
        " [features.field_presence = IMPLICIT]",
        " [features.utf8_validation = NONE]",
        " [features.utf8_validation = VERIFY]",
        " [features.(pb.cpp).string_type = CORD]",
        " [features.(pb.cpp).string_type = STRING]",
        " [features.(pb.java).utf8_validation = VERIFY]",
    ]);
    let r = rng.pick(&[
        "",
        " [features.repeated_field_encoding = PACKED]",
        " [features.repeated_field_encoding = EXPANDED]",
    ]);
    let n = rng.pick(&[
        "",
        " [features.message_encoding = DELIMITED]",
        " [features.message_encoding = LENGTH_PREFIXED]",
        " [features.field_presence = LEGACY_REQUIRED]",
    ]);
    let b = rng.pick(&["", " [features.(pb.cpp).string_type = CORD]"]);
    let os = rng.pick(&["", " [features.utf8_validation = NONE]"]);
    let json = [
        "",
        "option features.json_format = LEGACY_BEST_EFFORT;",
        "option features.json_format = ALLOW;",
    ];
    let m = rng.pick(&json);
    let nm = rng.pick(&json);
    let e = rng.pick(&[
        "",
        "option features.enum_type = CLOSED;",
        "option features.enum_type = OPEN;",
        "option features.json_format = LEGACY_BEST_EFFORT;",
    ]);
    format!(
        "edition = \"{edition}\";\npackage {package};\n\
         import \"google/protobuf/cpp_features.proto\";\n\
         import \"google/protobuf/java_features.proto\";\n{file}\n\
         message M {{\n  {m}\n  int32 a = 1{a};\n  string s = 2{s};\n  repeated int32 r = 3{r};\n  \
         N n = 4{n};\n  bytes b = 5{b};\n  oneof o {{ string os = 6{os}; }}\n  \
         map<string, int32> mp = 7;\n  repeated string rs = 8;\n  E e = 9;\n}}\n\
         message N {{\n  {nm}\n  int32 x = 1;\n}}\n\
         enum E {{\n  {e}\n  E_ZERO = 0;\n  E_ONE = 1;\n}}\n"
    )
}

/// A proto2 or proto3 file of the drawn family's shape.
fn draw_legacy_file(package: &str, syntax: &str, rng: &mut Rng) -> String {
    let proto2 = syntax == "proto2";
    let label = if proto2 {
        rng.pick(&["optional ", "required "])
    } else {
        rng.pick(&["", "optional "])
    };
    let singular = if proto2 { "optional " } else { "" };
    let file = if proto2 {
        rng.pick(&["", "option java_string_check_utf8 = true;"])
    } else {
        ""
    };
    let s = rng.pick(&["", " [ctype = CORD]"]);
    let r = rng.pick(&["", " [packed = true]", " [packed = false]"]);
    let n = if proto2 {
        rng.pick(&["optional", "required"])
    } else {
        "optional"
    };
    format!(
        "syntax = \"{syntax}\";\npackage {package};\n{file}\n\
         message M {{\n  {label}int32 a = 1;\n  {singular}string s = 2{s};\n  \
         repeated int32 r = 3{r};\n  {n} N n = 4;\n  {singular}bytes b = 5;\n  \
         oneof o {{ string os = 6; }}\n  map<string, int32> mp = 7;\n  \
         repeated string rs = 8;\n  {singular}E e = 9;\n}}\n\
         message N {{\n  {singular}int32 x = 1;\n}}\n\
         enum E {{\n  E_ZERO = 0;\n  E_ONE = 1;\n}}\n"
    )
}

/// The differential test on editions: random pairs of the drawn family
/// (proto2, proto3, edition 2023 or 2024, each slot's feature setting drawn
/// on both sides),
/// all in one buf run, each pair in its own package and directory; buf's
/// findings from the directories equal protoforge's from buf's images.
/// `PROTOFORGE_DIFF_CASES=N` draws N pairs (default 40), and
/// `PROTOFORGE_DIFF_SEED` moves the seed.
#[test]
fn drawn_editions_pairs_agree_with_buf() {
    let cases: usize = std::env::var("PROTOFORGE_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let seed: u64 = std::env::var("PROTOFORGE_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(13);
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let case = tempfile::tempdir().expect("tempdir");
    for side in ["previous", "current"] {
        std::fs::create_dir_all(case.path().join(side)).expect("mkdir");
        std::fs::write(
            case.path().join(side).join("buf.yaml"),
            "version: v2\nbreaking:\n  use:\n    - FILE\n    - WIRE\n    - WIRE_JSON\n",
        )
        .expect("write");
    }
    for n in 0..cases {
        for side in ["previous", "current"] {
            let dir = case.path().join(side).join(format!("c{n}"));
            std::fs::create_dir_all(&dir).expect("mkdir");
            let text = draw_editions_file(&format!("c{n}"), &mut rng);
            std::fs::write(dir.join("a.proto"), text).expect("write");
        }
    }
    let expected = buf_findings(case.path());
    assert!(!expected.is_empty(), "buf finds nothing in {cases} pairs");
    assert_eq!(findings_of(case.path(), buf_image), expected);
}

/// buf counts columns as a terminal shows the line (wide characters 2,
/// combining marks 0, tabs to the next multiple of 4), where source info
/// counts bytes: after non-ASCII text or a tab, `breaking` on directories
/// prints buf's columns (`tests/compat_columns`).
#[test]
fn columns_after_non_ascii_and_tabs_agree_with_buf() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat_columns");
    let expected = buf_findings(&case);
    assert!(expected.len() > 5, "{expected:#?}");
    let findings = protoforge_codegen::compat::run(
        &Input::Dir(case.join("current")),
        &Input::Dir(case.join("previous")),
        &Default::default(),
    )
    .expect("both sides compile");
    let found = described(&findings, |path| {
        path.rsplit('/').next().unwrap_or_default()
    });
    assert_eq!(found, expected);
}
