//! The article's walkthrough against a running server, step by step.
//!
//! `cargo run -p protoforge-examples --bin client -- --addr http://127.0.0.1:50051 --jwt-secret ...`
//! `cargo run -p protoforge-examples --bin client -- token --user-id 1 --jwt-secret ...`

use std::time::Duration;

use clap::{Parser, Subcommand};
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
struct Args {
    /// The server.
    #[arg(long, env = "SERVER", default_value = "http://127.0.0.1:50051")]
    addr: String,
    /// Trust this certificate (PEM) for an https:// server (`dev-cert`
    /// makes one).
    #[arg(long, env = "CA_CERT")]
    ca_cert: Option<std::path::PathBuf>,
    /// The server's JWT secret (to sign the walkthrough's token).
    #[arg(long, env = "JWT_SECRET")]
    jwt_secret: String,
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

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args = Args::parse();
    let auth = Auth::new(args.jwt_secret.as_bytes());
    if let Some(Command::Token { user_id, ttl_secs }) = args.command {
        println!("{}", auth.issue(user_id, Duration::from_secs(ttl_secs)));
        return Ok(());
    }
    let token: MetadataValue<_> = auth.issue(1, Duration::from_secs(600)).parse()?;
    let mut endpoint = Channel::from_shared(args.addr)?;
    if let Some(ca) = &args.ca_cert {
        let tls = tonic::transport::ClientTlsConfig::new()
            .ca_certificate(tonic::transport::Certificate::from_pem(std::fs::read(ca)?))
            .domain_name("localhost");
        endpoint = endpoint.tls_config(tls)?;
    }
    let channel = endpoint.connect().await?;
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
        .await?
        .into_inner()
        .user
        .ok_or("no user")?;
    println!(
        "1. created user {} ({}, {})",
        created.id, created.name, created.email
    );
    let fetched = users
        .get_user(GetUserRequest {
            user_id: created.id,
        })
        .await?
        .into_inner()
        .user
        .ok_or("no user")?;
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
        .await?
        .into_inner()
        .user
        .ok_or("no user")?;
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
            .await?;
    }
    let mut stream = notifications
        .get_notifications(GetNotificationsRequest {
            user_id: created.id,
            limit: 3,
        })
        .await?
        .into_inner();
    for _ in 0..3 {
        if let Some(notification) = stream.message().await? {
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
        .await?
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
    let mut replies = chat.chat(tokio_stream::iter(messages)).await?.into_inner();
    while let Some(reply) = replies.message().await? {
        println!("6. chat: {}", reply.message);
    }

    users
        .delete_user(DeleteUserRequest {
            user_id: created.id,
        })
        .await?;
    println!("7. deleted user {}", created.id);
    println!("walkthrough complete");
    Ok(())
}
