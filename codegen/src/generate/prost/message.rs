//! Messages, their fields, map fields and oneofs, as prost-build writes
//! them (see the module docs of [`super`] for the exact shapes).

use std::collections::HashMap;

use super::{
    context::FileWriter,
    names::{strip_enum_prefix, to_snake, to_upper_camel},
};
use crate::compile::descriptor::{
    DescriptorProto, FieldDescriptorProto, OneofDescriptorProto,
    field_descriptor_proto::{Label, Type},
};

/// A oneof that is not the synthetic oneof of a proto3 `optional` field,
/// with its fields (and their indexes in the message's field list).
struct Oneof<'a> {
    index: i32,
    descriptor: &'a OneofDescriptorProto,
    fields: Vec<(i32, &'a FieldDescriptorProto)>,
    /// The enum's Rust name: `OneOf` is appended when a nested message or
    /// enum already takes the upper camel name.
    type_name: String,
}

impl FileWriter<'_, '_> {
    pub(crate) fn message(&mut self, message: &DescriptorProto) {
        let name = message.name();
        let full_name = self.full_name(name);
        if self.context.extern_paths.resolve(&full_name).is_some() {
            return;
        }
        // Map entries become map fields, not types.
        let map_entries: HashMap<String, &DescriptorProto> = message
            .nested_type
            .iter()
            .filter(|nested| nested.options.as_ref().is_some_and(|o| o.map_entry()))
            .map(|entry| (format!("{full_name}.{}", entry.name()), entry))
            .collect();
        let oneofs = oneofs(message);
        let plain_fields = message
            .field
            .iter()
            .enumerate()
            .filter(|(_, field)| field.proto3_optional() || field.oneof_index.is_none());

        self.doc(&full_name, None);
        self.attributes(&self.options().type_attributes, &full_name);
        self.attributes(&self.options().message_attributes, &full_name);
        let copy = if self.message_is_copy(&full_name) {
            "Copy, "
        } else {
            ""
        };
        let eq = if self.message_is_eq(&full_name) {
            "Eq, Hash, "
        } else {
            ""
        };
        self.out.push_str(&format!(
            "#[derive(Clone, {copy}PartialEq, {eq}::prost::Message)]\n"
        ));
        self.skip_debug_attribute(&full_name);
        self.out
            .push_str(&format!("pub struct {} {{\n", to_upper_camel(name)));
        self.path.push(2);
        for (index, field) in plain_fields {
            self.path.push(index as i32);
            let entry = field
                .type_name
                .as_deref()
                .and_then(|type_name| map_entries.get(type_name));
            match entry {
                Some(entry) if entry.field.len() == 2 => {
                    self.map_field(&full_name, field, &entry.field[0], &entry.field[1]);
                }
                _ => self.field(&full_name, field),
            }
            self.path.pop();
        }
        self.path.pop();
        self.path.push(8);
        for oneof in &oneofs {
            self.path.push(oneof.index);
            self.oneof_field(name, &full_name, oneof);
            self.path.pop();
        }
        self.path.pop();
        self.out.push_str("}\n");

        let nested: Vec<(usize, &DescriptorProto)> = message
            .nested_type
            .iter()
            .enumerate()
            .filter(|(_, nested)| !nested.options.as_ref().is_some_and(|o| o.map_entry()))
            .collect();
        if message.enum_type.is_empty() && nested.is_empty() && oneofs.is_empty() {
            return;
        }
        self.out.push_str(&format!(
            "/// Nested message and enum types in `{name}`.\npub mod {} {{\n",
            to_snake(name)
        ));
        self.type_path.push(name.to_owned());
        self.path.push(3);
        for (index, nested) in nested {
            self.path.push(index as i32);
            self.message(nested);
            self.path.pop();
        }
        self.path.pop();
        self.path.push(4);
        for (index, nested) in message.enum_type.iter().enumerate() {
            self.path.push(index as i32);
            self.enumeration(nested);
            self.path.pop();
        }
        self.path.pop();
        for oneof in &oneofs {
            self.oneof(&full_name, oneof);
        }
        self.type_path.pop();
        self.out.push_str("}\n");
    }

    fn skip_debug_attribute(&mut self, full_name: &str) {
        if self.options().skip_debug.all(full_name).next().is_some() {
            self.out.push_str("#[prost(skip_debug)]\n");
        }
    }

    fn field(&mut self, message: &str, field: &FieldDescriptorProto) {
        let ty = field.r#type();
        let repeated = field.label() == Label::Repeated;
        let optional = self.is_optional(field);
        let boxed = self.is_boxed(message, None, field);
        let value = self.value_type(field, message);

        self.doc(message, Some(field.name()));
        if is_deprecated(field) {
            self.out.push_str("#[deprecated]\n");
        }
        let mut prost = self.type_tag(field);
        if ty == Type::Bytes {
            let kind = if self.is_bytes(message, field.name()) {
                "bytes"
            } else {
                "vec"
            };
            prost.push_str(&format!(" = \"{kind}\""));
        }
        match field.label() {
            Label::Optional if optional => prost.push_str(", optional"),
            Label::Optional => {}
            Label::Required => prost.push_str(", required"),
            Label::Repeated => {
                prost.push_str(", repeated");
                let packed = field
                    .options
                    .as_ref()
                    .and_then(|o| o.packed)
                    .unwrap_or(self.proto3);
                if can_pack(ty) && !packed {
                    prost.push_str(", packed = \"false\"");
                }
            }
        }
        if boxed {
            prost.push_str(", boxed");
        }
        prost.push_str(&format!(", tag = \"{}\"", field.number()));
        if let Some(default) = &field.default_value {
            prost.push_str(", default = \"");
            prost.push_str(&self.default_value(field, default));
            prost.push('"');
        }
        self.out.push_str(&format!("#[prost({prost})]\n"));
        self.attributes(
            &self.options().field_attributes,
            &format!("{message}.{}", field.name()),
        );
        let mut rust = value;
        if boxed {
            rust = format!("::prost::alloc::boxed::Box<{rust}>");
        }
        if repeated {
            rust = format!("::prost::alloc::vec::Vec<{rust}>");
        } else if optional {
            rust = format!("::core::option::Option<{rust}>");
        }
        self.out
            .push_str(&format!("pub {}: {rust},\n", to_snake(field.name())));
    }

    /// A default value as written inside `default = "..."`.
    fn default_value(&self, field: &FieldDescriptorProto, default: &str) -> String {
        match field.r#type() {
            Type::Bytes => {
                let mut escaped = String::from("b\\\"");
                for byte in unescape_c(default) {
                    for c in std::ascii::escape_default(byte) {
                        escaped.extend((c as char).escape_default());
                    }
                }
                escaped.push_str("\\\"");
                escaped
            }
            Type::Enum => {
                let value = to_upper_camel(default);
                let enum_name = field.type_name().rsplit('.').next().unwrap_or_default();
                strip_enum_prefix(&to_upper_camel(enum_name), &value)
            }
            _ => default.escape_default().to_string(),
        }
    }

    fn map_field(
        &mut self,
        message: &str,
        field: &FieldDescriptorProto,
        key: &FieldDescriptorProto,
        value: &FieldDescriptorProto,
    ) {
        let key_type = self.value_type(key, message);
        let value_type = self.value_type(value, message);
        self.doc(message, Some(field.name()));
        let btree = self
            .options()
            .btree_map
            .first(&format!("{message}.{}", field.name()))
            .is_some();
        let value_tag = match value.r#type() {
            Type::Enum => format!("enumeration({})", self.rust_path(value.type_name())),
            _ => self.type_tag(value),
        };
        self.out.push_str(&format!(
            "#[prost({} = \"{}, {value_tag}\", tag = \"{}\")]\n",
            if btree { "btree_map" } else { "map" },
            self.type_tag(key),
            field.number()
        ));
        self.attributes(
            &self.options().field_attributes,
            &format!("{message}.{}", field.name()),
        );
        let map = if btree {
            "::prost::alloc::collections::BTreeMap"
        } else {
            "::std::collections::HashMap"
        };
        self.out.push_str(&format!(
            "pub {}: {map}<{key_type}, {value_type}>,\n",
            to_snake(field.name())
        ));
    }

    fn oneof_field(&mut self, message_name: &str, message: &str, oneof: &Oneof<'_>) {
        let type_name = format!("{}::{}", to_snake(message_name), oneof.type_name);
        self.doc(message, None);
        let tags: Vec<String> = oneof
            .fields
            .iter()
            .map(|(_, f)| f.number().to_string())
            .collect();
        self.out.push_str(&format!(
            "#[prost(oneof = \"{type_name}\", tags = \"{}\")]\n",
            tags.join(", ")
        ));
        self.attributes(
            &self.options().field_attributes,
            &format!("{message}.{}", oneof.descriptor.name()),
        );
        self.out.push_str(&format!(
            "pub {}: ::core::option::Option<{type_name}>,\n",
            to_snake(oneof.descriptor.name())
        ));
    }

    fn oneof(&mut self, message: &str, oneof: &Oneof<'_>) {
        self.path.extend([8, oneof.index]);
        self.doc(message, None);
        self.path.truncate(self.path.len() - 2);
        let oneof_name = format!("{message}.{}", oneof.descriptor.name());
        self.attributes(&self.options().type_attributes, &oneof_name);
        self.attributes(&self.options().enum_attributes, &oneof_name);
        let copy = oneof
            .fields
            .iter()
            .all(|(_, f)| self.field_is_copy(message, f));
        let eq = oneof
            .fields
            .iter()
            .all(|(_, f)| self.field_is_eq(message, f));
        self.out.push_str(&format!(
            "#[derive(Clone, {}PartialEq, {}::prost::Oneof)]\n",
            if copy { "Copy, " } else { "" },
            if eq { "Eq, Hash, " } else { "" },
        ));
        self.skip_debug_attribute(message);
        self.out
            .push_str(&format!("pub enum {} {{\n", oneof.type_name));
        self.path.push(2);
        for &(index, field) in &oneof.fields {
            self.path.push(index);
            self.doc(message, Some(field.name()));
            self.path.pop();
            if is_deprecated(field) {
                self.out.push_str("#[deprecated]\n");
            }
            self.out.push_str(&format!(
                "#[prost({}, tag = \"{}\")]\n",
                self.type_tag(field),
                field.number()
            ));
            self.attributes(
                &self.options().field_attributes,
                &format!("{oneof_name}.{}", field.name()),
            );
            let mut ty = self.value_type(field, message);
            if self.is_boxed(message, Some(oneof.descriptor.name()), field) {
                ty = format!("::prost::alloc::boxed::Box<{ty}>");
            }
            self.out
                .push_str(&format!("{}({ty}),\n", to_upper_camel(field.name())));
        }
        self.path.pop();
        self.out.push_str("}\n");
    }

    /// Whether a field is an `Option`: proto3 `optional`, a singular
    /// message, or any singular proto2 field.
    fn is_optional(&self, field: &FieldDescriptorProto) -> bool {
        if field.proto3_optional() {
            return true;
        }
        field.label() == Label::Optional && (field.r#type() == Type::Message || !self.proto3)
    }
}

/// The real oneofs of `message`, in declaration order, each with its
/// fields; oneofs without fields (the synthetic oneofs of proto3
/// `optional` fields) are left out.
fn oneofs(message: &DescriptorProto) -> Vec<Oneof<'_>> {
    message
        .oneof_decl
        .iter()
        .enumerate()
        .filter_map(|(index, descriptor)| {
            let index = index as i32;
            let fields: Vec<(i32, &FieldDescriptorProto)> = message
                .field
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.proto3_optional() && f.oneof_index == Some(index))
                .map(|(i, f)| (i as i32, f))
                .collect();
            if fields.is_empty() {
                return None;
            }
            let camel = to_upper_camel(descriptor.name());
            let clashes = message
                .nested_type
                .iter()
                .map(DescriptorProto::name)
                .chain(message.enum_type.iter().map(|e| e.name()))
                .any(|nested| to_upper_camel(nested) == camel);
            let type_name = if clashes {
                format!("{camel}OneOf")
            } else {
                camel
            };
            Some(Oneof {
                index,
                descriptor,
                fields,
                type_name,
            })
        })
        .collect()
}

fn is_deprecated(field: &FieldDescriptorProto) -> bool {
    field.options.as_ref().is_some_and(|o| o.deprecated())
}

/// Whether a repeated field of this type can be packed.
fn can_pack(ty: Type) -> bool {
    !matches!(ty, Type::String | Type::Bytes | Type::Message | Type::Group)
}

/// The bytes of a C-escaped string, as protoc writes bytes defaults
/// (`\n`, `\001`, `\x01`, ...). Not the lexer's `decode_string`: this
/// decodes as prost-build does (exactly two hex digits, no `\u`, a lone
/// trailing backslash kept where prost-build panics), which matters for
/// descriptor sets other tools wrote.
fn unescape_c(text: &str) -> Vec<u8> {
    let src = text.as_bytes();
    let mut out = Vec::with_capacity(src.len());
    let mut at = 0;
    while at < src.len() {
        if src[at] != b'\\' || at + 1 == src.len() {
            out.push(src[at]);
            at += 1;
            continue;
        }
        at += 1;
        let escaped = src[at];
        at += 1;
        match escaped {
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                let mut value = escaped - b'0';
                for _ in 0..2 {
                    match src.get(at) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value.wrapping_mul(8).wrapping_add(d - b'0');
                            at += 1;
                        }
                        _ => break,
                    }
                }
                out.push(value);
            }
            b'x' | b'X' => {
                let hex = text
                    .get(at..at + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(byte) = hex {
                    out.push(byte);
                    at += 2;
                }
            }
            // `\\`, `\?`, `\'`, `\"` and anything else: the character.
            other => out.push(other),
        }
    }
    out
}
