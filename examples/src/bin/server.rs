//! The article's microservices in one server.
//!
//! `cargo run -p protoforge-examples --bin server -- --addr 127.0.0.1:50051 --db ./data/users.db --jwt-secret ...`
//!
//! Every flag has an environment variable, `PROTOFORGE_EXAMPLE_` and the
//! flag's name (`PROTOFORGE_EXAMPLE_ADDR`, `PROTOFORGE_EXAMPLE_DB`, ...).

use std::{io::IsTerminal, path::PathBuf, time::Duration};

use clap::Parser;
use protoforge_examples::{
    metrics::Metrics,
    postgres,
    server::{Error, ServerConfig, serve},
};

/// Serves users, notifications, files, chat, orders, inventory and payments
/// over gRPC, behind JWT authentication (health and reflection open). Stops
/// on Ctrl-C or SIGTERM after the calls in flight.
#[derive(Debug, Parser)]
#[command(name = "server", version)]
struct Args {
    /// Address to listen on (port 0: any free port; the bound address is
    /// printed).
    #[arg(
        long,
        env = "PROTOFORGE_EXAMPLE_ADDR",
        default_value = "127.0.0.1:50051"
    )]
    addr: String,
    /// Where users, notifications and chat live: a PostgreSQL URL
    /// (postgres://user:password@host:port/dbname; replicas on one database
    /// share everything), or a SQLite file of users (created when missing)
    /// or :memory:, with notifications and chat in this process.
    #[arg(long, env = "PROTOFORGE_EXAMPLE_DB", default_value = ":memory:")]
    db: String,
    /// Connections to PostgreSQL at most.
    #[arg(long, env = "PROTOFORGE_EXAMPLE_DB_POOL_SIZE", default_value_t = 16)]
    db_pool_size: usize,
    /// Secret of the HS256 tokens (`client token` issues them).
    #[arg(long, env = "PROTOFORGE_EXAMPLE_JWT_SECRET")]
    jwt_secret: String,
    /// Directory uploads are stored in.
    #[arg(
        long,
        env = "PROTOFORGE_EXAMPLE_STORAGE",
        default_value = "./data/uploads"
    )]
    storage: PathBuf,
    /// Largest upload, in bytes.
    #[arg(long, env = "PROTOFORGE_EXAMPLE_MAX_UPLOAD_BYTES", default_value_t = 64 << 20)]
    max_upload_bytes: u64,
    /// Largest message, in bytes.
    #[arg(long, env = "PROTOFORGE_EXAMPLE_MAX_MESSAGE_BYTES", default_value_t = 4 << 20)]
    max_message_bytes: usize,
    /// Concurrent requests per connection.
    #[arg(
        long,
        env = "PROTOFORGE_EXAMPLE_CONCURRENCY_LIMIT",
        default_value_t = 256
    )]
    concurrency_limit: usize,
    /// Request timeout, in seconds.
    #[arg(
        long,
        env = "PROTOFORGE_EXAMPLE_REQUEST_TIMEOUT_SECS",
        default_value_t = 30
    )]
    request_timeout_secs: u64,
    /// Serve TLS with this certificate (PEM; `dev-cert` makes one).
    #[arg(long, env = "PROTOFORGE_EXAMPLE_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The key of --tls-cert (PEM).
    #[arg(long, env = "PROTOFORGE_EXAMPLE_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Call the users, inventory, payment and notification services of the
    /// order service at this address (`http://host:port`) instead of in this
    /// process.
    #[arg(long, env = "PROTOFORGE_EXAMPLE_UPSTREAM")]
    upstream: Option<String>,
    /// The token presented to --upstream (`client token` issues one).
    #[arg(long, env = "PROTOFORGE_EXAMPLE_UPSTREAM_TOKEN", requires = "upstream")]
    upstream_token: Option<String>,
    /// Log the per-rpc counts and latencies every this many seconds (0:
    /// only at shutdown).
    #[arg(
        long,
        env = "PROTOFORGE_EXAMPLE_METRICS_INTERVAL_SECS",
        default_value_t = 60
    )]
    metrics_interval_secs: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("server: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Error> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        // Colours on a terminal only (and never with NO_COLOR set).
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    let metrics = Metrics::new();
    if args.metrics_interval_secs > 0 {
        let metrics = metrics.clone();
        let period = Duration::from_secs(args.metrics_interval_secs);
        tokio::spawn(async move {
            let mut clock = tokio::time::interval(period);
            clock.tick().await;
            loop {
                clock.tick().await;
                tracing::info!("metrics:\n{}", metrics.render());
            }
        });
    }
    if let Some(parent) = std::path::Path::new(&args.db)
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !postgres::is_url(&args.db))
    {
        std::fs::create_dir_all(parent)?;
    }
    let config = ServerConfig {
        db: args.db,
        db_pool_size: args.db_pool_size,
        jwt_secret: args.jwt_secret.into_bytes(),
        storage: args.storage,
        max_upload_bytes: args.max_upload_bytes,
        max_message_bytes: args.max_message_bytes,
        concurrency_limit: args.concurrency_limit,
        request_timeout: Duration::from_secs(args.request_timeout_secs),
        metrics: metrics.clone(),
        upstream: args.upstream,
        upstream_token: args.upstream_token,
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some((std::fs::read(cert)?, std::fs::read(key)?)),
            _ => None,
        },
    };
    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    println!("listening on {}", listener.local_addr()?);
    let served = serve(config, listener, shutdown_signal()).await;
    tracing::info!("metrics at shutdown:\n{}", metrics.render());
    served
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    eprintln!("shutting down: finishing the calls in flight");
}
