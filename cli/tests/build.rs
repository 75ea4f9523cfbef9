//! `protoforge build` as a user runs it: exit codes, stderr, output files.

mod common;

use std::process::Output;

use common::{protoforge, workspace};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, contents) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
    dir
}

#[test]
fn builds_the_workspace_schemas() {
    let out = tempfile::tempdir().expect("tempdir");
    let target = out.path().join("proto.binpb");
    let output = protoforge(
        &workspace(),
        &[
            "build",
            "proto",
            "-o",
            target.to_str().expect("utf-8"),
            "--include-imports",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let set = <prost_types::FileDescriptorSet as prost::Message>::decode(
        std::fs::read(&target).expect("written").as_slice(),
    )
    .expect("a FileDescriptorSet");
    let names: Vec<_> = set.file.iter().map(|f| f.name()).collect();
    assert!(names.contains(&"user/v1/user.proto"), "{names:?}");
    assert!(set.file.iter().all(|f| f.source_code_info.is_none()));
}

#[test]
fn schema_errors_exit_1_with_located_errors_and_no_output() {
    let dir = tree(&[
        (
            "proto/a/v1/a.proto",
            "syntax = \"proto3\";\nmessage A {\n  int32 x = 1\n}\n",
        ),
        (
            "proto/b.proto",
            "syntax = \"proto3\";\nmessage B { Nope n = 1; }\n",
        ),
    ]);
    let output = protoforge(dir.path(), &["build", "proto", "-o", "out.binpb"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "proto/a/v1/a.proto:4:1: error: Expected \";\".\n\
         proto/b.proto:2:13: error: \"Nope\" is not defined.\n"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["proto"], "no output file, no temporary file");
}

#[test]
fn a_failed_build_keeps_the_previous_output() {
    let dir = tree(&[("a.proto", "syntax = \"proto3\";\nmessage A {\n")]);
    std::fs::write(dir.path().join("out.binpb"), b"previous").expect("write");
    let output = protoforge(dir.path(), &["build", "a.proto", "-o", "out.binpb"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        std::fs::read(dir.path().join("out.binpb")).expect("read"),
        b"previous"
    );
}

#[test]
fn output_in_a_missing_directory_exits_1() {
    let dir = tree(&[("a.proto", "syntax = \"proto3\";\nmessage A {}\n")]);
    let output = protoforge(dir.path(), &["build", "a.proto", "-o", "missing/out.binpb"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "missing/out.binpb: error: cannot write output: directory 'missing' does not exist\n"
    );
    assert!(!dir.path().join("missing").exists());
}

#[test]
fn usage_errors_exit_2() {
    let dir = tree(&[]);
    let missing_output = protoforge(dir.path(), &["build", "a.proto"]);
    assert_eq!(missing_output.status.code(), Some(2));
    assert!(
        stderr(&missing_output).contains("--output <FILE>"),
        "{}",
        stderr(&missing_output)
    );
    let bad_format = protoforge(dir.path(), &["build", "-o", "x", "--format", "yaml"]);
    assert_eq!(bad_format.status.code(), Some(2));
    let unknown = protoforge(dir.path(), &["frobnicate"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn missing_syntax_warns_and_succeeds() {
    let dir = tree(&[("a.proto", "message A { optional int32 x = 1; }\n")]);
    let output = protoforge(dir.path(), &["build", "a.proto", "-o", "out.binpb"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "a.proto:1:1: warning: no syntax specified for 'a.proto'; defaulting to proto2\n"
    );
}

#[test]
fn json_format_from_flag_or_extension() {
    let dir = tree(&[(
        "a.proto",
        "syntax = \"proto3\";\npackage p;\nmessage A { int32 x = 1; }\n",
    )]);
    for args in [
        &["build", "a.proto", "-o", "out.json"][..],
        &["build", "a.proto", "-o", "out.data", "--format", "json"][..],
    ] {
        let output = protoforge(dir.path(), args);
        assert!(output.status.success(), "{}", stderr(&output));
        let written = std::fs::read_to_string(dir.path().join(args[3])).expect("written");
        let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
        assert_eq!(json["file"][0]["package"], "p");
        assert_eq!(
            json["file"][0]["messageType"][0]["field"][0]["jsonName"],
            "x"
        );
    }
}

#[test]
fn help_documents_inputs_formats_and_exit_codes() {
    let output = protoforge(&workspace(), &["build", "--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "--include-imports",
        "--include-source-info",
        "-I, --include <DIR>",
        "binpb",
        "json",
        "no output file is left behind",
        "1  a schema or input error",
        "2  a usage error",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
}

/// An input named relative to the working directory, with the same file
/// reachable under an include root by another spelling, is the same file:
/// no "shadowed" error (protox raises one); a different file of the same
/// name under an earlier root is one, as protoc says.
#[test]
fn inputs_are_shadowed_only_by_a_different_file() {
    let dir = tree(&[
        ("a.proto", "syntax = \"proto3\";\nmessage A {}\n"),
        ("inc/a.proto", "syntax = \"proto3\";\nmessage B {}\n"),
        (
            "sub/c.proto",
            "syntax = \"proto3\";\nimport \"a.proto\";\nmessage C { A a = 1; }\n",
        ),
    ]);
    let absolute = dir.path().to_str().expect("utf-8").to_owned();
    let same_file: [&[&str]; 5] = [
        &["-I", &absolute, "a.proto"],
        &["-I", ".", "./a.proto"],
        &["-I", ".", "-I", "inc", "a.proto"],
        &["-I", "inc", "-I", ".", "inc/a.proto"],
        &["-I", "sub", "-I", ".", "sub/c.proto"],
    ];
    for args in same_file {
        let mut all = vec!["build", "-o", "/dev/null"];
        all.extend_from_slice(args);
        let output = protoforge(dir.path(), &all);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    let output = protoforge(
        dir.path(),
        &[
            "build",
            "-o",
            "/dev/null",
            "-I",
            "inc",
            "-I",
            ".",
            "a.proto",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("a.proto: error: Input is shadowed in the --proto_path by \"inc/a.proto\""),
        "{}",
        stderr(&output)
    );
}

/// Each limit stops the build with exit 1, an error saying which limit and
/// where, and no output file.
#[test]
fn limits_stop_the_build_with_a_located_error() {
    let deep = format!(
        "syntax = \"proto2\";\nimport \"google/protobuf/descriptor.proto\";\nmessage R {{ optional R r = 1; }}\nextend google.protobuf.MessageOptions {{ optional R opt = 50000; }}\nmessage X {{ option (opt) = {}{}; }}\n",
        "{ r ".repeat(10_000),
        "}".repeat(10_000)
    );
    let messages: String = (0..5).map(|i| format!("message M{i} {{}}\n")).collect();
    let dir = tree(&[
        (
            "big/a.proto",
            &format!("syntax = \"proto3\";\n// {}\n", "x".repeat(2000)),
        ),
        ("deep/a.proto", &deep),
        ("many/a.proto", "syntax = \"proto3\";\n"),
        ("many/b.proto", "syntax = \"proto3\";\n"),
        ("many/c.proto", "syntax = \"proto3\";\n"),
        (
            "messages/a.proto",
            &format!("syntax = \"proto3\";\n{messages}"),
        ),
    ]);
    let cases: [(&[&str], &str); 5] = [
        (
            &["big", "--max-file-size", "1000"],
            "big/a.proto: error: file is 2023 bytes, more than the limit of 1000 bytes",
        ),
        (
            &["deep"],
            "deep/a.proto:5:424: error: brackets nested more than 100 deep",
        ),
        (
            &["many", "--max-files", "2"],
            "error: the schema has more than 2 files, the limit",
        ),
        (
            &["messages", "--max-messages", "3"],
            "error: the schema has 5 messages, more than the limit of 3",
        ),
        (
            &["many", "--time-limit", "0"],
            "error: compilation stopped after 0.0 s, the time limit",
        ),
    ];
    for (args, expected) in cases {
        let target = dir.path().join("out.binpb");
        let mut all = vec!["build", "-o", "out.binpb"];
        all.extend_from_slice(args);
        let output = protoforge(dir.path(), &all);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).lines().next() == Some(expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!target.exists(), "{args:?}: no output");
    }
}

/// An editions schema builds, to binary and to JSON, its custom options
/// named in the JSON (prost-reflect, which renders it, reads no editions:
/// the files are handed to it as proto2).
#[test]
fn editions_build_to_binary_and_json() {
    let dir = tree(&[(
        "e.proto",
        "edition = \"2023\";\npackage x;\nimport \"google/protobuf/descriptor.proto\";\n\
         extend google.protobuf.MessageOptions { string tag = 50001; }\n\
         message M { option (tag) = \"hi\"; int32 a = 1; }\n",
    )]);
    let output = protoforge(
        dir.path(),
        &["build", "e.proto", "-o", "-", "--format", "json"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let json = String::from_utf8_lossy(&output.stdout);
    assert!(json.contains("\"options\":{\"[x.tag]\":\"hi\"}"), "{json}");
    assert!(json.contains("\"syntax\":\"editions\""), "{json}");
    assert!(json.contains("\"edition\":\"EDITION_2023\""), "{json}");
    let output = protoforge(dir.path(), &["build", "e.proto", "-o", "e.binpb"]);
    assert!(output.status.success(), "{}", stderr(&output));
}
