//! The CEL expressions of a set of rules (`cel` and `cel_expression` of
//! `FieldRules` and `MessageRules`), checked as buf checks them: ids made
//! of the allowed characters and unique among the set, expressions not
//! empty, compiling, and evaluating to a bool or a string.

use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage, Value};

use super::cel::{self, Compiled, Env, Type};

/// The element whose rules these are, as buf names it (`field "a1"`,
/// `extension field`).
pub(super) struct Owner<'a> {
    pub what: &'static str,
    pub name: Option<&'a str>,
}

impl Owner<'_> {
    fn named(&self) -> String {
        match self.name {
            Some(name) => format!("{} {name:?}", self.what),
            None => self.what.to_owned(),
        }
    }

    fn capitalized(&self) -> String {
        let mut named = self.named();
        named[..1].make_ascii_uppercase();
        named
    }
}

/// A finding at a path under the rules, and its message.
pub(super) type Finding = (Vec<i32>, String);

/// Checks the expressions of `rules` (at `path`, shown as `shown`) in
/// `env` (or why its types are not modelled). Returns the findings, or
/// what cannot be decided.
pub(super) fn check(
    pool: &DescriptorPool,
    rules: &DynamicMessage,
    path: &[i32],
    shown: &str,
    owner: &Owner<'_>,
    env: &Result<Env, String>,
) -> Result<Vec<Finding>, String> {
    let mut findings = Vec::new();
    let list = |name: &str| -> (i32, Vec<Value>) {
        let Some(field) = rules.descriptor().get_field_by_name(name) else {
            return (0, Vec::new());
        };
        let values = match rules.get_field(&field).as_ref() {
            Value::List(values) => values.clone(),
            _ => Vec::new(),
        };
        (field.number() as i32, values)
    };
    let (cel_number, cels) = list("cel");
    let (expression_number, expressions) = list("cel_expression");
    let at = |number: i32, index: usize| {
        let mut at = path.to_vec();
        at.extend([number, index as i32]);
        at
    };
    let mut ids: Vec<(String, Vec<i32>)> = Vec::new();
    for (index, rule) in cels.iter().enumerate() {
        let Value::Message(rule) = rule else { continue };
        let text = |name: &str| match rule
            .descriptor()
            .get_field_by_name(name)
            .map(|field| rule.get_field(&field).into_owned())
        {
            Some(Value::String(text)) => text,
            _ => String::new(),
        };
        let place = at(cel_number, index);
        let id = text("id");
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            findings.push((
                place.clone(),
                format!(
                    "{} has invalid characters for {shown}.cel.id. IDs must contain only \
                     characters a-z, A-Z, 0-9, '.', '_', '-'.",
                    owner.capitalized()
                ),
            ));
        }
        if !id.is_empty() {
            ids.push((id, place.clone()));
        }
        let shown_expression = format!("{shown}.cel.expression");
        expression(
            pool,
            &text("expression"),
            &shown_expression,
            owner,
            env,
            &place,
            &mut findings,
        )?;
    }
    for (index, text) in expressions.iter().enumerate() {
        let Value::String(text) = text else { continue };
        let shown_expression = format!("{shown}.cel_expression");
        let place = at(expression_number, index);
        expression(
            pool,
            text,
            &shown_expression,
            owner,
            env,
            &place,
            &mut findings,
        )?;
    }
    for (id, place) in &ids {
        if ids.iter().filter(|(other, _)| other == id).count() > 1 {
            findings.push((
                place.clone(),
                format!(
                    "{shown}.cel.id ({id:?}) is not unique within {}.",
                    owner.named()
                ),
            ));
        }
    }
    Ok(findings)
}

/// One expression, shown as `shown`, at `place`.
fn expression(
    pool: &DescriptorPool,
    text: &str,
    shown: &str,
    owner: &Owner<'_>,
    env: &Result<Env, String>,
    place: &[i32],
    findings: &mut Vec<Finding>,
) -> Result<(), String> {
    if text.trim().is_empty() {
        findings.push((
            place.to_vec(),
            format!(
                "{} has an empty {shown}. Expressions should always be specified.",
                owner.capitalized()
            ),
        ));
        return Ok(());
    }
    let env = env.clone()?;
    let undecided = |what: String| format!("a {shown} {text:?} with {what}");
    match cel::compile(text, pool, env) {
        Compiled::Undecided(what) => return Err(undecided(what)),
        Compiled::Errors(errors) => {
            for error in errors {
                findings.push((
                    place.to_vec(),
                    format!("{shown} on {} fails to compile: {error}", owner.named()),
                ));
            }
        }
        Compiled::Typed(Type::Bool | Type::String | Type::Dyn) => {}
        Compiled::Typed(Type::Wrapper(scalar)) if matches!(*scalar, Type::Bool | Type::String) => {}
        Compiled::Typed(ty @ Type::Any) => {
            return Err(undecided(format!("a result of type {ty}")));
        }
        Compiled::Typed(ty) => findings.push((
            place.to_vec(),
            format!(
                "{shown} on {} evaluates to a {ty}, only string and boolean are allowed.",
                owner.named()
            ),
        )),
    }
    Ok(())
}
