//! JSON name conflicts between the fields of a message in an editions file,
//! which hang on the resolved `json_format` feature: under `ALLOW` (2023's
//! default) protoc 35 refuses them, under `LEGACY_BEST_EFFORT` it warns,
//! for default and custom (`json_name`) names alike. proto2 and proto3
//! files are [`crate::compile::validate`]'s. At the later field's name.

use super::{Element, Site};
use crate::compile::{
    descriptor::feature_set::JsonFormat,
    validate::{Problem, json_name_conflicts},
};

pub(super) fn check(site: &Site<'_>, problems: &mut Vec<Problem>) {
    let Element::Message(message) = site.element else {
        return;
    };
    let refused = site.resolved.json_format() == JsonFormat::Allow;
    for conflict in json_name_conflicts(message) {
        let problem = Problem::error(
            [
                site.path,
                &[2, i32::try_from(conflict.field).unwrap_or(i32::MAX), 1],
            ]
            .concat(),
            conflict.message,
        );
        problems.push(Problem {
            warning: !refused,
            ..problem
        });
    }
}
