//! CEL's types as cel-go's checker has them, printed as it prints them in
//! its errors, and which values it lets pass where another type is
//! expected.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Type {
    Int,
    Uint,
    Double,
    Bool,
    String,
    Bytes,
    Null,
    Duration,
    Timestamp,
    Dyn,
    /// A `google.protobuf.Any`: it stands where anything is expected.
    Any,
    /// The type of an expression that failed to check: it matches
    /// anything, so one mistake gives one error.
    Error,
    List(Box<Type>),
    Map(Box<Type>, Box<Type>),
    /// A message, by full name.
    Message(String),
    /// A `google.protobuf.*Value` wrapper of a scalar.
    Wrapper(Box<Type>),
    /// The type of a type name (`int`, `a.M`): cel-go's `type(T)`.
    Kind(Box<Type>),
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("int"),
            Type::Uint => f.write_str("uint"),
            Type::Double => f.write_str("double"),
            Type::Bool => f.write_str("bool"),
            Type::String => f.write_str("string"),
            Type::Bytes => f.write_str("bytes"),
            Type::Null => f.write_str("null"),
            Type::Duration => f.write_str("duration"),
            Type::Timestamp => f.write_str("timestamp"),
            Type::Dyn => f.write_str("dyn"),
            Type::Any => f.write_str("any"),
            Type::Error => f.write_str("!error!"),
            Type::List(item) => write!(f, "list({item})"),
            Type::Map(key, value) => write!(f, "map({key}, {value})"),
            Type::Message(name) => f.write_str(name),
            Type::Wrapper(scalar) => write!(f, "wrapper({scalar})"),
            Type::Kind(of) => write!(f, "type({of})"),
        }
    }
}

impl Type {
    pub(crate) fn list(item: Type) -> Type {
        Type::List(Box::new(item))
    }

    pub(crate) fn map(key: Type, value: Type) -> Type {
        Type::Map(Box::new(key), Box::new(value))
    }

    pub(crate) fn is_dyn_or_error(&self) -> bool {
        matches!(self, Type::Dyn | Type::Error | Type::Any)
    }
}

/// Whether a value of type `actual` may stand where `formal` is expected:
/// `dyn` both ways, a wrapper for its scalar and back, `null` for what can
/// be null, containers item by item, and any type for any type.
pub(crate) fn assignable(actual: &Type, formal: &Type) -> bool {
    if actual.is_dyn_or_error() || formal.is_dyn_or_error() {
        return true;
    }
    match (actual, formal) {
        (
            Type::Null,
            Type::Null | Type::Wrapper(_) | Type::Message(_) | Type::Timestamp | Type::Duration,
        ) => true,
        (Type::Wrapper(a), b) | (b, Type::Wrapper(a)) if **a == *b => true,
        (Type::List(a), Type::List(b)) => assignable(a, b),
        (Type::Map(ak, av), Type::Map(bk, bv)) => assignable(ak, bk) && assignable(av, bv),
        // cel-go compares types of types whatever they are types of.
        (Type::Kind(_), Type::Kind(_)) => true,
        (a, b) => a == b,
    }
}
