//! Descriptor types of protoforge's own, generated from protoc 35's
//! `google/protobuf/descriptor.proto`.
//!
//! prost-types 0.14's descriptor.proto predates editions: decoding an image
//! through it drops `edition`, every `features` option and every field added
//! since 2022, and re-encoding loses custom options. These types know every
//! field of the current `descriptor.proto` and keep what they do not know
//! (custom options, language feature extensions such as `pb.cpp`, fields of
//! a later protoc) as raw bytes in [`UnknownFields`], so a descriptor set
//! decodes and re-encodes byte for byte as protoc wrote it.
//!
//! `generated.rs` is written by `generator.rs` (test-only) from
//! `descriptor.binpb`, protoc 35's own compilation of `descriptor.proto`; a
//! unit test fails when the checked-in source is stale, and
//! `codegen/tests/editions.rs` fails when `descriptor.binpb` differs from
//! what the protoc of the Python venv writes.
//!
//! The rest of the library (compat's rules) still works on
//! `prost_types`; [`FileDescriptorSet::to_prost`] converts at that boundary
//! and loses what prost-types cannot hold (listed there).

mod generated;
#[cfg(test)]
mod generator;
#[cfg(any(feature = "generate", feature = "json"))]
mod older_syntax;
#[cfg(feature = "json")]
mod reflect;
#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use prost::{
    DecodeError, Message,
    bytes::{Buf, BufMut},
    encoding::{WireType, decode_key, decode_varint, encode_key, encode_varint},
};

pub use generated::*;
#[cfg(any(feature = "generate", feature = "json"))]
pub use older_syntax::{OlderSyntax, respell_editions};
#[cfg(feature = "json")]
pub use reflect::{reflect_file_descriptor_set, reflect_pool};

/// protoc 35's `FileDescriptorSet` of `google/protobuf/descriptor.proto`
/// (no source info), the source of `generated.rs`.
pub const DESCRIPTOR_PROTO_SET: &[u8] = include_bytes!("descriptor.binpb");

/// [`DESCRIPTOR_PROTO_SET`] decoded, once per process: every file's
/// feature checks and every option interpretation read it.
pub fn descriptor_proto_set() -> &'static FileDescriptorSet {
    static SET: OnceLock<FileDescriptorSet> = OnceLock::new();
    SET.get_or_init(|| {
        FileDescriptorSet::decode(DESCRIPTOR_PROTO_SET)
            .unwrap_or_else(|err| unreachable!("descriptor.binpb is protoc's own output: {err}"))
    })
}

/// How deep groups may nest inside unknown fields (prost's own limit for
/// messages).
const GROUP_DEPTH_LIMIT: u32 = 100;

/// Fields a message's declaration does not hold, in the order read, encoded
/// as on the wire (key and value). They are written back after the known
/// fields, where protoc writes extensions and unknown fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnknownFields(Vec<u8>);

impl UnknownFields {
    /// The raw bytes: a sequence of encoded fields.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether no unknown field was read.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends already encoded fields.
    pub fn extend_from_encoded(&mut self, fields: &[u8]) {
        self.0.extend_from_slice(fields);
    }

    fn encode_raw(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.0);
    }

    fn encoded_len(&self) -> usize {
        self.0.len()
    }

    /// Keeps the field whose key was just read (`tag`, `wire_type`).
    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
    ) -> Result<(), DecodeError> {
        copy_field(tag, wire_type, buf, &mut self.0, 0)
    }
}

/// Copies one field's value from `buf` to `out`, after its key.
fn copy_field(
    tag: u32,
    wire_type: WireType,
    buf: &mut impl Buf,
    out: &mut Vec<u8>,
    depth: u32,
) -> Result<(), DecodeError> {
    if depth > GROUP_DEPTH_LIMIT {
        return Err(decode_error("unknown groups nested too deep"));
    }
    encode_key(tag, wire_type, out);
    match wire_type {
        WireType::Varint => encode_varint(decode_varint(buf)?, out),
        WireType::SixtyFourBit => copy_bytes(buf, 8, out)?,
        WireType::ThirtyTwoBit => copy_bytes(buf, 4, out)?,
        WireType::LengthDelimited => {
            let len = decode_varint(buf)?;
            encode_varint(len, out);
            copy_bytes(buf, len, out)?;
        }
        WireType::StartGroup => loop {
            let (inner_tag, inner_wire_type) = decode_key(buf)?;
            if inner_wire_type == WireType::EndGroup {
                if inner_tag != tag {
                    return Err(decode_error("unexpected end group tag"));
                }
                encode_key(inner_tag, WireType::EndGroup, out);
                break;
            }
            copy_field(inner_tag, inner_wire_type, buf, out, depth + 1)?;
        },
        WireType::EndGroup => return Err(decode_error("unexpected end group tag")),
    }
    Ok(())
}

fn copy_bytes(buf: &mut impl Buf, len: u64, out: &mut Vec<u8>) -> Result<(), DecodeError> {
    let len = usize::try_from(len)
        .ok()
        .filter(|&len| len <= buf.remaining())
        .ok_or_else(|| decode_error("buffer underflow"))?;
    let start = out.len();
    out.resize(start + len, 0);
    buf.copy_to_slice(&mut out[start..]);
    Ok(())
}

/// An error of our own unknown-field reader. prost 0.14 deprecates
/// `DecodeError::new` (it has no other constructor outside prost) but keeps
/// it until its next breaking release, which `Cargo.toml` pins away from.
#[allow(deprecated)]
fn decode_error(description: &'static str) -> DecodeError {
    DecodeError::new(description)
}

/// Conversions for programs that work on `prost_types` (feature
/// `prost-types`, off by default: a build script does not need them).
#[cfg(feature = "prost-types")]
impl FileDescriptorSet {
    /// The set as `prost_types`, for code that still works on them.
    ///
    /// Lost on the way, until that code moves to these types: the
    /// `edition` of each file, every `features` option and the resolved
    /// features they imply, the fields descriptor.proto gained since
    /// prost-types 0.14 (`FieldOptions.edition_defaults`, `feature_support`,
    /// `ExtensionRangeOptions.declaration`, `verification`, the `export` /
    /// `local` visibility of declarations, `option_dependency`), and custom
    /// options (prost-types drops unknown fields). Everything else is kept.
    pub fn to_prost(&self) -> prost_types::FileDescriptorSet {
        prost_types::FileDescriptorSet::decode(self.encode_to_vec().as_slice())
            .unwrap_or_else(|err| unreachable!("prost-types rejects our own encoding: {err}"))
    }

    /// A set read from `prost_types`, nothing lost.
    pub fn from_prost(set: &prost_types::FileDescriptorSet) -> Self {
        Self::decode(set.encode_to_vec().as_slice())
            .unwrap_or_else(|err| unreachable!("prost-types wrote an undecodable set: {err}"))
    }
}
