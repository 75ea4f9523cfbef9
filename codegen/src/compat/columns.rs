//! Columns as buf prints them.
//!
//! A `SourceCodeInfo` span counts columns as its compiler does: protoc
//! counts bytes, a tab advancing to the next multiple of 8 (protox, the
//! front end before our own, counts a tab as one byte). buf 1.75 prints the
//! spans of the images it builds itself, and its compiler counts what a
//! terminal shows: the display width of each grapheme cluster (two for
//! East Asian wide characters and emoji, none for combining marks and
//! format characters) and tabs to the next multiple of 4. So after
//! non-ASCII text or a tab, the same finding is at another column in buf's
//! output. Findings in files compiled from source are moved to buf's
//! columns here, on the file's text; an image's spans are printed as they
//! are, as buf does (it has no text to count on). The descriptors keep
//! their compiler's columns.
//!
//! The width of a cluster follows the `uniseg` package buf uses: the width
//! of its first character, where the rest of an emoji cluster counts only
//! through a variation selector (text: 1, emoji: 2), a flag (two regional
//! indicators) counts 2, a Hangul syllable written in jamo counts its first
//! jamo, and the marks after any other character add their own widths.
//! Checked against buf in `codegen/tests/lint_buf.rs` and `compat_buf.rs`.

use std::borrow::Cow;
use std::collections::HashMap;

use unicode_properties::{GeneralCategory, UnicodeEmoji, UnicodeGeneralCategory};
use unicode_width::UnicodeWidthChar;

use super::finding::{Finding, Span};

/// buf's tab stops.
const BUF_TAB_STOP: u32 = 4;

/// Moves the spans of `findings` to buf's columns, on the files' `texts`
/// (by the findings' paths; a file without one keeps its spans).
pub(crate) fn to_buf(findings: &mut [Finding], texts: &HashMap<String, Cow<'_, str>>) {
    // In runs of findings on every core (lint has tens of thousands), each
    // thread cutting the files it meets into lines once.
    let runs: Vec<&mut [Finding]> = findings.chunks_mut(4096).collect();
    let moved = crate::compile::parallel::map_with(runs, HashMap::new, |lines, run| {
        for finding in run {
            let (Some(path), Some(span)) = (&finding.path, &mut finding.span) else {
                continue;
            };
            if *span == Span::FILE {
                continue;
            }
            let Some((name, text)) = texts.get_key_value(path.as_str()) else {
                continue;
            };
            let file: &mut Lines<'_> = lines
                .entry(name.as_str())
                .or_insert_with(|| Lines::new(text));
            span.start_column = file.buf_column(span.start_line, span.start_column);
            span.end_column = file.buf_column(span.end_line, span.end_column);
        }
        Some(())
    });
    if moved.is_none() {
        unreachable!("moving columns panicked");
    }
}

/// Whether the compiler's 0-based `column` on `line` is the first thing on
/// it but blanks. buf's compiler gives an element no leading comment when a
/// comment sits before it on its first line (protoc takes that comment).
pub(crate) fn starts_line(line: &str, column: u32) -> bool {
    line.as_bytes()[..byte_offset(line, column)]
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c))
}

/// A file's text cut into lines.
#[derive(Debug)]
pub(crate) struct Lines<'t> {
    text: &'t str,
    /// Byte offset of each line's start.
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub(crate) fn new(text: &'t str) -> Lines<'t> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// The text of 0-based `line`, without its newline.
    pub(crate) fn line(&self, line: usize) -> Option<&'t str> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        Some(&self.text[start..end])
    }

    /// buf's 1-based column of the compiler's 1-based `column` on 1-based
    /// `line` (unchanged when the line is not there).
    fn buf_column(&self, line: u32, column: u32) -> u32 {
        let Some(text) = self.line(line.saturating_sub(1) as usize) else {
            return column;
        };
        let prefix = &text[..byte_offset(text, column.saturating_sub(1))];
        if prefix.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
            return column;
        }
        display_width(prefix) + 1
    }
}

/// The byte offset of the compiler's 0-based `column` in `line`, on a char
/// boundary (the line's end past it).
fn byte_offset(line: &str, column: u32) -> usize {
    let mut at = 0u32;
    for (offset, b) in line.bytes().enumerate() {
        if at >= column && line.is_char_boundary(offset) {
            return offset;
        }
        at = if b == b'\t' {
            // Asked only on meeting a tab: the probe compiles a file.
            let tab = front_end_tab_stop();
            at + tab - at % tab
        } else {
            at + 1
        };
    }
    line.len()
}

/// How the compiler behind [`crate::compile::Compiler::compile`] counts a
/// tab: asked once, on a line that starts with one.
fn front_end_tab_stop() -> u32 {
    static TAB: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *TAB.get_or_init(|| {
        let sources = [(
            "t.proto".to_owned(),
            "syntax = \"proto3\";\n\tmessage M {}\n".to_owned(),
        )]
        .into();
        let column = crate::compile::Compiler::new()
            .include_source_info(true)
            .compile_sources(&sources)
            .ok()
            .and_then(|compiled| {
                let file = compiled.files().first()?;
                let location = file
                    .source_code_info
                    .as_ref()?
                    .location
                    .iter()
                    .find(|l| l.path == [4, 0])?;
                location.span.get(1).copied()
            });
        // The message starts right after the tab, at the first tab stop
        // (0-based: 8 for protoc's count, 1 where a tab is one column).
        match column {
            Some(column) if column > 1 => column as u32,
            _ => 1,
        }
    })
}

/// The columns `text` takes in buf's count, from the start of a line.
pub(crate) fn display_width(text: &str) -> u32 {
    let mut column = 0u32;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\t' {
            column += BUF_TAB_STOP - column % BUF_TAB_STOP;
            continue;
        }
        let mut width = char_width(c);
        if is_regional_indicator(c) {
            // A flag: two indicators, one cluster.
            chars.next_if(|&next| is_regional_indicator(next));
        } else if is_pictographic(c) {
            // The rest of an emoji cluster (modifiers, tags, joined
            // pictographs) counts only through a variation selector.
            while let Some(next) = chars.next_if(|&next| is_extend(next)) {
                match next {
                    '\u{FE0E}' => width = 1,
                    '\u{FE0F}' => width = 2,
                    '\u{200D}' => {
                        chars.next_if(|&next| is_pictographic(next));
                    }
                    _ => {}
                }
            }
        } else if let Some(mut jamo) = Hangul::of(c).filter(|h| *h == Hangul::L) {
            // A syllable written in jamo counts its leading jamo.
            while let Some(next) = chars.next_if(|&next| {
                is_extend(next)
                    || next == '\u{200D}'
                    || Hangul::of(next).is_some_and(|n| jamo.joins(n))
            }) {
                if let Some(h) = Hangul::of(next) {
                    jamo = h;
                }
            }
        }
        column += width;
    }
    column
}

/// The width of one character, as the first of its cluster.
fn char_width(c: char) -> u32 {
    if c == '\u{2E3A}' {
        return 3;
    }
    if c == '\u{2E3B}' {
        return 4;
    }
    if is_regional_indicator(c) {
        return 2;
    }
    if is_extend(c) || is_control(c) {
        return 0;
    }
    if is_pictographic(c) {
        return if matches!(
            c.emoji_status(),
            unicode_properties::EmojiStatus::EmojiPresentation
                | unicode_properties::EmojiStatus::EmojiPresentationAndModifierBase
        ) {
            2
        } else {
            1
        };
    }
    // East Asian wide and fullwidth characters (ambiguous ones count 1).
    if c.width() == Some(2) { 2 } else { 1 }
}

fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// Marks that extend the character before them (grapheme `Extend`, `ZWJ`).
fn is_extend(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark
    ) || matches!(c, '\u{200C}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{FF9E}' | '\u{FF9F}' | '\u{E0020}'..='\u{E007F}')
}

/// Controls and format characters (grapheme `Control`, `CR`, `LF`), which
/// take no room; the format characters that prefix a cluster do.
fn is_control(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) && !matches!(
        c,
        '\u{0600}'
            ..='\u{0605}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'
                | '\u{0891}'
                | '\u{08E2}'
                | '\u{110BD}'
                | '\u{110CD}'
    )
}

/// Pictographs that start an emoji cluster (`Extended_Pictographic`, as
/// far as the emoji data says).
fn is_pictographic(c: char) -> bool {
    !c.is_ascii()
        && c.is_emoji_char()
        && !is_regional_indicator(c)
        && !matches!(c, '\u{1F3FB}'..='\u{1F3FF}')
}

/// The kinds of Hangul jamo and syllables, which join into one cluster.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hangul {
    L,
    V,
    T,
    Lv,
    Lvt,
}

impl Hangul {
    fn of(c: char) -> Option<Hangul> {
        Some(match c {
            '\u{1100}'..='\u{115F}' | '\u{A960}'..='\u{A97C}' => Hangul::L,
            '\u{1160}'..='\u{11A7}' | '\u{D7B0}'..='\u{D7C6}' => Hangul::V,
            '\u{11A8}'..='\u{11FF}' | '\u{D7CB}'..='\u{D7FB}' => Hangul::T,
            '\u{AC00}'..='\u{D7A3}' if (c as u32 - 0xAC00).is_multiple_of(28) => Hangul::Lv,
            '\u{AC00}'..='\u{D7A3}' => Hangul::Lvt,
            _ => return None,
        })
    }

    /// Whether `next` stays in the cluster after `self`.
    fn joins(self, next: Hangul) -> bool {
        match self {
            Hangul::L => next != Hangul::T,
            Hangul::V | Hangul::Lv => matches!(next, Hangul::V | Hangul::T),
            Hangul::T | Hangul::Lvt => next == Hangul::T,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Widths buf 1.75 gave (`buf lint --error-format json` on a field after
    /// `/*X*/`).
    #[test]
    fn widths_are_bufs() {
        let cases: &[(&str, u32)] = &[
            ("é", 1),
            ("e\u{301}", 1),
            ("😀", 2),
            ("👨\u{200d}👩\u{200d}👧", 2),
            ("🇫🇷", 2),
            ("\u{2764}", 1),
            ("\u{2764}\u{fe0f}", 2),
            ("Ａ", 2),
            ("±", 1),
            ("α", 1),
            ("\u{200b}", 0),
            ("\u{ad}", 0),
            ("\u{2e3a}", 3),
            ("\u{2e3b}", 4),
            ("\u{1100}\u{1161}\u{11a8}", 2),
            ("한", 2),
            ("\u{301}", 0),
            ("a\u{301}\u{302}", 1),
            ("☺", 1),
            ("☺\u{fe0e}", 1),
            ("#\u{fe0f}\u{20e3}", 1),
            ("\u{a0}", 1),
            ("ｱ", 1),
            ("\u{1f3fb}", 0),
            ("👍\u{1f3fd}", 2),
            ("\u{3000}", 2),
            ("א", 1),
            ("\u{e01}\u{e33}", 2),
            ("\u{f0c}", 1),
            ("\u{feff}", 0),
            ("\u{2028}", 0),
            ("\u{7f}", 0),
            ("\u{1}", 0),
            ("\r", 0),
            ("\u{85}", 0),
            ("\u{9cd}", 0),
        ];
        for (text, width) in cases {
            assert_eq!(display_width(text), *width, "{text:?}");
        }
        // Tabs go to the next multiple of 4, counted from the line's start.
        assert_eq!(display_width("  /*é\t"), 8);
        assert_eq!(display_width("\t\t"), 8);
        assert_eq!(display_width("   \t"), 4);
        assert_eq!(display_width("    \t"), 8);
    }
}
