//! The canonical protobuf JSON of a compiled descriptor set (`--format json`),
//! through prost-reflect: behind the `json` feature, which a build script
//! does not need.

use prost::Message;
use prost_reflect::DynamicMessage;

use super::{Compiled, descriptor};

impl Compiled {
    /// The canonical protobuf JSON of the `FileDescriptorSet` that
    /// [`encode`](Self::encode) returns, custom options by name
    /// (`"[pkg.ext]"`) when the compiled files declare them.
    pub fn to_json(&self) -> String {
        let encoded = self.encode();
        let all = super::encode_set(self.files.iter());
        let descriptor = descriptor::reflect_pool(&all)
            .ok()
            .and_then(|pool| pool.get_message_by_name("google.protobuf.FileDescriptorSet"))
            .unwrap_or_else(descriptor::reflect_file_descriptor_set);
        let mut set = DynamicMessage::new(descriptor);
        if let Err(err) = set.merge(encoded.as_slice()) {
            // The bytes were just encoded from valid descriptors.
            unreachable!("re-decoding our own descriptor set failed: {err}");
        }
        let mut json = serde_json::to_string(&set).unwrap_or_else(|err| {
            unreachable!("a descriptor set always serializes to JSON: {err}")
        });
        json.push('\n');
        json
    }
}
