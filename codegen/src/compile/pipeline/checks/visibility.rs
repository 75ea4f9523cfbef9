//! STRICT `default_symbol_visibility` (2024) on nested enums: protoc 35
//! lets a nested enum be `export` only inside a top-level message that is
//! not `export` and reserves every number as one range (`reserved 1 to
//! max;`), the C++ namespacing idiom its message suggests. (Nested
//! messages are [`crate::compile::validate`]'s; visibility across files is
//! [`crate::compile::names`]'.) protoc gives the error no location.

use super::{Element, Site};
use crate::compile::{
    descriptor::{DescriptorProto, FileDescriptorProto, SymbolVisibility},
    features::FeatureKey,
    validate::Problem,
};

/// The key of `default_symbol_visibility` among the features.
const DEFAULT_SYMBOL_VISIBILITY: FeatureKey = (0, 8);
/// `STRICT`.
const STRICT: u64 = 4;
/// One past the largest field number, as a reserved range's end is.
const MAX_END: i32 = 536_870_912;

pub(super) fn check(site: &Site<'_>, file: &FileDescriptorProto, problems: &mut Vec<Problem>) {
    let Element::Message(message) = site.element else {
        return;
    };
    if site.resolved.get(DEFAULT_SYMBOL_VISIBILITY) != Some(STRICT) {
        return;
    }
    let top_level = site.path.len() == 2;
    for enumeration in &message.enum_type {
        if enumeration.visibility != Some(SymbolVisibility::VisibilityExport as i32)
            || (top_level && namespace(message))
        {
            continue;
        }
        let full = format!("{}.{}", site.full_name, enumeration.name());
        let shown = full
            .strip_prefix(&format!("{}.", file.package()))
            .unwrap_or(&full);
        problems.push(Problem::error(
            Vec::new(),
            format!(
                "\"{shown}\" is a nested enum and cannot be marked `export` with STRICT \
                 default_symbol_visibility. It must be moved to top-level, ideally in its own \
                 file in order to be `export`. For C++ namespacing of enums in a messages use: \
                 `local message <OuterNamespace> {{ export enum {shown} {{...}} reserved 1 to \
                 max; }}`"
            ),
        ));
    }
}

/// A message only there to name enums: not exported, every number
/// reserved in one range.
fn namespace(message: &DescriptorProto) -> bool {
    message.visibility != Some(SymbolVisibility::VisibilityExport as i32)
        && matches!(
            message.reserved_range.as_slice(),
            [range] if range.start == Some(1) && range.end == Some(MAX_END)
        )
}
