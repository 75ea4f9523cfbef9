//! The rules: each an ID, a purpose line and one small function over a
//! paired previous/current element. [`RULES`] is the registry; adding a rule
//! touches it and nothing else.
//!
//! This is the first part of buf's catalog; the rules not listed here are not
//! checked yet (see [`RULES`] for the ones that are).

use prost_types::{
    FieldDescriptorProto, FileDescriptorProto, FileOptions, MethodDescriptorProto,
    field_descriptor_proto::{Label, Type},
    method_options::IdempotencyLevel,
};

use super::{
    finding::{Finding, Span},
    schema::{EnumView, FieldView, Index, MessageView, Place, ServiceView},
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
    Schema(fn(&Index<'_>, &Index<'_>, &mut Report<'_>)),
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
            previous_path: Some(path.to_owned()),
        });
    }
}

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
const FIELD_TYPE: i32 = 5;
const FIELD_TYPE_NAME: i32 = 6;
const FIELD_JSON_NAME: i32 = 10;
const FIELD_DEFAULT: i32 = 7;
const ENUM_VALUE: i32 = 2;
const ENUM_VALUE_NUMBER: i32 = 2;
const METHOD: i32 = 2;
const METHOD_INPUT: i32 = 2;
const METHOD_OUTPUT: i32 = 3;
const FILE_OPTIONS: i32 = 8;

/// The rules of a category (config version v2).
pub fn in_category(category: &str) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES
        .iter()
        .filter(move |rule| rule.categories.contains(&category))
}

/// The registry: every rule protoforge checks so far.
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
    Rule {
        id: "FILE_NO_DELETE",
        purpose: "Checks that files are not deleted.",
        categories: &["CSR", "FILE"],
        check: Check::Schema(file_no_delete),
    },
    Rule {
        id: "FILE_SAME_CC_ENABLE_ARENAS",
        purpose: "Checks that files have the same value for the cc_enable_arenas option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_cc_enable_arenas),
    },
    Rule {
        id: "FILE_SAME_CC_GENERIC_SERVICES",
        purpose: "Checks that files have the same value for the cc_generic_services option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_cc_generic_services),
    },
    Rule {
        id: "FILE_SAME_CSHARP_NAMESPACE",
        purpose: "Checks that files have the same value for the csharp_namespace option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_csharp_namespace),
    },
    Rule {
        id: "FILE_SAME_JAVA_GENERIC_SERVICES",
        purpose: "Checks that files have the same value for the java_generic_services option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_java_generic_services),
    },
    Rule {
        id: "FILE_SAME_JAVA_MULTIPLE_FILES",
        purpose: "Checks that files have the same value for the java_multiple_files option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_java_multiple_files),
    },
    Rule {
        id: "FILE_SAME_JAVA_OUTER_CLASSNAME",
        purpose: "Checks that files have the same value for the java_outer_classname option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_java_outer_classname),
    },
    Rule {
        id: "FILE_SAME_JAVA_PACKAGE",
        purpose: "Checks that files have the same value for the java_package option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_java_package),
    },
    Rule {
        id: "FILE_SAME_OBJC_CLASS_PREFIX",
        purpose: "Checks that files have the same value for the objc_class_prefix option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_objc_class_prefix),
    },
    Rule {
        id: "FILE_SAME_OPTIMIZE_FOR",
        purpose: "Checks that files have the same value for the optimize_for option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_optimize_for),
    },
    Rule {
        id: "FILE_SAME_PHP_CLASS_PREFIX",
        purpose: "Checks that files have the same value for the php_class_prefix option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_php_class_prefix),
    },
    Rule {
        id: "FILE_SAME_PHP_METADATA_NAMESPACE",
        purpose: "Checks that files have the same value for the php_metadata_namespace option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_php_metadata_namespace),
    },
    Rule {
        id: "FILE_SAME_PHP_NAMESPACE",
        purpose: "Checks that files have the same value for the php_namespace option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_php_namespace),
    },
    Rule {
        id: "FILE_SAME_PY_GENERIC_SERVICES",
        purpose: "Checks that files have the same value for the py_generic_services option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_py_generic_services),
    },
    Rule {
        id: "FILE_SAME_RUBY_PACKAGE",
        purpose: "Checks that files have the same value for the ruby_package option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_ruby_package),
    },
    Rule {
        id: "FILE_SAME_SWIFT_PREFIX",
        purpose: "Checks that files have the same value for the swift_prefix option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::File(file_same_swift_prefix),
    },
    Rule {
        id: "ONEOF_NO_DELETE",
        purpose: "Checks that oneofs are not deleted from a given message.",
        categories: &["CSR", "FILE", "PACKAGE"],
        check: Check::Message(oneof_no_delete),
    },
    Rule {
        id: "RESERVED_MESSAGE_NO_DELETE",
        purpose: "Checks that reserved ranges and names are not deleted from a given message.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Message(reserved_message_no_delete),
    },
    Rule {
        id: "EXTENSION_MESSAGE_NO_DELETE",
        purpose: "Checks that extension ranges are not deleted from a given message.",
        categories: &["CSR", "FILE", "PACKAGE"],
        check: Check::Message(extension_message_no_delete),
    },
    Rule {
        id: "MESSAGE_SAME_REQUIRED_FIELDS",
        purpose: "Checks that messages have no added or deleted required fields.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Message(message_same_required_fields),
    },
    Rule {
        id: "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR",
        purpose: "Checks that messages do not change the no_standard_descriptor_accessor option from false or unset to true.",
        categories: &["CSR", "FILE", "PACKAGE"],
        check: Check::Message(message_no_remove_standard_descriptor_accessor),
    },
    Rule {
        id: "FIELD_SAME_CPP_STRING_TYPE",
        purpose: "Checks that fields have the same C++ string type, based on ctype field option or (pb.cpp).string_type feature.",
        categories: &["FILE", "PACKAGE"],
        check: Check::Field(field_same_cpp_string_type),
    },
    Rule {
        id: "FIELD_SAME_JSTYPE",
        purpose: "Checks that fields have the same value for the jstype option.",
        categories: &["FILE", "PACKAGE"],
        check: Check::Field(field_same_jstype),
    },
    Rule {
        id: "RESERVED_ENUM_NO_DELETE",
        purpose: "Checks that reserved ranges and names are not deleted from a given enum.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Enum(reserved_enum_no_delete),
    },
    Rule {
        id: "RPC_SAME_IDEMPOTENCY_LEVEL",
        purpose: "Checks that rpcs have the same value for the idempotency_level option.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Method(rpc_same_idempotency_level),
    },
    Rule {
        id: "EXTENSION_NO_DELETE",
        purpose: "Checks that extensions are not deleted from a given file.",
        categories: &["FILE"],
        check: Check::File(extension_no_delete),
    },
    Rule {
        id: "PACKAGE_NO_DELETE",
        purpose: "Checks that packages are not deleted.",
        categories: &["PACKAGE"],
        check: Check::Schema(package_no_delete),
    },
    Rule {
        id: "PACKAGE_MESSAGE_NO_DELETE",
        purpose: "Checks that messages are not deleted from a given package.",
        categories: &["PACKAGE"],
        check: Check::Schema(package_message_no_delete),
    },
    Rule {
        id: "PACKAGE_ENUM_NO_DELETE",
        purpose: "Checks that enums are not deleted from a given package.",
        categories: &["PACKAGE"],
        check: Check::Schema(package_enum_no_delete),
    },
    Rule {
        id: "PACKAGE_SERVICE_NO_DELETE",
        purpose: "Checks that services are not deleted from a given package.",
        categories: &["PACKAGE"],
        check: Check::Schema(package_service_no_delete),
    },
    Rule {
        id: "PACKAGE_EXTENSION_NO_DELETE",
        purpose: "Checks that extensions are not deleted from a given package.",
        categories: &["PACKAGE"],
        check: Check::Schema(package_extension_no_delete),
    },
    Rule {
        id: "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
        purpose: "Checks that fields are not deleted from a given message unless the name is reserved.",
        categories: &["CSR", "WIRE_JSON"],
        check: Check::Message(field_no_delete_unless_name_reserved),
    },
    Rule {
        id: "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
        purpose: "Checks that fields are not deleted from a given message unless the number is reserved.",
        categories: &["CSR", "WIRE_JSON", "WIRE"],
        check: Check::Message(field_no_delete_unless_number_reserved),
    },
    Rule {
        id: "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
        purpose: "Checks that enum values are not deleted from a given enum unless the name is reserved.",
        categories: &["CSR", "WIRE_JSON"],
        check: Check::Enum(enum_value_no_delete_unless_name_reserved),
    },
    Rule {
        id: "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
        purpose: "Checks that enum values are not deleted from a given enum unless the number is reserved.",
        categories: &["CSR", "WIRE_JSON", "WIRE"],
        check: Check::Enum(enum_value_no_delete_unless_number_reserved),
    },
    Rule {
        id: "FIELD_SAME_DEFAULT",
        purpose: "Checks that fields have the same default value, if a default is specified.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::Field(field_same_default),
    },
    Rule {
        id: "FILE_SAME_PACKAGE",
        purpose: "Checks that files have the same package.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        check: Check::File(file_same_package),
    },
    Rule {
        id: "FILE_SAME_SYNTAX",
        purpose: "Checks that files have the same syntax.",
        categories: &["CSR", "FILE", "PACKAGE"],
        check: Check::File(file_same_syntax),
    },
    Rule {
        id: "ENUM_SAME_TYPE",
        purpose: "Checks that enums have the same type (open vs closed).",
        categories: &["FILE", "PACKAGE"],
        check: Check::Enum(enum_same_type),
    },
    Rule {
        id: "ENUM_SAME_JSON_FORMAT",
        purpose: "Checks that enums have the same JSON format support.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        check: Check::Enum(enum_same_json_format),
    },
    Rule {
        id: "MESSAGE_SAME_JSON_FORMAT",
        purpose: "Checks that messages have the same JSON format support.",
        categories: &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        check: Check::Message(message_same_json_format),
    },
    Rule {
        id: "FIELD_SAME_UTF8_VALIDATION",
        purpose: "Checks that string fields have the same UTF8 validation mode.",
        categories: &["FILE", "PACKAGE"],
        check: Check::Field(field_same_utf8_validation),
    },
    Rule {
        id: "FIELD_SAME_JAVA_UTF8_VALIDATION",
        purpose: "Checks that fields have the same Java string UTF8 validation, based on java_string_check_utf8 file option or (pb.java).utf8_validation feature.",
        categories: &["FILE", "PACKAGE"],
        check: Check::Field(field_same_java_utf8_validation),
    },
    Rule {
        id: "FIELD_WIRE_COMPATIBLE_TYPE",
        purpose: "Checks that fields have wire-compatible types in a given message.",
        categories: &["WIRE"],
        check: Check::Field(field_wire_compatible_type),
    },
    Rule {
        id: "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
        purpose: "Checks that fields have wire and JSON compatible types in a given message.",
        categories: &["CSR", "WIRE_JSON"],
        check: Check::Field(field_wire_json_compatible_type),
    },
    Rule {
        id: "FIELD_WIRE_COMPATIBLE_CARDINALITY",
        purpose: "Checks that fields have wire-compatible cardinalities in a given message.",
        categories: &["WIRE"],
        check: Check::Field(compatible_cardinality),
    },
    Rule {
        id: "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
        purpose: "Checks that fields have wire and JSON compatible cardinalities in a given message.",
        categories: &["CSR", "WIRE_JSON"],
        check: Check::Field(compatible_cardinality),
    },
];

// ------------------------------------------------------------------ files

/// Types of kind `kind` gone from a file: a top-level one is reported at the
/// file (1:1), a nested one (`Outer.Inner`) at its closest parent still in
/// the file; a type whose parent is gone too is covered by the parent.
fn deleted_from_file(
    pair: &FilePair<'_>,
    report: &mut Report<'_>,
    kind: &str,
    previous: &[String],
    is_current: impl Fn(&str) -> bool,
) {
    // Within a file, types pair by their name in the package: a file whose
    // package changed keeps its types (FILE_SAME_PACKAGE reports it).
    let qualify = |package: &str, relative: &str| {
        if package.is_empty() {
            relative.to_owned()
        } else {
            format!("{package}.{relative}")
        }
    };
    let (before_package, after_package) = (pair.previous.package(), pair.current.package());
    for name in previous {
        let relative = name
            .strip_prefix(&format!("{before_package}."))
            .unwrap_or(name)
            .to_owned();
        if is_current(&qualify(after_package, &relative)) {
            continue;
        }
        let span = match relative.rsplit_once('.') {
            None => Some(Span::FILE),
            Some((parent, _)) => match pair.after.messages.get(&qualify(after_package, parent)) {
                Some(message) if message.place.file.name() == pair.current.name() => {
                    message.place.span(&[])
                }
                // The parent is gone too: reported as the parent.
                _ if pair
                    .before
                    .messages
                    .contains_key(&qualify(before_package, parent)) =>
                {
                    continue;
                }
                _ => Some(Span::FILE),
            },
        };
        report.add(
            pair.current.name(),
            span,
            format!("Previously present {kind} \"{relative}\" was deleted from file."),
        );
    }
}

fn in_file(place: &Place<'_>, file: &FileDescriptorProto) -> bool {
    place.file.name() == file.name()
}

fn enum_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    deleted_from_file(
        pair,
        report,
        "enum",
        pair.before
            .by_file
            .get(pair.previous.name())
            .map_or(&[][..], |types| &types.enums),
        |name| {
            pair.after
                .enums
                .get(name)
                .is_some_and(|e| in_file(&e.place, pair.current))
        },
    );
}

fn message_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    deleted_from_file(
        pair,
        report,
        "message",
        pair.before
            .by_file
            .get(pair.previous.name())
            .map_or(&[][..], |types| &types.messages),
        |name| {
            pair.after
                .messages
                .get(name)
                .is_some_and(|e| in_file(&e.place, pair.current))
        },
    );
}

fn service_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    deleted_from_file(
        pair,
        report,
        "service",
        pair.before
            .by_file
            .get(pair.previous.name())
            .map_or(&[][..], |types| &types.services),
        |name| {
            pair.after
                .services
                .get(name)
                .is_some_and(|e| in_file(&e.place, pair.current))
        },
    );
}

fn is_map_entry(message: &MessageView<'_>) -> bool {
    message
        .proto
        .options
        .as_ref()
        .is_some_and(|o| o.map_entry())
}

/// A string as Go's `%q` prints it (buf's messages quote values so).
fn go_quote(value: &str) -> String {
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

/// A file option as buf compares it: its field number in `FileOptions`, and
/// its value (the default when unset) as buf prints it.
fn file_option(
    pair: &FilePair<'_>,
    report: &mut Report<'_>,
    name: &str,
    number: i32,
    value: fn(&FileOptions) -> String,
) {
    let get = |file: &FileDescriptorProto| value(&file.options.clone().unwrap_or_default());
    let (previous, current) = (get(pair.previous), get(pair.current));
    if previous != current {
        report.add(
            pair.current.name(),
            option_span(pair.current, &[FILE_OPTIONS, number]),
            format!(
                "File option \"{name}\" changed from {} to {}.",
                go_quote(&previous),
                go_quote(&current)
            ),
        );
    }
}

macro_rules! file_option_rule {
    ($function:ident, $name:literal, $number:literal, $value:expr) => {
        fn $function(pair: &FilePair<'_>, report: &mut Report<'_>) {
            file_option(pair, report, $name, $number, $value);
        }
    };
}

file_option_rule!(file_same_java_package, "java_package", 1, |o| o
    .java_package()
    .to_owned());
file_option_rule!(
    file_same_java_outer_classname,
    "java_outer_classname",
    8,
    |o| o.java_outer_classname().to_owned()
);
file_option_rule!(
    file_same_java_multiple_files,
    "java_multiple_files",
    10,
    |o| o.java_multiple_files().to_string()
);
file_option_rule!(file_same_go_package, "go_package", 11, |o| o
    .go_package()
    .to_owned());
file_option_rule!(file_same_optimize_for, "optimize_for", 9, |o| o
    .optimize_for()
    .as_str_name()
    .to_owned());
file_option_rule!(
    file_same_cc_generic_services,
    "cc_generic_services",
    16,
    |o| o.cc_generic_services().to_string()
);
file_option_rule!(
    file_same_java_generic_services,
    "java_generic_services",
    17,
    |o| o.java_generic_services().to_string()
);
file_option_rule!(
    file_same_py_generic_services,
    "py_generic_services",
    18,
    |o| o.py_generic_services().to_string()
);
file_option_rule!(file_same_cc_enable_arenas, "cc_enable_arenas", 31, |o| o
    .cc_enable_arenas()
    .to_string());
file_option_rule!(file_same_objc_class_prefix, "objc_class_prefix", 36, |o| o
    .objc_class_prefix()
    .to_owned());
file_option_rule!(file_same_csharp_namespace, "csharp_namespace", 37, |o| o
    .csharp_namespace()
    .to_owned());
file_option_rule!(file_same_swift_prefix, "swift_prefix", 39, |o| o
    .swift_prefix()
    .to_owned());
file_option_rule!(file_same_php_class_prefix, "php_class_prefix", 40, |o| o
    .php_class_prefix()
    .to_owned());
file_option_rule!(file_same_php_namespace, "php_namespace", 41, |o| o
    .php_namespace()
    .to_owned());
file_option_rule!(
    file_same_php_metadata_namespace,
    "php_metadata_namespace",
    44,
    |o| o.php_metadata_namespace().to_owned()
);
file_option_rule!(file_same_ruby_package, "ruby_package", 45, |o| o
    .ruby_package()
    .to_owned());

/// The span of a file-level path, or the whole file's first line.
fn option_span(file: &FileDescriptorProto, path: &[i32]) -> Option<Span> {
    let place = Place {
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

    /// The recorded span of `suffix` within the current field, if any.
    fn exact_span(&self, suffix: &[i32]) -> Option<Span> {
        let mut path = vec![FIELD, self.current.index as i32];
        path.extend_from_slice(suffix);
        self.message.current.place.span(&path)
    }

    /// Where buf points for a bracketed field option (`json_name = "x"`,
    /// `default = 5`): source info records only its value, and the whole
    /// brackets; when it is the only option, its text is the brackets'
    /// inside. `None` when the option is not written out.
    fn bracket_option_span(&self, suffix: i32) -> Option<Span> {
        let own = self.exact_span(&[suffix])?;
        let written = [FIELD_JSON_NAME, FIELD_DEFAULT]
            .iter()
            .filter(|s| self.exact_span(&[**s]).is_some())
            .count();
        let only = written == 1 && self.current.proto.options.is_none();
        match self.exact_span(&[FIELD_OPTIONS]) {
            Some(brackets) if only && brackets.start_line == brackets.end_line => Some(Span {
                start_column: brackets.start_column + 1,
                end_column: brackets.end_column - 1,
                ..brackets
            }),
            _ => Some(own),
        }
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
        let span = pair
            .bracket_option_span(FIELD_JSON_NAME)
            .or_else(|| pair.span(&[]));
        report.add(
            pair.message.current.place.file.name(),
            span,
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
            &[],
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

// ------------------------------------------------------------------ the second batch

fn file_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    for name in before
        .files
        .keys()
        .filter(|name| !after.files.contains_key(*name))
    {
        report.findings.push(Finding {
            path: None,
            span: Some(Span::FILE),
            rule: report.rule,
            message: format!("Previously present file \"{name}\" was deleted."),
            previous_path: Some((*name).to_owned()),
        });
    }
}

impl MessagePair<'_> {
    fn add(&self, report: &mut Report<'_>, suffix: &[i32], message: String) {
        let place = &self.current.place;
        let span = place.span(suffix).or_else(|| place.span(&[]));
        report.add(place.file.name(), span, message);
    }
}

fn oneof_no_delete(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    // A proto3 `optional` field's synthetic oneof is no oneof of the schema.
    let real_oneofs = |message: &MessageView<'_>| -> Vec<String> {
        message
            .proto
            .oneof_decl
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                !message
                    .proto
                    .field
                    .iter()
                    .any(|f| f.oneof_index == Some(*i as i32) && f.proto3_optional())
            })
            .map(|(_, o)| o.name().to_owned())
            .collect()
    };
    let current = real_oneofs(pair.current);
    for name in real_oneofs(pair.previous) {
        if !current.contains(&name) {
            pair.add(
                report,
                &[],
                format!(
                    "Previously present oneof \"{name}\" on message \"{}\" was deleted.",
                    pair.current.proto.name()
                ),
            );
        }
    }
}

/// Inclusive ranges as buf prints them: `[5]`, `[50,60]`.
fn show_range((start, end): (i32, i32)) -> String {
    if start == end {
        format!("[{start}]")
    } else {
        format!("[{start},{end}]")
    }
}

/// The values of the inclusive range `range` that none of `kept` covers, as
/// maximal inclusive ranges.
fn missing(range: (i32, i32), kept: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let mut covered: Vec<(i32, i32)> = kept
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
        next = next.max(end.saturating_add(1));
    }
    if next <= range.1 {
        gaps.push((next, range.1));
    }
    gaps
}

/// Reports every previous range with values no current range keeps.
fn ranges_kept(
    report: &mut Report<'_>,
    path: &str,
    span: &dyn Fn() -> Option<Span>,
    what: &str,
    owner: &str,
    previous: &[(i32, i32)],
    current: &[(i32, i32)],
) {
    for range in previous {
        let gone = missing(*range, current);
        if !gone.is_empty() {
            let gone: Vec<String> = gone.into_iter().map(show_range).collect();
            report.add(
                path,
                span(),
                format!(
                    "Previously present {what} \"{}\" on {owner} is missing values: {} were removed.",
                    show_range(*range),
                    gone.join(", ")
                ),
            );
        }
    }
}

fn reserved_message_no_delete(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    // Message ranges end exclusive; buf prints them inclusive.
    let ranges = |m: &MessageView<'_>| -> Vec<(i32, i32)> {
        m.proto
            .reserved_range
            .iter()
            .map(|r| (r.start(), r.end() - 1))
            .collect()
    };
    let owner = format!("message \"{}\"", pair.current.proto.name());
    // The span costs a search of the file's locations: only for findings.
    let (path, span) = (pair.current.place.file.name(), &|| {
        pair.current.place.span(&[])
    });
    ranges_kept(
        report,
        path,
        span,
        "reserved range",
        &owner,
        &ranges(pair.previous),
        &ranges(pair.current),
    );
    for name in &pair.previous.proto.reserved_name {
        if !pair.current.proto.reserved_name.contains(name) {
            report.add(
                path,
                span(),
                format!("Previously present reserved name \"{name}\" on {owner} was deleted."),
            );
        }
    }
}

fn extension_message_no_delete(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    let ranges = |m: &MessageView<'_>| -> Vec<(i32, i32)> {
        m.proto
            .extension_range
            .iter()
            .map(|r| (r.start(), r.end() - 1))
            .collect()
    };
    let owner = format!("message \"{}\"", pair.current.proto.name());
    // The span costs a search of the file's locations: only for findings.
    let (path, span) = (pair.current.place.file.name(), &|| {
        pair.current.place.span(&[])
    });
    ranges_kept(
        report,
        path,
        span,
        "extension range",
        &owner,
        &ranges(pair.previous),
        &ranges(pair.current),
    );
}

fn reserved_enum_no_delete(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    // Enum ranges end inclusive.
    let ranges = |e: &EnumView<'_>| -> Vec<(i32, i32)> {
        e.proto
            .reserved_range
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect()
    };
    let owner = format!("enum \"{}\"", pair.current.proto.name());
    // The span costs a search of the file's locations: only for findings.
    let (path, span) = (pair.current.place.file.name(), &|| {
        pair.current.place.span(&[])
    });
    ranges_kept(
        report,
        path,
        span,
        "reserved range",
        &owner,
        &ranges(pair.previous),
        &ranges(pair.current),
    );
    for name in &pair.previous.proto.reserved_name {
        if !pair.current.proto.reserved_name.contains(name) {
            report.add(
                path,
                span(),
                format!("Previously present reserved name \"{name}\" on {owner} was deleted."),
            );
        }
    }
}

fn message_same_required_fields(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    let required = |m: &MessageView<'_>| -> Vec<i32> {
        m.proto
            .field
            .iter()
            .filter(|f| f.label() == Label::Required)
            .map(FieldDescriptorProto::number)
            .collect()
    };
    let (previous, current) = (required(pair.previous), required(pair.current));
    let name = pair.current.proto.name();
    const CONSEQUENCE: &str = "Required fields must always be sent, so if one side does not know about the required field, this will result in a breakage.";
    for number in previous.iter().filter(|n| !current.contains(n)) {
        pair.add(
            report,
            &[],
            format!("Message \"{name}\" had required field \"{number}\" deleted. {CONSEQUENCE}"),
        );
    }
    for (index, field) in pair.current.proto.field.iter().enumerate() {
        if field.label() == Label::Required && !previous.contains(&field.number()) {
            pair.add(
                report,
                &[FIELD, index as i32],
                format!(
                    "Message \"{name}\" had required field \"{}\" added. {CONSEQUENCE}",
                    field.number()
                ),
            );
        }
    }
}

fn message_no_remove_standard_descriptor_accessor(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    const MESSAGE_OPTIONS: i32 = 7;
    const NO_STANDARD_DESCRIPTOR_ACCESSOR: i32 = 2;
    let value = |m: &MessageView<'_>| {
        m.proto
            .options
            .as_ref()
            .is_some_and(|o| o.no_standard_descriptor_accessor())
    };
    if !value(pair.previous) && value(pair.current) {
        pair.add(
            report,
            &[MESSAGE_OPTIONS, NO_STANDARD_DESCRIPTOR_ACCESSOR],
            "Message option \"no_standard_descriptor_accessor\" changed from \"false\" to \"true\".".to_owned(),
        );
    }
}

const FIELD_OPTIONS: i32 = 8;

fn field_same_cpp_string_type(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    const CTYPE: i32 = 1;
    let is_string = |f: &FieldDescriptorProto| matches!(f.r#type(), Type::String | Type::Bytes);
    if !is_string(pair.previous.proto) || !is_string(pair.current.proto) {
        return;
    }
    let ctype =
        |f: &FieldDescriptorProto| f.options.as_ref().map(|o| o.ctype()).unwrap_or_default();
    let (previous, current) = (ctype(pair.previous.proto), ctype(pair.current.proto));
    if previous != current {
        pair.add(
            report,
            &[FIELD_OPTIONS, CTYPE],
            format!(
                "{} changed C++ string type from \"{}\" to \"{}\".",
                pair.describe(),
                previous.as_str_name(),
                current.as_str_name()
            ),
        );
    }
}

fn field_same_jstype(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    const JSTYPE: i32 = 6;
    let jstype =
        |f: &FieldDescriptorProto| f.options.as_ref().map(|o| o.jstype()).unwrap_or_default();
    let (previous, current) = (jstype(pair.previous.proto), jstype(pair.current.proto));
    if previous != current {
        pair.add(
            report,
            &[FIELD_OPTIONS, JSTYPE],
            format!(
                "{} changed option \"jstype\" from \"{}\" to \"{}\".",
                pair.describe(),
                previous.as_str_name(),
                current.as_str_name()
            ),
        );
    }
}

fn rpc_same_idempotency_level(pair: &MethodPair<'_>, report: &mut Report<'_>) {
    const METHOD_OPTIONS: i32 = 4;
    const IDEMPOTENCY_LEVEL: i32 = 34;
    let level = |m: &MethodDescriptorProto| {
        m.options
            .as_ref()
            .map(|o| o.idempotency_level())
            .unwrap_or(IdempotencyLevel::IdempotencyUnknown)
    };
    let (previous, current) = (level(pair.previous), level(pair.current));
    if previous != current {
        pair.add(
            report,
            &[METHOD_OPTIONS, IDEMPOTENCY_LEVEL],
            format!(
                "{} changed option \"idempotency_level\" from \"{}\" to \"{}\".",
                pair.describe(),
                previous.as_str_name(),
                current.as_str_name()
            ),
        );
    }
}

// ------------------------------------------------------------------ the third batch

/// The extensions of a file, by extendee and number, with their names
/// relative to the package.
fn extensions_of(file: &FileDescriptorProto) -> Vec<((String, i32), String)> {
    fn nested(
        prefix: &str,
        message: &prost_types::DescriptorProto,
        out: &mut Vec<((String, i32), String)>,
    ) {
        let prefix = format!("{prefix}{}.", message.name());
        for extension in &message.extension {
            out.push((
                (extension.extendee().to_owned(), extension.number()),
                format!("{prefix}{}", extension.name()),
            ));
        }
        for inner in &message.nested_type {
            nested(&prefix, inner, out);
        }
    }
    let mut out: Vec<((String, i32), String)> = file
        .extension
        .iter()
        .map(|e| ((e.extendee().to_owned(), e.number()), e.name().to_owned()))
        .collect();
    for message in &file.message_type {
        nested("", message, &mut out);
    }
    out
}

fn extension_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    let current: Vec<(String, i32)> = extensions_of(pair.current)
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    for (key, name) in extensions_of(pair.previous) {
        if !current.contains(&key) {
            report.add(
                pair.current.name(),
                Some(Span::FILE),
                format!("Previously present extension \"{name}\" was deleted from file."),
            );
        }
    }
}

/// The files of each package.
fn packages<'a>(
    index: &'a Index<'a>,
) -> std::collections::BTreeMap<&'a str, Vec<&'a FileDescriptorProto>> {
    let mut packages: std::collections::BTreeMap<&str, Vec<&FileDescriptorProto>> =
        Default::default();
    for file in index.files.values() {
        packages.entry(file.package()).or_default().push(file);
    }
    packages
}

/// Where a package-level deletion is reported: the file of the same path in
/// the current package, else the package's first file.
fn package_file<'a>(
    files: &[&'a FileDescriptorProto],
    previous_file: &str,
) -> Option<&'a FileDescriptorProto> {
    files
        .iter()
        .find(|f| f.name() == previous_file)
        .or(files.first())
        .copied()
}

fn package_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    let current = packages(after);
    for (package, files) in packages(before)
        .iter()
        .filter(|(p, _)| !current.contains_key(*p))
    {
        report.findings.push(Finding {
            path: None,
            span: Some(Span::FILE),
            rule: report.rule,
            message: format!("Previously present package \"{package}\" was deleted."),
            previous_path: files.first().map(|f| f.name().to_owned()),
        });
    }
}

/// Reports every element of kind `kind` of a still-present package that is
/// gone from it (an element may move between the package's files).
fn deleted_from_package<'a>(
    before: &'a Index<'a>,
    after: &'a Index<'a>,
    report: &mut Report<'_>,
    kind: &str,
    previous: Vec<(String, &'a str, &'a str)>,
    is_current: impl Fn(&str) -> bool,
) {
    let current = packages(after);
    for (name, package, file) in previous {
        let Some(files) = current.get(package) else {
            continue; // The whole package is gone: PACKAGE_NO_DELETE.
        };
        if is_current(&name) {
            continue;
        }
        // A nested type is reported at its closest parent still present; a
        // type whose parent is gone too is covered by the parent.
        let parent = name
            .rsplit_once('.')
            .map(|(parent, _)| parent)
            .filter(|p| *p != package);
        let (target, span) = match parent {
            Some(parent) => match after.messages.get(parent) {
                Some(message) => (message.place.file, message.place.span(&[])),
                None if before.messages.contains_key(parent) => continue,
                None => match package_file(files, file) {
                    Some(target) => (target, Some(Span::FILE)),
                    None => continue,
                },
            },
            None => match package_file(files, file) {
                Some(target) => (target, Some(Span::FILE)),
                None => continue,
            },
        };
        let relative = name
            .strip_prefix(&format!("{package}."))
            .unwrap_or(&name)
            .to_owned();
        report.add(
            target.name(),
            span,
            format!(
                "Previously present {kind} \"{relative}\" was deleted from package \"{package}\"."
            ),
        );
    }
}

fn package_message_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    let previous = before
        .messages
        .iter()
        .map(|(name, m)| (name.clone(), m.place.file.package(), m.place.file.name()))
        .collect();
    // buf checks a package's messages only when the current package still
    // has some (and its enums likewise); services always.
    let remaining: Vec<&str> = after
        .messages
        .values()
        .map(|m| m.place.file.package())
        .collect();
    let previous = only_packages_with(previous, &remaining);
    deleted_from_package(before, after, report, "message", previous, |name| {
        after.messages.contains_key(name)
    });
}

fn only_packages_with<'a>(
    previous: Vec<(String, &'a str, &'a str)>,
    remaining: &[&str],
) -> Vec<(String, &'a str, &'a str)> {
    previous
        .into_iter()
        .filter(|(_, package, _)| remaining.contains(package))
        .collect()
}

fn package_enum_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    let previous = before
        .enums
        .iter()
        .map(|(name, e)| (name.clone(), e.place.file.package(), e.place.file.name()))
        .collect();
    let remaining: Vec<&str> = after
        .enums
        .values()
        .map(|e| e.place.file.package())
        .collect();
    let previous = only_packages_with(previous, &remaining);
    deleted_from_package(before, after, report, "enum", previous, |name| {
        after.enums.contains_key(name)
    });
}

fn package_service_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    let previous = before
        .services
        .iter()
        .map(|(name, s)| (name.clone(), s.place.file.package(), s.place.file.name()))
        .collect();
    deleted_from_package(before, after, report, "service", previous, |name| {
        after.services.contains_key(name)
    });
}

fn package_extension_no_delete(before: &Index<'_>, after: &Index<'_>, report: &mut Report<'_>) {
    let current_packages = packages(after);
    for (package, files) in packages(before) {
        let Some(current_files) = current_packages.get(package) else {
            continue;
        };
        let current: Vec<(String, i32)> = current_files
            .iter()
            .flat_map(|f| extensions_of(f))
            .map(|(key, _)| key)
            .collect();
        for file in files {
            for (key, name) in extensions_of(file) {
                if current.contains(&key) {
                    continue;
                }
                if let Some(target) = package_file(current_files, file.name()) {
                    report.add(
                        target.name(),
                        Some(Span::FILE),
                        format!("Previously present extension \"{name}\" was deleted from package \"{package}\"."),
                    );
                }
            }
        }
    }
}

fn field_no_delete_unless_reserved(pair: &MessagePair<'_>, report: &mut Report<'_>, by_name: bool) {
    let current = &pair.current.proto;
    let numbers: Vec<i32> = current
        .field
        .iter()
        .map(FieldDescriptorProto::number)
        .collect();
    for field in &pair.previous.proto.field {
        if numbers.contains(&field.number()) {
            continue;
        }
        let reserved = if by_name {
            current.reserved_name.iter().any(|n| n == field.name())
        } else {
            current
                .reserved_range
                .iter()
                .any(|r| (r.start()..r.end()).contains(&field.number()))
        };
        if !reserved {
            let what = if by_name {
                format!("name \"{}\"", field.name())
            } else {
                format!("number \"{}\"", field.number())
            };
            pair.add(
                report,
                &[],
                format!(
                    "Previously present field \"{}\" with name \"{}\" on message \"{}\" was deleted without reserving the {what}.",
                    field.number(),
                    field.name(),
                    current.name()
                ),
            );
        }
    }
}

fn field_no_delete_unless_name_reserved(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    field_no_delete_unless_reserved(pair, report, true);
}

fn field_no_delete_unless_number_reserved(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    field_no_delete_unless_reserved(pair, report, false);
}

fn enum_value_no_delete_unless_reserved(
    pair: &EnumPair<'_>,
    report: &mut Report<'_>,
    by_name: bool,
) {
    let current = pair.current.proto;
    let numbers: Vec<i32> = current.value.iter().map(|v| v.number()).collect();
    let mut reported = Vec::new();
    for value in &pair.previous.proto.value {
        if numbers.contains(&value.number()) || reported.contains(&value.number()) {
            continue;
        }
        reported.push(value.number());
        let reserved = if by_name {
            current.reserved_name.iter().any(|n| n == value.name())
        } else {
            current
                .reserved_range
                .iter()
                .any(|r| (r.start()..=r.end()).contains(&value.number()))
        };
        if !reserved {
            let what = if by_name {
                format!("name \"{}\"", value.name())
            } else {
                format!("number \"{}\"", value.number())
            };
            report.add(
                pair.current.place.file.name(),
                pair.current.place.span(&[]),
                format!(
                    "Previously present enum value \"{}\" on enum \"{}\" was deleted without reserving the {what}.",
                    value.number(),
                    current.name()
                ),
            );
        }
    }
}

fn enum_value_no_delete_unless_name_reserved(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    enum_value_no_delete_unless_reserved(pair, report, true);
}

fn enum_value_no_delete_unless_number_reserved(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    enum_value_no_delete_unless_reserved(pair, report, false);
}

fn field_same_default(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    if let (Some(before), Some(after)) = (&previous.default_value, &current.default_value)
        && before != after
    {
        let span = pair
            .bracket_option_span(FIELD_DEFAULT)
            .or_else(|| pair.span(&[]));
        report.add(
            pair.message.current.place.file.name(),
            span,
            format!(
                "{} changed default value from {before} to {after}.",
                pair.describe()
            ),
        );
    }
}

fn syntax(file: &FileDescriptorProto) -> &str {
    match file.syntax() {
        "" => "proto2",
        syntax => syntax,
    }
}

fn file_same_package(pair: &FilePair<'_>, report: &mut Report<'_>) {
    const PACKAGE: i32 = 2;
    if pair.previous.package() != pair.current.package() {
        report.add(
            pair.current.name(),
            option_span(pair.current, &[PACKAGE]),
            format!(
                "File package changed from \"{}\" to \"{}\".",
                pair.previous.package(),
                pair.current.package()
            ),
        );
    }
}

fn file_same_syntax(pair: &FilePair<'_>, report: &mut Report<'_>) {
    const SYNTAX: i32 = 12;
    let (previous, current) = (syntax(pair.previous), syntax(pair.current));
    if previous != current {
        report.add(
            pair.current.name(),
            option_span(pair.current, &[SYNTAX]),
            format!("File syntax changed from \"{previous}\" to \"{current}\"."),
        );
    }
}

/// proto3 enums are open and allow JSON; proto2 ones are closed and JSON
/// is best effort (the editions features these rules compare).
fn is_proto3(place: &Place<'_>) -> bool {
    syntax(place.file) == "proto3"
}

fn json_format(proto3: bool) -> &'static str {
    if proto3 {
        "ALLOW"
    } else {
        "LEGACY_BEST_EFFORT"
    }
}

fn enum_same_type(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    let kind = |proto3: bool| if proto3 { "open" } else { "closed" };
    let (previous, current) = (
        is_proto3(&pair.previous.place),
        is_proto3(&pair.current.place),
    );
    if previous != current {
        report.add(
            pair.current.place.file.name(),
            pair.current.place.span(&[]),
            format!(
                "Enum \"{}\" changed from {} to {}.",
                pair.current.proto.name(),
                kind(previous),
                kind(current)
            ),
        );
    }
}

fn enum_same_json_format(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (
        is_proto3(&pair.previous.place),
        is_proto3(&pair.current.place),
    );
    if previous != current {
        report.add(
            pair.current.place.file.name(),
            pair.current.place.span(&[]),
            format!(
                "Enum \"{}\" JSON format support changed from {} to {}.",
                pair.current.proto.name(),
                json_format(previous),
                json_format(current)
            ),
        );
    }
}

fn message_same_json_format(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (
        is_proto3(&pair.previous.place),
        is_proto3(&pair.current.place),
    );
    if previous != current && !is_map_entry(pair.current) {
        pair.add(
            report,
            &[],
            format!(
                "Message \"{}\" JSON format support changed from {} to {}.",
                pair.current.proto.name(),
                json_format(previous),
                json_format(current)
            ),
        );
    }
}

/// Whether a string field's UTF-8 is verified: always in proto3, never in
/// proto2 (the editions feature `utf8_validation`).
fn utf8_verified(message: &MessageView<'_>) -> &'static str {
    if is_proto3(&message.place) {
        "VERIFY"
    } else {
        "NONE"
    }
}

fn field_same_utf8_validation(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let is_string = |f: &FieldDescriptorProto| f.r#type() == Type::String;
    if !is_string(pair.previous.proto) || !is_string(pair.current.proto) {
        return;
    }
    let (previous, current) = (
        utf8_verified(pair.message.previous),
        utf8_verified(pair.message.current),
    );
    if previous != current {
        pair.add(
            report,
            &[],
            format!(
                "{} changed UTF8 validation from {previous} to {current}.",
                pair.describe()
            ),
        );
    }
}

fn field_same_java_utf8_validation(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let is_string = |f: &FieldDescriptorProto| f.r#type() == Type::String;
    if !is_string(pair.previous.proto) || !is_string(pair.current.proto) {
        return;
    }
    // Java checks UTF-8 in proto3, and in proto2 when java_string_check_utf8.
    let java = |message: &MessageView<'_>| {
        let checked = message
            .place
            .file
            .options
            .as_ref()
            .is_some_and(|o| o.java_string_check_utf8());
        if is_proto3(&message.place) || checked {
            "VERIFY"
        } else {
            "NONE"
        }
    };
    let (previous, current) = (java(pair.message.previous), java(pair.message.current));
    if previous != current {
        pair.add(
            report,
            &[],
            format!(
                "{} changed Java string UTF8 validation from \"{previous}\" to \"{current}\".",
                pair.describe()
            ),
        );
    }
}

// ------------------------------------------------------------------ wire compatibility

const WIRE_SEE: &str = "See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules.";
const WIRE_JSON_SEE: &str = "See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules and https://developers.google.com/protocol-buffers/docs/proto3#json for JSON compatibility rules.";
const BYTES_TO_STRING: &str = "Note that while string and bytes are compatible if the data is valid UTF-8, there is no way to enforce that a bytes field is UTF-8, so these fields may be incompatible.";

/// The groups of scalar types that read each other's wire encoding, as buf
/// has them (`string` may become `bytes`; the reverse is reported).
fn wire_group(ty: Type) -> Option<u8> {
    Some(match ty {
        Type::Int32 | Type::Int64 | Type::Uint32 | Type::Uint64 | Type::Bool => 1,
        Type::Sint32 | Type::Sint64 => 2,
        Type::Fixed32 | Type::Sfixed32 => 3,
        Type::Fixed64 | Type::Sfixed64 => 4,
        Type::String | Type::Bytes => 5,
        _ => return None,
    })
}

/// The groups of scalar types that also read each other's JSON, as buf has
/// them.
fn wire_json_group(ty: Type) -> Option<u8> {
    Some(match ty {
        Type::Int32 | Type::Uint32 => 1,
        Type::Int64 | Type::Uint64 => 2,
        Type::Fixed32 | Type::Sfixed32 => 3,
        Type::Fixed64 | Type::Sfixed64 => 4,
        _ => return None,
    })
}

/// Reports a type change outside `group`'s compatibility groups, with buf's
/// pointer to the rules (`see`); a change of message or enum type is
/// reported as FIELD_SAME_TYPE words it.
fn compatible_type(
    pair: &FieldPair<'_>,
    report: &mut Report<'_>,
    group: fn(Type) -> Option<u8>,
    see: &str,
    wire_only: bool,
) {
    let (previous, current) = (pair.previous.proto, pair.current.proto);
    let suffix = if current.type_name.is_some() {
        FIELD_TYPE_NAME
    } else {
        FIELD_TYPE
    };
    let (before, after) = (previous.r#type(), current.r#type());
    if before == after {
        if previous.type_name() != current.type_name() {
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
        return;
    }
    let compatible = matches!((group(before), group(after)), (Some(a), Some(b)) if a == b);
    let bytes_to_string = wire_only && before == Type::Bytes && after == Type::String;
    if compatible && !bytes_to_string {
        return;
    }
    let note = if bytes_to_string {
        format!(" {BYTES_TO_STRING}")
    } else {
        String::new()
    };
    pair.add(
        report,
        &[suffix],
        format!(
            "{} changed type from \"{}\" to \"{}\". {see}{note}",
            pair.describe(),
            type_name(previous),
            type_name(current)
        ),
    );
}

fn field_wire_compatible_type(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    compatible_type(pair, report, wire_group, WIRE_SEE, true);
}

fn field_wire_json_compatible_type(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    compatible_type(pair, report, wire_json_group, WIRE_JSON_SEE, false);
}

/// Reports cardinality changes that wire (and JSON) readers notice: every
/// change but one between implicit and explicit presence.
fn compatible_cardinality(pair: &FieldPair<'_>, report: &mut Report<'_>) {
    let proto3 = |message: &MessageView<'_>| message.place.file.syntax() == "proto3";
    let previous = cardinality(pair.previous.proto, proto3(pair.message.previous));
    let current = cardinality(pair.current.proto, proto3(pair.message.current));
    let wire = |c: &str| {
        if c.starts_with("optional") {
            "optional"
        } else {
            c
        }
        .to_owned()
    };
    if wire(previous) != wire(current) {
        pair.add(
            report,
            &[],
            format!(
                "{} changed cardinality from \"{previous}\" to \"{current}\".",
                pair.describe()
            ),
        );
    }
}
