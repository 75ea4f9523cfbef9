//! `load`: N concurrent clients doing GetUser and CreateUser against the
//! example server for a fixed number of calls each; prints throughput and
//! p50/p99 latency, fails on any error, and checks that no write was lost
//! (the users table has exactly the rows created).
//!
//! Runs the servers in process on real TCP ports: one over a SQLite file,
//! or `--replicas` over one PostgreSQL database (a fresh one, created on the
//! server `--postgres` names and dropped after), the clients spread over the
//! replicas in turn.

use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use protoforge_examples::{
    auth::Auth,
    postgres::{Database, PostgresUsers},
    proto::user::v1::{CreateUserRequest, GetUserRequest, user_service_client::UserServiceClient},
    server::{ServerConfig, serve},
    users::{SqliteUsers, UserRepository},
};
use tonic::{Request, transport::Channel};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Load the example server's UserService.
#[derive(Debug, Parser)]
struct Args {
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Calls per client: every fourth a CreateUser, the rest GetUser.
    #[arg(long, default_value_t = 500)]
    calls: usize,
    /// Where the users live.
    #[arg(long, value_enum, default_value_t = Backend::Sqlite)]
    backend: Backend,
    /// Servers on the one database (PostgreSQL only).
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// A PostgreSQL server's administrative database, where the benchmark
    /// creates (and then drops) a database of its own.
    #[arg(long, env = "PROTOFORGE_EXAMPLE_TEST_POSTGRES")]
    postgres: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args = Args::parse();
    if args.replicas == 0 || (args.replicas > 1 && args.backend == Backend::Sqlite) {
        return Err("--replicas: 1 with SQLite, 1 or more with PostgreSQL".into());
    }
    let dir = tempfile::tempdir()?;
    let (db, admin) = match args.backend {
        Backend::Sqlite => (dir.path().join("users.db").display().to_string(), None),
        Backend::Postgres => {
            let admin = args
                .postgres
                .clone()
                .ok_or("--postgres (or PROTOFORGE_EXAMPLE_TEST_POSTGRES) is required")?;
            let name = format!("protoforge_load_{}", std::process::id());
            let (client, connection) =
                tokio_postgres::connect(&admin, tokio_postgres::NoTls).await?;
            tokio::spawn(connection);
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .await?;
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            (format!("{base}/{name}"), Some((client, name)))
        }
    };
    let measured = run(&args, &db, dir.path()).await;
    let rows = match args.backend {
        Backend::Sqlite => SqliteUsers::open(&db)?.count().await?,
        Backend::Postgres => {
            PostgresUsers::new(Database::connect(&db, 1).await?)
                .count()
                .await?
        }
    };
    if let Some((client, name)) = admin {
        client
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await?;
    }
    let measured = measured?;
    let backend = match args.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    println!(
        "{backend} x{}: {} clients x {} calls: {} calls in {:.2} s = {:.0} calls/s; p50 {:.2} ms, p99 {:.2} ms; 0 errors; {rows} rows for {} users created",
        args.replicas,
        args.clients,
        args.calls,
        measured.calls,
        measured.elapsed.as_secs_f64(),
        measured.calls as f64 / measured.elapsed.as_secs_f64(),
        measured.p50.as_secs_f64() * 1000.0,
        measured.p99.as_secs_f64() * 1000.0,
        measured.created,
    );
    if rows as u64 != measured.created {
        return Err(format!(
            "lost or extra writes: {rows} rows for {} users created",
            measured.created
        )
        .into());
    }
    Ok(())
}

/// What a run measured.
struct Measured {
    calls: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    created: u64,
}

/// Starts the replicas on `db`, runs the clients, stops the replicas.
async fn run(args: &Args, db: &str, dir: &std::path::Path) -> Result<Measured, Error> {
    let secret = b"load-secret";
    let mut channels = Vec::new();
    let mut servers = Vec::new();
    for replica in 0..args.replicas {
        let config = ServerConfig {
            db: db.to_owned(),
            storage: dir.join(format!("uploads-{replica}")),
            concurrency_limit: 1024,
            ..ServerConfig::development(secret)
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        servers.push((
            stop,
            tokio::spawn(serve(config, listener, async {
                let _ = stopped.await;
            })),
        ));
        channels.push(
            Channel::from_shared(format!("http://{addr}"))?
                .connect()
                .await?,
        );
    }
    let token: tonic::metadata::MetadataValue<_> = Auth::new(secret)
        .issue(1, Duration::from_secs(3600))
        .parse()?;

    // One user to read.
    let mut seed = UserServiceClient::new(channels[0].clone());
    let mut request = Request::new(CreateUserRequest {
        name: "seed".into(),
        email: "seed@example.com".into(),
        age: 1,
    });
    request
        .metadata_mut()
        .insert("authorization", token.clone());
    let seed_id = seed
        .create_user(request)
        .await?
        .into_inner()
        .user
        .ok_or("no user")?
        .id;

    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..args.clients {
        let channel = channels[client % channels.len()].clone();
        let (token, calls) = (token.clone(), args.calls);
        tasks.push(tokio::spawn(async move {
            let mut users = UserServiceClient::new(channel);
            let mut latencies = Vec::with_capacity(calls);
            let mut created = 0u64;
            for call in 0..calls {
                let began = Instant::now();
                if call % 4 == 0 {
                    let mut request = Request::new(CreateUserRequest {
                        name: format!("user {client}-{call}"),
                        email: format!("u{client}-{call}@example.com"),
                        age: 30,
                    });
                    request
                        .metadata_mut()
                        .insert("authorization", token.clone());
                    users
                        .create_user(request)
                        .await
                        .map_err(|s| format!("CreateUser: {s}"))?;
                    created += 1;
                } else {
                    let mut request = Request::new(GetUserRequest { user_id: seed_id });
                    request
                        .metadata_mut()
                        .insert("authorization", token.clone());
                    users
                        .get_user(request)
                        .await
                        .map_err(|s| format!("GetUser: {s}"))?;
                }
                latencies.push(began.elapsed());
            }
            Ok::<_, String>((latencies, created))
        }));
    }
    let mut latencies = Vec::new();
    let mut created = 1u64;
    for task in tasks {
        let (mut lat, made) = task.await??;
        latencies.append(&mut lat);
        created += made;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let percentile =
        |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let measured = Measured {
        calls: latencies.len(),
        elapsed,
        p50: percentile(0.50),
        p99: percentile(0.99),
        created,
    };
    drop(channels);
    for (stop, server) in servers {
        let _ = stop.send(());
        server.await??;
    }
    Ok(measured)
}
