//! Editions features: protoc's defaults per edition, and resolution down the
//! tree of a file.
//!
//! A feature is a field of `google.protobuf.FeatureSet` (the core features)
//! or of a message that extends it (a language's, such as `pb.cpp`, or a
//! user's). Each declares, in its field options, its defaults per edition
//! (`edition_defaults`), the elements it may be set on (`targets`) and the
//! editions it exists in (`feature_support`). [`compile_defaults`] turns
//! those declarations into protoc's `FeatureSetDefaults` (what `protoc
//! --edition_defaults_out` writes); [`FeatureResolver`] starts from an
//! edition's defaults and merges each element's `features` option into its
//! parent's resolved set: file → message → field, oneof, extension range;
//! oneof → field; enum → value; service → method; extensions from the scope
//! they are declared in.
//!
//! Resolved features are kept as a map from (extension number, field number)
//! to the value (0 stands for `FeatureSet` itself), since every feature
//! protoc and its languages declare is an enum or a bool: merging is then an
//! insert, and extensions need no descriptor to merge.

use std::collections::{BTreeMap, HashMap};

use prost::{
    Message,
    encoding::{WireType, decode_key, decode_varint, encode_key, encode_varint},
};

use super::descriptor::{
    DescriptorProto, Edition, EnumDescriptorProto, FeatureSet, FeatureSetDefaults,
    FieldDescriptorProto, FileDescriptorProto, descriptor_proto_set, feature_set,
    feature_set_defaults,
    field_descriptor_proto::{Label, Type},
};
use super::lower::{LowerError, Lowered};
use crate::syntax::Span;

/// The full name of the message features are fields of.
const FEATURE_SET: &str = ".google.protobuf.FeatureSet";

/// A feature: the number of the `FeatureSet` extension it belongs to (0 for
/// the core features) and its field number there.
pub type FeatureKey = (u32, u32);

/// The features in effect on an element, every feature known to the
/// resolver given a value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Features(BTreeMap<FeatureKey, u64>);

impl Features {
    /// The value of a feature, if it has one.
    pub fn get(&self, key: FeatureKey) -> Option<u64> {
        self.0.get(&key).copied()
    }

    /// `self` with the features set in `child` overriding.
    pub fn merged(&self, child: Option<&FeatureSet>) -> Result<Features, String> {
        let mut merged = self.clone();
        if let Some(child) = child {
            merged.0.extend(Features::of(child)?.0);
        }
        Ok(merged)
    }

    /// The features set in `set` (and nothing else).
    pub fn of(set: &FeatureSet) -> Result<Features, String> {
        let mut features = BTreeMap::new();
        read_values(&set.encode_to_vec(), 0, &mut features)?;
        Ok(Features(features))
    }

    /// As a `FeatureSet` message, extensions in number order.
    pub fn to_feature_set(&self) -> FeatureSet {
        self.feature_set_with(&[])
    }

    /// As a `FeatureSet` message, with the extensions numbered `present`
    /// written even when they hold no feature.
    fn feature_set_with(&self, present: &[u32]) -> FeatureSet {
        let mut bytes = Vec::new();
        let mut extensions: BTreeMap<u32, Vec<u8>> = present
            .iter()
            .filter(|&&number| number != 0)
            .map(|&number| (number, Vec::new()))
            .collect();
        for (&(extension, field), &value) in &self.0 {
            if extension == 0 {
                encode_key(field, WireType::Varint, &mut bytes);
                encode_varint(value, &mut bytes);
            } else {
                let inner = extensions.entry(extension).or_default();
                encode_key(field, WireType::Varint, inner);
                encode_varint(value, inner);
            }
        }
        for (extension, inner) in extensions {
            encode_key(extension, WireType::LengthDelimited, &mut bytes);
            encode_varint(inner.len() as u64, &mut bytes);
            bytes.extend_from_slice(&inner);
        }
        FeatureSet::decode(bytes.as_slice())
            .unwrap_or_else(|err| unreachable!("our own FeatureSet encoding: {err}"))
    }

    fn core<T: TryFrom<i32> + Default>(&self, field: u32) -> T {
        self.get((0, field))
            .and_then(|v| i32::try_from(v).ok())
            .and_then(|v| T::try_from(v).ok())
            .unwrap_or_default()
    }

    /// `field_presence`.
    pub fn field_presence(&self) -> feature_set::FieldPresence {
        self.core(1)
    }

    /// `enum_type`.
    pub fn enum_type(&self) -> feature_set::EnumType {
        self.core(2)
    }

    /// `repeated_field_encoding`.
    pub fn repeated_field_encoding(&self) -> feature_set::RepeatedFieldEncoding {
        self.core(3)
    }

    /// `utf8_validation`.
    pub fn utf8_validation(&self) -> feature_set::Utf8Validation {
        self.core(4)
    }

    /// `message_encoding`.
    pub fn message_encoding(&self) -> feature_set::MessageEncoding {
        self.core(5)
    }

    /// `json_format`.
    pub fn json_format(&self) -> feature_set::JsonFormat {
        self.core(6)
    }
}

/// Reads the varint fields of an encoded `FeatureSet` (or, below
/// `extension`, of one of its extensions) into `out`.
fn read_values(
    mut bytes: &[u8],
    extension: u32,
    out: &mut BTreeMap<FeatureKey, u64>,
) -> Result<(), String> {
    while !bytes.is_empty() {
        let (number, wire_type) = decode_key(&mut bytes).map_err(|e| e.to_string())?;
        match wire_type {
            WireType::Varint => {
                let value = decode_varint(&mut bytes).map_err(|e| e.to_string())?;
                out.insert((extension, number), value);
            }
            WireType::LengthDelimited if extension == 0 => {
                let len = decode_varint(&mut bytes).map_err(|e| e.to_string())?;
                let len = usize::try_from(len)
                    .ok()
                    .filter(|&len| len <= bytes.len())
                    .ok_or("truncated feature set")?;
                read_values(&bytes[..len], number, out)?;
                bytes = &bytes[len..];
            }
            _ => return Err(format!("feature {number} is neither an enum nor a bool")),
        }
    }
    Ok(())
}

/// The declarations of features: the `FeatureSet` message and the
/// extensions of it, found among linked files.
struct Declarations<'a> {
    messages: HashMap<String, &'a DescriptorProto>,
    enums: HashMap<String, &'a EnumDescriptorProto>,
    extensions: HashMap<String, &'a FieldDescriptorProto>,
}

impl<'a> Declarations<'a> {
    fn of(files: &'a [FileDescriptorProto]) -> Self {
        let mut declarations = Declarations {
            messages: HashMap::new(),
            enums: HashMap::new(),
            extensions: HashMap::new(),
        };
        for file in files {
            let scope = match file.package() {
                "" => String::new(),
                package => format!(".{package}"),
            };
            declarations.add(&scope, &file.message_type, &file.enum_type, &file.extension);
        }
        declarations
    }

    fn add(
        &mut self,
        scope: &str,
        messages: &'a [DescriptorProto],
        enums: &'a [EnumDescriptorProto],
        extensions: &'a [FieldDescriptorProto],
    ) {
        for message in messages {
            let name = format!("{scope}.{}", message.name());
            self.add(
                &name,
                &message.nested_type,
                &message.enum_type,
                &message.extension,
            );
            self.messages.insert(name, message);
        }
        for enumeration in enums {
            self.enums
                .insert(format!("{scope}.{}", enumeration.name()), enumeration);
        }
        for extension in extensions {
            self.extensions
                .insert(format!("{scope}.{}", extension.name()), extension);
        }
    }

    /// The value a default's text (`"EXPLICIT"`, `"true"`, `"3"`) stands for.
    fn parse_value(&self, field: &FieldDescriptorProto, text: &str) -> Result<u64, String> {
        let unparsable = || {
            format!(
                "feature {}: cannot parse default value {text:?}",
                field.name()
            )
        };
        match field.r#type() {
            Type::Enum => self
                .enums
                .get(field.type_name())
                .and_then(|e| e.value.iter().find(|v| v.name() == text))
                .map(|v| i64::from(v.number()) as u64)
                .ok_or_else(unparsable),
            Type::Bool => match text {
                "true" => Ok(1),
                "false" => Ok(0),
                _ => Err(unparsable()),
            },
            Type::Int32 | Type::Int64 => text
                .parse::<i64>()
                .map(|v| v as u64)
                .map_err(|_| unparsable()),
            Type::Uint32 | Type::Uint64 => text.parse::<u64>().map_err(|_| unparsable()),
            _ => Err(format!(
                "feature {} has a type features cannot have",
                field.name()
            )),
        }
    }
}

/// protoc's `FeatureSetDefaults` for the editions `minimum` to `maximum`,
/// from the linked `files` (descriptor.proto among them), with the
/// `FeatureSet` extensions named in `extensions` (such as `pb.cpp`), as
/// `protoc --edition_defaults_out` computes them.
pub fn compile_defaults(
    files: &[FileDescriptorProto],
    extensions: &[&str],
    minimum: Edition,
    maximum: Edition,
) -> Result<FeatureSetDefaults, String> {
    let declarations = Declarations::of(files);
    let feature_set = declarations
        .messages
        .get(FEATURE_SET)
        .ok_or("google.protobuf.FeatureSet is not among the files")?;
    let mut groups: Vec<(u32, &DescriptorProto)> = vec![(0, feature_set)];
    for name in extensions {
        let extension = declarations
            .extensions
            .get(&format!(".{}", name.trim_start_matches('.')))
            .ok_or_else(|| format!("extension {name} is not among the files"))?;
        if extension.extendee() != FEATURE_SET {
            return Err(format!("{name} does not extend google.protobuf.FeatureSet"));
        }
        let message = declarations
            .messages
            .get(extension.type_name())
            .filter(|_| extension.r#type() == Type::Message)
            .ok_or_else(|| format!("{name} is not a message"))?;
        groups.push((extension.number() as u32, message));
    }
    groups.sort_by_key(|(number, _)| *number);

    // The editions at which some default changes, up to the maximum (and
    // EDITION_UNSTABLE, which protoc always keeps).
    let mut editions: Vec<i32> = groups
        .iter()
        .flat_map(|(_, message)| &message.field)
        .filter_map(|field| field.options.as_ref())
        .flat_map(|options| &options.edition_defaults)
        .map(|default| default.edition.unwrap_or_default())
        .filter(|&e| e <= i32::from(maximum) || e == i32::from(Edition::Unstable))
        .collect();
    editions.sort_unstable();
    editions.dedup();
    if editions.first() != Some(&i32::from(Edition::Legacy)) {
        return Err("a feature has no default for EDITION_LEGACY".to_owned());
    }
    if minimum > maximum {
        return Err("the minimum edition is later than the maximum".to_owned());
    }

    let mut defaults = FeatureSetDefaults {
        minimum_edition: Some(minimum.into()),
        maximum_edition: Some(maximum.into()),
        ..Default::default()
    };
    for &edition in &editions {
        let mut overridable = BTreeMap::new();
        let mut fixed = BTreeMap::new();
        for &(number, message) in &groups {
            let mut fields: Vec<&FieldDescriptorProto> = message.field.iter().collect();
            fields.sort_by_key(|f| f.number());
            for field in fields {
                if field.label() == Label::Repeated {
                    return Err(format!("feature {} is repeated", field.name()));
                }
                let options = field.options.clone().unwrap_or_default();
                let text = options
                    .edition_defaults
                    .iter()
                    .filter(|d| d.edition.unwrap_or_default() <= edition)
                    .max_by_key(|d| d.edition.unwrap_or_default())
                    .map(|d| d.value())
                    .ok_or_else(|| format!("feature {} has no default", field.name()))?;
                let value = declarations.parse_value(field, text)?;
                let support = options.feature_support.unwrap_or_default();
                let introduced = support.edition_introduced.unwrap_or_default();
                let removed = support.edition_removed.unwrap_or(i32::MAX);
                let target = if edition < introduced || edition >= removed {
                    &mut fixed
                } else {
                    &mut overridable
                };
                target.insert((number, field.number() as u32), value);
            }
        }
        // protoc writes each extension's message, empty or not, on both sides.
        let present: Vec<u32> = groups.iter().map(|(number, _)| *number).collect();
        let overridable_features = Features(overridable).feature_set_with(&present);
        let fixed_features = Features(fixed).feature_set_with(&present);
        defaults
            .defaults
            .push(feature_set_defaults::FeatureSetEditionDefault {
                edition: Some(edition),
                overridable_features: Some(overridable_features),
                fixed_features: Some(fixed_features),
                ..Default::default()
            });
    }
    Ok(defaults)
}

/// Resolves features from one `FeatureSetDefaults`.
#[derive(Clone, Debug)]
pub struct FeatureResolver {
    minimum: i32,
    maximum: i32,
    /// Per edition at which a default changes, the defaults then.
    defaults: Vec<(i32, Features)>,
}

impl FeatureResolver {
    /// A resolver over `defaults` (as [`compile_defaults`] computes them).
    pub fn new(defaults: &FeatureSetDefaults) -> Result<Self, String> {
        let mut by_edition = Vec::new();
        for default in &defaults.defaults {
            let fixed = Features::of(&default.fixed_features.clone().unwrap_or_default())?;
            let all = fixed.merged(default.overridable_features.as_ref())?;
            by_edition.push((default.edition.unwrap_or_default(), all));
        }
        by_edition.sort_by_key(|(edition, _)| *edition);
        Ok(FeatureResolver {
            minimum: defaults.minimum_edition.unwrap_or_default(),
            maximum: defaults.maximum_edition.unwrap_or_default(),
            defaults: by_edition,
        })
    }

    /// The defaults of `edition`; protoc's error for an edition out of range.
    pub fn edition_defaults(&self, edition: Edition) -> Result<Features, String> {
        let number = i32::from(edition);
        if number < self.minimum {
            return Err(format!(
                "Edition {} is earlier than the minimum supported edition {}",
                edition_name(number),
                edition_name(self.minimum)
            ));
        }
        if number > self.maximum {
            return Err(format!(
                "Edition {} is later than the maximum supported edition {}",
                edition_name(number),
                edition_name(self.maximum)
            ));
        }
        self.defaults
            .iter()
            .rev()
            .find(|(at, _)| *at <= number)
            .map(|(_, features)| features.clone())
            .ok_or_else(|| format!("no defaults for edition {}", edition_name(number)))
    }
}

/// protoc's errors for `full` (a feature, an enum value, an option) whose
/// `feature_support` does not allow `edition`: not yet introduced, or
/// removed.
pub(crate) fn support_errors(
    support: &super::descriptor::field_options::FeatureSupport,
    full: &str,
    edition: i32,
) -> Vec<String> {
    let mut errors = Vec::new();
    if let Some(introduced) = support.edition_introduced.filter(|&e| edition < e) {
        errors.push(format!(
            "{full} wasn't introduced until edition {} and can't be used in edition {}",
            edition_name(introduced),
            edition_name(edition)
        ));
    }
    if let Some(removed) = support.edition_removed.filter(|&e| edition >= e) {
        let why = support
            .removal_error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        errors.push(format!(
            "{full} has been removed in edition {}{why}",
            edition_name(removed)
        ));
    }
    errors
}

/// An edition as protoc prints it: `2023`, `PROTO2`, `99997_TEST_ONLY`.
pub fn edition_name(edition: i32) -> String {
    match Edition::try_from(edition) {
        Ok(known) => known
            .as_str_name()
            .trim_start_matches("EDITION_")
            .to_owned(),
        Err(unknown) => unknown.to_string(),
    }
}

/// The edition a file is read in: proto2 and proto3 files have theirs.
pub fn file_edition(file: &FileDescriptorProto) -> Edition {
    match file.syntax() {
        "proto3" => Edition::Proto3,
        "editions" => file.edition(),
        _ => Edition::Proto2,
    }
}

/// The resolved features of every element of a file, by the element's kind
/// and full name (`message .pkg.M`, `field .pkg.M.f`, `oneof .pkg.M.o`,
/// `range .pkg.M[100]`, `enum .pkg.E`, `value .pkg.E.V`, `service .pkg.S`,
/// `method .pkg.S.m`, `file name.proto`), for tests and tools.
pub fn resolve_file(
    file: &FileDescriptorProto,
    resolver: &FeatureResolver,
) -> Result<Vec<(String, Features)>, String> {
    let file_features = resolver
        .edition_defaults(file_edition(file))?
        .merged(file.options.as_ref().and_then(|o| o.features.as_ref()))?;
    let scope = match file.package() {
        "" => String::new(),
        package => format!(".{package}"),
    };
    let mut walk = Walk {
        legacy: file.syntax() != "editions",
        proto3: file.syntax() == "proto3",
        out: vec![(format!("file {}", file.name()), file_features.clone())],
    };
    for message in &file.message_type {
        walk.message(message, &scope, &file_features)?;
    }
    for enumeration in &file.enum_type {
        walk.enumeration(enumeration, &scope, &file_features)?;
    }
    for extension in &file.extension {
        walk.field(extension, &scope, &file_features)?;
    }
    for service in &file.service {
        let name = format!("{scope}.{}", service.name());
        let features =
            file_features.merged(service.options.as_ref().and_then(|o| o.features.as_ref()))?;
        for method in &service.method {
            let method_features =
                features.merged(method.options.as_ref().and_then(|o| o.features.as_ref()))?;
            walk.push(format!("method {name}.{}", method.name()), method_features);
        }
        walk.push(format!("service {name}"), features);
    }
    Ok(walk.out)
}

/// The walk of [`resolve_file`] below the file.
struct Walk {
    legacy: bool,
    proto3: bool,
    out: Vec<(String, Features)>,
}

impl Walk {
    fn push(&mut self, name: String, features: Features) {
        self.out.push((name, features));
    }

    fn message(
        &mut self,
        message: &DescriptorProto,
        scope: &str,
        parent: &Features,
    ) -> Result<(), String> {
        let name = format!("{scope}.{}", message.name());
        let features = parent.merged(message.options.as_ref().and_then(|o| o.features.as_ref()))?;
        let oneofs = message
            .oneof_decl
            .iter()
            .map(|oneof| features.merged(oneof.options.as_ref().and_then(|o| o.features.as_ref())))
            .collect::<Result<Vec<_>, _>>()?;
        for (oneof, resolved) in message.oneof_decl.iter().zip(&oneofs) {
            self.push(format!("oneof {name}.{}", oneof.name()), resolved.clone());
        }
        for field in &message.field {
            let parent = field
                .oneof_index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| oneofs.get(i))
                .unwrap_or(&features);
            self.field(field, &name, parent)?;
        }
        for extension in &message.extension {
            self.field(extension, &name, &features)?;
        }
        for range in &message.extension_range {
            let resolved =
                features.merged(range.options.as_ref().and_then(|o| o.features.as_ref()))?;
            self.push(format!("range {name}[{}]", range.start()), resolved);
        }
        for nested in &message.nested_type {
            self.message(nested, &name, &features)?;
        }
        for enumeration in &message.enum_type {
            self.enumeration(enumeration, &name, &features)?;
        }
        self.push(format!("message {name}"), features);
        Ok(())
    }

    fn field(
        &mut self,
        field: &FieldDescriptorProto,
        scope: &str,
        parent: &Features,
    ) -> Result<(), String> {
        let mut features = parent.clone();
        if self.legacy {
            // protoc reads proto2 and proto3 syntax as the features it means.
            let mut inferred = BTreeMap::new();
            if field.label() == Label::Required {
                inferred.insert((0, 1), feature_set::FieldPresence::LegacyRequired as u64);
            }
            if field.r#type() == Type::Group {
                inferred.insert((0, 5), feature_set::MessageEncoding::Delimited as u64);
            }
            if self.proto3 && field.proto3_optional() {
                inferred.insert((0, 1), feature_set::FieldPresence::Explicit as u64);
            }
            match field.options.as_ref().and_then(|o| o.packed) {
                Some(true) => {
                    inferred.insert((0, 3), feature_set::RepeatedFieldEncoding::Packed as u64);
                }
                Some(false) => {
                    inferred.insert((0, 3), feature_set::RepeatedFieldEncoding::Expanded as u64);
                }
                None => {}
            }
            features.0.extend(inferred);
        }
        let features = features.merged(field.options.as_ref().and_then(|o| o.features.as_ref()))?;
        self.push(format!("field {scope}.{}", field.name()), features);
        Ok(())
    }

    fn enumeration(
        &mut self,
        enumeration: &EnumDescriptorProto,
        scope: &str,
        parent: &Features,
    ) -> Result<(), String> {
        let name = format!("{scope}.{}", enumeration.name());
        let features = parent.merged(
            enumeration
                .options
                .as_ref()
                .and_then(|o| o.features.as_ref()),
        )?;
        for value in &enumeration.value {
            // Values are scoped beside their enum, protoc's C++ scoping.
            let resolved =
                features.merged(value.options.as_ref().and_then(|o| o.features.as_ref()))?;
            self.push(format!("value {name}.{}", value.name()), resolved);
        }
        self.push(format!("enum {name}"), features);
        Ok(())
    }
}

/// What [`check_uses`] finds, in the order protoc reports it.
#[derive(Debug, Default)]
pub struct FeatureUseErrors {
    /// Found as the file is read: features outside editions, unknown core
    /// features, values that stand for no setting.
    pub errors: Vec<LowerError>,
    /// Core features used in editions they do not exist in: protoc reports
    /// them after every other check of the file, and only when those found
    /// nothing (the pipeline's checks hold them back until then).
    pub lifetimes: Vec<LowerError>,
    /// Core features on elements they do not target: after the lifetimes,
    /// and only when there are none.
    pub targets: Vec<LowerError>,
}

/// protoc's checks of `features.*` options that need no linking, located:
/// features outside editions, unknown core features, core features on
/// elements they do not target or in editions they do not exist in, and
/// values that stand for no setting (`FIELD_PRESENCE_UNKNOWN`). Language
/// and user features (`features.(pb.cpp).x`) are the linker's.
pub fn check_uses(lowered: &Lowered) -> FeatureUseErrors {
    let edition = file_edition(&lowered.descriptor);
    let editions = lowered.descriptor.syntax() == "editions";
    let feature_set = descriptor_proto_set()
        .file
        .iter()
        .flat_map(|f| &f.message_type)
        .find(|m| m.name() == "FeatureSet");
    let mut found = FeatureUseErrors::default();
    let errors = &mut found.errors;
    let error = |message: String, span: Span| LowerError { message, span };
    let mut outside_editions = std::collections::HashSet::new();
    for site in &lowered.feature_uses {
        if !editions {
            if outside_editions.insert(site.element) {
                errors.push(error(
                    "Features are only valid under editions.".to_owned(),
                    site.element,
                ));
            }
            continue;
        }
        let (Some(name), Some(feature_set)) = (&site.feature, feature_set) else {
            continue;
        };
        let Some(field) = feature_set.field.iter().find(|f| f.name() == name) else {
            errors.push(error(
                format!(
                    "Option \"features.{name}\" unknown. Ensure that your proto definition file \
                     imports the proto which defines the option (i.e. via import option after \
                     edition 2024)."
                ),
                site.option,
            ));
            continue;
        };
        let full = format!("google.protobuf.FeatureSet.{name}");
        let options = field.options.clone().unwrap_or_default();
        if !options.targets.contains(&site.target) {
            found.targets.push(error(
                format!(
                    "Option {full} cannot be set on an entity of type `{}`.",
                    target_name(site.target)
                ),
                site.element,
            ));
        }
        let support = options.feature_support.clone().unwrap_or_default();
        let edition = i32::from(edition);
        for message in support_errors(&support, &full, edition) {
            found.lifetimes.push(error(message, site.element));
        }
        let unknown = site.value.as_deref().and_then(|value| {
            let enumeration = feature_set
                .enum_type
                .iter()
                .chain(feature_set.nested_type.iter().flat_map(|m| &m.enum_type))
                .find(|e| field.type_name().ends_with(&format!(".{}", e.name())))?;
            enumeration
                .value
                .iter()
                .find(|v| v.name() == value && v.number() == 0)
        });
        if let Some(unknown) = unknown {
            let shown = match field.type_name().rsplit('.').nth(1) {
                Some(parent) if parent != "FeatureSet" => {
                    format!("{parent}::{}", unknown.name())
                }
                _ => unknown.name().to_owned(),
            };
            errors.push(error(
                format!("Feature field `{name}` must resolve to a known value, found {shown}"),
                site.element,
            ));
        }
    }
    found
}

/// An element kind as protoc's messages name it.
fn target_name(target: i32) -> &'static str {
    match target {
        1 => "file",
        2 => "extension range",
        3 => "message",
        4 => "field",
        5 => "oneof",
        6 => "enum",
        7 => "enum entry",
        8 => "service",
        9 => "method",
        _ => "unknown",
    }
}

/// protoc 35's `FeatureSetDefaults` for PROTO2 to 2024 with the language
/// features it ships (`pb.cpp`, `pb.java`, `pb.go`): the bytes `protoc
/// --edition_defaults_out` writes (`codegen/tests/editions.rs` checks they
/// still are).
pub const PROTOC_FEATURE_DEFAULTS: &[u8] = include_bytes!("feature_defaults.binpb");

/// A resolver over [`PROTOC_FEATURE_DEFAULTS`]: what tools reading a
/// descriptor set (`breaking`, code generation) resolve features with.
pub fn protoc_resolver() -> &'static FeatureResolver {
    static RESOLVER: std::sync::OnceLock<FeatureResolver> = std::sync::OnceLock::new();
    RESOLVER.get_or_init(|| {
        let defaults = FeatureSetDefaults::decode(PROTOC_FEATURE_DEFAULTS)
            .unwrap_or_else(|err| unreachable!("protoc wrote these defaults: {err}"));
        FeatureResolver::new(&defaults)
            .unwrap_or_else(|err| unreachable!("protoc wrote these defaults: {err}"))
    })
}

/// Feature keys of the language features protoc ships, as [`Features::get`]
/// takes them.
pub mod language {
    use super::FeatureKey;
    /// `pb.cpp.string_type`: 1 VIEW, 2 CORD, 3 STRING.
    pub const CPP_STRING_TYPE: FeatureKey = (1000, 2);
    /// `pb.java.utf8_validation`: 1 DEFAULT, 2 VERIFY.
    pub const JAVA_UTF8_VALIDATION: FeatureKey = (1001, 2);
}
