//! An option's name resolved to the fields it sets, as protoc's
//! `InterpretSingleOption` resolves it, with protoc's messages; and the
//! value's record wrapped in one record per intermediate message.

use super::{
    OptionPart,
    pool::{Field, Kind, Pool},
    value, wire,
};
use crate::compile::{
    descriptor::{UninterpretedOption, field_descriptor_proto::Type},
    names::Visible,
};

/// The fields an option name walks through: `(a).b.c` gives `a`, `b`, `c`.
pub(super) struct Resolved<'p> {
    fields: Vec<&'p Field>,
    /// Each field's number.
    pub numbers: Vec<u32>,
    /// The last field is repeated: each option adds one value.
    pub repeated: bool,
    /// `(a).b.c` as written (protoc's name for the option in messages).
    written: String,
}

pub(super) type Error = (OptionPart, String);

/// Resolves `option`'s name on the options message `options` (full name)
/// of an element whose names are looked up from `scope`, among the files
/// `visible` from the element's file.
pub(super) fn resolve<'p>(
    pool: &'p Pool,
    options: &str,
    option: &UninterpretedOption,
    scope: &str,
    visible: &Visible,
) -> Result<Resolved<'p>, Error> {
    let name_error = |message: String| (OptionPart::Name, message);
    if option
        .name
        .first()
        .is_some_and(|part| !part.is_extension() && part.name_part() == "uninterpreted_option")
    {
        return Err(name_error(
            "Option must not use reserved name \"uninterpreted_option\".".to_owned(),
        ));
    }
    let mut message: &str = options;
    let mut written = String::new();
    let mut fields: Vec<&Field> = Vec::new();
    for (i, part) in option.name.iter().enumerate() {
        if !written.is_empty() {
            written.push('.');
        }
        let name = part.name_part();
        let field = if part.is_extension() {
            written.push('(');
            written.push_str(name);
            written.push(')');
            match pool.lookup(name, scope) {
                Ok(full) => match pool.kind(&full) {
                    Some((Kind::Extension, declared_in)) if visible.contains(declared_in) => {
                        pool.extensions.get(&full)
                    }
                    Some((Kind::Field, declared_in)) if visible.contains(declared_in) => {
                        match full.rsplit_once('.') {
                            // A field of a message no option value reaches
                            // (the pool indexes only those): not `message`'s.
                            Some((parent, _))
                                if parent != message && !pool.messages.contains_key(parent) =>
                            {
                                return Err(not_a_field(&written, message));
                            }
                            _ => plain_field(pool, &full),
                        }
                    }
                    _ => None,
                },
                Err(Some(tried)) => {
                    return Err(name_error(format!(
                        "Option \"{written}\" is resolved to \"({tried})\", which is not defined. \
                         The innermost scope is searched first in name resolution. Consider \
                         using a leading '.'(i.e., \"(.{})\") to start from the outermost scope.",
                        &written[1..]
                    )));
                }
                Err(None) => None,
            }
        } else {
            written.push_str(name);
            pool.messages.get(message).and_then(|m| m.field_named(name))
        };
        let Some(field) = field else {
            return Err(name_error(format!(
                "Option \"{written}\" unknown. Ensure that your proto definition file imports \
                 the proto which defines the option (i.e. via import option after edition 2024)."
            )));
        };
        let containing = field
            .extendee
            .as_deref()
            .unwrap_or_else(|| field.full_name.rsplit_once('.').map_or("", |(m, _)| m));
        if containing != message {
            return Err(not_a_field(&written, message));
        }
        if i + 1 < option.name.len() {
            if !matches!(field.kind, Type::Message | Type::Group) {
                return Err(name_error(format!(
                    "Option \"{written}\" is an atomic type, not a message."
                )));
            }
            if field.repeated {
                return Err(name_error(format!(
                    "Option field \"{written}\" is a repeated message. Repeated message options \
                     must be initialized using an aggregate value."
                )));
            }
            message = &field.type_name;
        }
        fields.push(field);
    }
    let repeated = fields.last().is_some_and(|f| f.repeated);
    Ok(Resolved {
        numbers: fields.iter().map(|f| f.number).collect(),
        repeated,
        fields,
        written,
    })
}

/// protoc's error for an option name part `written` that is no field of
/// the message `message` (full name) reached so far.
fn not_a_field(written: &str, message: &str) -> Error {
    let short = message.rsplit('.').next().unwrap_or(message);
    (
        OptionPart::Name,
        format!("Option field \"{written}\" is not a field or extension of message \"{short}\"."),
    )
}

/// A plain field named in parentheses (`(google.protobuf.FileOptions.x)`).
fn plain_field<'p>(pool: &'p Pool, full: &str) -> Option<&'p Field> {
    let (message, name) = full.rsplit_once('.')?;
    pool.messages.get(message)?.field_named(name)
}

impl Resolved<'_> {
    /// Appends the option's record to `records` (what earlier options of
    /// the element wrote), after protoc's check that a singular field is
    /// not set twice.
    pub fn write(
        &self,
        pool: &Pool,
        option: &UninterpretedOption,
        scope: &str,
        visible: &Visible,
        records: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if !self.repeated && wire::is_set(records, &self.numbers) {
            return Err((
                OptionPart::Name,
                format!("Option \"{}\" was already set.", self.written),
            ));
        }
        let (last, intermediate) = self.fields.split_last().expect("a name has a part");
        let mut record = Vec::new();
        value::write(pool, last, option, scope, visible, &mut record)
            .map_err(|message| (OptionPart::Value, message))?;
        for field in intermediate.iter().rev() {
            let mut outer = Vec::new();
            if field.kind == Type::Group {
                wire::put_group(field.number, &record, &mut outer);
            } else {
                wire::put_bytes(field.number, &record, &mut outer);
            }
            record = outer;
        }
        records.extend_from_slice(&record);
        Ok(())
    }
}
