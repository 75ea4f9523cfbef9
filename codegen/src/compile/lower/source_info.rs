//! Source info: the `SourceCodeInfo` protoc's parser writes, from the
//! syntax tree.
//!
//! protoc's parser records a location each time it starts on an element or
//! on a part of one (a field's label, type, name, number, each option and
//! each part of its name and its value), in that order, the parent before
//! its parts; a location starts at the element's first token and ends at its
//! last. [`source_code_info`] walks the tree in the parser's order and
//! records the same locations, with the same paths (the parser's quirks
//! included: a group recorded as a field and a nested message that overlap,
//! `json_name` recorded twice, a single reserved number's end recorded at its
//! start, extension range options copied to every range of the statement).
//!
//! Comments follow protoc's tokenizer: after each token that ends a
//! declaration (`;`, `{`, `}`), the comments up to the next token are split
//! into the trailing comment of the declaration just ended, comments detached
//! from everything (set apart by blank lines), and the leading comment of the
//! next declaration. The element that ends at its `;` or opens at its `{`
//! receives the leading and detached comments kept from the previous end,
//! and the trailing comment of its own ([`Recorder::end_of_declaration`]).
//!
//! Options are recorded as the parser leaves them, under
//! `<options>.uninterpreted_option[i]`. Once they are interpreted,
//! [`apply_interpreted_options`] moves them where protoc moves them.

use std::collections::HashMap;

use super::super::descriptor::{SourceCodeInfo, source_code_info::Location};
use super::literal;
use crate::syntax::{self, File, Tok, TokenKind};

/// `FileDescriptorProto` fields.
mod file {
    pub const PACKAGE: i32 = 2;
    pub const DEPENDENCY: i32 = 3;
    pub const MESSAGE_TYPE: i32 = 4;
    pub const ENUM_TYPE: i32 = 5;
    pub const SERVICE: i32 = 6;
    pub const EXTENSION: i32 = 7;
    pub const OPTIONS: i32 = 8;
    pub const PUBLIC_DEPENDENCY: i32 = 10;
    pub const WEAK_DEPENDENCY: i32 = 11;
    /// Also for `edition = "..."`: protoc records both under `syntax`.
    pub const SYNTAX: i32 = 12;
    pub const OPTION_DEPENDENCY: i32 = 15;
}

/// `DescriptorProto` fields.
mod message {
    pub const NAME: i32 = 1;
    pub const FIELD: i32 = 2;
    pub const NESTED_TYPE: i32 = 3;
    pub const ENUM_TYPE: i32 = 4;
    pub const EXTENSION_RANGE: i32 = 5;
    pub const EXTENSION: i32 = 6;
    pub const OPTIONS: i32 = 7;
    pub const ONEOF_DECL: i32 = 8;
    pub const RESERVED_RANGE: i32 = 9;
    pub const RESERVED_NAME: i32 = 10;
    /// `ExtensionRange.options`.
    pub const RANGE_OPTIONS: i32 = 3;
}

/// `FieldDescriptorProto` fields.
mod field {
    pub const NAME: i32 = 1;
    pub const EXTENDEE: i32 = 2;
    pub const NUMBER: i32 = 3;
    pub const LABEL: i32 = 4;
    pub const TYPE: i32 = 5;
    pub const TYPE_NAME: i32 = 6;
    pub const DEFAULT_VALUE: i32 = 7;
    pub const OPTIONS: i32 = 8;
    pub const JSON_NAME: i32 = 10;
}

/// Fields of `OneofDescriptorProto`, the enum descriptors and the service
/// descriptors.
mod other {
    pub const NAME: i32 = 1;
    pub const ONEOF_OPTIONS: i32 = 2;
    pub const ENUM_VALUE: i32 = 2;
    pub const ENUM_OPTIONS: i32 = 3;
    pub const ENUM_RESERVED_RANGE: i32 = 4;
    pub const ENUM_RESERVED_NAME: i32 = 5;
    pub const VALUE_NUMBER: i32 = 2;
    pub const VALUE_OPTIONS: i32 = 3;
    pub const METHOD: i32 = 2;
    pub const SERVICE_OPTIONS: i32 = 3;
    pub const INPUT_TYPE: i32 = 2;
    pub const OUTPUT_TYPE: i32 = 3;
    pub const METHOD_OPTIONS: i32 = 4;
    pub const CLIENT_STREAMING: i32 = 5;
    pub const SERVER_STREAMING: i32 = 6;
    /// `ReservedRange.start`, `ExtensionRange.start`.
    pub const RANGE_START: i32 = 1;
    /// `ReservedRange.end`, `ExtensionRange.end`.
    pub const RANGE_END: i32 = 2;
}

/// `UninterpretedOption` fields (and `uninterpreted_option` itself, 999 in
/// every options message).
mod option {
    pub const UNINTERPRETED: i32 = 999;
    pub const NAME: i32 = 2;
    pub const NAME_PART: i32 = 1;
    pub const IDENTIFIER: i32 = 3;
    pub const POSITIVE_INT: i32 = 4;
    pub const NEGATIVE_INT: i32 = 5;
    pub const DOUBLE: i32 = 6;
    pub const STRING: i32 = 7;
    pub const AGGREGATE: i32 = 8;
}

/// The source info of `file` as protoc's parser writes it, options
/// uninterpreted. Call it on a file that lowered without error.
pub fn source_code_info(file: &File<'_>) -> SourceCodeInfo {
    let mut recorder = Recorder {
        file,
        path: Vec::new(),
        locations: Vec::new(),
        upcoming_leading: String::new(),
        upcoming_detached: Vec::new(),
    };
    recorder.file();
    // Kept to the end of the compilation, millions on a large schema: not
    // with the room left by the vector's growth.
    recorder.locations.shrink_to_fit();
    SourceCodeInfo {
        location: recorder.locations,
        ..Default::default()
    }
}

/// Moves each interpreted option's location as protoc does once options are
/// interpreted (`OptionInterpreter::UpdateSourceCodeInfo`): a location at
/// `<options>.uninterpreted_option[i]` takes the path it is interpreted to,
/// `<options>.<field number>...[.<index of the value>]`, and the locations
/// inside it (its name and its value) are dropped. Locations keep their
/// order; an option left uninterpreted (in no pair) stays as it is.
///
/// `interpreted` pairs the path of an uninterpreted option as recorded here
/// (`[4, 0, 7, 999, 2]`: the third option of the first message) with where
/// protoc writes it (`[4, 0, 7, 50, 1]`): the `moves` of the option
/// interpreter's `OptionMoves` for this file. One pass over the locations,
/// one lookup each. Call it before [`strip_locations`], as protoc moves
/// before it strips.
pub fn apply_interpreted_options(info: &mut SourceCodeInfo, interpreted: &[(Vec<i32>, Vec<i32>)]) {
    if interpreted.is_empty() {
        return;
    }
    let interpreted: HashMap<&[i32], &[i32]> = interpreted
        .iter()
        .map(|(from, to)| (from.as_slice(), to.as_slice()))
        .collect();
    let mut moved_from: Option<Vec<i32>> = None;
    info.location.retain_mut(|location| {
        if let Some(from) = &moved_from {
            if location.path.starts_with(from) {
                return false;
            }
            moved_from = None;
        }
        // Only an `uninterpreted_option[i]` path (`... 999 i`) can move:
        // the others are not looked up.
        let path = location.path.as_slice();
        let to = if path.len() >= 2 && path[path.len() - 2] == 999 {
            interpreted.get(path)
        } else {
            None
        };
        if let Some(to) = to {
            moved_from = Some(std::mem::replace(&mut location.path, to.to_vec()));
        }
        true
    });
}

/// Drops every location under one of `stripped` (paths of options protoc
/// removes from its output, source-retention options, as the option
/// interpreter's `StrippedPaths` gives them for this file), as protoc's
/// `StripSourceCodeInfo` does. Order is kept. Call it after
/// [`apply_interpreted_options`].
pub fn strip_locations(info: &mut SourceCodeInfo, stripped: &[Vec<i32>]) {
    if stripped.is_empty() {
        return;
    }
    let mut stripped: Vec<&[i32]> = stripped.iter().map(Vec::as_slice).collect();
    stripped.sort_unstable();
    info.location.retain(|location| {
        // The greatest stripped path not after this one is the only
        // candidate prefix among those that sort before it.
        let at = stripped.partition_point(|p| *p <= location.path.as_slice());
        !(at > 0 && location.path.starts_with(stripped[at - 1]))
    });
}

/// Walks the tree in protoc's parser order.
struct Recorder<'f, 'a> {
    file: &'f File<'a>,
    /// The path of the element being recorded.
    path: Vec<i32>,
    locations: Vec<Location>,
    /// The comments before the next declaration, kept since the last end of
    /// a declaration, as protoc's parser keeps them.
    upcoming_leading: String,
    upcoming_detached: Vec<String>,
}

/// Counts of what a message holds, for the indexes in paths.
#[derive(Default)]
struct MessageCounts {
    field: i32,
    nested: i32,
    enums: i32,
    extension_range: i32,
    extension: i32,
    oneof: i32,
    reserved_range: i32,
    reserved_name: i32,
    options: i32,
}

/// Where a group's message goes: its parent's path and field (nested types
/// of a message, message types of the file) and the next index there.
struct GroupHome<'c> {
    parent: &'c [i32],
    field: i32,
    next: &'c mut i32,
}

impl<'a> Recorder<'_, 'a> {
    fn text(&self, tok: Tok) -> &'a str {
        self.file.text(tok)
    }

    /// Opens a location at `self.path` + `tail`, starting at `start`.
    fn open(&mut self, tail: &[i32], start: Tok) -> usize {
        let position = self.file.position(self.file.span(start).start);
        let mut path = Vec::with_capacity(self.path.len() + tail.len());
        path.extend_from_slice(&self.path);
        path.extend_from_slice(tail);
        // Room for the end (three numbers, or four on another line).
        let mut span = Vec::with_capacity(4);
        span.extend([position.line as i32, position.column as i32]);
        self.locations.push(Location {
            path,
            span,
            ..Default::default()
        });
        self.locations.len() - 1
    }

    /// Ends the location `index` at the end of `end`: three numbers when it
    /// ends on the line it starts, four otherwise.
    fn close(&mut self, index: usize, end: Tok) {
        let position = self.file.position(self.file.span(end).end);
        let span = &mut self.locations[index].span;
        if span[0] != position.line as i32 {
            span.push(position.line as i32);
        }
        span.push(position.column as i32);
    }

    fn record(&mut self, tail: &[i32], first: Tok, last: Tok) {
        let index = self.open(tail, first);
        self.close(index, last);
    }

    /// The parser consumes `tok`, which ends a declaration, and reads the
    /// comments after it; the declaration (`location`) gets the comments
    /// before it and its trailing comment.
    fn end_of_declaration(&mut self, tok: Tok, location: Option<usize>) {
        let comments = comments_after(
            self.file.source.as_bytes(),
            self.file.span(tok).end as usize,
            false,
        );
        let leading = std::mem::replace(&mut self.upcoming_leading, comments.leading);
        match location {
            Some(index) => {
                let detached = std::mem::replace(&mut self.upcoming_detached, comments.detached);
                let location = &mut self.locations[index];
                location.leading_comments = (!leading.is_empty()).then_some(leading);
                location.trailing_comments =
                    (!comments.trailing.is_empty()).then_some(comments.trailing);
                location.leading_detached_comments = detached;
            }
            // The end of a scope: comments detached before it are dropped.
            None if self.text(tok) == "}" => self.upcoming_detached = comments.detached,
            None => self.upcoming_detached.extend(comments.detached),
        }
    }

    fn file(&mut self) {
        let start = comments_after(self.file.source.as_bytes(), 0, true);
        self.upcoming_leading = start.leading;
        self.upcoming_detached = start.detached;
        let tokens = &self.file.tokens;
        let Some(first) = tokens.iter().position(|t| !t.kind.is_trivia()) else {
            // No statement: protoc's root location starts at the end of the
            // file and ends where the file starts.
            let end = self.file.position(self.file.source.len() as u32);
            let mut span = vec![end.line as i32, end.column as i32];
            if end.line != 0 {
                span.push(0);
            }
            span.push(0);
            self.locations.push(Location {
                span,
                ..Default::default()
            });
            return;
        };
        let last = tokens.iter().rposition(|t| !t.kind.is_trivia());
        let root = self.open(&[], Tok(first as u32));
        let mut messages = 0;
        let (mut enums, mut services, mut extensions, mut options) = (0, 0, 0, 0);
        let (mut dependency, mut public, mut weak, mut option_dependency) = (0, 0, 0, 0);
        for item in &self.file.items {
            match item {
                syntax::FileItem::Syntax(statement) => {
                    let location = self.open(&[file::SYNTAX], statement.keyword);
                    self.end_of_declaration(statement.semicolon, Some(location));
                    self.close(location, statement.semicolon);
                }
                syntax::FileItem::Package(package) => {
                    let location = self.open(&[file::PACKAGE], package.keyword);
                    self.end_of_declaration(package.semicolon, Some(location));
                    self.close(location, package.semicolon);
                }
                syntax::FileItem::Import(import) => {
                    let modifier = import.modifier.map(|m| (m, self.text(m)));
                    let location = if let Some((_, "option")) = modifier {
                        option_dependency += 1;
                        self.open(
                            &[file::OPTION_DEPENDENCY, option_dependency - 1],
                            import.keyword,
                        )
                    } else {
                        dependency += 1;
                        self.open(&[file::DEPENDENCY, dependency - 1], import.keyword)
                    };
                    match modifier {
                        Some((tok, "public")) => {
                            public += 1;
                            self.record(&[file::PUBLIC_DEPENDENCY, public - 1], tok, tok);
                        }
                        Some((tok, "weak")) => {
                            weak += 1;
                            self.record(&[file::WEAK_DEPENDENCY, weak - 1], tok, tok);
                        }
                        _ => {}
                    }
                    self.end_of_declaration(import.semicolon, Some(location));
                    self.close(location, import.semicolon);
                }
                syntax::FileItem::Option(option) => {
                    self.option_statement(&[file::OPTIONS], option, &mut options);
                }
                syntax::FileItem::Message(message) => {
                    self.path.extend([file::MESSAGE_TYPE, messages]);
                    messages += 1;
                    self.message(message);
                    self.path.clear();
                }
                syntax::FileItem::Enum(enumeration) => {
                    self.path.extend([file::ENUM_TYPE, enums]);
                    enums += 1;
                    self.enumeration(enumeration);
                    self.path.clear();
                }
                syntax::FileItem::Service(service) => {
                    self.path.extend([file::SERVICE, services]);
                    services += 1;
                    self.service(service);
                    self.path.clear();
                }
                syntax::FileItem::Extend(extend) => {
                    let home = GroupHome {
                        parent: &[],
                        field: file::MESSAGE_TYPE,
                        next: &mut messages,
                    };
                    self.extend(extend, file::EXTENSION, &mut extensions, home);
                }
                syntax::FileItem::Empty(tok) => self.end_of_declaration(*tok, None),
            }
        }
        if let Some(last) = last {
            self.close(root, Tok(last as u32));
        }
    }

    /// A message, at `self.path`.
    fn message(&mut self, message: &syntax::Message) {
        let location = self.open(&[], message.keyword);
        self.record(&[message::NAME], message.name, message.name);
        self.message_body(&message.body, location);
        self.close(location, message.body.close);
    }

    /// `{ ... }` of a message or group at `self.path`, whose location is
    /// `location`.
    fn message_body(&mut self, body: &syntax::Body<syntax::MessageItem>, location: usize) {
        self.end_of_declaration(body.open, Some(location));
        let mut counts = MessageCounts::default();
        let depth = self.path.len();
        for item in &body.items {
            match item {
                syntax::MessageItem::Field(field) => {
                    let first = field.label.unwrap_or_else(|| field_type_first(&field.ty));
                    self.message_field(&mut counts, first, |recorder, location, home| {
                        recorder.field(field, location, home)
                    });
                }
                syntax::MessageItem::Group(group) => {
                    let first = group.label.unwrap_or(group.keyword);
                    self.message_field(&mut counts, first, |recorder, location, home| {
                        recorder.group(group, location, home)
                    });
                }
                syntax::MessageItem::Oneof(oneof) => self.oneof(oneof, &mut counts),
                syntax::MessageItem::Message(nested) => {
                    self.path.extend([message::NESTED_TYPE, counts.nested]);
                    counts.nested += 1;
                    self.message(nested);
                    self.path.truncate(depth);
                }
                syntax::MessageItem::Enum(enumeration) => {
                    self.path.extend([message::ENUM_TYPE, counts.enums]);
                    counts.enums += 1;
                    self.enumeration(enumeration);
                    self.path.truncate(depth);
                }
                syntax::MessageItem::Extend(extend) => {
                    let parent = self.path.clone();
                    let home = GroupHome {
                        parent: &parent,
                        field: message::NESTED_TYPE,
                        next: &mut counts.nested,
                    };
                    self.extend(extend, message::EXTENSION, &mut counts.extension, home);
                }
                syntax::MessageItem::Extensions(extensions) => {
                    self.extensions(extensions, &mut counts.extension_range);
                }
                syntax::MessageItem::Reserved(reserved) => self.reserved(
                    reserved,
                    [message::RESERVED_RANGE, message::RESERVED_NAME],
                    [&mut counts.reserved_range, &mut counts.reserved_name],
                ),
                syntax::MessageItem::Option(option) => {
                    self.option_statement(&[message::OPTIONS], option, &mut counts.options);
                }
                syntax::MessageItem::Empty(tok) => self.end_of_declaration(*tok, None),
            }
        }
        self.end_of_declaration(body.close, None);
    }

    /// A field or group of the message at `self.path`, at its index there;
    /// `record` records it (given its location and where a group's message
    /// goes).
    fn message_field(
        &mut self,
        counts: &mut MessageCounts,
        first: Tok,
        record: impl FnOnce(&mut Self, usize, GroupHome<'_>),
    ) {
        let depth = self.path.len();
        let parent = self.path.clone();
        self.path.extend([message::FIELD, counts.field]);
        counts.field += 1;
        let location = self.open(&[], first);
        let home = GroupHome {
            parent: &parent,
            field: message::NESTED_TYPE,
            next: &mut counts.nested,
        };
        record(self, location, home);
        self.path.truncate(depth);
    }

    /// A field at `self.path` (its location, `location`, opened), up to its
    /// `;`, which closes it.
    fn field(&mut self, field: &syntax::Field, location: usize, home: GroupHome<'_>) {
        if let Some(label) = field.label {
            self.record(&[field::LABEL], label, label);
        }
        match &field.ty {
            syntax::FieldType::Named(path) => {
                let tail = if super::scalar(&self.file.path_text(*path)).is_some() {
                    field::TYPE
                } else {
                    field::TYPE_NAME
                };
                self.record(&[tail], path.first, path.last);
            }
            syntax::FieldType::Map(map) => {
                self.record(&[field::TYPE_NAME], map.keyword, map.close);
                // The map's entry message.
                *home.next += 1;
            }
        }
        self.record(&[field::NAME], field.name, field.name);
        self.record(&[field::NUMBER], field.number, field.number);
        self.field_options(field.options.as_ref());
        self.end_of_declaration(field.semicolon, Some(location));
        self.close(location, field.semicolon);
    }

    /// A group at `self.path`: the field, then its message, which protoc
    /// records over the same tokens.
    fn group(&mut self, group: &syntax::Group, location: usize, home: GroupHome<'_>) {
        if let Some(label) = group.label {
            self.record(&[field::LABEL], label, label);
        }
        self.record(&[field::TYPE], group.keyword, group.keyword);
        self.record(&[field::NAME], group.name, group.name);
        self.record(&[field::NUMBER], group.number, group.number);
        self.field_options(group.options.as_ref());
        let field_path = std::mem::replace(&mut self.path, home.parent.to_vec());
        self.path.extend([home.field, *home.next]);
        *home.next += 1;
        let message_location = self.open(&[], group.label.unwrap_or(group.keyword));
        self.record(&[message::NAME], group.name, group.name);
        let message_path = std::mem::replace(&mut self.path, field_path);
        self.record(&[field::TYPE_NAME], group.name, group.name);
        let field_path = std::mem::replace(&mut self.path, message_path);
        self.message_body(&group.body, message_location);
        self.close(message_location, group.body.close);
        self.path = field_path;
        self.close(location, group.body.close);
    }

    /// `[...]` after a field: `default` and `json_name` are recorded as
    /// the field's own, the rest as options.
    fn field_options(&mut self, options: Option<&syntax::CompactOptions>) {
        let Some(options) = options else {
            return;
        };
        let location = self.open(&[field::OPTIONS], options.open);
        let mut count = 0;
        for listed in &options.options {
            let option = &listed.item;
            let special = match option.name.parts.as_slice() {
                [part] if part.dot.is_none() => match part.kind {
                    syntax::OptionNamePartKind::Simple(tok) => Some((tok, self.text(tok))),
                    _ => None,
                },
                _ => None,
            };
            let (first, last) = value_tokens(&option.value);
            match special {
                Some((_, "default")) => self.record(&[field::DEFAULT_VALUE], first, last),
                Some((name, "json_name")) => {
                    self.record(&[field::JSON_NAME], name, last);
                    self.record(&[field::JSON_NAME], first, last);
                }
                _ => self.option_assignment(&[field::OPTIONS], option, &mut count),
            }
        }
        self.close(location, options.close);
    }

    fn oneof(&mut self, oneof: &syntax::Oneof, counts: &mut MessageCounts) {
        let depth = self.path.len();
        self.path.extend([message::ONEOF_DECL, counts.oneof]);
        counts.oneof += 1;
        let location = self.open(&[], oneof.keyword);
        self.record(&[other::NAME], oneof.name, oneof.name);
        self.end_of_declaration(oneof.body.open, Some(location));
        let oneof_path = std::mem::take(&mut self.path);
        self.path.extend_from_slice(&oneof_path[..depth]);
        let mut options = 0;
        for item in &oneof.body.items {
            match item {
                syntax::OneofItem::Field(field) => {
                    let first = field.label.unwrap_or_else(|| field_type_first(&field.ty));
                    self.message_field(counts, first, |recorder, location, home| {
                        recorder.field(field, location, home)
                    });
                }
                syntax::OneofItem::Group(group) => {
                    let first = group.label.unwrap_or(group.keyword);
                    self.message_field(counts, first, |recorder, location, home| {
                        recorder.group(group, location, home)
                    });
                }
                syntax::OneofItem::Option(option) => {
                    let message_path = std::mem::replace(&mut self.path, oneof_path.clone());
                    self.option_statement(&[other::ONEOF_OPTIONS], option, &mut options);
                    self.path = message_path;
                }
                syntax::OneofItem::Empty(tok) => self.end_of_declaration(*tok, None),
            }
        }
        self.end_of_declaration(oneof.body.close, None);
        self.close(location, oneof.body.close);
    }

    /// An `extend` block in the scope at `self.path`, whose extensions are
    /// its field `extension_field` (counted by `count`).
    fn extend(
        &mut self,
        extend: &syntax::Extend,
        extension_field: i32,
        count: &mut i32,
        home: GroupHome<'_>,
    ) {
        let depth = self.path.len();
        let location = self.open(&[extension_field], extend.keyword);
        self.end_of_declaration(extend.body.open, Some(location));
        let GroupHome {
            parent,
            field: home_field,
            next,
        } = home;
        for item in &extend.body.items {
            let first = match item {
                syntax::ExtendItem::Field(field) => {
                    field.label.unwrap_or_else(|| field_type_first(&field.ty))
                }
                syntax::ExtendItem::Group(group) => group.label.unwrap_or(group.keyword),
                syntax::ExtendItem::Empty(tok) => {
                    self.end_of_declaration(*tok, None);
                    continue;
                }
            };
            self.path.extend([extension_field, *count]);
            *count += 1;
            let field_location = self.open(&[], first);
            self.record(
                &[field::EXTENDEE],
                extend.extendee.first,
                extend.extendee.last,
            );
            let home = GroupHome {
                parent,
                field: home_field,
                next: &mut *next,
            };
            match item {
                syntax::ExtendItem::Field(field) => self.field(field, field_location, home),
                syntax::ExtendItem::Group(group) => self.group(group, field_location, home),
                syntax::ExtendItem::Empty(_) => {}
            }
            self.path.truncate(depth);
        }
        self.end_of_declaration(extend.body.close, None);
        self.close(location, extend.body.close);
    }

    /// `extensions ...;` in the message at `self.path`.
    fn extensions(&mut self, extensions: &syntax::Extensions, count: &mut i32) {
        let location = self.open(&[message::EXTENSION_RANGE], extensions.keyword);
        let first_range = *count;
        for listed in &extensions.ranges {
            self.range(&[message::EXTENSION_RANGE, *count], &listed.item);
            *count += 1;
        }
        if let Some(options) = &extensions.options {
            // protoc records the options once and copies them under each
            // range of the statement.
            let index_at = self.path.len() + 1;
            let recorded = self.locations.len();
            let options_location = self.open(
                &[
                    message::EXTENSION_RANGE,
                    first_range,
                    message::RANGE_OPTIONS,
                ],
                options.open,
            );
            let mut options_count = 0;
            let depth = self.path.len();
            self.path.extend([
                message::EXTENSION_RANGE,
                first_range,
                message::RANGE_OPTIONS,
            ]);
            for listed in &options.options {
                self.option_assignment(&[], &listed.item, &mut options_count);
            }
            self.path.truncate(depth);
            self.close(options_location, options.close);
            let once = self.locations.split_off(recorded);
            for range in first_range..*count {
                self.locations.extend(once.iter().map(|location| {
                    let mut location = location.clone();
                    location.path[index_at] = range;
                    location
                }));
            }
        }
        self.end_of_declaration(extensions.semicolon, Some(location));
        self.close(location, extensions.semicolon);
    }

    /// `reserved ...;` at `self.path`: `fields` are the reserved range and
    /// reserved name fields, `counts` their counts.
    fn reserved(&mut self, reserved: &syntax::Reserved, fields: [i32; 2], counts: [&mut i32; 2]) {
        let [range_count, name_count] = counts;
        let location = match &reserved.kind {
            syntax::ReservedKind::Ranges(ranges) => {
                let location = self.open(&[fields[0]], reserved.keyword);
                for listed in ranges {
                    self.range(&[fields[0], *range_count], &listed.item);
                    *range_count += 1;
                }
                location
            }
            syntax::ReservedKind::Names(names) => {
                let location = self.open(&[fields[1]], reserved.keyword);
                for listed in names {
                    let (first, last) = match &listed.item {
                        syntax::ReservedName::String(strings) => (strings.first, strings.last),
                        syntax::ReservedName::Ident(tok) => (*tok, *tok),
                    };
                    self.record(&[fields[1], *name_count], first, last);
                    *name_count += 1;
                }
                location
            }
        };
        self.end_of_declaration(reserved.semicolon, Some(location));
        self.close(location, reserved.semicolon);
    }

    /// A reserved or extension range at `self.path` + `tail`: its start and
    /// end; a single number's end is recorded at its first token, as protoc
    /// does (the `-` of a negative enum number).
    fn range(&mut self, tail: &[i32], range: &syntax::Range) {
        let first = range.start_sign.unwrap_or(range.start);
        let last = range.end.as_ref().map_or(range.start, |end| end.end);
        let location = self.open(tail, first);
        let at = |field| [tail, &[field]].concat();
        self.record(&at(other::RANGE_START), first, range.start);
        match &range.end {
            Some(end) => self.record(&at(other::RANGE_END), end.sign.unwrap_or(end.end), end.end),
            None => self.record(&at(other::RANGE_END), first, first),
        }
        self.close(location, last);
    }

    /// An enum, at `self.path`.
    fn enumeration(&mut self, enumeration: &syntax::Enum) {
        let location = self.open(&[], enumeration.keyword);
        self.record(&[other::NAME], enumeration.name, enumeration.name);
        self.end_of_declaration(enumeration.body.open, Some(location));
        let (mut values, mut options, mut reserved_ranges, mut reserved_names) = (0, 0, 0, 0);
        for item in &enumeration.body.items {
            match item {
                syntax::EnumItem::Value(value) => {
                    let value_location = self.open(&[other::ENUM_VALUE, values], value.name);
                    let depth = self.path.len();
                    self.path.extend([other::ENUM_VALUE, values]);
                    values += 1;
                    self.record(&[other::NAME], value.name, value.name);
                    self.record(
                        &[other::VALUE_NUMBER],
                        value.sign.unwrap_or(value.number),
                        value.number,
                    );
                    if let Some(compact) = &value.options {
                        let options_location = self.open(&[other::VALUE_OPTIONS], compact.open);
                        let mut count = 0;
                        for listed in &compact.options {
                            self.option_assignment(
                                &[other::VALUE_OPTIONS],
                                &listed.item,
                                &mut count,
                            );
                        }
                        self.close(options_location, compact.close);
                    }
                    self.path.truncate(depth);
                    self.end_of_declaration(value.semicolon, Some(value_location));
                    self.close(value_location, value.semicolon);
                }
                syntax::EnumItem::Option(option) => {
                    self.option_statement(&[other::ENUM_OPTIONS], option, &mut options);
                }
                syntax::EnumItem::Reserved(reserved) => self.reserved(
                    reserved,
                    [other::ENUM_RESERVED_RANGE, other::ENUM_RESERVED_NAME],
                    [&mut reserved_ranges, &mut reserved_names],
                ),
                syntax::EnumItem::Empty(tok) => self.end_of_declaration(*tok, None),
            }
        }
        self.end_of_declaration(enumeration.body.close, None);
        self.close(location, enumeration.body.close);
    }

    /// A service, at `self.path`.
    fn service(&mut self, service: &syntax::Service) {
        let location = self.open(&[], service.keyword);
        self.record(&[other::NAME], service.name, service.name);
        self.end_of_declaration(service.body.open, Some(location));
        let (mut methods, mut options) = (0, 0);
        for item in &service.body.items {
            match item {
                syntax::ServiceItem::Rpc(rpc) => {
                    let depth = self.path.len();
                    self.path.extend([other::METHOD, methods]);
                    methods += 1;
                    self.method(rpc);
                    self.path.truncate(depth);
                }
                syntax::ServiceItem::Option(option) => {
                    self.option_statement(&[other::SERVICE_OPTIONS], option, &mut options);
                }
                syntax::ServiceItem::Empty(tok) => self.end_of_declaration(*tok, None),
            }
        }
        self.end_of_declaration(service.body.close, None);
        self.close(location, service.body.close);
    }

    /// An rpc, at `self.path`.
    fn method(&mut self, rpc: &syntax::Rpc) {
        let location = self.open(&[], rpc.keyword);
        self.record(&[other::NAME], rpc.name, rpc.name);
        for (ty, streaming, type_field) in [
            (&rpc.input, other::CLIENT_STREAMING, other::INPUT_TYPE),
            (&rpc.output, other::SERVER_STREAMING, other::OUTPUT_TYPE),
        ] {
            if let Some(stream) = ty.stream {
                self.record(&[streaming], stream, stream);
            }
            self.record(&[type_field], ty.ty.first, ty.ty.last);
        }
        match &rpc.end {
            syntax::RpcEnd::Semicolon(tok) => {
                self.end_of_declaration(*tok, Some(location));
                self.close(location, *tok);
            }
            syntax::RpcEnd::Body(body) => {
                self.end_of_declaration(body.open, Some(location));
                let mut options = 0;
                for item in &body.items {
                    match item {
                        syntax::RpcItem::Option(option) => {
                            self.option_statement(&[other::METHOD_OPTIONS], option, &mut options)
                        }
                        syntax::RpcItem::Empty(tok) => self.end_of_declaration(*tok, None),
                    }
                }
                self.end_of_declaration(body.close, None);
                self.close(location, body.close);
            }
        }
    }

    /// `option name = value;` into the options at `self.path` + `options`:
    /// the options location, then the option's.
    fn option_statement(&mut self, options: &[i32], option: &syntax::OptionDecl, count: &mut i32) {
        let options_location = self.open(options, option.keyword);
        let depth = self.path.len();
        self.path.extend_from_slice(options);
        let location = self.open(&[option::UNINTERPRETED, *count], option.keyword);
        self.path.extend([option::UNINTERPRETED, *count]);
        *count += 1;
        self.option_name_and_value(&option.name, &option.value);
        self.path.truncate(depth);
        self.end_of_declaration(option.semicolon, Some(location));
        self.close(location, option.semicolon);
        self.close(options_location, option.semicolon);
    }

    /// `name = value` in `[...]`, into the options at `self.path` +
    /// `options`.
    fn option_assignment(
        &mut self,
        options: &[i32],
        option: &syntax::CompactOption,
        count: &mut i32,
    ) {
        let depth = self.path.len();
        self.path.extend_from_slice(options);
        self.path.extend([option::UNINTERPRETED, *count]);
        *count += 1;
        let first = option.name.parts[0].first();
        let location = self.open(&[], first);
        self.option_name_and_value(&option.name, &option.value);
        self.close(location, value_tokens(&option.value).1);
        self.path.truncate(depth);
    }

    /// The name and value of the option at `self.path`.
    fn option_name_and_value(&mut self, name: &syntax::OptionName, value: &syntax::Value) {
        let (Some(first), Some(last)) = (name.parts.first(), name.parts.last()) else {
            return;
        };
        let name_location = self.open(&[option::NAME], first.first());
        for (index, part) in name.parts.iter().enumerate() {
            let part_path = [option::NAME, index as i32];
            let part_location = self.open(&part_path, part.first());
            let (first, last) = match &part.kind {
                syntax::OptionNamePartKind::Simple(tok) => (*tok, *tok),
                syntax::OptionNamePartKind::Extension { name, .. } => (name.first, name.last),
            };
            self.record(
                &[option::NAME, index as i32, option::NAME_PART],
                first,
                last,
            );
            self.close(part_location, part.last());
        }
        self.close(name_location, last.last());
        let (first, last) = value_tokens(value);
        let kind = match value {
            syntax::Value::Ident(_) => option::IDENTIFIER,
            syntax::Value::Number { sign, value } => {
                let negative = sign.is_some_and(|s| self.text(s) == "-");
                match self.file.token(*value).kind {
                    TokenKind::Int => match literal::integer(self.text(*value)) {
                        Some(v) if negative && v <= 1 << 63 => option::NEGATIVE_INT,
                        Some(_) if !negative => option::POSITIVE_INT,
                        _ => option::DOUBLE,
                    },
                    TokenKind::Float => option::DOUBLE,
                    // `-inf`, `-nan`: protoc stores a double but records
                    // the identifier.
                    _ => option::IDENTIFIER,
                }
            }
            syntax::Value::String(_) => option::STRING,
            syntax::Value::Aggregate(_) => option::AGGREGATE,
            // Refused by lowering.
            syntax::Value::List(_) => return,
        };
        self.record(&[kind], first, last);
    }
}

/// The first token of a field's type.
fn field_type_first(ty: &syntax::FieldType) -> Tok {
    match ty {
        syntax::FieldType::Named(path) => path.first,
        syntax::FieldType::Map(map) => map.keyword,
    }
}

/// The first and last tokens of an option value.
fn value_tokens(value: &syntax::Value) -> (Tok, Tok) {
    match value {
        syntax::Value::Ident(tok) => (*tok, *tok),
        syntax::Value::Number { sign, value } => (sign.unwrap_or(*value), *value),
        syntax::Value::String(strings) => (strings.first, strings.last),
        syntax::Value::Aggregate(aggregate) => (aggregate.open, aggregate.close),
        syntax::Value::List(list) => (list.open, list.close),
    }
}

/// The comments between one token and the next, as protoc's tokenizer
/// splits them.
#[derive(Default)]
struct Comments {
    trailing: String,
    detached: Vec<String>,
    leading: String,
}

/// protoc's comment collector: buffers the latest comment until it is known
/// whether it trails the previous token, stands alone, or leads the next.
#[derive(Default)]
struct Collector {
    out: Comments,
    buffer: String,
    has_comment: bool,
    is_line_comment: bool,
    cannot_attach_to_previous: bool,
    count: usize,
    has_trailing: bool,
}

impl Collector {
    fn start_line_comment(&mut self) {
        // Consecutive line comments form one comment; a block comment
        // stands alone.
        if self.has_comment && !self.is_line_comment {
            self.flush();
        }
        self.has_comment = true;
        self.is_line_comment = true;
    }

    fn start_block_comment(&mut self) {
        if self.has_comment {
            self.flush();
        }
        self.has_comment = true;
        self.is_line_comment = false;
    }

    /// The buffered comment does not lead the next token.
    fn flush(&mut self) {
        if !self.has_comment {
            return;
        }
        let comment = std::mem::take(&mut self.buffer);
        if self.cannot_attach_to_previous {
            self.out.detached.push(comment);
        } else {
            self.out.trailing.push_str(&comment);
            self.has_trailing = true;
            self.cannot_attach_to_previous = true;
        }
        self.has_comment = false;
        self.count += 1;
    }

    /// The next token sits on the line the comments started or ended on: a
    /// lone comment belongs to neither token, and is detached.
    fn maybe_detach(&mut self) {
        let count = self.count + usize::from(self.has_comment);
        if count != 1 {
            return;
        }
        if self.has_trailing {
            let trailing = std::mem::take(&mut self.out.trailing);
            self.out.detached.insert(0, trailing);
        }
        self.flush();
    }

    fn finish(mut self) -> Comments {
        if self.has_comment {
            self.out.leading = self.buffer;
        }
        self.out
    }
}

/// protoc's whitespace other than a newline.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// The comments from byte `at` to the next token (from the start of the
/// file when `at_start`), split as protoc's tokenizer splits them.
fn comments_after(bytes: &[u8], at: usize, at_start: bool) -> Comments {
    let mut scan = Scan { bytes, at, line: 0 };
    let mut collector = Collector::default();
    let mut previous_line = 0i64;
    let mut trailing_end_line = -1i64;
    if at_start {
        // A UTF-8 byte order mark is skipped.
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            scan.at = 3;
        }
        collector.cannot_attach_to_previous = true;
        previous_line = -1;
    } else {
        // A comment on the line of the previous token trails it.
        scan.skip_spaces();
        match scan.comment_start() {
            Some(CommentKind::Line) => {
                trailing_end_line = scan.line;
                collector.start_line_comment();
                scan.line_comment(&mut collector.buffer);
                collector.flush();
            }
            Some(CommentKind::Block) => {
                collector.start_block_comment();
                scan.block_comment(&mut collector.buffer);
                trailing_end_line = scan.line;
                scan.skip_spaces();
                collector.flush();
            }
            None => {
                if !scan.newline() {
                    return Comments::default();
                }
            }
        }
    }
    loop {
        scan.skip_spaces();
        match scan.comment_start() {
            Some(CommentKind::Line) => {
                collector.start_line_comment();
                scan.line_comment(&mut collector.buffer);
            }
            Some(CommentKind::Block) => {
                collector.start_block_comment();
                scan.block_comment(&mut collector.buffer);
                scan.skip_spaces();
                scan.newline();
            }
            None if scan.newline() => {
                // A blank line ends what could trail the previous token.
                collector.flush();
                collector.cannot_attach_to_previous = true;
            }
            None => {
                let next = bytes.get(scan.at).copied();
                if matches!(next, None | Some(b'}' | b']' | b')')) {
                    // The end of a scope: nothing for a next declaration.
                    collector.flush();
                }
                if next.is_some() && (previous_line == scan.line || trailing_end_line == scan.line)
                {
                    collector.maybe_detach();
                }
                return collector.finish();
            }
        }
    }
}

enum CommentKind {
    Line,
    Block,
}

/// A cursor over the trivia between two tokens, counting lines.
struct Scan<'b> {
    bytes: &'b [u8],
    at: usize,
    line: i64,
}

impl Scan<'_> {
    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.at + offset).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek(0).is_some_and(is_space) {
            self.at += 1;
        }
    }

    fn newline(&mut self) -> bool {
        let found = self.peek(0) == Some(b'\n');
        if found {
            self.at += 1;
            self.line += 1;
        }
        found
    }

    /// Consumes `//` or `/*` if there.
    fn comment_start(&mut self) -> Option<CommentKind> {
        let kind = match (self.peek(0), self.peek(1)) {
            (Some(b'/'), Some(b'/')) => CommentKind::Line,
            (Some(b'/'), Some(b'*')) => CommentKind::Block,
            _ => return None,
        };
        self.at += 2;
        Some(kind)
    }

    /// The rest of a line comment, its newline included.
    fn line_comment(&mut self, out: &mut String) {
        let start = self.at;
        while self.peek(0).is_some_and(|b| b != b'\n') {
            self.at += 1;
        }
        self.newline();
        out.push_str(&String::from_utf8_lossy(&self.bytes[start..self.at]));
    }

    /// The rest of a block comment, without `*/`, and without the spaces
    /// and the `*` that start each of its later lines.
    fn block_comment(&mut self, out: &mut String) {
        let mut start = self.at;
        loop {
            while self
                .peek(0)
                .is_some_and(|b| !matches!(b, b'*' | b'/' | b'\n'))
            {
                self.at += 1;
            }
            match self.peek(0) {
                Some(b'\n') => {
                    self.newline();
                    out.push_str(&String::from_utf8_lossy(&self.bytes[start..self.at]));
                    self.skip_spaces();
                    if self.peek(0) == Some(b'*') {
                        self.at += 1;
                        if self.peek(0) == Some(b'/') {
                            self.at += 1;
                            return;
                        }
                    }
                    start = self.at;
                }
                Some(b'*') => {
                    self.at += 1;
                    if self.peek(0) == Some(b'/') {
                        self.at += 1;
                        out.push_str(&String::from_utf8_lossy(&self.bytes[start..self.at - 2]));
                        return;
                    }
                }
                Some(_) => self.at += 1,
                None => {
                    out.push_str(&String::from_utf8_lossy(&self.bytes[start..self.at]));
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
