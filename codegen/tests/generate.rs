//! Snapshots of the code generated for every schema in `proto/`: messages,
//! clients, servers and mocks. Stored under `snapshots/` at the workspace
//! root; review changes with `cargo insta review`.

use std::path::Path;

use protoforge_codegen::{Compiler, configure, generate::mod_rs};

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn generated_code_of_the_workspace_schemas() {
    let compiled = Compiler::new()
        .include_imports(true)
        .include_source_info(true)
        .compile(&[workspace().join("proto")])
        .expect("proto/ compiles");
    let files = configure()
        .build_mocks(true)
        .generate(&compiled)
        .expect("generates");
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "chat.v1.rs",
            "common.v1.rs",
            "example.v1.rs",
            "file.v1.rs",
            "inventory.v1.rs",
            "notification.v1.rs",
            "order.v1.rs",
            "payment.v1.rs",
            "user.v1.rs",
        ]
    );
    insta::with_settings!({ snapshot_path => workspace().join("snapshots"), prepend_module_to_snapshot => false, omit_expression => true }, {
        for file in &files {
            insta::assert_snapshot!(file.name.trim_end_matches(".rs").replace('.', "_"), file.content);
        }
        insta::assert_snapshot!("mod_rs", mod_rs(&files));
    });
}

#[test]
fn every_service_gets_a_mock_only_when_asked() {
    let compiled = Compiler::new()
        .include_imports(true)
        .compile(&[workspace().join("proto/chat")])
        .expect("compiles");
    let plain = configure().generate(&compiled).expect("generates");
    assert!(!plain[0].content.contains("chat_service_mock"));
    let mocked = configure()
        .build_mocks(true)
        .generate(&compiled)
        .expect("generates");
    assert!(mocked[0].content.contains("pub mod chat_service_mock"));
    let no_client = configure()
        .build_mocks(true)
        .build_client(false)
        .generate(&compiled)
        .expect("generates");
    assert!(!no_client[0].content.contains("chat_service_client"));
    assert!(
        !no_client[0].content.contains("pub fn client("),
        "no client() without clients"
    );
    let err = configure()
        .build_mocks(true)
        .build_server(false)
        .generate(&compiled)
        .expect_err("mocks need servers");
    assert!(
        err.to_string().contains("needs build_server(true)"),
        "{err}"
    );
    // Mocks route as tonic's servers do, which always name the package
    // (tonic-prost-build 0.14 never reads its emit_package).
    let without_package = configure()
        .build_mocks(true)
        .emit_package(false)
        .generate(&compiled)
        .expect("generates");
    let code = &without_package[0].content;
    assert!(code.contains("\"/chat.v1.ChatService/"), "server routes");
    assert!(
        !code.contains("\"/ChatService/"),
        "a mock route without the package"
    );
}

#[test]
fn builder_options_reach_prost_and_tonic() {
    let compiled = Compiler::new()
        .include_imports(true)
        .compile(&[workspace().join("proto")])
        .expect("compiles");
    let files = configure()
        .type_attribute(".user.v1.User", "#[derive(serde::Serialize)]")
        .btree_map([".example.v1.Example.metadata"])
        .bytes([".file.v1.FileChunk.data"])
        .extern_path(".common.v1", "::common_types")
        .client_attribute("user.v1.UserService", "#[allow(clippy::xyz)]")
        .generate(&compiled)
        .expect("generates");
    let file = |name: &str| &files.iter().find(|f| f.name == name).expect("file").content;
    assert!(file("user.v1.rs").contains("#[derive(serde::Serialize)]\n#[derive(Clone, PartialEq, Eq, Hash, ::prost::Message)]\npub struct User {"));
    assert!(file("example.v1.rs").contains("::prost::alloc::collections::BTreeMap"));
    assert!(file("file.v1.rs").contains("pub data: ::prost::bytes::Bytes"));
    assert!(file("order.v1.rs").contains("::common_types::Timestamp"));
    assert!(
        !files.iter().any(|f| f.name == "common.v1.rs"),
        "extern packages are not generated"
    );
    assert!(file("user.v1.rs").contains("#[allow(clippy::xyz)]"));
}

/// Attributes and paths are written into the code as given: one that is
/// not Rust is an error naming the file and what to check, never a panic
/// in `build.rs`.
#[test]
fn options_that_are_not_rust_are_errors() {
    let compiled = Compiler::new()
        .include_imports(true)
        .compile(&[workspace().join("proto")])
        .expect("compiles");
    let attempts = [
        ("an attribute", configure().type_attribute(".", "#[derive(")),
        (
            "an extern path",
            configure().extern_path(".common.v1.Timestamp", "not a path"),
        ),
        (
            "an extern path, with mocks",
            configure()
                .build_mocks(true)
                .extern_path(".user.v1.GetUserRequest", "1 + 1"),
        ),
        ("a proto path", configure().proto_path("super::{")),
        ("a codec", configure().codec_path("Codec::{")),
    ];
    for (what, builder) in attempts {
        let err = match builder.generate(&compiled) {
            Ok(files) => panic!("{what}: generated {} files", files.len()),
            Err(err) => err.to_string(),
        };
        assert!(
            err.contains("does not parse") || err.contains("is not a Rust type"),
            "{what}: {err}"
        );
    }
}

#[test]
fn an_rpc_named_connect_does_not_clash_with_the_transport_helper() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("link.proto"),
        "syntax = \"proto3\";\npackage link.v1;\nservice LinkService {\n  rpc Connect(ConnectRequest) returns (ConnectResponse);\n}\nmessage ConnectRequest {}\nmessage ConnectResponse {}\nservice OtherService {\n  rpc Ping(ConnectRequest) returns (ConnectResponse);\n}\n",
    )
    .expect("write");
    let compiled = Compiler::new()
        .include_imports(true)
        .compile(&[dir.path()])
        .expect("compiles");
    let files = configure().generate(&compiled).expect("generates");
    let code = &files[0].content;
    assert_eq!(
        code.matches("pub async fn connect<D>(dst: D)").count(),
        1,
        "only OtherService keeps the helper"
    );
    assert!(
        code.contains("pub async fn connect(\n            &mut self,"),
        "the rpc method stays"
    );
}

/// From `build.rs`: a failed compilation leaves the previous generated
/// files and descriptor set as they were.
#[test]
fn a_failed_compile_protos_leaves_the_previous_output() {
    let schemas = tempfile::tempdir().expect("tempdir");
    let schema = schemas.path().join("shop.proto");
    std::fs::write(
        &schema,
        "syntax = \"proto3\";\npackage shop.v1;\nmessage Cart { int32 id = 1; }\n",
    )
    .expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    let build = || {
        configure()
            .out_dir(out.path())
            .emit_rerun_if_changed(false)
            .file_descriptor_set_path("shop.binpb")
            .include_file("protos.rs")
            .compile_protos(&[schema.as_path()], &[schemas.path()])
    };
    build().expect("the first build succeeds");
    let read = |name: &str| std::fs::read(out.path().join(name)).expect(name);
    let before = [read("shop.v1.rs"), read("shop.binpb"), read("protos.rs")];
    std::fs::write(
        &schema,
        "syntax = \"proto3\";\npackage shop.v1;\nmessage Cart { Missing id = 1; }\n",
    )
    .expect("write");
    assert!(build().is_err());
    assert_eq!(
        [read("shop.v1.rs"), read("shop.binpb"), read("protos.rs")],
        before
    );
}

/// From `build.rs`, as with tonic-prost-build and protoc: an input named
/// relative to an include root, not to the working directory.
#[test]
fn compile_protos_takes_names_under_an_include_root() {
    let vendor = tempfile::tempdir().expect("tempdir");
    let file = vendor.path().join("google/api/http.proto");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &file,
        "syntax = \"proto3\";\npackage google.api;\nmessage Http { string a = 1; }\n",
    )
    .expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    configure()
        .out_dir(out.path())
        .emit_rerun_if_changed(false)
        .compile_protos(&[Path::new("google/api/http.proto")], &[vendor.path()])
        .expect("a name under the include root compiles");
    assert!(out.path().join("google.api.rs").is_file());
    // Named both ways, it is one file.
    let compiled = Compiler::new()
        .include(vendor.path())
        .compile(&[Path::new("google/api/http.proto"), file.as_path()])
        .expect("compiles");
    assert_eq!(compiled.input_files(), ["google/api/http.proto"]);
}

/// An editions schema (2023 and 2024, protoc 35's descriptor set of
/// `examples/editions/proto`) generates as a proto3 one does: messages with
/// explicit presence as `Option`, delimited fields as groups, packed and
/// expanded repeated fields, `required`, and the service's client, server
/// and mock.
#[test]
fn generated_code_of_an_editions_schema() {
    let set = std::fs::read(workspace().join("examples/editions/proto/editions.binpb"))
        .expect("protoc's descriptor set");
    let files = configure()
        .build_mocks(true)
        .generate_descriptor_set(&set)
        .expect("generates");
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["wire.v1.rs"]);
    insta::with_settings!({ snapshot_path => workspace().join("snapshots"), prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("editions_wire_v1", files[0].content);
    });
}
