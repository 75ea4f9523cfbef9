//! `protoforge scaffold`: Rust stubs implementing the generated server traits,
//! a `serve()` with health and reflection, a first test per service, and
//! with `--crate`, the crate around them.

use std::path::{Path, PathBuf};

use std::collections::HashMap;

use super::{FileToWrite, ScaffoldError, names};
use crate::Compiled;

/// One rpc, as the stubs need it.
#[derive(Clone, Debug)]
pub(crate) struct Rpc {
    proto_name: String,
    pub(crate) method: String,
    request: String,
    response: String,
    client_streaming: bool,
    server_streaming: bool,
}

impl Rpc {
    /// The name of its test: the method's, without `r#`, then `_answers`.
    pub(crate) fn test_name(&self) -> String {
        format!("{}_answers", self.method.trim_start_matches("r#"))
    }
}

/// One service, as the stubs need it: every Rust name as the generated
/// code (prost-build's and tonic's) has it.
#[derive(Clone, Debug)]
pub(crate) struct ServiceInfo {
    full_name: String,
    /// The server trait's name (`FooBar` for `Foo_Bar`, `Self_` for `Self`).
    pub(crate) name: String,
    package: String,
    /// The scaffold's module for it: `foo_bar`, `r#type`, `self_`.
    module: String,
    /// The stem of tonic's modules: `foo_bar` of `foo_bar_server`.
    stem: String,
    pub(crate) rpcs: Vec<Rpc>,
}

impl ServiceInfo {
    fn implementation(&self) -> String {
        format!("{}Impl", self.name)
    }

    /// The module's file name, without `r#`: `type` for `r#type`.
    fn file_stem(&self) -> &str {
        self.module.trim_start_matches("r#")
    }

    /// `crate::proto::billing::v1`.
    fn package_path(&self) -> String {
        if self.package.is_empty() {
            "crate::proto".to_owned()
        } else {
            format!("crate::proto::{}", names::package_module(&self.package))
        }
    }

    /// A message's Rust path, through the `pb` alias when it is in the
    /// service's package.
    fn short(&self, path: &str) -> String {
        match path.strip_prefix(&format!("{}::", self.package_path())) {
            Some(rest) => format!("pb::{rest}"),
            None => path.to_owned(),
        }
    }
}

/// The services of the input files of `compiled`, by file name, keeping
/// those named in `only` (by simple or full name) when it is not empty.
pub(crate) fn services(
    compiled: &Compiled,
    only: &[String],
) -> Result<Vec<ServiceInfo>, ScaffoldError> {
    let inputs = compiled.input_files();
    let mut files: Vec<_> = compiled
        .files()
        .iter()
        .filter(|file| inputs.iter().any(|name| name == file.name()))
        .collect();
    files.sort_by(|a, b| a.name().cmp(b.name()));
    let mut wanted = Vec::new();
    for file in files {
        for service in &file.service {
            let full_name = if file.package().is_empty() {
                service.name().to_owned()
            } else {
                format!("{}.{}", file.package(), service.name())
            };
            let chosen = only.is_empty()
                || only
                    .iter()
                    .any(|name| name == service.name() || *name == full_name);
            if chosen {
                wanted.push((service.name().to_owned(), full_name));
            }
        }
    }
    for name in only {
        if !wanted
            .iter()
            .any(|(short, full)| short == name || full == name)
        {
            return Err(ScaffoldError::Name(format!(
                "no service named '{name}' in the input files"
            )));
        }
    }
    if wanted.is_empty() {
        return Err(ScaffoldError::Name(
            "the input files define no service".to_owned(),
        ));
    }
    // Rust names and type paths as the generated code has them.
    let mut generated: HashMap<String, crate::generate::service::Service> =
        crate::generate::services(compiled)
            .map_err(|err| ScaffoldError::Name(err.to_string()))?
            .into_iter()
            .map(|service| (service.full_name(), service))
            .collect();
    let mut found = Vec::new();
    for (_, full_name) in wanted {
        let Some(service) = generated.remove(&full_name) else {
            continue;
        };
        let rpcs = service
            .methods
            .iter()
            .map(|method| Rpc {
                proto_name: method.proto_name.clone(),
                method: method.name.clone(),
                request: names::type_path(&method.input_type, &service.package),
                response: names::type_path(&method.output_type, &service.package),
                client_streaming: method.client_streaming,
                server_streaming: method.server_streaming,
            })
            .collect();
        found.push(ServiceInfo {
            module: names::snake_ident(&service.proto_name),
            stem: crate::generate::service_module_stem(&service.name),
            full_name,
            name: service.name,
            package: service.package,
            rpcs,
        });
    }
    Ok(found)
}

/// Refuses services that would share a module, a file or a Rust name, with
/// each other or with the scaffold's own modules (`server`, `proto`) and
/// crate files (`main.rs`, `lib.rs`), before anything is written.
pub(crate) fn check_collisions(services: &[ServiceInfo], dir: &Path) -> Result<(), ScaffoldError> {
    const OWN: [(&str, &str); 4] = [
        ("server", "the scaffold's server module"),
        ("proto", "the module of the generated code"),
        ("main", "the crate's main.rs"),
        ("lib", "the crate's lib.rs"),
    ];
    for (i, service) in services.iter().enumerate() {
        let file = dir.join(format!("{}.rs", service.file_stem()));
        if let Some((_, owner)) = OWN.iter().find(|(name, _)| *name == service.file_stem()) {
            return Err(ScaffoldError::Collision(format!(
                "service '{}' would be scaffolded as module '{}' ('{}'), which is {owner}; \
                 nothing was written: rename the service",
                service.full_name,
                service.module,
                file.display()
            )));
        }
        for other in &services[..i] {
            let what = if other.module == service.module {
                format!("module '{}' ('{}')", service.module, file.display())
            } else if other.name == service.name {
                format!("server trait '{}'", service.name)
            } else {
                continue;
            };
            return Err(ScaffoldError::Collision(format!(
                "services '{}' and '{}' would both be scaffolded as {what}; nothing was written: \
                 scaffold them one at a time (--service) into different --out directories",
                other.full_name, service.full_name
            )));
        }
    }
    Ok(())
}

/// The module implementing one service: `src/<service>.rs`.
pub(crate) fn service_module(service: &ServiceInfo, dir: &Path) -> FileToWrite {
    let stem = &service.stem;
    let implementation = service.implementation();
    let uses_stream = service.rpcs.iter().any(|rpc| rpc.server_streaming);
    let uses_streaming = service.rpcs.iter().any(|rpc| rpc.client_streaming);
    let mut out = format!(
        "//! `{full}`, scaffolded by protoforge: every rpc answers UNIMPLEMENTED\n\
         //! until it is written.\n\n",
        full = service.full_name
    );
    if uses_stream {
        out.push_str("use std::pin::Pin;\n\nuse tokio_stream::Stream;\n");
    }
    let tonic_items = if uses_streaming {
        "Request, Response, Status, Streaming"
    } else {
        "Request, Response, Status"
    };
    out.push_str(&format!(
        "use tonic::{{{tonic_items}}};\n\n\
         use {package} as pb;\n\
         use pb::{stem}_server::{{{name}, {name}Server}};\n\n\
         /// The implementation of `{full}`.\n\
         #[derive(Debug, Default)]\n\
         pub struct {implementation} {{}}\n\n\
         impl {implementation} {{\n\
         \x20   /// The tonic server of this implementation, to add to a router.\n\
         \x20   pub fn into_server(self) -> {name}Server<Self> {{\n\
         \x20       {name}Server::new(self)\n\
         \x20   }}\n\
         }}\n\n\
         #[tonic::async_trait]\n\
         impl {name} for {implementation} {{\n",
        package = service.package_path(),
        name = service.name,
        full = service.full_name,
    ));
    for (i, rpc) in service.rpcs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&rpc_stub(service, rpc, Imports::Scaffold));
    }
    out.push_str("}\n\n#[cfg(test)]\nmod tests;\n");
    FileToWrite {
        path: dir.join(format!("{}.rs", service.file_stem())),
        content: out,
    }
}

/// The first test of one service: `src/<service>/tests.rs`, calling every
/// rpc once in process.
pub(crate) fn service_tests(service: &ServiceInfo, dir: &Path) -> FileToWrite {
    let stem = &service.stem;
    let implementation = service.implementation();
    let mut out = format!(
        "//! Calls every rpc of `{full}` once, in process, through the generated\n\
         //! client. Each answers UNIMPLEMENTED until it is written: replace these\n\
         //! assertions as you implement the rpcs.\n\n\
         use tonic::Code;\n\n\
         use super::{implementation};\n\
         use super::pb;\n\
         use pb::{stem}_client::{name}Client;\n\
         use pb::{stem}_server::{name}Server;\n\n\
         type InProcessClient = {name}Client<protoforge_runtime::InProcess<{name}Server<{implementation}>>>;\n\n\
         fn client() -> InProcessClient {{\n\
         \x20   {name}Client::new(protoforge_runtime::InProcess::new(\n\
         \x20       {implementation}::default().into_server(),\n\
         \x20   ))\n\
         }}\n",
        full = service.full_name,
        name = service.name,
    );
    for rpc in &service.rpcs {
        out.push_str(&rpc_test(service, rpc));
    }
    FileToWrite {
        path: dir.join(service.file_stem()).join("tests.rs"),
        content: out,
    }
}

/// Which names a stub may use unqualified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Imports {
    /// Those the scaffolded module imports for its rpcs (`Streaming`,
    /// `Pin`, `Stream` when it has such rpcs).
    Scaffold,
    /// Only `Request`, `Response` and `Status`: a stub added to a module
    /// written for other rpcs names the rest in full.
    Basic,
}

/// The stub of one rpc in the server trait's implementation (with its
/// stream type for a server stream), indented for the `impl` block.
pub(crate) fn rpc_stub(service: &ServiceInfo, rpc: &Rpc, imports: Imports) -> String {
    let (streaming, pin, stream_trait) = match imports {
        Imports::Scaffold => ("Streaming", "Pin", "Stream"),
        Imports::Basic => ("tonic::Streaming", "std::pin::Pin", "tokio_stream::Stream"),
    };
    let mut out = String::new();
    let request = service.short(&rpc.request);
    let response = service.short(&rpc.response);
    let request_type = if rpc.client_streaming {
        format!("Request<{streaming}<{request}>>")
    } else {
        format!("Request<{request}>")
    };
    let response_type = if rpc.server_streaming {
        let stream = format!("{}Stream", rpc.proto_name);
        out.push_str(&format!(
            "    type {stream} = {pin}<Box<dyn {stream_trait}<Item = Result<{response}, Status>> + Send + 'static>>;\n\n"
        ));
        format!("Self::{stream}")
    } else {
        response
    };
    out.push_str(&format!(
        "    async fn {method}(\n\
         \x20       &self,\n\
         \x20       _request: {request_type},\n\
         \x20   ) -> Result<Response<{response_type}>, Status> {{\n\
         \x20       Err(Status::unimplemented(\n\
         \x20           \"{name}/{rpc} is not implemented yet\",\n\
         \x20       ))\n\
         \x20   }}\n",
        method = rpc.method,
        name = service.name,
        rpc = rpc.proto_name,
    ));
    out
}

/// The test that calls one rpc once and expects UNIMPLEMENTED.
pub(crate) fn rpc_test(service: &ServiceInfo, rpc: &Rpc) -> String {
    let request = default_value(&service.short(&rpc.request));
    let argument = if rpc.client_streaming {
        format!("tokio_stream::iter(vec![{request}])")
    } else {
        request
    };
    format!(
        "\n#[tokio::test]\n\
         async fn {test}() {{\n\
         \x20   let status = client()\n\
         \x20       .{method}({argument})\n\
         \x20       .await\n\
         \x20       .expect_err(\"not implemented yet\");\n\
         \x20   assert_eq!(status.code(), Code::Unimplemented);\n\
         \x20   assert_eq!(status.message(), \"{name}/{rpc} is not implemented yet\");\n\
         }}\n",
        test = rpc.test_name(),
        method = rpc.method,
        name = service.name,
        rpc = rpc.proto_name,
    )
}

fn default_value(path: &str) -> String {
    if path == "()" {
        "()".to_owned()
    } else {
        format!("{path}::default()")
    }
}

/// `src/server.rs`: `serve()` and `serve_on()`, with every service, health
/// checks and reflection.
pub(crate) fn server_module(services: &[ServiceInfo], dir: &Path) -> FileToWrite {
    let mut uses = String::new();
    let mut health = String::new();
    let mut router = String::new();
    for service in services {
        uses.push_str(&format!(
            "use crate::{module}::{implementation};\nuse {package}::{stem}_server::{name}Server;\n",
            module = service.module,
            stem = service.stem,
            implementation = service.implementation(),
            package = service.package_path(),
            name = service.name,
        ));
        health.push_str(&format!(
            "    health.set_serving::<{name}Server<{implementation}>>().await;\n",
            name = service.name,
            implementation = service.implementation(),
        ));
        router.push_str(&format!(
            "        .add_service({implementation}::default().into_server())\n",
            implementation = service.implementation(),
        ));
    }
    let content = format!(
        "//! Serving the services: health checks and server reflection beside\n\
         //! them, and a graceful shutdown.\n\n\
         use std::{{future::Future, net::SocketAddr}};\n\n\
         use tokio::net::TcpListener;\n\
         use tokio_stream::wrappers::TcpListenerStream;\n\n\
         {uses}\n\
         /// What serving can fail with.\n\
         pub type Error = Box<dyn std::error::Error + Send + Sync>;\n\n\
         /// Serves every service on `addr` until `shutdown` completes.\n\
         pub async fn serve(addr: SocketAddr, shutdown: impl Future<Output = ()> + Send) -> Result<(), Error> {{\n\
         \x20   serve_on(TcpListener::bind(addr).await?, shutdown).await\n\
         }}\n\n\
         /// Serves every service on a bound listener (bind port 0 in tests)\n\
         /// until `shutdown` completes; calls in flight then finish.\n\
         pub async fn serve_on(listener: TcpListener, shutdown: impl Future<Output = ()> + Send) -> Result<(), Error> {{\n\
         \x20   let (health, health_service) = tonic_health::server::health_reporter();\n\
         {health}\
         \x20   let reflection = tonic_reflection::server::Builder::configure()\n\
         \x20       .register_encoded_file_descriptor_set(crate::proto::FILE_DESCRIPTOR_SET)\n\
         \x20       .build_v1()?;\n\
         \x20   tonic::transport::Server::builder()\n\
         \x20       .add_service(health_service)\n\
         \x20       .add_service(reflection)\n\
         {router}\
         \x20       .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)\n\
         \x20       .await?;\n\
         \x20   Ok(())\n\
         }}\n"
    );
    FileToWrite {
        path: dir.join("server.rs"),
        content,
    }
}

/// Where the protoforge crates come from in a scaffolded crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtoforgeSource {
    /// A checkout of protoforge (the directory holding `codegen/` and
    /// `runtime/`); see [`ProtoforgeSource::checkout`].
    Path(PathBuf),
    /// A version requirement on crates.io, once the crates are published.
    Version(String),
}

impl ProtoforgeSource {
    /// The checkout at `dir`, refused unless it holds protoforge's
    /// `codegen/` and `runtime/` crates (a dependency on anything else would
    /// not resolve).
    pub fn checkout(dir: &Path) -> Result<ProtoforgeSource, ScaffoldError> {
        let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
        let absolute = absolute.canonicalize().unwrap_or(absolute);
        for (crate_dir, name) in [
            ("codegen", "protoforge-codegen"),
            ("runtime", "protoforge-runtime"),
        ] {
            let manifest = absolute.join(crate_dir).join("Cargo.toml");
            let declared = std::fs::read_to_string(&manifest).is_ok_and(|text| {
                text.lines()
                    .any(|line| line.trim() == format!("name = \"{name}\""))
            });
            if !declared {
                return Err(ScaffoldError::Name(format!(
                    "'{}' is not a protoforge checkout: '{}' does not declare the crate {name}; \
                     pass --protoforge-path the directory of a clone of protoforge",
                    dir.display(),
                    manifest.display()
                )));
            }
        }
        Ok(ProtoforgeSource::Path(absolute))
    }

    /// The checkout this library was built from, when it is still there.
    pub fn built_from() -> Result<ProtoforgeSource, ScaffoldError> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        Self::checkout(&dir).map_err(|_| {
            ScaffoldError::Name(format!(
                "the protoforge checkout this was built from ('{}') is gone: pass \
                 --protoforge-path the directory of a clone of protoforge",
                dir.display()
            ))
        })
    }

    fn dependency(&self, crate_dir: &str) -> String {
        match self {
            // A TOML basic string: `"` and `\` escaped.
            ProtoforgeSource::Path(root) => format!(
                "{{ path = \"{}\" }}",
                root.join(crate_dir)
                    .display()
                    .to_string()
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
            ),
            ProtoforgeSource::Version(version) => format!("\"{version}\""),
        }
    }
}

/// The crate around the modules: `Cargo.toml`, `build.rs`, `src/lib.rs`,
/// `src/main.rs` and `tests/server.rs`.
pub(crate) fn crate_files(
    name: &str,
    services: &[ServiceInfo],
    dir: &Path,
    protos: &[String],
    includes: &[String],
    source: &ProtoforgeSource,
) -> Vec<FileToWrite> {
    let lib_name = name.replace('-', "_");
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|item| format!("\"{item}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cargo = format!(
        "[package]\n\
         name = \"{name}\"\n\
         version = \"0.1.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\n\
         [dependencies]\n\
         prost = \"0.14\"\n\
         prost-types = \"0.14\"\n\
         tonic = \"0.14\"\n\
         tonic-prost = \"0.14\"\n\
         tonic-health = \"0.14\"\n\
         tonic-reflection = \"0.14\"\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"signal\"] }}\n\
         tokio-stream = {{ version = \"0.1\", features = [\"net\"] }}\n\
         # The generated mocks (`<service>_mock::Mock<Service>`) and the\n\
         # in-process transport of the tests.\n\
         protoforge-runtime = {runtime}\n\n\
         [build-dependencies]\n\
         protoforge-codegen = {codegen}\n",
        runtime = source.dependency("runtime"),
        codegen = source.dependency("codegen"),
    );
    let build = format!(
        "//! Generates messages, clients, servers and mocks from the schemas, with\n\
         //! no protoc, and the descriptor set for server reflection.\n\n\
         fn main() -> Result<(), Box<dyn std::error::Error>> {{\n\
         \x20   protoforge_codegen::configure()\n\
         \x20       .build_mocks(true)\n\
         \x20       .file_descriptor_set_path(\"descriptor.binpb\")\n\
         \x20       .include_file(\"protos.rs\")\n\
         \x20       .compile_protos(&[{protos}], &[{includes}])?;\n\
         \x20   Ok(())\n\
         }}\n",
        protos = quoted(protos),
        includes = quoted(includes),
    );
    let modules: String = services
        .iter()
        .map(|s| format!("pub mod {};\n", s.module))
        .collect();
    let lib = format!(
        "//! The `{name}` crate, scaffolded by protoforge.\n\n\
         /// The code generated from the schemas by `build.rs`.\n\
         #[allow(clippy::all, missing_docs)]\n\
         pub mod proto {{\n\
         \x20   include!(concat!(env!(\"OUT_DIR\"), \"/protos.rs\"));\n\n\
         \x20   /// The compiled schemas, for server reflection.\n\
         \x20   pub const FILE_DESCRIPTOR_SET: &[u8] =\n\
         \x20       include_bytes!(concat!(env!(\"OUT_DIR\"), \"/descriptor.binpb\"));\n\
         }}\n\n\
         pub mod server;\n\
         {modules}"
    );
    let main = format!(
        "//! Runs the `{name}` server: `cargo run -- [ADDR]` (default\n\
         //! 127.0.0.1:50051, or $ADDR); Ctrl-C stops it after the calls in flight.\n\n\
         #[tokio::main]\n\
         async fn main() -> Result<(), {lib_name}::server::Error> {{\n\
         \x20   let addr = std::env::args()\n\
         \x20       .nth(1)\n\
         \x20       .or_else(|| std::env::var(\"ADDR\").ok())\n\
         \x20       .unwrap_or_else(|| \"127.0.0.1:50051\".to_owned())\n\
         \x20       .parse()?;\n\
         \x20   println!(\"{name} listening on {{addr}}\");\n\
         \x20   {lib_name}::server::serve(addr, async {{\n\
         \x20       let _ = tokio::signal::ctrl_c().await;\n\
         \x20   }})\n\
         \x20   .await\n\
         }}\n"
    );
    let checks: String = services
        .iter()
        .map(|s| format!("        \"{}\",\n", s.full_name))
        .collect();
    let server_test = format!(
        "//! The server over real TCP: every service reports SERVING to health\n\
         //! checks, and the server stops cleanly.\n\n\
         use tonic_health::pb::{{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient}};\n\n\
         #[tokio::test]\n\
         async fn every_service_is_serving() {{\n\
         \x20   let listener = tokio::net::TcpListener::bind(\"127.0.0.1:0\").await.expect(\"bind\");\n\
         \x20   let addr = listener.local_addr().expect(\"addr\");\n\
         \x20   let (stop, stopped) = tokio::sync::oneshot::channel::<()>();\n\
         \x20   let server = tokio::spawn({lib_name}::server::serve_on(listener, async {{\n\
         \x20       let _ = stopped.await;\n\
         \x20   }}));\n\n\
         \x20   let channel = tonic::transport::Channel::from_shared(format!(\"http://{{addr}}\"))\n\
         \x20       .expect(\"url\")\n\
         \x20       .connect()\n\
         \x20       .await\n\
         \x20       .expect(\"connect\");\n\
         \x20   let mut health = HealthClient::new(channel);\n\
         \x20   for service in [\n\
         {checks}\
         \x20   ] {{\n\
         \x20       let response = health\n\
         \x20           .check(HealthCheckRequest {{ service: service.to_owned() }})\n\
         \x20           .await\n\
         \x20           .expect(\"health check\");\n\
         \x20       assert_eq!(response.into_inner().status(), ServingStatus::Serving, \"{{service}}\");\n\
         \x20   }}\n\n\
         \x20   stop.send(()).expect(\"server still running\");\n\
         \x20   server.await.expect(\"joined\").expect(\"clean shutdown\");\n\
         }}\n"
    );
    vec![
        FileToWrite {
            path: dir.join("Cargo.toml"),
            content: cargo,
        },
        FileToWrite {
            path: dir.join("build.rs"),
            content: build,
        },
        FileToWrite {
            path: dir.join("src/lib.rs"),
            content: lib,
        },
        FileToWrite {
            path: dir.join("src/main.rs"),
            content: main,
        },
        FileToWrite {
            path: dir.join("tests/server.rs"),
            content: server_test,
        },
    ]
}

/// `target` relative to `base`, with `/` separators, for paths written into
/// `build.rs`. Both must be absolute.
pub(crate) fn relative_path(target: &Path, base: &Path) -> String {
    let target: Vec<_> = target.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = target.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); base.len() - common];
    parts.extend(
        target[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}
