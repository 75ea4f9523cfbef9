//! What an import path may be: a name relative to an include root, with `/`
//! between its components, as protoc accepts it. Any parser calls
//! [`check`] on the string of an `import` statement, so every front end says
//! the same thing about `import "./a.proto"`.

/// Checks the path of an `import` statement (without its quotes). The error
/// says what is wrong and, where there is one, the path to write instead.
pub fn check(path: &str) -> Result<(), String> {
    let problem = if path.is_empty() {
        "it is empty"
    } else if path.contains('\\') {
        "it contains a backslash (import paths use '/')"
    } else if path.starts_with('/') {
        "it is absolute (import paths are relative to an include root)"
    } else if path.split('/').any(str::is_empty) {
        "it contains repeated slashes or ends in one"
    } else if path.split('/').any(|part| part == ".") {
        "it contains a '.' component"
    } else if path.split('/').any(|part| part == "..") {
        "it contains a '..' component (imports cannot leave the include roots)"
    } else {
        return Ok(());
    };
    let mut message = format!("invalid import path \"{path}\": {problem}");
    if let Some(fixed) = normalised(path).filter(|fixed| fixed != path) {
        message.push_str(&format!("; write \"{fixed}\""));
    }
    Err(message)
}

/// `path` with `\` as `/`, `.` and empty components dropped and `x/..`
/// folded, when that leaves a path inside the root.
fn normalised(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_plain_relative_paths() {
        for ok in [
            "a.proto",
            "google/protobuf/empty.proto",
            "a..b/c.proto",
            ".hidden/x.proto",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn says_what_is_wrong_and_what_to_write() {
        let err = |path| check(path).expect_err(path);
        assert_eq!(
            err("./a.proto"),
            "invalid import path \"./a.proto\": it contains a '.' component; write \"a.proto\""
        );
        assert!(err("a//b.proto").contains("repeated slashes or ends in one; write \"a/b.proto\""));
        assert!(err("a\\b.proto").contains("backslash"));
        assert!(err("/abs/a.proto").contains("absolute"));
        assert!(err("a/../b.proto").contains("'..' component"));
        assert!(err("a/../b.proto").ends_with("write \"b.proto\""));
        assert!(!err("../b.proto").contains("write"));
        assert!(err("").contains("empty"));
    }
}
