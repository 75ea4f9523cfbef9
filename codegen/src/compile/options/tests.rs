//! Unit tests of the pieces; `codegen/tests/options.rs` checks the whole
//! against protoc 35.

use super::{canonical, pool::Pool, wire};
use crate::compile::descriptor::FileDescriptorProto;

#[test]
fn a_field_set_inside_an_earlier_message_counts_as_set() {
    // (m) = { a: 1 } as protoc records it: field 5 holding field 1.
    let mut inner = Vec::new();
    wire::put_varint(1, 1, &mut inner);
    let mut set = Vec::new();
    wire::put_bytes(5, &inner, &mut set);
    assert!(wire::is_set(&set, &[5]));
    assert!(wire::is_set(&set, &[5, 1]));
    assert!(!wire::is_set(&set, &[5, 2]));
    assert!(!wire::is_set(&set, &[6]));
}

#[test]
fn options_are_reserialized_in_number_order_with_messages_merged() {
    let pool = Pool::of(&[FileDescriptorProto::default()]);
    // FileOptions: deprecated (23), java_package (1), features (50) twice.
    let mut bytes = Vec::new();
    wire::put_varint(23, 1, &mut bytes);
    wire::put_bytes(1, b"p", &mut bytes);
    let mut presence = Vec::new();
    wire::put_varint(1, 2, &mut presence);
    wire::put_bytes(50, &presence, &mut bytes);
    let mut enum_type = Vec::new();
    wire::put_varint(2, 1, &mut enum_type);
    wire::put_bytes(50, &enum_type, &mut bytes);
    // A custom option the pool does not know stays last.
    wire::put_varint(60000, 7, &mut bytes);
    let mut stripped = Vec::new();
    let out = canonical::canonical(
        &pool,
        "google.protobuf.FileOptions",
        &bytes,
        true,
        &mut stripped,
    );
    let mut expected = Vec::new();
    wire::put_bytes(1, b"p", &mut expected);
    wire::put_varint(23, 1, &mut expected);
    wire::put_bytes(50, &[presence, enum_type].concat(), &mut expected);
    wire::put_varint(60000, 7, &mut expected);
    assert_eq!(out, expected);
    assert!(stripped.is_empty());
}

#[test]
fn source_retention_features_are_stripped_with_their_path() {
    let pool = Pool::of(&[FileDescriptorProto::default()]);
    // features { enforce_naming_style: STYLE_LEGACY (7) }
    let mut features = Vec::new();
    wire::put_varint(7, 2, &mut features);
    let mut bytes = Vec::new();
    wire::put_bytes(50, &features, &mut bytes);
    let mut stripped = Vec::new();
    let out = canonical::canonical(
        &pool,
        "google.protobuf.FileOptions",
        &bytes,
        true,
        &mut stripped,
    );
    assert_eq!(out, [0x92, 0x03, 0x00]);
    assert_eq!(stripped, [vec![50, 7]]);
}
