//! Issue 16's hostile outputs and usage, through the command line: nothing
//! is written through a link out of the output, a multi-file output is all or
//! nothing, bad limits are usage errors, and no nesting the limits allow
//! overflows the stack.

mod common;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use common::{protoforge, text, workspace};

/// Every file below `dir` with its content (links as their target).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    for entry in walk(dir) {
        let meta = std::fs::symlink_metadata(&entry).expect("stat");
        let value = if meta.file_type().is_symlink() {
            format!("-> {}", std::fs::read_link(&entry).expect("link").display())
        } else if meta.is_dir() {
            "/".to_owned()
        } else {
            String::from_utf8_lossy(&std::fs::read(&entry).expect("read")).into_owned()
        };
        files.insert(entry.strip_prefix(dir).expect("below").to_owned(), value);
    }
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        all.push(path.clone());
        if std::fs::symlink_metadata(&path).expect("stat").is_dir() {
            all.extend(walk(&path));
        }
    }
    all
}

fn user_proto() -> String {
    workspace().join("proto/user").display().to_string()
}

/// `scaffold` of the article's user service as the crate `svc` in `dir/svc`.
fn scaffold_user_crate(dir: &Path, extra: &[&str]) -> std::process::Output {
    let proto = user_proto();
    let include = workspace().join("proto").display().to_string();
    let mut args = vec![
        "scaffold", &proto, "-I", &include, "--out", "svc", "--crate", "svc",
    ];
    args.extend(extra);
    protoforge(dir, &args)
}

#[test]
fn generate_refuses_a_link_out_of_the_output_and_writes_nothing() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let outside = scratch.path().join("outside.rs");
    std::fs::write(&outside, "precious\n").expect("write");
    let out = scratch.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::write(out.join("handwritten.rs"), "fn keep() {}\n").expect("write");
    std::os::unix::fs::symlink(&outside, out.join("user.v1.rs")).expect("symlink");
    let before = snapshot(scratch.path());

    let output = protoforge(scratch.path(), &["generate", &user_proto(), "--out", "out"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stderr),
        format!(
            "out/user.v1.rs: error: would be written through a symbolic link to '{}', outside the output directory; nothing was written\n",
            outside.display()
        )
    );
    assert_eq!(snapshot(scratch.path()), before, "nothing written");

    // A directory link out of the output is refused the same way.
    std::fs::remove_file(out.join("user.v1.rs")).expect("rm");
    let elsewhere = scratch.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    let scaffold_out = scratch.path().join("svc");
    std::fs::create_dir(&scaffold_out).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, scaffold_out.join("src")).expect("symlink");
    let before = snapshot(scratch.path());
    let output = scaffold_user_crate(scratch.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains(&format!(
            "svc/src/user_service.rs: error: would be written through a symbolic link to '{}', outside the output directory",
            elsewhere.display()
        )),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(snapshot(scratch.path()), before, "nothing written");
}

#[test]
fn a_link_inside_the_output_is_written_through() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let out = scratch.path().join("out");
    std::fs::create_dir_all(out.join("real")).expect("mkdir");
    std::os::unix::fs::symlink("real/user.rs", out.join("user.v1.rs")).expect("symlink");
    let output = protoforge(scratch.path(), &["generate", &user_proto(), "--out", "out"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        std::fs::symlink_metadata(out.join("user.v1.rs"))
            .expect("stat")
            .file_type()
            .is_symlink()
    );
    let generated = std::fs::read_to_string(out.join("real/user.rs")).expect("read");
    assert!(generated.contains("pub struct User {"));
}

/// A file that cannot be replaced (a directory in the way of the last file)
/// fails the run before any file is written: the earlier ones too.
#[test]
fn generate_is_all_or_nothing() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let out = scratch.path().join("out");
    std::fs::create_dir_all(out.join("mod.rs")).expect("a directory named mod.rs");
    std::fs::write(out.join("keep.txt"), "unrelated\n").expect("write");
    let before = snapshot(scratch.path());
    let output = protoforge(scratch.path(), &["generate", &user_proto(), "--out", "out"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "out/mod.rs: error: cannot write output: it is a directory\n"
    );
    assert_eq!(snapshot(scratch.path()), before, "user.v1.rs not written");

    // A missing --out that the run would have created is not left behind.
    let output = protoforge(
        scratch.path(),
        &["generate", &user_proto(), "--out", "new/out"],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(scratch.path().join("new/out/user.v1.rs").is_file());
}

#[test]
fn scaffold_crate_is_all_or_nothing() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let out = scratch.path().join("svc");
    // tests/server.rs, the last file of the crate, is a directory.
    std::fs::create_dir_all(out.join("tests/server.rs")).expect("mkdir");
    std::fs::write(out.join("NOTES.md"), "mine\n").expect("write");
    let before = snapshot(scratch.path());
    let output = scaffold_user_crate(scratch.path(), &["--force"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr)
            .contains("svc/tests/server.rs: error: cannot write output: it is a directory"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(text(&output.stdout), "");
    assert_eq!(snapshot(scratch.path()), before, "nothing written");
}

fn deep_option(levels: usize) -> String {
    format!(
        "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\n\
         message M {{ M m = 1; int32 a = 2; }}\n\
         extend google.protobuf.FileOptions {{ M opt = 50000; }}\n\
         option (opt) = {}{{a: 1}}{};\n",
        "{m: ".repeat(levels - 1),
        "}".repeat(levels - 1)
    )
}

/// A text-format option value 5,000 deep: refused by the nesting limit as
/// high as the limit may go, a usage error above it; and the deepest value
/// protoc reads compiles without overflowing the stack.
#[test]
fn no_nesting_overflows_the_stack() {
    let scratch = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(scratch.path().join("deep")).expect("mkdir");
    std::fs::write(scratch.path().join("deep/a.proto"), deep_option(5000)).expect("write");
    let build = |nesting: &str| {
        protoforge(
            scratch.path(),
            &["build", "deep", "-o", "out.binpb", "--max-nesting", nesting],
        )
    };
    let output = build("10000");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).starts_with(
            "error: invalid value '10000' for '--max-nesting <N>': 10000 is more than 1000, the deepest nesting protoforge parses"
        ),
        "{}",
        text(&output.stderr)
    );
    let output = build("1000");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).starts_with("deep/a.proto:5:"),
        "{}",
        text(&output.stderr)
    );
    assert!(text(&output.stderr).contains("error: brackets nested more than 1000 deep"));
    assert!(!scratch.path().join("out.binpb").exists());

    // protoc reads option values 100 messages deep (and aborts deeper);
    // one deeper is refused with its parser's message.
    std::fs::write(scratch.path().join("deep/a.proto"), deep_option(100)).expect("write");
    let output = build("1000");
    assert!(output.status.success(), "{}", text(&output.stderr));
    std::fs::write(scratch.path().join("deep/a.proto"), deep_option(101)).expect("write");
    let output = build("1000");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains(
            "deep/a.proto:5:16: error: Error while parsing option value for \"opt\": Message is too deep"
        ),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn time_limits_that_are_not_durations_are_usage_errors() {
    let scratch = tempfile::tempdir().expect("tempdir");
    for value in ["NaN", "-5", "inf", "soon"] {
        let output = protoforge(
            scratch.path(),
            &["build", "-o", "out.binpb", &format!("--time-limit={value}")],
        );
        assert_eq!(output.status.code(), Some(2), "{value}");
        assert!(
            text(&output.stderr).contains(&format!(
                "error: invalid value '{value}' for '--time-limit <SECONDS>': '{value}' is not a number of seconds"
            )),
            "{}",
            text(&output.stderr)
        );
        assert!(!scratch.path().join("out.binpb").exists());
    }
}

#[test]
fn a_bad_import_path_says_what_is_wrong() {
    let scratch = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        scratch.path().join("a.proto"),
        "syntax = \"proto3\";\nmessage A {}\n",
    )
    .expect("write");
    for (import, problem) in [
        (
            "./a.proto",
            "it contains a '.' component; write \"a.proto\"",
        ),
        (
            "x//a.proto",
            "it contains repeated slashes or ends in one; write \"x/a.proto\"",
        ),
        (
            "x/../a.proto",
            "it contains a '..' component (imports cannot leave the include roots); write \"a.proto\"",
        ),
    ] {
        std::fs::write(
            scratch.path().join("b.proto"),
            format!("syntax = \"proto3\";\nimport \"{import}\";\nmessage B {{ A a = 1; }}\n"),
        )
        .expect("write");
        let output = protoforge(scratch.path(), &["build", "b.proto", "-o", "out.binpb"]);
        assert_eq!(output.status.code(), Some(1));
        // protoc's lines, with what to write instead.
        let stderr = text(&output.stderr);
        assert!(
            stderr.starts_with(&format!(
                "error: {import}: Backslashes, consecutive slashes, \".\", or \"..\" are not \
                 allowed in the virtual path (invalid import path \"{import}\": {problem})\n"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!(
                "b.proto:2:1: error: Import \"{import}\" was not found or had errors."
            )),
            "{stderr}"
        );
        assert!(!scratch.path().join("out.binpb").exists());
    }
}
