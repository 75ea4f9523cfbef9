//! prost-reflect views of descriptor sets, for the JSON form of images and of
//! `build --format json`, and for options read by name: behind the `json`
//! feature, which a build script does not need.

use std::sync::OnceLock;

use prost::Message;

use super::{DESCRIPTOR_PROTO_SET, FileDescriptorSet, OlderSyntax, respell_editions};

/// The reflection descriptor of protoc 35's `FileDescriptorSet`, for the
/// JSON form of images (prost-types' own lacks `edition` and `features`, so
/// a JSON image with them would not parse).
pub fn reflect_file_descriptor_set() -> prost_reflect::MessageDescriptor {
    static POOL: OnceLock<prost_reflect::DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        prost_reflect::DescriptorPool::decode(DESCRIPTOR_PROTO_SET)
            .unwrap_or_else(|err| unreachable!("descriptor.binpb is protoc's own output: {err}"))
    })
    .get_message_by_name("google.protobuf.FileDescriptorSet")
    .unwrap_or_else(|| unreachable!("descriptor.proto declares FileDescriptorSet"))
}

/// A prost-reflect pool of the encoded `FileDescriptorSet` `set`, custom
/// options kept. prost-reflect 0.16 links proto2 and proto3 only (and
/// panics on some editions files): an editions file is linked as proto2,
/// its wire-changing features spelled the proto2 way (see
/// [`super::older_syntax`]), so that a message read or written through the
/// pool has protoc's bytes.
pub fn reflect_pool(set: &[u8]) -> Result<prost_reflect::DescriptorPool, String> {
    let mut decoded = FileDescriptorSet::decode(set).map_err(|err| err.to_string())?;
    if !decoded.file.iter().any(|file| file.syntax() == "editions") {
        return prost_reflect::DescriptorPool::decode(set).map_err(|err| err.to_string());
    }
    respell_editions(&mut decoded, OlderSyntax::Proto2)?;
    prost_reflect::DescriptorPool::decode(decoded.encode_to_vec().as_slice())
        .map_err(|err| err.to_string())
}
