//! The elements the rules look at, walked once: each input file with its
//! source locations indexed by path, and every message, field, oneof, enum,
//! enum value, service and rpc in it with its source path. Kept apart from
//! the rules, as pairing is apart from the breaking rules.

use std::{borrow::Cow, collections::HashMap};

use crate::compile::descriptor::{
    DescriptorProto, EnumDescriptorProto, EnumValueDescriptorProto, FieldDescriptorProto,
    FileDescriptorProto, MethodDescriptorProto, OneofDescriptorProto, ServiceDescriptorProto,
    source_code_info::Location,
};

use crate::compat::{
    Schema, Span,
    columns::{Lines, starts_line},
};

// Field numbers of descriptor.proto, for source paths.
pub(crate) const FILE_PACKAGE: i32 = 2;
pub(crate) const FILE_DEPENDENCY: i32 = 3;
pub(crate) const FILE_MESSAGE: i32 = 4;
pub(crate) const FILE_ENUM: i32 = 5;
pub(crate) const FILE_SERVICE: i32 = 6;
pub(crate) const FILE_EXTENSION: i32 = 7;
pub(crate) const FILE_OPTIONS: i32 = 8;
pub(crate) const FILE_SYNTAX: i32 = 12;
pub(crate) const MESSAGE_FIELD: i32 = 2;
pub(crate) const MESSAGE_NESTED: i32 = 3;
pub(crate) const MESSAGE_ENUM: i32 = 4;
pub(crate) const MESSAGE_EXTENSION_RANGE: i32 = 5;
pub(crate) const MESSAGE_EXTENSION: i32 = 6;
pub(crate) const MESSAGE_OPTIONS: i32 = 7;
pub(crate) const MESSAGE_ONEOF: i32 = 8;
pub(crate) const FIELD_NAME: i32 = 1;
pub(crate) const FIELD_OPTIONS: i32 = 8;
pub(crate) const ONEOF_OPTIONS: i32 = 2;
pub(crate) const ENUM_VALUE: i32 = 2;
pub(crate) const ENUM_OPTIONS: i32 = 3;
pub(crate) const ENUM_VALUE_NAME: i32 = 1;
pub(crate) const ENUM_VALUE_NUMBER: i32 = 2;
pub(crate) const ENUM_VALUE_OPTIONS: i32 = 3;
pub(crate) const ENUM_OPTIONS_ALLOW_ALIAS: i32 = 2;
pub(crate) const SERVICE_NAME: i32 = 1;
pub(crate) const SERVICE_METHOD: i32 = 2;
pub(crate) const SERVICE_OPTIONS: i32 = 3;
pub(crate) const METHOD_INPUT: i32 = 2;
pub(crate) const METHOD_OUTPUT: i32 = 3;
pub(crate) const METHOD_OPTIONS: i32 = 4;
pub(crate) const EXTENSION_RANGE_OPTIONS: i32 = 3;

/// What is linted: the schema's own files, and every file by name
/// (imports too, for what the own files refer to).
#[derive(Debug)]
pub(crate) struct Module<'a> {
    pub schema: &'a Schema,
    pub files: Vec<FileView<'a>>,
    pub by_name: HashMap<&'a str, &'a FileDescriptorProto>,
}

impl<'a> Module<'a> {
    /// The module of `schema`'s own files, with their `texts` where the
    /// input has them (by file name).
    pub fn new(schema: &'a Schema, texts: &'a HashMap<String, Cow<'a, str>>) -> Module<'a> {
        let by_name: HashMap<&str, &FileDescriptorProto> =
            schema.files().map(|file| (file.name(), file)).collect();
        let own: Vec<&FileDescriptorProto> = schema
            .files()
            .filter(|file| schema.is_input(file.name()))
            .collect();
        // Indexing source locations is most of the work: on every core.
        let files = crate::compile::parallel::map_with(
            own,
            || (),
            |(), file| {
                Some(FileView::new(
                    file,
                    texts.get(file.name()).map(|t| t.as_ref()),
                ))
            },
        )
        .unwrap_or_else(|| unreachable!("indexing a file panicked"));
        Module {
            schema,
            files,
            by_name,
        }
    }
}

/// An input file, with its source locations by path.
#[derive(Debug)]
pub(crate) struct FileView<'a> {
    pub proto: &'a FileDescriptorProto,
    locations: HashMap<&'a [i32], &'a Location>,
    /// The file's text, when the input has it.
    lines: Option<Lines<'a>>,
}

impl<'a> FileView<'a> {
    fn new(proto: &'a FileDescriptorProto, text: Option<&'a str>) -> FileView<'a> {
        let mut locations = HashMap::new();
        if let Some(info) = &proto.source_code_info {
            locations.reserve(info.location.len());
            for location in &info.location {
                locations
                    .entry(location.path.as_slice())
                    .or_insert(location);
            }
        }
        FileView {
            proto,
            locations,
            lines: text.map(Lines::new),
        }
    }

    /// The leading comments of the element at `path`, as buf's compiler
    /// attaches them: none when a comment sits before the element on the
    /// line it starts on, where protoc takes that comment (and an image's
    /// comments are taken as they are).
    pub fn leading_comments(&self, path: &[i32]) -> Option<&'a str> {
        let location = self.location(path)?;
        let comments = location.leading_comments.as_deref()?;
        if let (Some(lines), [line, column, ..]) = (&self.lines, location.span.as_slice())
            && let Some(text) = lines.line(*line as usize)
            && !starts_line(text, *column as u32)
        {
            return None;
        }
        Some(comments)
    }

    pub fn name(&self) -> &'a str {
        self.proto.name()
    }

    pub fn location(&self, path: &[i32]) -> Option<&'a Location> {
        self.locations.get(path).copied()
    }

    /// The span of `path`, if the source info has it.
    pub fn span(&self, path: &[i32]) -> Option<Span> {
        self.location(path)
            .and_then(|location| Span::from_location(&location.span))
    }

    /// Every source path recorded for the file.
    pub fn paths(&self) -> impl Iterator<Item = &'a [i32]> + '_ {
        self.locations.keys().copied()
    }
}

/// A message (a map entry too: the rules that skip them say so).
#[derive(Debug)]
pub(crate) struct MessageView<'a> {
    pub file: &'a FileView<'a>,
    pub proto: &'a DescriptorProto,
    pub path: Vec<i32>,
}

impl MessageView<'_> {
    pub fn is_map_entry(&self) -> bool {
        self.proto
            .options
            .as_ref()
            .is_some_and(|options| options.map_entry())
    }
}

/// A field of a message, or an extension (of a message or the file).
#[derive(Debug)]
pub(crate) struct FieldView<'a> {
    pub file: &'a FileView<'a>,
    pub proto: &'a FieldDescriptorProto,
    pub path: Vec<i32>,
    /// The key or value of a map's entry message.
    pub in_map_entry: bool,
}

/// A oneof a user wrote (not proto3 `optional`'s synthetic one).
#[derive(Debug)]
pub(crate) struct OneofView<'a> {
    pub file: &'a FileView<'a>,
    pub proto: &'a OneofDescriptorProto,
    pub path: Vec<i32>,
}

/// An enum.
#[derive(Debug)]
pub(crate) struct EnumView<'a> {
    pub file: &'a FileView<'a>,
    pub proto: &'a EnumDescriptorProto,
    pub path: Vec<i32>,
}

/// A value of an enum.
#[derive(Debug)]
pub(crate) struct EnumValueView<'a> {
    pub file: &'a FileView<'a>,
    pub enumeration: &'a EnumDescriptorProto,
    pub proto: &'a EnumValueDescriptorProto,
    pub path: Vec<i32>,
}

/// A service.
#[derive(Debug)]
pub(crate) struct ServiceView<'a> {
    pub file: &'a FileView<'a>,
    pub proto: &'a ServiceDescriptorProto,
    pub path: Vec<i32>,
}

/// An rpc of a service.
#[derive(Debug)]
pub(crate) struct MethodView<'a> {
    pub file: &'a FileView<'a>,
    pub service: &'a ServiceDescriptorProto,
    pub proto: &'a MethodDescriptorProto,
    pub path: Vec<i32>,
}

/// A path with more elements.
pub(crate) fn child(path: &[i32], more: &[i32]) -> Vec<i32> {
    let mut child = Vec::with_capacity(path.len() + more.len());
    child.extend_from_slice(path);
    child.extend_from_slice(more);
    child
}

/// Whether the oneof at `index` of `message` is proto3 `optional`'s
/// synthetic one: its only field is that optional field.
pub(crate) fn is_synthetic_oneof(message: &DescriptorProto, index: usize) -> bool {
    let members: Vec<&FieldDescriptorProto> = message
        .field
        .iter()
        .filter(|f| f.oneof_index == Some(index as i32))
        .collect();
    members.len() == 1 && members[0].proto3_optional()
}

/// Every element of `file`, visited in source order.
pub(crate) trait Visitor<'a> {
    fn message(&mut self, message: &MessageView<'a>);
    fn field(&mut self, field: &FieldView<'a>);
    fn oneof(&mut self, oneof: &OneofView<'a>);
    fn enumeration(&mut self, enumeration: &EnumView<'a>);
    fn enum_value(&mut self, value: &EnumValueView<'a>);
    fn service(&mut self, service: &ServiceView<'a>);
    fn method(&mut self, method: &MethodView<'a>);
}

pub(crate) fn walk<'a>(file: &'a FileView<'a>, visitor: &mut impl Visitor<'a>) {
    for (i, message) in file.proto.message_type.iter().enumerate() {
        walk_message(file, message, vec![FILE_MESSAGE, i as i32], visitor);
    }
    for (i, enumeration) in file.proto.enum_type.iter().enumerate() {
        walk_enum(file, enumeration, vec![FILE_ENUM, i as i32], visitor);
    }
    for (i, extension) in file.proto.extension.iter().enumerate() {
        visitor.field(&FieldView {
            file,
            proto: extension,
            path: vec![FILE_EXTENSION, i as i32],
            in_map_entry: false,
        });
    }
    for (i, service) in file.proto.service.iter().enumerate() {
        let path = vec![FILE_SERVICE, i as i32];
        for (j, method) in service.method.iter().enumerate() {
            visitor.method(&MethodView {
                file,
                service,
                proto: method,
                path: child(&path, &[SERVICE_METHOD, j as i32]),
            });
        }
        visitor.service(&ServiceView {
            file,
            proto: service,
            path,
        });
    }
}

fn walk_message<'a>(
    file: &'a FileView<'a>,
    message: &'a DescriptorProto,
    path: Vec<i32>,
    visitor: &mut impl Visitor<'a>,
) {
    let view = MessageView {
        file,
        proto: message,
        path,
    };
    let is_map_entry = view.is_map_entry();
    for (i, field) in message.field.iter().enumerate() {
        visitor.field(&FieldView {
            file,
            proto: field,
            path: child(&view.path, &[MESSAGE_FIELD, i as i32]),
            in_map_entry: is_map_entry,
        });
    }
    for (i, extension) in message.extension.iter().enumerate() {
        visitor.field(&FieldView {
            file,
            proto: extension,
            path: child(&view.path, &[MESSAGE_EXTENSION, i as i32]),
            in_map_entry: false,
        });
    }
    for (i, oneof) in message.oneof_decl.iter().enumerate() {
        if !is_synthetic_oneof(message, i) {
            visitor.oneof(&OneofView {
                file,
                proto: oneof,
                path: child(&view.path, &[MESSAGE_ONEOF, i as i32]),
            });
        }
    }
    for (i, nested) in message.nested_type.iter().enumerate() {
        walk_message(
            file,
            nested,
            child(&view.path, &[MESSAGE_NESTED, i as i32]),
            visitor,
        );
    }
    for (i, enumeration) in message.enum_type.iter().enumerate() {
        walk_enum(
            file,
            enumeration,
            child(&view.path, &[MESSAGE_ENUM, i as i32]),
            visitor,
        );
    }
    visitor.message(&view);
}

fn walk_enum<'a>(
    file: &'a FileView<'a>,
    enumeration: &'a EnumDescriptorProto,
    path: Vec<i32>,
    visitor: &mut impl Visitor<'a>,
) {
    for (i, value) in enumeration.value.iter().enumerate() {
        visitor.enum_value(&EnumValueView {
            file,
            enumeration,
            proto: value,
            path: child(&path, &[ENUM_VALUE, i as i32]),
        });
    }
    visitor.enumeration(&EnumView {
        file,
        proto: enumeration,
        path,
    });
}
