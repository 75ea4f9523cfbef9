//! Which element of the previous schema is which of the current one, as buf
//! pairs them: files by path; messages, enums and services by full name;
//! a message's fields by number; extensions by extendee and number,
//! wherever they are declared; an enum's values by number (aliases of a
//! number together); rpcs by name. The rules see only pairs, never the
//! pairing.

use std::collections::{BTreeMap, HashMap};

use crate::compile::descriptor::{
    EnumValueDescriptorProto, FieldDescriptorProto, FileDescriptorProto, MethodDescriptorProto,
};

use super::{
    super::compile::features::Features,
    finding::Span,
    schema::{
        EnumView, ExtensionView, Index, MessageView, Place, ServiceView, is_map_entry,
        number::{FIELD_TYPE_NAME, MESSAGE_FIELD, SERVICE_METHOD},
    },
};

/// A file present on both sides, with everything of both sides (for
/// deletions, which look for what is gone from the file).
#[derive(Debug)]
pub(crate) struct FilePair<'a> {
    pub previous: &'a FileDescriptorProto,
    pub current: &'a FileDescriptorProto,
    pub before: &'a Index<'a>,
    pub after: &'a Index<'a>,
}

/// A message present on both sides.
#[derive(Debug)]
pub(crate) struct MessagePair<'a> {
    pub previous: &'a MessageView<'a>,
    pub current: &'a MessageView<'a>,
}

impl MessagePair<'_> {
    /// The span of `suffix` within the current message, or of the message.
    /// A map entry has no source of its own: buf places it at the map
    /// field's `map<K, V>` type.
    pub fn span(&self, suffix: &[i32]) -> Option<Span> {
        let place = &self.current.place;
        if suffix.is_empty() && is_map_entry(self.current.proto) {
            return place.span(&[FIELD_TYPE_NAME]).or_else(|| place.span(&[]));
        }
        place.span(suffix).or_else(|| place.span(&[]))
    }

    pub fn file(&self) -> &str {
        self.current.place.file.name()
    }
}

/// One side of a field pair: a message's field or an extension.
#[derive(Clone, Debug)]
pub(crate) struct FieldSide<'a> {
    pub proto: &'a FieldDescriptorProto,
    /// The field's own place.
    pub place: Place<'a>,
    /// The message it belongs to; `None` for an extension.
    pub message: Option<&'a MessageView<'a>>,
    /// The extension, for an extension.
    pub extension: Option<&'a ExtensionView<'a>>,
    /// Everything of its side, to look up the types it refers to.
    pub index: &'a Index<'a>,
}

impl<'a> FieldSide<'a> {
    pub fn file(&self) -> &'a FileDescriptorProto {
        self.place.file
    }

    /// Whether it is a map (a repeated field of a map entry).
    pub fn is_map(&self) -> bool {
        self.index
            .messages
            .get(self.proto.type_name().trim_start_matches('.'))
            .is_some_and(|m| is_map_entry(m.proto))
    }

    /// The enum of an enum field.
    pub fn enumeration(&self) -> Option<&'a EnumView<'a>> {
        self.index
            .enums
            .get(self.proto.type_name().trim_start_matches('.'))
    }

    /// Its resolved features.
    pub fn features(&self) -> &'a Features {
        match (self.extension, self.message) {
            (Some(extension), _) => extension.features,
            (None, Some(message)) => self.index.features_of(&format!(
                "field .{}.{}",
                message.full_name,
                self.proto.name()
            )),
            (None, None) => self.index.features_of(""),
        }
    }

    /// Whether it is the key or value of a map entry.
    pub fn in_map_entry(&self) -> bool {
        self.message.is_some_and(|m| is_map_entry(m.proto))
    }
}

/// A field present on both sides: a message's field by number, or an
/// extension by extendee and number.
#[derive(Debug)]
pub(crate) struct FieldPair<'a> {
    pub previous: FieldSide<'a>,
    pub current: FieldSide<'a>,
}

impl FieldPair<'_> {
    /// The span of the current field, or of `suffix` within it when
    /// recorded. A map's key and value have no source of their own: buf
    /// places them at the map field's `map<K, V>` type.
    pub fn span(&self, suffix: &[i32]) -> Option<Span> {
        if let Some(message) = self.current.message
            && is_map_entry(message.proto)
        {
            let place = &message.place;
            return place.span(&[FIELD_TYPE_NAME]).or_else(|| place.span(&[]));
        }
        let place = &self.current.place;
        place.span(suffix).or_else(|| place.span(&[]))
    }

    /// The recorded span of `suffix` within the current field, if any.
    pub fn exact_span(&self, suffix: &[i32]) -> Option<Span> {
        self.current.place.span(suffix)
    }

    pub fn file(&self) -> &str {
        self.current.file().name()
    }

    /// `Field "1" with name "one" on message "One"`, or for an extension
    /// `Extension "100" with name "pkg.ext" on message "pkg.Extended"`.
    pub fn describe(&self) -> String {
        let field = self.current.proto;
        match (self.current.message, self.current.extension) {
            (Some(message), _) => format!(
                "Field \"{}\" with name \"{}\" on message \"{}\"",
                field.number(),
                field.name(),
                message.proto.name()
            ),
            (None, Some(extension)) => format!(
                "Extension \"{}\" with name \"{}\" on message \"{}\"",
                field.number(),
                extension.full_name,
                field.extendee().trim_start_matches('.')
            ),
            (None, None) => unreachable!("a field belongs to a message or is an extension"),
        }
    }
}

/// An enum present on both sides.
#[derive(Debug)]
pub(crate) struct EnumPair<'a> {
    pub previous: &'a EnumView<'a>,
    pub current: &'a EnumView<'a>,
}

impl EnumPair<'_> {
    pub fn span(&self) -> Option<Span> {
        self.current.place.span(&[])
    }

    pub fn file(&self) -> &str {
        self.current.place.file.name()
    }
}

/// An enum value number present on both sides of an enum, with every name
/// (aliases) it has on each side, in declaration order.
#[derive(Debug)]
pub(crate) struct EnumValuePair<'a> {
    pub enumeration: &'a EnumPair<'a>,
    pub number: i32,
    pub previous: Vec<&'a EnumValueDescriptorProto>,
    /// With their indexes in the current enum, for their source paths.
    pub current: Vec<(usize, &'a EnumValueDescriptorProto)>,
}

/// A service present on both sides.
#[derive(Debug)]
pub(crate) struct ServicePair<'a> {
    pub previous: &'a ServiceView<'a>,
    pub current: &'a ServiceView<'a>,
}

/// An rpc present on both sides, by name.
#[derive(Debug)]
pub(crate) struct MethodPair<'a> {
    pub service: &'a ServicePair<'a>,
    pub previous: &'a MethodDescriptorProto,
    pub current: &'a MethodDescriptorProto,
    pub current_index: usize,
}

impl MethodPair<'_> {
    /// The span of `suffix` within the current rpc, or of the rpc.
    pub fn span(&self, suffix: &[i32]) -> Option<Span> {
        let place = &self.service.current.place;
        let mut path = vec![SERVICE_METHOD, self.current_index as i32];
        path.extend_from_slice(suffix);
        place
            .span(&path)
            .or_else(|| place.span(&[SERVICE_METHOD, self.current_index as i32]))
    }

    /// The recorded span of `suffix` within the current rpc, if any.
    pub fn exact_span(&self, suffix: &[i32]) -> Option<Span> {
        let mut path = vec![SERVICE_METHOD, self.current_index as i32];
        path.extend_from_slice(suffix);
        self.service.current.place.span(&path)
    }

    pub fn file(&self) -> &str {
        self.service.current.place.file.name()
    }

    /// `RPC "Get" on service "Users"`.
    pub fn describe(&self) -> String {
        format!(
            "RPC \"{}\" on service \"{}\"",
            self.current.name(),
            self.service.current.proto.name()
        )
    }
}

/// Every file present on both sides.
pub(crate) fn files<'a>(
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    mut each: impl FnMut(&FilePair<'_>),
) {
    for (path, previous) in &before.files {
        if let Some(current) = after.files.get(path) {
            each(&FilePair {
                previous,
                current,
                before,
                after,
            });
        }
    }
}

/// Every message present on both sides (map entries and groups included:
/// buf checks their fields too).
pub(crate) fn messages<'a>(
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    mut each: impl FnMut(&MessagePair<'_>),
) {
    for (name, previous) in &before.messages {
        if let Some(current) = after.messages.get(name) {
            each(&MessagePair { previous, current });
        }
    }
}

fn field_side<'a>(
    schema: &'a Index<'a>,
    message: &'a MessageView<'a>,
    index: usize,
) -> FieldSide<'a> {
    let mut path = message.place.path.clone();
    path.extend([MESSAGE_FIELD, index as i32]);
    FieldSide {
        proto: &message.proto.field[index],
        place: Place {
            file: message.place.file,
            path,
        },
        message: Some(message),
        extension: None,
        index: schema,
    }
}

fn extension_side<'a>(schema: &'a Index<'a>, extension: &'a ExtensionView<'a>) -> FieldSide<'a> {
    FieldSide {
        proto: extension.proto,
        place: extension.place.clone(),
        message: None,
        extension: Some(extension),
        index: schema,
    }
}

/// Every field present on both sides: the fields of paired messages by
/// number, then extensions by extendee and number.
pub(crate) fn fields<'a>(
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    mut each: impl FnMut(&FieldPair<'_>),
) {
    messages(before, after, |message| {
        let current: HashMap<i32, usize> = message
            .current
            .proto
            .field
            .iter()
            .enumerate()
            .map(|(index, field)| (field.number(), index))
            .collect();
        for (index, field) in message.previous.proto.field.iter().enumerate() {
            if let Some(current) = current.get(&field.number()) {
                each(&FieldPair {
                    previous: field_side(before, message.previous, index),
                    current: field_side(after, message.current, *current),
                });
            }
        }
    });
    for (key, previous) in &before.extensions {
        if let Some(current) = after.extensions.get(key) {
            each(&FieldPair {
                previous: extension_side(before, previous),
                current: extension_side(after, current),
            });
        }
    }
}

/// Every enum present on both sides.
pub(crate) fn enums<'a>(
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    mut each: impl FnMut(&EnumPair<'_>),
) {
    for (name, previous) in &before.enums {
        if let Some(current) = after.enums.get(name) {
            each(&EnumPair { previous, current });
        }
    }
}

/// Every enum value number present on both sides of a paired enum.
pub(crate) fn enum_values<'a>(
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    mut each: impl FnMut(&EnumValuePair<'_>),
) {
    enums(before, after, |enumeration| {
        let mut current: BTreeMap<i32, Vec<(usize, &EnumValueDescriptorProto)>> = BTreeMap::new();
        for (index, value) in enumeration.current.proto.value.iter().enumerate() {
            current
                .entry(value.number())
                .or_default()
                .push((index, value));
        }
        let mut previous: BTreeMap<i32, Vec<&EnumValueDescriptorProto>> = BTreeMap::new();
        for value in &enumeration.previous.proto.value {
            previous.entry(value.number()).or_default().push(value);
        }
        for (number, previous) in previous {
            if let Some(current) = current.remove(&number) {
                each(&EnumValuePair {
                    enumeration,
                    number,
                    previous,
                    current,
                });
            }
        }
    });
}

/// Every service present on both sides.
pub(crate) fn services<'a>(
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    mut each: impl FnMut(&ServicePair<'_>),
) {
    for (name, previous) in &before.services {
        if let Some(current) = after.services.get(name) {
            each(&ServicePair { previous, current });
        }
    }
}

/// Every rpc present on both sides of a paired service.
pub(crate) fn methods<'a>(
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    mut each: impl FnMut(&MethodPair<'_>),
) {
    services(before, after, |service| {
        let current: HashMap<&str, usize> = service
            .current
            .proto
            .method
            .iter()
            .enumerate()
            .map(|(index, method)| (method.name(), index))
            .collect();
        for previous in &service.previous.proto.method {
            if let Some(index) = current.get(previous.name()) {
                each(&MethodPair {
                    service,
                    previous,
                    current: &service.current.proto.method[*index],
                    current_index: *index,
                });
            }
        }
    });
}
