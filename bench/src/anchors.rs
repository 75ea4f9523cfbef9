//! Where the anchor tools are: the current protoc (grpcio-tools' protoc 35,
//! which `.ci/run` installs in a venv) and buf, installed by
//! `bench/install-anchors.sh` (which `.ci/run` runs).

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}

/// The protoc protoforge's output equals: `$PROTOC`, else `bench/protoc35`
/// (libprotoc 35 through Python's grpc_tools). Debian's protoc 3.21 writes
/// some custom options in another order, and reads no editions.
pub fn protoc() -> PathBuf {
    let current = workspace_root().join("bench/protoc35");
    find("PROTOC", Some(current), "protoc")
}

/// `buf`: `$BUF`, else `bench/node_modules/.bin/buf`, else the one on `PATH`.
pub fn buf() -> PathBuf {
    let local = workspace_root().join("bench/node_modules/.bin/buf");
    find("BUF", Some(local), "buf")
}

fn find(variable: &str, local: Option<PathBuf>, name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(variable) {
        return PathBuf::from(path);
    }
    if let Some(local) = local.filter(|p| p.is_file()) {
        return local;
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    on_path.unwrap_or_else(|| {
        panic!("{name} is not installed: run `bash bench/install-anchors.sh` (or set ${variable})")
    })
}
