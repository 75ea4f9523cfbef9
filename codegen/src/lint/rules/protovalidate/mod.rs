//! PROTOVALIDATE: buf checks the `buf.validate` rules a schema puts on its
//! fields, extensions and messages (rule type against field type,
//! contradicting bounds, `required` and `ignore` together, rules that
//! cannot hold, CEL expressions, `oneof` entries of message rules,
//! predefined rules, `example` values, patterns), with buf 1.75's
//! messages, each at the place in the option buf points to.
//!
//! The option values are read through the schema's prost-reflect pool,
//! which types them as `buf/validate/validate.proto` declares. CEL is parsed and type-checked by
//! `cel`, examples are evaluated by `examples`, patterns parsed as Go's
//! regexp parses them by `go_regexp`. What protoforge cannot decide as buf
//! does stops the lint with an error naming the element and how to except
//! the rule, never a silent pass (each module says which corners).

use std::cmp::Ordering;

use prost_reflect::{
    DescriptorPool, DynamicMessage, ExtensionDescriptor, FieldDescriptor, Kind, MessageDescriptor,
    OneofDescriptor, ReflectMessage, Value,
};

use super::{Categories, Check, Report, Rule};
use expressions::Owner;

mod cel;
mod examples;
mod expressions;
mod go_regexp;
use crate::compat::Span;
use crate::lint::elements::{FIELD_OPTIONS, FileView, Module};

pub(super) static RULES: &[Rule] = &[Rule {
    id: "PROTOVALIDATE",
    purpose: "Checks that protovalidate rules are valid and all CEL expressions compile.",
    categories: Categories {
        v1beta1: None,
        v1: Some(&["DEFAULT", "STANDARD"]),
        v2: Some(&["DEFAULT", "STANDARD"]),
    },
    deprecated: false,
    check: Check::Fallible(protovalidate),
}];

const VALIDATE_FILE: &str = "buf/validate/validate.proto";
/// The number of the `buf.validate.field`, `.message` and `.oneof`
/// extensions.
const RULES_EXTENSION: i32 = 1159;
/// The number of the `buf.validate.predefined` extension.
const PREDEFINED_EXTENSION: i32 = 1160;
/// `DescriptorProto.options`.
const MESSAGE_OPTIONS: i32 = 7;
// Field numbers of buf.validate.FieldRules.
const REQUIRED: u32 = 25;
const IGNORE: u32 = 27;
const IGNORE_IF_ZERO_VALUE: i32 = 1;
const IGNORE_ALWAYS: i32 = 3;

/// Checks every field of the module's own files, or says what it cannot
/// check.
fn protovalidate(module: &Module<'_>, report: &mut Report<'_>) -> Result<(), String> {
    if !module.by_name.contains_key(VALIDATE_FILE) {
        return Ok(());
    }
    let pool = module.schema.descriptor_pool().ok_or_else(|| {
        format!(
            "PROTOVALIDATE: the input imports {VALIDATE_FILE} but its option values cannot be \
             read back; add PROTOVALIDATE to the lint `except` list to lint the rest"
        )
    })?;
    let Some(extensions) = Extensions::of(&pool) else {
        return Ok(());
    };
    for file in &module.files {
        let Some(descriptor) = pool.get_file_by_name(file.name()) else {
            continue;
        };
        let mut checker = Checker {
            file,
            report,
            extensions: &extensions,
            pool: &pool,
        };
        for extension in descriptor.extensions() {
            checker.extension(&extension)?;
        }
        for message in descriptor.messages() {
            checker.message(&message)?;
        }
    }
    Ok(())
}

/// The `buf.validate` extensions of options.
struct Extensions {
    field: ExtensionDescriptor,
    message: ExtensionDescriptor,
    oneof: ExtensionDescriptor,
    predefined: ExtensionDescriptor,
}

impl Extensions {
    fn of(pool: &DescriptorPool) -> Option<Extensions> {
        Some(Extensions {
            field: pool.get_extension_by_name("buf.validate.field")?,
            message: pool.get_extension_by_name("buf.validate.message")?,
            oneof: pool.get_extension_by_name("buf.validate.oneof")?,
            predefined: pool.get_extension_by_name("buf.validate.predefined")?,
        })
    }
}

/// The reason the lint stops at `what`.
fn cannot(file: &FileView<'_>, what: String) -> String {
    format!(
        "{}: {what}, which protoforge cannot check as buf's PROTOVALIDATE does yet; add \
         PROTOVALIDATE to the lint `except` list to lint the rest",
        file.name()
    )
}

struct Checker<'c, 'r, 'f> {
    file: &'c FileView<'f>,
    report: &'c mut Report<'r>,
    extensions: &'c Extensions,
    pool: &'c DescriptorPool,
}

impl Checker<'_, '_, '_> {
    /// The `(buf.validate.field)` rules of a field or an extension.
    fn rules_of(&mut self, field: Subject) -> Result<(), String> {
        let options = field.options();
        if !options.has_extension(&self.extensions.field) {
            return Ok(());
        }
        if let Value::Message(rules) = options.get_extension(&self.extensions.field).as_ref() {
            let mut path = field.path().to_vec();
            path.extend([FIELD_OPTIONS, RULES_EXTENSION]);
            let mut at = Place {
                checker: self,
                field: &field,
            };
            at.field_rules(
                &Target::Field(field.clone()),
                rules,
                path,
                "(buf.validate.field)",
            )?;
        }
        Ok(())
    }

    /// An extension: a field with rules, or a predefined rule (its
    /// expressions are checked with `this`, `rule` and `rules`).
    fn extension(&mut self, extension: &ExtensionDescriptor) -> Result<(), String> {
        let name = extension.full_name();
        self.rules_of(Subject::Extension(extension.clone()))?;
        if !extension
            .options()
            .has_extension(&self.extensions.predefined)
        {
            return Ok(());
        }
        let Value::Message(rules) = extension
            .options()
            .get_extension(&self.extensions.predefined)
            .into_owned()
        else {
            return Ok(());
        };
        const SHOWN: &str = "(buf.validate.predefined)";
        let cannot = |what: String| cannot(self.file, format!("extension {name:?} has {what}"));
        refuse_unknown(&rules).map_err(|what| cannot(format!("{SHOWN}{what}")))?;
        let extended = extension.containing_message();
        let env = predefined_this(&extended)
            .ok_or_else(|| format!("a predefined rule extending {}", extended.full_name()))
            .and_then(|this| {
                let rule = cel::kind_type(&extension.kind()).map_err(|cel::Undecided(w)| w)?;
                Ok(cel::Env {
                    this,
                    predefined: Some((
                        if extension.is_list() {
                            cel::Type::list(rule)
                        } else {
                            rule
                        },
                        cel::Type::Message(extended.full_name().to_owned()),
                    )),
                })
            });
        let mut path = extension.path().to_vec();
        path.extend([FIELD_OPTIONS, PREDEFINED_EXTENSION]);
        let owner = Owner {
            what: "extension field",
            name: None,
        };
        let findings =
            expressions::check(self.pool, &rules, &path, SHOWN, &owner, &env).map_err(cannot)?;
        for (at, text) in findings {
            let span = span_at(self.file, &at);
            self.report.add_at(self.file, extension.path(), span, text);
        }
        Ok(())
    }

    /// The `(buf.validate.message)` rules of `message`: its expressions and
    /// its `oneof` entries.
    fn message_rules(
        &mut self,
        message: &MessageDescriptor,
        rules: &DynamicMessage,
    ) -> Result<(), String> {
        const SHOWN: &str = "(buf.validate.message)";
        let name = message.name();
        let cannot = |what: String| cannot(self.file, format!("message {name:?} has {what}"));
        refuse_unknown(rules).map_err(|what| cannot(format!("{SHOWN}{what}")))?;
        let mut path = message.path().to_vec();
        path.extend([MESSAGE_OPTIONS, RULES_EXTENSION]);
        let env = cel::Env::of_this(cel::message_type(message));
        let owner = Owner {
            what: "message",
            name: Some(name),
        };
        let mut findings =
            expressions::check(self.pool, rules, &path, SHOWN, &owner, &env).map_err(cannot)?;
        findings.extend(oneof_entries(message, rules, &path));
        for (at, text) in findings {
            let span = span_at(self.file, &at);
            self.report.add_at(self.file, message.path(), span, text);
        }
        Ok(())
    }

    fn message(&mut self, message: &MessageDescriptor) -> Result<(), String> {
        if message.options().has_extension(&self.extensions.message)
            && let Value::Message(rules) = message
                .options()
                .get_extension(&self.extensions.message)
                .as_ref()
        {
            self.message_rules(message, rules)?;
        }
        for oneof in message.oneofs() {
            let options = oneof.options();
            if !options.has_extension(&self.extensions.oneof) {
                continue;
            }
            // `required` is OneofRules' only rule and has nothing to check.
            let rules = options.get_extension(&self.extensions.oneof);
            if let Value::Message(rules) = rules.as_ref()
                && (rules.fields().any(|(field, _)| field.name() != "required")
                    || rules.unknown_fields().next().is_some())
            {
                return Err(cannot(
                    self.file,
                    format!("oneof {:?} has rules beyond `required`", oneof.name()),
                ));
            }
        }
        for field in message.fields() {
            self.rules_of(Subject::Field(field))?;
        }
        for extension in message.extensions() {
            self.extension(&extension)?;
        }
        for nested in message.child_messages() {
            if !nested.is_map_entry() {
                self.message(&nested)?;
            }
        }
        Ok(())
    }
}

/// The `oneof` entries of `(buf.validate.message)` rules at `path`: each
/// names fields of the message, at least one, each once, and no field is
/// in two entries.
fn oneof_entries(
    message: &MessageDescriptor,
    rules: &DynamicMessage,
    path: &[i32],
) -> Vec<expressions::Finding> {
    let name = message.name();
    let Some(Value::List(entries)) = get(rules, "oneof") else {
        return Vec::new();
    };
    let number = number_of(rules, "oneof");
    let fields_of = |entry: &Value| -> Vec<String> {
        match entry {
            Value::Message(entry) => match get(entry, "fields") {
                Some(Value::List(fields)) => fields
                    .iter()
                    .filter_map(|f| f.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    };
    let all: Vec<Vec<String>> = entries.iter().map(fields_of).collect();
    let mut findings = Vec::new();
    for (index, fields) in all.iter().enumerate() {
        let at = crate::lint::elements::child(path, &[number, index as i32]);
        let mut add = |text: String| findings.push((at.clone(), text));
        if fields.is_empty() {
            add(format!(
                "Message {name:?} has a (buf.validate.message).oneof entry with no fields. Each \
                 oneof entry must specify at least one field."
            ));
        }
        for (position, field) in fields.iter().enumerate() {
            let first = fields.iter().position(|f| f == field) == Some(position);
            if !first {
                if fields.iter().filter(|f| *f == field).count() > 1
                    && fields.iter().rposition(|f| f == field) == Some(position)
                {
                    add(format!(
                        "Message {name:?} has a (buf.validate.message).oneof entry that \
                         references field {field:?} more than once. Duplicate field names are \
                         not permitted."
                    ));
                }
                continue;
            }
            if message.get_field_by_name(field).is_none() {
                add(format!(
                    "Message {name:?} has a (buf.validate.message).oneof entry that references \
                     field {field:?}, which is not defined in the message."
                ));
            }
            if all.iter().filter(|other| other.contains(field)).count() > 1 {
                add(format!(
                    "Message {name:?} references field {field:?} in more than one \
                     (buf.validate.message).oneof entry. A field may only appear in one oneof \
                     entry."
                ));
            }
        }
    }
    findings
}

/// What `(buf.validate.field)` rules are on: buf checks a field's and an
/// extension's alike.
#[derive(Clone)]
enum Subject {
    Field(FieldDescriptor),
    Extension(ExtensionDescriptor),
}

/// The same call on a field's and an extension's descriptor (their types
/// share the methods but no trait).
macro_rules! both {
    ($subject:expr, $bound:ident => $call:expr) => {
        match $subject {
            Subject::Field($bound) => $call,
            Subject::Extension($bound) => $call,
        }
    };
}

impl Subject {
    fn name(&self) -> &str {
        both!(self, subject => subject.name())
    }

    fn path(&self) -> &[i32] {
        both!(self, subject => subject.path())
    }

    fn options(&self) -> DynamicMessage {
        both!(self, subject => subject.options())
    }

    fn kind(&self) -> Kind {
        both!(self, subject => subject.kind())
    }

    fn is_list(&self) -> bool {
        both!(self, subject => subject.is_list())
    }

    fn is_map(&self) -> bool {
        both!(self, subject => subject.is_map())
    }

    fn supports_presence(&self) -> bool {
        both!(self, subject => subject.supports_presence())
    }

    fn containing_oneof(&self) -> Option<OneofDescriptor> {
        match self {
            Subject::Field(field) => field.containing_oneof(),
            Subject::Extension(_) => None,
        }
    }
}

/// What a set of rules applies to: a field, or the items, keys or values
/// of one.
enum Target {
    Field(Subject),
    /// Items of a repeated field, or keys or values of a map: `what` names
    /// them in buf's `required` message ("repeated item", "map value").
    Element {
        kind: Kind,
        what: &'static str,
        applies: &'static str,
        /// The type buf names when the rules do not fit: the item's for a
        /// repeated field, the whole map's for a key or value.
        shown_type: String,
        /// Whether the map entry's key or value field tracks presence
        /// (proto2 keys and values, message values).
        presence: bool,
    },
}

/// The rules of one field being checked.
struct Place<'p, 'c, 'r, 'f> {
    checker: &'p mut Checker<'c, 'r, 'f>,
    field: &'p Subject,
}

impl Place<'_, '_, '_, '_> {
    fn name(&self) -> &str {
        self.field.name()
    }

    /// A finding at `path` (or the first place inside it, or the nearest
    /// place around it, as the source info has them).
    fn add(&mut self, path: &[i32], message: String) {
        let file = self.checker.file;
        let span = span_at(file, path);
        self.checker
            .report
            .add_at(file, self.field.path(), span, message);
    }

    fn cannot(&self, what: String) -> String {
        cannot(
            self.checker.file,
            format!("field {:?} has {what}", self.name()),
        )
    }

    /// The rules of a `FieldRules` message, at `path`, shown as `shown`.
    fn field_rules(
        &mut self,
        target: &Target,
        rules: &DynamicMessage,
        path: Vec<i32>,
        shown: &str,
    ) -> Result<(), String> {
        refuse_unknown(rules).map_err(|what| self.cannot(format!("{shown}{what}")))?;
        let env = cel::Env::of_this(match target {
            Target::Field(field) => cel::field_type(&field.kind(), field.is_list()),
            Target::Element { kind, .. } => cel::kind_type(kind),
        });
        let owner = Owner {
            what: "field",
            name: Some(self.field.name()),
        };
        let findings = expressions::check(self.checker.pool, rules, &path, shown, &owner, &env)
            .map_err(|what| self.cannot(what))?;
        for (at, message) in findings {
            self.add(&at, message);
        }
        let ignore = get(rules, "ignore").and_then(|v| v.as_enum_number());
        let required = get(rules, "required").and_then(|v| v.as_bool());
        let sub = |number: u32| {
            let mut sub = path.clone();
            sub.push(number as i32);
            sub
        };
        let name = self.name().to_owned();
        if ignore == Some(IGNORE_ALWAYS) && rules.fields().count() > 1 {
            self.add(
                &sub(IGNORE),
                format!(
                    "Field {name:?} has {shown}.ignore=IGNORE_ALWAYS and therefore other rules \
                     in {shown} are not applied and should be removed."
                ),
            );
        }
        if let Subject::Extension(_) = self.field {
            if required == Some(true) {
                self.add(
                    &sub(REQUIRED),
                    format!(
                        "Field {name:?} is an extension field and cannot have {shown}.required."
                    ),
                );
            }
            if ignore == Some(IGNORE_IF_ZERO_VALUE) {
                self.add(
                    &sub(IGNORE),
                    format!(
                        "Field {name:?} is an extension field and cannot have \
                         {shown}.ignore=IGNORE_IF_ZERO_VALUE."
                    ),
                );
            }
        }
        if required == Some(true) && ignore == Some(IGNORE_IF_ZERO_VALUE) {
            let message = format!(
                "Field {name:?} has both {shown}.required and \
                 {shown}.ignore=IGNORE_IF_ZERO_VALUE. A field cannot be empty if it is \
                 required."
            );
            self.add(&sub(REQUIRED), message.clone());
            self.add(&sub(IGNORE), message);
        }
        match target {
            Target::Field(field) => {
                if required == Some(true)
                    && let Some(oneof) = field.containing_oneof()
                    && !oneof.is_synthetic()
                {
                    self.add(
                        &sub(REQUIRED),
                        format!(
                            "Field {name:?} has {shown}.required but is in a oneof ({}). Oneof \
                             fields must not have {shown}.required.",
                            oneof.name()
                        ),
                    );
                }
                if ignore == Some(IGNORE_IF_ZERO_VALUE)
                    && tracks_presence(field)
                    && matches!(field, Subject::Field(_))
                {
                    self.add(
                        &sub(IGNORE),
                        format!(
                            "Field {name:?} has {shown}.ignore=IGNORE_IF_ZERO_VALUE and tracks \
                             presence. This is the same as the default and the ignore option \
                             can be removed."
                        ),
                    );
                }
            }
            Target::Element {
                what,
                applies,
                presence,
                ..
            } => {
                if ignore == Some(IGNORE_IF_ZERO_VALUE) && *presence {
                    self.add(
                        &sub(IGNORE),
                        format!(
                            "Field {name:?} has {shown}.ignore=IGNORE_IF_ZERO_VALUE and tracks \
                             presence. This is the same as the default and the ignore option \
                             can be removed."
                        ),
                    );
                }
                if required == Some(true) {
                    self.add(
                        &sub(REQUIRED),
                        format!(
                            "Field {name:?} has {shown}.required on {what} rules, which is \
                             unenforceable. The {shown}.required constraint cannot be applied \
                             to {applies}."
                        ),
                    );
                }
            }
        }
        let Some((rule_field, Value::Message(typed))) = rules
            .fields()
            .find(|(field, _)| field.containing_oneof().is_some_and(|o| o.name() == "type"))
        else {
            return Ok(());
        };
        let rule = rule_field.name().to_owned();
        let typed_path = sub(rule_field.number());
        let typed_shown = format!("{shown}.{rule}");
        refuse_unknown(typed).map_err(|what| self.cannot(format!("{typed_shown}{what}")))?;
        // The rule type against the field's type.
        match (target, rule.as_str()) {
            (Target::Field(field), "repeated") if !field.is_list() => {
                self.add(
                    &typed_path,
                    format!("Field {name:?} is not repeated but has {typed_shown} rules."),
                );
                return Ok(());
            }
            (Target::Field(field), "map") if !field.is_map() => {
                self.add(
                    &typed_path,
                    format!("Field {name:?} is not a map but has {typed_shown}."),
                );
                return Ok(());
            }
            (Target::Field(field), "repeated" | "map") => {
                return self.container_rules(field, &rule, typed, typed_path, &typed_shown);
            }
            (Target::Field(field), _) if field.is_list() || field.is_map() => {
                self.add(
                    &typed_path,
                    format!(
                        "Field {name:?} is of type {} but has {typed_shown} rules.",
                        field_type_name(field)
                    ),
                );
                return Ok(());
            }
            _ => {}
        }
        let (kind, shown_type) = match target {
            Target::Field(field) => (field.kind(), kind_name(&field.kind())),
            Target::Element {
                kind, shown_type, ..
            } => (kind.clone(), shown_type.clone()),
        };
        if !rule_fits(&rule, &kind) {
            self.add(
                &typed_path,
                format!("Field {name:?} is of type {shown_type} but has {typed_shown} rules."),
            );
            return Ok(());
        }
        if has(typed, "example") {
            // buf 1.75 panics on examples of extensions and of enum map
            // values: no answer to match.
            let buf_panics = matches!(self.field, Subject::Extension(_))
                || matches!(
                    target,
                    Target::Element {
                        what: "map value",
                        kind: Kind::Enum(_),
                        ..
                    }
                );
            if buf_panics {
                return Err(self.cannot(format!(
                    "a {typed_shown}.example where buf 1.75 panics (an extension or an enum map \
                     value)"
                )));
            }
            // A field with presence keeps its zero examples: set, they are
            // not skipped by IGNORE_IF_ZERO_VALUE.
            let presence = matches!(target, Target::Field(field) if tracks_presence(field));
            let context = examples::Context {
                ignore: ignore.filter(|i| !(presence && *i == IGNORE_IF_ZERO_VALUE)),
                custom: has(rules, "cel")
                    || has(rules, "cel_expression")
                    || typed.extensions().next().is_some(),
            };
            let findings = examples::check(&rule, &kind, typed, &typed_path, &context)
                .map_err(|what| self.cannot(format!("a {typed_shown}.example {what}")))?;
            for (at, message) in findings {
                self.add(&at, message);
            }
        }
        self.typed_rules(&rule, &kind, typed, &typed_path, &typed_shown)
    }

    /// `repeated` or `map` rules on a field of that shape.
    fn container_rules(
        &mut self,
        field: &Subject,
        rule: &str,
        typed: &DynamicMessage,
        path: Vec<i32>,
        shown: &str,
    ) -> Result<(), String> {
        let name = self.name().to_owned();
        if rule == "repeated" {
            self.min_max(typed, &path, shown, "min_items", "max_items", None);
            if get(typed, "unique").and_then(|v| v.as_bool()) == Some(true)
                && let Kind::Message(message) = field.kind()
                && wrapped(&message).is_none()
            {
                self.add(
                    &child(&path, number_of(typed, "unique")),
                    format!(
                        "Field {name:?} is of type {} but has {shown}.unique set to true, which \
                         is only allowed for scalar types and wrapper types.",
                        message.full_name()
                    ),
                );
            }
            if let Some(Value::Message(items)) = get(typed, "items") {
                let target = Target::Element {
                    kind: field.kind(),
                    what: "repeated item",
                    applies: "individual items in a repeated field",
                    shown_type: kind_name(&field.kind()),
                    presence: false,
                };
                let sub = child(&path, number_of(typed, "items"));
                self.field_rules(&target, &items, sub, &format!("{shown}.items"))?;
            }
            return Ok(());
        }
        self.min_max(typed, &path, shown, "min_pairs", "max_pairs", None);
        let Kind::Message(entry) = field.kind() else {
            return Ok(());
        };
        for (part, what, applies, entry_field) in [
            ("keys", "map key", "map keys", entry.map_entry_key_field()),
            (
                "values",
                "map value",
                "map values",
                entry.map_entry_value_field(),
            ),
        ] {
            if let Some(Value::Message(rules)) = get(typed, part) {
                let target = Target::Element {
                    kind: entry_field.kind(),
                    what,
                    applies,
                    shown_type: field_type_name(field),
                    presence: entry_field.supports_presence(),
                };
                let sub = child(&path, number_of(typed, part));
                self.field_rules(&target, &rules, sub, &format!("{shown}.{part}"))?;
            }
        }
        Ok(())
    }

    /// The rules of a type (`int32`, `string`, `timestamp`...) on a field
    /// of that type.
    fn typed_rules(
        &mut self,
        rule: &str,
        kind: &Kind,
        typed: &DynamicMessage,
        path: &[i32],
        shown: &str,
    ) -> Result<(), String> {
        let name = self.name().to_owned();
        // BoolRules hold only `const` and `example`: buf says nothing of them.
        if has(typed, "const") && typed.fields().count() > 1 && rule != "bool" {
            self.add(
                &child(path, number_of(typed, "const")),
                format!(
                    "Field {name:?} has {shown}.const, therefore other rules in {shown} are not \
                     applied and should be removed."
                ),
            );
        }
        match rule {
            "string" => {
                self.min_max(typed, path, shown, "min_len", "max_len", Some("len"));
                self.min_max(
                    typed,
                    path,
                    shown,
                    "min_bytes",
                    "max_bytes",
                    Some("len_bytes"),
                );
                self.redundant(typed, path, shown, "len", ["min_len", "max_len"]);
                self.redundant(typed, path, shown, "len_bytes", ["min_bytes", "max_bytes"]);
                for part in ["prefix", "suffix", "contains"] {
                    let Some(Value::String(text)) = get(typed, part) else {
                        continue;
                    };
                    let at = child(path, number_of(typed, part));
                    let quoted = go_quote(text.as_bytes());
                    if let Some(max) = get(typed, "max_len").and_then(|v| v.as_u64()) {
                        let length = text.chars().count() as u64;
                        if length > max {
                            self.add(
                                &at,
                                format!(
                                    "Field {name:?} has a {shown}.{part} of length {length}, \
                                     exceeding its max_len ({max}). It is impossible for a \
                                     string to contain {quoted} while having less than or equal \
                                     to {length} UTF-8 characters."
                                ),
                            );
                        }
                    }
                    if let Some(max) = get(typed, "max_bytes").and_then(|v| v.as_u64()) {
                        let length = text.len() as u64;
                        if length > max {
                            self.add(
                                &at,
                                format!(
                                    "Field {name:?} has a {shown}.{part} of {length} bytes, \
                                     exceeding its max_bytes ({max}). It is impossible for a \
                                     string to contain {quoted} while having less than or equal \
                                     to {length} bytes."
                                ),
                            );
                        }
                    }
                }
                self.pattern(typed, path, shown)?;
            }
            "bytes" => {
                self.min_max(typed, path, shown, "min_len", "max_len", Some("len"));
                self.redundant(typed, path, shown, "len", ["min_len", "max_len"]);
                for part in ["prefix", "suffix", "contains"] {
                    let Some(Value::Bytes(bytes)) = get(typed, part) else {
                        continue;
                    };
                    let length = bytes.len() as u64;
                    if let Some(max) = get(typed, "max_len").and_then(|v| v.as_u64())
                        && length > max
                    {
                        self.add(
                            &child(path, number_of(typed, part)),
                            format!(
                                "Field {name:?} has a {shown}.{part} of {length} bytes, \
                                 exceeding its max_len ({max}). It is impossible to contain {} \
                                 while having less than or equal to {max} bytes.",
                                go_quote(&bytes)
                            ),
                        );
                    }
                }
                self.pattern(typed, path, shown)?;
            }
            "timestamp" => {
                self.bounds(typed, path, shown);
                let now = |part| get(typed, part).and_then(|v| v.as_bool()) == Some(true);
                if now("gt_now") && now("lt_now") {
                    let message = format!(
                        "Field {name:?} has both {shown}.gt_now and {shown}.lt_now. A timestamp \
                         cannot be both before and after validation time."
                    );
                    self.add(&child(path, number_of(typed, "gt_now")), message.clone());
                    self.add(&child(path, number_of(typed, "lt_now")), message);
                }
            }
            "float" | "double" | "duration" | "int32" | "int64" | "uint32" | "uint64"
            | "sint32" | "sint64" | "fixed32" | "fixed64" | "sfixed32" | "sfixed64" => {
                for part in ["const", "gt", "gte", "lt", "lte"] {
                    let nan = match get(typed, part) {
                        Some(Value::F32(v)) => v.is_nan(),
                        Some(Value::F64(v)) => v.is_nan(),
                        _ => false,
                    };
                    if nan {
                        self.add(
                            &child(path, number_of(typed, part)),
                            format!(
                                "Field {name:?} has {shown}.{part} set to NaN. Comparisons \
                                 with NaN are always false, so this rule can never be \
                                 satisfied."
                            ),
                        );
                    }
                }
                for (part, effect) in [
                    ("in", "this entry can never match"),
                    ("not_in", "this entry has no effect"),
                ] {
                    let Some(Value::List(values)) = get(typed, part) else {
                        continue;
                    };
                    for (index, value) in values.iter().enumerate() {
                        let nan = match value {
                            Value::F32(v) => v.is_nan(),
                            Value::F64(v) => v.is_nan(),
                            _ => false,
                        };
                        if nan {
                            let at = child(path, number_of(typed, part));
                            self.add(
                                &child(&at, index as i32),
                                format!(
                                    "Field {name:?} has NaN in {shown}.{part}. Comparisons with \
                                     NaN are always false, so {effect}."
                                ),
                            );
                        }
                    }
                }
                self.bounds(typed, path, shown);
            }
            _ => {}
        }
        let _ = kind;
        Ok(())
    }

    /// A lower and an upper bound that are equal: a `const` in disguise,
    /// or a range nothing is in. (A lower bound above the upper one is a
    /// range outside the two, which is fine.)
    fn bounds(&mut self, typed: &DynamicMessage, path: &[i32], shown: &str) {
        let name = self.name().to_owned();
        let lower = ["gt", "gte"].into_iter().find(|part| has(typed, part));
        let upper = ["lt", "lte"].into_iter().find(|part| has(typed, part));
        let (Some(lower), Some(upper)) = (lower, upper) else {
            return;
        };
        let (Some(low), Some(high)) = (get(typed, lower), get(typed, upper)) else {
            return;
        };
        if compare(&low, &high) != Some(Ordering::Equal) {
            return;
        }
        let message = if lower == "gte" && upper == "lte" {
            format!(
                "Field {name:?} has equal {shown}.gte and {shown}.lte, use {shown}.const instead."
            )
        } else {
            format!(
                "Field {name:?} has equal {shown}.{lower} and {shown}.{upper}. All values are \
                 rejected by these checks."
            )
        };
        self.add(&child(path, number_of(typed, lower)), message.clone());
        self.add(&child(path, number_of(typed, upper)), message);
    }

    /// `min` above `max` (both places), or equal when `exact` says it
    /// better.
    fn min_max(
        &mut self,
        typed: &DynamicMessage,
        path: &[i32],
        shown: &str,
        min: &str,
        max: &str,
        exact: Option<&str>,
    ) {
        let name = self.name().to_owned();
        let (Some(low), Some(high)) = (
            get(typed, min).and_then(|v| v.as_u64()),
            get(typed, max).and_then(|v| v.as_u64()),
        ) else {
            return;
        };
        let min_at = child(path, number_of(typed, min));
        let max_at = child(path, number_of(typed, max));
        match low.cmp(&high) {
            Ordering::Greater => {
                self.add(
                    &min_at,
                    format!(
                        "Field {name:?} has value {low} for {shown}.{min}, which must be lower \
                         than value {high} for {shown}.{max}."
                    ),
                );
                self.add(
                    &max_at,
                    format!(
                        "Field {name:?} has value {high} for {shown}.{max}, which must be higher \
                         than value {low} for {shown}.{min}."
                    ),
                );
            }
            Ordering::Equal => {
                if let Some(exact) = exact {
                    let message = format!(
                        "Field {name:?} has equal {shown}.{min} and {max}, use {shown}.{exact} \
                         instead."
                    );
                    self.add(&min_at, message.clone());
                    self.add(&max_at, message);
                }
            }
            Ordering::Less => {}
        }
    }

    /// `exact` (a length) with the bounds it makes redundant.
    fn redundant(
        &mut self,
        typed: &DynamicMessage,
        path: &[i32],
        shown: &str,
        exact: &str,
        bounds: [&str; 2],
    ) {
        if !has(typed, exact) {
            return;
        }
        let name = self.name().to_owned();
        for bound in bounds {
            if has(typed, bound) {
                self.add(
                    &child(path, number_of(typed, bound)),
                    format!(
                        "Field {name:?} has {shown}.{exact} and therefore, {shown}.{bound} is \
                         redundant and should be removed."
                    ),
                );
            }
        }
    }

    /// A `pattern` must compile as Go's regexp compiles it; buf prints
    /// Go's error.
    fn pattern(&mut self, typed: &DynamicMessage, path: &[i32], shown: &str) -> Result<(), String> {
        let Some(Value::String(pattern)) = get(typed, "pattern") else {
            return Ok(());
        };
        match go_regexp::check(&pattern) {
            go_regexp::Outcome::Compiles => {}
            go_regexp::Outcome::Fails(error) => {
                let name = self.name().to_owned();
                self.add(
                    &child(path, number_of(typed, "pattern")),
                    format!("Field {name:?} has a {shown}.pattern that fails to compile: {error}."),
                );
            }
            go_regexp::Outcome::Undecided(what) => {
                return Err(self.cannot(format!("a {shown}.pattern {pattern:?} with {what}")));
            }
        }
        Ok(())
    }
}

/// The type of `this` in a predefined rule extending `rules` (the rules
/// of one type: `Int32Rules` are for ints).
fn predefined_this(rules: &MessageDescriptor) -> Option<cel::Type> {
    use cel::Type;
    Some(match rules.full_name().strip_prefix("buf.validate.")? {
        "FloatRules" | "DoubleRules" => Type::Double,
        "Int32Rules" | "Int64Rules" | "SInt32Rules" | "SInt64Rules" | "SFixed32Rules"
        | "SFixed64Rules" | "EnumRules" => Type::Int,
        "UInt32Rules" | "UInt64Rules" | "Fixed32Rules" | "Fixed64Rules" => Type::Uint,
        "BoolRules" => Type::Bool,
        "StringRules" => Type::String,
        "BytesRules" => Type::Bytes,
        "RepeatedRules" => Type::list(Type::Dyn),
        "MapRules" => Type::map(Type::Dyn, Type::Dyn),
        "DurationRules" => Type::Duration,
        "TimestampRules" => Type::Timestamp,
        "FieldMaskRules" => Type::Message("google.protobuf.FieldMask".to_owned()),
        _ => return None,
    })
}

/// Whether a rule type applies to a field of `kind` (wrappers take their
/// scalar's rules).
fn rule_fits(rule: &str, kind: &Kind) -> bool {
    match kind {
        Kind::Message(message) => match message.full_name() {
            "google.protobuf.Timestamp" => rule == "timestamp",
            "google.protobuf.Duration" => rule == "duration",
            "google.protobuf.Any" => rule == "any",
            "google.protobuf.FieldMask" => rule == "field_mask",
            _ => wrapped(message) == Some(rule),
        },
        Kind::Enum(_) => rule == "enum",
        scalar => kind_name(scalar) == rule,
    }
}

/// The scalar a wrapper message wraps.
fn wrapped(message: &MessageDescriptor) -> Option<&'static str> {
    Some(match message.full_name() {
        "google.protobuf.DoubleValue" => "double",
        "google.protobuf.FloatValue" => "float",
        "google.protobuf.Int64Value" => "int64",
        "google.protobuf.UInt64Value" => "uint64",
        "google.protobuf.Int32Value" => "int32",
        "google.protobuf.UInt32Value" => "uint32",
        "google.protobuf.BoolValue" => "bool",
        "google.protobuf.StringValue" => "string",
        "google.protobuf.BytesValue" => "bytes",
        _ => return None,
    })
}

/// A type as buf names it in messages: the scalar's keyword, or the full
/// name of a message or enum.
fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Message(message) => message.full_name().into(),
        // buf names message types, but not enum types.
        Kind::Enum(_) => "enum".into(),
    }
}

/// A repeated or map field's type as buf names it.
fn field_type_name(field: &Subject) -> String {
    match field.kind() {
        Kind::Message(entry) if field.is_map() => format!(
            "map<{}, {}>",
            kind_name(&entry.map_entry_key_field().kind()),
            kind_name(&entry.map_entry_value_field().kind())
        ),
        kind => format!("repeated {}", kind_name(&kind)),
    }
}

/// Whether a field tells "not set" from its zero value.
fn tracks_presence(field: &Subject) -> bool {
    !field.is_list() && !field.is_map() && field.supports_presence()
}

/// Refuses rules protoforge would not see: fields unknown to its
/// validate.proto. (Predefined rules set on a field are extensions buf
/// checks where they are defined, not where they are used.)
fn refuse_unknown(rules: &DynamicMessage) -> Result<(), String> {
    if rules.unknown_fields().next().is_some() {
        return Err(" with a rule unknown to buf/validate/validate.proto".to_owned());
    }
    Ok(())
}

fn has(message: &DynamicMessage, name: &str) -> bool {
    message
        .descriptor()
        .get_field_by_name(name)
        .is_some_and(|field| message.has_field(&field))
}

fn get(message: &DynamicMessage, name: &str) -> Option<Value> {
    let field = message.descriptor().get_field_by_name(name)?;
    message
        .has_field(&field)
        .then(|| message.get_field(&field).into_owned())
}

fn number_of(message: &DynamicMessage, name: &str) -> i32 {
    message
        .descriptor()
        .get_field_by_name(name)
        .map_or(0, |field| field.number() as i32)
}

fn child(path: &[i32], number: i32) -> Vec<i32> {
    crate::lint::elements::child(path, &[number])
}

/// Two bound values in order: numbers, or Durations and Timestamps by
/// (seconds, nanos).
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::I32(a), Value::I32(b)) => Some(a.cmp(b)),
        (Value::I64(a), Value::I64(b)) => Some(a.cmp(b)),
        (Value::U32(a), Value::U32(b)) => Some(a.cmp(b)),
        (Value::U64(a), Value::U64(b)) => Some(a.cmp(b)),
        (Value::F32(a), Value::F32(b)) => a.partial_cmp(b),
        (Value::F64(a), Value::F64(b)) => a.partial_cmp(b),
        (Value::Message(a), Value::Message(b)) => {
            let key = |m: &DynamicMessage| {
                (
                    get(m, "seconds").and_then(|v| v.as_i64()).unwrap_or(0),
                    get(m, "nanos").and_then(|v| v.as_i32()).unwrap_or(0),
                )
            };
            Some(key(a).cmp(&key(b)))
        }
        _ => None,
    }
}

/// Go's `%q` of a string or bytes: printable characters as they are,
/// the rest escaped.
fn go_quote(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x0b' => out.push_str("\\v"),
                c if (c as u32) < 0x20 || c == '\x7f' => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c if c.is_control() => {
                    if (c as u32) < 0x10000 {
                        out.push_str(&format!("\\u{:04x}", c as u32));
                    } else {
                        out.push_str(&format!("\\U{:08x}", c as u32));
                    }
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out.push('"');
    out
}

/// Where buf reports a finding about the option value at `path`: its own
/// place, else the first place recorded inside it (`int32.gt` for the
/// `int32` rules), else the nearest place around it (an option written
/// as one aggregate value, whose inside protoforge's source info does not
/// record, unlike buf's).
fn span_at(file: &FileView<'_>, path: &[i32]) -> Span {
    if let Some(span) = file.span(path) {
        return span;
    }
    let inside = file
        .paths()
        .filter(|p| p.len() > path.len() && p.starts_with(path))
        .filter_map(|p| file.span(p))
        .min_by_key(|span| (span.start_line, span.start_column));
    if let Some(span) = inside {
        return span;
    }
    (0..path.len())
        .rev()
        .find_map(|end| file.span(&path[..end]))
        .unwrap_or(Span::FILE)
}
