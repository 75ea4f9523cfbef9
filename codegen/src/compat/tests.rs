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
    Schema::from_compiled(compiled)
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

// ------------------------------------------------------------------ WIRE_STRUCTURAL

mod wire_structural {
    use std::collections::BTreeMap;

    use crate::{
        Compiler,
        compat::{
            Config, Options, Schema, check,
            config::Version,
            input::Input,
            rules::{RULES, in_category, wire_structural::CATEGORY},
        },
    };

    fn schema(files: &[(&str, &str)]) -> Schema {
        let sources: BTreeMap<String, String> = files
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        let compiled = Compiler::new()
            .include_imports(true)
            .include_source_info(true)
            .compile_sources(&sources)
            .expect("compiles");
        Schema::from_compiled(compiled)
    }

    /// The WIRE_STRUCTURAL messages between two versions of `a.proto`.
    fn structural(previous: &str, current: &str) -> Vec<String> {
        let rules: Vec<_> = in_category(Version::V2, CATEGORY).collect();
        check(
            &schema(&[("a.proto", previous)]),
            &schema(&[("a.proto", current)]),
            rules,
        )
        .into_iter()
        .map(|f| f.message)
        .collect()
    }

    const HEADER: &str = "syntax = \"proto2\";\npackage a;\n";

    fn with(body: &str) -> String {
        format!("{HEADER}{body}")
    }

    #[test]
    fn a_renamed_type_of_the_same_shape_is_compatible() {
        let previous = with(
            "message User { optional string name = 1; repeated int32 ids = 2; optional Address home = 3; }
             message Address { optional string zip = 1; }
             message Req { optional User user = 1; optional Color color = 2; }
             enum Color { RED = 0; BLUE = 1; }",
        );
        let current = with(
            "message Person { optional bytes label = 1; repeated int64 ids = 2; optional Place home = 3; optional int32 extra = 4; }
             message Place { optional string zip = 1; }
             message Req { optional Person user = 1; optional Paint color = 2; }
             enum Paint { ROUGE = 0; BLEU = 1; GREEN = 2; }",
        );
        assert_eq!(structural(&previous, &current), Vec::<String>::new());
        // buf's rules, by name, report both.
        let rules = RULES.iter().filter(|r| r.id == "FIELD_SAME_TYPE");
        let findings = check(
            &schema(&[("a.proto", &previous)]),
            &schema(&[("a.proto", &current)]),
            rules,
        );
        assert_eq!(findings.len(), 2, "{findings:#?}");
    }

    #[test]
    fn an_incompatible_field_deep_inside_is_reported_with_its_path() {
        let previous = with(
            "message User { optional Address home = 3; }
             message Address { optional string zip = 1; repeated string lines = 2; required int32 id = 3; }
             message Req { optional User user = 1; }",
        );
        let current = with(
            "message Person { optional Place home = 3; }
             message Place { optional sint32 zip = 1; optional string lines = 2; required int32 code = 4; }
             message Req { optional Person user = 1; }",
        );
        assert_eq!(
            structural(&previous, &current),
            [
                "Field \"1\" with name \"user\" on message \"Req\" changed type from \"a.User\" to \"a.Person\", which is not wire compatible: \"home.lines\" changed from repeated to singular.",
                "Field \"1\" with name \"user\" on message \"Req\" changed type from \"a.User\" to \"a.Person\", which is not wire compatible: \"home.zip\" changed wire type from \"string\" to \"sint32\".",
                "Field \"1\" with name \"user\" on message \"Req\" changed type from \"a.User\" to \"a.Person\", which is not wire compatible: required field \"home.code\" (4) was added.",
                "Field \"1\" with name \"user\" on message \"Req\" changed type from \"a.User\" to \"a.Person\", which is not wire compatible: required field \"home.id\" (3) was removed.",
            ]
        );
    }

    #[test]
    fn cycles_end() {
        let previous = with(
            "message Node { optional Node child = 1; optional Leaf leaf = 2; }
             message Leaf { optional Node back = 1; }
             message Req { optional Node root = 1; }",
        );
        let same = with(
            "message Tree { optional Tree child = 1; optional End leaf = 2; }
             message End { optional Tree back = 1; }
             message Req { optional Tree root = 1; }",
        );
        assert_eq!(structural(&previous, &same), Vec::<String>::new());
        // An added optional field is skipped by old readers.
        let grown = with(
            "message Tree { optional Tree child = 1; optional End leaf = 2; }
             message End { optional Tree back = 1; optional fixed32 n = 2; }
             message Req { optional Tree root = 1; }",
        );
        assert_eq!(structural(&previous, &grown), Vec::<String>::new());
        let broken = with(
            "message Tree { optional Tree child = 1; optional End leaf = 2; }
             message End { repeated Tree back = 1; }
             message Req { optional Tree root = 1; }",
        );
        assert_eq!(
            structural(&previous, &broken),
            [
                "Field \"1\" with name \"root\" on message \"Req\" changed type from \"a.Node\" to \"a.Tree\", which is not wire compatible: \"leaf.back\" changed from singular to repeated."
            ]
        );
    }

    #[test]
    fn enums_keep_their_numbers() {
        let previous = with(
            "enum Color { RED = 0; BLUE = 1; GREEN = 2; }
             message Req { optional Color color = 1; optional Color other = 2; }",
        );
        let current = with(
            "enum Paint { ROUGE = 0; VERT = 2; }
             message Req { optional Paint color = 1; optional Req other = 2; }",
        );
        assert_eq!(
            structural(&previous, &current),
            [
                "Field \"1\" with name \"color\" on message \"Req\" changed type from \"a.Color\" to \"a.Paint\", which is not wire compatible: enum \"a.Paint\" lost value numbers 1 of \"a.Color\".",
                "Field \"2\" with name \"other\" on message \"Req\" changed type from \"a.Color\" to \"a.Req\", which is not wire compatible: it changed wire type from \"a.Color\" to \"a.Req\".",
            ]
        );
    }

    #[test]
    fn it_is_never_one_of_bufs_categories() {
        for version in [Version::V1Beta1, Version::V1, Version::V2] {
            for category in version.all_categories() {
                assert!(
                    in_category(version, category).all(|r| r.id != "FIELD_SAME_WIRE_STRUCTURE")
                );
            }
        }
        let every = Config::parse(
            "version: v2\nbreaking:\n  use: [FILE, PACKAGE, WIRE_JSON, WIRE, CSR]\n",
            "buf.yaml",
        )
        .expect("valid");
        assert!(
            every
                .rules()
                .iter()
                .all(|r| r.id != "FIELD_SAME_WIRE_STRUCTURE")
        );
        let asked = Config::parse(
            "version: v2\nbreaking:\n  use: [WIRE_STRUCTURAL]\n",
            "buf.yaml",
        )
        .expect("valid");
        let ids: Vec<_> = asked.rules().iter().map(|r| r.id).collect();
        assert_eq!(ids, ["FIELD_SAME_WIRE_STRUCTURE"]);
    }

    #[test]
    fn the_option_adds_it_to_the_configured_rules() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (side, body) in [
            (
                "previous",
                "message A { optional string s = 1; } message R { optional A a = 1; }",
            ),
            (
                "current",
                "message B { optional int32 s = 1; } message R { optional B a = 1; }",
            ),
        ] {
            std::fs::create_dir_all(dir.path().join(side)).expect("mkdir");
            std::fs::write(dir.path().join(side).join("a.proto"), with(body)).expect("write");
        }
        let run = |wire_structural| {
            let options = Options {
                wire_structural,
                ..Options::default()
            };
            let findings = crate::compat::run(
                &Input::Dir(dir.path().join("current")),
                &Input::Dir(dir.path().join("previous")),
                &options,
            )
            .expect("runs");
            findings.iter().map(|f| f.rule).collect::<Vec<_>>()
        };
        assert!(!run(false).contains(&"FIELD_SAME_WIRE_STRUCTURE"));
        assert!(run(true).contains(&"FIELD_SAME_WIRE_STRUCTURE"));
    }
}

/// An image of an edition protoc does not know is refused with protoc's
/// words, naming the file: its features cannot be resolved.
#[test]
fn an_image_of_an_unknown_edition_is_refused() {
    use crate::compile::descriptor;
    use prost::Message;
    let set = descriptor::FileDescriptorSet {
        file: vec![descriptor::FileDescriptorProto {
            name: Some("a.proto".to_owned()),
            syntax: Some("editions".to_owned()),
            edition: Some(99_999),
            ..Default::default()
        }],
        ..Default::default()
    };
    let err = Schema::decode(&set.encode_to_vec())
        .expect_err("refused")
        .to_string();
    assert_eq!(
        err,
        "a.proto: Edition 99999_TEST_ONLY is later than the maximum supported edition 2024"
    );
}
