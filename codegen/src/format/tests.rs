//! The fixtures in `fixtures/` cover every construct; each `NAME.golden` is
//! what `buf format` 1.75 writes for `NAME.proto` (regenerate with
//! `for f in *.proto; do buf format $f > ${f%.proto}.golden; done`; the
//! CLI's differential test checks them against a live buf in CI).

use std::{collections::BTreeMap, path::Path};

use super::format;

fn fixtures() -> Vec<(String, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/format/fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "proto") {
            let source = std::fs::read_to_string(&path).expect("fixture");
            let golden =
                std::fs::read_to_string(path.with_extension("golden")).expect("golden file");
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            out.push((name, source, golden));
        }
    }
    out.sort();
    assert!(out.len() >= 6, "fixtures missing in {}", dir.display());
    out
}

#[test]
fn fixtures_format_as_buf_does() {
    let mut failures = Vec::new();
    for (name, source, golden) in fixtures() {
        let formatted = format(&source).unwrap_or_else(|e| panic!("{name}: {e}"));
        if formatted != golden {
            failures.push(format!(
                "{name}:\n{}",
                super::unified_diff(&golden, &formatted, "buf", "protoforge")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn formatting_is_idempotent() {
    for (name, source, _) in fixtures() {
        let once = format(&source).expect("formats");
        let twice = format(&once).expect("formats again");
        assert_eq!(once, twice, "{name}: formatting the output changed it");
    }
}

/// The descriptor set of the formatted file equals the original's (source
/// info aside), for the fixtures the compiler accepts (proto2 and proto3).
#[test]
fn formatting_keeps_the_meaning() {
    let mut compared = 0;
    for (name, source, _) in fixtures() {
        if source.contains("edition") {
            continue;
        }
        let formatted = format(&source).expect("formats");
        let compile = |text: &str| {
            crate::Compiler::new()
                .compile_sources(&BTreeMap::from([(name.clone(), text.to_owned())]))
                .map(|compiled| compiled.encode())
        };
        match (compile(&source), compile(&formatted)) {
            (Ok(before), Ok(after)) => {
                assert!(before == after, "{name}: the descriptor set changed");
                compared += 1;
            }
            (Err(error), Err(_)) => eprintln!("{name}: {error}"),
            (before, after) => panic!(
                "{name}: compiles before: {}, after: {}",
                before.is_ok(),
                after.is_ok()
            ),
        }
    }
    assert!(compared >= 3, "only {compared} fixtures compiled");
}

#[test]
fn a_syntax_error_is_located() {
    let error = format("syntax = \"proto3\";\nmessage A { int32 x = }").expect_err("error");
    assert_eq!(error.message, "Expected field number.");
    assert_eq!(error.span.start, 41);
}

/// Comments inside statements are placed as buf places them (the fixture
/// `comments_in_statements` holds the known places); where buf's placement
/// is not known, the formatter refuses the file at the comment rather than
/// drop or misplace it.
#[test]
fn a_comment_is_never_dropped() {
    for (source, comment) in [
        (
            "syntax = \"proto3\";\nservice S {\n  rpc R(stream // why\n    M) returns (M);\n}\n",
            "// why",
        ),
        (
            "syntax = \"proto3\";\noption (a) = {\n  b: // why\n    1\n};\n",
            "// why",
        ),
    ] {
        let error = format(source).expect_err(source);
        assert!(
            source[error.span.start as usize..].starts_with(comment),
            "{source}: {error:?}"
        );
    }
}

/// `-d` prints what `diff -u` prints (buf runs GNU diff): the same hunks,
/// the same pairing of lines (headers aside).
#[test]
fn diffs_pair_lines_as_gnu_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut compared = 0;
    for (name, source, golden) in fixtures() {
        let (before, after) = (dir.path().join("before"), dir.path().join("after"));
        std::fs::write(&before, &source).expect("write");
        std::fs::write(&after, &golden).expect("write");
        let Ok(output) = std::process::Command::new("diff")
            .arg("-u")
            .args([&before, &after])
            .output()
        else {
            panic!("GNU diff (diffutils) is needed");
        };
        let expected: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .skip(2)
            .map(str::to_owned)
            .collect();
        let ours = super::unified_diff(&source, &golden, "before", "after");
        let found: Vec<String> = ours.lines().skip(2).map(str::to_owned).collect();
        assert_eq!(found, expected, "{name}");
        compared += 1;
    }
    assert!(compared >= 6, "{compared}");
}
