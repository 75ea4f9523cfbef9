//! Located messages about a schema, rendered the way compilers print them.

use std::{fmt, path::PathBuf};

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The schema is accepted, but probably not as meant.
    Warning,
    /// The schema is rejected.
    Error,
}

/// A 1-based line and column; columns count characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// One message about a schema, with where it applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file on disk, relative to the working directory when it is below
    /// it; an import name for files that are not on disk (built-in types).
    /// `None` when the problem is not in any one file.
    pub path: Option<PathBuf>,
    /// Start of the offending text (inclusive).
    pub start: Option<LineCol>,
    /// End of the offending text (exclusive); on the start line or later.
    pub end: Option<LineCol>,
    /// What is wrong, as one line.
    pub message: String,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
    /// The text of the start line, for code frames.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error with a message and no location.
    pub fn from_message(message: impl Into<String>) -> Self {
        Self::error(message)
    }

    /// An error with a message and nothing else.
    pub(crate) fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: None,
            start: None,
            end: None,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    pub(crate) fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Locates the diagnostic at byte range `start..end` of `source`.
    pub(crate) fn at(mut self, source: &str, start: usize, end: usize) -> Self {
        let start_pos = line_col(source, start);
        let end_pos = line_col(source, end.max(start));
        let line_start = source[..floor_char_boundary(source, start)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line_end = source[line_start..]
            .find('\n')
            .map_or(source.len(), |i| line_start + i);
        self.source_line = Some(
            source[line_start..line_end]
                .trim_end_matches('\r')
                .to_owned(),
        );
        self.start = Some(start_pos);
        self.end = Some(end_pos);
        self
    }

    /// Renders the diagnostic with a code frame under the header line, as
    /// printed on a terminal:
    ///
    /// ```text
    /// proto/user/v1/user.proto:12:3: error: field number 1 is already used
    ///    |
    /// 12 |   string name = 1;
    ///    |   ^^^^^^^^^^^^^^^^
    /// ```
    pub fn render_with_frame(&self) -> String {
        let mut out = self.to_string();
        if let (Some(start), Some(line)) = (self.start, &self.source_line) {
            let gutter = start.line.to_string().len();
            let width = match self.end {
                Some(end) if end.line == start.line && end.column > start.column => {
                    end.column - start.column
                }
                // A multi-line span is underlined to the end of its first line.
                Some(end) if end.line > start.line => (line.chars().count() + 1)
                    .saturating_sub(start.column)
                    .max(1),
                _ => 1,
            };
            // Tabs before the caret are kept as tabs so the caret lines up.
            let pad: String = line
                .chars()
                .take(start.column - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | {}{}",
                "",
                start.line,
                line,
                "",
                pad,
                "^".repeat(width)
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("\n  = help: {help}"));
        }
        out
    }
}

/// `path:line:col: error: message`, the format editors and terminals link.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}:", path.display())?;
            if let Some(start) = self.start {
                write!(f, "{}:{}:", start.line, start.column)?;
            }
            f.write_str(" ")?;
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: {}", self.message)
    }
}

/// The 1-based line and character column of byte `offset` in `source`.
pub(crate) fn line_col(source: &str, offset: usize) -> LineCol {
    let offset = floor_char_boundary(source, offset);
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    LineCol {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

fn floor_char_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_path_line_col() {
        let source = "syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n}\n";
        let start = source.find("int32").expect("found");
        let diagnostic =
            Diagnostic::error("bad field")
                .with_path("a.proto")
                .at(source, start, start + 12);
        assert_eq!(diagnostic.to_string(), "a.proto:3:3: error: bad field");
        assert_eq!(
            diagnostic.render_with_frame(),
            "a.proto:3:3: error: bad field\n  |\n3 |   int32 x = 1;\n  |   ^^^^^^^^^^^^"
        );
    }

    #[test]
    fn columns_count_characters() {
        let source = "// héllo\nmessage Ä {}";
        assert_eq!(
            line_col(source, source.find('Ä').expect("found")),
            LineCol { line: 2, column: 9 }
        );
        assert_eq!(line_col(source, 5), LineCol { line: 1, column: 5 });
    }

    #[test]
    fn without_location() {
        let diagnostic = Diagnostic::error("no inputs").with_help("pass a directory");
        assert_eq!(
            diagnostic.render_with_frame(),
            "error: no inputs\n  = help: pass a directory"
        );
    }
}
