//! Limits on what one compilation reads, so that hostile or broken input
//! (a schema from any pull request, a `build.rs` on any machine) ends with
//! an error instead of a crash, a hang or all the memory.

use std::time::{Duration, Instant};

use super::Diagnostic;

/// The limits of a compilation ([`Compiler::limits`](super::Compiler::limits)).
/// The defaults are far above any real schema: googleapis, 8,000 files and
/// 60,000 messages, has no file over 1 MiB and nests 8 levels deep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one `.proto` file (default 64 MiB).
    pub max_file_size: u64,
    /// Files in one compilation, imports included (default 100,000).
    pub max_files: usize,
    /// Brackets (`{`, `[`, `(`, `<`) open at once in one file (default 100,
    /// protoc's recursion limit for text-format option values; at most
    /// [`Limits::MAX_NESTING`]). Deeper nesting would exhaust the parser's
    /// stack.
    pub max_nesting: usize,
    /// Messages, nested ones included, in one compilation (default
    /// 1,000,000).
    pub max_messages: usize,
    /// Time for the whole compilation (default none). Checked before each
    /// file and between phases.
    pub time_limit: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 64 << 20,
            max_files: 100_000,
            max_nesting: 100,
            max_messages: 1_000_000,
            time_limit: None,
        }
    }
}

impl Limits {
    /// The deepest nesting any compilation accepts, whatever `max_nesting`
    /// says: the parsers and the option interpreter recurse once or more per
    /// level, so an unbounded limit would let one file overflow the stack.
    pub const MAX_NESTING: usize = 1000;

    /// The stack a thread needs to compile within these limits, in bytes:
    /// a main thread's 8 MiB is enough for the default nesting, not for
    /// [`Limits::MAX_NESTING`] in a debug build (about 20 KiB a level).
    pub fn stack_size(&self) -> usize {
        (8 << 20) + self.max_nesting.min(Self::MAX_NESTING) * (64 << 10)
    }
}

/// A compilation's limits, with its start time.
#[derive(Debug)]
pub(crate) struct Budget {
    pub limits: Limits,
    started: Instant,
}

impl Budget {
    pub fn start(mut limits: Limits) -> Budget {
        limits.max_nesting = limits.max_nesting.min(Limits::MAX_NESTING);
        Budget {
            limits,
            started: Instant::now(),
        }
    }

    // Each check gives the error when its limit is passed.

    pub fn check_time(&self) -> Option<Diagnostic> {
        let limit = self.limits.time_limit?;
        (self.started.elapsed() > limit).then(|| {
            Diagnostic::error(format!(
                "compilation stopped after {:.1} s, the time limit",
                limit.as_secs_f64()
            ))
            .with_help("raise the limit with --time-limit SECONDS")
        })
    }

    pub fn check_size(&self, len: u64) -> Option<Diagnostic> {
        (len > self.limits.max_file_size).then(|| {
            Diagnostic::error(format!(
                "file is {len} bytes, more than the limit of {} bytes",
                self.limits.max_file_size
            ))
            .with_help("raise the limit with --max-file-size BYTES")
        })
    }

    /// Located at the first bracket past the limit.
    pub fn check_nesting(&self, text: &str) -> Option<Diagnostic> {
        let offset = too_deep(text, self.limits.max_nesting)?;
        Some(
            Diagnostic::error(format!(
                "brackets nested more than {} deep",
                self.limits.max_nesting
            ))
            .with_help("raise the limit with --max-nesting N")
            .at(text, offset, offset + 1),
        )
    }

    pub fn check_files(&self, count: usize) -> Option<Diagnostic> {
        (count > self.limits.max_files).then(|| {
            Diagnostic::error(format!(
                "the schema has more than {} files, the limit",
                self.limits.max_files
            ))
            .with_help("raise the limit with --max-files N")
        })
    }

    pub fn check_messages(&self, count: usize) -> Option<Diagnostic> {
        (count > self.limits.max_messages).then(|| {
            Diagnostic::error(format!(
                "the schema has {count} messages, more than the limit of {}",
                self.limits.max_messages
            ))
            .with_help("raise the limit with --max-messages N")
        })
    }
}

/// The byte offset of the first bracket that opens past `limit` levels in
/// `text`, skipping comments and string literals; `None` when there is none.
fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' | b'<' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b'}' | b']' | b')' | b'>' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|b| *b == needle)
}

#[cfg(test)]
mod tests {
    use super::too_deep;

    #[test]
    fn nesting_counts_brackets_outside_comments_and_strings() {
        assert_eq!(too_deep("message A { message B { } }", 2), None);
        assert_eq!(
            too_deep("message A { message B { message C {} } }", 2),
            Some(34)
        );
        assert_eq!(
            too_deep("// {{{{{{\n/* [[[[[ */ a = \"((((\" '<<<<'", 1),
            None
        );
        assert_eq!(too_deep("map<string, int32> m = 1; {{", 1), Some(27));
        // Escaped quotes stay inside the string; unterminated ones end at the line.
        assert_eq!(too_deep("\"\\\"{{\" {", 0), Some(7));
        assert_eq!(too_deep("\"{{\n{", 0), Some(4));
    }
}
