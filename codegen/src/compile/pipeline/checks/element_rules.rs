//! protoc 35's rules on single elements, in every syntax, that the other
//! validations do not make:
//!
//! - a default on a message or repeated field (at the default value);
//! - `json_name` on an extension (at the option);
//! - `jstype` on a field that is not a 64-bit integer (at the type);
//! - `map_entry` set by hand (at the option statement);
//! - `message_set_wire_format` in proto3 (at the message's name);
//! - an enum without values (at its name).

use crate::compile::{
    descriptor::{
        DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
        field_descriptor_proto::{Label, Type},
    },
    validate::Problem,
};

pub(super) fn check(file: &FileDescriptorProto, problems: &mut Vec<Problem>) {
    let mut rules = Rules {
        proto3: file.syntax() == "proto3",
        file,
        problems,
    };
    let mut path = Vec::new();
    for (i, message) in file.message_type.iter().enumerate() {
        path.clear();
        path.extend([4, index(i)]);
        rules.message(message, &mut path);
    }
    for (i, enumeration) in file.enum_type.iter().enumerate() {
        rules.enumeration(enumeration, &[5, index(i)]);
    }
    for (i, extension) in file.extension.iter().enumerate() {
        rules.field(extension, &[7, index(i)], true);
    }
}

struct Rules<'p> {
    proto3: bool,
    file: &'p FileDescriptorProto,
    problems: &'p mut Vec<Problem>,
}

impl Rules<'_> {
    fn error(&mut self, path: Vec<i32>, message: &str) {
        self.problems.push(Problem::error(path, message));
    }

    fn message(&mut self, message: &DescriptorProto, path: &mut Vec<i32>) {
        let options = message.options.as_ref();
        if options.is_some_and(|o| o.map_entry.is_some()) {
            self.error(
                [path.as_slice(), &[7, 7]].concat(),
                "map_entry should not be set explicitly. Use map<KeyType, ValueType> instead.",
            );
        }
        if self.proto3 && options.is_some_and(|o| o.message_set_wire_format == Some(true)) {
            self.error(
                [path.as_slice(), &[1]].concat(),
                "MessageSet is not supported in proto3.",
            );
        }
        let depth = path.len();
        for (i, field) in message.field.iter().enumerate() {
            self.field(field, &[path.as_slice(), &[2, index(i)]].concat(), false);
        }
        for (i, extension) in message.extension.iter().enumerate() {
            self.field(extension, &[path.as_slice(), &[6, index(i)]].concat(), true);
        }
        for (i, enumeration) in message.enum_type.iter().enumerate() {
            self.enumeration(enumeration, &[path.as_slice(), &[4, index(i)]].concat());
        }
        for (i, nested) in message.nested_type.iter().enumerate() {
            // protoc's own map entries set `map_entry`.
            if nested.options.as_ref().is_some_and(|o| o.map_entry())
                && is_map_entry(message, nested)
            {
                continue;
            }
            path.truncate(depth);
            path.extend([3, index(i)]);
            self.message(nested, path);
        }
        path.truncate(depth);
    }

    fn field(&mut self, field: &FieldDescriptorProto, path: &[i32], extension: bool) {
        if field.default_value.is_some() {
            let at = [path, &[7]].concat();
            if field.label() == Label::Repeated {
                self.error(at, "Repeated fields can't have default values.");
            } else if matches!(field.r#type(), Type::Message | Type::Group) {
                self.error(at, "Messages can't have default values.");
            }
        }
        // Every extension has a JSON name once linked: the written one has
        // a location.
        let json_name = [path, &[10]].concat();
        if extension && field.json_name.is_some() && self.written(&json_name) {
            self.error(
                json_name,
                "option json_name is not allowed on extension fields.",
            );
        }
        let jstype = field.options.as_ref().and_then(|o| o.jstype).unwrap_or(0);
        let int64 = matches!(
            field.r#type(),
            Type::Int64 | Type::Uint64 | Type::Sint64 | Type::Fixed64 | Type::Sfixed64
        );
        if jstype != 0 && !int64 {
            let part = if field.type_name.is_some() { 6 } else { 5 };
            self.error(
                [path, &[part]].concat(),
                "jstype is only allowed on int64, uint64, sint64, fixed64 or sfixed64 fields.",
            );
        }
    }

    fn written(&self, path: &[i32]) -> bool {
        self.file
            .source_code_info
            .iter()
            .flat_map(|info| &info.location)
            .any(|location| location.path == path)
    }

    fn enumeration(&mut self, enumeration: &EnumDescriptorProto, path: &[i32]) {
        if enumeration.value.is_empty() {
            self.error(
                [path, &[1]].concat(),
                "Enums must contain at least one value.",
            );
        }
    }
}

/// Whether `nested` is the entry protoc made for a `map<K, V>` field of
/// `message`.
fn is_map_entry(message: &DescriptorProto, nested: &DescriptorProto) -> bool {
    message.field.iter().any(|field| {
        field.label() == Label::Repeated
            && field
                .type_name()
                .rsplit('.')
                .next()
                .is_some_and(|name| name == nested.name())
    })
}

fn index(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}
