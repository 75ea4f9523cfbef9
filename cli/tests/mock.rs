//! `protoforge mock serve` on the command line: help, and each kind of bad
//! input with its message and exit code. (The server itself is tested end
//! to end by `cli/tests/mock/test_mock_serve.py` and in
//! `runtime/tests/dynamic.rs`.)

use std::{path::Path, process::Command};

fn protoforge(args: &[&str], dir: &Path) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("protoforge runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
}

#[test]
fn help_lists_the_options_and_the_admin_api() {
    let (code, out, _) = protoforge(&["mock", "serve", "--help"], workspace());
    assert_eq!(code, 0);
    for text in [
        "--stubs <PATH>",
        "--addr <HOST:PORT>",
        "--admin-addr <HOST:PORT>",
        "GET /verify",
        "Exit codes",
    ] {
        assert!(out.contains(text), "{text} missing from:\n{out}");
    }
}

#[test]
fn stub_errors_are_located_and_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.yaml"),
        "- method: user.v1.UserService/GetUser\n  response:\n    message: {user: {nme: x}}\n",
    )
    .expect("write");
    let stubs = dir.path().display().to_string();
    let (code, _, err) = protoforge(
        &[
            "mock",
            "serve",
            "proto",
            "--stubs",
            &stubs,
            "--addr",
            "127.0.0.1:0",
            "--admin-addr",
            "127.0.0.1:0",
        ],
        workspace(),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        format!(
            "{stubs}/bad.yaml:3:22: error: unknown field 'nme' in user.v1.User (fields: id, name, email, age, created_at, updated_at)\n"
        )
    );
}

#[test]
fn bad_inputs_and_addresses() {
    let (code, _, err) = protoforge(&["mock", "serve", "no-such-dir"], workspace());
    assert_eq!(
        (code, err.as_str()),
        (1, "error: 'no-such-dir': no such file or directory\n")
    );

    let (code, _, err) = protoforge(
        &["mock", "serve", "proto", "--stubs", "missing.yaml"],
        workspace(),
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("missing.yaml: error: cannot read:"),
        "{err}"
    );

    let (code, _, err) = protoforge(
        &["mock", "serve", "proto", "--addr", "nowhere"],
        workspace(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("'nowhere' is not HOST:PORT"), "{err}");

    let (code, _, err) = protoforge(&["mock", "serve"], workspace());
    assert_eq!(code, 2);
    assert!(err.contains("<INPUT>..."), "{err}");

    // A schema with no services.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("a.proto"),
        "syntax = \"proto3\";\nmessage A {}\n",
    )
    .expect("write");
    let (code, _, err) = protoforge(&["mock", "serve", "."], dir.path());
    assert_eq!(
        (code, err.as_str()),
        (1, "error: .: the schema has no services to serve\n")
    );

    // A port in use.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let (code, _, err) = protoforge(&["mock", "serve", "proto", "--addr", &addr], workspace());
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!("error: cannot listen on {addr} (--addr):")),
        "{err}"
    );
}
