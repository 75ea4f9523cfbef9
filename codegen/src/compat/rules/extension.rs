//! Rules on extensions and extension ranges.

use std::collections::HashSet;

use super::{
    Categories, Check, Report, Rule,
    helpers::{
        MESSAGE_MAX, deleted_from_file, inclusive, message_owner, nested_names, ranges_kept,
    },
};
use crate::compat::{
    pairing::{FilePair, MessagePair},
    schema::MessageView,
};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "EXTENSION_NO_DELETE",
        purpose: "Checks that extensions are not deleted from a given file.",
        categories: Categories::since_v2(&["FILE"]),
        check: Check::File(extension_no_delete),
    },
    Rule {
        id: "EXTENSION_MESSAGE_NO_DELETE",
        purpose: "Checks that extension ranges are not deleted from a given message.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["CSR", "FILE", "PACKAGE"]),
        check: Check::Message(extension_message_no_delete),
    },
];

fn extension_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    // Extensions are kept by name (a renamed one is a deleted one); one
    // declared in a message is reported at that message, as a nested type.
    let current: HashSet<&str> = pair
        .after
        .by_file
        .get(pair.current.name())
        .map(|types| types.extensions.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let previous = nested_names(pair, |types| &types.extensions);
    deleted_from_file(pair, report, "extension", previous, |name| {
        current.contains(name)
    });
}

fn extension_message_no_delete(pair: &MessagePair<'_>, report: &mut Report<'_>) {
    let ranges = |m: &MessageView<'_>| {
        inclusive(
            m.proto.extension_range.iter().map(|r| (r.start(), r.end())),
            true,
        )
    };
    // The span costs a search of the file's locations: only for findings.
    let span = || pair.span(&[]);
    ranges_kept(
        report,
        pair.file(),
        &span,
        "extension range",
        &message_owner(pair),
        MESSAGE_MAX,
        &ranges(pair.previous),
        &ranges(pair.current),
    );
}
