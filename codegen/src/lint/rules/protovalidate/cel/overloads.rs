//! The functions of protovalidate's CEL environment as buf builds it:
//! cel-go's standard library with cross-type numeric comparisons, the
//! strings extension, and protovalidate's own functions (`isEmail`,
//! `isHostname`, `isIp`, `unique`, `getField`...). Each overload is a
//! signature over a few type patterns; `A` and `B` are type parameters.

use super::types::{Type, assignable};

/// A parameter or result type of an overload.
#[derive(Debug, Clone, Copy)]
pub(super) enum P {
    Int,
    Uint,
    Double,
    Bool,
    String,
    Bytes,
    Duration,
    Timestamp,
    Dyn,
    A,
    B,
    ListA,
    ListString,
    ListInt,
    ListUint,
    ListDouble,
    ListBool,
    ListBytes,
    MapAB,
    TypeA,
}

/// One overload: whether it is called on a receiver (the receiver is the
/// first of `args`), its parameters and its result.
pub(super) struct Overload {
    pub member: bool,
    pub args: &'static [P],
    pub result: P,
}

const fn global(args: &'static [P], result: P) -> Overload {
    Overload {
        member: false,
        args,
        result,
    }
}

const fn member(args: &'static [P], result: P) -> Overload {
    Overload {
        member: true,
        args,
        result,
    }
}

use P::*;

const COMPARE: &[Overload] = &[
    global(&[Bool, Bool], Bool),
    global(&[Int, Int], Bool),
    global(&[Int, Uint], Bool),
    global(&[Int, Double], Bool),
    global(&[Uint, Uint], Bool),
    global(&[Uint, Int], Bool),
    global(&[Uint, Double], Bool),
    global(&[Double, Double], Bool),
    global(&[Double, Int], Bool),
    global(&[Double, Uint], Bool),
    global(&[String, String], Bool),
    global(&[Bytes, Bytes], Bool),
    global(&[Timestamp, Timestamp], Bool),
    global(&[Duration, Duration], Bool),
];

const EQUALS: &[Overload] = &[global(&[A, A], Bool)];

const ARITHMETIC: &[Overload] = &[
    global(&[Int, Int], Int),
    global(&[Uint, Uint], Uint),
    global(&[Double, Double], Double),
];

const TIME_UNITS: &[Overload] = &[
    member(&[Timestamp], Int),
    member(&[Timestamp, String], Int),
    member(&[Duration], Int),
];

const DATE_UNITS: &[Overload] = &[member(&[Timestamp], Int), member(&[Timestamp, String], Int)];

/// `contains`, `startsWith`, `endsWith`: cel-go's on strings,
/// protovalidate's on bytes.
const STRING_TEST: &[Overload] = &[
    member(&[String, String], Bool),
    member(&[Bytes, Bytes], Bool),
];

const STRING_CHECK: &[Overload] = &[member(&[String], Bool)];

const INDEX_OF: &[Overload] = &[
    member(&[String, String], Int),
    member(&[String, String, Int], Int),
];

/// The overloads of `function`, or `None` for a function the
/// environment does not declare.
pub(super) fn overloads(function: &str) -> Option<&'static [Overload]> {
    Some(match function {
        "_<_" | "_<=_" | "_>_" | "_>=_" => COMPARE,
        "_==_" | "_!=_" => EQUALS,
        "_+_" => {
            const O: &[Overload] = &[
                global(&[Int, Int], Int),
                global(&[Uint, Uint], Uint),
                global(&[Double, Double], Double),
                global(&[String, String], String),
                global(&[Bytes, Bytes], Bytes),
                global(&[ListA, ListA], ListA),
                global(&[Timestamp, Duration], Timestamp),
                global(&[Duration, Timestamp], Timestamp),
                global(&[Duration, Duration], Duration),
            ];
            O
        }
        "_-_" => {
            const O: &[Overload] = &[
                global(&[Int, Int], Int),
                global(&[Uint, Uint], Uint),
                global(&[Double, Double], Double),
                global(&[Timestamp, Timestamp], Duration),
                global(&[Timestamp, Duration], Timestamp),
                global(&[Duration, Duration], Duration),
            ];
            O
        }
        "_*_" | "_/_" => ARITHMETIC,
        "_%_" => {
            const O: &[Overload] = &[global(&[Int, Int], Int), global(&[Uint, Uint], Uint)];
            O
        }
        "-_" => {
            const O: &[Overload] = &[global(&[Int], Int), global(&[Double], Double)];
            O
        }
        "!_" => {
            const O: &[Overload] = &[global(&[Bool], Bool)];
            O
        }
        "_?_:_" => {
            const O: &[Overload] = &[global(&[Bool, A, A], A)];
            O
        }
        "@in" => {
            const O: &[Overload] = &[global(&[A, ListA], Bool), global(&[A, MapAB], Bool)];
            O
        }
        "_[_]" => {
            const O: &[Overload] = &[global(&[ListA, Int], A), global(&[MapAB, A], B)];
            O
        }
        "size" => {
            const O: &[Overload] = &[
                global(&[String], Int),
                global(&[Bytes], Int),
                global(&[ListA], Int),
                global(&[MapAB], Int),
                member(&[String], Int),
                member(&[Bytes], Int),
                member(&[ListA], Int),
                member(&[MapAB], Int),
            ];
            O
        }
        "contains" | "startsWith" | "endsWith" => STRING_TEST,
        "matches" => {
            const O: &[Overload] = &[
                global(&[String, String], Bool),
                member(&[String, String], Bool),
            ];
            O
        }
        "int" => {
            const O: &[Overload] = &[
                global(&[Int], Int),
                global(&[Uint], Int),
                global(&[Double], Int),
                global(&[String], Int),
                global(&[Timestamp], Int),
                global(&[Duration], Int),
            ];
            O
        }
        "uint" => {
            const O: &[Overload] = &[
                global(&[Int], Uint),
                global(&[Uint], Uint),
                global(&[Double], Uint),
                global(&[String], Uint),
            ];
            O
        }
        "double" => {
            const O: &[Overload] = &[
                global(&[Int], Double),
                global(&[Uint], Double),
                global(&[Double], Double),
                global(&[String], Double),
            ];
            O
        }
        "string" => {
            const O: &[Overload] = &[
                global(&[Int], String),
                global(&[Uint], String),
                global(&[Double], String),
                global(&[Bool], String),
                global(&[String], String),
                global(&[Bytes], String),
                global(&[Timestamp], String),
                global(&[Duration], String),
            ];
            O
        }
        "bytes" => {
            const O: &[Overload] = &[global(&[Bytes], Bytes), global(&[String], Bytes)];
            O
        }
        "bool" => {
            const O: &[Overload] = &[global(&[Bool], Bool), global(&[String], Bool)];
            O
        }
        "duration" => {
            const O: &[Overload] = &[global(&[Duration], Duration), global(&[String], Duration)];
            O
        }
        "timestamp" => {
            const O: &[Overload] = &[
                global(&[Timestamp], Timestamp),
                global(&[String], Timestamp),
                global(&[Int], Timestamp),
            ];
            O
        }
        "dyn" => {
            const O: &[Overload] = &[global(&[A], Dyn)];
            O
        }
        "type" => {
            const O: &[Overload] = &[global(&[A], TypeA)];
            O
        }
        "getFullYear" | "getMonth" | "getDayOfYear" | "getDayOfMonth" | "getDate"
        | "getDayOfWeek" => DATE_UNITS,
        "getHours" | "getMinutes" | "getSeconds" | "getMilliseconds" => TIME_UNITS,
        // The strings extension.
        "charAt" => {
            const O: &[Overload] = &[member(&[String, Int], String)];
            O
        }
        "indexOf" | "lastIndexOf" => INDEX_OF,
        "lowerAscii" | "upperAscii" | "trim" | "reverse" => {
            const O: &[Overload] = &[member(&[String], String)];
            O
        }
        "replace" => {
            const O: &[Overload] = &[
                member(&[String, String, String], String),
                member(&[String, String, String, Int], String),
            ];
            O
        }
        "split" => {
            const O: &[Overload] = &[
                member(&[String, String], ListString),
                member(&[String, String, Int], ListString),
            ];
            O
        }
        "substring" => {
            const O: &[Overload] = &[
                member(&[String, Int], String),
                member(&[String, Int, Int], String),
            ];
            O
        }
        "join" => {
            const O: &[Overload] = &[
                member(&[ListString], String),
                member(&[ListString, String], String),
            ];
            O
        }
        "format" => {
            const O: &[Overload] = &[member(&[String, ListA], String)];
            O
        }
        // protovalidate's functions.
        "isNan" => {
            const O: &[Overload] = &[member(&[Double], Bool)];
            O
        }
        "isInf" => {
            const O: &[Overload] = &[member(&[Double], Bool), member(&[Double, Int], Bool)];
            O
        }
        "isHostname" | "isEmail" | "isUri" | "isUriRef" => STRING_CHECK,
        "isIp" => {
            const O: &[Overload] = &[member(&[String], Bool), member(&[String, Int], Bool)];
            O
        }
        "isIpPrefix" => {
            const O: &[Overload] = &[
                member(&[String], Bool),
                member(&[String, Int], Bool),
                member(&[String, Bool], Bool),
                member(&[String, Int, Bool], Bool),
            ];
            O
        }
        "isHostAndPort" => {
            const O: &[Overload] = &[member(&[String, Bool], Bool)];
            O
        }
        "unique" => {
            const O: &[Overload] = &[
                member(&[ListBool], Bool),
                member(&[ListInt], Bool),
                member(&[ListUint], Bool),
                member(&[ListDouble], Bool),
                member(&[ListString], Bool),
                member(&[ListBytes], Bool),
            ];
            O
        }
        "getField" => {
            const O: &[Overload] = &[global(&[A, String], Dyn)];
            O
        }
        _ => return None,
    })
}

/// Type parameters bound while matching one overload.
#[derive(Default)]
struct Bindings {
    a: Option<Type>,
    b: Option<Type>,
}

impl Bindings {
    fn bind(slot: &mut Option<Type>, actual: &Type) -> bool {
        match slot {
            None => {
                *slot = Some(actual.clone());
                true
            }
            Some(bound) if assignable(actual, bound) => {
                // `null` first, a message or timestamp next: the param is
                // the latter.
                if *bound == Type::Null || bound.is_dyn_or_error() && !actual.is_dyn_or_error() {
                    *slot = Some(actual.clone());
                }
                true
            }
            Some(bound) if assignable(bound, actual) => {
                *slot = Some(actual.clone());
                true
            }
            Some(_) => false,
        }
    }

    fn matches(&mut self, pattern: P, actual: &Type) -> bool {
        let concrete = |formal: Type| assignable(actual, &formal);
        match pattern {
            Int => concrete(Type::Int),
            Uint => concrete(Type::Uint),
            Double => concrete(Type::Double),
            Bool => concrete(Type::Bool),
            String => concrete(Type::String),
            Bytes => concrete(Type::Bytes),
            Duration => concrete(Type::Duration),
            Timestamp => concrete(Type::Timestamp),
            Dyn => true,
            A => Self::bind(&mut self.a, actual),
            B => Self::bind(&mut self.b, actual),
            ListString => concrete(Type::list(Type::String)),
            ListInt => concrete(Type::list(Type::Int)),
            ListUint => concrete(Type::list(Type::Uint)),
            ListDouble => concrete(Type::list(Type::Double)),
            ListBool => concrete(Type::list(Type::Bool)),
            ListBytes => concrete(Type::list(Type::Bytes)),
            ListA => match actual {
                Type::List(item) => Self::bind(&mut self.a, item),
                other => other.is_dyn_or_error(),
            },
            MapAB => match actual {
                Type::Map(key, value) => {
                    Self::bind(&mut self.a, key) && Self::bind(&mut self.b, value)
                }
                other => other.is_dyn_or_error(),
            },
            TypeA => false,
        }
    }

    fn result(&self, pattern: P) -> Type {
        let param = |slot: &Option<Type>| slot.clone().unwrap_or(Type::Dyn);
        match pattern {
            Int => Type::Int,
            Uint => Type::Uint,
            Double => Type::Double,
            Bool => Type::Bool,
            String => Type::String,
            Bytes => Type::Bytes,
            Duration => Type::Duration,
            Timestamp => Type::Timestamp,
            Dyn => Type::Dyn,
            A => param(&self.a),
            B => param(&self.b),
            ListA => Type::list(param(&self.a)),
            ListString => Type::list(Type::String),
            ListInt => Type::list(Type::Int),
            ListUint => Type::list(Type::Uint),
            ListDouble => Type::list(Type::Double),
            ListBool => Type::list(Type::Bool),
            ListBytes => Type::list(Type::Bytes),
            MapAB => Type::map(param(&self.a), param(&self.b)),
            TypeA => Type::Kind(Box::new(param(&self.a))),
        }
    }
}

/// The result type of calling one of `overloads` with `args` (the
/// receiver first when `member`), or `None` when none matches. Several
/// matches with different results give `dyn`, as cel-go's do.
pub(super) fn resolve(overloads: &[Overload], member: bool, args: &[Type]) -> Option<Type> {
    let mut result: Option<Type> = None;
    for overload in overloads {
        if overload.member != member || overload.args.len() != args.len() {
            continue;
        }
        let mut bindings = Bindings::default();
        if !overload
            .args
            .iter()
            .zip(args)
            .all(|(pattern, actual)| bindings.matches(*pattern, actual))
        {
            continue;
        }
        let found = bindings.result(overload.result);
        result = Some(match result {
            None => found,
            Some(previous) if previous == found => previous,
            Some(_) => Type::Dyn,
        });
    }
    result
}
