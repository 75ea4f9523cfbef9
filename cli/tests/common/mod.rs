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

/// Runs `buf ARGS` in `dir` (the anchor `bench/install-anchors.sh` installs).
#[allow(dead_code)]
pub fn buf(dir: &Path, args: &[&str]) -> Output {
    Command::new(protoforge_bench::anchors::buf())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("buf runs")
}

/// Runs `git ARGS` in `dir` with a fixed identity; it must succeed.
#[allow(dead_code)]
pub fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
}
