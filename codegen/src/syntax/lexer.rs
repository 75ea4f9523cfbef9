//! Splits `.proto` source into tokens that cover every byte: whitespace and
//! comments are tokens too, so the source prints back exactly.
//!
//! Tokens are plain spans (no text is copied), collected into one vector:
//! lexing a file allocates once, whatever its size.

use super::{Span, SyntaxError};

/// What a [`Token`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A run of spaces, tabs, newlines, form feeds and vertical tabs.
    Whitespace,
    /// `// ...` up to, not including, the newline.
    LineComment,
    /// `/* ... */`.
    BlockComment,
    /// `[A-Za-z_][A-Za-z0-9_]*`: names and keywords alike (every keyword of
    /// protobuf is contextual).
    Ident,
    /// A decimal, octal (`0` prefix) or hexadecimal (`0x` prefix) integer.
    Int,
    /// A floating-point literal (`1.5`, `.5`, `1e10`, `5.`).
    Float,
    /// A string literal with its quotes (`"..."` or `'...'`), escapes as
    /// written.
    String,
    /// One punctuation byte: `{ } [ ] ( ) < > ; , . = - + : /`.
    Symbol,
}

impl TokenKind {
    /// Whitespace and comments: what the grammar skips.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
        )
    }

    /// A comment of either style.
    pub fn is_comment(self) -> bool {
        matches!(self, TokenKind::LineComment | TokenKind::BlockComment)
    }
}

/// One token: its kind and its byte span in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

/// Lexes `source` into tokens whose spans cover it end to end, or the first
/// error (with the tokens before it).
pub(crate) fn lex(source: &str) -> (Vec<Token>, Option<SyntaxError>) {
    let bytes = source.as_bytes();
    // About one token per four bytes in googleapis: one allocation, rarely two.
    let mut tokens = Vec::with_capacity(bytes.len() / 4 + 8);
    let mut i = 0usize;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let kind = match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                while i < bytes.len()
                    && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
                {
                    i += 1;
                }
                TokenKind::Whitespace
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                TokenKind::LineComment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                match find(&bytes[i + 2..], b"*/") {
                    Some(n) => i += 2 + n + 2,
                    None => {
                        return (
                            tokens,
                            Some(SyntaxError::new(
                                "End-of-file inside block comment.",
                                Span::new(start, bytes.len()),
                            )),
                        );
                    }
                }
                TokenKind::BlockComment
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                i += 1;
                while i < bytes.len() && is_ident_byte(bytes[i]) {
                    i += 1;
                }
                TokenKind::Ident
            }
            b'0'..=b'9' => match number(bytes, i) {
                Ok((end, kind)) => {
                    i = end;
                    kind
                }
                Err(error) => return (tokens, Some(error)),
            },
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => match number(bytes, i) {
                Ok((end, kind)) => {
                    i = end;
                    kind
                }
                Err(error) => return (tokens, Some(error)),
            },
            b'"' | b'\'' => {
                i += 1;
                loop {
                    match bytes.get(i) {
                        Some(&c) if c == b => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => i += 2,
                        Some(b'\n') | None => {
                            return (
                                tokens,
                                Some(SyntaxError::new(
                                    "Multiline strings are not allowed. Did you miss a \"?.",
                                    Span::new(start, i),
                                )),
                            );
                        }
                        Some(_) => i += 1,
                    }
                }
                TokenKind::String
            }
            b'{' | b'}' | b'[' | b']' | b'(' | b')' | b'<' | b'>' | b';' | b',' | b'.' | b'='
            | b'-' | b'+' | b':' | b'/' => {
                i += 1;
                TokenKind::Symbol
            }
            _ => {
                let len = source[i..].chars().next().map_or(1, char::len_utf8);
                let message = if b < 0x20 || b == 0x7f {
                    "Invalid control characters encountered in text.".to_owned()
                } else {
                    format!("Unexpected character '{}'.", &source[i..i + len])
                };
                return (
                    tokens,
                    Some(SyntaxError::new(message, Span::new(i, i + len))),
                );
            }
        };
        tokens.push(Token {
            kind,
            span: Span::new(start, i),
        });
    }
    (tokens, None)
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Lexes the number starting at `start` as protoc does: digits, an optional
/// fraction and exponent; a letter right after a number is an error.
fn number(bytes: &[u8], start: usize) -> Result<(usize, TokenKind), SyntaxError> {
    let mut i = start;
    let mut kind = TokenKind::Int;
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        let digits = i;
        while i < bytes.len() && bytes[i].is_ascii_hexdigit() {
            i += 1;
        }
        if i == digits {
            return Err(SyntaxError::new(
                "\"0x\" must be followed by hex digits.",
                Span::new(start, i),
            ));
        }
    } else {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if bytes.get(i) == Some(&b'.') {
            kind = TokenKind::Float;
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            kind = TokenKind::Float;
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let digits = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i == digits {
                return Err(SyntaxError::new(
                    "\"e\" must be followed by exponent.",
                    Span::new(start, i),
                ));
            }
        }
        // protoc accepts the `f` suffix of C floats.
        if kind == TokenKind::Float && matches!(bytes.get(i), Some(b'f' | b'F')) {
            i += 1;
        }
    }
    if i < bytes.len() && (is_ident_byte(bytes[i]) || bytes[i] == b'.') {
        return Err(SyntaxError::new(
            if bytes[i] == b'.' {
                "Already saw decimal point or exponent; can't have another one."
            } else {
                "Need space between number and identifier."
            },
            Span::new(i, i + 1),
        ));
    }
    Ok((i, kind))
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|b| *b == needle)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, &str)> {
        let (tokens, error) = lex(source);
        assert!(error.is_none(), "{error:?}");
        tokens
            .iter()
            .map(|t| (t.kind, &source[t.span.range()]))
            .collect()
    }

    #[test]
    fn covers_every_byte() {
        use TokenKind::*;
        assert_eq!(
            kinds("a.b=-1.5e3 // c\n/* d */'e\\'' 0x1F .5 5."),
            vec![
                (Ident, "a"),
                (Symbol, "."),
                (Ident, "b"),
                (Symbol, "="),
                (Symbol, "-"),
                (Float, "1.5e3"),
                (Whitespace, " "),
                (LineComment, "// c"),
                (Whitespace, "\n"),
                (BlockComment, "/* d */"),
                (String, "'e\\''"),
                (Whitespace, " "),
                (Int, "0x1F"),
                (Whitespace, " "),
                (Float, ".5"),
                (Whitespace, " "),
                (Float, "5."),
            ]
        );
    }

    #[test]
    fn errors_are_located() {
        let error = |s| lex(s).1.map(|e| (e.message, e.span.start));
        assert_eq!(
            error("a /* b"),
            Some(("End-of-file inside block comment.".to_owned(), 2))
        );
        assert_eq!(
            error("\"ab\ncd\""),
            Some((
                "Multiline strings are not allowed. Did you miss a \"?.".to_owned(),
                0
            ))
        );
        assert_eq!(
            error("1x"),
            Some(("Need space between number and identifier.".to_owned(), 1))
        );
        assert_eq!(
            error("a # b"),
            Some(("Unexpected character '#'.".to_owned(), 2))
        );
    }
}
