//! Writing each file of the pool as protoc writes it.
//!
//! Two things are done at the byte level, on the encoded descriptor, rather
//! than by re-encoding through reflection (which costs more than the whole
//! compilation on a large corpus):
//! - the source info, kept out of the pool, goes back in ([`encode_file`]);
//! - custom options are written as protoc writes them ([`OptionsRewrite`]).
//!   protoc interprets each option into the unknown fields of the options
//!   message, one value at a time in the order written, so custom options
//!   come out in that order and unpacked, whatever their declaration says.
//!   prost-reflect writes them by number, and packed when the extension is
//!   (proto3's default for scalars, or `[packed = true]`).

use std::collections::{HashMap, HashSet};

use prost::encoding::{WireType, decode_varint, encode_key, encode_varint};
use prost_reflect::{DescriptorPool, FileDescriptor, Kind};

use super::{batch::OptionOrder, source_info::FIRST_EXTENSION_NUMBER};

/// `FileDescriptorSet.file`.
const FILE_FIELD: u32 = 1;
/// `FileDescriptorProto.source_code_info`.
const SOURCE_CODE_INFO_FIELD: u32 = 9;

/// Appends `file` (an encoded `FileDescriptorProto` with no source info) to
/// the encoded `FileDescriptorSet` `out`, with `info` (an encoded
/// `SourceCodeInfo`) put back where the file's encoding has field 9: before
/// `syntax` (12) and `edition` (14). (prost-reflect writes the fields of a
/// file in declaration order: 1, 2, 3, 10, 11, 4 to 9, 12, 14.)
pub(crate) fn encode_file(file: &[u8], info: Option<&[u8]>, out: &mut Vec<u8>) {
    let Some(info) = info else {
        write_length_delimited(FILE_FIELD, &[file], out);
        return;
    };
    let split = top_level_fields(file)
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|field| field.number > SOURCE_CODE_INFO_FIELD + 2)
                .map(|field| field.range.start)
        })
        .unwrap_or(file.len());
    let mut info_field = Vec::with_capacity(info.len() + 6);
    write_length_delimited(SOURCE_CODE_INFO_FIELD, &[info], &mut info_field);
    write_length_delimited(
        FILE_FIELD,
        &[&file[..split], &info_field, &file[split..]],
        out,
    );
}

/// The encoded `FileDescriptorProto` `file` without its source info.
pub(crate) fn without_source_info(file: &[u8]) -> Vec<u8> {
    match top_level_fields(file) {
        Some(fields) => fields
            .into_iter()
            .filter(|field| field.number != SOURCE_CODE_INFO_FIELD)
            .flat_map(|field| &file[field.range])
            .copied()
            .collect(),
        None => file.to_vec(),
    }
}

/// Writes field `number` holding the concatenation of `parts`.
fn write_length_delimited(number: u32, parts: &[&[u8]], out: &mut Vec<u8>) {
    encode_key(number, WireType::LengthDelimited, out);
    encode_varint(parts.iter().map(|p| p.len() as u64).sum(), out);
    for part in parts {
        out.extend_from_slice(part);
    }
}

/// One top-level field of an encoded message.
struct RawField {
    number: u32,
    wire_type: u64,
    /// The whole field, key included.
    range: std::ops::Range<usize>,
    /// The value; for a length-delimited field, without its length.
    value: std::ops::Range<usize>,
}

/// The top-level fields of the encoded message `bytes`; `None` if it does
/// not decode.
fn top_level_fields(bytes: &[u8]) -> Option<Vec<RawField>> {
    let mut fields = Vec::new();
    let mut rest = bytes;
    let offset = |rest: &[u8]| bytes.len() - rest.len();
    while !rest.is_empty() {
        let start = offset(rest);
        let key = decode_varint(&mut rest).ok()?;
        let (value_start, len) = match key & 7 {
            0 => {
                let value_start = offset(rest);
                decode_varint(&mut rest).ok()?;
                (value_start, offset(rest) - value_start)
            }
            1 => (offset(rest), 8),
            2 => {
                let len = usize::try_from(decode_varint(&mut rest).ok()?).ok()?;
                (offset(rest), len)
            }
            5 => (offset(rest), 4),
            _ => return None,
        };
        let end = value_start.checked_add(len)?;
        rest = bytes.get(end..)?;
        fields.push(RawField {
            number: u32::try_from(key >> 3).ok()?,
            wire_type: key & 7,
            range: start..end,
            value: value_start..end,
        });
    }
    Some(fields)
}

/// The repeated custom options prost-reflect writes packed, per options
/// message, with the wire type of one value; and the files that declare
/// them.
pub(crate) struct CustomOptionPacking {
    packed: HashMap<Node, HashMap<u32, WireType>>,
    declared_in: HashSet<String>,
}

impl CustomOptionPacking {
    /// `None` when no extension of an options message is packed (the
    /// common case: nothing to rewrite).
    pub(crate) fn of(pool: &DescriptorPool) -> Option<CustomOptionPacking> {
        let mut packed: HashMap<Node, HashMap<u32, WireType>> = HashMap::new();
        let mut declared_in = HashSet::new();
        for extension in pool.all_extensions().filter(|e| e.is_packed()) {
            let Some(node) = Node::options(extension.containing_message().full_name()) else {
                continue;
            };
            let wire_type = match extension.kind() {
                Kind::Fixed32 | Kind::Sfixed32 | Kind::Float => WireType::ThirtyTwoBit,
                Kind::Fixed64 | Kind::Sfixed64 | Kind::Double => WireType::SixtyFourBit,
                _ => WireType::Varint,
            };
            packed
                .entry(node)
                .or_default()
                .insert(extension.number(), wire_type);
            declared_in.insert(extension.parent_file().name().to_owned());
        }
        (!packed.is_empty()).then_some(CustomOptionPacking {
            packed,
            declared_in,
        })
    }

    /// Whether `file` can use one of the options: it declares one, or
    /// imports a file that does (directly, or through public imports).
    pub(crate) fn may_apply(&self, file: &FileDescriptor) -> bool {
        fn visible(packing: &CustomOptionPacking, file: &FileDescriptor, depth: usize) -> bool {
            packing.declared_in.contains(file.name())
                || (depth < 64
                    && file
                        .public_dependencies()
                        .any(|public| visible(packing, &public, depth + 1)))
        }
        visible(self, file, 0) || file.dependencies().any(|dep| visible(self, &dep, 0))
    }
}

/// The byte-level rewrite of one file's options: packed custom options
/// unpacked, custom options put in the order they were written.
pub(crate) struct OptionsRewrite<'a> {
    pub packing: Option<&'a CustomOptionPacking>,
    pub order: Option<&'a OptionOrder>,
}

impl OptionsRewrite<'_> {
    /// `file` (an encoded `FileDescriptorProto`) rewritten; `None` when
    /// nothing changed.
    pub(crate) fn apply(&self, file: &[u8]) -> Option<Vec<u8>> {
        if self.packing.is_none() && self.order.is_none() {
            return None;
        }
        self.rewrite(file, Node::File, &mut Vec::new())
    }

    /// `bytes`, a `node` at `path`, rewritten; `None` when nothing changed.
    fn rewrite(&self, bytes: &[u8], node: Node, path: &mut Vec<i32>) -> Option<Vec<u8>> {
        let fields = top_level_fields(bytes)?;
        if let Node::Options(_) = node {
            return self.rewrite_options(bytes, &fields, node, path);
        }
        let mut indexes: HashMap<u32, i32> = HashMap::new();
        let mut out: Option<Vec<u8>> = None;
        for (i, field) in fields.iter().enumerate() {
            let replacement = match node.child(field.number) {
                Some(child) if field.wire_type == 2 => {
                    path.push(field.number as i32);
                    if !matches!(child, Node::Options(_)) {
                        let index = indexes.entry(field.number).or_insert(0);
                        path.push(*index);
                        *index += 1;
                    }
                    let inner = self.rewrite(&bytes[field.value.clone()], child, path);
                    path.truncate(path.len() - 1 - usize::from(!matches!(child, Node::Options(_))));
                    inner.map(|inner| {
                        let mut encoded = Vec::with_capacity(inner.len() + 6);
                        write_length_delimited(field.number, &[&inner], &mut encoded);
                        encoded
                    })
                }
                _ => None,
            };
            match (replacement, &mut out) {
                (Some(replacement), Some(out)) => out.extend_from_slice(&replacement),
                (Some(replacement), None) => {
                    let mut started = Vec::with_capacity(bytes.len() + 16);
                    for earlier in &fields[..i] {
                        started.extend_from_slice(&bytes[earlier.range.clone()]);
                    }
                    started.extend_from_slice(&replacement);
                    out = Some(started);
                }
                (None, Some(out)) => out.extend_from_slice(&bytes[field.range.clone()]),
                (None, None) => {}
            }
        }
        out
    }

    fn rewrite_options(
        &self,
        bytes: &[u8],
        fields: &[RawField],
        node: Node,
        path: &[i32],
    ) -> Option<Vec<u8>> {
        let packed = self.packing.and_then(|p| p.packed.get(&node));
        let order = self.order.and_then(|order| order.get(path));
        if packed.is_none() && order.is_none() {
            return None;
        }
        // One field per value, as (number, bytes).
        let mut values: Vec<(u32, std::borrow::Cow<'_, [u8]>)> = Vec::with_capacity(fields.len());
        let mut changed = false;
        for field in fields {
            match packed.and_then(|p| p.get(&field.number)) {
                Some(wire_type) if field.wire_type == 2 => {
                    changed = true;
                    for value in unpack(*wire_type, &bytes[field.value.clone()])? {
                        let mut encoded = Vec::with_capacity(value.len() + 5);
                        encode_key(field.number, *wire_type, &mut encoded);
                        encoded.extend_from_slice(value);
                        values.push((field.number, encoded.into()));
                    }
                }
                _ => values.push((field.number, bytes[field.range.clone()].into())),
            }
        }
        if let Some(order) = order {
            // protoc: the options' own fields by number, then custom options
            // in the order written.
            let (mut sorted, mut custom): (Vec<_>, Vec<_>) = values
                .into_iter()
                .map(Some)
                .partition(|v| v.as_ref().is_some_and(|(n, _)| *n < FIRST_EXTENSION_NUMBER));
            for number in order {
                if let Some(slot) = custom
                    .iter_mut()
                    .find(|v| v.as_ref().is_some_and(|(n, _)| n == number))
                {
                    sorted.push(slot.take());
                }
            }
            sorted.extend(custom.into_iter().filter(Option::is_some));
            values = sorted.into_iter().flatten().collect();
            changed = true;
        }
        changed.then(|| values.iter().flat_map(|(_, v)| v.iter()).copied().collect())
    }
}

/// The values of a packed field, each encoded as `wire_type`.
fn unpack(wire_type: WireType, mut values: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !values.is_empty() {
        let len = match wire_type {
            WireType::ThirtyTwoBit => 4,
            WireType::SixtyFourBit => 8,
            _ => {
                let mut rest = values;
                decode_varint(&mut rest).ok()?;
                values.len() - rest.len()
            }
        };
        out.push(values.get(..len)?);
        values = &values[len..];
    }
    Some(out)
}

/// Where an encoded message sits in a `FileDescriptorProto`: which fields
/// hold descriptors, and which hold options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Node {
    File,
    Message,
    Field,
    Oneof,
    Enum,
    EnumValue,
    Service,
    Method,
    ExtensionRange,
    Options(&'static str),
}

impl Node {
    fn options(full_name: &str) -> Option<Node> {
        const OPTIONS: [&str; 9] = [
            "google.protobuf.FileOptions",
            "google.protobuf.MessageOptions",
            "google.protobuf.FieldOptions",
            "google.protobuf.OneofOptions",
            "google.protobuf.EnumOptions",
            "google.protobuf.EnumValueOptions",
            "google.protobuf.ServiceOptions",
            "google.protobuf.MethodOptions",
            "google.protobuf.ExtensionRangeOptions",
        ];
        OPTIONS
            .iter()
            .find(|name| **name == full_name)
            .map(|name| Node::Options(name))
    }

    /// What field `number` of this node holds (descriptor.proto's numbers).
    fn child(self, number: u32) -> Option<Node> {
        use Node::*;
        let options = |name| Node::options(name);
        match (self, number) {
            (File, 4) | (Message, 3) => Some(Message),
            (File, 5) | (Message, 4) => Some(Enum),
            (File, 6) => Some(Service),
            (File, 7) | (Message, 2 | 6) => Some(Field),
            (Message, 5) => Some(ExtensionRange),
            (Message, 8) => Some(Oneof),
            (Enum, 2) => Some(EnumValue),
            (Service, 2) => Some(Method),
            (File, 8) => options("google.protobuf.FileOptions"),
            (Message, 7) => options("google.protobuf.MessageOptions"),
            (Field, 8) => options("google.protobuf.FieldOptions"),
            (Oneof, 2) => options("google.protobuf.OneofOptions"),
            (Enum, 3) => options("google.protobuf.EnumOptions"),
            (EnumValue, 3) => options("google.protobuf.EnumValueOptions"),
            (Service, 3) => options("google.protobuf.ServiceOptions"),
            (Method, 4) => options("google.protobuf.MethodOptions"),
            (ExtensionRange, 3) => options("google.protobuf.ExtensionRangeOptions"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_info_goes_before_syntax() {
        // name = "a" (1), syntax = "p" (12).
        let file = [0x0a, 0x01, b'a', 0x62, 0x01, b'p'];
        let mut out = Vec::new();
        encode_file(&file, Some(&[0x0a, 0x00]), &mut out);
        // Field 1 of the set, 10 bytes: name, field 9 (a location), syntax.
        assert_eq!(
            out,
            [
                0x0a, 0x0a, 0x0a, 0x01, b'a', 0x4a, 0x02, 0x0a, 0x00, 0x62, 0x01, b'p'
            ]
        );
        assert_eq!(without_source_info(&out[2..]), file);
    }

    #[test]
    fn packed_values_are_split() {
        assert_eq!(
            unpack(WireType::Varint, &[0x01, 0xac, 0x02]),
            Some(vec![&[0x01][..], &[0xac, 0x02]])
        );
        assert_eq!(
            unpack(WireType::ThirtyTwoBit, &[7, 0, 0, 0]),
            Some(vec![&[7, 0, 0, 0][..]])
        );
        assert_eq!(unpack(WireType::ThirtyTwoBit, &[7, 0, 0]), None);
    }
}
