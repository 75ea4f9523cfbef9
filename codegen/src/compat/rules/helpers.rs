//! What more than one rule needs, written once: deletions from a file or
//! package and where buf reports them, deletions unless reserved, reserved
//! and extension ranges, type names and presence in buf's words, and Go's
//! quoting.

use std::collections::BTreeMap;

use crate::compile::descriptor::{
    FileDescriptorProto,
    field_descriptor_proto::{Label, Type},
};

use super::Report;
use crate::compat::{
    finding::Span,
    pairing::{FieldSide, FilePair, MessagePair},
    schema::{Index, MessageView, Place},
};
use crate::compile::descriptor::feature_set::{FieldPresence, MessageEncoding};

/// `syntax` as buf names it (`proto2` when unset).
pub(super) fn syntax(file: &FileDescriptorProto) -> &str {
    match file.syntax() {
        "" => "proto2",
        syntax => syntax,
    }
}

/// Where buf points for a feature set on the element at `place` itself:
/// its `features.x = V` option, which source info records at the element's
/// features path (`options` = `[7, 12]` for a message) and the feature
/// (`[4]`, or `[1000, 2]` for `(pb.cpp).string_type`). `None` when the
/// element inherits the feature.
pub(super) fn feature_span(place: &Place<'_>, features: &[i32], feature: &[i32]) -> Option<Span> {
    let mut path = features.to_vec();
    path.extend_from_slice(feature);
    place.span(&path)
}

/// A file-level path's span in `file`, or the whole file's first line.
pub(super) fn file_span(file: &FileDescriptorProto, path: &[i32]) -> Option<Span> {
    Place {
        file,
        path: Vec::new(),
    }
    .span(path)
    .or(Some(Span::FILE))
}

/// A string as Go's `%q` prints it (buf's messages quote values so).
pub(super) fn go_quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A field's type as buf compares it: a message field encoded delimited
/// (editions' `message_encoding`) is a group on the wire, whatever its
/// descriptor says.
pub(super) fn wire_type(side: &FieldSide<'_>) -> Type {
    match side.proto.r#type() {
        Type::Message if is_delimited(side) => Type::Group,
        other => other,
    }
}

/// Whether a message field of an editions file is encoded delimited (a map,
/// and the value of a map's entry, never is).
fn is_delimited(side: &FieldSide<'_>) -> bool {
    side.proto.r#type() == Type::Message
        && !side.is_map()
        && !side
            .message
            .is_some_and(|message| crate::compat::schema::is_map_entry(message.proto))
        && side.features().message_encoding() == MessageEncoding::Delimited
}

/// The type of a field as buf names it when the kind changed: the scalar's
/// name, or `message`, `group`, `message (delimited encoding)` (editions'
/// group) or `enum`.
pub(super) fn type_name(side: &FieldSide<'_>) -> String {
    match side.proto.r#type() {
        Type::Message if is_delimited(side) => "message (delimited encoding)".to_owned(),
        Type::Message => "message".to_owned(),
        Type::Group => "group".to_owned(),
        Type::Enum => "enum".to_owned(),
        scalar => scalar
            .as_str_name()
            .trim_start_matches("TYPE_")
            .to_lowercase(),
    }
}

/// A field's cardinality in buf's words (a map is not `repeated` here),
/// from its resolved `field_presence`: proto2's `required` and editions'
/// `LEGACY_REQUIRED` alike.
pub(super) fn cardinality(side: &FieldSide<'_>) -> &'static str {
    let field = side.proto;
    match field.label() {
        Label::Repeated if side.is_map() => "map",
        Label::Repeated => "repeated",
        Label::Required => "required",
        Label::Optional => match side.features().field_presence() {
            FieldPresence::LegacyRequired => "required",
            FieldPresence::Implicit
                if field.oneof_index.is_none()
                    && field.extendee.is_none()
                    && !matches!(field.r#type(), Type::Message | Type::Group) =>
            {
                "optional with implicit presence"
            }
            _ => "optional with explicit presence",
        },
    }
}

/// `name` without its package: a type's nested name (`Outer.Inner`).
pub(super) fn nested_name<'n>(name: &'n str, package: &str) -> &'n str {
    if package.is_empty() {
        name
    } else {
        name.strip_prefix(package)
            .and_then(|rest| rest.strip_prefix('.'))
            .unwrap_or(name)
    }
}

/// `nested` (`A.B.C`) in `package`, as a full name.
pub(super) fn qualify(package: &str, nested: &str) -> String {
    if package.is_empty() {
        nested.to_owned()
    } else {
        format!("{package}.{nested}")
    }
}

/// The closest enclosing message of the nested name `nested` (`A.B.C`) that
/// `present` finds, innermost first: where buf reports an element deleted
/// from inside a message (`None`: at the top level).
pub(super) fn closest_parent<'a>(
    nested: &str,
    present: impl Fn(&str) -> Option<&'a MessageView<'a>>,
) -> Option<&'a MessageView<'a>> {
    let mut parent = nested;
    while let Some((outer, _)) = parent.rsplit_once('.') {
        if let Some(message) = present(outer) {
            return Some(message);
        }
        parent = outer;
    }
    None
}

/// Where buf reports an element deleted from `file`, by its nested name
/// (`A.B.C`): at the closest enclosing message still in the file, else at
/// the file.
fn deleted_span(after: &Index<'_>, file: &FileDescriptorProto, nested: &str) -> Option<Span> {
    let parent = closest_parent(nested, |outer| {
        after
            .messages
            .get(&qualify(file.package(), outer))
            .filter(|m| m.place.file.name() == file.name())
    });
    parent.map_or(Some(Span::FILE), |m| m.place.span(&[]))
}

/// Reports each element of kind `kind` (nested names in `previous`) that
/// `is_current` no longer finds in the file: at its closest enclosing
/// message still in the file, or at the file. Within a file, elements pair
/// by their name in the package: a file whose package changed keeps its
/// types (FILE_SAME_PACKAGE reports that).
pub(super) fn deleted_from_file<'n>(
    pair: &FilePair<'_>,
    report: &mut Report<'_>,
    kind: &str,
    previous: impl IntoIterator<Item = &'n str>,
    is_current: impl Fn(&str) -> bool,
) {
    let package = pair.current.package();
    for nested in previous {
        if is_current(&qualify(package, nested)) {
            continue;
        }
        let span = deleted_span(pair.after, pair.current, nested);
        report.add(
            pair.current.name(),
            span,
            format!("Previously present {kind} \"{nested}\" was deleted from file."),
        );
    }
}

/// The nested names of a file's types of one kind.
pub(super) fn nested_names<'a>(
    pair: &'a FilePair<'a>,
    names: impl Fn(&'a super::super::schema::FileTypes) -> &'a Vec<String>,
) -> Vec<&'a str> {
    let package = pair.previous.package();
    pair.before
        .by_file
        .get(pair.previous.name())
        .map(|types| {
            names(types)
                .iter()
                .map(|name| nested_name(name, package))
                .collect()
        })
        .unwrap_or_default()
}

/// The files of each package.
pub(super) fn packages<'a>(
    index: &'a Index<'a>,
) -> BTreeMap<&'a str, Vec<&'a FileDescriptorProto>> {
    let mut packages: BTreeMap<&str, Vec<&FileDescriptorProto>> = BTreeMap::new();
    for file in index.files.values() {
        packages.entry(file.package()).or_default().push(file);
    }
    packages
}

/// Reports each element of kind `kind` of a still-present package that is
/// gone from it (elements may move between the package's files).
/// `previous` holds full names, packages and previous files.
pub(super) fn deleted_from_package<'a>(
    after: &'a Index<'a>,
    report: &mut Report<'_>,
    kind: &str,
    previous: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    is_current: impl Fn(&str) -> bool,
) {
    let current = packages(after);
    for (name, package, file) in previous {
        if !current.contains_key(package) || is_current(name) {
            // A whole package gone is PACKAGE_NO_DELETE's.
            continue;
        }
        // buf places a message at its closest enclosing message still in
        // the package; anything else (and a message without one) in the
        // current file of the same path (whatever its package now): at its
        // closest enclosing message there, else at the file; else nowhere.
        let nested = nested_name(name, package);
        let in_package = closest_parent(nested, |outer| {
            after
                .messages
                .get(&qualify(package, outer))
                .filter(|m| m.place.file.package() == package)
        })
        .filter(|_| kind == "message");
        let (path, span) = match (in_package, after.files.get(file)) {
            (Some(parent), _) => (Some(parent.place.file.name()), parent.place.span(&[])),
            (None, Some(_)) if kind == "message" => (Some(file), Some(Span::FILE)),
            (None, Some(current)) => (Some(file), deleted_span(after, current, nested)),
            (None, None) => (None, Some(Span::FILE)),
        };
        let message = format!(
            "Previously present {kind} \"{nested}\" was deleted from package \"{package}\"."
        );
        match path {
            Some(path) => report.add(path, span, message),
            None => report.add_gone(Some(file.to_owned()), message),
        }
    }
}

/// The largest message field number, and enum value number: a range up to
/// them is written `to max`.
pub(super) const MESSAGE_MAX: i64 = 536_870_911;
pub(super) const ENUM_MAX: i64 = i32::MAX as i64;

/// Inclusive ranges as buf prints them: `[5]`, `[50,60]`, `[1000,max]`
/// (a single value is a number, even the largest).
fn show_range((start, end): (i64, i64), max: i64) -> String {
    if start == end {
        format!("[{start}]")
    } else if end == max {
        format!("[{start},max]")
    } else {
        format!("[{start},{end}]")
    }
}

/// The values of the inclusive range `range` that none of `kept` covers, as
/// maximal inclusive ranges (in i64: an enum range may end at i32::MAX).
fn missing(range: (i64, i64), kept: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut covered: Vec<(i64, i64)> = kept
        .iter()
        .filter(|(s, e)| *e >= range.0 && *s <= range.1)
        .map(|(s, e)| ((*s).max(range.0), (*e).min(range.1)))
        .collect();
    covered.sort_unstable();
    let mut gaps = Vec::new();
    let mut next = range.0;
    for (start, end) in covered {
        if start > next {
            gaps.push((next, start - 1));
        }
        next = next.max(end + 1);
    }
    if next <= range.1 {
        gaps.push((next, range.1));
    }
    gaps
}

/// Ranges as declared, made inclusive: message reserved and extension
/// ranges end exclusively (`end_exclusive`), enum reserved ranges
/// inclusively.
pub(super) fn inclusive(
    ranges: impl IntoIterator<Item = (i32, i32)>,
    end_exclusive: bool,
) -> Vec<(i64, i64)> {
    ranges
        .into_iter()
        .map(|(start, end)| (i64::from(start), i64::from(end) - i64::from(end_exclusive)))
        .collect()
}

/// Reports every previous range (`what`, such as "reserved range") with
/// values no current range keeps, at `span`; `max` is the owner's largest
/// number.
#[allow(clippy::too_many_arguments)]
pub(super) fn ranges_kept(
    report: &mut Report<'_>,
    path: &str,
    span: &dyn Fn() -> Option<Span>,
    what: &str,
    owner: &str,
    max: i64,
    previous: &[(i64, i64)],
    current: &[(i64, i64)],
) {
    for range in previous {
        let gone = missing(*range, current);
        if !gone.is_empty() {
            let gone: Vec<String> = gone.into_iter().map(|r| show_range(r, max)).collect();
            report.add(
                path,
                span(),
                format!(
                    "Previously present {what} \"{}\" on {owner} is missing values: {} were removed.",
                    show_range(*range, max),
                    gone.join(", ")
                ),
            );
        }
    }
}

/// Reports every previous reserved name the current ones lack.
pub(super) fn reserved_names_kept(
    report: &mut Report<'_>,
    path: &str,
    span: &dyn Fn() -> Option<Span>,
    owner: &str,
    previous: &[String],
    current: &[String],
) {
    for name in previous {
        if !current.contains(name) {
            report.add(
                path,
                span(),
                format!("Previously present reserved name \"{name}\" on {owner} was deleted."),
            );
        }
    }
}

/// What a deletion must reserve to be allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reserve {
    Name,
    Number,
}

/// Reports each element (`(number, name)` of `previous`) whose number is
/// gone from `current_numbers` and whose name or number (`reserve`) the
/// current `reserved_names` or inclusive `reserved_ranges` do not hold;
/// `describe` words the element. Aliases of one number are reported once.
#[allow(clippy::too_many_arguments)]
pub(super) fn deleted_unless_reserved<'n>(
    report: &mut Report<'_>,
    path: &str,
    span: Option<Span>,
    previous: impl IntoIterator<Item = (i32, &'n str)>,
    current_numbers: &[i32],
    reserve: Reserve,
    reserved_names: &[String],
    reserved_ranges: &[(i64, i64)],
    describe: impl Fn(i32, &str) -> String,
) {
    let mut reported = Vec::new();
    for (number, name) in previous {
        if current_numbers.contains(&number) || reported.contains(&number) {
            continue;
        }
        reported.push(number);
        let reserved = match reserve {
            Reserve::Name => reserved_names.iter().any(|n| n == name),
            Reserve::Number => reserved_ranges
                .iter()
                .any(|(s, e)| (*s..=*e).contains(&i64::from(number))),
        };
        if !reserved {
            let what = match reserve {
                Reserve::Name => format!("name \"{name}\""),
                Reserve::Number => format!("number \"{number}\""),
            };
            report.add(
                path,
                span,
                format!(
                    "{} was deleted without reserving the {what}.",
                    describe(number, name)
                ),
            );
        }
    }
}

/// A message's reserved ranges, inclusive.
pub(super) fn message_reserved(message: &MessageView<'_>) -> Vec<(i64, i64)> {
    inclusive(
        message
            .proto
            .reserved_range
            .iter()
            .map(|r| (r.start(), r.end())),
        true,
    )
}

/// The owner phrase of a message's findings: `message "Name"`.
pub(super) fn message_owner(pair: &MessagePair<'_>) -> String {
    format!("message \"{}\"", pair.current.proto.name())
}
