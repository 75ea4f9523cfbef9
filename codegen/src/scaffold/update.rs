//! `scaffold --update`: after rpcs are added to a schema, the stubs (and
//! their tests) of the new rpcs are added to a scaffold already written and
//! edited, without touching what is there.
//!
//! The existing module is parsed with `syn` to learn which methods the
//! implementation of the server trait has; the missing stubs go in before
//! the closing brace of that `impl` block, as text, so every byte the user
//! wrote stays as it was (comments and formatting included). Each stub
//! names `Streaming`, `Pin` and `Stream` in full, since the module may not
//! import them. Tests are added only for the stubs added now: a test a user
//! removed or rewrote for an implemented rpc is not brought back.

use std::path::Path;

use super::{
    ScaffoldError,
    rust::{Imports, ServiceInfo, rpc_stub, rpc_test},
};

/// The module `existing` (at `path`) with a stub for each rpc of `service`
/// its implementation lacks, and the rpcs added; `None` when none is
/// missing.
pub(crate) fn add_missing_stubs<'a>(
    existing: &str,
    service: &'a ServiceInfo,
    path: &Path,
) -> Result<Option<(String, Vec<&'a super::rust::Rpc>)>, ScaffoldError> {
    let unreadable = |why: String| ScaffoldError::Update(format!("{}: {why}", path.display()));
    let file = syn::parse_file(existing)
        .map_err(|err| unreadable(format!("cannot be parsed as Rust: {err}")))?;
    let implementation = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Impl(block)
                if block.trait_.as_ref().is_some_and(|(_, trait_path, _)| {
                    trait_path
                        .segments
                        .last()
                        .is_some_and(|segment| segment.ident == service.name)
                }) =>
            {
                Some(block)
            }
            _ => None,
        })
        .ok_or_else(|| unreadable(format!("has no `impl {} for ...` block", service.name)))?;
    let present: Vec<String> = implementation
        .items
        .iter()
        .filter_map(|item| match item {
            syn::ImplItem::Fn(function) => Some(function.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    let missing: Vec<_> = service
        .rpcs
        .iter()
        .filter(|rpc| !present.contains(&rpc.method))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let end = impl_end(existing, &service.name).ok_or_else(|| {
        unreadable(format!(
            "cannot find the end of `impl {} for ...`",
            service.name
        ))
    })?;
    let mut stubs = String::new();
    for rpc in &missing {
        stubs.push('\n');
        stubs.push_str(&rpc_stub(service, rpc, Imports::Basic));
    }
    let mut updated = existing.to_owned();
    updated.insert_str(end, &stubs);
    Ok(Some((updated, missing)))
}

/// The byte offset of the line holding the closing brace of `impl TRAIT for
/// ...` in a rustfmt-formatted module: the first line that is just `}` after
/// the `impl` line.
fn impl_end(text: &str, trait_name: &str) -> Option<usize> {
    let header = format!("impl {trait_name} for ");
    let mut offset = 0;
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if !inside && line.starts_with(&header) {
            inside = true;
        } else if inside && line.trim_end() == "}" {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// The tests file `existing` with a test for each rpc in `added`.
pub(crate) fn add_tests(
    existing: &str,
    service: &ServiceInfo,
    added: &[&super::rust::Rpc],
    path: &Path,
) -> Result<String, ScaffoldError> {
    let file = syn::parse_file(existing).map_err(|err| {
        ScaffoldError::Update(format!(
            "{}: cannot be parsed as Rust: {err}",
            path.display()
        ))
    })?;
    let present: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(function) => Some(function.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut updated = existing.to_owned();
    for rpc in added {
        if !present.contains(&rpc.test_name()) {
            updated.push_str(&rpc_test(service, rpc));
        }
    }
    Ok(updated)
}
