//! Rules about a file's imports.

use std::collections::{HashMap, HashSet};

use crate::compile::descriptor::{DescriptorProto, FileDescriptorProto};

use super::{Categories, Check, Report, Rule};
use crate::lint::{
    elements::*,
    naming::{self, PackageVersion},
};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "IMPORT_NO_PUBLIC",
        purpose: "Checks that imports are not public.",
        categories: Categories {
            v1beta1: Some(&["MINIMAL", "BASIC", "DEFAULT", "STANDARD", "SENSIBLE"]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::File(import_no_public),
    },
    Rule {
        id: "IMPORT_NO_WEAK",
        purpose: "Checks that imports are not weak.",
        categories: Categories {
            v1beta1: Some(&[]),
            v1: Some(&[]),
            v2: Some(&[]),
        },
        deprecated: true,
        check: Check::Nothing,
    },
    Rule {
        id: "IMPORT_USED",
        purpose: "Checks that imports are used.",
        categories: Categories {
            v1beta1: None,
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(import_used),
    },
    Rule {
        id: "STABLE_PACKAGE_NO_IMPORT_UNSTABLE",
        purpose: "Checks that all files that have stable versioned packages do not import packages with unstable version packages.",
        categories: Categories {
            v1beta1: None,
            v1: None,
            v2: Some(&[]),
        },
        deprecated: false,
        check: Check::File(stable_package_no_import_unstable),
    },
];

fn import_no_public(file: &FileView<'_>, _: &Module<'_>, report: &mut Report<'_>) {
    for &i in &file.proto.public_dependency {
        if let Some(import) = file.proto.dependency.get(i as usize) {
            let at = [FILE_DEPENDENCY, i];
            report.add(
                file,
                &at,
                &at,
                format!("Import {import:?} must not be public."),
            );
        }
    }
}

fn stable_package_no_import_unstable(
    file: &FileView<'_>,
    module: &Module<'_>,
    report: &mut Report<'_>,
) {
    let package = file.proto.package();
    if naming::package_version(package) != Some(PackageVersion::Stable) {
        return;
    }
    for (i, import) in file.proto.dependency.iter().enumerate() {
        // As buf, only imports of files being linted count (not those of
        // dependencies, nor of files --path leaves out).
        let Some(imported) = module
            .by_name
            .get(import.as_str())
            .filter(|_| module.schema.is_input(import))
        else {
            continue;
        };
        if naming::package_version(imported.package()) == Some(PackageVersion::Unstable) {
            let at = [FILE_DEPENDENCY, i as i32];
            report.add(
                file,
                &at,
                &at,
                format!(
                    "This file is in stable package {package:?}, so it should not depend on \
                     {import:?} from unstable package {:?}.",
                    imported.package()
                ),
            );
        }
    }
}

/// Where every type and extension of the schema is declared.
struct Declarations<'a> {
    /// Full name (no leading dot) to file.
    types: HashMap<String, &'a str>,
    /// (Full name of the extended message, number) to file.
    extensions: HashMap<(String, i32), &'a str>,
}

impl<'a> Declarations<'a> {
    fn new(module: &Module<'a>) -> Declarations<'a> {
        let mut declarations = Declarations {
            types: HashMap::new(),
            extensions: HashMap::new(),
        };
        for file in module.by_name.values() {
            let prefix = if file.package().is_empty() {
                String::new()
            } else {
                format!("{}.", file.package())
            };
            for message in &file.message_type {
                declarations.add_message(file.name(), &prefix, message);
            }
            for enumeration in &file.enum_type {
                declarations
                    .types
                    .insert(format!("{prefix}{}", enumeration.name()), file.name());
            }
            for extension in &file.extension {
                declarations.add_extension(file.name(), extension);
            }
        }
        declarations
    }

    fn add_message(&mut self, file: &'a str, prefix: &str, message: &DescriptorProto) {
        let name = format!("{prefix}{}", message.name());
        let nested = format!("{name}.");
        for inner in &message.nested_type {
            self.add_message(file, &nested, inner);
        }
        for enumeration in &message.enum_type {
            self.types
                .insert(format!("{nested}{}", enumeration.name()), file);
        }
        for extension in &message.extension {
            self.add_extension(file, extension);
        }
        self.types.insert(name, file);
    }

    fn add_extension(
        &mut self,
        file: &'a str,
        extension: &crate::compile::descriptor::FieldDescriptorProto,
    ) {
        let extendee = extension.extendee().trim_start_matches('.').to_owned();
        self.extensions.insert((extendee, extension.number()), file);
    }

    fn type_file(&self, type_name: &str) -> Option<&'a str> {
        self.types.get(type_name.trim_start_matches('.')).copied()
    }
}

/// The options message a source path sets a custom option of, with the
/// option's number: `[4, 0, 7, 50000]` is extension 50000 of
/// `MessageOptions`. Every options message of descriptor.proto reserves
/// 1000 and up for extensions.
fn custom_option(path: &[i32]) -> Option<(&'static str, i32)> {
    #[derive(Clone, Copy)]
    enum Element {
        File,
        Message,
        Field,
        Oneof,
        ExtensionRange,
        Enum,
        EnumValue,
        Service,
        Method,
    }
    let mut element = Element::File;
    let mut i = 0;
    loop {
        let field = *path.get(i)?;
        let options = match (element, field) {
            (Element::File, FILE_MESSAGE) | (Element::Message, MESSAGE_NESTED) => {
                element = Element::Message;
                None
            }
            (Element::File, FILE_ENUM) | (Element::Message, MESSAGE_ENUM) => {
                element = Element::Enum;
                None
            }
            (Element::File, FILE_SERVICE) => {
                element = Element::Service;
                None
            }
            (Element::File, FILE_EXTENSION)
            | (Element::Message, MESSAGE_FIELD | MESSAGE_EXTENSION) => {
                element = Element::Field;
                None
            }
            (Element::Message, MESSAGE_ONEOF) => {
                element = Element::Oneof;
                None
            }
            (Element::Message, MESSAGE_EXTENSION_RANGE) => {
                element = Element::ExtensionRange;
                None
            }
            (Element::Enum, ENUM_VALUE) => {
                element = Element::EnumValue;
                None
            }
            (Element::Service, SERVICE_METHOD) => {
                element = Element::Method;
                None
            }
            (Element::File, FILE_OPTIONS) => Some("google.protobuf.FileOptions"),
            (Element::Message, MESSAGE_OPTIONS) => Some("google.protobuf.MessageOptions"),
            (Element::Field, FIELD_OPTIONS) => Some("google.protobuf.FieldOptions"),
            (Element::Oneof, ONEOF_OPTIONS) => Some("google.protobuf.OneofOptions"),
            (Element::ExtensionRange, EXTENSION_RANGE_OPTIONS) => {
                Some("google.protobuf.ExtensionRangeOptions")
            }
            (Element::Enum, ENUM_OPTIONS) => Some("google.protobuf.EnumOptions"),
            (Element::EnumValue, ENUM_VALUE_OPTIONS) => Some("google.protobuf.EnumValueOptions"),
            (Element::Service, SERVICE_OPTIONS) => Some("google.protobuf.ServiceOptions"),
            (Element::Method, METHOD_OPTIONS) => Some("google.protobuf.MethodOptions"),
            _ => return None,
        };
        if let Some(options) = options {
            let number = *path.get(i + 1)?;
            return (number >= 1000).then_some((options, number));
        }
        i += 2;
    }
}

/// The files whose declarations `file` uses: the types of its fields and
/// rpcs, the messages it extends, and the custom options it sets.
fn used_files<'a>(file: &FileView<'_>, declarations: &Declarations<'a>) -> HashSet<&'a str> {
    fn message<'a>(
        proto: &DescriptorProto,
        declarations: &Declarations<'a>,
        used: &mut HashSet<&'a str>,
    ) {
        for field in proto.field.iter().chain(&proto.extension) {
            field_types(field, declarations, used);
        }
        for nested in &proto.nested_type {
            message(nested, declarations, used);
        }
    }
    fn field_types<'a>(
        field: &crate::compile::descriptor::FieldDescriptorProto,
        declarations: &Declarations<'a>,
        used: &mut HashSet<&'a str>,
    ) {
        for name in [field.type_name(), field.extendee()] {
            if !name.is_empty()
                && let Some(file) = declarations.type_file(name)
            {
                used.insert(file);
            }
        }
    }
    let proto: &FileDescriptorProto = file.proto;
    let mut used = HashSet::new();
    for m in &proto.message_type {
        message(m, declarations, &mut used);
    }
    for extension in &proto.extension {
        field_types(extension, declarations, &mut used);
    }
    for service in &proto.service {
        for method in &service.method {
            for name in [method.input_type(), method.output_type()] {
                if let Some(file) = declarations.type_file(name) {
                    used.insert(file);
                }
            }
        }
    }
    for path in file.paths() {
        if let Some((options, number)) = custom_option(path)
            && let Some(file) = declarations.extensions.get(&(options.to_owned(), number))
        {
            used.insert(file);
        }
    }
    used
}

fn import_used(module: &Module<'_>, report: &mut Report<'_>) {
    let declarations = Declarations::new(module);
    // Each file's uses (every type it names, every option it sets) looked
    // up on every core: the longest of lint's rules on a large module.
    let unused = crate::compile::parallel::map_with(
        module.files.iter().collect(),
        || (),
        |(), file| {
            let used = used_files(file, &declarations);
            let unused: Vec<(usize, &str)> = file
                .proto
                .dependency
                .iter()
                .enumerate()
                // A public import re-exports: buf never calls it unused.
                .filter(|(i, _)| !file.proto.public_dependency.contains(&(*i as i32)))
                .filter(|(_, import)| !reaches_used(module, import, &used, &mut HashSet::new()))
                .map(|(i, import)| (i, import.as_str()))
                .collect();
            Some((file, unused))
        },
    )
    .unwrap_or_else(|| unreachable!("IMPORT_USED panicked"));
    for (file, unused) in unused {
        for (i, import) in unused {
            let at = [FILE_DEPENDENCY, i as i32];
            report.add(file, &at, &at, format!("Import {import:?} is unused."));
        }
    }
}

/// Whether `import`, or a file it re-exports by `import public` (at any
/// depth), is used.
fn reaches_used<'a>(
    module: &Module<'a>,
    import: &'a str,
    used: &HashSet<&str>,
    seen: &mut HashSet<&'a str>,
) -> bool {
    if used.contains(import) {
        return true;
    }
    if !seen.insert(import) {
        return false;
    }
    let Some(file) = module.by_name.get(import) else {
        return true;
    };
    file.public_dependency.iter().any(|&i| {
        file.dependency
            .get(i as usize)
            .is_some_and(|public| reaches_used(module, public, used, seen))
    })
}
