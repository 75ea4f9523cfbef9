//! CEL expressions as buf's PROTOVALIDATE compiles them: cel-go's parser
//! and checker in protovalidate's environment. `compile` gives the
//! expression's type, or cel-go's errors in cel-go's words, or says the
//! expression uses something this checker does not model (the lint then
//! stops rather than pass it silently).
//!
//! The checker models cel-go's standard library (with cross-type numeric
//! comparisons, as protovalidate enables), the strings extension but
//! `strings.quote` (with the check of literal `format` strings),
//! protovalidate's functions, the schema's messages and enum values, and
//! the macros `has`, `all`, `exists`, `exists_one`, `map` and `filter`.
//! Undecided: syntax errors but those whose words are certain (see
//! `parser`; ANTLR's recovery words the rest), message construction, optional syntax,
//! the name `type` as a value, and expressions past the size bounds.

mod checker;
mod lexer;
mod overloads;
mod parser;
mod types;

use prost_reflect::DescriptorPool;

pub(crate) use checker::{Undecided, field_type, kind_type, message_type};
pub(crate) use types::Type;

/// The variables an expression sees: `this`, and for a predefined rule
/// `rule` (the extension's value) and `rules` (the rules message it
/// extends).
#[derive(Debug, Clone)]
pub(crate) struct Env {
    pub this: Type,
    pub predefined: Option<(Type, Type)>,
}

impl Env {
    /// The variables of a field's or message's own rules: `this` only, its
    /// type as [`field_type`], [`kind_type`] or [`message_type`] gave it
    /// (`Err` says what protoforge cannot type).
    pub fn of_this(this: Result<Type, Undecided>) -> Result<Env, String> {
        this.map(|this| Env {
            this,
            predefined: None,
        })
        .map_err(|Undecided(what)| what)
    }
}

/// What buf's compilation of an expression gives.
#[derive(Debug, PartialEq)]
pub(crate) enum Compiled {
    /// The expression checks, with this result type.
    Typed(Type),
    /// cel-go's errors, one finding each.
    Errors(Vec<String>),
    /// Something protoforge does not model, named.
    Undecided(String),
}

/// Parses and checks `text` in `env`.
pub(crate) fn compile(text: &str, pool: &DescriptorPool, env: Env) -> Compiled {
    let expr = match parser::parse(text) {
        Ok(expr) => expr,
        Err(parser::SyntaxError::Known(message)) => return Compiled::Errors(vec![message]),
        Err(parser::SyntaxError::Undecided(what)) => return Compiled::Undecided(what),
    };
    let mut checker = checker::Checker::new(pool, env);
    match checker.check(&expr) {
        Err(checker::Undecided(what)) => Compiled::Undecided(what),
        Ok(_) if !checker.errors.is_empty() => Compiled::Errors(checker.errors),
        Ok(ty) => Compiled::Typed(ty),
    }
}

#[cfg(test)]
mod tests;
