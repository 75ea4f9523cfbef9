//! Comparing two `FileDescriptorSet`s file by file, as protoc would see them.
//!
//! protoc and protox emit the same source locations in different orders (both
//! are valid: the order carries no meaning), so locations are sorted before
//! comparing. Nothing else is normalised: every other field, unknown fields
//! (custom options) included, must match byte for byte.

use prost::Message;
use prost_reflect::{DynamicMessage, ReflectMessage, Value};

/// One file of a set: its name and its normalised encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalisedFile {
    /// The file's import name.
    pub name: String,
    /// The file's `FileDescriptorProto`, re-encoded with sorted locations.
    pub bytes: Vec<u8>,
}

/// Decodes a binary `FileDescriptorSet` and normalises each file.
pub fn normalise(set: &[u8]) -> Result<Vec<NormalisedFile>, prost::DecodeError> {
    let file_descriptor = prost_types::FileDescriptorProto::default().descriptor();
    let raw = RawSet::decode(set)?;
    raw.file
        .iter()
        .map(|bytes| {
            let mut file = DynamicMessage::decode(file_descriptor.clone(), bytes.as_slice())?;
            sort_locations(&mut file);
            let name = file
                .get_field_by_name("name")
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            Ok(NormalisedFile {
                name,
                bytes: file.encode_to_vec(),
            })
        })
        .collect()
}

/// A `FileDescriptorSet` whose files stay encoded.
#[derive(Clone, PartialEq, Message)]
struct RawSet {
    #[prost(bytes = "vec", repeated, tag = "1")]
    file: Vec<Vec<u8>>,
}

fn sort_locations(file: &mut DynamicMessage) {
    let Some(Value::Message(info)) = file.get_field_by_name_mut("source_code_info") else {
        return;
    };
    if let Some(Value::List(locations)) = info.get_field_by_name_mut("location") {
        locations.sort_by_cached_key(|location| match location {
            Value::Message(location) => location.encode_to_vec(),
            _ => Vec::new(),
        });
    }
}

/// How two sets compare, file by file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Files present in both and equal.
    pub identical: Vec<String>,
    /// Files present in both and different.
    pub different: Vec<String>,
    /// Files only in the first set.
    pub only_in_first: Vec<String>,
    /// Files only in the second set.
    pub only_in_second: Vec<String>,
}

/// Compares two normalised sets by file name.
pub fn compare(first: &[NormalisedFile], second: &[NormalisedFile]) -> Comparison {
    let mut comparison = Comparison::default();
    for file in first {
        match second.iter().find(|other| other.name == file.name) {
            Some(other) if other.bytes == file.bytes => {
                comparison.identical.push(file.name.clone())
            }
            Some(_) => comparison.different.push(file.name.clone()),
            None => comparison.only_in_first.push(file.name.clone()),
        }
    }
    for file in second {
        if !first.iter().any(|other| other.name == file.name) {
            comparison.only_in_second.push(file.name.clone());
        }
    }
    comparison
}
