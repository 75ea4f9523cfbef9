//! Features of a `FeatureSet` extension (the languages' `pb.cpp`,
//! `pb.java`, `pb.go`, or a user's) and options, set where their
//! declaration forbids, as protoc 35 reports them:
//!
//! - a feature, or the enum value it is set to, or an option (such as
//!   `java_multiple_files`), used in an edition before its
//!   `feature_support.edition_introduced` or from its `edition_removed` on:
//!   errors at the element's name (a file's: its `package` statement);
//!   from its `edition_deprecated` on: a warning with its
//!   `deprecation_warning`;
//! - then, when there are none of those, a feature on an element its
//!   `targets` leave out: "Option pb.CppFeatures.string_type cannot be set
//!   on an entity of type `message`." (protoc gives no location).
//!
//! The core features (`features.field_presence`, ...) are checked the same
//! way at lowering ([`crate::compile::features::check_uses`]).

use std::collections::HashMap;

use prost::Message;

use super::{Element, Site};
use crate::compile::{
    descriptor::{
        DESCRIPTOR_PROTO_SET, DescriptorProto, EnumDescriptorProto, FieldDescriptorProto,
        FileDescriptorProto, FileDescriptorSet, field_options::FeatureSupport,
    },
    features,
    validate::Problem,
};

const FEATURE_SET: &str = ".google.protobuf.FeatureSet";

/// The features the compilation's files declare as `FeatureSet`
/// extensions: per extension number, the message's full name (no leading
/// dot) and its fields, with the enums they may be set to.
pub(in crate::compile::pipeline) struct Catalog<'f> {
    extensions: HashMap<u64, (String, &'f DescriptorProto)>,
    /// Custom options that name their `targets`: per options message
    /// (`FieldOptions`) and number, the option's full name and targets.
    targeted: HashMap<(String, u64), (String, &'f [i32])>,
    enums: HashMap<String, &'f EnumDescriptorProto>,
}

impl<'f> Catalog<'f> {
    pub fn of(files: &[&'f FileDescriptorProto]) -> Catalog<'f> {
        let mut catalog = Catalog {
            extensions: HashMap::new(),
            targeted: HashMap::new(),
            enums: HashMap::new(),
        };
        for file in files {
            targeted(file.package(), &file.extension, &mut catalog.targeted);
            for message in &file.message_type {
                let scope = if file.package().is_empty() {
                    message.name().to_owned()
                } else {
                    format!("{}.{}", file.package(), message.name())
                };
                nested_targeted(&scope, message, &mut catalog.targeted);
            }
        }
        let declaring: Vec<&FileDescriptorProto> = files
            .iter()
            .copied()
            .filter(|file| {
                file.extension
                    .iter()
                    .chain(file.message_type.iter().flat_map(|m| &m.extension))
                    .any(|e| e.extendee() == FEATURE_SET)
            })
            .collect();
        if declaring.is_empty() {
            return catalog;
        }
        let mut messages = HashMap::new();
        for file in &declaring {
            index_types(
                &format!(".{}", file.package()).replace("..", "."),
                &file.message_type,
                &file.enum_type,
                &mut messages,
                &mut catalog.enums,
            );
        }
        for file in &declaring {
            let extensions = file
                .extension
                .iter()
                .chain(file.message_type.iter().flat_map(|m| &m.extension));
            for extension in extensions.filter(|e| e.extendee() == FEATURE_SET) {
                let Some(message) = messages.get(extension.type_name()) else {
                    continue;
                };
                let number = u64::try_from(extension.number()).unwrap_or(0);
                let name = extension.type_name().trim_start_matches('.').to_owned();
                catalog.extensions.insert(number, (name, message));
            }
        }
        catalog
    }
}

/// The custom options among `extensions` (declared in `scope`) that name
/// their targets.
fn targeted<'f>(
    scope: &str,
    extensions: &'f [FieldDescriptorProto],
    out: &mut HashMap<(String, u64), (String, &'f [i32])>,
) {
    for extension in extensions {
        let Some(kind) = extension.extendee().strip_prefix(".google.protobuf.") else {
            continue;
        };
        let Some(targets) = extension
            .options
            .as_ref()
            .map(|o| o.targets.as_slice())
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        let full = if scope.is_empty() {
            extension.name().to_owned()
        } else {
            format!("{scope}.{}", extension.name())
        };
        let number = u64::try_from(extension.number()).unwrap_or(0);
        out.insert((kind.to_owned(), number), (full, targets));
    }
}

fn nested_targeted<'f>(
    scope: &str,
    message: &'f DescriptorProto,
    out: &mut HashMap<(String, u64), (String, &'f [i32])>,
) {
    targeted(scope, &message.extension, out);
    for nested in &message.nested_type {
        nested_targeted(&format!("{scope}.{}", nested.name()), nested, out);
    }
}

impl Catalog<'_> {
    /// Whether a custom option of the compilation names its targets.
    pub fn targets_options(&self) -> bool {
        !self.targeted.is_empty()
    }
}

fn index_types<'f>(
    scope: &str,
    messages: &'f [DescriptorProto],
    enums: &'f [EnumDescriptorProto],
    message_index: &mut HashMap<String, &'f DescriptorProto>,
    enum_index: &mut HashMap<String, &'f EnumDescriptorProto>,
) {
    let scope = scope.trim_end_matches('.');
    for enumeration in enums {
        enum_index.insert(format!("{scope}.{}", enumeration.name()), enumeration);
    }
    for message in messages {
        let full = format!("{scope}.{}", message.name());
        index_types(
            &full,
            &message.nested_type,
            &message.enum_type,
            message_index,
            enum_index,
        );
        message_index.insert(full, message);
    }
}

/// The element's problems, each in its stage (see [`super::run`]): its
/// `feature_support` lifetimes and its `targets`.
pub(super) fn check(
    site: &Site<'_>,
    file: &FileDescriptorProto,
    context: &super::Context<'_>,
    lifetimes: &mut Vec<Problem>,
    targets: &mut Vec<Problem>,
) {
    let edition = i32::from(features::file_edition(file));
    let at = match site.element {
        // protoc points at a file by its `package` statement, when it has
        // one.
        Element::File(file) if file.package.is_some() => vec![2],
        Element::File(_) => Vec::new(),
        _ => site.name_path(),
    };
    options_support(site, edition, &at, lifetimes);
    let catalog = &context.catalog;
    custom_option_targets(site, catalog, targets);
    let Some(own) = site.own.filter(|_| !catalog.extensions.is_empty()) else {
        return;
    };
    for (extension, bytes) in fields(&own.encode_to_vec()) {
        let (Value::Bytes(bytes), Some((message_name, message))) =
            (bytes, catalog.extensions.get(&extension))
        else {
            continue;
        };
        for (number, value) in fields(bytes) {
            let Some(field) = message
                .field
                .iter()
                .find(|f| u64::try_from(f.number()).ok() == Some(number))
            else {
                continue;
            };
            let full = format!("{message_name}.{}", field.name());
            let options = field.options.as_ref();
            let target = target(&site.element);
            if options.is_some_and(|o| !o.targets.is_empty() && !o.targets.contains(&target.0)) {
                targets.push(Problem::error(
                    Vec::new(),
                    format!(
                        "Option {full} cannot be set on an entity of type `{}`.",
                        target.1
                    ),
                ));
            }
            if let Some(support) = options.and_then(|o| o.feature_support.as_ref()) {
                supported(support, &full, edition, &at, lifetimes);
            }
            if let (Value::Varint(value), Some(values)) =
                (value, catalog.enums.get(field.type_name()))
            {
                let scope = field
                    .type_name()
                    .trim_start_matches('.')
                    .rsplit_once('.')
                    .map_or("", |(scope, _)| scope);
                let chosen = values
                    .value
                    .iter()
                    .find(|v| u64::try_from(v.number()).ok() == Some(value));
                if let Some(chosen) = chosen {
                    let support = chosen
                        .options
                        .as_ref()
                        .and_then(|o| o.feature_support.as_ref());
                    if let Some(support) = support {
                        let full = format!("{scope}.{}", chosen.name());
                        supported(support, &full, edition, &at, lifetimes);
                    }
                }
            }
        }
    }
}

/// The checks of `feature_support` for `full` (a feature, an enum value,
/// an option) used in `edition`.
fn supported(
    support: &FeatureSupport,
    full: &str,
    edition: i32,
    at: &[i32],
    problems: &mut Vec<Problem>,
) {
    problems.extend(
        features::support_errors(support, full, edition)
            .into_iter()
            .map(|message| Problem::error(at.to_vec(), message)),
    );
    // Once removed, no deprecation warning beside the error.
    let removed = support.edition_removed.is_some_and(|e| edition >= e);
    if let Some(deprecated) = support
        .edition_deprecated
        .filter(|&e| edition >= e && !removed)
    {
        let why = support
            .deprecation_warning
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        problems.push(Problem {
            warning: true,
            ..Problem::error(
                at.to_vec(),
                format!(
                    "{full} has been deprecated in edition {}{why}",
                    features::edition_name(deprecated)
                ),
            )
        });
    }
}

/// The options of `descriptor.proto` with a `feature_support`, per options
/// message: (field number, full name, support).
type SupportedOptions = HashMap<&'static str, Vec<(u64, String, FeatureSupport)>>;

fn supported_options() -> &'static SupportedOptions {
    static OPTIONS: std::sync::OnceLock<SupportedOptions> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut options = SupportedOptions::new();
        let Ok(set) = FileDescriptorSet::decode(DESCRIPTOR_PROTO_SET) else {
            return options;
        };
        let kinds = [
            "FileOptions",
            "MessageOptions",
            "FieldOptions",
            "OneofOptions",
            "ExtensionRangeOptions",
            "EnumOptions",
            "EnumValueOptions",
            "ServiceOptions",
            "MethodOptions",
        ];
        for message in set.file.iter().flat_map(|f| &f.message_type) {
            let Some(kind) = kinds.iter().find(|k| **k == message.name()) else {
                continue;
            };
            let fields: Vec<(u64, String, FeatureSupport)> = message
                .field
                .iter()
                .filter_map(|field: &FieldDescriptorProto| {
                    let support = field.options.as_ref()?.feature_support.clone()?;
                    Some((
                        u64::try_from(field.number()).ok()?,
                        format!("google.protobuf.{kind}.{}", field.name()),
                        support,
                    ))
                })
                .collect();
            options.insert(kind, fields);
        }
        options
    })
}

/// The name of an element's options message and its encoding.
fn options_of(element: &Element<'_>) -> (&'static str, Option<Vec<u8>>) {
    match element {
        Element::File(file) => (
            "FileOptions",
            file.options.as_ref().map(Message::encode_to_vec),
        ),
        Element::Message(m) => (
            "MessageOptions",
            m.options.as_ref().map(Message::encode_to_vec),
        ),
        Element::Field(f) => (
            "FieldOptions",
            f.field.options.as_ref().map(Message::encode_to_vec),
        ),
        Element::Oneof(o) => (
            "OneofOptions",
            o.options.as_ref().map(Message::encode_to_vec),
        ),
        Element::Range(r) => (
            "ExtensionRangeOptions",
            r.options.as_ref().map(Message::encode_to_vec),
        ),
        Element::Enum(e) => (
            "EnumOptions",
            e.options.as_ref().map(Message::encode_to_vec),
        ),
        Element::Value(v) => (
            "EnumValueOptions",
            v.options.as_ref().map(Message::encode_to_vec),
        ),
        Element::Service(s) => (
            "ServiceOptions",
            s.options.as_ref().map(Message::encode_to_vec),
        ),
        Element::Method(m) => (
            "MethodOptions",
            m.options.as_ref().map(Message::encode_to_vec),
        ),
    }
}

/// `feature_support` of the options the element sets (`java_multiple_files`
/// is removed in 2024; protoc gives that no location).
fn options_support(site: &Site<'_>, edition: i32, at: &[i32], problems: &mut Vec<Problem>) {
    let (kind, bytes) = options_of(&site.element);
    let Some(declared) = supported_options().get(kind).filter(|s| !s.is_empty()) else {
        return;
    };
    let Some(bytes) = bytes else {
        return;
    };
    for (number, _) in fields(&bytes) {
        if let Some((_, full, support)) = declared.iter().find(|(n, _, _)| *n == number) {
            supported(support, full, edition, at, problems);
        }
    }
}

/// Custom options set on an element their `targets` leave out (protoc
/// gives no location).
pub(super) fn custom_option_targets(
    site: &Site<'_>,
    catalog: &Catalog<'_>,
    problems: &mut Vec<Problem>,
) {
    if !catalog.targets_options() {
        return;
    }
    let (kind, bytes) = options_of(&site.element);
    let target = target(&site.element);
    for (number, _) in fields(&bytes.unwrap_or_default()) {
        if let Some((name, targets)) = catalog.targeted.get(&(kind.to_owned(), number))
            && !targets.contains(&target.0)
        {
            problems.push(Problem::error(
                Vec::new(),
                format!(
                    "Option {name} cannot be set on an entity of type `{}`.",
                    target.1
                ),
            ));
        }
    }
}

/// The element kind as `FieldOptions.targets` numbers it and protoc's
/// messages name it.
fn target(element: &Element<'_>) -> (i32, &'static str) {
    match element {
        Element::File(_) => (1, "file"),
        Element::Range(_) => (2, "extension range"),
        Element::Message(_) => (3, "message"),
        Element::Field(_) => (4, "field"),
        Element::Oneof(_) => (5, "oneof"),
        Element::Enum(_) => (6, "enum"),
        Element::Value(_) => (7, "enum entry"),
        Element::Service(_) => (8, "service"),
        Element::Method(_) => (9, "method"),
    }
}

/// A field's value on the wire, as far as these checks read it.
pub(super) enum Value<'b> {
    Varint(u64),
    Bytes(&'b [u8]),
    Other,
}

/// The fields of an encoded message, in order; stops at malformed bytes.
pub(super) fn fields(mut bytes: &[u8]) -> Vec<(u64, Value<'_>)> {
    let mut out = Vec::new();
    while let Some(key) = varint(&mut bytes) {
        let value = match key & 7 {
            0 => match varint(&mut bytes) {
                Some(value) => Value::Varint(value),
                None => break,
            },
            1 | 5 => {
                let size = if key & 7 == 1 { 8 } else { 4 };
                let Some(rest) = bytes.get(size..) else {
                    break;
                };
                bytes = rest;
                Value::Other
            }
            2 => {
                let Some(len) = varint(&mut bytes).and_then(|l| usize::try_from(l).ok()) else {
                    break;
                };
                let (Some(value), Some(rest)) = (bytes.get(..len), bytes.get(len..)) else {
                    break;
                };
                bytes = rest;
                Value::Bytes(value)
            }
            _ => break,
        };
        out.push((key >> 3, value));
    }
    out
}

fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}
