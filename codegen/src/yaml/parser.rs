//! The parser: a recursive descent over the characters, one function per
//! construct, each told the indentation of the collection around it.
//!
//! Positions are character indices; a table of line starts turns them into
//! lines and columns. Every loop advances, every lookahead stays on its own
//! line (or, for a plain scalar's next line, is walked once more by the
//! caller at most), so the time is linear in the text; the recursion is as
//! deep as the collections nest, which [`Parser::enter`] bounds.

use std::collections::{HashMap, HashSet};

use super::{Node, Value, YamlError};

/// The most nodes aliases may copy in one document, all aliases together:
/// real configurations copy a handful; a billion-laughs document hits it
/// after a few levels and is refused.
pub const EXPANSION_LIMIT: usize = 100_000;

pub(super) fn parse(text: &str, nesting_limit: usize) -> Result<Node> {
    let mut parser = Parser::new(text, nesting_limit);
    parser.document()
}

/// Where a node sits, for the plain scalars and block scalars that depend
/// on it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// The value of `key:` in a block mapping.
    MapValue,
    /// An item after `- `.
    SeqEntry,
    /// The document's own node.
    Document,
}

/// An anchored node, and what copying it costs.
struct Anchored {
    node: Node,
    size: usize,
    height: usize,
}

/// `&anchor` and `!tag` before a node.
#[derive(Default)]
struct Properties {
    anchor: Option<String>,
    tag: Option<(Tag, usize)>,
    start: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Str,
    Int,
    Bool,
    Null,
    Seq,
    Map,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    line_starts: Vec<usize>,
    anchors: HashMap<String, Anchored>,
    copied: usize,
    depth: usize,
    nesting_limit: usize,
}

type Result<T> = std::result::Result<T, YamlError>;

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_flow_indicator(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

/// The size (nodes) and height (nested collections) of a tree.
fn measure(node: &Node) -> (usize, usize) {
    match &node.value {
        Value::Null | Value::Scalar { .. } => (1, 0),
        Value::Sequence(items) => items.iter().fold((1, 1), |(size, height), item| {
            let (s, h) = measure(item);
            (size + s, height.max(h + 1))
        }),
        Value::Mapping(entries) => entries.iter().fold((1, 1), |(size, height), (k, v)| {
            let (s, h) = measure(v);
            (size + s + measure(k).0, height.max(h + 1))
        }),
    }
}

impl Parser {
    fn new(text: &str, nesting_limit: usize) -> Parser {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut chars = Vec::with_capacity(text.len());
        let mut input = text.chars().peekable();
        while let Some(c) = input.next() {
            if c == '\r' {
                // `\r\n` and a lone `\r` are line breaks.
                if input.peek() == Some(&'\n') {
                    input.next();
                }
                chars.push('\n');
            } else {
                chars.push(c);
            }
        }
        let mut line_starts = vec![0];
        line_starts.extend(
            chars
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == '\n')
                .map(|(i, _)| i + 1),
        );
        Parser {
            chars,
            pos: 0,
            line_starts,
            anchors: HashMap::new(),
            copied: 0,
            depth: 0,
            nesting_limit,
        }
    }

    // ----- positions and errors -----

    fn location(&self, pos: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&start| start <= pos);
        let start = self.line_starts[line.max(1) - 1];
        (line.max(1), pos - start + 1)
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> YamlError {
        let (line, column) = self.location(pos);
        YamlError {
            line,
            column,
            message: message.into(),
        }
    }

    fn node_at(&self, pos: usize, value: Value) -> Node {
        let (line, column) = self.location(pos);
        Node::new(line, column, value)
    }

    fn column(&self, pos: usize) -> usize {
        self.location(pos).1 - 1
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, pos: usize) -> Option<char> {
        self.chars.get(pos).copied()
    }

    /// Whether the character at `pos` ends a token: a blank, a line break
    /// or the end.
    fn blank_or_end(&self, pos: usize) -> bool {
        self.peek_at(pos).is_none_or(|c| is_blank(c) || c == '\n')
    }

    fn at_line_end(&self) -> bool {
        self.peek().is_none_or(|c| c == '\n')
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    /// Skips blanks and a comment to the end of the line.
    fn skip_to_line_end(&mut self) {
        self.skip_blanks();
        if self.peek() == Some('#') {
            while !self.at_line_end() {
                self.pos += 1;
            }
        }
    }

    /// Skips blanks, comments and line breaks to the next content. In block
    /// context a tab in a line's indentation is refused.
    fn skip_to_content(&mut self, flow: bool) -> Result<()> {
        loop {
            let line_start = self.pos == 0 || self.peek_at(self.pos - 1) == Some('\n');
            let from = self.pos;
            self.skip_blanks();
            match self.peek() {
                Some('#') => {
                    if self.pos > 0
                        && !self.peek_at(self.pos - 1).is_some_and(is_blank)
                        && !line_start
                    {
                        // `a#b` is text, handled by the scalar readers.
                        return Ok(());
                    }
                    self.skip_to_line_end();
                }
                Some('\n') => self.pos += 1,
                None => return Ok(()),
                Some(_) => {
                    if !flow && line_start && self.chars[from..self.pos].contains(&'\t') {
                        return Err(self.error_at(
                            from + self.chars[from..self.pos]
                                .iter()
                                .position(|c| *c == '\t')
                                .unwrap_or(0),
                            "a tab in indentation: YAML indents with spaces",
                        ));
                    }
                    return Ok(());
                }
            }
        }
    }

    /// `---` or `...` at the start of a line, followed by a blank or the end.
    fn marker_at(&self, pos: usize) -> Option<char> {
        let c = self.peek_at(pos)?;
        let starts_line = pos == 0 || self.peek_at(pos - 1) == Some('\n');
        (starts_line
            && (c == '-' || c == '.')
            && self.peek_at(pos + 1) == Some(c)
            && self.peek_at(pos + 2) == Some(c)
            && self.blank_or_end(pos + 3))
        .then_some(c)
    }

    fn enter(&mut self, pos: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > self.nesting_limit {
            return Err(self.error_at(pos, format!("nested more than {} deep", self.nesting_limit)));
        }
        Ok(())
    }

    // ----- the document -----

    fn document(&mut self) -> Result<Node> {
        self.skip_to_content(false)?;
        if self.peek() == Some('%') {
            return Err(self.error_at(self.pos, "directives (%YAML, %TAG) are not supported"));
        }
        let root = if self.marker_at(self.pos) == Some('-') {
            self.pos += 3;
            self.block_node(-1, Context::Document)?
        } else if self.peek().is_none() || self.marker_at(self.pos) == Some('.') {
            self.node_at(self.pos, Value::Null)
        } else {
            self.block_at(-1)?
        };
        self.skip_to_content(false)?;
        if self.marker_at(self.pos) == Some('.') {
            self.pos += 3;
            self.skip_to_content(false)?;
        }
        match self.peek() {
            None => Ok(root),
            Some(_) if self.marker_at(self.pos).is_some() || self.peek() == Some('%') => {
                Err(self.error_at(self.pos, "more than one document: a configuration is one"))
            }
            Some(_) => Err(self.error_at(self.pos, "unexpected content: check its indentation")),
        }
    }

    // ----- block context -----

    /// The node after an indicator (`key:`, `- `, `---`) of a collection
    /// indented `n` (-1 for the document): on the same line, on the lines
    /// below indented more, or (a mapping's value) a sequence whose `- `
    /// are at `n`; null when there is none.
    fn block_node(&mut self, n: isize, context: Context) -> Result<Node> {
        let here = self.pos;
        self.skip_blanks();
        let properties = self.properties()?;
        self.skip_to_line_end();
        if self.at_line_end() {
            let null_at = properties.start.unwrap_or(here);
            let saved = self.pos;
            self.skip_to_content(false)?;
            let i = self.column(self.pos) as isize;
            let content = self.peek().is_some() && self.marker_at(self.pos).is_none();
            let node = if content && i > n {
                // `key: &a` above `  x: 1`: the properties are the mapping's.
                if properties.start.is_some() {
                    self.refuse_second_properties()?;
                }
                self.block_at(n)?
            } else if content
                && i == n
                && context == Context::MapValue
                && self.sequence_entry_at(self.pos)
            {
                self.block_sequence()?
            } else {
                self.pos = saved;
                self.node_at(null_at, Value::Null)
            };
            return self.finish(node, properties);
        }
        let start = self.pos;
        if properties.start.is_some() && self.implicit_key_ahead(start) {
            return Err(self.error_at(
                properties.start.unwrap_or(start),
                "an anchor or tag before a mapping key is not supported",
            ));
        }
        let node = match context {
            Context::SeqEntry => self.block_at(n)?,
            Context::MapValue | Context::Document => {
                if self.sequence_entry_at(start) {
                    return Err(self.error_at(
                        start,
                        "a sequence cannot start on the line of its key: put `- ` on the next line",
                    ));
                }
                if self.implicit_key_ahead(start) {
                    return Err(self.error_at(
                        start,
                        "a mapping cannot start on the line of its key: put it on the next line",
                    ));
                }
                self.inline_node(n)?
            }
        };
        self.finish(node, properties)
    }

    /// The node at the current position, the first thing on its line (or
    /// after `- `): a sequence, a mapping if a key starts here, else a
    /// scalar, a flow collection or an alias.
    fn block_at(&mut self, n: isize) -> Result<Node> {
        let start = self.pos;
        if self.sequence_entry_at(start) {
            return self.block_sequence();
        }
        if self.peek() == Some('?') && self.blank_or_end(start + 1) {
            return Err(self.error_at(start, "explicit `? ` keys are not supported"));
        }
        if matches!(self.peek(), Some('&' | '!')) {
            let properties = self.properties()?;
            self.skip_to_line_end();
            if self.at_line_end() {
                // The node is on the lines below.
                self.skip_to_content(false)?;
                self.refuse_second_properties()?;
                let i = self.column(self.pos) as isize;
                let node = if self.peek().is_some() && self.marker_at(self.pos).is_none() && i > n {
                    self.block_at(n)?
                } else {
                    self.node_at(start, Value::Null)
                };
                return self.finish(node, properties);
            }
            if self.implicit_key_ahead(self.pos) {
                return Err(self.error_at(
                    start,
                    "an anchor or tag before a mapping key is not supported",
                ));
            }
            let node = self.inline_node(n)?;
            return self.finish(node, properties);
        }
        if self.implicit_key_ahead(start) {
            return self.block_mapping();
        }
        self.inline_node(n)
    }

    /// Refuses an anchor or tag on the line below another one: they would
    /// be the same node's twice (and a document of such lines would recurse
    /// once per line).
    fn refuse_second_properties(&self) -> Result<()> {
        if matches!(self.peek(), Some('&' | '!')) {
            return Err(self.error_at(self.pos, "a second anchor or tag for the same node"));
        }
        Ok(())
    }

    /// Whether a `- ` sequence entry starts at `pos`.
    fn sequence_entry_at(&self, pos: usize) -> bool {
        self.peek_at(pos) == Some('-')
            && self.blank_or_end(pos + 1)
            && self.marker_at(pos).is_none()
    }

    /// Whether a scalar key followed by `:` starts at `pos`, on its line.
    fn implicit_key_ahead(&self, pos: usize) -> bool {
        let mut p = pos;
        match self.peek_at(p) {
            Some(q @ ('"' | '\'')) => {
                p += 1;
                loop {
                    match self.peek_at(p) {
                        None | Some('\n') => return false,
                        // An escaped line break: not a key, which is on one line.
                        Some('\\') if q == '"' && self.peek_at(p + 1) == Some('\n') => {
                            return false;
                        }
                        Some('\\') if q == '"' => p += 2,
                        Some('\'') if q == '\'' && self.peek_at(p + 1) == Some('\'') => p += 2,
                        Some(c) if c == q => {
                            p += 1;
                            break;
                        }
                        Some(_) => p += 1,
                    }
                }
                while self.peek_at(p).is_some_and(is_blank) {
                    p += 1;
                }
                self.peek_at(p) == Some(':') && self.blank_or_end(p + 1)
            }
            Some(c) if self.plain_starts(pos, false) || c == ':' && self.blank_or_end(pos + 1) => {
                loop {
                    match self.peek_at(p) {
                        None | Some('\n') => return false,
                        Some(':') if self.blank_or_end(p + 1) => return p > pos,
                        Some('#') if p > pos && self.peek_at(p - 1).is_some_and(is_blank) => {
                            return false;
                        }
                        Some(_) => p += 1,
                    }
                }
            }
            _ => false,
        }
    }

    fn block_mapping(&mut self) -> Result<Node> {
        let start = self.pos;
        let indent = self.column(start);
        self.enter(start)?;
        let mut entries: Vec<(Node, Node)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        loop {
            let key_pos = self.pos;
            if !self.implicit_key_ahead(key_pos) {
                return Err(
                    if self.peek() == Some('?') && self.blank_or_end(key_pos + 1) {
                        self.error_at(key_pos, "explicit `? ` keys are not supported")
                    } else {
                        self.error_at(
                            key_pos,
                            "expected a key (`key: value`) of the mapping above",
                        )
                    },
                );
            }
            let key = self.key_scalar()?;
            self.skip_blanks();
            // implicit_key_ahead saw the `:`.
            self.pos += 1;
            let value = self.block_node(indent as isize, Context::MapValue)?;
            self.add_entry(&mut entries, &mut seen, key, value)?;
            if !self.continues(indent, "the mapping's keys are")? {
                break;
            }
        }
        self.depth -= 1;
        let mapping = self.merged(entries)?;
        Ok(self.node_at(start, Value::Mapping(mapping)))
    }

    /// A key of a block mapping: a plain or quoted scalar on one line.
    fn key_scalar(&mut self) -> Result<Node> {
        let start = self.pos;
        let value = match self.peek() {
            Some('"') => Value::Scalar {
                text: self.quoted()?,
                quoted: true,
            },
            Some('\'') => Value::Scalar {
                text: self.quoted()?,
                quoted: true,
            },
            _ => {
                let mut end = self.pos;
                // implicit_key_ahead found the `:` on this line.
                while self.peek_at(end).is_some_and(|c| c != '\n')
                    && !(self.peek_at(end) == Some(':') && self.blank_or_end(end + 1))
                {
                    end += 1;
                }
                let text: String = self.chars[self.pos..end].iter().collect();
                self.pos = end;
                Value::Scalar {
                    text: text.trim_end_matches(is_blank).to_owned(),
                    quoted: false,
                }
            }
        };
        Ok(self.node_at(start, value))
    }

    /// After an entry of a block collection indented `indent`: whether the
    /// next content is at that indentation (more is an error naming where
    /// `entries` are).
    fn continues(&mut self, indent: usize, entries: &str) -> Result<bool> {
        self.skip_to_content(false)?;
        if self.peek().is_none() || self.marker_at(self.pos).is_some() {
            return Ok(false);
        }
        let column = self.column(self.pos);
        if column > indent {
            return Err(self.error_at(
                self.pos,
                format!("unexpected indentation: {entries} at column {}", indent + 1),
            ));
        }
        Ok(column == indent)
    }

    fn block_sequence(&mut self) -> Result<Node> {
        let start = self.pos;
        let indent = self.column(start);
        self.enter(start)?;
        let mut items = Vec::new();
        loop {
            // At a `- `.
            self.pos += 1;
            let mut p = self.pos;
            while self.peek_at(p).is_some_and(is_blank) {
                p += 1;
            }
            if self.chars[self.pos..p].contains(&'\t')
                && !self.peek_at(p).is_none_or(|c| c == '\n' || c == '#')
            {
                // yaml.v3 (buf) refuses it, though it takes `key:\tvalue`.
                return Err(self.error_at(self.pos, "a tab after `-`: YAML separates with spaces"));
            }
            items.push(self.block_node(indent as isize, Context::SeqEntry)?);
            if !self.continues(indent, "the sequence's `- ` are")? {
                break;
            }
            if !self.sequence_entry_at(self.pos) {
                // The next key of the mapping this sequence is the value of.
                break;
            }
        }
        self.depth -= 1;
        Ok(self.node_at(start, Value::Sequence(items)))
    }

    /// A node that is not a block collection, in block context: then
    /// nothing but a comment on the rest of its line.
    fn inline_node(&mut self, n: isize) -> Result<Node> {
        if matches!(self.peek(), Some('|' | '>')) {
            return self.block_scalar(n);
        }
        let node = match self.delimited()? {
            Some(node) => node,
            None => self.plain(n, false)?,
        };
        self.skip_blanks();
        match self.peek() {
            None | Some('\n') | Some('#') => Ok(node),
            Some(':') if self.blank_or_end(self.pos + 1) => Err(self.error_at(
                self.pos,
                "a mapping key must be a plain or quoted scalar on one line, after the key's own indentation",
            )),
            Some(c) => Err(self.error_at(self.pos, format!("unexpected {c:?} after a value"))),
        }
    }

    /// The flow collection, quoted scalar or alias that starts here, if
    /// one does.
    fn delimited(&mut self) -> Result<Option<Node>> {
        let start = self.pos;
        Ok(Some(match self.peek() {
            Some('[') => self.flow_sequence()?,
            Some('{') => self.flow_mapping()?,
            Some('"') => {
                let text = self.quoted()?;
                self.node_at(start, Value::Scalar { text, quoted: true })
            }
            Some('\'') => {
                let text = self.quoted()?;
                self.node_at(start, Value::Scalar { text, quoted: true })
            }
            Some('*') => self.alias()?,
            _ => return Ok(None),
        }))
    }

    // ----- flow context -----

    fn flow_node(&mut self) -> Result<Node> {
        let properties = self.properties()?;
        self.skip_to_content(true)?;
        let start = self.pos;
        if let Some(node) = self.delimited()? {
            return self.finish(node, properties);
        }
        let node = match self.peek() {
            Some(',' | ']' | '}') if properties.start.is_some() => {
                self.node_at(properties.start.unwrap_or(start), Value::Null)
            }
            Some('|' | '>') => {
                return Err(self.error_at(start, "a block scalar cannot be inside `[ ]` or `{ }`"));
            }
            Some(_) if self.plain_starts(start, true) => self.plain(-1, true)?,
            Some(c) => return Err(self.error_at(start, format!("expected a value, found {c:?}"))),
            None => return Err(self.error_at(start, "expected a value, found the end")),
        };
        self.finish(node, properties)
    }

    fn flow_sequence(&mut self) -> Result<Node> {
        let start = self.pos;
        self.enter(start)?;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_to_content(true)?;
            match self.peek() {
                None => return Err(self.error_at(start, "this `[` is never closed")),
                Some(']') => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            if self.peek() == Some('?') && self.blank_or_end(self.pos + 1) {
                return Err(self.error_at(self.pos, "explicit `? ` keys are not supported"));
            }
            items.push(self.flow_node()?);
            self.skip_to_content(true)?;
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {
                    self.pos += 1;
                    break;
                }
                Some(':') => {
                    return Err(self.error_at(
                        self.pos,
                        "a `key: value` pair inside `[ ]` is not supported: write `{key: value}`",
                    ));
                }
                None => return Err(self.error_at(start, "this `[` is never closed")),
                Some(c) => {
                    return Err(
                        self.error_at(self.pos, format!("expected `,` or `]`, found {c:?}"))
                    );
                }
            }
        }
        self.depth -= 1;
        Ok(self.node_at(start, Value::Sequence(items)))
    }

    fn flow_mapping(&mut self) -> Result<Node> {
        let start = self.pos;
        self.enter(start)?;
        self.pos += 1;
        let mut entries = Vec::new();
        let mut seen = HashMap::new();
        loop {
            self.skip_to_content(true)?;
            let key_pos = self.pos;
            let key = match self.peek() {
                None => return Err(self.error_at(start, "this `{` is never closed")),
                Some('}') => {
                    self.pos += 1;
                    break;
                }
                Some('?') if self.blank_or_end(key_pos + 1) => {
                    return Err(self.error_at(key_pos, "explicit `? ` keys are not supported"));
                }
                Some('"') => {
                    let text = self.quoted()?;
                    self.node_at(key_pos, Value::Scalar { text, quoted: true })
                }
                Some('\'') => {
                    let text = self.quoted()?;
                    self.node_at(key_pos, Value::Scalar { text, quoted: true })
                }
                Some(_) if self.plain_starts(key_pos, true) => {
                    let node = self.plain(-1, true)?;
                    match node.value {
                        // A key keeps its text: `~: 1` has the key `~`.
                        Value::Null => {
                            let text: String = self.chars[key_pos..self.pos]
                                .iter()
                                .collect::<String>()
                                .trim_end()
                                .to_owned();
                            self.node_at(
                                key_pos,
                                Value::Scalar {
                                    text,
                                    quoted: false,
                                },
                            )
                        }
                        _ => node,
                    }
                }
                Some(_) => {
                    return Err(
                        self.error_at(key_pos, "a mapping key must be a plain or quoted scalar")
                    );
                }
            };
            let quoted_key = matches!(key.value, Value::Scalar { quoted: true, .. });
            // A key and its `:` are on one line, as in block mappings.
            let key_line = key.line;
            let key_end = self.location(self.pos).0;
            self.skip_to_content(true)?;
            let colon_line = self.location(self.pos).0;
            if key_end != key_line || self.peek() == Some(':') && colon_line != key_line {
                return Err(
                    self.error_at(key_pos, "a key of `{ }` and its `:` must be on one line")
                );
            }
            let value = match self.peek() {
                Some(':')
                    if quoted_key
                        || self.blank_or_end(self.pos + 1)
                        || self.peek_at(self.pos + 1).is_some_and(is_flow_indicator) =>
                {
                    let colon = self.pos;
                    self.pos += 1;
                    self.skip_to_content(true)?;
                    if matches!(self.peek(), Some(',' | '}')) {
                        self.node_at(colon, Value::Null)
                    } else {
                        self.flow_node()?
                    }
                }
                Some(',' | '}') => self.node_at(self.pos, Value::Null),
                None => return Err(self.error_at(start, "this `{` is never closed")),
                Some(c) => {
                    return Err(self.error_at(self.pos, format!("expected `:`, found {c:?}")));
                }
            };
            self.add_entry(&mut entries, &mut seen, key, value)?;
            self.skip_to_content(true)?;
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {
                    self.pos += 1;
                    break;
                }
                None => return Err(self.error_at(start, "this `{` is never closed")),
                Some(c) => {
                    return Err(
                        self.error_at(self.pos, format!("expected `,` or `}}`, found {c:?}"))
                    );
                }
            }
        }
        self.depth -= 1;
        let mapping = self.merged(entries)?;
        Ok(self.node_at(start, Value::Mapping(mapping)))
    }

    // ----- mappings -----

    /// Adds an entry, refusing a key already there as `yaml.v3` does (it
    /// compares the keys' texts).
    fn add_entry(
        &self,
        entries: &mut Vec<(Node, Node)>,
        seen: &mut HashMap<String, usize>,
        key: Node,
        value: Node,
    ) -> Result<()> {
        let Value::Scalar { text, .. } = &key.value else {
            return Err(YamlError {
                line: key.line,
                column: key.column,
                message: "a mapping key must be a plain or quoted scalar".to_owned(),
            });
        };
        if let Some(line) = seen.get(text) {
            return Err(YamlError {
                line: key.line,
                column: key.column,
                message: format!("mapping key {text:?} already defined at line {line}"),
            });
        }
        seen.insert(text.clone(), key.line);
        entries.push((key, value));
        Ok(())
    }

    /// Applies merge keys: a plain `<<` whose value is a mapping (or a
    /// sequence of them) adds their keys the mapping does not have, the
    /// first mapping of a sequence first (as `yaml.v3` does).
    fn merged(&mut self, entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>> {
        let is_merge = |key: &Node| matches!(&key.value, Value::Scalar { text, quoted: false } if text == "<<");
        if !entries.iter().any(|(k, _)| is_merge(k)) {
            return Ok(entries);
        }
        let mut own = Vec::new();
        let mut sources = Vec::new();
        for (key, value) in entries {
            if !is_merge(&key) {
                own.push((key, value));
                continue;
            }
            match value.value {
                Value::Mapping(entries) => sources.push(entries),
                Value::Sequence(items) => {
                    for item in items {
                        match item.value {
                            Value::Mapping(entries) => sources.push(entries),
                            _ => {
                                return Err(item.error(
                                    "<<",
                                    "a merge key takes a mapping or a list of mappings",
                                ));
                            }
                        }
                    }
                }
                _ => {
                    return Err(
                        value.error("<<", "a merge key takes a mapping or a list of mappings")
                    );
                }
            }
        }
        let mut present: HashSet<String> = own
            .iter()
            .filter_map(|(k, _)| match &k.value {
                Value::Scalar { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect();
        for source in sources {
            for (key, value) in source {
                if let Value::Scalar { text, .. } = &key.value
                    && present.insert(text.clone())
                {
                    own.push((key, value));
                }
            }
        }
        Ok(own)
    }

    // ----- properties and aliases -----

    /// `&anchor` and `!!tag`, in any order, each at most once.
    fn properties(&mut self) -> Result<Properties> {
        let mut properties = Properties::default();
        loop {
            match self.peek() {
                Some('&') if properties.anchor.is_none() => {
                    properties.start.get_or_insert(self.pos);
                    self.pos += 1;
                    properties.anchor = Some(self.name()?);
                }
                Some('!') if properties.tag.is_none() => {
                    let at = self.pos;
                    properties.start.get_or_insert(at);
                    let mut end = self.pos;
                    while !self.blank_or_end(end)
                        && !self.peek_at(end).is_some_and(is_flow_indicator)
                    {
                        end += 1;
                    }
                    let tag: String = self.chars[self.pos..end].iter().collect();
                    let tag_kind = match tag.as_str() {
                        "!!str" => Tag::Str,
                        "!!int" => Tag::Int,
                        "!!bool" => Tag::Bool,
                        "!!null" => Tag::Null,
                        "!!seq" => Tag::Seq,
                        "!!map" => Tag::Map,
                        _ => {
                            return Err(self.error_at(
                                at,
                                format!(
                                    "the tag {tag:?} is not supported (only !!str, !!int, !!bool, !!null, !!seq, !!map): quote a value that starts with `!`"
                                ),
                            ));
                        }
                    };
                    self.pos = end;
                    properties.tag = Some((tag_kind, at));
                }
                _ => return Ok(properties),
            }
            self.skip_blanks();
        }
    }

    /// An anchor's or alias's name after its `&` or `*`: letters, digits,
    /// `-` and `_` (as libyaml and yaml.v3 read them), then a blank, the
    /// line's end or a flow indicator.
    fn name(&mut self) -> Result<String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.pos += 1;
        }
        if start == self.pos
            || !(self.blank_or_end(self.pos) || self.peek().is_some_and(is_flow_indicator))
        {
            return Err(self.error_at(
                start - 1,
                "an anchor or alias is named with letters, digits, `-` and `_`",
            ));
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    /// Applies a node's tag and records its anchor.
    fn finish(&mut self, mut node: Node, properties: Properties) -> Result<Node> {
        if let Some((tag, at)) = properties.tag {
            let fits = match (&mut node.value, tag) {
                (Value::Sequence(_), Tag::Seq) | (Value::Mapping(_), Tag::Map) => true,
                (Value::Null, Tag::Null) => true,
                (Value::Null, Tag::Str) => {
                    node.value = Value::Scalar {
                        text: String::new(),
                        quoted: true,
                    };
                    true
                }
                (Value::Scalar { quoted, .. }, Tag::Str) => {
                    *quoted = true;
                    true
                }
                (
                    Value::Scalar {
                        text,
                        quoted: false,
                    },
                    Tag::Bool,
                ) => {
                    matches!(
                        text.as_str(),
                        "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
                    )
                }
                (
                    Value::Scalar {
                        text,
                        quoted: false,
                    },
                    Tag::Int,
                ) => is_int(text),
                _ => false,
            };
            if !fits {
                return Err(self.error_at(
                    at,
                    format!("the value does not fit its tag: found {}", node.describe()),
                ));
            }
        }
        if let Some(name) = properties.anchor {
            let (size, height) = measure(&node);
            self.charge(size, properties.start.unwrap_or(self.pos))?;
            self.anchors.insert(
                name,
                Anchored {
                    node: node.clone(),
                    size,
                    height,
                },
            );
        }
        Ok(node)
    }

    /// Counts `size` copied nodes against [`EXPANSION_LIMIT`].
    fn charge(&mut self, size: usize, at: usize) -> Result<()> {
        self.copied += size;
        if self.copied > EXPANSION_LIMIT {
            return Err(self.error_at(
                at,
                format!("aliases expand to more than {EXPANSION_LIMIT} nodes"),
            ));
        }
        Ok(())
    }

    fn alias(&mut self) -> Result<Node> {
        let start = self.pos;
        self.pos += 1;
        let name = self.name()?;
        let Some(anchored) = self.anchors.get(&name) else {
            return Err(self.error_at(start, format!("unknown anchor {name:?}")));
        };
        let (size, height) = (anchored.size, anchored.height);
        if self.depth + height > self.nesting_limit {
            return Err(self.error_at(
                start,
                format!("nested more than {} deep", self.nesting_limit),
            ));
        }
        self.charge(size, start)?;
        let mut node = self.anchors[&name].node.clone();
        let (line, column) = self.location(start);
        node.line = line;
        node.column = column;
        Ok(node)
    }

    // ----- scalars -----

    /// Whether a plain scalar starts at `pos`: not an indicator, or `-`,
    /// `?`, `:` followed by a character that can go on.
    fn plain_starts(&self, pos: usize, flow: bool) -> bool {
        let Some(c) = self.peek_at(pos) else {
            return false;
        };
        match c {
            // In `[ ]` and `{ }` libyaml takes a leading `?` or `:` for an
            // indicator whatever follows: refused rather than read apart.
            '?' | ':' if flow => false,
            '-' | '?' | ':' => {
                !(self.blank_or_end(pos + 1)
                    || flow && self.peek_at(pos + 1).is_some_and(is_flow_indicator))
            }
            ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%'
            | '@' | '`' => false,
            c => !is_blank(c) && c != '\n',
        }
    }

    /// A plain scalar; continuation lines must be indented more than `n`
    /// (in block context). Folded: one line break is a space, `k` blank
    /// lines are `k` newlines.
    fn plain(&mut self, n: isize, flow: bool) -> Result<Node> {
        let start = self.pos;
        if !self.plain_starts(start, flow) {
            let c = self.peek().unwrap_or(' ');
            return Err(self.error_at(start, format!("a value cannot start with {c:?}: quote it")));
        }
        let mut text = String::new();
        loop {
            // One line's part.
            let from = self.pos;
            while let Some(c) = self.peek() {
                let ends = match c {
                    '\n' => true,
                    ':' if flow
                        && self
                            .peek_at(self.pos + 1)
                            .is_some_and(|c| is_flow_indicator(c) || c == '?') =>
                    {
                        // `{except:}`: libyaml refuses it, yaml.v3 (buf)
                        // reads the key `except:`.
                        return Err(self.error_at(
                            self.pos,
                            "a `:` right before `,`, `]` or `}`: put a space after it, or quote the value",
                        ));
                    }
                    ':' => self.blank_or_end(self.pos + 1),
                    '#' => self.pos > from && self.peek_at(self.pos - 1).is_some_and(is_blank),
                    c if flow && is_flow_indicator(c) => true,
                    _ => false,
                };
                if ends {
                    break;
                }
                self.pos += 1;
            }
            let mut end = self.pos;
            while end > from && is_blank(self.chars[end - 1]) {
                end -= 1;
            }
            text.extend(&self.chars[from..end]);
            self.pos = end;
            // A next line that goes on.
            let mut p = end;
            while self.peek_at(p).is_some_and(is_blank) {
                p += 1;
            }
            if self.peek_at(p) != Some('\n') {
                break;
            }
            let mut breaks = 0;
            let next = loop {
                if self.peek_at(p) == Some('\n') {
                    breaks += 1;
                    p += 1;
                    let line_start = p;
                    while self.peek_at(p) == Some(' ') {
                        p += 1;
                    }
                    let indent = p - line_start;
                    while self.peek_at(p).is_some_and(is_blank) {
                        p += 1;
                    }
                    match self.peek_at(p) {
                        Some('\n') => continue,
                        None => break None,
                        Some(_) => {
                            let goes_on = self.marker_at(line_start).is_none()
                                && (flow || indent as isize > n)
                                && self.peek_at(p) != Some('#')
                                && !(flow && self.peek_at(p).is_some_and(is_flow_indicator))
                                && !(self.peek_at(p) == Some(':') && self.blank_or_end(p + 1));
                            break goes_on.then_some(p);
                        }
                    }
                } else {
                    break None;
                }
            };
            let Some(next) = next else {
                break;
            };
            if breaks == 1 {
                text.push(' ');
            } else {
                text.extend(std::iter::repeat_n('\n', breaks - 1));
            }
            self.pos = next;
        }
        let value = if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
            Value::Null
        } else {
            Value::Scalar {
                text,
                quoted: false,
            }
        };
        Ok(self.node_at(start, value))
    }

    /// After a line break inside a quoted scalar: skips the next lines'
    /// leading blanks and returns how many line breaks there were.
    fn quoted_breaks(&mut self, start: usize) -> Result<usize> {
        let mut breaks = 0;
        while self.peek() == Some('\n') {
            breaks += 1;
            self.pos += 1;
            if self.marker_at(self.pos).is_some() {
                return Err(self.error_at(self.pos, "a document marker inside a quoted string"));
            }
            self.skip_blanks();
        }
        if self.peek().is_none() {
            return Err(self.error_at(start, "this quoted string is never closed"));
        }
        Ok(breaks)
    }

    fn fold(text: &mut String, breaks: usize) {
        if breaks == 1 {
            text.push(' ');
        } else {
            text.extend(std::iter::repeat_n('\n', breaks - 1));
        }
    }

    /// A single-quoted (`''` is a quote) or double-quoted (backslash
    /// escapes) scalar. A line break folds as in plain scalars, the blanks
    /// around it dropped.
    fn quoted(&mut self) -> Result<String> {
        let start = self.pos;
        let quote = self.chars[start];
        self.pos += 1;
        let mut text = String::new();
        // Where the current run of literal blanks began: trimmed before a
        // line break.
        let mut blanks: Option<usize> = None;
        loop {
            match self.peek() {
                None => return Err(self.error_at(start, "this quoted string is never closed")),
                Some('\'') if quote == '\'' && self.peek_at(self.pos + 1) == Some('\'') => {
                    text.push('\'');
                    blanks = None;
                    self.pos += 2;
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(text);
                }
                Some('\n') => {
                    if let Some(at) = blanks.take() {
                        text.truncate(at);
                    }
                    let breaks = self.quoted_breaks(start)?;
                    Self::fold(&mut text, breaks);
                }
                Some('\\') if quote == '"' => {
                    blanks = None;
                    self.escape(start, &mut text)?;
                }
                Some(c) => {
                    if is_blank(c) {
                        blanks.get_or_insert(text.len());
                    } else {
                        blanks = None;
                    }
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// The escape at a `\` of the double-quoted scalar that starts at
    /// `start`, onto `text`.
    fn escape(&mut self, start: usize, text: &mut String) -> Result<()> {
        let at = self.pos;
        self.pos += 1;
        let Some(c) = self.peek() else {
            return Err(self.error_at(start, "this quoted string is never closed"));
        };
        self.pos += 1;
        let simple = match c {
            '0' => Some('\0'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            't' | '\t' => Some('\t'),
            'n' => Some('\n'),
            'v' => Some('\u{b}'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            ' ' => Some(' '),
            '"' => Some('"'),
            '/' => Some('/'),
            '\\' => Some('\\'),
            'N' => Some('\u{85}'),
            '_' => Some('\u{a0}'),
            'L' => Some('\u{2028}'),
            'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(c) = simple {
            text.push(c);
            return Ok(());
        }
        let digits = match c {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            '\n' => {
                // An escaped line break: the lines join with
                // nothing between them.
                self.skip_blanks();
                while self.peek() == Some('\n') {
                    text.push('\n');
                    self.pos += 1;
                    self.skip_blanks();
                }
                return Ok(());
            }
            c => {
                return Err(self.error_at(at, format!("unknown escape \\{c}")));
            }
        };
        let hex: String = self.chars[self.pos..].iter().take(digits).collect();
        let code = (hex.len() == digits && hex.chars().all(|d| d.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(&hex, 16).ok())
            .flatten()
            .and_then(char::from_u32);
        let Some(decoded) = code else {
            return Err(self.error_at(at, format!("invalid escape \\{c}{hex}")));
        };
        text.push(decoded);
        self.pos += digits;
        Ok(())
    }

    /// A literal (`|`) or folded (`>`) block scalar in a collection indented
    /// `n`. The parser ends at the start of the line after it.
    fn block_scalar(&mut self, n: isize) -> Result<Node> {
        let start = self.pos;
        let literal = self.peek() == Some('|');
        self.pos += 1;
        let mut increment: Option<usize> = None;
        let mut chomp: Option<char> = None;
        loop {
            match self.peek() {
                Some(c @ '1'..='9') if increment.is_none() => {
                    increment = Some(c as usize - '0' as usize);
                }
                Some(c @ ('+' | '-')) if chomp.is_none() => chomp = Some(c),
                _ => break,
            }
            self.pos += 1;
        }
        let header_end = self.pos;
        self.skip_blanks();
        if self.peek() == Some('#') && self.pos == header_end {
            return Err(self.error_at(self.pos, "a comment needs a space before it"));
        }
        self.skip_to_line_end();
        if !self.at_line_end() {
            return Err(self.error_at(
                self.pos,
                "unexpected text after a block scalar's `|` or `>`",
            ));
        }
        if self.peek() == Some('\n') {
            self.pos += 1;
        }
        let minimum = (n + 1).max(1) as usize;
        let mut indent = increment.map(|i| if n < 0 { i } else { n as usize + i });
        // Lines: (text, empty).
        let mut lines: Vec<(String, bool)> = Vec::new();
        let mut max_leading_empty = 0;
        loop {
            if self.peek().is_none() || self.marker_at(self.pos).is_some() {
                break;
            }
            let line_start = self.pos;
            let mut p = self.pos;
            while self.peek_at(p) == Some(' ') {
                p += 1;
            }
            let spaces = p - line_start;
            let empty = self.peek_at(p).is_none_or(|c| c == '\n');
            if empty && self.peek_at(p).is_none() {
                // A last line of spaces with no line break is no line.
                self.pos = p;
                break;
            }
            let wanted = match indent {
                Some(i) => i,
                None if empty => {
                    max_leading_empty = max_leading_empty.max(spaces);
                    lines.push((String::new(), true));
                    self.pos = p;
                    if self.peek() == Some('\n') {
                        self.pos += 1;
                    }
                    continue;
                }
                None => {
                    if self.peek_at(p) == Some('\t') {
                        // libyaml and yaml.v3 refuse it too.
                        return Err(self.error_at(
                            p,
                            "a tab where a block scalar's indentation is found: indent with spaces",
                        ));
                    }
                    if spaces < minimum {
                        break;
                    }
                    if max_leading_empty > spaces {
                        return Err(self.error_at(
                            line_start,
                            "a blank line before a block scalar's first line is indented more than it",
                        ));
                    }
                    indent = Some(spaces);
                    spaces
                }
            };
            if empty && spaces <= wanted {
                lines.push((String::new(), true));
            } else if spaces < wanted {
                if self.peek_at(p) == Some('\t') {
                    return Err(self.error_at(p, "a tab in indentation: YAML indents with spaces"));
                }
                break;
            } else {
                let mut end = line_start + wanted;
                while self.peek_at(end).is_some_and(|c| c != '\n') {
                    end += 1;
                }
                lines.push((self.chars[line_start + wanted..end].iter().collect(), false));
                p = end;
            }
            self.pos = p;
            if self.peek() == Some('\n') {
                self.pos += 1;
            }
        }
        // Whether the last content line has a line break: the text may end
        // right after it.
        let ends_with_break = self.chars[..self.pos]
            .iter()
            .rev()
            .find(|c| **c != ' ')
            .is_some_and(|c| *c == '\n');
        let last_content = lines.iter().rposition(|(_, empty)| !empty);
        let mut text = String::new();
        let mut previous: Option<bool> = None; // more indented
        let mut breaks = 0;
        for (line, empty) in lines.iter().take(last_content.map_or(0, |i| i + 1)) {
            if *empty {
                breaks += 1;
                continue;
            }
            let more = line.starts_with([' ', '\t']);
            match previous {
                None => text.extend(std::iter::repeat_n('\n', breaks)),
                Some(previous_more) => {
                    if literal || previous_more || more {
                        text.extend(std::iter::repeat_n('\n', breaks + 1));
                    } else if breaks == 0 {
                        text.push(' ');
                    } else {
                        text.extend(std::iter::repeat_n('\n', breaks));
                    }
                }
            }
            text.push_str(line);
            previous = Some(more);
            breaks = 0;
        }
        let trailing = match last_content {
            Some(i) => {
                let after = lines.len() - i - 1;
                // The last content line's own break, if it has one.
                let own = usize::from(after > 0 || ends_with_break);
                own + after
            }
            None => lines.len(),
        };
        match chomp {
            Some('-') => {}
            Some(_) => text.extend(std::iter::repeat_n('\n', trailing)),
            None => {
                if last_content.is_some() && trailing > 0 {
                    text.push('\n');
                }
            }
        }
        Ok(self.node_at(start, Value::Scalar { text, quoted: true }))
    }
}

/// YAML 1.2 core schema integers (`12`, `-3`, `0x1f`, `0o17`).
fn is_int(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if let Some(hex) = digits.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(octal) = digits.strip_prefix("0o") {
        return !octal.is_empty() && octal.chars().all(|c| ('0'..='7').contains(&c));
    }
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}
