//! Stubs: what the dynamic mock answers, read from YAML or JSON and checked
//! against the schema.
//!
//! A stub document is a list of stubs, `{stubs: [...]}`, or one stub:
//!
//! ```yaml
//! - method: user.v1.UserService/GetUser     # or /user.v1.UserService/GetUser
//!   id: ada                                 # optional; default FILE:LINE
//!   priority: 10                            # higher first; default 0
//!   times: 1                                # answer this many calls, then stop
//!   match:                                  # every part optional
//!     equals: {userId: 1}                   # the whole request
//!     contains: {user: {name: Ada}}         # these fields, nested
//!     matches: {email: '@example\.com$'}    # regexes on string fields
//!     metadata: {authorization: Bearer t}   # headers, exactly
//!   response:
//!     message: {user: {id: "{{request.userId}}", name: Ada}}
//!     # or, for server streaming and bidirectional rpcs:
//!     # stream: [{message: {...}, delay: 100ms}, ...]
//!     # error: {code: NOT_FOUND, message: "no user {{request.userId}}", details: [...]}
//!     delay: 50ms                           # before answering
//! ```
//!
//! Messages are in protobuf's JSON mapping (JSON or proto field names, enum
//! names or numbers, 64-bit integers as strings or numbers). Every problem
//! (an unknown method, field, enum value or template field, a bad regex or
//! code) is an error with the file, line and column, found when the file is
//! loaded rather than when a call arrives.

use std::{fmt, time::Duration};

use bytes::Bytes;
use prost::Message;
use prost_reflect::{
    DescriptorPool, DynamicMessage, Kind, MessageDescriptor, MethodDescriptor, SerializeOptions,
};
use regex::Regex;
use serde_json::{Map, Value};
use tonic::Code;

use super::{
    locate::{Path, locate},
    store::method_name,
    template,
};

/// A stub, checked against the schema.
#[derive(Debug, Clone)]
pub struct Stub {
    /// Its name in the admin API and in messages: the `id` it was given, or
    /// `FILE:LINE`, or `stub-N` for stubs added through the admin API.
    pub id: String,
    /// The rpc it answers.
    pub method: MethodDescriptor,
    /// Higher priorities are tried first.
    pub priority: i32,
    /// How many calls it answers; `None` for any number.
    pub times: Option<u32>,
    /// Where it was defined (`stubs/users.yaml:3:3`, or `admin`).
    pub source: String,
    /// The stub as written, as JSON.
    pub spec: Value,
    pub(crate) matcher: Matcher,
    pub(crate) response: Response,
}

/// What a request must be like for a stub to answer it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matcher {
    /// The request (for client streaming, the list of requests) in canonical
    /// JSON with every field.
    pub equals: Option<Value>,
    /// The fields given, in canonical JSON.
    pub contains: Option<Value>,
    /// Field path (JSON names), as written, and the regex its value must
    /// match.
    pub matches: Vec<(Vec<String>, String, Regex)>,
    /// Lower-case header name and value.
    pub metadata: Vec<(String, String)>,
}

/// A response message: JSON with placeholders, or already parsed.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    pub json: Value,
    pub parsed: Option<DynamicMessage>,
}

/// How a stub answers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Response {
    /// The messages, each after its delay (one for unary and client
    /// streaming).
    pub messages: Vec<(Body, Duration)>,
    /// The status to end with instead of OK.
    pub error: Option<ErrorReply>,
    /// Before the first message (or the error).
    pub delay: Duration,
}

/// An error status.
#[derive(Debug, Clone)]
pub(crate) struct ErrorReply {
    pub code: Code,
    /// May hold placeholders.
    pub message: String,
    /// Sent as `google.protobuf.Any` values.
    pub details: Vec<Detail>,
}

/// An error detail: a message of the schema, with its type URL.
#[derive(Debug, Clone)]
pub(crate) struct Detail {
    pub type_url: String,
    pub desc: MessageDescriptor,
    pub body: Body,
}

impl Body {
    /// The message, its placeholders rendered against `context`.
    pub fn render(
        &self,
        desc: &MessageDescriptor,
        context: &Value,
    ) -> Result<DynamicMessage, String> {
        if let Some(message) = &self.parsed {
            return Ok(message.clone());
        }
        let value = template::render(&self.json, context);
        DynamicMessage::deserialize(desc.clone(), &value).map_err(|err| {
            format!(
                "the rendered message is not a valid {}: {err}",
                desc.full_name()
            )
        })
    }
}

impl ErrorReply {
    /// The status, its message rendered against `context`.
    pub fn status(&self, context: &Value) -> tonic::Status {
        let message = match template::render(&Value::String(self.message.clone()), context) {
            Value::String(text) => text,
            other => other.to_string(),
        };
        if self.details.is_empty() {
            return tonic::Status::new(self.code, message);
        }
        let mut details = Vec::new();
        for detail in &self.details {
            match detail.body.render(&detail.desc, context) {
                Ok(value) => details.push(RpcAny {
                    type_url: detail.type_url.clone(),
                    value: value.encode_to_vec(),
                }),
                Err(err) => return tonic::Status::internal(format!("an error detail: {err}")),
            }
        }
        let status = RpcStatus {
            code: self.code as i32,
            message: message.clone(),
            details,
        };
        tonic::Status::with_details(self.code, message, Bytes::from(status.encode_to_vec()))
    }
}

/// `google.rpc.Status`, the payload of `grpc-status-details-bin`.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<RpcAny>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct RpcAny {
    #[prost(string, tag = "1")]
    type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    value: Vec<u8>,
}

/// A located problem in a stub document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubError {
    /// The file (or `POST /stubs`).
    pub origin: String,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for StubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: error: {}",
                self.origin, self.message
            ),
            None => write!(f, "{}: error: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for StubError {}

/// The format of a stub document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML (JSON is read as YAML too, but JSON files are parsed as JSON).
    Yaml,
    /// JSON.
    Json,
}

impl Format {
    /// JSON for `.json` files, YAML for the rest.
    pub fn of_path(path: &std::path::Path) -> Format {
        if path.extension().is_some_and(|e| e == "json") {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// Reads every stub of a document and checks it against `pool`; every
/// problem of the document is reported, each with its position.
pub fn parse_stubs(
    source: &str,
    format: Format,
    origin: &str,
    pool: &DescriptorPool,
) -> Result<Vec<Stub>, Vec<StubError>> {
    let error = |position, message| StubError {
        origin: origin.to_owned(),
        position,
        message,
    };
    let document: Value = match format {
        Format::Json => serde_json::from_str(source).map_err(|err| {
            let message = err.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            vec![error(Some((err.line(), err.column())), message)]
        })?,
        Format::Yaml => serde_yaml::from_str(source).map_err(|err| {
            let position = err.location().map(|l| (l.line(), l.column()));
            let message = err.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            vec![error(position, message)]
        })?,
    };
    let root = Path::default();
    let entries: Vec<(Path, &Value)> = match &document {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (root.index(i), v))
            .collect(),
        Value::Object(map) if map.contains_key("stubs") => match &map["stubs"] {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (root.key("stubs").index(i), v))
                .collect(),
            _ => {
                return Err(vec![error(
                    locate(source, &root.key("stubs")),
                    "`stubs` must be a list of stubs".to_owned(),
                )]);
            }
        },
        Value::Object(_) => vec![(root, &document)],
        Value::Null => Vec::new(),
        _ => {
            return Err(vec![error(
                Some((1, 1)),
                "a stub document is a list of stubs, {stubs: [...]}, or one stub".to_owned(),
            )]);
        }
    };
    let mut stubs = Vec::new();
    let mut errors = Vec::new();
    for (path, value) in entries {
        let mut problems = Vec::new();
        let position = locate(source, &path);
        let source_name = match position {
            Some((line, column)) => format!("{origin}:{line}:{column}"),
            None => format!("{origin}:{path}"),
        };
        let id = match position {
            Some((line, _)) => format!("{origin}:{line}"),
            None => format!("{origin}#{path}"),
        };
        match check_stub(value, &path, pool, &mut problems) {
            Some(mut stub) if problems.is_empty() => {
                if stub.id.is_empty() {
                    stub.id = id;
                }
                stub.source = source_name;
                stubs.push(stub);
            }
            _ => {
                errors.extend(
                    problems
                        .into_iter()
                        .map(|(at, message)| match locate(source, &at) {
                            Some(found) => error(Some(found), message),
                            None => error(position, format!("{message} (at {at})")),
                        }),
                )
            }
        }
    }
    if errors.is_empty() {
        Ok(stubs)
    } else {
        errors.sort_by_key(|e| e.position.unwrap_or((usize::MAX, usize::MAX)));
        Err(errors)
    }
}

type Problems = Vec<(Path, String)>;

const STUB_KEYS: &[&str] = &["id", "method", "priority", "times", "match", "response"];
const MATCH_KEYS: &[&str] = &["equals", "contains", "matches", "metadata"];
const RESPONSE_KEYS: &[&str] = &["message", "stream", "error", "delay"];
const ITEM_KEYS: &[&str] = &["message", "delay"];
const ERROR_KEYS: &[&str] = &["code", "message", "details"];

/// The object at `value`, its unknown keys reported.
fn object<'v>(
    value: &'v Value,
    path: &Path,
    what: &str,
    keys: &[&str],
    problems: &mut Problems,
) -> Option<&'v Map<String, Value>> {
    let Value::Object(map) = value else {
        problems.push((path.clone(), format!("{what} must be a mapping")));
        return None;
    };
    for key in map.keys() {
        if !keys.contains(&key.as_str()) {
            problems.push((
                path.key(key),
                format!(
                    "unknown key '{key}' in {what} (expected {})",
                    keys.join(", ")
                ),
            ));
        }
    }
    Some(map)
}

fn check_stub(
    value: &Value,
    path: &Path,
    pool: &DescriptorPool,
    problems: &mut Problems,
) -> Option<Stub> {
    let map = object(value, path, "a stub", STUB_KEYS, problems)?;
    let method = match map.get("method") {
        Some(Value::String(name)) => match find_method(pool, name) {
            Ok(method) => Some(method),
            Err(message) => {
                problems.push((path.key("method").value(), message));
                None
            }
        },
        Some(_) => {
            problems.push((
                path.key("method").value(),
                "`method` must be a string: package.Service/Method".to_owned(),
            ));
            None
        }
        None => {
            problems.push((
                path.clone(),
                "a stub needs a `method` (package.Service/Method)".to_owned(),
            ));
            None
        }
    };
    let id = match map.get("id") {
        None => String::new(),
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(_) => {
            problems.push((path.key("id"), "`id` must be a non-empty string".to_owned()));
            String::new()
        }
    };
    let priority = match map.get("priority") {
        None => 0,
        Some(v) => match v.as_i64().and_then(|p| i32::try_from(p).ok()) {
            Some(p) => p,
            None => {
                problems.push((
                    path.key("priority"),
                    "`priority` must be an integer".to_owned(),
                ));
                0
            }
        },
    };
    let times = match map.get("times") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64().and_then(|t| u32::try_from(t).ok()) {
            Some(t) if t > 0 => Some(t),
            _ => {
                problems.push((
                    path.key("times"),
                    "`times` must be a positive integer".to_owned(),
                ));
                None
            }
        },
    };
    let method = method?;
    let matcher = match map.get("match") {
        None | Some(Value::Null) => Matcher::default(),
        Some(v) => check_matcher(v, &path.key("match"), &method, problems),
    };
    let response = match map.get("response") {
        Some(v) => check_response(v, &path.key("response"), &method, pool, problems),
        None => {
            problems.push((path.clone(), "a stub needs a `response`".to_owned()));
            Response::default()
        }
    };
    Some(Stub {
        id,
        method,
        priority,
        times,
        source: String::new(),
        spec: value.clone(),
        matcher,
        response,
    })
}

/// Whether the method's stubs see every request at once: client streaming
/// (a bidirectional rpc answers each message as it comes).
fn collects_requests(method: &MethodDescriptor) -> bool {
    method.is_client_streaming() && !method.is_server_streaming()
}

/// `package.Service/Method`, `/package.Service/Method` or
/// `package.Service.Method`.
pub(crate) fn find_method(pool: &DescriptorPool, name: &str) -> Result<MethodDescriptor, String> {
    let trimmed = name.trim_start_matches('/');
    let (service, method) = trimmed
        .split_once('/')
        .or_else(|| trimmed.rsplit_once('.'))
        .ok_or_else(|| format!("'{name}': write the method as package.Service/Method"))?;
    let Some(found) = pool.get_service_by_name(service) else {
        let services: Vec<String> = pool.services().map(|s| s.full_name().to_owned()).collect();
        return Err(format!(
            "unknown service '{service}' (the schema has {})",
            if services.is_empty() {
                "no services".to_owned()
            } else {
                services.join(", ")
            }
        ));
    };
    found.methods().find(|m| m.name() == method).ok_or_else(|| {
        let methods: Vec<String> = found.methods().map(|m| m.name().to_owned()).collect();
        format!(
            "unknown method '{method}' in {service} (it has {})",
            methods.join(", ")
        )
    })
}

fn check_matcher(
    value: &Value,
    path: &Path,
    method: &MethodDescriptor,
    problems: &mut Problems,
) -> Matcher {
    let Some(map) = object(value, path, "`match`", MATCH_KEYS, problems) else {
        return Matcher::default();
    };
    let input = method.input();
    let streaming = collects_requests(method);
    let mut matcher = Matcher::default();
    for (key, prune) in [("equals", false), ("contains", true)] {
        let Some(value) = map.get(key) else { continue };
        let at = path.key(key);
        let canonical = if streaming {
            let Value::Array(items) = value else {
                problems.push((
                    at,
                    format!(
                        "{} is client streaming: `{key}` is a list, one entry per request",
                        method_name(method)
                    ),
                ));
                continue;
            };
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if let Some(c) = canonical_message(&input, item, &at.index(i), prune, problems) {
                    out.push(c);
                }
            }
            Some(Value::Array(out))
        } else {
            canonical_message(&input, value, &at, prune, problems)
        };
        if key == "equals" {
            matcher.equals = canonical;
        } else {
            matcher.contains = canonical;
        }
    }
    if let Some(value) = map.get("matches") {
        let at = path.key("matches");
        if let Value::Object(fields) = value {
            for (field_path, pattern) in fields {
                let here = at.key(field_path);
                let names = match string_field_path(&input, field_path) {
                    Ok(names) => names,
                    Err(message) => {
                        problems.push((here, message));
                        continue;
                    }
                };
                match pattern.as_str().map(Regex::new) {
                    Some(Ok(regex)) => matcher.matches.push((names, field_path.clone(), regex)),
                    Some(Err(err)) => problems.push((here, format!("invalid regex: {err}"))),
                    None => problems.push((here, "a regex must be a string".to_owned())),
                }
            }
        } else {
            problems.push((at, "`matches` maps field paths to regexes".to_owned()));
        }
    }
    if let Some(value) = map.get("metadata") {
        let at = path.key("metadata");
        if let Value::Object(headers) = value {
            for (name, wanted) in headers {
                match wanted.as_str() {
                    Some(text) => matcher
                        .metadata
                        .push((name.to_ascii_lowercase(), text.to_owned())),
                    None => problems.push((
                        at.key(name).value(),
                        "a metadata value must be a string".to_owned(),
                    )),
                }
            }
        } else {
            problems.push((at, "`metadata` maps header names to values".to_owned()));
        }
    }
    matcher
}

/// A dotted path of fields ending on a singular string field, in JSON names.
fn string_field_path(input: &MessageDescriptor, text: &str) -> Result<Vec<String>, String> {
    let mut message = input.clone();
    let mut names = Vec::new();
    let parts: Vec<&str> = text.split('.').collect();
    for (i, name) in parts.iter().enumerate() {
        let field = message
            .get_field_by_name(name)
            .or_else(|| message.get_field_by_json_name(name))
            .ok_or_else(|| format!("no field '{name}' in {}", message.full_name()))?;
        names.push(field.json_name().to_owned());
        let last = i + 1 == parts.len();
        match field.kind() {
            Kind::String if last && !field.is_list() && !field.is_map() => {}
            Kind::Message(inner) if !last && !field.is_list() && !field.is_map() => message = inner,
            _ if last => {
                return Err(format!(
                    "'{text}' is not a string field: `matches` takes regexes on string fields"
                ));
            }
            _ => {
                return Err(format!(
                    "'{name}' in '{text}' is not a singular message field"
                ));
            }
        }
    }
    Ok(names)
}

/// Checks a matcher's message and returns it in canonical JSON (every
/// field), or only the fields written when `prune`.
fn canonical_message(
    desc: &MessageDescriptor,
    value: &Value,
    path: &Path,
    prune: bool,
    problems: &mut Problems,
) -> Option<Value> {
    let before = problems.len();
    check_fields(desc, value, path, None, problems);
    if problems.len() > before {
        return None;
    }
    let message = match DynamicMessage::deserialize(desc.clone(), value) {
        Ok(message) => message,
        Err(err) => {
            problems.push((
                path.clone(),
                format!("not a valid {}: {err}", desc.full_name()),
            ));
            return None;
        }
    };
    let full = to_json(&message, true);
    Some(if prune {
        prune_to(desc, value, &full)
    } else {
        full
    })
}

/// A message in protobuf's JSON mapping (JSON names); with every field when
/// `defaults`.
pub(crate) fn to_json(message: &DynamicMessage, defaults: bool) -> Value {
    let options = SerializeOptions::new().skip_default_fields(!defaults);
    message
        .serialize_with_options(serde_json::value::Serializer, &options)
        .unwrap_or(Value::Null)
}

/// The part of `canonical` (a full canonical message) that `written` names.
fn prune_to(desc: &MessageDescriptor, written: &Value, canonical: &Value) -> Value {
    let (Value::Object(written), Value::Object(canonical)) = (written, canonical) else {
        return canonical.clone();
    };
    if desc.full_name().starts_with("google.protobuf.") {
        return Value::Object(canonical.clone());
    }
    let mut out = Map::new();
    for (key, inner) in written {
        let Some(field) = desc
            .get_field_by_json_name(key)
            .or_else(|| desc.get_field_by_name(key))
        else {
            continue;
        };
        let name = field.json_name();
        let value = canonical.get(name).cloned().unwrap_or(Value::Null);
        let value = match (field.kind(), field.is_map(), field.is_list()) {
            (Kind::Message(m), false, false) => prune_to(&m, inner, &value),
            (Kind::Message(m), false, true) => match (inner, &value) {
                (Value::Array(ws), Value::Array(cs)) => {
                    Value::Array(ws.iter().zip(cs).map(|(w, c)| prune_to(&m, w, c)).collect())
                }
                _ => value,
            },
            (Kind::Message(entry), true, _) => {
                let value_field = entry.map_entry_value_field();
                match (value_field.kind(), inner, &value) {
                    (Kind::Message(m), Value::Object(ws), Value::Object(cs)) => Value::Object(
                        cs.iter()
                            .map(|(k, c)| {
                                let w = ws.get(k).unwrap_or(&Value::Null);
                                (k.clone(), prune_to(&m, w, c))
                            })
                            .collect(),
                    ),
                    _ => value,
                }
            }
            _ => value,
        };
        out.insert(name.to_owned(), value);
    }
    Value::Object(out)
}

/// Placeholders allowed in a response: checked against the request type.
struct Templates<'a> {
    input: &'a MessageDescriptor,
    client_streaming: bool,
}

/// Reports unknown fields and enum values of `value` as a `desc`, each at
/// its own path; with `templates`, checks and normalises placeholders.
fn check_fields(
    desc: &MessageDescriptor,
    value: &Value,
    path: &Path,
    templates: Option<&Templates<'_>>,
    problems: &mut Problems,
) {
    if desc.full_name().starts_with("google.protobuf.") {
        // Well-known types have their own JSON forms; the final parse
        // checks them.
        return;
    }
    let Value::Object(map) = value else {
        if !is_placeholder(value, templates) {
            problems.push((
                path.clone(),
                format!("expected a {} message (a mapping)", desc.full_name()),
            ));
        }
        return;
    };
    for (key, inner) in map {
        let here = path.key(key);
        let Some(field) = desc
            .get_field_by_json_name(key)
            .or_else(|| desc.get_field_by_name(key))
        else {
            let names: Vec<String> = desc.fields().map(|f| f.name().to_owned()).collect();
            problems.push((
                here,
                format!(
                    "unknown field '{key}' in {} (fields: {})",
                    desc.full_name(),
                    names.join(", ")
                ),
            ));
            continue;
        };
        if inner.is_null() || is_placeholder(inner, templates) {
            continue;
        }
        if field.is_map() {
            let Kind::Message(entry) = field.kind() else {
                continue;
            };
            let value_field = entry.map_entry_value_field();
            if let Value::Object(entries) = inner {
                for (k, v) in entries {
                    check_value(&value_field.kind(), v, &here.key(k), templates, problems);
                }
            }
        } else if field.is_list() {
            if let Value::Array(items) = inner {
                for (i, item) in items.iter().enumerate() {
                    check_value(&field.kind(), item, &here.index(i), templates, problems);
                }
            }
        } else {
            check_value(&field.kind(), inner, &here, templates, problems);
        }
    }
}

fn check_value(
    kind: &Kind,
    value: &Value,
    path: &Path,
    templates: Option<&Templates<'_>>,
    problems: &mut Problems,
) {
    if is_placeholder(value, templates) {
        return;
    }
    match kind {
        Kind::Message(m) => check_fields(m, value, path, templates, problems),
        Kind::Enum(e) => {
            if let Value::String(name) = value
                && e.get_value_by_name(name).is_none()
            {
                let names: Vec<String> = e.values().map(|v| v.name().to_owned()).collect();
                problems.push((
                    path.value(),
                    format!(
                        "unknown value '{name}' of enum {} (values: {})",
                        e.full_name(),
                        names.join(", ")
                    ),
                ));
            }
        }
        _ => {}
    }
}

/// Whether `value` is a string that is exactly one placeholder, in a
/// response (where placeholders are allowed).
fn is_placeholder(value: &Value, templates: Option<&Templates<'_>>) -> bool {
    templates.is_some() && matches!(value, Value::String(text) if template::is_whole(text))
}

/// Checks every placeholder of `value` and rewrites it with JSON names.
fn normalise_placeholders(
    value: &mut Value,
    path: &Path,
    templates: &Templates<'_>,
    problems: &mut Problems,
) {
    match value {
        Value::String(text) => {
            let found = template::placeholders(text);
            if found.is_empty() {
                return;
            }
            let mut out = String::new();
            let mut from = 0;
            for (start, end, expression) in found {
                out.push_str(&text[from..start]);
                match template::check(expression, templates.input, templates.client_streaming) {
                    Ok(normal) => {
                        out.push_str("{{");
                        out.push_str(&normal);
                        out.push_str("}}");
                    }
                    Err(message) => problems.push((path.value(), message)),
                }
                from = end;
            }
            out.push_str(&text[from..]);
            *text = out;
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                normalise_placeholders(item, &path.index(i), templates, problems);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                normalise_placeholders(item, &path.key(key), templates, problems);
            }
        }
        _ => {}
    }
}

/// `value` with placeholders taken out: whole ones removed, embedded ones
/// emptied, to check the rest of the message when loading.
fn without_placeholders(value: &Value) -> Value {
    let whole = |v: &Value| matches!(v, Value::String(text) if template::is_whole(text));
    match value {
        Value::String(text) => {
            let mut out = String::new();
            let mut from = 0;
            for (start, end, _) in template::placeholders(text) {
                out.push_str(&text[from..start]);
                from = end;
            }
            out.push_str(&text[from..]);
            Value::String(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|v| !whole(v))
                .map(without_placeholders)
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !whole(v))
                .map(|(k, v)| (k.clone(), without_placeholders(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A response message of type `desc`, checked.
fn check_body(
    desc: &MessageDescriptor,
    value: &Value,
    path: &Path,
    templates: &Templates<'_>,
    problems: &mut Problems,
) -> Option<Body> {
    let before = problems.len();
    let mut json = value.clone();
    normalise_placeholders(&mut json, path, templates, problems);
    check_fields(desc, &json, path, Some(templates), problems);
    if problems.len() > before {
        return None;
    }
    if template::has_placeholders(&json) {
        if let Err(err) = DynamicMessage::deserialize(desc.clone(), &without_placeholders(&json)) {
            problems.push((
                path.clone(),
                format!("not a valid {}: {err}", desc.full_name()),
            ));
            return None;
        }
        return Some(Body { json, parsed: None });
    }
    match DynamicMessage::deserialize(desc.clone(), &json) {
        Ok(message) => Some(Body {
            json,
            parsed: Some(message),
        }),
        Err(err) => {
            problems.push((
                path.clone(),
                format!("not a valid {}: {err}", desc.full_name()),
            ));
            None
        }
    }
}

fn check_response(
    value: &Value,
    path: &Path,
    method: &MethodDescriptor,
    pool: &DescriptorPool,
    problems: &mut Problems,
) -> Response {
    let Some(map) = object(value, path, "`response`", RESPONSE_KEYS, problems) else {
        return Response::default();
    };
    let output = method.output();
    let input = method.input();
    let templates = Templates {
        input: &input,
        client_streaming: collects_requests(method),
    };
    let server_streaming = method.is_server_streaming();
    let mut response = Response::default();
    if let Some(delay) = map.get("delay") {
        match duration(delay) {
            Ok(d) => response.delay = d,
            Err(message) => problems.push((path.key("delay").value(), message)),
        }
    }
    if let Some(message) = map.get("message")
        && let Some(body) = check_body(&output, message, &path.key("message"), &templates, problems)
    {
        response.messages.push((body, Duration::ZERO));
    }
    if let Some(stream) = map.get("stream") {
        let at = path.key("stream");
        if !server_streaming {
            problems.push((
                at.clone(),
                format!(
                    "{} answers one message: use `message`, not `stream`",
                    method_name(method)
                ),
            ));
        } else if map.contains_key("message") {
            problems.push((
                at.clone(),
                "give `message` or `stream`, not both".to_owned(),
            ));
        } else if let Value::Array(items) = stream {
            for (i, item) in items.iter().enumerate() {
                let here = at.index(i);
                let Some(entry) = object(item, &here, "a stream item", ITEM_KEYS, problems) else {
                    continue;
                };
                let delay = match entry.get("delay").map(duration) {
                    None => Duration::ZERO,
                    Some(Ok(d)) => d,
                    Some(Err(message)) => {
                        problems.push((here.key("delay").value(), message));
                        Duration::ZERO
                    }
                };
                match entry.get("message") {
                    Some(message) => {
                        if let Some(body) =
                            check_body(&output, message, &here.key("message"), &templates, problems)
                        {
                            response.messages.push((body, delay));
                        }
                    }
                    None => problems.push((
                        here,
                        "a stream item is {message: ..., delay: ...}".to_owned(),
                    )),
                }
            }
        } else {
            problems.push((
                at,
                "`stream` is a list of {message: ..., delay: ...}".to_owned(),
            ));
        }
    }
    if let Some(error) = map.get("error") {
        response.error = check_error(error, &path.key("error"), &templates, pool, problems);
        if !server_streaming && map.contains_key("message") {
            problems.push((
                path.key("error"),
                "give `message` or `error`, not both".to_owned(),
            ));
        }
    }
    if !server_streaming && !map.contains_key("message") && !map.contains_key("error") {
        problems.push((
            path.clone(),
            format!("{} needs a `message` or an `error`", method_name(method)),
        ));
    }
    response
}

fn check_error(
    value: &Value,
    path: &Path,
    templates: &Templates<'_>,
    pool: &DescriptorPool,
    problems: &mut Problems,
) -> Option<ErrorReply> {
    let map = object(value, path, "`error`", ERROR_KEYS, problems)?;
    let code = match map.get("code") {
        Some(code) => match parse_code(code) {
            Some(code) => code,
            None => {
                problems.push((
                    path.key("code").value(),
                    format!(
                        "unknown status code {code}: use a name such as NOT_FOUND or a number from 1 to 16"
                    ),
                ));
                return None;
            }
        },
        None => {
            problems.push((path.clone(), "an `error` needs a `code`".to_owned()));
            return None;
        }
    };
    let mut message = match map.get("message") {
        None => Value::String(String::new()),
        Some(Value::String(text)) => Value::String(text.clone()),
        Some(_) => {
            problems.push((
                path.key("message"),
                "the message must be a string".to_owned(),
            ));
            return None;
        }
    };
    normalise_placeholders(&mut message, &path.key("message"), templates, problems);
    let mut details = Vec::new();
    match map.get("details") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let here = path.key("details").index(i);
                details.extend(check_detail(item, &here, pool, templates, problems));
            }
        }
        Some(_) => problems.push((
            path.key("details"),
            "`details` is a list of messages with an \"@type\"".to_owned(),
        )),
    }
    Some(ErrorReply {
        code,
        message: message.as_str().unwrap_or_default().to_owned(),
        details,
    })
}

/// An `Any` in JSON: `{"@type": "type.googleapis.com/pkg.Msg", ...fields}`.
fn check_detail(
    value: &Value,
    path: &Path,
    pool: &DescriptorPool,
    templates: &Templates<'_>,
    problems: &mut Problems,
) -> Option<Detail> {
    let Value::Object(map) = value else {
        problems.push((
            path.clone(),
            "a detail is a mapping with an \"@type\"".to_owned(),
        ));
        return None;
    };
    let Some(Value::String(type_url)) = map.get("@type") else {
        problems.push((
            path.clone(),
            "a detail needs \"@type\": \"type.googleapis.com/package.Message\"".to_owned(),
        ));
        return None;
    };
    let name = type_url.rsplit('/').next().unwrap_or_default();
    let Some(desc) = pool.get_message_by_name(name) else {
        problems.push((
            path.key("@type").value(),
            format!("no message {name} in the schema (details must be types the schema defines or imports, such as google.rpc.ErrorInfo from google/rpc/error_details.proto)"),
        ));
        return None;
    };
    let mut fields = map.clone();
    fields.remove("@type");
    let body = check_body(&desc, &Value::Object(fields), path, templates, problems)?;
    Some(Detail {
        type_url: type_url.clone(),
        desc,
        body,
    })
}

fn parse_code(value: &Value) -> Option<Code> {
    let number = match value {
        Value::Number(n) => n.as_i64()?,
        Value::String(name) => {
            let normal: String = name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            const NAMES: [&str; 17] = [
                "ok",
                "cancelled",
                "unknown",
                "invalidargument",
                "deadlineexceeded",
                "notfound",
                "alreadyexists",
                "permissiondenied",
                "resourceexhausted",
                "failedprecondition",
                "aborted",
                "outofrange",
                "unimplemented",
                "internal",
                "unavailable",
                "dataloss",
                "unauthenticated",
            ];
            let normal = if normal == "canceled" {
                "cancelled".to_owned()
            } else {
                normal
            };
            NAMES.iter().position(|n| *n == normal)? as i64
        }
        _ => return None,
    };
    if (1..=16).contains(&number) {
        Some(Code::from_i32(number as i32))
    } else {
        None
    }
}

/// `150ms`, `2s`, `1.5s`, `1m`, or a number of milliseconds.
fn duration(value: &Value) -> Result<Duration, String> {
    let bad = || format!("invalid duration {value}: write 150ms, 2s, 1.5s, 1m or milliseconds");
    let millis = match value {
        Value::Number(n) => n.as_f64().ok_or_else(bad)?,
        Value::String(text) => {
            let text = text.trim();
            let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
                (n, 1.0)
            } else if let Some(n) = text.strip_suffix('s') {
                (n, 1000.0)
            } else if let Some(n) = text.strip_suffix('m') {
                (n, 60_000.0)
            } else {
                (text, 1.0)
            };
            number.trim().parse::<f64>().map_err(|_| bad())? * scale
        }
        _ => return Err(bad()),
    };
    if !(0.0..=3_600_000.0).contains(&millis) {
        return Err(format!("invalid duration {value}: from 0 to one hour"));
    }
    Ok(Duration::from_micros((millis * 1000.0) as u64))
}
