//! The differential harness of the front end ([`Compiler::compile`])
//! against protoc 35. Run by `bench/frontend-diff.sh`; skipped unless
//! `PROTOFORGE_FRONTEND_DIFF=1` (it compiles the whole googleapis corpus
//! twice, and protoc 35 as often).
//!
//! Four comparisons, each printing its counts:
//! - googleapis proper (`PROTOFORGE_GOOGLEAPIS_TREE`, a tree without
//!   `google/protobuf`), directory by directory: descriptor sets of the
//!   inputs with source info, then of the inputs and their imports (the
//!   well-known types protoc 35 ships included);
//! - the editions fixtures (`codegen/tests/editions`) equal to protoc 35's;
//! - protobuf's own sources (`google/protobuf/**` of the corpus,
//!   `PROTOFORGE_CORPUS`): every file protoc 35 compiles equal to its output,
//!   every file it refuses refused;
//! - malformed files ([`MALFORMED`] and the files of
//!   `codegen/tests/frontend_diff/malformed/`, one per protoc error): refused
//!   by both, ours with protoc's first message at protoc's line:col (the
//!   cases located elsewhere are printed), and with the same errors whether
//!   it records source info or not.
//!
//! Descriptors are compared byte for byte, options included, with source
//! locations order-normalised; source info is compared when asked for.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

use prost::Message;
use protoforge_codegen::{
    Compiler,
    compile::descriptor::{FileDescriptorProto, FileDescriptorSet},
};

#[path = "common/protoc35.rs"]
#[allow(dead_code)]
mod protoc35;
use protoc35::python;

fn enabled() -> bool {
    std::env::var_os("PROTOFORGE_FRONTEND_DIFF").is_some_and(|v| v == "1")
}

/// What is compared of a file: all of it, its source locations in a fixed
/// order (as bench/conformance.sh compares), source info only when
/// `source_info`.
fn normalized(mut file: FileDescriptorProto, source_info: bool) -> Vec<u8> {
    if !source_info {
        file.source_code_info = None;
    } else if let Some(info) = &mut file.source_code_info {
        info.location.sort_by(|a, b| {
            (&a.path, &a.span, &a.leading_comments).cmp(&(&b.path, &b.span, &b.leading_comments))
        });
    }
    file.encode_to_vec()
}

/// Per file name, its normalized descriptor.
fn files(set: &FileDescriptorSet, source_info: bool) -> BTreeMap<String, Vec<u8>> {
    set.file
        .iter()
        .map(|file| {
            (
                file.name().to_owned(),
                normalized(file.clone(), source_info),
            )
        })
        .collect()
}

/// Tallies of one comparison.
#[derive(Default)]
struct Tally {
    identical: usize,
    different: Vec<String>,
    only_reference_accepts: Vec<String>,
    only_ours_accepts: Vec<String>,
    both_refuse: usize,
}

impl Tally {
    fn compare(
        &mut self,
        what: &str,
        reference: Option<BTreeMap<String, Vec<u8>>>,
        ours: Result<BTreeMap<String, Vec<u8>>, String>,
        count: usize,
    ) {
        match (reference, ours) {
            (Some(reference), Ok(ours)) => {
                for (name, bytes) in &reference {
                    match ours.get(name) {
                        Some(theirs) if theirs == bytes => self.identical += 1,
                        Some(_) => self.different.push(name.clone()),
                        None => self.different.push(format!("{name} (missing)")),
                    }
                }
            }
            (Some(_), Err(err)) => self
                .only_reference_accepts
                .push(format!("{what}: {}", err.lines().next().unwrap_or(""))),
            (None, Ok(_)) => self.only_ours_accepts.push(what.to_owned()),
            (None, Err(_)) => self.both_refuse += count,
        }
    }

    fn print(&self, title: &str) {
        let total = self.identical + self.different.len();
        println!(
            "{title}: identical {}/{total}; different {}; only the reference accepts {}; only \
             ours accepts {}; both refuse {}",
            self.identical,
            self.different.len(),
            self.only_reference_accepts.len(),
            self.only_ours_accepts.len(),
            self.both_refuse
        );
        for line in self.different.iter().take(20) {
            println!("  different: {line}");
        }
        for line in self.only_reference_accepts.iter().take(20) {
            println!("  only the reference accepts: {line}");
        }
        for line in self.only_ours_accepts.iter().take(20) {
            println!("  only ours accepts: {line}");
        }
    }
}

fn ours(
    root: &Path,
    inputs: &[PathBuf],
    imports: bool,
    source_info: bool,
) -> Result<FileDescriptorSet, String> {
    Compiler::new()
        .include(root)
        .include_imports(imports)
        .include_source_info(source_info)
        .compile(inputs)
        .map(|compiled| FileDescriptorSet::decode(compiled.encode().as_slice()).expect("decodes"))
        .map_err(|err| err.to_string())
}

fn has_source_info(set: &FileDescriptorSet) -> bool {
    set.file.iter().any(|f| f.source_code_info.is_some())
}

/// Runs protoc 35 below `root` on `inputs`; its set, or `None` when it
/// refuses them.
fn protoc(
    root: &Path,
    inputs: &[PathBuf],
    imports: bool,
    source_info: bool,
) -> Option<FileDescriptorSet> {
    let scratch = tempfile::tempdir().expect("tempdir");
    let out = scratch.path().join("out.binpb");
    let mut command = Command::new(python());
    command.args(["-m", "grpc_tools.protoc"]);
    if source_info {
        command.arg("--include_source_info");
    }
    command.arg(format!("-I{}", root.display()));
    if imports {
        command.arg("--include_imports");
    }
    let output = command
        .arg(format!("--descriptor_set_out={}", out.display()))
        .args(inputs)
        .output()
        .expect("protoc runs (set PROTOFORGE_PYTHON to a Python with grpcio-tools)");
    if !output.status.success() {
        return None;
    }
    Some(
        FileDescriptorSet::decode(std::fs::read(out).expect("output").as_slice()).expect("decodes"),
    )
}

fn protos_below(dir: &Path) -> Vec<PathBuf> {
    protoforge_codegen::walk::protos_below(dir)
        .expect("a readable tree")
        .into_iter()
        .map(|(_, path)| path)
        .collect()
}

#[test]
fn googleapis_against_protoc_35() {
    if !enabled() {
        return;
    }
    let tree = PathBuf::from(
        std::env::var("PROTOFORGE_GOOGLEAPIS_TREE").expect("PROTOFORGE_GOOGLEAPIS_TREE"),
    );
    let mut by_dir: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for file in protos_below(&tree) {
        let relative = file.strip_prefix(&tree).expect("below").to_owned();
        by_dir
            .entry(relative.parent().expect("parent").to_owned())
            .or_default()
            .push(file);
    }
    let mut inputs_only = Tally::default();
    let mut with_imports = Tally::default();
    for (dir, files) in &by_dir {
        let what = dir.display().to_string();
        inputs_only.compare(
            &what,
            protoc(&tree, files, false, true).map(|set| self::files(&set, true)),
            ours(&tree, files, false, true).map(|set| self::files(&set, true)),
            files.len(),
        );
        with_imports.compare(
            &what,
            protoc(&tree, files, true, false).map(|set| self::files(&set, false)),
            ours(&tree, files, true, false).map(|set| self::files(&set, false)),
            files.len(),
        );
    }
    println!(
        "compared: every byte of every descriptor, options included; source info \
         order-normalised"
    );
    inputs_only.print("googleapis, inputs, --include_source_info, against protoc 35");
    with_imports.print("googleapis, --include_imports, against protoc 35");
    for tally in [&inputs_only, &with_imports] {
        assert!(
            tally.different.is_empty()
                && tally.only_reference_accepts.is_empty()
                && tally.only_ours_accepts.is_empty(),
            "protoforge differs from protoc 35 on googleapis"
        );
    }
}

#[test]
fn fixtures_and_protobufs_own_sources_against_protoc_35() {
    if !enabled() {
        return;
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editions");
    let mut tally = Tally::default();
    for file in protos_below(&fixtures) {
        let what = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let reference = protoc(&fixtures, std::slice::from_ref(&file), true, true);
        let mine = ours(&fixtures, std::slice::from_ref(&file), true, true);
        let info = mine.as_ref().is_ok_and(has_source_info);
        tally.compare(
            &what,
            reference.map(|set| files(&set, info)),
            mine.map(|set| files(&set, info)),
            1,
        );
    }
    tally.print("editions fixtures against protoc 35 (with imports)");
    let fixtures_ok = tally.different.is_empty()
        && tally.only_reference_accepts.is_empty()
        && tally.only_ours_accepts.is_empty();

    let corpus = PathBuf::from(std::env::var("PROTOFORGE_CORPUS").expect("PROTOFORGE_CORPUS"));
    let mut tally = Tally::default();
    for file in protos_below(&corpus.join("google/protobuf")) {
        let what = file
            .strip_prefix(&corpus)
            .expect("below")
            .display()
            .to_string();
        let reference = protoc(&corpus, std::slice::from_ref(&file), false, true);
        let mine = ours(&corpus, std::slice::from_ref(&file), false, true);
        let info = mine.as_ref().is_ok_and(has_source_info);
        tally.compare(
            &what,
            reference.map(|set| files(&set, info)),
            mine.map(|set| files(&set, info)),
            1,
        );
    }
    tally.print("protobuf's own sources (google/protobuf/**) against protoc 35");
    assert!(fixtures_ok, "the fixtures differ from protoc 35's output");
}

/// Malformed files: (name, source). Each is refused by protoc 35; ours must
/// refuse it too, with a location, and is counted when its first message is
/// protoc's.
const MALFORMED: &[(&str, &str)] = &[
    (
        "dup_message.proto",
        "syntax = \"proto3\";\npackage p;\nmessage A {}\nmessage A {}\n",
    ),
    (
        "dup_nested.proto",
        "syntax = \"proto3\";\npackage p;\nmessage A { message B {} enum B { X = 0; } }\n",
    ),
    (
        "dup_field.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  int32 x = 2;\n}\n",
    ),
    (
        "dup_number.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  int32 y = 1;\n}\n",
    ),
    (
        "reserved_number.proto",
        "syntax = \"proto3\";\nmessage A {\n  reserved 2, 5 to 7;\n  int32 x = 6;\n}\n",
    ),
    (
        "reserved_name.proto",
        "syntax = \"proto3\";\nmessage A {\n  reserved \"x\";\n  int32 x = 6;\n}\n",
    ),
    (
        "number_too_big.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 x = 536870912;\n}\n",
    ),
    (
        "number_zero.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 x = 0;\n}\n",
    ),
    (
        "number_19000.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 x = 19001;\n}\n",
    ),
    (
        "extension_ranges_overlap.proto",
        "syntax = \"proto2\";\nmessage A {\n  extensions 10 to 20;\n  extensions 15 to 30;\n}\n",
    ),
    (
        "extension_range_reserved.proto",
        "syntax = \"proto2\";\nmessage A {\n  extensions 10 to 20;\n  reserved 15;\n}\n",
    ),
    (
        "reserved_overlap.proto",
        "syntax = \"proto2\";\nmessage A {\n  reserved 10 to 20;\n  reserved 15;\n}\n",
    ),
    (
        "extension_range_field.proto",
        "syntax = \"proto2\";\nmessage A {\n  extensions 10 to 20;\n  optional int32 x = 12;\n}\n",
    ),
    (
        "extension_outside.proto",
        "syntax = \"proto2\";\nmessage A {\n  extensions 10 to 20;\n}\nextend A {\n  optional int32 y = 30;\n}\n",
    ),
    (
        "extension_twice.proto",
        "syntax = \"proto2\";\nmessage A {\n  extensions 10 to 20;\n}\nextend A {\n  optional int32 y = 11;\n  optional int32 z = 11;\n}\n",
    ),
    (
        "proto3_required.proto",
        "syntax = \"proto3\";\nmessage A {\n  required int32 x = 1;\n}\n",
    ),
    (
        "proto3_group.proto",
        "syntax = \"proto3\";\nmessage A {\n  optional group G = 1 {}\n}\n",
    ),
    (
        "proto3_enum_first.proto",
        "syntax = \"proto3\";\nenum E {\n  A = 1;\n}\n",
    ),
    (
        "proto3_default.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 x = 1 [default = 3];\n}\n",
    ),
    (
        "proto3_extension_range.proto",
        "syntax = \"proto3\";\nmessage A {\n  extensions 10 to 20;\n}\n",
    ),
    (
        "enum_alias.proto",
        "syntax = \"proto3\";\nenum E {\n  A = 0;\n  B = 0;\n}\n",
    ),
    (
        "enum_value_scope.proto",
        "syntax = \"proto3\";\nenum E {\n  A = 0;\n}\nenum F {\n  A = 0;\n}\n",
    ),
    (
        "enum_prefix.proto",
        "syntax = \"proto3\";\nenum FooBar {\n  FOO_BAR_BAZ = 0;\n  BAZ = 1;\n}\n",
    ),
    (
        "enum_reserved_number.proto",
        "syntax = \"proto3\";\nenum E {\n  A = 0;\n  B = 2;\n  reserved 2;\n}\n",
    ),
    (
        "enum_reserved_name.proto",
        "syntax = \"proto3\";\nenum E {\n  A = 0;\n  reserved \"A\";\n}\n",
    ),
    (
        "enum_reserved_overlap.proto",
        "syntax = \"proto3\";\nenum E {\n  A = 0;\n  reserved 1 to 5, 3;\n}\n",
    ),
    (
        "json_default.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 foo_bar = 1;\n  int32 fooBar = 2;\n}\n",
    ),
    (
        "json_custom.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 a = 1 [json_name = \"x\"];\n  int32 b = 2 [json_name = \"x\"];\n}\n",
    ),
    (
        "packed_string.proto",
        "syntax = \"proto2\";\nmessage A {\n  repeated string s = 1 [packed = true];\n}\n",
    ),
    (
        "packed_singular.proto",
        "syntax = \"proto2\";\nmessage A {\n  optional int32 s = 1 [packed = true];\n}\n",
    ),
    (
        "message_set_field.proto",
        "syntax = \"proto2\";\nmessage A {\n  option message_set_wire_format = true;\n  optional int32 x = 1;\n  extensions 4 to max;\n}\n",
    ),
    (
        "message_set_extension.proto",
        "syntax = \"proto2\";\nmessage A {\n  option message_set_wire_format = true;\n  extensions 4 to max;\n}\nextend A {\n  optional int32 y = 5;\n}\n",
    ),
    (
        "map_key.proto",
        "syntax = \"proto3\";\nmessage A {\n  map<float, int32> m = 1;\n}\n",
    ),
    (
        "map_oneof.proto",
        "syntax = \"proto3\";\nmessage A {\n  oneof o {\n    map<int32, int32> m = 1;\n  }\n}\n",
    ),
    (
        "oneof_label.proto",
        "syntax = \"proto3\";\nmessage A {\n  oneof o {\n    repeated int32 x = 1;\n  }\n}\n",
    ),
    (
        "weak_2024.proto",
        "edition = \"2024\";\nimport weak \"google/protobuf/empty.proto\";\n",
    ),
    (
        "strict_export.proto",
        "edition = \"2024\";\noption features.default_symbol_visibility = STRICT;\nmessage A {\n  export message B {}\n}\n",
    ),
    (
        "unknown_import.proto",
        "syntax = \"proto3\";\nimport \"nope.proto\";\n",
    ),
    (
        "unknown_type.proto",
        "syntax = \"proto3\";\nmessage A {\n  Nope x = 1;\n}\n",
    ),
    (
        "field_and_message.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 B = 1;\n  message B {}\n}\n",
    ),
    (
        "extend_enum.proto",
        "syntax = \"proto2\";\nenum E { X = 0; }\nextend E {\n  optional int32 y = 1;\n}\n",
    ),
    (
        "import_twice.proto",
        "syntax = \"proto3\";\nimport \"google/protobuf/empty.proto\";\nimport \"google/protobuf/empty.proto\";\n",
    ),
    (
        "required_extension.proto",
        "syntax = \"proto2\";\nmessage A { extensions 1 to 10; }\nextend A {\n  required int32 y = 1;\n}\n",
    ),
    (
        "lazy_scalar.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 x = 1 [lazy = true];\n}\n",
    ),
    (
        "service_method_twice.proto",
        "syntax = \"proto3\";\nmessage A {}\nservice S {\n  rpc M(A) returns (A);\n  rpc M(A) returns (A);\n}\n",
    ),
    (
        "oneof_and_field.proto",
        "syntax = \"proto3\";\nmessage A {\n  oneof x { int32 y = 1; }\n  int32 x = 2;\n}\n",
    ),
    ("edition_unknown.proto", "edition = \"2022\";\n"),
    (
        "features_in_proto3.proto",
        "syntax = \"proto3\";\noption features.field_presence = EXPLICIT;\n",
    ),
    (
        "syntax_error.proto",
        "syntax = \"proto3\";\nmessage A {\n  int32 x = 1\n}\n",
    ),
];

/// The malformed cases: [`MALFORMED`], then the files of
/// `codegen/tests/frontend_diff/malformed/` (`PROTOFORGE_MALFORMED_DIR`
/// instead when set): a `.proto` file is one case, a directory is a case
/// whose input is its `main.proto`, beside the files it imports. Each as
/// (name, include directory, input file).
fn malformed_cases(scratch: &Path) -> Vec<(String, PathBuf, PathBuf)> {
    let mut cases = Vec::new();
    for (name, source) in MALFORMED {
        let dir = scratch.join(name.trim_end_matches(".proto"));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join(name);
        std::fs::write(&file, source).expect("write");
        cases.push(((*name).to_owned(), dir, file));
    }
    let fixtures = std::env::var_os("PROTOFORGE_MALFORMED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/frontend_diff/malformed")
        });
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if entry.is_dir() {
            cases.push((name, entry.clone(), entry.join("main.proto")));
        } else if name.ends_with(".proto") {
            let dir = entry.parent().expect("in a directory").to_owned();
            cases.push((name, dir, entry));
        }
    }
    cases
}

/// The line and column of a protoc message (`file:line:col: message`).
fn protoc_line_col(line: &str) -> Option<(usize, usize)> {
    let mut parts = line.splitn(4, ':');
    let (_, line, column) = (parts.next()?, parts.next()?, parts.next()?);
    Some((line.parse().ok()?, column.parse().ok()?))
}

#[test]
fn malformed_files_are_refused_as_protoc_35_refuses_them() {
    if !enabled() {
        return;
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let cases = malformed_cases(scratch.path());
    let (mut refused, mut located, mut same_message, mut same_place) = (0, 0, 0, 0);
    let mut accepted = Vec::new();
    let mut misplaced = Vec::new();
    let mut otherwise_with_source_info = Vec::new();
    for (name, dir, file) in &cases {
        let output = Command::new(python())
            .args(["-m", "grpc_tools.protoc", "-o", "/dev/null"])
            .arg(format!("-I{}", dir.display()))
            .arg(file)
            .output()
            .expect("protoc runs");
        assert!(!output.status.success(), "protoc 35 accepts {name}");
        let protoc_first = String::from_utf8_lossy(&output.stderr)
            .lines()
            .find(|l| !l.contains("warning"))
            .unwrap_or("")
            .to_owned();
        let ours = Compiler::new().include(dir).compile(&[file]);
        // Without source info, a problem's file has it built again to
        // locate the problem: the same text and places as with it.
        let with_source_info = Compiler::new()
            .include(dir)
            .include_source_info(true)
            .compile(&[file]);
        if ours.as_ref().err().map(ToString::to_string)
            != with_source_info.as_ref().err().map(ToString::to_string)
        {
            println!(
                "  {name}: without source info: {:?}\n  {name}: with it:             {:?}",
                ours.as_ref().err().map(ToString::to_string),
                with_source_info.as_ref().err().map(ToString::to_string)
            );
            otherwise_with_source_info.push(name.clone());
        }
        match ours {
            Ok(_) => {
                println!("  {name}: protoc: {protoc_first}\n  {name}: ours accepts it");
                accepted.push(name.clone());
            }
            Err(err) => {
                refused += 1;
                let first = &err.diagnostics()[0];
                if first.start.is_some() {
                    located += 1;
                }
                let ours_at = first.start.map(|at| (at.line, at.column));
                if protoc_line_col(&protoc_first) == ours_at {
                    same_place += 1;
                } else {
                    println!(
                        "  {name}: protoc at {:?}, ours at {ours_at:?}",
                        protoc_line_col(&protoc_first)
                    );
                    misplaced.push(name.clone());
                }
                if protoc_first.ends_with(&first.message) {
                    same_message += 1;
                } else {
                    println!("  {name}: protoc: {protoc_first}\n  {name}: ours:   {err}");
                }
            }
        }
    }
    println!(
        "malformed: {} cases; ours refuses {refused}, located (line:col) {located}, at protoc's \
         line:col {same_place}, with protoc's first message {same_message}; accepts {:?}; \
         elsewhere than protoc {:?}",
        cases.len(),
        accepted,
        misplaced
    );
    assert!(
        accepted.is_empty(),
        "the own front end accepts what protoc 35 refuses"
    );
    assert!(
        otherwise_with_source_info.is_empty(),
        "refused otherwise with source info: {otherwise_with_source_info:?}"
    );
}
