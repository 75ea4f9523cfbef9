//! Source info kept out of the descriptor pool, in time linear in its size.
//!
//! The parser records where each option was written under the path of an
//! uninterpreted option, `<options>.uninterpreted_option[i]`; once options
//! are resolved, protoc moves each location to the resolved path,
//! `<options>.<field number>[.<index>]` (a custom option: `<options>.1052.0`
//! for the first `(google.api.field_behavior)`). prost-reflect 0.16, which
//! protox builds on, does the move by scanning every location of the file
//! for every option, quadratic in the size of a file: 45 s for one file of
//! 40,000 custom options. Here the source info never enters the pool: the
//! uninterpreted options are recorded while parsing ([`WrittenOptions`]),
//! resolved against the finished pool, and every location is moved in one
//! pass over a map ([`SplitSourceInfo`]). The source info is then put
//! back into each file's encoding where protoc has it
//! ([`encode_file`](super::encoding::encode_file)).

use std::{collections::HashMap, sync::Arc};

use prost::Message;

use prost_reflect::{DescriptorPool, ExtensionDescriptor};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
    SourceCodeInfo, UninterpretedOption,
};

/// One uninterpreted option as written, whose location moves once the pool
/// says what its name resolves to.
pub(crate) struct PendingOption {
    /// `<options>.uninterpreted_option[i]`.
    from: Vec<i32>,
    /// The options message, `google.protobuf.FieldOptions` for a field.
    options: &'static str,
    /// The full name of the element the option is on, where the lookup of
    /// an extension name starts.
    scope: Arc<str>,
    /// The option's name: its parts, and whether each is an extension.
    name: Vec<(String, bool)>,
}

/// The field `uninterpreted_option` has in every `*Options` message.
const UNINTERPRETED: i32 = 999;

/// The uninterpreted options of one file, as written.
pub(crate) struct WrittenOptions(Vec<PendingOption>);

impl WrittenOptions {
    /// Every uninterpreted option of `file`. (Order matters only among the
    /// options of one element.)
    pub(crate) fn of(file: &FileDescriptorProto) -> WrittenOptions {
        let mut found = Vec::new();
        visit_options(file, &mut |path, options, scope, uninterpreted| {
            for (i, option) in uninterpreted.iter().enumerate() {
                let mut from = path.to_vec();
                from.extend([UNINTERPRETED, i as i32]);
                found.push(PendingOption {
                    from,
                    options,
                    scope: scope.clone(),
                    name: option
                        .name
                        .iter()
                        .map(|part| (part.name_part.clone(), part.is_extension))
                        .collect(),
                });
            }
        });
        WrittenOptions(found)
    }

    /// Where each option lands once `pool` has resolved the file; `None` if
    /// a name does not resolve (cannot happen for a pool that accepted the
    /// file; the caller then takes protox's path).
    pub(crate) fn resolve(&self, pool: &DescriptorPool) -> Option<ResolvedOptions> {
        let mut moves = HashMap::with_capacity(self.0.len());
        let mut order: HashMap<Vec<i32>, Vec<u32>> = HashMap::new();
        // Values already set per repeated option: the index of the next one.
        let mut counts: HashMap<Vec<i32>, i32> = HashMap::new();
        for option in &self.0 {
            let to = resolve(pool, option, &mut counts)?;
            let options_path = &option.from[..option.from.len() - 2];
            let number = u32::try_from(to[options_path.len()]).ok()?;
            if number >= FIRST_EXTENSION_NUMBER {
                order.entry(options_path.to_vec()).or_default().push(number);
            }
            moves.insert(option.from.clone(), to);
        }
        order.retain(|_, numbers| !numbers.is_sorted());
        Some(ResolvedOptions { moves, order })
    }
}

/// Options messages declare `extensions 1000 to max`; their own fields
/// are numbered below.
pub(crate) const FIRST_EXTENSION_NUMBER: u32 = 1000;

/// The options of one file, resolved.
pub(crate) struct ResolvedOptions {
    /// `<options>.uninterpreted_option[i]` to the resolved path.
    moves: HashMap<Vec<i32>, Vec<i32>>,
    /// Per options message (by path) whose custom options were not written
    /// in increasing number order, the numbers in the order written: protoc
    /// writes custom options in that order, prost-reflect by number.
    pub order: HashMap<Vec<i32>, Vec<u32>>,
}

/// A file's source info while its options are unresolved: the locations
/// that stay put, already encoded (in the parsing thread), and those that
/// move once the pool resolves the options.
pub(crate) struct SplitSourceInfo {
    encoded: Vec<u8>,
    moving: SourceCodeInfo,
}

impl SplitSourceInfo {
    /// Splits `info` by whether a location is under one of `options`.
    pub(crate) fn new(info: SourceCodeInfo, options: &WrittenOptions) -> SplitSourceInfo {
        let froms: std::collections::HashSet<&[i32]> = options
            .0
            .iter()
            .map(|option| option.from.as_slice())
            .collect();
        let (moving, staying): (Vec<_>, Vec<_>) = info.location.into_iter().partition(|location| {
            option_prefix(&location.path, |p| froms.contains(p).then_some(())).is_some()
        });
        SplitSourceInfo {
            encoded: SourceCodeInfo { location: staying }.encode_to_vec(),
            moving: SourceCodeInfo { location: moving },
        }
    }

    /// The encoded `SourceCodeInfo` with the moving locations at their
    /// resolved paths (after the others: the order of locations carries no
    /// meaning).
    pub(crate) fn finish(self, options: &ResolvedOptions) -> Option<Vec<u8>> {
        let SplitSourceInfo {
            mut encoded,
            mut moving,
        } = self;
        for location in &mut moving.location {
            let (end, to) = option_prefix(&location.path, |p| options.moves.get(p))?;
            location.path.splice(..end, to.iter().copied());
        }
        moving.encode_raw(&mut encoded);
        Some(encoded)
    }
}

/// The end of the prefix of `path` that is an uninterpreted option's path,
/// `[.., 999, i]`, as `known` tells, and what `known` gives for it. (999
/// may also be an index elsewhere in the path.)
fn option_prefix<'p, T>(
    path: &'p [i32],
    known: impl Fn(&'p [i32]) -> Option<T>,
) -> Option<(usize, T)> {
    (0..path.len().saturating_sub(1))
        .filter(|&k| path[k] == UNINTERPRETED)
        .find_map(|k| known(&path[..k + 2]).map(|found| (k + 2, found)))
}

/// The resolved path of one option, as prost-reflect and protoc compute
/// it: the number of each part of its name, then, for a repeated field, the
/// index of this value.
fn resolve(
    pool: &DescriptorPool,
    option: &PendingOption,
    counts: &mut HashMap<Vec<i32>, i32>,
) -> Option<Vec<i32>> {
    let mut to = option.from[..option.from.len() - 2].to_vec();
    let mut message = pool
        .get_message_by_name(option.options)
        .or_else(|| DescriptorPool::global().get_message_by_name(option.options))?;
    for (i, (part, is_extension)) in option.name.iter().enumerate() {
        let (number, kind, is_list) = if *is_extension {
            let extension = find_extension(pool, &option.scope, part)?;
            (extension.number(), extension.kind(), extension.is_list())
        } else {
            let field = message.get_field_by_name(part)?;
            (field.number(), field.kind(), field.is_list())
        };
        to.push(i32::try_from(number).ok()?);
        if i + 1 == option.name.len() {
            if is_list {
                let count = counts.entry(to.clone()).or_insert(0);
                to.push(*count);
                *count += 1;
            }
        } else {
            message = kind.as_message()?.clone();
        }
    }
    Some(to)
}

/// The extension `name` refers to from `scope`: absolute with a leading
/// dot, else the innermost enclosing scope that has it. (protoc resolves the
/// first component first; for a name the pool already resolved, the
/// innermost match is the same extension.)
fn find_extension(pool: &DescriptorPool, scope: &str, name: &str) -> Option<ExtensionDescriptor> {
    if let Some(full_name) = name.strip_prefix('.') {
        return pool.get_extension_by_name(full_name);
    }
    let mut scope = scope;
    loop {
        let found = if scope.is_empty() {
            pool.get_extension_by_name(name)
        } else {
            pool.get_extension_by_name(&format!("{scope}.{name}"))
        };
        if found.is_some() || scope.is_empty() {
            return found;
        }
        scope = scope.rfind('.').map_or("", |dot| &scope[..dot]);
    }
}

/// Sets the `packed` option of fields and extensions from its uninterpreted
/// form, before the pool reads it. prost-reflect decides whether a field is
/// packed while resolving names, before it interprets options, so a field
/// declared `[packed = false]` counted as packed there, and every value of a
/// repeated custom option such as `google.api.field_behavior` was written
/// packed, where protoc writes it unpacked. Only a single, well-formed
/// `packed` option is taken; anything else is left for the pool to judge.
pub(crate) fn take_packed_options(file: &mut FileDescriptorProto) {
    fn take(field: &mut FieldDescriptorProto) {
        let Some(options) = &mut field.options else {
            return;
        };
        let is_packed = |option: &UninterpretedOption| matches!(option.name.as_slice(), [part] if !part.is_extension && part.name_part == "packed");
        let mut found = options
            .uninterpreted_option
            .iter()
            .enumerate()
            .filter(|(_, option)| is_packed(option));
        let (Some((index, option)), None) = (found.next(), found.next()) else {
            return;
        };
        let value = match option.identifier_value.as_deref() {
            Some("true") => true,
            Some("false") => false,
            _ => return,
        };
        if options.packed.is_none() {
            options.packed = Some(value);
            options.uninterpreted_option.remove(index);
        }
    }
    fn in_message(message: &mut DescriptorProto) {
        message.field.iter_mut().for_each(take);
        message.extension.iter_mut().for_each(take);
        message.nested_type.iter_mut().for_each(in_message);
    }
    file.extension.iter_mut().for_each(take);
    file.message_type.iter_mut().for_each(in_message);
}

/// Receives `(options path, options message, scope, uninterpreted options)`
/// for every element that has options.
type Visit<'a> = dyn FnMut(&[i32], &'static str, &Arc<str>, &[UninterpretedOption]) + 'a;

/// Calls `visit` for every element of `file` that has options.
fn visit_options(file: &FileDescriptorProto, visit: &mut Visit<'_>) {
    let mut walk = OptionWalk { visit };
    let package: Arc<str> = file.package().into();
    if let Some(options) = &file.options {
        (walk.visit)(
            &[8],
            "google.protobuf.FileOptions",
            &package,
            &options.uninterpreted_option,
        );
    }
    for (m, message) in file.message_type.iter().enumerate() {
        walk.message(&[4, m as i32], &package, message);
    }
    for (e, enumeration) in file.enum_type.iter().enumerate() {
        walk.enumeration(&[5, e as i32], &package, enumeration);
    }
    for (s, service) in file.service.iter().enumerate() {
        let full_name = child(&package, service.name());
        if let Some(options) = &service.options {
            let path = [6, s as i32, 3];
            (walk.visit)(
                &path,
                "google.protobuf.ServiceOptions",
                &full_name,
                &options.uninterpreted_option,
            );
        }
        for (m, method) in service.method.iter().enumerate() {
            if let Some(options) = &method.options {
                let path = [6, s as i32, 2, m as i32, 4];
                let scope = child(&full_name, method.name());
                (walk.visit)(
                    &path,
                    "google.protobuf.MethodOptions",
                    &scope,
                    &options.uninterpreted_option,
                );
            }
        }
    }
    for (x, extension) in file.extension.iter().enumerate() {
        walk.field(&[7, x as i32], &package, extension);
    }
}

struct OptionWalk<'v, 'a> {
    visit: &'v mut Visit<'a>,
}

impl OptionWalk<'_, '_> {
    fn message(&mut self, path: &[i32], scope: &str, message: &DescriptorProto) {
        let full_name = child(scope, message.name());
        let at = |tail: &[i32]| [path, tail].concat();
        if let Some(options) = &message.options {
            (self.visit)(
                &at(&[7]),
                "google.protobuf.MessageOptions",
                &full_name,
                &options.uninterpreted_option,
            );
        }
        for (r, range) in message.extension_range.iter().enumerate() {
            if let Some(options) = &range.options {
                let path = at(&[5, r as i32, 3]);
                (self.visit)(
                    &path,
                    "google.protobuf.ExtensionRangeOptions",
                    &full_name,
                    &options.uninterpreted_option,
                );
            }
        }
        for (f, field) in message.field.iter().enumerate() {
            self.field(&at(&[2, f as i32]), &full_name, field);
        }
        for (o, oneof) in message.oneof_decl.iter().enumerate() {
            if let Some(options) = &oneof.options {
                let scope = child(&full_name, oneof.name());
                (self.visit)(
                    &at(&[8, o as i32, 2]),
                    "google.protobuf.OneofOptions",
                    &scope,
                    &options.uninterpreted_option,
                );
            }
        }
        for (n, nested) in message.nested_type.iter().enumerate() {
            self.message(&at(&[3, n as i32]), &full_name, nested);
        }
        for (e, enumeration) in message.enum_type.iter().enumerate() {
            self.enumeration(&at(&[4, e as i32]), &full_name, enumeration);
        }
        for (x, extension) in message.extension.iter().enumerate() {
            self.field(&at(&[6, x as i32]), &full_name, extension);
        }
    }

    fn field(&mut self, path: &[i32], scope: &str, field: &FieldDescriptorProto) {
        if let Some(options) = &field.options {
            let path = [path, &[8]].concat();
            let scope = child(scope, field.name());
            (self.visit)(
                &path,
                "google.protobuf.FieldOptions",
                &scope,
                &options.uninterpreted_option,
            );
        }
    }

    fn enumeration(&mut self, path: &[i32], scope: &str, enumeration: &EnumDescriptorProto) {
        let full_name = child(scope, enumeration.name());
        if let Some(options) = &enumeration.options {
            let path = [path, &[3]].concat();
            (self.visit)(
                &path,
                "google.protobuf.EnumOptions",
                &full_name,
                &options.uninterpreted_option,
            );
        }
        for (v, value) in enumeration.value.iter().enumerate() {
            if let Some(options) = &value.options {
                let path = [path, &[2, v as i32, 3]].concat();
                let scope = child(&full_name, value.name());
                (self.visit)(
                    &path,
                    "google.protobuf.EnumValueOptions",
                    &scope,
                    &options.uninterpreted_option,
                );
            }
        }
    }
}

/// The full name of `name` inside `parent`.
fn child(parent: &str, name: &str) -> Arc<str> {
    if parent.is_empty() {
        name.into()
    } else {
        format!("{parent}.{name}").into()
    }
}
