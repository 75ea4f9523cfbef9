//! Unit tests of the pieces; `codegen/tests/options.rs` checks the whole
//! against protoc 35.

use super::{canonical, pool::Pool, wire};
use crate::compile::{descriptor::FileDescriptorProto, names::Symbols};

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
    let files = [FileDescriptorProto::default()];
    let pool = Pool::of(&files, Symbols::of(&files));
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
    let files = [FileDescriptorProto::default()];
    let pool = Pool::of(&files, Symbols::of(&files));
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

/// Lowered and name-resolved files, and their names.
fn linked(sources: &[(&str, &str)]) -> (Vec<FileDescriptorProto>, Symbols) {
    let descriptor = crate::compile::descriptor::descriptor_proto_set();
    let mut files: Vec<FileDescriptorProto> = descriptor.file.clone();
    files.extend(sources.iter().map(|(name, source)| {
        let parsed = crate::syntax::parse(source).expect("parses");
        crate::compile::lower::lower(&parsed, name)
            .expect("lowers")
            .descriptor
    }));
    let symbols = Symbols::of(&files);
    for file in &mut files {
        assert!(symbols.resolve_file(file).is_empty());
    }
    (files, symbols)
}

const OPTION_TYPES: &str = "syntax = \"proto3\";\npackage p;\n\
    import \"google/protobuf/descriptor.proto\";\n\
    message Rule { Inner inner = 1; }\nmessage Inner { Level level = 1; }\n\
    enum Level { LEVEL_UNSPECIFIED = 0; }\n\
    message Unrelated { Inner inner = 1; }\n\
    extend google.protobuf.FieldOptions { Rule rule = 50000; }\n";

/// Messages and enums are indexed where option values reach them: the
/// options messages and the extensions' types, and their fields' types.
#[test]
fn the_pool_indexes_the_types_option_values_reach() {
    let (files, symbols) = linked(&[("p.proto", OPTION_TYPES)]);
    let pool = Pool::of(&files, symbols);
    for reached in [
        "p.Rule",
        "p.Inner",
        "google.protobuf.FieldOptions",
        "google.protobuf.FeatureSet",
    ] {
        assert!(pool.messages.contains_key(reached), "{reached}");
    }
    assert!(pool.enums.contains_key("p.Level"));
    assert!(!pool.messages.contains_key("p.Unrelated"));
}

/// An aggregate value that may name any message in an `Any` makes the pool
/// index every message; a `/` in a string does not.
#[test]
fn an_any_in_an_aggregate_value_indexes_every_message() {
    let use_rule = |value: &str| {
        format!(
            "syntax = \"proto3\";\npackage q;\nimport \"p.proto\";\n\
             message M {{ string s = 1 [(p.rule) = {value}]; }}\n"
        )
    };
    let strings = use_rule("{ inner { } s: \"a/b\" t: 'c\\'/d' }");
    let (files, symbols) = linked(&[("p.proto", OPTION_TYPES), ("q.proto", &strings)]);
    let pool = Pool::of(&files, symbols);
    assert!(!pool.messages.contains_key("p.Unrelated"));
    let any = use_rule("{ inner { } s: '[x/y]' [type.googleapis.com/p.Unrelated] { } }");
    let (files, symbols) = linked(&[("p.proto", OPTION_TYPES), ("q.proto", &any)]);
    let any_pool = Pool::of(&files, symbols);
    assert!(any_pool.messages.contains_key("p.Unrelated"));
}
