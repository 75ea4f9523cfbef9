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
//! [`source_info`]). Any problem sends the caller back to protox's own path,
//! which reports it with its location.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use prost_reflect::DescriptorPool;
use protox::file::{ChainFileResolver, FileResolver, GoogleFileResolver, IncludeFileResolver};

use super::{
    load::{self, Loaded, MakeResolver},
    parallel,
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

/// Compiles `inputs` (disk paths) against `includes`; `None` when anything
/// is wrong (the caller then compiles with protox for the diagnostics),
/// including a shadowed input (a file of the same name under an earlier
/// root).
pub(crate) fn compile_paths(
    includes: &[PathBuf],
    inputs: &[PathBuf],
    keep_source_info: bool,
) -> Option<Batch> {
    let resolver = include_resolver(includes);
    let names = inputs
        .iter()
        .map(|input| resolver.resolve_path(input))
        .collect::<Option<Vec<_>>>()?;
    let make_resolver = || Box::new(include_resolver(includes)) as Box<dyn FileResolver>;
    let batch = compile(&make_resolver, &names, keep_source_info)?;
    let shadowed = inputs.iter().zip(&names).any(|(input, name)| {
        let opened = batch.files.iter().find(|file| file.name == *name);
        !opened
            .and_then(|file| file.path.as_deref())
            .is_some_and(|path| same_file(path, input))
    });
    (!shadowed).then_some(batch)
}

fn include_resolver(includes: &[PathBuf]) -> ChainFileResolver {
    let mut resolver = ChainFileResolver::new();
    for include in includes {
        resolver.add(IncludeFileResolver::new(include.clone()));
    }
    resolver.add(GoogleFileResolver::new());
    resolver
}

/// Compiles the files named `inputs`, opened by the resolvers
/// `make_resolver` makes, and everything they import; `None` when anything
/// is wrong.
pub(crate) fn compile(
    make_resolver: &MakeResolver<'_>,
    inputs: &[String],
    keep_source_info: bool,
) -> Option<Batch> {
    let mut loaded = load::load_all(make_resolver, inputs, keep_source_info)?;
    let order = dependency_order(&loaded, inputs)?;
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
        } = loaded.remove(&name)?;
        protos.push(proto);
        unresolved.push((name.clone(), options, source_info));
        files.push(BatchFile {
            is_import: !inputs.contains(&name),
            name,
            path,
            has_syntax,
        });
    }
    let mut pool = DescriptorPool::new();
    pool.add_file_descriptor_protos(protos).ok()?;
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
    )?;
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
    Some(Batch {
        pool,
        files,
        source_info,
        option_order,
    })
}

/// The names of the files `inputs` need, each after its imports; `None` on
/// an import cycle.
fn dependency_order(loaded: &HashMap<String, Loaded>, inputs: &[String]) -> Option<Vec<String>> {
    fn visit<'a>(
        loaded: &'a HashMap<String, Loaded>,
        name: &'a str,
        stack: &mut Vec<&'a str>,
        done: &mut std::collections::HashSet<&'a str>,
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
    let mut done = std::collections::HashSet::with_capacity(loaded.len());
    for input in inputs {
        visit(loaded, input, &mut Vec::new(), &mut done, &mut order)?;
    }
    Some(order)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}
