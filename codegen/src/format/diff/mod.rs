//! The unified diff `buf format -d` prints. buf runs the system's `diff -u`
//! (GNU diffutils), so its output is GNU's to the byte: headers with the
//! time of the run, three lines of context, and, among the many equally
//! short ways to pair lines, the one GNU's analysis picks. That analysis is
//! reproduced here ([`analyze`]: identical ends, discarded lines, the
//! boundary shift; [`search`]: the bisecting search), then the hunks are
//! laid out as `diff -u` lays them out ([`hunks`]).

mod analyze;
mod search;

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
    let (old_changed, new_changed) = analyze::changed_lines(before, after);
    hunks(&old, &new, &old_changed, &new_changed, &mut out);
    out
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
mod tests;
