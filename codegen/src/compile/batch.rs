//! The fast path of compilation: every file parsed first, then the whole set
//! added to one descriptor pool at once.
//!
//! protox adds files to its pool one by one. Once a file's options refer to
//! the pool itself (any schema importing `descriptor.proto` for custom
//! options, such as googleapis), each later addition copies the whole pool,
//! which makes compiling thousands of files quadratic (googleapis: 12.8 s and
//! 2.6 GB before, a fraction of that after). Adding them in one batch does the
//! same checks once. Any problem sends the caller back to protox's own path,
//! which reports it with its location.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use prost_reflect::DescriptorPool;
use protox::file::{
    ChainFileResolver, File, FileResolver, GoogleFileResolver, IncludeFileResolver,
};

/// What a successful batch gives: the pool, and per file (dependencies
/// first) its name, disk path and whether it is an import.
pub(crate) struct Batch {
    pub pool: DescriptorPool,
    pub files: Vec<(String, Option<PathBuf>, bool)>,
}

/// Compiles `inputs` (disk paths) against `includes`; `None` when anything
/// is wrong (the caller then compiles with protox for the diagnostics).
pub(crate) fn compile(includes: &[PathBuf], inputs: &[PathBuf]) -> Option<Batch> {
    let mut resolver = ChainFileResolver::new();
    for include in includes {
        resolver.add(IncludeFileResolver::new(include.clone()));
    }
    resolver.add(GoogleFileResolver::new());

    let mut loader = Loader {
        resolver: &resolver,
        opened: HashMap::new(),
        order: Vec::new(),
    };
    let mut input_names = Vec::new();
    for input in inputs {
        let name = resolver.resolve_path(input)?;
        let file = loader.visit(&name, &mut Vec::new())?;
        // A file shadowed by another root of the same name: protox explains.
        if !same_file(file.path()?, input) {
            return None;
        }
        input_names.push(name);
    }

    let mut pool = DescriptorPool::new();
    let protos: Vec<_> = loader
        .order
        .iter()
        .map(|name| loader.opened[name].file_descriptor_proto().clone())
        .collect();
    pool.add_file_descriptor_protos(protos).ok()?;
    let files = loader
        .order
        .iter()
        .map(|name| {
            let path = loader.opened[name].path().map(Path::to_owned);
            (name.clone(), path, !input_names.contains(name))
        })
        .collect();
    Some(Batch { pool, files })
}

struct Loader<'a> {
    resolver: &'a ChainFileResolver,
    opened: HashMap<String, File>,
    /// Names in dependency order.
    order: Vec<String>,
}

impl Loader<'_> {
    /// Opens `name` and, first, its imports; `None` on a missing file, a
    /// parse error or an import cycle.
    fn visit(&mut self, name: &str, stack: &mut Vec<String>) -> Option<&File> {
        if !self.opened.contains_key(name) {
            if stack.iter().any(|s| s == name) {
                return None;
            }
            let file = self.resolver.open_file(name).ok()?;
            let imports = file.file_descriptor_proto().dependency.clone();
            stack.push(name.to_owned());
            for import in &imports {
                self.visit(import, stack)?;
            }
            stack.pop();
            self.order.push(name.to_owned());
            self.opened.insert(name.to_owned(), file);
        }
        self.opened.get(name)
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}
