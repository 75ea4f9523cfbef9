//! One option's value written as protoc's `SetOptionValue` writes it: the
//! checks of each type, with protoc's messages, and the record.

use super::{
    aggregate,
    pool::{Field, Pool},
    wire,
};
use crate::compile::{
    descriptor::{UninterpretedOption, field_descriptor_proto::Type},
    names::Visible,
};

/// Appends the record of `option`'s value for `field` to `out`, or gives
/// protoc's message (located at the value). `scope` is where names inside
/// an aggregate value are looked up from, among the files `visible`.
pub(super) fn write(
    pool: &Pool,
    field: &Field,
    option: &UninterpretedOption,
    scope: &str,
    visible: &Visible,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let name = &field.full_name;
    let number = field.number;
    match field.kind {
        Type::Int32 | Type::Sint32 | Type::Sfixed32 => {
            let value = signed(option, i32::MIN.into(), i32::MAX.into(), "int32", name)?;
            put_signed(field.kind, number, value, out);
        }
        Type::Int64 | Type::Sint64 | Type::Sfixed64 => {
            let value = signed(option, i64::MIN, i64::MAX, "int64", name)?;
            put_signed(field.kind, number, value, out);
        }
        Type::Uint32 | Type::Fixed32 => {
            let value = unsigned(option, u32::MAX.into(), "uint32", name)?;
            put_unsigned(field.kind, number, value, out);
        }
        Type::Uint64 | Type::Fixed64 => {
            let value = unsigned(option, u64::MAX, "uint64", name)?;
            put_unsigned(field.kind, number, value, out);
        }
        Type::Float => {
            let value = float(option, "float", name)?;
            wire::put_fixed32(number, (value as f32).to_bits(), out);
        }
        Type::Double => {
            let value = float(option, "double", name)?;
            wire::put_fixed64(number, value.to_bits(), out);
        }
        Type::Bool => {
            let value = match option.identifier_value.as_deref() {
                Some("true") => true,
                Some("false") => false,
                Some(_) => {
                    return Err(format!(
                        "Value must be \"true\" or \"false\" for boolean option \"{name}\"."
                    ));
                }
                None => {
                    return Err(format!(
                        "Value must be identifier for boolean option \"{name}\"."
                    ));
                }
            };
            wire::put_varint(number, value.into(), out);
        }
        Type::Enum => {
            let Some(value_name) = option.identifier_value.as_deref() else {
                return Err(format!(
                    "Value must be identifier for enum-valued option \"{name}\"."
                ));
            };
            let value = enum_value(pool, &field.type_name, value_name, name)?;
            wire::put_varint(number, i64::from(value) as u64, out);
        }
        Type::String | Type::Bytes => {
            let Some(value) = &option.string_value else {
                return Err(format!(
                    "Value must be quoted string for string option \"{name}\"."
                ));
            };
            wire::put_bytes(number, value, out);
        }
        Type::Message | Type::Group => {
            let Some(text) = &option.aggregate_value else {
                return Err(format!(
                    "Option \"{name}\" is a message. To set the entire message, use syntax like \
                     \"{short} = {{ <proto text format> }}\". To set fields within it, use \
                     syntax like \"{short}.foo = value\".",
                    short = field.name
                ));
            };
            let message = aggregate::parse(pool, &field.type_name, text, scope, visible).map_err(
                |error| {
                    format!(
                        "Error while parsing option value for \"{}\": {error}",
                        field.name
                    )
                },
            )?;
            if field.kind == Type::Group {
                wire::put_group(number, &message, out);
            } else {
                wire::put_bytes(number, &message, out);
            }
        }
    }
    Ok(())
}

/// An integer of a signed type, in `min..=max`.
fn signed(
    option: &UninterpretedOption,
    min: i64,
    max: i64,
    type_name: &str,
    name: &str,
) -> Result<i64, String> {
    let out_of_range =
        || format!("Value out of range, {min} to {max}, for {type_name} option \"{name}\".");
    if let Some(value) = option.positive_int_value {
        return i64::try_from(value)
            .ok()
            .filter(|v| *v <= max)
            .ok_or_else(out_of_range);
    }
    if let Some(value) = option.negative_int_value {
        return (value >= min).then_some(value).ok_or_else(out_of_range);
    }
    Err(format!(
        "Value must be integer, from {min} to {max}, for {type_name} option \"{name}\"."
    ))
}

/// An integer of an unsigned type, up to `max`.
fn unsigned(
    option: &UninterpretedOption,
    max: u64,
    type_name: &str,
    name: &str,
) -> Result<u64, String> {
    match option.positive_int_value {
        Some(value) if value <= max => Ok(value),
        Some(_) => Err(format!(
            "Value out of range, 0 to {max}, for {type_name} option \"{name}\"."
        )),
        None => Err(format!(
            "Value must be integer, from 0 to {max}, for {type_name} option \"{name}\"."
        )),
    }
}

/// A number for a float or double option: a literal, or `inf` and `nan`.
fn float(option: &UninterpretedOption, type_name: &str, name: &str) -> Result<f64, String> {
    if let Some(value) = option.double_value {
        Ok(value)
    } else if let Some(value) = option.positive_int_value {
        Ok(value as f64)
    } else if let Some(value) = option.negative_int_value {
        Ok(value as f64)
    } else {
        match option.identifier_value.as_deref() {
            Some("inf") => Ok(f64::INFINITY),
            Some("nan") => Ok(f64::NAN),
            _ => Err(format!(
                "Value must be number for {type_name} option \"{name}\"."
            )),
        }
    }
}

/// The number of the value `value_name` of the enum `enum_name` (full),
/// for the option `option` (full name); protoc's message when it has none.
pub(super) fn enum_value(
    pool: &Pool,
    enum_name: &str,
    value_name: &str,
    option: &str,
) -> Result<i32, String> {
    let values = pool
        .enums
        .get(enum_name)
        .map(|e| &e.values[..])
        .unwrap_or(&[]);
    if let Some((_, number)) = values.iter().find(|(n, _)| n == value_name) {
        return Ok(*number);
    }
    // Enum values are siblings of their type (C++ scoping): a value of
    // another enum of the same scope gets a hint.
    let scope = enum_name.rfind('.').map_or("", |dot| &enum_name[..dot]);
    let sibling = super::pool::join(scope, value_name);
    let hint = match pool.kind(&sibling) {
        Some((super::pool::Kind::EnumValue, _)) => {
            " This appears to be a value from a sibling type."
        }
        _ => "",
    };
    Err(format!(
        "Enum type \"{enum_name}\" has no value named \"{value_name}\" for option \"{option}\".{hint}"
    ))
}

/// Writes a signed integer as its type does on the wire.
pub(super) fn put_signed(kind: Type, number: u32, value: i64, out: &mut Vec<u8>) {
    match kind {
        Type::Sint32 | Type::Sint64 => {
            wire::put_varint(number, ((value << 1) ^ (value >> 63)) as u64, out);
        }
        Type::Sfixed32 => wire::put_fixed32(number, value as i32 as u32, out),
        Type::Sfixed64 => wire::put_fixed64(number, value as u64, out),
        _ => wire::put_varint(number, value as u64, out),
    }
}

/// Writes an unsigned integer as its type does on the wire.
pub(super) fn put_unsigned(kind: Type, number: u32, value: u64, out: &mut Vec<u8>) {
    match kind {
        Type::Fixed32 => wire::put_fixed32(number, value as u32, out),
        Type::Fixed64 => wire::put_fixed64(number, value, out),
        _ => wire::put_varint(number, value, out),
    }
}
