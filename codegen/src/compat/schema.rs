//! The two sides of a compatibility check, each indexed for pairing (see
//! [`super::pairing`]): files by path; messages, enums and services by full
//! name; extensions by extendee and number.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{Arc, OnceLock},
};

use prost::Message;

use super::finding::Span;
use crate::{
    Compiled,
    compile::{
        descriptor::{
            self, DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
            FileDescriptorSet, ServiceDescriptorProto,
        },
        features::{Features, protoc_resolver, resolve_file},
    },
};

/// One side of a check: every file of a schema, with which of them are the
/// schema's own (the rest are imports).
///
/// The files are the front end's own descriptor types, as compiled or as an
/// image decodes: editions, features and custom options included, so
/// nothing is converted between the compiler and the rules.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    files: Vec<FileDescriptorProto>,
    inputs: HashSet<String>,
    /// The editions features in effect on every element, by the key
    /// [`resolve_file`] gives it (`field .pkg.M.f`, `enum .pkg.E`). proto2
    /// and proto3 files resolve to what their syntax means, so the rules
    /// compare any two files alike. Resolved when first asked (breaking's
    /// rules read them, lint's do not), or when an image is decoded (whose
    /// features may not resolve).
    features: OnceLock<Arc<HashMap<String, Features>>>,
}

impl Schema {
    /// The files of a compilation; its inputs are the schema's own.
    pub fn from_compiled(compiled: Compiled) -> Schema {
        let inputs = compiled.input_files().into_iter().collect();
        Schema {
            files: compiled.into_files(),
            inputs,
            features: OnceLock::new(),
        }
    }

    /// Compiles the directories or files `inputs` (as
    /// [`Compiler::compile`](crate::Compiler::compile) does, imports and
    /// source info included), for comparison.
    pub fn compile<P: AsRef<std::path::Path>>(inputs: &[P]) -> Result<Schema, crate::CompileError> {
        let compiled = crate::Compiler::new()
            .include_imports(true)
            .include_source_info(true)
            .compile(inputs)?;
        Ok(Schema::from_compiled(compiled))
    }

    /// The files of an encoded `FileDescriptorSet` (an image from protoc, buf
    /// or `protoforge build`), all of them the schema's own.
    /// A buf image marks its imports (`buf build` includes them): those are
    /// not the schema's own.
    pub fn decode(bytes: &[u8]) -> Result<Schema, ImageError> {
        Schema::from_set(FileDescriptorSet::decode(bytes)?)
    }

    /// [`decode`](Self::decode), on a set already decoded.
    pub fn from_set(set: FileDescriptorSet) -> Result<Schema, ImageError> {
        let features = resolve_features(&set.file).map_err(ImageError::Features)?;
        let inputs = set
            .file
            .iter()
            .filter(|file| !is_buf_image_import(file))
            .map(|file| file.name().to_owned())
            .collect();
        Ok(Schema {
            files: set.file,
            inputs,
            features: OnceLock::from(Arc::new(features)),
        })
    }

    /// Makes only the files `targets` accepts the schema's own, keeping
    /// the files they import (directly or not) as imports and dropping the
    /// rest (`--path`, `--exclude-path`, one module of a workspace).
    pub fn restrict_to(mut self, targets: impl Fn(&str) -> bool) -> Schema {
        self.inputs.retain(|name| targets(name));
        let by_name: HashMap<&str, &FileDescriptorProto> =
            self.files.iter().map(|f| (f.name(), f)).collect();
        let mut keep: HashSet<String> = HashSet::new();
        let mut stack: Vec<&str> = self.inputs.iter().map(String::as_str).collect();
        while let Some(name) = stack.pop() {
            if keep.insert(name.to_owned())
                && let Some(file) = by_name.get(name)
            {
                stack.extend(file.dependency.iter().map(String::as_str));
            }
        }
        self.files.retain(|f| keep.contains(f.name()));
        self
    }

    /// Adds `files` as the schema's own (stubs for files a check needs
    /// not compile: see [`super::changed`]).
    pub(crate) fn with_stubs(mut self, files: Vec<FileDescriptorProto>) -> Schema {
        self.inputs
            .extend(files.iter().map(|f| f.name().to_owned()));
        self.files.extend(files);
        // Resolved again with the stubs when asked (they have no elements).
        self.features = OnceLock::new();
        self
    }

    /// Whether the schema has no files of its own.
    pub fn has_no_inputs(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Keeps only the schema's own files (`--exclude-imports`).
    pub fn without_imports(mut self) -> Schema {
        self.files.retain(|file| self.inputs.contains(file.name()));
        self
    }

    /// The package of the file at `path`.
    pub fn package_of(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.name() == path)
            .map(|f| f.package())
    }

    /// Whether the file `name` is one of the schema's own (not an import).
    pub fn is_input(&self, name: &str) -> bool {
        self.inputs.contains(name)
    }

    /// The names of every file.
    pub fn file_names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|f| f.name())
    }

    /// Keeps only the files whose names `keep` accepts
    /// (`--limit-to-input-files`).
    pub fn retain_files(mut self, keep: impl Fn(&str) -> bool) -> Schema {
        self.files.retain(|f| keep(f.name()));
        self
    }

    /// Every file as our own descriptor types, editions, features and custom
    /// options kept (for `mock serve`, which serves the schema from it and
    /// must read and write each message as protoc's code does).
    pub fn to_descriptor_set(&self) -> FileDescriptorSet {
        FileDescriptorSet {
            file: self.files.clone(),
            ..FileDescriptorSet::default()
        }
    }

    pub(crate) fn files(&self) -> impl Iterator<Item = &FileDescriptorProto> {
        self.files.iter()
    }

    /// The features of every element (see [`Schema`]), resolved on every
    /// core when first asked. A file whose features do not resolve (never
    /// a compiled one: the compiler checked them) has none.
    fn features(&self) -> &HashMap<String, Features> {
        self.features.get_or_init(|| {
            let resolved = crate::compile::parallel::map_with(
                self.files.iter().collect(),
                || (),
                |(), file| Some(resolve_file(file, protoc_resolver()).unwrap_or_default()),
            )
            .unwrap_or_else(|| unreachable!("resolving features panicked"));
            Arc::new(resolved.into_iter().flatten().collect())
        })
    }

    /// Every file with its options whole (custom ones included), when the
    /// files link as a pool: encoded without their source info (which
    /// prost-reflect does not read), when a rule asks.
    pub(crate) fn descriptor_pool(&self) -> Option<prost_reflect::DescriptorPool> {
        descriptor::reflect_pool(&encode_without_source_info(&self.files)).ok()
    }
}

/// Why an image cannot be compared.
#[derive(Debug)]
pub enum ImageError {
    /// It is no `FileDescriptorSet`.
    Decode(prost::DecodeError),
    /// Its features do not resolve (an edition protoc does not know, a
    /// feature that is neither an enum nor a bool): protoc's message.
    Features(String),
}

impl From<prost::DecodeError> for ImageError {
    fn from(err: prost::DecodeError) -> Self {
        ImageError::Decode(err)
    }
}

impl std::fmt::Display for ImageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageError::Decode(err) => err.fmt(f),
            ImageError::Features(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ImageError {}

/// The features of every element of `files`, by [`resolve_file`]'s keys,
/// with protoc's defaults and language features, resolved on every core;
/// `Err` names the first file (in order) whose features do not resolve.
pub fn resolve_features(
    files: &[FileDescriptorProto],
) -> Result<HashMap<String, Features>, String> {
    let resolved = crate::compile::parallel::map_with(
        files.iter().collect(),
        || (),
        |(), file| {
            Some(
                resolve_file(file, protoc_resolver())
                    .map_err(|err| format!("{}: {err}", file.name())),
            )
        },
    )
    .unwrap_or_else(|| unreachable!("resolving features panicked"));
    let mut features = HashMap::new();
    for file in resolved {
        features.extend(file?);
    }
    Ok(features)
}

/// `files` as an encoded `FileDescriptorSet` without their source info
/// (which prost-reflect has no use for), each file encoded on a core.
pub(crate) fn encode_without_source_info(files: &[FileDescriptorProto]) -> Vec<u8> {
    let encoded = crate::compile::parallel::map_with(
        files.iter().collect(),
        || (),
        |(), file| Some(without_source_info(&file.encode_to_vec())),
    )
    .unwrap_or_else(|| unreachable!("encoding a descriptor panicked"));
    let mut set = Vec::with_capacity(encoded.iter().map(|file| file.len() + 8).sum());
    for file in encoded {
        prost::encoding::encode_key(1, prost::encoding::WireType::LengthDelimited, &mut set);
        prost::encoding::encode_varint(file.len() as u64, &mut set);
        set.extend_from_slice(&file);
    }
    set
}

/// An encoded `FileDescriptorProto` without its `source_code_info` (field
/// 9), the rest byte for byte.
fn without_source_info(mut bytes: &[u8]) -> Vec<u8> {
    use prost::encoding::{DecodeContext, decode_key, skip_field};
    let mut out = Vec::with_capacity(bytes.len());
    while !bytes.is_empty() {
        let field = bytes;
        let Ok((tag, wire_type)) = decode_key(&mut bytes) else {
            unreachable!("our own encoding is well formed")
        };
        if skip_field(wire_type, tag, &mut bytes, DecodeContext::default()).is_err() {
            unreachable!("our own encoding is well formed");
        }
        if tag != 9 {
            out.extend_from_slice(&field[..field.len() - bytes.len()]);
        }
    }
    out
}

/// Whether a buf image marks `file` as an import: buf's
/// `ImageFileExtension` (field 8042 of the file, kept among its unknown
/// fields), whose field 1 is `is_import`.
fn is_buf_image_import(file: &FileDescriptorProto) -> bool {
    /// The length-delimited fields `number` of a message.
    fn fields(mut buf: &[u8], number: u32) -> Option<Vec<&[u8]>> {
        use prost::encoding::{DecodeContext, WireType, decode_key, decode_varint, skip_field};
        let mut found = Vec::new();
        while !buf.is_empty() {
            let (tag, wire_type) = decode_key(&mut buf).ok()?;
            if tag == number && wire_type == WireType::LengthDelimited {
                let len = usize::try_from(decode_varint(&mut buf).ok()?).ok()?;
                let (value, rest) = buf.split_at_checked(len)?;
                found.push(value);
                buf = rest;
            } else {
                skip_field(wire_type, tag, &mut buf, DecodeContext::default()).ok()?;
            }
        }
        Some(found)
    }
    let is_import = |extension: &[u8]| -> Option<bool> {
        use prost::encoding::{DecodeContext, WireType, decode_key, decode_varint, skip_field};
        let mut rest = extension;
        let mut is_import = false;
        while !rest.is_empty() {
            let (tag, wire_type) = decode_key(&mut rest).ok()?;
            if tag == 1 && wire_type == WireType::Varint {
                is_import |= decode_varint(&mut rest).ok()? != 0;
            } else {
                skip_field(wire_type, tag, &mut rest, DecodeContext::default()).ok()?;
            }
        }
        Some(is_import)
    };
    fields(file.unknown_fields.as_bytes(), 8042)
        .unwrap_or_default()
        .into_iter()
        .any(|extension| is_import(extension).unwrap_or(false))
}

/// Where an element is: its file and its path in the file's descriptor (as
/// `SourceCodeInfo` paths it).
#[derive(Clone, Debug)]
pub(crate) struct Place<'a> {
    pub file: &'a FileDescriptorProto,
    pub path: Vec<i32>,
}

impl Place<'_> {
    /// The widest recorded span of `path` + `suffix`: an option's whole
    /// `name = value` rather than its value, which source info records too
    /// (in either order).
    pub fn widest_span(&self, suffix: &[i32]) -> Option<Span> {
        let info = self.file.source_code_info.as_ref()?;
        let mut wanted = self.path.clone();
        wanted.extend_from_slice(suffix);
        info.location
            .iter()
            .filter(|location| location.path == wanted)
            .filter_map(|location| Span::from_location(&location.span))
            .min_by_key(|span| (span.start_line, span.start_column))
    }

    /// The span of `path` + `suffix` in the file's source, if recorded.
    pub fn span(&self, suffix: &[i32]) -> Option<Span> {
        let info = self.file.source_code_info.as_ref()?;
        let mut wanted = self.path.clone();
        wanted.extend_from_slice(suffix);
        info.location
            .iter()
            .find(|location| location.path == wanted)
            .and_then(|location| Span::from_location(&location.span))
    }
}

/// A message (indexed by full name, without the leading dot).
#[derive(Clone, Debug)]
pub(crate) struct MessageView<'a> {
    pub proto: &'a DescriptorProto,
    pub place: Place<'a>,
    /// Its full name, without the leading dot.
    pub full_name: String,
    /// Its resolved features.
    pub features: &'a Features,
}

/// An enum, by full name.
#[derive(Clone, Debug)]
pub(crate) struct EnumView<'a> {
    pub proto: &'a EnumDescriptorProto,
    pub place: Place<'a>,
    /// Its resolved features.
    pub features: &'a Features,
}

/// A service, by full name.
#[derive(Clone, Debug)]
pub(crate) struct ServiceView<'a> {
    pub proto: &'a ServiceDescriptorProto,
    pub place: Place<'a>,
}

/// Everything of one side, indexed for pairing.
#[derive(Debug, Default)]
pub(crate) struct Index<'a> {
    pub files: BTreeMap<&'a str, &'a FileDescriptorProto>,
    pub messages: BTreeMap<String, MessageView<'a>>,
    pub enums: BTreeMap<String, EnumView<'a>>,
    pub services: BTreeMap<String, ServiceView<'a>>,
    /// The full names of each file's types, for the rules that look at what
    /// a file lost.
    pub by_file: HashMap<&'a str, FileTypes>,
    /// Every extension, by extendee (without the leading dot) and number.
    pub extensions: BTreeMap<(String, i32), ExtensionView<'a>>,
    /// The resolved features of every element (see [`Schema`]).
    features: Option<&'a HashMap<String, Features>>,
}

/// An extension field, and where it is declared.
#[derive(Clone, Debug)]
pub(crate) struct ExtensionView<'a> {
    pub proto: &'a FieldDescriptorProto,
    pub place: Place<'a>,
    /// Its full name.
    pub full_name: String,
    /// Its resolved features.
    pub features: &'a Features,
}

/// The full names of one file's messages, enums and services.
#[derive(Debug, Default)]
pub(crate) struct FileTypes {
    pub messages: Vec<String>,
    pub enums: Vec<String>,
    pub services: Vec<String>,
    /// Full names of the file's extensions, top level and nested.
    pub extensions: Vec<String>,
}

/// Field numbers of descriptor.proto, the steps of `SourceCodeInfo` paths:
/// the one place they are written.
pub(crate) mod number {
    // FileDescriptorProto
    pub const FILE_PACKAGE: i32 = 2;
    pub const FILE_MESSAGE: i32 = 4;
    pub const FILE_ENUM: i32 = 5;
    pub const FILE_SERVICE: i32 = 6;
    pub const FILE_EXTENSION: i32 = 7;
    pub const FILE_OPTIONS: i32 = 8;
    pub const FILE_SYNTAX: i32 = 12;
    // DescriptorProto
    pub const MESSAGE_FIELD: i32 = 2;
    pub const MESSAGE_NESTED: i32 = 3;
    pub const MESSAGE_ENUM: i32 = 4;
    pub const MESSAGE_EXTENSION: i32 = 6;
    pub const MESSAGE_OPTIONS: i32 = 7;
    // MessageOptions
    pub const MESSAGE_FEATURES: i32 = 12;
    // MessageOptions
    pub const NO_STANDARD_DESCRIPTOR_ACCESSOR: i32 = 2;
    // FieldDescriptorProto
    pub const FIELD_NAME: i32 = 1;
    pub const FIELD_TYPE: i32 = 5;
    pub const FIELD_TYPE_NAME: i32 = 6;
    pub const FIELD_DEFAULT: i32 = 7;
    pub const FIELD_OPTIONS: i32 = 8;
    pub const FIELD_JSON_NAME: i32 = 10;
    // FieldOptions
    pub const CTYPE: i32 = 1;
    pub const JSTYPE: i32 = 6;
    pub const FIELD_FEATURES: i32 = 21;
    // EnumDescriptorProto, EnumOptions
    pub const ENUM_OPTIONS: i32 = 3;
    pub const ENUM_FEATURES: i32 = 7;
    // FeatureSet, and the language features' extensions of it
    pub const FEATURE_ENUM_TYPE: i32 = 2;
    pub const UTF8_VALIDATION: i32 = 4;
    pub const JSON_FORMAT: i32 = 6;
    pub const CPP_FEATURES: i32 = 1000;
    pub const CPP_STRING_TYPE: i32 = 2;
    pub const JAVA_FEATURES: i32 = 1001;
    pub const JAVA_UTF8_VALIDATION: i32 = 2;
    // EnumDescriptorProto, EnumValueDescriptorProto
    pub const ENUM_VALUE: i32 = 2;
    pub const ENUM_VALUE_NUMBER: i32 = 2;
    // ServiceDescriptorProto, MethodDescriptorProto, MethodOptions
    pub const SERVICE_METHOD: i32 = 2;
    pub const METHOD_INPUT: i32 = 2;
    pub const METHOD_OUTPUT: i32 = 3;
    pub const METHOD_OPTIONS: i32 = 4;
    pub const IDEMPOTENCY_LEVEL: i32 = 34;
}

use number::{
    FILE_ENUM as ENUM_TYPE, FILE_EXTENSION, FILE_MESSAGE as MESSAGE_TYPE, FILE_SERVICE as SERVICE,
    MESSAGE_ENUM as NESTED_ENUM, MESSAGE_EXTENSION, MESSAGE_FIELD as FIELD,
    MESSAGE_NESTED as NESTED_TYPE,
};

impl<'a> Index<'a> {
    pub fn new(schema: &'a Schema) -> Index<'a> {
        let mut index = Index {
            features: Some(schema.features()),
            ..Index::default()
        };
        for file in schema.files() {
            index.files.insert(file.name(), file);
            let prefix = if file.package().is_empty() {
                String::new()
            } else {
                format!("{}.", file.package())
            };
            for (i, message) in file.message_type.iter().enumerate() {
                index.add_message(file, &prefix, message, vec![MESSAGE_TYPE, i as i32]);
            }
            for (i, enumeration) in file.enum_type.iter().enumerate() {
                index.add_enum(file, &prefix, enumeration, vec![ENUM_TYPE, i as i32]);
            }
            for (i, extension) in file.extension.iter().enumerate() {
                index.add_extension(file, &prefix, extension, vec![FILE_EXTENSION, i as i32]);
            }
            for (i, service) in file.service.iter().enumerate() {
                let full_name = format!("{prefix}{}", service.name());
                index
                    .by_file
                    .entry(file.name())
                    .or_default()
                    .services
                    .push(full_name.clone());
                index.services.insert(
                    full_name,
                    ServiceView {
                        proto: service,
                        place: Place {
                            file,
                            path: vec![SERVICE, i as i32],
                        },
                    },
                );
            }
        }
        index
    }

    fn add_message(
        &mut self,
        file: &'a FileDescriptorProto,
        prefix: &str,
        message: &'a DescriptorProto,
        path: Vec<i32>,
    ) {
        let full_name = format!("{prefix}{}", message.name());
        self.by_file
            .entry(file.name())
            .or_default()
            .messages
            .push(full_name.clone());
        let nested_prefix = format!("{full_name}.");
        for (i, nested) in message.nested_type.iter().enumerate() {
            let mut nested_path = path.clone();
            // A map entry has no source of its own: buf places it, and its
            // key and value, at the map field.
            let map_field = message.field.iter().position(|f| {
                f.type_name().trim_start_matches('.') == format!("{nested_prefix}{}", nested.name())
            });
            match map_field.filter(|_| is_map_entry(nested)) {
                Some(field) => nested_path.extend([FIELD, field as i32]),
                None => nested_path.extend([NESTED_TYPE, i as i32]),
            }
            self.add_message(file, &nested_prefix, nested, nested_path);
        }
        for (i, enumeration) in message.enum_type.iter().enumerate() {
            let mut enum_path = path.clone();
            enum_path.extend([NESTED_ENUM, i as i32]);
            self.add_enum(file, &nested_prefix, enumeration, enum_path);
        }
        for (i, extension) in message.extension.iter().enumerate() {
            let mut extension_path = path.clone();
            extension_path.extend([MESSAGE_EXTENSION, i as i32]);
            self.add_extension(file, &nested_prefix, extension, extension_path);
        }
        let features = self.features_of(&format!("message .{full_name}"));
        self.messages.insert(
            full_name.clone(),
            MessageView {
                proto: message,
                place: Place { file, path },
                full_name,
                features,
            },
        );
    }

    fn add_extension(
        &mut self,
        file: &'a FileDescriptorProto,
        prefix: &str,
        extension: &'a FieldDescriptorProto,
        path: Vec<i32>,
    ) {
        let full_name = format!("{prefix}{}", extension.name());
        self.by_file
            .entry(file.name())
            .or_default()
            .extensions
            .push(full_name.clone());
        self.extensions.insert(
            (
                extension.extendee().trim_start_matches('.').to_owned(),
                extension.number(),
            ),
            ExtensionView {
                proto: extension,
                place: Place { file, path },
                features: self.features_of(&format!("field .{full_name}")),
                full_name,
            },
        );
    }

    fn add_enum(
        &mut self,
        file: &'a FileDescriptorProto,
        prefix: &str,
        enumeration: &'a EnumDescriptorProto,
        path: Vec<i32>,
    ) {
        let full_name = format!("{prefix}{}", enumeration.name());
        self.by_file
            .entry(file.name())
            .or_default()
            .enums
            .push(full_name.clone());
        let features = self.features_of(&format!("enum .{full_name}"));
        self.enums.insert(
            full_name,
            EnumView {
                proto: enumeration,
                place: Place { file, path },
                features,
            },
        );
    }

    /// The resolved features of the element [`resolve_file`] keys `key`
    /// (every element of a schema has them; none otherwise).
    pub fn features_of(&self, key: &str) -> &'a Features {
        static NONE: std::sync::OnceLock<Features> = std::sync::OnceLock::new();
        self.features
            .and_then(|features| features.get(key))
            .unwrap_or_else(|| NONE.get_or_init(Features::default))
    }
}

/// Whether a message is a map's entry (`map<K, V>` declares one).
pub(crate) fn is_map_entry(message: &DescriptorProto) -> bool {
    message.options.as_ref().is_some_and(|o| o.map_entry())
}
