//! protoforge's own generator (`generate::prost`, feature `own-generator`)
//! against prost-build and tonic-prost-build, the oracles: the same
//! compiled set and the same options must give byte-identical files.
//!
//! Cheap sets run always: the workspace's `proto/` and each fixture of
//! `tests/editions/`, each in eight ways: messages only, messages and
//! clients, messages, clients and servers, and all of them with mocks,
//! each with default options and with every option the `Builder` exposes. `PROTOFORGE_PROST_DIFF=1` adds
//! a slice of googleapis (`bench/node_modules/google-proto-files`), a
//! directory at a time;
//! `PROTOFORGE_PROST_DIFF=all` every directory of it (hours on 2 cores).
//! Run those with `cargo test -p protoforge-codegen --test
//! prost_differential` (nextest ends a test after 3 minutes; the slice
//! takes about 3).

use std::path::{Path, PathBuf};

use protoforge_codegen::{Builder, Compiled, Compiler, configure, generate::GeneratedFile};

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn compile(includes: &[PathBuf], inputs: &[PathBuf]) -> Option<Compiled> {
    Compiler::new()
        .includes(includes.iter().cloned())
        .include_imports(true)
        .include_source_info(true)
        .compile(inputs)
        .ok()
}

/// Messages only: no client, no server.
fn messages_only() -> Builder {
    configure().build_client(false).build_server(false)
}

/// Every option the builder passes to prost-build, on paths the fixtures
/// have and on whole-set matchers.
fn every_option() -> Builder {
    with_every_option(messages_only())
}

/// Messages and clients (no server).
fn clients() -> Builder {
    configure().build_server(false)
}

/// Messages and clients with every option, tonic's included.
fn clients_every_option() -> Builder {
    with_every_option(clients())
        .client_mod_attribute(".", "#[allow(clippy::all)]")
        .client_mod_attribute("v1", "#[cfg(all())]")
        .client_attribute("UserService", "#[doc = \"users\"]")
        .client_attribute(
            ".user",
            "#[doc = \"never: tonic's prefixes need a leading dot\"]",
        )
        .codec_path("crate::Codec")
        .proto_path("crate::proto")
        .build_transport(false)
        .disable_comments(["chat.v1.ChatService", "user.v1.UserService.GetUser"])
}

/// Messages, clients and servers: `configure()` as a user calls it.
fn services() -> Builder {
    configure()
}

/// Messages, clients and servers with every option, tonic's included.
fn services_every_option() -> Builder {
    clients_every_option()
        .build_server(true)
        .server_mod_attribute("v1", "#[cfg(all())]")
        .server_attribute("ChatService", "#[doc = \"chat\"]")
        .trait_attribute("UserService", "#[doc = \"trait\"]")
        .generate_default_stubs(true)
        .use_arc_self(true)
}

/// Everything, mocks included: `configure().build_mocks(true)`.
fn mocks() -> Builder {
    configure().build_mocks(true)
}

/// Everything with every option.
fn mocks_every_option() -> Builder {
    services_every_option()
        .build_mocks(true)
        .emit_package(false)
}

/// Clients with transport helpers but the other options as given.
fn with_every_option(builder: Builder) -> Builder {
    builder
        .btree_map(["."])
        .bytes([".common", "payload"])
        .skip_debug([".order.v1", "Money"])
        .boxed(".user.v1.User.address")
        .boxed("value")
        .type_attribute(".", "#[derive(Default)]")
        .type_attribute("Kind", "#[doc = \"a kind\"]")
        .message_attribute(".chat", "#[non_exhaustive]")
        .enum_attribute(".", "#[allow(unused)]")
        .field_attribute("id", "#[doc(alias = \"identifier\")]")
        .extern_path(".common.v1.Money", "::money::Money")
        .extern_path(".payment", "crate::pay")
        .disable_comments([".user", "name"])
}

/// Whether our files equal prost-build's, with a readable diff if not.
fn compare(what: &str, oracle: &[GeneratedFile], ours: &[GeneratedFile]) -> Result<usize, String> {
    let names = |files: &[GeneratedFile]| files.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    if names(oracle) != names(ours) {
        return Err(format!(
            "{what}: files differ: prost-build {:?}, ours {:?}",
            names(oracle),
            names(ours)
        ));
    }
    for (theirs, mine) in oracle.iter().zip(ours) {
        if theirs.content != mine.content {
            let line = theirs
                .content
                .lines()
                .zip(mine.content.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| {
                    theirs
                        .content
                        .lines()
                        .count()
                        .min(mine.content.lines().count())
                });
            let window = |text: &str| {
                text.lines()
                    .skip(line.saturating_sub(3))
                    .take(7)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            return Err(format!(
                "{what}: {} differs at line {}:\n--- prost-build\n{}\n--- ours\n{}",
                theirs.name,
                line + 1,
                window(&theirs.content),
                window(&mine.content)
            ));
        }
        assert_eq!(theirs.package, mine.package, "{what}: {}", theirs.name);
    }
    Ok(oracle.len())
}

/// Compares both generators on `compiled` with the options of `options`.
fn differential(
    what: &str,
    compiled: &Compiled,
    options: fn() -> Builder,
) -> Result<usize, String> {
    let oracle = options()
        .generate(compiled)
        .map_err(|err| format!("{what}: prost-build: {err}"))?;
    let ours = options()
        .generate_messages(compiled)
        .map_err(|err| format!("{what}: ours: {err}"))?;
    compare(what, &oracle, &ours)
}

/// A way to configure the builder, and its name in failures.
type Mode = (&'static str, fn() -> Builder);

/// Every way a set is generated and compared.
const MODES: [Mode; 8] = [
    ("defaults", messages_only),
    ("every option", every_option),
    ("clients", clients),
    ("clients, every option", clients_every_option),
    ("services", services),
    ("services, every option", services_every_option),
    ("mocks", mocks),
    ("mocks, every option", mocks_every_option),
];

#[test]
fn the_workspace_schemas_generate_as_prost_build_generates_them() {
    let proto = manifest().join("../proto");
    let compiled = compile(std::slice::from_ref(&proto), std::slice::from_ref(&proto))
        .expect("proto/ compiles");
    let defaults = differential("proto/ (defaults)", &compiled, messages_only);
    assert_eq!(defaults, Ok(9), "{defaults:?}");
    for (label, options) in [
        ("every option", every_option as fn() -> Builder),
        ("clients", clients),
        ("clients, every option", clients_every_option),
        ("services", services),
        ("services, every option", services_every_option),
        ("mocks", mocks),
        ("mocks, every option", mocks_every_option),
    ] {
        let result = differential(&format!("proto/ ({label})"), &compiled, options);
        assert!(result.is_ok(), "{result:?}");
    }
}

/// Comments with URLs, brackets and Markdown of every kind
/// (`tests/prost_differential/comments.proto`): escaping and clean-up.
#[test]
fn comments_are_written_as_prost_build_and_tonic_write_them() {
    let dir = manifest().join("tests/prost_differential");
    let compiled = compile(std::slice::from_ref(&dir), &[dir.join("comments.proto")])
        .expect("comments.proto compiles");
    for (label, options) in MODES {
        let result = differential(&format!("comments.proto ({label})"), &compiled, options);
        assert_eq!(result, Ok(1), "{result:?}");
    }
}

#[test]
fn the_editions_fixtures_generate_as_prost_build_generates_them() {
    let dir = manifest().join("tests/editions");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "proto"))
        .collect();
    names.sort();
    let mut compared = 0;
    let mut failures = Vec::new();
    for name in &names {
        let Some(compiled) = compile(std::slice::from_ref(&dir), std::slice::from_ref(name)) else {
            failures.push(format!("{}: does not compile", name.display()));
            continue;
        };
        for (label, options) in MODES {
            match differential(&format!("{} ({label})", name.display()), &compiled, options) {
                Ok(_) => compared += 1,
                Err(err) => failures.push(err),
            }
        }
    }
    eprintln!(
        "editions fixtures: {compared} runs ({} fixtures compile, {} modes) identical",
        compared / MODES.len(),
        MODES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(compared, names.len() * MODES.len());
}

/// googleapis, a directory at a time: `PROTOFORGE_PROST_DIFF=1`.
#[test]
fn googleapis_generates_as_prost_build_generates_it() {
    if std::env::var_os("PROTOFORGE_PROST_DIFF").is_none() {
        return;
    }
    let corpus = manifest().join("../bench/node_modules/google-proto-files");
    let all = std::env::var_os("PROTOFORGE_PROST_DIFF").is_some_and(|v| v == "all");
    let slice = [
        "google/api",
        "google/rpc",
        "google/type",
        "google/longrunning",
        "google/pubsub/v1",
        "google/storage/v2",
        "google/spanner/v1",
        "google/cloud/aiplatform/v1",
        "google/ads/googleads/v21/services",
        "google/firestore/v1",
        "google/logging/v2",
        "google/monitoring/v3",
        "google/bigtable/v2",
        "google/datastore/v1",
        "google/iam/v1",
    ];
    let dirs: Vec<String> = if all {
        proto_dirs(&corpus)
    } else {
        slice.iter().map(|d| (*d).to_owned()).collect()
    };
    let mut failures = Vec::new();
    let mut files = 0;
    for dir in &dirs {
        let Some(compiled) = compile(std::slice::from_ref(&corpus), &[corpus.join(dir)]) else {
            failures.push(format!("{dir}: does not compile"));
            continue;
        };
        for (label, options) in MODES {
            match differential(&format!("{dir} ({label})"), &compiled, options) {
                Ok(n) => files += n,
                Err(err) => {
                    eprintln!("{err}\n");
                    failures.push(err);
                }
            }
        }
        eprintln!("googleapis: {dir} done, {files} files identical so far");
    }
    eprintln!(
        "googleapis: {} directories, {files} generated files identical, {} failures",
        dirs.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every directory below `root` holding `.proto` files, named from `root`,
/// sorted; protobuf's own sources (`google/protobuf`) left out.
fn proto_dirs(root: &Path) -> Vec<String> {
    let mut dirs = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut has_proto = false;
        for entry in std::fs::read_dir(&dir).expect("corpus directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "proto") {
                has_proto = true;
            }
        }
        let name = dir
            .strip_prefix(root)
            .expect("below")
            .to_string_lossy()
            .into_owned();
        if has_proto && !name.starts_with("google/protobuf") {
            dirs.push(name);
        }
    }
    dirs.sort();
    dirs
}
