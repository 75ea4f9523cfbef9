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
    /// Its options as written, not yet interpreted.
    fn written(&self) -> &[UninterpretedOption];
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
            fn written(&self) -> &[UninterpretedOption] {
                &self.uninterpreted_option
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
///
/// Every element is passed, most without options: one path is kept and
/// grown and shrunk on the way, and an element's full name is made only
/// when it has options.
pub(super) fn walk(file: &mut FileDescriptorProto, visit: &mut Visit<'_>) {
    let package = file.package().to_owned();
    let name = file.name().to_owned();
    let mut walk = Walk {
        path: Vec::with_capacity(16),
        visit,
    };
    if file.options.is_some() {
        // protoc's "dummy" scope: lookups start in the package itself.
        let scope = format!("{package}.dummy");
        walk.one(&mut file.options, &[8], &scope, &name);
    }
    for (i, message) in file.message_type.iter_mut().enumerate() {
        walk.within(&[4, index(i)], |walk| walk.message(message, &package));
    }
    for (i, enumeration) in file.enum_type.iter_mut().enumerate() {
        walk.within(&[5, index(i)], |walk| {
            walk.enumeration(enumeration, &package)
        });
    }
    for (i, service) in file.service.iter_mut().enumerate() {
        let full = join(&package, service.name());
        walk.within(&[6, index(i)], |walk| {
            walk.one(&mut service.options, &[3], &full, &full);
            for (j, method) in service.method.iter_mut().enumerate() {
                if method.options.is_some() {
                    let method_name = join(&full, method.name());
                    walk.within(&[2, index(j)], |walk| {
                        walk.one(&mut method.options, &[4], &method_name, &method_name);
                    });
                }
            }
        });
    }
    for (i, extension) in file.extension.iter_mut().enumerate() {
        walk.within(&[7, index(i)], |walk| walk.field(extension, &package));
    }
}

/// Calls `visit` with the options as written of every element of `file`
/// that has options (in no particular order).
pub(super) fn each_written(
    file: &FileDescriptorProto,
    visit: &mut dyn FnMut(&[UninterpretedOption]),
) {
    fn written<T: OptionsMessage>(
        options: Option<&T>,
        visit: &mut dyn FnMut(&[UninterpretedOption]),
    ) {
        if let Some(options) = options {
            visit(options.written());
        }
    }
    fn field(field: &FieldDescriptorProto, visit: &mut dyn FnMut(&[UninterpretedOption])) {
        written(field.options.as_ref(), visit);
    }
    fn enumeration(
        enumeration: &EnumDescriptorProto,
        visit: &mut dyn FnMut(&[UninterpretedOption]),
    ) {
        written(enumeration.options.as_ref(), visit);
        for value in &enumeration.value {
            written(value.options.as_ref(), visit);
        }
    }
    fn in_message(message: &DescriptorProto, visit: &mut dyn FnMut(&[UninterpretedOption])) {
        written(message.options.as_ref(), visit);
        message
            .field
            .iter()
            .chain(&message.extension)
            .for_each(|f| field(f, visit));
        message
            .nested_type
            .iter()
            .for_each(|m| in_message(m, visit));
        message.enum_type.iter().for_each(|e| enumeration(e, visit));
        for range in &message.extension_range {
            written(range.options.as_ref(), visit);
        }
        for oneof in &message.oneof_decl {
            written(oneof.options.as_ref(), visit);
        }
    }
    written(file.options.as_ref(), visit);
    file.message_type.iter().for_each(|m| in_message(m, visit));
    file.enum_type.iter().for_each(|e| enumeration(e, visit));
    file.extension.iter().for_each(|f| field(f, visit));
    for service in &file.service {
        written(service.options.as_ref(), visit);
        for method in &service.method {
            written(method.options.as_ref(), visit);
        }
    }
}

fn index(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// The walk's state: the path of the element being visited.
struct Walk<'v, 'w> {
    path: Vec<i32>,
    visit: &'w mut Visit<'v>,
}

impl Walk<'_, '_> {
    /// `inside` with `tail` appended to the path.
    fn within(&mut self, tail: &[i32], inside: impl FnOnce(&mut Self)) {
        let len = self.path.len();
        self.path.extend_from_slice(tail);
        inside(self);
        self.path.truncate(len);
    }

    /// Visits `options` (at `tail` below the current path), if present.
    fn one<T: OptionsMessage>(
        &mut self,
        options: &mut Option<T>,
        tail: &[i32],
        scope: &str,
        element: &str,
    ) {
        let Some(message) = options else {
            return;
        };
        let len = self.path.len();
        self.path.extend_from_slice(tail);
        let site = Site {
            path: &self.path,
            scope,
            element,
        };
        let drop = (self.visit)(&site, message);
        self.path.truncate(len);
        if drop {
            *options = None;
        }
    }

    fn message(&mut self, message: &mut DescriptorProto, scope: &str) {
        let full = join(scope, message.name());
        self.one(&mut message.options, &[7], &full, &full);
        for (i, field) in message.field.iter_mut().enumerate() {
            self.within(&[2, index(i)], |walk| walk.field(field, &full));
        }
        for (i, nested) in message.nested_type.iter_mut().enumerate() {
            self.within(&[3, index(i)], |walk| walk.message(nested, &full));
        }
        for (i, enumeration) in message.enum_type.iter_mut().enumerate() {
            self.within(&[4, index(i)], |walk| walk.enumeration(enumeration, &full));
        }
        for (i, range) in message.extension_range.iter_mut().enumerate() {
            self.one(&mut range.options, &[5, index(i), 3], &full, &full);
        }
        for (i, extension) in message.extension.iter_mut().enumerate() {
            self.within(&[6, index(i)], |walk| walk.field(extension, &full));
        }
        for (i, oneof) in message.oneof_decl.iter_mut().enumerate() {
            if oneof.options.is_some() {
                let oneof_name = join(&full, oneof.name());
                self.one(
                    &mut oneof.options,
                    &[8, index(i), 2],
                    &oneof_name,
                    &oneof_name,
                );
            }
        }
    }

    fn field(&mut self, field: &mut FieldDescriptorProto, scope: &str) {
        if field.options.is_some() {
            let full = join(scope, field.name());
            self.one(&mut field.options, &[8], &full, &full);
        }
    }

    fn enumeration(&mut self, enumeration: &mut EnumDescriptorProto, scope: &str) {
        if enumeration.options.is_some() {
            let full = join(scope, enumeration.name());
            self.one(&mut enumeration.options, &[3], &full, &full);
        }
        for (i, value) in enumeration.value.iter_mut().enumerate() {
            if value.options.is_some() {
                // Enum values are siblings of their enum (C++ scoping).
                let value_name = join(scope, value.name());
                self.one(
                    &mut value.options,
                    &[2, index(i), 3],
                    &value_name,
                    &value_name,
                );
            }
        }
    }
}
