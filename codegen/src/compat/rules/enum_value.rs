//! Rules on enum values: deletion from an enum (unless reserved), and
//! names kept per number (aliases included).

use super::{
    Categories, Check, Report, Rule,
    enums::enum_reserved,
    helpers::{Reserve, deleted_unless_reserved},
};
use crate::compat::{
    pairing::{EnumPair, EnumValuePair},
    schema::number::{ENUM_VALUE, ENUM_VALUE_NUMBER},
};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "ENUM_VALUE_NO_DELETE",
        purpose: "Checks that enum values are not deleted from a given enum.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["CSR", "FILE", "PACKAGE"]),
        check: Check::Enum(enum_value_no_delete),
    },
    Rule {
        id: "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
        purpose: "Checks that enum values are not deleted from a given enum unless the name is reserved.",
        categories: Categories::all(&["WIRE_JSON"], &["CSR", "WIRE_JSON"]),
        check: Check::Enum(|pair, report| {
            enum_value_no_delete_unless_reserved(pair, report, Reserve::Name)
        }),
    },
    Rule {
        id: "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
        purpose: "Checks that enum values are not deleted from a given enum unless the number is reserved.",
        categories: Categories::all(&["WIRE_JSON", "WIRE"], &["CSR", "WIRE_JSON", "WIRE"]),
        check: Check::Enum(|pair, report| {
            enum_value_no_delete_unless_reserved(pair, report, Reserve::Number)
        }),
    },
    Rule {
        id: "ENUM_VALUE_SAME_NAME",
        purpose: "Checks that enum values have the same name.",
        categories: Categories::all(
            &["FILE", "PACKAGE", "WIRE_JSON"],
            &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        ),
        check: Check::EnumValue(enum_value_same_name),
    },
];

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
                pair.file(),
                pair.span(),
                format!(
                    "Previously present enum value \"{}\" on enum \"{}\" was deleted.",
                    value.number(),
                    pair.current.proto.name()
                ),
            );
        }
    }
}

fn enum_value_no_delete_unless_reserved(
    pair: &EnumPair<'_>,
    report: &mut Report<'_>,
    reserve: Reserve,
) {
    let current = pair.current.proto;
    let numbers: Vec<i32> = current.value.iter().map(|v| v.number()).collect();
    deleted_unless_reserved(
        report,
        pair.file(),
        pair.span(),
        pair.previous
            .proto
            .value
            .iter()
            .map(|v| (v.number(), v.name())),
        &numbers,
        reserve,
        &current.reserved_name,
        &enum_reserved(pair.current),
        |number, _| {
            format!(
                "Previously present enum value \"{number}\" on enum \"{}\"",
                current.name()
            )
        },
    );
}

fn enum_value_same_name(pair: &EnumValuePair<'_>, report: &mut Report<'_>) {
    // A number keeps its names when every previous name (alias) is still
    // one of its names; new aliases are allowed.
    let mut previous: Vec<&str> = pair.previous.iter().map(|v| v.name()).collect();
    let mut current: Vec<&str> = pair.current.iter().map(|(_, v)| v.name()).collect();
    if previous.iter().all(|name| current.contains(name)) {
        return;
    }
    previous.sort_unstable();
    current.sort_unstable();
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Reported at every current value of the number.
    let enumeration = pair.enumeration;
    let plural = if previous.len() > 1 && current.len() > 1 {
        "names"
    } else {
        "name"
    };
    for (index, _) in &pair.current {
        report.add(
            enumeration.file(),
            enumeration
                .current
                .place
                .span(&[ENUM_VALUE, *index as i32, ENUM_VALUE_NUMBER]),
            format!(
                "Enum value \"{}\" on enum \"{}\" changed {plural} from {} to {}.",
                pair.number,
                enumeration.current.proto.name(),
                quoted(&previous),
                quoted(&current)
            ),
        );
    }
}
