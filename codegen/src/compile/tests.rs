//! The front end on good and bad input: one test per kind of mistake a user
//! can make, each checking the exact located message.

use std::path::{Path, PathBuf};

use super::{CompileError, Compiled, Compiler, Severity};

/// A scratch directory of `.proto` files.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new(files: &[(&str, &[u8])]) -> Tree {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, contents) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, contents).expect("write");
        }
        Tree { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn compile(&self) -> Result<Compiled, CompileError> {
        Compiler::new().compile(&[self.dir.path()])
    }

    /// The rendered errors, with the scratch directory's path cut off.
    fn errors(&self) -> Vec<String> {
        let err = self.compile().expect_err("compilation must fail");
        err.diagnostics()
            .iter()
            .map(|d| self.strip(&d.to_string()))
            .collect()
    }

    fn strip(&self, text: &str) -> String {
        text.replace(&format!("{}/", self.dir.path().display()), "")
            .replace(&self.dir.path().display().to_string(), "<dir>")
    }
}

#[test]
fn syntax_error() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nmessage A {\n  int32 x = 1\n}\n",
    )]);
    assert_eq!(tree.errors(), ["a.proto:4:1: error: Expected \";\"."]);
}

#[test]
fn syntax_error_has_a_code_frame() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nmessage A {\n  int32 x = 1\n}\n",
    )]);
    let err = tree.compile().expect_err("must fail");
    assert_eq!(
        tree.strip(&err.diagnostics()[0].render_with_frame()),
        "a.proto:4:1: error: Expected \";\".\n  |\n4 | }\n  | ^"
    );
}

#[test]
fn unknown_type() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nmessage A {\n  Missing x = 1;\n}\n",
    )]);
    assert_eq!(
        tree.errors(),
        ["a.proto:3:3: error: \"Missing\" is not defined."]
    );
}

#[test]
fn missing_import() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nimport \"nope/b.proto\";\nmessage A {}\n",
    )]);
    assert_eq!(
        tree.errors(),
        [
            "nope/b.proto: error: File not found.",
            "a.proto:2:1: error: Import \"nope/b.proto\" was not found or had errors."
        ]
    );
}

#[test]
fn import_cycle_is_reported_at_each_import_on_it_as_protoc_reports_it() {
    let tree = Tree::new(&[
        (
            "a.proto",
            b"syntax = \"proto3\";\nimport \"b.proto\";\nmessage A {}\n",
        ),
        (
            "b.proto",
            b"syntax = \"proto3\";\n\nimport \"a.proto\";\nmessage B {}\n",
        ),
    ]);
    assert_eq!(
        tree.errors(),
        [
            "a.proto:2:1: error: File recursively imports itself: a.proto -> b.proto -> a.proto",
            "b.proto:3:1: error: Import \"a.proto\" was not found or had errors.",
            "a.proto:2:1: error: Import \"b.proto\" was not found or had errors."
        ]
    );
}

#[test]
fn duplicate_name() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nmessage A {}\nmessage A {}\n",
    )]);
    assert_eq!(
        tree.errors(),
        ["a.proto:3:9: error: \"A\" is already defined."]
    );
}

#[test]
fn duplicate_field_number() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  int32 y = 1;\n}\n",
    )]);
    assert_eq!(
        tree.errors(),
        [
            "a.proto:4:13: error: Field number 1 has already been used in \"A\" by field \"x\". Next available field number is 2."
        ]
    );
}

#[test]
fn reserved_number_in_use() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nmessage A {\n  reserved 2;\n  int32 x = 2;\n}\n",
    )]);
    assert_eq!(
        tree.errors(),
        [
            "a.proto:3:12: error: Field \"x\" uses reserved number 2.",
            "a.proto:3:12: error: Suggested field numbers for A: 1"
        ]
    );
}

/// protoc 35's output on the same files: ranges and names reserved again,
/// a number in several ranges (an error at each), extension ranges after
/// the fields, the suggestion at the first error asking for one, after
/// every other problem of the file.
#[test]
fn reserved_ranges_and_names_are_checked_as_protoc_checks_them() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto2\";\npackage foo;\nmessage N {\n  optional int32 x = 5;\n  \
          optional int32 y = 1;\n  extensions 4 to 6;\n  reserved 1, 1 to 2, 5;\n  \
          reserved \"y\", \"y\";\n}\nenum E {\n  A = 0;\n  B = 1;\n  reserved 1, 1 to 2;\n  \
          reserved \"B\", \"B\", \"A\";\n}\n",
    )]);
    assert_eq!(
        tree.errors(),
        [
            "a.proto:7:12: error: Reserved range 1 to 2 overlaps with already-defined range 1 to 1.",
            "a.proto:3:9: error: Field name \"y\" is reserved multiple times.",
            "a.proto:6:14: error: Extension range 4 to 6 includes field \"x\" (5).",
            "a.proto:7:23: error: Field \"x\" uses reserved number 5.",
            "a.proto:7:12: error: Field \"y\" uses reserved number 1.",
            "a.proto:7:15: error: Field \"y\" uses reserved number 1.",
            "a.proto:5:18: error: Field name \"y\" is reserved.",
            "a.proto:6:14: error: Extension range 4 to 6 overlaps with reserved range 5 to 5.",
            "a.proto:13:12: error: Reserved range 1 to 2 overlaps with already-defined range 1 to 1.",
            "a.proto:10:6: error: Enum value \"B\" is reserved multiple times.",
            "a.proto:11:3: error: Enum value \"A\" is reserved.",
            "a.proto:13:12: error: Enum value \"B\" uses reserved number 1.",
            "a.proto:13:15: error: Enum value \"B\" uses reserved number 1.",
            "a.proto:12:3: error: Enum value \"B\" is reserved.",
            "a.proto:6:14: error: Suggested field numbers for foo.N: 3, 7, 8"
        ]
    );
    // At most three numbers suggested, and none for a nested message.
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto2\";\nmessage N {\n  reserved 1 to 10;\n  optional int32 a = 1;\n  \
          optional int32 b = 2;\n  optional int32 c = 3;\n  optional int32 d = 4;\n}\n\
          message O {\n  message Inner { reserved 1; optional int32 e = 1; }\n}\n",
    )]);
    assert_eq!(
        tree.errors(),
        [
            "a.proto:3:12: error: Field \"a\" uses reserved number 1.",
            "a.proto:3:12: error: Field \"b\" uses reserved number 2.",
            "a.proto:3:12: error: Field \"c\" uses reserved number 3.",
            "a.proto:3:12: error: Field \"d\" uses reserved number 4.",
            "a.proto:10:28: error: Field \"e\" uses reserved number 1.",
            "a.proto:3:12: error: Suggested field numbers for N: 11, 12, 13"
        ]
    );
}

#[test]
fn out_of_range_number() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nmessage A {\n  int32 x = 536870912;\n}\n",
    )]);
    assert_eq!(
        tree.errors(),
        [
            "a.proto:3:13: error: Field numbers cannot be greater than 536870911.",
            "a.proto:3:13: error: Suggested field numbers for A: 1"
        ]
    );
}

#[test]
fn proto3_forbids_required() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nmessage A {\n  required int32 x = 1;\n}\n",
    )]);
    assert_eq!(
        tree.errors(),
        ["a.proto:3:12: error: Required fields are not allowed in proto3."]
    );
}

/// protoc 35's first error on each file: in editions, `optional`,
/// `required` and groups are refused where they are written (the label
/// before its group), before any other check of the file.
#[test]
fn editions_refuse_optional_required_and_groups() {
    for (source, expected) in [
        (
            "edition = \"2023\";\nmessage M {\n  int32 a = 1;\n  int32 b = 1;\n  optional int32 c = 2;\n}\n",
            "a.proto:5:3: error: Label \"optional\" is not supported in editions. By default, all \
             singular fields have presence unless features.field_presence is set.",
        ),
        (
            "edition = \"2024\";\nmessage M {\n  required int32 c = 3;\n}\n",
            "a.proto:3:3: error: Label \"required\" is not supported in editions, use \
             features.field_presence = LEGACY_REQUIRED.",
        ),
        (
            "edition = \"2023\";\nmessage M {\n  repeated group G = 1 {}\n}\n",
            "a.proto:3:12: error: Group syntax is no longer supported in editions. To get group \
             behavior you can specify features.message_encoding = DELIMITED on a message field.",
        ),
        (
            "edition = \"2023\";\nmessage M {\n  optional group G = 1 {}\n}\n",
            "a.proto:3:3: error: Label \"optional\" is not supported in editions. By default, all \
             singular fields have presence unless features.field_presence is set.",
        ),
        (
            "edition = \"2023\";\nmessage M {\n  optional map<int32, int32> m = 1;\n}\n",
            "a.proto:3:3: error: Label \"optional\" is not supported in editions. By default, all \
             singular fields have presence unless features.field_presence is set.",
        ),
    ] {
        let tree = Tree::new(&[("a.proto", source.as_bytes())]);
        assert_eq!(
            tree.errors().first().map(String::as_str),
            Some(expected),
            "{source}"
        );
    }
    // `repeated` stays.
    let tree = Tree::new(&[(
        "a.proto",
        b"edition = \"2023\";\nmessage M {\n  repeated int32 c = 3;\n}\n",
    )]);
    assert!(tree.compile().is_ok());
}

#[test]
fn proto2_requires_labels() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto2\";\nmessage A {\n  int32 x = 1;\n}\n",
    )]);
    assert_eq!(
        tree.errors(),
        ["a.proto:3:3: error: Expected \"required\", \"optional\", or \"repeated\"."]
    );
}

#[test]
fn very_deep_nesting() {
    let depth = 50;
    let mut source = String::from("syntax = \"proto3\";\n");
    for i in 0..depth {
        source.push_str(&format!("message M{i} {{\n"));
    }
    source.push_str(&"}\n".repeat(depth));
    let tree = Tree::new(&[("a.proto", source.as_bytes())]);
    let errors = tree.errors();
    assert!(
        errors[0].starts_with(
            "a.proto:33:1: error: Reached maximum recursion limit for nested messages."
        ),
        "{errors:?}"
    );
}

#[test]
fn deeply_nested_option_values_do_not_overflow_the_stack() {
    let depth = 5_000;
    let source = format!(
        "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\noption (x) = {}{};\n",
        "{a:".repeat(depth),
        "}".repeat(depth)
    );
    let tree = Tree::new(&[("a.proto", source.as_bytes())]);
    let errors = tree.errors();
    assert!(errors[0].starts_with("a.proto:3:"), "{errors:?}");
}

#[test]
fn non_utf8_file_points_at_the_first_bad_byte() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\n// caf\xe9\nmessage A {}\n",
    )]);
    assert_eq!(
        tree.errors(),
        ["a.proto:2:7: error: File is not valid UTF-8."]
    );
}

#[test]
fn directory_without_protos() {
    let tree = Tree::new(&[("README.md", b"nothing here")]);
    assert_eq!(
        tree.errors(),
        ["<dir>: error: directory '<dir>' contains no .proto files"]
    );
}

#[test]
fn unreadable_file() {
    let tree = Tree::new(&[]);
    // A dangling link cannot be read, even by root (file modes do not stop it).
    std::os::unix::fs::symlink(tree.path("nowhere"), tree.path("a.proto")).expect("symlink");
    assert_eq!(
        tree.errors(),
        ["a.proto: error: cannot read 'a.proto': no such file or directory"]
    );
}

#[test]
fn a_link_loop_in_an_input_directory_is_an_error_not_an_endless_walk() {
    let tree = Tree::new(&[("sub/a.proto", b"syntax = \"proto3\";\n")]);
    std::os::unix::fs::symlink("..", tree.path("sub/up")).expect("symlink");
    assert_eq!(
        tree.errors(),
        [
            "sub/up: error: cannot read 'sub/up': File system loop found: sub/up points to an \
             ancestor <dir>"
        ]
    );
}

#[test]
fn missing_input() {
    let err = Compiler::new()
        .compile(&["does/not/exist.proto"])
        .expect_err("must fail");
    assert_eq!(
        err.to_string(),
        "does/not/exist.proto: error: cannot read 'does/not/exist.proto': no such file or directory"
    );
}

/// Every file's syntax errors, then every name that does not resolve,
/// whatever file it is in. (protoc also reports, in the same pass, the
/// number clashes of a file with an unresolved name; those come here once
/// every name resolves.)
#[test]
fn every_error_of_every_file_is_reported() {
    let tree = Tree::new(&[
        (
            "a.proto",
            b"syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  Nope z = 3;\n}\n",
        ),
        (
            "b.proto",
            b"syntax = \"proto3\";\nmessage B {\n  int32 x = 1\n}\n",
        ),
        (
            "c.proto",
            b"syntax = \"proto3\";\nmessage C {\n  Gone x = 1;\n}\n",
        ),
        (
            "d.proto",
            b"syntax = \"proto3\";\nmessage D {\n  int32 x = 1\n}\n",
        ),
    ]);
    assert_eq!(
        tree.errors(),
        [
            "b.proto:4:1: error: Expected \";\".",
            "d.proto:4:1: error: Expected \";\".",
            "a.proto:4:3: error: \"Nope\" is not defined.",
            "c.proto:3:3: error: \"Gone\" is not defined.",
        ]
    );
}

#[test]
fn missing_syntax_is_a_warning_and_proto2() {
    let tree = Tree::new(&[("a.proto", b"message A {\n  optional int32 x = 1;\n}\n")]);
    let compiled = tree.compile().expect("a file without syntax is valid");
    let warnings = compiled.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].severity, Severity::Warning);
    assert_eq!(
        tree.strip(&warnings[0].to_string()),
        "a.proto:1:1: warning: no syntax specified for 'a.proto'; defaulting to proto2"
    );
}

#[test]
fn directories_expand_sorted_and_are_include_roots() {
    let tree = Tree::new(&[
        (
            "b/v1/b.proto",
            b"syntax = \"proto3\";\npackage b.v1;\nimport \"a.proto\";\nmessage B { A a = 1; }\n",
        ),
        ("a.proto", b"syntax = \"proto3\";\nmessage A {}\n"),
        ("a/z.proto", b"syntax = \"proto3\";\nmessage Z {}\n"),
    ]);
    let compiled = tree.compile().expect("compiles");
    assert_eq!(
        compiled.input_files(),
        ["a.proto", "a/z.proto", "b/v1/b.proto"]
    );
    let read: Vec<String> = compiled
        .files_read()
        .iter()
        .map(|p| tree.strip(&p.display().to_string()))
        .collect();
    assert_eq!(read, ["a.proto", "a/z.proto", "b/v1/b.proto"]);
    assert!(compiled.warnings().is_empty());
}

#[test]
fn imports_and_source_info_are_switches() {
    let tree = Tree::new(&[
        ("dep.proto", b"syntax = \"proto3\";\nmessage Dep {}\n"),
        (
            "main.proto",
            b"syntax = \"proto3\";\nimport \"dep.proto\";\nmessage Main { Dep d = 1; }\n",
        ),
    ]);
    let decode = |compiler: Compiler| {
        let compiled = compiler
            .include(tree.dir.path())
            .compile(&[tree.path("main.proto")])
            .expect("compiles");
        let mut streamed = Vec::new();
        compiled.encode_to(&mut streamed).expect("writes");
        assert_eq!(streamed, compiled.encode(), "written as encoded");
        <prost_types::FileDescriptorSet as prost::Message>::decode(compiled.encode().as_slice())
            .expect("decodes")
    };
    let bare = decode(Compiler::new());
    assert_eq!(bare.file.len(), 1);
    assert!(bare.file[0].source_code_info.is_none());
    let full = decode(
        Compiler::new()
            .include_imports(true)
            .include_source_info(true),
    );
    let names: Vec<_> = full.file.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["dep.proto", "main.proto"]);
    assert!(full.file.iter().all(|f| f.source_code_info.is_some()));
}

#[test]
fn well_known_types_are_built_in() {
    let tree = Tree::new(&[(
        "a.proto",
        b"syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nmessage A { google.protobuf.Timestamp at = 1; }\n",
    )]);
    let compiled = tree.compile().expect("compiles");
    assert_eq!(
        compiled.files_read().len(),
        1,
        "built-in files are not read from disk"
    );
    let timestamp = compiled
        .files()
        .iter()
        .find(|file| file.name() == "google/protobuf/timestamp.proto")
        .expect("the imported well-known type is compiled");
    assert_eq!(timestamp.message_type[0].name(), "Timestamp");
}

const CUSTOM_OPTION: &[u8] = b"syntax = \"proto3\";
package opts;
import \"google/protobuf/descriptor.proto\";
extend google.protobuf.MessageOptions { string table = 50001; }
message Row { option (opts.table) = \"rows\"; }
";

#[test]
fn custom_options_are_kept_in_binary_output() {
    let tree = Tree::new(&[("opts.proto", CUSTOM_OPTION)]);
    for compiler in [
        Compiler::new(),
        Compiler::new()
            .include_imports(true)
            .include_source_info(true),
    ] {
        let bytes = compiler
            .compile(&[tree.dir.path()])
            .expect("compiles")
            .encode();
        // Field 50001, wire type 2, then "rows": the extension survives encoding.
        let needle = [0x8a, 0xb5, 0x18, 0x04, b'r', b'o', b'w', b's'];
        assert!(
            bytes.windows(needle.len()).any(|w| w == needle),
            "extension dropped"
        );
    }
}

#[test]
fn json_output_is_canonical_and_keeps_custom_options() {
    let tree = Tree::new(&[("opts.proto", CUSTOM_OPTION)]);
    let json = tree.compile().expect("compiles").to_json();
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let file = &value["file"][0];
    assert_eq!(file["name"], "opts.proto");
    assert_eq!(file["messageType"][0]["name"], "Row");
    assert_eq!(file["messageType"][0]["options"]["[opts.table]"], "rows");
}

#[test]
fn relative_paths_are_kept_relative() {
    // Tests run in the crate's directory.
    let relative = Path::new("../proto");
    let compiled = Compiler::new()
        .compile(&[relative])
        .expect("the workspace schemas compile");
    assert!(
        compiled
            .files_read()
            .iter()
            .all(|p| p.starts_with(relative)),
        "{:?}",
        compiled.files_read()
    );
    let absolute = Path::new(env!("CARGO_MANIFEST_DIR")).join("../proto/user");
    let compiled = Compiler::new().compile(&[&absolute]).expect("compiles");
    assert_eq!(
        compiled.files_read(),
        [Path::new("../proto/user/v1/user.proto")]
    );
}

#[test]
fn unpacked_repeated_options_are_encoded_unpacked_as_protoc_does() {
    // The shape of google.api.field_behavior: a repeated enum option declared
    // [packed = false] in a proto3 file.
    let tree = Tree::new(&[(
        "behavior.proto",
        b"syntax = \"proto3\";
package b;
import \"google/protobuf/descriptor.proto\";
enum Behavior { BEHAVIOR_UNSPECIFIED = 0; REQUIRED = 2; }
extend google.protobuf.FieldOptions { repeated Behavior behavior = 50002 [packed = false]; }
message M { string name = 1 [(behavior) = REQUIRED]; }
",
    )]);
    let bytes = tree.compile().expect("compiles").encode();
    // Field 50002 as a varint (wire type 0) holding 2: tag bytes 0x90 0xb5 0x18.
    let unpacked = [0x90, 0xb5, 0x18, 0x02];
    // The packed form would be wire type 2: 0x92 0xb5 0x18, length 1, value 2.
    let packed = [0x92, 0xb5, 0x18, 0x01, 0x02];
    assert!(
        bytes.windows(4).any(|w| w == unpacked),
        "unpacked form missing"
    );
    assert!(
        !bytes.windows(5).any(|w| w == packed),
        "packed form present"
    );
}

/// A compilation without source info records none while loading, and
/// builds it again for the files with a problem: each problem is located
/// where protoc 35 puts it, as with source info. One case per step that
/// locates: options, names, validation once options are interpreted (their
/// locations moved), and the unused imports (at their statement).
#[test]
fn problems_are_located_as_protoc_locates_them_without_source_info() {
    type Files<'a> = &'a [(&'a str, &'a [u8])];
    let cases: [(Files<'_>, &[&str]); 4] = [
        (
            &[(
                "a.proto",
                b"syntax = \"proto3\";\npackage t;\n\nmessage A {\n  string name = 1 [deprecated = \"yes\"];\n  int32 id = 2 [(nope) = 1];\n}\n",
            )],
            &[
                "a.proto:5:33: error: Value must be identifier for boolean option \"google.protobuf.FieldOptions.deprecated\".",
                "a.proto:6:17: error: Option \"(nope)\" unknown. Ensure that your proto definition file imports the proto which defines the option (i.e. via import option after edition 2024).",
            ],
        ),
        (
            &[(
                "b.proto",
                b"syntax = \"proto3\";\npackage t;\n\nmessage B {\n  message Inner {}\n  Outer.Inner x = 1;\n}\n",
            )],
            &["b.proto:6:3: error: \"Outer.Inner\" is not defined."],
        ),
        (
            &[(
                "c.proto",
                b"edition = \"2024\";\npackage t;\n\nmessage C {\n  int32 x = 1 [ctype = CORD];\n}\n",
            )],
            &[
                "c.proto:5:3: error: ctype option is not allowed under edition 2024 and beyond. Use the feature string_type = VIEW|CORD|STRING|... instead.",
            ],
        ),
        (
            &[
                (
                    "d.proto",
                    b"syntax = \"proto3\";\npackage t;\n\nimport \"e.proto\";\nimport \"google/protobuf/empty.proto\";\n\nmessage D {\n  google.protobuf.Empty nothing = 1;\n}\n",
                ),
                ("e.proto", b"syntax = \"proto3\";\npackage t;\nmessage E {}\n"),
            ],
            &["d.proto:4:1: warning: Import e.proto is unused."],
        ),
    ];
    for (files, expected) in cases {
        let tree = Tree::new(files);
        for source_info in [false, true] {
            let compiler = Compiler::new()
                .include(tree.dir.path())
                .include_source_info(source_info);
            let found: Vec<String> = match compiler.compile(&[tree.path(files[0].0)]) {
                Ok(compiled) => compiled
                    .warnings()
                    .iter()
                    .map(|w| tree.strip(&w.to_string()))
                    .collect(),
                Err(err) => err
                    .diagnostics()
                    .iter()
                    .map(|d| tree.strip(&d.to_string()))
                    .collect(),
            };
            assert_eq!(found, expected, "source info: {source_info}");
        }
    }
}
