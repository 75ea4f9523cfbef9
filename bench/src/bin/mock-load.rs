//! `mock-load`: unary calls against a mock server over TCP, for
//! `bench/mock.sh`.
//!
//! - `mock-load typed`: serves the typed mock of UserService
//!   (`MockUserService`, answering GetUser) on a free port of 127.0.0.1 and
//!   prints `listening on ADDR`, until stdin closes;
//! - `mock-load load --addr ADDR`: N concurrent clients on one HTTP/2
//!   connection each send GetUser { user_id: 1 } a fixed number of times;
//!   prints calls per second and p50/p99 latency, and fails on any error or
//!   wrong answer.

use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use protoforge_examples::proto::user::v1::{
    GetUserRequest, GetUserResponse, User, user_service_client::UserServiceClient,
    user_service_mock::MockUserService,
};
use tonic::transport::Channel;

#[derive(Debug, Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the typed mock until stdin closes.
    Typed,
    /// Load a server.
    Load {
        /// HOST:PORT of the server.
        #[arg(long)]
        addr: String,
        /// Concurrent clients.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Calls per client.
        #[arg(long, default_value_t = 500)]
        calls: usize,
    },
}

/// What both mocks answer.
fn ada() -> GetUserResponse {
    GetUserResponse {
        success: true,
        user: Some(User {
            id: 1,
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            age: 36,
            ..User::default()
        }),
        ..GetUserResponse::default()
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    match Args::parse().command {
        Command::Typed => {
            let mock = MockUserService::new();
            mock.get_user().returns(ada());
            let server = mock.serve_ephemeral().await?;
            println!("listening on {}", server.addr());
            tokio::task::spawn_blocking(|| {
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new())
            })
            .await??;
            server.shutdown().await?;
            Ok(())
        }
        Command::Load {
            addr,
            clients,
            calls,
        } => load(&addr, clients, calls).await,
    }
}

async fn load(
    addr: &str,
    clients: usize,
    calls: usize,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut channels = Vec::new();
    for _ in 0..clients {
        channels.push(
            Channel::from_shared(format!("http://{addr}"))?
                .connect()
                .await?,
        );
    }
    // Warm up each connection.
    for channel in &channels {
        UserServiceClient::new(channel.clone())
            .get_user(GetUserRequest { user_id: 1 })
            .await?;
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for channel in channels {
        tasks.push(tokio::spawn(async move {
            let mut client = UserServiceClient::new(channel);
            let mut latencies = Vec::with_capacity(calls);
            for _ in 0..calls {
                let began = Instant::now();
                let answer = client
                    .get_user(GetUserRequest { user_id: 1 })
                    .await
                    .map_err(|s| format!("GetUser: {s}"))?
                    .into_inner();
                latencies.push(began.elapsed());
                if answer != ada() {
                    return Err(format!("wrong answer: {answer:?}"));
                }
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for task in tasks {
        latencies.append(&mut task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "calls={} seconds={:.3} calls_per_s={:.0} p50_ms={:.3} p99_ms={:.3}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0
    );
    Ok(())
}
