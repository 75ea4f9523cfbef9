//! Name conversions as buf's `stringutil` makes them: the expected names in
//! lint messages ("should be PascalCase, such as ...") come from here, so
//! they follow buf's word splitting exactly (`HTTPServer` is one word
//! `HTTP` then `Server`; digits stay in the word before them).

/// What separates words: `.`, `-`, `_` and whitespace.
fn is_delimiter(c: u8) -> bool {
    matches!(c, b'.' | b'-' | b'_' | b' ' | b'\t' | b'\n' | b'\r')
}

/// `foo_bar`, `FooBar` and `foo-bar` become `FooBar`; letters already upper
/// case stay upper case.
pub(crate) fn to_pascal_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut previous = None;
    for (i, c) in name.trim().bytes().enumerate() {
        if !is_delimiter(c) {
            if i == 0 || previous.is_some_and(is_delimiter) || c.is_ascii_uppercase() {
                out.push(c.to_ascii_uppercase() as char);
            } else {
                out.push(c.to_ascii_lowercase() as char);
            }
        }
        previous = Some(c);
    }
    out
}

/// Words joined by `_`, in the case the input has (buf's `toSnakeCase`): a
/// new word starts at an upper-case letter that follows a lower-case one or
/// precedes one.
fn to_snake_case(name: &str) -> String {
    let s = name.trim_matches(|c: char| c.is_ascii() && is_delimiter(c as u8));
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len() + 4);
    for (i, &original) in bytes.iter().enumerate() {
        let c = if is_delimiter(original) {
            b'_'
        } else {
            original
        };
        if i == 0 {
            out.push(c);
            continue;
        }
        let last = out.last().copied();
        let next_starts_word = bytes
            .get(i + 1)
            .is_some_and(|&n| !(n.is_ascii_uppercase() || n.is_ascii_digit() || is_delimiter(n)));
        if c.is_ascii_uppercase()
            && last != Some(b'_')
            && (next_starts_word || bytes[i - 1].is_ascii_lowercase())
        {
            out.push(b'_');
            out.push(c);
        } else if !(is_delimiter(original) && last == Some(b'_')) {
            out.push(c);
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// `FooBar` becomes `foo_bar`.
pub(crate) fn to_lower_snake_case(name: &str) -> String {
    to_snake_case(name).to_ascii_lowercase()
}

/// `FooBar` becomes `FOO_BAR`.
pub(crate) fn to_upper_snake_case(name: &str) -> String {
    to_snake_case(name).to_ascii_uppercase()
}

/// The version a package ends with, as buf reads it: `v1`, `v1beta1`,
/// `v1p1alpha1`, `v2test`, `v2testfoo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PackageVersion {
    /// `vN`.
    Stable,
    /// `vNalphaM`, `vNbetaM`, `vNpMalphaK`, `vNtest...`.
    Unstable,
}

/// The version of `package`'s last component, if it is a well-formed one
/// and not the only one (buf: `v1` alone is no versioned package).
pub(crate) fn package_version(package: &str) -> Option<PackageVersion> {
    let (_, last) = package.rsplit_once('.')?;
    let rest = last.strip_prefix('v')?;
    let rest = positive_number(rest)?;
    if rest.is_empty() {
        return Some(PackageVersion::Stable);
    }
    if rest.starts_with("test") {
        return Some(PackageVersion::Unstable);
    }
    let rest = match rest.strip_prefix('p') {
        Some(patch) => positive_number(patch)?,
        None => rest,
    };
    let number = rest
        .strip_prefix("alpha")
        .or_else(|| rest.strip_prefix("beta"))?;
    // The number after alpha or beta is optional: `v1beta` is unstable.
    match number {
        "" => Some(PackageVersion::Unstable),
        _ => match positive_number(number) {
            Some("") => Some(PackageVersion::Unstable),
            _ => None,
        },
    }
}

/// The rest of `text` after a number of at least 1 without leading zeros.
fn positive_number(text: &str) -> Option<&str> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let number = &text[..digits];
    if number.is_empty() || number.starts_with('0') {
        return None;
    }
    Some(&text[digits..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_split_words_as_buf_does() {
        assert_eq!(to_pascal_case("bad_message"), "BadMessage");
        assert_eq!(to_pascal_case("HTTP_server"), "HTTPServer");
        assert_eq!(to_pascal_case("get_thing"), "GetThing");
        assert_eq!(to_lower_snake_case("HTTPServer"), "http_server");
        assert_eq!(to_lower_snake_case("aBC"), "a_bc");
        assert_eq!(to_lower_snake_case("_under"), "under");
        assert_eq!(to_lower_snake_case("a__b"), "a_b");
        assert_eq!(to_lower_snake_case("fieldA1"), "field_a1");
        assert_eq!(to_lower_snake_case("Field3x"), "field3x");
        assert_eq!(to_upper_snake_case("Enum1Value3"), "ENUM1_VALUE3");
        assert_eq!(to_upper_snake_case("HTTPMode"), "HTTP_MODE");
        assert_eq!(to_upper_snake_case("inner_enum"), "INNER_ENUM");
    }

    #[test]
    fn package_versions() {
        for stable in ["foo.v1", "a.b.v10"] {
            assert_eq!(
                package_version(stable),
                Some(PackageVersion::Stable),
                "{stable}"
            );
        }
        for unstable in [
            "foo.v1beta1",
            "foo.v1beta",
            "foo.v1alpha2",
            "foo.v1test",
            "foo.v2testfoo",
            "foo.v1p1beta1",
        ] {
            assert_eq!(
                package_version(unstable),
                Some(PackageVersion::Unstable),
                "{unstable}"
            );
        }
        for none in [
            "foo",
            "v2",
            "v1alpha1",
            "foo.v0",
            "foo.v01",
            "foo.v1beta0",
            "foo.vx",
            "foo.v1x",
        ] {
            assert_eq!(package_version(none), None, "{none}");
        }
    }
}
