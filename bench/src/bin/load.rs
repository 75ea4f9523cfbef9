//! `load`: N concurrent clients doing GetUser and CreateUser against the
//! example server for a fixed number of calls each; prints throughput and
//! p50/p99 latency, fails on any error, and checks that no write was lost
//! (the users table has exactly the rows created).
//!
//! Runs the server in process on a real TCP port, over a SQLite file.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use clap::Parser;
use protoforge_examples::{
    auth::Auth,
    proto::user::v1::{CreateUserRequest, GetUserRequest, user_service_client::UserServiceClient},
    server::{ServerConfig, serve},
    users::{SqliteUsers, UserRepository},
};
use tonic::{Request, transport::Channel};

/// Load the example server's UserService.
#[derive(Debug, Parser)]
struct Args {
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Calls per client: every fourth a CreateUser, the rest GetUser.
    #[arg(long, default_value_t = 500)]
    calls: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("protoforge-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("users.db").display().to_string();
    let secret = b"load-secret";
    let config = ServerConfig {
        db: db.clone(),
        storage: dir.join("uploads"),
        concurrency_limit: 1024,
        ..ServerConfig::development(secret)
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(config, listener, async {
        let _ = stopped.await;
    }));
    let token: tonic::metadata::MetadataValue<_> = Auth::new(secret)
        .issue(1, Duration::from_secs(3600))
        .parse()?;
    let channel = Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;

    // One user to read.
    let mut seed = UserServiceClient::new(channel.clone());
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
        let (channel, token, calls) = (channel.clone(), token.clone(), args.calls);
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
    let _ = stop.send(());
    server.await??;
    let rows = Arc::new(SqliteUsers::open(&db).map_err(|e| format!("{e:?}"))?)
        .count()
        .map_err(|e| format!("{e:?}"))?;
    std::fs::remove_dir_all(&dir)?;
    println!(
        "{} clients x {} calls: {} calls in {:.2} s = {:.0} calls/s; p50 {:.2} ms, p99 {:.2} ms; 0 errors; {rows} rows for {created} users created",
        args.clients,
        args.calls,
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(0.50).as_secs_f64() * 1000.0,
        percentile(0.99).as_secs_f64() * 1000.0,
    );
    if rows as u64 != created {
        return Err(format!("lost writes: {rows} rows for {created} users created").into());
    }
    Ok(())
}
