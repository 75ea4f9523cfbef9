//! Editions files spelled in proto2 or proto3, for the tools that know only
//! those: protoforge's generator, which writes prost-build's code for them
//! (prost-build itself panics on `syntax = "editions"`, and
//! tonic-prost-build with it), and prost-reflect 0.16 (it refuses editions,
//! and panics on some files). Public, for a program that hands protoforge's
//! sets to either.
//!
//! Each editions file is rewritten, field by field, from the features
//! resolved on it (with protoc's defaults, [`protoc_resolver`]), so that it
//! means the same to the tool as to protoc wherever the older syntax can say
//! it:
//! - `LEGACY_REQUIRED` is `required`;
//! - a message field encoded `DELIMITED` is a group; a map never is;
//! - every repeated scalar or enum field says `packed` or not, as its
//!   `repeated_field_encoding` resolves;
//! - in proto3 (for prost-build), explicit presence on a singular scalar or
//!   enum field outside a oneof is `optional` (`Option<T>`, the declared
//!   `default` kept), and implicit presence a plain field. proto2 has no
//!   implicit presence: there every singular field has explicit presence, so
//!   a zero set on purpose is written where protoc's code would leave it out
//!   (the same value to any reader).
//!
//! The tools read a file's syntax for defaults only (whether a singular
//! scalar has presence, whether repeated scalars are packed, whether enums
//! must start at zero); the rewrite spells the wire-changing ones out on
//! every field, so the older syntax is chosen per tool: proto3 for
//! prost-build (`Option` only where presence is explicit), proto2 for
//! prost-reflect (which refuses a proto3 enum that does not start at zero,
//! as a closed editions enum may). Open and closed enums generate the same
//! prost code (an `i32` field); what differs is prost's, not the
//! descriptor's: see the README's editions section. proto2 and proto3 files
//! pass through untouched.

use std::collections::{HashMap, HashSet};

use super::{
    DescriptorProto, FieldDescriptorProto, FieldOptions, FileDescriptorSet,
    feature_set::{FieldPresence, MessageEncoding, RepeatedFieldEncoding},
    field_descriptor_proto::{Label, Type},
};
use crate::compile::features::{Features, protoc_resolver, resolve_file};

/// The syntax an editions file is spelled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OlderSyntax {
    /// For prost-reflect: every singular field has explicit presence.
    Proto2,
    /// For prost-build's code: `optional` only where presence is explicit.
    Proto3,
}

impl OlderSyntax {
    fn name(self) -> &'static str {
        match self {
            Self::Proto2 => "proto2",
            Self::Proto3 => "proto3",
        }
    }
}

/// Rewrites every editions file of `set` in `syntax` (see the module's
/// doc); the rest stay as they are. `Err` says which file's features do
/// not resolve, and why.
pub fn respell_editions(set: &mut FileDescriptorSet, syntax: OlderSyntax) -> Result<(), String> {
    for file in &mut set.file {
        if file.syntax() != "editions" {
            continue;
        }
        let resolved: HashMap<String, Features> = resolve_file(file, protoc_resolver())
            .map_err(|err| format!("{}: {err}", file.name()))?
            .into_iter()
            .collect();
        let scope = match file.package() {
            "" => String::new(),
            package => format!(".{package}"),
        };
        let rewrite = Rewrite {
            syntax,
            resolved: &resolved,
        };
        for message in &mut file.message_type {
            rewrite.message(message, &scope);
        }
        for extension in &mut file.extension {
            rewrite.extension(extension, &scope);
        }
        file.syntax = Some(syntax.name().to_owned());
        file.edition = None;
    }
    Ok(())
}

struct Rewrite<'a> {
    syntax: OlderSyntax,
    resolved: &'a HashMap<String, Features>,
}

impl Rewrite<'_> {
    fn message(&self, message: &mut DescriptorProto, scope: &str) {
        let name = format!("{scope}.{}", message.name());
        let is_map_entry = |m: &DescriptorProto| m.options.as_ref().is_some_and(|o| o.map_entry());
        // A map entry's key and value are the tools' map types, whatever
        // they say.
        if !is_map_entry(message) {
            let maps: HashSet<String> = message
                .nested_type
                .iter()
                .filter(|nested| is_map_entry(nested))
                .map(|nested| format!("{name}.{}", nested.name()))
                .collect();
            for field in &mut message.field {
                if let Some(features) = self.resolved.get(&format!("field {name}.{}", field.name()))
                {
                    let is_map = maps.contains(field.type_name());
                    self.field(field, features, is_map);
                }
            }
        }
        for extension in &mut message.extension {
            self.extension(extension, &name);
        }
        for nested in &mut message.nested_type {
            self.message(nested, &name);
        }
    }

    /// An extension: spelled as a field; it has explicit presence in every
    /// syntax, so it never becomes proto3 `optional`.
    fn extension(&self, extension: &mut FieldDescriptorProto, scope: &str) {
        if let Some(features) = self
            .resolved
            .get(&format!("field {scope}.{}", extension.name()))
        {
            let proto2 = Rewrite {
                syntax: OlderSyntax::Proto2,
                resolved: self.resolved,
            };
            proto2.field(extension, features, false);
        }
    }

    fn field(&self, field: &mut FieldDescriptorProto, features: &Features, is_map: bool) {
        let delimited = features.message_encoding() == MessageEncoding::Delimited;
        if field.r#type() == Type::Message && delimited && !is_map {
            field.r#type = Some(Type::Group as i32);
        }
        match field.label() {
            Label::Repeated => {
                if packable(field.r#type()) {
                    let packed =
                        features.repeated_field_encoding() == RepeatedFieldEncoding::Packed;
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
                } else if self.syntax == OlderSyntax::Proto3 && field.oneof_index.is_none() {
                    // A message field has presence, whatever the feature
                    // says, and proto3 gives it; a group (and a scalar with
                    // explicit presence) is an `Option` in proto3 only as
                    // `optional`.
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
}

/// Whether repeated fields of a type may be packed: scalars but strings and
/// bytes, and enums.
fn packable(ty: Type) -> bool {
    !matches!(ty, Type::String | Type::Bytes | Type::Message | Type::Group)
}
