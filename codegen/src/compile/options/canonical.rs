//! A message re-serialized as protoc re-serializes options on their way to
//! `--descriptor_set_out`: parsed into a message of the pool's own types
//! (every extension of the pool known), source-retention fields dropped,
//! and serialized again.
//!
//! What that does to the bytes: fields and extensions in number order; a
//! singular scalar set twice keeps its last value, a singular message set
//! by several records is merged into one; a oneof keeps its last member;
//! repeated values keep their order and are packed or not as declared; an
//! implicit-presence field at zero is not written; and what the pool does
//! not know stays at the end, in the order read.

use std::collections::BTreeMap;

use prost::encoding::{WireType, encode_key, encode_varint};

use super::{
    pool::{Field, Pool},
    wire,
};
use crate::compile::descriptor::field_descriptor_proto::Type;

/// `bytes`, a message of type `type_name`, re-serialized; source-retention
/// fields dropped when `strip`, their paths (field numbers from this
/// message down) added to `stripped`. Bytes that do not decode come back
/// as they are.
pub(super) fn canonical(
    pool: &Pool,
    type_name: &str,
    bytes: &[u8],
    strip: bool,
    stripped: &mut Vec<Vec<i32>>,
) -> Vec<u8> {
    let mut walk = Walk {
        pool,
        strip,
        at: Vec::new(),
        stripped: Vec::new(),
    };
    match walk.canonical(type_name, bytes) {
        Some(out) => {
            stripped.extend(walk.stripped);
            out
        }
        None => bytes.to_vec(),
    }
}

/// One re-serialization: where it is, and what it dropped.
struct Walk<'a> {
    pool: &'a Pool,
    strip: bool,
    /// The field numbers from the outermost message to the current one.
    at: Vec<i32>,
    stripped: Vec<Vec<i32>>,
}

/// How deep messages are followed (protoc's recursion limit).
const MAX_DEPTH: usize = 100;

/// One value as read: its wire type and its encoding without the key (a
/// group: its fields).
struct Value<'a> {
    wire_type: WireType,
    bytes: Vec<&'a [u8]>,
}

impl Walk<'_> {
    fn canonical(&mut self, type_name: &str, bytes: &[u8]) -> Option<Vec<u8>> {
        if self.at.len() > MAX_DEPTH {
            return None;
        }
        let pool = self.pool;
        let records = wire::records(bytes)?;
        let mut known: BTreeMap<u32, (&Field, Vec<Value<'_>>)> = BTreeMap::new();
        let mut unknown = Vec::new();
        for record in &records {
            let Some(field) = pool.field_by_number(type_name, record.number) else {
                unknown.extend_from_slice(record.whole);
                continue;
            };
            if let (Some(oneof), None) = (field.oneof, &field.extendee) {
                known.retain(|_, (other, _)| {
                    other.number == field.number
                        || other.extendee.is_some()
                        || other.oneof != Some(oneof)
                });
            }
            let entry = known
                .entry(record.number)
                .or_insert_with(|| (field, Vec::new()));
            let is_message = matches!(field.kind, Type::Message | Type::Group);
            if field.repeated
                && !is_message
                && record.wire_type == WireType::LengthDelimited
                && packable(field.kind)
            {
                for value in unpack(field.kind, record.inner)? {
                    entry.1.push(Value {
                        wire_type: scalar_wire_type(field.kind),
                        bytes: vec![value],
                    });
                }
            } else if !field.repeated && is_message {
                // Records of one singular message merge.
                match entry.1.first_mut() {
                    Some(value) => value.bytes.push(record.inner),
                    None => entry.1.push(Value {
                        wire_type: record.wire_type,
                        bytes: vec![record.inner],
                    }),
                }
            } else {
                if !field.repeated {
                    entry.1.clear();
                }
                entry.1.push(Value {
                    wire_type: record.wire_type,
                    bytes: vec![record.inner],
                });
            }
        }
        let mut out = Vec::with_capacity(bytes.len());
        for (number, (field, values)) in &known {
            let number = *number;
            if self.strip && field.source_retention {
                let mut path = self.at.clone();
                path.push(number as i32);
                self.stripped.push(path);
                continue;
            }
            match field.kind {
                Type::Message | Type::Group => {
                    for value in values {
                        let inner: Vec<u8> = value.bytes.concat();
                        self.at.push(number as i32);
                        let inner = self.canonical(&field.type_name, &inner);
                        self.at.pop();
                        let inner = inner?;
                        if field.kind == Type::Group {
                            wire::put_group(number, &inner, &mut out);
                        } else {
                            wire::put_bytes(number, &inner, &mut out);
                        }
                    }
                }
                _ if field.packed => {
                    if !values.is_empty() {
                        let packed: Vec<u8> =
                            values.iter().flat_map(|v| v.bytes.concat()).collect();
                        wire::put_bytes(number, &packed, &mut out);
                    }
                }
                _ => {
                    for value in values {
                        let raw = value.bytes.concat();
                        if field.implicit && raw.iter().all(|b| *b == 0) {
                            continue;
                        }
                        encode_key(number, value.wire_type, &mut out);
                        if value.wire_type == WireType::LengthDelimited {
                            encode_varint(raw.len() as u64, &mut out);
                        }
                        out.extend_from_slice(&raw);
                    }
                }
            }
        }
        out.extend_from_slice(&unknown);
        Some(out)
    }
}

fn packable(kind: Type) -> bool {
    !matches!(
        kind,
        Type::String | Type::Bytes | Type::Message | Type::Group
    )
}

fn scalar_wire_type(kind: Type) -> WireType {
    match kind {
        Type::Fixed32 | Type::Sfixed32 | Type::Float => WireType::ThirtyTwoBit,
        Type::Fixed64 | Type::Sfixed64 | Type::Double => WireType::SixtyFourBit,
        _ => WireType::Varint,
    }
}

/// The values of a packed record of `kind`.
fn unpack(kind: Type, mut bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = match scalar_wire_type(kind) {
            WireType::ThirtyTwoBit => 4,
            WireType::SixtyFourBit => 8,
            _ => bytes.iter().position(|b| b & 0x80 == 0)? + 1,
        };
        out.push(bytes.get(..len)?);
        bytes = &bytes[len..];
    }
    Some(out)
}
