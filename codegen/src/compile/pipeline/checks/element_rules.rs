//! protoc 35's rules on single elements, in every syntax, that the other
//! validations do not make:
//!
//! - a default on a message or repeated field (at the default value);
//! - `json_name` on an extension (at the option);
//! - `jstype` on a field that is not a 64-bit integer (at the type);
//! - `map_entry` set by hand (at the option statement);
//! - `message_set_wire_format` in proto3 (at the message's name);
//! - a default that is not a value of the field's type: not `true` or
//!   `false`, not an integer or out of range, negative for an unsigned
//!   field, not a number, not a value of the enum (at the default);
//! - a custom JSON name in brackets (at the field's name);
//! - an enum without values (at its name).

use super::index;
use crate::compile::{
    descriptor::{
        DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
        field_descriptor_proto::{Label, Type},
    },
    validate::Problem,
};

/// The rules on `file`'s elements; `written_json_names` are its
/// extensions' `json_name`s as written ([`written_json_names`]).
pub(super) fn check(
    file: &FileDescriptorProto,
    files: &[&FileDescriptorProto],
    written_json_names: &[Vec<i32>],
    problems: &mut Vec<Problem>,
) {
    let mut rules = Rules {
        files,
        proto3: file.syntax() == "proto3",
        written_json_names,
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
    files: &'p [&'p FileDescriptorProto],
    proto3: bool,
    written_json_names: &'p [Vec<i32>],
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
        // Defaults, which protoc checks as it builds the file.
        if let Some(default) = &field.default_value {
            let at = [path, &[7]].concat();
            let why = if field.label() == Label::Repeated {
                Some("Repeated fields can't have default values.".to_owned())
            } else if matches!(field.r#type(), Type::Message | Type::Group) {
                Some("Messages can't have default values.".to_owned())
            } else {
                self.default_problem(field, default)
            };
            if let Some(why) = why {
                self.problems.push(Problem::error(at, why).building());
            }
        }
        if field
            .json_name
            .as_deref()
            .is_some_and(|name| name.starts_with('[') && name.ends_with(']'))
        {
            self.error(
                [path, &[1]].concat(),
                &format!(
                    "The custom JSON name of field \"{}\" (\"{}\") is invalid: JSON names may \
                     not start with '[' and end with ']'.",
                    field.name(),
                    field.json_name()
                ),
            );
        }
        // Every extension has a JSON name once linked: the written ones
        // were noted before.
        let json_name = [path, &[10]].concat();
        if extension && self.written_json_names.contains(&json_name) {
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

    /// What protoc says of a default its field's type cannot hold.
    fn default_problem(&self, field: &FieldDescriptorProto, default: &str) -> Option<String> {
        let range = match field.r#type() {
            Type::Bool => {
                return (default != "true" && default != "false")
                    .then(|| "Expected \"true\" or \"false\".".to_owned());
            }
            Type::Float | Type::Double => {
                let special = ["inf", "-inf", "nan", "-nan"].contains(&default);
                return (!special && default.parse::<f64>().is_err())
                    .then(|| "Expected number.".to_owned());
            }
            Type::Enum => {
                let values = find_enum(self.files, field.type_name())?;
                return (!values.value.iter().any(|v| v.name() == default)).then(|| {
                    format!(
                        "Enum type \"{}\" has no value named \"{default}\".",
                        field.type_name().trim_start_matches('.')
                    )
                });
            }
            Type::Int32 | Type::Sint32 | Type::Sfixed32 => {
                i128::from(i32::MIN)..=i128::from(i32::MAX)
            }
            Type::Int64 | Type::Sint64 | Type::Sfixed64 => {
                i128::from(i64::MIN)..=i128::from(i64::MAX)
            }
            Type::Uint32 | Type::Fixed32 => 0..=i128::from(u32::MAX),
            Type::Uint64 | Type::Fixed64 => 0..=i128::from(u64::MAX),
            _ => return None,
        };
        let Ok(value) = default.parse::<i128>() else {
            return Some("Expected integer for field default value.".to_owned());
        };
        if value < 0 && *range.start() == 0 {
            return Some("Unsigned field can't have negative default value.".to_owned());
        }
        (!range.contains(&value)).then(|| "Integer out of range.".to_owned())
    }

    fn enumeration(&mut self, enumeration: &EnumDescriptorProto, path: &[i32]) {
        if enumeration.value.is_empty() {
            self.problems.push(
                Problem::error(
                    [path, &[1]].concat(),
                    "Enums must contain at least one value.",
                )
                .building(),
            );
        }
    }
}

/// The paths of the `json_name`s `file`'s extensions have, read before
/// linking gives every field one: those are written, which protoc refuses
/// on an extension.
pub(crate) fn written_json_names(file: &FileDescriptorProto) -> Vec<Vec<i32>> {
    fn in_message(message: &DescriptorProto, path: &mut Vec<i32>, found: &mut Vec<Vec<i32>>) {
        let depth = path.len();
        for (i, extension) in message.extension.iter().enumerate() {
            if extension.json_name.is_some() {
                found.push([path.as_slice(), &[6, index(i), 10]].concat());
            }
        }
        for (i, nested) in message.nested_type.iter().enumerate() {
            path.extend([3, index(i)]);
            in_message(nested, path, found);
            path.truncate(depth);
        }
    }
    let mut found = Vec::new();
    for (i, extension) in file.extension.iter().enumerate() {
        if extension.json_name.is_some() {
            found.push(vec![7, index(i), 10]);
        }
    }
    let mut path = Vec::new();
    for (i, message) in file.message_type.iter().enumerate() {
        path.clear();
        path.extend([4, index(i)]);
        in_message(message, &mut path, &mut found);
    }
    found
}

/// The enum named `full` (with the leading dot) among `files`.
fn find_enum<'f>(files: &[&'f FileDescriptorProto], full: &str) -> Option<&'f EnumDescriptorProto> {
    fn within<'f>(
        scope: String,
        messages: &'f [DescriptorProto],
        enums: &'f [EnumDescriptorProto],
        full: &str,
    ) -> Option<&'f EnumDescriptorProto> {
        let rest = full.strip_prefix(scope.as_str())?.strip_prefix('.')?;
        if let Some(found) = enums.iter().find(|e| e.name() == rest) {
            return Some(found);
        }
        messages.iter().find_map(|message| {
            within(
                format!("{scope}.{}", message.name()),
                &message.nested_type,
                &message.enum_type,
                full,
            )
        })
    }
    files.iter().find_map(|file| {
        let scope = match file.package() {
            "" => String::new(),
            package => format!(".{package}"),
        };
        within(scope, &file.message_type, &file.enum_type, full)
    })
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

/// Fields numbered in 19000 to 19999, which protoc reserves for itself: it
/// reports them late, beside the options' targets, with no location.
pub(super) fn implementation_numbers(file: &FileDescriptorProto, problems: &mut Vec<Problem>) {
    fn fields_of(message: &DescriptorProto, problems: &mut Vec<Problem>) {
        for field in &message.field {
            if (19000..=19999).contains(&field.number()) {
                problems.push(Problem::error(
                    Vec::new(),
                    "Field numbers 19000 through 19999 are reserved for the protocol buffer \
                     library implementation.",
                ));
            }
        }
        for nested in &message.nested_type {
            fields_of(nested, problems);
        }
    }
    for message in &file.message_type {
        fields_of(message, problems);
    }
}
