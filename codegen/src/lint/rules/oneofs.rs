//! Rules about oneofs (proto3 `optional`'s synthetic oneofs are not
//! visited).

use super::{Categories, Check, LOWER_SNAKE_CASE, Report, Rule, check_comment, check_name};
use crate::lint::elements::OneofView;

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "ONEOF_LOWER_SNAKE_CASE",
        purpose: "Checks that oneof names are lower_snake_case.",
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
        check: Check::Oneof(oneof_lower_snake_case),
    },
    Rule {
        id: "COMMENT_ONEOF",
        purpose: "Checks that oneofs have non-empty comments.",
        categories: Categories {
            v1beta1: Some(&["COMMENTS"]),
            v1: Some(&["COMMENTS"]),
            v2: Some(&["COMMENTS"]),
        },
        deprecated: false,
        check: Check::Oneof(comment_oneof),
    },
];

fn oneof_lower_snake_case(oneof: &OneofView<'_>, report: &mut Report<'_>) {
    let name = oneof.proto.name();
    check_name(
        oneof.file,
        &oneof.path,
        "Oneof",
        name,
        LOWER_SNAKE_CASE,
        report,
    );
}

fn comment_oneof(oneof: &OneofView<'_>, report: &mut Report<'_>) {
    check_comment(oneof.file, &oneof.path, "Oneof", oneof.proto.name(), report);
}
