//! A YAML reader for buf's configuration files (`buf.yaml`, `buf.work.yaml`,
//! `--config`), with no dependencies.
//!
//! [`parse`] turns text into a tree of [`Node`]s, each with the line and
//! column it starts at; the typed accessors ([`Node::get`],
//! [`Node::as_string`], [`Node::as_strings`], [`Node::as_bool`], ...) read
//! that tree the way buf's Go `yaml.v3` decodes it into strings, bools and
//! lists, and fail with located errors.
//!
//! What it reads: one document (`---` and `...` around it), comments, block
//! mappings and sequences (a `- ` at its key's indentation, `- key: v`
//! compact mappings), flow collections (nested, spanning lines; so JSON),
//! plain scalars (folded over lines), single- and double-quoted scalars
//! (every escape, line folding), literal and folded block scalars with
//! chomping and indentation indicators, anchors and aliases (expanded by
//! copy, within [`EXPANSION_LIMIT`] nodes, so a billion-laughs document is
//! refused), merge keys (`<<`), and the standard tags `!!str`, `!!int`,
//! `!!bool`, `!!null`, `!!seq` and `!!map`.
//!
//! What it refuses, with the line and column, rather than misread:
//! explicit `? ` keys and keys that are not scalars, more than one document
//! (buf would read the first), directives (`%YAML`), other tags, tabs as
//! indentation, duplicate keys (as `yaml.v3` refuses them), and collections
//! nested more than the caller's limit (checked as the parser descends, so
//! no input makes it recurse deeper than that). Where libyaml (serde_yaml)
//! and `yaml.v3` (buf) part from the YAML spec or from each other, it
//! refuses too: an anchor name other than letters, digits, `-` and `_`; a
//! tab after `-`; a `:` right before `,` `]` `}` in a flow collection
//! (`{except:}`); a `?` or `:` starting a flow scalar; a flow key over two
//! lines; a tab in a block scalar's indentation. It takes lines of blanks
//! holding a tab, which libyaml refuses: they read as nothing either way.
//!
//! `tests/yaml_differential.rs` holds it to serde_yaml on every buf
//! configuration of the repository, generated documents and mutated ones;
//! `tests/lint_buf.rs` holds the accessors to buf itself.
//!
//! Scalars keep their text and whether they were quoted (or tagged
//! `!!str`): `"true"` and `'1'` stay strings; plain `~`, `null`, `Null`,
//! `NULL` and nothing at all are [`Value::Null`].

mod parser;
#[cfg(test)]
mod tests;

use std::fmt;

pub use parser::EXPANSION_LIMIT;

/// A node of a YAML document and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its line, from 1.
    pub line: usize,
    /// Its column, from 1, in characters.
    pub column: usize,
    /// What it is.
    pub value: Value,
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `~`, `null`, `Null`, `NULL`, or nothing.
    Null,
    /// Any other scalar, as its text after escapes and folding.
    Scalar {
        /// The text.
        text: String,
        /// Quoted, a block scalar (`|`, `>`) or tagged `!!str`: a string
        /// whatever its text.
        quoted: bool,
    },
    /// A sequence.
    Sequence(Vec<Node>),
    /// A mapping, keys in order, no key twice; keys are scalars.
    Mapping(Vec<(Node, Node)>),
}

/// A YAML document that cannot be read, or a value of the wrong shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for YamlError {}

/// Parses one YAML document (JSON too); collections nested deeper than
/// `nesting_limit` are refused.
pub fn parse(text: &str, nesting_limit: usize) -> Result<Node, YamlError> {
    parser::parse(text, nesting_limit)
}

/// What `yaml.v3` accepts as `true` in a Go `bool` field: YAML 1.2's
/// booleans and, plain or quoted, YAML 1.1's (buf 1.75 takes
/// `ignore_unstable_packages: yes` and `"yes"`, refuses `"true"`).
const TRUE_1_1: [&str; 8] = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"];
const FALSE_1_1: [&str; 8] = ["n", "N", "no", "No", "NO", "off", "Off", "OFF"];

impl Node {
    /// A node of `value` at `line`, `column`.
    pub fn new(line: usize, column: usize, value: Value) -> Node {
        Node {
            line,
            column,
            value,
        }
    }

    /// The value of `key` when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Mapping(entries) => entries
                .iter()
                .find(|(k, _)| k.key_text() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The `index`th item when this is a sequence that has it.
    pub fn at(&self, index: usize) -> Option<&Node> {
        match &self.value {
            Value::Sequence(items) => items.get(index),
            _ => None,
        }
    }

    /// Whether this is null (absent values are too, for the accessors).
    pub fn is_null(&self) -> bool {
        self.value == Value::Null
    }

    /// The text of a key (a scalar, or a null key's empty text).
    fn key_text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// What this is, for messages: `a sequence`, `the string "x"`.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Null => "null".to_owned(),
            Value::Scalar { text, .. } => format!("the scalar {text:?}"),
            Value::Sequence(_) => "a sequence".to_owned(),
            Value::Mapping(_) => "a mapping".to_owned(),
        }
    }

    /// An error located at this node: `{what}: {message}`.
    pub fn error(&self, what: &str, message: impl fmt::Display) -> YamlError {
        YamlError {
            line: self.line,
            column: self.column,
            message: if what.is_empty() {
                message.to_string()
            } else {
                format!("{what}: {message}")
            },
        }
    }

    fn expected(&self, what: &str, expected: &str) -> YamlError {
        self.error(
            what,
            format_args!("expected {expected}, found {}", self.describe()),
        )
    }

    /// A string field, as `yaml.v3` fills a Go `string`: any scalar's text
    /// (`1`, `true` included); null is `None`.
    pub fn as_string(&self, what: &str) -> Result<Option<String>, YamlError> {
        match &self.value {
            Value::Null => Ok(None),
            Value::Scalar { text, .. } => Ok(Some(text.clone())),
            _ => Err(self.expected(what, "a string")),
        }
    }

    /// A list of strings (`[]string`): null is empty, and a null item is
    /// left out (`yaml.v3` skips it: buf 1.75 reads `ignore: [~]` as no
    /// path, `ignore: [""]` as the path `""`).
    pub fn as_strings(&self, what: &str) -> Result<Vec<String>, YamlError> {
        match &self.value {
            Value::Null => Ok(Vec::new()),
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| item.as_string(&format!("{what}[{i}]")).transpose())
                .collect(),
            _ => Err(self.expected(what, "a list of strings")),
        }
    }

    /// A boolean field, as `yaml.v3` fills a Go `bool`: plain `true`,
    /// `True`, `TRUE` (and the `false` ones), or YAML 1.1's `yes`, `on`,
    /// `y` (and `no`, `off`, `n`) plain or quoted; null is `None`.
    pub fn as_bool(&self, what: &str) -> Result<Option<bool>, YamlError> {
        match &self.value {
            Value::Null => Ok(None),
            Value::Scalar { text, quoted } => {
                let text = text.as_str();
                if !quoted && matches!(text, "true" | "True" | "TRUE") || TRUE_1_1.contains(&text) {
                    Ok(Some(true))
                } else if !quoted && matches!(text, "false" | "False" | "FALSE")
                    || FALSE_1_1.contains(&text)
                {
                    Ok(Some(false))
                } else {
                    Err(self.expected(what, "a boolean"))
                }
            }
            _ => Err(self.expected(what, "a boolean")),
        }
    }

    /// The mapping under `key`, if any: absent and null are `None`, any
    /// other value is refused; `what` names `key` in errors.
    pub fn mapping_at(&self, key: &str, what: &str) -> Result<Option<&Node>, YamlError> {
        match self.get(key) {
            Some(node) if matches!(node.value, Value::Mapping(_)) => Ok(Some(node)),
            Some(node) if !node.is_null() => Err(node.expected(what, "a mapping")),
            _ => Ok(None),
        }
    }

    /// A mapping's entries as (key, value) pairs; null is empty.
    pub fn as_entries(&self, what: &str) -> Result<Vec<(&str, &Node)>, YamlError> {
        match &self.value {
            Value::Null => Ok(Vec::new()),
            Value::Mapping(entries) => Ok(entries
                .iter()
                .map(|(k, v)| (k.key_text().unwrap_or_default(), v))
                .collect()),
            _ => Err(self.expected(what, "a mapping")),
        }
    }

    /// A sequence's items; null is empty.
    pub fn as_items(&self, what: &str) -> Result<&[Node], YamlError> {
        match &self.value {
            Value::Null => Ok(&[]),
            Value::Sequence(items) => Ok(items),
            _ => Err(self.expected(what, "a sequence")),
        }
    }

    /// A map of string lists (`map[string][]string`, `ignore_only`).
    pub fn as_map_of_string_lists(
        &self,
        what: &str,
    ) -> Result<Vec<(String, Vec<String>)>, YamlError> {
        self.as_entries(what)?
            .into_iter()
            .map(|(key, value)| Ok((key.to_owned(), value.as_strings(&format!("{what}.{key}"))?)))
            .collect()
    }

    /// The boolean at `key` of this mapping: `None` when absent or null;
    /// `what` names the value in errors.
    pub fn bool_at(&self, key: &str, what: &str) -> Result<Option<bool>, YamlError> {
        self.get(key)
            .map(|value| value.as_bool(what))
            .transpose()
            .map(Option::flatten)
    }

    /// Checks this mapping (or null) has no key outside `accepted` (a Go
    /// struct decoded with known fields only).
    pub fn deny_unknown_keys(&self, what: &str, accepted: &[&str]) -> Result<(), YamlError> {
        for (key, _) in self.as_entries(what)? {
            if !accepted.contains(&key) {
                let node = match &self.value {
                    Value::Mapping(entries) => entries
                        .iter()
                        .find(|(k, _)| k.key_text() == Some(key))
                        .map_or(self, |(k, _)| k),
                    _ => self,
                };
                let list: Vec<String> = accepted.iter().map(|k| format!("`{k}`")).collect();
                return Err(node.error(
                    what,
                    format_args!("unknown field `{key}`, expected one of {}", list.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

/// The value of `key` in `node` (absent when `node` is none or not a
/// mapping), for chains over optional blocks.
pub fn field<'a>(node: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    node.and_then(|n| n.get(key))
}
