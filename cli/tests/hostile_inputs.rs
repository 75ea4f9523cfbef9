//! Hostile inputs that are not `.proto` syntax, through the command line:
//! devices and pipes, configurations, paths outside the input, and images
//! that cannot be true. Each ends in a clear error (exit code and text),
//! quickly, with nothing written; the git and image cases also exit as buf
//! does.

mod common;

use std::{
    path::Path,
    process::{Command, Output},
    time::{Duration, Instant},
};

use common::{buf, git, protoforge, text};
use prost::Message;
use prost_types::{
    DescriptorProto, EnumDescriptorProto, EnumValueDescriptorProto, FieldDescriptorProto,
    FileDescriptorProto, FileDescriptorSet, field_descriptor_proto::Type,
};

const SCHEMA: &str = "syntax = \"proto3\";\npackage p.v1;\nmessage M { int32 a = 1; }\n";

/// A directory with `cur/a.proto` and `prev/a.proto`.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for side in ["cur", "prev"] {
        std::fs::create_dir(dir.path().join(side)).expect("mkdir");
        std::fs::write(dir.path().join(side).join("a.proto"), SCHEMA).expect("write");
    }
    dir
}

/// Runs protoforge, which must end within a few seconds.
fn run(dir: &Path, args: &[&str]) -> Output {
    let started = Instant::now();
    let output = protoforge(dir, args);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{args:?} took {:?}",
        started.elapsed()
    );
    output
}

/// Asserts exit code 1, that stderr holds `expected`, and that no output
/// file was written.
fn fails_with(dir: &Path, args: &[&str], expected: &str) {
    let output = run(dir, args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(
        output.stdout.is_empty(),
        "{args:?}: {}",
        text(&output.stdout)
    );
    assert!(!dir.join("out.binpb").exists(), "{args:?} wrote its output");
}

#[cfg(unix)]
fn fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn pipes_and_devices_are_refused_before_they_are_opened() {
    let dir = tree();
    let root = dir.path();
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, root.join(name)).expect("symlink");
    };
    fifo(&root.join("fifo.proto"));
    fifo(&root.join("image.binpb"));
    link("/dev/zero", "zero.proto");
    link("/dev/zero", "zero.binpb");
    let build = |input: &str| ["build", input, "-o", "out.binpb"].map(str::to_owned);
    // A .proto named on the command line.
    for input in ["fifo.proto", "zero.proto"] {
        let args = build(input);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails_with(root, &args, "not a regular file");
    }
    fails_with(
        root,
        &["build", "/dev/zero", "-o", "out.binpb"],
        "cannot read '/dev/zero': not a regular file (it is a device)",
    );
    // An image.
    fails_with(
        root,
        &["breaking", "image.binpb", "--against", "prev"],
        "image.binpb: cannot read: not a regular file (it is a FIFO)",
    );
    fails_with(
        root,
        &["breaking", "cur", "--against", "zero.binpb"],
        "zero.binpb: cannot read: not a regular file (it is a device)",
    );
    // --config.
    fails_with(
        root,
        &[
            "breaking",
            "cur",
            "--against",
            "prev",
            "--config",
            "/dev/zero",
        ],
        "/dev/zero: cannot read: not a regular file (it is a device)",
    );
    // Inside an input directory, and as its buf.yaml.
    fifo(&root.join("cur/b.proto"));
    for args in [
        &["breaking", "cur", "--against", "prev"][..],
        &["build", "cur", "-o", "out.binpb"],
    ] {
        fails_with(
            root,
            args,
            "cannot read 'cur/b.proto': not a regular file (it is a FIFO)",
        );
    }
    std::fs::remove_file(root.join("cur/b.proto")).expect("rm");
    fifo(&root.join("cur/buf.yaml"));
    for args in [
        &["breaking", "cur", "--against", "prev"][..],
        &["build", "cur", "-o", "out.binpb"],
    ] {
        fails_with(
            root,
            args,
            "cur/buf.yaml: cannot read: not a regular file (it is a FIFO)",
        );
    }
    std::fs::remove_file(root.join("cur/buf.yaml")).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", root.join("cur/buf.yaml")).expect("symlink");
    fails_with(
        root,
        &["breaking", "cur", "--against", "prev"],
        "cur/buf.yaml: cannot read: not a regular file (it is a device)",
    );
    std::fs::remove_file(root.join("cur/buf.yaml")).expect("rm");
    fifo(&root.join("buf.work.yaml"));
    fails_with(
        root,
        &["breaking", "cur", "--against", "prev"],
        "buf.work.yaml: cannot read: not a regular file (it is a FIFO)",
    );
}

#[test]
fn configuration_errors_are_errors() {
    let dir = tree();
    let root = dir.path();
    let breaking = ["breaking", "cur", "--against", "prev"];
    let config = |text: &[u8]| std::fs::write(root.join("cur/buf.yaml"), text).expect("write");

    // Nesting: bounded, and linear (30,000 brackets in well under a second).
    config(format!("version: v2\nbreaking: {}\n", "[".repeat(30_000)).as_bytes());
    let started = Instant::now();
    fails_with(
        root,
        &breaking,
        "cur/buf.yaml: line 2, column 74: nested more than 64 deep",
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // Not UTF-8: an error, not the default rules.
    config(b"version: v2\nbreaking:\n  use: [WIRE\xff]\n");
    fails_with(root, &breaking, "cur/buf.yaml: not UTF-8");
    // No version, as buf says it.
    config(b"breaking:\n  use: [WIRE]\n");
    fails_with(
        root,
        &breaking,
        "\"version\" is not set. Please add \"version: v2\"",
    );
    // Rules are checked against the version as written.
    config(b"version: v1\nbreaking:\n  use: [NOPE]\n");
    fails_with(
        root,
        &breaking,
        "unknown rule or category 'NOPE' for version v1",
    );
    // Too large: measured, not read.
    let mut big = b"version: v2\n#".to_vec();
    big.resize(2 << 20, b'x');
    config(&big);
    fails_with(
        root,
        &breaking,
        "cur/buf.yaml: cannot read: file is 2097152 bytes, more than the limit of 1048576 bytes",
    );
    config(b"version: v2\n");

    // --config: a path that does not exist is an error, not inline YAML.
    fails_with(
        root,
        &[
            "breaking",
            "cur",
            "--against",
            "prev",
            "--config",
            "/nonexistent/buf.yaml",
        ],
        "/nonexistent/buf.yaml: no such file or directory",
    );
    // --config '': a usage error.
    let empty = run(
        root,
        &["breaking", "cur", "--against", "prev", "--config", ""],
    );
    assert_eq!(empty.status.code(), Some(2), "{}", text(&empty.stderr));
    assert!(text(&empty.stderr).contains("--config is empty"));

    // Ignore paths: validated as buf validates them, with buf's exit code.
    for (ignore, reason) in [
        (
            "..",
            "breaking.ignore: invalid path: ..: is outside the context directory",
        ),
        (
            "/",
            "breaking.ignore: invalid path: /: expected to be relative",
        ),
        (
            "../x",
            "breaking.ignore: invalid path: ../x: is outside the context directory",
        ),
    ] {
        config(format!("version: v2\nbreaking:\n  ignore: [\"{ignore}\"]\n").as_bytes());
        fails_with(root, &breaking, reason);
        assert_eq!(
            buf(root, &breaking).status.code(),
            Some(1),
            "buf on ignore {ignore}"
        );
    }
    // ... and normalised as buf normalises them: each of these ignores the
    // one file, so a breaking edit of it reports nothing, as with buf.
    std::fs::write(
        root.join("cur/a.proto"),
        "syntax = \"proto3\";\npackage p.v1;\nmessage M {}\n",
    )
    .expect("write");
    for ignore in ["./a.proto", "b/../a.proto", "a.proto/", "."] {
        config(format!("version: v2\nbreaking:\n  ignore: [\"{ignore}\"]\n").as_bytes());
        let ours = run(root, &breaking);
        assert_eq!(
            ours.status.code(),
            Some(0),
            "{ignore}: {}",
            text(&ours.stderr)
        );
        assert_eq!(buf(root, &breaking).status.code(), Some(0), "buf: {ignore}");
    }
}

#[test]
fn paths_outside_the_input_are_refused() {
    let dir = tree();
    let root = dir.path();
    std::fs::create_dir(root.join("outside")).expect("mkdir");
    std::fs::write(root.join("outside/o.proto"), SCHEMA).expect("write");
    let breaking = ["breaking", "cur", "--against", "prev"];
    for (config, reason) in [
        (
            "version: v1beta1\nbuild:\n  roots: [../outside]\n",
            "../outside: is outside the context directory",
        ),
        (
            "version: v2\nmodules:\n  - path: /tmp\n",
            "invalid module path: /tmp: expected to be relative",
        ),
        (
            "version: v2\nmodules:\n  - path: /\n",
            "invalid module path: /: expected to be relative",
        ),
        (
            "version: v2\nmodules:\n  - path: ../outside\n",
            "invalid module path: ../outside: is outside the context directory",
        ),
        (
            "version: v2\nmodules:\n  - path: .\n    excludes: [../x]\n",
            "invalid exclude path: ../x: is outside the context directory",
        ),
    ] {
        std::fs::write(root.join("cur/buf.yaml"), config).expect("write");
        fails_with(root, &breaking, reason);
        fails_with(root, &["build", "cur", "-o", "out.binpb"], reason);
        assert_eq!(buf(root, &breaking).status.code(), Some(1), "buf: {config}");
    }

    // The same in git: the configuration at the reference is refused, and
    // a subdir cannot leave the tree.
    let git = |args: &[&str]| git(root, args);
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(
        root.join("cur/buf.yaml"),
        "version: v2\nmodules:\n  - path: ../outside\n",
    )
    .expect("write");
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "outside"]);
    std::fs::write(root.join("cur/buf.yaml"), "version: v2\n").expect("write");
    for (against, reason) in [
        (
            ".git#branch=main,subdir=cur",
            "invalid module path: ../outside: is outside the context directory",
        ),
        (
            ".git#branch=main,subdir=../outside",
            "subdir ../outside: is outside the context directory",
        ),
    ] {
        let args = ["breaking", "cur", "--against", against];
        fails_with(root, &args, reason);
        assert_eq!(buf(root, &args).status.code(), Some(1), "buf: {against}");
    }
}

fn field(name: &str, number: i32, kind: Type, type_name: Option<&str>) -> FieldDescriptorProto {
    FieldDescriptorProto {
        name: Some(name.to_owned()),
        number: Some(number),
        label: Some(1),
        r#type: Some(kind as i32),
        type_name: type_name.map(str::to_owned),
        json_name: Some(name.to_owned()),
        ..Default::default()
    }
}

fn message(name: &str, fields: Vec<FieldDescriptorProto>) -> DescriptorProto {
    DescriptorProto {
        name: Some(name.to_owned()),
        field: fields,
        ..Default::default()
    }
}

fn file(name: &str, imports: &[&str], messages: Vec<DescriptorProto>) -> FileDescriptorProto {
    FileDescriptorProto {
        name: Some(name.to_owned()),
        package: Some("p.v1".to_owned()),
        dependency: imports.iter().map(|s| (*s).to_owned()).collect(),
        message_type: messages,
        syntax: Some("proto3".to_owned()),
        ..Default::default()
    }
}

#[test]
fn images_that_cannot_be_true_are_refused_as_buf_refuses_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let good = file("a.proto", &[], vec![message("M", vec![])]);
    let an_enum = EnumDescriptorProto {
        name: Some("E".to_owned()),
        value: vec![EnumValueDescriptorProto {
            name: Some("E_UNSPECIFIED".to_owned()),
            number: Some(0),
            ..Default::default()
        }],
        ..Default::default()
    };
    let cases: Vec<(&str, Vec<FileDescriptorProto>, &str)> = vec![
        (
            "dangling",
            vec![file(
                "a.proto",
                &[],
                vec![message(
                    "M",
                    vec![field("x", 1, Type::Message, Some(".p.v1.Nope"))],
                )],
            )],
            "Nope",
        ),
        (
            "two-files-one-name",
            vec![good.clone(), good.clone()],
            "file a.proto is in the image twice",
        ),
        (
            "duplicate-message",
            vec![file(
                "a.proto",
                &[],
                vec![message("M", vec![]), message("M", vec![])],
            )],
            "p.v1.M",
        ),
        (
            "missing-import",
            vec![file("a.proto", &["b.proto"], vec![])],
            "a.proto: imports b.proto, which is not in the image",
        ),
        (
            "import-cycle",
            vec![
                file("a.proto", &["b.proto"], vec![]),
                file("b.proto", &["a.proto"], vec![]),
            ],
            "import cycle",
        ),
        (
            "unknown-field-type",
            vec![file(
                "a.proto",
                &[],
                vec![message(
                    "M",
                    vec![FieldDescriptorProto {
                        r#type: Some(99),
                        ..field("x", 1, Type::Int32, None)
                    }],
                )],
            )],
            "a.proto: field p.v1.M.x has an unknown type or label",
        ),
        (
            "enum-field-naming-a-message",
            vec![FileDescriptorProto {
                enum_type: vec![an_enum],
                ..file(
                    "a.proto",
                    &[],
                    vec![message(
                        "M",
                        vec![field("x", 1, Type::Enum, Some(".p.v1.M"))],
                    )],
                )
            }],
            "a.proto: field p.v1.M.x is of type enum but names the message p.v1.M",
        ),
        (
            "empty-file-name",
            vec![file("", &[], vec![])],
            "file 1 has no name",
        ),
        (
            "proto9",
            vec![FileDescriptorProto {
                syntax: Some("proto9".to_owned()),
                ..good.clone()
            }],
            "a.proto: unknown syntax \"proto9\"",
        ),
    ];
    let good_image = FileDescriptorSet { file: vec![good] }.encode_to_vec();
    std::fs::write(root.join("good.binpb"), good_image).expect("write");
    for (name, files, expected) in cases {
        let image = format!("{name}.binpb");
        std::fs::write(
            root.join(&image),
            FileDescriptorSet { file: files }.encode_to_vec(),
        )
        .expect("write");
        for args in [
            ["breaking", image.as_str(), "--against", "good.binpb"],
            ["breaking", "good.binpb", "--against", image.as_str()],
        ] {
            let output = run(root, &args);
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
            assert!(
                stderr.contains(&format!("{image}: invalid image: ")) && stderr.contains(expected),
                "{name}: {stderr}"
            );
            assert!(output.stdout.is_empty(), "{name}: {}", text(&output.stdout));
            assert_eq!(buf(root, &args).status.code(), Some(1), "buf on {name}");
        }
    }
}
