//! What option interpretation looks up: every message, enum and extension
//! the files declare, with what the wire format needs to know of each field
//! (packed, implicit presence), and protoc's scoped lookup of names.

use std::collections::{HashMap, HashSet};

use super::super::descriptor::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FieldOptions, FileDescriptorProto,
    UninterpretedOption,
    field_descriptor_proto::{Label, Type},
};
use super::super::parallel;

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

impl Kind {
    fn is_aggregate(self) -> bool {
        matches!(
            self,
            Kind::Package | Kind::Message | Kind::Enum | Kind::Other
        )
    }
}

/// Every declaration of a file set, by full name (no leading dot).
#[derive(Default)]
pub(super) struct Pool {
    pub messages: HashMap<String, Message>,
    pub enums: HashMap<String, Enum>,
    pub extensions: HashMap<String, Field>,
    /// Extensions by extended message and number (full names).
    extensions_by_number: HashMap<(String, u32), String>,
    /// Every name, what it is and the file declaring it (the first wins).
    symbols: HashMap<String, (Kind, String)>,
    /// Per file, its dependencies (option imports included) and public ones.
    dependencies: HashMap<String, (Vec<String>, Vec<String>)>,
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
    /// Indexes `files`; protoc's own `descriptor.proto` stands in when the
    /// set has none. Each file is indexed on its own, on all cores, and
    /// the parts merged in file order as adding the files one by one would
    /// (the first declaration of a name wins, the last of an extension).
    pub fn of(files: &[FileDescriptorProto]) -> Pool {
        let refs: Vec<&FileDescriptorProto> = files.iter().collect();
        let parts = parallel::map_with(
            refs,
            || (),
            |(), file| {
                let mut part = Pool::default();
                part.add_file(file);
                Some(part)
            },
        );
        let mut pool = Pool::default();
        match parts {
            Some(parts) => parts.into_iter().for_each(|part| pool.merge(part)),
            None => files.iter().for_each(|file| pool.add_file(file)),
        }
        if !files.iter().any(|f| f.name() == DESCRIPTOR_PROTO) {
            for file in &super::super::descriptor::descriptor_proto_set().file {
                pool.add_file(file);
            }
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

    /// Adds the files `part` indexed, as [`Pool::add_file`] would have.
    fn merge(&mut self, part: Pool) {
        if part
            .dependencies
            .keys()
            .any(|file| self.dependencies.contains_key(file))
        {
            return;
        }
        self.dependencies.extend(part.dependencies);
        for (full, symbol) in part.symbols {
            self.symbols.entry(full).or_insert(symbol);
        }
        for (full, message) in part.messages {
            self.messages.entry(full).or_insert(message);
        }
        for (full, enumeration) in part.enums {
            self.enums.entry(full).or_insert(enumeration);
        }
        self.extensions.extend(part.extensions);
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

    fn add_file(&mut self, file: &FileDescriptorProto) {
        let name = file.name().to_owned();
        if self.dependencies.contains_key(&name) {
            return;
        }
        let mut dependencies = file.dependency.clone();
        dependencies.extend(file.option_dependency.iter().cloned());
        let public = file
            .public_dependency
            .iter()
            .filter_map(|&i| file.dependency.get(usize::try_from(i).ok()?).cloned())
            .collect();
        self.dependencies
            .insert(name.clone(), (dependencies, public));
        let package = file.package();
        if !package.is_empty() {
            let mut prefix = String::new();
            for part in package.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                self.symbol(&prefix, Kind::Package, &name);
            }
        }
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
        let editions = file.syntax() == "editions";
        let file_encoding = inherit(
            base,
            features(
                file.options
                    .as_ref()
                    .map_or(&[][..], |o| &o.uninterpreted_option),
            ),
        );
        let context = Context {
            file: &name,
            editions,
            proto3: file.syntax() == "proto3",
        };
        for message in &file.message_type {
            self.add_message(package, message, file_encoding, &context);
        }
        for enumeration in &file.enum_type {
            self.add_enum(package, enumeration, &name, file_encoding);
        }
        for extension in &file.extension {
            let field = context.field(package, extension, file_encoding);
            self.symbol(&field.full_name, Kind::Extension, &name);
            self.extensions.insert(field.full_name.clone(), field);
        }
        for service in &file.service {
            let full = join(package, service.name());
            self.symbol(&full, Kind::Other, &name);
            for method in &service.method {
                self.symbol(&join(&full, method.name()), Kind::Other, &name);
            }
        }
    }

    fn symbol(&mut self, full: &str, kind: Kind, file: &str) {
        self.symbols
            .entry(full.to_owned())
            .or_insert_with(|| (kind, file.to_owned()));
    }

    fn add_message(
        &mut self,
        scope: &str,
        message: &DescriptorProto,
        outer: Encoding,
        context: &Context<'_>,
    ) {
        let full = join(scope, message.name());
        let options = message.options.as_ref();
        let encoding = inherit(
            outer,
            features(options.map_or(&[][..], |o| &o.uninterpreted_option)),
        );
        self.symbol(&full, Kind::Message, context.file);
        let mut indexed = Message {
            full_name: full.clone(),
            oneofs: message
                .oneof_decl
                .iter()
                .map(|o| o.name().to_owned())
                .collect(),
            fields: Vec::new(),
        };
        for field in &message.field {
            let field = context.field(&full, field, encoding);
            self.symbol(&field.full_name, Kind::Field, context.file);
            indexed.fields.push(field);
        }
        for oneof in &message.oneof_decl {
            self.symbol(&join(&full, oneof.name()), Kind::Other, context.file);
        }
        for extension in &message.extension {
            let field = context.field(&full, extension, encoding);
            self.symbol(&field.full_name, Kind::Extension, context.file);
            self.extensions.insert(field.full_name.clone(), field);
        }
        for nested in &message.nested_type {
            self.add_message(&full, nested, encoding, context);
        }
        for enumeration in &message.enum_type {
            self.add_enum(&full, enumeration, context.file, encoding);
        }
        self.messages.entry(full).or_insert(indexed);
    }

    fn add_enum(
        &mut self,
        scope: &str,
        enumeration: &EnumDescriptorProto,
        file: &str,
        outer: Encoding,
    ) {
        let full = join(scope, enumeration.name());
        let encoding = inherit(
            outer,
            features(
                enumeration
                    .options
                    .as_ref()
                    .map_or(&[][..], |o| &o.uninterpreted_option),
            ),
        );
        self.symbol(&full, Kind::Enum, file);
        for value in &enumeration.value {
            self.symbol(&join(scope, value.name()), Kind::EnumValue, file);
        }
        self.enums.entry(full).or_insert_with(|| Enum {
            values: enumeration
                .value
                .iter()
                .map(|v| (v.name().to_owned(), v.number()))
                .collect(),
            closed: encoding.closed.unwrap_or(false),
        });
    }

    /// The files whose declarations `file` may use: itself, its
    /// dependencies (`import option` ones too), and what they re-export with
    /// `import public`, transitively.
    pub fn visible_files(&self, file: &str) -> HashSet<String> {
        let mut visible = HashSet::from([file.to_owned()]);
        let mut stack: Vec<String> = self
            .dependencies
            .get(file)
            .map(|(deps, _)| deps.clone())
            .unwrap_or_default();
        while let Some(next) = stack.pop() {
            if visible.insert(next.clone())
                && let Some((_, public)) = self.dependencies.get(&next)
            {
                stack.extend(public.iter().cloned());
            }
        }
        visible
    }

    /// What `full` denotes, and the file declaring it.
    pub fn kind(&self, full: &str) -> Option<(Kind, &str)> {
        self.symbols.get(full).map(|(k, f)| (*k, f.as_str()))
    }

    /// protoc's lookup of `name` from the element named `relative_to`: a
    /// leading dot makes it full; else its first component is looked up in
    /// each enclosing scope outwards (starting at `relative_to`'s parent),
    /// and the rest inside the first match only. `Err(Some(full))` when the
    /// first component matched but the whole name is not defined there.
    pub fn lookup(&self, name: &str, relative_to: &str) -> Result<String, Option<String>> {
        if let Some(full) = name.strip_prefix('.') {
            return self
                .symbols
                .contains_key(full)
                .then(|| full.to_owned())
                .ok_or(None);
        }
        let first = name.split('.').next().unwrap_or(name);
        let mut scope = relative_to.to_owned();
        loop {
            match scope.rfind('.') {
                None => {
                    return self
                        .symbols
                        .contains_key(name)
                        .then(|| name.to_owned())
                        .ok_or(None);
                }
                Some(dot) => scope.truncate(dot),
            }
            let candidate = join(&scope, first);
            if let Some((kind, _)) = self.symbols.get(&candidate) {
                if first.len() == name.len() {
                    return Ok(candidate);
                }
                if kind.is_aggregate() {
                    let full = join(&scope, name);
                    return if self.symbols.contains_key(&full) {
                        Ok(full)
                    } else {
                        Err(Some(full))
                    };
                }
            }
        }
    }
}

/// The file a field is declared in, and how it reads presence and packing.
struct Context<'a> {
    file: &'a str,
    editions: bool,
    proto3: bool,
}

impl Context<'_> {
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
