//! Comparing protoforge's outputs with those of its anchors (protoc, buf).

pub mod anchors;
pub mod descriptor_set;
