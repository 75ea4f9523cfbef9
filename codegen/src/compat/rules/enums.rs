//! Rules on enums: deletion from a file, open or closed, JSON format, and
//! reserved ranges and names.

use super::{
    Categories, Check, Report, Rule,
    helpers::{
        ENUM_MAX, deleted_from_file, feature_span, inclusive, nested_names, ranges_kept,
        reserved_names_kept,
    },
};
use crate::{
    compat::{
        pairing::{EnumPair, FilePair},
        schema::{
            EnumView,
            number::{ENUM_FEATURES, ENUM_OPTIONS, FEATURE_ENUM_TYPE, JSON_FORMAT},
        },
    },
    compile::descriptor::feature_set::{EnumType, JsonFormat},
};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "ENUM_NO_DELETE",
        purpose: "Checks that enums are not deleted from a given file.",
        categories: Categories::all(&["FILE"], &["CSR", "FILE"]),
        check: Check::File(enum_no_delete),
    },
    Rule {
        id: "ENUM_SAME_TYPE",
        purpose: "Checks that enums have the same type (open vs closed).",
        categories: Categories::all(&["FILE", "PACKAGE"], &["FILE", "PACKAGE"]),
        check: Check::Enum(enum_same_type),
    },
    Rule {
        id: "ENUM_SAME_JSON_FORMAT",
        purpose: "Checks that enums have the same JSON format support.",
        categories: Categories::all(
            &["FILE", "PACKAGE", "WIRE_JSON"],
            &["CSR", "FILE", "PACKAGE", "WIRE_JSON"],
        ),
        check: Check::Enum(enum_same_json_format),
    },
    Rule {
        id: "RESERVED_ENUM_NO_DELETE",
        purpose: "Checks that reserved ranges and names are not deleted from a given enum.",
        categories: Categories::all(
            &["FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
            &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
        ),
        check: Check::Enum(reserved_enum_no_delete),
    },
];

fn enum_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    let previous = nested_names(pair, |types| &types.enums);
    deleted_from_file(pair, report, "enum", previous, |name| {
        pair.after
            .enums
            .get(name)
            .is_some_and(|e| e.place.file.name() == pair.current.name())
    });
}

fn enum_same_type(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    let kind = |view: &EnumView<'_>| match view.features.enum_type() {
        EnumType::Open => "open",
        _ => "closed",
    };
    let (previous, current) = (kind(pair.previous), kind(pair.current));
    if previous != current {
        report.add(
            pair.file(),
            feature_span(
                &pair.current.place,
                &[ENUM_OPTIONS, ENUM_FEATURES],
                &[FEATURE_ENUM_TYPE],
            )
            .or_else(|| pair.span()),
            format!(
                "Enum \"{}\" changed from {previous} to {current}.",
                pair.current.proto.name(),
            ),
        );
    }
}

fn enum_same_json_format(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    // Only a loss is reported: ALLOW to LEGACY_BEST_EFFORT.
    let allowed = |view: &EnumView<'_>| view.features.json_format() == JsonFormat::Allow;
    if allowed(pair.previous) && !allowed(pair.current) {
        report.add(
            pair.file(),
            feature_span(
                &pair.current.place,
                &[ENUM_OPTIONS, ENUM_FEATURES],
                &[JSON_FORMAT],
            )
            .or_else(|| pair.span()),
            format!(
                "Enum \"{}\" JSON format support changed from ALLOW to LEGACY_BEST_EFFORT.",
                pair.current.proto.name()
            ),
        );
    }
}

/// An enum's reserved ranges: they end inclusively (message ones do not).
pub(super) fn enum_reserved(e: &EnumView<'_>) -> Vec<(i64, i64)> {
    inclusive(
        e.proto.reserved_range.iter().map(|r| (r.start(), r.end())),
        false,
    )
}

fn reserved_enum_no_delete(pair: &EnumPair<'_>, report: &mut Report<'_>) {
    let owner = format!("enum \"{}\"", pair.current.proto.name());
    // The span costs a search of the file's locations: only for findings.
    let span = || pair.span();
    ranges_kept(
        report,
        pair.file(),
        &span,
        "reserved range",
        &owner,
        ENUM_MAX,
        &enum_reserved(pair.previous),
        &enum_reserved(pair.current),
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
