//! Option interpretation of the own front end against protoc 35
//! (`python -m grpc_tools.protoc`, from `$PROTOFORGE_PYTHON`, else
//! `python3`).
//!
//! Every options message of every element (file, message, field, oneof,
//! extension range, enum, enum value, service, method, extension) must be
//! byte for byte protoc's `--descriptor_set_out`, on the editions fixtures
//! and on sample googleapis packages rich in custom options; malformed
//! options must give protoc's message. `PROTOFORGE_GOOGLEAPIS=1` adds a
//! check of all of googleapis against the current pipeline
//! (`protoforge_codegen::Compiler`), options only.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

use prost::Message;
use protoforge_codegen::{
    compile::{
        descriptor::{
            DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
            FileDescriptorSet,
        },
        json_name, lower, names,
        options::{self, OptionPart},
    },
    syntax,
};

#[path = "common/protoc35.rs"]
mod protoc35;
use protoc35::{protoc_include, python};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editions")
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/node_modules/google-proto-files")
}

/// protoc 35 on `files` below `roots`: its descriptor set (imports
/// included), or its error output.
fn protoc(roots: &[PathBuf], files: &[&str]) -> Result<FileDescriptorSet, String> {
    protoc_with(roots, files)
}

/// protoc 35 with `args` (files and flags) below `roots`, imports included.
fn protoc_with(roots: &[PathBuf], args: &[&str]) -> Result<FileDescriptorSet, String> {
    let scratch = tempfile::tempdir().expect("tempdir");
    let out = scratch.path().join("out.binpb");
    let mut command = Command::new(python());
    command.args(["-m", "grpc_tools.protoc", "--include_imports"]);
    for root in roots {
        command.arg(format!("-I{}", root.display()));
    }
    let output = command
        .args(args)
        .arg(format!("--descriptor_set_out={}", out.display()))
        .current_dir(&roots[0])
        .output()
        .expect("protoc runs");
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let bytes = std::fs::read(out).expect("protoc wrote its output");
    Ok(FileDescriptorSet::decode(bytes.as_slice()).expect("decodes"))
}

/// The test driver until the linker has one: parses, lowers and resolves
/// the names of `names` (found below `roots`, dependencies first), then
/// interprets their options.
fn front_end(
    roots: &[PathBuf],
    names: &[String],
) -> (
    Vec<FileDescriptorProto>,
    options::Interpreted,
    Vec<options::StrippedPaths>,
) {
    let mut files = Vec::new();
    for name in names {
        let path = roots
            .iter()
            .map(|root| root.join(name))
            .find(|path| path.exists())
            .unwrap_or_else(|| panic!("no source for {name}"));
        let source = std::fs::read_to_string(path).expect("read");
        let parsed = syntax::parse(&source).expect("parses");
        files.push(lower::lower(&parsed, name).expect("lowers").descriptor);
    }
    let symbols = names::Symbols::of(&files);
    for file in &mut files {
        let errors = symbols.resolve_file(file);
        assert!(errors.is_empty(), "{}: {errors:?}", file.name());
        json_name::fill_json_names(file);
    }
    let interpreted = options::interpret(&mut files);
    let stripped = options::strip_source_retention(&mut files);
    (files, interpreted, stripped)
}

/// Every options message of `file` by element path, encoded.
fn options_of(file: &FileDescriptorProto) -> BTreeMap<String, Vec<u8>> {
    fn put<T: Message>(out: &mut BTreeMap<String, Vec<u8>>, path: String, options: &Option<T>) {
        if let Some(options) = options {
            out.insert(path, options.encode_to_vec());
        }
    }
    fn field(out: &mut BTreeMap<String, Vec<u8>>, path: String, field: &FieldDescriptorProto) {
        put(out, format!("{path} {}", field.name()), &field.options);
    }
    fn enumeration(out: &mut BTreeMap<String, Vec<u8>>, path: String, e: &EnumDescriptorProto) {
        let path = format!("{path} {}", e.name());
        put(out, path.clone(), &e.options);
        for value in &e.value {
            put(out, format!("{path} {}", value.name()), &value.options);
        }
    }
    fn message(out: &mut BTreeMap<String, Vec<u8>>, path: String, m: &DescriptorProto) {
        let path = format!("{path} {}", m.name());
        put(out, path.clone(), &m.options);
        for f in m.field.iter().chain(&m.extension) {
            field(out, path.clone(), f);
        }
        for (i, range) in m.extension_range.iter().enumerate() {
            put(out, format!("{path} range{i}"), &range.options);
        }
        for oneof in &m.oneof_decl {
            put(out, format!("{path} {}", oneof.name()), &oneof.options);
        }
        for nested in &m.nested_type {
            message(out, path.clone(), nested);
        }
        for e in &m.enum_type {
            enumeration(out, path.clone(), e);
        }
    }
    let mut out = BTreeMap::new();
    let root = file.name().to_owned();
    put(&mut out, root.clone(), &file.options);
    for m in &file.message_type {
        message(&mut out, root.clone(), m);
    }
    for e in &file.enum_type {
        enumeration(&mut out, root.clone(), e);
    }
    for f in &file.extension {
        field(&mut out, root.clone(), f);
    }
    for s in &file.service {
        let path = format!("{root} {}", s.name());
        put(&mut out, path.clone(), &s.options);
        for m in &s.method {
            put(&mut out, format!("{path} {}", m.name()), &m.options);
        }
    }
    out
}

/// Compiles `files` with protoc and with the own front end; every options
/// message must be the same bytes. Returns how many were compared.
fn assert_options_are_protocs(roots: &[PathBuf], files: &[&str]) -> usize {
    let theirs = protoc(roots, files).unwrap_or_else(|err| panic!("protoc: {err}"));
    let names: Vec<String> = theirs.file.iter().map(|f| f.name().to_owned()).collect();
    let (ours, interpreted, _) = front_end(roots, &names);
    assert!(interpreted.errors.is_empty(), "{:?}", interpreted.errors);
    let mut compared = 0;
    for (ours, theirs) in ours.iter().zip(&theirs.file) {
        let (ours, theirs) = (options_of(ours), options_of(theirs));
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>(),
            "which elements have options"
        );
        for (path, bytes) in &theirs {
            assert!(
                ours[path] == *bytes,
                "{path}: options differ\n ours:   {:02x?}\n protoc: {bytes:02x?}",
                ours[path]
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn editions_fixtures_options_are_protocs() {
    let roots = [fixtures(), protoc_include()];
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".proto"))
        .collect();
    names.sort();
    let mut compared = 0;
    for name in &names {
        compared += assert_options_are_protocs(&roots, &[name]);
    }
    assert!(compared > 100, "only {compared} options messages compared");
}

fn values_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/options")
}

/// Every kind of value on every kind of element (`tests/options/`).
#[test]
fn option_values_are_protocs() {
    let roots = [values_fixtures(), protoc_include()];
    let compared = assert_options_are_protocs(&roots, &["values.proto", "retention.proto"]);
    assert!(compared > 10, "only {compared} options messages compared");
}

/// Where option locations move: each resolved path is one protoc's source
/// info has, and every option location protoc has is one we move to.
#[test]
fn option_moves_are_protocs_source_paths() {
    let roots = [values_fixtures(), protoc_include()];
    for fixture in [
        "values.proto",
        "retention.proto",
        "../editions/options.proto",
    ] {
        let (roots, name) = if let Some(editions) = fixture.strip_prefix("../editions/") {
            ([fixtures(), protoc_include()], editions)
        } else {
            (roots.clone(), fixture)
        };
        let theirs = protoc_with(&roots, &["--include_source_info", name]).expect("protoc");
        let names: Vec<String> = theirs.file.iter().map(|f| f.name().to_owned()).collect();
        let (_, interpreted, stripped) = front_end(&roots, &names);
        let index = names.iter().position(|n| n == name).expect("compiled");
        let moves = &interpreted.moves[index];
        assert_eq!(moves.file, name);
        let theirs_paths: std::collections::BTreeSet<Vec<i32>> = theirs.file[index]
            .source_code_info
            .as_ref()
            .expect("source info")
            .location
            .iter()
            .map(|l| l.path.clone())
            .collect();
        let stripped = &stripped[index].paths;
        let kept = |to: &Vec<i32>| !stripped.iter().any(|s| to.starts_with(s));
        let ours: std::collections::BTreeSet<Vec<i32>> =
            moves.moves.iter().map(|(_, to)| to.clone()).collect();
        assert_eq!(
            ours.len(),
            moves.moves.len(),
            "{name}: two options moved to one path"
        );
        // Each resolved path is a location of protoc's unless stripped.
        for to in &ours {
            assert_eq!(
                theirs_paths.contains(to),
                kept(to),
                "{name}: {to:?} (stripped: {stripped:?})"
            );
        }
        // protoc has no location under a stripped path.
        for path in &theirs_paths {
            assert!(kept(path), "{name}: protoc kept {path:?}");
        }
        for (from, to) in &moves.moves {
            assert_eq!(from[from.len() - 2], 999, "{from:?}");
            assert_eq!(
                from[..from.len() - 2],
                to[..from.len() - 2],
                "{from:?} -> {to:?}"
            );
        }
        assert!(ours.len() > 5, "{name}: only {} moves", ours.len());
    }
}

/// googleapis packages rich in custom options (`google.api.http`,
/// `field_behavior`, `resource`, `method_signature`, long-running and
/// routing annotations), when the corpus is installed (`bench/node_modules`).
#[test]
fn googleapis_options_are_protocs() {
    let corpus = corpus();
    if !corpus.exists() {
        eprintln!("skipped: no googleapis corpus at {}", corpus.display());
        return;
    }
    let roots = [corpus.clone(), protoc_include()];
    let mut compared = 0;
    for dir in [
        "google/api",
        "google/cloud/secretmanager/v1",
        "google/cloud/run/v2",
        "google/cloud/compute/v1",
        "google/pubsub/v1",
    ] {
        let mut files: Vec<String> = std::fs::read_dir(corpus.join(dir))
            .expect("corpus directory")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "proto"))
            .map(|p| {
                p.strip_prefix(&corpus)
                    .expect("below")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        compared += assert_options_are_protocs(&roots, &files);
    }
    assert!(compared > 1000, "only {compared} options messages compared");
}

/// Malformed options: protoc's message, pointing at the option's name or
/// value as protoc does.
#[test]
fn option_errors_are_protocs() {
    const BASE: &str = r#"syntax = "proto2";
package p;
import "google/protobuf/descriptor.proto";
message M { optional int32 a = 1; optional M sub = 2; repeated int32 r = 3; optional E e = 4; }
enum E { E0 = 0; E1 = 1; }
enum F { F0 = 0; F1 = 1; }
extend google.protobuf.FileOptions {
  optional int32 i32 = 50001; optional uint32 u32 = 50002; optional int64 i64 = 50003;
  optional uint64 u64 = 50004; optional float f = 50005; optional double d = 50006;
  optional bool b = 50007; optional string s = 50008; optional bytes by = 50009;
  optional E en = 50010; optional M m = 50011; repeated M rm = 50012;
  optional sint32 si = 50013; optional fixed32 fx = 50014; repeated int32 ri = 50015;
}
extend google.protobuf.MessageOptions { optional int32 mi = 50001; }
message R { required int32 a = 1; optional int32 b = 2; optional R sub = 3; repeated R list = 4; }
extend google.protobuf.FileOptions { optional R req = 50016; }
"#;
    // One line of options each, after `syntax`, `package` and the import.
    let cases = [
        "option (p.nope) = 1;",
        "option (p.i32) = 2147483648;",
        "option (p.i32) = -2147483649;",
        "option (p.i32) = 1.5;",
        "option (p.i32) = \"x\";",
        "option (p.u32) = -1;",
        "option (p.u32) = 4294967296;",
        "option (p.i64) = 9223372036854775808;",
        "option (p.i64) = -9223372036854775809;",
        "option (p.u64) = -1;",
        "option (p.f) = \"x\";",
        "option (p.d) = foo;",
        "option (p.b) = 1;",
        "option (p.b) = True;",
        "option (p.s) = 1;",
        "option (p.by) = 3;",
        "option (p.en) = 1;",
        "option (p.en) = E2;",
        "option (p.en) = F1;",
        "option (p.m) = 1;",
        "option (p.m).a = \"x\";",
        "option (p.m).zz = 1;",
        "option (p.i32).x = 1;",
        "option (p.rm).a = 1;",
        "option (p.i32) = 1; option (p.i32) = 2;",
        "option (p.m).a = 1; option (p.m).a = 2;",
        "option (p.m) = {a: 1}; option (p.m).a = 2;",
        "option (p.m).a = 1; option (p.m) = {a: 1};",
        "option (p.mi) = 1;",
        "option java_package = 1;",
        "option java_package = \"a\"; option java_package = \"b\";",
        "option nope = 1;",
        "option uninterpreted_option = 1;",
        "option optimize_for = FOO;",
        "option (p.si) = -2147483649;",
        "option (p.m) = {a: \"x\"};",
        "option (p.m) = {zz: 1};",
        "option (p.m) = {a: 1 a: 2};",
        "option (p.m) = {e: E2};",
        "option (p.m) = {[p.nope]: 1};",
        "option (p.m) = {sub {a: 1} sub {a: 2}};",
        "option (p.m) = {e: 7};",
        "option (p.req) = {b: 1};",
        "option (p.req) = {a: 1 sub {b: 2} list {b: 3}};",
    ];
    let scratch = tempfile::tempdir().expect("tempdir");
    std::fs::write(scratch.path().join("base.proto"), BASE).expect("write");
    let roots = [scratch.path().to_path_buf(), protoc_include()];
    for case in cases {
        let source = format!(
            "syntax = \"proto2\";\npackage q;\nimport \"base.proto\";\n{case}\nmessage X {{}}\n"
        );
        std::fs::write(scratch.path().join("case.proto"), &source).expect("write");
        let theirs = protoc(&roots, &["case.proto"]).expect_err(case);
        // [DIR/]case.proto:4:COL: MESSAGE
        let line = theirs
            .lines()
            .find_map(|l| l.split_once("case.proto:").map(|(_, rest)| rest))
            .unwrap_or_else(|| panic!("{case}: protoc says {theirs}"));
        let mut parts = line.splitn(3, ':');
        let (_, column, message) = (
            parts.next(),
            parts.next().expect("column"),
            parts.next().expect("message").trim(),
        );
        let names = vec![
            "google/protobuf/descriptor.proto".to_owned(),
            "base.proto".to_owned(),
            "case.proto".to_owned(),
        ];
        let (_, interpreted, _) = front_end(&roots, &names);
        let ours = interpreted
            .errors
            .iter()
            .find(|e| e.file == "case.proto")
            .unwrap_or_else(|| panic!("{case}: no error, protoc says {message}"));
        assert_eq!(ours.message, message, "{case}");
        assert_eq!(ours.element, "case.proto", "{case}");
        if !case.contains("; option ") {
            let part = if column == "8" {
                OptionPart::Name
            } else {
                OptionPart::Value
            };
            assert_eq!(ours.part, part, "{case}: protoc points at column {column}");
            assert_eq!(ours.option, [8, 999, 0], "{case}");
        } else {
            assert_eq!(ours.option, [8, 999, 1], "{case}");
        }
    }
}

/// All of googleapis (8,016 files, `google/protobuf/**` aside), every
/// options message against protoc 35's. Opt-in (`PROTOFORGE_GOOGLEAPIS=1`,
/// about a minute in a debug build). protoc 35 is the oracle rather than
/// the current pipeline (`Compiler`), which writes protoc 3.21's layout:
/// custom options in the order written, where protoc 35 re-serializes them
/// in number order.
#[test]
fn all_of_googleapis_options_are_protocs() {
    if std::env::var_os("PROTOFORGE_GOOGLEAPIS").is_none() {
        eprintln!("skipped: set PROTOFORGE_GOOGLEAPIS=1");
        return;
    }
    let corpus = corpus();
    let mut files = Vec::new();
    let mut stack = vec![corpus.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "proto") {
                let name = path
                    .strip_prefix(&corpus)
                    .expect("below")
                    .to_string_lossy()
                    .into_owned();
                let googleapis = name.starts_with("google/") || name.starts_with("grafeas/");
                if googleapis && !name.starts_with("google/protobuf/") {
                    files.push(name);
                }
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 8016, "googleapis files");
    let roots = [corpus, protoc_include()];
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let compared = assert_options_are_protocs(&roots, &files);
    eprintln!("googleapis: {compared} options messages equal to protoc 35's");
}
