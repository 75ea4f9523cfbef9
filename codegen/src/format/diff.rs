//! The unified diff `buf format -d` prints (that of `diff -u`): headers with
//! the time of the run, three lines of context.

use std::time::{SystemTime, UNIX_EPOCH};

/// The unified diff from `before` (named `before_name`) to `after`, with
/// both headers stamped with the current time; empty when they are equal.
pub fn unified_diff(before: &str, after: &str, before_name: &str, after_name: &str) -> String {
    if before == after {
        return String::new();
    }
    let stamp = timestamp(SystemTime::now());
    let diff = similar::TextDiff::from_lines(before, after);
    let mut out = format!("--- {before_name}\t{stamp}\n+++ {after_name}\t{stamp}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
    out
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
}
