//! Rules on fields: deletion from a message, and what a field (a message's
//! field or an extension, paired as [`crate::compat::pairing`] says) must
//! keep: name, JSON name, type, cardinality, oneof, default, options.

use crate::compile::descriptor::{
    FieldDescriptorProto,
    field_descriptor_proto::{Label, Type},
    field_options::{CType, JSType},
};

use super::{
    Categories, Check, Report, Rule,
    helpers::{
        Reserve, cardinality, deleted_unless_reserved, feature_span, go_quote, message_reserved,
        type_name, wire_type,
    },
};
use crate::{
    compat::{
        finding::Span,
        pairing::{FieldPair, FieldSide, MessagePair},
        schema::{
            Place,
            number::{
                CPP_FEATURES, CPP_STRING_TYPE, CTYPE, FIELD_DEFAULT, FIELD_FEATURES,
                FIELD_JSON_NAME, FIELD_NAME, FIELD_OPTIONS, FIELD_TYPE, FIELD_TYPE_NAME,
                FILE_OPTIONS, JAVA_FEATURES, JAVA_UTF8_VALIDATION, JSTYPE, UTF8_VALIDATION,
            },
        },
    },
    compile::{descriptor::feature_set::Utf8Validation, features::language},
};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "FIELD_NO_DELETE",
        purpose: "Checks that fields are not deleted from a given message.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["CSR", "FILE", "PACKAGE"]),
        check: Check::Message(field_no_delete),
    },
    Rule {
        id: "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
        purpose: "Checks that fields are not deleted from a given message unless the name is reserved.",
        categories: Categories::all(&["WIRE_JSON"], &["CSR", "WIRE_JSON"]),
        check: Check::Message(|pair, report| {
            field_no_delete_unless_reserved(pair, report, Reserve::Name)
        }),
    },
    Rule {
        id: "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
        purpose: "Checks that fields are not deleted from a given message unless the number is reserved.",
        categories: Categories::all(&["WIRE_JSON", "WIRE"], &["CSR", "WIRE_JSON", "WIRE"]),
        check: Check::Message(|pair, report| {
            field_no_delete_unless_reserved(pair, report, Reserve::Number)
        }),
    },
    Rule {
        id: "FIELD_SAME_TYPE",
        purpose: "Checks that fields have the same types in a given message.",
        categories: Categories {
            v1beta1: Some(&["FILE", "PACKAGE", "WIRE_JSON", "WIRE"]),
            v1: Some(&["FILE", "PACKAGE"]),
            v2: Some(&["CSR", "FILE", "PACKAGE"]),
        },
        check: Check::Field(field_same_type),
    },
    Rule {
        id: "FIELD_SAME_NAME",
        purpose: "Checks that fields have the same names in a given message.",
        categories: Categories::all(
            &["FILE", "PACKAGE", "WIRE_JSON"],
            &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        ),
        check: Check::Field(field_same_name),
    },
    Rule {
        id: "FIELD_SAME_JSON_NAME",
        purpose: "Checks that fields have the same value for the json_name option.",
        categories: Categories::all(
            &["FILE", "PACKAGE", "WIRE_JSON"],
            &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        ),
        check: Check::Field(field_same_json_name),
    },
    Rule {
        id: "FIELD_SAME_CARDINALITY",
        purpose: "Checks that fields have the same cardinalities in a given message.",
        categories: Categories {
            v1beta1: Some(&["FILE", "PACKAGE", "WIRE_JSON", "WIRE"]),
            v1: Some(&["FILE", "PACKAGE"]),
            v2: Some(&["FILE", "PACKAGE"]),
        },
        check: Check::Field(field_same_cardinality),
    },
    Rule {
        id: "FIELD_SAME_ONEOF",
        purpose: "Checks that fields have the same oneofs in a given message.",
        categories: Categories::all(
            &["FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
            &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        ),
        check: Check::Field(field_same_oneof),
    },
    Rule {
        id: "FIELD_SAME_DEFAULT",
        purpose: "Checks that fields have the same default value, if a default is specified.",
        categories: Categories::since_v2(&["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"]),
        check: Check::Field(field_same_default),
    },
    Rule {
        id: "FIELD_SAME_CPP_STRING_TYPE",
        purpose: "Checks that fields have the same C++ string type, based on ctype field option or (pb.cpp).string_type feature.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["FILE", "PACKAGE"]),
        check: Check::Field(field_same_cpp_string_type),
    },
    Rule {
        id: "FIELD_SAME_JSTYPE",
        purpose: "Checks that fields have the same value for the jstype option.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["FILE", "PACKAGE"]),
        check: Check::Field(field_same_jstype),
    },
    Rule {
        id: "FIELD_SAME_UTF8_VALIDATION",
        purpose: "Checks that string fields have the same UTF8 validation mode.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["FILE", "PACKAGE"]),
        check: Check::Field(field_same_utf8_validation),
    },
    Rule {
        id: "FIELD_SAME_JAVA_UTF8_VALIDATION",
        purpose: "Checks that fields have the same Java string UTF8 validation, based on java_string_check_utf8 file option or (pb.java).utf8_validation feature.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["FILE", "PACKAGE"]),
        check: Check::Field(field_same_java_utf8_validation),
    },
    Rule {
        id: "FIELD_WIRE_COMPATIBLE_TYPE",
        purpose: "Checks that fields have wire-compatible types in a given message.",
        categories: Categories::since_v1(&["WIRE"], &["WIRE"]),
        check: Check::Field(field_wire_compatible_type),
    },
    Rule {
        id: "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
        purpose: "Checks that fields have wire and JSON compatible types in a given message.",
        categories: Categories::since_v1(&["WIRE_JSON"], &["CSR", "WIRE_JSON"]),
        check: Check::Field(field_wire_json_compatible_type),
    },
    Rule {
        id: "FIELD_WIRE_COMPATIBLE_CARDINALITY",
        purpose: "Checks that fields have wire-compatible cardinalities in a given message.",
        categories: Categories::all(&["WIRE"], &["WIRE"]),
        check: Check::Field(|pair, report| compatible_cardinality(pair, report, false)),
    },
    Rule {
        id: "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
        purpose: "Checks that fields have wire and JSON compatible cardinalities in a given message.",
        categories: Categories::all(&["WIRE_JSON"], &["CSR", "WIRE_JSON"]),
        check: Check::Field(|pair, report| compatible_cardinality(pair, report, true)),
    },
];

// ------------------------------------------------------------------ deletion

fn field_no_delete(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    let current: Vec<i32> = pair
        .current
        .proto
        .field
        .iter()
        .map(FieldDescriptorProto::number)
        .collect();
    for field in &pair.previous.proto.field {
        if !current.contains(&field.number()) {
            report.add(
                pair.file(),
                pair.current.place.span(&[]),
                format!(
                    "Previously present field \"{}\" with name \"{}\" on message \"{}\" was deleted.",
                    field.number(),
                    field.name(),
                    pair.current.proto.name()
                ),
            );
        }
    }
}

fn field_no_delete_unless_reserved(
    pair: &MessagePair<'_>,
    report: &mut Report<'_>,
    reserve: Reserve,
) {
    let current = pair.current.proto;
    let numbers: Vec<i32> = current
        .field
        .iter()
        .map(FieldDescriptorProto::number)
        .collect();
    deleted_unless_reserved(
        report,
        pair.file(),
        pair.current.place.span(&[]),
        pair.previous
            .proto
            .field
            .iter()
            .map(|f| (f.number(), f.name())),
        &numbers,
        reserve,
        &current.reserved_name,
        &message_reserved(pair.current),
        |number, name| {
            format!(
                "Previously present field \"{number}\" with name \"{name}\" on message \"{}\"",
                current.name()
            )
        },
    );
}

// ------------------------------------------------------------------ what a field keeps

/// Where a type change is shown: the type name, or the scalar type.
fn type_suffix(field: &FieldDescriptorProto) -> i32 {
    // A group's type is shown at the `group` keyword.
    if field.type_name.is_some() && field.r#type() != Type::Group {
        FIELD_TYPE_NAME
    } else {
        FIELD_TYPE
    }
}

fn field_same_type(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    // A proto2 group and an editions message encoded delimited are alike.
    let change = if wire_type(&pair.previous) != wire_type(&pair.current) {
        (type_name(&pair.previous), type_name(&pair.current))
    } else if previous.type_name() != current.type_name() {
        (
            previous.type_name().trim_start_matches('.').to_owned(),
            current.type_name().trim_start_matches('.').to_owned(),
        )
    } else {
        return;
    };
    report.add(
        pair.file(),
        pair.span(&[type_suffix(current)]),
        format!(
            "{} changed type from \"{}\" to \"{}\".",
            pair.describe(),
            change.0,
            change.1
        ),
    );
}

fn field_same_name(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    // An extension's name is its full name.
    let name = |side: &FieldSide<'_>| match side.extension {
        Some(extension) => extension.full_name.clone(),
        None => side.proto.name().to_owned(),
    };
    let (previous, current) = (name(&pair.previous), name(&pair.current));
    if previous == current {
        return;
    }
    let field = pair.current.proto;
    let what = match pair.current.message {
        Some(message) => format!(
            "Field \"{}\" on message \"{}\"",
            field.number(),
            message.proto.name()
        ),
        None => format!(
            "Extension \"{}\" on message \"{}\"",
            field.number(),
            field.extendee().trim_start_matches('.')
        ),
    };
    report.add(
        pair.file(),
        pair.span(&[FIELD_NAME]),
        format!("{what} changed name from \"{previous}\" to \"{current}\"."),
    );
}

/// Where buf points for a bracketed field option whose source info records
/// only the value (`default = 5`): from the option's name to its value.
/// The name is not recorded, so it is taken to stand `default = ` before
/// the value, as written by `buf format`, and never before the bracket.
fn option_span(pair: &FieldPair<'_>, suffix: i32, keyword: &str) -> Option<Span> {
    let value = pair.exact_span(&[suffix])?;
    let width = keyword.len() as u32 + 3;
    let mut start = value.start_column.saturating_sub(width).max(1);
    if let Some(brackets) = pair.exact_span(&[FIELD_OPTIONS])
        && brackets.start_line == value.start_line
    {
        start = start.max(brackets.start_column + 1);
    }
    Some(Span {
        start_column: start,
        ..value
    })
}

fn field_same_json_name(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    // buf compares the descriptor's json_name, which its compiler leaves
    // unset on extensions (they cannot declare one): never reported there.
    if pair.current.extension.is_some() {
        return;
    }
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    if previous.json_name() != current.json_name() {
        // Source info records the whole `json_name = "x"` option, and its
        // value.
        let span = pair
            .current
            .place
            .widest_span(&[FIELD_JSON_NAME])
            .or_else(|| pair.span(&[]));
        report.add(
            pair.file(),
            span,
            format!(
                "{} changed option \"json_name\" from \"{}\" to \"{}\".",
                pair.describe(),
                previous.json_name(),
                current.json_name()
            ),
        );
    }
}

fn field_same_cardinality(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    // A map entry's key and value are not compared: their presence follows
    // the syntax, which FILE_SAME_SYNTAX reports.
    if pair.current.in_map_entry() {
        return;
    }
    let previous = cardinality(&pair.previous);
    let current = cardinality(&pair.current);
    if previous != current {
        report.add(
            pair.file(),
            pair.span(&[]),
            format!(
                "{} changed cardinality from \"{previous}\" to \"{current}\".",
                pair.describe()
            ),
        );
    }
}

/// Reports cardinality changes that wire (and `json`: JSON) readers
/// notice: every change but one between implicit and explicit presence, or
/// on the wire alone, between a map and a repeated field.
fn compatible_cardinality(pair: &FieldPair<'_>, report: &mut Report<'_>, json: bool) {
    let previous = cardinality(&pair.previous);
    let current = cardinality(&pair.current);
    // A map is a repeated message on the wire (not in JSON).
    let wire = |c: &'static str| match c {
        "map" if !json => "repeated",
        c if c.starts_with("optional") => "optional",
        c => c,
    };
    if wire(previous) != wire(current) {
        report.add(
            pair.file(),
            pair.span(&[]),
            format!(
                "{} changed cardinality from \"{previous}\" to \"{current}\".",
                pair.describe()
            ),
        );
    }
}

fn field_same_oneof(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    // A synthetic oneof (proto3 `optional`) is no oneof.
    let oneof = |side: &FieldSide<'_>| {
        let message = side.message?;
        side.proto
            .oneof_index
            .filter(|_| !side.proto.proto3_optional())
            .and_then(|i| message.proto.oneof_decl.get(i as usize))
            .map(|o| o.name().to_owned())
    };
    let (previous, current) = (oneof(&pair.previous), oneof(&pair.current));
    let change = match (&previous, &current) {
        (Some(_), None) => " moved from inside to outside a oneof".to_owned(),
        (None, Some(_)) => " moved from outside to inside a oneof".to_owned(),
        // buf's message has a stray "q" here (a `%q` typo in its format
        // string); matched so outputs stay byte for byte equal.
        (Some(p), Some(c)) if p != c => format!("q moved from oneof \"{p}\" to oneof \"{c}\""),
        _ => return,
    };
    report.add(
        pair.file(),
        pair.span(&[]),
        format!("{}{change}.", pair.describe()),
    );
}

fn field_same_default(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    // Compared, on singular scalar and enum fields only, when either side
    // has a default of its own: a declared one, or an enum field's first
    // value when its number is not zero (only a closed enum's can be). An
    // absent default is the type's zero value, or the enum's first value.
    let has_default = |f: &FieldDescriptorProto| {
        f.label() != Label::Repeated && !matches!(f.r#type(), Type::Message | Type::Group)
    };
    let own_default = |side: &FieldSide<'_>| {
        side.proto.default_value.is_some()
            || side.proto.r#type() == Type::Enum
                && side
                    .enumeration()
                    .and_then(|e| e.proto.value.first())
                    .is_some_and(|first| first.number() != 0)
    };
    if !own_default(&pair.previous) && !own_default(&pair.current)
        || !has_default(previous)
        || !has_default(current)
    {
        return;
    }
    // Values are compared, not their text: an enum default is its number.
    let (before, after) = (default_value(&pair.previous), default_value(&pair.current));
    if before.0 != after.0 {
        let (before, after) = (before.1, after.1);
        let span = option_span(pair, FIELD_DEFAULT, "default").or_else(|| pair.span(&[]));
        report.add(
            pair.file(),
            span,
            format!(
                "{} changed default value from {before} to {after}.",
                pair.describe()
            ),
        );
    }
}

/// A default value, to compare: integers and enum numbers alike.
#[derive(Debug, PartialEq)]
enum DefaultValue {
    Integer(i128),
    Float(u64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

/// A field's default (the declared one, or the type's zero value), and how
/// buf prints it (Go's formatting of the value).
fn default_value(side: &FieldSide<'_>) -> (DefaultValue, String) {
    let field = side.proto;
    let declared = field.default_value.as_deref();
    let integer = |text: &str| DefaultValue::Integer(text.parse().unwrap_or_default());
    match field.r#type() {
        Type::String => {
            let text = declared.unwrap_or_default();
            (DefaultValue::Text(text.to_owned()), go_quote(text))
        }
        Type::Bytes => {
            let bytes = unescape_bytes(declared.unwrap_or_default());
            let hex: Vec<String> = bytes.iter().map(|b| format!("0x{b:02X}")).collect();
            (DefaultValue::Bytes(bytes), format!("[{}]", hex.join(",")))
        }
        Type::Bool => {
            let value = declared == Some("true");
            (DefaultValue::Bool(value), value.to_string())
        }
        Type::Double => {
            let value = parse_float(declared.unwrap_or("0"));
            (DefaultValue::Float(value.to_bits()), go_float(value))
        }
        Type::Float => {
            let value = parse_float(declared.unwrap_or("0")) as f32;
            (
                DefaultValue::Float(f64::from(value).to_bits()),
                go_float32(value),
            )
        }
        Type::Enum => {
            // A value is named by the first value of its number (aliases
            // print as the value they alias).
            let enumeration = side.enumeration();
            let values = enumeration.map_or(&[][..], |e| &e.proto.value[..]);
            let value = match declared {
                Some(name) => values
                    .iter()
                    .find(|v| v.name() == name)
                    .and_then(|named| values.iter().find(|v| v.number() == named.number()))
                    .map_or(name, |first| first.name()),
                None => values.first().map_or("", |v| v.name()),
            };
            let number = values
                .iter()
                .find(|v| v.name() == value)
                .map_or(0, |v| v.number());
            let name = enumeration.map_or("", |e| e.proto.name());
            (
                DefaultValue::Integer(number.into()),
                format!("{name}.{value}"),
            )
        }
        _ => {
            let text = declared.unwrap_or("0");
            (integer(text), text.to_owned())
        }
    }
}

fn parse_float(text: &str) -> f64 {
    match text {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" | "-nan" => f64::NAN,
        other => other.parse().unwrap_or_default(),
    }
}

/// Go's `%v` of a float64: the shortest digits, in exponent form below
/// 1e-4 and from 1e6 (strconv's shortest `%g`).
fn go_float(value: f64) -> String {
    go_float_digits(value, format!("{value:e}"))
}

/// Go's `%v` of a float32 (its own shortest digits).
fn go_float32(value: f32) -> String {
    go_float_digits(f64::from(value), format!("{value:e}"))
}

fn go_float_digits(value: f64, exponent_form: String) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // `{:e}` gives the shortest digits: `-1.2345e6`.
    let (mantissa, exponent) = exponent_form.split_once('e').expect("exponent form");
    let exponent: i32 = exponent.parse().expect("exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let (esign, magnitude) = if exponent < 0 {
            ('-', -exponent)
        } else {
            ('+', exponent)
        };
        return format!("{sign}{first}{fraction}e{esign}{magnitude:02}");
    }
    if exponent < 0 {
        let zeros = "0".repeat((-exponent - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = exponent as usize + 1;
    if digits.len() <= point {
        format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

/// The bytes of a `bytes` default as descriptor.proto writes it (C escapes).
fn unescape_bytes(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 == bytes.len() {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        i += 1;
        match bytes[i] {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'x' | b'X' => {
                let digits: Vec<u8> = bytes[i + 1..]
                    .iter()
                    .take(2)
                    .take_while(|b| b.is_ascii_hexdigit())
                    .copied()
                    .collect();
                let text = std::str::from_utf8(&digits).unwrap_or("0");
                out.push(u8::from_str_radix(text, 16).unwrap_or(0));
                i += digits.len();
            }
            b'0'..=b'7' => {
                let digits: Vec<u8> = bytes[i..]
                    .iter()
                    .take(3)
                    .take_while(|b| (b'0'..=b'7').contains(b))
                    .copied()
                    .collect();
                let text = std::str::from_utf8(&digits).unwrap_or("0");
                out.push(u16::from_str_radix(text, 8).unwrap_or(0) as u8);
                i += digits.len() - 1;
            }
            other => out.push(other),
        }
        i += 1;
    }
    out
}

fn field_same_cpp_string_type(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let is_string = |f: &FieldDescriptorProto| matches!(f.r#type(), Type::String | Type::Bytes);
    // buf leaves a map's key and value out.
    if !is_string(pair.previous.proto)
        || !is_string(pair.current.proto)
        || pair.current.in_map_entry()
    {
        return;
    }
    // The `ctype` option where it is written, else the resolved
    // `(pb.cpp).string_type` (STRING before edition 2024, VIEW from it).
    let string_type = |side: &FieldSide<'_>| {
        if let Some(ctype) = side.proto.options.as_ref().and_then(|o| o.ctype) {
            let ctype = CType::try_from(ctype).unwrap_or_default();
            return ctype.as_str_name();
        }
        match side.features().get(language::CPP_STRING_TYPE) {
            Some(1) => "VIEW",
            Some(2) => "CORD",
            _ => "STRING",
        }
    };
    let (previous, current) = (string_type(&pair.previous), string_type(&pair.current));
    if previous != current {
        let ctype = pair.exact_span(&[FIELD_OPTIONS, CTYPE]);
        let feature = feature_span(
            &pair.current.place,
            &[FIELD_OPTIONS, FIELD_FEATURES],
            &[CPP_FEATURES, CPP_STRING_TYPE],
        );
        report.add(
            pair.file(),
            ctype.or(feature).or_else(|| pair.span(&[])),
            format!(
                "{} changed C++ string type from \"{previous}\" to \"{current}\".",
                pair.describe(),
            ),
        );
    }
}

fn field_same_jstype(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    // Only 64-bit integers have a jstype; other changes are type changes.
    let is_64_bit = |f: &FieldDescriptorProto| {
        matches!(
            f.r#type(),
            Type::Int64 | Type::Uint64 | Type::Sint64 | Type::Fixed64 | Type::Sfixed64
        )
    };
    if !is_64_bit(pair.previous.proto) || !is_64_bit(pair.current.proto) {
        return;
    }
    let jstype =
        |f: &FieldDescriptorProto| f.options.as_ref().map_or(JSType::JsNormal, |o| o.jstype());
    let (previous, current) = (jstype(pair.previous.proto), jstype(pair.current.proto));
    if previous != current {
        report.add(
            pair.file(),
            pair.span(&[FIELD_OPTIONS, JSTYPE]),
            format!(
                "{} changed option \"jstype\" from \"{}\" to \"{}\".",
                pair.describe(),
                previous.as_str_name(),
                current.as_str_name()
            ),
        );
    }
}

fn both_strings(pair: &FieldPair<'_>) -> bool {
    let is_string = |f: &FieldDescriptorProto| f.r#type() == Type::String;
    is_string(pair.previous.proto) && is_string(pair.current.proto)
}

fn field_same_utf8_validation(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    if !both_strings(pair) {
        return;
    }
    let (previous, current) = (verified(&pair.previous), verified(&pair.current));
    if previous != current {
        let option = feature_span(
            &pair.current.place,
            &[FIELD_OPTIONS, FIELD_FEATURES],
            &[UTF8_VALIDATION],
        );
        report.add(
            pair.file(),
            option.or_else(|| pair.span(&[])),
            format!(
                "{} changed UTF8 validation from {} to {}.",
                pair.describe(),
                validation(previous),
                validation(current)
            ),
        );
    }
}

/// Whether a string field's UTF-8 is verified (the resolved
/// `utf8_validation`: always in proto3, never in proto2).
fn verified(side: &FieldSide<'_>) -> bool {
    side.features().utf8_validation() == Utf8Validation::Verify
}

fn validation(verified: bool) -> &'static str {
    if verified { "VERIFY" } else { "NONE" }
}

fn field_same_java_utf8_validation(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    if !both_strings(pair) {
        return;
    }
    // Java verifies UTF-8 where the field does (proto3, editions'
    // `utf8_validation`), and beyond that where proto2's
    // `java_string_check_utf8` or editions' `(pb.java).utf8_validation`
    // asks it to.
    let java = |side: &FieldSide<'_>| {
        let checked = side
            .file()
            .options
            .as_ref()
            .is_some_and(|o| o.java_string_check_utf8());
        let java_verify = side.features().get(language::JAVA_UTF8_VALIDATION) == Some(2);
        validation(verified(side) || checked || java_verify)
    };
    let (previous, current) = (java(&pair.previous), java(&pair.current));
    if previous != current {
        // At the field's `(pb.java).utf8_validation`, or the file's
        // java_string_check_utf8 option, when it is written.
        const JAVA_STRING_CHECK_UTF8: i32 = 27;
        let feature = feature_span(
            &pair.current.place,
            &[FIELD_OPTIONS, FIELD_FEATURES],
            &[JAVA_FEATURES, JAVA_UTF8_VALIDATION],
        );
        let option = Place {
            file: pair.current.file(),
            path: Vec::new(),
        }
        .span(&[FILE_OPTIONS, JAVA_STRING_CHECK_UTF8]);
        report.add(
            pair.file(),
            feature.or(option).or_else(|| pair.span(&[])),
            format!(
                "{} changed Java string UTF8 validation from \"{previous}\" to \"{current}\".",
                pair.describe()
            ),
        );
    }
}

// ------------------------------------------------------------------ wire compatibility

const WIRE_SEE: &str = "See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules.";
const WIRE_JSON_SEE: &str = "See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules and https://developers.google.com/protocol-buffers/docs/proto3#json for JSON compatibility rules.";
const BYTES_TO_STRING: &str = "Note that while string and bytes are compatible if the data is valid UTF-8, there is no way to enforce that a bytes field is UTF-8, so these fields may be incompatible.";

/// The groups of scalar types that read each other's wire encoding, as buf
/// has them (`string` may become `bytes`; the reverse is reported).
pub(super) fn wire_group(ty: Type) -> Option<u8> {
    Some(match ty {
        Type::Int32 | Type::Int64 | Type::Uint32 | Type::Uint64 | Type::Bool => 1,
        Type::Sint32 | Type::Sint64 => 2,
        Type::Fixed32 | Type::Sfixed32 => 3,
        Type::Fixed64 | Type::Sfixed64 => 4,
        Type::String | Type::Bytes => 5,
        _ => return None,
    })
}

/// The groups of scalar types that also read each other's JSON, as buf has
/// them.
fn wire_json_group(ty: Type) -> Option<u8> {
    Some(match ty {
        Type::Int32 | Type::Uint32 => 1,
        Type::Int64 | Type::Uint64 => 2,
        Type::Fixed32 | Type::Sfixed32 => 3,
        Type::Fixed64 | Type::Sfixed64 => 4,
        _ => return None,
    })
}

/// Reports a type change outside `group`'s compatibility groups, with buf's
/// pointer to the rules (`see`); a change of message or enum type is
/// reported as FIELD_SAME_TYPE words it.
fn compatible_type(
    pair: &FieldPair<'_>,
    report: &mut Report<'_>,
    group: fn(Type) -> Option<u8>,
    see: &str,
    wire_only: bool,
) {
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    let span = pair.span(&[type_suffix(current)]);
    let (before, after) = (wire_type(&pair.previous), wire_type(&pair.current));
    if before == after {
        if previous.type_name() != current.type_name() && !same_enum_values(pair) {
            report.add(
                pair.file(),
                span,
                format!(
                    "{} changed type from \"{}\" to \"{}\".",
                    pair.describe(),
                    previous.type_name().trim_start_matches('.'),
                    current.type_name().trim_start_matches('.')
                ),
            );
        }
        return;
    }
    let compatible = matches!((group(before), group(after)), (Some(a), Some(b)) if a == b);
    let bytes_to_string = wire_only && before == Type::Bytes && after == Type::String;
    if compatible && !bytes_to_string {
        return;
    }
    let note = if bytes_to_string {
        format!(" {BYTES_TO_STRING}")
    } else {
        String::new()
    };
    report.add(
        pair.file(),
        span,
        format!(
            "{} changed type from \"{}\" to \"{}\". {see}{note}",
            pair.describe(),
            type_name(&pair.previous),
            type_name(&pair.current)
        ),
    );
}

/// Whether an enum field's new enum reads the old one's values: the same
/// short name, and every previous value (name and number) still there.
fn same_enum_values(pair: &FieldPair<'_>) -> bool {
    let (Some(previous), Some(current)) = (pair.previous.enumeration(), pair.current.enumeration())
    else {
        return false;
    };
    previous.proto.name() == current.proto.name()
        && previous.proto.value.iter().all(|value| {
            current
                .proto
                .value
                .iter()
                .any(|v| v.name() == value.name() && v.number() == value.number())
        })
}

fn field_wire_compatible_type(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    compatible_type(pair, report, wire_group, WIRE_SEE, true);
}

fn field_wire_json_compatible_type(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    compatible_type(pair, report, wire_json_group, WIRE_JSON_SEE, false);
}
