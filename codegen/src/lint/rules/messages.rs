//! Rules about messages (map entries, which have no source, are skipped).

use super::{Categories, Check, PASCAL_CASE, Report, Rule, check_comment, check_name};
use crate::lint::elements::MessageView;

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
    if !message.is_map_entry() {
        let name = message.proto.name();
        check_name(
            message.file,
            &message.path,
            "Message",
            name,
            PASCAL_CASE,
            report,
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
