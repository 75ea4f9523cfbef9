//! What a breaking-change check reports: a rule, a place in the current
//! schema, and a message, as buf prints them.

use std::fmt;

/// A span of the current file: 1-based lines and columns, the end column
/// exclusive, as buf prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First line, from 1.
    pub start_line: u32,
    /// First column, from 1.
    pub start_column: u32,
    /// Last line.
    pub end_line: u32,
    /// Column after the last character.
    pub end_column: u32,
}

impl Span {
    /// The span buf gives findings about a whole file: `1:1` to `1:1`.
    pub const FILE: Span = Span {
        start_line: 1,
        start_column: 1,
        end_line: 1,
        end_column: 1,
    };

    /// From a `SourceCodeInfo.Location.span`: 0-based `[line, column,
    /// end_column]` or `[line, column, end_line, end_column]`.
    pub fn from_location(span: &[i32]) -> Option<Span> {
        let to = |v: i32| u32::try_from(v).ok().map(|v| v + 1);
        match *span {
            [line, column, end_column] => Some(Span {
                start_line: to(line)?,
                start_column: to(column)?,
                end_line: to(line)?,
                end_column: to(end_column)?,
            }),
            [line, column, end_line, end_column] => Some(Span {
                start_line: to(line)?,
                start_column: to(column)?,
                end_line: to(end_line)?,
                end_column: to(end_column)?,
            }),
            _ => None,
        }
    }
}

/// One breaking change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Finding {
    /// The file of the current schema it is in; `None` for a deleted file or
    /// package, which has no place in the current schema.
    pub path: Option<String>,
    /// Where in that file.
    pub span: Option<Span>,
    /// The rule's ID, such as `FIELD_NO_DELETE`.
    pub rule: &'static str,
    /// What changed, in buf's words.
    pub message: String,
    /// The file of the previous schema it concerns (for ignores: a finding
    /// is dropped when either side's path is ignored).
    pub previous_path: Option<String>,
}

/// `path:line:col:message`, buf's text format.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.span) {
            (Some(path), Some(span)) => {
                write!(
                    f,
                    "{path}:{}:{}:{}",
                    span.start_line, span.start_column, self.message
                )
            }
            (Some(path), None) => write!(f, "{path}:{}", self.message),
            (None, _) => write!(f, "{}", self.message),
        }
    }
}

/// Sorts findings by path, line, column, rule and message (then end, for a
/// total order), and drops duplicates, as buf does.
pub fn normalize(findings: &mut Vec<Finding>) {
    // Compared in place, with no key copied: lint sorts tens of thousands
    // of findings, often already in order (a stable sort then runs once
    // over them).
    /// Path, start, rule, message, end.
    type Key<'f> = (
        &'f str,
        Option<(u32, u32)>,
        &'f str,
        &'f str,
        Option<(u32, u32)>,
    );
    fn key(f: &Finding) -> Key<'_> {
        let start = f.span.map(|s| (s.start_line, s.start_column));
        let end = f.span.map(|s| (s.end_line, s.end_column));
        (
            f.path.as_deref().unwrap_or_default(),
            start,
            f.rule,
            f.message.as_str(),
            end,
        )
    }
    findings.sort_by(|a, b| key(a).cmp(&key(b)));
    findings.dedup();
}
