//! The `server` and `client` binaries as a team runs them: configured by
//! prefixed environment variables, `client token` with its flags in the
//! README's order, client failures as one readable line, and logs without
//! colour codes when stderr is not a terminal.

use std::{
    io::{BufRead, BufReader, Read},
    process::{Command, Stdio},
};

use protoforge_examples::auth::Auth;

fn client() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_client"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PROTOFORGE_EXAMPLE_") {
            command.env_remove(name);
        }
    }
    command
}

#[test]
fn client_token_takes_the_secret_before_or_after_the_subcommand() {
    for args in [
        &["token", "--user-id", "1", "--jwt-secret", "x"][..],
        &["--jwt-secret", "x", "token", "--user-id", "1"],
    ] {
        let output = client().args(args).output().expect("run the client");
        assert!(output.status.success(), "{args:?}: {output:?}");
        let token = String::from_utf8(output.stdout).expect("utf-8");
        let caller = Auth::new(b"x").verify(token.trim()).expect("a valid token");
        assert_eq!(caller.user_id, 1);
    }
    let output = client()
        .args(["token", "--user-id", "7"])
        .env("PROTOFORGE_EXAMPLE_JWT_SECRET", "from-env")
        .output()
        .expect("run the client");
    let token = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(
        Auth::new(b"from-env")
            .verify(token.trim())
            .expect("valid")
            .user_id,
        7
    );

    let missing = client()
        .args(["token", "--user-id", "1"])
        .output()
        .expect("run the client");
    assert_eq!(missing.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("--jwt-secret or PROTOFORGE_EXAMPLE_JWT_SECRET"),
        "{stderr}"
    );
}

#[test]
fn a_team_runs_the_server_and_the_client_from_the_environment() {
    let storage = tempfile::tempdir().expect("tempdir");
    let mut server = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("PROTOFORGE_EXAMPLE_ADDR", "127.0.0.1:0")
        .env("PROTOFORGE_EXAMPLE_JWT_SECRET", "shared")
        .env("PROTOFORGE_EXAMPLE_STORAGE", storage.path())
        .env("PROTOFORGE_EXAMPLE_METRICS_INTERVAL_SECS", "0")
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the address");
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{line:?}"))
        .to_owned();

    // The walkthrough, the address as the server takes it.
    let walkthrough = client()
        .env("PROTOFORGE_EXAMPLE_ADDR", &addr)
        .env("PROTOFORGE_EXAMPLE_JWT_SECRET", "shared")
        .output()
        .expect("run the client");
    assert!(walkthrough.status.success(), "{walkthrough:?}");
    assert!(String::from_utf8_lossy(&walkthrough.stdout).contains("walkthrough complete"));

    // A refused call: one line naming the step, the reason and the code.
    let refused = client()
        .args(["--addr", &addr, "--jwt-secret", "not-the-server's"])
        .output()
        .expect("run the client");
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr),
        "client: CreateUser: invalid token: InvalidSignature (Unauthenticated)\n"
    );
    // No server there: one line too.
    let nobody = client()
        .args(["--addr", "127.0.0.1:1", "--jwt-secret", "x"])
        .output()
        .expect("run the client");
    assert_eq!(nobody.status.code(), Some(1));
    let said = String::from_utf8_lossy(&nobody.stderr);
    assert!(
        said.starts_with("client: connect: transport error: ")
            && said.contains("Connection refused")
            && said.lines().count() == 1,
        "{said}"
    );

    let _ = server.kill();
    let mut logs = String::new();
    server
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut logs)
        .expect("logs");
    let _ = server.wait();
    assert!(
        logs.contains("rpc=/user.v1.UserService/CreateUser code=Ok"),
        "{logs}"
    );
    assert!(
        !logs.contains('\u{1b}'),
        "no colour codes off a terminal: {logs}"
    );
}
