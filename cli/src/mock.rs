//! `protoforge mock serve`: any schema as a mock gRPC server, answered from
//! stub files, with no generated code. The server is
//! `protoforge_runtime::dynamic`; this layer compiles the inputs, reads the
//! stubs and handles signals.

use std::{
    collections::BTreeMap,
    net::{SocketAddr, ToSocketAddrs},
    path::PathBuf,
    process::ExitCode,
    sync::Arc,
    time::Duration,
};

use clap::{Args, Subcommand};
use prost::Message;
use prost_reflect::DescriptorPool;
use protoforge_codegen::{Diagnostic, compat::input::Input};
use protoforge_runtime::dynamic::{self, Mock, ServeOptions, StubError};

use crate::report;

/// Mock servers.
#[derive(Debug, Subcommand)]
pub enum MockCommand {
    Serve(ServeArgs),
}

/// Serve every service of a schema on real gRPC, answered from stubs: for
/// clients in any language, grpcurl or Postman, with no code generated.
///
/// Besides the schema's services: server reflection (v1 and v1alpha) and
/// health (every service SERVING). Stubs are YAML or JSON files (see the
/// README: match on equals/contains/matches/metadata, priority, times;
/// answer with a message, a stream, an error, a delay, echoes of the
/// request). A --stubs directory is read whole, and every --stubs path is
/// reloaded when it changes. A call no stub matches gets UNIMPLEMENTED naming
/// the method, the closest stub and the fields that differed.
///
/// The admin API (HTTP/JSON on --admin-addr): GET/POST /stubs,
/// DELETE /stubs/ID, GET/DELETE /journal, POST /reset, GET /verify.
///
/// Ctrl-C or SIGTERM stops accepting calls and lets those in flight finish
/// (a second signal, or 10 seconds, ends the rest).
#[derive(Debug, Args)]
#[command(after_help = MOCK_EXIT_CODES)]
pub struct ServeArgs {
    /// The schema, as for `breaking`: directories, images (.binpb, .json),
    /// git references (.git#branch=main,subdir=proto).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// A stub file, or a directory of them (.yaml, .yml, .json); repeatable.
    #[arg(long = "stubs", value_name = "PATH")]
    stubs: Vec<PathBuf>,
    /// Where to serve gRPC (port 0: any free port; the address is printed).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50051", value_parser = socket_addr)]
    addr: SocketAddr,
    /// Where to serve the admin API.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50052", value_parser = socket_addr)]
    admin_addr: SocketAddr,
}

const MOCK_EXIT_CODES: &str = "\
Exit codes:
  0  stopped by Ctrl-C or SIGTERM
  1  a schema, input or stub error, or an address that cannot be listened on
  2  a usage error";

fn socket_addr(text: &str) -> Result<SocketAddr, String> {
    text.to_socket_addrs()
        .map_err(|err| format!("'{text}' is not HOST:PORT ({err})"))?
        .next()
        .ok_or_else(|| format!("'{text}' resolves to no address"))
}

pub fn run(command: &MockCommand) -> ExitCode {
    let MockCommand::Serve(args) = command;
    let (pool, encoded) = match schema(&args.inputs) {
        Ok(schema) => schema,
        Err(diagnostics) => {
            report::print(&diagnostics);
            return ExitCode::from(1);
        }
    };
    let mock = Mock::new(pool, encoded);
    match dynamic::load_stubs(&args.stubs, mock.pool()) {
        Ok(stubs) => {
            let files = dynamic::stub_files(&args.stubs).map_or(0, |f| f.len());
            if !args.stubs.is_empty() {
                println!("loaded {} stubs from {files} files", stubs.len());
            }
            mock.set_file_stubs(stubs);
        }
        Err(errors) => {
            print_stub_errors(&errors);
            return ExitCode::from(1);
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(serve(mock, args))
}

/// Compiles every input into one pool (a file met twice must be the same).
fn schema(inputs: &[String]) -> Result<(DescriptorPool, Vec<u8>), Vec<Diagnostic>> {
    let mut files = BTreeMap::new();
    for text in inputs {
        let input = Input::parse(text).map_err(|e| e.diagnostics())?;
        let loaded = input.load().map_err(|e| e.diagnostics())?;
        for file in loaded.schema.to_descriptor_set().file {
            match files.get(file.name()) {
                Some(seen) if *seen != file => {
                    return Err(vec![Diagnostic::from_message(format!(
                        "{text}: {} differs from the file of the same name in an earlier input",
                        file.name()
                    ))]);
                }
                Some(_) => {}
                None => {
                    files.insert(file.name().to_owned(), file);
                }
            }
        }
    }
    let set = protoforge_codegen::compile::descriptor::FileDescriptorSet {
        file: files.into_values().collect(),
        ..Default::default()
    };
    let encoded = set.encode_to_vec();
    let pool = protoforge_codegen::compile::descriptor::reflect_pool(&encoded).map_err(|err| {
        vec![Diagnostic::from_message(format!(
            "the schema cannot be served: {err}"
        ))]
    })?;
    if pool.services().next().is_none() {
        return Err(vec![Diagnostic::from_message(format!(
            "{}: the schema has no services to serve",
            inputs.join(" ")
        ))]);
    }
    Ok((pool, encoded))
}

/// One `file:line:column: error: message` line each, as compile errors.
fn print_stub_errors(errors: &[StubError]) {
    for error in errors {
        eprintln!("{error}");
    }
}

async fn serve(mock: Mock, args: &ServeArgs) -> ExitCode {
    let grpc = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on {} (--addr): {err}", args.addr);
            return ExitCode::from(1);
        }
    };
    let admin = match tokio::net::TcpListener::bind(args.admin_addr).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!(
                "error: cannot listen on {} (--admin-addr): {err}",
                args.admin_addr
            );
            return ExitCode::from(1);
        }
    };
    let options = ServeOptions {
        stub_paths: args.stubs.clone(),
        on_reload: Arc::new(|outcome| match outcome {
            Ok(count) => eprintln!("reloaded {count} stubs"),
            Err(errors) => {
                print_stub_errors(errors);
                eprintln!("the stubs did not change: fix the errors above");
            }
        }),
        ..ServeOptions::default()
    };
    let services = mock.pool().services().count();
    let server = match dynamic::serve(mock, grpc, Some(admin), options).await {
        Ok(server) => server,
        Err(err) => {
            eprintln!("error: cannot serve: {err}");
            return ExitCode::from(1);
        }
    };
    println!("serving {services} services");
    println!("listening on {}", server.addr());
    if let Some(admin) = server.admin_addr() {
        println!("admin on http://{admin}");
    }
    stop_signal().await;
    eprintln!("shutting down: finishing the calls in flight");
    tokio::select! {
        () = server.shutdown() => {}
        () = stop_signal() => eprintln!("stopped"),
        () = tokio::time::sleep(Duration::from_secs(10)) => eprintln!("stopped after 10 s"),
    }
    ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
