//! Where a node of a stub document is, as `line:column`.
//!
//! Stubs are checked against the schema after parsing, on plain JSON values
//! that carry no positions. Instead of a second, position-keeping parser, a
//! problem found at a path (`[0].response.message.nme`) is located by
//! walking the source again with serde_yaml and failing on purpose at that
//! node: serde_yaml stamps every error with the position of the event it
//! happened on. JSON is YAML, so JSON stub files are located the same way.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
    /// The value of the key before (a path ending on a key means the key).
    Value,
}

/// A path into a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Path(pub Vec<Step>);

impl Path {
    pub fn key(&self, key: &str) -> Path {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.to_owned()));
        Path(steps)
    }

    /// The value at this path rather than its key.
    pub fn value(&self) -> Path {
        let mut steps = self.0.clone();
        steps.push(Step::Value);
        Path(steps)
    }

    pub fn index(&self, index: usize) -> Path {
        let mut steps = self.0.clone();
        steps.push(Step::Index(index));
        Path(steps)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) if i == 0 => write!(f, "{key}")?,
                Step::Key(key) => write!(f, ".{key}")?,
                Step::Index(index) => write!(f, "[{index}]")?,
                Step::Value => {}
            }
        }
        Ok(())
    }
}

/// The 1-based line and column of the node at `path` in `source` (for a
/// key, the key itself), or `None` if the source is not YAML or has no
/// such node.
pub(crate) fn locate(source: &str, path: &Path) -> Option<(usize, usize)> {
    let deserializer = serde_yaml::Deserializer::from_str(source);
    let err = Seek(&path.0).deserialize(deserializer).err()?;
    if !err.to_string().contains(HERE) {
        return None;
    }
    let location = err.location()?;
    Some((location.line(), location.column()))
}

const HERE: &str = "protoforge-locate-here";

struct Seek<'a>(&'a [Step]);

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(SeekVisitor(self.0))
    }
}

struct SeekVisitor<'a>(&'a [Step]);

impl SeekVisitor<'_> {
    /// Whether this node is the one sought.
    fn is_it(&self) -> bool {
        matches!(self.0, [] | [Step::Value])
    }

    fn here<E: de::Error>(&self) -> Result<(), E> {
        if self.is_it() {
            Err(E::custom(HERE))
        } else {
            Ok(())
        }
    }
}

impl<'de> Visitor<'de> for SeekVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.here()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.here()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.here()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.here()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.here()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.here()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.here()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Step::Index(wanted), rest)) = self.0.split_first() else {
            // The node is this sequence: fail on its first element (or
            // report it not found when it is empty).
            if self.is_it() {
                seq.next_element_seed(Seek(&[]))?;
            }
            return Ok(());
        };
        let mut index = 0;
        loop {
            if index == *wanted {
                seq.next_element_seed(Seek(rest))?;
                return Ok(());
            }
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(wanted), rest)) = self.0.split_first() else {
            if self.is_it() {
                map.next_key_seed(Key {
                    wanted: None,
                    last: true,
                })?;
            }
            return Ok(());
        };
        while let Some(found) = map.next_key_seed(Key {
            wanted: Some(wanted),
            last: rest.is_empty(),
        })? {
            if found {
                return map.next_value_seed(Seek(rest));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// A map key: whether it is the wanted one; fails on it when it is the last
/// step (a problem with a key is shown at the key).
struct Key<'a> {
    wanted: Option<&'a str>,
    last: bool,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        let found = self.wanted.is_none_or(|w| w == key);
        if found && self.last {
            return Err(E::custom(HERE));
        }
        Ok(found)
    }
    fn visit_i64<E: de::Error>(self, key: i64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
    fn visit_u64<E: de::Error>(self, key: u64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
    fn visit_bool<E: de::Error>(self, key: bool) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Path {
        Path(
            text.split('.')
                .map(|s| match s.parse() {
                    Ok(i) => Step::Index(i),
                    Err(_) => Step::Key(s.to_owned()),
                })
                .collect(),
        )
    }

    #[test]
    fn yaml_keys_and_values() {
        let yaml = "- method: a\n  response:\n    message: {userId: 1, nme: x}\n- method: b\n";
        assert_eq!(locate(yaml, &path("0.response.message.nme")), Some((3, 26)));
        assert_eq!(locate(yaml, &path("1.method")), Some((4, 3)));
        assert_eq!(locate(yaml, &path("1.method").value()), Some((4, 11)));
        assert_eq!(locate(yaml, &path("1")), Some((4, 3)));
        assert_eq!(locate(yaml, &path("2")), None);
        assert_eq!(locate(yaml, &path("0.nothing")), None);
    }

    #[test]
    fn json_is_located_as_yaml() {
        let json =
            "{\"stubs\": [\n  {\"method\": \"a\",\n   \"response\": {\"message\": {\"x\": 1}}}\n]}";
        assert_eq!(
            locate(json, &path("stubs.0.response.message.x")),
            Some((3, 29))
        );
        assert_eq!(locate(json, &path("stubs.0.method")), Some((2, 4)));
    }
}
