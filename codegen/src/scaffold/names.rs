//! Checking the names a user gives, and turning proto names into the Rust
//! names prost and tonic generate for them.

use heck::{ToSnakeCase, ToUpperCamelCase};

use super::ScaffoldError;

/// A proto identifier: a letter or `_`, then letters, digits and `_`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// PascalCase, as buf lint wants service, rpc and message names.
pub(crate) fn is_pascal_case(name: &str) -> bool {
    is_identifier(name) && name.starts_with(|c: char| c.is_ascii_uppercase()) && !name.contains('_')
}

/// lower_snake_case, as buf lint wants package components.
pub(crate) fn is_lower_snake_case(name: &str) -> bool {
    is_identifier(name)
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A version suffix buf lint accepts: `v1`, `v2beta1`, `v1test`, ...
pub(crate) fn is_version(component: &str) -> bool {
    let Some(rest) = component.strip_prefix('v') else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || rest.starts_with('0') {
        return false;
    }
    let suffix = &rest[digits..];
    suffix.is_empty()
        || suffix == "test"
        || ["alpha", "beta", "p1alpha", "p1beta"].iter().any(|stage| {
            suffix.strip_prefix(stage).is_some_and(|n| {
                n.is_empty() || (n.chars().all(|c| c.is_ascii_digit()) && !n.starts_with('0'))
            })
        })
}

/// Splits `billing.v1.InvoiceService` into its package and service name,
/// checking both against the conventions buf lint enforces.
pub(crate) fn split_service(full_name: &str) -> Result<(String, String), ScaffoldError> {
    let (package, service) = full_name.rsplit_once('.').ok_or_else(|| {
        ScaffoldError::Name(format!(
            "'{full_name}' has no package: write it as <package>.<Service>, for example billing.v1.{full_name}"
        ))
    })?;
    for component in package.split('.') {
        if !is_identifier(component) {
            return Err(ScaffoldError::Name(format!(
                "'{component}' in '{full_name}' is not a valid proto identifier (letters, digits and '_', not starting with a digit)"
            )));
        }
        if !is_lower_snake_case(component) {
            return Err(ScaffoldError::Name(format!(
                "package component '{component}' must be lower_snake_case (buf lint PACKAGE_LOWER_SNAKE_CASE)"
            )));
        }
    }
    if !package.split('.').next_back().is_some_and(is_version) {
        return Err(ScaffoldError::Name(format!(
            "package '{package}' must end in a version such as v1 (buf lint PACKAGE_VERSION_SUFFIX): try {package}.v1.{service}"
        )));
    }
    check_pascal(service, "service", "SERVICE_PASCAL_CASE")?;
    if !service.ends_with("Service") {
        return Err(ScaffoldError::Name(format!(
            "service name '{service}' must end in 'Service' (buf lint SERVICE_SUFFIX): try {package}.{service}Service"
        )));
    }
    Ok((package.to_owned(), service.to_owned()))
}

/// Checks an rpc, service or message name.
pub(crate) fn check_pascal(name: &str, what: &str, rule: &str) -> Result<(), ScaffoldError> {
    if !is_identifier(name) {
        return Err(ScaffoldError::Name(format!(
            "{what} name '{name}' is not a valid proto identifier (letters, digits and '_', not starting with a digit)"
        )));
    }
    if !is_pascal_case(name) {
        return Err(ScaffoldError::Name(format!(
            "{what} name '{name}' must be PascalCase (buf lint {rule}): try {}",
            name.to_upper_camel_case()
        )));
    }
    Ok(())
}

/// The Rust module path prost generates for a package: `billing::v1`,
/// `self_::v1`, `r#type::v1`.
pub(crate) fn package_module(package: &str) -> String {
    crate::generate::prost::package_module(package).join("::")
}

/// The Rust path of a request or response type from the crate root, with
/// the generated code at `crate::proto`, from the path the generator gives
/// relative to the package's module (`GetRequest`,
/// `super::super::common::v1::Money`, `()`, `::prost_types::Timestamp`).
pub(crate) fn type_path(relative: &str, package: &str) -> String {
    if relative == "()" || relative.starts_with("::") {
        return relative.to_owned();
    }
    let mut path = vec!["crate".to_owned(), "proto".to_owned()];
    path.extend(crate::generate::prost::package_module(package));
    let mut rest = relative;
    while let Some(after) = rest.strip_prefix("super::") {
        if path.len() > 2 {
            path.pop();
        }
        rest = after;
    }
    path.push(rest.to_owned());
    path.join("::")
}

/// A snake-case Rust name for a proto name, escaped as prost escapes
/// identifiers: a scaffold's module names.
pub(crate) fn snake_ident(name: &str) -> String {
    rust_ident(&name.to_snake_case())
}

/// Escapes an identifier exactly as prost-build does: keywords that can be
/// raw identifiers get `r#` (`r#type`), the ones that cannot (`self`,
/// `super`, `Self`, `crate`, `extern`, `_`) get a trailing `_`, and a name
/// starting with a digit a leading `_`.
pub(crate) fn rust_ident(name: &str) -> String {
    const RAW: &[&str] = &[
        "as", "break", "const", "continue", "else", "enum", "false", "fn", "for", "if", "impl",
        "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
        "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "dyn", "abstract",
        "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
        "virtual", "yield", "async", "await", "try", "gen",
    ];
    if RAW.contains(&name) {
        format!("r#{name}")
    } else if ["_", "super", "self", "Self", "extern", "crate"].contains(&name) {
        format!("{name}_")
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        for ok in ["v1", "v2", "v1beta1", "v1alpha", "v3test", "v1p1beta1"] {
            assert!(is_version(ok), "{ok}");
        }
        for bad in ["v", "v0", "version1", "v1beta0", "1", "v01"] {
            assert!(!is_version(bad), "{bad}");
        }
    }

    #[test]
    fn service_names() {
        assert_eq!(
            split_service("billing.v1.InvoiceService").expect("valid"),
            ("billing.v1".to_owned(), "InvoiceService".to_owned())
        );
        let err = |name: &str| split_service(name).expect_err(name).to_string();
        assert!(err("InvoiceService").contains("has no package"));
        assert!(err("billing.v1.1Invoice").contains("not a valid proto identifier"));
        assert!(err("bill-ing.v1.InvoiceService").contains("'bill-ing'"));
        assert!(err("Billing.v1.InvoiceService").contains("lower_snake_case"));
        assert!(err("billing.InvoiceService").contains("try billing.v1.InvoiceService"));
        assert!(err("billing.v1.Invoice").contains("try billing.v1.InvoiceService"));
        assert!(err("billing.v1.invoice_service").contains("PascalCase"));
    }

    #[test]
    fn rust_paths() {
        assert_eq!(
            type_path("GetRequest", "billing.v1"),
            "crate::proto::billing::v1::GetRequest"
        );
        assert_eq!(
            type_path("outer::Inner", "billing.v1"),
            "crate::proto::billing::v1::outer::Inner"
        );
        assert_eq!(
            type_path("super::super::common::v1::Money", "billing.v1"),
            "crate::proto::common::v1::Money"
        );
        assert_eq!(type_path("()", "billing.v1"), "()");
        assert_eq!(
            type_path("::prost_types::Timestamp", "x.v1"),
            "::prost_types::Timestamp"
        );
        assert_eq!(package_module("type.v1"), "r#type::v1");
        assert_eq!(package_module("self.v1"), "self_::v1");
        assert_eq!(snake_ident("GetHTTPThing"), "get_http_thing");
        assert_eq!(snake_ident("Super"), "super_");
        assert_eq!(snake_ident("Type"), "r#type");
    }
}
