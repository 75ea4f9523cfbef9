//! The one parser of `.proto` source: a lexer and a lossless syntax tree.
//!
//! [`parse`] turns source text into a [`File`]: the token list, which covers
//! every byte (whitespace and comments included, see [`lexer`]), and the
//! tree of statements ([`tree`]), whose nodes name their tokens by index. So
//! - spans of every element and of each of its parts (a field's label, type,
//!   name, number, options) come from its tokens, as protoc records them;
//! - comments and blank lines stay where they were: the tokens between two
//!   significant tokens are exactly the trivia between them, which is what
//!   the compiler needs for protoc's leading, trailing and detached comments,
//!   the formatter for buf's layout, and lint for comment rules;
//! - the source prints back exactly ([`File::print`] rebuilds it from the
//!   tree, and a test checks every googleapis file).
//!
//! The grammar is protoc 35's: proto2, proto3 and editions 2023 and 2024
//! (visibility modifiers, `import option`, reserved identifiers), with
//! aggregate (text-format) option values parsed into the tree. Semantic
//! checks (field numbers in range, labels allowed by the syntax, names) are
//! the compiler's. Errors are [`SyntaxError`]s with spans and protoc's
//! wording; parsing stops at the first one. Nesting deeper than a limit
//! (protoc's 100 by default) is an error, checked before each descent, so
//! the parser's recursion is bounded whatever the input.
//!
//! Speed: lexing allocates one token vector; tokens and nodes hold spans
//! and indices, never copies of the text.

pub(crate) mod lexer;
mod literal;
mod parser;
mod print;
pub mod tree;

#[cfg(test)]
mod tests;

use std::fmt;

pub use lexer::{Token, TokenKind};
pub use tree::*;

/// A byte range of the source, `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// The span `start..end` (offsets fit in `u32`: [`parse`] refuses
    /// larger sources).
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// As a range, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// From the start of `self` to the end of `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end,
        }
    }
}

/// Why a file does not parse: protoc's message and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong, in protoc's words.
    pub message: String,
    /// The offending token (empty at the end of the file).
    pub span: Span,
}

impl SyntaxError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> Self {
        SyntaxError {
            message: message.into(),
            span,
        }
    }

    /// As a [`Diagnostic`](crate::Diagnostic) located in `source`, for
    /// `path:line:col: error: ...` output.
    pub fn to_diagnostic(&self, path: &std::path::Path, source: &str) -> crate::Diagnostic {
        crate::Diagnostic::error(self.message.clone())
            .with_path(path)
            .at(source, self.span.start as usize, self.span.end as usize)
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A parsed `.proto` file: its source, every token, and the statements.
#[derive(Clone, Debug)]
pub struct File<'a> {
    /// The source text.
    pub source: &'a str,
    /// Every token, trivia included, in order; their spans cover the source.
    pub tokens: Vec<Token>,
    /// The top-level statements.
    pub items: Vec<FileItem>,
    /// Byte offsets where lines start, computed on first use.
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

/// Parses `source` with the default nesting limit (100, as protoc).
pub fn parse(source: &str) -> Result<File<'_>, SyntaxError> {
    parse_with_limit(source, crate::Limits::default().max_nesting)
}

/// Parses `source`, refusing bodies, aggregates and lists nested more than
/// `max_nesting` deep.
pub fn parse_with_limit(source: &str, max_nesting: usize) -> Result<File<'_>, SyntaxError> {
    if source.len() >= u32::MAX as usize {
        return Err(SyntaxError::new(
            "File is too large (4 GiB or more).",
            Span::new(0, 0),
        ));
    }
    let (tokens, error) = lexer::lex(source);
    if let Some(error) = error {
        return Err(error);
    }
    let items = parser::Parser::new(source, &tokens, max_nesting).file()?;
    Ok(File {
        source,
        tokens,
        items,
        line_starts: std::sync::OnceLock::new(),
    })
}

/// A 0-based line and column, as protoc's `SourceCodeInfo` counts them:
/// columns count bytes, and a tab advances to the next multiple of 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, from 0.
    pub line: u32,
    /// Column, from 0.
    pub column: u32,
}

impl<'a> File<'a> {
    /// The token at `tok`.
    pub fn token(&self, tok: Tok) -> Token {
        self.tokens[tok.index()]
    }

    /// The span of `tok`.
    pub fn span(&self, tok: Tok) -> Span {
        self.tokens[tok.index()].span
    }

    /// The text of `tok`.
    pub fn text(&self, tok: Tok) -> &'a str {
        &self.source[self.span(tok).range()]
    }

    /// The text of `span`.
    pub fn slice(&self, span: Span) -> &'a str {
        &self.source[span.range()]
    }

    /// The significant (non-trivia) tokens from `first` to `last`, both
    /// included: the parts of a [`Path`] or [`Strings`].
    pub fn significant(&self, first: Tok, last: Tok) -> impl Iterator<Item = Tok> + '_ {
        (first.0..=last.0)
            .map(Tok)
            .filter(|tok| !self.tokens[tok.index()].kind.is_trivia())
    }

    /// A dotted name as one string, without the comments that may sit
    /// between its parts (borrowed when there are none).
    pub fn path_text(&self, path: Path) -> std::borrow::Cow<'a, str> {
        let span = self.span(path.first).to(self.span(path.last));
        let text = self.slice(span);
        if (path.first.0..=path.last.0).all(|i| !self.tokens[i as usize].kind.is_trivia()) {
            std::borrow::Cow::Borrowed(text)
        } else {
            std::borrow::Cow::Owned(
                self.significant(path.first, path.last)
                    .map(|tok| self.text(tok))
                    .collect(),
            )
        }
    }

    /// The trivia tokens right before `tok`, after the previous significant
    /// token: the comments and blank lines a compiler attaches to `tok`.
    pub fn trivia_before(&self, tok: Tok) -> std::ops::Range<usize> {
        let end = tok.index();
        let mut start = end;
        while start > 0 && self.tokens[start - 1].kind.is_trivia() {
            start -= 1;
        }
        start..end
    }

    /// The trivia tokens right after `tok`, up to the next significant
    /// token or the end.
    pub fn trivia_after(&self, tok: Tok) -> std::ops::Range<usize> {
        let start = tok.index() + 1;
        let mut end = start;
        while end < self.tokens.len() && self.tokens[end].kind.is_trivia() {
            end += 1;
        }
        start..end
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    self.source
                        .bytes()
                        .enumerate()
                        .filter(|(_, b)| *b == b'\n')
                        .map(|(i, _)| i as u32 + 1),
                )
                .collect()
        })
    }

    /// The protoc position of byte `offset` (see [`Position`]). The line
    /// table is built once per file; each call is a binary search and a scan
    /// of the line up to `offset`.
    pub fn position(&self, offset: u32) -> Position {
        let starts = self.line_starts();
        let line = starts.partition_point(|start| *start <= offset) - 1;
        let mut column = 0u32;
        for b in &self.source.as_bytes()[starts[line] as usize..offset as usize] {
            column = if *b == b'\t' {
                column + 8 - column % 8
            } else {
                column + 1
            };
        }
        Position {
            line: line as u32,
            column,
        }
    }

    /// The `syntax` or `edition` statement, when the file starts with one.
    pub fn syntax(&self) -> Option<&Syntax> {
        match self.items.first() {
            Some(FileItem::Syntax(syntax)) => Some(syntax),
            _ => None,
        }
    }
}
