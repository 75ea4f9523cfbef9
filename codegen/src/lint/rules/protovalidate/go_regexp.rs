//! Whether a `pattern` compiles as Go's `regexp` (RE2 syntax, Perl flags)
//! compiles it, and if not, Go's error as buf prints it (`error parsing
//! regexp: missing closing ): `a(``). The parse follows Go's
//! `regexp/syntax` step by step for what decides an error and the text it
//! quotes; it builds no program. Limits it does not model (nesting
//! depth, the size of nested counted repeats, other names of Unicode
//! categories and scripts than the usual ones) leave the pattern
//! undecided.

/// How a pattern fares: compiles, fails with Go's message, or undecided.
#[derive(Debug, PartialEq)]
pub(super) enum Outcome {
    Compiles,
    Fails(String),
    Undecided(&'static str),
}

/// Go's `syntax.ErrorCode` texts.
const MISSING_PAREN: &str = "missing closing )";
const UNEXPECTED_PAREN: &str = "unexpected )";
const MISSING_BRACKET: &str = "missing closing ]";
const MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const INVALID_ESCAPE: &str = "invalid escape sequence";
const INVALID_CHAR_RANGE: &str = "invalid character class range";
const INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";

enum Failure {
    Go(&'static str, String),
    Undecided(&'static str),
}

fn fail<T>(code: &'static str, expr: &str) -> Result<T, Failure> {
    Err(Failure::Go(code, expr.to_owned()))
}

/// What sits on Go's parse stack, as far as errors go: only whether the
/// top is something to repeat, and where groups open, decide them.
#[derive(Clone, Copy, PartialEq)]
enum Item {
    LeftParen,
    VerticalBar,
    /// Anything that can be repeated.
    Atom,
}

pub(super) fn check(pattern: &str) -> Outcome {
    match parse(pattern) {
        Ok(()) => Outcome::Compiles,
        Err(Failure::Go(code, expr)) => {
            Outcome::Fails(format!("error parsing regexp: {code}: `{expr}`"))
        }
        Err(Failure::Undecided(what)) => Outcome::Undecided(what),
    }
}

/// The first character of `s` and the rest.
fn next(s: &str) -> (Option<char>, &str) {
    let mut chars = s.chars();
    let c = chars.next();
    (c, chars.as_str())
}

fn parse(whole: &str) -> Result<(), Failure> {
    if whole.len() > 1000 {
        return Err(Failure::Undecided("a pattern longer than 1000 bytes"));
    }
    let mut stack: Vec<Item> = Vec::new();
    let mut t = whole;
    let mut last_repeat = "";
    let mut counted_product: u64 = 1;
    let mut depth = 0usize;
    while !t.is_empty() {
        let mut repeat = "";
        let c = t.as_bytes()[0];
        match c {
            b'(' => {
                depth += 1;
                if depth > 200 {
                    return Err(Failure::Undecided("a pattern nested this deep"));
                }
                if t.starts_with("(?") {
                    t = perl_flags(t, &mut stack)?;
                    if !stack.last().is_some_and(|i| *i == Item::LeftParen) {
                        // A flags-only group opens nothing.
                        depth -= 1;
                    }
                } else {
                    stack.push(Item::LeftParen);
                    t = &t[1..];
                }
            }
            b'|' => {
                stack.push(Item::VerticalBar);
                t = &t[1..];
            }
            b')' => {
                // What follows the last `(` becomes one group.
                let Some(open) = stack.iter().rposition(|i| *i == Item::LeftParen) else {
                    return fail(UNEXPECTED_PAREN, whole);
                };
                stack.truncate(open);
                depth = depth.saturating_sub(1);
                stack.push(Item::Atom);
                t = &t[1..];
            }
            b'^' | b'$' | b'.' => {
                stack.push(Item::Atom);
                t = &t[1..];
            }
            b'[' => {
                t = class(t)?;
                stack.push(Item::Atom);
            }
            b'*' | b'+' | b'?' => {
                let before = t;
                let after = &t[1..];
                let after = repetition(&stack, before, after, last_repeat)?;
                repeat = before;
                t = after;
            }
            b'{' => {
                let before = t;
                match counted(t) {
                    None => {
                        // Not a repeat: a literal `{`.
                        stack.push(Item::Atom);
                        t = &t[1..];
                    }
                    Some((min, max, after)) => {
                        if !(0..=1000).contains(&min) || max > 1000 || (max >= 0 && min > max) {
                            return fail(
                                INVALID_REPEAT_SIZE,
                                &before[..before.len() - after.len()],
                            );
                        }
                        counted_product =
                            counted_product.saturating_mul(min.max(max).max(1) as u64);
                        if counted_product > 1000 {
                            return Err(Failure::Undecided("counted repeats this large"));
                        }
                        let after = repetition(&stack, before, after, last_repeat)?;
                        repeat = before;
                        t = after;
                    }
                }
            }
            b'\\' => {
                t = escape_at_top(t)?;
                stack.push(Item::Atom);
            }
            _ => {
                let (_, rest) = next(t);
                stack.push(Item::Atom);
                t = rest;
            }
        }
        last_repeat = repeat;
    }
    if stack.contains(&Item::LeftParen) {
        return fail(MISSING_PAREN, whole);
    }
    Ok(())
}

/// `*`, `+`, `?` or a counted repeat at `before` (the rest `after` it):
/// its argument must be there, and must not be a repeat itself.
fn repetition<'s>(
    stack: &[Item],
    before: &'s str,
    after: &'s str,
    last_repeat: &'s str,
) -> Result<&'s str, Failure> {
    let after = after.strip_prefix('?').unwrap_or(after);
    if !last_repeat.is_empty() {
        return fail(
            INVALID_REPEAT_OP,
            &last_repeat[..last_repeat.len() - after.len()],
        );
    }
    if stack.last() != Some(&Item::Atom) {
        return fail(
            MISSING_REPEAT_ARGUMENT,
            &before[..before.len() - after.len()],
        );
    }
    Ok(after)
}

/// Go's `parseRepeat`: `{n}`, `{n,}`, `{n,m}` as (min, max, rest), max -1
/// for none; `None` when the text is not a repeat.
fn counted(s: &str) -> Option<(i64, i64, &str)> {
    let s = s.strip_prefix('{')?;
    let (mut min, s) = int(s)?;
    let (max, s) = if let Some(s) = s.strip_prefix(',') {
        if let Some(rest) = s.strip_prefix('}') {
            return Some((min, -1, rest));
        }
        let (max, s) = int(s)?;
        if max < 0 {
            min = -1;
        }
        (max, s)
    } else {
        (min, s)
    };
    let rest = s.strip_prefix('}')?;
    Some((min, max, rest))
}

/// Go's `parseInt`: digits without a leading zero; -1 when too big.
fn int(s: &str) -> Option<(i64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits >= 2 && s.starts_with('0')) {
        return None;
    }
    let mut n: i64 = 0;
    for b in s[..digits].bytes() {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some((n, &s[digits..]))
}

/// `(?` at the start of `s`: a named group or flags (Go's
/// `parsePerlFlags`).
fn perl_flags<'s>(s: &'s str, stack: &mut Vec<Item>) -> Result<&'s str, Failure> {
    let bytes = s.as_bytes();
    let named = (bytes.len() > 4 && bytes[2] == b'P' && bytes[3] == b'<')
        || (bytes.len() > 3 && bytes[2] == b'<');
    if named {
        let begin = if bytes[2] == b'P' { 4 } else { 3 };
        let Some(end) = s.find('>') else {
            return fail(INVALID_NAMED_CAPTURE, s);
        };
        let name = &s[begin..end];
        if !name.is_ascii() {
            return Err(Failure::Undecided("a group name beyond ASCII"));
        }
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return fail(INVALID_NAMED_CAPTURE, &s[..=end]);
        }
        stack.push(Item::LeftParen);
        return Ok(&s[end + 1..]);
    }
    let mut t = &s[2..];
    let mut negated = false;
    let mut saw_flag = false;
    loop {
        let (c, rest) = next(t);
        let Some(c) = c else { break };
        match c {
            'i' | 'm' | 's' | 'U' => {
                saw_flag = true;
                t = rest;
            }
            '-' => {
                t = rest;
                if negated {
                    break;
                }
                negated = true;
                saw_flag = false;
            }
            ':' | ')' => {
                t = rest;
                if negated && !saw_flag {
                    break;
                }
                if c == ':' {
                    stack.push(Item::LeftParen);
                }
                return Ok(t);
            }
            _ => {
                t = rest;
                break;
            }
        }
    }
    fail(INVALID_PERL_OP, &s[..s.len() - t.len()])
}

/// A backslash outside a class: `\A`, `\b`, `\B`, `\z`, `\Q...\E`, a
/// Unicode or Perl class, or an escaped character (`\C` is refused).
fn escape_at_top(t: &str) -> Result<&str, Failure> {
    let bytes = t.as_bytes();
    if bytes.len() >= 2 {
        match bytes[1] {
            b'A' | b'b' | b'B' | b'z' => return Ok(&t[2..]),
            b'C' => return fail(INVALID_ESCAPE, &t[..2]),
            b'Q' => {
                return Ok(match t[2..].find("\\E") {
                    Some(end) => &t[2 + end + 2..],
                    None => "",
                });
            }
            _ => {}
        }
    }
    if let Some(rest) = unicode_class(t)? {
        return Ok(rest);
    }
    if let Some(rest) = perl_class(t) {
        return Ok(rest);
    }
    escape(t).map(|(_, rest)| rest)
}

/// `\d`, `\D`, `\s`, `\S`, `\w`, `\W`.
fn perl_class(t: &str) -> Option<&str> {
    let bytes = t.as_bytes();
    (bytes.len() >= 2 && bytes[0] == b'\\' && b"dDsSwW".contains(&bytes[1])).then(|| &t[2..])
}

/// `\pN`, `\p{Name}`, `\PN`, `\P{^Name}` (Go's `parseUnicodeClass`):
/// the rest after it, `None` when `t` is not one.
fn unicode_class(t: &str) -> Result<Option<&str>, Failure> {
    let bytes = t.as_bytes();
    if bytes.len() < 2 || bytes[0] != b'\\' || (bytes[1] != b'p' && bytes[1] != b'P') {
        return Ok(None);
    }
    let (c, rest) = next(&t[2..]);
    let (seq, name, rest) = if c != Some('{') {
        let seq = &t[..t.len() - rest.len()];
        (seq, &seq[2..], rest)
    } else {
        let Some(end) = t.find('}') else {
            return fail(INVALID_CHAR_RANGE, t);
        };
        (&t[..=end], &t[3..end], &t[end + 1..])
    };
    let name = name.strip_prefix('^').unwrap_or(name);
    if CATEGORIES.contains(&name) || SCRIPTS.contains(&name) || name == "Any" {
        return Ok(Some(rest));
    }
    // Go also takes other names of categories and scripts (`Letter`,
    // `greek`, recent scripts): the names regex-syntax's Unicode tables
    // know as a category or a script are left undecided, the rest fail.
    let known = |property: &str| {
        regex_syntax::ParserBuilder::new()
            .build()
            .parse(&format!("\\p{{{property}={name}}}"))
            .is_ok()
    };
    if !name.is_empty() && (known("gc") || known("sc")) {
        return Err(Failure::Undecided(
            "a Unicode class name protoforge does not know",
        ));
    }
    fail(INVALID_CHAR_RANGE, seq)
}

/// Unicode general categories, as Go's `unicode.Categories` names them.
const CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs",
];

/// Common scripts of Go's `unicode.Scripts`.
const SCRIPTS: &[&str] = &[
    "Arabic",
    "Armenian",
    "Bengali",
    "Common",
    "Cyrillic",
    "Devanagari",
    "Georgian",
    "Greek",
    "Han",
    "Hangul",
    "Hebrew",
    "Hiragana",
    "Inherited",
    "Katakana",
    "Latin",
    "Thai",
];

/// POSIX classes inside brackets (`[:alpha:]`, `[:^alpha:]`).
const POSIX: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Go's `parseEscape`: one escaped character, and the rest.
fn escape(s: &str) -> Result<(char, &str), Failure> {
    let t = &s[1..];
    let (c, mut t) = next(t);
    let Some(c) = c else {
        return fail(TRAILING_BACKSLASH, "");
    };
    let invalid = |t: &str| fail(INVALID_ESCAPE, &s[..s.len() - t.len()]);
    let octal = |b: Option<&u8>| b.is_some_and(|b| (b'0'..=b'7').contains(b));
    match c {
        '1'..='7' if !octal(t.as_bytes().first()) => invalid(t),
        '0'..='7' => {
            let mut value = c as u32 - '0' as u32;
            for _ in 1..3 {
                if !octal(t.as_bytes().first()) {
                    break;
                }
                value = value * 8 + u32::from(t.as_bytes()[0] - b'0');
                t = &t[1..];
            }
            Ok((char::from_u32(value).unwrap_or('\0'), t))
        }
        'x' => {
            let (first, rest) = next(t);
            let Some(first) = first else {
                return invalid(t);
            };
            t = rest;
            if first == '{' {
                let mut value: u32 = 0;
                let mut digits = 0;
                loop {
                    let (c, rest) = next(t);
                    let Some(c) = c else { return invalid(t) };
                    t = rest;
                    if c == '}' {
                        break;
                    }
                    let Some(v) = c.to_digit(16) else {
                        return invalid(t);
                    };
                    value = value * 16 + v;
                    if value > 0x10FFFF {
                        return invalid(t);
                    }
                    digits += 1;
                }
                if digits == 0 {
                    return invalid(t);
                }
                return Ok((char::from_u32(value).unwrap_or('\u{fffd}'), t));
            }
            let (second, rest) = next(t);
            t = rest;
            match (first.to_digit(16), second.and_then(|c| c.to_digit(16))) {
                (Some(x), Some(y)) => Ok((char::from_u32(x * 16 + y).unwrap_or('\0'), t)),
                _ => invalid(t),
            }
        }
        'a' => Ok(('\x07', t)),
        'f' => Ok(('\x0c', t)),
        'n' => Ok(('\n', t)),
        'r' => Ok(('\r', t)),
        't' => Ok(('\t', t)),
        'v' => Ok(('\x0b', t)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c, t)),
        _ => invalid(t),
    }
}

/// A bracketed class at the start of `s` (Go's `parseClass`): the rest
/// after it.
fn class(s: &str) -> Result<&str, Failure> {
    let mut t = &s[1..];
    if let Some(rest) = t.strip_prefix('^') {
        t = rest;
    }
    let mut first = true;
    while t.is_empty() || !t.starts_with(']') || first {
        first = false;
        if t.len() > 2
            && t.starts_with("[:")
            && let Some(i) = t[2..].find(":]")
        {
            let name = &t[..i + 4];
            let inner = &t[2..i + 2];
            if !POSIX.contains(&inner.strip_prefix('^').unwrap_or(inner)) {
                return fail(INVALID_CHAR_RANGE, name);
            }
            t = &t[i + 4..];
            continue;
        }
        if let Some(rest) = unicode_class(t)? {
            t = rest;
            continue;
        }
        if let Some(rest) = perl_class(t) {
            t = rest;
            continue;
        }
        let range = t;
        let (lo, rest) = class_char(t, s)?;
        t = rest;
        if t.len() >= 2 && t.starts_with('-') && !t[1..].starts_with(']') {
            let (hi, rest) = class_char(&t[1..], s)?;
            t = rest;
            if hi < lo {
                return fail(INVALID_CHAR_RANGE, &range[..range.len() - t.len()]);
            }
        }
    }
    Ok(&t[1..])
}

fn class_char<'s>(t: &'s str, whole: &str) -> Result<(char, &'s str), Failure> {
    if t.is_empty() {
        return fail(MISSING_BRACKET, whole);
    }
    if t.starts_with('\\') {
        return escape(t);
    }
    let (c, rest) = next(t);
    Ok((c.unwrap_or('\0'), rest))
}

#[cfg(test)]
mod tests {
    use super::{Outcome, check};

    #[test]
    fn go_errors() {
        for (pattern, expected) in [
            ("a(", "missing closing ): `a(`"),
            ("a)", "unexpected ): `a)`"),
            ("(?x) a", "invalid or unsupported Perl syntax: `(?x`"),
            ("[z-a]", "invalid character class range: `z-a`"),
            ("a**", "invalid nested repetition operator: `**`"),
            ("\\p{Foo}", "invalid character class range: `\\p{Foo}`"),
            ("x{1001}", "invalid repeat count: `{1001}`"),
            ("\\8", "invalid escape sequence: `\\8`"),
            ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
            ("a{2,1}", "invalid repeat count: `{2,1}`"),
            ("\\C", "invalid escape sequence: `\\C`"),
            ("[a", "missing closing ]: `[a`"),
            ("*", "missing argument to repetition operator: `*`"),
            ("\\", "trailing backslash at end of expression: ``"),
            ("x*+", "invalid nested repetition operator: `*+`"),
            ("\\x{110000}", "invalid escape sequence: `\\x{110000`"),
            ("[a-\\d]", "invalid escape sequence: `\\d`"),
        ] {
            assert_eq!(
                check(pattern),
                Outcome::Fails(format!("error parsing regexp: {expected}")),
                "{pattern}"
            );
        }
        for pattern in [
            "^[a-z]+(\\.[a-z]+)*$",
            "(?P<n>a)(?P<n>b)",
            "\\Qa.b\\E",
            "(?<n>a)",
            "(?i)a",
            "a{1000}",
            "\\pN",
            "(?U)a+",
            "[\\d-z]",
            "\\b\\B",
            "(?s:.)",
            "\\z\\A",
            "(?m)^$",
            "\\<",
            "a|b|(c|d)*",
            "x{,2}",
            "[]a]",
        ] {
            assert_eq!(check(pattern), Outcome::Compiles, "{pattern}");
        }
    }
}
