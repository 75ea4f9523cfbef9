//! Every options message of a file, with its path, the scope its option
//! names are looked up from, and the element it belongs to.

use prost::Message;

use super::super::descriptor::{
    DescriptorProto, EnumDescriptorProto, EnumOptions, EnumValueOptions, ExtensionRangeOptions,
    FieldDescriptorProto, FieldOptions, FileDescriptorProto, FileOptions, MessageOptions,
    MethodOptions, OneofOptions, ServiceOptions, UninterpretedOption,
};
use super::pool::join;

/// An options message of descriptor.proto, whichever element's.
pub(super) trait OptionsMessage {
    /// Its full name (`google.protobuf.FieldOptions`).
    fn type_name(&self) -> &'static str;
    fn uninterpreted(&mut self) -> &mut Vec<UninterpretedOption>;
    fn to_bytes(&self) -> Vec<u8>;
    /// Replaces the message with `bytes` decoded; false if they do not
    /// decode (the message is then unchanged).
    fn read(&mut self, bytes: &[u8]) -> bool;
}

macro_rules! options {
    ($($ty:ident),*) => {$(
        impl OptionsMessage for $ty {
            fn type_name(&self) -> &'static str {
                concat!("google.protobuf.", stringify!($ty))
            }
            fn uninterpreted(&mut self) -> &mut Vec<UninterpretedOption> {
                &mut self.uninterpreted_option
            }
            fn to_bytes(&self) -> Vec<u8> {
                self.encode_to_vec()
            }
            fn read(&mut self, bytes: &[u8]) -> bool {
                match $ty::decode(bytes) {
                    Ok(decoded) => {
                        *self = decoded;
                        true
                    }
                    Err(_) => false,
                }
            }
        }
    )*};
}

options!(
    FileOptions,
    MessageOptions,
    FieldOptions,
    OneofOptions,
    ExtensionRangeOptions,
    EnumOptions,
    EnumValueOptions,
    ServiceOptions,
    MethodOptions
);

/// Where an options message sits.
pub(super) struct Site<'a> {
    /// Its path in the file (`[4, 0, 7]` for the first message's options).
    pub path: &'a [i32],
    /// What `(name)` lookups start from (protoc's `name_scope`).
    pub scope: &'a str,
    /// The element's full name (the file's name for file options).
    pub element: &'a str,
}

/// Receives each options message; returns whether to drop it.
pub(super) type Visit<'v> = dyn FnMut(&Site<'_>, &mut dyn OptionsMessage) -> bool + 'v;

/// Calls `visit` on every options message of `file` that is present, in
/// protoc's order of elements, and drops those it says to.
pub(super) fn walk(file: &mut FileDescriptorProto, visit: &mut Visit<'_>) {
    let package = file.package().to_owned();
    let name = file.name().to_owned();
    // protoc's "dummy" scope: lookups start in the package itself.
    let scope = format!("{package}.dummy");
    visit_one(&mut file.options, &[8], &scope, &name, visit);
    for (i, message) in file.message_type.iter_mut().enumerate() {
        walk_message(message, &[4, i as i32], &package, visit);
    }
    for (i, enumeration) in file.enum_type.iter_mut().enumerate() {
        walk_enum(enumeration, &[5, i as i32], &package, visit);
    }
    for (i, service) in file.service.iter_mut().enumerate() {
        let full = join(&package, service.name());
        visit_one(&mut service.options, &[6, i as i32, 3], &full, &full, visit);
        for (j, method) in service.method.iter_mut().enumerate() {
            let method_name = join(&full, method.name());
            let path = [6, i as i32, 2, j as i32, 4];
            visit_one(
                &mut method.options,
                &path,
                &method_name,
                &method_name,
                visit,
            );
        }
    }
    for (i, extension) in file.extension.iter_mut().enumerate() {
        walk_field(extension, &[7, i as i32], &package, visit);
    }
}

fn visit_one<T: OptionsMessage>(
    options: &mut Option<T>,
    path: &[i32],
    scope: &str,
    element: &str,
    visit: &mut Visit<'_>,
) {
    if let Some(message) = options {
        let site = Site {
            path,
            scope,
            element,
        };
        if visit(&site, message) {
            *options = None;
        }
    }
}

fn walk_message(message: &mut DescriptorProto, path: &[i32], scope: &str, visit: &mut Visit<'_>) {
    let full = join(scope, message.name());
    let at = |tail: &[i32]| [path, tail].concat();
    visit_one(&mut message.options, &at(&[7]), &full, &full, visit);
    for (i, field) in message.field.iter_mut().enumerate() {
        walk_field(field, &at(&[2, i as i32]), &full, visit);
    }
    for (i, nested) in message.nested_type.iter_mut().enumerate() {
        walk_message(nested, &at(&[3, i as i32]), &full, visit);
    }
    for (i, enumeration) in message.enum_type.iter_mut().enumerate() {
        walk_enum(enumeration, &at(&[4, i as i32]), &full, visit);
    }
    for (i, range) in message.extension_range.iter_mut().enumerate() {
        visit_one(
            &mut range.options,
            &at(&[5, i as i32, 3]),
            &full,
            &full,
            visit,
        );
    }
    for (i, extension) in message.extension.iter_mut().enumerate() {
        walk_field(extension, &at(&[6, i as i32]), &full, visit);
    }
    for (i, oneof) in message.oneof_decl.iter_mut().enumerate() {
        let oneof_name = join(&full, oneof.name());
        let path = at(&[8, i as i32, 2]);
        visit_one(&mut oneof.options, &path, &oneof_name, &oneof_name, visit);
    }
}

fn walk_field(field: &mut FieldDescriptorProto, path: &[i32], scope: &str, visit: &mut Visit<'_>) {
    let full = join(scope, field.name());
    visit_one(
        &mut field.options,
        &[path, &[8]].concat(),
        &full,
        &full,
        visit,
    );
}

fn walk_enum(
    enumeration: &mut EnumDescriptorProto,
    path: &[i32],
    scope: &str,
    visit: &mut Visit<'_>,
) {
    let full = join(scope, enumeration.name());
    visit_one(
        &mut enumeration.options,
        &[path, &[3]].concat(),
        &full,
        &full,
        visit,
    );
    for (i, value) in enumeration.value.iter_mut().enumerate() {
        // Enum values are siblings of their enum (C++ scoping).
        let value_name = join(scope, value.name());
        let path = [path, &[2, i as i32, 3]].concat();
        visit_one(&mut value.options, &path, &value_name, &value_name, visit);
    }
}
