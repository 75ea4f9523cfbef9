//! CEL's tokens, as cel-go's ANTLR lexer cuts them. A character no token
//! starts with is an error the caller cannot word as ANTLR's recovery does,
//! so the lexer only says where it is.

/// One token and the byte offset it starts at.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub kind: Tok,
    pub at: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// Punctuation and operators, as written (`==`, `&&`, `(`...).
    Punct(&'static str),
    Ident(String),
    Int,
    Uint,
    Double,
    String,
    Bytes,
    True,
    False,
    Null,
    Eof,
}

/// The keywords CEL reserves: an identifier spelled so is refused.
pub(super) const RESERVED: &[&str] = &[
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

const PUNCTS: &[&str] = &[
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "[", "]", "{", "}", "(", ")", ".", ",", "-", "!",
    "?", ":", "+", "*", "/", "%",
];

/// The tokens of `text`, or the offset of the first character that starts
/// none.
pub(super) fn tokens(text: &str) -> Result<Vec<Token>, usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c') {
            i += 1;
            continue;
        }
        if text[i..].starts_with("//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        // String and bytes literals, with their r/b prefixes.
        let mut j = i;
        let mut raw = false;
        let mut is_bytes = false;
        while j < bytes.len() && j - i < 2 && matches!(bytes[j], b'r' | b'R' | b'b' | b'B') {
            match bytes[j] {
                b'r' | b'R' if !raw => raw = true,
                b'b' | b'B' if !is_bytes => is_bytes = true,
                _ => break,
            }
            j += 1;
        }
        if j < bytes.len() && matches!(bytes[j], b'"' | b'\'') {
            let end = string_end(bytes, j, raw).ok_or(start)?;
            out.push(Token {
                kind: if is_bytes { Tok::Bytes } else { Tok::String },
                at: start,
                end,
            });
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &text[start..i];
            let kind = match word {
                "true" => Tok::True,
                "false" => Tok::False,
                "null" => Tok::Null,
                "in" => Tok::Punct("in"),
                _ => Tok::Ident(word.to_owned()),
            };
            out.push(Token {
                kind,
                at: start,
                end: i,
            });
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (kind, end) = number(bytes, i).ok_or(start)?;
            out.push(Token {
                kind,
                at: start,
                end,
            });
            i = end;
            continue;
        }
        let Some(punct) = PUNCTS.iter().find(|p| text[i..].starts_with(**p)) else {
            return Err(start);
        };
        out.push(Token {
            kind: Tok::Punct(punct),
            at: start,
            end: start + punct.len(),
        });
        i += punct.len();
    }
    out.push(Token {
        kind: Tok::Eof,
        at: bytes.len(),
        end: bytes.len(),
    });
    Ok(out)
}

/// The end of the quoted literal opening at `open` (single or triple
/// quotes), if it closes on its line (or anywhere, triple-quoted).
fn string_end(bytes: &[u8], open: usize, raw: bool) -> Option<usize> {
    let quote = bytes[open];
    let triple = bytes.get(open + 1) == Some(&quote) && bytes.get(open + 2) == Some(&quote);
    let mut i = open + if triple { 3 } else { 1 };
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\\' && !raw {
            i += escape_len(&bytes[i + 1..])? + 1;
            continue;
        }
        if triple {
            if bytes[i..].starts_with(&[quote, quote, quote]) {
                return Some(i + 3);
            }
        } else if c == quote {
            return Some(i + 1);
        } else if c == b'\n' || c == b'\r' {
            return None;
        }
        i += 1;
    }
    None
}

/// A number at `i`: an int (decimal or hex), a uint (`u` suffix) or a
/// double (fraction or exponent).
fn number(bytes: &[u8], mut i: usize) -> Option<(Tok, usize)> {
    let digits = |i: &mut usize, hex: bool| {
        let from = *i;
        while *i < bytes.len()
            && (bytes[*i].is_ascii_digit() || (hex && bytes[*i].is_ascii_hexdigit()))
        {
            *i += 1;
        }
        *i > from
    };
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        if !digits(&mut i, true) {
            return None;
        }
        if matches!(bytes.get(i), Some(b'u' | b'U')) {
            return Some((Tok::Uint, i + 1));
        }
        return Some((Tok::Int, i));
    }
    let whole = digits(&mut i, false);
    let mut double = false;
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        digits(&mut i, false);
        double = true;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if digits(&mut j, false) {
            i = j;
            double = true;
        }
    }
    if !whole && !double {
        return None;
    }
    if double {
        return Some((Tok::Double, i));
    }
    if matches!(bytes.get(i), Some(b'u' | b'U')) {
        return Some((Tok::Uint, i + 1));
    }
    Some((Tok::Int, i))
}

/// The length of a valid escape after a backslash (as CEL's lexer accepts
/// them), or `None`.
fn escape_len(after: &[u8]) -> Option<usize> {
    let hex = |n: usize| {
        (after.len() > n && after[1..=n].iter().all(u8::is_ascii_hexdigit)).then_some(n + 1)
    };
    match *after.first()? {
        b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v' | b'\\' | b'\'' | b'"' | b'`' | b'?' => {
            Some(1)
        }
        b'x' | b'X' => hex(2),
        b'u' => {
            let len = hex(4)?;
            let code = u32::from_str_radix(std::str::from_utf8(&after[1..5]).ok()?, 16).ok()?;
            (!(0xd800..0xe000).contains(&code)).then_some(len)
        }
        b'U' => {
            let len = hex(8)?;
            let code = u32::from_str_radix(std::str::from_utf8(&after[1..9]).ok()?, 16).ok()?;
            char::from_u32(code).map(|_| len)
        }
        b'0'..=b'3' => {
            (after.len() > 2 && after[1..3].iter().all(|b| (b'0'..=b'7').contains(b))).then_some(3)
        }
        _ => None,
    }
}
