//! PROTOVALIDATE: buf checks the `buf.validate` annotations of a schema
//! that imports them (rule values against field types, CEL expressions).
//! protoforge does not check them yet: a schema without `buf.validate` has
//! nothing to check, and one with it stops the lint with an error naming
//! the rule, rather than passing silently.

use super::{Categories, Check, Rule};
use crate::lint::elements::Module;

pub(super) static RULES: &[Rule] = &[Rule {
    id: "PROTOVALIDATE",
    purpose: "Checks that protovalidate rules are valid and all CEL expressions compile.",
    categories: Categories {
        v1beta1: None,
        v1: Some(&["DEFAULT", "STANDARD"]),
        v2: Some(&["DEFAULT", "STANDARD"]),
    },
    deprecated: false,
    check: Check::Unsupported(protovalidate),
}];

/// The file that imports protovalidate, if any.
fn protovalidate(module: &Module<'_>) -> Option<String> {
    let file = module.files.iter().find(|file| {
        file.proto
            .dependency
            .iter()
            .any(|import| import == "buf/validate/validate.proto")
    })?;
    Some(format!(
        "{}: imports buf/validate/validate.proto, and protoforge does not check protovalidate \
         annotations yet: add PROTOVALIDATE to the lint `except` list to lint the rest",
        file.name()
    ))
}
