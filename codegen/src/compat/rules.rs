//! The rules: each an ID, a purpose line and one small function over a
//! paired previous/current element. [`RULES`] is the registry; adding a rule
//! touches it and nothing else.
//!
//! This is the first part of buf's catalog; the rules not listed here are not
//! checked yet (see [`RULES`] for the ones that are).

use prost_types::{
    FieldDescriptorProto, FileDescriptorProto, MethodDescriptorProto,
    field_descriptor_proto::{Label, Type},
};

use super::{
    finding::{Finding, Span},
    schema::{EnumView, FieldView, MessageView, ServiceView},
};

/// A rule of the catalog.
#[derive(Debug)]
pub struct Rule {
    /// buf's ID, such as `FIELD_NO_DELETE`.
    pub id: &'static str,
    /// One line on what it checks, as buf lists it.
    pub purpose: &'static str,
    /// The categories it belongs to (config version v2).
    pub categories: &'static [&'static str],
    pub(crate) check: Check,
}

/// What a rule looks at.
#[derive(Debug)]
pub(crate) enum Check {
    File(fn(&FilePair<'_>, &mut Report<'_>)),
    Message(fn(&MessagePair<'_>, &mut Report<'_>)),
    Field(fn(&FieldPair<'_>, &mut Report<'_>)),
    Enum(fn(&EnumPair<'_>, &mut Report<'_>)),
    Service(fn(&ServicePair<'_>, &mut Report<'_>)),
    Method(fn(&MethodPair<'_>, &mut Report<'_>)),
}

/// Collects a rule's findings, filling in its ID.
#[derive(Debug)]
pub(crate) struct Report<'a> {
    pub rule: &'static str,
    pub findings: &'a mut Vec<Finding>,
}

impl Report<'_> {
    fn add(&mut self, path: &str, span: Option<Span>, message: String) {
        self.findings.push(Finding {
            path: Some(path.to_owned()),
            span,
            rule: self.rule,
            message,
        });
    }
}

/// A file present on both sides.
#[derive(Debug)]
pub(crate) struct FilePair<'a> {
    pub previous: &'a FileDescriptorProto,
    pub current: &'a FileDescriptorProto,
    /// The top-level messages, enums and services of each side, by full name.
    pub previous_types: TopLevel<'a>,
    pub current_types: TopLevel<'a>,
}

/// The names of a file's top-level types.
#[derive(Debug, Default)]
pub(crate) struct TopLevel<'a> {
    pub messages: Vec<&'a str>,
    pub enums: Vec<&'a str>,
    pub services: Vec<&'a str>,
}

impl<'a> TopLevel<'a> {
    pub fn of(file: &'a FileDescriptorProto) -> TopLevel<'a> {
        TopLevel {
            messages: file.message_type.iter().map(|m| m.name()).collect(),
            enums: file.enum_type.iter().map(|e| e.name()).collect(),
            services: file.service.iter().map(|s| s.name()).collect(),
        }
    }
}

/// A message present on both sides.
#[derive(Debug)]
pub(crate) struct MessagePair<'a> {
    pub previous: &'a MessageView<'a>,
    pub current: &'a MessageView<'a>,
}

/// A field present on both sides, by number.
#[derive(Debug)]
pub(crate) struct FieldPair<'a> {
    pub message: &'a MessagePair<'a>,
    pub previous: FieldView<'a>,
    pub current: FieldView<'a>,
}

/// An enum present on both sides.
#[derive(Debug)]
pub(crate) struct EnumPair<'a> {
    pub previous: &'a EnumView<'a>,
    pub current: &'a EnumView<'a>,
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

// Field numbers of descriptor.proto, for source paths.
const FIELD: i32 = 2;
const FIELD_NAME: i32 = 1;
const FIELD_LABEL: i32 = 4;
const FIELD_TYPE: i32 = 5;
const FIELD_TYPE_NAME: i32 = 6;
const FIELD_JSON_NAME: i32 = 10;
const ENUM_VALUE: i32 = 2;
const ENUM_VALUE_NUMBER: i32 = 2;
const METHOD: i32 = 2;
const METHOD_INPUT: i32 = 2;
const METHOD_OUTPUT: i32 = 3;
const FILE_OPTIONS: i32 = 8;

/// The registry: every rule protoforge checks, in buf's order.
pub static RULES: &[Rule] = &[
    Rule {
        id: "ENUM_NO_DELETE",
        purpose: "Checks that enums are not deleted from a given file.",
        categories: &["CSR", "FILE"],
        check: Check::File(enum_no_delete),
    },
    Rule {
        id: "MESSAGE_NO_DELETE",
        purpose: "Checks that messages are not deleted from a given file.",
        categories: &["CSR", "FILE"],
        check: Check::File(message_no_delete),
    },
    Rule {
        id: "SERVICE_NO_DELETE",
        purpose: "Checks that services are not deleted from a given file.",
        categories: &["FILE"],
        check: Check::File(service_no_delete),
    },
    Rule {
        id: "FILE_SAME_GO_PACKAGE",
        purpose: "Checks that files have the same value for the go_package option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_go_package),
    },
    Rule {
        id: "FIELD_NO_DELETE",
        purpose: "Checks that fields are not deleted from a given message.",
        categories: &["CSR", "FILE", "PACKAGE"],
        check: Check::Message(field_no_delete),
    },
    Rule {
        id: "FIELD_SAME_TYPE",
        purpose: "Checks that fields have the same types in a given message.",
        categories: &["CSR", "FILE", "PACKAGE"],
        check: Check::Field(field_same_type),
    },
    Rule {
        id: "FIELD_SAME_NAME",
        purpose: "Checks that fields have the same names in a given message.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        check: Check::Field(field_same_name),
    },
    Rule {
        id: "FIELD_SAME_JSON_NAME",
        purpose: "Checks that fields have the same value for the json_name option.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        check: Check::Field(field_same_json_name),
    },
    Rule {
        id: "FIELD_SAME_CARDINALITY",
        purpose: "Checks that fields have the same cardinalities in a given message.",
        categories: &["FILE", "PACKAGE"],
        check: Check::Field(field_same_cardinality),
    },
    Rule {
        id: "FIELD_SAME_ONEOF",
        purpose: "Checks that fields have the same oneofs in a given message.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Field(field_same_oneof),
    },
    Rule {
        id: "ENUM_VALUE_NO_DELETE",
        purpose: "Checks that enum values are not deleted from a given enum.",
        categories: &["CSR", "FILE", "PACKAGE"],
        check: Check::Enum(enum_value_no_delete),
    },
    Rule {
        id: "ENUM_VALUE_SAME_NAME",
        purpose: "Checks that enum values have the same name.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        check: Check::Enum(enum_value_same_name),
    },
    Rule {
        id: "RPC_NO_DELETE",
        purpose: "Checks that rpcs are not deleted from a given service.",
        categories: &["FILE", "PACKAGE"],
        check: Check::Service(rpc_no_delete),
    },
    Rule {
        id: "RPC_SAME_REQUEST_TYPE",
        purpose: "Checks that rpcs are have the same request type.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Method(rpc_same_request_type),
    },
    Rule {
        id: "RPC_SAME_RESPONSE_TYPE",
        purpose: "Checks that rpcs are have the same response type.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Method(rpc_same_response_type),
    },
    Rule {
        id: "RPC_SAME_CLIENT_STREAMING",
        purpose: "Checks that rpcs have the same client streaming value.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Method(rpc_same_client_streaming),
    },
    Rule {
        id: "RPC_SAME_SERVER_STREAMING",
        purpose: "Checks that rpcs have the same server streaming value.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Method(rpc_same_server_streaming),
    },
];

// ------------------------------------------------------------------ files

fn deleted_from_file(
    pair: &FilePair<'_>,
    report: &mut Report<'_>,
    kind: &str,
    previous: &[&str],
    current: &[&str],
) {
    for name in previous.iter().filter(|name| !current.contains(name)) {
        report.add(
            pair.current.name(),
            Some(Span::FILE),
            format!("Previously present {kind} \"{name}\" was deleted from file."),
        );
    }
}

fn enum_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    deleted_from_file(
        pair,
        report,
        "enum",
        &pair.previous_types.enums,
        &pair.current_types.enums,
    );
}

fn message_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    deleted_from_file(
        pair,
        report,
        "message",
        &pair.previous_types.messages,
        &pair.current_types.messages,
    );
}

fn service_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    deleted_from_file(
        pair,
        report,
        "service",
        &pair.previous_types.services,
        &pair.current_types.services,
    );
}

fn file_same_go_package(pair: &FilePair<'_>, report: &mut Report<'_>) {
    const GO_PACKAGE: i32 = 11;
    let value = |file: &FileDescriptorProto| {
        file.options
            .as_ref()
            .map(|o| o.go_package().to_owned())
            .unwrap_or_default()
    };
    let (previous, current) = (value(pair.previous), value(pair.current));
    if previous != current {
        let span = option_span(pair.current, &[FILE_OPTIONS, GO_PACKAGE]);
        report.add(
            pair.current.name(),
            span,
            format!("File option \"go_package\" changed from \"{previous}\" to \"{current}\"."),
        );
    }
}

/// The span of a file-level path, or the whole file's first line.
fn option_span(file: &FileDescriptorProto, path: &[i32]) -> Option<Span> {
    let place = super::schema::Place {
        file,
        path: Vec::new(),
    };
    place.span(path).or(Some(Span::FILE))
}

// ------------------------------------------------------------------ messages and fields

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
                pair.current.place.file.name(),
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

impl FieldPair<'_> {
    /// The span of the current field, or of `suffix` within it when recorded.
    fn span(&self, suffix: &[i32]) -> Option<Span> {
        let place = &self.message.current.place;
        let mut path = vec![FIELD, self.current.index as i32];
        path.extend_from_slice(suffix);
        let current = self.message.current;
        if current
            .proto
            .options
            .as_ref()
            .is_some_and(|o| o.map_entry())
        {
            // A map's key and value have no source of their own: buf places
            // them at the map field's `map<K, V>` type.
            return place.span(&[FIELD_TYPE_NAME]).or_else(|| place.span(&[]));
        }
        place
            .span(&path)
            .or_else(|| place.span(&[FIELD, self.current.index as i32]))
    }

    fn add(&self, report: &mut Report<'_>, suffix: &[i32], message: String) {
        let span = self.span(suffix);
        report.add(self.message.current.place.file.name(), span, message);
    }

    /// `Field "1" with name "one" on message "One"`.
    fn describe(&self) -> String {
        format!(
            "Field \"{}\" with name \"{}\" on message \"{}\"",
            self.current.proto.number(),
            self.current.proto.name(),
            self.message.current.proto.name()
        )
    }
}

/// The type of a field as buf names it: the scalar's name, or the full name
/// of a message or enum (for a message or enum on only one side, the word).
fn type_name(field: &FieldDescriptorProto) -> String {
    match field.r#type() {
        Type::Message | Type::Group => "message".to_owned(),
        Type::Enum => "enum".to_owned(),
        scalar => scalar
            .as_str_name()
            .trim_start_matches("TYPE_")
            .to_lowercase(),
    }
}

fn field_same_type(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    let suffix = if current.type_name.is_some() {
        FIELD_TYPE_NAME
    } else {
        FIELD_TYPE
    };
    if previous.r#type() != current.r#type() {
        pair.add(
            report,
            &[suffix],
            format!(
                "{} changed type from \"{}\" to \"{}\".",
                pair.describe(),
                type_name(previous),
                type_name(current)
            ),
        );
    } else if previous.type_name() != current.type_name() {
        pair.add(
            report,
            &[suffix],
            format!(
                "{} changed type from \"{}\" to \"{}\".",
                pair.describe(),
                previous.type_name().trim_start_matches('.'),
                current.type_name().trim_start_matches('.')
            ),
        );
    }
}

fn field_same_name(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    if previous.name() != current.name() {
        pair.add(
            report,
            &[FIELD_NAME],
            format!(
                "Field \"{}\" on message \"{}\" changed name from \"{}\" to \"{}\".",
                current.number(),
                pair.message.current.proto.name(),
                previous.name(),
                current.name()
            ),
        );
    }
}

fn field_same_json_name(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    if previous.json_name() != current.json_name() {
        pair.add(
            report,
            &[FIELD_JSON_NAME],
            format!(
                "{} changed option \"json_name\" from \"{}\" to \"{}\".",
                pair.describe(),
                previous.json_name(),
                current.json_name()
            ),
        );
    }
}

/// A field's cardinality in buf's words.
fn cardinality(field: &FieldDescriptorProto, proto3: bool) -> &'static str {
    match field.label() {
        Label::Repeated => "repeated",
        Label::Required => "required",
        Label::Optional => {
            let explicit = !proto3
                || field.proto3_optional()
                || field.oneof_index.is_some()
                || matches!(field.r#type(), Type::Message | Type::Group);
            if explicit {
                "optional with explicit presence"
            } else {
                "optional with implicit presence"
            }
        }
    }
}

fn field_same_cardinality(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let proto3 = |message: &MessageView<'_>| message.place.file.syntax() == "proto3";
    let previous = cardinality(pair.previous.proto, proto3(pair.message.previous));
    let current = cardinality(pair.current.proto, proto3(pair.message.current));
    if previous != current {
        pair.add(
            report,
            &[FIELD_LABEL],
            format!(
                "{} changed cardinality from \"{previous}\" to \"{current}\".",
                pair.describe()
            ),
        );
    }
}

fn field_same_oneof(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    // A synthetic oneof (proto3 `optional`) is no oneof.
    let oneof = |field: &FieldDescriptorProto, message: &MessageView<'_>| {
        field
            .oneof_index
            .filter(|_| !field.proto3_optional())
            .and_then(|i| message.proto.oneof_decl.get(i as usize))
            .map(|o| o.name().to_owned())
    };
    let previous = oneof(pair.previous.proto, pair.message.previous);
    let current = oneof(pair.current.proto, pair.message.current);
    let change = match (&previous, &current) {
        (Some(_), None) => "moved from inside to outside a oneof".to_owned(),
        (None, Some(_)) => "moved from outside to inside a oneof".to_owned(),
        (Some(p), Some(c)) if p != c => format!("moved from oneof \"{p}\" to oneof \"{c}\""),
        _ => return,
    };
    pair.add(report, &[], format!("{} {change}.", pair.describe()));
}

// ------------------------------------------------------------------ enums

fn enum_value_no_delete(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    let current: Vec<i32> = pair
        .current
        .proto
        .value
        .iter()
        .map(|v| v.number())
        .collect();
    let mut reported = Vec::new();
    for value in &pair.previous.proto.value {
        if !current.contains(&value.number()) && !reported.contains(&value.number()) {
            reported.push(value.number());
            report.add(
                pair.current.place.file.name(),
                pair.current.place.span(&[]),
                format!(
                    "Previously present enum value \"{}\" on enum \"{}\" was deleted.",
                    value.number(),
                    pair.current.proto.name()
                ),
            );
        }
    }
}

fn enum_value_same_name(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    let previous = super::schema::values_by_number(pair.previous.proto);
    for (number, (index, value)) in super::schema::values_by_number(pair.current.proto) {
        let Some((_, before)) = previous.get(&number) else {
            continue;
        };
        if before.name() != value.name() {
            report.add(
                pair.current.place.file.name(),
                pair.current
                    .place
                    .span(&[ENUM_VALUE, index as i32, ENUM_VALUE_NUMBER]),
                format!(
                    "Enum value \"{number}\" on enum \"{}\" changed name from \"{}\" to \"{}\".",
                    pair.current.proto.name(),
                    before.name(),
                    value.name()
                ),
            );
        }
    }
}

// ------------------------------------------------------------------ services

fn rpc_no_delete(pair: &ServicePair<'_>, report: &mut Report<'_>) {
    let current = super::schema::methods_by_name(pair.current.proto);
    for method in &pair.previous.proto.method {
        if !current.contains_key(method.name()) {
            report.add(
                pair.current.place.file.name(),
                pair.current.place.span(&[]),
                format!(
                    "Previously present RPC \"{}\" on service \"{}\" was deleted.",
                    method.name(),
                    pair.current.proto.name()
                ),
            );
        }
    }
}

impl MethodPair<'_> {
    fn add(&self, report: &mut Report<'_>, suffix: &[i32], message: String) {
        let place = &self.service.current.place;
        let mut path = vec![METHOD, self.current_index as i32];
        path.extend_from_slice(suffix);
        let span = place
            .span(&path)
            .or_else(|| place.span(&[METHOD, self.current_index as i32]));
        report.add(place.file.name(), span, message);
    }

    fn describe(&self) -> String {
        format!(
            "RPC \"{}\" on service \"{}\"",
            self.current.name(),
            self.service.current.proto.name()
        )
    }
}

fn rpc_same_request_type(pair: &MethodPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.input_type(), pair.current.input_type());
    if previous != current {
        pair.add(
            report,
            &[METHOD_INPUT],
            format!(
                "{} changed request type from \"{}\" to \"{}\".",
                pair.describe(),
                previous.trim_start_matches('.'),
                current.trim_start_matches('.')
            ),
        );
    }
}

fn rpc_same_response_type(pair: &MethodPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.output_type(), pair.current.output_type());
    if previous != current {
        pair.add(
            report,
            &[METHOD_OUTPUT],
            format!(
                "{} changed response type from \"{}\" to \"{}\".",
                pair.describe(),
                previous.trim_start_matches('.'),
                current.trim_start_matches('.')
            ),
        );
    }
}

fn streaming(side: &str, streaming: bool) -> String {
    format!("{side} {}", if streaming { "streaming" } else { "unary" })
}

fn rpc_same_client_streaming(pair: &MethodPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (
        pair.previous.client_streaming(),
        pair.current.client_streaming(),
    );
    if previous != current {
        pair.add(
            report,
            &[],
            format!(
                "{} changed from {} to {}.",
                pair.describe(),
                streaming("client", previous),
                streaming("client", current)
            ),
        );
    }
}

fn rpc_same_server_streaming(pair: &MethodPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (
        pair.previous.server_streaming(),
        pair.current.server_streaming(),
    );
    if previous != current {
        pair.add(
            report,
            &[],
            format!(
                "{} changed from {} to {}.",
                pair.describe(),
                streaming("server", previous),
                streaming("server", current)
            ),
        );
    }
}
