//! The values of literal tokens, decoded as protoc decodes them: strings
//! with C escapes (concatenated when adjacent), integers in decimal, octal
//! and hexadecimal.

use super::{File, Span, Strings, SyntaxError, Tok, TokenKind};

impl File<'_> {
    /// The bytes of one or more adjacent string literals, escapes decoded
    /// (`\n`, `\x41`, `\101`, `\u00e9`, `\U0001F600`, ...); a bad escape is
    /// an error located at it.
    pub fn string_value(&self, strings: Strings) -> Result<Vec<u8>, SyntaxError> {
        let mut out = Vec::new();
        for tok in self.significant(strings.first, strings.last) {
            decode_string(self.text(tok), self.span(tok).start as usize, &mut out)?;
        }
        Ok(out)
    }

    /// The value of an integer token (decimal, `0` octal, `0x` hexadecimal),
    /// or an error when it does not fit in 64 bits.
    pub fn integer_value(&self, tok: Tok) -> Result<u64, SyntaxError> {
        let token = self.token(tok);
        let error = |message: &str| SyntaxError::new(message, token.span);
        if token.kind != TokenKind::Int {
            return Err(error("Expected integer."));
        }
        parse_integer(self.text(tok)).ok_or_else(|| error("Integer out of range."))
    }
}

/// An integer literal's value, `None` past `u64::MAX`.
pub(crate) fn parse_integer(text: &str) -> Option<u64> {
    let (digits, radix) =
        if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            (hex, 16)
        } else if text.len() > 1 && text.starts_with('0') {
            (&text[1..], 8)
        } else {
            (text, 10)
        };
    u64::from_str_radix(digits, radix).ok()
}

fn decode_string(text: &str, offset: usize, out: &mut Vec<u8>) -> Result<(), SyntaxError> {
    let bytes = text.as_bytes();
    // Without the quotes.
    let end = bytes.len().saturating_sub(1);
    let mut i = 1;
    while i < end {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let start = i;
        // Located as protoc locates them: at the first offending byte after
        // the backslash.
        let error = |at: usize, message: &str| {
            SyntaxError::new(message, Span::new(offset + at, offset + at + 1))
        };
        i += 1;
        let Some(&c) = bytes.get(i).filter(|_| i < end) else {
            return Err(error(
                start + 1,
                "Invalid escape sequence in string literal.",
            ));
        };
        i += 1;
        match c {
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'\\' | b'?' | b'\'' | b'"' => out.push(c),
            b'0'..=b'7' => {
                let mut value = u32::from(c - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(d @ b'0'..=b'7') if i < end => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(value as u8);
            }
            b'x' | b'X' => {
                let mut value = 0u32;
                let mut count = 0;
                while count < 2 && i < end && bytes[i].is_ascii_hexdigit() {
                    value = value * 16 + (bytes[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    count += 1;
                }
                if count == 0 {
                    return Err(error(i, "Expected hex digits for escape sequence."));
                }
                out.push(value as u8);
            }
            b'u' | b'U' => {
                let len = if c == b'u' { 4 } else { 8 };
                let valid = bytes[i..end]
                    .iter()
                    .take(len)
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                let code = (valid == len)
                    .then(|| u32::from_str_radix(&text[i..i + len], 16).ok())
                    .flatten()
                    .and_then(char::from_u32);
                let Some(code) = code else {
                    let message = if c == b'u' {
                        "Expected four hex digits for \\u escape sequence."
                    } else {
                        "Expected eight hex digits up to 10ffff for \\U escape sequence"
                    };
                    return Err(error(i + valid, message));
                };
                i += len;
                let mut buf = [0u8; 4];
                out.extend_from_slice(code.encode_utf8(&mut buf).as_bytes());
            }
            _ => {
                return Err(error(
                    start + 1,
                    "Invalid escape sequence in string literal.",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{FileItem, Value, parse};

    fn value(literal: &str) -> Result<Vec<u8>, String> {
        let source = format!("option a = {literal};");
        let file = parse(&source).expect("parses");
        let FileItem::Option(option) = &file.items[0] else {
            panic!("an option")
        };
        let Value::String(strings) = option.value else {
            panic!("a string")
        };
        file.string_value(strings).map_err(|e| e.message)
    }

    #[test]
    fn escapes_decode_as_protoc_decodes_them() {
        assert_eq!(value(r#""a\n\t\\\"" 'b\'c'"#), Ok(b"a\n\t\\\"b'c".to_vec()));
        assert_eq!(value(r#""\101\x41\0\1234""#), Ok(b"AA\0S4".to_vec()));
        assert_eq!(
            value(r#""\u00e9\U0001F600""#),
            Ok("é😀".as_bytes().to_vec())
        );
        assert_eq!(
            value(r#""\q""#),
            Err("Invalid escape sequence in string literal.".to_owned())
        );
        assert_eq!(
            value(r#""\xg""#),
            Err("Expected hex digits for escape sequence.".to_owned())
        );
        // Located as protoc locates them (`a.proto:1:15`, 1-based).
        let file = parse("option a = \"x\\q\";").expect("parses");
        let FileItem::Option(option) = &file.items[0] else {
            panic!("an option")
        };
        let Value::String(strings) = option.value else {
            panic!("a string")
        };
        assert_eq!(file.string_value(strings).expect_err("bad").span.start, 14);
    }

    #[test]
    fn integers_in_every_base() {
        assert_eq!(parse_integer("0"), Some(0));
        assert_eq!(parse_integer("017"), Some(15));
        assert_eq!(parse_integer("0x1F"), Some(31));
        assert_eq!(parse_integer("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_integer("18446744073709551616"), None);
    }
}
