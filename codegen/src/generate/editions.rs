//! Editions files for prost-build, which knows only proto2 and proto3 (it
//! panics on `syntax = "editions"`, and tonic-prost-build with it).
//!
//! Each editions file is handed over as a proto3 file that means the same
//! to prost-build, field by field, from the features resolved on it (with
//! protoc's defaults, [`protoc_resolver`]):
//! - explicit presence on a singular scalar or enum field outside a oneof
//!   is proto3 `optional` (`Option<T>`, the declared `default` kept);
//!   implicit presence is a plain proto3 field;
//! - `LEGACY_REQUIRED` is `required`;
//! - a message field encoded `DELIMITED` is a group (`Option<T>` when
//!   singular); a map never is;
//! - every repeated scalar or enum field says `packed` or not, as its
//!   `repeated_field_encoding` resolves.
//!
//! prost-build reads a file's syntax for two defaults only (whether a
//! singular scalar is an `Option`, whether repeated scalars are packed); the
//! rewrite spells both out on every field, so proto3 is a choice of
//! convenience, not of meaning. Open and closed enums generate the same
//! prost code (an `i32` field); what differs is prost's, not the
//! descriptor's: see the README's editions section. proto2 and proto3 files
//! pass through untouched.

use std::collections::{HashMap, HashSet};

use prost::Message;

use crate::compile::{
    descriptor::{
        self, DescriptorProto, FieldDescriptorProto, FieldOptions,
        feature_set::{FieldPresence, MessageEncoding, RepeatedFieldEncoding},
        field_descriptor_proto::{Label, Type},
    },
    features::{Features, protoc_resolver, resolve_file},
};

/// The files of an encoded `FileDescriptorSet` as prost-build takes them:
/// editions files rewritten (see the module's doc), the rest as they are.
/// `Err` says which file cannot be read or resolved, and why.
pub(crate) fn for_prost(bytes: &[u8]) -> Result<prost_types::FileDescriptorSet, String> {
    let mut set = descriptor::FileDescriptorSet::decode(bytes)
        .map_err(|err| format!("cannot read the descriptor set: {err}"))?;
    for file in &mut set.file {
        if file.syntax() == "editions" {
            let resolved: HashMap<String, Features> = resolve_file(file, protoc_resolver())
                .map_err(|err| format!("{}: {err}", file.name()))?
                .into_iter()
                .collect();
            let scope = match file.package() {
                "" => String::new(),
                package => format!(".{package}"),
            };
            for message in &mut file.message_type {
                rewrite_message(message, &scope, &resolved);
            }
            file.syntax = Some("proto3".to_owned());
            file.edition = None;
        }
    }
    Ok(set.to_prost())
}

fn rewrite_message(
    message: &mut DescriptorProto,
    scope: &str,
    resolved: &HashMap<String, Features>,
) {
    let name = format!("{scope}.{}", message.name());
    let is_map_entry = |m: &DescriptorProto| m.options.as_ref().is_some_and(|o| o.map_entry());
    // A map entry's key and value are prost's map types, whatever they say.
    if !is_map_entry(message) {
        let maps: HashSet<String> = message
            .nested_type
            .iter()
            .filter(|nested| is_map_entry(nested))
            .map(|nested| format!("{name}.{}", nested.name()))
            .collect();
        for field in &mut message.field {
            let key = format!("field {name}.{}", field.name());
            if let Some(features) = resolved.get(&key) {
                let is_map = maps.contains(field.type_name());
                rewrite_field(field, features, is_map);
            }
        }
    }
    for nested in &mut message.nested_type {
        rewrite_message(nested, &name, resolved);
    }
}

fn rewrite_field(field: &mut FieldDescriptorProto, features: &Features, is_map: bool) {
    let delimited = features.message_encoding() == MessageEncoding::Delimited;
    if field.r#type() == Type::Message && delimited && !is_map {
        field.r#type = Some(Type::Group as i32);
    }
    match field.label() {
        Label::Repeated => {
            if packable(field.r#type()) {
                let packed = features.repeated_field_encoding() == RepeatedFieldEncoding::Packed;
                field
                    .options
                    .get_or_insert_with(FieldOptions::default)
                    .packed = Some(packed);
            }
        }
        Label::Required => {}
        Label::Optional => {
            let presence = features.field_presence();
            if presence == FieldPresence::LegacyRequired {
                field.label = Some(Label::Required as i32);
            } else if field.oneof_index.is_none() {
                // A message field has presence, whatever the feature says,
                // and proto3 gives it; a group (and a scalar with explicit
                // presence) is an `Option` in proto3 only as `optional`.
                let explicit = match field.r#type() {
                    Type::Message => false,
                    Type::Group => true,
                    _ => presence == FieldPresence::Explicit,
                };
                if explicit {
                    field.proto3_optional = Some(true);
                }
            }
        }
    }
}

/// Whether repeated fields of a type may be packed: scalars but strings and
/// bytes, and enums.
fn packable(ty: Type) -> bool {
    !matches!(ty, Type::String | Type::Bytes | Type::Message | Type::Group)
}
