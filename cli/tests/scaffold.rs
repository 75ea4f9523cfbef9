//! `protoforge new service` and `protoforge scaffold` as a user runs them,
//! end to end: the new crate builds, passes its tests and its format check,
//! and its build script reruns only when a schema changes.

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use common::{protoforge, text};
use protoforge_bench::anchors;

fn check(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// Runs cargo on the scaffolded crate, offline, with the workspace's lock
/// and the workspace's own target directory, so the dependencies the
/// workspace has built (tonic, prost, tokio, protox...) are not built again.
///
/// A dependency is reused only when it is built exactly as the workspace
/// built it, and the profile is part of that: the scaffolded crate is a
/// workspace of its own, so it gets the workspace's debug-info settings
/// (`[profile.dev]` in the root `Cargo.toml`) here. Without them every
/// dependency was compiled again (about 140 crates; with them, the 56 whose
/// features differ from the workspace's). The clippy wrapper `.ci/run` sets
/// for the workspace's own crates is not for the generated crate.
fn cargo(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(args)
        .arg("--offline")
        .args([
            "--config",
            "profile.dev.debug=\"line-tables-only\"",
            "--config",
            "profile.dev.package.\"*\".debug=false",
        ])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", anchors::workspace_root().join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
        .output()
        .expect("cargo runs")
}

fn ran_build_script(output: &Output) -> bool {
    text(&output.stderr).contains("build-script-build`")
}

#[test]
fn new_service_then_scaffold_crate_builds_tests_and_rebuilds_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();

    let new = protoforge(
        root,
        &[
            "new",
            "service",
            "billing.v1.InvoiceService",
            "--rpc",
            "GetInvoice",
            "--rpc",
            "WatchInvoices:server-stream",
            "--rpc",
            "UploadInvoices:client-stream",
            "--rpc",
            "SyncInvoices:bidi",
        ],
    );
    check(&new, "new service");
    assert_eq!(
        text(&new.stdout),
        "wrote proto/billing/v1/invoice_service.proto\n"
    );

    // The schema compiles with protoc and buf, and passes buf's default lint.
    check(
        &Command::new(anchors::protoc())
            .current_dir(root)
            .args([
                "-Iproto",
                "-o",
                "/dev/null",
                "billing/v1/invoice_service.proto",
            ])
            .output()
            .expect("protoc runs"),
        "protoc",
    );
    for args in [
        &["lint", "proto"][..],
        &["build", "proto", "-o", "/dev/null"][..],
    ] {
        check(
            &Command::new(anchors::buf())
                .current_dir(root)
                .args(args)
                .output()
                .expect("buf runs"),
            &format!("buf {}", args[0]),
        );
    }

    // A service whose names need escaping, with a type from another
    // package: the scaffold must name them as the generated code does.
    for (path, schema) in [
        (
            "proto/common/v1/money.proto",
            "syntax = \"proto3\";\npackage common.v1;\nmessage Money { int64 units = 1; }\n",
        ),
        (
            "proto/self/v1/http.proto",
            "syntax = \"proto3\";\npackage self.v1;\nimport \"common/v1/money.proto\";\n\
             service HTTPService {\n  rpc Super(common.v1.Money) returns (common.v1.Money);\n  \
             rpc Type(stream common.v1.Money) returns (stream Reply);\n}\nmessage Reply {}\n",
        ),
    ] {
        std::fs::create_dir_all(root.join(path).parent().expect("parent")).expect("mkdir");
        std::fs::write(root.join(path), schema).expect("write");
    }

    let workspace = anchors::workspace_root();
    let scaffold_crate = |extra: &[&str]| {
        let mut args = vec![
            "scaffold", "proto", "--out", "invoice", "--crate", "invoice",
        ];
        args.extend(extra);
        args.extend(["--protoforge-path", workspace.to_str().expect("utf-8")]);
        protoforge(root, &args)
    };
    let scaffold = scaffold_crate(&[]);
    check(&scaffold, "scaffold");
    let written: Vec<&str> = std::str::from_utf8(&scaffold.stdout)
        .expect("utf-8")
        .lines()
        .collect();
    assert_eq!(
        written,
        [
            "wrote invoice/src/invoice_service.rs",
            "wrote invoice/src/invoice_service/tests.rs",
            "wrote invoice/src/http_service.rs",
            "wrote invoice/src/http_service/tests.rs",
            "wrote invoice/src/server.rs",
            "wrote invoice/Cargo.toml",
            "wrote invoice/build.rs",
            "wrote invoice/src/lib.rs",
            "wrote invoice/src/main.rs",
            "wrote invoice/tests/server.rs",
        ]
    );

    let krate: PathBuf = root.join("invoice");
    // `cargo` below mirrors the workspace's dev profile; if that changes,
    // the mirror must too, or every dependency is compiled again.
    let manifest = std::fs::read_to_string(workspace.join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains("[profile.dev]\ndebug = \"line-tables-only\"\n")
            && manifest.contains("[profile.dev.package.\"*\"]\ndebug = false\n"),
        "the workspace's dev profile changed: update `cargo` in this test"
    );
    // Pin the dependencies to the workspace's, which this machine has.
    std::fs::copy(workspace.join("Cargo.lock"), krate.join("Cargo.lock")).expect("lock");
    check(&cargo(&krate, &["build", "--all-targets"]), "cargo build");
    check(&cargo(&krate, &["test"]), "cargo test");
    check(
        &Command::new(env!("CARGO"))
            .args(["fmt", "--check"])
            .current_dir(&krate)
            .output()
            .expect("cargo fmt runs"),
        "cargo fmt --check",
    );

    // Nothing changed: the build script does not run again.
    let noop = cargo(&krate, &["build", "-v"]);
    check(&noop, "no-op build");
    assert!(
        !ran_build_script(&noop),
        "a no-op build ran the build script:\n{}",
        text(&noop.stderr)
    );

    // An edited schema regenerates.
    let proto = root.join("proto/billing/v1/invoice_service.proto");
    let mut schema = std::fs::read_to_string(&proto).expect("read");
    schema.push_str("\n// Edited.\n");
    std::fs::write(&proto, schema).expect("write");
    let edited = cargo(&krate, &["build", "-v"]);
    check(&edited, "build after an edit");
    assert!(
        ran_build_script(&edited),
        "an edited schema did not rerun the build script"
    );

    // An rpc added to the schema: `--update` adds its stub and test, and the
    // crate builds and passes its tests again.
    check(
        &protoforge(
            root,
            &[
                "new",
                "service",
                "billing.v1.InvoiceService",
                "--rpc",
                "GetInvoice",
                "--rpc",
                "WatchInvoices:server-stream",
                "--rpc",
                "UploadInvoices:client-stream",
                "--rpc",
                "SyncInvoices:bidi",
                "--rpc",
                "TailInvoices:server-stream",
                "--force",
            ],
        ),
        "new service with one more rpc",
    );
    let update = scaffold_crate(&["--update"]);
    check(&update, "scaffold --update");
    assert_eq!(
        text(&update.stdout),
        "wrote invoice/src/invoice_service/tests.rs\nwrote invoice/src/invoice_service.rs\n"
    );
    check(&cargo(&krate, &["test"]), "cargo test after --update");

    // A broken schema fails the build with a located diagnostic in cargo's
    // output.
    let schema = std::fs::read_to_string(&proto).expect("read");
    std::fs::write(
        &proto,
        schema.replacen(
            "message GetInvoiceRequest {}",
            "message GetInvoiceRequest { Nope n = 1; }",
            1,
        ),
    )
    .expect("write");
    let broken = cargo(&krate, &["build"]);
    assert!(!broken.status.success());
    let stderr = text(&broken.stderr);
    assert!(
        stderr.contains("billing/v1/invoice_service.proto:")
            && stderr.contains(": error: \"Nope\" is not defined."),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("\"Nope\" is not defined.").count(),
        1,
        "the error appears once:\n{stderr}"
    );
}

#[test]
fn never_overwrites_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = ["new", "service", "shop.v1.CartService"];
    check(&protoforge(dir.path(), &args), "first run");
    let proto = dir.path().join("proto/shop/v1/cart_service.proto");
    let edited = std::fs::read_to_string(&proto).expect("read") + "// Edited.\n";
    std::fs::write(&proto, &edited).expect("write");
    let again = protoforge(dir.path(), &args);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&proto).expect("read"), edited);
    assert_eq!(
        text(&again.stderr),
        "proto/shop/v1/cart_service.proto: error: the file exists; nothing was written (pass --force to overwrite)\n"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    check(&protoforge(dir.path(), &forced), "forced run");

    let scaffold = ["scaffold", "proto", "--out", "src"];
    check(&protoforge(dir.path(), &scaffold), "first scaffold");
    std::fs::write(dir.path().join("src/cart_service.rs"), "// mine\n").expect("write");
    let again = protoforge(dir.path(), &scaffold);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        text(&again.stderr),
        "src/cart_service.rs: error: the file exists (and so do 'src/cart_service/tests.rs', 'src/server.rs'); nothing was written (pass --force to overwrite)\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/cart_service.rs")).expect("read"),
        "// mine\n"
    );
}

#[test]
fn invalid_names_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, message) in [
        (
            "billing.v1.Invoice-Service",
            "'Invoice-Service' is not a valid proto identifier",
        ),
        ("InvoiceService", "has no package"),
        ("billing.InvoiceService", "must end in a version"),
    ] {
        let output = protoforge(dir.path(), &["new", "service", name]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(
            text(&output.stderr).contains(message),
            "{name}: {}",
            text(&output.stderr)
        );
    }
    let output = protoforge(
        dir.path(),
        &[
            "new",
            "service",
            "billing.v1.InvoiceService",
            "--rpc",
            "get",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("rpc name 'get' must be PascalCase"));
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        0,
        "nothing written"
    );
}

#[test]
fn protoforge_path_must_be_a_checkout() {
    let dir = tempfile::tempdir().expect("tempdir");
    check(
        &protoforge(dir.path(), &["new", "service", "shop.v1.CartService"]),
        "new service",
    );
    let output = protoforge(
        dir.path(),
        &[
            "scaffold",
            "proto",
            "--out",
            "cart",
            "--crate",
            "cart",
            "--protoforge-path",
            "proto",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let canonical = dir.path().canonicalize().expect("canonical");
    assert_eq!(
        text(&output.stderr),
        format!(
            "error: 'proto' is not a protoforge checkout: '{}/proto/codegen/Cargo.toml' does not declare the crate protoforge-codegen; pass --protoforge-path the directory of a clone of protoforge\n",
            canonical.display()
        )
    );
    assert!(!dir.path().join("cart").exists());

    // The default, the checkout the binary was built from, resolves.
    let output = protoforge(
        dir.path(),
        &["scaffold", "proto", "--out", "cart", "--crate", "cart"],
    );
    check(&output, "scaffold");
    let manifest = std::fs::read_to_string(dir.path().join("cart/Cargo.toml")).expect("read");
    let workspace = anchors::workspace_root().canonicalize().expect("canonical");
    assert!(
        manifest.contains(&format!(
            "protoforge-runtime = {{ path = \"{}/runtime\" }}",
            workspace.display()
        )),
        "{manifest}"
    );
}

/// `--update` adds the stubs and tests of new rpcs and leaves the methods
/// and tests already written as they are.
#[test]
fn update_adds_missing_stubs_and_keeps_written_methods() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    check(
        &protoforge(
            root,
            &["new", "service", "shop.v1.CartService", "--rpc", "GetCart"],
        ),
        "new service",
    );
    check(
        &protoforge(root, &["scaffold", "proto", "--out", "src"]),
        "scaffold",
    );
    let module = root.join("src/cart_service.rs");
    let written = std::fs::read_to_string(&module).expect("read").replace(
        "Err(Status::unimplemented(",
        "// Written by hand.\n        Err(Status::not_found(",
    );
    std::fs::write(&module, &written).expect("write");
    check(
        &protoforge(
            root,
            &[
                "new",
                "service",
                "shop.v1.CartService",
                "--rpc",
                "GetCart",
                "--rpc",
                "WatchCart:server-stream",
                "--rpc",
                "PutItems:client-stream",
                "--force",
            ],
        ),
        "new service with two more rpcs",
    );
    let update = protoforge(root, &["scaffold", "proto", "--out", "src", "--update"]);
    check(&update, "scaffold --update");
    let updated = std::fs::read_to_string(&module).expect("read");
    let before_end = written.rfind("}\n\n#[cfg(test)]").expect("impl end");
    assert!(
        updated.starts_with(&written[..before_end]),
        "what was written is kept:\n{updated}"
    );
    for needle in [
        "// Written by hand.",
        "type WatchCartStream = std::pin::Pin<",
        "async fn watch_cart(",
        "_request: Request<tonic::Streaming<pb::PutItemsRequest>>,",
    ] {
        assert!(updated.contains(needle), "missing {needle}:\n{updated}");
    }
    let tests = std::fs::read_to_string(root.join("src/cart_service/tests.rs")).expect("read");
    for test in [
        "get_cart_answers",
        "watch_cart_answers",
        "put_items_answers",
    ] {
        assert_eq!(
            tests.matches(&format!("async fn {test}()")).count(),
            1,
            "{tests}"
        );
    }
    // Nothing is missing now: a second update writes nothing.
    let again = protoforge(root, &["scaffold", "proto", "--out", "src", "--update"]);
    check(&again, "second update");
    assert_eq!(text(&again.stdout), "");
}
