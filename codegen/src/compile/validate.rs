//! protoc's validations of linked descriptors, in protoc 35's words.
//!
//! Each check gives a [`Problem`]: protoc's message and the descriptor path
//! of the part protoc points at (a field's number, a reserved range, a type
//! name), which the pipeline locates through the file's source info. Where
//! protoc gives no location (STRICT's nested `export`), the path is empty
//! and the problem is the file's.
//!
//! Options are read as written (`uninterpreted_option`) or interpreted,
//! whichever the descriptor has, so the checks hold before and after option
//! interpretation.

use std::collections::{BTreeSet, HashMap};

use super::{
    descriptor::{
        DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
        SymbolVisibility, UninterpretedOption,
        feature_set::EnumType as FeatureEnumType,
        field_descriptor_proto::{Label, Type},
    },
    json_name::default_json_name,
    names::default_visibility,
};

/// The largest field number (2^29 - 1).
const MAX_FIELD_NUMBER: i32 = 536_870_911;

/// A problem protoc reports: where (a descriptor path in the file) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub path: Vec<i32>,
    pub message: String,
    /// protoc only warns.
    pub warning: bool,
    /// protoc finds it while it builds the file, before it interprets
    /// options: such problems are reported alone (the pipeline's stages).
    pub building: bool,
}

impl Problem {
    pub fn error(path: Vec<i32>, message: impl Into<String>) -> Problem {
        Problem {
            path,
            message: message.into(),
            warning: false,
            building: false,
        }
    }

    /// The same problem, found while protoc builds the file.
    pub fn building(self) -> Problem {
        Problem {
            building: true,
            ..self
        }
    }

    fn warning(path: Vec<i32>, message: impl Into<String>) -> Problem {
        Problem {
            warning: true,
            ..Problem::error(path, message)
        }
    }
}

/// The most free field numbers protoc suggests for a message.
const MAX_SUGGESTIONS: usize = 3;

fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_owned()
    } else {
        format!("{scope}.{name}")
    }
}

fn with(path: &[i32], more: &[i32]) -> Vec<i32> {
    let mut path = path.to_vec();
    path.extend_from_slice(more);
    path
}

fn index(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// Where each element of a file sits: full name (no leading dot) to its
/// descriptor path.
pub(crate) struct ElementIndex(HashMap<String, Vec<i32>>);

impl ElementIndex {
    pub fn of(file: &FileDescriptorProto) -> ElementIndex {
        let mut index = ElementIndex(HashMap::new());
        let package = file.package();
        for (i, message) in file.message_type.iter().enumerate() {
            index.message(package, message, vec![4, index_of(i)]);
        }
        for (i, enumeration) in file.enum_type.iter().enumerate() {
            index.enumeration(package, enumeration, vec![5, index_of(i)]);
        }
        for (i, extension) in file.extension.iter().enumerate() {
            index
                .0
                .insert(join(package, extension.name()), vec![7, index_of(i)]);
        }
        for (i, service) in file.service.iter().enumerate() {
            let full = join(package, service.name());
            for (m, method) in service.method.iter().enumerate() {
                index.0.insert(
                    join(&full, method.name()),
                    vec![6, index_of(i), 2, index_of(m)],
                );
            }
            index.0.insert(full, vec![6, index_of(i)]);
        }
        index
    }

    fn message(&mut self, scope: &str, message: &DescriptorProto, path: Vec<i32>) {
        let full = join(scope, message.name());
        for (i, field) in message.field.iter().enumerate() {
            self.0
                .insert(join(&full, field.name()), with(&path, &[2, index(i)]));
        }
        for (i, field) in message.extension.iter().enumerate() {
            self.0
                .insert(join(&full, field.name()), with(&path, &[6, index(i)]));
        }
        for (i, nested) in message.nested_type.iter().enumerate() {
            self.message(&full, nested, with(&path, &[3, index(i)]));
        }
        for (i, enumeration) in message.enum_type.iter().enumerate() {
            self.enumeration(&full, enumeration, with(&path, &[4, index(i)]));
        }
        self.0.insert(full, path);
    }

    fn enumeration(&mut self, scope: &str, enumeration: &EnumDescriptorProto, path: Vec<i32>) {
        self.0.insert(join(scope, enumeration.name()), path);
    }

    /// The path of the element named `full`.
    pub fn path(&self, full: &str) -> Option<Vec<i32>> {
        self.0.get(full).cloned()
    }
}

fn index_of(i: usize) -> i32 {
    index(i)
}

/// What a name denotes, for redefinitions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Package,
    EnumValue,
    Other,
}

/// Every name `files` declare, in order; each redefinition is a problem of
/// the file (by index) redefining it.
///
/// Each file's names are made on all cores; they are then declared one by
/// one in file order. A redefinition, rare, walks its file again to find
/// where the name is.
pub(crate) fn symbols(files: &[&FileDescriptorProto]) -> Vec<(usize, Problem)> {
    let named = super::parallel::map_with(files.to_vec(), || (), |(), file| Some(names(file)))
        .unwrap_or_else(|| files.iter().map(|file| names(file)).collect());
    let mut declared: foldhash::HashMap<String, (usize, Kind)> = foldhash::HashMap::default();
    declared.reserve(named.iter().map(Vec::len).sum());
    let mut problems = Vec::new();
    for (file_index, (file, names)) in files.iter().zip(named).enumerate() {
        let package = file.package();
        if !package.is_empty() {
            let mut prefix = String::new();
            for part in package.split('.') {
                prefix = join(&prefix, part);
                match declared.get(&prefix) {
                    Some((_, Kind::Package)) => {}
                    Some((other, _)) => {
                        let other = files[*other].name();
                        problems.push((
                            file_index,
                            Problem::error(
                                vec![2],
                                format!(
                                    "\"{prefix}\" is already defined (as something other than a \
                                     package) in file \"{other}\"."
                                ),
                            ),
                        ));
                        break;
                    }
                    None => {
                        declared.insert(prefix.clone(), (file_index, Kind::Package));
                    }
                }
            }
        }
        for (nth, (full, kind)) in names.into_iter().enumerate() {
            let other = match declared.entry(full) {
                std::collections::hash_map::Entry::Vacant(vacant) => {
                    vacant.insert((file_index, kind));
                    continue;
                }
                std::collections::hash_map::Entry::Occupied(occupied) => *occupied.get(),
            };
            let mut seen = 0;
            each_declaration(file, &mut |declaration| {
                if seen == nth {
                    let found = redefinition(files, file_index, other, declaration);
                    problems.extend(found.into_iter().map(|problem| (file_index, problem)));
                }
                seen += 1;
            });
        }
    }
    problems
}

/// The full names `file` declares besides its package, in order, and what
/// each is.
fn names(file: &FileDescriptorProto) -> Vec<(String, Kind)> {
    let mut names = Vec::new();
    each_declaration(file, &mut |declaration| {
        names.push((join(declaration.scope, declaration.name), declaration.kind));
    });
    names
}

/// A name a file declares, for redefinitions.
struct Declaration<'a> {
    scope: &'a str,
    name: &'a str,
    /// Where the name is: `base` then `tail`.
    path: (&'a [i32], &'a [i32]),
    kind: Kind,
    /// The enum of an enum value.
    enum_name: &'a str,
    /// An enum value named as an earlier value of its own enum.
    repeats_in_enum: bool,
}

/// The problems of redefining, in the file `file_index` of `files`, a name
/// first declared in the file `other` (as `other_kind`).
fn redefinition(
    files: &[&FileDescriptorProto],
    file_index: usize,
    (other, _): (usize, Kind),
    declaration: &Declaration<'_>,
) -> Vec<Problem> {
    let Declaration {
        scope,
        name,
        path: (base, tail),
        kind,
        enum_name,
        repeats_in_enum,
    } = *declaration;
    let path = with(base, tail);
    let message = if other != file_index {
        format!(
            "\"{}\" is already defined in file \"{}\".",
            join(scope, name),
            files[other].name()
        )
    } else if scope.is_empty() {
        format!("\"{name}\" is already defined.")
    } else {
        format!("\"{name}\" is already defined in \"{scope}\".")
    };
    let mut problems = vec![Problem::error(path.clone(), message)];
    // protoc explains a value that clashes outside its enum only.
    if kind == Kind::EnumValue && !repeats_in_enum {
        problems.push(Problem::error(
            path,
            format!(
                "Note that enum values use C++ scoping rules, meaning that enum values are \
                 siblings of their type, not children of it.  Therefore, \"{name}\" must be \
                 unique within {}, not just within \"{enum_name}\".",
                if scope.is_empty() {
                    "the global scope".to_owned()
                } else {
                    format!("\"{scope}\"")
                },
            ),
        ));
    }
    problems
}

/// Calls `visit` on every name `file` declares besides its package, in
/// protoc's order.
fn each_declaration(file: &FileDescriptorProto, visit: &mut dyn FnMut(&Declaration<'_>)) {
    let package = file.package();
    for (i, message) in file.message_type.iter().enumerate() {
        declare_message(package, message, &[4, index(i)], visit);
    }
    for (i, enumeration) in file.enum_type.iter().enumerate() {
        declare_enum(package, enumeration, &[5, index(i)], visit);
    }
    for (i, extension) in file.extension.iter().enumerate() {
        visit(&Declaration {
            scope: package,
            name: extension.name(),
            path: (&[], &[7, index(i), 1]),
            kind: Kind::Other,
            enum_name: "",
            repeats_in_enum: false,
        });
    }
    for (i, service) in file.service.iter().enumerate() {
        visit(&Declaration {
            scope: package,
            name: service.name(),
            path: (&[], &[6, index(i), 1]),
            kind: Kind::Other,
            enum_name: "",
            repeats_in_enum: false,
        });
        let full = join(package, service.name());
        for (m, method) in service.method.iter().enumerate() {
            visit(&Declaration {
                scope: &full,
                name: method.name(),
                path: (&[], &[6, index(i), 2, index(m), 1]),
                kind: Kind::Other,
                enum_name: "",
                repeats_in_enum: false,
            });
        }
    }
}

fn declare_message(
    scope: &str,
    message: &DescriptorProto,
    path: &[i32],
    visit: &mut dyn FnMut(&Declaration<'_>),
) {
    fn other<'a>(scope: &'a str, name: &'a str, path: (&'a [i32], &'a [i32])) -> Declaration<'a> {
        Declaration {
            scope,
            name,
            path,
            kind: Kind::Other,
            enum_name: "",
            repeats_in_enum: false,
        }
    }
    visit(&other(scope, message.name(), (path, &[1])));
    // protoc's order within a message (which of two same names is the
    // redefinition): oneofs, fields, enums with their values, extensions,
    // nested messages.
    let full = join(scope, message.name());
    for (i, oneof) in message.oneof_decl.iter().enumerate() {
        let synthetic = message
            .field
            .iter()
            .any(|f| f.oneof_index == Some(index(i)) && f.proto3_optional == Some(true));
        if !synthetic {
            visit(&other(&full, oneof.name(), (path, &[8, index(i), 1])));
        }
    }
    for (i, field) in message.field.iter().enumerate() {
        visit(&other(&full, field.name(), (path, &[2, index(i), 1])));
    }
    for (i, enumeration) in message.enum_type.iter().enumerate() {
        declare_enum(&full, enumeration, &with(path, &[4, index(i)]), visit);
    }
    for (i, field) in message.extension.iter().enumerate() {
        visit(&other(&full, field.name(), (path, &[6, index(i), 1])));
    }
    for (i, nested) in message.nested_type.iter().enumerate() {
        declare_message(&full, nested, &with(path, &[3, index(i)]), visit);
    }
}

fn declare_enum(
    scope: &str,
    enumeration: &EnumDescriptorProto,
    path: &[i32],
    visit: &mut dyn FnMut(&Declaration<'_>),
) {
    for (i, value) in enumeration.value.iter().enumerate() {
        // C++ scoping: values are siblings of their enum.
        visit(&Declaration {
            scope,
            name: value.name(),
            path: (path, &[2, index(i), 1]),
            kind: Kind::EnumValue,
            enum_name: enumeration.name(),
            repeats_in_enum: enumeration.value[..i]
                .iter()
                .any(|v| v.name() == value.name()),
        });
    }
    // After its values, as protoc (`enum E { E = 0; }` redefines at `E`).
    visit(&Declaration {
        scope,
        name: enumeration.name(),
        path: (path, &[1]),
        kind: Kind::Other,
        enum_name: "",
        repeats_in_enum: false,
    });
}

/// What the checks need to know about messages and enums of every file.
pub(crate) struct Universe<'f> {
    messages: foldhash::HashMap<String, &'f DescriptorProto>,
    /// Per enum (full name), whether it is closed.
    closed_enums: foldhash::HashMap<String, bool>,
}

impl<'f> Universe<'f> {
    /// Indexes `files`: each file's part on all cores, then all of them
    /// in file order (the last declaration of a name wins).
    pub fn of(files: &[&'f FileDescriptorProto]) -> Universe<'f> {
        let part = |file: &'f FileDescriptorProto| {
            let mut part = UniversePart::default();
            let closed_file = file_enums_closed(file);
            let scope = file.package();
            for message in &file.message_type {
                part.message(scope, message, closed_file);
            }
            for enumeration in &file.enum_type {
                part.enumeration(scope, enumeration, closed_file);
            }
            part
        };
        let parts = super::parallel::map_with(files.to_vec(), || (), |(), file| Some(part(file)))
            .unwrap_or_else(|| files.iter().map(|file| part(file)).collect());
        let mut universe = Universe {
            messages: foldhash::HashMap::default(),
            closed_enums: foldhash::HashMap::default(),
        };
        universe
            .messages
            .reserve(parts.iter().map(|p| p.messages.len()).sum());
        for part in parts {
            universe.messages.extend(part.messages);
            universe.closed_enums.extend(part.closed_enums);
        }
        universe
    }
}

/// What one file adds to the [`Universe`], in order.
#[derive(Default)]
struct UniversePart<'f> {
    messages: Vec<(String, &'f DescriptorProto)>,
    closed_enums: Vec<(String, bool)>,
}

impl<'f> UniversePart<'f> {
    fn message(&mut self, scope: &str, message: &'f DescriptorProto, closed_file: bool) {
        let full = join(scope, message.name());
        for nested in &message.nested_type {
            self.message(&full, nested, closed_file);
        }
        for enumeration in &message.enum_type {
            self.enumeration(&full, enumeration, closed_file);
        }
        self.messages.push((full, message));
    }

    fn enumeration(&mut self, scope: &str, enumeration: &EnumDescriptorProto, closed_file: bool) {
        let closed = enumeration
            .options
            .as_ref()
            .and_then(enum_type_closed)
            .unwrap_or(closed_file);
        self.closed_enums
            .push((join(scope, enumeration.name()), closed));
    }
}

/// Whether the enums of `file` are closed unless they say otherwise.
fn file_enums_closed(file: &FileDescriptorProto) -> bool {
    match file.syntax() {
        "proto3" => false,
        "editions" => file
            .options
            .as_ref()
            .and_then(|o| {
                let interpreted = o.features.as_ref().and_then(|f| f.enum_type);
                match interpreted {
                    Some(value) => Some(value == FeatureEnumType::Closed as i32),
                    None => written_identifier(&o.uninterpreted_option, &["features", "enum_type"])
                        .map(|value| value == "CLOSED"),
                }
            })
            .unwrap_or(false),
        _ => true,
    }
}

/// Whether an enum's own `features.enum_type` makes it closed (or open);
/// `None` when it sets none.
fn enum_type_closed(options: &super::descriptor::EnumOptions) -> Option<bool> {
    match options.features.as_ref().and_then(|f| f.enum_type) {
        Some(value) => Some(value == FeatureEnumType::Closed as i32),
        None => written_identifier(&options.uninterpreted_option, &["features", "enum_type"])
            .map(|value| value == "CLOSED"),
    }
}

/// The identifier (or `true`/`false`) written for option `name` (plain
/// name parts).
fn written_identifier<'o>(options: &'o [UninterpretedOption], name: &[&str]) -> Option<&'o str> {
    options
        .iter()
        .find(|option| {
            option.name.len() == name.len()
                && option
                    .name
                    .iter()
                    .zip(name)
                    .all(|(part, want)| !part.is_extension() && part.name_part() == *want)
        })
        .and_then(|option| option.identifier_value.as_deref())
}

fn written_bool(options: &[UninterpretedOption], name: &str) -> Option<bool> {
    written_identifier(options, &[name]).map(|value| value == "true")
}

/// The checks of one linked file, against every file of the compilation.
pub(crate) fn file(file: &FileDescriptorProto, universe: &Universe<'_>) -> Vec<Problem> {
    let mut check = Check {
        file,
        universe,
        proto3: file.syntax() == "proto3",
        problems: Vec::new(),
        suggestions: Vec::new(),
    };
    let package = file.package();
    for (i, message) in file.message_type.iter().enumerate() {
        check.message(package, message, &[4, index(i)], false);
    }
    for (i, enumeration) in file.enum_type.iter().enumerate() {
        check.enumeration(package, enumeration, &[5, index(i)]);
    }
    for (i, extension) in file.extension.iter().enumerate() {
        check.extension(package, extension, &[7, index(i)]);
    }
    check.imports();
    // protoc suggests free numbers once the whole file is built.
    check.problems.append(&mut check.suggestions);
    check.problems
}

struct Check<'a, 'f> {
    file: &'a FileDescriptorProto,
    universe: &'a Universe<'f>,
    proto3: bool,
    problems: Vec<Problem>,
    /// The free field numbers suggested, reported after every other
    /// problem of the file.
    suggestions: Vec<Problem>,
}

impl Check<'_, '_> {
    fn error(&mut self, path: Vec<i32>, message: impl Into<String>) {
        self.problems.push(Problem::error(path, message));
    }

    /// An error protoc finds while it builds the file (see
    /// [`Problem::building`]).
    fn building_error(&mut self, path: Vec<i32>, message: impl Into<String>) {
        self.problems.push(Problem::error(path, message).building());
    }

    /// The problems found since the `start`th, all found while building.
    fn all_building(&mut self, start: usize) {
        for problem in &mut self.problems[start..] {
            problem.building = true;
        }
    }

    fn imports(&mut self) {
        let start = self.problems.len();
        let mut seen = BTreeSet::new();
        for (i, import) in self.file.dependency.iter().enumerate() {
            if !seen.insert(import.as_str()) {
                self.error(
                    vec![3, index(i)],
                    format!("Import \"{import}\" was listed twice."),
                );
            }
        }
        let edition_2024 = self.file.syntax() == "editions"
            && self.file.edition.unwrap_or(0) >= super::descriptor::Edition::Edition2024 as i32;
        if edition_2024 {
            for (i, _) in self.file.weak_dependency.iter().enumerate() {
                // At the `weak` keyword, as protoc points.
                self.error(
                    vec![11, index(i)],
                    "weak import is not supported in edition 2024 and above. Consider using \
                     option import instead.",
                );
            }
        }
        self.all_building(start);
    }

    fn message(&mut self, scope: &str, message: &DescriptorProto, path: &[i32], nested: bool) {
        let full = join(scope, message.name());
        if nested
            && message.visibility == Some(SymbolVisibility::VisibilityExport as i32)
            && default_visibility(self.file) == "STRICT"
        {
            self.error(
                Vec::new(),
                format!(
                    "\"{}\" is a nested message and cannot be `export` with STRICT \
                     default_symbol_visibility. It must be moved to top-level, ideally in its \
                     own file in order to be `export`.",
                    full.strip_prefix(&format!("{}.", self.file.package()))
                        .unwrap_or(&full)
                ),
            );
        }
        let options = message.options.as_ref();
        let message_set = options.is_some_and(|o| {
            o.message_set_wire_format == Some(true)
                || written_bool(&o.uninterpreted_option, "message_set_wire_format") == Some(true)
        });
        self.numbers(&full, message, path, nested);
        for (i, field) in message.field.iter().enumerate() {
            let field_path = with(path, &[2, index(i)]);
            self.field(field, &field_path);
            if message_set {
                self.error(
                    with(&field_path, &[1]),
                    "MessageSets cannot have fields, only extensions.",
                );
            }
            if self.proto3
                && let Some(type_name) = field.type_name.as_deref()
                && field.r#type == Some(Type::Enum as i32)
                && self
                    .universe
                    .closed_enums
                    .get(type_name.trim_start_matches('.'))
                    .copied()
                    .unwrap_or(false)
            {
                self.error(
                    with(&field_path, &[6]),
                    format!(
                        "Enum type \"{}\" is not an open enum, but is used in \"{full}\" which \
                         is a proto3 message type.",
                        type_name.trim_start_matches('.')
                    ),
                );
            }
            self.map_field(message, field, &field_path);
        }
        if self.proto3 {
            for (i, _) in message.extension_range.iter().enumerate() {
                self.error(
                    with(path, &[5, index(i)]),
                    "Extension ranges are not allowed in proto3.",
                );
            }
        }
        self.json_names(message, path);
        for (i, extension) in message.extension.iter().enumerate() {
            self.extension(&full, extension, &with(path, &[6, index(i)]));
        }
        for (i, nested) in message.nested_type.iter().enumerate() {
            self.message(&full, nested, &with(path, &[3, index(i)]), true);
        }
        for (i, enumeration) in message.enum_type.iter().enumerate() {
            self.enumeration(&full, enumeration, &with(path, &[4, index(i)]));
        }
    }

    /// Field numbers, reserved ranges and names, extension ranges; free
    /// numbers suggested for a top-level message only (`nested`: not one),
    /// as protoc suggests them. All found while protoc builds the file.
    fn numbers(&mut self, full: &str, message: &DescriptorProto, path: &[i32], nested: bool) {
        let start = self.problems.len();
        self.numbers_of(full, message, path, nested);
        self.all_building(start);
    }

    fn numbers_of(&mut self, full: &str, message: &DescriptorProto, path: &[i32], nested: bool) {
        let shown = full;
        let reserved: Vec<(i32, i32)> = message
            .reserved_range
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect();
        let ranges: Vec<(i32, i32)> = message
            .extension_range
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect();
        let mut suggestions = 0;
        // Ranges against each other: every overlapping pair, at the earlier
        // range (as protoc points), naming the later one first.
        for (i, later) in overlapping_pairs(&reserved, |(s, e), (s2, e2)| s < e2 && s2 < e) {
            let ((start, end), (s, e)) = (reserved[later], reserved[i]);
            self.error(
                with(path, &[9, index(i)]),
                format!(
                    "Reserved range {start} to {} overlaps with already-defined range {s} to {}.",
                    end - 1,
                    e - 1
                ),
            );
        }
        // A name reserved again, at the message's name, each time.
        for (i, name) in message.reserved_name.iter().enumerate() {
            if message.reserved_name[..i].contains(name) {
                self.error(
                    with(path, &[1]),
                    format!("Field name \"{name}\" is reserved multiple times."),
                );
            }
        }
        // Where the first error asking for free numbers is, the
        // suggestion is (protoc keeps the first reason).
        let mut suggest_at: Option<Vec<i32>> = None;
        let mut hint = |at: &[i32], suggestions: &mut usize| {
            suggest_at.get_or_insert_with(|| at.to_vec());
            *suggestions += 1;
        };
        let mut used: HashMap<i32, &str> = HashMap::new();
        for (i, field) in message.field.iter().enumerate() {
            let number = field.number();
            let field_path = with(path, &[2, index(i)]);
            if number <= 0 {
                self.error(
                    with(&field_path, &[3]),
                    "Field numbers must be positive integers.",
                );
                hint(&with(&field_path, &[3]), &mut suggestions);
            } else if number > MAX_FIELD_NUMBER {
                self.error(
                    with(&field_path, &[3]),
                    format!("Field numbers cannot be greater than {MAX_FIELD_NUMBER}."),
                );
                hint(&with(&field_path, &[3]), &mut suggestions);
            }
            // Every range holding the number, each at the range.
            for (r, (s, e)) in ranges.iter().enumerate() {
                if (*s..*e).contains(&number) {
                    let at = with(path, &[5, index(r)]);
                    self.error(
                        at.clone(),
                        format!(
                            "Extension range {s} to {} includes field \"{}\" ({number}).",
                            e - 1,
                            field.name()
                        ),
                    );
                    hint(&at, &mut suggestions);
                }
            }
            for (r, (s, e)) in reserved.iter().enumerate() {
                if (*s..*e).contains(&number) {
                    let at = with(path, &[9, index(r)]);
                    self.error(
                        at.clone(),
                        format!("Field \"{}\" uses reserved number {number}.", field.name()),
                    );
                    hint(&at, &mut suggestions);
                }
            }
            if message.reserved_name.iter().any(|n| n == field.name()) {
                self.error(
                    with(&field_path, &[1]),
                    format!("Field name \"{}\" is reserved.", field.name()),
                );
            }
            if let Some(other) = used.get(&number) {
                let next = next_free(message, &used);
                self.error(
                    with(&field_path, &[3]),
                    format!(
                        "Field number {number} has already been used in \"{shown}\" by field \
                         \"{other}\". Next available field number is {next}."
                    ),
                );
            } else {
                used.insert(number, field.name());
            }
        }
        // Each extension range against every reserved range it overlaps,
        // then against the later extension ranges, all at it (protoc's one
        // loop over the extension ranges).
        let pairs = overlapping_pairs(&ranges, |(s, e), (s2, e2)| s < e2 && s2 < e);
        for (i, &(start, end)) in ranges.iter().enumerate() {
            for &(s, e) in reserved.iter().filter(|(s, e)| start < *e && *s < end) {
                self.error(
                    with(path, &[5, index(i)]),
                    format!(
                        "Extension range {start} to {} overlaps with reserved range {s} to {}.",
                        end - 1,
                        e - 1
                    ),
                );
            }
            for &(_, later) in pairs.iter().filter(|(first, _)| *first == i) {
                let (later_start, later_end) = ranges[later];
                self.error(
                    with(path, &[5, index(i)]),
                    format!(
                        "Extension range {later_start} to {} overlaps with already-defined \
                         range {start} to {}.",
                        later_end - 1,
                        end - 1
                    ),
                );
            }
        }
        // protoc suggests at most three numbers.
        let suggestions = suggestions.min(MAX_SUGGESTIONS);
        if suggestions > 0 && !nested {
            let mut free = Vec::new();
            let mut candidate = 1;
            while free.len() < suggestions && candidate <= MAX_FIELD_NUMBER {
                if !taken(message, &used, candidate) {
                    free.push(candidate.to_string());
                }
                candidate += 1;
            }
            self.suggestions.push(
                Problem::error(
                    suggest_at.unwrap_or_default(),
                    format!("Suggested field numbers for {}: {}", shown, free.join(", ")),
                )
                .building(),
            );
        }
    }

    fn field(&mut self, field: &FieldDescriptorProto, path: &[i32]) {
        if self.proto3 {
            if field.label == Some(Label::Required as i32) {
                self.error(
                    with(path, &[5]),
                    "Required fields are not allowed in proto3.",
                );
            }
            if field.r#type == Some(Type::Group as i32) {
                self.error(
                    with(path, &[5]),
                    "Groups are not supported in proto3 syntax.",
                );
            }
            if field.default_value.is_some() {
                self.error(
                    with(path, &[7]),
                    "Explicit default values are not allowed in proto3.",
                );
            }
        }
        let options = field.options.as_ref();
        let packed = options.is_some_and(|o| {
            o.packed == Some(true) || written_bool(&o.uninterpreted_option, "packed") == Some(true)
        });
        let packable = field.label == Some(Label::Repeated as i32)
            && !matches!(
                Type::try_from(field.r#type.unwrap_or(0)),
                Ok(Type::String | Type::Bytes | Type::Message | Type::Group)
            );
        if packed && !packable {
            self.error(
                with(path, &[5]),
                "[packed = true] can only be specified for repeated primitive fields.",
            );
        }
        let lazy = options.is_some_and(|o| {
            o.lazy == Some(true)
                || o.unverified_lazy == Some(true)
                || written_bool(&o.uninterpreted_option, "lazy") == Some(true)
        });
        if lazy && field.r#type != Some(Type::Message as i32) {
            self.error(
                path.to_vec(),
                "[lazy = true] can only be specified for submessage fields.",
            );
        }
    }

    /// A map field: not in a oneof; its key not float, double, bytes, a
    /// message or an enum.
    fn map_field(&mut self, message: &DescriptorProto, field: &FieldDescriptorProto, path: &[i32]) {
        let Some(type_name) = field.type_name.as_deref() else {
            return;
        };
        let Some(entry) = message.nested_type.iter().find(|nested| {
            nested.options.as_ref().and_then(|o| o.map_entry) == Some(true)
                && type_name.rsplit('.').next() == Some(nested.name())
        }) else {
            return;
        };
        if field.oneof_index.is_some() {
            self.error(with(path, &[1]), "Map fields are not allowed in oneofs.");
        }
        if let Some(key) = entry.field.first() {
            match Type::try_from(key.r#type.unwrap_or(0)) {
                Ok(Type::Float | Type::Double | Type::Bytes | Type::Message | Type::Group) => self
                    .error(
                        path.to_vec(),
                        "Key in map fields cannot be float/double, bytes or message types.",
                    ),
                Ok(Type::Enum) => {
                    self.error(path.to_vec(), "Key in map fields cannot be enum types.")
                }
                _ => {}
            }
        }
    }

    /// JSON name conflicts: errors in proto3, warnings in proto2 (unless a
    /// custom name is involved).
    fn json_names(&mut self, message: &DescriptorProto, path: &[i32]) {
        if self.file.syntax() == "editions" {
            // Needs the resolved `json_format` feature (option interpretation).
            return;
        }
        let legacy = message.options.as_ref().is_some_and(|o| {
            o.deprecated_legacy_json_field_conflicts == Some(true)
                || written_bool(
                    &o.uninterpreted_option,
                    "deprecated_legacy_json_field_conflicts",
                ) == Some(true)
        });
        if legacy {
            return;
        }
        for conflict in json_name_conflicts(message) {
            let at = with(path, &[2, index(conflict.field), 1]);
            if self.proto3 || conflict.custom {
                self.error(at, conflict.message);
            } else {
                self.problems.push(Problem::warning(at, conflict.message));
            }
        }
    }

    fn enumeration(&mut self, scope: &str, enumeration: &EnumDescriptorProto, path: &[i32]) {
        let full = join(scope, enumeration.name());
        let closed = self
            .universe
            .closed_enums
            .get(&full)
            .copied()
            .unwrap_or(false);
        if !closed
            && let Some(first) = enumeration.value.first()
            && first.number() != 0
        {
            self.error(
                with(path, &[2, 0, 2]),
                "The first enum value must be zero for open enums.",
            );
        }
        let allow_alias = enumeration.options.as_ref().is_some_and(|o| {
            o.allow_alias == Some(true)
                || written_bool(&o.uninterpreted_option, "allow_alias") == Some(true)
        });
        // Inclusive ranges; at the earlier one, as for messages.
        let reserved: Vec<(i32, i32)> = enumeration
            .reserved_range
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect();
        for (i, later) in overlapping_pairs(&reserved, |(s, e), (s2, e2)| s <= e2 && s2 <= e) {
            let ((start, end), (s, e)) = (reserved[later], reserved[i]);
            self.building_error(
                with(path, &[4, index(i)]),
                format!(
                    "Reserved range {start} to {end} overlaps with already-defined range {s} to {e}."
                ),
            );
        }
        for (i, name) in enumeration.reserved_name.iter().enumerate() {
            if enumeration.reserved_name[..i].contains(name) {
                self.building_error(
                    with(path, &[1]),
                    format!("Enum value \"{name}\" is reserved multiple times."),
                );
            }
        }
        // Values by full name, as protoc names them here (C++ scoping:
        // beside their enum).
        let mut by_number: HashMap<i32, String> = HashMap::new();
        let mut aliased = false;
        for (i, value) in enumeration.value.iter().enumerate() {
            let value_path = with(path, &[2, index(i)]);
            if let Some(other) = by_number.get(&value.number()) {
                aliased = true;
                if !allow_alias {
                    let numbers: BTreeSet<i32> =
                        enumeration.value.iter().map(|v| v.number()).collect();
                    let mut next = 0;
                    while numbers.contains(&next) {
                        next += 1;
                    }
                    self.error(
                        with(&value_path, &[2]),
                        format!(
                            "\"{}\" uses the same enum value as \"{other}\". If this is intended, \
                             set 'option allow_alias = true;' to the enum definition. The next \
                             available enum value is {next}.",
                            join(scope, value.name())
                        ),
                    );
                }
            } else {
                by_number.insert(value.number(), join(scope, value.name()));
            }
            // Enum reserved ranges are inclusive; each one holding the
            // number is an error at it.
            for (r, _) in enumeration
                .reserved_range
                .iter()
                .enumerate()
                .filter(|(_, r)| (r.start()..=r.end()).contains(&value.number()))
            {
                self.building_error(
                    with(path, &[4, index(r)]),
                    format!(
                        "Enum value \"{}\" uses reserved number {}.",
                        value.name(),
                        value.number()
                    ),
                );
            }
            if enumeration.reserved_name.iter().any(|n| n == value.name()) {
                self.building_error(
                    with(&value_path, &[1]),
                    format!("Enum value \"{}\" is reserved.", value.name()),
                );
            }
        }
        if allow_alias && !aliased {
            self.error(
                path.to_vec(),
                format!(
                    "\"{full}\" declares support for enum aliases but no enum values share field \
                     numbers. Please remove the unnecessary 'option allow_alias = true;' \
                     declaration."
                ),
            );
        }
        // In every syntax; only a proto2 enum keeping the legacy JSON
        // handling gets a warning (protoc 35).
        let legacy = self.file.syntax() == "proto2"
            && enumeration
                .options
                .as_ref()
                .is_some_and(|o| o.deprecated_legacy_json_field_conflicts == Some(true));
        self.prefix_conflicts(enumeration, path, legacy);
    }

    /// proto3: two values whose names are equal once the enum's name is
    /// stripped as a prefix and case is ignored.
    fn prefix_conflicts(&mut self, enumeration: &EnumDescriptorProto, path: &[i32], warn: bool) {
        let prefix: String = enumeration
            .name()
            .chars()
            .filter(|c| *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let mut seen: HashMap<String, (&str, i32)> = HashMap::new();
        for (i, value) in enumeration.value.iter().enumerate() {
            let stripped = strip_enum_prefix(value.name(), &prefix);
            match seen.get(&stripped) {
                Some(&(other, number)) if number != value.number() => {
                    let problem = Problem::error(
                        with(path, &[2, index(i)]),
                        format!(
                            "Enum name {} has the same name as {other} if you ignore case and \
                             strip out the enum name prefix (if any). (If you are using \
                             allow_alias, please assign the same number to each enum value \
                             name.)",
                            value.name()
                        ),
                    );
                    self.problems.push(Problem {
                        warning: warn,
                        ..problem
                    });
                }
                Some(_) => {}
                None => {
                    seen.insert(stripped, (value.name(), value.number()));
                }
            }
        }
    }

    fn extension(&mut self, scope: &str, extension: &FieldDescriptorProto, path: &[i32]) {
        let full = join(scope, extension.name());
        if extension.label == Some(Label::Required as i32) {
            // At the type, as protoc points.
            let type_slot = if extension.type_name.is_some() { 6 } else { 5 };
            self.building_error(
                with(path, &[type_slot]),
                format!("The extension {full} cannot be required."),
            );
        }
        self.field(extension, path);
        let Some(extendee) = extension.extendee.as_deref() else {
            return;
        };
        let extendee = extendee.trim_start_matches('.');
        if self.proto3 && !extendee.starts_with("google.protobuf.") {
            self.error(
                with(path, &[2]),
                "Extensions in proto3 are only allowed for defining options.",
            );
        }
        let Some(message) = self.universe.messages.get(extendee) else {
            return;
        };
        let number = extension.number();
        if !message
            .extension_range
            .iter()
            .any(|r| (r.start()..r.end()).contains(&number))
        {
            self.building_error(
                with(path, &[3]),
                format!("\"{extendee}\" does not declare {number} as an extension number."),
            );
        }
        let message_set = message.options.as_ref().is_some_and(|o| {
            o.message_set_wire_format == Some(true)
                || written_bool(&o.uninterpreted_option, "message_set_wire_format") == Some(true)
        });
        if message_set
            && (extension.label != Some(Label::Optional as i32)
                || extension.r#type != Some(Type::Message as i32))
        {
            self.error(
                with(path, &[5]),
                "Extensions of MessageSets must be optional messages.",
            );
        }
    }
}

/// protoc's key for the conflict: `name` without `prefix` (the enum's name
/// lower-cased without underscores, matched ignoring case and underscores,
/// when something is left), then in PascalCase by its `_`-separated words
/// (`FOO_BAR_BAZ` in `FooBar` → `Baz`; `CHECK_BOX` → `CheckBox`, which
/// differs from `CHECKBOX` → `Checkbox`).
/// The pairs `(i, j)`, `i < j`, of `ranges` that `overlap`, in protoc's
/// order (by `i`, then `j`).
fn overlapping_pairs(
    ranges: &[(i32, i32)],
    overlap: impl Fn((i32, i32), (i32, i32)) -> bool,
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, &first) in ranges.iter().enumerate() {
        for (j, &second) in ranges.iter().enumerate().skip(i + 1) {
            if overlap(first, second) {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

fn strip_enum_prefix(name: &str, prefix: &str) -> String {
    let mut rest = name;
    let mut matched = 0;
    let wanted = prefix.as_bytes();
    for (i, c) in name.char_indices() {
        if matched == wanted.len() {
            rest = &name[i..];
            break;
        }
        if c == '_' {
            continue;
        }
        if !c.is_ascii() || c.to_ascii_lowercase() as u8 != wanted[matched] {
            break;
        }
        matched += 1;
        if matched == wanted.len() {
            rest = &name[i + c.len_utf8()..];
        }
    }
    let rest = if matched == wanted.len() {
        rest.trim_start_matches('_')
    } else {
        name
    };
    let rest = if rest.is_empty() { name } else { rest };
    let mut out = String::with_capacity(rest.len());
    for word in rest.split('_') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    out
}

/// Whether `number` is a field's, reserved, or in an extension range.
fn taken(message: &DescriptorProto, used: &HashMap<i32, &str>, number: i32) -> bool {
    used.contains_key(&number)
        || message
            .reserved_range
            .iter()
            .any(|r| (r.start()..r.end()).contains(&number))
        || message
            .extension_range
            .iter()
            .any(|r| (r.start()..r.end()).contains(&number))
}

/// The smallest field number above every field's.
fn next_free(message: &DescriptorProto, used: &HashMap<i32, &str>) -> i32 {
    let mut next = used.keys().copied().max().unwrap_or(0) + 1;
    while taken(message, used, next) {
        next += 1;
    }
    next
}

/// Extension numbers used twice for one message, across every file; each
/// repeat is a problem of the file (by index) repeating it.
pub(crate) fn extension_numbers(files: &[&FileDescriptorProto]) -> Vec<(usize, Problem)> {
    fn walk<'f>(
        scope: &str,
        message: &'f DescriptorProto,
        path: Vec<i32>,
        out: &mut Vec<(String, &'f FieldDescriptorProto, Vec<i32>)>,
    ) {
        let full = join(scope, message.name());
        for (i, extension) in message.extension.iter().enumerate() {
            out.push((full.clone(), extension, with(&path, &[6, index(i)])));
        }
        for (i, nested) in message.nested_type.iter().enumerate() {
            walk(&full, nested, with(&path, &[3, index(i)]), out);
        }
    }
    let mut seen: HashMap<(String, i32), String> = HashMap::new();
    let mut problems = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        let mut extensions = Vec::new();
        for (i, extension) in file.extension.iter().enumerate() {
            extensions.push((file.package().to_owned(), extension, vec![7, index(i)]));
        }
        for (i, message) in file.message_type.iter().enumerate() {
            walk(file.package(), message, vec![4, index(i)], &mut extensions);
        }
        for (scope, extension, path) in extensions {
            let Some(extendee) = extension.extendee.as_deref() else {
                continue;
            };
            let extendee = extendee.trim_start_matches('.').to_owned();
            let key = (extendee.clone(), extension.number());
            let full = join(&scope, extension.name());
            if let Some(other) = seen.get(&key) {
                problems.push((
                    file_index,
                    Problem::error(
                        with(&path, &[3]),
                        format!(
                            "Extension number {} has already been used in \"{extendee}\" by \
                             extension \"{other}\".",
                            extension.number()
                        ),
                    )
                    .building(),
                ));
            } else {
                seen.insert(key, full);
            }
        }
    }
    problems
}

/// A field whose JSON name (default or custom) is another's of the same
/// message, in protoc's words.
pub(crate) struct JsonNameConflict {
    /// The later field's index.
    pub field: usize,
    /// Whether a custom (`json_name`) name is one of the two.
    pub custom: bool,
    pub message: String,
}

/// The JSON name conflicts among `message`'s fields, each at the later one.
pub(crate) fn json_name_conflicts(message: &DescriptorProto) -> Vec<JsonNameConflict> {
    let mut conflicts = Vec::new();
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
        conflicts.push(JsonNameConflict {
            field: i,
            custom: is_custom || other_custom,
            message: format!(
                "The {} JSON name of field \"{}\" (\"{name}\") conflicts with the {} JSON \
                 name of field \"{other}\".",
                kind(is_custom),
                field.name(),
                kind(other_custom)
            ),
        });
    }
    conflicts
}

#[cfg(test)]
mod tests {
    use std::{collections::BTreeMap, sync::Arc};

    use crate::compile::{
        Limits,
        limits::Budget,
        pipeline,
        sources::{Origin, Sources},
    };

    /// The messages the own front end gives on `files` (name, source), the
    /// first file being the input.
    fn messages(files: &[(&str, &str)]) -> Vec<String> {
        let texts: BTreeMap<String, String> = files
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        let sources = Sources::new(
            Origin::Memory(Arc::new(texts)),
            Budget::start(Limits::default()),
        );
        match pipeline::compile(&sources, &[files[0].0.to_owned()], false) {
            Ok(linked) => linked.warnings.iter().map(|w| w.message.clone()).collect(),
            Err(problems) => problems.into_iter().map(|p| p.message).collect(),
        }
    }

    fn one(source: &str) -> Vec<String> {
        messages(&[("a.proto", source)])
    }

    /// Each message below is protoc 35's on the same file.
    #[test]
    fn redefinitions_are_protocs() {
        assert_eq!(
            one("syntax = \"proto3\";\npackage p;\nmessage A {}\nmessage A {}\n"),
            ["\"A\" is already defined in \"p\"."]
        );
        assert_eq!(
            one("syntax = \"proto3\";\nmessage A {\n  int32 B = 1;\n  message B {}\n}\n"),
            ["\"B\" is already defined in \"A\"."]
        );
        assert_eq!(
            one("syntax = \"proto3\";\nenum E {\n  A = 0;\n}\nenum F {\n  A = 0;\n}\n"),
            [
                "\"A\" is already defined.",
                "Note that enum values use C++ scoping rules, meaning that enum values are \
                 siblings of their type, not children of it.  Therefore, \"A\" must be unique \
                 within the global scope, not just within \"F\"."
            ]
        );
        assert_eq!(
            messages(&[
                (
                    "b.proto",
                    "syntax = \"proto3\";\npackage p;\nimport \"o.proto\";\nmessage A {}\n"
                ),
                (
                    "o.proto",
                    "syntax = \"proto3\";\npackage p;\nmessage A {}\n"
                ),
            ]),
            ["\"p.A\" is already defined in file \"o.proto\"."]
        );
    }

    #[test]
    fn numbers_are_checked_as_protoc_checks_them() {
        assert_eq!(
            one("syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  int32 y = 1;\n}\n"),
            [
                "Field number 1 has already been used in \"A\" by field \"x\". Next available \
                 field number is 2."
            ]
        );
        assert_eq!(
            one("syntax = \"proto3\";\nmessage A {\n  reserved 2, 5 to 7;\n  int32 x = 6;\n}\n"),
            [
                "Field \"x\" uses reserved number 6.",
                "Suggested field numbers for A: 1"
            ]
        );
        assert_eq!(
            one(
                "syntax = \"proto2\";\nmessage A {\n  extensions 10 to 20;\n}\nextend A {\n  optional int32 y = 30;\n}\n"
            ),
            ["\"A\" does not declare 30 as an extension number."]
        );
        assert_eq!(
            one(
                "syntax = \"proto2\";\nmessage A {\n  extensions 10 to 20;\n  extensions 15 to 30;\n}\n"
            ),
            ["Extension range 15 to 30 overlaps with already-defined range 10 to 20."]
        );
        // protoc 35: each extension range against every reserved range,
        // then the later extension ranges, range by range.
        assert_eq!(
            one(
                "syntax = \"proto2\";\nmessage A {\n  extensions 1 to 10, 20 to 30;\n  \
                 reserved 3, 5, 25;\n  extensions 5 to 6;\n}\n"
            ),
            [
                "Extension range 1 to 10 overlaps with reserved range 3 to 3.",
                "Extension range 1 to 10 overlaps with reserved range 5 to 5.",
                "Extension range 5 to 6 overlaps with already-defined range 1 to 10.",
                "Extension range 20 to 30 overlaps with reserved range 25 to 25.",
                "Extension range 5 to 6 overlaps with reserved range 5 to 5."
            ]
        );
    }

    #[test]
    fn proto3_enum_and_json_rules_are_protocs() {
        assert_eq!(
            one("syntax = \"proto3\";\nenum E {\n  A = 1;\n}\n"),
            ["The first enum value must be zero for open enums."]
        );
        assert_eq!(
            one("syntax = \"proto3\";\nenum FooBar {\n  FOO_BAR_BAZ = 0;\n  BAZ = 1;\n}\n"),
            [
                "Enum name BAZ has the same name as FOO_BAR_BAZ if you ignore case and strip \
                 out the enum name prefix (if any). (If you are using allow_alias, please assign \
                 the same number to each enum value name.)"
            ]
        );
        assert_eq!(
            one(
                "syntax = \"proto3\";\nmessage A {\n  int32 foo_bar = 1;\n  int32 fooBar = 2;\n}\n"
            ),
            [
                "The default JSON name of field \"fooBar\" (\"fooBar\") conflicts with the \
                 default JSON name of field \"foo_bar\"."
            ]
        );
        // proto2: a warning only.
        assert_eq!(
            one(
                "syntax = \"proto2\";\nmessage A {\n  optional int32 foo_bar = 1;\n  optional int32 fooBar = 2;\n}\n"
            ),
            [
                "The default JSON name of field \"fooBar\" (\"fooBar\") conflicts with the \
                 default JSON name of field \"foo_bar\"."
            ]
        );
        assert_eq!(
            one("syntax = \"proto3\";\nimport \"c.proto\";\nmessage M {\n  E e = 1;\n}\n").len(),
            2,
            "a missing import fails"
        );
        assert_eq!(
            messages(&[
                (
                    "a.proto",
                    "syntax = \"proto3\";\nimport \"c.proto\";\nmessage M {\n  E e = 1;\n}\n"
                ),
                ("c.proto", "syntax = \"proto2\";\nenum E { A = 1; }\n"),
            ]),
            [
                "Enum type \"E\" is not an open enum, but is used in \"M\" which is a proto3 message type."
            ]
        );
    }

    /// protoc compares the values' PascalCase forms: `CHECK_BOX` and
    /// `CHECKBOX` do not conflict (googleapis' `google/apps/card/v1`).
    #[test]
    fn enum_prefix_conflicts_keep_word_boundaries() {
        assert!(
            one("syntax = \"proto3\";\nenum E {\n  CHECK_BOX = 0;\n  CHECKBOX = 1;\n}\n")
                .is_empty()
        );
    }

    #[test]
    fn imports_are_protocs() {
        assert_eq!(
            messages(&[
                ("a.proto", "syntax = \"proto3\";\nimport \"b.proto\";\n"),
                ("b.proto", "syntax = \"proto3\";\nimport \"a.proto\";\n"),
            ]),
            [
                "File recursively imports itself: a.proto -> b.proto -> a.proto",
                "Import \"a.proto\" was not found or had errors.",
                "Import \"b.proto\" was not found or had errors."
            ]
        );
        assert_eq!(
            one("syntax = \"proto3\";\nimport \"nope.proto\";\n"),
            [
                "File not found.",
                "Import \"nope.proto\" was not found or had errors."
            ]
        );
        // The well-known types are protoc 35's.
        assert!(
            one(
                "edition = \"2023\";\nimport \"google/protobuf/descriptor.proto\";\n\
                 import \"google/protobuf/cpp_features.proto\";\n"
            )
            .iter()
            .all(|warning| warning.ends_with(" is unused."))
        );
    }
}
