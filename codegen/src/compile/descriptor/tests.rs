use prost::Message;

use super::{DESCRIPTOR_PROTO_SET, FileDescriptorSet, generator};

/// `generated.rs` is what the generator writes today (formatted by
/// rustfmt, as `cargo fmt` would); `PROTOFORGE_BLESS=1` rewrites it.
#[test]
fn generated_source_is_current() {
    let set = prost_types::FileDescriptorSet::decode(DESCRIPTOR_PROTO_SET).expect("decode");
    let [file] = set.file.as_slice() else {
        panic!("descriptor.binpb holds one file")
    };
    let source = rustfmt(&generator::generate(file));
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/compile/descriptor/generated.rs"
    );
    if std::env::var_os("PROTOFORGE_BLESS").is_some() {
        std::fs::write(path, &source).expect("write generated.rs");
    }
    let checked_in = std::fs::read_to_string(path).expect("read generated.rs");
    assert!(
        checked_in == source,
        "generated.rs is stale: run `PROTOFORGE_BLESS=1 cargo test -p protoforge-codegen --lib descriptor`"
    );
}

fn rustfmt(source: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("rustfmt runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(source.as_bytes())
        .expect("write to rustfmt");
    let output = child.wait_with_output().expect("rustfmt");
    assert!(
        output.status.success(),
        "rustfmt failed on the generated source"
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// protoc's own bytes come back unchanged, where prost-types loses some.
#[test]
fn protoc_bytes_round_trip() {
    let set = FileDescriptorSet::decode(DESCRIPTOR_PROTO_SET).expect("decode");
    assert_eq!(set.encode_to_vec(), DESCRIPTOR_PROTO_SET);
    let through_prost = prost_types::FileDescriptorSet::decode(DESCRIPTOR_PROTO_SET)
        .expect("decode")
        .encode_to_vec();
    assert_ne!(
        through_prost, DESCRIPTOR_PROTO_SET,
        "prost-types keeps everything now"
    );
}

/// A JSON image with editions fields parses and keeps them (prost-reflect's
/// own descriptor.proto is older than 2024's fields: it rejects them).
#[test]
fn json_images_with_editions_parse() {
    let json = r#"{"file": [{"name": "a.proto", "syntax": "editions", "edition": "EDITION_2024",
        "optionDependency": ["b.proto"], "messageType": [{"name": "M", "visibility": "VISIBILITY_LOCAL"}],
        "options": {"features": {"fieldPresence": "IMPLICIT"}}}]}"#;
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let message = prost_reflect::DynamicMessage::deserialize(
        super::reflect_file_descriptor_set(),
        &mut deserializer,
    )
    .expect("parses");
    let set = FileDescriptorSet::decode(message.encode_to_vec().as_slice()).expect("decodes");
    let file = &set.file[0];
    assert_eq!(file.edition(), super::Edition::Edition2024);
    assert_eq!(file.option_dependency, ["b.proto"]);
    let features = file.options.as_ref().and_then(|o| o.features.as_ref());
    assert_eq!(
        features.map(|f| f.field_presence()),
        Some(super::feature_set::FieldPresence::Implicit)
    );

    let mut deserializer = serde_json::Deserializer::from_str(json);
    let old = prost_reflect::ReflectMessage::descriptor(&prost_types::FileDescriptorSet::default());
    assert!(prost_reflect::DynamicMessage::deserialize(old, &mut deserializer).is_err());
}
