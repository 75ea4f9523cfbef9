//! Whether a request is what a stub expects, and if not, how it differs.
//!
//! Requests are compared in canonical JSON (protobuf's JSON mapping with
//! every field, JSON names), the form the stubs' matchers were put in when
//! they were loaded, so `{user_id: 1}`, `{userId: "1"}` and a request with
//! user_id 1 all compare equal.

use serde_json::Value;

use super::stub::Matcher;

/// What differs between the request and the matcher, one line per field;
/// empty when the stub matches.
pub(crate) fn differences(
    matcher: &Matcher,
    input: &Value,
    metadata: &[(String, String)],
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(expected) = &matcher.equals {
        diff(expected, input, "", true, &mut out);
    }
    if let Some(expected) = &matcher.contains {
        diff(expected, input, "", false, &mut out);
    }
    for (names, written, regex) in &matcher.matches {
        let each: Vec<&Value> = match input {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        for (i, request) in each.iter().enumerate() {
            let mut value = *request;
            for name in names {
                value = value.get(name).unwrap_or(&Value::Null);
            }
            let text = value.as_str().unwrap_or_default();
            if !regex.is_match(text) {
                let at = if matches!(input, Value::Array(_)) {
                    format!("[{i}].{written}")
                } else {
                    written.clone()
                };
                out.push(format!(
                    "{at}: {} does not match /{}/",
                    Value::from(text),
                    regex.as_str()
                ));
            }
        }
    }
    for (name, wanted) in &matcher.metadata {
        match metadata.iter().find(|(n, _)| n == name) {
            Some((_, got)) if got == wanted => {}
            Some((_, got)) => out.push(format!(
                "metadata {name}: expected {}, got {}",
                Value::from(wanted.as_str()),
                Value::from(got.as_str())
            )),
            None => out.push(format!(
                "metadata {name}: expected {}, got none",
                Value::from(wanted.as_str())
            )),
        }
    }
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn shown(path: &str) -> &str {
    if path.is_empty() { "request" } else { path }
}

/// Compares `actual` with `expected`; with `exact`, extra map entries and
/// list items count too (without, `expected` names the fields to check).
fn diff(expected: &Value, actual: &Value, path: &str, exact: bool, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, value) in want {
                diff(
                    value,
                    got.get(key).unwrap_or(&Value::Null),
                    &join(path, key),
                    exact,
                    out,
                );
            }
            if exact {
                for (key, value) in got {
                    if !want.contains_key(key) {
                        out.push(format!("{}: not expected, got {value}", join(path, key)));
                    }
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                out.push(format!(
                    "{}: expected {} items, got {}",
                    shown(path),
                    want.len(),
                    got.len()
                ));
                return;
            }
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                diff(w, g, &format!("{path}[{i}]"), exact, out);
            }
        }
        (want, got) if want == got => {}
        (want, got) => out.push(format!("{}: expected {want}, got {got}", shown(path))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn contains_names_only_what_it_lists() {
        let matcher = Matcher {
            contains: Some(json!({"user": {"name": "Ada"}})),
            ..Matcher::default()
        };
        let request = json!({"user": {"name": "Ada", "age": 3}, "id": 1});
        assert!(differences(&matcher, &request, &[]).is_empty());
        let other = json!({"user": {"name": "Bob", "age": 3}, "id": 1});
        assert_eq!(
            differences(&matcher, &other, &[]),
            vec![r#"user.name: expected "Ada", got "Bob""#]
        );
    }

    #[test]
    fn equals_counts_every_field_and_metadata() {
        let matcher = Matcher {
            equals: Some(json!({"id": 1, "tags": {"a": "b"}})),
            metadata: vec![("x-team".into(), "core".into())],
            ..Matcher::default()
        };
        let request = json!({"id": 1, "tags": {"a": "b", "c": "d"}});
        assert_eq!(
            differences(&matcher, &request, &[("x-team".into(), "edge".into())]),
            vec![
                r#"tags.c: not expected, got "d""#,
                r#"metadata x-team: expected "core", got "edge""#
            ]
        );
    }
}
