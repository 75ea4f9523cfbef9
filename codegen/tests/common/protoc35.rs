//! The current protoc (libprotoc 35, from PyPI's grpcio-tools) the front-end
//! tests compare with: `PROTOFORGE_PYTHON` names a Python that has
//! grpc_tools (`.ci/run`'s venv puts one first on PATH as `python3`).

use std::{path::PathBuf, process::Command};

/// The Python with grpc_tools.
pub fn python() -> String {
    std::env::var("PROTOFORGE_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// grpc_tools' include directory: protoc 35's descriptor.proto, its
/// well-known types and the language feature files.
pub fn protoc_include() -> PathBuf {
    let output = Command::new(python())
        .args([
            "-c",
            "import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), '_proto'))",
        ])
        .output()
        .unwrap_or_else(|err| panic!("{} does not run: {err}", python()));
    assert!(
        output.status.success(),
        "{} has no grpc_tools (pip install grpcio-tools, or set PROTOFORGE_PYTHON): {}",
        python(),
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}
