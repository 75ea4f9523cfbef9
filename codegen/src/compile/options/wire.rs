//! Option values on the wire, as protoc's `UnknownFieldSet` holds them:
//! one record per value, in the order set.

use prost::encoding::{WireType, decode_varint, encode_key, encode_varint};

/// Appends field `number` holding `bytes` (length-delimited).
pub(super) fn put_bytes(number: u32, bytes: &[u8], out: &mut Vec<u8>) {
    encode_key(number, WireType::LengthDelimited, out);
    encode_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// Appends field `number` as a group holding the fields `inner`.
pub(super) fn put_group(number: u32, inner: &[u8], out: &mut Vec<u8>) {
    encode_key(number, WireType::StartGroup, out);
    out.extend_from_slice(inner);
    encode_key(number, WireType::EndGroup, out);
}

/// Appends field `number` as a varint.
pub(super) fn put_varint(number: u32, value: u64, out: &mut Vec<u8>) {
    encode_key(number, WireType::Varint, out);
    encode_varint(value, out);
}

/// Appends field `number` as 4 bytes.
pub(super) fn put_fixed32(number: u32, value: u32, out: &mut Vec<u8>) {
    encode_key(number, WireType::ThirtyTwoBit, out);
    out.extend_from_slice(&value.to_le_bytes());
}

/// Appends field `number` as 8 bytes.
pub(super) fn put_fixed64(number: u32, value: u64, out: &mut Vec<u8>) {
    encode_key(number, WireType::SixtyFourBit, out);
    out.extend_from_slice(&value.to_le_bytes());
}

/// One record of an encoded message.
pub(super) struct Record<'a> {
    pub number: u32,
    pub wire_type: WireType,
    /// The whole record, key included.
    pub whole: &'a [u8],
    /// A length-delimited record's bytes, or a group's fields.
    pub inner: &'a [u8],
}

/// The records of `bytes`; `None` if they do not decode.
pub(super) fn records(bytes: &[u8]) -> Option<Vec<Record<'_>>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (record, after) = record(rest)?;
        out.push(record);
        rest = after;
    }
    Some(out)
}

fn record(bytes: &[u8]) -> Option<(Record<'_>, &[u8])> {
    let mut rest = bytes;
    let key = decode_varint(&mut rest).ok()?;
    let number = u32::try_from(key >> 3).ok()?;
    let wire_type = WireType::try_from(key & 7).ok()?;
    let start = bytes.len() - rest.len();
    let (inner, end) = match wire_type {
        WireType::Varint => {
            decode_varint(&mut rest).ok()?;
            (start..bytes.len() - rest.len(), bytes.len() - rest.len())
        }
        WireType::SixtyFourBit => (start..start + 8, start + 8),
        WireType::ThirtyTwoBit => (start..start + 4, start + 4),
        WireType::LengthDelimited => {
            let len = usize::try_from(decode_varint(&mut rest).ok()?).ok()?;
            let at = bytes.len() - rest.len();
            (at..at.checked_add(len)?, at.checked_add(len)?)
        }
        WireType::StartGroup => {
            let mut inner_end = start;
            loop {
                let mut probe = &bytes[inner_end..];
                let inner_key = decode_varint(&mut probe).ok()?;
                if inner_key & 7 == 4 {
                    if inner_key >> 3 != key >> 3 {
                        return None;
                    }
                    break (start..inner_end, bytes.len() - probe.len());
                }
                let (_, after) = record(&bytes[inner_end..])?;
                inner_end = bytes.len() - after.len();
            }
        }
        WireType::EndGroup => return None,
    };
    let whole = bytes.get(..end)?;
    Some((
        Record {
            number,
            wire_type,
            whole,
            inner: bytes.get(inner)?,
        },
        &bytes[end..],
    ))
}

/// protoc's `ExamineIfOptionIsSet`: whether the records `set` already hold
/// a value at the field path `numbers` (intermediate messages searched in
/// every record of their number).
pub(super) fn is_set(set: &[u8], numbers: &[u32]) -> bool {
    let Some(records) = records(set) else {
        return false;
    };
    match numbers {
        [] => false,
        [last] => records.iter().any(|r| r.number == *last),
        [first, rest @ ..] => records.iter().any(|r| {
            r.number == *first
                && matches!(
                    r.wire_type,
                    WireType::LengthDelimited | WireType::StartGroup
                )
                && is_set(r.inner, rest)
        }),
    }
}
