//! Aggregate option values (`option (x) = { ... }`): protobuf's text
//! format, read into the option's message type and serialized as protoc's
//! `DynamicMessage` serializes it.
//!
//! What that means for the bytes: fields in number order, extensions
//! among them by number; repeated values in the order written, in one
//! packed record when the field is packed; an implicit-presence field at
//! its zero value not written; groups (and delimited messages) as groups.
//! `[pkg.ext]` names an extension, looked up from the option's element as
//! protoc looks up option names; `[type.googleapis.com/pkg.Msg] { ... }`
//! expands a `google.protobuf.Any`.

use std::collections::BTreeMap;

use prost::encoding::encode_varint;

use super::{
    pool::{Field, Kind, Pool},
    wire,
};
use crate::compile::{
    descriptor::field_descriptor_proto::Type, lower::literal::unescape, names::Visible,
};

/// The serialized message of type `type_name` (full name) that `text`
/// describes, or the text-format parser's message.
pub(super) fn parse(
    pool: &Pool,
    type_name: &str,
    text: &str,
    scope: &str,
    visible: &Visible,
) -> Result<Vec<u8>> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        pool,
        tokens,
        at: 0,
        scope,
        visible,
        depth: 0,
    };
    let message = parser.message(type_name, None)?;
    let mut missing = Vec::new();
    message.missing_required(pool, type_name, "", &mut missing);
    if !missing.is_empty() {
        return Err(format!(
            "Message missing required fields: {}",
            missing.join(", ")
        ));
    }
    Ok(message.encode())
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Int(String),
    Float(String),
    Str(Vec<u8>),
    Symbol(char),
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Ident(t) | Token::Int(t) | Token::Float(t) => t.clone(),
            Token::Str(bytes) => format!("\"{}\"", String::from_utf8_lossy(bytes)),
            Token::Symbol(c) => c.to_string(),
        }
    }
}

/// The tokens of protoc's tokenizer (`#` comments skipped).
fn tokenize(text: &str) -> Result<Vec<Token>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
        } else if b == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Token::Ident(text[start..i].to_owned()));
        } else if b.is_ascii_digit()
            || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let mut float = false;
            if b == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
                i += 2;
                while i < bytes.len() && bytes[i].is_ascii_hexdigit() {
                    i += 1;
                }
            } else {
                while i < bytes.len() {
                    let c = bytes[i];
                    if c.is_ascii_digit() {
                        i += 1;
                    } else if c == b'.' {
                        float = true;
                        i += 1;
                    } else if c == b'e' || c == b'E' {
                        float = true;
                        i += 1;
                        if matches!(bytes.get(i), Some(b'+' | b'-')) {
                            i += 1;
                        }
                    } else if (c == b'f' || c == b'F') && float {
                        i += 1;
                        break;
                    } else {
                        break;
                    }
                }
            }
            let token = text[start..i].to_owned();
            out.push(if float {
                Token::Float(token)
            } else {
                Token::Int(token)
            });
        } else if b == b'"' || b == b'\'' {
            i += 1;
            while i < bytes.len() && bytes[i] != b {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            if i >= bytes.len() {
                return Err("Unexpected end of string.".to_owned());
            }
            let mut value = Vec::new();
            unescape(&text[start + 1..i], &mut value).map_err(str::to_owned)?;
            i += 1;
            out.push(Token::Str(value));
        } else {
            let c = text[i..].chars().next().unwrap_or('?');
            i += c.len_utf8();
            out.push(Token::Symbol(c));
        }
    }
    Ok(out)
}

/// One value of a field, ready to write.
#[derive(Clone, Debug)]
enum Value {
    Varint(u64),
    Fixed32(u32),
    Fixed64(u64),
    Bytes(Vec<u8>),
    Message(Box<ParsedMessage>),
}

impl Value {
    fn is_zero(&self) -> bool {
        match self {
            Value::Varint(v) | Value::Fixed64(v) => *v == 0,
            Value::Fixed32(v) => *v == 0,
            Value::Bytes(b) => b.is_empty(),
            Value::Message(_) => false,
        }
    }
}

/// A message read from text: its fields (extensions too) by number.
#[derive(Clone, Debug, Default)]
struct ParsedMessage {
    fields: BTreeMap<u32, (Field, Vec<Value>)>,
}

impl ParsedMessage {
    /// protoc's `FindInitializationErrors`: the required fields not set,
    /// this message's first (in declaration order), then those of each
    /// message set in it (in number order), as `sub.a`, `list[0].a`,
    /// `(pkg.ext).a`.
    fn missing_required(&self, pool: &Pool, type_name: &str, prefix: &str, out: &mut Vec<String>) {
        if let Some(message) = pool.messages.get(type_name) {
            for field in message.fields.iter().filter(|f| f.required) {
                if !self.fields.contains_key(&field.number) {
                    out.push(format!("{prefix}{}", field.name));
                }
            }
        }
        for (field, values) in self.fields.values() {
            let name = match &field.extendee {
                Some(_) => format!("({})", field.full_name),
                None => field.name.clone(),
            };
            for (index, value) in values.iter().enumerate() {
                let Value::Message(inner) = value else {
                    continue;
                };
                let prefix = if field.repeated {
                    format!("{prefix}{name}[{index}].")
                } else {
                    format!("{prefix}{name}.")
                };
                inner.missing_required(pool, &field.type_name, &prefix, out);
            }
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (field, values) in self.fields.values() {
            if field.implicit && values.len() == 1 && values[0].is_zero() {
                continue;
            }
            if field.packed && !values.is_empty() {
                let mut packed = Vec::new();
                for value in values {
                    match value {
                        Value::Varint(v) => encode_varint(*v, &mut packed),
                        Value::Fixed32(v) => packed.extend_from_slice(&v.to_le_bytes()),
                        Value::Fixed64(v) => packed.extend_from_slice(&v.to_le_bytes()),
                        _ => {}
                    }
                }
                wire::put_bytes(field.number, &packed, &mut out);
                continue;
            }
            for value in values {
                match value {
                    Value::Varint(v) => wire::put_varint(field.number, *v, &mut out),
                    Value::Fixed32(v) => wire::put_fixed32(field.number, *v, &mut out),
                    Value::Fixed64(v) => wire::put_fixed64(field.number, *v, &mut out),
                    Value::Bytes(b) => wire::put_bytes(field.number, b, &mut out),
                    Value::Message(m) if field.kind == Type::Group => {
                        wire::put_group(field.number, &m.encode(), &mut out);
                    }
                    Value::Message(m) => wire::put_bytes(field.number, &m.encode(), &mut out),
                }
            }
        }
        out
    }
}

/// How deep messages may nest in one value.
const MAX_DEPTH: usize = 100;

struct Parser<'a> {
    pool: &'a Pool,
    tokens: Vec<Token>,
    at: usize,
    scope: &'a str,
    visible: &'a Visible,
    depth: usize,
}

type Result<T> = std::result::Result<T, String>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn try_symbol(&mut self, c: char) -> bool {
        if self.peek() == Some(&Token::Symbol(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_symbol(&mut self, c: char) -> Result<()> {
        if self.try_symbol(c) {
            Ok(())
        } else {
            Err(format!("Expected \"{c}\", found \"{}\".", self.found()))
        }
    }

    fn found(&self) -> String {
        self.peek().map_or_else(String::new, Token::text)
    }

    /// The fields of a message of `type_name` up to `end` (`}` or `>`), or
    /// to the end of the text for the outermost one.
    fn message(&mut self, type_name: &str, end: Option<char>) -> Result<ParsedMessage> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("Message is too deep".to_owned());
        }
        let Some(message) = self.pool.messages.get(type_name) else {
            return Err(format!("Message type \"{type_name}\" is not defined."));
        };
        let mut parsed = ParsedMessage::default();
        loop {
            match end {
                Some(end) if self.try_symbol(end) => break,
                None if self.peek().is_none() => break,
                Some(end) if self.peek().is_none() => {
                    return Err(format!("Expected \"{end}\", found \"\"."));
                }
                _ => {}
            }
            self.field(message, &mut parsed)?;
            if !self.try_symbol(';') {
                self.try_symbol(',');
            }
        }
        self.depth -= 1;
        Ok(parsed)
    }

    fn field(&mut self, message: &super::pool::Message, parsed: &mut ParsedMessage) -> Result<()> {
        let field = if self.try_symbol('[') {
            let name = self.type_name()?;
            if self.try_symbol('/') {
                let type_name = self.type_name()?;
                self.expect_symbol(']')?;
                return self.any(message, &name, &type_name, parsed);
            }
            self.expect_symbol(']')?;
            self.extension(message, &name)?
        } else {
            let Some(Token::Ident(name)) = self.next() else {
                self.at -= 1;
                return Err(format!("Expected identifier, got: {}", self.found()));
            };
            let found = message.field_named(&name).or_else(|| {
                // A group by its type's name.
                message.fields.iter().find(|f| {
                    f.kind == Type::Group && f.type_name.rsplit('.').next() == Some(name.as_str())
                })
            });
            match found {
                Some(field) => field.clone(),
                None => {
                    return Err(format!(
                        "Message type \"{}\" has no field named \"{name}\".",
                        message.full_name
                    ));
                }
            }
        };
        let is_message = matches!(field.kind, Type::Message | Type::Group);
        if is_message {
            self.try_symbol(':');
        } else {
            self.expect_symbol(':')?;
        }
        let mut values = Vec::new();
        if field.repeated && self.try_symbol('[') {
            if !self.try_symbol(']') {
                loop {
                    values.push(self.value(&field)?);
                    if self.try_symbol(']') {
                        break;
                    }
                    self.expect_symbol(',')?;
                }
            }
        } else {
            values.push(self.value(&field)?);
        }
        let name = field.name.clone();
        if !field.repeated && parsed.fields.contains_key(&field.number) {
            return Err(format!(
                "Non-repeated field \"{name}\" is specified multiple times."
            ));
        }
        if let (Some(oneof), None) = (field.oneof, &field.extendee)
            && let Some((other, _)) = parsed.fields.values().find(|(f, _)| {
                f.oneof == Some(oneof) && f.extendee.is_none() && f.number != field.number
            })
        {
            let oneof_name = message
                .oneofs
                .get(usize::try_from(oneof).unwrap_or(usize::MAX))
                .cloned()
                .unwrap_or_default();
            return Err(format!(
                "Field \"{name}\" is specified along with field \"{}\", another member of oneof \"{oneof_name}\".",
                other.name
            ));
        }
        parsed
            .fields
            .entry(field.number)
            .or_insert_with(|| (field.clone(), Vec::new()))
            .1
            .extend(values);
        Ok(())
    }

    /// A dotted name inside `[...]`.
    fn type_name(&mut self) -> Result<String> {
        let mut name = String::new();
        loop {
            match self.next() {
                Some(Token::Ident(part)) => name.push_str(&part),
                _ => {
                    self.at -= 1;
                    return Err(format!("Expected identifier, got: {}", self.found()));
                }
            }
            if !self.try_symbol('.') {
                return Ok(name);
            }
            name.push('.');
        }
    }

    /// The extension `[name]` of `message`, looked up as protoc's
    /// `AggregateOptionFinder` does.
    fn extension(&self, message: &super::pool::Message, name: &str) -> Result<Field> {
        let found = self
            .pool
            .lookup(name, self.scope)
            .ok()
            .filter(|full| {
                matches!(self.pool.kind(full), Some((Kind::Extension, file)) if self.visible.contains(file))
            })
            .and_then(|full| self.pool.extensions.get(&full))
            .filter(|ext| ext.extendee.as_deref() == Some(message.full_name.as_str()));
        found.cloned().ok_or_else(|| {
            format!(
                "Extension \"{name}\" is not defined or is not an extension of \"{}\".",
                message.full_name
            )
        })
    }

    /// `[prefix/type] { ... }` in a `google.protobuf.Any`.
    fn any(
        &mut self,
        message: &super::pool::Message,
        prefix: &str,
        type_name: &str,
        parsed: &mut ParsedMessage,
    ) -> Result<()> {
        let url = format!("{prefix}/{type_name}");
        if message.full_name != "google.protobuf.Any" {
            return Err(format!(
                "Message type \"{}\" has no field named \"{url}\".",
                message.full_name
            ));
        }
        if !matches!(prefix, "type.googleapis.com" | "type.googleprod.com")
            || !self.pool.messages.contains_key(type_name)
        {
            return Err(format!(
                "Could not find type \"{url}\" stored in google.protobuf.Any."
            ));
        }
        self.try_symbol(':');
        let end = self.open()?;
        let inner = self.message(type_name, Some(end))?.encode();
        let (Some(type_url), Some(value)) = (
            message.field_named("type_url"),
            message.field_named("value"),
        ) else {
            return Err("google.protobuf.Any has no type_url and value".to_owned());
        };
        if !parsed.fields.is_empty() {
            return Err("Non-repeated field \"type_url\" is specified multiple times.".to_owned());
        }
        parsed.fields.insert(
            type_url.number,
            (type_url.clone(), vec![Value::Bytes(url.into_bytes())]),
        );
        parsed
            .fields
            .insert(value.number, (value.clone(), vec![Value::Bytes(inner)]));
        Ok(())
    }

    /// `{` or `<`, and the symbol that closes it.
    fn open(&mut self) -> Result<char> {
        if self.try_symbol('{') {
            Ok('}')
        } else if self.try_symbol('<') {
            Ok('>')
        } else {
            Err(format!("Expected \"{{\", found \"{}\".", self.found()))
        }
    }

    /// One value of `field`.
    fn value(&mut self, field: &Field) -> Result<Value> {
        match field.kind {
            Type::Message | Type::Group => {
                let end = self.open()?;
                let message = self.message(&field.type_name, Some(end))?;
                Ok(Value::Message(Box::new(message)))
            }
            Type::Int32 | Type::Sint32 | Type::Sfixed32 => {
                let v = self.signed(i32::MIN.into(), i32::MAX.into())?;
                Ok(signed_value(field.kind, v))
            }
            Type::Int64 | Type::Sint64 | Type::Sfixed64 => {
                let v = self.signed(i64::MIN, i64::MAX)?;
                Ok(signed_value(field.kind, v))
            }
            Type::Uint32 | Type::Fixed32 => {
                let v = self.unsigned(u32::MAX.into())?;
                Ok(if field.kind == Type::Fixed32 {
                    Value::Fixed32(v as u32)
                } else {
                    Value::Varint(v)
                })
            }
            Type::Uint64 | Type::Fixed64 => {
                let v = self.unsigned(u64::MAX)?;
                Ok(if field.kind == Type::Fixed64 {
                    Value::Fixed64(v)
                } else {
                    Value::Varint(v)
                })
            }
            Type::Float => Ok(Value::Fixed32((self.double()? as f32).to_bits())),
            Type::Double => Ok(Value::Fixed64(self.double()?.to_bits())),
            Type::Bool => {
                let token = self.next();
                match &token {
                    Some(Token::Ident(t)) if matches!(t.as_str(), "true" | "True" | "t") => {
                        Ok(Value::Varint(1))
                    }
                    Some(Token::Ident(t)) if matches!(t.as_str(), "false" | "False" | "f") => {
                        Ok(Value::Varint(0))
                    }
                    Some(Token::Int(t)) if t == "1" => Ok(Value::Varint(1)),
                    Some(Token::Int(t)) if t == "0" => Ok(Value::Varint(0)),
                    _ => Err(format!(
                        "Invalid value for boolean field \"{}\". Value: \"{}\".",
                        field.name,
                        token.map_or_else(String::new, |t| t.text())
                    )),
                }
            }
            Type::String | Type::Bytes => {
                let mut bytes = Vec::new();
                let mut any = false;
                while let Some(Token::Str(part)) = self.peek() {
                    bytes.extend_from_slice(part);
                    self.at += 1;
                    any = true;
                }
                if !any {
                    return Err(format!("Expected string, got: {}", self.found()));
                }
                Ok(Value::Bytes(bytes))
            }
            Type::Enum => {
                let (values, closed) = self
                    .pool
                    .enums
                    .get(&field.type_name)
                    .map(|e| (e.values.clone(), e.closed))
                    .unwrap_or_default();
                match self.peek().cloned() {
                    Some(Token::Ident(name)) => {
                        self.at += 1;
                        values
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, number)| Value::Varint(i64::from(*number) as u64))
                            .ok_or_else(|| {
                                format!(
                                    "Unknown enumeration value of \"{name}\" for field \"{}\".",
                                    field.name
                                )
                            })
                    }
                    _ => {
                        let number = self.signed(i32::MIN.into(), i32::MAX.into())?;
                        if closed && !values.iter().any(|(_, n)| i64::from(*n) == number) {
                            return Err(format!(
                                "Unknown enumeration value of \"{number}\" for field \"{}\".",
                                field.name
                            ));
                        }
                        Ok(Value::Varint(number as u64))
                    }
                }
            }
        }
    }

    fn integer_token(&mut self) -> Result<u64> {
        match self.next() {
            Some(Token::Int(text)) => super::super::lower::literal::integer(&text)
                .ok_or_else(|| format!("Integer out of range ({text})")),
            other => {
                self.at -= 1;
                Err(format!(
                    "Expected integer, got: {}",
                    other.map_or_else(String::new, |t| t.text())
                ))
            }
        }
    }

    fn signed(&mut self, min: i64, max: i64) -> Result<i64> {
        let negative = self.try_symbol('-');
        let magnitude = self.integer_token()?;
        let value = if negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        };
        value
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(|| "Integer out of range".to_owned())
    }

    fn unsigned(&mut self, max: u64) -> Result<u64> {
        if self.peek() == Some(&Token::Symbol('-')) {
            return Err("Expected integer, got: -".to_owned());
        }
        let value = self.integer_token()?;
        (value <= max)
            .then_some(value)
            .ok_or_else(|| "Integer out of range".to_owned())
    }

    fn double(&mut self) -> Result<f64> {
        let negative = self.try_symbol('-');
        let value = match self.next() {
            Some(Token::Int(text)) => {
                super::super::lower::literal::float(&text).unwrap_or(f64::NAN)
            }
            Some(Token::Float(text)) => text
                .trim_end_matches(['f', 'F'])
                .parse::<f64>()
                .map_err(|_| format!("Expected double, got: {text}"))?,
            Some(Token::Ident(text)) => match text.to_ascii_lowercase().as_str() {
                "inf" | "infinity" => f64::INFINITY,
                "nan" => f64::NAN,
                _ => return Err(format!("Expected double, got: {text}")),
            },
            other => {
                self.at -= 1;
                return Err(format!(
                    "Expected double, got: {}",
                    other.map_or_else(String::new, |t| t.text())
                ));
            }
        };
        Ok(if negative { -value } else { value })
    }
}

fn signed_value(kind: Type, value: i64) -> Value {
    match kind {
        Type::Sint32 | Type::Sint64 => Value::Varint(((value << 1) ^ (value >> 63)) as u64),
        Type::Sfixed32 => Value::Fixed32(value as i32 as u32),
        Type::Sfixed64 => Value::Fixed64(value as u64),
        _ => Value::Varint(value as u64),
    }
}
