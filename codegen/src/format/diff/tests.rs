//! `-d` against GNU `diff -u`, which buf runs: hand-picked cases, then
//! drawn pairs of texts built to stress the analysis (moved blocks, many
//! small edits, repeated lines, long files, missing final newlines), each
//! compared with the system's `diff -u` line for line (headers aside).
//! `PROTOFORGE_DIFF_CASES=N` draws N pairs per shape instead of the CI's
//! few; `PROTOFORGE_DIFF_SEED` moves the seeds.

use super::*;

#[test]
fn timestamps_as_diff_prints_them() {
    let time = UNIX_EPOCH + std::time::Duration::new(1_796_056_878, 565_918_010);
    assert_eq!(timestamp(time), "2026-11-30 16:41:18.565918010 +0000");
}

#[test]
fn hunks_with_three_lines_of_context() {
    let diff = unified_diff("a\nb\nc\nd\ne\nf\n", "a\nb\nc\nd\nE\nf\n", "x.orig", "x");
    let body: Vec<&str> = diff.lines().skip(2).collect();
    assert_eq!(
        body,
        ["@@ -2,5 +2,5 @@", " b", " c", " d", "-e", "+E", " f"]
    );
}

/// Where several pairings are equally short, the one GNU `diff -u`
/// (and so `buf format -d`) prints (its `shift_boundaries`).
#[test]
fn lines_pair_as_gnu_diff_pairs_them() {
    let before = "message M {\n  string selector = 1;\n\n\n  // Define\n// For\n  // names\n\n  // If none\n\n  // param\nrepeated P p = 2;\n}\n";
    let after = "message M {\n  string selector = 1;\n\n  // Define\n  // For\n  // names\n\n  // If none\n\n  // param\n  repeated P p = 2;\n}\n";
    let diff = unified_diff(before, after, "x.orig", "x");
    let body: Vec<&str> = diff.lines().skip(2).collect();
    // `diff -u` of the two (GNU diffutils).
    assert_eq!(
        body,
        [
            "@@ -1,13 +1,12 @@",
            " message M {",
            "   string selector = 1;",
            " ",
            "-",
            "   // Define",
            "-// For",
            "+  // For",
            "   // names",
            " ",
            "   // If none",
            " ",
            "   // param",
            "-repeated P p = 2;",
            "+  repeated P p = 2;",
            " }",
        ]
    );
}

/// The body (hunks) of `diff -u before after` as GNU diffutils prints it.
fn gnu_diff(dir: &std::path::Path, before: &str, after: &str) -> String {
    let (old, new) = (dir.join("before"), dir.join("after"));
    std::fs::write(&old, before).expect("write");
    std::fs::write(&new, after).expect("write");
    let output = std::process::Command::new("diff")
        .arg("-u")
        .args([&old, &new])
        .output()
        .expect("GNU diff (diffutils) is needed");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    text.splitn(3, '\n').nth(2).unwrap_or("").to_owned()
}

fn ours(before: &str, after: &str) -> String {
    let diff = unified_diff(before, after, "before", "after");
    diff.splitn(3, '\n').nth(2).unwrap_or("").to_owned()
}

/// A small xorshift generator: the same cases on every run.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Lines of a schema-like text: many repeated (braces, blank lines, common
/// options), some unique.
fn line(draw: &mut Draw, unique: &mut usize) -> String {
    const COMMON: [&str; 8] = [
        "}",
        "",
        "  option deprecated = true;",
        "message M {",
        "  // comment",
        "  int32 a = 1;",
        "    string b = 2;",
        "rpc Get(GetRequest) returns (GetResponse);",
    ];
    if draw.chance(45) {
        COMMON[draw.below(COMMON.len())].to_owned()
    } else {
        *unique += 1;
        let indent = "  ".repeat(draw.below(3));
        format!("{indent}field_{} = {};", *unique % 97, *unique)
    }
}

/// An edited copy of `lines`: `edits` edits of the kinds a formatter and a
/// programmer make (re-indented or changed lines, insertions, deletions,
/// moved blocks, blank lines).
fn edit(draw: &mut Draw, lines: &[String], edits: usize, unique: &mut usize) -> Vec<String> {
    let mut out = lines.to_vec();
    for _ in 0..edits {
        let at = draw.below(out.len() + 1);
        match draw.below(7) {
            0 if at < out.len() => out[at] = format!("  {}", out[at].trim_start()),
            1 if at < out.len() => {
                out.remove(at);
            }
            2 => out.insert(at, line(draw, unique)),
            3 => out.insert(at, String::new()),
            4 if at < out.len() => out[at] = line(draw, unique),
            5 if out.len() > 4 => {
                // A block moved elsewhere.
                let len = 1 + draw.below(8.min(out.len() - 1));
                let from = draw.below(out.len() - len + 1);
                let block: Vec<String> = out.drain(from..from + len).collect();
                let to = draw.below(out.len() + 1);
                out.splice(to..to, block);
            }
            _ if at < out.len() => out[at] = out[at].trim_start().to_owned(),
            _ => {}
        }
    }
    out
}

fn text(lines: &[String], newline_at_end: bool) -> String {
    let mut text = lines.join("\n");
    if newline_at_end && !lines.is_empty() {
        text.push('\n');
    }
    text
}

fn cases() -> usize {
    std::env::var("PROTOFORGE_DIFF_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn seed() -> u64 {
    std::env::var("PROTOFORGE_DIFF_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(15)
}

/// Each shape: (name, cases in CI, lines, edits).
#[test]
fn drawn_pairs_diff_as_gnu_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shapes = [
        ("short, few edits", 150, 20, 3),
        ("short, many edits", 150, 20, 15),
        ("medium, scattered edits", 60, 200, 25),
        ("long, many small edits", 6, 2_000, 300),
        ("long, rewritten", 3, 1_500, 3_000),
    ];
    let mut failures = Vec::new();
    for (shape, (name, ci_cases, len, edits)) in shapes.into_iter().enumerate() {
        let cases = match cases() {
            0 => ci_cases,
            n => n,
        };
        for case in 0..cases {
            let mut draw = Draw(seed() * 1_000_003 + (shape * 100_000 + case) as u64 * 7919 + 1);
            let mut unique = 0;
            let lines: Vec<String> = (0..draw.below(len) + 1)
                .map(|_| line(&mut draw, &mut unique))
                .collect();
            let edits = draw.below(edits) + 1;
            let edited = edit(&mut draw, &lines, edits, &mut unique);
            let before = text(&lines, !draw.chance(10));
            let after = text(&edited, !draw.chance(10));
            if before == after {
                continue;
            }
            let (expected, found) = (gnu_diff(dir.path(), &before, &after), ours(&before, &after));
            if expected != found && failures.len() < 3 {
                failures.push(format!(
                    "{name} #{case}:\n--- before\n{before}\n--- after\n{after}\n--- GNU\n{expected}\n--- ours\n{found}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Two long texts of the same few hundred lines in unrelated orders: the
/// search passes its cost limit and settles for GNU's best point so far.
/// Slow in a debug build, so only with `PROTOFORGE_DIFF_CASES` set.
#[test]
fn costly_pairs_diff_as_gnu_diff() {
    if cases() == 0 {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for case in 0..cases().min(3) {
        let mut draw = Draw(seed() * 31 + case as u64 + 1);
        let mut lines = |n: usize| -> String {
            (0..n)
                .map(|_| format!("line {}\n", draw.below(600)))
                .collect()
        };
        let (before, after) = (lines(12_000), lines(12_000));
        assert_eq!(
            ours(&before, &after),
            gnu_diff(dir.path(), &before, &after),
            "case {case}"
        );
    }
}
