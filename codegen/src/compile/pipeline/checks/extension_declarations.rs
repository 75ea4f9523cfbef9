//! Extension declarations (`extensions 1 to 10 [declaration = {...}]`), as
//! protoc 35 checks them, in every syntax:
//!
//! - each range's declarations: a number declared twice or outside the
//!   range (at the range's start), a declaration without both `full_name`
//!   and `type` unless `reserved`, a `full_name` without its leading dot or
//!   declared twice in the message, declarations in an `UNVERIFIED` range
//!   (those without a location, as protoc gives them);
//! - each extension of a range that declares (or says `verification =
//!   DECLARATION`): its number declared, not reserved, and its full name,
//!   type and cardinality as declared (at the extension's extendee).

use std::collections::{HashMap, HashSet};

use super::{index, join};
use crate::compile::{
    descriptor::{
        DescriptorProto, ExtensionRangeOptions, FieldDescriptorProto, FileDescriptorProto,
        extension_range_options::VerificationState,
        field_descriptor_proto::{Label, Type},
    },
    validate::Problem,
};

/// Per message (full name, no leading dot) whose ranges declare, those
/// ranges: start, end (exclusive) and their options.
pub(super) type Declared<'f> = HashMap<String, Vec<(i32, i32, &'f ExtensionRangeOptions)>>;

/// The ranges of every file that declare their extensions.
pub(super) fn declared<'f>(files: &[&'f FileDescriptorProto]) -> Declared<'f> {
    fn walk<'f>(scope: &str, messages: &'f [DescriptorProto], declared: &mut Declared<'f>) {
        for message in messages {
            let full = join(scope, message.name());
            for range in &message.extension_range {
                if let Some(options) = range.options.as_ref().filter(|o| declares(o)) {
                    declared.entry(full.clone()).or_default().push((
                        range.start(),
                        range.end(),
                        options,
                    ));
                }
            }
            if !message.nested_type.is_empty() {
                walk(&full, &message.nested_type, declared);
            }
        }
    }
    let mut declared = Declared::new();
    for file in files {
        walk(file.package(), &file.message_type, &mut declared);
    }
    declared
}

/// Whether a range's extensions must be declared.
fn declares(options: &ExtensionRangeOptions) -> bool {
    !options.declaration.is_empty()
        || options.verification == Some(VerificationState::Declaration as i32)
}

/// The declarations of `file`'s ranges, and its extensions against the
/// declarations of their extendees.
pub(super) fn check(file: &FileDescriptorProto, declared: &Declared<'_>, out: &mut Vec<Problem>) {
    let mut path = Vec::new();
    for (i, message) in file.message_type.iter().enumerate() {
        path.clear();
        path.extend([4, index(i)]);
        self::message(file.package(), message, &mut path, declared, out);
    }
    if declared.is_empty() {
        return;
    }
    for (i, extension) in file.extension.iter().enumerate() {
        self::extension(file.package(), extension, &[7, index(i)], declared, out);
    }
}

fn message(
    scope: &str,
    message: &DescriptorProto,
    path: &mut Vec<i32>,
    declared: &Declared<'_>,
    out: &mut Vec<Problem>,
) {
    let full = join(scope, message.name());
    let mut names = HashSet::new();
    for (r, range) in message.extension_range.iter().enumerate() {
        let Some(options) = range.options.as_ref() else {
            continue;
        };
        if options.declaration.is_empty() {
            continue;
        }
        let start = [path.as_slice(), &[5, index(r), 1]].concat();
        if options.verification == Some(VerificationState::Unverified as i32) {
            out.push(Problem::error(
                Vec::new(),
                "Cannot mark the extension range as UNVERIFIED when it has extension(s) declared.",
            ));
        }
        let mut numbers = HashSet::new();
        for declaration in &options.declaration {
            let number = declaration.number();
            if !numbers.insert(number) {
                out.push(Problem::error(
                    start.clone(),
                    format!("Extension declaration number {number} is declared multiple times."),
                ));
            }
            if number < range.start() || number >= range.end() {
                out.push(Problem::error(
                    start.clone(),
                    format!("Extension declaration number {number} is not in the extension range."),
                ));
            }
            if declaration.reserved != Some(true)
                && (declaration.full_name.is_none() || declaration.r#type.is_none())
            {
                out.push(Problem::error(
                    Vec::new(),
                    format!(
                        "Extension declaration #{number} should have both \"full_name\" and \
                         \"type\" set."
                    ),
                ));
            }
            if let Some(name) = &declaration.full_name {
                if !name.starts_with('.') {
                    out.push(Problem::error(
                        Vec::new(),
                        format!(
                            "\"{name}\" must have a leading dot to indicate the fully-qualified \
                             scope."
                        ),
                    ));
                }
                if !names.insert(name.clone()) {
                    out.push(Problem::error(
                        Vec::new(),
                        format!("Extension field name \"{name}\" is declared multiple times."),
                    ));
                }
            }
        }
    }
    let depth = path.len();
    if !declared.is_empty() {
        for (i, extension) in message.extension.iter().enumerate() {
            let at = [path.as_slice(), &[6, index(i)]].concat();
            self::extension(&full, extension, &at, declared, out);
        }
    }
    for (i, nested) in message.nested_type.iter().enumerate() {
        path.truncate(depth);
        path.extend([3, index(i)]);
        self::message(&full, nested, path, declared, out);
    }
    path.truncate(depth);
}

fn extension(
    scope: &str,
    extension: &FieldDescriptorProto,
    path: &[i32],
    declared: &Declared<'_>,
    out: &mut Vec<Problem>,
) {
    let extendee = extension.extendee().trim_start_matches('.');
    let number = extension.number();
    let Some(options) = declared.get(extendee).and_then(|ranges| {
        ranges
            .iter()
            .find(|(start, end, _)| (*start..*end).contains(&number))
            .map(|(_, _, options)| options)
    }) else {
        return;
    };
    let full = join(scope, extension.name());
    let at = [path, &[2]].concat();
    let mut error = |message: String| out.push(Problem::error(at.clone(), message));
    let Some(declaration) = options
        .declaration
        .iter()
        .find(|declaration| declaration.number() == number)
    else {
        error(format!(
            "Missing extension declaration for field {full} with number {number} in extendee \
             message {extendee}. An extension range must declare for all extension fields if its \
             verification state is DECLARATION or there's any declaration in the range already. \
             Otherwise, consider splitting up the range."
        ));
        return;
    };
    if declaration.reserved == Some(true) {
        error(format!(
            "Cannot use number {number} for extension field {full}, as it is reserved in the \
             extension declarations for message {extendee}."
        ));
        return;
    }
    let written = format!(".{full}");
    if let Some(name) = declaration
        .full_name
        .as_deref()
        .filter(|name| *name != written)
    {
        error(format!(
            "\"{extendee}\" extension field {number} is expected to have field name \"{name}\", \
             not \"{written}\"."
        ));
    }
    let actual = match extension.r#type() {
        Type::Message | Type::Group | Type::Enum => extension.type_name().to_owned(),
        scalar => scalar
            .as_str_name()
            .trim_start_matches("TYPE_")
            .to_ascii_lowercase(),
    };
    if let Some(expected) = declaration.r#type.as_deref().filter(|t| *t != actual) {
        error(format!(
            "\"{extendee}\" extension field {number} is expected to be type \"{expected}\", not \
             \"{actual}\"."
        ));
    }
    let repeated = extension.label() == Label::Repeated;
    if declaration.repeated() != repeated {
        let expected = if declaration.repeated() {
            "repeated"
        } else {
            "optional"
        };
        error(format!(
            "\"{extendee}\" extension field {number} is expected to be {expected}."
        ));
    }
}
