//! Name resolution as protoc does it: the first step of the linker.
//!
//! [`Symbols`] holds every name the unlinked files declare (packages and
//! each of their prefixes, messages, enums, enum values, fields,
//! extensions, oneofs, services, methods) and which file declares it.
//! [`Symbols::resolve_file`] rewrites a file's type names, extendees and
//! method types to their full names (`.pkg.Msg`) and sets the field type
//! of message and enum fields, as protoc's linked descriptors have them.
//!
//! The lookup is protoc's: a name starting with `.` is already full;
//! otherwise its first component is looked up in the scope of the element
//! that uses it, then in each enclosing scope outwards, and the rest of the
//! name is looked up inside the first match only (so an inner `Bar` hides an
//! outer `Bar.Baz`). A single-component name of a field type skips what is
//! not a type. A name declared in a file the user did not import (directly
//! or through `import public`) is an error, worded as protoc words it.
//!
//! Edition 2024's visibility is enforced: a message or enum that is `local`
//! (marked, or by the file's `default_symbol_visibility`) cannot be used
//! from another file.
//!
//! Not here yet: options, and the rest of protoc's validations (STRICT's
//! rules on nested `export` among them); the protox pipeline stays the one
//! in use until the linker does all of it.

use super::descriptor::{
    DescriptorProto, Edition, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
    SymbolVisibility, field_descriptor_proto::Type,
};

/// What a name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A package, or a prefix of one.
    Package,
    /// A message (groups and map entries included).
    Message,
    /// An enum.
    Enum,
    /// An enum value (scoped beside its enum, as in C++).
    EnumValue,
    /// A field or an extension.
    Field,
    /// A oneof.
    Oneof,
    /// A service.
    Service,
    /// A method.
    Method,
}

impl SymbolKind {
    /// Names inside it can be looked up (protoc's `IsAggregate`).
    fn is_aggregate(self) -> bool {
        matches!(
            self,
            SymbolKind::Package | SymbolKind::Message | SymbolKind::Enum | SymbolKind::Service
        )
    }

    /// A field's type can be it.
    fn is_type(self) -> bool {
        matches!(self, SymbolKind::Message | SymbolKind::Enum)
    }
}

/// A declared name: what it is and the file (by id) declaring it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// What the name denotes.
    pub kind: SymbolKind,
    /// The declaring file: its id in the set ([`Symbols::file_name`]).
    pub file: FileId,
}

/// A file of a set, by its place among the files [`Symbols`] indexed.
pub type FileId = u32;

/// Every name declared by a set of files, by full name without the leading
/// dot (`pkg.Msg.field`).
///
/// The one index of full names of a compilation: name resolution reads it,
/// then option interpretation ([`super::options::OptionTypes`]). Each name
/// is allocated once; files are ids, not names.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    symbols: foldhash::HashMap<String, Symbol>,
    /// The files, by id.
    files: Vec<IndexedFile>,
    ids: foldhash::HashMap<String, FileId>,
    /// Messages and enums other files may not use (2024's `local`), and why.
    local: foldhash::HashMap<String, Local>,
}

/// What [`Symbols`] keeps of a file besides its names.
#[derive(Clone, Debug, Default)]
struct IndexedFile {
    name: String,
    /// Its direct dependencies (names).
    dependencies: Vec<String>,
    /// Its `import option` dependencies (names).
    option_dependencies: Vec<String>,
    /// The dependencies it re-exports (`import public`).
    public: Vec<String>,
}

/// The names one file declares, in order, collected on its own (on all
/// cores) before they go into the one index.
struct Declared {
    file: IndexedFile,
    names: Vec<(String, SymbolKind)>,
    local: Vec<(String, Local)>,
}

/// The files a file may use names of: ids, sorted.
#[derive(Clone, Debug, Default)]
pub struct Visible(Vec<FileId>);

impl Visible {
    /// Whether names of `file` may be used.
    pub fn contains(&self, file: FileId) -> bool {
        self.0.binary_search(&file).is_ok()
    }
}

/// Why a message or enum is local to its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Local {
    /// Marked `local`.
    Explicit,
    /// By the file's `default_symbol_visibility`, named here.
    Default(&'static str),
}

/// A name that does not resolve, in protoc's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameError {
    /// The element whose name this is (`pkg.Msg.field`).
    pub element: String,
    /// protoc's message.
    pub message: String,
    /// The field of the element's descriptor holding the name
    /// (`FieldDescriptorProto.type_name` 6, `.extendee` 2,
    /// `MethodDescriptorProto.input_type` 2, `.output_type` 3), where protoc
    /// reports it.
    pub slot: i32,
}

/// How a name is looked up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A field's type: single names that are not types are skipped.
    Types,
    /// An extendee or a method's input or output.
    All,
}

impl Symbols {
    /// The names declared by `files`; the first declaration of a name wins
    /// (redefinitions are the linker's error). Each file's names are made
    /// on all cores, then indexed in file order.
    pub fn of<'a>(files: impl IntoIterator<Item = &'a FileDescriptorProto>) -> Self {
        let files: Vec<&FileDescriptorProto> = files.into_iter().collect();
        let declared =
            super::parallel::map_with(files.clone(), || (), |(), file| Some(declared(file)))
                .unwrap_or_else(|| files.iter().map(|file| declared(file)).collect());
        let mut symbols = Symbols::default();
        let names = declared.iter().map(|d| d.names.len()).sum();
        symbols.symbols.reserve(names);
        for file in declared {
            symbols.add(file);
        }
        symbols
    }

    /// Adds the names of `file` after those already indexed (the first
    /// declaration of a name still wins).
    pub fn add_file(&mut self, file: &FileDescriptorProto) {
        self.add(declared(file));
    }

    fn add(&mut self, declared: Declared) {
        let id = match self.ids.get(&declared.file.name) {
            // The same file again: its imports as given last.
            Some(&id) => {
                self.files[id as usize] = declared.file;
                id
            }
            None => {
                let id = FileId::try_from(self.files.len()).unwrap_or(FileId::MAX);
                self.ids.insert(declared.file.name.clone(), id);
                self.files.push(declared.file);
                id
            }
        };
        for (full, kind) in declared.names {
            self.symbols
                .entry(full)
                .or_insert(Symbol { kind, file: id });
        }
        for (full, local) in declared.local {
            self.local.entry(full).or_insert(local);
        }
    }

    /// The name of the file `id`.
    pub fn file_name(&self, id: FileId) -> &str {
        self.files.get(id as usize).map_or("", |file| &file.name)
    }

    /// The symbol named `full` (no leading dot).
    pub fn get(&self, full: &str) -> Option<&Symbol> {
        self.symbols.get(full)
    }

    /// The files whose names `file` may use: itself, its dependencies (and
    /// its `import option` ones when `with_option_imports`), and what they
    /// re-export with `import public`, transitively.
    pub fn visible_files(&self, file: &str, with_option_imports: bool) -> Visible {
        let mut visible = Vec::new();
        let mut seen: foldhash::HashSet<&str> = foldhash::HashSet::default();
        seen.insert(file);
        if let Some(&id) = self.ids.get(file) {
            visible.push(id);
        }
        let mut stack: Vec<&str> = Vec::new();
        if let Some(&id) = self.ids.get(file) {
            let indexed = &self.files[id as usize];
            stack.extend(indexed.dependencies.iter().map(String::as_str));
            if with_option_imports {
                stack.extend(indexed.option_dependencies.iter().map(String::as_str));
            }
        }
        while let Some(next) = stack.pop() {
            if seen.insert(next)
                && let Some(&id) = self.ids.get(next)
            {
                visible.push(id);
                stack.extend(self.files[id as usize].public.iter().map(String::as_str));
            }
        }
        visible.sort_unstable();
        visible.dedup();
        Visible(visible)
    }

    /// protoc's lookup of `name` used by the element `relative_to`: the
    /// full name found and its symbol, or else the full name tried last when
    /// the first part of a compound name was found but not the rest.
    ///
    /// A name starting with a dot is full. Otherwise its first component is
    /// looked up in each scope enclosing `relative_to` outwards; a single
    /// name is taken when `takes` accepts its kind, a compound one only
    /// inside a first match of a kind `aggregate` accepts.
    pub fn lookup_with(
        &self,
        name: &str,
        relative_to: &str,
        takes: impl Fn(SymbolKind) -> bool,
        aggregate: impl Fn(SymbolKind) -> bool,
    ) -> Result<(&str, &Symbol), Option<String>> {
        let found = |full: &str| {
            self.symbols
                .get_key_value(full)
                .map(|(k, v)| (k.as_str(), v))
        };
        if let Some(full) = name.strip_prefix('.') {
            return found(full).ok_or(None);
        }
        let first = name.split('.').next().unwrap_or(name);
        let mut scope = relative_to;
        // One buffer for every candidate tried.
        let mut candidate = String::with_capacity(relative_to.len() + name.len() + 1);
        loop {
            match scope.rfind('.') {
                None => return found(name).ok_or(None),
                Some(dot) => scope = &scope[..dot],
            }
            candidate.clear();
            if !scope.is_empty() {
                candidate.push_str(scope);
                candidate.push('.');
            }
            candidate.push_str(first);
            if let Some((key, symbol)) = self.symbols.get_key_value(candidate.as_str()) {
                if first.len() < name.len() {
                    if aggregate(symbol.kind) {
                        candidate.push_str(&name[first.len()..]);
                        return found(&candidate).ok_or(Some(candidate));
                    }
                } else if takes(symbol.kind) {
                    return Ok((key.as_str(), symbol));
                }
            }
        }
    }

    fn lookup(
        &self,
        name: &str,
        relative_to: &str,
        mode: Mode,
    ) -> Result<(&str, &Symbol), Option<String>> {
        self.lookup_with(
            name,
            relative_to,
            |kind| mode == Mode::All || kind.is_type(),
            SymbolKind::is_aggregate,
        )
    }

    /// The full name `name` stands for in `relative_to` in the file `file`
    /// (named `file_name`), checked against what the file imports.
    fn resolve(
        &self,
        name: &str,
        relative_to: &str,
        mode: Mode,
        (file, file_name): (FileId, &str),
        visible: &Visible,
    ) -> Result<(&str, SymbolKind), String> {
        match self.lookup(name, relative_to, mode) {
            Ok((full, symbol)) if symbol.file != file && self.local.contains_key(full) => {
                let why = match self.local[full] {
                    Local::Explicit => "It is explicitly marked 'local'".to_owned(),
                    Local::Default(default) => format!(
                        "It defaulted to local from file-level 'option \
                         features.default_symbol_visibility = '{default}';"
                    ),
                };
                // (protoc's two spaces before "is".)
                Err(format!(
                    "Symbol \"{full}\", defined in \"{}\"  is not visible from \"{file_name}\". \
                     {why} and cannot be accessed outside its own file",
                    self.file_name(symbol.file)
                ))
            }
            Ok((full, symbol)) if visible.contains(symbol.file) => Ok((full, symbol.kind)),
            Ok((full, symbol)) => Err(format!(
                "\"{full}\" seems to be defined in \"{}\", which is not imported by \
                 \"{file_name}\".  To use it here, please add the necessary import.",
                self.file_name(symbol.file)
            )),
            Err(Some(tried)) => Err(format!(
                "\"{name}\" is resolved to \"{tried}\", which is not defined. The innermost \
                 scope is searched first in name resolution. Consider using a leading '.'(i.e., \
                 \".{name}\") to start from the outermost scope."
            )),
            Err(None) => Err(format!("\"{name}\" is not defined.")),
        }
    }

    /// Rewrites the names `file` uses to full names, as linked descriptors
    /// have them; every name that does not resolve is an error.
    pub fn resolve_file(&self, file: &mut FileDescriptorProto) -> Vec<NameError> {
        let name = file.name().to_owned();
        let visible = self.visible_files(&name, false);
        let id = self.ids.get(&name).copied().unwrap_or(FileId::MAX);
        let package = file.package().to_owned();
        let mut context = Context {
            symbols: self,
            file: (id, &name),
            visible: &visible,
            errors: Vec::new(),
        };
        for message in &mut file.message_type {
            context.message(&package, message);
        }
        for extension in &mut file.extension {
            context.field(&package, extension);
        }
        for service in &mut file.service {
            let full = join(&package, service.name());
            for method in &mut service.method {
                let element = join(&full, method.name());
                let slots = [(2, &mut method.input_type), (3, &mut method.output_type)];
                for (number, slot) in slots {
                    let Some(written) = slot.as_deref() else {
                        continue;
                    };
                    match context.resolve(written, &element, number, Mode::All) {
                        Some((full, SymbolKind::Message)) => *slot = Some(format!(".{full}")),
                        Some(_) => {
                            let message = format!("\"{written}\" is not a message type.");
                            context.error(&element, number, message);
                        }
                        None => {}
                    }
                }
            }
        }
        context.errors
    }
}

/// The names `file` declares, in the order protoc adds them.
fn declared(file: &FileDescriptorProto) -> Declared {
    let name = file.name().to_owned();
    let public = file
        .public_dependency
        .iter()
        .filter_map(|&i| file.dependency.get(usize::try_from(i).ok()?).cloned())
        .collect();
    let mut walk = Declaring {
        file: name,
        default_visibility: default_visibility(file),
        names: Vec::new(),
        local: Vec::new(),
    };
    let package = file.package();
    if !package.is_empty() {
        let mut prefix = String::new();
        for part in package.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            walk.add(prefix.clone(), SymbolKind::Package);
        }
    }
    for message in &file.message_type {
        walk.message(package, message, false);
    }
    for enumeration in &file.enum_type {
        walk.enumeration(package, enumeration, false);
    }
    for extension in &file.extension {
        walk.add(join(package, extension.name()), SymbolKind::Field);
    }
    for service in &file.service {
        let full = join(package, service.name());
        walk.add(full.clone(), SymbolKind::Service);
        for method in &service.method {
            walk.add(join(&full, method.name()), SymbolKind::Method);
        }
    }
    Declared {
        file: IndexedFile {
            name: walk.file,
            dependencies: file.dependency.clone(),
            option_dependencies: file.option_dependency.clone(),
            public,
        },
        names: walk.names,
        local: walk.local,
    }
}

/// The walk of [`declared`].
struct Declaring {
    file: String,
    /// The file's default symbol visibility.
    default_visibility: &'static str,
    names: Vec<(String, SymbolKind)>,
    local: Vec<(String, Local)>,
}

impl Declaring {
    fn add(&mut self, full: String, kind: SymbolKind) {
        self.names.push((full, kind));
    }

    /// Notes `full` as local when its visibility (`visibility`, else the
    /// file's default for a `nested` or top-level declaration) makes it so.
    fn note_visibility(&mut self, full: &str, visibility: Option<i32>, nested: bool) {
        let local = match visibility.and_then(|v| SymbolVisibility::try_from(v).ok()) {
            Some(SymbolVisibility::VisibilityLocal) => Some(Local::Explicit),
            Some(SymbolVisibility::VisibilityExport) => None,
            _ => match self.default_visibility {
                "LOCAL_ALL" => Some(Local::Default("LOCAL_ALL")),
                "EXPORT_TOP_LEVEL" | "STRICT" if nested => {
                    Some(Local::Default(self.default_visibility))
                }
                _ => None,
            },
        };
        if let Some(local) = local {
            self.local.push((full.to_owned(), local));
        }
    }

    fn message(&mut self, scope: &str, message: &DescriptorProto, nested: bool) {
        let full = join(scope, message.name());
        self.add(full.clone(), SymbolKind::Message);
        self.note_visibility(&full, message.visibility, nested);
        for field in message.field.iter().chain(&message.extension) {
            self.add(join(&full, field.name()), SymbolKind::Field);
        }
        for oneof in &message.oneof_decl {
            self.add(join(&full, oneof.name()), SymbolKind::Oneof);
        }
        for nested in &message.nested_type {
            self.message(&full, nested, true);
        }
        for enumeration in &message.enum_type {
            self.enumeration(&full, enumeration, true);
        }
    }

    fn enumeration(&mut self, scope: &str, enumeration: &EnumDescriptorProto, nested: bool) {
        let full = join(scope, enumeration.name());
        self.add(full.clone(), SymbolKind::Enum);
        self.note_visibility(&full, enumeration.visibility, nested);
        for value in &enumeration.value {
            self.add(join(scope, value.name()), SymbolKind::EnumValue);
        }
    }
}

/// The walk of [`Symbols::resolve_file`].
struct Context<'a> {
    symbols: &'a Symbols,
    /// The file: its id and name.
    file: (FileId, &'a str),
    visible: &'a Visible,
    errors: Vec<NameError>,
}

impl<'a> Context<'a> {
    fn error(&mut self, element: &str, slot: i32, message: String) {
        self.errors.push(NameError {
            element: element.to_owned(),
            message,
            slot,
        });
    }

    fn resolve(
        &mut self,
        name: &str,
        element: &str,
        slot: i32,
        mode: Mode,
    ) -> Option<(&'a str, SymbolKind)> {
        let symbols = self.symbols;
        match symbols.resolve(name, element, mode, self.file, self.visible) {
            Ok(found) => Some(found),
            Err(message) => {
                self.error(element, slot, message);
                None
            }
        }
    }

    fn message(&mut self, scope: &str, message: &mut DescriptorProto) {
        let full = join(scope, message.name());
        for field in message.field.iter_mut().chain(message.extension.iter_mut()) {
            self.field(&full, field);
        }
        for nested in &mut message.nested_type {
            self.message(&full, nested);
        }
    }

    fn field(&mut self, scope: &str, field: &mut FieldDescriptorProto) {
        let element = join(scope, field.name());
        if let Some(extendee) = field.extendee.clone() {
            let symbols = self.symbols;
            let resolved = symbols
                .resolve(&extendee, &element, Mode::All, self.file, self.visible)
                // protoc says what the invisible symbol is to the file.
                .map_err(|message| {
                    message.replacen(
                        "\"  is not visible",
                        "\" target of extend is not visible",
                        1,
                    )
                });
            match resolved {
                Ok((full, SymbolKind::Message)) => field.extendee = Some(format!(".{full}")),
                Ok(_) => self.error(
                    &element,
                    2,
                    format!("\"{extendee}\" is not a message type."),
                ),
                Err(message) => self.error(&element, 2, message),
            }
        }
        let Some(written) = field.type_name.clone() else {
            return;
        };
        match self.resolve(&written, &element, 6, Mode::Types) {
            Some((full, kind @ (SymbolKind::Message | SymbolKind::Enum))) => {
                field.type_name = Some(format!(".{full}"));
                if field.r#type != Some(Type::Group.into()) {
                    let kind = if kind == SymbolKind::Message {
                        Type::Message
                    } else {
                        Type::Enum
                    };
                    field.r#type = Some(kind.into());
                }
            }
            Some(_) => self.error(&element, 6, format!("\"{written}\" is not a type.")),
            None => {}
        }
    }
}

/// A file's `default_symbol_visibility`: set by its `features` option,
/// else its edition's (EXPORT_TOP_LEVEL from 2024, EXPORT_ALL before).
pub(crate) fn default_visibility(file: &FileDescriptorProto) -> &'static str {
    const VALUES: [&str; 4] = ["EXPORT_ALL", "EXPORT_TOP_LEVEL", "LOCAL_ALL", "STRICT"];
    let options = file.options.as_ref();
    let written = options
        .into_iter()
        .flat_map(|o| &o.uninterpreted_option)
        .find(|o| {
            matches!(o.name.as_slice(), [a, b]
                if a.name_part() == "features" && !a.is_extension()
                    && b.name_part() == "default_symbol_visibility")
        })
        .and_then(|o| o.identifier_value.as_deref())
        .or_else(|| {
            let value = options?.features.as_ref()?.default_symbol_visibility?;
            VALUES
                .get(usize::try_from(value).ok()?.checked_sub(1)?)
                .copied()
        });
    if let Some(value) = written.and_then(|w| VALUES.iter().find(|v| **v == w)) {
        return value;
    }
    if file.syntax() == "editions" && i32::from(file.edition()) >= i32::from(Edition::Edition2024) {
        "EXPORT_TOP_LEVEL"
    } else {
        "EXPORT_ALL"
    }
}

fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_owned()
    } else {
        format!("{scope}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::{FileDescriptorProto, Symbols};
    use crate::{compile::lower::lower, syntax};

    fn lowered(name: &str, source: &str) -> FileDescriptorProto {
        let parsed = syntax::parse(source).expect("parses");
        lower(&parsed, name).expect("lowers").descriptor
    }

    fn errors(files: &[FileDescriptorProto]) -> Vec<String> {
        let symbols = Symbols::of(files);
        files
            .iter()
            .cloned()
            .flat_map(|mut file| symbols.resolve_file(&mut file))
            .map(|e| format!("{}: {}", e.element, e.message))
            .collect()
    }

    /// protoc's example: the inner `Bar` hides the outer one, so `Bar.Baz`
    /// is looked up in the inner one only, and is not there.
    #[test]
    fn an_inner_name_hides_an_outer_one() {
        let file = lowered(
            "a.proto",
            "syntax = \"proto2\";\npackage p;\nmessage Bar { message Baz {} }\n\
             message Foo { message Bar {} optional Bar.Baz baz = 1; }\n",
        );
        assert_eq!(
            errors(&[file]),
            [
                "p.Foo.baz: \"Bar.Baz\" is resolved to \"p.Foo.Bar.Baz\", which is not defined. \
                 The innermost scope is searched first in name resolution. Consider using a \
                 leading '.'(i.e., \".Bar.Baz\") to start from the outermost scope."
            ]
        );
    }

    /// A field type skips a same-named field and finds the type outside.
    #[test]
    fn a_field_type_skips_what_is_not_a_type() {
        let mut file = lowered(
            "a.proto",
            "syntax = \"proto3\";\npackage p;\nmessage T {}\nmessage M { int32 T = 1; T t = 2; }\n",
        );
        let symbols = Symbols::of(std::slice::from_ref(&file));
        assert!(symbols.resolve_file(&mut file).is_empty());
        assert_eq!(file.message_type[1].field[1].type_name(), ".p.T");
    }

    /// Names from a file not imported, and not re-exported by an import.
    #[test]
    fn names_need_an_import() {
        let a = lowered(
            "a.proto",
            "syntax = \"proto3\";\npackage p;\nmessage A {}\n",
        );
        let b = lowered(
            "b.proto",
            "syntax = \"proto3\";\npackage p;\nimport public \"a.proto\";\n",
        );
        let c = lowered(
            "c.proto",
            "syntax = \"proto3\";\npackage p;\nimport \"b.proto\";\nmessage C { A a = 1; }\n",
        );
        let d = lowered(
            "d.proto",
            "syntax = \"proto3\";\npackage p;\nmessage D { A a = 1; }\n",
        );
        assert_eq!(
            errors(&[a, b, c, d]),
            [
                "p.D.a: \"p.A\" seems to be defined in \"a.proto\", which is not imported by \"d.proto\".  \
              To use it here, please add the necessary import."
            ]
        );
    }
}
