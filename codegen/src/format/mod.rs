//! `.proto` files in buf's canonical style, byte for byte what `buf format`
//! (1.75) writes.
//!
//! The formatter prints the [`syntax`](crate::syntax) tree again with
//! canonical spacing and indentation (two spaces), and carries the comments
//! across from the token list:
//! - a comment on the same line as the token before it is that token's
//!   trailing comment, written after it on its line;
//! - the other comments before an element are its leading comments, each on
//!   its own line above it; a blank line (one, however many were written)
//!   before a comment or before the element is kept, except as the first
//!   thing in a body, and before the closing brace;
//! - comments inside a statement stay inline.
//!
//! buf's layout decisions, which this module reproduces:
//! - the file header is reordered: `syntax`/`edition`, `package`, imports
//!   sorted by path, file options sorted by name (built-in before custom),
//!   then everything else in source order; a blank line opens the imports
//!   and the options, and the first type when only `syntax` precedes it;
//! - empty statements (`;`) disappear, empty bodies are `{}`;
//! - one compact option without comments stays on the line (`[a = 1]`),
//!   several go one per line;
//! - a message value with one scalar field and no comments is written
//!   inline (`{a: 1}`); other message values and lists take one element per
//!   line, and `:` is written after every field name;
//! - adjacent string literals go one per line, indented one level below the
//!   line that holds their name.

mod diff;
mod printer;

pub use diff::unified_diff;

use crate::syntax::{self, SyntaxError};

/// Formats `source` as `buf format` would, or the syntax error that stops
/// it (the file is then left as it is).
pub fn format(source: &str) -> Result<String, SyntaxError> {
    let file = syntax::parse(source)?;
    let formatted = printer::print(&file);
    if let Some(lost) = lost_comment(&file, &formatted) {
        return Err(SyntaxError::new(
            "protoforge cannot place this comment as buf format does (a comment inside a \
             statement, or after an empty `;`); move it above the statement",
            lost,
        ));
    }
    Ok(formatted)
}

/// The first comment of `file` that `formatted` lacks. buf keeps every
/// comment (moving some, turning some `//` into `/* */`); a placement the
/// printer does not know must stop the run rather than drop a comment, so
/// comments are compared by their words (text without spaces and comment
/// marks).
fn lost_comment(file: &syntax::File<'_>, formatted: &str) -> Option<syntax::Span> {
    fn words(text: &str) -> String {
        text.chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '/' | '*'))
            .collect()
    }
    let mut kept: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let (tokens, _) = syntax::lexer::lex(formatted);
    for token in tokens.iter().filter(|t| t.kind.is_comment()) {
        *kept
            .entry(words(&formatted[token.span.range()]))
            .or_default() += 1;
    }
    for token in file.tokens.iter().filter(|t| t.kind.is_comment()) {
        match kept.get_mut(&words(file.slice(token.span))) {
            Some(count) if *count > 0 => *count -= 1,
            _ => return Some(token.span),
        }
    }
    None
}

#[cfg(test)]
mod tests;
