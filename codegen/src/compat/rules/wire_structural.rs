//! WIRE_STRUCTURAL, protoforge's opt-in structural wire check (not a buf
//! rule, in none of buf's categories, off unless asked for).
//!
//! buf compares a field's message or enum type by name: renaming a message
//! or moving it to another package is breaking to it even when the bytes on
//! the wire do not change, and swapping a type for another of the same name
//! but a different shape goes unseen. When a field's message or enum type
//! changed name, this check compares the two types by structure instead,
//! recursively: field numbers, wire types, cardinality, required fields,
//! nested message types and enum values, with cycles handled (a pair of
//! types already under comparison is taken as compatible, coinductively).
//! It reports only what breaks a reader of the other side's bytes, with the
//! path through the types to it.
//!
//! What breaks: a field number kept with another wire encoding (the scalar
//! groups buf uses for FIELD_WIRE_COMPATIBLE_TYPE, enums with the varint
//! integers, a message or group only with the same kind); a field turned
//! from singular to repeated or back (values are lost); a required field
//! added or removed (a reader rejects the message); an enum value number
//! dropped (a closed enum reader loses the value). Deleted and added
//! optional fields are not: readers skip unknown numbers.

use std::collections::HashSet;

use crate::compile::descriptor::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto,
    field_descriptor_proto::{Label, Type},
};

use super::{Categories, Check, Report, Rule};
use crate::compat::{
    pairing::FieldPair,
    schema::{
        Index,
        number::{FIELD_TYPE, FIELD_TYPE_NAME},
    },
};

/// The category: opt-in, never one of buf's.
pub const CATEGORY: &str = "WIRE_STRUCTURAL";

pub(super) const RULES: &[Rule] = &[Rule {
    id: "FIELD_SAME_WIRE_STRUCTURE",
    purpose: "Checks that a field whose message or enum type changed keeps a wire-compatible structure (protoforge, not buf).",
    categories: Categories {
        v1beta1: Some(&[CATEGORY]),
        v1: Some(&[CATEGORY]),
        v2: Some(&[CATEGORY]),
    },
    check: Check::Field(field_same_wire_structure),
}];

/// A scalar's wire encoding, as buf groups them (enums read as varint
/// integers); `None` for messages and groups.
fn encoding(ty: Type) -> Option<u8> {
    Some(match ty {
        Type::Int32 | Type::Int64 | Type::Uint32 | Type::Uint64 | Type::Bool | Type::Enum => 1,
        Type::Sint32 | Type::Sint64 => 2,
        Type::Fixed32 | Type::Sfixed32 => 3,
        Type::Fixed64 | Type::Sfixed64 => 4,
        Type::String | Type::Bytes => 5,
        Type::Float => 6,
        Type::Double => 7,
        Type::Message | Type::Group => return None,
    })
}

fn type_word(field: &FieldDescriptorProto) -> String {
    match field.r#type() {
        Type::Message | Type::Group | Type::Enum => {
            field.type_name().trim_start_matches('.').to_owned()
        }
        scalar => scalar
            .as_str_name()
            .trim_start_matches("TYPE_")
            .to_lowercase(),
    }
}

/// The comparison of two types: both sides' schemas, the pairs of types
/// under comparison, and the incompatibilities found.
struct Comparison<'a> {
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    visiting: HashSet<(String, String)>,
    problems: Vec<String>,
}

impl Comparison<'_> {
    fn message<'s>(index: &'s Index<'_>, name: &str) -> Option<&'s DescriptorProto> {
        index
            .messages
            .get(name.trim_start_matches('.'))
            .map(|m| m.proto)
    }

    fn enumeration<'s>(index: &'s Index<'_>, name: &str) -> Option<&'s EnumDescriptorProto> {
        index
            .enums
            .get(name.trim_start_matches('.'))
            .map(|e| e.proto)
    }

    /// Compares field `previous` with field `current` of the same number,
    /// reached through `path` (`address.zip`).
    fn field(
        &mut self,
        path: &str,
        previous: &FieldDescriptorProto,
        current: &FieldDescriptorProto,
    ) {
        let (before, after) = (previous.r#type(), current.r#type());
        let repeated = |f: &FieldDescriptorProto| f.label() == Label::Repeated;
        if repeated(previous) != repeated(current) {
            let word = |r: bool| if r { "repeated" } else { "singular" };
            self.problems.push(format!(
                "\"{path}\" changed from {} to {}",
                word(repeated(previous)),
                word(repeated(current))
            ));
            return;
        }
        match (encoding(before), encoding(after)) {
            (Some(a), Some(b)) if a == b => {
                if before == Type::Enum && after == Type::Enum {
                    self.enums(path, previous.type_name(), current.type_name());
                }
            }
            (None, None) if before == after => {
                self.messages(path, previous.type_name(), current.type_name());
            }
            _ => self.problems.push(format!(
                "\"{path}\" changed wire type from \"{}\" to \"{}\"",
                type_word(previous),
                type_word(current)
            )),
        }
    }

    /// Every value number of the previous enum is still a value.
    fn enums(&mut self, path: &str, previous: &str, current: &str) {
        let (Some(before), Some(after)) = (
            Self::enumeration(self.before, previous),
            Self::enumeration(self.after, current),
        ) else {
            return;
        };
        let mut missing: Vec<i32> = before
            .value
            .iter()
            .map(|v| v.number())
            .filter(|n| !after.value.iter().any(|v| v.number() == *n))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            let numbers: Vec<String> = missing.iter().map(i32::to_string).collect();
            let at = if path.is_empty() {
                String::new()
            } else {
                format!("\"{path}\": ")
            };
            self.problems.push(format!(
                "{at}enum \"{}\" lost value numbers {} of \"{}\"",
                current.trim_start_matches('.'),
                numbers.join(", "),
                previous.trim_start_matches('.'),
            ));
        }
    }

    /// The fields both messages number alike, recursively; required fields
    /// on one side only.
    fn messages(&mut self, path: &str, previous: &str, current: &str) {
        let key = (previous.to_owned(), current.to_owned());
        if !self.visiting.insert(key) {
            return; // Under comparison already: a cycle.
        }
        let (Some(before), Some(after)) = (
            Self::message(self.before, previous),
            Self::message(self.after, current),
        ) else {
            return;
        };
        let join = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        for field in &before.field {
            let other = after.field.iter().find(|f| f.number() == field.number());
            match other {
                Some(other) => self.field(&join(other.name()), field, other),
                None if field.label() == Label::Required => self.problems.push(format!(
                    "required field \"{}\" ({}) was removed",
                    join(field.name()),
                    field.number()
                )),
                None => {}
            }
        }
        for field in &after.field {
            let new = !before.field.iter().any(|f| f.number() == field.number());
            if new && field.label() == Label::Required {
                self.problems.push(format!(
                    "required field \"{}\" ({}) was added",
                    join(field.name()),
                    field.number()
                ));
            }
        }
    }
}

fn field_same_wire_structure(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    let named =
        |f: &FieldDescriptorProto| matches!(f.r#type(), Type::Message | Type::Group | Type::Enum);
    if !named(previous) || !named(current) || previous.type_name() == current.type_name() {
        return;
    }
    let mut comparison = Comparison {
        before: pair.previous.index,
        after: pair.current.index,
        visiting: HashSet::new(),
        problems: Vec::new(),
    };
    match (previous.r#type(), current.r#type()) {
        (Type::Enum, Type::Enum) => comparison.enums("", previous.type_name(), current.type_name()),
        (before, after) if before == after => {
            comparison.messages("", previous.type_name(), current.type_name())
        }
        _ => comparison.problems.push(format!(
            "it changed wire type from \"{}\" to \"{}\"",
            type_word(previous),
            type_word(current)
        )),
    }
    let suffix = if current.r#type() == Type::Group {
        FIELD_TYPE
    } else {
        FIELD_TYPE_NAME
    };
    for problem in comparison.problems {
        report.add(
            pair.file(),
            pair.span(&[suffix]),
            format!(
                "{} changed type from \"{}\" to \"{}\", which is not wire compatible: {problem}.",
                pair.describe(),
                previous.type_name().trim_start_matches('.'),
                current.type_name().trim_start_matches('.')
            ),
        );
    }
}
