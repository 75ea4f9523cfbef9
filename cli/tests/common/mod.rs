//! What the command-line tests share: running the binary as a user would.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

/// Runs `protoforge ARGS` in `dir`, without colours.
pub fn protoforge(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("protoforge runs")
}

/// The workspace root.
#[allow(dead_code)]
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Output bytes as text.
#[allow(dead_code)]
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
