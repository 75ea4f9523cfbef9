//! Rules about messages (map entries, which have no source, are skipped).

use super::{Categories, Check, Report, Rule, check_comment};
use crate::lint::{
    elements::{MessageView, child},
    naming,
};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "MESSAGE_PASCAL_CASE",
        purpose: "Checks that messages are PascalCase.",
        categories: Categories {
            v1beta1: Some(&[
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "STYLE_BASIC",
                "STYLE_DEFAULT",
                "STYLE_STANDARD",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Message(message_pascal_case),
    },
    Rule {
        id: "COMMENT_MESSAGE",
        purpose: "Checks that messages have non-empty comments.",
        categories: Categories {
            v1beta1: Some(&["COMMENTS"]),
            v1: Some(&["COMMENTS"]),
            v2: Some(&["COMMENTS"]),
        },
        deprecated: false,
        check: Check::Message(comment_message),
    },
];

fn message_pascal_case(message: &MessageView<'_>, report: &mut Report<'_>) {
    if message.is_map_entry() {
        return;
    }
    let name = message.proto.name();
    let expected = naming::to_pascal_case(name);
    if name != expected {
        report.add(
            message.file,
            &message.path,
            &child(&message.path, &[1]),
            format!("Message name {name:?} should be PascalCase, such as {expected:?}."),
        );
    }
}

fn comment_message(message: &MessageView<'_>, report: &mut Report<'_>) {
    if !message.is_map_entry() {
        check_comment(
            message.file,
            &message.path,
            "Message",
            message.proto.name(),
            report,
        );
    }
}
