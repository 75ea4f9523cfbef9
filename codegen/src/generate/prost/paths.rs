//! Which option applies where, and what a type reference is called in Rust.
//!
//! Options (attributes, `bytes`, `btree_map`, `boxed`, `skip_debug`,
//! `disable_comments`) are keyed by a path matcher, as in prost-build: a
//! fully qualified name (`.pkg.Msg.field`) matches it, and so does every
//! suffix without the leading dot (`Msg.field`, `field`), every prefix
//! (`.pkg.Msg`, `.pkg`) and `.`, the whole set. Where one value is wanted
//! (`bytes`, `btree_map`, `boxed`) the first of those candidates, in that
//! order, that any matcher names wins; where all apply (attributes), every
//! matching matcher in the order added.
//!
//! Extern paths map a proto path to a Rust path: the longest registered
//! prefix of a type's full name wins, the rest of the name follows in snake
//! case with the type itself in upper camel case.

use std::collections::HashMap;

use super::names::{to_snake, to_upper_camel};

/// Values keyed by path matchers, in the order added.
#[derive(Clone, Debug)]
pub(crate) struct PathMap<T> {
    matchers: Vec<(String, T)>,
}

impl<T> Default for PathMap<T> {
    fn default() -> Self {
        PathMap {
            matchers: Vec::new(),
        }
    }
}

impl PathMap<()> {
    /// Matchers of a set option (`bytes`, `btree_map`, `skip_debug`,
    /// `disable_comments`): each call replaces the previous call's, as in
    /// prost-build.
    pub(crate) fn set(&mut self, matchers: &[String]) {
        self.matchers = matchers.iter().map(|m| (m.clone(), ())).collect();
    }
}

impl<T> PathMap<T> {
    pub(crate) fn insert(&mut self, matcher: String, value: T) {
        self.matchers.push((matcher, value));
    }

    /// Every value whose matcher matches `path`, in the order added.
    pub(crate) fn all<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a T> + 'a {
        self.matchers
            .iter()
            .filter(move |(matcher, _)| candidates(path).any(|c| c == matcher))
            .map(|(_, value)| value)
    }

    /// The value of the most specific candidate of `path` some matcher names.
    pub(crate) fn first(&self, path: &str) -> Option<&T> {
        candidates(path).find_map(|candidate| {
            self.matchers
                .iter()
                .find(|(matcher, _)| matcher == candidate)
                .map(|(_, value)| value)
        })
    }
}

/// What matches a fully qualified `path`, most specific first: itself, its
/// suffixes, its prefixes, and `.`.
fn candidates(path: &str) -> impl Iterator<Item = &str> {
    let suffixes = std::iter::successors(Some(path), |p| {
        p.split_once('.')
            .map(|(_, rest)| rest)
            .filter(|r| !r.is_empty())
    })
    .skip(1);
    let prefixes = std::iter::successors(Some(path), |p| {
        p.rsplit_once('.')
            .map(|(head, _)| head)
            .filter(|h| !h.is_empty())
    })
    .skip(1);
    std::iter::once(path)
        .chain(suffixes)
        .chain(prefixes)
        .chain(std::iter::once("."))
}

/// Proto paths (`.google.protobuf`, `.a.B`) mapped to Rust paths.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExternPaths {
    paths: HashMap<String, String>,
}

impl ExternPaths {
    /// The user's paths, then, unless the well-known types are compiled,
    /// prost-types for `.google.protobuf` and plain Rust types for its
    /// wrappers and `Empty`. A duplicate or a path not fully qualified is
    /// an error, as in prost-build.
    pub(crate) fn new(user: &[(String, String)], well_known_types: bool) -> Result<Self, String> {
        let mut paths = ExternPaths::default();
        for (proto, rust) in user {
            paths.insert(proto, rust)?;
        }
        if !well_known_types {
            for (proto, rust) in [
                (".google.protobuf", "::prost_types"),
                (".google.protobuf.BoolValue", "bool"),
                (
                    ".google.protobuf.BytesValue",
                    "::prost::alloc::vec::Vec<u8>",
                ),
                (".google.protobuf.DoubleValue", "f64"),
                (".google.protobuf.Empty", "()"),
                (".google.protobuf.FloatValue", "f32"),
                (".google.protobuf.Int32Value", "i32"),
                (".google.protobuf.Int64Value", "i64"),
                (
                    ".google.protobuf.StringValue",
                    "::prost::alloc::string::String",
                ),
                (".google.protobuf.UInt32Value", "u32"),
                (".google.protobuf.UInt64Value", "u64"),
            ] {
                paths.insert(proto, rust)?;
            }
        }
        Ok(paths)
    }

    fn insert(&mut self, proto: &str, rust: &str) -> Result<(), String> {
        if !proto.starts_with('.') {
            return Err(format!(
                "Protobuf paths must be fully qualified (begin with a leading '.'): {proto}"
            ));
        }
        if proto.split('.').skip(1).any(str::is_empty) {
            return Err(format!("invalid fully-qualified Protobuf path: {proto}"));
        }
        if self.paths.contains_key(proto) {
            return Err(format!("duplicate extern Protobuf path: {proto}"));
        }
        self.paths.insert(proto.to_owned(), rust.to_owned());
        Ok(())
    }

    /// The Rust path of the type `full_name` (`.a.b.C`), when it or a
    /// package or message around it is extern.
    pub(crate) fn resolve(&self, full_name: &str) -> Option<String> {
        if let Some(rust) = self.paths.get(full_name) {
            return Some(rust.clone());
        }
        full_name.rmatch_indices('.').find_map(|(at, _)| {
            let rust = self.paths.get(&full_name[..at])?;
            let mut rest = full_name[at + 1..].split('.');
            let ty = rest.next_back().map(to_upper_camel);
            let segments: Vec<String> = rust
                .split("::")
                .chain(rest)
                .enumerate()
                .map(|(i, segment)| {
                    if i == 0 && segment == "crate" {
                        segment.to_owned()
                    } else {
                        to_snake(segment)
                    }
                })
                .chain(ty)
                .collect();
            Some(segments.join("::"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_matched_by_itself_its_suffixes_and_prefixes() {
        let got: Vec<&str> = candidates(".a.b.c").collect();
        assert_eq!(got, [".a.b.c", "a.b.c", "b.c", "c", ".a.b", ".a", "."]);
        let mut map = PathMap::default();
        map.insert("c".to_owned(), 1);
        map.insert(".a".to_owned(), 2);
        assert_eq!(map.first(".a.b.c"), Some(&1));
        assert_eq!(map.all(".a.b.c").collect::<Vec<_>>(), [&1, &2]);
        assert_eq!(map.first(".x.y"), None);
    }

    #[test]
    fn extern_paths_resolve_the_longest_prefix() {
        let user = [
            (".foo".to_owned(), "::foo1".to_owned()),
            (".foo.bar".to_owned(), "::foo2".to_owned()),
            (".a.b".to_owned(), "crate::ab".to_owned()),
        ];
        let paths = ExternPaths::new(&user, true).expect("valid paths");
        assert_eq!(paths.resolve(".foo.Fuzz").as_deref(), Some("::foo1::Fuzz"));
        assert_eq!(
            paths.resolve(".foo.bar.Baz").as_deref(),
            Some("::foo2::Baz")
        );
        assert_eq!(
            paths.resolve(".foo.bar.baz.Qux").as_deref(),
            Some("::foo2::baz::Qux")
        );
        assert_eq!(
            paths.resolve(".a.b.c.D").as_deref(),
            Some("crate::ab::c::D")
        );
        assert_eq!(paths.resolve(".other.X"), None);
        assert!(ExternPaths::new(&[("foo".to_owned(), "::x".to_owned())], true).is_err());
        let wkt = ExternPaths::new(&[], false).expect("valid paths");
        assert_eq!(wkt.resolve(".google.protobuf.Empty").as_deref(), Some("()"));
        assert_eq!(
            wkt.resolve(".google.protobuf.Timestamp").as_deref(),
            Some("::prost_types::Timestamp")
        );
    }
}
