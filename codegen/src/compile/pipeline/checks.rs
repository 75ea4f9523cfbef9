//! protoc 35's validations that read resolved features, run on linked files
//! with interpreted options (after [`super::validate::file`]):
//!
//! - [`field_features`]: what editions files may not say of a field (field
//!   presence on a repeated field, implicit presence with a default or a
//!   closed enum, `packed`, `ctype` in 2024, ...);
//! - [`naming_style`]: `enforce_naming_style = STYLE2024`, edition 2024's
//!   default;
//! - [`feature_support`]: language features (`pb.cpp`, `pb.java`, `pb.go`,
//!   or a user's) and options set where their `targets` or
//!   `feature_support` (introduced, deprecated, removed) forbid; core
//!   features are checked at lowering ([`features::check_uses`]);
//! - [`json_conflicts`]: JSON name conflicts, refused or warned as
//!   `json_format` says;
//! - [`extension_declarations`]: extension ranges' declarations, and the
//!   extensions of declaring ranges against them;
//! - [`element_rules`]: rules of every syntax on single elements (a
//!   default on a message field, `jstype` on a string, an empty enum, ...);
//! - [`visibility`]: STRICT's rule for `export` nested enums;
//! - [`unused_imports`]: protoc's warnings on the inputs' imports.
//!
//! Each element is visited once ([`walk`]) with the features in effect on
//! it and the ones it sets itself. proto2 and proto3 files set no features,
//! so only editions files are walked.

mod element_rules;
mod extension_declarations;
mod feature_support;
mod field_features;
mod json_conflicts;
mod naming_style;
#[cfg(test)]
mod tests;
mod unused_imports;
mod visibility;

pub(super) use element_rules::written_json_names;

use std::collections::HashMap;

use super::super::{
    descriptor::{
        DescriptorProto, EnumDescriptorProto, EnumValueDescriptorProto, FeatureSet,
        FieldDescriptorProto, FileDescriptorProto, MethodDescriptorProto, OneofDescriptorProto,
        ServiceDescriptorProto, descriptor_proto::ExtensionRange, feature_set,
    },
    features::{self, Features},
    validate::Problem,
};

/// What the checks know of every file of the compilation.
pub(super) struct Context<'f> {
    files: &'f [&'f FileDescriptorProto],
    /// Per enum (full name with the leading dot), whether it is closed.
    closed_enums: HashMap<String, bool>,
    /// The features declared in the compilation's files, by the number of
    /// the `FeatureSet` extension they belong to.
    catalog: feature_support::Catalog<'f>,
    /// The extension ranges that declare their extensions.
    declared: extension_declarations::Declared<'f>,
}

impl<'f> Context<'f> {
    pub fn of(files: &'f [&'f FileDescriptorProto]) -> Context<'f> {
        let mut closed_enums = HashMap::new();
        // Only editions files read these: skip the walk without one.
        if files.iter().any(|file| file.syntax() == "editions") {
            for file in files {
                let closed = file.syntax() != "proto3";
                if file.syntax() == "editions" {
                    walk(file, &mut |site| {
                        if let Element::Enum(_) = site.element {
                            closed_enums.insert(
                                format!(".{}", site.full_name),
                                site.resolved.enum_type() == feature_set::EnumType::Closed,
                            );
                        }
                    });
                } else {
                    enum_names(file, &mut |name| {
                        closed_enums.insert(name, closed);
                    });
                }
            }
        }
        Context {
            files,
            closed_enums,
            catalog: feature_support::Catalog::of(files),
            declared: extension_declarations::declared(files),
        }
    }
}

/// Problems found before the checks that protoc reports after them (core
/// features' [`features::check_uses`]), located.
#[derive(Debug, Default)]
pub(crate) struct Later {
    pub lifetimes: Vec<super::Diagnostic>,
    pub targets: Vec<super::Diagnostic>,
}

/// What the steps before the checks found, per file.
pub(super) struct Before {
    /// Options that could not be interpreted.
    pub options: Vec<Vec<super::Diagnostic>>,
    /// [`super::validate`]'s problems, each with whether protoc finds it
    /// while it builds the file.
    pub validated: Vec<Vec<(super::Diagnostic, bool)>>,
    pub later: Vec<Later>,
}

/// The checks of every linked file, each problem located and filed as an
/// error or a warning; then the unused imports of the inputs.
///
/// protoc 35 checks a file in stages and stops at the first that finds an
/// error, so a file reports the problems of its first stage with one:
/// 1. what protoc finds as it builds the file: numbers, reserved names and
///    ranges, extension numbers, imports, defaults, empty enums
///    ([`validate::Problem::building`]);
/// 2. options that cannot be interpreted;
/// 3. the other validations, and the checks here that read resolved
///    features and options (field features, JSON names, element rules,
///    declarations, visibility);
/// 4. naming style;
/// 5. `feature_support` lifetimes (introduced, removed, deprecated);
/// 6. the field numbers protoc keeps for itself (19000 to 19999), then
///    `targets`.
pub(super) fn run(
    files: &[FileDescriptorProto],
    about: &[super::About],
    before: Before,
    input_imports: &HashMap<String, Vec<(String, Option<super::LineCol>)>>,
    places: &super::Places<'_>,
    problems: &mut Vec<super::Diagnostic>,
    warnings: &mut Vec<super::Diagnostic>,
) {
    let descriptors: Vec<&FileDescriptorProto> = files.iter().collect();
    let context = Context::of(&descriptors);
    let Before {
        options,
        validated,
        later,
    } = before;
    let stages = files
        .iter()
        .zip(about)
        .zip(options)
        .zip(validated)
        .zip(later);
    for ((((descriptor, about), options), validated), later) in stages {
        let shown = &about.shown;
        let found = file(descriptor, &about.written_json_names, &context);
        let (mut building, mut validated_later) = (Vec::new(), Vec::new());
        for (diagnostic, while_building) in validated {
            if diagnostic.severity == super::super::Severity::Warning {
                warnings.push(diagnostic);
            } else if while_building {
                building.push(diagnostic);
            } else {
                validated_later.push(diagnostic);
            }
        }
        let (checks_building, checks): (Vec<Problem>, Vec<Problem>) =
            found.checks.into_iter().partition(|p| p.building);
        // A stage's problems; `true` when it has an error.
        let mut stage = |found: Vec<Problem>, located: Vec<super::Diagnostic>| {
            let mut stage_failed = !located.is_empty();
            problems.extend(located);
            for found in found {
                let warning = found.warning;
                let diagnostic = places.locate(descriptor, about, found);
                if warning {
                    warnings.push(diagnostic);
                } else {
                    stage_failed = true;
                    problems.push(diagnostic);
                }
            }
            stage_failed
        };
        let stages = [
            (checks_building, building),
            (Vec::new(), options),
            (checks, validated_later),
            (found.naming, Vec::new()),
            (found.lifetimes, later.lifetimes),
            (found.targets, later.targets),
        ];
        for (found, located) in stages {
            if stage(found, located) {
                break;
            }
        }
        let Some(imports) = input_imports.get(descriptor.name()) else {
            continue;
        };
        for index in unused_imports::unused(descriptor, &descriptors) {
            let Some((name, at)) = imports.get(index) else {
                continue;
            };
            let mut warning =
                super::Diagnostic::error(format!("Import {name} is unused.")).with_path(shown);
            warning.severity = super::super::Severity::Warning;
            warning.start = *at;
            warnings.push(warning);
        }
    }
}

/// What the checks of a file find, by the stage protoc reports it in (see
/// [`run`]).
#[derive(Default)]
struct Found {
    checks: Vec<Problem>,
    naming: Vec<Problem>,
    lifetimes: Vec<Problem>,
    targets: Vec<Problem>,
}

/// The checks of one linked file, whose extensions' `json_name`s written
/// are at `written_json_names`.
fn file(
    file: &FileDescriptorProto,
    written_json_names: &[Vec<i32>],
    context: &Context<'_>,
) -> Found {
    let mut found = Found::default();
    element_rules::implementation_numbers(file, &mut found.targets);
    element_rules::check(file, context.files, written_json_names, &mut found.checks);
    extension_declarations::check(file, &context.declared, &mut found.checks);
    if file.syntax() != "editions" {
        // Only custom options' targets concern these files here.
        if context.catalog.targets_options() {
            walk(file, &mut |site| {
                feature_support::custom_option_targets(&site, &context.catalog, &mut found.targets);
            });
        }
        return found;
    }
    naming_style::package(file, &mut found.naming);
    walk(file, &mut |site| {
        field_features::check(&site, file, context, &mut found.checks);
        naming_style::check(&site, &mut found.naming);
        json_conflicts::check(&site, &mut found.checks);
        feature_support::check(
            &site,
            file,
            context,
            &mut found.lifetimes,
            &mut found.targets,
        );
        visibility::check(&site, file, &mut found.checks);
    });
    found
}

/// An element of a file, as [`walk`] visits it.
pub(super) enum Element<'a> {
    File(&'a FileDescriptorProto),
    Message(&'a DescriptorProto),
    Field(Field<'a>),
    Oneof(&'a OneofDescriptorProto),
    Range(&'a ExtensionRange),
    Enum(&'a EnumDescriptorProto),
    Value(&'a EnumValueDescriptorProto),
    Service(&'a ServiceDescriptorProto),
    Method(&'a MethodDescriptorProto),
}

/// A field or an extension, with what protoc knows of its place.
pub(super) struct Field<'a> {
    pub field: &'a FieldDescriptorProto,
    pub in_oneof: bool,
    pub extension: bool,
    /// A field of a map entry message protoc made for a `map<K, V>`.
    pub in_map_entry: bool,
    /// A `map<K, V>` field.
    pub map: bool,
}

/// One element: where it is (its descriptor path), its full name (no
/// leading dot; an enum value's beside its enum, protoc's C++ scoping), the
/// features in effect on it, and those it sets itself.
pub(super) struct Site<'a> {
    pub element: Element<'a>,
    pub path: &'a [i32],
    pub full_name: &'a str,
    pub resolved: &'a Features,
    pub own: Option<&'a FeatureSet>,
}

impl Site<'_> {
    /// The path protoc points at for this element's name (the element for
    /// those without one).
    pub fn name_path(&self) -> Vec<i32> {
        match self.element {
            Element::File(_) | Element::Range(_) => self.path.to_vec(),
            _ => [self.path, &[1]].concat(),
        }
    }
}

/// Visits every element of `file` with its resolved features, each after
/// its parent's children that protoc checks before it. Features that do
/// not resolve (a message-typed feature) leave the element's parent's.
pub(super) fn walk(file: &FileDescriptorProto, visit: &mut dyn FnMut(Site<'_>)) {
    let resolver = features::protoc_resolver();
    let Ok(defaults) = resolver.edition_defaults(features::file_edition(file)) else {
        return;
    };
    let own = file.options.as_ref().and_then(|o| o.features.as_ref());
    let resolved = merged(&defaults, own);
    let scope = file.package();
    visit(Site {
        element: Element::File(file),
        path: &[],
        full_name: file.name(),
        resolved: &resolved,
        own,
    });
    let mut path = Vec::new();
    for (i, message) in file.message_type.iter().enumerate() {
        path.clear();
        path.extend([4, index(i)]);
        walk_message(message, scope, &mut path, &resolved, false, visit);
    }
    for (i, enumeration) in file.enum_type.iter().enumerate() {
        path.clear();
        path.extend([5, index(i)]);
        walk_enum(enumeration, scope, &mut path, &resolved, visit);
    }
    for (i, extension) in file.extension.iter().enumerate() {
        path.clear();
        path.extend([7, index(i)]);
        let field = Field {
            field: extension,
            in_oneof: false,
            extension: true,
            in_map_entry: false,
            map: false,
        };
        walk_field(field, scope, &path, &resolved, visit);
    }
    for (i, service) in file.service.iter().enumerate() {
        path.clear();
        path.extend([6, index(i)]);
        let full = join(scope, service.name());
        let own = service.options.as_ref().and_then(|o| o.features.as_ref());
        let features = merged(&resolved, own);
        visit(Site {
            element: Element::Service(service),
            path: &path,
            full_name: &full,
            resolved: &features,
            own,
        });
        for (m, method) in service.method.iter().enumerate() {
            let method_path = [path.as_slice(), &[2, index(m)]].concat();
            let own = method.options.as_ref().and_then(|o| o.features.as_ref());
            let name = join(&full, method.name());
            visit(Site {
                element: Element::Method(method),
                path: &method_path,
                full_name: &name,
                resolved: &merged(&features, own),
                own,
            });
        }
    }
}

fn walk_message(
    message: &DescriptorProto,
    scope: &str,
    path: &mut Vec<i32>,
    parent: &Features,
    map_entry: bool,
    visit: &mut dyn FnMut(Site<'_>),
) {
    let full = join(scope, message.name());
    let own = message.options.as_ref().and_then(|o| o.features.as_ref());
    let features = merged(parent, own);
    visit(Site {
        element: Element::Message(message),
        path,
        full_name: &full,
        resolved: &features,
        own,
    });
    let oneofs: Vec<Features> = message
        .oneof_decl
        .iter()
        .map(|oneof| {
            merged(
                &features,
                oneof.options.as_ref().and_then(|o| o.features.as_ref()),
            )
        })
        .collect();
    let entries: Vec<String> = message
        .nested_type
        .iter()
        .filter(|nested| nested.options.as_ref().is_some_and(|o| o.map_entry()))
        .map(|nested| format!(".{full}.{}", nested.name()))
        .collect();
    let depth = path.len();
    for (i, field) in message.field.iter().enumerate() {
        path.truncate(depth);
        path.extend([2, index(i)]);
        let oneof = field
            .oneof_index
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| oneofs.get(i));
        let site = Field {
            field,
            in_oneof: oneof.is_some(),
            extension: false,
            in_map_entry: map_entry,
            map: field
                .type_name
                .as_ref()
                .is_some_and(|t| entries.contains(t)),
        };
        walk_field(site, &full, path, oneof.unwrap_or(&features), visit);
    }
    for (i, (oneof, resolved)) in message.oneof_decl.iter().zip(&oneofs).enumerate() {
        path.truncate(depth);
        path.extend([8, index(i)]);
        let name = join(&full, oneof.name());
        visit(Site {
            element: Element::Oneof(oneof),
            path,
            full_name: &name,
            resolved,
            own: oneof.options.as_ref().and_then(|o| o.features.as_ref()),
        });
    }
    for (i, range) in message.extension_range.iter().enumerate() {
        path.truncate(depth);
        path.extend([5, index(i)]);
        let own = range.options.as_ref().and_then(|o| o.features.as_ref());
        visit(Site {
            element: Element::Range(range),
            path,
            full_name: &full,
            resolved: &merged(&features, own),
            own,
        });
    }
    for (i, nested) in message.nested_type.iter().enumerate() {
        path.truncate(depth);
        path.extend([3, index(i)]);
        let entry = nested.options.as_ref().is_some_and(|o| o.map_entry());
        walk_message(nested, &full, path, &features, entry, visit);
    }
    for (i, enumeration) in message.enum_type.iter().enumerate() {
        path.truncate(depth);
        path.extend([4, index(i)]);
        walk_enum(enumeration, &full, path, &features, visit);
    }
    for (i, extension) in message.extension.iter().enumerate() {
        path.truncate(depth);
        path.extend([6, index(i)]);
        let field = Field {
            field: extension,
            in_oneof: false,
            extension: true,
            in_map_entry: false,
            map: false,
        };
        walk_field(field, &full, path, &features, visit);
    }
    path.truncate(depth);
}

fn walk_field(
    field: Field<'_>,
    scope: &str,
    path: &[i32],
    parent: &Features,
    visit: &mut dyn FnMut(Site<'_>),
) {
    let own = field
        .field
        .options
        .as_ref()
        .and_then(|o| o.features.as_ref());
    let name = join(scope, field.field.name());
    visit(Site {
        path,
        full_name: &name,
        resolved: &merged(parent, own),
        own,
        element: Element::Field(field),
    });
}

fn walk_enum(
    enumeration: &EnumDescriptorProto,
    scope: &str,
    path: &mut Vec<i32>,
    parent: &Features,
    visit: &mut dyn FnMut(Site<'_>),
) {
    let full = join(scope, enumeration.name());
    let own = enumeration
        .options
        .as_ref()
        .and_then(|o| o.features.as_ref());
    let features = merged(parent, own);
    visit(Site {
        element: Element::Enum(enumeration),
        path,
        full_name: &full,
        resolved: &features,
        own,
    });
    let depth = path.len();
    for (i, value) in enumeration.value.iter().enumerate() {
        path.truncate(depth);
        path.extend([2, index(i)]);
        let own = value.options.as_ref().and_then(|o| o.features.as_ref());
        let name = join(scope, value.name());
        visit(Site {
            element: Element::Value(value),
            path,
            full_name: &name,
            resolved: &merged(&features, own),
            own,
        });
    }
    path.truncate(depth);
}

/// Every enum `file` declares, by full name with the leading dot.
fn enum_names(file: &FileDescriptorProto, found: &mut dyn FnMut(String)) {
    fn in_message(scope: &str, message: &DescriptorProto, found: &mut dyn FnMut(String)) {
        let full = join(scope, message.name());
        for enumeration in &message.enum_type {
            found(format!(".{}", join(&full, enumeration.name())));
        }
        for nested in &message.nested_type {
            in_message(&full, nested, found);
        }
    }
    for enumeration in &file.enum_type {
        found(format!(".{}", join(file.package(), enumeration.name())));
    }
    for nested in &file.message_type {
        in_message(file.package(), nested, found);
    }
}

fn merged(parent: &Features, own: Option<&FeatureSet>) -> Features {
    parent.merged(own).unwrap_or_else(|_| parent.clone())
}

/// `scope.name`, or `name` at the top.
fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_owned()
    } else {
        format!("{scope}.{name}")
    }
}

/// A descriptor index as source-info paths hold it.
fn index(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}
