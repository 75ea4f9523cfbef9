//! protoc's `warning: Import X is unused.`, for the files it was asked to
//! compile (not their imports), at the `import` statement.
//!
//! As protoc 35 decides it: a plain, `weak` or `import option` import is
//! unused when the file refers to nothing the imported file declares (a
//! field's, extension's or method's type, an extendee, a custom option or
//! language feature set in an options message). `import public` is never
//! reported, nor an import of a file that itself imports publicly (what the
//! file uses may come through it).

use std::collections::HashSet;

use prost::Message;

use crate::compile::descriptor::{
    DescriptorProto, FeatureSet, FieldDescriptorProto, FileDescriptorProto,
};

/// The imports of `file` protoc reports unused, as their indices in
/// `dependency` then `option_dependency` (the order of
/// `dependency ++ option_dependency`).
pub(in crate::compile::pipeline) fn unused(
    file: &FileDescriptorProto,
    files: &[&FileDescriptorProto],
) -> Vec<usize> {
    let public: HashSet<i32> = file.public_dependency.iter().copied().collect();
    let candidates: Vec<(usize, &FileDescriptorProto)> = file
        .dependency
        .iter()
        .chain(&file.option_dependency)
        .enumerate()
        .filter(|(i, _)| {
            i32::try_from(*i).map_or(true, |i| !public.contains(&i)) || *i >= file.dependency.len()
        })
        .filter_map(|(i, name)| Some((i, *files.iter().find(|f| f.name() == name)?)))
        .filter(|(_, imported)| imported.public_dependency.is_empty())
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let used = References::of(file);
    candidates
        .into_iter()
        .filter(|(_, imported)| !used.any_in(imported))
        .map(|(i, _)| i)
        .collect()
}

/// What a file refers to: type names (with the leading dot), and per
/// options message extended (`.google.protobuf.FieldOptions`,
/// `.google.protobuf.FeatureSet`), the extension numbers it sets.
#[derive(Default)]
struct References {
    types: HashSet<String>,
    extensions: HashSet<(&'static str, u64)>,
}

impl References {
    fn of(file: &FileDescriptorProto) -> References {
        let mut references = References::default();
        references.options(
            "FileOptions",
            file.options.as_ref().map(Message::encode_to_vec),
            file.options.as_ref().and_then(|o| o.features.as_ref()),
        );
        for message in &file.message_type {
            references.message(message);
        }
        for enumeration in &file.enum_type {
            references.enumeration(enumeration);
        }
        for extension in &file.extension {
            references.field(extension);
        }
        for service in &file.service {
            references.options(
                "ServiceOptions",
                service.options.as_ref().map(Message::encode_to_vec),
                service.options.as_ref().and_then(|o| o.features.as_ref()),
            );
            for method in &service.method {
                references.types.insert(method.input_type().to_owned());
                references.types.insert(method.output_type().to_owned());
                references.options(
                    "MethodOptions",
                    method.options.as_ref().map(Message::encode_to_vec),
                    method.options.as_ref().and_then(|o| o.features.as_ref()),
                );
            }
        }
        references
    }

    fn message(&mut self, message: &DescriptorProto) {
        self.options(
            "MessageOptions",
            message.options.as_ref().map(Message::encode_to_vec),
            message.options.as_ref().and_then(|o| o.features.as_ref()),
        );
        for field in message.field.iter().chain(&message.extension) {
            self.field(field);
        }
        for oneof in &message.oneof_decl {
            self.options(
                "OneofOptions",
                oneof.options.as_ref().map(Message::encode_to_vec),
                oneof.options.as_ref().and_then(|o| o.features.as_ref()),
            );
        }
        for range in &message.extension_range {
            self.options(
                "ExtensionRangeOptions",
                range.options.as_ref().map(Message::encode_to_vec),
                range.options.as_ref().and_then(|o| o.features.as_ref()),
            );
        }
        for nested in &message.nested_type {
            self.message(nested);
        }
        for enumeration in &message.enum_type {
            self.enumeration(enumeration);
        }
    }

    fn enumeration(&mut self, enumeration: &crate::compile::descriptor::EnumDescriptorProto) {
        self.options(
            "EnumOptions",
            enumeration.options.as_ref().map(Message::encode_to_vec),
            enumeration
                .options
                .as_ref()
                .and_then(|o| o.features.as_ref()),
        );
        for value in &enumeration.value {
            self.options(
                "EnumValueOptions",
                value.options.as_ref().map(Message::encode_to_vec),
                value.options.as_ref().and_then(|o| o.features.as_ref()),
            );
        }
    }

    fn field(&mut self, field: &FieldDescriptorProto) {
        if let Some(type_name) = &field.type_name {
            self.types.insert(type_name.clone());
        }
        if let Some(extendee) = &field.extendee {
            self.types.insert(extendee.clone());
        }
        self.options(
            "FieldOptions",
            field.options.as_ref().map(Message::encode_to_vec),
            field.options.as_ref().and_then(|o| o.features.as_ref()),
        );
    }

    /// The extensions set in an options message (fields from 1000 on, the
    /// first extension number of every options message) and in its
    /// `features`.
    fn options(
        &mut self,
        kind: &'static str,
        bytes: Option<Vec<u8>>,
        features: Option<&FeatureSet>,
    ) {
        for (number, _) in super::feature_support::fields(&bytes.unwrap_or_default()) {
            if number >= 1000 {
                self.extensions.insert((kind, number));
            }
        }
        let features = features.map(Message::encode_to_vec).unwrap_or_default();
        for (number, _) in super::feature_support::fields(&features) {
            if number >= 1000 {
                self.extensions.insert(("FeatureSet", number));
            }
        }
    }

    /// Whether `file` declares something referred to.
    fn any_in(&self, file: &FileDescriptorProto) -> bool {
        let scope = match file.package() {
            "" => String::new(),
            package => format!(".{package}"),
        };
        file.message_type
            .iter()
            .any(|message| self.message_used(&scope, message))
            || file
                .enum_type
                .iter()
                .any(|e| self.types.contains(&format!("{scope}.{}", e.name())))
            || file.extension.iter().any(|e| self.extension_used(e))
    }

    fn message_used(&self, scope: &str, message: &DescriptorProto) -> bool {
        let full = format!("{scope}.{}", message.name());
        self.types.contains(&full)
            || message.extension.iter().any(|e| self.extension_used(e))
            || message
                .enum_type
                .iter()
                .any(|e| self.types.contains(&format!("{full}.{}", e.name())))
            || message
                .nested_type
                .iter()
                .any(|nested| self.message_used(&full, nested))
    }

    fn extension_used(&self, extension: &FieldDescriptorProto) -> bool {
        let Some(kind) = extension.extendee().strip_prefix(".google.protobuf.") else {
            return false;
        };
        let number = u64::try_from(extension.number()).unwrap_or(0);
        self.extensions
            .iter()
            .any(|(k, n)| *k == kind && *n == number)
    }
}
