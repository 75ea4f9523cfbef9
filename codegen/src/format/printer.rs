//! The printer: the tree written in buf's layout (see the module docs of
//! [`format`](super)).

use crate::syntax::{File, Tok, TokenKind, tree::*};

pub(super) fn print(file: &File<'_>) -> String {
    let mut printer = Printer {
        file,
        out: String::with_capacity(file.source.len() + file.source.len() / 8),
        indent: 0,
        written: vec![false; file.tokens.len()],
        after: vec![After::Unknown; file.tokens.len()],
        mode: After::Keep,
        empty: vec![false; file.tokens.len()],
    };
    printer.file();
    printer.out
}

struct Printer<'f, 'a> {
    file: &'f File<'a>,
    out: String,
    indent: usize,
    /// Comments already written (by token index), so that each is written
    /// once whatever the order elements are written in.
    written: Vec<bool>,
    /// Per token written inside a statement, what buf does with a `//`
    /// comment after it on its line (see [`After`]).
    after: Vec<After>,
    /// The [`After`] given to the tokens written now.
    mode: After,
    /// The `;` of empty statements, which are dropped.
    empty: Vec<bool>,
}

/// What buf writes for a `//` comment that ends the line after a token in
/// the middle of a statement (found by running buf on each place).
#[derive(Clone, Copy, PartialEq)]
enum After {
    /// The comment stays a line comment; the statement goes on on the next
    /// line at the statement's indent (after keywords, `=` before a field
    /// number, numbers, `(`...`)` of rpc types, `<`, `,`, `>` of maps).
    Keep,
    /// The comment becomes `/* ... */` on the line (after names, types,
    /// option names and values, inside `[...]`).
    Convert,
    /// Not known: the comment is left unwritten, and [`super::format`]
    /// refuses the file rather than drop it.
    Unknown,
}

/// What comes before an element's first line.
#[derive(Clone, Copy, PartialEq)]
enum Before {
    /// Blank lines as in the source.
    Source,
    /// First in a body: no blank line before the first comment or element.
    Compact,
    /// A blank line always (a new section of the file header).
    Blank,
    /// No blank line before the first comment nor before the element (the
    /// imports and options after the first).
    Packed,
}

impl Printer<'_, '_> {
    // ---- output primitives ----

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn space(&mut self) {
        self.out.push(' ');
    }

    fn newline(&mut self) {
        self.out.push('\n');
    }

    fn indent(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    /// A blank line, unless one was just written or nothing was.
    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// Runs `write` with the tokens it writes given `mode`.
    fn in_mode(&mut self, mode: After, write: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.mode, mode);
        write(self);
        self.mode = outer;
    }

    /// Writes a name (of an element, a type, a field), after which buf turns
    /// a line comment into a block comment.
    fn name(&mut self, tok: Tok) {
        self.in_mode(After::Convert, |p| p.inline(tok));
    }

    fn text(&self, tok: Tok) -> &str {
        self.file.text(tok)
    }

    // ---- comments ----

    /// Newlines in the whitespace tokens from `from` to `to` (exclusive).
    fn newlines(&self, from: usize, to: usize) -> usize {
        self.file.tokens[from..to]
            .iter()
            .filter(|t| t.kind == TokenKind::Whitespace)
            .map(|t| {
                self.file
                    .slice(t.span)
                    .bytes()
                    .filter(|b| *b == b'\n')
                    .count()
            })
            .sum()
    }

    /// The comments right after `tok` on its line, not yet written. A
    /// comment followed by another token on the same line belongs to that
    /// token instead.
    fn trailing(&self, tok: Tok) -> Vec<usize> {
        let mut comments = Vec::new();
        for i in self.file.trivia_after(tok) {
            let token = self.file.tokens[i];
            match token.kind {
                TokenKind::Whitespace if self.file.slice(token.span).contains('\n') => {
                    return comments;
                }
                kind if kind.is_comment() && !self.written[i] => comments.push(i),
                _ => {}
            }
        }
        // No newline before the next token (or the end of the file).
        if self.file.trivia_after(tok).end < self.file.tokens.len() {
            comments.clear();
        }
        comments
    }

    /// Writes the trailing comments of `tok`, each after a space.
    fn write_trailing(&mut self, tok: Tok) {
        for i in self.trailing(tok) {
            self.written[i] = true;
            self.space();
            self.comment(i);
        }
    }

    /// The comments before `tok` not yet written, each with the newlines
    /// before it, and the newlines between the last of them (or the previous
    /// token) and `tok`.
    fn leading(&self, tok: Tok) -> (Vec<(usize, usize)>, usize) {
        let range = self.file.trivia_before(tok);
        let mut comments = Vec::new();
        let mut from = range.start;
        // Comments on the line of the previous token are its trailing ones
        // when a newline follows them.
        let after_empty = range.start > 0 && self.empty[range.start - 1];
        // The comments on the line of a dropped `;` take the place of the
        // `;`, blank line before it included.
        let comment_on_its_line = (range.start..self.file.tokens.len())
            .map(|i| self.file.tokens[i])
            .take_while(|t| {
                t.kind.is_trivia()
                    && !(t.kind == TokenKind::Whitespace && self.file.slice(t.span).contains('\n'))
            })
            .any(|t| t.kind.is_comment());
        let mut before_empty = if after_empty && comment_on_its_line {
            let empty = self.file.trivia_before(Tok(range.start as u32 - 1));
            let after_comments = empty
                .clone()
                .rev()
                .find(|&i| self.file.tokens[i].kind.is_comment())
                .map_or(empty.start, |i| i + 1);
            self.newlines(after_comments, empty.end)
        } else {
            0
        };
        let mut same_line = range.start > 0
            && !after_empty
            && range.clone().any(|i| {
                let token = self.file.tokens[i];
                token.kind == TokenKind::Whitespace && self.file.slice(token.span).contains('\n')
            });
        for i in range.clone() {
            let token = self.file.tokens[i];
            if token.kind == TokenKind::Whitespace {
                if self.file.slice(token.span).contains('\n') {
                    same_line = false;
                }
                continue;
            }
            if self.written[i] || same_line {
                from = i + 1;
                before_empty = 0;
                continue;
            }
            comments.push((i, self.newlines(from, i) + before_empty));
            before_empty = 0;
            from = i + 1;
        }
        (comments, self.newlines(from, range.end) + before_empty)
    }

    /// Writes the comments before an element and the element's indentation.
    fn start(&mut self, tok: Tok, before: Before) {
        let (comments, after) = self.leading(tok);
        if before == Before::Blank {
            self.blank();
        }
        let mut compact = matches!(before, Before::Compact | Before::Packed);
        for (i, newlines) in comments {
            if newlines > 1 && !compact {
                self.blank();
            }
            compact = false;
            self.written[i] = true;
            self.indent();
            self.comment(i);
            self.newline();
        }
        if after > 1 && !compact && before != Before::Packed {
            self.blank();
        }
        self.indent();
    }

    /// Writes the comments before a closing brace at the body's indent, and
    /// the brace's indentation. Only the group of comments right above the
    /// brace keeps a blank line before it; the groups before it (which a
    /// blank line separates from the brace) are written as one block.
    fn start_close(&mut self, tok: Tok) {
        let (comments, after) = self.leading(tok);
        let before = self.file.trivia_before(tok).start;
        let after_open = before > 0
            && matches!(
                self.file.slice(self.file.tokens[before - 1].span),
                "{" | "[" | "<"
            );
        // The last group: the comments after the last blank line, when no
        // blank line separates them from the brace.
        let group_start = if after > 1 {
            comments.len()
        } else {
            comments
                .iter()
                .rposition(|(_, newlines)| *newlines > 1)
                .unwrap_or(0)
        };
        self.indent += 1;
        for (n, (i, newlines)) in comments.into_iter().enumerate() {
            if n == group_start && (!after_open || n > 0) && newlines > 1 {
                self.blank();
            }
            self.written[i] = true;
            self.indent();
            self.comment(i);
            self.newline();
        }
        self.indent -= 1;
        self.indent();
    }

    /// Writes `tok` inside a line, after the comments before it.
    fn inline(&mut self, tok: Tok) {
        self.after[tok.index()] = self.mode;
        let range = self.file.trivia_before(tok);
        let previous = range.start.checked_sub(1).map(|i| self.after[i]);
        if let Some(previous @ (After::Keep | After::Convert)) = previous
            && self.mode != After::Unknown
        {
            self.comments_in_statement(range, previous);
            self.out.push_str(self.file.text(tok));
            return;
        }
        let (comments, _) = self.leading(tok);
        for (i, _) in comments {
            // Where buf puts a line comment here is not known: left
            // unwritten, the file is refused.
            if self.file.tokens[i].kind == TokenKind::LineComment {
                continue;
            }
            self.written[i] = true;
            self.comment(i);
            self.space();
        }
        let text = self.file.text(tok);
        self.out.push_str(text);
    }

    /// The comments between two tokens of a statement, as buf writes them:
    /// those on the first token's line after it as `previous` says, those
    /// on lines of their own as `/* ... */` before the second token.
    fn comments_in_statement(&mut self, range: std::ops::Range<usize>, previous: After) {
        let spaced = self.out.ends_with(' ');
        let mut same_line = true;
        let mut wrote = false;
        for i in range {
            let token = self.file.tokens[i];
            if token.kind == TokenKind::Whitespace {
                same_line &= !self.file.slice(token.span).contains('\n');
                continue;
            }
            if self.written[i] {
                continue;
            }
            self.written[i] = true;
            if !self.out.ends_with([' ', '\n']) {
                self.space();
            }
            let text = self.file.slice(token.span);
            if token.kind == TokenKind::BlockComment {
                self.comment(i);
                wrote = true;
            } else if same_line && previous == After::Keep {
                self.push(text.trim_end());
                self.newline();
                self.indent();
                wrote = false;
            } else {
                self.converted_comment(i);
                wrote = true;
            }
        }
        if wrote && spaced {
            self.space();
        }
    }

    /// A comment written as a block comment: `// text` as `/* text */`
    /// (with `*/` inside broken apart), as buf writes line comments inside
    /// a line.
    fn converted_comment(&mut self, i: usize) {
        let token = self.file.tokens[i];
        if token.kind == TokenKind::LineComment {
            let text = self.file.slice(token.span)[2..]
                .trim_end()
                .replace("*/", "* /");
            self.push(&format!("/*{text} */"));
        } else {
            self.comment(i);
        }
    }

    /// Writes `tok`, its trailing comments and a newline.
    fn end(&mut self, tok: Tok) {
        self.inline(tok);
        self.write_trailing(tok);
        self.newline();
    }

    fn comment(&mut self, i: usize) {
        let token = self.file.tokens[i];
        let text = self.file.slice(token.span);
        if token.kind == TokenKind::LineComment {
            self.out.push_str(text.trim_end());
        } else {
            self.block_comment(text);
        }
    }

    /// A block comment, re-indented as buf does: when every line after the
    /// first starts with `*`, each is written trimmed after the indent and a
    /// space (javadoc style); otherwise each is unindented by the least
    /// indentation among them and written three spaces past the indent
    /// (under the text after `/* `). A line that is only `*/` is written at
    /// the indent.
    fn block_comment(&mut self, text: &str) {
        let mut lines = text.split('\n');
        let first = lines.next().unwrap_or_default();
        self.out.push_str(first.trim_end());
        let rest: Vec<&str> = lines.collect();
        let content = || {
            rest.iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty() && *l != "*/")
        };
        let starred = content().next().is_some() && content().all(|l| l.starts_with('*'));
        let min_indent = rest
            .iter()
            .filter(|l| !l.trim().is_empty() && l.trim() != "*/")
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        for line in rest {
            self.newline();
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            self.indent();
            if starred {
                self.space();
                self.out.push_str(trimmed);
            } else if trimmed == "*/" {
                self.out.push_str(trimmed);
            } else {
                self.out.push_str("   ");
                self.out
                    .push_str(line.get(min_indent..).unwrap_or(trimmed).trim_end());
            }
        }
    }

    // ---- the file ----

    fn file(&mut self) {
        let file = self.file;
        let mut syntax = None;
        let mut package = None;
        let mut imports = Vec::new();
        let mut options = Vec::new();
        let mut types = Vec::new();
        for item in &file.items {
            match item {
                FileItem::Syntax(s) => syntax = Some(s),
                FileItem::Package(p) => package = Some(p),
                FileItem::Import(i) => imports.push(i),
                FileItem::Option(o) => options.push(o),
                // Its comments stay among the types, even in the header (so
                // it is marked empty only there).
                FileItem::Empty(_) => types.push(item),
                other => types.push(other),
            }
        }
        if let Some(s) = syntax {
            self.start(s.keyword, Before::Source);
            self.inline(s.keyword);
            self.push(" = ");
            self.strings_inline(s.value);
            self.end(s.semicolon);
        }
        if let Some(p) = package {
            self.start(p.keyword, Before::Source);
            self.inline(p.keyword);
            self.space();
            self.path(p.name);
            self.end(p.semicolon);
        }
        imports.sort_by(|a, b| {
            let key = |i: &Import| (self.strings_value(i.path), i.modifier.map(|m| self.text(m)));
            key(a).cmp(&key(b))
        });
        for (n, import) in imports.iter().enumerate() {
            self.start(
                import.keyword,
                if n == 0 {
                    Before::Blank
                } else {
                    Before::Packed
                },
            );
            self.inline(import.keyword);
            if let Some(modifier) = import.modifier {
                self.space();
                self.in_mode(After::Unknown, |p| p.inline(modifier));
            }
            self.space();
            self.strings_inline(import.path);
            self.end(import.semicolon);
        }
        let names: Vec<String> = options
            .iter()
            .map(|o| self.option_name_text(&o.name))
            .collect();
        let mut order: Vec<usize> = (0..options.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&names[a], &names[b]);
            (a.starts_with('('), a).cmp(&(b.starts_with('('), b))
        });
        for (n, &index) in order.iter().enumerate() {
            let before = if n == 0 {
                Before::Blank
            } else {
                Before::Packed
            };
            self.option_decl(options[index], before);
        }
        let only_syntax = package.is_none() && imports.is_empty() && options.is_empty();
        for (n, item) in types.into_iter().enumerate() {
            let before = if n == 0 && only_syntax && syntax.is_some() {
                Before::Blank
            } else {
                Before::Source
            };
            match item {
                FileItem::Message(m) => self.message(m, before),
                FileItem::Enum(e) => self.enum_(e, before),
                FileItem::Service(s) => self.service(s, before),
                FileItem::Extend(e) => self.extend(e, before),
                FileItem::Empty(t) => self.empty_statement(*t, before),
                _ => {}
            }
        }
        // Comments after the last element.
        let mut start = file.tokens.len();
        while start > 0 && file.tokens[start - 1].kind.is_trivia() {
            start -= 1;
        }
        let mut from = start;
        for i in start..file.tokens.len() {
            if !file.tokens[i].kind.is_comment() || self.written[i] {
                continue;
            }
            if self.out.is_empty() {
                // A file of comments only: buf opens it with a blank line.
                self.out.push('\n');
            } else if self.newlines(from, i) > 1 {
                self.blank();
            }
            self.written[i] = true;
            self.comment(i);
            self.newline();
            from = i + 1;
        }
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.newline();
        }
    }

    /// The comments on the line of a dropped `;`, each on its own line
    /// where the `;` was (at the file's level: among the types, after the
    /// header).
    fn empty_statement(&mut self, tok: Tok, mut before: Before) {
        let trivia = self.file.trivia_after(tok);
        self.empty[tok.index()] = true;
        // Comments still unwritten before it (after another dropped `;`).
        if !self.leading(tok).0.is_empty() {
            self.start(tok, before);
            self.out.truncate(self.out.trim_end_matches(' ').len());
            before = Before::Source;
        }
        let Some(first) = trivia
            .clone()
            .find(|&i| self.file.tokens[i].kind.is_comment())
        else {
            return;
        };
        if self.written[first] {
            return;
        }
        if trivia
            .clone()
            .take_while(|&i| i < first)
            .any(|i| self.file.slice(self.file.tokens[i].span).contains('\n'))
        {
            return;
        }
        self.start(Tok(first as u32), before);
        self.written[first] = true;
        self.comment(first);
        self.newline();
    }

    // ---- names and literals ----

    fn path(&mut self, path: Path) {
        let toks: Vec<Tok> = self.file.significant(path.first, path.last).collect();
        self.in_mode(After::Convert, |p| {
            for tok in toks {
                p.inline(tok);
            }
        });
    }

    /// The concatenated literals' source text without quotes (for sorting).
    fn strings_value(&self, strings: Strings) -> String {
        self.file
            .significant(strings.first, strings.last)
            .map(|t| {
                let text = self.text(t);
                text[1..text.len() - 1].to_owned()
            })
            .collect()
    }

    /// Literals on one line, as in `syntax` and `import`.
    fn strings_inline(&mut self, strings: Strings) {
        let toks: Vec<Tok> = self.file.significant(strings.first, strings.last).collect();
        for (n, tok) in toks.into_iter().enumerate() {
            if n > 0 {
                self.space();
            }
            self.inline(tok);
        }
    }

    fn is_compound(&self, value: &Value) -> bool {
        matches!(value, Value::String(s) if s.first != s.last)
    }

    /// Adjacent literals, one per line one level deeper, after a newline;
    /// the caller writes what follows the last.
    fn strings_block(&mut self, strings: Strings) {
        let toks: Vec<Tok> = self.file.significant(strings.first, strings.last).collect();
        let outer = std::mem::replace(&mut self.mode, After::Unknown);
        self.indent += 1;
        for (n, tok) in toks.iter().enumerate() {
            if n > 0 {
                self.write_trailing(toks[n - 1]);
            }
            self.newline();
            self.indent();
            self.inline(*tok);
        }
        self.indent -= 1;
        self.mode = outer;
    }

    fn option_name_text(&self, name: &OptionName) -> String {
        let mut text = String::new();
        for part in &name.parts {
            if part.dot.is_some() {
                text.push('.');
            }
            match &part.kind {
                OptionNamePartKind::Simple(t) => text.push_str(self.text(*t)),
                OptionNamePartKind::Extension { name, .. } => {
                    text.push('(');
                    text.push_str(&self.file.path_text(*name));
                    text.push(')');
                }
            }
        }
        text
    }

    fn option_name(&mut self, name: &OptionName) {
        let outer = std::mem::replace(&mut self.mode, After::Convert);
        for part in &name.parts {
            if let Some(dot) = part.dot {
                self.inline(dot);
            }
            match &part.kind {
                OptionNamePartKind::Simple(t) => self.inline(*t),
                OptionNamePartKind::Extension { open, name, close } => {
                    self.inline(*open);
                    self.path(*name);
                    self.inline(*close);
                }
            }
        }
        self.mode = outer;
    }

    // ---- values ----

    /// Whether there is a comment between `first` and `last`.
    fn has_comments(&self, first: Tok, last: Tok) -> bool {
        self.file.tokens[first.index()..=last.index()]
            .iter()
            .any(|t| t.kind.is_comment())
    }

    /// A value after `=` or `:` (the caller wrote the space when the value
    /// starts on the same line).
    fn value(&mut self, value: &Value) {
        let outer = std::mem::replace(&mut self.mode, After::Convert);
        match value {
            Value::Ident(t) => self.inline(*t),
            Value::Number { sign, value } => {
                if let Some(sign) = sign {
                    self.in_mode(After::Unknown, |p| p.inline(*sign));
                }
                self.inline(*value);
            }
            Value::String(s) => self.strings_inline(*s),
            Value::Aggregate(a) => self.in_mode(After::Unknown, |p| p.aggregate(a)),
            Value::List(l) => self.in_mode(After::Unknown, |p| p.list(l)),
        }
        self.mode = outer;
    }

    fn is_scalar(value: &Value) -> bool {
        !matches!(value, Value::Aggregate(_) | Value::List(_))
    }

    fn aggregate(&mut self, a: &Aggregate) {
        let compact = a.fields.len() == 1
            && !self.has_comments(a.open, a.close)
            && Self::is_scalar(&a.fields[0].value)
            && !self.is_compound(&a.fields[0].value);
        if compact {
            let field = &a.fields[0];
            self.inline_replacing(a.open, "{");
            self.aggregate_name(&field.name);
            self.push(":");
            self.space();
            self.value(&field.value);
            if let Some(sep) = field.separator {
                self.mark_comments_before(sep);
            }
            self.inline_replacing(a.close, "}");
            return;
        }
        self.inline_replacing(a.open, "{");
        if a.fields.is_empty() && !self.has_comments(a.open, a.close) {
            self.inline_replacing(a.close, "}");
            return;
        }
        self.write_trailing(a.open);
        self.newline();
        self.indent += 1;
        for (n, field) in a.fields.iter().enumerate() {
            let first = match &field.name {
                AggregateName::Ident(t) => *t,
                AggregateName::Bracketed { open, .. } => *open,
            };
            self.start(
                first,
                if n == 0 {
                    Before::Compact
                } else {
                    Before::Source
                },
            );
            self.aggregate_name(&field.name);
            self.push(":");
            if self.is_compound(&field.value) {
                let Value::String(s) = &field.value else {
                    unreachable!()
                };
                self.strings_block(*s);
            } else {
                self.space();
                self.value(&field.value);
            }
            let last = field
                .separator
                .unwrap_or_else(|| self.last_of(&field.value));
            if let Some(sep) = field.separator {
                self.mark_comments_before(sep);
            }
            if field.separator.is_none() && !Self::is_scalar(&field.value) {
                // After a `{...}` or `[...]` value, buf writes a line comment
                // as a block comment.
                for i in self.trailing(last) {
                    self.written[i] = true;
                    self.space();
                    self.converted_comment(i);
                }
            } else {
                self.write_trailing(last);
            }
            self.newline();
        }
        self.indent -= 1;
        self.start_close(a.close);
        self.inline_replacing(a.close, "}");
    }

    /// Comments before a dropped token are written inline.
    fn mark_comments_before(&mut self, tok: Tok) {
        let (comments, _) = self.leading(tok);
        for (i, _) in comments {
            self.written[i] = true;
            self.space();
            self.comment(i);
        }
    }

    /// Writes `tok`'s comments, then `text` in its place (`<` and `>` become
    /// braces).
    fn inline_replacing(&mut self, tok: Tok, text: &str) {
        let len = self.out.len();
        self.inline(tok);
        let written = self.text(tok);
        if written != text {
            self.out.truncate(self.out.len() - written.len());
            self.out.push_str(text);
        }
        debug_assert!(self.out.len() >= len);
    }

    fn last_of(&self, value: &Value) -> Tok {
        match value {
            Value::Ident(t) => *t,
            Value::Number { value, .. } => *value,
            Value::String(s) => s.last,
            Value::Aggregate(a) => a.close,
            Value::List(l) => l.close,
        }
    }

    fn aggregate_name(&mut self, name: &AggregateName) {
        match name {
            AggregateName::Ident(t) => self.inline(*t),
            AggregateName::Bracketed {
                open,
                first,
                last,
                close,
            } => {
                self.inline(*open);
                let toks: Vec<Tok> = self.file.significant(*first, *last).collect();
                for tok in toks {
                    self.inline(tok);
                }
                self.inline(*close);
            }
        }
    }

    fn list(&mut self, l: &List) {
        let compact = l.elements.len() == 1
            && !self.has_comments(l.open, l.close)
            && Self::is_scalar(&l.elements[0].item)
            && !self.is_compound(&l.elements[0].item);
        if l.elements.is_empty() && !self.has_comments(l.open, l.close) || compact {
            self.inline(l.open);
            for element in &l.elements {
                self.value(&element.item);
            }
            self.inline(l.close);
            return;
        }
        self.inline(l.open);
        self.write_trailing(l.open);
        self.newline();
        self.indent += 1;
        let count = l.elements.len();
        for (n, element) in l.elements.iter().enumerate() {
            let first = self.first_of(&element.item);
            self.start(
                first,
                if n == 0 {
                    Before::Compact
                } else {
                    Before::Source
                },
            );
            self.value(&element.item);
            let last = element.comma.unwrap_or_else(|| self.last_of(&element.item));
            match element.comma {
                Some(comma) if n + 1 < count => self.inline(comma),
                Some(comma) => self.mark_comments_before(comma),
                None if n + 1 < count => self.push(","),
                None => {}
            }
            self.write_trailing(last);
            self.newline();
        }
        self.indent -= 1;
        self.start_close(l.close);
        self.inline(l.close);
    }

    fn first_of(&self, value: &Value) -> Tok {
        match value {
            Value::Ident(t) => *t,
            Value::Number { sign, value } => sign.unwrap_or(*value),
            Value::String(s) => s.first,
            Value::Aggregate(a) => a.open,
            Value::List(l) => l.open,
        }
    }

    // ---- options ----

    fn option_decl(&mut self, o: &OptionDecl, before: Before) {
        self.start(o.keyword, before);
        self.inline(o.keyword);
        self.space();
        self.option_name(&o.name);
        self.space();
        self.inline(o.equals);
        if self.is_compound(&o.value) {
            let Value::String(s) = &o.value else {
                unreachable!()
            };
            self.strings_block(*s);
        } else {
            self.space();
            self.value(&o.value);
        }
        self.end(o.semicolon);
    }

    /// `[...]` after a field or value: inside, buf turns line comments after
    /// tokens into block comments.
    fn compact_options(&mut self, options: &Option<CompactOptions>) {
        let Some(options) = options else {
            return;
        };
        self.space();
        self.in_mode(After::Convert, |p| p.compact_options_in(options));
    }

    fn compact_options_in(&mut self, options: &CompactOptions) {
        if options.options.len() == 1 {
            let option = &options.options[0].item;
            let first = option.name.parts[0].first();
            if !self.has_comments(options.open, first) {
                self.inline(options.open);
                self.option_name(&option.name);
                self.space();
                self.inline(option.equals);
                if self.is_compound(&option.value) {
                    let Value::String(s) = &option.value else {
                        unreachable!()
                    };
                    self.strings_block(*s);
                } else {
                    self.space();
                    self.value(&option.value);
                }
                if let Some(comma) = options.options[0].comma {
                    self.mark_comments_before(comma);
                }
                self.inline(options.close);
                return;
            }
        }
        self.inline(options.open);
        self.write_trailing(options.open);
        self.newline();
        self.indent += 1;
        let count = options.options.len();
        for (n, listed) in options.options.iter().enumerate() {
            let option = &listed.item;
            let first = option.name.parts[0].first();
            self.start(
                first,
                if n == 0 {
                    Before::Compact
                } else {
                    Before::Source
                },
            );
            self.option_name(&option.name);
            self.space();
            self.inline(option.equals);
            if self.is_compound(&option.value) {
                let Value::String(s) = &option.value else {
                    unreachable!()
                };
                self.strings_block(*s);
            } else {
                self.space();
                self.value(&option.value);
            }
            let last = listed.comma.unwrap_or_else(|| self.last_of(&option.value));
            match listed.comma {
                Some(comma) if n + 1 < count => self.inline(comma),
                Some(comma) => self.mark_comments_before(comma),
                None => {}
            }
            self.write_trailing(last);
            self.newline();
        }
        self.indent -= 1;
        self.start_close(options.close);
        self.inline(options.close);
    }

    // ---- declarations ----

    /// `{ items }` or `{}`: `item` writes each statement (returning false
    /// for an empty statement, which is dropped).
    fn body<T: Statement>(
        &mut self,
        body: &Body<T>,
        mut item: impl FnMut(&mut Self, &T, Before) -> bool,
    ) {
        self.space();
        self.inline(body.open);
        for element in &body.items {
            if let Some(tok) = element.empty() {
                self.empty[tok.index()] = true;
            }
        }
        let has_items = body.items.iter().any(|item| item.empty().is_none());
        let has_comments = self.has_comments(body.open, body.close);
        if !has_items && !has_comments {
            self.end(body.close);
            return;
        }
        if has_items {
            self.write_trailing(body.open);
        } else {
            // buf writes the comments of an empty body inside it, each on
            // its own line, even one on the line of `{`.
            self.empty[body.open.index()] = true;
        }
        self.newline();
        self.indent += 1;
        let mut first = true;
        for element in &body.items {
            let before = if first {
                Before::Compact
            } else {
                Before::Source
            };
            if let Some(tok) = element.empty() {
                self.empty_statement(tok, before);
            } else if item(self, element, before) {
                first = false;
            }
        }
        self.indent -= 1;
        self.start_close(body.close);
        self.inline(body.close);
        self.write_trailing(body.close);
        self.newline();
    }

    fn message(&mut self, m: &Message, before: Before) {
        let first = m.visibility.unwrap_or(m.keyword);
        self.start(first, before);
        if let Some(v) = m.visibility {
            self.in_mode(After::Unknown, |p| p.inline(v));
            self.space();
        }
        self.inline(m.keyword);
        self.space();
        self.name(m.name);
        self.message_body(&m.body);
    }

    fn message_body(&mut self, body: &Body<MessageItem>) {
        self.body(body, |p, item, before| {
            match item {
                MessageItem::Field(f) => p.field(f, before),
                MessageItem::Group(g) => p.group(g, before),
                MessageItem::Oneof(o) => {
                    p.start(o.keyword, before);
                    p.inline(o.keyword);
                    p.space();
                    p.name(o.name);
                    p.body(&o.body, |p, item, before| {
                        match item {
                            OneofItem::Field(f) => p.field(f, before),
                            OneofItem::Group(g) => p.group(g, before),
                            OneofItem::Option(o) => p.option_decl(o, before),
                            OneofItem::Empty(_) => return false,
                        }
                        true
                    });
                }
                MessageItem::Message(m) => p.message(m, before),
                MessageItem::Enum(e) => p.enum_(e, before),
                MessageItem::Extend(e) => p.extend(e, before),
                MessageItem::Extensions(e) => {
                    p.start(e.keyword, before);
                    p.inline(e.keyword);
                    p.space();
                    p.ranges(&e.ranges);
                    p.compact_options(&e.options);
                    p.end(e.semicolon);
                }
                MessageItem::Reserved(r) => p.reserved(r, before),
                MessageItem::Option(o) => p.option_decl(o, before),
                MessageItem::Empty(_) => return false,
            }
            true
        });
    }

    fn field(&mut self, f: &Field, before: Before) {
        let first = f.label.unwrap_or(match &f.ty {
            FieldType::Named(p) => p.first,
            FieldType::Map(m) => m.keyword,
        });
        self.start(first, before);
        if let Some(label) = f.label {
            self.inline(label);
            self.space();
        }
        match &f.ty {
            FieldType::Named(p) => self.path(*p),
            FieldType::Map(m) => {
                self.name(m.keyword);
                self.inline(m.open);
                self.path(m.key);
                self.inline(m.comma);
                self.space();
                self.path(m.value);
                self.inline(m.close);
            }
        }
        self.space();
        self.name(f.name);
        self.space();
        self.inline(f.equals);
        self.space();
        self.inline(f.number);
        self.compact_options(&f.options);
        self.end(f.semicolon);
    }

    fn group(&mut self, g: &Group, before: Before) {
        self.start(g.label.unwrap_or(g.keyword), before);
        if let Some(label) = g.label {
            self.inline(label);
            self.space();
        }
        self.in_mode(After::Unknown, |p| {
            p.inline(g.keyword);
            p.space();
            p.inline(g.name);
            p.space();
            p.inline(g.equals);
            p.space();
            p.inline(g.number);
        });
        self.compact_options(&g.options);
        self.message_body(&g.body);
    }

    fn ranges(&mut self, ranges: &[Listed<Range>]) {
        for (n, range) in ranges.iter().enumerate() {
            if n > 0 {
                self.space();
            }
            if let Some(sign) = range.item.start_sign {
                self.in_mode(After::Unknown, |p| p.inline(sign));
            }
            self.inline(range.item.start);
            if let Some(end) = &range.item.end {
                self.space();
                self.inline(end.to);
                self.space();
                if let Some(sign) = end.sign {
                    self.in_mode(After::Unknown, |p| p.inline(sign));
                }
                if self.text(end.end) == "max" {
                    self.name(end.end);
                } else {
                    self.inline(end.end);
                }
            }
            if let Some(comma) = range.comma {
                self.inline(comma);
            }
        }
    }

    fn reserved(&mut self, r: &Reserved, before: Before) {
        self.start(r.keyword, before);
        self.inline(r.keyword);
        self.space();
        match &r.kind {
            ReservedKind::Ranges(ranges) => self.ranges(ranges),
            ReservedKind::Names(names) => {
                for (n, name) in names.iter().enumerate() {
                    if n > 0 {
                        self.space();
                    }
                    match name.item {
                        ReservedName::String(s) => self.strings_inline(s),
                        ReservedName::Ident(t) => self.in_mode(After::Unknown, |p| p.inline(t)),
                    }
                    if let Some(comma) = name.comma {
                        self.inline(comma);
                    }
                }
            }
        }
        self.end(r.semicolon);
    }

    fn enum_(&mut self, e: &Enum, before: Before) {
        let first = e.visibility.unwrap_or(e.keyword);
        self.start(first, before);
        if let Some(v) = e.visibility {
            self.in_mode(After::Unknown, |p| p.inline(v));
            self.space();
        }
        self.inline(e.keyword);
        self.space();
        self.name(e.name);
        self.body(&e.body, |p, item, before| {
            match item {
                EnumItem::Value(v) => {
                    p.start(v.name, before);
                    p.name(v.name);
                    p.space();
                    p.inline(v.equals);
                    p.space();
                    if let Some(sign) = v.sign {
                        p.in_mode(After::Unknown, |p| p.inline(sign));
                    }
                    p.inline(v.number);
                    p.compact_options(&v.options);
                    p.end(v.semicolon);
                }
                EnumItem::Option(o) => p.option_decl(o, before),
                EnumItem::Reserved(r) => p.reserved(r, before),
                EnumItem::Empty(_) => return false,
            }
            true
        });
    }

    fn extend(&mut self, e: &Extend, before: Before) {
        self.start(e.keyword, before);
        self.inline(e.keyword);
        self.space();
        self.path(e.extendee);
        self.body(&e.body, |p, item, before| {
            match item {
                ExtendItem::Field(f) => p.field(f, before),
                ExtendItem::Group(g) => p.group(g, before),
                ExtendItem::Empty(_) => return false,
            }
            true
        });
    }

    fn service(&mut self, s: &Service, before: Before) {
        self.start(s.keyword, before);
        self.inline(s.keyword);
        self.space();
        self.name(s.name);
        self.body(&s.body, |p, item, before| {
            match item {
                ServiceItem::Rpc(r) => p.rpc(r, before),
                ServiceItem::Option(o) => p.option_decl(o, before),
                ServiceItem::Empty(_) => return false,
            }
            true
        });
    }

    fn rpc(&mut self, r: &Rpc, before: Before) {
        self.start(r.keyword, before);
        self.inline(r.keyword);
        self.space();
        self.name(r.name);
        self.rpc_type(&r.input);
        self.space();
        self.inline(r.returns);
        self.space();
        self.rpc_type(&r.output);
        match &r.end {
            RpcEnd::Semicolon(t) => self.end(*t),
            RpcEnd::Body(body) => self.body(body, |p, item, before| {
                match item {
                    RpcItem::Option(o) => p.option_decl(o, before),
                    RpcItem::Empty(_) => return false,
                }
                true
            }),
        }
    }

    fn rpc_type(&mut self, t: &RpcType) {
        self.in_mode(After::Unknown, |p| {
            p.inline(t.open);
            if let Some(stream) = t.stream {
                p.inline(stream);
                p.space();
            }
        });
        self.path(t.ty);
        self.inline(t.close);
    }
}

/// A statement in a body; empty statements (`;`) are dropped.
trait Statement {
    /// The `;` of an empty statement.
    fn empty(&self) -> Option<Tok>;
}

macro_rules! statement {
    ($($item:ident),*) => {$(
        impl Statement for $item {
            fn empty(&self) -> Option<Tok> {
                match self {
                    $item::Empty(tok) => Some(*tok),
                    _ => None,
                }
            }
        }
    )*};
}

statement!(
    MessageItem,
    OneofItem,
    EnumItem,
    ExtendItem,
    ServiceItem,
    RpcItem
);
