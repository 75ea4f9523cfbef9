//! Reading and parsing every file a compilation needs, on all cores.
//!
//! protox opens files one by one, each parse followed by its imports. The
//! parses are independent, so the files are read breadth first: every file
//! of a round (the inputs, then the imports they name that are not yet
//! read) is parsed by a pool of threads, each with its own resolver.
//!
//! Each file is also put in the shape protoc gives it (see [`Loaded`]) while
//! its source text is still at hand, and the text is dropped.

use std::{collections::HashMap, path::PathBuf};

use prost_types::{FileDescriptorProto, MethodOptions};

use super::{
    parallel,
    source_info::{self, SplitSourceInfo, WrittenOptions},
    sources::{Sources, Stop},
};

/// One parsed file.
pub(crate) struct Loaded {
    pub path: Option<PathBuf>,
    /// The descriptor with no source info, its `packed` options already
    /// interpreted (see [`source_info::take_packed_options`]), and the empty
    /// method options protoc writes for `rpc X(..) returns (..) {}`.
    pub proto: FileDescriptorProto,
    /// The options as written, before the pool interprets them.
    pub options: WrittenOptions,
    /// The source info, when kept.
    pub source_info: Option<SplitSourceInfo>,
    /// Whether the file has a `syntax` statement (protoc warns otherwise).
    pub has_syntax: bool,
}

/// Parses the files named `roots` and every file they import.
pub(crate) fn load_all(
    sources: &Sources,
    roots: &[String],
    keep_source_info: bool,
) -> Result<HashMap<String, Loaded>, Stop> {
    let mut loaded: HashMap<String, Loaded> = HashMap::new();
    let mut queued = std::collections::HashSet::new();
    let mut round: Vec<String> = roots
        .iter()
        .filter(|root| queued.insert(root.as_str()))
        .cloned()
        .collect();
    while !round.is_empty() {
        if let Some(diagnostic) = sources.budget().check_files(loaded.len() + round.len()) {
            return Err(Stop::Limit(vec![diagnostic]));
        }
        let limit = std::sync::Mutex::new(None);
        let parsed = parallel::map_with(
            round.clone(),
            || (),
            |(), name| {
                load(sources, &name, keep_source_info)
                    .map_err(|stop| {
                        if let (Stop::Limit(diagnostics), Ok(mut limit)) = (stop, limit.lock()) {
                            *limit = Some(diagnostics);
                        }
                    })
                    .ok()
            },
        );
        let Some(parsed) = parsed else {
            return Err(match limit.into_inner().ok().flatten() {
                Some(diagnostics) => Stop::Limit(diagnostics),
                None => Stop::Protox,
            });
        };
        let mut next = Vec::new();
        for (name, file) in round.into_iter().zip(parsed) {
            next.extend(file.proto.dependency.iter().cloned());
            loaded.insert(name, file);
        }
        next.retain(|name| !loaded.contains_key(name));
        next.sort_unstable();
        next.dedup();
        round = next;
    }
    Ok(loaded)
}

/// Opens and parses one file.
fn load(sources: &Sources, name: &str, keep_source_info: bool) -> Result<Loaded, Stop> {
    let (file, path) = sources.open(name)?;
    let braced_methods = file
        .source()
        .map(|source| braced_methods(file.file_descriptor_proto(), source))
        .unwrap_or_default();
    let mut proto = FileDescriptorProto::from(file);
    for (service, method) in braced_methods {
        let method = &mut proto.service[service].method[method];
        method.options.get_or_insert_with(MethodOptions::default);
    }
    let info = proto.source_code_info.take();
    let has_syntax = has_syntax_statement(&proto, info.as_ref());
    let options = WrittenOptions::of(&proto);
    let source_info = info
        .filter(|_| keep_source_info)
        .map(|info| SplitSourceInfo::new(info, &options));
    source_info::take_packed_options(&mut proto);
    Ok(Loaded {
        path,
        proto,
        options,
        source_info,
        has_syntax,
    })
}

/// `FileDescriptorProto.syntax`.
const SYNTAX_FIELD: i32 = 12;

/// Whether `file` was written with a `syntax` statement (a proto2 one
/// leaves no `syntax` field, only its location in `info`).
pub(crate) fn has_syntax_statement(
    file: &FileDescriptorProto,
    info: Option<&prost_types::SourceCodeInfo>,
) -> bool {
    file.syntax.is_some()
        || info.is_some_and(|info| info.location.iter().any(|loc| loc.path == [SYNTAX_FIELD]))
}

/// The methods (service index, method index) written with a body,
/// `rpc X(..) returns (..) {}`, and no options: protoc gives them an empty
/// `MethodOptions`, protox none. A method's span ends at its `}` or `;`.
fn braced_methods(proto: &FileDescriptorProto, source: &str) -> Vec<(usize, usize)> {
    let Some(info) = &proto.source_code_info else {
        return Vec::new();
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut found = Vec::new();
    for location in &info.location {
        let &[6, service, 2, method] = location.path.as_slice() else {
            continue;
        };
        let (end_line, end_col) = match location.span.as_slice() {
            &[line, _, col] | &[_, _, line, col] => (line, col),
            _ => continue,
        };
        let (Ok(service), Ok(method), Ok(end_line), Ok(end_col)) = (
            usize::try_from(service),
            usize::try_from(method),
            usize::try_from(end_line),
            usize::try_from(end_col),
        ) else {
            continue;
        };
        let closes_body = line_starts
            .get(end_line)
            .and_then(|start| (start + end_col).checked_sub(1))
            .and_then(|end| source.as_bytes().get(end))
            == Some(&b'}');
        let has_options = proto
            .service
            .get(service)
            .and_then(|s| s.method.get(method))
            .is_none_or(|m| m.options.is_some());
        if closes_body && !has_options {
            found.push((service, method));
        }
    }
    found
}
