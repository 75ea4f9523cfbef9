//! Literal values as protoc reads them: integers in three bases, floats,
//! C-escaped strings; and bytes escaped back as protoc writes defaults.
//!
//! (The syntax tree keeps literals as written; their values are read here.)

/// A decimal, octal (`0` prefix) or hexadecimal (`0x` prefix) integer, if
/// it fits 64 bits.
pub(crate) fn integer(text: &str) -> Option<u64> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if text.len() > 1 && text.starts_with('0') {
        u64::from_str_radix(&text[1..], 8).ok()
    } else {
        text.parse().ok()
    }
}

/// A floating-point literal (or an integer read as one).
pub(crate) fn float(text: &str) -> Option<f64> {
    if let Some(value) = integer(text) {
        return Some(value as f64);
    }
    let text = text.trim_end_matches(['f', 'F']);
    text.parse().ok()
}

/// A float or double field's `default` (`1.5`, `-inf`, `nan`, `1e3`) as
/// protoc's parser stores it.
pub(crate) fn float_default(text: &str) -> String {
    let (sign, magnitude) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    match magnitude {
        "inf" | "infinity" => format!("{sign}inf"),
        "nan" => format!("{sign}nan"),
        _ => match float(magnitude) {
            Some(value) => format!("{sign}{value}").to_ascii_lowercase(),
            None => text.to_owned(),
        },
    }
}

/// Appends the bytes of the string literal body `body` (between its quotes)
/// to `out`, escapes decoded; protoc's message when an escape is bad.
pub(crate) fn unescape(body: &str, out: &mut Vec<u8>) -> Result<(), &'static str> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&escape) = bytes.get(i) else {
            return Err("Invalid escape sequence in string literal.");
        };
        i += 1;
        match escape {
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'\\' | b'\'' | b'"' | b'?' => out.push(escape),
            b'0'..=b'7' => {
                let mut value = u32::from(escape - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(&d @ b'0'..=b'7') => {
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
                let mut digits = 0;
                while digits < 2 {
                    match bytes.get(i).and_then(|&d| (d as char).to_digit(16)) {
                        Some(d) => {
                            value = value * 16 + d;
                            i += 1;
                            digits += 1;
                        }
                        None => break,
                    }
                }
                if digits == 0 {
                    return Err("Expected hex digits for escape sequence.");
                }
                out.push(value as u8);
            }
            b'u' | b'U' => {
                let len = if escape == b'u' { 4 } else { 8 };
                let digits = body
                    .get(i..i + len)
                    .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or("Expected four hex digits for \\u escape sequence.")?;
                let code = u32::from_str_radix(digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or("Invalid escape sequence in string literal.")?;
                i += len;
                let mut buf = [0; 4];
                out.extend_from_slice(code.encode_utf8(&mut buf).as_bytes());
            }
            _ => return Err("Invalid escape sequence in string literal."),
        }
    }
    Ok(())
}

/// `bytes` C-escaped as protoc writes a bytes field's default.
pub(crate) fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}
