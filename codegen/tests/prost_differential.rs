//! protoforge's generator (`generate::prost`) against prost-build and
//! tonic-prost-build, the oracles: the same compiled set and the same
//! options must give byte-identical files (mock modules, protoforge's
//! own, taken out).
//!
//! Cheap sets run always: the workspace's `proto/` and each fixture of
//! `tests/editions/`, each in eight ways: messages only, messages and
//! clients, messages, clients and servers, and all of them with mocks,
//! each with default options and with every option the `Builder` exposes.
//! `PROTOFORGE_PROST_DIFF=1` adds a slice of googleapis
//! (`bench/node_modules/google-proto-files`), a directory at a time;
//! `PROTOFORGE_PROST_DIFF=all` every directory of it (about 20 minutes on
//! 2 cores, release); `PROTOFORGE_PROST_DIFF=google/api,google/rpc` the
//! directories named.
//! Run those with `cargo test -p protoforge-codegen --test
//! prost_differential` (nextest ends a test after 3 minutes; the slice
//! takes about 3).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use prost::Message;
use prost_build::{Module, Service, ServiceGenerator};
use protoforge_codegen::{
    Builder, Compiled, Compiler,
    compile::descriptor::{FileDescriptorSet, OlderSyntax, respell_editions},
    configure,
    generate::GeneratedFile,
};

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

/// One builder option, given alike to protoforge's `Builder` and to the
/// oracles (prost-build's `Config`, tonic-prost-build's `Builder`).
#[derive(Clone, Copy, Debug)]
enum Opt {
    Client(bool),
    Server(bool),
    /// Mocks: protoforge's own, absent from the oracles; compared with the
    /// mock modules taken out (their code is snapshot-tested in
    /// `tests/generate.rs`).
    Mocks,
    EmitPackage(bool),
    Transport(bool),
    BtreeMap(&'static [&'static str]),
    Bytes(&'static [&'static str]),
    SkipDebug(&'static [&'static str]),
    Boxed(&'static str),
    TypeAttribute(&'static str, &'static str),
    MessageAttribute(&'static str, &'static str),
    EnumAttribute(&'static str, &'static str),
    FieldAttribute(&'static str, &'static str),
    ExternPath(&'static str, &'static str),
    CompileWellKnownTypes,
    DisableComments(&'static [&'static str]),
    ClientModAttribute(&'static str, &'static str),
    ClientAttribute(&'static str, &'static str),
    ServerModAttribute(&'static str, &'static str),
    ServerAttribute(&'static str, &'static str),
    TraitAttribute(&'static str, &'static str),
    CodecPath(&'static str),
    ProtoPath(&'static str),
    DefaultStubs(bool),
    ArcSelf(bool),
}

/// Messages only: no client, no server.
const MESSAGES_ONLY: &[Opt] = &[Opt::Client(false), Opt::Server(false)];

/// Every option the builder passes to prost-build, on paths the fixtures
/// have and on whole-set matchers.
const EVERY_PROST_OPTION: &[Opt] = &[
    Opt::BtreeMap(&["."]),
    Opt::Bytes(&[".common", "payload"]),
    Opt::SkipDebug(&[".order.v1", "Money"]),
    Opt::Boxed(".user.v1.User.address"),
    Opt::Boxed("value"),
    Opt::TypeAttribute(".", "#[derive(Default)]"),
    Opt::TypeAttribute("Kind", "#[doc = \"a kind\"]"),
    Opt::MessageAttribute(".chat", "#[non_exhaustive]"),
    Opt::EnumAttribute(".", "#[allow(unused)]"),
    Opt::FieldAttribute("id", "#[doc(alias = \"identifier\")]"),
    Opt::ExternPath(".common.v1.Money", "::money::Money"),
    Opt::ExternPath(".payment", "crate::pay"),
    Opt::DisableComments(&[".user", "name"]),
    Opt::CompileWellKnownTypes,
];

/// Every option tonic-prost-build takes for clients.
const EVERY_CLIENT_OPTION: &[Opt] = &[
    Opt::ClientModAttribute(".", "#[allow(clippy::all)]"),
    Opt::ClientModAttribute("v1", "#[cfg(all())]"),
    Opt::ClientAttribute("UserService", "#[doc = \"users\"]"),
    Opt::ClientAttribute(
        ".user",
        "#[doc = \"never: tonic's prefixes need a leading dot\"]",
    ),
    Opt::CodecPath("crate::Codec"),
    Opt::ProtoPath("crate::proto"),
    Opt::Transport(false),
    Opt::DisableComments(&["chat.v1.ChatService", "user.v1.UserService.GetUser"]),
];

/// Every option tonic-prost-build takes for servers.
const EVERY_SERVER_OPTION: &[Opt] = &[
    Opt::ServerModAttribute("v1", "#[cfg(all())]"),
    Opt::ServerAttribute("ChatService", "#[doc = \"chat\"]"),
    Opt::TraitAttribute("UserService", "#[doc = \"trait\"]"),
    Opt::DefaultStubs(true),
    Opt::ArcSelf(true),
];

/// A way to configure the generators, as option lists applied in order to
/// `configure()`, and its name in failures.
type Mode = (&'static str, &'static [&'static [Opt]]);

/// Every way a set is generated and compared: messages only, messages and
/// clients, messages, clients and servers, and all of them with mocks, each
/// with default options and with every option.
const MODES: [Mode; 8] = [
    ("defaults", &[MESSAGES_ONLY]),
    ("every option", &[MESSAGES_ONLY, EVERY_PROST_OPTION]),
    ("clients", &[&[Opt::Server(false)]]),
    (
        "clients, every option",
        &[
            &[Opt::Server(false)],
            EVERY_PROST_OPTION,
            EVERY_CLIENT_OPTION,
        ],
    ),
    ("services", &[]),
    (
        "services, every option",
        &[EVERY_PROST_OPTION, EVERY_CLIENT_OPTION, EVERY_SERVER_OPTION],
    ),
    ("mocks", &[&[Opt::Mocks]]),
    (
        "mocks, every option",
        &[
            EVERY_PROST_OPTION,
            EVERY_CLIENT_OPTION,
            EVERY_SERVER_OPTION,
            &[Opt::Mocks, Opt::EmitPackage(false)],
        ],
    ),
];

/// The options of `mode`, in order.
fn options(mode: &Mode) -> impl Iterator<Item = Opt> {
    mode.1.iter().flat_map(|list| list.iter().copied())
}

/// protoforge's builder with the options of `mode`.
fn ours(mode: &Mode) -> Builder {
    let mut builder = configure();
    for opt in options(mode) {
        builder = match opt {
            Opt::Client(on) => builder.build_client(on),
            Opt::Server(on) => builder.build_server(on),
            Opt::Mocks => builder.build_mocks(true),
            Opt::EmitPackage(on) => builder.emit_package(on),
            Opt::Transport(on) => builder.build_transport(on),
            Opt::BtreeMap(paths) => builder.btree_map(paths),
            Opt::Bytes(paths) => builder.bytes(paths),
            Opt::SkipDebug(paths) => builder.skip_debug(paths),
            Opt::Boxed(path) => builder.boxed(path),
            Opt::TypeAttribute(path, attr) => builder.type_attribute(path, attr),
            Opt::MessageAttribute(path, attr) => builder.message_attribute(path, attr),
            Opt::EnumAttribute(path, attr) => builder.enum_attribute(path, attr),
            Opt::FieldAttribute(path, attr) => builder.field_attribute(path, attr),
            Opt::ExternPath(proto, rust) => builder.extern_path(proto, rust),
            Opt::CompileWellKnownTypes => builder.compile_well_known_types(true),
            Opt::DisableComments(paths) => builder.disable_comments(paths),
            Opt::ClientModAttribute(path, attr) => builder.client_mod_attribute(path, attr),
            Opt::ClientAttribute(path, attr) => builder.client_attribute(path, attr),
            Opt::ServerModAttribute(path, attr) => builder.server_mod_attribute(path, attr),
            Opt::ServerAttribute(path, attr) => builder.server_attribute(path, attr),
            Opt::TraitAttribute(path, attr) => builder.trait_attribute(path, attr),
            Opt::CodecPath(path) => builder.codec_path(path),
            Opt::ProtoPath(path) => builder.proto_path(path),
            Opt::DefaultStubs(on) => builder.generate_default_stubs(on),
            Opt::ArcSelf(on) => builder.use_arc_self(on),
        };
    }
    builder
}

/// What prost-build and tonic-prost-build generate with the options of
/// `mode` (mocks aside), named and sorted as protoforge names its files.
fn oracle(mode: &Mode, compiled: &Compiled) -> Result<Vec<GeneratedFile>, String> {
    let mut prost = prost_build::Config::new();
    let mut tonic = tonic_prost_build::configure();
    let (mut client, mut server) = (true, true);
    for opt in options(mode) {
        match opt {
            Opt::Client(on) => {
                client = on;
                tonic = tonic.build_client(on);
            }
            Opt::Server(on) => {
                server = on;
                tonic = tonic.build_server(on);
            }
            Opt::Mocks => {}
            Opt::EmitPackage(on) => tonic = tonic.emit_package(on),
            Opt::Transport(on) => tonic = tonic.build_transport(on),
            Opt::BtreeMap(paths) => {
                prost.btree_map(paths);
            }
            Opt::Bytes(paths) => {
                prost.bytes(paths);
            }
            Opt::SkipDebug(paths) => {
                prost.skip_debug(paths);
            }
            Opt::Boxed(path) => {
                prost.boxed(path);
            }
            Opt::TypeAttribute(path, attr) => {
                prost.type_attribute(path, attr);
            }
            Opt::MessageAttribute(path, attr) => {
                prost.message_attribute(path, attr);
            }
            Opt::EnumAttribute(path, attr) => {
                prost.enum_attribute(path, attr);
            }
            Opt::FieldAttribute(path, attr) => {
                prost.field_attribute(path, attr);
            }
            Opt::ExternPath(proto, rust) => {
                prost.extern_path(proto, rust);
            }
            Opt::CompileWellKnownTypes => {
                prost.compile_well_known_types();
                tonic = tonic.compile_well_known_types(true);
            }
            Opt::DisableComments(paths) => {
                prost.disable_comments(paths);
                tonic = tonic.disable_comments(paths);
            }
            Opt::ClientModAttribute(path, attr) => tonic = tonic.client_mod_attribute(path, attr),
            Opt::ClientAttribute(path, attr) => tonic = tonic.client_attribute(path, attr),
            Opt::ServerModAttribute(path, attr) => tonic = tonic.server_mod_attribute(path, attr),
            Opt::ServerAttribute(path, attr) => tonic = tonic.server_attribute(path, attr),
            Opt::TraitAttribute(path, attr) => tonic = tonic.trait_attribute(path, attr),
            Opt::CodecPath(path) => tonic = tonic.codec_path(path),
            Opt::ProtoPath(path) => tonic = tonic.proto_path(path),
            Opt::DefaultStubs(on) => tonic = tonic.generate_default_stubs(on),
            Opt::ArcSelf(on) => tonic = tonic.use_arc_self(on),
        }
    }
    // prost-build panics on editions files: it is handed them in proto3, as
    // protoforge's generator reads them.
    let mut set = FileDescriptorSet::decode(&compiled.encode()[..]).map_err(|e| e.to_string())?;
    respell_editions(&mut set, OlderSyntax::Proto3)?;
    let requests: Vec<(Module, prost_types::FileDescriptorProto)> = set
        .to_prost()
        .file
        .into_iter()
        .map(|file| (Module::from_protobuf_package_name(file.package()), file))
        .collect();
    let file_names: HashMap<Module, String> = requests
        .iter()
        .map(|(module, _)| (module.clone(), module.to_file_name_or("_")))
        .collect();
    if client || server {
        prost.service_generator(Box::new(Tonic {
            services: tonic.clone().service_generator(),
            services_without_transport: tonic.build_transport(false).service_generator(),
        }));
    }
    let mut files: Vec<GeneratedFile> = prost
        .generate(requests)
        .map_err(|err| err.to_string())?
        .into_iter()
        .map(|(module, content)| GeneratedFile {
            name: file_names[&module].clone(),
            package: module.parts().map(str::to_owned).collect(),
            content,
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// tonic's service generator, with transport helpers off for services
/// with an rpc named `Connect`, as protoforge turns them off (the helper
/// `connect(dst)` would clash with the rpc's `connect(request)`).
struct Tonic {
    services: Box<dyn ServiceGenerator>,
    services_without_transport: Box<dyn ServiceGenerator>,
}

impl ServiceGenerator for Tonic {
    fn generate(&mut self, service: Service, buf: &mut String) {
        if service.methods.iter().any(|m| m.name == "connect") {
            self.services_without_transport.generate(service, buf);
        } else {
            self.services.generate(service, buf);
        }
    }

    fn finalize(&mut self, buf: &mut String) {
        self.services.finalize(buf);
    }

    fn finalize_package(&mut self, package: &str, buf: &mut String) {
        self.services.finalize_package(package, buf);
    }
}

/// The doc line of every mock module, and of nothing else.
const MOCK_DOC: &str = "/// Generated mock of `";

/// The doc line of every tonic server module.
const SERVER_DOC: &str = "/// Generated server implementations.";

/// `content` without its mock modules (`/// Generated mock of ...` and the
/// `pub mod foo_mock { ... }` below it), as prettyplease lays them out.
fn without_mocks(content: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut closing: Option<String> = None;
    for line in content.lines() {
        if let Some(end) = &closing {
            if *line == **end {
                closing = None;
            }
            continue;
        }
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let documented_as_mock = kept
            .last()
            .and_then(|l| l.strip_prefix(indent))
            .is_some_and(|l| l.starts_with(MOCK_DOC));
        if documented_as_mock && trimmed.starts_with("pub mod ") && trimmed.ends_with("_mock {") {
            kept.pop();
            closing = Some(format!("{indent}}}"));
            continue;
        }
        kept.push(line);
    }
    let mut out = kept.join("\n");
    out.push('\n');
    out
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

/// Compares both generators on `compiled` with the options of `mode`;
/// the number of files compared.
fn differential(what: &str, compiled: &Compiled, mode: &Mode) -> Result<usize, String> {
    let what = format!("{what} ({})", mode.0);
    let theirs = oracle(mode, compiled).map_err(|err| format!("{what}: prost-build: {err}"))?;
    let mut ours = ours(mode)
        .generate(compiled)
        .map_err(|err| format!("{what}: ours: {err}"))?;
    if options(mode).any(|opt| matches!(opt, Opt::Mocks)) {
        let count = |files: &[GeneratedFile], doc: &str| {
            files
                .iter()
                .map(|f| f.content.matches(doc).count())
                .sum::<usize>()
        };
        let (mocks, services) = (count(&ours, MOCK_DOC), count(&theirs, SERVER_DOC));
        if mocks != services {
            return Err(format!("{what}: {services} servers but {mocks} mocks"));
        }
        for file in &mut ours {
            file.content = without_mocks(&file.content);
        }
    }
    compare(&what, &theirs, &ours)
}

#[test]
fn the_workspace_schemas_generate_as_prost_build_generates_them() {
    let proto = manifest().join("../proto");
    let compiled = compile(std::slice::from_ref(&proto), std::slice::from_ref(&proto))
        .expect("proto/ compiles");
    for mode in &MODES {
        let result = differential("proto/", &compiled, mode);
        // Nine packages; in the "every option" modes `.payment` is an
        // extern path and the well-known types are generated.
        assert!(matches!(result, Ok(8..=10)), "{result:?}");
    }
}

/// Comments with URLs, brackets and Markdown of every kind
/// (`tests/prost_differential/comments.proto`): escaping and clean-up.
#[test]
fn comments_are_written_as_prost_build_and_tonic_write_them() {
    let dir = manifest().join("tests/prost_differential");
    let compiled = compile(std::slice::from_ref(&dir), &[dir.join("comments.proto")])
        .expect("comments.proto compiles");
    for mode in &MODES {
        let result = differential("comments.proto", &compiled, mode);
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
        for mode in &MODES {
            match differential(&name.display().to_string(), &compiled, mode) {
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
    let wanted = std::env::var("PROTOFORGE_PROST_DIFF").unwrap_or_default();
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
    let dirs: Vec<String> = match wanted.as_str() {
        "all" => proto_dirs(&corpus),
        // Directories named, to rerun what a run reported.
        listed if listed.contains('/') => listed.split(',').map(str::to_owned).collect(),
        _ => slice.iter().map(|d| (*d).to_owned()).collect(),
    };
    let mut failures = Vec::new();
    let mut files = 0;
    for dir in &dirs {
        let Some(compiled) = compile(std::slice::from_ref(&corpus), &[corpus.join(dir)]) else {
            failures.push(format!("{dir}: does not compile"));
            continue;
        };
        for mode in &MODES {
            match differential(dir, &compiled, mode) {
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
