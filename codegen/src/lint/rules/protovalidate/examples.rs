//! `example` values, checked as buf checks them: protovalidate's standard
//! rules of the field's type are evaluated on each example, and each rule
//! an example breaks is a finding in protovalidate's words
//! (`"3" is an example value but does not satisfy rule "int32.gt": must be
//! greater than 5`).
//!
//! The rules are evaluated here as validate.proto's expressions define
//! them, for the rules whose outcome and words are certain: bounds, `const`,
//! `in`, `not_in` of integers, floats and enums (and `defined_only`,
//! `finite`), lengths, affixes, `const`, `in`, `not_in` of strings, `const`
//! of bools; lengths, affixes, `const`, `in`, `not_in` of bytes; values
//! shown as Go and CEL show them. A broken `in` or `not_in` of bytes that
//! are not UTF-8 (buf fails on them) and a broken rule with an infinite
//! bound stay undecided: the lint stops. So does an example beside a rule not evaluated here
//! (`pattern`, well-known formats like `email`, durations and timestamps,
//! whose example buf prints as a Go pointer), beside a CEL expression or a
//! predefined rule on the field.

use prost_reflect::{DynamicMessage, Kind, ReflectMessage, Value};

use super::expressions::Finding;
use super::{IGNORE_ALWAYS, IGNORE_IF_ZERO_VALUE, child};

/// A number of the rules of one numeric type.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
enum Number {
    Int(i64),
    Uint(u64),
    Float(f64),
}

impl Number {
    fn of(value: &Value) -> Option<Number> {
        Some(match value {
            Value::I32(v) => Number::Int(i64::from(*v)),
            Value::I64(v) => Number::Int(*v),
            Value::U32(v) => Number::Uint(u64::from(*v)),
            Value::U64(v) => Number::Uint(*v),
            Value::F32(v) => Number::Float(f64::from(*v)),
            Value::F64(v) => Number::Float(*v),
            Value::EnumNumber(v) => Number::Int(i64::from(*v)),
            _ => return None,
        })
    }

    fn is_zero(self) -> bool {
        match self {
            Number::Int(v) => v == 0,
            Number::Uint(v) => v == 0,
            Number::Float(v) => v == 0.0,
        }
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Number::Int(v) => write!(f, "{v}"),
            Number::Uint(v) => write!(f, "{v}"),
            // CEL's `%s` of a double: the shortest digits that read back,
            // without an exponent (Go's `'f', -1`), as Rust prints them.
            // (An infinite bound is refused before it is shown.)
            Number::Float(v) => write!(f, "{v}"),
        }
    }
}

/// What the caller knows of the field: its `ignore` and whether custom
/// rules (CEL expressions, predefined rules) are on it too.
pub(super) struct Context {
    pub ignore: Option<i32>,
    pub custom: bool,
}

/// Checks the examples of the `rule` rules (`typed`, at `path`) on a
/// field of `kind`. Returns the findings, or what cannot be decided.
pub(super) fn check(
    rule: &str,
    kind: &Kind,
    typed: &DynamicMessage,
    path: &[i32],
    context: &Context,
) -> Result<Vec<Finding>, String> {
    if context.ignore == Some(IGNORE_ALWAYS) {
        return Ok(Vec::new());
    }
    if context.custom {
        return Err("beside a CEL expression or a predefined rule (buf evaluates them)".into());
    }
    let Some(example_field) = typed.descriptor().get_field_by_name("example") else {
        return Ok(Vec::new());
    };
    let examples = match typed.get_field(&example_field).into_owned() {
        Value::List(values) => values,
        _ => return Ok(Vec::new()),
    };
    let evaluable: &[&str] = match rule {
        "string" => &[
            "const",
            "len",
            "min_len",
            "max_len",
            "len_bytes",
            "min_bytes",
            "max_bytes",
            "prefix",
            "suffix",
            "contains",
            "not_contains",
            "in",
            "not_in",
        ],
        "bytes" => &[
            "const", "len", "min_len", "max_len", "prefix", "suffix", "contains", "in", "not_in",
        ],
        "bool" => &["const"],
        "enum" => &["const", "in", "not_in", "defined_only"],
        "float" | "double" => &["const", "in", "not_in", "gt", "gte", "lt", "lte", "finite"],
        "int32" | "int64" | "uint32" | "uint64" | "sint32" | "sint64" | "fixed32" | "fixed64"
        | "sfixed32" | "sfixed64" => &["const", "in", "not_in", "gt", "gte", "lt", "lte"],
        other => return Err(format!("on {other} rules (not evaluated by protoforge)")),
    };
    if let Some((field, _)) = typed
        .fields()
        .find(|(field, _)| field.name() != "example" && !evaluable.contains(&field.name()))
    {
        return Err(format!(
            "beside the rule {rule}.{} (not evaluated by protoforge)",
            field.name()
        ));
    }
    let mut findings = Vec::new();
    for (index, example) in examples.iter().enumerate() {
        let zero = match example {
            Value::String(text) => text.is_empty(),
            Value::Bytes(bytes) => bytes.is_empty(),
            Value::Bool(value) => !value,
            other => Number::of(other).is_some_and(Number::is_zero),
        };
        if context.ignore == Some(IGNORE_IF_ZERO_VALUE) && zero {
            continue;
        }
        let broken = match (rule, example) {
            ("string", Value::String(text)) => string_rules(typed, text),
            ("bytes", Value::Bytes(bytes)) => bytes_rules(typed, bytes)?,
            ("bool", Value::Bool(value)) => bool_rules(typed, *value),
            (_, other) => match Number::of(other) {
                Some(value) => number_rules(kind, typed, value)?,
                None => return Err(format!("of an unexpected kind ({other:?})")),
            },
        };
        let shown = match example {
            Value::String(text) => text.clone(),
            // Go's `%v` of a byte slice.
            Value::Bytes(bytes) => {
                let items: Vec<String> = bytes.iter().map(u8::to_string).collect();
                format!("[{}]", items.join(" "))
            }
            Value::Bool(value) => value.to_string(),
            Value::F64(value) => go_float(*value, format!("{value:e}"), value.to_string()),
            Value::F32(value) => {
                go_float(f64::from(*value), format!("{value:e}"), value.to_string())
            }
            other => Number::of(other).map(|n| n.to_string()).unwrap_or_default(),
        };
        let at = child(path, example_field.number() as i32);
        let at = child(&at, index as i32);
        for (id, message) in broken {
            findings.push((
                at.clone(),
                format!(
                    "\"{shown}\" is an example value but does not satisfy rule \"{rule}.{id}\": \
                     {message}"
                ),
            ));
        }
    }
    Ok(findings)
}

fn get(typed: &DynamicMessage, name: &str) -> Option<Value> {
    super::get(typed, name)
}

fn list(typed: &DynamicMessage, name: &str) -> Vec<Value> {
    match get(typed, name) {
        Some(Value::List(values)) => values,
        _ => Vec::new(),
    }
}

/// CEL's `%s` of a list: its items' `%s`, comma-separated, in brackets.
fn shown_list(values: &[Value], item: impl Fn(&Value) -> String) -> String {
    let items: Vec<String> = values.iter().map(item).collect();
    format!("[{}]", items.join(", "))
}

/// The rules an integer, enum or float example breaks: (id, message).
fn number_rules(
    kind: &Kind,
    typed: &DynamicMessage,
    value: Number,
) -> Result<Vec<(String, String)>, String> {
    let bound = |name: &str| get(typed, name).as_ref().and_then(Number::of);
    let mut broken = Vec::new();
    if let Some(expected) = bound("const")
        && value != expected
    {
        broken.push(("const".into(), format!("must equal {expected}")));
    }
    let numbers =
        |name: &str| -> Vec<Number> { list(typed, name).iter().filter_map(Number::of).collect() };
    let shown = |numbers: &[Number]| {
        let items: Vec<String> = numbers.iter().map(ToString::to_string).collect();
        format!("[{}]", items.join(", "))
    };
    let within = numbers("in");
    if !within.is_empty() && !within.contains(&value) {
        broken.push(("in".into(), format!("must be in list {}", shown(&within))));
    }
    let outside = numbers("not_in");
    if outside.contains(&value) {
        broken.push((
            "not_in".into(),
            format!("must not be in list {}", shown(&outside)),
        ));
    }
    if get(typed, "finite").and_then(|v| v.as_bool()) == Some(true)
        && let Number::Float(v) = value
        && !v.is_finite()
    {
        broken.push(("finite".into(), "must be finite".into()));
    }
    if let Some(defined) = get(typed, "defined_only").and_then(|v| v.as_bool())
        && defined
        && let (Kind::Enum(enumeration), Number::Int(number)) = (kind, value)
        && enumeration.get_value(number as i32).is_none()
    {
        broken.push((
            "defined_only".into(),
            "value must be one of the defined enum values".into(),
        ));
    }
    // The bounds: one rule for the lower bound and the upper one together
    // (a range, or outside a range when the upper is below the lower).
    let lower = [("gt", false), ("gte", true)]
        .into_iter()
        .find_map(|(name, inclusive)| bound(name).map(|b| (name, inclusive, b)));
    let upper = [("lt", false), ("lte", true)]
        .into_iter()
        .find_map(|(name, inclusive)| bound(name).map(|b| (name, inclusive, b)));
    let above =
        |(_, inclusive, b): (&str, bool, Number)| if inclusive { value >= b } else { value > b };
    let below =
        |(_, inclusive, b): (&str, bool, Number)| if inclusive { value <= b } else { value < b };
    let words =
        |(name, inclusive, b): (&str, bool, Number)| match (name.starts_with('g'), inclusive) {
            (true, false) => format!("greater than {b}"),
            (true, true) => format!("greater than or equal to {b}"),
            (false, false) => format!("less than {b}"),
            (false, true) => format!("less than or equal to {b}"),
        };
    match (lower, upper) {
        (Some(low), None) if !above(low) => {
            broken.push((low.0.into(), format!("must be {}", words(low))));
        }
        (None, Some(high)) if !below(high) => {
            broken.push((high.0.into(), format!("must be {}", words(high))));
        }
        (Some(low), Some(high)) => {
            let exclusive = high.2 < low.2;
            let ok = if exclusive {
                above(low) || below(high)
            } else {
                above(low) && below(high)
            };
            // validate.proto: `lt >= gt` is a range, `lt < gt` outside one
            // (and `lte >= gt`, `lt >= gte`, `lte >= gte` alike).
            if !ok {
                let id = format!(
                    "{}_{}{}",
                    low.0,
                    high.0,
                    if exclusive { "_exclusive" } else { "" }
                );
                let joiner = if exclusive { "or" } else { "and" };
                broken.push((
                    id,
                    format!("must be {} {joiner} {}", words(low), words(high)),
                ));
            }
        }
        _ => {}
    }
    // An infinite bound would be shown as CEL shows infinities, which is
    // not modelled.
    let shown_infinite = ["const", "in", "not_in", "gt", "gte", "lt", "lte"]
        .iter()
        .flat_map(|name| match get(typed, name) {
            Some(Value::List(values)) => values,
            Some(value) => vec![value],
            None => Vec::new(),
        })
        .any(|value| matches!(Number::of(&value), Some(Number::Float(v)) if v.is_infinite()));
    if !broken.is_empty() && shown_infinite {
        return Err("that breaks a rule with an infinite bound".into());
    }
    Ok(broken)
}

/// A float example as buf shows it (Go's `strconv.FormatFloat(v, 'g', -1,
/// bits)`): the shortest digits that read back, with an exponent (at
/// least two digits) below 1e-4 or from 1e6. `scientific` and `plain` are
/// Rust's shortest forms of the value at its own width (`{:e}`, `{}`).
fn go_float(value: f64, scientific: String, plain: String) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return plain;
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if value == 0.0 || (-4..6).contains(&exponent) {
        return plain;
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

/// The rules a string example breaks.
fn string_rules(typed: &DynamicMessage, value: &str) -> Vec<(String, String)> {
    let mut broken = Vec::new();
    let text = |name: &str| get(typed, name).and_then(|v| v.as_str().map(str::to_owned));
    let count = |name: &str| get(typed, name).and_then(|v| v.as_u64());
    let chars = value.chars().count() as u64;
    let bytes = value.len() as u64;
    if let Some(expected) = text("const")
        && value != expected
    {
        broken.push(("const".into(), format!("must equal `{expected}`")));
    }
    for (name, size, unit) in [
        ("len", chars, "characters"),
        ("min_len", chars, "characters"),
        ("max_len", chars, "characters"),
        ("len_bytes", bytes, "bytes"),
        ("min_bytes", bytes, "bytes"),
        ("max_bytes", bytes, "bytes"),
    ] {
        let Some(limit) = count(name) else { continue };
        let (ok, words) = match name {
            "len" | "len_bytes" => (size == limit, "must be"),
            "min_len" | "min_bytes" => (size >= limit, "must be at least"),
            _ => (size <= limit, "must be at most"),
        };
        if !ok {
            broken.push((name.into(), format!("{words} {limit} {unit}")));
        }
    }
    type Test = fn(&str, &str) -> bool;
    let affixes: [(&str, Test, &str); 4] = [
        ("prefix", |v, a| v.starts_with(a), "does not have prefix"),
        ("suffix", |v, a| v.ends_with(a), "does not have suffix"),
        (
            "contains",
            |v, a| v.contains(a),
            "does not contain substring",
        ),
        ("not_contains", |v, a| !v.contains(a), "contains substring"),
    ];
    for (name, ok, words) in affixes {
        if let Some(affix) = text(name)
            && !ok(value, &affix)
        {
            broken.push((name.into(), format!("{words} `{affix}`")));
        }
    }
    let shown =
        |values: &[Value]| shown_list(values, |v| v.as_str().unwrap_or_default().to_owned());
    let within = list(typed, "in");
    if !within.is_empty() && !within.iter().any(|v| v.as_str() == Some(value)) {
        broken.push(("in".into(), format!("must be in list {}", shown(&within))));
    }
    let outside = list(typed, "not_in");
    if outside.iter().any(|v| v.as_str() == Some(value)) {
        broken.push((
            "not_in".into(),
            format!("must not be in list {}", shown(&outside)),
        ));
    }
    broken
}

/// The rules a bytes example breaks. Rule values are shown in hex (`%x`),
/// or as text in lists (buf fails on bytes that are not UTF-8 there: those
/// stay undecided).
fn bytes_rules(typed: &DynamicMessage, value: &[u8]) -> Result<Vec<(String, String)>, String> {
    let bytes = |name: &str| get(typed, name).and_then(|v| v.as_bytes().map(|b| b.to_vec()));
    let count = |name: &str| get(typed, name).and_then(|v| v.as_u64());
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let within = list(typed, "in");
    let outside = list(typed, "not_in");
    let size = value.len() as u64;
    let mut broken = Vec::new();
    if let Some(expected) = bytes("const")
        && expected != value
    {
        broken.push(("const".into(), format!("must be {}", hex(&expected))));
    }
    for (name, words) in [
        ("len", "must be"),
        ("min_len", "must be at least"),
        ("max_len", "must be at most"),
    ] {
        let Some(limit) = count(name) else { continue };
        let ok = match name {
            "len" => size == limit,
            "min_len" => size >= limit,
            _ => size <= limit,
        };
        if !ok {
            broken.push((name.into(), format!("{words} {limit} bytes")));
        }
    }
    type Test = fn(&[u8], &[u8]) -> bool;
    let affixes: [(&str, Test, &str); 3] = [
        ("prefix", |v, a| v.starts_with(a), "does not have prefix"),
        ("suffix", |v, a| v.ends_with(a), "does not have suffix"),
        (
            "contains",
            |v, a| a.is_empty() || v.windows(a.len()).any(|w| w == a),
            "does not contain",
        ),
    ];
    for (name, ok, words) in affixes {
        if let Some(affix) = bytes(name)
            && !ok(value, &affix)
        {
            broken.push((name.into(), format!("{words} {}", hex(&affix))));
        }
    }
    // A list is shown as text: buf fails on bytes that are not UTF-8.
    let shown = |values: &[Value]| -> Result<String, String> {
        let mut items = Vec::new();
        for value in values {
            let bytes = value.as_bytes().map(|b| &b[..]).unwrap_or_default();
            let text = std::str::from_utf8(bytes)
                .map_err(|_| "with bytes that are not UTF-8 (buf fails on them)".to_owned())?;
            items.push(text.to_owned());
        }
        Ok(format!("[{}]", items.join(", ")))
    };
    let is = |v: &Value| v.as_bytes().map(|b| &b[..]) == Some(value);
    if !within.is_empty() && !within.iter().any(is) {
        broken.push(("in".into(), format!("must be in list {}", shown(&within)?)));
    }
    if outside.iter().any(is) {
        broken.push((
            "not_in".into(),
            format!("must not be in list {}", shown(&outside)?),
        ));
    }
    Ok(broken)
}

/// The rules a bool example breaks.
fn bool_rules(typed: &DynamicMessage, value: bool) -> Vec<(String, String)> {
    match get(typed, "const").and_then(|v| v.as_bool()) {
        Some(expected) if expected != value => {
            vec![("const".into(), format!("must equal {expected}"))]
        }
        _ => Vec::new(),
    }
}
