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

use std::collections::{HashMap, HashSet};

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

/// A declared name: what it is and the file (by name) declaring it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// What the name denotes.
    pub kind: SymbolKind,
    /// The declaring file's name.
    pub file: String,
}

/// Every name declared by a set of files, by full name without the leading
/// dot (`pkg.Msg.field`).
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    symbols: HashMap<String, Symbol>,
    /// Per file, its direct dependencies (names).
    dependencies: HashMap<String, Vec<String>>,
    /// Per file, the dependencies it re-exports (`import public`).
    public: HashMap<String, Vec<String>>,
    /// Messages and enums other files may not use (2024's `local`), and why.
    local: HashMap<String, Local>,
    /// The default symbol visibility of the file being added.
    default_visibility: &'static str,
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
    /// (redefinitions are the linker's error).
    pub fn of<'a>(files: impl IntoIterator<Item = &'a FileDescriptorProto>) -> Self {
        let mut symbols = Symbols::default();
        for file in files {
            symbols.add_file(file);
        }
        symbols
    }

    fn add_file(&mut self, file: &FileDescriptorProto) {
        let name = file.name().to_owned();
        self.dependencies
            .insert(name.clone(), file.dependency.clone());
        self.public.insert(
            name.clone(),
            file.public_dependency
                .iter()
                .filter_map(|&i| file.dependency.get(usize::try_from(i).ok()?).cloned())
                .collect(),
        );
        self.default_visibility = default_visibility(file);
        let package = file.package();
        if !package.is_empty() {
            let mut prefix = String::new();
            for part in package.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                self.add(&prefix, SymbolKind::Package, &name);
            }
        }
        for message in &file.message_type {
            self.add_message(package, message, &name, false);
        }
        for enumeration in &file.enum_type {
            self.add_enum(package, enumeration, &name, false);
        }
        for extension in &file.extension {
            self.add(&join(package, extension.name()), SymbolKind::Field, &name);
        }
        for service in &file.service {
            let full = join(package, service.name());
            self.add(&full, SymbolKind::Service, &name);
            for method in &service.method {
                self.add(&join(&full, method.name()), SymbolKind::Method, &name);
            }
        }
    }

    fn add(&mut self, full: &str, kind: SymbolKind, file: &str) {
        self.symbols.entry(full.to_owned()).or_insert(Symbol {
            kind,
            file: file.to_owned(),
        });
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
            self.local.entry(full.to_owned()).or_insert(local);
        }
    }

    fn add_message(&mut self, scope: &str, message: &DescriptorProto, file: &str, nested: bool) {
        let full = join(scope, message.name());
        self.add(&full, SymbolKind::Message, file);
        self.note_visibility(&full, message.visibility, nested);
        for field in message.field.iter().chain(&message.extension) {
            self.add(&join(&full, field.name()), SymbolKind::Field, file);
        }
        for oneof in &message.oneof_decl {
            self.add(&join(&full, oneof.name()), SymbolKind::Oneof, file);
        }
        for nested in &message.nested_type {
            self.add_message(&full, nested, file, true);
        }
        for enumeration in &message.enum_type {
            self.add_enum(&full, enumeration, file, true);
        }
    }

    fn add_enum(
        &mut self,
        scope: &str,
        enumeration: &EnumDescriptorProto,
        file: &str,
        nested: bool,
    ) {
        let full = join(scope, enumeration.name());
        self.add(&full, SymbolKind::Enum, file);
        self.note_visibility(&full, enumeration.visibility, nested);
        for value in &enumeration.value {
            self.add(&join(scope, value.name()), SymbolKind::EnumValue, file);
        }
    }

    /// The files whose names `file` may use: itself, its dependencies, and
    /// what they re-export with `import public`, transitively.
    fn visible_files(&self, file: &str) -> HashSet<String> {
        let mut visible = HashSet::from([file.to_owned()]);
        let mut stack: Vec<String> = self.dependencies.get(file).cloned().unwrap_or_default();
        while let Some(next) = stack.pop() {
            if visible.insert(next.clone()) {
                stack.extend(self.public.get(&next).cloned().unwrap_or_default());
            }
        }
        visible
    }

    /// protoc's lookup of `name` used by the element `relative_to`: the
    /// symbol, or else the full name tried last when the first part of a
    /// compound name was found but not the rest.
    fn lookup(
        &self,
        name: &str,
        relative_to: &str,
        mode: Mode,
    ) -> Result<(String, &Symbol), Option<String>> {
        let found = |full: &str| {
            self.symbols
                .get_key_value(full)
                .map(|(k, v)| (k.clone(), v))
        };
        if let Some(full) = name.strip_prefix('.') {
            return found(full).ok_or(None);
        }
        let first = name.split('.').next().unwrap_or(name);
        let mut scope = relative_to.to_owned();
        loop {
            match scope.rfind('.') {
                None => return found(name).ok_or(None),
                Some(dot) => scope.truncate(dot),
            }
            let candidate = join(&scope, first);
            if let Some(symbol) = self.symbols.get(&candidate) {
                if first.len() < name.len() {
                    if symbol.kind.is_aggregate() {
                        let full = join(&scope, name);
                        return found(&full).ok_or(Some(full));
                    }
                } else if mode == Mode::All || symbol.kind.is_type() {
                    return Ok((candidate, symbol));
                }
            }
        }
    }

    /// The full name `name` stands for in `relative_to` in `file`, checked
    /// against what `file` imports.
    fn resolve(
        &self,
        name: &str,
        relative_to: &str,
        mode: Mode,
        file: &str,
        visible: &HashSet<String>,
    ) -> Result<(String, SymbolKind), String> {
        match self.lookup(name, relative_to, mode) {
            Ok((full, symbol)) if symbol.file != file && self.local.contains_key(&full) => {
                let why = match self.local[&full] {
                    Local::Explicit => "It is explicitly marked 'local'".to_owned(),
                    Local::Default(default) => format!(
                        "It defaulted to local from file-level 'option \
                         features.default_symbol_visibility = '{default}';"
                    ),
                };
                // (protoc's two spaces before "is".)
                Err(format!(
                    "Symbol \"{full}\", defined in \"{}\"  is not visible from \"{file}\". \
                     {why} and cannot be accessed outside its own file",
                    symbol.file
                ))
            }
            Ok((full, symbol)) if visible.contains(&symbol.file) => Ok((full, symbol.kind)),
            Ok((full, symbol)) => Err(format!(
                "\"{full}\" seems to be defined in \"{}\", which is not imported by \"{file}\".  \
                 To use it here, please add the necessary import.",
                symbol.file
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
        let visible = self.visible_files(&name);
        let package = file.package().to_owned();
        let mut context = Context {
            symbols: self,
            file: &name,
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
                    let Some(written) = slot.clone() else {
                        continue;
                    };
                    match context.resolve(&written, &element, number, Mode::All) {
                        Some((full, SymbolKind::Message)) => *slot = Some(format!(".{full}")),
                        Some(_) => context.error(
                            &element,
                            number,
                            format!("\"{written}\" is not a message type."),
                        ),
                        None => {}
                    }
                }
            }
        }
        context.errors
    }
}

/// The walk of [`Symbols::resolve_file`].
struct Context<'a> {
    symbols: &'a Symbols,
    file: &'a str,
    visible: &'a HashSet<String>,
    errors: Vec<NameError>,
}

impl Context<'_> {
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
    ) -> Option<(String, SymbolKind)> {
        match self
            .symbols
            .resolve(name, element, mode, self.file, self.visible)
        {
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
            let resolved = self
                .symbols
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
