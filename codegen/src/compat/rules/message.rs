//! Rules on messages: deletion from a file, JSON format, required fields,
//! options, oneofs and reserved ranges and names.

use crate::compile::descriptor::{FieldDescriptorProto, field_descriptor_proto::Label};

use super::{
    Categories, Check, Report, Rule,
    helpers::{
        MESSAGE_MAX, deleted_from_file, feature_span, message_owner, message_reserved,
        nested_names, ranges_kept, reserved_names_kept,
    },
};
use crate::{
    compat::{
        pairing::{FilePair, MessagePair},
        schema::{
            MessageView,
            number::{
                JSON_FORMAT, MESSAGE_FEATURES, MESSAGE_FIELD, MESSAGE_OPTIONS,
                NO_STANDARD_DESCRIPTOR_ACCESSOR,
            },
        },
    },
    compile::descriptor::feature_set::JsonFormat,
};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "MESSAGE_NO_DELETE",
        purpose: "Checks that messages are not deleted from a given file.",
        categories: Categories::all(&["FILE"], &["CSR", "FILE"]),
        check: Check::File(message_no_delete),
    },
    Rule {
        id: "MESSAGE_SAME_JSON_FORMAT",
        purpose: "Checks that messages have the same JSON format support.",
        categories: Categories::all(
            &["FILE", "PACKAGE", "WIRE_JSON"],
            &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        ),
        check: Check::Message(message_same_json_format),
    },
    Rule {
        id: "MESSAGE_SAME_REQUIRED_FIELDS",
        purpose: "Checks that messages have no added or deleted required fields.",
        categories: Categories::all(
            &["FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
            &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        ),
        check: Check::Message(message_same_required_fields),
    },
    Rule {
        id: "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR",
        purpose: "Checks that messages do not change the no_standard_descriptor_accessor option from false or unset to true.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["CSR", "FILE", "PACKAGE"]),
        check: Check::Message(message_no_remove_standard_descriptor_accessor),
    },
    Rule {
        id: "ONEOF_NO_DELETE",
        purpose: "Checks that oneofs are not deleted from a given message.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["CSR", "FILE", "PACKAGE"]),
        check: Check::Message(oneof_no_delete),
    },
    Rule {
        id: "RESERVED_MESSAGE_NO_DELETE",
        purpose: "Checks that reserved ranges and names are not deleted from a given message.",
        categories: Categories::all(
            &["FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
            &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        ),
        check: Check::Message(reserved_message_no_delete),
    },
];

fn message_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    let previous = nested_names(pair, |types| &types.messages);
    deleted_from_file(pair, report, "message", previous, |name| {
        pair.after
            .messages
            .get(name)
            .is_some_and(|m| m.place.file.name() == pair.current.name())
    });
}

fn message_same_json_format(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    // Only a loss is reported: ALLOW to LEGACY_BEST_EFFORT, map entries
    // included.
    let allowed = |view: &MessageView<'_>| view.features.json_format() == JsonFormat::Allow;
    if allowed(pair.previous) && !allowed(pair.current) {
        let option = feature_span(
            &pair.current.place,
            &[MESSAGE_OPTIONS, MESSAGE_FEATURES],
            &[JSON_FORMAT],
        );
        report.add(
            pair.file(),
            option.or_else(|| pair.span(&[])),
            format!(
                "Message \"{}\" JSON format support changed from ALLOW to LEGACY_BEST_EFFORT.",
                pair.current.proto.name()
            ),
        );
    }
}

fn message_same_required_fields(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    const CONSEQUENCE: &str = "Required fields must always be sent, so if one side does not know about the required field, this will result in a breakage.";
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
    for number in previous.iter().filter(|n| !current.contains(n)) {
        report.add(
            pair.file(),
            pair.span(&[]),
            format!("Message \"{name}\" had required field \"{number}\" deleted. {CONSEQUENCE}"),
        );
    }
    for (index, field) in pair.current.proto.field.iter().enumerate() {
        if field.label() == Label::Required && !previous.contains(&field.number()) {
            report.add(
                pair.file(),
                pair.span(&[MESSAGE_FIELD, index as i32]),
                format!(
                    "Message \"{name}\" had required field \"{}\" added. {CONSEQUENCE}",
                    field.number()
                ),
            );
        }
    }
}

fn message_no_remove_standard_descriptor_accessor(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    let value = |m: &MessageView<'_>| {
        m.proto
            .options
            .as_ref()
            .is_some_and(|o| o.no_standard_descriptor_accessor())
    };
    if !value(pair.previous) && value(pair.current) {
        report.add(
            pair.file(),
            pair.span(&[MESSAGE_OPTIONS, NO_STANDARD_DESCRIPTOR_ACCESSOR]),
            "Message option \"no_standard_descriptor_accessor\" changed from \"false\" to \"true\"."
                .to_owned(),
        );
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
            report.add(
                pair.file(),
                pair.span(&[]),
                format!(
                    "Previously present oneof \"{name}\" on message \"{}\" was deleted.",
                    pair.current.proto.name()
                ),
            );
        }
    }
}

fn reserved_message_no_delete(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    let owner = message_owner(pair);
    // The span costs a search of the file's locations: only for findings.
    let span = || pair.span(&[]);
    ranges_kept(
        report,
        pair.file(),
        &span,
        "reserved range",
        &owner,
        MESSAGE_MAX,
        &message_reserved(pair.previous),
        &message_reserved(pair.current),
    );
    reserved_names_kept(
        report,
        pair.file(),
        &span,
        &owner,
        &pair.previous.proto.reserved_name,
        &pair.current.proto.reserved_name,
    );
}
