//! Lowering: a parsed file ([`crate::syntax`]) to the unlinked
//! `FileDescriptorProto` protoc's parser produces.
//!
//! Unlinked means as written: type names unresolved (`Foo`, `.pkg.Bar`),
//! scalar types set, message and enum types left unset, options kept as
//! `uninterpreted_option`s (except a field's `default` and `json_name`,
//! which protoc's parser reads itself). The parser's rewrites are done
//! here: a map field becomes a repeated field of a nested `XEntry` message,
//! a group a field of type group and a nested message, a proto3 `optional`
//! field a member of a synthetic oneof `_name` placed after the real ones.
//!
//! Source info is recorded beside, in protoc's parser order
//! ([`source_info`]). Not yet here: the parser-level checks protoc makes on
//! labels and numbers beyond the ones below; the protox pipeline stays the
//! one in use until they are.

use super::descriptor::{
    DescriptorProto, EnumDescriptorProto, EnumOptions, EnumValueDescriptorProto, EnumValueOptions,
    ExtensionRangeOptions, FieldDescriptorProto, FieldOptions, FileDescriptorProto, FileOptions,
    MessageOptions, MethodDescriptorProto, MethodOptions, OneofDescriptorProto, OneofOptions,
    ServiceDescriptorProto, ServiceOptions, SymbolVisibility, UninterpretedOption,
    descriptor_proto, enum_descriptor_proto,
    field_descriptor_proto::{Label, Type},
    uninterpreted_option::NamePart,
};
use crate::syntax::{self, File, Span, Tok, TokenKind};

pub(super) mod literal;
mod source_info;

use literal::unescape;
pub use source_info::{apply_interpreted_options, source_code_info, strip_locations};

/// Why a parsed file has no descriptor: protoc's message, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerError {
    /// What is wrong.
    pub message: String,
    /// The offending part of the source.
    pub span: Span,
}

type Result<T> = std::result::Result<T, LowerError>;

/// The largest field number (2^29 - 1).
const MAX_FIELD_NUMBER: i64 = 536_870_911;

/// How the file's elements are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Proto2,
    Proto3,
    Editions,
}

/// A file lowered: its unlinked descriptor, and where it sets features.
#[derive(Clone, Debug)]
pub struct Lowered {
    /// The descriptor, as protoc's parser writes it, source info included
    /// unless left out (options still uninterpreted: see
    /// [`apply_interpreted_options`]).
    pub descriptor: FileDescriptorProto,
    /// Every `features.*` option, in source order.
    pub feature_uses: Vec<FeatureUse>,
}

/// A `features.*` option: on what, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureUse {
    /// The element's kind, a `FieldOptions.OptionTargetType` number.
    pub target: i32,
    /// The element's name (the start of the file for file options), where
    /// protoc reports what is wrong with the element's features.
    pub element: Span,
    /// The option's name.
    pub option: Span,
    /// The core feature set (`field_presence` of `features.field_presence`);
    /// none for a language's or a user's (`features.(pb.cpp).x`).
    pub feature: Option<String>,
    /// The value when an identifier (every core feature is an enum).
    pub value: Option<String>,
}

/// Where an option sits: the element's kind (`OptionTargetType`) and name.
#[derive(Clone, Copy)]
struct Site {
    target: i32,
    element: Span,
}

impl Site {
    fn new(target: i32, element: Span) -> Site {
        Site { target, element }
    }

    fn file() -> Site {
        Site::new(1, Span::new(0, 0))
    }
}

/// The unlinked descriptor of `file`, named `name` (its import path), with
/// its source info.
pub fn lower(file: &File<'_>, name: &str) -> Result<Lowered> {
    let mut lowered = lower_without_source_info(file, name)?;
    lowered.descriptor.source_code_info = Some(source_code_info(file));
    Ok(lowered)
}

/// [`lower`] without the source info, which is most of the work and of the
/// memory: for a compilation whose output leaves it out (a problem is
/// located from the source info of its file alone, built again then).
pub fn lower_without_source_info(file: &File<'_>, name: &str) -> Result<Lowered> {
    let mut lowering = Lowering {
        file,
        syntax: Syntax::Proto2,
        feature_uses: Vec::new(),
        message_depth: 0,
    };
    let descriptor = lowering.file(name)?;
    Ok(Lowered {
        descriptor,
        feature_uses: lowering.feature_uses,
    })
}

struct Lowering<'f, 'a> {
    file: &'f File<'a>,
    syntax: Syntax,
    feature_uses: Vec<FeatureUse>,
    /// How many messages (and groups) enclose the one being lowered.
    message_depth: usize,
}

/// protoc's parser refuses a message (or group) inside 31 others.
const MAX_MESSAGE_DEPTH: usize = 31;

/// The `uninterpreted_option`s of one element, and the two field options
/// protoc's parser reads itself.
#[derive(Default)]
struct Options {
    uninterpreted: Vec<UninterpretedOption>,
    default_value: Option<DefaultText>,
    json_name: Option<String>,
}

impl<'a> Lowering<'_, 'a> {
    fn error(&self, message: impl Into<String>, tok: Tok) -> LowerError {
        LowerError {
            message: message.into(),
            span: self.file.span(tok),
        }
    }

    fn text(&self, tok: Tok) -> &'a str {
        self.file.text(tok)
    }

    fn strings(&self, strings: syntax::Strings) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for tok in self.file.significant(strings.first, strings.last) {
            let text = self.text(tok);
            unescape(&text[1..text.len() - 1], &mut out)
                .map_err(|message| self.error(message, tok))?;
        }
        Ok(out)
    }

    fn string(&self, strings: syntax::Strings) -> Result<String> {
        String::from_utf8(self.strings(strings)?)
            .map_err(|_| self.error("String must be valid UTF-8.", strings.first))
    }

    fn file(&mut self, name: &str) -> Result<FileDescriptorProto> {
        let mut out = FileDescriptorProto {
            name: Some(name.to_owned()),
            ..Default::default()
        };
        let mut options = Vec::new();
        for item in &self.file.items {
            match item {
                syntax::FileItem::Syntax(statement) => {
                    let value = self.string(statement.value)?;
                    if self.text(statement.keyword) == "edition" {
                        let edition = match value.as_str() {
                            "2023" => super::descriptor::Edition::Edition2023,
                            "2024" => super::descriptor::Edition::Edition2024,
                            _ => return Err(self.unsupported_edition(&value, statement)),
                        };
                        self.syntax = Syntax::Editions;
                        out.syntax = Some("editions".to_owned());
                        out.edition = Some(edition.into());
                    } else {
                        self.syntax = match value.as_str() {
                            "proto2" => Syntax::Proto2,
                            "proto3" => Syntax::Proto3,
                            _ => {
                                return Err(LowerError {
                                    message: format!(
                                        "Unrecognized syntax identifier \"{value}\".  This parser only recognizes \"proto2\" and \"proto3\"."
                                    ),
                                    span: self.file.span(statement.value.first),
                                });
                            }
                        };
                        // protoc writes no `syntax` for proto2.
                        out.syntax = (self.syntax == Syntax::Proto3).then_some(value);
                    }
                }
                syntax::FileItem::Package(package) => {
                    if out.package.is_some() {
                        return Err(self.error("Multiple package definitions.", package.keyword));
                    }
                    out.package = Some(self.file.path_text(package.name).into_owned());
                }
                syntax::FileItem::Import(import) => {
                    let path = self.string(import.path)?;
                    match import.modifier.map(|m| self.text(m)) {
                        Some("option") => out.option_dependency.push(path),
                        modifier => {
                            let index = out.dependency.len() as i32;
                            match modifier {
                                Some("public") => out.public_dependency.push(index),
                                Some("weak") => out.weak_dependency.push(index),
                                _ => {}
                            }
                            out.dependency.push(path);
                        }
                    }
                }
                syntax::FileItem::Option(option) => {
                    options.push(self.option(option, Site::file())?)
                }
                syntax::FileItem::Message(message) => {
                    let lowered = self.message(message)?;
                    out.message_type.push(lowered);
                }
                syntax::FileItem::Enum(enumeration) => {
                    out.enum_type.push(self.enumeration(enumeration)?)
                }
                syntax::FileItem::Service(service) => out.service.push(self.service(service)?),
                syntax::FileItem::Extend(extend) => {
                    self.extend(extend, &mut out.extension, &mut out.message_type)?;
                }
                syntax::FileItem::Empty(_) => {}
            }
        }
        if !options.is_empty() {
            out.options = Some(FileOptions {
                uninterpreted_option: options,
                ..Default::default()
            });
        }
        Ok(out)
    }

    /// protoc's error for an edition other than 2023 and 2024: later ones
    /// it knows of are reported at the `edition` keyword.
    fn unsupported_edition(&self, value: &str, statement: &syntax::Syntax) -> LowerError {
        let known = super::descriptor::Edition::from_str_name(&format!("EDITION_{value}"));
        let message = match known {
            Some(super::descriptor::Edition::Unstable) => format!(
                "is a file using edition {value}, which is later than the protoc maximum supported edition 2024."
            ),
            Some(_) if value.starts_with(|c: char| c.is_ascii_digit()) => {
                format!("Edition {value} is later than the maximum supported edition 2024")
            }
            _ => {
                return LowerError {
                    message: format!("Unknown edition \"{value}\"."),
                    span: self.file.span(statement.value.first),
                };
            }
        };
        LowerError {
            message,
            span: self.file.span(statement.keyword),
        }
    }

    fn visibility(&self, tok: Option<Tok>) -> Option<i32> {
        tok.map(|tok| match self.text(tok) {
            "export" => SymbolVisibility::VisibilityExport.into(),
            _ => SymbolVisibility::VisibilityLocal.into(),
        })
    }

    fn message(&mut self, message: &syntax::Message) -> Result<DescriptorProto> {
        let mut out = DescriptorProto {
            name: Some(self.text(message.name).to_owned()),
            visibility: self.visibility(message.visibility),
            ..Default::default()
        };
        self.enter_message(message.keyword)?;
        self.message_body(message.name, &message.body.items, &mut out)?;
        self.message_depth -= 1;
        Ok(out)
    }

    fn enter_message(&mut self, keyword: Tok) -> Result<()> {
        if self.message_depth >= MAX_MESSAGE_DEPTH {
            return Err(self.error(
                "Reached maximum recursion limit for nested messages.",
                keyword,
            ));
        }
        self.message_depth += 1;
        Ok(())
    }

    fn message_body(
        &mut self,
        name: Tok,
        items: &[syntax::MessageItem],
        out: &mut DescriptorProto,
    ) -> Result<()> {
        // `max` in a message set is the largest int32, not field number.
        let message_set = items.iter().any(|item| {
            matches!(item, syntax::MessageItem::Option(option)
                if matches!(option.name.parts.as_slice(), [part]
                    if matches!(part.kind, syntax::OptionNamePartKind::Simple(tok)
                        if self.text(tok) == "message_set_wire_format"))
                && matches!(option.value, syntax::Value::Ident(tok) if self.text(tok) == "true"))
        });
        let max = if message_set {
            i64::from(i32::MAX) - 1
        } else {
            MAX_FIELD_NUMBER
        };
        let mut options = Vec::new();
        // Synthetic oneofs go after the real ones, in field order.
        let mut synthetic = Vec::new();
        for item in items {
            match item {
                syntax::MessageItem::Field(field) => {
                    let lowered = self.field(field, None, &mut out.nested_type)?;
                    if lowered.proto3_optional == Some(true) {
                        synthetic.push(out.field.len());
                    }
                    out.field.push(lowered);
                }
                syntax::MessageItem::Group(group) => {
                    let lowered = self.group(group, None, &mut out.nested_type)?;
                    out.field.push(lowered);
                }
                syntax::MessageItem::Oneof(oneof) => {
                    let index = out.oneof_decl.len() as i32;
                    let mut oneof_options = Vec::new();
                    // protoc's parser reads a field before it looks for
                    // the `}`: an empty oneof is refused at the `}`.
                    if oneof.body.items.is_empty() {
                        return Err(self.error("Expected type name.", oneof.body.close));
                    }
                    for item in &oneof.body.items {
                        match item {
                            syntax::OneofItem::Field(field) => {
                                if let Some(label) = field.label {
                                    return Err(self.error(
                                        "Fields in oneofs must not have labels (required / optional / repeated).",
                                        label,
                                    ));
                                }
                                let lowered =
                                    self.field(field, Some(index), &mut out.nested_type)?;
                                out.field.push(lowered);
                            }
                            syntax::OneofItem::Group(group) => {
                                let lowered =
                                    self.group(group, Some(index), &mut out.nested_type)?;
                                out.field.push(lowered);
                            }
                            syntax::OneofItem::Option(option) => oneof_options.push(
                                self.option(option, Site::new(5, self.file.span(oneof.name)))?,
                            ),
                            // protoc's parser reads a field there.
                            syntax::OneofItem::Empty(tok) => {
                                return Err(self.error("Expected type name.", *tok));
                            }
                        }
                    }
                    out.oneof_decl.push(OneofDescriptorProto {
                        name: Some(self.text(oneof.name).to_owned()),
                        options: (!oneof_options.is_empty()).then(|| OneofOptions {
                            uninterpreted_option: oneof_options,
                            ..Default::default()
                        }),
                        ..Default::default()
                    });
                }
                syntax::MessageItem::Message(nested) => {
                    let lowered = self.message(nested)?;
                    out.nested_type.push(lowered);
                }
                syntax::MessageItem::Enum(enumeration) => {
                    out.enum_type.push(self.enumeration(enumeration)?)
                }
                syntax::MessageItem::Extend(extend) => {
                    self.extend(extend, &mut out.extension, &mut out.nested_type)?;
                }
                syntax::MessageItem::Extensions(extensions) => {
                    let site = Site::new(2, self.file.span(extensions.keyword));
                    let range_options = self
                        .plain_compact_options(extensions.options.as_ref(), site)?
                        .map(|uninterpreted_option| ExtensionRangeOptions {
                            uninterpreted_option,
                            ..Default::default()
                        });
                    for range in &extensions.ranges {
                        let (start, end) = self.range(&range.item, Some(max))?;
                        out.extension_range.push(descriptor_proto::ExtensionRange {
                            start: Some(start),
                            end: Some(end),
                            options: range_options.clone(),
                            ..Default::default()
                        });
                    }
                }
                syntax::MessageItem::Reserved(reserved) => match &reserved.kind {
                    syntax::ReservedKind::Ranges(ranges) => {
                        for range in ranges {
                            let (start, end) = self.range(&range.item, Some(max))?;
                            out.reserved_range.push(descriptor_proto::ReservedRange {
                                start: Some(start),
                                end: Some(end),
                                ..Default::default()
                            });
                        }
                    }
                    syntax::ReservedKind::Names(names) => {
                        out.reserved_name.extend(self.reserved_names(names)?);
                    }
                },
                syntax::MessageItem::Option(option) => {
                    options.push(self.option(option, Site::new(3, self.file.span(name)))?)
                }
                syntax::MessageItem::Empty(_) => {}
            }
        }
        for field_index in synthetic {
            let field = &mut out.field[field_index];
            let mut name = match field.name() {
                name if name.starts_with('_') => name.to_owned(),
                name => format!("_{name}"),
            };
            // protoc prefixes more `X`s until the name is free.
            while out.oneof_decl.iter().any(|o| o.name() == name)
                || out.field.iter().any(|f| f.name() == name)
            {
                name.insert(0, 'X');
            }
            let field = &mut out.field[field_index];
            field.oneof_index = Some(out.oneof_decl.len() as i32);
            out.oneof_decl.push(OneofDescriptorProto {
                name: Some(name),
                ..Default::default()
            });
        }
        if !options.is_empty() {
            out.options = Some(MessageOptions {
                uninterpreted_option: options,
                ..Default::default()
            });
        }
        Ok(())
    }

    /// A `reserved` statement's names, as protoc's parser takes them: the
    /// first name decides how all are written (strings before editions,
    /// identifiers in editions), and a name written the other way is
    /// refused where it is.
    fn reserved_names(
        &self,
        names: &[syntax::Listed<syntax::ReservedName>],
    ) -> Result<Vec<String>> {
        let editions = self.syntax == Syntax::Editions;
        let first_is_string = matches!(
            names.first().map(|name| &name.item),
            Some(syntax::ReservedName::String(_))
        );
        let mut out = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            match &name.item {
                syntax::ReservedName::String(strings) => {
                    if i == 0 && editions {
                        return Err(self.error(
                            "Reserved names must be identifiers in editions, not string literals.",
                            strings.first,
                        ));
                    }
                    if !first_is_string {
                        return Err(self.error("Expected field name identifier.", strings.first));
                    }
                    out.push(self.string(*strings)?);
                }
                syntax::ReservedName::Ident(tok) => {
                    if i == 0 && !editions {
                        return Err(self.error(
                            "Reserved names must be string literals. (Only editions supports \
                             identifiers.)",
                            *tok,
                        ));
                    }
                    if first_is_string {
                        return Err(self.error("Expected field name string literal.", *tok));
                    }
                    out.push(self.text(*tok).to_owned());
                }
            }
        }
        Ok(out)
    }

    /// A range of numbers as protoc stores it: for a message (whose `max`
    /// is `message_max`) with its end exclusive, for an enum inclusive.
    fn range(&self, range: &syntax::Range, message_max: Option<i64>) -> Result<(i32, i32)> {
        let exclusive = message_max.is_some();
        let start = self.integer(range.start_sign, range.start)?;
        let end = match &range.end {
            None => start,
            Some(end) if self.text(end.end) == "max" => message_max.unwrap_or(i64::from(i32::MAX)),
            Some(end) => self.integer(end.sign, end.end)?,
        };
        let start =
            i32::try_from(start).map_err(|_| self.error("Integer out of range.", range.start))?;
        let end =
            i32::try_from(end).map_err(|_| self.error("Integer out of range.", range.start))?;
        Ok((
            start,
            if exclusive {
                end.saturating_add(1)
            } else {
                end
            },
        ))
    }

    fn integer(&self, sign: Option<Tok>, tok: Tok) -> Result<i64> {
        let value = literal::integer(self.text(tok))
            .ok_or_else(|| self.error("Integer out of range.", tok))?;
        let value = i64::try_from(value).map_err(|_| self.error("Integer out of range.", tok))?;
        Ok(if sign.is_some() { -value } else { value })
    }

    fn label(
        &self,
        label: Option<Tok>,
        in_oneof: bool,
        map: bool,
    ) -> Result<(Option<Label>, bool)> {
        let Some(tok) = label else {
            return match self.syntax {
                Syntax::Proto2 if !in_oneof && !map => Err(self.error(
                    "Expected \"required\", \"optional\", or \"repeated\".",
                    label.unwrap_or(Tok(0)),
                )),
                _ => Ok((Some(Label::Optional), false)),
            };
        };
        Ok(match self.text(tok) {
            "required" => (Some(Label::Required), false),
            "repeated" => (Some(Label::Repeated), false),
            _ => (Some(Label::Optional), self.syntax == Syntax::Proto3),
        })
    }

    /// protoc's parser refuses `optional` and `required` in editions, where
    /// `features.field_presence` says what they said.
    fn editions_label(&self, tok: Tok) -> Result<()> {
        if self.syntax != Syntax::Editions {
            return Ok(());
        }
        match self.text(tok) {
            "optional" => Err(self.error(
                "Label \"optional\" is not supported in editions. By default, all singular \
                 fields have presence unless features.field_presence is set.",
                tok,
            )),
            "required" => Err(self.error(
                "Label \"required\" is not supported in editions, use \
                 features.field_presence = LEGACY_REQUIRED.",
                tok,
            )),
            _ => Ok(()),
        }
    }

    fn number(&self, tok: Tok) -> Result<i32> {
        let value = literal::integer(self.text(tok))
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| self.error("Integer out of range.", tok))?;
        Ok(value)
    }

    fn field(
        &mut self,
        field: &syntax::Field,
        oneof_index: Option<i32>,
        nested: &mut Vec<DescriptorProto>,
    ) -> Result<FieldDescriptorProto> {
        let name = self.text(field.name).to_owned();
        let number = self.number(field.number)?;
        let mut out = FieldDescriptorProto {
            name: Some(name.clone()),
            number: Some(number),
            oneof_index,
            ..Default::default()
        };
        if let Some(label) = field.label {
            self.editions_label(label)?;
        }
        match &field.ty {
            syntax::FieldType::Named(path) => {
                let (label, proto3_optional) = match field.label {
                    None if oneof_index.is_some() => (Some(Label::Optional), false),
                    label => self.label(label, false, false).map_err(|mut e| {
                        e.span = self.file.span(path.first);
                        e
                    })?,
                };
                out.label = label.map(Into::into);
                if proto3_optional {
                    out.proto3_optional = Some(true);
                }
                self.set_type(&mut out, *path);
            }
            syntax::FieldType::Map(map) => {
                if let Some(label) = field.label {
                    return Err(self.error(
                        "Field labels (required/optional/repeated) are not allowed on map fields.",
                        label,
                    ));
                }
                let entry_name = map_entry_name(&name);
                let mut key = FieldDescriptorProto {
                    name: Some("key".to_owned()),
                    number: Some(1),
                    label: Some(Label::Optional.into()),
                    json_name: Some("key".to_owned()),
                    ..Default::default()
                };
                self.set_type(&mut key, map.key);
                let mut value = FieldDescriptorProto {
                    name: Some("value".to_owned()),
                    number: Some(2),
                    label: Some(Label::Optional.into()),
                    json_name: Some("value".to_owned()),
                    ..Default::default()
                };
                self.set_type(&mut value, map.value);
                nested.push(DescriptorProto {
                    name: Some(entry_name.clone()),
                    field: vec![key, value],
                    options: Some(MessageOptions {
                        map_entry: Some(true),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
                out.label = Some(Label::Repeated.into());
                out.r#type = Some(Type::Message.into());
                out.type_name = Some(entry_name);
            }
        }
        if let Some(compact) = &field.options {
            let options =
                self.compact_options(compact, true, Site::new(4, self.file.span(field.name)))?;
            out.default_value = options
                .default_value
                .map(|text| self.default_value(&out, text));
            out.json_name = options.json_name;
            if !options.uninterpreted.is_empty() {
                out.options = Some(FieldOptions {
                    uninterpreted_option: options.uninterpreted,
                    ..Default::default()
                });
            }
        }
        if let (syntax::FieldType::Map(_), Some(options), Some(entry)) =
            (&field.ty, &out.options, nested.last_mut())
        {
            copy_to_map_entry(options, entry);
        }
        Ok(out)
    }

    /// The default as protoc's parser stores it: numbers normalised, bytes
    /// escaped, strings unescaped.
    fn default_value(&self, field: &FieldDescriptorProto, raw: DefaultText) -> String {
        match raw {
            DefaultText::Bytes(bytes) if field.r#type == Some(Type::Bytes.into()) => {
                literal::escape_bytes(&bytes)
            }
            DefaultText::Bytes(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            DefaultText::Text(text) => {
                let is_float = matches!(
                    field.r#type.and_then(|t| Type::try_from(t).ok()),
                    Some(Type::Float | Type::Double)
                );
                if is_float {
                    literal::float_default(&text)
                } else {
                    text
                }
            }
        }
    }

    fn set_type(&self, field: &mut FieldDescriptorProto, path: syntax::Path) {
        let name = self.file.path_text(path);
        match scalar(&name) {
            Some(kind) => field.r#type = Some(kind.into()),
            None => field.type_name = Some(name.into_owned()),
        }
    }

    fn group(
        &mut self,
        group: &syntax::Group,
        oneof_index: Option<i32>,
        nested: &mut Vec<DescriptorProto>,
    ) -> Result<FieldDescriptorProto> {
        if self.syntax == Syntax::Editions {
            // protoc's parser: the label first, then the group itself.
            if let Some(label) = group.label {
                self.editions_label(label)?;
            }
            return Err(self.error(
                "Group syntax is no longer supported in editions. To get group behavior you can \
                 specify features.message_encoding = DELIMITED on a message field.",
                group.keyword,
            ));
        }
        let type_name = self.text(group.name).to_owned();
        let (label, _) = match group.label {
            None if oneof_index.is_some() => (Some(Label::Optional), false),
            label => self.label(label, false, false).map_err(|mut e| {
                e.span = self.file.span(group.keyword);
                e
            })?,
        };
        let mut out = FieldDescriptorProto {
            name: Some(type_name.to_lowercase()),
            number: Some(self.number(group.number)?),
            label: label.map(Into::into),
            r#type: Some(Type::Group.into()),
            type_name: Some(type_name.clone()),
            oneof_index,
            ..Default::default()
        };
        if let Some(compact) = &group.options {
            let options =
                self.compact_options(compact, true, Site::new(4, self.file.span(group.name)))?;
            out.default_value = options
                .default_value
                .map(|text| self.default_value(&out, text));
            out.json_name = options.json_name;
            if !options.uninterpreted.is_empty() {
                out.options = Some(FieldOptions {
                    uninterpreted_option: options.uninterpreted,
                    ..Default::default()
                });
            }
        }
        let mut message = DescriptorProto {
            name: Some(type_name),
            ..Default::default()
        };
        self.enter_message(group.keyword)?;
        self.message_body(group.name, &group.body.items, &mut message)?;
        self.message_depth -= 1;
        nested.push(message);
        Ok(out)
    }

    fn extend(
        &mut self,
        extend: &syntax::Extend,
        extensions: &mut Vec<FieldDescriptorProto>,
        nested: &mut Vec<DescriptorProto>,
    ) -> Result<()> {
        let extendee = self.file.path_text(extend.extendee).into_owned();
        if extend.body.items.is_empty() {
            return Err(self.expected_extension(extend.body.close));
        }
        for item in &extend.body.items {
            let mut field = match item {
                syntax::ExtendItem::Field(field) => self.field(field, None, nested)?,
                syntax::ExtendItem::Group(group) => self.group(group, None, nested)?,
                // protoc's parser reads a field there, label first.
                syntax::ExtendItem::Empty(tok) => return Err(self.expected_extension(*tok)),
            };
            field.extendee = Some(extendee.clone());
            extensions.push(field);
        }
        Ok(())
    }

    /// protoc's error where an `extend` block needs a field: its parser
    /// reads one (label first in proto2) before it looks for the `}`, so an
    /// empty block is refused at the `}`, as a lone `;` is at the `;`.
    fn expected_extension(&self, tok: Tok) -> LowerError {
        match self.syntax {
            Syntax::Proto2 => {
                self.error("Expected \"required\", \"optional\", or \"repeated\".", tok)
            }
            _ => self.error("Expected type name.", tok),
        }
    }

    fn enumeration(&mut self, enumeration: &syntax::Enum) -> Result<EnumDescriptorProto> {
        let mut out = EnumDescriptorProto {
            name: Some(self.text(enumeration.name).to_owned()),
            visibility: self.visibility(enumeration.visibility),
            ..Default::default()
        };
        let mut options = Vec::new();
        for item in &enumeration.body.items {
            match item {
                syntax::EnumItem::Value(value) => {
                    let number = self.integer(value.sign, value.number)?;
                    let number = i32::try_from(number)
                        .map_err(|_| self.error("Integer out of range.", value.number))?;
                    let site = Site::new(7, self.file.span(value.name));
                    let value_options = self
                        .plain_compact_options(value.options.as_ref(), site)?
                        .map(|uninterpreted_option| EnumValueOptions {
                            uninterpreted_option,
                            ..Default::default()
                        });
                    out.value.push(EnumValueDescriptorProto {
                        name: Some(self.text(value.name).to_owned()),
                        number: Some(number),
                        options: value_options,
                        ..Default::default()
                    });
                }
                syntax::EnumItem::Option(option) => options
                    .push(self.option(option, Site::new(6, self.file.span(enumeration.name)))?),
                syntax::EnumItem::Reserved(reserved) => match &reserved.kind {
                    syntax::ReservedKind::Ranges(ranges) => {
                        for range in ranges {
                            let (start, end) = self.range(&range.item, None)?;
                            out.reserved_range
                                .push(enum_descriptor_proto::EnumReservedRange {
                                    start: Some(start),
                                    end: Some(end),
                                    ..Default::default()
                                });
                        }
                    }
                    syntax::ReservedKind::Names(names) => {
                        out.reserved_name.extend(self.reserved_names(names)?);
                    }
                },
                syntax::EnumItem::Empty(_) => {}
            }
        }
        if !options.is_empty() {
            out.options = Some(EnumOptions {
                uninterpreted_option: options,
                ..Default::default()
            });
        }
        Ok(out)
    }

    fn service(&mut self, service: &syntax::Service) -> Result<ServiceDescriptorProto> {
        let mut out = ServiceDescriptorProto {
            name: Some(self.text(service.name).to_owned()),
            ..Default::default()
        };
        let mut options = Vec::new();
        for item in &service.body.items {
            match item {
                syntax::ServiceItem::Rpc(rpc) => {
                    let mut method_options = Vec::new();
                    if let syntax::RpcEnd::Body(body) = &rpc.end {
                        for item in &body.items {
                            if let syntax::RpcItem::Option(option) = item {
                                method_options.push(
                                    self.option(option, Site::new(9, self.file.span(rpc.name)))?,
                                );
                            }
                        }
                    }
                    out.method.push(MethodDescriptorProto {
                        name: Some(self.text(rpc.name).to_owned()),
                        input_type: Some(self.file.path_text(rpc.input.ty).into_owned()),
                        output_type: Some(self.file.path_text(rpc.output.ty).into_owned()),
                        client_streaming: rpc.input.stream.map(|_| true),
                        server_streaming: rpc.output.stream.map(|_| true),
                        // protoc's parser gives a method with a body (even
                        // `{}`) options, empty when none is written.
                        options: matches!(rpc.end, syntax::RpcEnd::Body(_)).then(|| {
                            MethodOptions {
                                uninterpreted_option: method_options,
                                ..Default::default()
                            }
                        }),
                        ..Default::default()
                    });
                }
                syntax::ServiceItem::Option(option) => {
                    options.push(self.option(option, Site::new(8, self.file.span(service.name)))?)
                }
                syntax::ServiceItem::Empty(_) => {}
            }
        }
        if !options.is_empty() {
            out.options = Some(ServiceOptions {
                uninterpreted_option: options,
                ..Default::default()
            });
        }
        Ok(out)
    }

    fn option(&mut self, option: &syntax::OptionDecl, site: Site) -> Result<UninterpretedOption> {
        self.note_feature(&option.name, &option.value, site);
        self.uninterpreted(&option.name, &option.value)
    }

    /// Keeps a `features.*` option's site for [`super::features::check_uses`].
    fn note_feature(&mut self, name: &syntax::OptionName, value: &syntax::Value, site: Site) {
        let Some(first) = name.parts.first() else {
            return;
        };
        if !matches!(first.kind, syntax::OptionNamePartKind::Simple(tok) if self.text(tok) == "features")
        {
            return;
        }
        let feature = match name.parts.get(1).map(|p| &p.kind) {
            Some(syntax::OptionNamePartKind::Simple(tok)) if name.parts.len() == 2 => {
                Some(self.text(*tok).to_owned())
            }
            _ => None,
        };
        let value = match value {
            syntax::Value::Ident(tok) => Some(self.text(*tok).to_owned()),
            _ => None,
        };
        let last = name.parts.last().map_or(first.first(), |p| p.last());
        self.feature_uses.push(FeatureUse {
            target: site.target,
            element: site.element,
            option: self.file.span(first.first()).to(self.file.span(last)),
            feature,
            value,
        });
    }

    /// `[...]` options; with `field_options`, `default` and `json_name` are
    /// taken out as protoc's parser does.
    fn compact_options(
        &mut self,
        compact: &syntax::CompactOptions,
        field_options: bool,
        site: Site,
    ) -> Result<Options> {
        let mut out = Options::default();
        for listed in &compact.options {
            let option = &listed.item;
            if field_options
                && let [part] = option.name.parts.as_slice()
                && let syntax::OptionNamePartKind::Simple(tok) = part.kind
            {
                match self.text(tok) {
                    "default" => {
                        if out.default_value.is_some() {
                            return Err(self.error("Already set option \"default\".", tok));
                        }
                        out.default_value = Some(self.default_text(&option.value)?);
                        continue;
                    }
                    "json_name" => {
                        if out.json_name.is_some() {
                            return Err(self.error("Already set option \"json_name\".", tok));
                        }
                        let syntax::Value::String(strings) = &option.value else {
                            return Err(self.error("Expected string.", tok));
                        };
                        out.json_name = Some(self.string(*strings)?);
                        continue;
                    }
                    _ => {}
                }
            }
            self.note_feature(&option.name, &option.value, site);
            out.uninterpreted
                .push(self.uninterpreted(&option.name, &option.value)?);
        }
        Ok(out)
    }

    /// `[...]` options of an element other than a field, all uninterpreted.
    fn plain_compact_options(
        &mut self,
        compact: Option<&syntax::CompactOptions>,
        site: Site,
    ) -> Result<Option<Vec<UninterpretedOption>>> {
        compact
            .map(|compact| Ok(self.compact_options(compact, false, site)?.uninterpreted))
            .transpose()
    }

    fn default_text(&self, value: &syntax::Value) -> Result<DefaultText> {
        Ok(match value {
            syntax::Value::String(strings) => DefaultText::Bytes(self.strings(*strings)?),
            syntax::Value::Ident(tok) => DefaultText::Text(self.text(*tok).to_owned()),
            syntax::Value::Number { sign, value } => {
                let sign = match sign.map(|s| self.text(s)) {
                    Some("-") => "-",
                    _ => "",
                };
                let text = self.text(*value);
                let text = match self.file.token(*value).kind {
                    TokenKind::Int => literal::integer(text)
                        .map(|v| v.to_string())
                        .ok_or_else(|| self.error("Integer out of range.", *value))?,
                    _ => text.to_owned(),
                };
                DefaultText::Text(format!("{sign}{text}"))
            }
            syntax::Value::Aggregate(aggregate) => {
                return Err(self.error("Expected default value.", aggregate.open));
            }
            syntax::Value::List(list) => {
                return Err(self.error("Expected default value.", list.open));
            }
        })
    }

    fn uninterpreted(
        &self,
        name: &syntax::OptionName,
        value: &syntax::Value,
    ) -> Result<UninterpretedOption> {
        let mut out = UninterpretedOption::default();
        for part in &name.parts {
            out.name.push(match &part.kind {
                syntax::OptionNamePartKind::Simple(tok) => NamePart {
                    name_part: Some(self.text(*tok).to_owned()),
                    is_extension: Some(false),
                    ..Default::default()
                },
                syntax::OptionNamePartKind::Extension { name, .. } => NamePart {
                    name_part: Some(self.file.path_text(*name).into_owned()),
                    is_extension: Some(true),
                    ..Default::default()
                },
            });
        }
        match value {
            syntax::Value::Ident(tok) => out.identifier_value = Some(self.text(*tok).to_owned()),
            syntax::Value::Number { sign, value } => {
                let negative = sign.is_some_and(|s| self.text(s) == "-");
                let text = self.text(*value);
                match self.file.token(*value).kind {
                    TokenKind::Int => match literal::integer(text) {
                        Some(v) if negative && v <= 1 << 63 => {
                            out.negative_int_value = Some((v as i64).wrapping_neg());
                        }
                        Some(v) if !negative => out.positive_int_value = Some(v),
                        // Out of range of the integers: protoc reads a double.
                        _ => {
                            let v = literal::float(text)
                                .ok_or_else(|| self.error("Expected number.", *value))?;
                            out.double_value = Some(if negative { -v } else { v });
                        }
                    },
                    TokenKind::Float => {
                        let v = literal::float(text)
                            .ok_or_else(|| self.error("Expected number.", *value))?;
                        out.double_value = Some(if negative { -v } else { v });
                    }
                    _ => match text {
                        "inf" | "infinity" if negative => {
                            out.double_value = Some(f64::NEG_INFINITY)
                        }
                        "nan" if negative => out.double_value = Some(f64::NAN),
                        _ if negative => {
                            return Err(self
                                .error("Identifier after '-' symbol must be inf or nan.", *value));
                        }
                        _ => out.identifier_value = Some(text.to_owned()),
                    },
                }
            }
            syntax::Value::String(strings) => out.string_value = Some(self.strings(*strings)?),
            syntax::Value::Aggregate(aggregate) => {
                let texts: Vec<&str> = self
                    .file
                    .significant(aggregate.open, aggregate.close)
                    .map(|tok| self.text(tok))
                    .collect();
                out.aggregate_value = Some(texts[1..texts.len() - 1].join(" "));
            }
            syntax::Value::List(list) => {
                return Err(self.error("Expected option value.", list.open));
            }
        }
        Ok(out)
    }
}

/// protoc's parser gives a map's key and value fields the map field's
/// `features.*` options, and its `enforce_utf8` to those of type string.
fn copy_to_map_entry(options: &FieldOptions, entry: &mut DescriptorProto) {
    for option in &options.uninterpreted_option {
        let Some(first) = option.name.first() else {
            continue;
        };
        let plain = first.is_extension == Some(false);
        let name = first.name_part.as_deref();
        let enforce_utf8 = plain && option.name.len() == 1 && name == Some("enforce_utf8");
        let feature = plain && name == Some("features");
        for field in &mut entry.field {
            let string = field.r#type == Some(Type::String.into());
            if feature || (enforce_utf8 && string) {
                field
                    .options
                    .get_or_insert_with(Default::default)
                    .uninterpreted_option
                    .push(option.clone());
            }
        }
    }
}

/// A field's `default` as written, before its type is known.
enum DefaultText {
    /// A string literal, unescaped.
    Bytes(Vec<u8>),
    /// An identifier or a number (integers in decimal, with their sign).
    Text(String),
}

/// `foo_bar` → `FooBarEntry`, protoc's name for a map's entry message: the
/// field's JSON name, capitalised.
fn map_entry_name(field: &str) -> String {
    let json = super::json_name::default_json_name(field);
    let mut chars = json.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    first
        .into_iter()
        .chain(chars)
        .chain("Entry".chars())
        .collect()
}

fn scalar(name: &str) -> Option<Type> {
    Some(match name {
        "double" => Type::Double,
        "float" => Type::Float,
        "int64" => Type::Int64,
        "uint64" => Type::Uint64,
        "int32" => Type::Int32,
        "fixed64" => Type::Fixed64,
        "fixed32" => Type::Fixed32,
        "bool" => Type::Bool,
        "string" => Type::String,
        "bytes" => Type::Bytes,
        "uint32" => Type::Uint32,
        "sfixed32" => Type::Sfixed32,
        "sfixed64" => Type::Sfixed64,
        "sint32" => Type::Sint32,
        "sint64" => Type::Sint64,
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
