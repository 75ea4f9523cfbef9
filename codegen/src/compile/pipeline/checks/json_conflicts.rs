//! JSON name conflicts between the fields of a message in an editions file,
//! which hang on the resolved `json_format` feature: under `ALLOW` (2023's
//! default) protoc 35 refuses them, under `LEGACY_BEST_EFFORT` it warns,
//! for default and custom (`json_name`) names alike. proto2 and proto3
//! files are [`crate::compile::validate`]'s. At the later field's name.

use std::collections::HashMap;

use super::{Element, Site};
use crate::compile::{
    descriptor::feature_set::JsonFormat, json_name::default_json_name, validate::Problem,
};

pub(super) fn check(site: &Site<'_>, problems: &mut Vec<Problem>) {
    let Element::Message(message) = site.element else {
        return;
    };
    let refused = site.resolved.json_format() == JsonFormat::Allow;
    let mut seen: HashMap<String, (&str, bool)> = HashMap::new();
    for (i, field) in message.field.iter().enumerate() {
        let default = default_json_name(field.name());
        let custom = field.json_name.as_deref().filter(|name| *name != default);
        let (name, is_custom) = match custom {
            Some(name) => (name.to_owned(), true),
            None => (default, false),
        };
        let Some(&(other, other_custom)) = seen.get(&name) else {
            seen.insert(name, (field.name(), is_custom));
            continue;
        };
        let kind = |custom: bool| if custom { "custom" } else { "default" };
        let problem = Problem::error(
            [site.path, &[2, i32::try_from(i).unwrap_or(i32::MAX), 1]].concat(),
            format!(
                "The {} JSON name of field \"{}\" (\"{name}\") conflicts with the {} JSON name \
                 of field \"{other}\".",
                kind(is_custom),
                field.name(),
                kind(other_custom)
            ),
        );
        problems.push(Problem {
            warning: !refused,
            ..problem
        });
    }
}
