//! Rules on services.

use super::{
    Categories, Check, Report, Rule,
    helpers::{deleted_from_file, nested_names},
};
use crate::compat::pairing::FilePair;

pub(super) const RULES: &[Rule] = &[Rule {
    id: "SERVICE_NO_DELETE",
    purpose: "Checks that services are not deleted from a given file.",
    categories: Categories::all(&["FILE"], &["FILE"]),
    check: Check::File(service_no_delete),
}];

fn service_no_delete(pair: &FilePair<'_>, report: &mut Report<'_>) {
    let previous = nested_names(pair, |types| &types.services);
    deleted_from_file(pair, report, "service", previous, |name| {
        pair.after
            .services
            .get(name)
            .is_some_and(|s| s.place.file.name() == pair.current.name())
    });
}
