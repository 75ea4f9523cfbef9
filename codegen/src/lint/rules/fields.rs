//! Rules about fields and extensions (a map's key and value, which have no
//! source, are skipped).

use crate::compile::descriptor::field_descriptor_proto::{Label, Type};

use super::{Categories, Check, LOWER_SNAKE_CASE, Report, Rule, check_comment, check_name};
use crate::lint::elements::{FIELD_NAME, FieldView, child};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "FIELD_LOWER_SNAKE_CASE",
        purpose: "Checks that field names are lower_snake_case.",
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
        check: Check::Field(field_lower_snake_case),
    },
    Rule {
        id: "FIELD_NOT_REQUIRED",
        purpose: "Checks that fields are not configured to be required.",
        categories: Categories {
            v1beta1: None,
            v1: None,
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Field(field_not_required),
    },
    Rule {
        id: "FIELD_NO_DESCRIPTOR",
        purpose: "Checks that field names are not any capitalization of \"descriptor\" with any number of prefix or suffix underscores.",
        categories: Categories {
            v1beta1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD", "SENSIBLE"]),
            v1: None,
            v2: None,
        },
        deprecated: false,
        check: Check::Field(field_no_descriptor),
    },
    Rule {
        id: "COMMENT_FIELD",
        purpose: "Checks that fields have non-empty comments.",
        categories: Categories {
            v1beta1: Some(&["COMMENTS"]),
            v1: Some(&["COMMENTS"]),
            v2: Some(&["COMMENTS"]),
        },
        deprecated: false,
        check: Check::Field(comment_field),
    },
];

fn field_lower_snake_case(field: &FieldView<'_>, report: &mut Report<'_>) {
    if !field.in_map_entry {
        let name = field.proto.name();
        check_name(
            field.file,
            &field.path,
            "Field",
            name,
            LOWER_SNAKE_CASE,
            report,
        );
    }
}

/// proto2 `required`, or the editions feature `field_presence =
/// LEGACY_REQUIRED` (which descriptors show as the same label).
fn field_not_required(field: &FieldView<'_>, report: &mut Report<'_>) {
    if field.proto.label() == Label::Required {
        let name = field.proto.name();
        report.add(
            field.file,
            &field.path,
            &child(&field.path, &[FIELD_NAME]),
            format!("Field named {name:?} should not be required."),
        );
    }
}

fn field_no_descriptor(field: &FieldView<'_>, report: &mut Report<'_>) {
    let name = field.proto.name();
    if name.trim_matches('_').eq_ignore_ascii_case("descriptor") {
        report.add(
            field.file,
            &field.path,
            &child(&field.path, &[FIELD_NAME]),
            format!(
                "Field name {name:?} cannot be any capitalization of \"descriptor\" with any \
                 number of prefix or suffix underscores."
            ),
        );
    }
}

/// Not on a group's field: buf asks for the comment on the group's message.
fn comment_field(field: &FieldView<'_>, report: &mut Report<'_>) {
    if !field.in_map_entry && field.proto.r#type() != Type::Group {
        check_comment(field.file, &field.path, "Field", field.proto.name(), report);
    }
}
