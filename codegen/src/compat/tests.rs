//! The checker on the article's compatibility demo, with the findings buf
//! reports for it (`buf breaking examples/compat/after --against
//! examples/compat/before`), restricted to the rules implemented so far.

use super::{
    Schema, check,
    config::Version,
    rules::{RULES, Rule, in_category},
};
use crate::Compiler;

fn schema(dir: &str) -> Schema {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(dir);
    let compiled = Compiler::new()
        .include_imports(true)
        .include_source_info(true)
        .compile(&[path])
        .expect("compiles");
    Schema::from_compiled(&compiled)
}

/// What buf applies with no buf.yaml: the FILE category of config v1.
fn v1_file() -> Vec<&'static Rule> {
    in_category(Version::V1, "FILE").collect()
}

#[test]
fn the_article_user_proto_change() {
    let findings = check(
        &schema("examples/compat/before"),
        &schema("examples/compat/after"),
        v1_file(),
    );
    let text: Vec<String> = findings.iter().map(|f| format!("{} {f}", f.rule)).collect();
    assert_eq!(
        text,
        [
            "FIELD_NO_DELETE user.proto:23:1:Previously present field \"3\" with name \"error_message\" on message \"GetUserResponse\" was deleted.",
            "FIELD_SAME_CARDINALITY user.proto:25:3:Field \"2\" with name \"error\" on message \"GetUserResponse\" changed cardinality from \"optional with implicit presence\" to \"optional with explicit presence\".",
            "FIELD_SAME_JSON_NAME user.proto:25:3:Field \"2\" with name \"error\" on message \"GetUserResponse\" changed option \"json_name\" from \"success\" to \"error\".",
            "FIELD_SAME_TYPE user.proto:25:3:Field \"2\" with name \"error\" on message \"GetUserResponse\" changed type from \"bool\" to \"message\".",
            "FIELD_SAME_NAME user.proto:25:16:Field \"2\" on message \"GetUserResponse\" changed name from \"success\" to \"error\".",
            "FIELD_NO_DELETE user.proto:62:1:Previously present field \"5\" with name \"created_at\" on message \"User\" was deleted.",
            "FIELD_NO_DELETE user.proto:62:1:Previously present field \"6\" with name \"updated_at\" on message \"User\" was deleted.",
            "FIELD_SAME_CARDINALITY user.proto:66:3:Field \"4\" with name \"created_at\" on message \"User\" changed cardinality from \"optional with implicit presence\" to \"optional with explicit presence\".",
            "FIELD_SAME_JSON_NAME user.proto:66:3:Field \"4\" with name \"created_at\" on message \"User\" changed option \"json_name\" from \"age\" to \"createdAt\".",
            "FIELD_SAME_TYPE user.proto:66:3:Field \"4\" with name \"created_at\" on message \"User\" changed type from \"int32\" to \"message\".",
            "FIELD_SAME_NAME user.proto:66:20:Field \"4\" on message \"User\" changed name from \"age\" to \"created_at\".",
        ]
    );
}

#[test]
fn an_unchanged_schema_has_no_findings() {
    let proto = schema("proto");
    assert!(check(&proto, &proto, RULES.iter()).is_empty());
}
