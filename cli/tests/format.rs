//! `protoforge format` as a user runs it, against `buf format` on the same
//! files: the fixtures that cover every construct, the output modes (stdout,
//! -w, -d, -o, stdin), the exit codes, and a file that does not parse.

mod common;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use common::{protoforge, text, workspace};
use protoforge_bench::anchors;

fn buf(dir: &Path, args: &[&str]) -> Output {
    Command::new(anchors::buf())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("buf runs")
}

fn fixtures() -> PathBuf {
    workspace().join("codegen/src/format/fixtures")
}

/// A copy of the fixtures' `.proto` files in a fresh directory.
fn copy_fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(fixtures()).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "proto") {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

fn proto_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".proto"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixture_formats_as_buf_formats_it() {
    let dir = copy_fixtures();
    let names = proto_names(dir.path());
    assert!(names.len() >= 6);
    for name in &names {
        let ours = protoforge(dir.path(), &["format", name]);
        let theirs = buf(dir.path(), &["format", name]);
        assert_eq!(
            theirs.status.code(),
            Some(0),
            "buf on {name}: {}",
            text(&theirs.stderr)
        );
        assert_eq!(
            ours.status.code(),
            Some(0),
            "{name}: {}",
            text(&ours.stderr)
        );
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{name}");
        // The golden file the library test uses is still what buf writes.
        let golden = std::fs::read_to_string(fixtures().join(name.replace(".proto", ".golden")))
            .expect("golden");
        assert_eq!(
            text(&theirs.stdout),
            golden,
            "{name}: regenerate the golden file"
        );
    }
}

#[test]
fn a_directory_prints_every_file_in_buf_order() {
    let dir = copy_fixtures();
    let ours = protoforge(dir.path(), &["format", "."]);
    let theirs = buf(dir.path(), &["format", "."]);
    assert_eq!(ours.status.code(), Some(0), "{}", text(&ours.stderr));
    assert_eq!(text(&ours.stdout), text(&theirs.stdout));
}

#[test]
fn write_rewrites_in_place_and_exit_code_reports_changes() {
    let ours = copy_fixtures();
    let theirs = copy_fixtures();
    let a = protoforge(ours.path(), &["format", "--exit-code", "."]);
    let b = buf(theirs.path(), &["format", "--exit-code", "."]);
    assert_eq!(a.status.code(), Some(100));
    assert_eq!(b.status.code(), Some(100));
    let a = protoforge(ours.path(), &["format", "-w", "."]);
    let b = buf(theirs.path(), &["format", "-w", "."]);
    assert_eq!(a.status.code(), Some(0), "{}", text(&a.stderr));
    assert_eq!(b.status.code(), Some(0));
    assert!(a.stdout.is_empty());
    for name in proto_names(ours.path()) {
        let mine = std::fs::read(ours.path().join(&name)).expect("ours");
        let buf_bytes = std::fs::read(theirs.path().join(&name)).expect("theirs");
        assert_eq!(text(&mine), text(&buf_bytes), "{name}");
    }
    // Formatted now: nothing to change, exit 0, no temporary files left.
    let again = protoforge(ours.path(), &["format", "-d", "--exit-code", "."]);
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stdout.is_empty());
    assert_eq!(
        proto_names(ours.path()).len(),
        std::fs::read_dir(ours.path()).expect("dir").count()
    );
}

/// A diff as buf prints it, the time stamps aside (each run has its own).
fn without_times(diff: &str) -> String {
    diff.lines()
        .map(|line| {
            if line.starts_with("--- ") || line.starts_with("+++ ") {
                line.split('\t').next().unwrap_or(line)
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `-d` on `dir` by both tools: the same exit code and the same diff, line
/// for line (buf runs GNU `diff -u`).
fn assert_same_diffs(dir: &Path, what: &str) {
    let args = ["format", "-d", "--exit-code", "."];
    let ours = protoforge(dir, &args);
    let theirs = buf(dir, &args);
    assert_eq!(
        ours.status.code(),
        Some(100),
        "{what}: {}",
        text(&ours.stderr)
    );
    assert_eq!(
        theirs.status.code(),
        Some(100),
        "{what}: {}",
        text(&theirs.stderr)
    );
    let (ours, theirs) = (
        without_times(&text(&ours.stdout)),
        without_times(&text(&theirs.stdout)),
    );
    if ours != theirs {
        // The first hunk that differs, not two whole directories' diffs.
        let first = ours
            .lines()
            .zip(theirs.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let around = |diff: &str| {
            diff.lines()
                .skip(first.saturating_sub(8))
                .take(16)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{what}: -d differs at line {first}\n--- ours\n{}\n--- buf\n{}",
            around(&ours),
            around(&theirs)
        );
    }
}

#[test]
fn diff_prints_what_buf_prints() {
    let dir = copy_fixtures();
    assert_same_diffs(dir.path(), "fixtures");
}

/// A small xorshift generator: the same files on every run.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// `text` (formatted) unformatted again: statement lines re-indented,
/// spaces around `=` dropped and blank lines added, each with probability
/// `percent`; comments and strings are left alone.
fn unformat(draw: &mut Draw, text: &str, percent: usize) -> String {
    let mut out = String::new();
    let mut in_block_comment = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        in_block_comment |= trimmed.starts_with("/*") && !line.contains("*/");
        // Statements only: buf places blank lines inside option values in
        // ways not reproduced yet (see the README).
        let statement = trimmed.starts_with(|c: char| c.is_ascii_alphabetic() || c == '}')
            && (trimmed.ends_with(';') || trimmed.ends_with('{') || trimmed == "}")
            && !trimmed.contains(':');
        let mut line = line.to_owned();
        if statement && !in_block_comment && !line.contains('"') {
            match draw.below(100 * 3 / 2) {
                n if n < percent / 2 => line = format!("{}{trimmed}", " ".repeat(draw.below(7))),
                n if n < percent => line = line.replace(" = ", "="),
                n if n < percent * 3 / 2 => out.push('\n'),
                _ => {}
            }
        }
        in_block_comment &= !line.contains("*/");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Diffs that stress GNU's analysis, against buf: every fixture's formatted
/// text unformatted again at three densities (a few changes, many small
/// ones, nearly every line), and a long file whose imports and options buf
/// reorders (moved blocks) and whose 300 messages are re-indented.
#[test]
fn stressing_diffs_print_what_buf_prints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut draw = Draw(2026);
    for entry in std::fs::read_dir(fixtures()).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "golden") {
            let golden = std::fs::read_to_string(&path).expect("golden");
            let stem = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            for percent in [10, 40, 90] {
                let name = format!("{stem}_{percent}.proto");
                std::fs::write(dir.path().join(name), unformat(&mut draw, &golden, percent))
                    .expect("write");
            }
        }
    }
    let mut long = String::from("syntax = \"proto3\";\npackage long.v1;\n");
    let mut imports: Vec<usize> = (0..12).collect();
    for i in (1..imports.len()).rev() {
        imports.swap(i, draw.below(i + 1));
    }
    for i in imports {
        long += &format!("import \"dep/f{i}.proto\";\n");
    }
    long += "option java_package = \"x\";\noption go_package = \"y\";\noption cc_enable_arenas = true;\n";
    for m in 0..300 {
        long += &format!("message M{m} {{\n");
        for f in 0..=draw.below(6) {
            if draw.below(5) == 0 {
                long += &format!("{}// field {f}\n", "  ".repeat(draw.below(3)));
            }
            long += &format!("{}int32 f{f} = {};\n", " ".repeat(draw.below(6)), f + 1);
        }
        long += "}\n";
    }
    let long = unformat(&mut draw, &long, 30);
    std::fs::write(dir.path().join("long.proto"), long).expect("write");
    assert_same_diffs(dir.path(), "unformatted fixtures");
}

#[test]
fn output_writes_elsewhere_and_stdin_works() {
    let dir = copy_fixtures();
    let out = dir.path().join("out.proto");
    let ours = protoforge(dir.path(), &["format", "messy.proto", "-o", "out.proto"]);
    assert_eq!(ours.status.code(), Some(0), "{}", text(&ours.stderr));
    let golden = std::fs::read_to_string(fixtures().join("messy.golden")).expect("golden");
    assert_eq!(std::fs::read_to_string(&out).expect("written"), golden);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.proto")).expect("source"),
        std::fs::read_to_string(fixtures().join("messy.proto")).expect("fixture"),
        "the input is untouched"
    );
    let ours = protoforge(dir.path(), &["format", ".", "-o", "tree"]);
    assert_eq!(ours.status.code(), Some(0), "{}", text(&ours.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tree/messy.proto")).expect("tree"),
        golden
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["format", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&std::fs::read(fixtures().join("messy.proto")).expect("fixture"))
        .expect("written");
    let output = child.wait_with_output().expect("exits");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), golden);
}

#[test]
fn a_file_that_does_not_parse_is_left_untouched_with_a_located_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = "syntax = \"proto3\";\nmessage A {\n  int32 x = ;\n}\n";
    std::fs::write(dir.path().join("bad.proto"), bad).expect("write");
    std::fs::write(dir.path().join("good.proto"), "syntax=\"proto3\";\n").expect("write");
    let ours = protoforge(dir.path(), &["format", "-w", "."]);
    assert_eq!(ours.status.code(), Some(1));
    let stderr = text(&ours.stderr);
    assert!(
        stderr.contains("bad.proto:3:13: error: Expected field number."),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.proto")).expect("bad"),
        bad
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("good.proto")).expect("good"),
        "syntax = \"proto3\";\n",
        "the other files are still formatted"
    );
}

/// A directory that cannot be walked whole (here a link back to an
/// ancestor, which would be walked forever) is an error naming the link,
/// not a silently shorter list; the other paths are still formatted.
#[test]
fn a_directory_that_cannot_be_walked_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("tree/sub")).expect("mkdir");
    std::fs::write(dir.path().join("tree/a.proto"), "syntax=\"proto3\";\n").expect("write");
    std::os::unix::fs::symlink("..", dir.path().join("tree/sub/up")).expect("symlink");
    std::fs::write(dir.path().join("good.proto"), "syntax=\"proto3\";\n").expect("write");
    let ours = protoforge(dir.path(), &["format", "-w", "tree", "good.proto"]);
    assert_eq!(ours.status.code(), Some(1));
    let stderr = text(&ours.stderr);
    assert!(
        stderr.contains(
            "cannot read 'tree/sub/up': File system loop found: tree/sub/up points to an \
             ancestor tree"
        ),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("good.proto")).expect("good"),
        "syntax = \"proto3\";\n",
        "the other paths are still formatted"
    );
}
