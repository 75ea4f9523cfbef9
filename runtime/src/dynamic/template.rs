//! Echo templates in responses: `{{request.user_id}}`.
//!
//! A string of a response message may hold `{{ ... }}` placeholders:
//! - `request.FIELD[.FIELD|.INDEX]...`: a field of the request (for client
//!   streaming, the last request);
//! - `requests.INDEX.FIELD...` and `requests.length`: the collected requests
//!   of a client-streaming call;
//! - `metadata.NAME`: a request header.
//!
//! A string that is exactly one placeholder takes the value itself (a number
//! stays a number, a message stays a message); otherwise the values are
//! written into the string. Field names are checked against the request
//! type when the stub is loaded, and rewritten to their JSON names, the
//! names the request is rendered with.

use prost_reflect::{Kind, MessageDescriptor};
use serde_json::Value;

/// The placeholders of `text`, as (start, end, expression) byte ranges.
pub(crate) fn placeholders(text: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open + 2..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        found.push((open, close + 2, text[open + 2..close].trim()));
        from = close + 2;
    }
    found
}

/// Whether `text` is exactly one placeholder (it then takes the value's
/// type rather than being written into a string).
pub(crate) fn is_whole(text: &str) -> bool {
    matches!(placeholders(text).as_slice(), [(0, end, _)] if *end == text.len())
}

/// Checks an expression against the request type; returns it with field
/// names in their JSON form.
pub(crate) fn check(
    expression: &str,
    input: &MessageDescriptor,
    client_streaming: bool,
) -> Result<String, String> {
    let mut parts = expression.split('.');
    let root = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let mut out = vec![root.to_owned()];
    let fields: &[&str] = match root {
        "metadata" => {
            let [name] = rest.as_slice() else {
                return Err(format!(
                    "'{{{{{expression}}}}}': write metadata.NAME, one header name"
                ));
            };
            out.push(name.to_ascii_lowercase());
            return Ok(out.join("."));
        }
        "request" => &rest,
        "requests" if client_streaming => match rest.split_first() {
            Some((&"length", [])) => return Ok("requests.length".to_owned()),
            Some((index, fields)) if index.parse::<usize>().is_ok() => {
                out.push((*index).to_owned());
                fields
            }
            _ => {
                return Err(format!(
                    "'{{{{{expression}}}}}': write requests.length or requests.INDEX.FIELD"
                ));
            }
        },
        "requests" => {
            return Err(format!(
                "'{{{{{expression}}}}}': `requests` is for client-streaming rpcs; use `request`"
            ));
        }
        other => {
            return Err(format!(
                "'{{{{{expression}}}}}': unknown root '{other}' (use request, requests or metadata)"
            ));
        }
    };
    let mut message = Some(input.clone());
    let mut in_list = false;
    for name in fields {
        if in_list {
            if name.parse::<usize>().is_err() {
                return Err(format!(
                    "'{{{{{expression}}}}}': '{name}' follows a repeated field: use an index"
                ));
            }
            out.push((*name).to_owned());
            in_list = false;
            continue;
        }
        let Some(current) = message.take() else {
            return Err(format!(
                "'{{{{{expression}}}}}': '{name}' follows a field that is not a message"
            ));
        };
        let field = current
            .get_field_by_name(name)
            .or_else(|| current.get_field_by_json_name(name))
            .ok_or_else(|| {
                format!(
                    "'{{{{{expression}}}}}': no field '{name}' in {}",
                    current.full_name()
                )
            })?;
        out.push(field.json_name().to_owned());
        in_list = field.is_list();
        if let Kind::Message(inner) = field.kind()
            && !field.is_map()
        {
            message = Some(inner);
        }
    }
    Ok(out.join("."))
}

/// Replaces every placeholder in the strings of `value`.
pub(crate) fn render(value: &Value, context: &Value) -> Value {
    match value {
        Value::String(text) => {
            let found = placeholders(text);
            match found.as_slice() {
                [] => value.clone(),
                [(_, _, expression)] if is_whole(text) => lookup(context, expression),
                _ => {
                    let mut out = String::new();
                    let mut from = 0;
                    for (start, end, expression) in found {
                        out.push_str(&text[from..start]);
                        match lookup(context, expression) {
                            Value::String(s) => out.push_str(&s),
                            Value::Null => {}
                            other => out.push_str(&other.to_string()),
                        }
                        from = end;
                    }
                    out.push_str(&text[from..]);
                    Value::String(out)
                }
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| render(v, context)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render(v, context)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether any string of `value` holds a placeholder.
pub(crate) fn has_placeholders(value: &Value) -> bool {
    match value {
        Value::String(text) => !placeholders(text).is_empty(),
        Value::Array(items) => items.iter().any(has_placeholders),
        Value::Object(map) => map.values().any(has_placeholders),
        _ => false,
    }
}

fn lookup(context: &Value, expression: &str) -> Value {
    let mut parts = expression.split('.');
    let root = parts.next().unwrap_or_default();
    if expression == "requests.length" {
        return Value::from(context["requests"].as_array().map_or(0, Vec::len));
    }
    let mut current = &context[root];
    for part in parts {
        current = match (current, part.parse::<usize>()) {
            (Value::Array(items), Ok(index)) => items.get(index).unwrap_or(&Value::Null),
            (value, _) => value.get(part).unwrap_or(&Value::Null),
        };
    }
    current.clone()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn whole_and_embedded_placeholders() {
        let context =
            json!({"request": {"userId": 7, "tags": ["a", "b"]}, "metadata": {"x-id": "r1"}});
        let value = json!({"id": "{{request.userId}}", "name": "user {{ request.userId }} ({{request.tags.1}}, {{metadata.x-id}})"});
        assert_eq!(
            render(&value, &context),
            json!({"id": 7, "name": "user 7 (b, r1)"})
        );
        assert!(has_placeholders(&value));
        assert!(!has_placeholders(&json!({"a": ["{x}"]})));
    }

    #[test]
    fn requests_length() {
        let context = json!({"requests": [{}, {}, {}]});
        assert_eq!(render(&json!("{{requests.length}}"), &context), json!(3));
    }
}
