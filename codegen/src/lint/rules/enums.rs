//! Rules about enums and their values.

use super::{
    Categories, Check, PASCAL_CASE, Report, Rule, UPPER_SNAKE_CASE, check_comment, check_name,
};
use crate::lint::{
    elements::{
        ENUM_OPTIONS, ENUM_OPTIONS_ALLOW_ALIAS, ENUM_VALUE, ENUM_VALUE_NAME, ENUM_VALUE_NUMBER,
        EnumValueView, EnumView, child,
    },
    naming,
};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "ENUM_PASCAL_CASE",
        purpose: "Checks that enums are PascalCase.",
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
        check: Check::Enum(enum_pascal_case),
    },
    Rule {
        id: "ENUM_FIRST_VALUE_ZERO",
        purpose: "Checks that all first values of enums have a numeric value of 0.",
        categories: Categories {
            v1beta1: Some(&["OTHER"]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Enum(enum_first_value_zero),
    },
    Rule {
        id: "ENUM_NO_ALLOW_ALIAS",
        purpose: "Checks that enums do not have the allow_alias option set.",
        categories: Categories {
            v1beta1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD", "SENSIBLE"]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Enum(enum_no_allow_alias),
    },
    Rule {
        id: "COMMENT_ENUM",
        purpose: "Checks that enums have non-empty comments.",
        categories: Categories {
            v1beta1: Some(&["COMMENTS"]),
            v1: Some(&["COMMENTS"]),
            v2: Some(&["COMMENTS"]),
        },
        deprecated: false,
        check: Check::Enum(comment_enum),
    },
    Rule {
        id: "ENUM_VALUE_PREFIX",
        purpose: "Checks that enum values are prefixed with ENUM_NAME_UPPER_SNAKE_CASE.",
        categories: Categories {
            v1beta1: Some(&["DEFAULT", "STANDARD", "STYLE_DEFAULT", "STYLE_STANDARD"]),
            v1: Some(&["DEFAULT", "STANDARD"]),
            v2: Some(&["DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::EnumValue(enum_value_prefix),
    },
    Rule {
        id: "ENUM_VALUE_UPPER_SNAKE_CASE",
        purpose: "Checks that enum values are UPPER_SNAKE_CASE.",
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
        check: Check::EnumValue(enum_value_upper_snake_case),
    },
    Rule {
        id: "ENUM_ZERO_VALUE_SUFFIX",
        purpose: "Checks that enum zero values have a consistent suffix (configurable, default suffix is \"_UNSPECIFIED\").",
        categories: Categories {
            v1beta1: Some(&["DEFAULT", "STANDARD", "STYLE_DEFAULT", "STYLE_STANDARD"]),
            v1: Some(&["DEFAULT", "STANDARD"]),
            v2: Some(&["DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::EnumValue(enum_zero_value_suffix),
    },
    Rule {
        id: "COMMENT_ENUM_VALUE",
        purpose: "Checks that enum values have non-empty comments.",
        categories: Categories {
            v1beta1: Some(&["COMMENTS"]),
            v1: Some(&["COMMENTS"]),
            v2: Some(&["COMMENTS"]),
        },
        deprecated: false,
        check: Check::EnumValue(comment_enum_value),
    },
];

fn enum_pascal_case(enumeration: &EnumView<'_>, report: &mut Report<'_>) {
    let name = enumeration.proto.name();
    check_name(
        enumeration.file,
        &enumeration.path,
        "Enum",
        name,
        PASCAL_CASE,
        report,
    );
}

fn enum_first_value_zero(enumeration: &EnumView<'_>, report: &mut Report<'_>) {
    let Some(first) = enumeration.proto.value.first() else {
        return;
    };
    if first.number() != 0 {
        let value = child(&enumeration.path, &[ENUM_VALUE, 0]);
        report.add(
            enumeration.file,
            &value,
            &child(&value, &[ENUM_VALUE_NUMBER]),
            format!(
                "First enum value {:?} should have a numeric value of 0",
                first.name()
            ),
        );
    }
}

fn enum_no_allow_alias(enumeration: &EnumView<'_>, report: &mut Report<'_>) {
    let allows = enumeration
        .proto
        .options
        .as_ref()
        .is_some_and(|options| options.allow_alias());
    if allows {
        report.add(
            enumeration.file,
            &enumeration.path,
            &child(&enumeration.path, &[ENUM_OPTIONS, ENUM_OPTIONS_ALLOW_ALIAS]),
            format!(
                "Enum option \"allow_alias\" on enum {:?} must be false.",
                enumeration.proto.name()
            ),
        );
    }
}

fn comment_enum(enumeration: &EnumView<'_>, report: &mut Report<'_>) {
    check_comment(
        enumeration.file,
        &enumeration.path,
        "Enum",
        enumeration.proto.name(),
        report,
    );
}

fn at_value_name(value: &EnumValueView<'_>, message: String, report: &mut Report<'_>) {
    report.add(
        value.file,
        &value.path,
        &child(&value.path, &[ENUM_VALUE_NAME]),
        message,
    );
}

fn enum_value_prefix(value: &EnumValueView<'_>, report: &mut Report<'_>) {
    let prefix = format!("{}_", naming::to_upper_snake_case(value.enumeration.name()));
    let name = value.proto.name();
    if !name.starts_with(&prefix) {
        at_value_name(
            value,
            format!("Enum value name {name:?} should be prefixed with {prefix:?}."),
            report,
        );
    }
}

fn enum_value_upper_snake_case(value: &EnumValueView<'_>, report: &mut Report<'_>) {
    let name = value.proto.name();
    check_name(
        value.file,
        &value.path,
        "Enum value",
        name,
        UPPER_SNAKE_CASE,
        report,
    );
}

fn enum_zero_value_suffix(value: &EnumValueView<'_>, report: &mut Report<'_>) {
    let suffix = &report.options.enum_zero_value_suffix;
    let name = value.proto.name();
    if value.proto.number() == 0 && !name.ends_with(suffix.as_str()) {
        let message = format!("Enum zero value name {name:?} should be suffixed with {suffix:?}.");
        at_value_name(value, message, report);
    }
}

fn comment_enum_value(value: &EnumValueView<'_>, report: &mut Report<'_>) {
    check_comment(
        value.file,
        &value.path,
        "Enum value",
        value.proto.name(),
        report,
    );
}
