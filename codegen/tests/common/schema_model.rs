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
