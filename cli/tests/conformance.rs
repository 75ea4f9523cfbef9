//! protoforge against its anchors on the workspace's schemas: the descriptor
//! set equals protoc's, and protoc and buf accept the schemas too.

use std::process::Command;

use protoforge_bench::{
    anchors,
    descriptor_set::{compare, normalise},
};

#[test]
fn build_equals_protoc_on_the_workspace_schemas() {
    let root = anchors::workspace_root();
    let out = tempfile::tempdir().expect("tempdir");
    let ours = out.path().join("protoforge.binpb");
    let theirs = out.path().join("protoc.binpb");

    let status = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .current_dir(&root)
        .args([
            "build",
            "proto",
            "--include-imports",
            "--include-source-info",
            "-o",
        ])
        .arg(&ours)
        .status()
        .expect("protoforge runs");
    assert!(status.success());

    // protoc takes the same files in the same (sorted) order.
    let mut files: Vec<String> = walk(&root.join("proto"))
        .into_iter()
        .map(|p| {
            p.strip_prefix(root.join("proto"))
                .expect("below")
                .display()
                .to_string()
        })
        .collect();
    files.sort();
    let output = Command::new(anchors::protoc())
        .current_dir(&root)
        .args([
            "-Iproto",
            "--include_imports",
            "--include_source_info",
            "-o",
        ])
        .arg(&theirs)
        .args(&files)
        .output()
        .expect("protoc runs");
    assert!(
        output.status.success(),
        "protoc: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let ours = normalise(&std::fs::read(&ours).expect("read")).expect("decodes");
    let theirs = normalise(&std::fs::read(&theirs).expect("read")).expect("decodes");
    let ours_names: Vec<_> = ours.iter().map(|f| f.name.as_str()).collect();
    let theirs_names: Vec<_> = theirs.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(ours_names, theirs_names, "same files in the same order");
    let comparison = compare(&ours, &theirs);
    assert_eq!(comparison.identical.len(), files.len(), "{comparison:?}");
    assert!(comparison.different.is_empty(), "{comparison:?}");
}

#[test]
fn buf_builds_the_workspace_schemas() {
    let root = anchors::workspace_root();
    let out = tempfile::tempdir().expect("tempdir");
    let output = Command::new(anchors::buf())
        .current_dir(&root)
        .args(["build", "proto", "-o"])
        .arg(out.path().join("buf.binpb"))
        .output()
        .expect("buf runs");
    assert!(
        output.status.success(),
        "buf: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn compat_examples_compile_with_protoforge_and_protoc() {
    let root = anchors::workspace_root();
    for side in ["before", "after"] {
        let dir = root.join("examples/compat").join(side);
        let status = Command::new(env!("CARGO_BIN_EXE_protoforge"))
            .args(["build", "-o", "/dev/null"])
            .arg(&dir)
            .status()
            .expect("protoforge runs");
        assert!(status.success(), "{side}");
        let status = Command::new(anchors::protoc())
            .arg(format!("-I{}", dir.display()))
            .args(["-o", "/dev/null", "user.proto"])
            .status()
            .expect("protoc runs");
        assert!(status.success(), "{side}");
    }
}

/// Custom options of every kind, written out of number order, packed and
/// unpacked, on every kind of element: protoforge writes them byte for byte
/// as protoc does, and their source locations where protoc has them.
#[test]
fn custom_options_are_written_byte_for_byte_as_protoc_writes_them() {
    let fixtures = anchors::workspace_root().join("cli/tests/fixtures/options");
    let out = tempfile::tempdir().expect("tempdir");
    let files = ["opts.proto", "proto3_packed.proto", "uses.proto"];
    for source_info in [false, true] {
        let ours = out.path().join(format!("protoforge-{source_info}.binpb"));
        let theirs = out.path().join(format!("protoc-{source_info}.binpb"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_protoforge"));
        command.current_dir(&fixtures).args(["build", "-I."]);
        if source_info {
            command.arg("--include-source-info");
        }
        let status = command
            .arg("-o")
            .arg(&ours)
            .args(files)
            .status()
            .expect("protoforge runs");
        assert!(status.success());
        let mut command = Command::new(anchors::protoc());
        command.current_dir(&fixtures).arg("-I.");
        if source_info {
            command.arg("--include_source_info");
        }
        let output = command
            .arg("-o")
            .arg(&theirs)
            .args(files)
            .output()
            .expect("protoc runs");
        assert!(
            output.status.success(),
            "protoc: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let ours = std::fs::read(&ours).expect("read");
        let theirs = std::fs::read(&theirs).expect("read");
        if source_info {
            // The order of locations carries no meaning; it is all that may
            // differ.
            let comparison = compare(
                &normalise(&ours).expect("decodes"),
                &normalise(&theirs).expect("decodes"),
            );
            assert_eq!(comparison.identical.len(), files.len(), "{comparison:?}");
        } else {
            assert!(ours == theirs, "the descriptor sets differ");
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "proto") {
            found.push(path);
        }
    }
    found
}
