//! Editions against the current protoc (libprotoc 35, as PyPI's
//! `grpcio-tools` bundles it: `python -m grpc_tools.protoc`).
//!
//! The fixtures in `tests/editions/` exercise every feature of editions 2023
//! and 2024 at every level it may be set, every value of each, delimited
//! messages, closed enums, legacy required, JSON format, UTF-8 validation,
//! `export`/`local`, `import option`, weak and public imports, extension
//! declarations and aggregate options. protoc's descriptor sets of them are
//! the oracle.
//!
//! The Python interpreter is `$PROTOFORGE_PYTHON`, else `python3`; it must
//! have `grpcio-tools` (`.ci/run` installs it).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use prost::Message;
use protoforge_codegen::{
    compile::{
        descriptor::{self, Edition, FileDescriptorSet},
        features, json_name, lower, names,
    },
    syntax,
};

#[path = "common/protoc35.rs"]
mod protoc35;
use protoc35::{protoc_include, python};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editions")
}

/// Runs protoc 35 with `args` below the fixtures (and its own include
/// directory), and returns its descriptor set.
fn protoc(args: &[&str]) -> Vec<u8> {
    protoc_with_roots(&[fixtures(), protoc_include()], args)
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".proto"))
        .collect();
    names.sort();
    names
}

#[test]
fn protoc_is_version_35() {
    let output = Command::new(python())
        .args(["-m", "grpc_tools.protoc", "--version"])
        .output()
        .expect("protoc runs");
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(
        version.starts_with("libprotoc 35."),
        "the fixtures' oracle is protoc 35, not {version}"
    );
}

/// `descriptor.binpb`, the source of the generated descriptor types, is what
/// this protoc writes for its own descriptor.proto: a new protoc with new
/// fields makes this fail until the types are regenerated.
#[test]
fn descriptor_types_come_from_this_protocs_descriptor_proto() {
    let current = protoc(&["google/protobuf/descriptor.proto"]);
    assert!(
        current == descriptor::DESCRIPTOR_PROTO_SET,
        "codegen/src/compile/descriptor/descriptor.binpb is stale: write protoc's \
         --descriptor_set_out of google/protobuf/descriptor.proto there, then run \
         `PROTOFORGE_BLESS=1 cargo test -p protoforge-codegen --lib descriptor`"
    );
}

/// Every fixture's descriptor set, imports and source info included, decodes
/// and re-encodes byte for byte: `edition`, `features`, visibility, option
/// dependencies, declarations and custom options all survive.
#[test]
fn protocs_descriptor_sets_round_trip_byte_for_byte() {
    for name in fixture_names() {
        let bytes = protoc(&["--include_imports", "--include_source_info", &name]);
        let set = FileDescriptorSet::decode(bytes.as_slice()).expect("decodes");
        assert!(
            set.encode_to_vec() == bytes,
            "{name}: the re-encoded descriptor set differs from protoc's"
        );
    }
}

/// What the round trip keeps is what matters: the editions data is there,
/// and prost-types would have lost it.
#[test]
fn editions_data_is_read() {
    let bytes = protoc(&["--include_imports", "features_2024.proto"]);
    let set = FileDescriptorSet::decode(bytes.as_slice()).expect("decodes");
    let file = set
        .file
        .iter()
        .find(|f| f.name() == "features_2024.proto")
        .expect("the fixture");
    assert_eq!(file.edition(), Edition::Edition2024);
    assert_eq!(file.option_dependency, ["custom_features.proto"]);
    let features = file
        .options
        .as_ref()
        .and_then(|o| o.features.as_ref())
        .expect("file features");
    // Source-retention features (`enforce_naming_style`,
    // `default_symbol_visibility`) are not in protoc's output.
    assert_eq!(features.enforce_naming_style, None);
    assert_eq!(features.default_symbol_visibility, None);
    // pb.cpp, pb.java, pb.go and the custom feature are extensions: kept raw.
    assert!(!features.unknown_fields.is_empty());
    let hidden = file
        .message_type
        .iter()
        .find(|m| m.name() == "Hidden")
        .expect("Hidden");
    assert_eq!(
        hidden.visibility(),
        descriptor::SymbolVisibility::VisibilityLocal
    );

    let through_prost = prost_types::FileDescriptorSet::decode(bytes.as_slice())
        .expect("decodes")
        .encode_to_vec();
    assert_ne!(through_prost, bytes, "prost-types keeps editions data now");
}

/// `FeatureSetDefaults` as `protoc --edition_defaults_out` writes them, for
/// the core features alone, with the language features protoc ships, and
/// with a user's feature extension.
#[test]
fn feature_set_defaults_are_protocs() {
    let cases: [(&[&str], &[&str]); 3] = [
        (&["google/protobuf/descriptor.proto"], &[]),
        (
            &[
                "google/protobuf/cpp_features.proto",
                "google/protobuf/java_features.proto",
                "google/protobuf/go_features.proto",
            ],
            &["pb.cpp", "pb.java", "pb.go"],
        ),
        (&["custom_features.proto"], &["editions.custom.custom"]),
    ];
    for (files, extensions) in cases {
        let scratch = tempfile::tempdir().expect("tempdir");
        let out = scratch.path().join("defaults.binpb");
        let status = Command::new(python())
            .args(["-m", "grpc_tools.protoc", "-I."])
            .arg(format!("-I{}", protoc_include().display()))
            .arg(format!("--edition_defaults_out={}", out.display()))
            .args([
                "--edition_defaults_minimum=PROTO2",
                "--edition_defaults_maximum=2024",
            ])
            .args(files)
            .current_dir(fixtures())
            .status()
            .expect("protoc runs");
        assert!(status.success());
        let expected = std::fs::read(&out).expect("protoc's defaults");
        if extensions == ["pb.cpp", "pb.java", "pb.go"] {
            assert!(
                expected == features::PROTOC_FEATURE_DEFAULTS,
                "compile/feature_defaults.binpb is not this protoc's --edition_defaults_out"
            );
        }

        let mut args = vec!["--include_imports"];
        args.extend(files);
        let set = FileDescriptorSet::decode(protoc(&args).as_slice()).expect("decodes");
        let defaults = features::compile_defaults(
            &set.file,
            extensions,
            Edition::Proto2,
            Edition::Edition2024,
        )
        .expect("defaults");
        assert!(
            defaults.encode_to_vec() == expected,
            "defaults for {extensions:?} differ from protoc's:\nours:   {defaults:?}\nprotoc: {:?}",
            descriptor::FeatureSetDefaults::decode(expected.as_slice())
        );
    }
}

/// Python's protobuf runtime resolves features from the same descriptor
/// set: every element of every fixture gets the same core features.
const PYTHON_RESOLVED: &str = r#"
import sys
from google.protobuf import descriptor_pb2, descriptor_pool
data = sys.stdin.buffer.read()
files = descriptor_pb2.FileDescriptorSet.FromString(data)
pool = descriptor_pool.DescriptorPool()
for f in files.file:
    pool.Add(f)
def show(kind, name, d):
    values = sorted((f.number, v) for f, v in d._GetFeatures().ListFields() if f.number <= 8)
    print(kind, name, ",".join("%d=%d" % nv for nv in values))
def message(m):
    show("message", m.full_name, m)
    for f in m.fields:
        show("field", m.full_name + "." + f.name, f)
    for f in m.extensions:
        show("field", m.full_name + "." + f.name, f)
    for o in m.oneofs:
        show("oneof", m.full_name + "." + o.name, o)
    for n in m.nested_types:
        message(n)
    for e in m.enum_types:
        enum(e)
def enum(e):
    show("enum", e.full_name, e)
    for v in e.values:
        show("value", e.full_name + "." + v.name, v)
for f in files.file:
    fd = pool.FindFileByName(f.name)
    show("file", f.name, fd)
    for m in fd.message_types_by_name.values():
        message(m)
    for e in fd.enum_types_by_name.values():
        enum(e)
    for x in fd.extensions_by_name.values():
        prefix = fd.package + "." if fd.package else ""
        show("field", prefix + x.name, x)
    for s in fd.services_by_name.values():
        show("service", s.full_name, s)
        for m in s.methods:
            show("method", s.full_name + "." + m.name, m)
"#;

#[test]
fn resolved_features_are_protocs() {
    let base = FileDescriptorSet::decode(
        protoc(&["--include_imports", "google/protobuf/descriptor.proto"]).as_slice(),
    )
    .expect("decodes");
    let defaults =
        features::compile_defaults(&base.file, &[], Edition::Proto2, Edition::Edition2024)
            .expect("defaults");
    let resolver = features::FeatureResolver::new(&defaults).expect("resolver");
    for name in fixture_names() {
        let bytes = protoc(&["--include_imports", &name]);
        let set = FileDescriptorSet::decode(bytes.as_slice()).expect("decodes");
        let mut ours: Vec<String> = Vec::new();
        for file in &set.file {
            for (element, resolved) in features::resolve_file(file, &resolver).expect("resolves") {
                if element.starts_with("range ") {
                    continue; // Python has no descriptor for extension ranges.
                }
                let values: Vec<String> = (1..=8)
                    .filter_map(|n| resolved.get((0, n)).map(|v| format!("{n}={v}")))
                    .collect();
                let element = element.replacen(" .", " ", 1);
                ours.push(format!("{element} {}", values.join(",")));
            }
        }
        let mut child = Command::new(python())
            .args(["-c", PYTHON_RESOLVED])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python runs");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &bytes)
            .expect("write to python");
        let output = child.wait_with_output().expect("python");
        assert!(output.status.success(), "the Python resolver failed");
        let mut theirs: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        ours.sort();
        theirs.sort();
        let differences: Vec<_> = ours
            .iter()
            .filter(|line| !theirs.contains(line))
            .chain(theirs.iter().filter(|line| !ours.contains(line)))
            .collect();
        assert!(
            differences.is_empty(),
            "{name}: resolved features differ (ours, then Python's):\n{differences:#?}"
        );
        assert_eq!(ours.len(), theirs.len());
    }
}

/// protoc's errors on malformed editions (and on features outside them)
/// that need no linking: the same message, at the same place where protoc
/// gives one (where it gives none, ours points at the element).
#[test]
fn feature_errors_are_protocs() {
    let cases = [
        "syntax = \"proto3\";\nmessage M { int32 x = 1 [features.field_presence = EXPLICIT]; }\n",
        "syntax = \"proto2\";\noption features.enum_type = OPEN;\nmessage M {}\n",
        "edition = \"2023\";\nmessage M { option features.field_presence = EXPLICIT; int32 x = 1; }\n",
        "edition = \"2023\";\nmessage M {\n  int32 x = 1 [features.enum_type = OPEN];\n}\n",
        "edition = \"2023\";\nmessage M { int32 x = 1 [features.field_presence = FIELD_PRESENCE_UNKNOWN]; }\n",
        "edition = \"2024\";\noption features.default_symbol_visibility = DEFAULT_SYMBOL_VISIBILITY_UNKNOWN;\n",
        "edition = \"2023\";\noption features.enforce_naming_style = STYLE2024;\nmessage M { int32 x = 1; }\n",
        "edition = \"2023\";\nmessage M { int32 x = 1 [features.nonexistent = 1]; }\n",
        "edition = \"2023\";\nservice S { rpc R(M) returns (M) { option features.json_format = ALLOW; } }\nmessage M {}\n",
        "edition = \"2023\";\nenum E {\n  A = 0 [features.utf8_validation = NONE];\n}\n",
        "edition = \"2025\";\nmessage M { int32 x = 1; }\n",
        "edition = \"99997_TEST_ONLY\";\nmessage M { int32 x = 1; }\n",
        "edition = \"UNSTABLE\";\nmessage M {}\n",
    ];
    for source in cases {
        let scratch = tempfile::tempdir().expect("tempdir");
        std::fs::write(scratch.path().join("bad.proto"), source).expect("write");
        let output = Command::new(python())
            .args(["-m", "grpc_tools.protoc", "-I.", "-o/dev/null", "bad.proto"])
            .current_dir(scratch.path())
            .output()
            .expect("protoc runs");
        assert!(!output.status.success(), "protoc accepts:\n{source}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().expect("an error").to_owned();
        let rest = first
            .strip_prefix("bad.proto")
            .expect("located in the file");
        // `:3:19: message` or `: message` (no place).
        let (place, message) = match rest.strip_prefix(": ") {
            Some(message) => (None, message.to_owned()),
            None => {
                let mut parts = rest[1..].splitn(3, ':');
                let line: u32 = parts.next().and_then(|l| l.parse().ok()).expect("line");
                let column: u32 = parts.next().and_then(|c| c.parse().ok()).expect("column");
                (
                    Some((line, column)),
                    parts.next().expect("message").trim().to_owned(),
                )
            }
        };

        let parsed = syntax::parse(source).expect("parses");
        let ours = match lower::lower(&parsed, "bad.proto") {
            Err(err) => err,
            Ok(lowered) => {
                let found = features::check_uses(&lowered);
                (found.errors.into_iter())
                    .chain(found.lifetimes)
                    .chain(found.targets)
                    .next()
                    .unwrap_or_else(|| panic!("no error for:\n{source}\nprotoc: {first}"))
            }
        };
        assert_eq!(ours.message, message, "for:\n{source}");
        if let Some((line, column)) = place {
            let at = parsed.position(ours.span.start);
            assert_eq!(
                (at.line + 1, at.column + 1),
                (line, column),
                "for:\n{source}"
            );
        }
    }
}

/// A file with several problems reports those protoc 35 reports: protoc
/// checks in stages and stops at the first stage that finds an error
/// (options, then the checks on resolved features, then naming style, then
/// `feature_support` lifetimes, then `targets`). Every error line is
/// compared, in order, with its line and column.
#[test]
fn a_files_errors_are_protocs_stage_by_stage() {
    let ctype = "message Z {\n  string s = 1 [ctype = CORD];\n}\n";
    let custom = "import \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FileOptions { int32 fo = 50000 [targets = TARGET_TYPE_MESSAGE]; }\noption (fo) = 3;\n";
    let cases = [
        // An option removed in 2024 after a field's problem: only the field's.
        format!("edition = \"2024\";\npackage a;\noption java_multiple_files = true;\n{ctype}"),
        "edition = \"2024\";\npackage a;\noption java_multiple_files = true;\nmessage M {\n  repeated int32 s = 1 [packed = true];\n}\n".to_owned(),
        "edition = \"2024\";\npackage a;\noption java_multiple_files = true;\nmessage M {\n  int32 s = 1 [default = 3, features.field_presence = IMPLICIT];\n}\n".to_owned(),
        // Alone, it is reported at the package statement.
        "edition = \"2024\";\npackage a;\noption java_multiple_files = true;\nmessage M {}\n".to_owned(),
        // A language feature's removed value, and its target, after a field's problem.
        format!("edition = \"2024\";\npackage a;\nimport \"google/protobuf/java_features.proto\";\noption features.(pb.java).nest_in_file_class = LEGACY;\n{ctype}"),
        // The removed value, not the target.
        "edition = \"2024\";\npackage a;\nimport \"google/protobuf/java_features.proto\";\noption features.(pb.java).nest_in_file_class = LEGACY;\n".to_owned(),
        // Options that cannot be interpreted stop the checks.
        format!("edition = \"2024\";\npackage a;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.MessageOptions {{ int32 mo = 50000; }}\noption (mo) = 3;\n{ctype}"),
        // Validation's errors stop the later stages.
        "edition = \"2024\";\npackage a;\noption java_multiple_files = true;\nmessage M {\n  int32 s = 1;\n  int32 t = 1;\n}\n".to_owned(),
        // Naming before lifetimes, lifetimes before targets.
        "edition = \"2024\";\npackage a;\noption java_multiple_files = true;\nmessage bad_name { int32 a = 1; }\n".to_owned(),
        format!("edition = \"2024\";\npackage a;\n{custom}{ctype}"),
        format!("edition = \"2024\";\npackage a;\n{custom}"),
        format!("edition = \"2024\";\npackage a;\n{custom}option java_multiple_files = true;\n"),
        format!("edition = \"2024\";\npackage a;\n{custom}message bad_name {{}}\n"),
        "edition = \"2024\";\npackage a;\nmessage M { option features.field_presence = IMPLICIT; }\nmessage bad_name {}\n".to_owned(),
        format!("edition = \"2024\";\npackage a;\nmessage M {{ option features.field_presence = IMPLICIT; int32 a = 1; }}\n{ctype}"),
        // What protoc finds as it builds the file is reported alone: before
        // options, before the checks of the same file.
        format!("edition = \"2024\";\npackage a;\nmessage M {{ int32 a = 1; int32 b = 1; int32 foo_bar = 3; int32 fooBar = 4; }}\n{ctype}"),
        format!("edition = \"2024\";\npackage a;\nmessage M {{ reserved 1; int32 a = 1; }}\n{ctype}"),
        format!("edition = \"2024\";\npackage a;\nmessage M {{ repeated int32 a = 1 [default = 1]; }}\n{ctype}"),
        format!("edition = \"2024\";\npackage a;\nenum E {{ E0 = 0; reserved 0; }}\nenum F {{ option features.enum_type = CLOSED; }}\n{ctype}"),
        format!("edition = \"2024\";\npackage a;\nimport \"google/protobuf/empty.proto\";\nimport \"google/protobuf/empty.proto\";\n{ctype}"),
        "edition = \"2024\";\npackage a;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.MessageOptions { int32 mo = 50000; }\noption (mo) = 3;\nmessage M { int32 a = 1; int32 b = 1; }\n".to_owned(),
        // The other validations share the checks' stage.
        format!("edition = \"2024\";\npackage a;\nmessage M {{ map<float, int32> m = 1; }}\n{ctype}"),
        // The numbers protoc keeps for itself: late, beside the targets.
        format!("edition = \"2024\";\npackage a;\nmessage M {{ int32 a = 19000; }}\n{ctype}"),
        "edition = \"2024\";\npackage a;\noption java_multiple_files = true;\nmessage M { int32 a = 19000; }\n".to_owned(),
        format!("edition = \"2024\";\npackage a;\n{custom}message M {{ int32 a = 19000; }}\n"),
        "edition = \"2024\";\npackage a;\nmessage M { int32 a = 19000; }\nmessage bad_name {}\n".to_owned(),
        "syntax = \"proto3\";\npackage a;\nmessage M { message N { int32 c = 19999; } }\n".to_owned(),
        // Problems of the same stage, all reported.
        format!("edition = \"2024\";\npackage a;\nmessage M {{ int32 foo_bar = 1; int32 fooBar = 2; }}\n{ctype}"),
        format!("edition = \"2024\";\npackage a;\nmessage M {{ string s = 1 [jstype = JS_STRING]; }}\n{ctype}"),
        format!("edition = \"2024\";\npackage a;\nmessage M {{ repeated int32 a = 1 [features.field_presence = EXPLICIT]; }}\n{ctype}"),
        format!("edition = \"2024\";\npackage a;\nmessage bad_name {{ int32 a = 1; }}\n{ctype}"),
        "edition = \"2024\";\npackage a;\nmessage M {\n  string s = 1 [ctype = CORD, features.field_presence = IMPLICIT, default = \"x\"];\n  repeated int32 t = 2 [packed = true];\n}\n".to_owned(),
    ];
    for source in &cases {
        assert_errors_as_protoc(source);
    }
}

/// Which of two declarations of a name is the redefinition, where it is
/// reported and whether the note on enum values' C++ scoping follows: as
/// protoc 35 (which declares a message's oneofs, fields, enums with their
/// values before the enum's own name, extensions, then nested messages).
/// Also ranges that overlap, reported at the earlier one, pair by pair.
#[test]
fn redefinitions_and_overlaps_are_reported_where_protoc_reports_them() {
    let elements = [
        "optional int32 x = 1;",
        "extend A { optional int32 x = 100; }",
        "oneof x { int32 y = 2; }",
        "message x {}",
        "enum x { Z0 = 0; }",
        "enum E { x = 0; }",
    ];
    let mut cases = Vec::new();
    for first in elements {
        for second in elements.iter().filter(|e| **e != first) {
            cases.push(format!(
                "syntax = \"proto2\";\nmessage A {{\n  extensions 100 to 200;\n  {first}\n  {second}\n}}\n"
            ));
        }
    }
    cases.extend(
        [
            "syntax = \"proto2\";\npackage p;\nenum E { E = 0; }\n",
            "syntax = \"proto2\";\nmessage A { enum E { E = 0; F = 1; F = 2; } }\n",
            "syntax = \"proto2\";\nmessage A {}\nenum E { A = 0; A = 1; }\n",
            "syntax = \"proto2\";\nenum X { Y = 0; }\nenum E { X = 0; }\n",
            "syntax = \"proto2\";\nmessage M {}\nenum E { M = 0; }\n",
            "syntax = \"proto2\";\nmessage A {\n  reserved 10 to 20;\n  reserved 15, 12 to 13;\n  reserved 30 to 40, 35;\n  extensions 100 to 200;\n  extensions 150 to 160, 110;\n}\nenum E {\n  EA = 0;\n  reserved 1 to 5, 3, 2 to 4;\n}\n",
            "syntax = \"proto2\";\nmessage A { extensions 1 to 10; }\nextend A {\n  required int32 y = 1;\n  required A z = 2;\n}\n",
            "edition = \"2024\";\nimport weak \"google/protobuf/empty.proto\";\n",
        ]
        .map(str::to_owned),
    );
    for source in &cases {
        assert_errors_as_protoc(source);
    }
}

/// `reserved` names: strings before editions, identifiers in editions, the
/// first name deciding; protoforge's parser reads them all (buf formats them
/// as written) and the compiler refuses what protoc's parser refuses.
#[test]
fn reserved_names_are_refused_as_protoc_refuses_them() {
    for source in [
        "syntax = \"proto3\";\nmessage M { reserved x; }\n",
        "syntax = \"proto3\";\nmessage M { reserved \"x\", y; }\n",
        "syntax = \"proto3\";\nmessage M { reserved \"x\", 3; }\n",
        "syntax = \"proto2\";\nmessage M { reserved \"x\"; reserved \"y\"; optional int32 y = 1; }\n",
        "edition = \"2023\";\nmessage M { reserved \"x\", y; }\n",
        "edition = \"2023\";\nmessage M { reserved x, \"y\"; }\n",
        "edition = \"2023\";\nmessage M { reserved x, 3; }\n",
        "edition = \"2023\";\nenum E { E0 = 0; reserved \"x\" \"y\"; }\n",
        "edition = \"2024\";\npackage a;\nenum E { E0 = 0; reserved \"X\"; }\n",
        "edition = \"2023\";\nmessage M { reserved x; reserved y; int32 y = 1; }\n",
    ] {
        assert_errors_as_protoc(source);
    }
}

/// Compiles `source` as `bad.proto` with protoc 35 and with protoforge
/// (protoc's own include directory beside it) and asserts the same error
/// lines, in order, with their lines and columns.
fn assert_errors_as_protoc(source: &str) {
    let include = protoc_include();
    let scratch = tempfile::tempdir().expect("tempdir");
    std::fs::write(scratch.path().join("bad.proto"), source).expect("write");
    let output = Command::new(python())
        .args(["-m", "grpc_tools.protoc", "-I.", "-o/dev/null"])
        .arg(format!("-I{}", include.display()))
        .arg("bad.proto")
        .current_dir(scratch.path())
        .output()
        .expect("protoc runs");
    assert!(!output.status.success(), "protoc accepts:\n{source}");
    let theirs: Vec<String> = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| !line.contains("warning"))
        .map(|line| line.strip_prefix("bad.proto").unwrap_or(line).to_owned())
        .collect();
    let err = protoforge_codegen::Compiler::new()
        .include(scratch.path())
        .include(&include)
        .compile(&[scratch.path().join("bad.proto")])
        .expect_err("refused");
    let ours: Vec<String> = err
        .diagnostics()
        .iter()
        .filter(|d| d.severity != protoforge_codegen::compile::Severity::Warning)
        .map(|d| match d.start {
            Some(at) => format!(":{}:{}: {}", at.line, at.column, d.message),
            None => format!(": {}", d.message),
        })
        .collect();
    assert_eq!(ours, theirs, "for:\n{source}");
}

/// The names each field, extension and method uses, as (element, type,
/// type name, extendee, JSON name) in declaration order.
fn used_names(file: &descriptor::FileDescriptorProto) -> Vec<String> {
    fn field(out: &mut Vec<String>, scope: &str, f: &descriptor::FieldDescriptorProto) {
        out.push(format!(
            "{scope}.{} {:?} {} {} {}",
            f.name(),
            f.r#type,
            f.type_name(),
            f.extendee(),
            f.json_name()
        ));
    }
    fn message(out: &mut Vec<String>, scope: &str, m: &descriptor::DescriptorProto) {
        let scope = format!("{scope}.{}", m.name());
        for f in m.field.iter().chain(&m.extension) {
            field(out, &scope, f);
        }
        for nested in &m.nested_type {
            message(out, &scope, nested);
        }
    }
    let mut out = Vec::new();
    for m in &file.message_type {
        message(&mut out, file.package(), m);
    }
    for f in &file.extension {
        field(&mut out, file.package(), f);
    }
    for s in &file.service {
        for m in &s.method {
            out.push(format!(
                "{}.{} {} {}",
                s.name(),
                m.name(),
                m.input_type(),
                m.output_type()
            ));
        }
    }
    out
}

/// Lowers every file of protoc's set from source (found below `roots`),
/// resolves names, and compares with protoc's linked descriptors.
fn assert_names_resolve_as_protoc(roots: &[PathBuf], args: &[&str]) -> usize {
    let mut protoc_args = vec!["--include_imports"];
    protoc_args.extend(args);
    let linked = FileDescriptorSet::decode(protoc_with_roots(roots, &protoc_args).as_slice())
        .expect("decodes");
    let mut unlinked = Vec::new();
    for file in &linked.file {
        let path = roots
            .iter()
            .map(|root| root.join(file.name()))
            .find(|path| path.exists())
            .expect("the source of each file");
        let source = std::fs::read_to_string(path).expect("read");
        let parsed = syntax::parse(&source).expect("parses");
        unlinked.push(
            lower::lower(&parsed, file.name())
                .expect("lowers")
                .descriptor,
        );
    }
    let symbols = names::Symbols::of(&unlinked);
    for (mut ours, theirs) in unlinked.into_iter().zip(&linked.file) {
        let errors = symbols.resolve_file(&mut ours);
        json_name::fill_json_names(&mut ours);
        assert!(errors.is_empty(), "{}: {errors:?}", ours.name());
        assert_eq!(used_names(&ours), used_names(theirs), "{}", ours.name());
    }
    linked.file.len()
}

/// Runs protoc 35 in `roots[0]` with `roots` as include paths, and returns
/// its descriptor set.
fn protoc_with_roots(roots: &[PathBuf], args: &[&str]) -> Vec<u8> {
    let scratch = tempfile::tempdir().expect("tempdir");
    let out = scratch.path().join("out.binpb");
    let mut command = Command::new(python());
    command.args(["-m", "grpc_tools.protoc"]);
    for root in roots {
        command.arg(format!("-I{}", root.display()));
    }
    let output = command
        .args(args)
        .arg(format!("--descriptor_set_out={}", out.display()))
        .current_dir(&roots[0])
        .output()
        .expect("protoc runs");
    assert!(
        output.status.success(),
        "protoc {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(out).expect("protoc wrote its output")
}

/// protoc's scoping on the fixtures (nested scopes, groups, maps,
/// extensions, imports public and weak, methods), and on a slice of
/// googleapis when its corpus is installed (`bench/node_modules`).
#[test]
fn names_resolve_as_protoc_resolves_them() {
    let roots = [fixtures(), protoc_include()];
    for name in fixture_names() {
        assert_names_resolve_as_protoc(&roots, &[&name]);
    }
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/node_modules/google-proto-files");
    if !corpus.exists() {
        return;
    }
    for dir in [
        "google/api",
        "google/rpc",
        "google/type",
        "google/longrunning",
        "google/pubsub/v1",
    ] {
        let files = proto_files_in(&corpus, dir);
        let args: Vec<&str> = files.iter().map(String::as_str).collect();
        assert_names_resolve_as_protoc(std::slice::from_ref(&corpus), &args);
    }
}

/// The `.proto` files directly in `root`/`dir`, named from `root`, sorted.
fn proto_files_in(root: &Path, dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root.join(dir))
        .expect("corpus directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "proto"))
        .map(|p| {
            p.strip_prefix(root)
                .expect("below")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

/// 2024's visibility: names local to their file (marked, or nested under
/// EXPORT_TOP_LEVEL) used from another file give protoc's errors.
#[test]
fn local_names_are_refused_as_protoc_refuses_them() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let sources = [
        (
            "v1.proto",
            "edition = \"2024\";\npackage v;\nmessage Top { message Nested {} }\nlocal message Hidden {}\n\
             message Open { export enum Shown { SHOWN_UNSPECIFIED = 0; } }\n",
        ),
        (
            "v2.proto",
            "edition = \"2024\";\npackage w;\nimport \"v1.proto\";\nmessage U {\n  v.Top.Nested n = 1;\n  \
             v.Hidden h = 2;\n  v.Top t = 3;\n  v.Open.Shown s = 4;\n}\n",
        ),
    ];
    for (name, source) in sources {
        std::fs::write(scratch.path().join(name), source).expect("write");
    }
    let output = Command::new(python())
        .args(["-m", "grpc_tools.protoc", "-I.", "-o/dev/null", "v2.proto"])
        .current_dir(scratch.path())
        .output()
        .expect("protoc runs");
    let theirs: Vec<String> = String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(|line| {
            line.splitn(4, ':')
                .nth(3)
                .expect("located")
                .trim()
                .to_owned()
        })
        .collect();

    let files: Vec<_> = sources
        .iter()
        .map(|(name, source)| {
            let parsed = syntax::parse(source).expect("parses");
            lower::lower(&parsed, name).expect("lowers").descriptor
        })
        .collect();
    let symbols = names::Symbols::of(&files);
    let mut user = files[1].clone();
    let ours: Vec<String> = symbols
        .resolve_file(&mut user)
        .into_iter()
        .map(|e| e.message)
        .collect();
    assert_eq!(ours, theirs);
    assert_eq!(ours.len(), 2);
}

/// Source info: our locations against protoc 35's `--include_source_info`
/// on every fixture, and on a slice of googleapis when its corpus is
/// installed. Nothing is normalised: paths, spans, comments and the order of
/// locations must be protoc's. protoc's are taken after option
/// interpretation with `--retain_options` (so no source-retention option is
/// stripped); ours are moved with `lower::apply_interpreted_options`. The
/// move needs each option's resolved path, which the option interpreter
/// gives; here it is read off protoc's output instead: the location under
/// the same options path with the same span.
#[test]
fn source_info_is_protocs() {
    let mut compared = 0;
    let scratch = tempfile::tempdir().expect("tempdir");
    for (name, source) in SOURCE_INFO_CASES {
        std::fs::write(scratch.path().join(name), source).expect("write");
    }
    // Windows line ends: `\r` is a space to protoc's tokenizer.
    let p3 = SOURCE_INFO_CASES
        .iter()
        .find(|(name, _)| *name == "p3.proto");
    let crlf = p3.expect("p3.proto").1.replace('\n', "\r\n");
    std::fs::write(
        scratch.path().join("crlf.proto"),
        crlf.replace("package p3", "package crlf"),
    )
    .expect("write");
    // Files with no statement.
    std::fs::write(scratch.path().join("empty.proto"), "").expect("write");
    std::fs::write(scratch.path().join("comment_only.proto"), "// nothing\n  ").expect("write");
    let roots = [scratch.path().to_owned(), protoc_include()];
    compared += assert_source_info_as_protoc(
        &roots,
        &[
            "quirks.proto",
            "p3.proto",
            "e24.proto",
            "crlf.proto",
            "empty.proto",
            "comment_only.proto",
        ],
    );
    for name in fixture_names() {
        compared += assert_source_info_as_protoc(&[fixtures(), protoc_include()], &[&name]);
    }
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/node_modules/google-proto-files");
    // A larger slice with PROTOFORGE_GOOGLEAPIS=1 (about a minute).
    let mut dirs = vec![
        "google/api",
        "google/rpc",
        "google/type",
        "google/longrunning",
    ];
    if std::env::var_os("PROTOFORGE_GOOGLEAPIS").is_some() {
        dirs.extend([
            "google/pubsub/v1",
            "google/storage/v2",
            "google/spanner/v1",
            "google/bigtable/v2",
            "google/firestore/v1",
            "google/logging/v2",
            "google/cloud/compute/v1",
            "google/cloud/aiplatform/v1",
            "google/cloud/dialogflow/cx/v3",
            "google/ads/googleads/v21/services",
        ]);
    }
    if corpus.exists() {
        for dir in dirs {
            let files = proto_files_in(&corpus, dir);
            let args: Vec<&str> = files.iter().map(String::as_str).collect();
            compared += assert_source_info_as_protoc(std::slice::from_ref(&corpus), &args);
        }
    }
    eprintln!("source info: {compared} files as protoc 35 writes it");
    assert!(compared > 0);
}

/// Cases for source info beyond the fixtures: every statement of proto2,
/// proto3 and 2024 with the parser's quirks (groups, `json_name`, negative
/// and `max` ranges, `-inf`, integers out of range, extension range options
/// over several ranges, repeated custom options), and comments in the
/// places protoc's tokenizer treats apart (same line as the next token,
/// block comments over lines, before `}`, at the end of the file), tabs.
const SOURCE_INFO_CASES: &[(&str, &str)] = &[
    (
        "opts.proto",
        r#"syntax = "proto2";
package q;
import "google/protobuf/descriptor.proto";
message Inner { optional int64 x = 1; repeated int32 r = 2; }
extend google.protobuf.MessageOptions {
  optional Inner mo = 50001;
  optional Inner mo2 = 50002;
  optional uint64 mo3 = 50003;
  optional double mo4 = 50004;
  repeated string mrep = 50005;
}
extend google.protobuf.FieldOptions { optional bool fo = 50001; repeated int32 frep = 50002; }
extend google.protobuf.OneofOptions { optional int32 oo = 50001; }
extend google.protobuf.ExtensionRangeOptions { optional string ero = 50001; optional int32 ero2 = 50002; }
extend google.protobuf.EnumValueOptions { optional bool evo = 50001; }
extend google.protobuf.EnumOptions { optional bool eo = 50001; }
extend google.protobuf.ServiceOptions { optional bool so = 50001; }
extend google.protobuf.MethodOptions { optional bool mto = 50001; }
extend google.protobuf.FileOptions { optional string fio = 50001; }
"#,
    ),
    (
        "quirks.proto",
        r#"// detached at top

// leading syntax
syntax = "proto2"; // trailing syntax
/* block before package */
package q.r;
import public "opts.proto";
import weak "weak.proto";
option java_package = "x"; /* t */ option java_outer_classname = "Y";
option (q.fio) = "f";

/**
 * Doc with stars
 *   indented
 */
message M {  // trailing on brace
  // leading field
  optional int32 a = 1 [default = -5, json_name = "aa", deprecated = true, (q.frep) = 1, (q.fo) = true, (q.frep) = 2]; // trailing
  // detached in body

  required string b = 2 [default = "x" "y"];
	optional double c = 3 [default = -inf];
  repeated group G = 4 [deprecated = true] { // group trailing
    optional int32 x = 1;
  }
  map<string, M> mp = 5;
  oneof o {
    // in oneof
    int32 d = 6;
    group OG = 7 { optional int32 y = 1; }
    option (q.oo) = 1;
  }
  extensions 100 to 199, 300 [(q.ero) = "v", (q.ero2) = 2];
  extensions 1000 to max;
  reserved 10, 20 to 30;
  reserved "foo", "bar";
  extend M { optional int32 ext = 101; optional group EG = 102 { optional int32 z = 1; } }
  message N { }
  enum E { option allow_alias = true; E0 = 0; E1 = -1 [(q.evo) = true]; reserved -5; reserved -10 to -8, 100 to max; reserved "Z"; E2 = -1; option (q.eo) = true; }
  ;
  option (q.mo) = { x: 1 r: [1,2] };
  option (q.mo2).x = -9223372036854775808;
  option (q.mo3) = 18446744073709551615;
  option (q.mo4) = -inf;
  option (q.mrep) = "a"; option (q.mrep) = "b";
  // before close
}
service S { option (q.so) = true;
  rpc A(stream M) returns (stream .q.r.M);
  rpc B(M) returns (M) { option (q.mto) = true; ; option deprecated = true; }
  /* c1 */ rpc C(M) returns (M); /* c2
 more */ rpc D(M) returns (M);
}
extend M { optional string top = 103; }
// eof comment
"#,
    ),
    (
        "weak.proto",
        r#"syntax = "proto2";
package w;
"#,
    ),
    (
        "p3.proto",
        r#"syntax = "proto3";

package p3;

// M
message M {
  optional int32 a = 1; // a
  string b = 2;
  /* lone */ int32 c = 3;
  int32 d = 4; /* trailing
  two lines */ int32 e = 5;
}
"#,
    ),
    (
        "e24.proto",
        r#"edition = "2024";
// leading package
package e24;
import option "google/protobuf/cpp_features.proto";
option features.field_presence = IMPLICIT;
option features.enum_type = OPEN;

export message Top {
  local message Hidden { int32 x = 1 [features.field_presence = EXPLICIT]; }
  reserved foo, bar;
  Hidden h = 1 [features.message_encoding = DELIMITED];
  map<string, int32> m = 2 [features.utf8_validation = NONE];
  string s = 3 [features.(pb.cpp).string_type = VIEW];
}
local enum E {
  option features.enum_type = CLOSED;
  E0 = 0;
  reserved E9, E10;
}
"#,
    ),
];

/// Compares the source info of every file protoc compiles for `args`
/// (imports included); returns how many files.
fn assert_source_info_as_protoc(roots: &[PathBuf], args: &[&str]) -> usize {
    let mut protoc_args = vec![
        "--include_imports",
        "--include_source_info",
        "--retain_options",
    ];
    protoc_args.extend(args);
    let set = FileDescriptorSet::decode(protoc_with_roots(roots, &protoc_args).as_slice())
        .expect("decodes");
    for file in &set.file {
        let path = roots
            .iter()
            .map(|root| root.join(file.name()))
            .find(|path| path.exists())
            .expect("the source of each file");
        let source = std::fs::read_to_string(path).expect("read");
        let parsed = syntax::parse(&source).expect("parses");
        let mut ours = lower::lower(&parsed, file.name())
            .expect("lowers")
            .descriptor
            .source_code_info
            .expect("source info");
        let theirs = file.source_code_info.clone().expect("protoc's source info");
        let moves = option_moves_read_off(&ours, &theirs);
        lower::apply_interpreted_options(&mut ours, &moves);
        if let Some(at) = (0..ours.location.len().max(theirs.location.len()))
            .find(|&i| ours.location.get(i) != theirs.location.get(i))
        {
            let window = |info: &descriptor::SourceCodeInfo| {
                info.location[at.saturating_sub(2)..(at + 3).min(info.location.len())]
                    .iter()
                    .map(|l| {
                        format!(
                            "{:?} {:?} {:?} {:?} {:?}",
                            l.path,
                            l.span,
                            l.leading_comments,
                            l.trailing_comments,
                            l.leading_detached_comments
                        )
                    })
                    .collect::<Vec<_>>()
            };
            panic!(
                "{}: location {at} differs\nours:   {:#?}\nprotoc: {:#?}",
                file.name(),
                window(&ours),
                window(&theirs)
            );
        }
    }
    set.file.len()
}

/// For each of our option locations (`<options>.999.<i>`), the path of
/// protoc's location under the same options path with the same span.
fn option_moves_read_off(
    ours: &descriptor::SourceCodeInfo,
    theirs: &descriptor::SourceCodeInfo,
) -> Vec<(Vec<i32>, Vec<i32>)> {
    let mut by_span: std::collections::HashMap<&[i32], std::collections::VecDeque<&[i32]>> =
        std::collections::HashMap::new();
    for location in &theirs.location {
        by_span
            .entry(location.span.as_slice())
            .or_default()
            .push_back(location.path.as_slice());
    }
    let mut moves = Vec::new();
    for location in &ours.location {
        let n = location.path.len();
        if n < 3 || location.path[n - 2] != 999 {
            continue;
        }
        let options = &location.path[..n - 2];
        let Some(candidates) = by_span.get_mut(location.span.as_slice()) else {
            continue;
        };
        let found = candidates.iter().position(|path| {
            path.len() > options.len() && path.starts_with(options) && path[options.len()] != 999
        });
        if let Some(found) = found.and_then(|at| candidates.remove(at)) {
            moves.push((location.path.clone(), found.to_vec()));
        }
    }
    moves
}
