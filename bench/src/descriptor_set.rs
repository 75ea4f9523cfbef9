//! Comparing two `FileDescriptorSet`s file by file, byte for byte but for
//! the order of source locations.
//!
//! protoc and protox emit the same source locations in different orders (both
//! are valid: the order carries no meaning), so the locations of each file are
//! sorted by their encoding before comparing. Nothing else is normalised: the
//! other fields of each file, their order and unknown fields (custom options)
//! included, must match byte for byte.

use prost::encoding::decode_varint;

/// One file of a set: its name and its normalised encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalisedFile {
    /// The file's import name.
    pub name: String,
    /// The file's `FileDescriptorProto` as encoded but for its source info,
    /// then its locations, each as encoded, sorted.
    pub bytes: Vec<u8>,
}

/// `FileDescriptorSet.file`, `FileDescriptorProto.name` and
/// `.source_code_info`.
const FILE: u64 = 1;
const NAME: u64 = 1;
const SOURCE_CODE_INFO: u64 = 9;

/// Splits a binary `FileDescriptorSet` into its files and normalises each.
pub fn normalise(set: &[u8]) -> Result<Vec<NormalisedFile>, String> {
    let mut files = Vec::new();
    for (number, file) in fields(set)? {
        if number != FILE {
            continue;
        }
        let file = file.value();
        let mut name = String::new();
        let mut bytes = Vec::with_capacity(file.len());
        let mut locations = Vec::new();
        for (number, field) in fields(file)? {
            match number {
                SOURCE_CODE_INFO => {
                    locations.extend(fields(field.value())?.into_iter().map(|(_, l)| l.whole))
                }
                NAME => {
                    name = String::from_utf8_lossy(field.value()).into_owned();
                    bytes.extend_from_slice(field.whole);
                }
                _ => bytes.extend_from_slice(field.whole),
            }
        }
        locations.sort_unstable();
        for location in locations {
            bytes.extend_from_slice(location);
        }
        files.push(NormalisedFile { name, bytes });
    }
    Ok(files)
}

/// One field of an encoded message.
struct Field<'a> {
    /// Key and value.
    whole: &'a [u8],
    /// Where the value starts in `whole`.
    value_at: usize,
}

impl<'a> Field<'a> {
    fn value(&self) -> &'a [u8] {
        &self.whole[self.value_at..]
    }
}

/// The top-level fields of an encoded message, with their numbers.
fn fields(bytes: &[u8]) -> Result<Vec<(u64, Field<'_>)>, String> {
    let offset = |rest: &[u8]| bytes.len() - rest.len();
    let mut found = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let start = offset(rest);
        let key = decode_varint(&mut rest).map_err(|err| err.to_string())?;
        let (value_start, end) = match key & 7 {
            0 => {
                let value_start = offset(rest);
                decode_varint(&mut rest).map_err(|err| err.to_string())?;
                (value_start, offset(rest))
            }
            2 => {
                let len = decode_varint(&mut rest).map_err(|err| err.to_string())?;
                let len = usize::try_from(len).map_err(|_| "field too long".to_owned())?;
                (offset(rest), offset(rest).saturating_add(len))
            }
            1 => (offset(rest), offset(rest) + 8),
            5 => (offset(rest), offset(rest) + 4),
            wire_type => return Err(format!("unexpected wire type {wire_type}")),
        };
        if end > bytes.len() {
            return Err("truncated field".to_owned());
        }
        found.push((
            key >> 3,
            Field {
                whole: &bytes[start..end],
                value_at: value_start - start,
            },
        ));
        rest = &bytes[end..];
    }
    Ok(found)
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

#[cfg(test)]
mod tests {
    use super::normalise;

    /// A set of one file: name "a", then `middle`, then source info with
    /// the locations `locations`.
    fn set(middle: &[u8], locations: &[&[u8]]) -> Vec<u8> {
        let mut info = Vec::new();
        for location in locations {
            info.push(0x0a);
            info.push(location.len() as u8);
            info.extend_from_slice(location);
        }
        let mut file = vec![0x0a, 0x01, b'a'];
        file.extend_from_slice(middle);
        file.push(0x4a);
        file.push(info.len() as u8);
        file.extend_from_slice(&info);
        let mut set = vec![0x0a, file.len() as u8];
        set.extend_from_slice(&file);
        set
    }

    #[test]
    fn only_the_order_of_locations_is_normalised() {
        let package = [0x12, 0x01, b'p'];
        let syntax = [0x62, 0x01, b's'];
        let ordered = [package, syntax].concat();
        let swapped = [syntax, package].concat();
        let (one, two): (&[u8], &[u8]) = (&[0x0a, 0x00], &[0x0a, 0x01, 0x01]);
        let first = normalise(&set(&ordered, &[one, two])).expect("decodes");
        assert_eq!(first[0].name, "a");
        let relocated = normalise(&set(&ordered, &[two, one])).expect("decodes");
        assert_eq!(first, relocated);
        let reordered = normalise(&set(&swapped, &[one, two])).expect("decodes");
        assert_ne!(first, reordered);
        assert!(normalise(&[0x0a, 0x05, 0x0a]).is_err());
    }
}
