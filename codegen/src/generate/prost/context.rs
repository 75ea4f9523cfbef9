//! What every part of the generator asks: the options, the message graph,
//! the extern paths, and where in the file it stands (package, enclosing
//! messages, source path for comments).

use std::collections::HashMap;

use super::{
    Options, comments,
    graph::MessageGraph,
    names::{to_snake, to_upper_camel},
    paths::ExternPaths,
};
use crate::compile::descriptor::{
    FieldDescriptorProto, FileDescriptorProto, FileDescriptorSet,
    field_descriptor_proto::{Label, Type},
    source_code_info::Location,
};

/// The set-wide facts: options, graph, extern paths.
pub(crate) struct Context<'a> {
    pub(crate) options: &'a Options,
    pub(crate) graph: MessageGraph<'a>,
    pub(crate) extern_paths: ExternPaths,
}

impl<'a> Context<'a> {
    /// `Err` when an extern path is not one prost-build accepts.
    pub(crate) fn new(set: &'a FileDescriptorSet, options: &'a Options) -> Result<Self, String> {
        Ok(Context {
            options,
            graph: MessageGraph::new(&set.file),
            extern_paths: ExternPaths::new(
                &options.extern_paths,
                options.compile_well_known_types,
            )?,
        })
    }
}

/// Where generation stands in one file, and the code written so far.
pub(crate) struct FileWriter<'c, 'a> {
    pub(crate) context: &'c Context<'a>,
    /// The file's package, without a leading dot (empty when none).
    pub(crate) package: String,
    /// Whether the file is proto3 (else proto2: editions files are
    /// respelled as proto3 before generation).
    pub(crate) proto3: bool,
    /// Names of the messages around the current item, outermost first.
    pub(crate) type_path: Vec<String>,
    /// The source path of the current item (`[4, 0, 2, 1]`).
    pub(crate) path: Vec<i32>,
    /// Comments by source path, when the file has source info.
    pub(crate) locations: Option<HashMap<Vec<i32>, &'a Location>>,
    pub(crate) out: String,
}

impl<'c, 'a> FileWriter<'c, 'a> {
    /// A writer at the top of `file`; `Err` when its syntax is neither
    /// proto2 nor proto3 (editions files are respelled before).
    pub(crate) fn new(
        context: &'c Context<'a>,
        file: &'a FileDescriptorProto,
    ) -> Result<Self, String> {
        let proto3 = match file.syntax.as_deref() {
            None | Some("proto2") => false,
            Some("proto3") => true,
            Some(other) => return Err(format!("{}: unknown syntax {other:?}", file.name())),
        };
        let locations = file.source_code_info.as_ref().map(|info| {
            let mut by_path = HashMap::new();
            for location in &info.location {
                // The first location of a path is the one protoc means.
                by_path.entry(location.path.clone()).or_insert(location);
            }
            by_path
        });
        Ok(FileWriter {
            context,
            package: file.package().to_owned(),
            proto3,
            type_path: Vec::new(),
            path: Vec::new(),
            locations,
            out: String::new(),
        })
    }

    pub(crate) fn options(&self) -> &'a Options {
        self.context.options
    }

    /// `.pkg.Outer.name`: the full name of `name` declared here.
    pub(crate) fn full_name(&self, name: &str) -> String {
        let mut full = String::new();
        if !self.package.is_empty() {
            full.push('.');
            full.push_str(&self.package);
        }
        for outer in &self.type_path {
            full.push('.');
            full.push_str(outer);
        }
        full.push('.');
        full.push_str(name);
        full
    }

    /// Appends the doc comment of the item at the current path, unless
    /// `disable_comments` matches `full_name` (or its `field`).
    pub(crate) fn doc(&mut self, full_name: &str, field: Option<&str>) {
        let disabled = match field {
            Some(field) => self
                .options()
                .disable_comments
                .first(&format!("{full_name}.{field}"))
                .is_some(),
            None => self
                .options()
                .disable_comments
                .all(full_name)
                .next()
                .is_some(),
        };
        if disabled {
            return;
        }
        if let Some(location) = self.locations.as_ref().and_then(|l| l.get(&self.path)) {
            comments::append(location, &mut self.out);
        }
    }

    /// Appends each attribute of `map` matching `path`, a line each.
    pub(crate) fn attributes(&mut self, map: &super::paths::PathMap<String>, path: &str) {
        for attribute in map.all(path) {
            self.out.push_str(attribute);
            self.out.push('\n');
        }
    }

    /// The Rust path of the type `full_name` (`.pkg.Msg`) from the current
    /// module: `super::` up to the common ancestor, then down in snake case.
    pub(crate) fn rust_path(&self, full_name: &str) -> String {
        if let Some(rust) = self.context.extern_paths.resolve(full_name) {
            return rust;
        }
        let mut here = self
            .package
            .split('.')
            .filter(|s| !s.is_empty())
            .chain(self.type_path.iter().map(String::as_str))
            .peekable();
        let mut there = full_name[1..].split('.');
        let ty = there.next_back().unwrap_or_default();
        let mut there = there.peekable();
        while here.peek().is_some() && here.peek() == there.peek() {
            here.next();
            there.next();
        }
        let mut segments: Vec<String> = here.map(|_| "super".to_owned()).collect();
        segments.extend(there.map(to_snake));
        segments.push(to_upper_camel(ty));
        segments.join("::")
    }

    /// The Rust type of a field's value (not its container).
    pub(crate) fn value_type(&self, field: &FieldDescriptorProto, message: &str) -> String {
        match field.r#type() {
            Type::Float => "f32".to_owned(),
            Type::Double => "f64".to_owned(),
            Type::Uint32 | Type::Fixed32 => "u32".to_owned(),
            Type::Uint64 | Type::Fixed64 => "u64".to_owned(),
            Type::Int32 | Type::Sfixed32 | Type::Sint32 | Type::Enum => "i32".to_owned(),
            Type::Int64 | Type::Sfixed64 | Type::Sint64 => "i64".to_owned(),
            Type::Bool => "bool".to_owned(),
            Type::String => "::prost::alloc::string::String".to_owned(),
            Type::Bytes if self.is_bytes(message, field.name()) => {
                "::prost::bytes::Bytes".to_owned()
            }
            Type::Bytes => "::prost::alloc::vec::Vec<u8>".to_owned(),
            Type::Group | Type::Message => self.rust_path(field.type_name()),
        }
    }

    pub(crate) fn is_bytes(&self, message: &str, field: &str) -> bool {
        self.options()
            .bytes
            .first(&format!("{message}.{field}"))
            .is_some()
    }

    /// The `#[prost(...)]` kind of a field: `int32`, `message`,
    /// `enumeration = "Path"`.
    pub(crate) fn type_tag(&self, field: &FieldDescriptorProto) -> String {
        match field.r#type() {
            Type::Enum => format!("enumeration = \"{}\"", self.rust_path(field.type_name())),
            other => scalar_tag(other).to_owned(),
        }
    }

    /// Whether a singular message field of `message` is boxed: its type
    /// reaches `message` back, or `boxed` matches it (`oneof` names the
    /// oneof a field belongs to, as in `.pkg.Msg.oneof.field`).
    pub(crate) fn is_boxed(
        &self,
        message: &str,
        oneof: Option<&str>,
        field: &FieldDescriptorProto,
    ) -> bool {
        if field.label() == Label::Repeated {
            return false;
        }
        if matches!(field.r#type(), Type::Message | Type::Group)
            && self.context.graph.reaches(field.type_name(), message)
        {
            return true;
        }
        let path = match oneof {
            Some(oneof) => format!("{message}.{oneof}.{}", field.name()),
            None => format!("{message}.{}", field.name()),
        };
        self.options().boxed.first(&path).is_some()
    }

    /// Whether every field of `message` can derive `Copy`.
    pub(crate) fn message_is_copy(&self, message: &str) -> bool {
        self.context
            .graph
            .message(message)
            .is_some_and(|m| m.field.iter().all(|f| self.field_is_copy(message, f)))
    }

    pub(crate) fn field_is_copy(&self, message: &str, field: &FieldDescriptorProto) -> bool {
        if field.label() == Label::Repeated {
            return false;
        }
        match field.r#type() {
            Type::Message => {
                !self.context.graph.reaches(field.type_name(), message)
                    && self
                        .options()
                        .boxed
                        .first(&format!("{message}.{}", field.name()))
                        .is_none()
                    && self.message_is_copy(field.type_name())
            }
            Type::String | Type::Bytes | Type::Group => false,
            _ => true,
        }
    }

    /// Whether every field of `message` can derive `Eq` and `Hash`.
    pub(crate) fn message_is_eq(&self, message: &str) -> bool {
        self.context
            .graph
            .message(message)
            .is_some_and(|m| m.field.iter().all(|f| self.field_is_eq(message, f)))
    }

    pub(crate) fn field_is_eq(&self, message: &str, field: &FieldDescriptorProto) -> bool {
        match field.r#type() {
            Type::Message => {
                field.label() != Label::Repeated
                    && !self.context.graph.reaches(field.type_name(), message)
                    && self.message_is_eq(field.type_name())
            }
            Type::Float | Type::Double | Type::Group => false,
            _ => true,
        }
    }
}

/// The `#[prost(...)]` kind of a non-enum field type.
pub(crate) fn scalar_tag(ty: Type) -> &'static str {
    match ty {
        Type::Float => "float",
        Type::Double => "double",
        Type::Int32 => "int32",
        Type::Int64 => "int64",
        Type::Uint32 => "uint32",
        Type::Uint64 => "uint64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
        Type::Fixed32 => "fixed32",
        Type::Fixed64 => "fixed64",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Bytes => "bytes",
        Type::Group => "group",
        Type::Message => "message",
        Type::Enum => "enumeration",
    }
}
