//! What the files importing a file can see of it: its *surface*.
//!
//! A file's descriptor depends on its imports only through
//! - name resolution: which names exist and what they are (a message, an
//!   enum, an enum value, a service, an extension, a package), since a
//!   field's `type`/`type_name`, an extension's extendee and an rpc's types
//!   are resolved against them;
//! - option interpretation: the extensions (`(my.option)`) and, for message
//!   values (`{ a: 1 }`, `(my.option).a`), every field of the messages those
//!   extensions reach; enum values by name;
//! - enum defaults (`[default = B]`) and validations that read a type's
//!   properties: enum values and their numbers, whether an enum is closed
//!   (the file's syntax, the enum's options), whether a message is a map
//!   entry (map fields), extension ranges (an extension's number must fall
//!   in one), file options (`optimize_for` restricts importers);
//! - the imports themselves (a public import makes another file visible).
//!
//! The rules of `breaking` read of an imported type only what is listed
//! above (`is_map`, an enum's values for defaults) or compare two
//! different type names (only reached when resolution changed).
//!
//! The surface is computed from the syntax tree, as hashes of significant
//! tokens (comments and layout are not part of it): everything above,
//! whatever the message, and the plain fields of each message apart, by
//! message, since they matter only for messages an option value can reach
//! ([`Surfaces::option_types`]). A plain field deleted, renumbered or
//! retyped in a message no option reaches, or an rpc renamed, leaves the
//! surface as it was, so the file's importers need no compiling (see
//! [`super::changed`]).
//!
//! Two files with equal surfaces, seen from importers whose imports all
//! have equal surfaces, resolve every name the same way: the names they
//! write are the same text, resolved against the same visible names. An
//! editions file's surface is all of its significant tokens (features and
//! `export`/`local` change what importers see in ways not worth modelling).

use std::{
    collections::{HashMap, HashSet},
    hash::{DefaultHasher, Hash, Hasher},
};

use crate::syntax::{
    Enum, EnumItem, Extend, ExtendItem, Field, FieldType, File, FileItem, Group, Message,
    MessageItem, OneofItem, Path, Tok,
};

/// The surface of one file, before knowing which messages options reach.
#[derive(Clone, Debug, Default)]
pub(crate) struct Surface {
    /// Everything importers see but the plain fields of messages.
    base: u64,
    /// Every message (nested ones and groups included), in order.
    messages: Vec<MessageSurface>,
    /// The last name part of every extension's type and extendee: where
    /// the types option values can reach start.
    option_roots: Vec<String>,
    /// The last name part of every extendee (extension numbers can clash
    /// between files extending the same message).
    pub extendees: Vec<String>,
    /// Every `extend` block.
    pub extensions: u64,
    /// The package and every name the file declares (types, enum values,
    /// services, extensions): what package rules count and what can clash
    /// with another file's names.
    pub declarations: u64,
    /// A `/` outside comments: an `Any` written out in an option value
    /// (`[type.googleapis.com/pkg.T] { ... }`), which can name any message.
    any_expansion: bool,
}

/// A message's name and its plain fields.
#[derive(Clone, Debug)]
struct MessageSurface {
    /// Its simple name.
    name: String,
    /// The last name part of each field's type (map values included).
    field_types: Vec<String>,
    /// Its plain fields (and group headers).
    fields: u64,
}

impl Surface {
    /// The surface of `file`.
    pub(crate) fn of(file: &File<'_>) -> Surface {
        let mut walk = Walk {
            file,
            base: DefaultHasher::new(),
            extensions: DefaultHasher::new(),
            declarations: DefaultHasher::new(),
            scope: Vec::new(),
            surface: Surface::default(),
        };
        walk.surface.any_expansion = file
            .tokens
            .iter()
            .any(|token| !token.kind.is_trivia() && &file.source[token.span.range()] == "/");
        let editions = file
            .syntax()
            .is_some_and(|syntax| file.text(syntax.keyword) == "edition");
        if editions {
            for token in file.tokens.iter().filter(|t| !t.kind.is_trivia()) {
                file.source[token.span.range()].hash(&mut walk.base);
            }
            // Still walked, for the option roots and the extendees.
            let base = walk.base.clone();
            walk.items(&file.items);
            walk.base = base;
            walk.surface.messages.clear();
        } else {
            walk.items(&file.items);
        }
        let mut surface = walk.surface;
        surface.base = walk.base.finish();
        surface.extensions = walk.extensions.finish();
        surface.declarations = walk.declarations.finish();
        surface
    }

    /// The surface as importers see it, given the messages option values
    /// can reach: equal for two versions of a file exactly when importers
    /// can tell no difference.
    pub(crate) fn seen(&self, option_types: &OptionTypes) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.base.hash(&mut hasher);
        for message in &self.messages {
            if option_types.reach(&message.name) {
                message.name.hash(&mut hasher);
                message.fields.hash(&mut hasher);
            }
        }
        hasher.finish()
    }
}

/// The messages option values can reach, by simple name (a message of that
/// name anywhere counts: more than needed, never less).
#[derive(Debug, Default)]
pub(crate) struct OptionTypes {
    names: HashSet<String>,
    /// An `Any` is written out somewhere: every message counts.
    all: bool,
}

impl OptionTypes {
    /// From the surfaces of every file of both sides: the types of
    /// extensions and their extendees, then the types of the fields of
    /// those, and so on.
    pub(crate) fn of<'s>(surfaces: impl IntoIterator<Item = &'s Surface>) -> OptionTypes {
        let mut fields_of: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut todo: Vec<&str> = Vec::new();
        let mut all = false;
        for surface in surfaces {
            all |= surface.any_expansion;
            todo.extend(surface.option_roots.iter().map(String::as_str));
            for message in &surface.messages {
                fields_of
                    .entry(message.name.as_str())
                    .or_default()
                    .extend(message.field_types.iter().map(String::as_str));
            }
        }
        let mut names = HashSet::new();
        while let Some(name) = todo.pop() {
            if names.insert(name.to_owned()) {
                todo.extend(fields_of.get(name).into_iter().flatten().copied());
            }
        }
        OptionTypes { names, all }
    }

    fn reach(&self, name: &str) -> bool {
        self.all || self.names.contains(name)
    }
}

struct Walk<'f, 'a> {
    file: &'f File<'a>,
    base: DefaultHasher,
    extensions: DefaultHasher,
    declarations: DefaultHasher,
    /// The names of the messages around the walk.
    scope: Vec<String>,
    surface: Surface,
}

impl Walk<'_, '_> {
    /// Hashes the significant tokens from `first` to `last` into `hasher`.
    fn tokens(&self, first: Tok, last: Tok, hasher: &mut DefaultHasher) {
        for tok in self.file.significant(first, last) {
            self.file.text(tok).hash(hasher);
        }
        0u8.hash(hasher);
    }

    fn declare(&mut self, kind: &str, name: &str) {
        kind.hash(&mut self.declarations);
        self.scope.hash(&mut self.declarations);
        name.hash(&mut self.declarations);
    }

    fn base(&mut self, first: Tok, last: Tok) {
        let mut hasher = std::mem::take(&mut self.base);
        self.tokens(first, last, &mut hasher);
        self.base = hasher;
    }

    fn last_part(&self, path: Path) -> String {
        self.file.text(path.last).to_owned()
    }

    fn items(&mut self, items: &[FileItem]) {
        for item in items {
            match item {
                FileItem::Syntax(syntax) => self.base(syntax.keyword, syntax.semicolon),
                FileItem::Package(package) => {
                    self.base(package.keyword, package.semicolon);
                    let name = self.file.path_text(package.name);
                    self.declare("package", &name);
                }
                FileItem::Import(import) => self.base(import.keyword, import.semicolon),
                FileItem::Option(option) => self.base(option.keyword, option.semicolon),
                FileItem::Message(message) => self.message(message),
                FileItem::Enum(enumeration) => self.enumeration(enumeration),
                FileItem::Service(service) => {
                    "service".hash(&mut self.base);
                    self.file.text(service.name).hash(&mut self.base);
                    self.declare("service", self.file.text(service.name));
                }
                FileItem::Extend(extend) => self.extend(extend),
                FileItem::Empty(_) => {}
            }
        }
    }

    fn enumeration(&mut self, enumeration: &Enum) {
        let first = enumeration.visibility.unwrap_or(enumeration.keyword);
        self.base(first, enumeration.body.close);
        self.declare("enum", self.file.text(enumeration.name));
        for item in &enumeration.body.items {
            if let EnumItem::Value(value) = item {
                self.declare("value", self.file.text(value.name));
            }
        }
    }

    fn extend(&mut self, extend: &Extend) {
        self.base(extend.keyword, extend.body.close);
        let mut hasher = std::mem::take(&mut self.extensions);
        self.tokens(extend.keyword, extend.body.close, &mut hasher);
        self.extensions = hasher;
        let extendee = self.last_part(extend.extendee);
        self.surface.extendees.push(extendee.clone());
        self.surface.option_roots.push(extendee);
        for item in &extend.body.items {
            match item {
                ExtendItem::Field(field) => {
                    self.declare("extension", self.file.text(field.name));
                    let ty = self.field_type(field);
                    self.surface.option_roots.push(ty);
                }
                ExtendItem::Group(group) => {
                    self.declare("extension", self.file.text(group.name));
                    self.surface
                        .option_roots
                        .push(self.file.text(group.name).to_owned());
                    self.group_body(group);
                }
                ExtendItem::Empty(_) => {}
            }
        }
    }

    /// The last name part of a field's type (a map's value type).
    fn field_type(&self, field: &Field) -> String {
        match &field.ty {
            FieldType::Named(path) => self.last_part(*path),
            FieldType::Map(map) => self.last_part(map.value),
        }
    }

    fn message(&mut self, message: &Message) {
        let first = message.visibility.unwrap_or(message.keyword);
        self.base(first, message.name);
        let name = self.file.text(message.name).to_owned();
        self.declare("message", &name);
        self.scope.push(name.clone());
        self.body(name, &message.body.items);
        self.scope.pop();
    }

    /// A group's body: a nested message named as the group.
    fn group_body(&mut self, group: &Group) {
        "group".hash(&mut self.base);
        let name = self.file.text(group.name).to_owned();
        self.declare("message", &name);
        self.scope.push(name.clone());
        self.body(name, &group.body.items);
        self.scope.pop();
    }

    fn body(&mut self, name: String, items: &[MessageItem]) {
        let mut fields = DefaultHasher::new();
        let mut field_types = Vec::new();
        let index = self.surface.messages.len();
        self.surface.messages.push(MessageSurface {
            name,
            field_types: Vec::new(),
            fields: 0,
        });
        for item in items {
            match item {
                MessageItem::Field(field) => self.field(field, &mut fields, &mut field_types),
                MessageItem::Group(group) => self.group(group, &mut fields, &mut field_types),
                MessageItem::Oneof(oneof) => {
                    for item in &oneof.body.items {
                        match item {
                            OneofItem::Field(field) => {
                                self.field(field, &mut fields, &mut field_types)
                            }
                            OneofItem::Group(group) => {
                                self.group(group, &mut fields, &mut field_types)
                            }
                            OneofItem::Option(_) | OneofItem::Empty(_) => {}
                        }
                    }
                }
                MessageItem::Message(message) => self.message(message),
                MessageItem::Enum(enumeration) => self.enumeration(enumeration),
                MessageItem::Extend(extend) => self.extend(extend),
                MessageItem::Extensions(extensions) => {
                    self.base(extensions.keyword, extensions.semicolon)
                }
                MessageItem::Option(option) => self.base(option.keyword, option.semicolon),
                MessageItem::Reserved(_) | MessageItem::Empty(_) => {}
            }
        }
        "}".hash(&mut self.base);
        let message = &mut self.surface.messages[index];
        message.fields = fields.finish();
        message.field_types = field_types;
    }

    /// A plain field: importers see it only through option values; a map
    /// field declares an entry message, which they see whatever.
    fn field(&mut self, field: &Field, fields: &mut DefaultHasher, types: &mut Vec<String>) {
        let first = field.label.unwrap_or(match &field.ty {
            FieldType::Named(path) => path.first,
            FieldType::Map(map) => map.keyword,
        });
        if matches!(field.ty, FieldType::Map(_)) {
            self.base(first, field.semicolon);
            self.declare("map", self.file.text(field.name));
        }
        self.tokens(first, field.semicolon, fields);
        types.push(self.field_type(field));
    }

    fn group(&mut self, group: &Group, fields: &mut DefaultHasher, types: &mut Vec<String>) {
        let first = group.label.unwrap_or(group.keyword);
        self.tokens(first, group.body.open, fields);
        types.push(self.file.text(group.name).to_owned());
        self.group_body(group);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(texts: &[&str], of: usize) -> u64 {
        let files: Vec<File<'_>> = texts
            .iter()
            .map(|t| crate::syntax::parse(t).expect("parses"))
            .collect();
        let surfaces: Vec<Surface> = files.iter().map(Surface::of).collect();
        let types = OptionTypes::of(&surfaces);
        surfaces[of].seen(&types)
    }

    /// Whether importers can tell `before` from `after`, `others` being
    /// the rest of the schema (both sides).
    fn visible(before: &str, after: &str, others: &[&str]) -> bool {
        let mut all: Vec<&str> = vec![before, after];
        all.extend(others);
        seen(&all, 0) != seen(&all, 1)
    }

    const P: &str = "syntax = \"proto3\"; package p; ";

    #[test]
    fn plain_fields_and_rpcs_are_not_seen() {
        let before = format!(
            "{P} message M {{ string a = 1; int32 b = 2; }} service S {{ rpc Get(M) returns (M); }}"
        );
        for after in [
            format!("{P} message M {{ string a = 1; }} service S {{ rpc Get(M) returns (M); }}"),
            format!(
                "{P} message M {{ bytes a = 1; int32 b = 2000; }} service S {{ rpc Got(M) returns (M); }}"
            ),
            format!(
                "{P}\n// a comment\nmessage M {{ string a = 1; int32 b = 2; }}\nservice S {{ rpc Get(M) returns (M); }}"
            ),
        ] {
            assert!(!visible(&before, &after, &[]), "{after}");
        }
    }

    #[test]
    fn names_kinds_enums_extensions_and_imports_are_seen() {
        let before = format!("{P} message M {{ string a = 1; }} enum E {{ A = 0; }}");
        for after in [
            format!("{P} enum M {{ M_ZERO = 0; }} enum E {{ A = 0; }}"),
            format!("{P} message N {{ string a = 1; }} enum E {{ A = 0; }}"),
            format!("{P} message M {{ string a = 1; message Inner {{}} }} enum E {{ A = 0; }}"),
            format!("{P} message M {{ string a = 1; }} enum E {{ A = 0; B = 1; }}"),
            format!("{P} message M {{ map<string, M> a = 1; }} enum E {{ A = 0; }}"),
            format!("{P} message M {{ string a = 1; }} enum E {{ A = 0; }} service S {{}}"),
            format!("{P} import public \"x.proto\"; message M {{ string a = 1; }} enum E {{ A = 0; }}"),
            format!("{P} option optimize_for = LITE_RUNTIME; message M {{ string a = 1; }} enum E {{ A = 0; }}"),
            "syntax = \"proto2\"; package p; message M { optional string a = 1; } enum E { A = 0; }"
                .to_owned(),
        ] {
            assert!(visible(&before, &after, &[]), "{after}");
        }
        let extension = "syntax = \"proto2\"; package p; import \"google/protobuf/descriptor.proto\"; extend google.protobuf.FieldOptions { optional string tag = 50001; }";
        assert!(visible(
            extension,
            &extension.replace("50001", "50002"),
            &[]
        ));
        assert!(visible(
            extension,
            &extension.replace("string", "int32"),
            &[]
        ));
    }

    #[test]
    fn the_fields_of_messages_options_reach_are_seen() {
        // Rule is an option's type, and Inner (in another file) a field of it.
        let options = "syntax = \"proto3\"; package o; import \"google/protobuf/descriptor.proto\"; import \"i.proto\"; extend google.protobuf.MethodOptions { Rule rule = 50001; } message Rule { i.Inner inner = 1; }";
        let before = "syntax = \"proto3\"; package i; message Inner { string a = 1; } message Other { string a = 1; }";
        let inner = before.replace("Inner { string a = 1;", "Inner { string b = 1;");
        assert!(visible(before, &inner, &[options]));
        let other = before.replace("Other { string a = 1;", "Other { string b = 1;");
        assert!(!visible(before, &other, &[options]));
        // An Any written out can name any message.
        let any = "syntax = \"proto3\"; package a; option (o.x) = { [type.googleapis.com/i.Other] { a: \"x\" } };";
        assert!(visible(before, &other, &[options, any]));
    }

    #[test]
    fn an_editions_file_is_seen_whole() {
        let before = "edition = \"2023\"; package p; message M { string a = 1; }";
        let after = "edition = \"2023\"; package p; message M { string a = 2; }";
        assert!(visible(before, after, &[]));
        let commented = "edition = \"2023\"; package p; // x\nmessage M { string a = 1; }";
        assert!(!visible(before, commented, &[]));
    }
}
