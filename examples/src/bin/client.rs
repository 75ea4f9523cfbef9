//! The article's walkthrough against a running server, step by step.
//!
//! `cargo run -p protoforge-examples --bin client -- --addr http://127.0.0.1:50051 --jwt-secret ...`
//! `cargo run -p protoforge-examples --bin client -- token --user-id 1 --jwt-secret ...`
//!
//! A failed call prints one line: the step, the status code and the server's
//! message (exit code 1).

use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand};
use protoforge_examples::{
    auth::Auth,
    proto::{
        chat::v1::{ChatMessage, chat_service_client::ChatServiceClient},
        file::v1::{FileChunk, file_service_client::FileServiceClient},
        notification::v1::{
            GetNotificationsRequest, SendNotificationRequest,
            notification_service_client::NotificationServiceClient,
        },
        user::v1::{
            CreateUserRequest, DeleteUserRequest, GetUserRequest, UpdateUserRequest,
            user_service_client::UserServiceClient,
        },
    },
};
use tonic::{Request, metadata::MetadataValue, transport::Channel};

/// Runs the article's walkthrough: create, get, update and delete a user;
/// stream notifications; upload a file; chat.
#[derive(Debug, Parser)]
#[command(name = "client")]
struct Args {
    /// The server: a URL, or host:port as the server's --addr takes it
    /// (http://, or https:// with --ca-cert).
    #[arg(
        long,
        env = "PROTOFORGE_EXAMPLE_ADDR",
        default_value = "http://127.0.0.1:50051"
    )]
    addr: String,
    /// Trust this certificate (PEM) for an https:// server (`dev-cert`
    /// makes one).
    #[arg(long, env = "PROTOFORGE_EXAMPLE_CA_CERT")]
    ca_cert: Option<std::path::PathBuf>,
    /// The server's JWT secret (to sign the walkthrough's token); before or
    /// after the subcommand.
    #[arg(long, env = "PROTOFORGE_EXAMPLE_JWT_SECRET", global = true)]
    jwt_secret: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a valid token for a user.
    Token {
        /// The user the token names.
        #[arg(long)]
        user_id: i32,
        /// Validity, in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl_secs: u64,
    },
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// A step of the walkthrough that failed: which, and why.
#[derive(Debug)]
struct Failed {
    step: &'static str,
    cause: Error,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: ", self.step)?;
        match self.cause.downcast_ref::<tonic::Status>() {
            Some(status) => write!(f, "{} ({:?})", status.message(), status.code()),
            None => {
                write!(f, "{}", self.cause)?;
                // Transport errors say little at the top ("transport
                // error"), and some repeat their source's text.
                let mut said = self.cause.to_string();
                let mut source = self.cause.source();
                while let Some(cause) = source {
                    let text = cause.to_string();
                    if !said.ends_with(&text) {
                        write!(f, ": {text}")?;
                    }
                    said = text;
                    source = cause.source();
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Failed {}

/// Names the step an error comes from.
trait Step<T> {
    fn step(self, step: &'static str) -> Result<T, Failed>;
}

impl<T, E: Into<Error>> Step<T> for Result<T, E> {
    fn step(self, step: &'static str) -> Result<T, Failed> {
        self.map_err(|err| Failed {
            step,
            cause: err.into(),
        })
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut args = Args::parse();
    let Some(secret) = args.jwt_secret.take() else {
        Args::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "the server's secret is required: --jwt-secret or PROTOFORGE_EXAMPLE_JWT_SECRET",
            )
            .exit()
    };
    match run(args, &secret).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("client: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args, secret: &str) -> Result<(), Failed> {
    let auth = Auth::new(secret.as_bytes());
    if let Some(Command::Token { user_id, ttl_secs }) = args.command {
        println!("{}", auth.issue(user_id, Duration::from_secs(ttl_secs)));
        return Ok(());
    }
    let token: MetadataValue<_> = auth
        .issue(1, Duration::from_secs(600))
        .parse()
        .step("token")?;
    let url = if args.addr.contains("://") {
        args.addr.clone()
    } else if args.ca_cert.is_some() {
        format!("https://{}", args.addr)
    } else {
        format!("http://{}", args.addr)
    };
    let mut endpoint = Channel::from_shared(url).step("--addr")?;
    if let Some(ca) = &args.ca_cert {
        let tls = tonic::transport::ClientTlsConfig::new()
            .ca_certificate(tonic::transport::Certificate::from_pem(
                std::fs::read(ca).step("--ca-cert")?,
            ))
            .domain_name("localhost");
        endpoint = endpoint.tls_config(tls).step("--ca-cert")?;
    }
    let channel = endpoint.connect().await.step("connect")?;
    // The article's client sends the token bare.
    let with_token = move |mut request: Request<()>| {
        request
            .metadata_mut()
            .insert("authorization", token.clone());
        Ok(request)
    };

    let mut users = UserServiceClient::with_interceptor(channel.clone(), with_token.clone());
    let created = users
        .create_user(CreateUserRequest {
            name: "John Doe".into(),
            email: format!("john.{}@example.com", std::process::id()),
            age: 30,
        })
        .await
        .step("CreateUser")?
        .into_inner()
        .user
        .ok_or("no user")
        .step("CreateUser")?;
    println!(
        "1. created user {} ({}, {})",
        created.id, created.name, created.email
    );
    let fetched = users
        .get_user(GetUserRequest {
            user_id: created.id,
        })
        .await
        .step("GetUser")?
        .into_inner()
        .user
        .ok_or("no user")
        .step("GetUser")?;
    println!(
        "2. got user {}: {} aged {}",
        fetched.id, fetched.name, fetched.age
    );
    let updated = users
        .update_user(UpdateUserRequest {
            user_id: created.id,
            name: "John Smith".into(),
            ..UpdateUserRequest::default()
        })
        .await
        .step("UpdateUser")?
        .into_inner()
        .user
        .ok_or("no user")
        .step("UpdateUser")?;
    println!("3. updated user {}: now {}", updated.id, updated.name);

    let mut notifications =
        NotificationServiceClient::with_interceptor(channel.clone(), with_token.clone());
    for title in ["Welcome", "Update", "Reminder"] {
        notifications
            .send_notification(SendNotificationRequest {
                user_id: created.id,
                title: title.into(),
                message: format!("{title}!"),
            })
            .await
            .step("SendNotification")?;
    }
    let mut stream = notifications
        .get_notifications(GetNotificationsRequest {
            user_id: created.id,
            limit: 3,
        })
        .await
        .step("GetNotifications")?
        .into_inner();
    for _ in 0..3 {
        if let Some(notification) = stream.message().await.step("GetNotifications")? {
            println!(
                "4. notification {}: {}",
                notification.id, notification.title
            );
        }
    }
    drop(stream);

    let mut files = FileServiceClient::with_interceptor(channel.clone(), with_token.clone());
    let chunks = vec![
        FileChunk {
            data: b"Hello, ".to_vec(),
            filename: "hello.txt".into(),
            chunk_index: 0,
            is_last: false,
        },
        FileChunk {
            data: b"gRPC!".to_vec(),
            filename: String::new(),
            chunk_index: 1,
            is_last: true,
        },
    ];
    let upload = files
        .upload_file(tokio_stream::iter(chunks))
        .await
        .step("UploadFile")?
        .into_inner();
    println!(
        "5. uploaded {} ({} bytes, sha256 {})",
        upload.file_id,
        upload.size,
        &upload.sha256[..12]
    );

    let mut chat = ChatServiceClient::with_interceptor(channel.clone(), with_token.clone());
    let messages = vec![
        ChatMessage {
            user_id: created.id,
            message: "Hello!".into(),
            ..ChatMessage::default()
        },
        ChatMessage {
            user_id: created.id,
            message: "How are you?".into(),
            ..ChatMessage::default()
        },
    ];
    let mut replies = chat
        .chat(tokio_stream::iter(messages))
        .await
        .step("Chat")?
        .into_inner();
    while let Some(reply) = replies.message().await.step("Chat")? {
        println!("6. chat: {}", reply.message);
    }

    users
        .delete_user(DeleteUserRequest {
            user_id: created.id,
        })
        .await
        .step("DeleteUser")?;
    println!("7. deleted user {}", created.id);
    println!("walkthrough complete");
    Ok(())
}
