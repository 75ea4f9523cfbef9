//! The unified diff `buf format -d` prints (buf runs GNU `diff -u`): headers
//! with the time of the run, three lines of context. The changed lines come
//! from a Myers diff, then GNU's `shift_boundaries` picks among equally
//! short pairings the one GNU prints; where GNU's own search keeps other
//! lines than Myers (rare; `header_and_layout` is one), the hunks differ.

use std::time::{SystemTime, UNIX_EPOCH};

/// The unified diff from `before` (named `before_name`) to `after`, with
/// both headers stamped with the current time; empty when they are equal.
pub fn unified_diff(before: &str, after: &str, before_name: &str, after_name: &str) -> String {
    if before == after {
        return String::new();
    }
    let stamp = timestamp(SystemTime::now());
    let mut out = format!("--- {before_name}\t{stamp}\n+++ {after_name}\t{stamp}\n");
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let (mut old_changed, mut new_changed) = (vec![false; old.len()], vec![false; new.len()]);
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new);
    for op in ops {
        for i in op.old_range() {
            if !matches!(op, similar::DiffOp::Equal { .. }) {
                old_changed[i] = true;
            }
        }
        for i in op.new_range() {
            if !matches!(op, similar::DiffOp::Equal { .. }) {
                new_changed[i] = true;
            }
        }
    }
    shift_boundaries(&old, &mut old_changed, &new_changed);
    shift_boundaries(&new, &mut new_changed, &old_changed);
    hunks(&old, &new, &old_changed, &new_changed, &mut out);
    out
}

/// GNU diff's `shift_boundaries`: slides each run of changed lines of one
/// file as far down as lines allow (merging with runs it meets), then back
/// up to end where a run of the other file ends. Of the equally short
/// pairings, this picks the one `diff -u` (and so `buf format -d`) prints.
fn shift_boundaries(lines: &[&str], changed: &mut [bool], other: &[bool]) {
    let len = lines.len();
    let is = |flags: &[bool], i: isize| i >= 0 && (i as usize) < flags.len() && flags[i as usize];
    let (mut i, mut j): (usize, isize) = (0, 0);
    loop {
        while i < len && !changed[i] {
            while is(other, j) {
                j += 1;
            }
            j += 1;
            i += 1;
        }
        if i == len {
            break;
        }
        let mut start = i;
        i += 1;
        while i < len && changed[i] {
            i += 1;
        }
        while is(other, j) {
            j += 1;
        }
        let mut corresponding;
        loop {
            let run = i - start;
            while start > 0 && lines[start - 1] == lines[i - 1] {
                start -= 1;
                changed[start] = true;
                i -= 1;
                changed[i] = false;
                while start > 0 && changed[start - 1] {
                    start -= 1;
                }
                j -= 1;
                while is(other, j) {
                    j -= 1;
                }
            }
            corresponding = if is(other, j - 1) { i } else { len };
            while i != len && lines[start] == lines[i] {
                changed[start] = false;
                start += 1;
                changed[i] = true;
                i += 1;
                while i < len && changed[i] {
                    i += 1;
                }
                j += 1;
                while is(other, j) {
                    j += 1;
                    corresponding = i;
                }
            }
            if run == i - start {
                break;
            }
        }
        while corresponding < i {
            start -= 1;
            changed[start] = true;
            i -= 1;
            changed[i] = false;
            j -= 1;
            while is(other, j) {
                j -= 1;
            }
        }
    }
}

/// The hunks of `diff -u` (three lines of context) over the changed lines
/// of both sides, each block's deletions before its insertions.
fn hunks(old: &[&str], new: &[&str], old_changed: &[bool], new_changed: &[bool], out: &mut String) {
    // Lines kept on both sides pair up in order: the blocks between them.
    let mut blocks = Vec::new(); // (old start, old end, new start, new end)
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let (si, sj) = (i, j);
        while i < old.len() && old_changed[i] {
            i += 1;
        }
        while j < new.len() && new_changed[j] {
            j += 1;
        }
        if i > si || j > sj {
            blocks.push((si, i, sj, j));
        } else {
            i += 1;
            j += 1;
        }
    }
    const CONTEXT: usize = 3;
    let mut b = 0;
    while b < blocks.len() {
        let mut e = b;
        while e + 1 < blocks.len() && blocks[e + 1].0 - blocks[e].1 <= 2 * CONTEXT {
            e += 1;
        }
        let old_start = blocks[b].0.saturating_sub(CONTEXT);
        let new_start = blocks[b].2 - (blocks[b].0 - old_start);
        let old_end = (blocks[e].1 + CONTEXT).min(old.len());
        let new_end = blocks[e].3 + (old_end - blocks[e].1);
        let range = |start: usize, end: usize| match end - start {
            0 => format!("{start},0"),
            1 => format!("{}", start + 1),
            n => format!("{},{n}", start + 1),
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_start, old_end),
            range(new_start, new_end)
        ));
        let mut line = |prefix: char, text: &str| {
            out.push(prefix);
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        };
        let mut at = old_start;
        for &(os, oe, ns, ne) in &blocks[b..=e] {
            for text in &old[at..os] {
                line(' ', text);
            }
            for text in &old[os..oe] {
                line('-', text);
            }
            for text in &new[ns..ne] {
                line('+', text);
            }
            at = oe;
        }
        for text in &old[at..old_end] {
            line(' ', text);
        }
        b = e + 1;
    }
}

/// `2026-11-30 16:21:18.565918010 +0000`, as `diff -u` prints times (UTC).
fn timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:09} +0000",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_nanos()
    )
}

#[cfg(test)]
mod tests {
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
}
