//! The front end, end to end: sources to linked descriptors of our own
//! types ([`super::descriptor`]), what [`super::Compiler::compile`] runs.
//!
//! 1. **Load**: the inputs, then the files they import (plain, public, weak
//!    and `import option`), round by round: each round's files are read within the [`Limits`](super::Limits),
//!    parsed ([`crate::syntax`]) and lowered ([`super::lower`]) on all cores,
//!    and their feature uses checked ([`features::check_uses`]). A file
//!    found under no include root is looked up among the well-known types
//!    protoc 35 ships ([`super::well_known`]). Each file's problems are
//!    located while its text is at hand; the text is then dropped.
//! 2. **Order**: each file after its imports, from the inputs in order; an
//!    import cycle and a file importing one that failed are protoc's errors,
//!    at the `import` statement.
//! 3. **Link**: every declared name ([`validate::symbols`], which reports
//!    redefinitions as protoc words them), names resolved
//!    ([`names::Symbols`]) and JSON names filled.
//! 4. **Options**: interpreted ([`options::OptionTypes`]) once every name
//!    resolves, their source locations moved where protoc has them
//!    ([`lower::apply_interpreted_options`]).
//! 5. **Validate**: protoc's checks ([`validate::file`],
//!    [`validate::extension_numbers`], and those on resolved features,
//!    language features, naming and declarations in [`checks`], with the
//!    unused-import warnings), each file reporting the problems of the
//!    first of protoc's stages that finds any ([`checks::run`]: a core
//!    feature's lifetime or target found at loading waits for its stage);
//!    then the source-retention options protoc leaves out of its output
//!    are stripped with their locations.
//!
//! Each step after loading is an index of the whole set, built once (on
//! one core, or per file on all cores and merged), then a pass over the
//! files that only reads the index: each file's pass is independent of the
//! others', so the passes run on all cores ([`parallel::map_with`]). An
//! index is dropped once its passes are done.
//!
//! ```text
//!              index (whole set)                 pass (per file, all cores)
//!   link       validate::symbols, names::Symbols  resolve names, JSON names
//!   options    options::OptionTypes ────────┐     interpret, move locations
//!   validate   validate::Universe           │     validate::file
//!   strip                                   └──►  strip source retention
//! ```
//!
//! Source info is recorded only when asked for. Errors after loading are
//! located through the file's `SourceCodeInfo` ([`places`]): its own, or,
//! without, one built again for the few files with a problem.
//! `bench/frontend-diff.sh` compares the whole with protoc 35: googleapis,
//! the editions fixtures, protobuf's own sources and the malformed cases.

use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
};

use super::{
    Diagnostic, LineCol,
    descriptor::FileDescriptorProto,
    diagnostic::line_col,
    errors::find_import,
    features, import_path, json_name,
    lower::{self, LowerError},
    names, options, parallel,
    sources::{Sources, Stop},
    validate, well_known,
};
use crate::syntax;

mod checks;
mod places;

use places::{About, Places};

/// The files of a compilation, linked, each after its imports.
pub(crate) struct Linked {
    pub files: Vec<LinkedFile>,
    /// Accepted input, probably not as meant (protoc's warnings).
    pub warnings: Vec<Diagnostic>,
}

pub(crate) struct LinkedFile {
    pub is_import: bool,
    pub descriptor: FileDescriptorProto,
}

/// One loaded file.
struct Loaded {
    /// Where its problems are reported: the disk path, else the import name.
    shown: PathBuf,
    /// `None` when it failed (its problems say why).
    lowered: Option<FileDescriptorProto>,
    has_syntax: bool,
    /// Each import, with where its statement starts.
    imports: Vec<(String, Option<LineCol>)>,
    problems: Vec<Diagnostic>,
    /// Problems protoc reports only when every other check of the file
    /// finds none ([`checks::run`]).
    later: checks::Later,
}

/// Compiles the files named `inputs` and everything they import, with
/// their source info when `source_info`. `Err` holds every problem found,
/// or the limit that stopped the compilation.
pub(crate) fn compile(
    sources: &Sources,
    inputs: &[String],
    source_info: bool,
) -> Result<Linked, Vec<Diagnostic>> {
    let loaded = load_all(sources, inputs, source_info).map_err(|stop| match stop {
        Stop::Limit(diagnostics) => diagnostics,
        Stop::NotUtf8(diagnostic) => vec![*diagnostic],
    })?;
    let messages = loaded
        .values()
        .filter_map(|file| file.lowered.as_ref())
        .map(|file| count_messages(&file.message_type))
        .sum();
    if let Some(diagnostic) = sources.budget().check_messages(messages) {
        return Err(vec![diagnostic]);
    }
    link(loaded, inputs, Places::new(sources))
}

/// Loads `roots` and every file they import, round by round.
fn load_all(
    sources: &Sources,
    roots: &[String],
    source_info: bool,
) -> Result<HashMap<String, Loaded>, Stop> {
    let mut loaded: HashMap<String, Loaded> = HashMap::new();
    let mut round: Vec<String> = Vec::new();
    for root in roots {
        if !round.contains(root) {
            round.push(root.clone());
        }
    }
    while !round.is_empty() {
        if let Some(diagnostic) = sources.budget().check_files(loaded.len() + round.len()) {
            return Err(Stop::Limit(vec![diagnostic]));
        }
        let parsed = parallel::map_with(
            round.clone(),
            || (),
            |(), name| Some(load(sources, &name, source_info)),
        )
        .ok_or_else(|| {
            Stop::Limit(vec![Diagnostic::error(
                "internal error: a thread reading the files panicked",
            )])
        })?;
        let mut next = Vec::new();
        for (name, file) in round.into_iter().zip(parsed) {
            let file = file?;
            next.extend(file.imports.iter().map(|(import, _)| import.clone()));
            loaded.insert(name, file);
        }
        next.retain(|name| !loaded.contains_key(name));
        next.sort_unstable();
        next.dedup();
        round = next;
    }
    Ok(loaded)
}

/// Reads, parses and lowers one file, with its source info when
/// `source_info`.
fn load(sources: &Sources, name: &str, source_info: bool) -> Result<Loaded, Stop> {
    if let Err(why) = import_path::check(name) {
        // protoc looks no further; our reason says what to write instead.
        // (The name is no path on disk: said in the message.)
        let mut loaded = failed(name, None, "");
        loaded.problems.push(Diagnostic::error(format!(
            "{name}: Backslashes, consecutive slashes, \".\", or \"..\" are not allowed in \
             the virtual path ({why})"
        )));
        return Ok(loaded);
    }
    let (path, text) = match sources.read(name) {
        Ok(Some(text)) => (text.path, text.text),
        Ok(None) => match well_known::source(name) {
            Some(text) => (None, text.to_owned()),
            None => return Ok(failed(name, None, "File not found.")),
        },
        // Not UTF-8 (limits are `Stop::Limit`).
        Err(Stop::NotUtf8(diagnostic)) => {
            return Ok(Loaded {
                problems: vec![*diagnostic],
                ..failed(name, None, "")
            });
        }
        Err(stop) => return Err(stop),
    };
    let shown = path.clone().unwrap_or_else(|| PathBuf::from(name));
    let located = |message: &str, span: syntax::Span| {
        Diagnostic::error(message).with_path(&shown).at(
            &text,
            span.start as usize,
            span.end as usize,
        )
    };
    let parsed = match syntax::parse_with_limit(&text, sources.budget().limits.max_nesting) {
        Ok(parsed) => parsed,
        Err(err) => {
            return Ok(Loaded {
                problems: vec![located(&err.message, err.span)],
                ..failed(name, path, "")
            });
        }
    };
    let has_syntax = parsed.syntax().is_some();
    let lowered = if source_info {
        lower::lower(&parsed, name)
    } else {
        lower::lower_without_source_info(&parsed, name)
    };
    let lowered = match lowered {
        Ok(lowered) => lowered,
        Err(LowerError { message, span }) => {
            return Ok(Loaded {
                problems: vec![located(&message, span)],
                has_syntax,
                ..failed(name, path, "")
            });
        }
    };
    let uses = features::check_uses(&lowered);
    let located_all = |errors: Vec<LowerError>| -> Vec<Diagnostic> {
        errors
            .into_iter()
            .map(|err| located(&err.message, err.span))
            .collect()
    };
    let problems = located_all(uses.errors);
    let later = checks::Later {
        lifetimes: located_all(uses.lifetimes),
        targets: located_all(uses.targets),
    };
    let descriptor = lowered.descriptor;
    let imports = descriptor
        .dependency
        .iter()
        .chain(&descriptor.option_dependency)
        .map(|import| {
            let at = find_import(&text, import).map(|offset| line_col(&text, offset));
            (import.clone(), at)
        })
        .collect();
    Ok(Loaded {
        shown,
        lowered: problems.is_empty().then_some(descriptor),
        has_syntax,
        imports,
        problems,
        later,
    })
}

/// A file that failed to load, with `message` (none when empty).
fn failed(name: &str, path: Option<PathBuf>, message: &str) -> Loaded {
    let shown = path.clone().unwrap_or_else(|| PathBuf::from(name));
    let problems = if message.is_empty() {
        Vec::new()
    } else {
        vec![Diagnostic::error(message).with_path(&shown)]
    };
    Loaded {
        shown,
        lowered: None,
        has_syntax: true,
        imports: Vec::new(),
        problems,
        later: checks::Later::default(),
    }
}

/// Orders, links and validates the loaded files.
fn link(
    mut loaded: HashMap<String, Loaded>,
    inputs: &[String],
    mut places: Places<'_>,
) -> Result<Linked, Vec<Diagnostic>> {
    let mut order = Order {
        loaded: &loaded,
        done: HashMap::new(),
        stack: Vec::new(),
        order: Vec::new(),
        problems: Vec::new(),
    };
    for input in inputs {
        order.visit(input);
    }
    let Order {
        order: names,
        problems: import_problems,
        done,
        ..
    } = order;
    // Each file's own problems first (a missing file before the import
    // naming it), as protoc prints them.
    let mut problems: Vec<Diagnostic> = names
        .iter()
        .filter_map(|name| loaded.get(name))
        .flat_map(|file| file.problems.iter().cloned())
        .collect();
    problems.extend(import_problems);
    let input_names: HashSet<&str> = inputs.iter().map(String::as_str).collect();
    let mut warnings = Vec::new();
    let mut input_imports = HashMap::new();
    let mut files = Vec::with_capacity(names.len());
    let mut about = Vec::with_capacity(names.len());
    let mut later = Vec::with_capacity(names.len());
    for name in names {
        let ok = done.get(&name).copied().unwrap_or(false);
        let Some(file) = loaded.remove(&name) else {
            continue;
        };
        let Some(descriptor) = file.lowered.filter(|_| ok) else {
            continue;
        };
        if input_names.contains(name.as_str()) {
            input_imports.insert(name.clone(), file.imports.clone());
        }
        if !file.has_syntax {
            // protoc reads it as proto2, and says so.
            warnings.push(
                Diagnostic {
                    severity: super::Severity::Warning,
                    start: Some(LineCol { line: 1, column: 1 }),
                    ..Diagnostic::error(format!(
                        "no syntax specified for '{name}'; defaulting to proto2"
                    ))
                }
                .with_path(&file.shown),
            );
        }
        files.push(descriptor);
        about.push(About::new(file.shown, !input_names.contains(name.as_str())));
        later.push(file.later);
    }

    // Link: names declared once, then resolved file by file.
    let all: Vec<&FileDescriptorProto> = files.iter().collect();
    for (index, found) in validate::symbols(&all) {
        problems.push(places.locate(&files[index], &about[index], found));
    }
    let symbols = names::Symbols::of(&files);
    let resolved = each_file(&mut files, &about, |file, about| {
        let errors = symbols.resolve_file(file);
        let mut problems = Vec::new();
        if !errors.is_empty() {
            let index = validate::ElementIndex::of(file);
            for error in errors {
                let path = index.path(&error.element).map(|mut path| {
                    path.push(error.slot);
                    path
                });
                let found = validate::Problem::error(path.unwrap_or_default(), error.message);
                problems.push(places.locate(file, about, found));
            }
        }
        let written = checks::written_json_names(file);
        json_name::fill_json_names(file);
        (problems, written)
    })?;
    for ((file_problems, written), about) in resolved.into_iter().zip(&mut about) {
        problems.extend(file_problems);
        about.written_json_names = written;
    }
    if !problems.is_empty() {
        // Options name types and extensions: they need every name resolved.
        return Err(problems);
    }

    // Options, against declarations indexed before any is interpreted
    // (the names resolution indexed, kept).
    let types = options::OptionTypes::with_symbols(&files, symbols);
    let interpreted = each_file(&mut files, &about, |file, about| {
        let (errors, moves) = types.interpret(file);
        let problems: Vec<Diagnostic> = errors
            .into_iter()
            .map(|error| places.option_problem(file, about, error))
            .collect();
        (problems, moves)
    })?;
    // Each file's problems are held until [`checks::run`] reports those
    // of its first stage with any, as protoc does.
    let mut options_problems = Vec::with_capacity(files.len());
    for ((file_problems, file_moves), about) in interpreted.into_iter().zip(&mut about) {
        options_problems.push(file_problems);
        about.moves = file_moves.moves;
    }
    if options_problems.iter().all(Vec::is_empty) {
        places.move_options(&mut files, &mut about)?;
    }

    // protoc's validations, file by file, against every file.
    let all: Vec<&FileDescriptorProto> = files.iter().collect();
    let universe = validate::Universe::of(&all);
    let mut validated = parallel::map_with(
        all.iter().zip(&about).collect(),
        || (),
        |(), (file, about)| {
            let found = validate::file(file, &universe);
            Some(
                found
                    .into_iter()
                    .map(|found| {
                        let building = found.building;
                        (places.locate(file, about, found), building)
                    })
                    .collect::<Vec<_>>(),
            )
        },
    )
    .ok_or_else(worker_failed)?;
    drop(universe);
    for (index, found) in validate::extension_numbers(&all) {
        let building = found.building;
        validated[index].push((places.locate(&files[index], &about[index], found), building));
    }
    checks::run(
        &files,
        &about,
        checks::Before {
            options: options_problems,
            validated,
            later,
        },
        &input_imports,
        &places,
        &mut problems,
        &mut warnings,
    );
    if !problems.is_empty() {
        return Err(problems);
    }

    // What protoc leaves out of its output, now that the validations have
    // read it: source-retention options and their locations.
    each_file(&mut files, &about, |file, _| {
        let stripped = types.strip_source_retention(file);
        if let Some(info) = &mut file.source_code_info {
            lower::strip_locations(info, &stripped.paths);
        }
    })?;
    Ok(Linked {
        files: files
            .into_iter()
            .zip(about)
            .map(|(descriptor, about)| LinkedFile {
                is_import: about.is_import,
                descriptor,
            })
            .collect(),
        warnings,
    })
}

/// `work` on every file with what is reported of it, on all cores; the
/// results in file order.
fn each_file<R: Send>(
    files: &mut [FileDescriptorProto],
    about: &[About],
    work: impl Fn(&mut FileDescriptorProto, &About) -> R + Sync,
) -> Result<Vec<R>, Vec<Diagnostic>> {
    parallel::map_with(
        files.iter_mut().zip(about).collect(),
        || (),
        |(), (file, about)| Some(work(file, about)),
    )
    .ok_or_else(worker_failed)
}

/// `work` on every item, on all cores.
fn parallel_each<T: Send>(
    items: &mut [T],
    work: impl Fn(&mut T) + Sync,
) -> Result<(), Vec<Diagnostic>> {
    parallel::map_with(
        items.iter_mut().collect(),
        || (),
        |(), item| {
            work(item);
            Some(())
        },
    )
    .map(drop)
    .ok_or_else(worker_failed)
}

/// What a panicking worker leaves: a bug, reported rather than hidden.
fn worker_failed() -> Vec<Diagnostic> {
    vec![Diagnostic::error(
        "internal error: a worker thread of the compiler panicked",
    )]
}

/// The walk that puts each file after its imports.
struct Order<'a> {
    loaded: &'a HashMap<String, Loaded>,
    /// Per file visited, whether it and everything it imports loaded.
    done: HashMap<String, bool>,
    stack: Vec<&'a str>,
    order: Vec<String>,
    problems: Vec<Diagnostic>,
}

impl<'a> Order<'a> {
    /// Visits `name`; whether it loaded, and all it imports.
    fn visit(&mut self, name: &str) -> bool {
        if let Some(ok) = self.done.get(name) {
            return *ok;
        }
        let Some((name, file)) = self.loaded.get_key_value(name) else {
            return false;
        };
        self.stack.push(name);
        let mut ok = file.lowered.is_some();
        for (import, at) in &file.imports {
            if let Some(start) = self.stack.iter().position(|n| *n == import) {
                // protoc reports a cycle in the file it starts from, at
                // that file's import of the next one.
                let first = self.stack[start];
                let mut cycle: Vec<&str> = self.stack[start..].to_vec();
                cycle.push(import);
                let next = cycle[1];
                let first_file = &self.loaded[first];
                let first_at = first_file
                    .imports
                    .iter()
                    .find(|(n, _)| n == next)
                    .and_then(|(_, at)| *at);
                self.problems.push(at_line_col(
                    Diagnostic::error(format!(
                        "File recursively imports itself: {}",
                        cycle.join(" -> ")
                    ))
                    .with_path(&first_file.shown),
                    first_at,
                ));
                self.problems.push(at_line_col(
                    Diagnostic::error(format!("Import \"{import}\" was not found or had errors."))
                        .with_path(&file.shown),
                    *at,
                ));
                ok = false;
                continue;
            }
            if !self.visit(import) {
                self.problems.push(at_line_col(
                    Diagnostic::error(format!("Import \"{import}\" was not found or had errors."))
                        .with_path(&file.shown),
                    *at,
                ));
                ok = false;
            }
        }
        self.stack.pop();
        self.done.insert(name.clone(), ok);
        self.order.push(name.clone());
        ok
    }
}

fn at_line_col(mut diagnostic: Diagnostic, at: Option<LineCol>) -> Diagnostic {
    diagnostic.start = at;
    diagnostic
}

/// Messages in `messages`, nested ones included.
fn count_messages(messages: &[super::descriptor::DescriptorProto]) -> usize {
    messages
        .iter()
        .map(|message| 1 + count_messages(&message.nested_type))
        .sum()
}
