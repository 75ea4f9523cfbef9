//! Doc comments of generated items, written as prost-build writes them.
//!
//! A location's leading comment, then (when both exist) an empty `///`
//! line, then its trailing comment, each line as a `///` line. Leading
//! detached comments are written by prost-build as plain `//` lines, which
//! formatting drops, so they are not written at all.
//!
//! Each comment first goes through Markdown clean-up (tonic-prost-build's
//! default `cleanup-markdown`): parsed with pulldown-cmark (every extension
//! but smart punctuation) and printed back with pulldown-cmark-to-cmark,
//! code blocks fenced with three backticks, indented blocks as `text`,
//! ```` ```rust ```` blocks as `compile_fail` and other languages as
//! `text,LANG`, so rustdoc does not run protobuf's examples as doctests.
//! Then each line is escaped for rustdoc: URLs in angle brackets, `[x]`
//! not followed by `(` or `[` as `\[x\]` (not an intra-doc link), and a
//! space after `///` unless the line starts with exactly one space.
//! (pulldown-cmark-to-cmark already writes brackets of plain text as `\[`
//! and `\]`, so after clean-up the bracket rule rarely finds anything: its
//! unit tests, not the differential test, are what check it.)

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};

use crate::compile::descriptor::source_code_info::Location;

/// Appends the doc comment of `location` to `out`.
pub(crate) fn append(location: &Location, out: &mut String) {
    let leading = location
        .leading_comments
        .as_deref()
        .map(cleaned_lines)
        .unwrap_or_default();
    let trailing = location
        .trailing_comments
        .as_deref()
        .map(cleaned_lines)
        .unwrap_or_default();
    for line in &leading {
        push_doc_line(line, out);
    }
    if !leading.is_empty() && !trailing.is_empty() {
        out.push_str("///\n");
    }
    for line in &trailing {
        push_doc_line(line, out);
    }
}

/// The lines of a comment after Markdown clean-up; the comment as written
/// when pulldown-cmark-to-cmark cannot print it.
pub(crate) fn cleaned_lines(comment: &str) -> Vec<String> {
    let events =
        Parser::new_ext(comment, Options::all() - Options::ENABLE_SMART_PUNCTUATION).map(|event| {
            match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(match kind {
                        CodeBlockKind::Fenced(lang) if lang.as_ref() == "rust" => {
                            "compile_fail".into()
                        }
                        CodeBlockKind::Fenced(lang) => format!("text,{lang}").into(),
                        CodeBlockKind::Indented => "text".into(),
                    })))
                }
                other => other,
            }
        });
    let options = pulldown_cmark_to_cmark::Options {
        code_block_token_count: 3,
        ..Default::default()
    };
    let mut printed = String::with_capacity(comment.len() + 256);
    match pulldown_cmark_to_cmark::cmark_with_options(events, &mut printed, options) {
        Ok(_) => printed.lines().map(str::to_owned).collect(),
        Err(_) => comment.lines().map(str::to_owned).collect(),
    }
}

fn push_doc_line(line: &str, out: &mut String) {
    out.push_str("///");
    let escaped = escape_brackets(&bracket_urls(line));
    let mut chars = escaped.chars();
    let indent = chars
        .next()
        .is_some_and(|c| c != ' ' || chars.next() == Some(' '));
    if indent {
        out.push(' ');
    }
    out.push_str(&escaped);
    out.push('\n');
}

/// `http://x` and `https://x` (up to whitespace or `)`) in angle brackets,
/// so rustdoc links them.
fn bracket_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("http") {
        let after = &rest[at + 4..];
        let scheme = if after.starts_with("s://") {
            8
        } else if after.starts_with("://") {
            7
        } else {
            0
        };
        let url_len = if scheme == 0 {
            0
        } else {
            let body = &rest[at + scheme..];
            let end = body
                .find(|c: char| c.is_whitespace() || c == ')')
                .unwrap_or(body.len());
            if end == 0 { 0 } else { scheme + end }
        };
        if url_len == 0 {
            out.push_str(&rest[..at + 4]);
            rest = &rest[at + 4..];
            continue;
        }
        out.push_str(&rest[..at]);
        out.push('<');
        out.push_str(&rest[at..at + url_len]);
        out.push('>');
        rest = &rest[at + url_len..];
    }
    out.push_str(rest);
    out
}

/// `[x]` as `\[x\]`, where the `[` is at the start or after a character
/// other than `]` and `\`, `x` does not end in `\` and holds no `]` but
/// maybe its last character, and the `]` is followed by the end or a
/// character other than `(` and `[`. Matches are found left to right and
/// do not overlap: the characters before and after a match belong to it.
fn escape_brackets(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 4);
    let mut from = 0;
    let mut at = 0;
    while at < chars.len() {
        if let Some(found) = bracket_match(&chars, at) {
            out.extend(&chars[from..found.open]);
            out.push_str("\\[");
            out.extend(&chars[found.open + 1..found.close]);
            out.push_str("\\]");
            from = found.close + 1;
            at = found.end.max(at + 1);
        } else {
            at += 1;
        }
    }
    out.extend(&chars[from.min(chars.len())..]);
    out
}

/// Where a bracketed text matched from `start`: its `[`, its `]` and the
/// end of the match.
struct BracketMatch {
    open: usize,
    close: usize,
    end: usize,
}

/// The match starting at `start`, with the preferences of a backtracking
/// regex: the start of the line before a leading character, the longest
/// inner text first, a following character before the end of the line.
fn bracket_match(chars: &[char], start: usize) -> Option<BracketMatch> {
    let mut opens = Vec::with_capacity(2);
    if start == 0 && chars.first() == Some(&'[') {
        opens.push(0);
    }
    if chars.get(start).is_some_and(|&c| c != ']' && c != '\\')
        && chars.get(start + 1) == Some(&'[')
    {
        opens.push(start + 1);
    }
    for open in opens {
        let inner = open + 1;
        // The inner text: a run without `]`, then one character but `\`.
        let run = chars[inner..].iter().take_while(|&&c| c != ']').count();
        let mut closes: Vec<usize> = (0..=run)
            .rev()
            .filter(|&k| chars.get(inner + k).is_some_and(|&c| c != '\\'))
            .map(|k| inner + k + 1)
            .collect();
        // Or no inner text at all.
        closes.push(inner);
        for close in closes {
            if chars.get(close) != Some(&']') {
                continue;
            }
            match chars.get(close + 1) {
                Some(&c) if c != '(' && c != '[' => {
                    return Some(BracketMatch {
                        open,
                        close,
                        end: close + 2,
                    });
                }
                None => {
                    return Some(BracketMatch {
                        open,
                        close,
                        end: close + 1,
                    });
                }
                Some(_) => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(line: &str) -> String {
        let mut out = String::new();
        push_doc_line(line, &mut out);
        out
    }

    #[test]
    fn lines_are_escaped_for_rustdoc() {
        assert_eq!(doc(" plain"), "/// plain\n");
        assert_eq!(doc("plain"), "/// plain\n");
        assert_eq!(doc("   list"), "///    list\n");
        assert_eq!(doc(""), "///\n");
        assert_eq!(doc(" see https://x.y/z)."), "/// see <https://x.y/z>).\n");
        assert_eq!(doc(" http:// no"), "/// http:// no\n");
        assert_eq!(doc(" a [b] c"), "/// a \\[b\\] c\n");
        assert_eq!(doc("[b]"), "/// \\[b\\]\n");
        assert_eq!(doc(" [b](link)"), "/// [b](link)\n");
        assert_eq!(doc(" [a][b]"), "/// [a][b]\n");
        assert_eq!(doc(" \\[b]"), "/// \\[b]\n");
        assert_eq!(doc(" [] x"), "/// \\[\\] x\n");
        // The character after a match belongs to it: the next `[` has no
        // character before it left to match.
        assert_eq!(doc(" [a] [b]"), "/// \\[a\\] [b]\n");
        assert_eq!(doc(" [a]x[b]"), "/// \\[a\\]x[b]\n");
    }
}
