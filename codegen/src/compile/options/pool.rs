//! What option interpretation looks up: every message, enum and extension
//! the files declare, with what the wire format needs to know of each field
//! (packed, implicit presence), and protoc's scoped lookup of names.

use super::super::descriptor::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FieldOptions, FileDescriptorProto,
    UninterpretedOption,
    field_descriptor_proto::{Label, Type},
};
use super::super::{
    names::{FileId, SymbolKind, Symbols, Visible},
    parallel,
};

/// A field or an extension, as option values are written to it.
#[derive(Clone, Debug)]
pub(super) struct Field {
    /// `pkg.Msg.name` (an extension: its own full name).
    pub full_name: String,
    pub name: String,
    pub number: u32,
    pub kind: Type,
    pub repeated: bool,
    /// The message or enum type, full name without the leading dot.
    pub type_name: String,
    /// The message it extends (full name); none for a plain field.
    pub extendee: Option<String>,
    /// Repeated values go in one packed record (in aggregate values).
    pub packed: bool,
    /// proto3 or IMPLICIT presence: a zero value is not written.
    pub implicit: bool,
    /// A member of a oneof (real or synthetic), by index.
    pub oneof: Option<i32>,
    /// `retention = RETENTION_SOURCE`: stripped from descriptor sets.
    pub source_retention: bool,
    /// `required`, or `LEGACY_REQUIRED` presence: an aggregate value must
    /// set it.
    pub required: bool,
}

/// A message type.
#[derive(Clone, Debug, Default)]
pub(super) struct Message {
    pub full_name: String,
    pub fields: Vec<Field>,
    /// Its oneofs' names, by index.
    pub oneofs: Vec<String>,
}

impl Message {
    pub fn field_named(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// An enum type: its values' names and numbers.
#[derive(Clone, Debug, Default)]
pub(super) struct Enum {
    pub values: Vec<(String, i32)>,
    /// Closed (proto2, or `enum_type = CLOSED`): a number it does not
    /// declare is not a value.
    pub closed: bool,
}

/// What a full name denotes, for scoped lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Package,
    Message,
    Enum,
    EnumValue,
    Field,
    Extension,
    Other,
}

/// Every declaration of a file set, by full name (no leading dot).
#[derive(Default)]
pub(super) struct Pool {
    pub messages: foldhash::HashMap<String, Message>,
    pub enums: foldhash::HashMap<String, Enum>,
    pub extensions: foldhash::HashMap<String, Field>,
    /// Extensions by extended message and number (full names).
    extensions_by_number: foldhash::HashMap<(String, u32), String>,
    /// Every name, what it is and the file declaring it (the first wins):
    /// the index name resolution built, shared.
    symbols: Symbols,
}

/// The features that decide how a repeated or singular scalar is written,
/// as set on an element (`None`: inherited).
#[derive(Clone, Copy, Default)]
struct Encoding {
    packed: Option<bool>,
    implicit: Option<bool>,
    closed: Option<bool>,
}

const DESCRIPTOR_PROTO: &str = "google/protobuf/descriptor.proto";

impl Pool {
    /// Indexes `files`, named in `symbols`; protoc's own `descriptor.proto`
    /// stands in when the set has none.
    ///
    /// Every extension is indexed, each file on its own on all cores, the
    /// parts merged in file order (the last declaration of an extension
    /// wins, as adding the files one by one would). Messages and enums are
    /// indexed only where an option value can reach them: the options
    /// messages of descriptor.proto and every extension's type, and the
    /// types of their fields, transitively (on googleapis, a few hundred of
    /// some 40,000). A file with an aggregate value that may name a type in
    /// `[type.googleapis.com/...]` (an `Any`) makes it index every message
    /// and enum instead.
    pub fn of(files: &[FileDescriptorProto], symbols: Symbols) -> Pool {
        let mut pool = Pool {
            symbols,
            ..Pool::default()
        };
        let mut set: Vec<&FileDescriptorProto> = Vec::with_capacity(files.len() + 1);
        let mut seen = foldhash::HashSet::default();
        // A file named twice counts once, as its first time.
        set.extend(files.iter().filter(|file| seen.insert(file.name())));
        if !seen.contains(DESCRIPTOR_PROTO) {
            for file in &super::super::descriptor::descriptor_proto_set().file {
                pool.symbols.add_file(file);
                set.push(file);
            }
        }
        let parts = parallel::map_with(
            set.clone(),
            || (),
            |(), file| {
                let mut part = Pool::default();
                part.add_file(file, false);
                Some((part, names_any_type(file)))
            },
        )
        .unwrap_or_else(|| {
            set.iter()
                .map(|file| {
                    let mut part = Pool::default();
                    part.add_file(file, false);
                    (part, names_any_type(file))
                })
                .collect()
        });
        let mut every_type = false;
        for (part, any) in parts {
            pool.extensions.extend(part.extensions);
            every_type |= any;
        }
        if every_type {
            for file in &set {
                let mut part = Pool::default();
                part.add_file(file, true);
                for (full, message) in part.messages {
                    pool.messages.entry(full).or_insert(message);
                }
                for (full, enumeration) in part.enums {
                    pool.enums.entry(full).or_insert(enumeration);
                }
            }
        } else {
            pool.add_reachable(&set);
        }
        for (full, extension) in &pool.extensions {
            if let Some(extendee) = &extension.extendee {
                pool.extensions_by_number
                    .entry((extendee.clone(), extension.number))
                    .or_insert_with(|| full.clone());
            }
        }
        pool
    }

    /// Indexes the messages and enums reachable from the options messages
    /// and the extensions' types, each from the file declaring it.
    fn add_reachable(&mut self, set: &[&FileDescriptorProto]) {
        let mut by_name: foldhash::HashMap<&str, &FileDescriptorProto> =
            foldhash::HashMap::default();
        for file in set {
            by_name.entry(file.name()).or_insert(file);
        }
        let mut queue: Vec<String> = OPTIONS_MESSAGES.iter().map(|&m| m.to_owned()).collect();
        queue.extend(
            self.extensions
                .values()
                .filter(|field| !field.type_name.is_empty())
                .map(|field| field.type_name.clone()),
        );
        while let Some(full) = queue.pop() {
            if self.messages.contains_key(&full) || self.enums.contains_key(&full) {
                continue;
            }
            let Some(symbol) = self.symbols.get(&full) else {
                continue;
            };
            if !matches!(symbol.kind, SymbolKind::Message | SymbolKind::Enum) {
                continue;
            }
            let Some(file) = by_name.get(self.symbols.file_name(symbol.file)) else {
                continue;
            };
            self.add_type(file, &full, &mut queue);
        }
    }

    /// Indexes the message or enum `full` of `file`, found by its name's
    /// parts below the package; queues the types its fields name.
    fn add_type(&mut self, file: &FileDescriptorProto, full: &str, queue: &mut Vec<String>) {
        let package = file.package();
        let rest = if package.is_empty() {
            Some(full)
        } else {
            full.strip_prefix(package)
                .and_then(|rest| rest.strip_prefix('.'))
        };
        let Some(rest) = rest else {
            return;
        };
        let context = Context::of(file);
        let mut encoding = file_encoding(file);
        let mut scope = package.to_owned();
        let mut messages = &file.message_type;
        let mut enums = &file.enum_type;
        let mut parts = rest.split('.').peekable();
        while let Some(part) = parts.next() {
            let message = messages.iter().find(|m| m.name() == part);
            if parts.peek().is_some() {
                let Some(message) = message else {
                    return;
                };
                encoding = inherit(encoding, features(uninterpreted(message.options.as_ref())));
                scope = join(&scope, part);
                messages = &message.nested_type;
                enums = &message.enum_type;
                continue;
            }
            if let Some(message) = message {
                let encoding = inherit(encoding, features(uninterpreted(message.options.as_ref())));
                let indexed = message_index(&scope, message, encoding, &context);
                queue.extend(
                    indexed
                        .fields
                        .iter()
                        .filter(|field| !field.type_name.is_empty())
                        .map(|field| field.type_name.clone()),
                );
                self.messages.insert(full.to_owned(), indexed);
            } else if let Some(enumeration) = enums.iter().find(|e| e.name() == part) {
                self.enums
                    .insert(full.to_owned(), enum_index(enumeration, encoding));
            }
        }
    }

    /// Field `number` of the message `type_name`: its own, or an extension.
    pub fn field_by_number(&self, type_name: &str, number: u32) -> Option<&Field> {
        let own = self
            .messages
            .get(type_name)?
            .fields
            .iter()
            .find(|f| f.number == number);
        own.or_else(|| {
            let full = self
                .extensions_by_number
                .get(&(type_name.to_owned(), number))?;
            self.extensions.get(full)
        })
    }

    /// Indexes the extensions of `file`, and its messages and enums when
    /// `types` (its names are in [`Symbols`]).
    fn add_file(&mut self, file: &FileDescriptorProto, types: bool) {
        let package = file.package();
        let file_encoding = file_encoding(file);
        let context = Context::of(file);
        for message in &file.message_type {
            self.add_message(package, message, file_encoding, &context, types);
        }
        if types {
            for enumeration in &file.enum_type {
                let full = join(package, enumeration.name());
                let indexed = enum_index(enumeration, file_encoding);
                self.enums.entry(full).or_insert(indexed);
            }
        }
        for extension in &file.extension {
            let field = context.field(package, extension, file_encoding);
            self.extensions.insert(field.full_name.clone(), field);
        }
    }

    fn add_message(
        &mut self,
        scope: &str,
        message: &DescriptorProto,
        outer: Encoding,
        context: &Context,
        types: bool,
    ) {
        let full = join(scope, message.name());
        let encoding = inherit(outer, features(uninterpreted(message.options.as_ref())));
        for extension in &message.extension {
            let field = context.field(&full, extension, encoding);
            self.extensions.insert(field.full_name.clone(), field);
        }
        for nested in &message.nested_type {
            self.add_message(&full, nested, encoding, context, types);
        }
        if types {
            for enumeration in &message.enum_type {
                let indexed = enum_index(enumeration, encoding);
                self.enums
                    .entry(join(&full, enumeration.name()))
                    .or_insert(indexed);
            }
            let indexed = message_index(scope, message, encoding, context);
            self.messages.entry(full).or_insert(indexed);
        }
    }

    /// The files whose declarations `file` may use: itself, its
    /// dependencies (`import option` ones too), and what they re-export with
    /// `import public`, transitively.
    pub fn visible_files(&self, file: &str) -> Visible {
        self.symbols.visible_files(file, true)
    }

    /// What `full` denotes, and the file declaring it.
    pub fn kind(&self, full: &str) -> Option<(Kind, FileId)> {
        let symbol = self.symbols.get(full)?;
        let kind = match symbol.kind {
            SymbolKind::Package => Kind::Package,
            SymbolKind::Message => Kind::Message,
            SymbolKind::Enum => Kind::Enum,
            SymbolKind::EnumValue => Kind::EnumValue,
            SymbolKind::Field if self.extensions.contains_key(full) => Kind::Extension,
            SymbolKind::Field => Kind::Field,
            SymbolKind::Oneof | SymbolKind::Service | SymbolKind::Method => Kind::Other,
        };
        Some((kind, symbol.file))
    }

    /// protoc's lookup of `name` from the element named `relative_to`: a
    /// leading dot makes it full; else its first component is looked up in
    /// each enclosing scope outwards (starting at `relative_to`'s parent),
    /// and the rest inside the first match only. `Err(Some(full))` when the
    /// first component matched but the whole name is not defined there.
    pub fn lookup(&self, name: &str, relative_to: &str) -> Result<String, Option<String>> {
        // Inside anything but a field or an enum value (protoc's
        // `IsAggregate`; oneofs and methods too, as protoc's option lookup
        // has them).
        self.symbols
            .lookup_with(
                name,
                relative_to,
                |_| true,
                |kind| !matches!(kind, SymbolKind::Field | SymbolKind::EnumValue),
            )
            .map(|(full, _)| full.to_owned())
    }
}

/// The options messages of descriptor.proto, where option values start.
const OPTIONS_MESSAGES: [&str; 9] = [
    "google.protobuf.FileOptions",
    "google.protobuf.MessageOptions",
    "google.protobuf.FieldOptions",
    "google.protobuf.OneofOptions",
    "google.protobuf.ExtensionRangeOptions",
    "google.protobuf.EnumOptions",
    "google.protobuf.EnumValueOptions",
    "google.protobuf.ServiceOptions",
    "google.protobuf.MethodOptions",
];

/// The message `message` in `scope`, whose features give `encoding`.
fn message_index(
    scope: &str,
    message: &DescriptorProto,
    encoding: Encoding,
    context: &Context,
) -> Message {
    let full = join(scope, message.name());
    Message {
        fields: message
            .field
            .iter()
            .map(|field| context.field(&full, field, encoding))
            .collect(),
        oneofs: message
            .oneof_decl
            .iter()
            .map(|o| o.name().to_owned())
            .collect(),
        full_name: full,
    }
}

/// The enum `enumeration` inside an element whose features give `outer`.
fn enum_index(enumeration: &EnumDescriptorProto, outer: Encoding) -> Enum {
    let encoding = inherit(outer, features(uninterpreted(enumeration.options.as_ref())));
    Enum {
        values: enumeration
            .value
            .iter()
            .map(|v| (v.name().to_owned(), v.number()))
            .collect(),
        closed: encoding.closed.unwrap_or(false),
    }
}

/// The options as written of an element.
fn uninterpreted<T: super::walk::OptionsMessage>(options: Option<&T>) -> &[UninterpretedOption] {
    options.map_or(&[][..], |o| o.written())
}

/// How `file`'s syntax and its own `features` write fields.
fn file_encoding(file: &FileDescriptorProto) -> Encoding {
    let base = match file.syntax() {
        "proto3" => Encoding {
            packed: Some(true),
            implicit: Some(true),
            closed: Some(false),
        },
        "editions" => Encoding {
            packed: Some(true),
            implicit: Some(false),
            closed: Some(false),
        },
        _ => Encoding {
            packed: Some(false),
            implicit: Some(false),
            closed: Some(true),
        },
    };
    inherit(base, features(uninterpreted(file.options.as_ref())))
}

/// Whether an aggregate value of `file` may name a type in an `Any`
/// (`[type.googleapis.com/pkg.Type] { ... }`): a `/` outside its strings
/// and comments.
fn names_any_type(file: &FileDescriptorProto) -> bool {
    let mut found = false;
    super::walk::each_written(file, &mut |options| {
        found |= options
            .iter()
            .filter_map(|option| option.aggregate_value.as_deref())
            .any(slash_outside_strings);
    });
    found
}

/// Whether text-format `text` has a `/` outside its quoted strings and `#`
/// comments (or a string that does not end: counted as one).
fn slash_outside_strings(text: &str) -> bool {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '/' => return true,
            // A comment to the end of its line (the last line: the end).
            '#' if !chars.any(|c| c == '\n') => return false,
            '"' | '\'' => loop {
                match chars.next() {
                    None => return true,
                    Some('\\') => {
                        chars.next();
                    }
                    Some(end) if end == c => break,
                    Some(_) => {}
                }
            },
            _ => {}
        }
    }
    false
}

/// How the fields of a file read presence and packing.
struct Context {
    editions: bool,
    proto3: bool,
}

impl Context {
    fn of(file: &FileDescriptorProto) -> Context {
        Context {
            editions: file.syntax() == "editions",
            proto3: file.syntax() == "proto3",
        }
    }

    fn field(&self, scope: &str, field: &FieldDescriptorProto, outer: Encoding) -> Field {
        let options: Option<&FieldOptions> = field.options.as_ref();
        let uninterpreted = options.map_or(&[][..], |o| &o.uninterpreted_option);
        let mut encoding = inherit(outer, features(uninterpreted));
        if !self.editions {
            let packed = options
                .and_then(|o| o.packed)
                .or_else(|| identifier(uninterpreted, "packed").map(|v| v == "true"));
            if let Some(packed) = packed {
                encoding.packed = Some(packed);
            }
        }
        let kind = Type::try_from(field.r#type.unwrap_or(0)).unwrap_or(Type::Message);
        let legacy_required = uninterpreted.iter().any(|option| {
            option.identifier_value.as_deref() == Some("LEGACY_REQUIRED")
                && matches!(option.name.as_slice(), [f, p] if f.name_part() == "features" && p.name_part() == "field_presence")
        });
        let required = field.label == Some(Label::Required as i32) || legacy_required;
        let repeated = field.label == Some(Label::Repeated as i32);
        let packable = !matches!(
            kind,
            Type::String | Type::Bytes | Type::Message | Type::Group
        );
        let in_oneof = field.oneof_index.is_some();
        let implicit = encoding.implicit.unwrap_or(false)
            && !repeated
            && !in_oneof
            && !field.proto3_optional.unwrap_or(false)
            && !matches!(kind, Type::Message | Type::Group)
            && (self.proto3 || self.editions)
            && field.extendee.is_none();
        let retention = options
            .and_then(|o| o.retention)
            .map(|r| r == 2)
            .or_else(|| identifier(uninterpreted, "retention").map(|v| v == "RETENTION_SOURCE"))
            .unwrap_or(false);
        Field {
            full_name: join(scope, field.name()),
            name: field.name().to_owned(),
            number: u32::try_from(field.number()).unwrap_or(0),
            kind,
            repeated,
            type_name: field.type_name().trim_start_matches('.').to_owned(),
            extendee: field
                .extendee
                .as_ref()
                .map(|e| e.trim_start_matches('.').to_owned()),
            packed: repeated && packable && encoding.packed.unwrap_or(false),
            implicit,
            oneof: field.oneof_index,
            source_retention: retention,
            required,
        }
    }
}

/// The identifier value of the option `name` (a plain name) among
/// `options`, as written.
fn identifier<'a>(options: &'a [UninterpretedOption], name: &str) -> Option<&'a str> {
    options
        .iter()
        .rev()
        .find_map(|option| match option.name.as_slice() {
            [part] if !part.is_extension() && part.name_part() == name => {
                option.identifier_value.as_deref()
            }
            _ => None,
        })
}

/// The presence and packing an element's `features.*` options set.
fn features(options: &[UninterpretedOption]) -> Encoding {
    let mut encoding = Encoding::default();
    for option in options {
        let [features, feature] = option.name.as_slice() else {
            continue;
        };
        if features.is_extension() || features.name_part() != "features" || feature.is_extension() {
            continue;
        }
        match (feature.name_part(), option.identifier_value.as_deref()) {
            ("repeated_field_encoding", Some(value)) => {
                encoding.packed = Some(value == "PACKED");
            }
            ("field_presence", Some(value)) => {
                encoding.implicit = Some(value == "IMPLICIT");
            }
            ("enum_type", Some(value)) => {
                encoding.closed = Some(value == "CLOSED");
            }
            _ => {}
        }
    }
    encoding
}

fn inherit(outer: Encoding, inner: Encoding) -> Encoding {
    Encoding {
        packed: inner.packed.or(outer.packed),
        implicit: inner.implicit.or(outer.implicit),
        closed: inner.closed.or(outer.closed),
    }
}

/// The full name of `name` inside `scope`.
pub(super) fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_owned()
    } else {
        format!("{scope}.{name}")
    }
}
