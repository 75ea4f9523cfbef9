//! The fast path of compilation: every file parsed first, on all cores,
//! then the whole set added to one descriptor pool at once, its source info
//! kept beside the pool.
//!
//! protox adds files to its pool one by one. Once a file's options refer to
//! the pool itself (any schema importing `descriptor.proto` for custom
//! options, such as googleapis), each later addition copies the whole pool,
//! which makes compiling thousands of files quadratic (googleapis: 12.8 s and
//! 2.6 GB before, a fraction of that after). Adding them in one batch does the
//! same checks once. Source info stays out of the pool because the pool's
//! handling of it is quadratic in the options of a file (see
//! [`source_info`](super::source_info)). Any problem sends the caller back
//! to protox's own path, which reports it with its location.

use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
};

use prost_reflect::DescriptorPool;

use super::{
    Diagnostic,
    load::{self, Loaded},
    parallel,
    sources::{Sources, Stop},
};

/// Per options message (by path), its custom options' numbers in the order
/// written.
pub(crate) type OptionOrder = HashMap<Vec<i32>, Vec<u32>>;

/// What a successful batch gives.
pub(crate) struct Batch {
    /// Every file, imports included, with no source info.
    pub pool: DescriptorPool,
    /// Per file, dependencies first.
    pub files: Vec<BatchFile>,
    /// Per file name, its encoded `SourceCodeInfo`, when kept, with the
    /// locations of options moved where protoc has them. (Encoded, it takes
    /// a fraction of the memory, and encoding the output is a copy.)
    pub source_info: HashMap<String, Vec<u8>>,
    /// Per file name, the order its custom options were written in, where
    /// it is not the order of their numbers (see
    /// [`ResolvedOptions`](super::source_info::ResolvedOptions)).
    pub option_order: HashMap<String, OptionOrder>,
}

pub(crate) struct BatchFile {
    pub name: String,
    pub path: Option<PathBuf>,
    pub is_import: bool,
    pub has_syntax: bool,
}

/// Compiles `inputs` (disk paths); `Stop::Protox` also for a shadowed input
/// (a file of the same name under an earlier root).
pub(crate) fn compile_paths(
    sources: &Sources,
    inputs: &[PathBuf],
    keep_source_info: bool,
) -> Result<Batch, Stop> {
    let names = inputs
        .iter()
        .map(|input| sources.resolve_path(input))
        .collect::<Option<Vec<_>>>()
        .ok_or(Stop::Protox)?;
    let batch = compile(sources, &names, keep_source_info)?;
    let opened: HashMap<&str, Option<&Path>> = batch
        .files
        .iter()
        .map(|file| (file.name.as_str(), file.path.as_deref()))
        .collect();
    let shadowed = inputs.iter().zip(&names).any(|(input, name)| {
        !opened
            .get(name.as_str())
            .copied()
            .flatten()
            .is_some_and(|path| same_file(path, input))
    });
    if shadowed {
        return Err(Stop::Protox);
    }
    Ok(batch)
}

/// Compiles the files named `inputs` and everything they import.
pub(crate) fn compile(
    sources: &Sources,
    inputs: &[String],
    keep_source_info: bool,
) -> Result<Batch, Stop> {
    let budget = sources.budget();
    let stop = |problem: Option<Diagnostic>| match problem {
        Some(diagnostic) => Err(Stop::Limit(vec![diagnostic])),
        None => Ok(()),
    };
    let mut loaded = load::load_all(sources, inputs, keep_source_info)?;
    let messages = loaded
        .values()
        .map(|file| count_messages(&file.proto.message_type))
        .sum();
    stop(budget.check_messages(messages))?;
    let order = dependency_order(&loaded, inputs).ok_or(Stop::Protox)?;
    let input_names: HashSet<&str> = inputs.iter().map(String::as_str).collect();
    let mut files = Vec::with_capacity(order.len());
    let mut protos = Vec::with_capacity(order.len());
    let mut unresolved = Vec::new();
    for name in order {
        let Loaded {
            path,
            proto,
            options,
            source_info,
            has_syntax,
        } = loaded.remove(&name).ok_or(Stop::Protox)?;
        protos.push(proto);
        unresolved.push((name.clone(), options, source_info));
        files.push(BatchFile {
            is_import: !input_names.contains(name.as_str()),
            name,
            path,
            has_syntax,
        });
    }
    stop(budget.check_time())?;
    let mut pool = DescriptorPool::new();
    pool.add_file_descriptor_protos(protos)
        .map_err(|_| Stop::Protox)?;
    stop(budget.check_time())?;
    let resolved = parallel::map_with(
        unresolved,
        || (),
        |(), (name, options, info)| {
            let options = options.resolve(&pool)?;
            let info = match info {
                Some(info) => Some(info.finish(&options)?),
                None => None,
            };
            Some((name, info, options.order))
        },
    )
    .ok_or(Stop::Protox)?;
    let mut source_info = HashMap::new();
    let mut option_order = HashMap::new();
    for (name, info, order) in resolved {
        if !order.is_empty() {
            option_order.insert(name.clone(), order);
        }
        if let Some(info) = info {
            source_info.insert(name, info);
        }
    }
    Ok(Batch {
        pool,
        files,
        source_info,
        option_order,
    })
}

/// Messages in `messages`, nested ones included.
fn count_messages(messages: &[prost_types::DescriptorProto]) -> usize {
    messages
        .iter()
        .map(|message| 1 + count_messages(&message.nested_type))
        .sum()
}

/// The names of the files `inputs` need, each after its imports; `None` on
/// an import cycle.
fn dependency_order(loaded: &HashMap<String, Loaded>, inputs: &[String]) -> Option<Vec<String>> {
    fn visit<'a>(
        loaded: &'a HashMap<String, Loaded>,
        name: &'a str,
        stack: &mut Vec<&'a str>,
        done: &mut HashSet<&'a str>,
        order: &mut Vec<String>,
    ) -> Option<()> {
        if done.contains(name) {
            return Some(());
        }
        if stack.contains(&name) {
            return None;
        }
        let (name, file) = loaded.get_key_value(name)?;
        stack.push(name);
        for import in &file.proto.dependency {
            visit(loaded, import, stack, done, order)?;
        }
        stack.pop();
        done.insert(name);
        order.push(name.clone());
        Some(())
    }
    let mut order = Vec::with_capacity(loaded.len());
    let mut done = HashSet::with_capacity(loaded.len());
    for input in inputs {
        visit(loaded, input, &mut Vec::new(), &mut done, &mut order)?;
    }
    Some(order)
}

pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}
