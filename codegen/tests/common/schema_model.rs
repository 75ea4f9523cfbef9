//! Random valid schemas, for the breaking checker's property tests and the
//! fuzz targets (`fuzz/`, which includes this file): a model of a proto3
//! package drawn from bytes with `arbitrary`, edits on it that are known to
//! break or known to be safe, and its rendering as `.proto` text.
//!
//! Every name is made from an index (`M0`, `f3`, `E1_V2`), so a model is
//! valid by construction: unique names and numbers, enums that start at 0,
//! references only to types that exist.

#![allow(dead_code)]

use std::collections::BTreeMap;

use arbitrary::{Result, Unstructured};

const SCALARS: [&str; 15] = [
    "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
    "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
];
const MAP_KEYS: [&str; 4] = ["int32", "int64", "string", "bool"];

#[derive(Clone, Debug)]
pub struct Model {
    pub package: String,
    /// The messages; `Message::name` is unique in the package.
    pub messages: Vec<Message>,
    pub enums: Vec<Enum>,
    pub services: Vec<Service>,
    /// Counter for fresh names.
    next_name: u32,
}

#[derive(Clone, Debug)]
pub struct Message {
    pub name: String,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub number: u32,
    pub label: Label,
    pub ty: Type,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Singular,
    Optional,
    Repeated,
}

#[derive(Clone, Debug)]
pub enum Type {
    Scalar(&'static str),
    /// Index into `Model::messages`, resolved to its name when rendered.
    Message(String),
    Enum(String),
    Map(&'static str, Box<Type>),
}

#[derive(Clone, Debug)]
pub struct Enum {
    pub name: String,
    /// Value suffixes and numbers; the first is 0.
    pub values: Vec<(String, i32)>,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    pub rpcs: Vec<Rpc>,
}

#[derive(Clone, Debug)]
pub struct Rpc {
    pub name: String,
    pub input: String,
    pub output: String,
    pub client_streaming: bool,
    pub server_streaming: bool,
}

/// An edit that every breaking-change rule set (FILE, PACKAGE, WIRE_JSON,
/// WIRE) reports, with a rule that must be among the findings.
#[derive(Clone, Copy, Debug)]
pub enum BreakingEdit {
    DeleteField,
    DeleteMessage,
    DeleteEnumValue,
    DeleteRpc,
    RetypeField,
    FlipStreaming,
}

impl BreakingEdit {
    pub const ALL: [BreakingEdit; 6] = [
        BreakingEdit::DeleteField,
        BreakingEdit::DeleteMessage,
        BreakingEdit::DeleteEnumValue,
        BreakingEdit::DeleteRpc,
        BreakingEdit::RetypeField,
        BreakingEdit::FlipStreaming,
    ];
}

impl Model {
    pub fn arbitrary(u: &mut Unstructured<'_>) -> Result<Model> {
        let mut model = Model {
            package: format!("gen.p{}.v1", u.int_in_range(0..=9)?),
            messages: Vec::new(),
            enums: Vec::new(),
            services: Vec::new(),
            next_name: 0,
        };
        for _ in 0..u.int_in_range(0..=3)? {
            let values = u.int_in_range(1..=5)?;
            let name = model.fresh("E");
            let mut numbers = vec![0];
            for _ in 1..values {
                let candidate = u.int_in_range(1..=1000)?;
                if !numbers.contains(&candidate) {
                    numbers.push(candidate);
                }
            }
            let values = numbers
                .into_iter()
                .enumerate()
                .map(|(i, n)| (format!("V{i}"), n))
                .collect();
            model.enums.push(Enum { name, values });
        }
        for _ in 0..u.int_in_range(1..=5)? {
            let name = model.fresh("M");
            model.messages.push(Message {
                name,
                fields: Vec::new(),
            });
        }
        for m in 0..model.messages.len() {
            for _ in 0..u.int_in_range(0..=6)? {
                let field = model.arbitrary_field(u, m)?;
                model.messages[m].fields.push(field);
            }
        }
        for _ in 0..u.int_in_range(0..=2)? {
            let name = model.fresh("S");
            let mut rpcs = Vec::new();
            for _ in 0..u.int_in_range(1..=4)? {
                rpcs.push(Rpc {
                    name: model.fresh("Call"),
                    input: u.choose(&model.messages)?.name.clone(),
                    output: u.choose(&model.messages)?.name.clone(),
                    client_streaming: u.arbitrary()?,
                    server_streaming: u.arbitrary()?,
                });
            }
            model.services.push(Service { name, rpcs });
        }
        Ok(model)
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    /// A field for message `m`, with a number the message does not use.
    fn arbitrary_field(&mut self, u: &mut Unstructured<'_>, m: usize) -> Result<Field> {
        let used: Vec<u32> = self.messages[m].fields.iter().map(|f| f.number).collect();
        let mut number = u.int_in_range(1..=2000)?;
        while used.contains(&number) || (19000..=19999).contains(&number) {
            number += 1;
        }
        let ty = self.arbitrary_type(u, true)?;
        let label = match (&ty, u.int_in_range(0..=2)?) {
            (Type::Map(..), _) => Label::Singular,
            (_, 0) => Label::Singular,
            (_, 1) => Label::Optional,
            _ => Label::Repeated,
        };
        Ok(Field {
            name: format!("f{}", self.fresh("")),
            number,
            label,
            ty,
        })
    }

    fn arbitrary_type(&self, u: &mut Unstructured<'_>, map_allowed: bool) -> Result<Type> {
        Ok(match u.int_in_range(0..=5)? {
            0 if !self.enums.is_empty() => Type::Enum(u.choose(&self.enums)?.name.clone()),
            1 if !self.messages.is_empty() => Type::Message(u.choose(&self.messages)?.name.clone()),
            2 if map_allowed => Type::Map(
                u.choose(&MAP_KEYS)?,
                Box::new(self.arbitrary_type(u, false)?),
            ),
            _ => Type::Scalar(u.choose(&SCALARS)?),
        })
    }

    /// Adds a field (with a new number), a message and an rpc: changes no
    /// rule of any category reports.
    pub fn add(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let m = u.choose_index(self.messages.len())?;
        let field = self.arbitrary_field(u, m)?;
        self.messages[m].fields.push(field);
        let name = self.fresh("M");
        self.messages.push(Message {
            name,
            fields: Vec::new(),
        });
        if let Some(s) = (!self.services.is_empty())
            .then(|| u.choose_index(self.services.len()))
            .transpose()?
        {
            let rpc = Rpc {
                name: self.fresh("Call"),
                input: u.choose(&self.messages)?.name.clone(),
                output: u.choose(&self.messages)?.name.clone(),
                client_streaming: u.arbitrary()?,
                server_streaming: u.arbitrary()?,
            };
            self.services[s].rpcs.push(rpc);
        }
        Ok(())
    }

    /// Applies `edit` somewhere it applies; the rule it must trigger, or
    /// `None` when the model has nothing to apply it to.
    pub fn break_with(
        &mut self,
        edit: BreakingEdit,
        u: &mut Unstructured<'_>,
    ) -> Result<Option<&'static str>> {
        Ok(match edit {
            BreakingEdit::DeleteField => {
                let with_fields: Vec<usize> = (0..self.messages.len())
                    .filter(|m| !self.messages[*m].fields.is_empty())
                    .collect();
                if with_fields.is_empty() {
                    return Ok(None);
                }
                let m = *u.choose(&with_fields)?;
                let f = u.choose_index(self.messages[m].fields.len())?;
                self.messages[m].fields.remove(f);
                Some("FIELD_NO_DELETE")
            }
            BreakingEdit::DeleteMessage => {
                // A message nothing refers to, so the rest stays valid.
                let unused: Vec<usize> = (0..self.messages.len())
                    .filter(|m| !self.refers_to(&self.messages[*m].name))
                    .collect();
                if unused.is_empty() {
                    return Ok(None);
                }
                self.messages.remove(*u.choose(&unused)?);
                Some("MESSAGE_NO_DELETE")
            }
            BreakingEdit::DeleteEnumValue => {
                let long: Vec<usize> = (0..self.enums.len())
                    .filter(|e| self.enums[*e].values.len() > 1)
                    .collect();
                if long.is_empty() {
                    return Ok(None);
                }
                let e = *u.choose(&long)?;
                let v = u.int_in_range(1..=self.enums[e].values.len() - 1)?;
                self.enums[e].values.remove(v);
                Some("ENUM_VALUE_NO_DELETE")
            }
            BreakingEdit::DeleteRpc => {
                if self.services.is_empty() {
                    return Ok(None);
                }
                let s = u.choose_index(self.services.len())?;
                let r = u.choose_index(self.services[s].rpcs.len())?;
                self.services[s].rpcs.remove(r);
                Some("RPC_NO_DELETE")
            }
            BreakingEdit::RetypeField => {
                // A singular scalar to a message: a change of kind.
                let scalars: Vec<(usize, usize)> = (0..self.messages.len())
                    .flat_map(|m| {
                        let fields = &self.messages[m].fields;
                        (0..fields.len())
                            .filter(move |f| {
                                matches!(fields[*f].ty, Type::Scalar(_))
                                    && fields[*f].label == Label::Singular
                            })
                            .map(move |f| (m, f))
                    })
                    .collect();
                if scalars.is_empty() {
                    return Ok(None);
                }
                let (m, f) = *u.choose(&scalars)?;
                let target = u.choose(&self.messages)?.name.clone();
                self.messages[m].fields[f].ty = Type::Message(target);
                Some("FIELD_SAME_TYPE")
            }
            BreakingEdit::FlipStreaming => {
                if self.services.is_empty() {
                    return Ok(None);
                }
                let s = u.choose_index(self.services.len())?;
                let r = u.choose_index(self.services[s].rpcs.len())?;
                let rpc = &mut self.services[s].rpcs[r];
                rpc.server_streaming = !rpc.server_streaming;
                Some("RPC_SAME_SERVER_STREAMING")
            }
        })
    }

    fn refers_to(&self, message: &str) -> bool {
        fn in_type(ty: &Type, message: &str) -> bool {
            match ty {
                Type::Message(name) => name == message,
                Type::Map(_, value) => in_type(value, message),
                _ => false,
            }
        }
        self.messages
            .iter()
            .flat_map(|m| &m.fields)
            .any(|f| in_type(&f.ty, message))
            || self
                .services
                .iter()
                .flat_map(|s| &s.rpcs)
                .any(|r| r.input == message || r.output == message)
    }

    /// The model as one `.proto` file, by import name.
    pub fn sources(&self) -> BTreeMap<String, String> {
        let path = format!("{}/schema.proto", self.package.replace('.', "/"));
        BTreeMap::from([(path, self.text())])
    }

    /// The text of the model's `.proto` file.
    pub fn text(&self) -> String {
        let mut text = format!("syntax = \"proto3\";\n\npackage {};\n\n", self.package);
        for enumeration in &self.enums {
            text.push_str(&format!("enum {} {{\n", enumeration.name));
            for (suffix, number) in &enumeration.values {
                text.push_str(&format!("  {}_{suffix} = {number};\n", enumeration.name));
            }
            text.push_str("}\n\n");
        }
        for message in &self.messages {
            text.push_str(&format!("message {} {{\n", message.name));
            for field in &message.fields {
                let label = match field.label {
                    Label::Singular => "",
                    Label::Optional => "optional ",
                    Label::Repeated => "repeated ",
                };
                text.push_str(&format!(
                    "  {label}{} {} = {};\n",
                    render(&field.ty),
                    field.name,
                    field.number
                ));
            }
            text.push_str("}\n\n");
        }
        for service in &self.services {
            text.push_str(&format!("service {} {{\n", service.name));
            for rpc in &service.rpcs {
                let stream = |yes: bool| if yes { "stream " } else { "" };
                text.push_str(&format!(
                    "  rpc {}({}{}) returns ({}{});\n",
                    rpc.name,
                    stream(rpc.client_streaming),
                    rpc.input,
                    stream(rpc.server_streaming),
                    rpc.output
                ));
            }
            text.push_str("}\n\n");
        }
        text
    }
}

fn render(ty: &Type) -> String {
    match ty {
        Type::Scalar(name) => (*name).to_owned(),
        Type::Message(name) | Type::Enum(name) => name.clone(),
        Type::Map(key, value) => format!("map<{key}, {}>", render(value)),
    }
}

// ------------------------------------------------------------------ projects

/// A small deterministic generator (splitmix64), so a failing draw names its
/// seed and a seed always draws the same project.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn range(&mut self, low: i32, high: i32) -> i32 {
        low + self.below((high - low + 1) as usize) as i32
    }
}

/// Every file option buf compares, with values to draw from.
pub const FILE_OPTIONS: [(&str, &[&str]); 17] = [
    ("java_package", &["\"com.a\"", "\"com.b\""]),
    ("java_outer_classname", &["\"OuterA\"", "\"OuterB\""]),
    ("java_multiple_files", &["true", "false"]),
    ("java_generic_services", &["true", "false"]),
    ("java_string_check_utf8", &["true", "false"]),
    ("go_package", &["\"example.com/a\"", "\"example.com/b;b\""]),
    ("optimize_for", &["SPEED", "CODE_SIZE", "LITE_RUNTIME"]),
    ("cc_generic_services", &["true", "false"]),
    ("py_generic_services", &["true", "false"]),
    ("cc_enable_arenas", &["true", "false"]),
    ("objc_class_prefix", &["\"OA\"", "\"OB\""]),
    ("csharp_namespace", &["\"A.B\"", "\"C.D\""]),
    ("swift_prefix", &["\"SA\"", "\"SB\""]),
    ("php_class_prefix", &["\"PA\"", "\"PB\""]),
    ("php_namespace", &["\"A\\\\B\"", "\"C\""]),
    ("php_metadata_namespace", &["\"M\\\\A\"", "\"MB\""]),
    ("ruby_package", &["\"A::B\"", "\"C\""]),
];

const INTEGRAL: [&str; 10] = [
    "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32",
    "sfixed64",
];
const SIXTY_FOUR: [&str; 5] = ["int64", "uint64", "sint64", "fixed64", "sfixed64"];

/// A multi-file, multi-package schema of proto2 and proto3 files, valid by
/// construction: names come from one counter, references are full names,
/// imports are computed from references and kept acyclic by
/// [`Project::valid`] (edits that would break validity are undone).
#[derive(Clone, Debug)]
pub struct Project {
    /// Prefixes every package and path, so several projects can share one
    /// module without meeting.
    pub case: u32,
    pub files: Vec<PFile>,
    next: u32,
}

#[derive(Clone, Debug)]
pub struct PFile {
    pub path: String,
    pub package: String,
    pub proto3: bool,
    pub options: Vec<(&'static str, String)>,
    pub messages: Vec<Msg>,
    pub enums: Vec<Enm>,
    pub services: Vec<Svc>,
    pub extends: Vec<Extend>,
}

#[derive(Clone, Debug, Default)]
pub struct Msg {
    pub name: String,
    pub fields: Vec<Fld>,
    pub nested: Vec<Msg>,
    pub enums: Vec<Enm>,
    pub extends: Vec<Extend>,
    /// Inclusive ranges.
    pub reserved: Vec<(i32, i32)>,
    pub reserved_names: Vec<String>,
    /// Inclusive ranges (proto2 only).
    pub extension_ranges: Vec<(i32, i32)>,
    pub no_standard_descriptor_accessor: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lbl {
    /// proto3 singular: implicit presence.
    Implicit,
    Optional,
    Repeated,
    Required,
}

#[derive(Clone, Debug)]
pub enum Ty {
    Scalar(&'static str),
    /// A message or enum, by full name without the leading dot.
    Named(String),
    Map(&'static str, Box<Ty>),
    /// A proto2 group: the message is declared in place.
    Group(Box<Msg>),
}

#[derive(Clone, Debug)]
pub struct Fld {
    pub name: String,
    pub number: i32,
    pub label: Lbl,
    pub ty: Ty,
    pub oneof: Option<String>,
    pub json_name: Option<String>,
    pub jstype: Option<&'static str>,
    pub ctype: Option<&'static str>,
    pub default: Option<String>,
    pub packed: Option<bool>,
    pub deprecated: bool,
    /// A custom field option: the extension's full name and a value.
    pub custom: Option<(String, String)>,
    /// How the options are written: spaces inside the brackets, one per
    /// line.
    pub style: u8,
}

#[derive(Clone, Debug, Default)]
pub struct Enm {
    pub name: String,
    /// Name suffixes and numbers; the first is 0.
    pub values: Vec<(String, i32)>,
    pub allow_alias: bool,
    /// Inclusive ranges; `i32::MAX` is `max`.
    pub reserved: Vec<(i32, i32)>,
    pub reserved_names: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Svc {
    pub name: String,
    pub rpcs: Vec<Rpc2>,
}

#[derive(Clone, Debug)]
pub struct Rpc2 {
    pub name: String,
    pub input: String,
    pub output: String,
    pub client_streaming: bool,
    pub server_streaming: bool,
    pub idempotency: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub struct Extend {
    /// Full name of the extended message (`google.protobuf.FieldOptions`
    /// for custom options).
    pub extendee: String,
    pub fields: Vec<Fld>,
}

/// Where a message is: a file, then the indexes of nested messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgAt {
    pub file: usize,
    pub chain: Vec<usize>,
}

/// A kind of edit of [`Project::edit`]: every change a breaking rule looks
/// at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    DeleteFile,
    MoveTypeToFile,
    MoveTypeToPackage,
    ChangePackage,
    FlipSyntax,
    FileOption,
    DeleteMessage,
    DeleteEnum,
    DeleteService,
    UnnestType,
    DeleteField,
    DeleteFieldReserving,
    RenumberField,
    RenameField,
    RetypeField,
    RelabelField,
    FieldOneof,
    FieldOption,
    DeleteOneof,
    ReservedRange,
    ReservedName,
    ExtensionRange,
    MessageOption,
    DeleteEnumValue,
    RenameEnumValue,
    RenumberEnumValue,
    AliasEnumValue,
    EnumReserved,
    DeleteRpc,
    RenameRpc,
    RetypeRpc,
    StreamRpc,
    RpcIdempotency,
    DeleteExtension,
    ChangeExtension,
    Add,
}

impl Edit {
    pub const ALL: [Edit; 36] = [
        Edit::DeleteFile,
        Edit::MoveTypeToFile,
        Edit::MoveTypeToPackage,
        Edit::ChangePackage,
        Edit::FlipSyntax,
        Edit::FileOption,
        Edit::DeleteMessage,
        Edit::DeleteEnum,
        Edit::DeleteService,
        Edit::UnnestType,
        Edit::DeleteField,
        Edit::DeleteFieldReserving,
        Edit::RenumberField,
        Edit::RenameField,
        Edit::RetypeField,
        Edit::RelabelField,
        Edit::FieldOneof,
        Edit::FieldOption,
        Edit::DeleteOneof,
        Edit::ReservedRange,
        Edit::ReservedName,
        Edit::ExtensionRange,
        Edit::MessageOption,
        Edit::DeleteEnumValue,
        Edit::RenameEnumValue,
        Edit::RenumberEnumValue,
        Edit::AliasEnumValue,
        Edit::EnumReserved,
        Edit::DeleteRpc,
        Edit::RenameRpc,
        Edit::RetypeRpc,
        Edit::StreamRpc,
        Edit::RpcIdempotency,
        Edit::DeleteExtension,
        Edit::ChangeExtension,
        Edit::Add,
    ];
}

/// The options messages custom options extend.
const FIELD_OPTIONS: &str = "google.protobuf.FieldOptions";

impl Project {
    /// Draws a project of 1 to 4 files in 1 to 3 packages.
    pub fn draw(case: u32, rng: &mut Rng) -> Project {
        let mut project = Project {
            case,
            files: Vec::new(),
            next: 0,
        };
        let packages = 1 + rng.below(3);
        let files = 1 + rng.below(4);
        for i in 0..files {
            let package = format!(
                "c{case}.p{}{}",
                rng.below(packages),
                if rng.chance(20) { ".v1" } else { "" }
            );
            let mut file = PFile {
                path: format!(
                    "c{case}/{}f{i}.proto",
                    if rng.chance(30) { "sub/" } else { "" }
                ),
                package,
                proto3: rng.chance(50),
                options: Vec::new(),
                messages: Vec::new(),
                enums: Vec::new(),
                services: Vec::new(),
                extends: Vec::new(),
            };
            for _ in 0..rng.below(4) {
                let (name, values) = FILE_OPTIONS[rng.below(FILE_OPTIONS.len())];
                if !file.options.iter().any(|(n, _)| *n == name) {
                    file.options.push((name, rng.pick(values).to_owned()));
                }
            }
            project.files.push(file);
        }
        for f in 0..project.files.len() {
            for _ in 0..rng.below(3) {
                let e = project.draw_enum(rng, project.files[f].proto3);
                project.files[f].enums.push(e);
            }
            for _ in 0..1 + rng.below(3) {
                let m = project.draw_message(rng, f, 0);
                project.files[f].messages.push(m);
            }
        }
        // Fields, extensions and services refer to what exists.
        for at in project.message_places() {
            for _ in 0..rng.below(6) {
                project.add_field(rng, &at);
            }
        }
        for f in 0..project.files.len() {
            if rng.chance(40) {
                project.add_extend(rng, f, None);
            }
            if rng.chance(50) {
                let name = project.fresh("S");
                let mut service = Svc {
                    name,
                    rpcs: Vec::new(),
                };
                for _ in 0..1 + rng.below(3) {
                    if let Some(rpc) = project.draw_rpc(rng, f) {
                        service.rpcs.push(rpc);
                    }
                }
                project.files[f].services.push(service);
            }
        }
        for at in project.message_places() {
            if rng.chance(15) {
                project.add_extend(rng, at.file, Some(at));
            }
        }
        project
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn draw_enum(&mut self, rng: &mut Rng, _proto3: bool) -> Enm {
        let name = self.fresh("E");
        let mut values = vec![("Z".to_owned(), 0)];
        for _ in 0..rng.below(5) {
            let number = rng.range(-3, 40);
            let suffix = self.fresh("V");
            if !values.iter().any(|(_, n)| *n == number) {
                values.push((suffix, number));
            }
        }
        let mut enumeration = Enm {
            name,
            values,
            ..Enm::default()
        };
        if rng.chance(25) {
            let (_, number) = enumeration.values[rng.below(enumeration.values.len())];
            let suffix = self.fresh("A");
            enumeration.values.push((suffix, number));
            enumeration.allow_alias = true;
        }
        if rng.chance(40) {
            enumeration.reserved.push((50, 50 + rng.range(0, 5)));
        }
        if rng.chance(25) {
            enumeration.reserved.push((100, i32::MAX));
        }
        if rng.chance(20) {
            enumeration.reserved.push((-10, -5));
        }
        if rng.chance(30) {
            let reserved = self.fresh("R");
            enumeration.reserved_names.push(reserved);
        }
        enumeration
    }

    fn draw_message(&mut self, rng: &mut Rng, f: usize, depth: usize) -> Msg {
        let proto3 = self.files[f].proto3;
        let mut message = Msg {
            name: self.fresh("M"),
            ..Msg::default()
        };
        if depth < 3 {
            for _ in 0..rng.below(if depth == 0 { 3 } else { 2 }) {
                let nested = self.draw_message(rng, f, depth + 1);
                message.nested.push(nested);
            }
            for _ in 0..rng.below(2) {
                let e = self.draw_enum(rng, proto3);
                message.enums.push(e);
            }
        }
        if rng.chance(30) {
            let start = rng.range(61, 80);
            message.reserved.push((start, start + rng.range(0, 4)));
        }
        if rng.chance(15) {
            message.reserved.push((1000, 536_870_911));
        }
        if rng.chance(25) {
            let reserved = self.fresh("r");
            message.reserved_names.push(reserved);
        }
        if !proto3 && rng.chance(40) {
            message.extension_ranges.push((100, 100 + rng.range(0, 49)));
            if rng.chance(40) {
                message.extension_ranges.push((300, 300 + rng.range(0, 99)));
            }
        }
        if rng.chance(10) {
            message.no_standard_descriptor_accessor = Some(rng.chance(50));
        }
        message
    }

    /// Every message (groups aside), outer ones first.
    pub fn message_places(&self) -> Vec<MsgAt> {
        fn walk(messages: &[Msg], at: MsgAt, out: &mut Vec<MsgAt>) {
            for (i, message) in messages.iter().enumerate() {
                let mut here = at.clone();
                here.chain.push(i);
                out.push(here.clone());
                walk(&message.nested, here, out);
            }
        }
        let mut out = Vec::new();
        for (f, file) in self.files.iter().enumerate() {
            walk(
                &file.messages,
                MsgAt {
                    file: f,
                    chain: Vec::new(),
                },
                &mut out,
            );
        }
        out
    }

    pub fn message(&self, at: &MsgAt) -> &Msg {
        let mut message = &self.files[at.file].messages[at.chain[0]];
        for i in &at.chain[1..] {
            message = &message.nested[*i];
        }
        message
    }

    pub fn message_mut(&mut self, at: &MsgAt) -> &mut Msg {
        let mut message = &mut self.files[at.file].messages[at.chain[0]];
        for i in &at.chain[1..] {
            message = &mut message.nested[*i];
        }
        message
    }

    /// The full name of the message at `at`.
    pub fn full_name(&self, at: &MsgAt) -> String {
        let file = &self.files[at.file];
        let mut name = file.package.clone();
        let mut messages = &file.messages;
        for i in &at.chain {
            name.push('.');
            name.push_str(&messages[*i].name);
            messages = &messages[*i].nested;
        }
        name
    }

    /// Every named type: full name, file, whether it is an enum, and (for
    /// enums) whether it is open.
    pub fn types(&self) -> Vec<(String, usize, bool)> {
        fn walk(
            prefix: &str,
            f: usize,
            messages: &[Msg],
            enums: &[Enm],
            out: &mut Vec<(String, usize, bool)>,
        ) {
            for e in enums {
                out.push((format!("{prefix}.{}", e.name), f, true));
            }
            for m in messages {
                let name = format!("{prefix}.{}", m.name);
                out.push((name.clone(), f, false));
                walk(&name, f, &m.nested, &m.enums, out);
            }
        }
        let mut out = Vec::new();
        for (f, file) in self.files.iter().enumerate() {
            walk(&file.package, f, &file.messages, &file.enums, &mut out);
        }
        out
    }

    /// The file of a type and whether it is an enum.
    fn lookup(&self, name: &str) -> Option<(usize, bool)> {
        self.types()
            .into_iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, f, e)| (f, e))
    }

    fn enum_by_name(&self, name: &str) -> Option<&Enm> {
        fn walk<'a>(
            prefix: &str,
            messages: &'a [Msg],
            enums: &'a [Enm],
            name: &str,
        ) -> Option<&'a Enm> {
            for e in enums {
                if format!("{prefix}.{}", e.name) == name {
                    return Some(e);
                }
            }
            for m in messages {
                if let Some(e) = walk(&format!("{prefix}.{}", m.name), &m.nested, &m.enums, name) {
                    return Some(e);
                }
            }
            None
        }
        self.files
            .iter()
            .find_map(|f| walk(&f.package, &f.messages, &f.enums, name))
    }

    fn used_numbers(message: &Msg) -> Vec<i32> {
        message.fields.iter().map(|f| f.number).collect()
    }

    fn free_number(&self, rng: &mut Rng, message: &Msg) -> Option<i32> {
        let used = Project::used_numbers(message);
        for _ in 0..20 {
            let n = rng.range(1, 60);
            let reserved = message.reserved.iter().any(|(s, e)| (*s..=*e).contains(&n));
            if !used.contains(&n) && !reserved {
                return Some(n);
            }
        }
        None
    }

    fn draw_type(&mut self, rng: &mut Rng, f: usize, map_allowed: bool, group_allowed: bool) -> Ty {
        let proto3 = self.files[f].proto3;
        let types: Vec<(String, usize, bool)> = self
            .types()
            .into_iter()
            .filter(|(name, _, is_enum)| !(*is_enum && proto3 && !self.enum_is_open(name)))
            .collect();
        match rng.below(10) {
            0..=2 if !types.is_empty() => Ty::Named(types[rng.below(types.len())].0.clone()),
            3 if map_allowed => {
                let key = rng.pick(&["int32", "int64", "string", "bool", "uint32", "sfixed64"]);
                Ty::Map(key, Box::new(self.draw_type(rng, f, false, false)))
            }
            4 if group_allowed && !proto3 => {
                let mut group = Msg {
                    name: self.fresh("G"),
                    ..Msg::default()
                };
                for _ in 0..rng.below(3) {
                    if let Some(number) = self.free_number(rng, &group) {
                        let name = self.fresh("f");
                        group.fields.push(plain_field(
                            name,
                            number,
                            Lbl::Optional,
                            Ty::Scalar(rng.pick(&SCALARS)),
                        ));
                    }
                }
                Ty::Group(Box::new(group))
            }
            _ => Ty::Scalar(rng.pick(&SCALARS)),
        }
    }

    fn enum_is_open(&self, name: &str) -> bool {
        self.lookup(name).is_some_and(|(f, _)| self.files[f].proto3)
    }

    /// Adds a field to the message at `at`, perhaps in a oneof.
    pub fn add_field(&mut self, rng: &mut Rng, at: &MsgAt) {
        let proto3 = self.files[at.file].proto3;
        let Some(number) = self.free_number(rng, self.message(at)) else {
            return;
        };
        let ty = self.draw_type(rng, at.file, true, true);
        let in_oneof = !matches!(ty, Ty::Map(..)) && rng.chance(20);
        let label = if matches!(ty, Ty::Map(..)) {
            Lbl::Repeated
        } else if in_oneof {
            Lbl::Optional
        } else {
            match (proto3, rng.below(4)) {
                (true, 0 | 1) => Lbl::Implicit,
                (_, 2) => Lbl::Repeated,
                (false, 3) if !matches!(ty, Ty::Group(_)) => Lbl::Required,
                _ => Lbl::Optional,
            }
        };
        let name = match &ty {
            Ty::Group(group) => group.name.to_lowercase(),
            _ => self.fresh("f"),
        };
        let mut field = plain_field(name, number, label, ty);
        if in_oneof {
            let existing: Vec<String> = self
                .message(at)
                .fields
                .iter()
                .filter_map(|f| f.oneof.clone())
                .collect();
            field.oneof = Some(if !existing.is_empty() && rng.chance(60) {
                existing[rng.below(existing.len())].clone()
            } else {
                self.fresh("o")
            });
        }
        self.draw_field_options(rng, at.file, &mut field, false);
        self.message_mut(at).fields.push(field);
    }

    fn draw_field_options(&mut self, rng: &mut Rng, f: usize, field: &mut Fld, extension: bool) {
        let proto3 = self.files[f].proto3;
        field.style = rng.below(4) as u8;
        if !extension && rng.chance(20) {
            field.json_name = Some(self.fresh("j"));
        }
        if let Ty::Scalar(scalar) = field.ty {
            if SIXTY_FOUR.contains(&scalar) && rng.chance(30) {
                field.jstype = Some(rng.pick(&["JS_NORMAL", "JS_STRING", "JS_NUMBER"]));
            }
            if matches!(scalar, "string" | "bytes") && rng.chance(25) {
                field.ctype = Some(rng.pick(&["STRING", "CORD", "STRING_PIECE"]));
            }
            if !proto3 && field.label != Lbl::Repeated && rng.chance(25) {
                field.default = default_for(rng, scalar);
            }
            if field.label == Lbl::Repeated
                && scalar != "string"
                && scalar != "bytes"
                && rng.chance(30)
            {
                field.packed = Some(rng.chance(50));
            }
        }
        if let Ty::Named(name) = &field.ty
            && !proto3
            && field.label != Lbl::Repeated
            && rng.chance(25)
            && let Some(e) = self.enum_by_name(name)
        {
            let (suffix, _) = &e.values[rng.below(e.values.len())];
            field.default = Some(format!("{}_{suffix}", e.name));
        }
        field.deprecated = rng.chance(10);
        if rng.chance(15) {
            let options = self.custom_options();
            if !options.is_empty() {
                let option = options[rng.below(options.len())].clone();
                field.custom = Some((option, format!("\"v{}\"", rng.below(3))));
            }
        }
    }

    /// The full names of the custom field options declared so far.
    fn custom_options(&self) -> Vec<String> {
        let mut out = Vec::new();
        for file in &self.files {
            for extend in &file.extends {
                if extend.extendee == FIELD_OPTIONS {
                    for field in &extend.fields {
                        if matches!(field.ty, Ty::Scalar("string")) && field.label != Lbl::Repeated
                        {
                            out.push(format!("{}.{}", file.package, field.name));
                        }
                    }
                }
            }
        }
        out
    }

    /// An `extend` block in file `f` (inside the message at `at` when
    /// given): of a proto2 message with extension ranges, or a custom option.
    pub fn add_extend(&mut self, rng: &mut Rng, f: usize, at: Option<MsgAt>) {
        let proto3 = self.files[f].proto3;
        let mut targets: Vec<(String, Vec<(i32, i32)>)> = Vec::new();
        if !proto3 {
            for place in self.message_places() {
                let message = self.message(&place);
                if !message.extension_ranges.is_empty() {
                    targets.push((self.full_name(&place), message.extension_ranges.clone()));
                }
            }
        }
        let options_number = 50_000 + self.case as i32 * 64 + (self.next % 64) as i32;
        let (extendee, ranges) = if !targets.is_empty() && rng.chance(65) {
            targets[rng.below(targets.len())].clone()
        } else {
            let extendee = rng.pick(&[
                FIELD_OPTIONS,
                FIELD_OPTIONS,
                "google.protobuf.MessageOptions",
                "google.protobuf.FileOptions",
            ]);
            (extendee.to_owned(), vec![(options_number, options_number)])
        };
        let taken = self.extension_numbers(&extendee);
        let mut fields = Vec::new();
        for _ in 0..1 + rng.below(2) {
            let (start, end) = ranges[rng.below(ranges.len())];
            let number = start + rng.below((end - start + 1) as usize) as i32;
            if taken.contains(&number) || fields.iter().any(|x: &Fld| x.number == number) {
                continue;
            }
            let ty = if extendee.starts_with("google.") {
                Ty::Scalar(rng.pick(&["string", "string", "int32", "bool"]))
            } else {
                self.draw_type(rng, f, false, false)
            };
            let label = match (proto3, rng.below(3)) {
                (_, 0) => Lbl::Repeated,
                (true, _) => Lbl::Implicit,
                _ => Lbl::Optional,
            };
            let mut field = plain_field(self.fresh("x"), number, label, ty);
            self.draw_field_options(rng, f, &mut field, true);
            field.custom = None;
            fields.push(field);
        }
        if fields.is_empty() {
            return;
        }
        let extend = Extend { extendee, fields };
        match at {
            Some(at) => self.message_mut(&at).extends.push(extend),
            None => self.files[f].extends.push(extend),
        }
    }

    /// Every extension field: the extendee and number.
    fn extension_numbers(&self, extendee: &str) -> Vec<i32> {
        let mut out = Vec::new();
        self.each_extend(&mut |extend| {
            if extend.extendee == extendee {
                out.extend(extend.fields.iter().map(|f| f.number));
            }
        });
        out
    }

    fn each_extend(&self, each: &mut dyn FnMut(&Extend)) {
        fn walk(messages: &[Msg], each: &mut dyn FnMut(&Extend)) {
            for m in messages {
                m.extends.iter().for_each(&mut *each);
                walk(&m.nested, each);
            }
        }
        for file in &self.files {
            file.extends.iter().for_each(&mut *each);
            walk(&file.messages, each);
        }
    }

    fn draw_rpc(&mut self, rng: &mut Rng, _f: usize) -> Option<Rpc2> {
        let messages: Vec<String> = self
            .types()
            .into_iter()
            .filter(|(_, _, is_enum)| !is_enum)
            .map(|(name, _, _)| name)
            .collect();
        if messages.is_empty() {
            return None;
        }
        Some(Rpc2 {
            name: self.fresh("R"),
            input: messages[rng.below(messages.len())].clone(),
            output: messages[rng.below(messages.len())].clone(),
            client_streaming: rng.chance(30),
            server_streaming: rng.chance(30),
            idempotency: rng
                .chance(20)
                .then(|| rng.pick(&["IDEMPOTENCY_UNKNOWN", "NO_SIDE_EFFECTS", "IDEMPOTENT"])),
        })
    }
}

fn plain_field(name: String, number: i32, label: Lbl, ty: Ty) -> Fld {
    Fld {
        name,
        number,
        label,
        ty,
        oneof: None,
        json_name: None,
        jstype: None,
        ctype: None,
        default: None,
        packed: None,
        deprecated: false,
        custom: None,
        style: 0,
    }
}

fn default_for(rng: &mut Rng, scalar: &str) -> Option<String> {
    Some(match scalar {
        "string" => format!("\"d{}\"", rng.below(3)),
        "bytes" => format!("\"b{}\"", rng.below(3)),
        "bool" => rng.pick(&["true", "false"]).to_owned(),
        "double" | "float" => rng.pick(&["1.5", "-2", "inf", "0"]).to_owned(),
        s if s.starts_with('u') || s.starts_with("fixed") => rng.range(0, 9).to_string(),
        _ => rng.range(-5, 9).to_string(),
    })
}

// ------------------------------------------------------------------ rendering

impl Project {
    /// The project's files by path.
    pub fn sources(&self) -> BTreeMap<String, String> {
        (0..self.files.len())
            .map(|f| (self.files[f].path.clone(), self.render(f)))
            .collect()
    }

    /// The files file `f` imports (by index), and whether it needs
    /// descriptor.proto.
    pub fn imports(&self, f: usize) -> (Vec<usize>, bool) {
        let mut names = Vec::new();
        let mut options = Vec::new();
        let file = &self.files[f];
        let mut descriptor = false;
        fn field_refs(field: &Fld, names: &mut Vec<String>, options: &mut Vec<String>) {
            match &field.ty {
                Ty::Named(name) => names.push(name.clone()),
                Ty::Map(_, value) => {
                    if let Ty::Named(name) = &**value {
                        names.push(name.clone());
                    }
                }
                Ty::Group(group) => {
                    for inner in &group.fields {
                        field_refs(inner, names, options);
                    }
                }
                Ty::Scalar(_) => {}
            }
            if let Some((option, _)) = &field.custom {
                options.push(option.clone());
            }
        }
        fn extend_refs(
            extend: &Extend,
            names: &mut Vec<String>,
            options: &mut Vec<String>,
            descriptor: &mut bool,
        ) {
            if extend.extendee.starts_with("google.protobuf.") {
                *descriptor = true;
            } else {
                names.push(extend.extendee.clone());
            }
            for field in &extend.fields {
                field_refs(field, names, options);
            }
        }
        fn walk(
            messages: &[Msg],
            names: &mut Vec<String>,
            options: &mut Vec<String>,
            descriptor: &mut bool,
        ) {
            for m in messages {
                for field in &m.fields {
                    field_refs(field, names, options);
                }
                for extend in &m.extends {
                    extend_refs(extend, names, options, descriptor);
                }
                walk(&m.nested, names, options, descriptor);
            }
        }
        walk(&file.messages, &mut names, &mut options, &mut descriptor);
        for extend in &file.extends {
            extend_refs(extend, &mut names, &mut options, &mut descriptor);
        }
        for service in &file.services {
            for rpc in &service.rpcs {
                names.push(rpc.input.clone());
                names.push(rpc.output.clone());
            }
        }
        let types = self.types();
        let mut files: Vec<usize> = names
            .iter()
            .filter_map(|name| types.iter().find(|(n, _, _)| n == name).map(|(_, f, _)| *f))
            .collect();
        for option in &options {
            if let Some(g) = self.option_file(option) {
                files.push(g);
            }
        }
        files.sort_unstable();
        files.dedup();
        files.retain(|g| *g != f);
        (files, descriptor)
    }

    /// The file declaring the custom option `name`.
    fn option_file(&self, name: &str) -> Option<usize> {
        self.files.iter().position(|file| {
            file.extends.iter().any(|extend| {
                extend
                    .fields
                    .iter()
                    .any(|field| format!("{}.{}", file.package, field.name) == name)
            })
        })
    }

    pub fn render(&self, f: usize) -> String {
        let file = &self.files[f];
        let mut out = String::new();
        out.push_str(if file.proto3 {
            "syntax = \"proto3\";\n\n"
        } else {
            "syntax = \"proto2\";\n\n"
        });
        out.push_str(&format!("package {};\n\n", file.package));
        let (imports, descriptor) = self.imports(f);
        if descriptor {
            out.push_str("import \"google/protobuf/descriptor.proto\";\n");
        }
        for g in imports {
            out.push_str(&format!("import \"{}\";\n", self.files[g].path));
        }
        for (name, value) in &file.options {
            out.push_str(&format!("option {name} = {value};\n"));
        }
        out.push('\n');
        for e in &file.enums {
            render_enum(e, "", &mut out);
        }
        for m in &file.messages {
            render_message(m, file.proto3, "", &mut out);
        }
        for extend in &file.extends {
            render_extend(extend, file.proto3, "", &mut out);
        }
        for service in &file.services {
            out.push_str(&format!("service {} {{\n", service.name));
            for rpc in &service.rpcs {
                let stream = |yes: bool| if yes { "stream " } else { "" };
                out.push_str(&format!(
                    "  rpc {}({}.{}) returns ({}.{})",
                    rpc.name,
                    stream(rpc.client_streaming),
                    rpc.input,
                    stream(rpc.server_streaming),
                    rpc.output
                ));
                match rpc.idempotency {
                    Some(level) => out.push_str(&format!(
                        " {{\n    option idempotency_level = {level};\n  }}\n"
                    )),
                    None => out.push_str(";\n"),
                }
            }
            out.push_str("}\n");
        }
        out
    }
}

fn render_range((start, end): (i32, i32), max: i32) -> String {
    let end = if end == max {
        "max".to_owned()
    } else {
        end.to_string()
    };
    if end == start.to_string() {
        end
    } else {
        format!("{start} to {end}")
    }
}

fn render_enum(e: &Enm, indent: &str, out: &mut String) {
    out.push_str(&format!("{indent}enum {} {{\n", e.name));
    if e.allow_alias {
        out.push_str(&format!("{indent}  option allow_alias = true;\n"));
    }
    for (suffix, number) in &e.values {
        out.push_str(&format!("{indent}  {}_{suffix} = {number};\n", e.name));
    }
    for range in &e.reserved {
        out.push_str(&format!(
            "{indent}  reserved {};\n",
            render_range(*range, i32::MAX)
        ));
    }
    for name in &e.reserved_names {
        out.push_str(&format!("{indent}  reserved \"{name}\";\n"));
    }
    out.push_str(&format!("{indent}}}\n"));
}

fn render_type(ty: &Ty) -> String {
    match ty {
        Ty::Scalar(name) => (*name).to_owned(),
        Ty::Named(name) => format!(".{name}"),
        Ty::Map(key, value) => format!("map<{key}, {}>", render_type(value)),
        Ty::Group(group) => format!("group {}", group.name),
    }
}

fn render_field(field: &Fld, proto3: bool, in_oneof: bool, indent: &str, out: &mut String) {
    let label = match (field.label, &field.ty) {
        (_, Ty::Map(..)) => "",
        _ if in_oneof => "",
        (Lbl::Implicit, _) => "",
        (Lbl::Optional, _) => "optional ",
        (Lbl::Repeated, _) => "repeated ",
        (Lbl::Required, _) => "required ",
    };
    let _ = proto3;
    let mut options = Vec::new();
    if let Some(json) = &field.json_name {
        options.push(format!("json_name = \"{json}\""));
    }
    if let Some(jstype) = field.jstype {
        options.push(format!("jstype = {jstype}"));
    }
    if let Some(ctype) = field.ctype {
        options.push(format!("ctype = {ctype}"));
    }
    if let Some(default) = &field.default {
        options.push(format!("default = {default}"));
    }
    if let Some(packed) = field.packed {
        options.push(format!("packed = {packed}"));
    }
    if field.deprecated {
        options.push("deprecated = true".to_owned());
    }
    if let Some((option, value)) = &field.custom {
        options.push(format!("({option}) = {value}"));
    }
    let options = if options.is_empty() {
        String::new()
    } else {
        match field.style {
            0 => format!(" [{}]", options.join(", ")),
            1 => format!(" [ {} ]", options.join(", ")),
            2 => format!(
                " [\n{indent}    {}\n{indent}  ]",
                options.join(&format!(",\n{indent}    "))
            ),
            _ => format!("[{} ]", options.join(" , ")),
        }
    };
    let name = match &field.ty {
        Ty::Group(_) => String::new(),
        _ => format!(" {}", field.name),
    };
    out.push_str(&format!(
        "{indent}{label}{}{name} = {}{options}",
        render_type(&field.ty),
        field.number
    ));
    match &field.ty {
        Ty::Group(group) => {
            out.push_str(" {\n");
            for inner in &group.fields {
                render_field(inner, proto3, false, &format!("{indent}  "), out);
            }
            out.push_str(&format!("{indent}}}\n"));
        }
        _ => out.push_str(";\n"),
    }
}

fn render_message(m: &Msg, proto3: bool, indent: &str, out: &mut String) {
    out.push_str(&format!("{indent}message {} {{\n", m.name));
    let inner = format!("{indent}  ");
    let mut done: Vec<&str> = Vec::new();
    for field in &m.fields {
        match &field.oneof {
            None => render_field(field, proto3, false, &inner, out),
            Some(oneof) if done.contains(&oneof.as_str()) => {}
            Some(oneof) => {
                done.push(oneof);
                out.push_str(&format!("{inner}oneof {oneof} {{\n"));
                for member in m.fields.iter().filter(|f| f.oneof.as_ref() == Some(oneof)) {
                    render_field(member, proto3, true, &format!("{inner}  "), out);
                }
                out.push_str(&format!("{inner}}}\n"));
            }
        }
    }
    for nested in &m.nested {
        render_message(nested, proto3, &inner, out);
    }
    for e in &m.enums {
        render_enum(e, &inner, out);
    }
    for extend in &m.extends {
        render_extend(extend, proto3, &inner, out);
    }
    for range in &m.reserved {
        out.push_str(&format!(
            "{inner}reserved {};\n",
            render_range(*range, 536_870_911)
        ));
    }
    for name in &m.reserved_names {
        out.push_str(&format!("{inner}reserved \"{name}\";\n"));
    }
    for range in &m.extension_ranges {
        out.push_str(&format!(
            "{inner}extensions {};\n",
            render_range(*range, 536_870_911)
        ));
    }
    if let Some(value) = m.no_standard_descriptor_accessor {
        out.push_str(&format!(
            "{inner}option no_standard_descriptor_accessor = {value};\n"
        ));
    }
    out.push_str(&format!("{indent}}}\n"));
}

fn render_extend(extend: &Extend, proto3: bool, indent: &str, out: &mut String) {
    out.push_str(&format!("{indent}extend .{} {{\n", extend.extendee));
    for field in &extend.fields {
        render_field(field, proto3, false, &format!("{indent}  "), out);
    }
    out.push_str(&format!("{indent}}}\n"));
}

// ------------------------------------------------------------------ validity

fn each_message_mut(messages: &mut [Msg], each: &mut dyn FnMut(&mut Msg)) {
    for m in messages {
        each(m);
        for field in &mut m.fields {
            if let Ty::Group(group) = &mut field.ty {
                each(group);
            }
        }
        each_message_mut(&mut m.nested, each);
    }
}

fn each_message<'a>(messages: &'a [Msg], each: &mut dyn FnMut(&'a Msg)) {
    for m in messages {
        each(m);
        for field in &m.fields {
            if let Ty::Group(group) = &field.ty {
                each(group);
            }
        }
        each_message(&m.nested, each);
    }
}

fn type_refs_mut(ty: &mut Ty, each: &mut dyn FnMut(&mut String)) {
    match ty {
        Ty::Named(name) => each(name),
        Ty::Map(_, value) => type_refs_mut(value, each),
        _ => {}
    }
}

fn type_refs(ty: &Ty) -> Vec<&str> {
    match ty {
        Ty::Named(name) => vec![name.as_str()],
        Ty::Map(_, value) => type_refs(value),
        _ => Vec::new(),
    }
}

impl Project {
    /// Every list of fields (messages, groups, extend blocks), with whether
    /// it is an extend block.
    fn each_fields_mut(&mut self, each: &mut dyn FnMut(&mut Vec<Fld>, bool)) {
        for file in &mut self.files {
            for extend in &mut file.extends {
                each(&mut extend.fields, true);
            }
            each_message_mut(&mut file.messages, &mut |m| {
                each(&mut m.fields, false);
                for extend in &mut m.extends {
                    each(&mut extend.fields, true);
                }
            });
        }
    }

    /// Renames every reference to a type or custom option `old` (or inside
    /// it) to `new`.
    pub fn rename_refs(&mut self, old: &str, new: &str) {
        let rename = |name: &mut String| {
            if name == old {
                *name = new.to_owned();
            } else if let Some(rest) = name.strip_prefix(&format!("{old}.")) {
                *name = format!("{new}.{rest}");
            }
        };
        self.each_fields_mut(&mut |fields, _| {
            for field in fields {
                type_refs_mut(&mut field.ty, &mut |n| rename(n));
                if let Some((option, _)) = &mut field.custom {
                    rename(option);
                }
            }
        });
        for file in &mut self.files {
            for service in &mut file.services {
                for rpc in &mut service.rpcs {
                    rename(&mut rpc.input);
                    rename(&mut rpc.output);
                }
            }
            for extend in &mut file.extends {
                rename(&mut extend.extendee);
            }
            each_message_mut(&mut file.messages, &mut |m| {
                for extend in &mut m.extends {
                    rename(&mut extend.extendee);
                }
            });
        }
    }

    /// Drops what refers to a type or option that no longer exists: fields,
    /// rpcs, extend blocks, custom option values.
    pub fn drop_dangling(&mut self) {
        let types: Vec<String> = self.types().into_iter().map(|(n, _, _)| n).collect();
        let options = self.custom_options();
        let exists = |name: &str| types.iter().any(|t| t == name);
        self.each_fields_mut(&mut |fields, _| {
            fields.retain(|f| type_refs(&f.ty).iter().all(|n| exists(n)));
            for field in fields {
                if field
                    .custom
                    .as_ref()
                    .is_some_and(|(o, _)| !options.contains(o))
                {
                    field.custom = None;
                }
            }
        });
        for file in &mut self.files {
            for service in &mut file.services {
                service
                    .rpcs
                    .retain(|r| exists(&r.input) && exists(&r.output));
            }
            let keep = |e: &Extend| e.extendee.starts_with("google.") || exists(&e.extendee);
            file.extends.retain(keep);
            each_message_mut(&mut file.messages, &mut |m| m.extends.retain(keep));
        }
        // Extensions of a message that lost its ranges are gone too.
        let ranges: Vec<(String, Vec<(i32, i32)>)> = self
            .message_places()
            .iter()
            .map(|at| {
                (
                    self.full_name(at),
                    self.message(at).extension_ranges.clone(),
                )
            })
            .collect();
        let inside = |e: &Extend, n: i32| {
            e.extendee.starts_with("google.")
                || ranges
                    .iter()
                    .find(|(name, _)| *name == e.extendee)
                    .is_some_and(|(_, r)| r.iter().any(|(s, end)| (*s..=*end).contains(&n)))
        };
        for file in &mut self.files {
            for extend in &mut file.extends {
                let snapshot = extend.clone();
                extend.fields.retain(|f| inside(&snapshot, f.number));
            }
            file.extends.retain(|e| !e.fields.is_empty());
            each_message_mut(&mut file.messages, &mut |m| {
                for extend in &mut m.extends {
                    let snapshot = extend.clone();
                    extend.fields.retain(|f| inside(&snapshot, f.number));
                }
                m.extends.retain(|e| !e.fields.is_empty());
            });
        }
    }

    /// Why the project is not a valid schema, if it is not.
    pub fn valid(&self) -> std::result::Result<(), String> {
        // Acyclic imports.
        let imports: Vec<Vec<usize>> = (0..self.files.len()).map(|f| self.imports(f).0).collect();
        fn cyclic(f: usize, imports: &[Vec<usize>], state: &mut [u8]) -> bool {
            match state[f] {
                1 => return true,
                2 => return false,
                _ => {}
            }
            state[f] = 1;
            for g in &imports[f] {
                if cyclic(*g, imports, state) {
                    return true;
                }
            }
            state[f] = 2;
            false
        }
        let mut state = vec![0; self.files.len()];
        for f in 0..self.files.len() {
            if cyclic(f, &imports, &mut state) {
                return Err("import cycle".into());
            }
        }
        // Lite files and the others do not import each other.
        let lite = |f: usize| {
            self.files[f]
                .options
                .iter()
                .any(|(name, value)| *name == "optimize_for" && value == "LITE_RUNTIME")
        };
        for (f, imported) in imports.iter().enumerate() {
            if imported.iter().any(|g| lite(f) != lite(*g)) {
                return Err("lite and non-lite files import each other".into());
            }
        }
        let types = self.types();
        let kind = |name: &str| {
            types
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, f, e)| (*f, *e))
        };
        let mut paths: Vec<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        if paths.windows(2).any(|w| w[0] == w[1]) {
            return Err("duplicate path".into());
        }
        for file in &self.files {
            let proto3 = file.proto3;
            let check_field = |field: &Fld, extension: bool| -> std::result::Result<(), String> {
                for name in type_refs(&field.ty) {
                    match kind(name) {
                        None => return Err(format!("{name} unresolved")),
                        Some((g, true)) if proto3 && !self.files[g].proto3 => {
                            return Err(format!("closed enum {name} in proto3"));
                        }
                        _ => {}
                    }
                }
                match (field.label, proto3) {
                    (Lbl::Implicit, false) | (Lbl::Required, true) => return Err("label".into()),
                    (Lbl::Required, _) if extension => return Err("required extension".into()),
                    _ => {}
                }
                if field.oneof.is_some()
                    && (field.label != Lbl::Optional || matches!(field.ty, Ty::Map(..)))
                {
                    return Err("oneof member".into());
                }
                if matches!(field.ty, Ty::Group(_)) && proto3 {
                    return Err("group in proto3".into());
                }
                if matches!(field.ty, Ty::Map(..)) && (field.label != Lbl::Repeated || extension) {
                    return Err("map label".into());
                }
                let scalar = match field.ty {
                    Ty::Scalar(s) => Some(s),
                    _ => None,
                };
                if field.jstype.is_some() && !scalar.is_some_and(|s| SIXTY_FOUR.contains(&s)) {
                    return Err("jstype".into());
                }
                if field.ctype.is_some() && !scalar.is_some_and(|s| s == "string" || s == "bytes") {
                    return Err("ctype".into());
                }
                if field.packed.is_some()
                    && (field.label != Lbl::Repeated
                        || matches!(field.ty, Ty::Map(..) | Ty::Group(_))
                        || matches!(scalar, Some("string" | "bytes"))
                        || matches!(&field.ty, Ty::Named(n) if kind(n).is_some_and(|(_, e)| !e)))
                {
                    return Err("packed".into());
                }
                if extension && field.json_name.is_some() {
                    return Err("json_name on extension".into());
                }
                if let Some(default) = &field.default {
                    if proto3 || field.label == Lbl::Repeated {
                        return Err("default".into());
                    }
                    match (&field.ty, scalar) {
                        (_, Some(s)) => {
                            let string = default.starts_with('"');
                            if string != matches!(s, "string" | "bytes") {
                                return Err("default type".into());
                            }
                            if (s == "bool") != matches!(default.as_str(), "true" | "false") {
                                return Err("default bool".into());
                            }
                            if (default.contains('.') || default == "inf")
                                && !matches!(s, "double" | "float")
                            {
                                return Err("default float".into());
                            }
                            if default.starts_with('-')
                                && (s.starts_with('u') || s.starts_with("fixed"))
                            {
                                return Err("default sign".into());
                            }
                        }
                        (Ty::Named(name), None) => {
                            let Some(e) = self.enum_by_name(name) else {
                                return Err("default on message".into());
                            };
                            if !e
                                .values
                                .iter()
                                .any(|(s, _)| format!("{}_{s}", e.name) == *default)
                            {
                                return Err("default value".into());
                            }
                        }
                        _ => return Err("default".into()),
                    }
                }
                if let Some((option, _)) = &field.custom
                    && !self.custom_options().contains(option)
                {
                    return Err("custom option".into());
                }
                Ok(())
            };
            let check_extend = |extend: &Extend| -> std::result::Result<(), String> {
                if extend.extendee.starts_with("google.") {
                    return Ok(());
                }
                if proto3 {
                    return Err("proto3 extends a message".into());
                }
                match kind(&extend.extendee) {
                    Some((_, false)) => Ok(()),
                    _ => Err("extendee".into()),
                }
            };
            for extend in &file.extends {
                check_extend(extend)?;
                for field in &extend.fields {
                    check_field(field, true)?;
                }
            }
            let mut result = Ok(());
            each_message(&file.messages, &mut |m| {
                if result.is_err() {
                    return;
                }
                result = (|| {
                    let mut numbers: Vec<i32> = m.fields.iter().map(|f| f.number).collect();
                    numbers.sort_unstable();
                    if numbers.windows(2).any(|w| w[0] == w[1]) {
                        return Err("duplicate number".to_owned());
                    }
                    for field in &m.fields {
                        check_field(field, false)?;
                        let n = field.number;
                        if m.reserved
                            .iter()
                            .chain(&m.extension_ranges)
                            .any(|(s, e)| (*s..=*e).contains(&n))
                        {
                            return Err("number reserved".to_owned());
                        }
                        if m.reserved_names.contains(&field.name) {
                            return Err("name reserved".to_owned());
                        }
                    }
                    if proto3 && !m.extension_ranges.is_empty() {
                        return Err("proto3 extension range".to_owned());
                    }
                    let mut ranges: Vec<(i32, i32)> = m
                        .reserved
                        .iter()
                        .chain(&m.extension_ranges)
                        .copied()
                        .collect();
                    ranges.sort_unstable();
                    if ranges.windows(2).any(|w| w[1].0 <= w[0].1) {
                        return Err("overlapping ranges".to_owned());
                    }
                    for extend in &m.extends {
                        check_extend(extend)?;
                        for field in &extend.fields {
                            check_field(field, true)?;
                        }
                    }
                    for e in &m.enums {
                        check_enum(e)?;
                    }
                    Ok(())
                })();
            });
            result?;
            for e in &file.enums {
                check_enum(e)?;
            }
            for service in &file.services {
                for rpc in &service.rpcs {
                    for name in [&rpc.input, &rpc.output] {
                        if kind(name).is_none_or(|(_, e)| e) {
                            return Err("rpc type".into());
                        }
                    }
                }
            }
        }
        // Extension numbers are unique per extendee.
        let mut keys = Vec::new();
        self.each_extend(&mut |extend| {
            keys.extend(
                extend
                    .fields
                    .iter()
                    .map(|f| (extend.extendee.clone(), f.number)),
            );
        });
        keys.sort();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err("duplicate extension".into());
        }
        Ok(())
    }
}

fn check_enum(e: &Enm) -> std::result::Result<(), String> {
    if e.values.first().is_none_or(|(_, n)| *n != 0) {
        return Err("enum first value".into());
    }
    let mut numbers: Vec<i32> = e.values.iter().map(|(_, n)| *n).collect();
    numbers.sort_unstable();
    let aliased = numbers.windows(2).any(|w| w[0] == w[1]);
    if aliased != e.allow_alias {
        return Err("alias".into());
    }
    for (suffix, n) in &e.values {
        if e.reserved.iter().any(|(s, end)| (*s..=*end).contains(n)) {
            return Err("enum number reserved".into());
        }
        if e.reserved_names.contains(&format!("{}_{suffix}", e.name)) {
            return Err("enum name reserved".into());
        }
    }
    let mut ranges = e.reserved.clone();
    ranges.sort_unstable();
    if ranges.windows(2).any(|w| w[1].0 <= w[0].1) {
        return Err("overlapping enum ranges".into());
    }
    Ok(())
}

// ------------------------------------------------------------------ edits

/// Where an enum is: a file, the chain of its enclosing messages, its index.
#[derive(Clone, Debug)]
pub struct EnumAt {
    pub file: usize,
    pub chain: Vec<usize>,
    pub index: usize,
}

impl Project {
    fn enum_places(&self) -> Vec<EnumAt> {
        let mut out = Vec::new();
        for (f, file) in self.files.iter().enumerate() {
            for index in 0..file.enums.len() {
                out.push(EnumAt {
                    file: f,
                    chain: Vec::new(),
                    index,
                });
            }
        }
        for at in self.message_places() {
            for index in 0..self.message(&at).enums.len() {
                out.push(EnumAt {
                    file: at.file,
                    chain: at.chain.clone(),
                    index,
                });
            }
        }
        out
    }

    fn enums_mut(&mut self, file: usize, chain: &[usize]) -> &mut Vec<Enm> {
        if chain.is_empty() {
            &mut self.files[file].enums
        } else {
            &mut self
                .message_mut(&MsgAt {
                    file,
                    chain: chain.to_vec(),
                })
                .enums
        }
    }

    fn enum_full_name(&self, at: &EnumAt) -> String {
        let prefix = if at.chain.is_empty() {
            self.files[at.file].package.clone()
        } else {
            self.full_name(&MsgAt {
                file: at.file,
                chain: at.chain.clone(),
            })
        };
        let e = if at.chain.is_empty() {
            &self.files[at.file].enums[at.index]
        } else {
            &self
                .message(&MsgAt {
                    file: at.file,
                    chain: at.chain.clone(),
                })
                .enums[at.index]
        };
        format!("{prefix}.{}", e.name)
    }

    /// Every message field (not groups' inner ones).
    fn field_places(&self) -> Vec<(MsgAt, usize)> {
        self.message_places()
            .into_iter()
            .flat_map(|at| (0..self.message(&at).fields.len()).map(move |i| (at.clone(), i)))
            .collect()
    }

    /// Every extension field: a file, the message chain of its extend block
    /// (empty at top level), the block and the field.
    fn extension_places(&self) -> Vec<(usize, Vec<usize>, usize, usize)> {
        let mut out = Vec::new();
        for (f, file) in self.files.iter().enumerate() {
            for (b, extend) in file.extends.iter().enumerate() {
                for i in 0..extend.fields.len() {
                    out.push((f, Vec::new(), b, i));
                }
            }
        }
        for at in self.message_places() {
            for (b, extend) in self.message(&at).extends.iter().enumerate() {
                for i in 0..extend.fields.len() {
                    out.push((at.file, at.chain.clone(), b, i));
                }
            }
        }
        out
    }

    fn extends_mut(&mut self, file: usize, chain: &[usize]) -> &mut Vec<Extend> {
        if chain.is_empty() {
            &mut self.files[file].extends
        } else {
            &mut self
                .message_mut(&MsgAt {
                    file,
                    chain: chain.to_vec(),
                })
                .extends
        }
    }

    /// A new empty file in `package`.
    fn new_file(&mut self, rng: &mut Rng, package: String) -> usize {
        let name = self.fresh("n");
        let path = format!("c{}/{name}.proto", self.case);
        self.files.push(PFile {
            path,
            package,
            proto3: rng.chance(50),
            options: Vec::new(),
            messages: Vec::new(),
            enums: Vec::new(),
            services: Vec::new(),
            extends: Vec::new(),
        });
        self.files.len() - 1
    }

    /// Applies an edit of kind `kind` somewhere it applies and keeps the
    /// project valid; false when nothing was changed.
    pub fn edit(&mut self, rng: &mut Rng, kind: Edit) -> bool {
        let before = self.clone();
        let applied = self.apply(rng, kind);
        if applied && self.valid().is_ok() {
            return true;
        }
        *self = before;
        false
    }

    fn apply(&mut self, rng: &mut Rng, kind: Edit) -> bool {
        match kind {
            Edit::DeleteFile => {
                if self.files.len() < 2 {
                    return false;
                }
                self.files.remove(rng.below(self.files.len()));
                self.drop_dangling();
            }
            Edit::MoveTypeToFile | Edit::MoveTypeToPackage => {
                let f = rng.below(self.files.len());
                let package = self.files[f].package.clone();
                let candidates: Vec<usize> = (0..self.files.len())
                    .filter(|g| {
                        *g != f
                            && (self.files[*g].package == package) == (kind == Edit::MoveTypeToFile)
                    })
                    .collect();
                let g = if candidates.is_empty() || rng.chance(25) {
                    let target = if kind == Edit::MoveTypeToFile {
                        package.clone()
                    } else {
                        let name = self.fresh("q");
                        format!("c{}.{name}", self.case)
                    };
                    self.new_file(rng, target)
                } else {
                    candidates[rng.below(candidates.len())]
                };
                let target = self.files[g].package.clone();
                let file = &mut self.files[f];
                let what = rng.below(3);
                let (old, new) = match what {
                    0 if !file.messages.is_empty() => {
                        let m = file.messages.remove(rng.below(file.messages.len()));
                        let names = (
                            format!("{package}.{}", m.name),
                            format!("{target}.{}", m.name),
                        );
                        self.files[g].messages.push(m);
                        names
                    }
                    1 if !file.enums.is_empty() => {
                        let e = file.enums.remove(rng.below(file.enums.len()));
                        let names = (
                            format!("{package}.{}", e.name),
                            format!("{target}.{}", e.name),
                        );
                        self.files[g].enums.push(e);
                        names
                    }
                    _ if !file.services.is_empty() => {
                        let s = file.services.remove(rng.below(file.services.len()));
                        self.files[g].services.push(s);
                        return true;
                    }
                    _ => return false,
                };
                self.rename_refs(&old, &new);
            }
            Edit::ChangePackage => {
                let f = rng.below(self.files.len());
                let others: Vec<String> = self.files.iter().map(|f| f.package.clone()).collect();
                let new = if rng.chance(50) {
                    others[rng.below(others.len())].clone()
                } else {
                    let name = self.fresh("q");
                    format!("c{}.{name}", self.case)
                };
                let old = std::mem::replace(&mut self.files[f].package, new.clone());
                let file = &self.files[f];
                let mut names: Vec<String> = file.messages.iter().map(|m| m.name.clone()).collect();
                names.extend(file.enums.iter().map(|e| e.name.clone()));
                names.extend(
                    file.extends
                        .iter()
                        .flat_map(|e| e.fields.iter().map(|x| x.name.clone())),
                );
                for name in names {
                    self.rename_refs(&format!("{old}.{name}"), &format!("{new}.{name}"));
                }
            }
            Edit::FlipSyntax => {
                let f = rng.below(self.files.len());
                let proto3 = !self.files[f].proto3;
                let file = &mut self.files[f];
                file.proto3 = proto3;
                let normalise = |field: &mut Fld| {
                    match (field.label, proto3) {
                        (Lbl::Implicit, false) => field.label = Lbl::Optional,
                        (Lbl::Required, true) => field.label = Lbl::Optional,
                        _ => {}
                    }
                    if proto3 {
                        field.default = None;
                    }
                };
                for extend in &mut file.extends {
                    extend.fields.iter_mut().for_each(normalise);
                }
                each_message_mut(&mut file.messages, &mut |m| {
                    if proto3 {
                        m.fields.retain(|f| !matches!(f.ty, Ty::Group(_)));
                        m.extension_ranges.clear();
                    }
                    m.fields.iter_mut().for_each(normalise);
                    for extend in &mut m.extends {
                        extend.fields.iter_mut().for_each(normalise);
                    }
                });
                self.drop_dangling();
            }
            Edit::FileOption => {
                let f = rng.below(self.files.len());
                let file = &mut self.files[f];
                let (name, values) = FILE_OPTIONS[rng.below(FILE_OPTIONS.len())];
                match file.options.iter().position(|(n, _)| *n == name) {
                    Some(i) if rng.chance(40) => {
                        file.options.remove(i);
                    }
                    Some(i) => file.options[i].1 = rng.pick(values).to_owned(),
                    None => file.options.push((name, rng.pick(values).to_owned())),
                }
            }
            Edit::DeleteMessage => {
                let places = self.message_places();
                if places.is_empty() {
                    return false;
                }
                let at = places[rng.below(places.len())].clone();
                let (last, chain) = at.chain.split_last().expect("a message");
                if chain.is_empty() {
                    self.files[at.file].messages.remove(*last);
                } else {
                    self.message_mut(&MsgAt {
                        file: at.file,
                        chain: chain.to_vec(),
                    })
                    .nested
                    .remove(*last);
                }
                self.drop_dangling();
            }
            Edit::DeleteEnum => {
                let places = self.enum_places();
                if places.is_empty() {
                    return false;
                }
                let at = places[rng.below(places.len())].clone();
                self.enums_mut(at.file, &at.chain).remove(at.index);
                self.drop_dangling();
            }
            Edit::DeleteService => {
                let f = rng.below(self.files.len());
                let file = &mut self.files[f];
                if file.services.is_empty() {
                    return false;
                }
                file.services.remove(rng.below(file.services.len()));
            }
            Edit::UnnestType => {
                let places: Vec<MsgAt> = self
                    .message_places()
                    .into_iter()
                    .filter(|at| at.chain.len() > 1)
                    .collect();
                if places.is_empty() {
                    return false;
                }
                let at = places[rng.below(places.len())].clone();
                let old = self.full_name(&at);
                let (last, chain) = at.chain.split_last().expect("nested");
                let m = self
                    .message_mut(&MsgAt {
                        file: at.file,
                        chain: chain.to_vec(),
                    })
                    .nested
                    .remove(*last);
                let new = format!("{}.{}", self.files[at.file].package, m.name);
                self.files[at.file].messages.push(m);
                self.rename_refs(&old, &new);
            }
            Edit::DeleteField | Edit::DeleteFieldReserving => {
                let places = self.field_places();
                if places.is_empty() {
                    return false;
                }
                let (at, i) = places[rng.below(places.len())].clone();
                let m = self.message_mut(&at);
                let field = m.fields.remove(i);
                if kind == Edit::DeleteFieldReserving {
                    if rng.chance(70) {
                        m.reserved.push((field.number, field.number));
                    }
                    if rng.chance(50) {
                        m.reserved_names.push(field.name);
                    }
                }
            }
            Edit::RenumberField => {
                let places = self.field_places();
                if places.is_empty() {
                    return false;
                }
                let (at, i) = places[rng.below(places.len())].clone();
                let Some(n) = self.free_number(rng, self.message(&at)) else {
                    return false;
                };
                self.message_mut(&at).fields[i].number = n;
            }
            Edit::RenameField => {
                let places = self.field_places();
                if places.is_empty() {
                    return false;
                }
                let (at, i) = places[rng.below(places.len())].clone();
                let name = self.fresh("f");
                let field = &mut self.message_mut(&at).fields[i];
                match &mut field.ty {
                    Ty::Group(group) => {
                        group.name = name.replace('f', "G");
                        field.name = group.name.to_lowercase();
                    }
                    _ => field.name = name,
                }
            }
            Edit::RetypeField => {
                let places = self.field_places();
                if places.is_empty() {
                    return false;
                }
                let (at, i) = places[rng.below(places.len())].clone();
                let in_oneof = self.message(&at).fields[i].oneof.is_some();
                let ty = self.draw_type(rng, at.file, !in_oneof, true);
                let field = &mut self.message_mut(&at).fields[i];
                if matches!(ty, Ty::Map(..)) {
                    field.label = Lbl::Repeated;
                } else if matches!(field.ty, Ty::Map(..)) {
                    field.label = Lbl::Optional;
                }
                if let Ty::Group(group) = &ty {
                    field.name = group.name.to_lowercase();
                }
                field.ty = ty;
                field.default = None;
                if !matches!(field.ty, Ty::Scalar(_)) {
                    field.jstype = None;
                    field.ctype = None;
                    field.packed = None;
                }
            }
            Edit::RelabelField => {
                let places = self.field_places();
                if places.is_empty() {
                    return false;
                }
                let (at, i) = places[rng.below(places.len())].clone();
                let label = rng.pick(&[Lbl::Implicit, Lbl::Optional, Lbl::Repeated, Lbl::Required]);
                let field = &mut self.message_mut(&at).fields[i];
                field.label = label;
                if label == Lbl::Repeated {
                    field.default = None;
                } else {
                    field.packed = None;
                }
            }
            Edit::FieldOneof => {
                let places = self.field_places();
                if places.is_empty() {
                    return false;
                }
                let (at, i) = places[rng.below(places.len())].clone();
                let fresh = self.fresh("o");
                let m = self.message_mut(&at);
                let oneofs: Vec<String> = m.fields.iter().filter_map(|f| f.oneof.clone()).collect();
                let field = &mut m.fields[i];
                field.oneof = match &field.oneof {
                    Some(_) if rng.chance(50) => None,
                    _ if !oneofs.is_empty() && rng.chance(60) => {
                        Some(oneofs[rng.below(oneofs.len())].clone())
                    }
                    _ => Some(fresh),
                };
                field.label = Lbl::Optional;
                field.packed = None;
            }
            Edit::FieldOption => {
                let places = self.field_places();
                if places.is_empty() {
                    return false;
                }
                let (at, i) = places[rng.below(places.len())].clone();
                let mut field = self.message(&at).fields[i].clone();
                self.change_field_option(rng, at.file, &mut field, false);
                self.message_mut(&at).fields[i] = field;
            }
            Edit::DeleteOneof => {
                let places = self.message_places();
                let with: Vec<MsgAt> = places
                    .into_iter()
                    .filter(|at| self.message(at).fields.iter().any(|f| f.oneof.is_some()))
                    .collect();
                if with.is_empty() {
                    return false;
                }
                let at = with[rng.below(with.len())].clone();
                let proto3 = self.files[at.file].proto3;
                let m = self.message_mut(&at);
                let oneof = m.fields.iter().find_map(|f| f.oneof.clone());
                let rename = rng.chance(30);
                let fresh = format!("{}_renamed", oneof.clone().unwrap_or_default());
                for field in m.fields.iter_mut().filter(|f| f.oneof == oneof) {
                    if rename {
                        field.oneof = Some(fresh.clone());
                    } else {
                        field.oneof = None;
                        if proto3 && rng.chance(50) {
                            field.label = Lbl::Implicit;
                        }
                    }
                }
            }
            Edit::ReservedRange | Edit::ReservedName | Edit::ExtensionRange => {
                let places = self.message_places();
                if places.is_empty() {
                    return false;
                }
                let at = places[rng.below(places.len())].clone();
                let m = self.message_mut(&at);
                match kind {
                    Edit::ReservedRange => edit_ranges(rng, &mut m.reserved, (61, 80), 536_870_911),
                    Edit::ReservedName => {
                        if !m.reserved_names.is_empty() && rng.chance(70) {
                            let i = rng.below(m.reserved_names.len());
                            m.reserved_names.remove(i);
                        } else {
                            m.reserved_names.push(format!("r{}", rng.below(1000)));
                        }
                    }
                    _ => {
                        edit_ranges(rng, &mut m.extension_ranges, (100, 499), 536_870_911);
                        self.drop_dangling();
                    }
                }
            }
            Edit::MessageOption => {
                let places = self.message_places();
                if places.is_empty() {
                    return false;
                }
                let at = places[rng.below(places.len())].clone();
                let m = self.message_mut(&at);
                m.no_standard_descriptor_accessor = match m.no_standard_descriptor_accessor {
                    None => Some(true),
                    Some(true) => Some(false),
                    Some(false) => None,
                };
            }
            Edit::DeleteEnumValue
            | Edit::RenameEnumValue
            | Edit::RenumberEnumValue
            | Edit::AliasEnumValue
            | Edit::EnumReserved => {
                let places = self.enum_places();
                if places.is_empty() {
                    return false;
                }
                let at = places[rng.below(places.len())].clone();
                let fresh = self.fresh("V");
                let e = &mut self.enums_mut(at.file, &at.chain)[at.index];
                let i = 1 + rng.below(e.values.len().saturating_sub(1));
                match kind {
                    Edit::DeleteEnumValue if e.values.len() > 1 => {
                        let (suffix, number) = e.values.remove(i);
                        if rng.chance(30) {
                            e.reserved.push((number, number));
                        }
                        if rng.chance(30) {
                            e.reserved_names.push(format!("{}_{suffix}", e.name));
                        }
                        let mut numbers: Vec<i32> = e.values.iter().map(|(_, n)| *n).collect();
                        numbers.sort_unstable();
                        if e.allow_alias && !numbers.windows(2).any(|w| w[0] == w[1]) {
                            e.allow_alias = false;
                        }
                    }
                    Edit::RenameEnumValue => {
                        let i = rng.below(e.values.len());
                        e.values[i].0 = fresh;
                    }
                    Edit::RenumberEnumValue if e.values.len() > 1 => {
                        e.values[i].1 = rng.range(-3, 45);
                        let mut numbers: Vec<i32> = e.values.iter().map(|(_, n)| *n).collect();
                        numbers.sort_unstable();
                        e.allow_alias = numbers.windows(2).any(|w| w[0] == w[1]);
                    }
                    Edit::AliasEnumValue => {
                        let number = e.values[rng.below(e.values.len())].1;
                        e.values.push((fresh, number));
                        e.allow_alias = true;
                    }
                    Edit::EnumReserved => {
                        if !e.reserved_names.is_empty() && rng.chance(30) {
                            let i = rng.below(e.reserved_names.len());
                            e.reserved_names.remove(i);
                        } else {
                            edit_ranges(rng, &mut e.reserved, (46, 60), i32::MAX);
                        }
                    }
                    _ => return false,
                }
                // Defaults naming a value that is gone are gone too.
                let name = self.enum_full_name(&at);
                let values: Vec<String> = {
                    let e = &self.enums_mut(at.file, &at.chain)[at.index];
                    e.values
                        .iter()
                        .map(|(s, _)| format!("{}_{s}", e.name))
                        .collect()
                };
                self.each_fields_mut(&mut |fields, _| {
                    for field in fields {
                        if matches!(&field.ty, Ty::Named(n) if *n == name)
                            && field.default.as_ref().is_some_and(|d| !values.contains(d))
                        {
                            field.default = None;
                        }
                    }
                });
            }
            Edit::DeleteRpc
            | Edit::RenameRpc
            | Edit::RetypeRpc
            | Edit::StreamRpc
            | Edit::RpcIdempotency => {
                let places: Vec<(usize, usize)> = (0..self.files.len())
                    .flat_map(|f| (0..self.files[f].services.len()).map(move |s| (f, s)))
                    .filter(|(f, s)| !self.files[*f].services[*s].rpcs.is_empty())
                    .collect();
                if places.is_empty() {
                    return false;
                }
                let (f, s) = places[rng.below(places.len())];
                let replacement = self.draw_rpc(rng, f);
                let service = &mut self.files[f].services[s];
                let r = rng.below(service.rpcs.len());
                let rpc = &mut service.rpcs[r];
                match kind {
                    Edit::DeleteRpc => {
                        service.rpcs.remove(r);
                    }
                    Edit::RenameRpc => {
                        rpc.name = replacement.map_or_else(|| "Renamed".into(), |r| r.name)
                    }
                    Edit::RetypeRpc => {
                        let Some(other) = replacement else {
                            return false;
                        };
                        if rng.chance(50) {
                            rpc.input = other.input;
                        } else {
                            rpc.output = other.output;
                        }
                    }
                    Edit::StreamRpc => {
                        if rng.chance(50) {
                            rpc.client_streaming = !rpc.client_streaming;
                        } else {
                            rpc.server_streaming = !rpc.server_streaming;
                        }
                    }
                    _ => {
                        rpc.idempotency = rng.chance(70).then(|| {
                            rng.pick(&["IDEMPOTENCY_UNKNOWN", "NO_SIDE_EFFECTS", "IDEMPOTENT"])
                        });
                    }
                }
            }
            Edit::DeleteExtension | Edit::ChangeExtension => {
                let places = self.extension_places();
                if places.is_empty() {
                    return false;
                }
                let (f, chain, b, i) = places[rng.below(places.len())].clone();
                if kind == Edit::DeleteExtension {
                    let extends = self.extends_mut(f, &chain);
                    if rng.chance(30) {
                        extends.remove(b);
                    } else {
                        extends[b].fields.remove(i);
                        if extends[b].fields.is_empty() {
                            extends.remove(b);
                        }
                    }
                    self.drop_dangling();
                } else {
                    let mut field = self.extends_mut(f, &chain)[b].fields[i].clone();
                    let custom = self.extends_mut(f, &chain)[b]
                        .extendee
                        .starts_with("google.");
                    match rng.below(5) {
                        0 => field.name = self.fresh("x"),
                        1 if !custom => {
                            field.ty = self.draw_type(rng, f, false, false);
                            field.default = None;
                            field.jstype = None;
                            field.ctype = None;
                            field.packed = None;
                        }
                        2 => {
                            field.label = match (field.label, self.files[f].proto3) {
                                (Lbl::Repeated, true) => Lbl::Implicit,
                                (Lbl::Repeated, false) => Lbl::Optional,
                                _ => Lbl::Repeated,
                            };
                            field.default = None;
                            field.packed = None;
                        }
                        _ => self.change_field_option(rng, f, &mut field, true),
                    }
                    let old_name = self.extends_mut(f, &chain)[b].fields[i].name.clone();
                    let old = format!("{}.{old_name}", self.files[f].package);
                    let new = format!("{}.{}", self.files[f].package, field.name);
                    self.extends_mut(f, &chain)[b].fields[i] = field;
                    if chain.is_empty() {
                        self.rename_refs(&old, &new);
                    }
                    self.drop_dangling();
                }
            }
            Edit::Add => match rng.below(5) {
                0 => {
                    let places = self.message_places();
                    if places.is_empty() {
                        return false;
                    }
                    let at = places[rng.below(places.len())].clone();
                    self.add_field(rng, &at);
                }
                1 => {
                    let f = rng.below(self.files.len());
                    let m = self.draw_message(rng, f, 1);
                    self.files[f].messages.push(m);
                }
                2 => {
                    let f = rng.below(self.files.len());
                    let e = self.draw_enum(rng, self.files[f].proto3);
                    self.files[f].enums.push(e);
                }
                3 => {
                    let f = rng.below(self.files.len());
                    let places: Vec<MsgAt> = self
                        .message_places()
                        .into_iter()
                        .filter(|at| at.file == f)
                        .collect();
                    let at = (!places.is_empty() && rng.chance(50))
                        .then(|| places[rng.below(places.len())].clone());
                    self.add_extend(rng, f, at);
                }
                _ => {
                    let f = rng.below(self.files.len());
                    let Some(rpc) = self.draw_rpc(rng, f) else {
                        return false;
                    };
                    match self.files[f].services.first_mut() {
                        Some(service) => service.rpcs.push(rpc),
                        None => {
                            let name = self.fresh("S");
                            self.files[f].services.push(Svc {
                                name,
                                rpcs: vec![rpc],
                            });
                        }
                    }
                }
            },
        }
        true
    }

    /// Changes one option of a field: json_name, jstype, ctype, default,
    /// packed, deprecated, a custom option, or how they are written.
    fn change_field_option(&mut self, rng: &mut Rng, f: usize, field: &mut Fld, extension: bool) {
        match rng.below(8) {
            0 if !extension => {
                field.json_name = match field.json_name {
                    Some(_) if rng.chance(40) => None,
                    _ => Some(self.fresh("j")),
                }
            }
            1 => {
                field.jstype = match field.jstype {
                    Some(_) if rng.chance(40) => None,
                    _ => Some(rng.pick(&["JS_NORMAL", "JS_STRING", "JS_NUMBER"])),
                }
            }
            2 => {
                field.ctype = match field.ctype {
                    Some(_) if rng.chance(40) => None,
                    _ => Some(rng.pick(&["STRING", "CORD", "STRING_PIECE"])),
                }
            }
            3 => {
                let scalar = match field.ty {
                    Ty::Scalar(s) => Some(s),
                    _ => None,
                };
                field.default = match (&field.default, scalar) {
                    (Some(_), _) if rng.chance(40) => None,
                    (_, Some(s)) => default_for(rng, s),
                    _ => match &field.ty {
                        Ty::Named(name) => self.enum_by_name(name).map(|e| {
                            let (suffix, _) = &e.values[rng.below(e.values.len())];
                            format!("{}_{suffix}", e.name)
                        }),
                        _ => None,
                    },
                }
            }
            4 => {
                field.packed = match field.packed {
                    Some(_) if rng.chance(40) => None,
                    _ => Some(rng.chance(50)),
                }
            }
            5 => field.deprecated = !field.deprecated,
            6 => {
                let options = self.custom_options();
                field.custom = match &field.custom {
                    Some(_) if rng.chance(40) => None,
                    _ if !options.is_empty() => Some((
                        options[rng.below(options.len())].clone(),
                        format!("\"v{}\"", rng.below(3)),
                    )),
                    _ => None,
                }
            }
            _ => field.style = rng.below(4) as u8,
        }
        let _ = f;
    }
}

/// Deletes, shrinks, grows or adds an inclusive range (new ones drawn in
/// `fresh`, or up to `max`).
fn edit_ranges(rng: &mut Rng, ranges: &mut Vec<(i32, i32)>, fresh: (i32, i32), max: i32) {
    if ranges.is_empty() || rng.chance(25) {
        if rng.chance(25) {
            ranges.push((fresh.1 + 900, max));
        } else {
            let start = rng.range(fresh.0, fresh.1);
            ranges.push((start, (start + rng.range(0, 5)).min(fresh.1)));
        }
        return;
    }
    let i = rng.below(ranges.len());
    let (start, end) = ranges[i];
    match rng.below(4) {
        0 => {
            ranges.remove(i);
        }
        1 if end > start => ranges[i].1 = end - 1,
        2 if end > start => ranges[i].0 = start + 1,
        _ if end > start && end != max => {
            // Split in two, dropping one value.
            let middle = start + (end - start) / 2;
            ranges[i].1 = middle - 1;
            ranges.push((middle + 1, end));
            ranges.retain(|(s, e)| s <= e);
        }
        _ => {
            ranges.remove(i);
        }
    }
}
