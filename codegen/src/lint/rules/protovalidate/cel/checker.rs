//! The type check cel-go runs on a parsed expression, in protovalidate's
//! environment: `this`, `now`, the functions of `overloads`, the schema's
//! messages and enums. Errors are worded as cel-go words them; a construct
//! the checker does not model makes the whole expression undecided rather
//! than guessing.

use prost_reflect::{DescriptorPool, Kind, MessageDescriptor};

use super::Env;
use super::overloads::{overloads, resolve};
use super::parser::{Expr, Literal};
use super::types::{Type, assignable};

/// Something the checker does not model, named for the user.
pub(crate) struct Undecided(pub String);

pub(super) struct Checker<'p> {
    pool: &'p DescriptorPool,
    env: Env,
    /// Iteration variables of the comprehensions around, innermost last.
    locals: Vec<(String, Type)>,
    pub errors: Vec<String>,
}

impl<'p> Checker<'p> {
    pub(super) fn new(pool: &'p DescriptorPool, env: Env) -> Self {
        Checker {
            pool,
            env,
            locals: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn undeclared(&mut self, name: &str) -> Type {
        self.errors.push(format!(
            "undeclared reference to '{name}' (in container '')"
        ));
        Type::Error
    }

    pub(super) fn check(&mut self, expr: &Expr) -> Result<Type, Undecided> {
        match expr {
            Expr::Literal(literal) => Ok(match literal {
                Literal::Int => Type::Int,
                Literal::Uint => Type::Uint,
                Literal::Double => Type::Double,
                Literal::String(_) => Type::String,
                Literal::Bytes => Type::Bytes,
                Literal::Bool => Type::Bool,
                Literal::Null => Type::Null,
            }),
            Expr::Ident(name) => match self.resolve(name)? {
                Some(found) => Ok(found),
                None => Ok(self.undeclared(name)),
            },
            Expr::Select { operand, field } => {
                if let Some(path) = qualified(expr) {
                    return self.qualified(&path);
                }
                let operand = self.check(operand)?;
                self.select(&operand, field)
            }
            Expr::List(items) => Ok(self.list(items)?.0),
            Expr::Map(entries) => {
                let (mut keys, mut values) = (None, None);
                for (key, value) in entries {
                    let key_type = self.check(key)?;
                    let value_type = self.check(value)?;
                    keys = Some(join(keys, key_type, empty_literal(key)));
                    values = Some(join(values, value_type, empty_literal(value)));
                }
                Ok(Type::map(
                    keys.map_or(Type::Dyn, |(ty, _)| ty),
                    values.map_or(Type::Dyn, |(ty, _)| ty),
                ))
            }
            Expr::Call {
                target,
                function,
                args,
            } => self.call(target.as_deref(), function, args),
        }
    }

    /// A list literal's type, and its items' types.
    fn list(&mut self, items: &[Expr]) -> Result<(Type, Vec<Type>), Undecided> {
        let mut joined = None;
        let mut types = Vec::with_capacity(items.len());
        for item in items {
            let ty = self.check(item)?;
            joined = Some(join(joined, ty.clone(), empty_literal(item)));
            types.push(ty);
        }
        Ok((Type::list(joined.map_or(Type::Dyn, |(ty, _)| ty)), types))
    }

    /// The strings extension's `format`: a call like any other, and when
    /// the format is a literal and its arguments a list literal, cel-go
    /// checks each clause against its argument.
    fn format(&mut self, target: &Expr, arg: &Expr) -> Result<Type, Undecided> {
        let target_type = self.check(target)?;
        let (arg_type, items) = match arg {
            Expr::List(items) => {
                let (ty, types) = self.list(items)?;
                (ty, Some(types))
            }
            other => (self.check(other)?, None),
        };
        let types = [target_type, arg_type];
        let Some(result) = resolve(overloads("format").unwrap_or_default(), true, &types) else {
            self.errors.push(format!(
                "found no matching overload for 'format' applied to '{}.({})'",
                types[0], types[1]
            ));
            return Ok(Type::Error);
        };
        let (Expr::Literal(Literal::String(text)), Some(items)) = (target, items) else {
            return Ok(result);
        };
        let text = text
            .as_deref()
            .ok_or_else(|| Undecided("a format string with escapes".to_owned()))?;
        if let Some(error) = format_error(text, &items)? {
            self.errors.push(error);
        }
        Ok(result)
    }

    /// A name that is a variable or names something in the schema.
    fn resolve(&self, name: &str) -> Result<Option<Type>, Undecided> {
        if let Some((_, local)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return Ok(Some(local.clone()));
        }
        Ok(Some(match name {
            "this" => self.env.this.clone(),
            "rule" | "rules" if self.env.predefined.is_some() => {
                let (rule, rules) = self
                    .env
                    .predefined
                    .clone()
                    .unwrap_or((Type::Dyn, Type::Dyn));
                if name == "rule" { rule } else { rules }
            }
            "now" => Type::Timestamp,
            "int" => Type::Kind(Box::new(Type::Int)),
            "uint" => Type::Kind(Box::new(Type::Uint)),
            "double" => Type::Kind(Box::new(Type::Double)),
            "bool" => Type::Kind(Box::new(Type::Bool)),
            "string" => Type::Kind(Box::new(Type::String)),
            "bytes" => Type::Kind(Box::new(Type::Bytes)),
            "list" => Type::Kind(Box::new(Type::list(Type::Dyn))),
            "map" => Type::Kind(Box::new(Type::map(Type::Dyn, Type::Dyn))),
            "null_type" => Type::Kind(Box::new(Type::Null)),
            // Outside predefined rules, and `dyn` as a value, undeclared.
            "rule" | "rules" | "dyn" => return Ok(None),
            "type" => return Err(Undecided(format!("the name `{name}`"))),
            _ => {
                if let Some(message) = self.pool.get_message_by_name(name) {
                    return Ok(Some(Type::Kind(Box::new(message_type(&message)?))));
                }
                // cel-go resolves enum values, not enum types, by name.
                let (parent, value) = name.rsplit_once('.').unwrap_or(("", name));
                if let Some(enumeration) = self.pool.get_enum_by_name(parent)
                    && enumeration.get_value_by_name(value).is_some()
                {
                    return Ok(Some(Type::Int));
                }
                return Ok(None);
            }
        }))
    }

    /// `a.b.c`: the longest prefix that names something, then field
    /// selections; or the root, undeclared.
    fn qualified(&mut self, path: &[&str]) -> Result<Type, Undecided> {
        for end in (1..=path.len()).rev() {
            let name = path[..end].join(".");
            // Local and `this` shadow only as a whole root.
            if end > 1 && self.locals.iter().any(|(n, _)| *n == path[0]) {
                continue;
            }
            if let Some(found) = self.resolve(&name)? {
                let mut ty = found;
                for field in &path[end..] {
                    ty = self.select(&ty, field)?;
                }
                return Ok(ty);
            }
        }
        Ok(self.undeclared(path[0]))
    }

    fn select(&mut self, operand: &Type, field: &str) -> Result<Type, Undecided> {
        Ok(match operand {
            Type::Dyn | Type::Error => operand.clone(),
            Type::Any => Type::Dyn,
            Type::Map(_, value) => (**value).clone(),
            Type::Message(name) => {
                let message = self
                    .pool
                    .get_message_by_name(name)
                    .ok_or_else(|| Undecided(format!("the message {name}")))?;
                match message.get_field_by_name(field) {
                    Some(field) => field_type(&field.kind(), field.is_list())?,
                    None => {
                        self.errors.push(format!("undefined field '{field}'"));
                        Type::Error
                    }
                }
            }
            other => {
                self.errors
                    .push(format!("type '{other}' does not support field selection"));
                Type::Error
            }
        })
    }

    fn call(
        &mut self,
        target: Option<&Expr>,
        function: &str,
        args: &[Expr],
    ) -> Result<Type, Undecided> {
        match (target, function, args.len()) {
            (None, "has", 1) => return self.has(&args[0]),
            (Some(range), "all" | "exists" | "exists_one" | "filter" | "map", 2)
            | (Some(range), "map", 3) => return self.comprehension(range, function, args),
            (None, "_&&_" | "_||_", _) => {
                for arg in args {
                    let ty = self.check(arg)?;
                    self.expect_bool(&ty);
                }
                return Ok(Type::Bool);
            }
            (Some(target), "format", 1) => return self.format(target, &args[0]),
            _ => {}
        }
        // A qualified function name (`strings.quote`) is not modelled.
        if let Some(target) = target
            && let Some(path) = qualified(target)
            && self.resolve_root(&path)?.is_none()
            && NAMESPACED.contains(&format!("{}.{function}", path.join(".")).as_str())
        {
            return Err(Undecided(format!(
                "the function {}.{function}",
                path.join(".")
            )));
        }
        let mut types = Vec::with_capacity(args.len() + 1);
        if let Some(target) = target {
            types.push(self.check(target)?);
        }
        for arg in args {
            types.push(self.check(arg)?);
        }
        let Some(overloads) = overloads(function) else {
            return Ok(self.undeclared(function));
        };
        let member = target.is_some();
        match resolve(overloads, member, &types) {
            Some(result) => Ok(result),
            None => {
                let shown = |types: &[Type]| {
                    types
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let applied = if member {
                    format!("{}.({})", types[0], shown(&types[1..]))
                } else {
                    format!("({})", shown(&types))
                };
                self.errors.push(format!(
                    "found no matching overload for '{function}' applied to '{applied}'"
                ));
                Ok(Type::Error)
            }
        }
    }

    /// Whether the root of a qualified name resolves (a variable or a
    /// schema name).
    fn resolve_root(&self, path: &[&str]) -> Result<Option<Type>, Undecided> {
        for end in (1..=path.len()).rev() {
            if let Some(found) = self.resolve(&path[..end].join("."))? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    fn expect_bool(&mut self, ty: &Type) {
        if !matches!(ty, Type::Bool | Type::Dyn | Type::Error | Type::Any) {
            self.errors
                .push(format!("expected type 'bool' but found '{ty}'"));
        }
    }

    /// The condition of a macro cel-go expands to `cond ? a : b`, with
    /// `a` and `b` of type `branches`.
    fn expect_conditional(&mut self, condition: &Type, branches: &Type) {
        if !matches!(condition, Type::Bool | Type::Dyn | Type::Error | Type::Any) {
            self.errors.push(format!(
                "found no matching overload for '_?_:_' applied to '({condition}, {branches}, \
                 {branches})'"
            ));
        }
    }

    fn has(&mut self, arg: &Expr) -> Result<Type, Undecided> {
        let Expr::Select { operand, field } = arg else {
            return Err(Undecided("has() of something not a field".to_owned()));
        };
        let operand = self.check(operand)?;
        match &operand {
            Type::Message(_) | Type::Map(..) | Type::Dyn | Type::Error | Type::Any => {
                self.select(&operand, field)?;
            }
            other => {
                return Err(Undecided(format!("has() on a {other}")));
            }
        }
        Ok(Type::Bool)
    }

    fn comprehension(
        &mut self,
        range: &Expr,
        function: &str,
        args: &[Expr],
    ) -> Result<Type, Undecided> {
        let Expr::Ident(variable) = &args[0] else {
            return Err(Undecided(format!(
                "a {function}() whose variable is not a simple name"
            )));
        };
        let range_type = self.check(range)?;
        let item = match &range_type {
            Type::List(item) => (**item).clone(),
            Type::Map(key, _) => (**key).clone(),
            Type::Dyn | Type::Error | Type::Any => Type::Dyn,
            other => {
                self.errors.push(format!(
                    "expression of type '{other}' cannot be range of a comprehension (must be \
                     list, map, or dynamic)"
                ));
                Type::Error
            }
        };
        self.locals.push((variable.clone(), item.clone()));
        let result = (|| {
            let first = self.check(&args[1])?;
            Ok(match function {
                "all" | "exists" => {
                    self.expect_bool(&first);
                    Type::Bool
                }
                "exists_one" => {
                    self.expect_conditional(&first, &Type::Int);
                    Type::Bool
                }
                "filter" => {
                    self.expect_conditional(&first, &Type::list(item.clone()));
                    Type::list(item)
                }
                _ if args.len() == 3 => {
                    let mapped = Type::list(self.check(&args[2])?);
                    self.expect_conditional(&first, &mapped);
                    mapped
                }
                _ => Type::list(first),
            })
        })();
        self.locals.pop();
        result
    }
}

/// cel-go's complaint about a format string and its arguments' types,
/// if any (the first it finds).
fn format_error(text: &str, args: &[Type]) -> Result<Option<String>, Undecided> {
    let undecided = |what: &str| Err(Undecided(format!("a format clause {what}")));
    let mut chars = text.chars().peekable();
    let mut index = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let Some(mut verb) = chars.next() else {
            return Ok(Some("unexpected end of string".to_owned()));
        };
        if verb == '%' {
            continue;
        }
        if verb == '.' {
            let mut digits = 0;
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
                digits += 1;
            }
            match chars.next() {
                Some(next) if digits > 0 => verb = next,
                _ => return undecided("with a bare precision"),
            }
        }
        if !"sdfeboxX".contains(verb) {
            return Ok(Some(format!(
                "could not parse formatting clause: unrecognized formatting clause \"{verb}\""
            )));
        }
        let Some(arg) = args.get(index) else {
            return Ok(Some(format!("index {index} out of range")));
        };
        index += 1;
        let numeric = matches!(
            arg,
            Type::Int | Type::Uint | Type::Double | Type::Dyn | Type::Error
        ) || matches!(arg, Type::Wrapper(inner) if matches!(**inner, Type::Int | Type::Uint | Type::Double));
        match verb {
            'd' if numeric => {}
            'd' => {
                let given = match arg {
                    Type::String => "string".to_owned(),
                    Type::Duration => "google.protobuf.Duration".to_owned(),
                    _ => return undecided(&format!("%d of a {arg}")),
                };
                return Ok(Some(format!(
                    "error during formatting: decimal clause can only be used on ints, uints, \
                     and doubles, was given {given}"
                )));
            }
            's' => match arg {
                Type::Int
                | Type::Uint
                | Type::Double
                | Type::String
                | Type::Bool
                | Type::Bytes
                | Type::List(_)
                | Type::Map(..)
                | Type::Kind(_)
                | Type::Duration
                | Type::Timestamp
                | Type::Dyn
                | Type::Error => {}
                Type::Message(name) => {
                    return Ok(Some(format!(
                        "error during formatting: string clause can only be used on strings, \
                         bools, bytes, ints, doubles, maps, lists, types, durations, and \
                         timestamps, was given {name}"
                    )));
                }
                other => return undecided(&format!("%s of a {other}")),
            },
            'x' | 'X' if numeric || matches!(arg, Type::String | Type::Bytes) => {}
            'f' | 'e' | 'b' | 'o' if numeric => {}
            _ => return undecided(&format!("%{verb} of a {arg}")),
        }
    }
    if index < args.len() {
        return Ok(Some(format!(
            "too many arguments supplied to string.format (expected {index}, got {})",
            args.len()
        )));
    }
    Ok(None)
}

/// Functions with a qualified name in buf's environment (the strings
/// extension's): not modelled.
const NAMESPACED: &[&str] = &["strings.quote"];

/// `a.b.c` as its names, when the expression is only that.
fn qualified(expr: &Expr) -> Option<Vec<&str>> {
    match expr {
        Expr::Ident(name) => Some(vec![name]),
        Expr::Select { operand, field } => {
            let mut path = qualified(operand)?;
            path.push(field);
            Some(path)
        }
        _ => None,
    }
}

/// The type of a list's items or a map's keys or values, joined one by
/// one as cel-go joins them: the same type, or the more general of two
/// that fit each other (`null` gives way, a wrapper and its scalar keep the
/// first), or `dyn`. An empty literal fits anything of its kind.
fn join(joined: Option<(Type, bool)>, next: Type, next_empty: bool) -> (Type, bool) {
    let Some((previous, previous_empty)) = joined else {
        return (next, next_empty);
    };
    let fits = |a: &Type, b: &Type| assignable(a, b) || assignable(b, a);
    let joined = match (&previous, &next) {
        _ if next_empty && same_kind(&previous, &next) => previous,
        _ if previous_empty && same_kind(&previous, &next) => next,
        (a, b) if a == b => previous,
        (a, b) if !fits(a, b) => Type::Dyn,
        (Type::Dyn, _) | (_, Type::Dyn) => Type::Dyn,
        (Type::Null, _) | (_, Type::Null) => next,
        (Type::List(a), Type::List(b)) => {
            Type::list(join(Some(((**a).clone(), false)), (**b).clone(), false).0)
        }
        (Type::Map(ak, av), Type::Map(bk, bv)) => Type::map(
            join(Some(((**ak).clone(), false)), (**bk).clone(), false).0,
            join(Some(((**av).clone(), false)), (**bv).clone(), false).0,
        ),
        _ => previous,
    };
    (joined, false)
}

/// Whether two types are both lists or both maps.
fn same_kind(a: &Type, b: &Type) -> bool {
    matches!(
        (a, b),
        (Type::List(_), Type::List(_)) | (Type::Map(..), Type::Map(..))
    )
}

/// Whether an expression is `[]` or `{}`.
fn empty_literal(expr: &Expr) -> bool {
    match expr {
        Expr::List(items) => items.is_empty(),
        Expr::Map(entries) => entries.is_empty(),
        _ => false,
    }
}

/// A message's CEL type: the well-known ones are CEL's own types.
pub(crate) fn message_type(message: &MessageDescriptor) -> Result<Type, Undecided> {
    let scalar = |ty: Type| Ok(Type::Wrapper(Box::new(ty)));
    match message.full_name() {
        "google.protobuf.Timestamp" => Ok(Type::Timestamp),
        "google.protobuf.Duration" => Ok(Type::Duration),
        "google.protobuf.DoubleValue" | "google.protobuf.FloatValue" => scalar(Type::Double),
        "google.protobuf.Int64Value" | "google.protobuf.Int32Value" => scalar(Type::Int),
        "google.protobuf.UInt64Value" | "google.protobuf.UInt32Value" => scalar(Type::Uint),
        "google.protobuf.BoolValue" => scalar(Type::Bool),
        "google.protobuf.StringValue" => scalar(Type::String),
        "google.protobuf.BytesValue" => scalar(Type::Bytes),
        "google.protobuf.Struct" => Ok(Type::map(Type::String, Type::Dyn)),
        "google.protobuf.Value" => Ok(Type::Dyn),
        "google.protobuf.ListValue" => Ok(Type::list(Type::Dyn)),
        "google.protobuf.Any" => Ok(Type::Any),
        name => Ok(Type::Message(name.to_owned())),
    }
}

/// The CEL type of a value of `kind`.
pub(crate) fn kind_type(kind: &Kind) -> Result<Type, Undecided> {
    Ok(match kind {
        Kind::Int32
        | Kind::Int64
        | Kind::Sint32
        | Kind::Sint64
        | Kind::Sfixed32
        | Kind::Sfixed64 => Type::Int,
        Kind::Uint32 | Kind::Uint64 | Kind::Fixed32 | Kind::Fixed64 => Type::Uint,
        Kind::Float | Kind::Double => Type::Double,
        Kind::Bool => Type::Bool,
        Kind::String => Type::String,
        Kind::Bytes => Type::Bytes,
        Kind::Enum(_) => Type::Int,
        Kind::Message(message) => message_type(message)?,
    })
}

/// The CEL type of a field of `kind` (a map's is its entry's), a list
/// when `is_list`.
pub(crate) fn field_type(kind: &Kind, is_list: bool) -> Result<Type, Undecided> {
    if let Kind::Message(entry) = kind
        && entry.is_map_entry()
    {
        return Ok(Type::map(
            kind_type(&entry.map_entry_key_field().kind())?,
            kind_type(&entry.map_entry_value_field().kind())?,
        ));
    }
    let item = kind_type(kind)?;
    Ok(if is_list { Type::list(item) } else { item })
}
