//! `protoforge scaffold` and names: services that would share a module, a
//! file or a Rust name are refused before anything is written.

mod common;

use common::{protoforge, text};

/// Writes `files` below a new directory and runs `scaffold` on it.
fn scaffold(files: &[(&str, &str)], with_crate: bool) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        let path = dir.path().join("proto").join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    let mut args = vec!["scaffold", "proto", "--out", "out"];
    if with_crate {
        args.extend(["--crate", "svc"]);
    }
    let output = protoforge(dir.path(), &args);
    (dir, output)
}

const EMPTY_RPC: &str = "rpc Get(google.protobuf.Empty) returns (google.protobuf.Empty);";

fn service(package: &str, names: &[&str]) -> String {
    let mut text = format!(
        "syntax = \"proto3\";\npackage {package};\nimport \"google/protobuf/empty.proto\";\n"
    );
    for name in names {
        text.push_str(&format!("service {name} {{ {EMPTY_RPC} }}\n"));
    }
    text
}

/// Schema files, whether to scaffold a crate, the error expected.
type Case = (Vec<(&'static str, String)>, bool, String);

#[test]
fn colliding_services_are_refused_and_nothing_is_written() {
    let cases: Vec<Case> = vec![
        (
            vec![("a.proto", service("a.v1", &["FooBar", "Foo_Bar"]))],
            false,
            "error: services 'a.v1.FooBar' and 'a.v1.Foo_Bar' would both be scaffolded as module 'foo_bar' ('out/foo_bar.rs'); nothing was written: scaffold them one at a time (--service) into different --out directories".to_owned(),
        ),
        (
            vec![
                ("a/v1/users.proto", service("a.v1", &["Users"])),
                ("b/v1/users.proto", service("b.v1", &["Users"])),
            ],
            true,
            "error: services 'a.v1.Users' and 'b.v1.Users' would both be scaffolded as module 'users' ('out/src/users.rs'); nothing was written: scaffold them one at a time (--service) into different --out directories".to_owned(),
        ),
        (
            vec![("s.proto", service("s.v1", &["Server"]))],
            false,
            "error: service 's.v1.Server' would be scaffolded as module 'server' ('out/server.rs'), which is the scaffold's server module; nothing was written: rename the service".to_owned(),
        ),
        (
            vec![("m.proto", service("m.v1", &["Main"]))],
            true,
            "error: service 'm.v1.Main' would be scaffolded as module 'main' ('out/src/main.rs'), which is the crate's main.rs; nothing was written: rename the service".to_owned(),
        ),
        (
            vec![("l.proto", service("l.v1", &["Lib"]))],
            true,
            "error: service 'l.v1.Lib' would be scaffolded as module 'lib' ('out/src/lib.rs'), which is the crate's lib.rs; nothing was written: rename the service".to_owned(),
        ),
        (
            vec![("p.proto", service("p.v1", &["Proto"]))],
            false,
            "error: service 'p.v1.Proto' would be scaffolded as module 'proto' ('out/proto.rs'), which is the module of the generated code; nothing was written: rename the service".to_owned(),
        ),
    ];
    for (files, with_crate, expected) in cases {
        let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
        let (dir, output) = scaffold(&files, with_crate);
        assert_eq!(output.status.code(), Some(1), "{expected}");
        assert_eq!(text(&output.stderr), format!("{expected}\n"));
        assert_eq!(text(&output.stdout), "");
        assert!(!dir.path().join("out").exists(), "nothing written");
    }
}

/// Keywords are escaped as prost and tonic escape them: `self_` for a
/// package or rpc `self`, `super_`, `r#type`; the service's Rust name
/// as prost makes it (`HttpService`); another package's type by its path.
#[test]
fn rust_names_are_the_generated_code_names() {
    let (dir, output) = scaffold(
        &[
            (
                "common/v1/money.proto",
                "syntax = \"proto3\";\npackage common.v1;\nmessage Money { int64 units = 1; }\n",
            ),
            (
                "self/v1/http.proto",
                "syntax = \"proto3\";\npackage self.v1;\nimport \"common/v1/money.proto\";\n\
                 service HTTPService {\n  rpc Super(common.v1.Money) returns (common.v1.Money);\n  \
                 rpc Self(common.v1.Money) returns (Reply);\n  rpc Type(common.v1.Money) returns (Reply);\n}\n\
                 message Reply {}\n",
            ),
        ],
        false,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let module = std::fs::read_to_string(dir.path().join("out/http_service.rs")).expect("read");
    for needle in [
        "use crate::proto::self_::v1 as pb;",
        "use pb::http_service_server::{HttpService, HttpServiceServer};",
        "async fn super_(",
        "_request: Request<crate::proto::common::v1::Money>,",
        "async fn self_(",
        "async fn r#type(",
        "Result<Response<pb::Reply>, Status>",
    ] {
        assert!(module.contains(needle), "missing {needle}:\n{module}");
    }
    let tests =
        std::fs::read_to_string(dir.path().join("out/http_service/tests.rs")).expect("read");
    for needle in [
        "use pb::http_service_client::HttpServiceClient;",
        ".super_(crate::proto::common::v1::Money::default())",
        ".r#type(crate::proto::common::v1::Money::default())",
        "async fn type_answers()",
    ] {
        assert!(tests.contains(needle), "missing {needle}:\n{tests}");
    }
}

/// An editions service (the editions example's 2023 and 2024 files) is
/// scaffolded as a proto3 one: a module per service, its test, the server.
#[test]
fn an_editions_service_is_scaffolded() {
    let proto = common::workspace().join("examples/editions/proto");
    let read = |name: &str| std::fs::read_to_string(proto.join(name)).expect("read");
    let (echo, wire) = (read("echo.proto"), read("wire.proto"));
    let (dir, output) = scaffold(&[("echo.proto", &echo), ("wire.proto", &wire)], false);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let module = std::fs::read_to_string(dir.path().join("out/echo_service.rs")).expect("module");
    assert!(
        module.contains("EchoService/Echo is not implemented yet"),
        "{module}"
    );
    assert!(dir.path().join("out/echo_service/tests.rs").is_file());
    assert!(dir.path().join("out/server.rs").is_file());
}
