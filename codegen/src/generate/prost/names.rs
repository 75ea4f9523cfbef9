//! Rust names of protobuf names, spelled as prost-build spells them: heck's
//! snake and upper camel case, keywords as raw identifiers, names Rust
//! cannot take at all (`self`, `crate`, ...) with a trailing `_`, names
//! starting with a digit with a leading `_`.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// `FooBar` → `foo_bar`, `type` → `r#type`.
pub(crate) fn to_snake(name: &str) -> String {
    sanitize(name.to_snake_case())
}

/// `foo_bar` → `FooBar`, `Self` → `Self_`.
pub(crate) fn to_upper_camel(name: &str) -> String {
    sanitize(name.to_upper_camel_case())
}

/// An enum value's name without its enum's name in front (`ColorRed` of
/// `Color` → `Red`), unless what is left would not start with a capital.
pub(crate) fn strip_enum_prefix(prefix: &str, name: &str) -> String {
    let stripped = name
        .strip_prefix(prefix)
        .filter(|rest| rest.chars().next().is_some_and(char::is_uppercase))
        .unwrap_or(name);
    sanitize(stripped.to_owned())
}

/// A name Rust accepts as an identifier.
fn sanitize(ident: String) -> String {
    match ident.as_str() {
        // Strict and reserved keywords (2015 to 2024) that may be raw.
        "as" | "break" | "const" | "continue" | "else" | "enum" | "false" | "fn" | "for" | "if"
        | "impl" | "in" | "let" | "loop" | "match" | "mod" | "move" | "mut" | "pub" | "ref"
        | "return" | "static" | "struct" | "trait" | "true" | "type" | "unsafe" | "use"
        | "where" | "while" | "dyn" | "abstract" | "become" | "box" | "do" | "final" | "macro"
        | "override" | "priv" | "typeof" | "unsized" | "virtual" | "yield" | "async" | "await"
        | "try" | "gen" => format!("r#{ident}"),
        // Keywords that cannot be raw identifiers.
        "_" | "super" | "self" | "Self" | "extern" | "crate" => format!("{ident}_"),
        _ if ident.starts_with(|c: char| c.is_numeric()) => format!("_{ident}"),
        _ => ident,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_spelled_as_prost_build_spells_them() {
        assert_eq!(to_snake("XMLHttpRequest"), "xml_http_request");
        assert_eq!(to_snake("While"), "r#while");
        assert_eq!(to_snake("self"), "self_");
        assert_eq!(to_upper_camel("foo_bar"), "FooBar");
        assert_eq!(to_upper_camel("self"), "Self_");
        assert_eq!(to_upper_camel("1st"), "_1st");
        assert_eq!(strip_enum_prefix("Color", "ColorRed"), "Red");
        assert_eq!(strip_enum_prefix("Color", "Colorful"), "Colorful");
        assert_eq!(strip_enum_prefix("Foo", "FooSelf"), "Self_");
    }
}
