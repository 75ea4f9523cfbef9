//! What an editions file may not say of a field, in protoc 35's words, each
//! at the field's name as protoc points (`ctype` at its type):
//!
//! - on the features in effect: a field without presence (singular,
//!   implicit) with a default or a closed enum type; an extension that is
//!   `LEGACY_REQUIRED`;
//! - on the features the field sets itself (not on the fields of map
//!   entries, which protoc copies from the map field): field presence on a
//!   oneof member, a repeated field, an extension, implicit on a message;
//!   repeated field encoding on a singular field, PACKED on a field that
//!   cannot be packed; UTF-8 validation on a non-string; message encoding on
//!   a non-message or a map;
//! - the options features replaced: `packed` (any edition), `ctype` (2024
//!   on).

use super::{Context, Element, Site};
use crate::compile::{
    descriptor::{
        Edition, FieldDescriptorProto, FileDescriptorProto,
        feature_set::{FieldPresence, RepeatedFieldEncoding},
        field_descriptor_proto::{Label, Type},
    },
    features,
    validate::Problem,
};

pub(super) fn check(
    site: &Site<'_>,
    file: &FileDescriptorProto,
    context: &Context<'_>,
    problems: &mut Vec<Problem>,
) {
    let Element::Field(place) = &site.element else {
        return;
    };
    let field = place.field;
    let name = site.name_path();
    let mut error = |path: Vec<i32>, message: &str| problems.push(Problem::error(path, message));
    let options = field.options.as_ref();
    if options.is_some_and(|o| o.packed.is_some()) {
        error(
            name.clone(),
            "Field option packed is not allowed under editions.  Use the repeated_field_encoding \
             feature to control this behavior.",
        );
    }
    let repeated = field.label() == Label::Repeated;
    let message_typed = matches!(field.r#type(), Type::Message | Type::Group);
    let has_presence = !repeated
        && (message_typed
            || place.extension
            || place.in_oneof
            || site.resolved.field_presence() != FieldPresence::Implicit);
    if !repeated && !has_presence {
        if field.default_value.is_some() {
            error(
                name.clone(),
                "Implicit presence fields can't specify defaults.",
            );
        }
        let closed = field.r#type() == Type::Enum
            && field
                .type_name
                .as_ref()
                .and_then(|t| context.closed_enums.get(t))
                .copied()
                .unwrap_or(false);
        if closed {
            error(
                name.clone(),
                "Implicit presence enum fields must always be open.",
            );
        }
    }
    if place.extension && site.resolved.field_presence() == FieldPresence::LegacyRequired {
        error(name.clone(), "Extensions can't be required.");
    }
    if options.is_some_and(|o| o.ctype.is_some())
        && i32::from(features::file_edition(file)) >= Edition::Edition2024 as i32
    {
        error(
            type_path(site.path, field),
            "ctype option is not allowed under edition 2024 and beyond. Use the feature \
             string_type = VIEW|CORD|STRING|... instead.",
        );
    }
    if place.in_map_entry {
        return;
    }
    let Some(own) = site.own else {
        return;
    };
    if let Some(presence) = own.field_presence {
        if place.in_oneof {
            error(name.clone(), "Oneof fields can't specify field presence.");
        } else if repeated {
            error(
                name.clone(),
                "Repeated fields can't specify field presence.",
            );
        } else if place.extension && presence != FieldPresence::LegacyRequired as i32 {
            error(name.clone(), "Extensions can't specify field presence.");
        } else if message_typed && presence == FieldPresence::Implicit as i32 {
            error(
                name.clone(),
                "Message fields can't specify implicit presence.",
            );
        }
    }
    if !repeated && own.repeated_field_encoding.is_some() {
        error(
            name.clone(),
            "Only repeated fields can specify repeated field encoding.",
        );
    }
    if field.r#type() != Type::String && !place.map && own.utf8_validation.is_some() {
        error(
            name.clone(),
            "Only string fields can specify utf8 validation.",
        );
    }
    let packable = repeated
        && !matches!(
            field.r#type(),
            Type::String | Type::Bytes | Type::Message | Type::Group
        );
    if !packable && own.repeated_field_encoding == Some(RepeatedFieldEncoding::Packed as i32) {
        error(
            name.clone(),
            "Only repeated primitive fields can specify PACKED repeated field encoding.",
        );
    }
    if (!message_typed || place.map) && own.message_encoding.is_some() {
        error(name, "Only message fields can specify message encoding.");
    }
}

/// Where protoc points at a field's type: the scalar type, else the type
/// name.
fn type_path(path: &[i32], field: &FieldDescriptorProto) -> Vec<i32> {
    let part = if field.type_name.is_some() { 6 } else { 5 };
    [path, &[part]].concat()
}
