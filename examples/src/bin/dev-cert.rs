//! Makes a self-signed development certificate for `localhost` and
//! `127.0.0.1`: `cargo run -p protoforge-examples --bin dev-cert -- --out data/tls`
//! writes `cert.pem` and `key.pem` there (the client trusts `cert.pem`).

use std::path::PathBuf;

use clap::Parser;

/// Write a self-signed certificate and key for local TLS.
#[derive(Debug, Parser)]
struct Args {
    /// Directory to write cert.pem and key.pem into (created when missing).
    #[arg(long, default_value = "data/tls")]
    out: PathBuf,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names)?;
    std::fs::create_dir_all(&args.out)?;
    std::fs::write(args.out.join("cert.pem"), certified.cert.pem())?;
    std::fs::write(
        args.out.join("key.pem"),
        certified.signing_key.serialize_pem(),
    )?;
    println!(
        "wrote {}/cert.pem and {}/key.pem",
        args.out.display(),
        args.out.display()
    );
    Ok(())
}
