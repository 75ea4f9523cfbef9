//! The code protoforge generates from an editions schema encodes and
//! decodes as protoc's does, proven against protoc 35's Python code (stubs
//! from `python -m grpc_tools.protoc`): each case is built in both
//! languages; the bytes must be equal; Python reads Rust's bytes and checks
//! them field by field (presence included), and Rust reads Python's bytes
//! back into the same struct. Unset against default presence, implicit
//! presence, `LEGACY_REQUIRED`, delimited (group) encoding, packed and
//! expanded repeated fields, file-wide features of 2024, maps, oneofs, and
//! unknown values of closed and open enums.
//!
//! The Python interpreter is `$PROTOFORGE_PYTHON`, else `python3`; it must
//! have grpcio-tools (protoc 35) and protobuf.

use std::{
    collections::HashMap,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use prost::Message;
use protoforge_editions_example::proto::wire::v1::{
    Closed, Defaults, EchoRequest, Everything, Inner, Open, everything::Choice,
};

fn python() -> String {
    std::env::var("PROTOFORGE_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn proto_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("proto")
}

/// Runs protoc 35 (grpc_tools) in `proto/` with `args`.
fn protoc(args: &[&str]) {
    let output = Command::new(python())
        .args(["-m", "grpc_tools.protoc", "-I."])
        .args(args)
        .current_dir(proto_dir())
        .output()
        .unwrap_or_else(|err| panic!("{} does not run: {err}", python()));
    assert!(
        output.status.success(),
        "protoc (grpc_tools, via {}; pip install grpcio-tools or set PROTOFORGE_PYTHON): {}",
        python(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `proto/editions.binpb` is what protoc 35 writes for `proto/` now, and so
/// is what protoforge compiles from the same files (which `build.rs`
/// generates the code from).
#[test]
fn the_descriptor_set_is_protocs() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let out = scratch.path().join("editions.binpb");
    protoc(&[
        "--include_imports",
        "--include_source_info",
        &format!("--descriptor_set_out={}", out.display()),
        "echo.proto",
    ]);
    let fresh = std::fs::read(&out).expect("protoc's descriptor set");
    let committed = std::fs::read(proto_dir().join("editions.binpb")).expect("committed set");
    let ours = protoforge_codegen::Compiler::new()
        .include(proto_dir())
        .include_imports(true)
        .include_source_info(true)
        .compile(&[proto_dir().join("echo.proto")])
        .expect("protoforge compiles the editions schema");
    let ours = protoforge_codegen::compile::descriptor::FileDescriptorSet::decode(
        ours.encode().as_slice(),
    )
    .expect("decodes");
    let theirs =
        protoforge_codegen::compile::descriptor::FileDescriptorSet::decode(fresh.as_slice())
            .expect("decodes");
    assert_eq!(
        ours.file.iter().map(normalised).collect::<Vec<_>>(),
        theirs.file.iter().map(normalised).collect::<Vec<_>>(),
        "protoforge's descriptor set differs from protoc 35's"
    );
    assert!(
        fresh == committed,
        "proto/editions.binpb is stale: run `{} -m grpc_tools.protoc -I. --include_imports \
         --include_source_info --descriptor_set_out=editions.binpb echo.proto` in {}",
        python(),
        proto_dir().display()
    );
}

/// Python's side: each case built with protoc's code; for each line `case
/// hex` (Rust's bytes), Python parses them, compares them field by field
/// with its own message, and prints `case python-hex reserialized-hex`.
const PYTHON: &str = r#"
import sys, binascii
sys.path.insert(0, sys.argv[1])
import wire_pb2, echo_pb2
from google.protobuf import unknown_fields

def everything_set():
    m = wire_pb2.Everything()
    m.explicit_int = 7
    m.implicit_int = -3
    m.explicit_string = "\u00fcn\u00ef"
    m.implicit_string = "x"
    m.required_int = 42
    m.closed = wire_pb2.CLOSED_TWO
    m.open = wire_pb2.OPEN_ONE
    m.delimited.value = 1
    m.delimited.note = "d"
    m.prefixed.value = 2
    m.packed_ints.extend([1, -1, 300])
    m.expanded_ints.extend([4, 5])
    m.packed_enums.extend([wire_pb2.CLOSED_ONE, wire_pb2.CLOSED_TWO])
    m.expanded_enums.extend([wire_pb2.CLOSED_TWO, wire_pb2.CLOSED_ONE])
    m.delimited_list.add().value = 3
    m.delimited_list.add().note = "n"
    m.counts["k"] = 9
    m.unchecked = "plain"
    m.explicit_double = -1.5
    m.explicit_bool = True
    m.explicit_bytes = b"\x00\xff"
    m.implicit_sint = -77
    m.closed_with_default = wire_pb2.CLOSED_ONE
    m.choice_inner.value = 5
    return m

def everything_defaults():
    # Explicit presence set to the default: on the wire. Implicit: not.
    m = wire_pb2.Everything()
    m.explicit_int = 0
    m.implicit_int = 0
    m.explicit_string = ""
    m.required_int = 0
    m.closed = wire_pb2.CLOSED_ONE
    m.delimited.SetInParent()
    m.prefixed.SetInParent()
    m.explicit_double = 0.0
    m.explicit_bool = False
    m.explicit_bytes = b""
    m.closed_with_default = wire_pb2.CLOSED_TWO
    m.choice_int = 0
    return m

def everything_unset():
    m = wire_pb2.Everything()
    m.required_int = 0
    return m

def defaults_set():
    m = echo_pb2.Defaults()
    m.count = 3
    m.name = "n"
    m.values.extend([1, 2, 3])
    m.inner.value = 4
    m.present = 5
    m.packed.extend([-1, 1])
    m.by_id[1].note = "one"
    return m

def defaults_zero():
    m = echo_pb2.Defaults()
    m.count = 0
    m.inner.SetInParent()
    m.present = 0
    return m

def echo():
    m = echo_pb2.EchoRequest()
    m.everything.CopyFrom(everything_set())
    m.defaults.CopyFrom(defaults_set())
    return m

def open_unknown():
    m = wire_pb2.Everything()
    m.required_int = 1
    m.open = 5
    return m

CASES = {
    "everything_set": everything_set,
    "everything_defaults": everything_defaults,
    "everything_unset": everything_unset,
    "defaults_set": defaults_set,
    "defaults_zero": defaults_zero,
    "echo": echo,
    "open_unknown": open_unknown,
}

def compare(expected, got, path):
    for field in expected.DESCRIPTOR.fields:
        name = path + field.name
        if field.has_presence and expected.HasField(field.name) != got.HasField(field.name):
            raise SystemExit("%s: presence %s in Python, %s from Rust" % (name, expected.HasField(field.name), got.HasField(field.name)))
        e, g = getattr(expected, field.name), getattr(got, field.name)
        if field.message_type is not None and not field.message_type.GetOptions().map_entry and not field.is_repeated:
            compare(e, g, name + ".")
        elif e != g:
            raise SystemExit("%s: %r in Python, %r from Rust" % (name, e, g))
    if len(unknown_fields.UnknownFieldSet(got)) != 0:
        raise SystemExit("%s: unknown fields from Rust" % path)

for line in sys.stdin:
    case, data = line.split()
    data = binascii.unhexlify(data)
    if case == "closed_unknown":
        # A number outside a closed enum is an unknown field to protoc's code.
        got = wire_pb2.Everything.FromString(data)
        assert not got.HasField("closed"), "closed"
        assert list(got.packed_enums) == [1, 2], list(got.packed_enums)
        unknown = sorted((f.field_number, f.data) for f in unknown_fields.UnknownFieldSet(got))
        assert unknown == [(6, 7), (12, 7)], unknown
        print(case, "-", got.SerializeToString().hex())
        continue
    expected = CASES[case]()
    got = type(expected).FromString(data)
    compare(expected, got, case + ".")
    print(case, expected.SerializeToString().hex(), got.SerializeToString().hex())
"#;

fn everything_set() -> Everything {
    Everything {
        explicit_int: Some(7),
        implicit_int: -3,
        explicit_string: Some("ünï".to_owned()),
        implicit_string: "x".to_owned(),
        required_int: 42,
        closed: Some(Closed::Two as i32),
        open: Open::One as i32,
        delimited: Some(Inner {
            value: Some(1),
            note: Some("d".to_owned()),
        }),
        prefixed: Some(Inner {
            value: Some(2),
            note: None,
        }),
        packed_ints: vec![1, -1, 300],
        expanded_ints: vec![4, 5],
        packed_enums: vec![Closed::One as i32, Closed::Two as i32],
        expanded_enums: vec![Closed::Two as i32, Closed::One as i32],
        delimited_list: vec![
            Inner {
                value: Some(3),
                note: None,
            },
            Inner {
                value: None,
                note: Some("n".to_owned()),
            },
        ],
        counts: HashMap::from([("k".to_owned(), 9)]),
        unchecked: Some("plain".to_owned()),
        explicit_double: Some(-1.5),
        explicit_bool: Some(true),
        explicit_bytes: Some(vec![0, 0xff]),
        implicit_sint: -77,
        closed_with_default: Some(Closed::One as i32),
        choice: Some(Choice::ChoiceInner(Inner {
            value: Some(5),
            note: None,
        })),
    }
}

fn everything_defaults() -> Everything {
    Everything {
        explicit_int: Some(0),
        explicit_string: Some(String::new()),
        required_int: 0,
        closed: Some(Closed::One as i32),
        delimited: Some(Inner::default()),
        prefixed: Some(Inner::default()),
        explicit_double: Some(0.0),
        explicit_bool: Some(false),
        explicit_bytes: Some(Vec::new()),
        closed_with_default: Some(Closed::Two as i32),
        choice: Some(Choice::ChoiceInt(0)),
        ..Everything::default()
    }
}

fn defaults_set() -> Defaults {
    Defaults {
        count: 3,
        name: "n".to_owned(),
        values: vec![1, 2, 3],
        inner: Some(Inner {
            value: Some(4),
            note: None,
        }),
        present: Some(5),
        packed: vec![-1, 1],
        by_id: HashMap::from([(
            1,
            Inner {
                value: None,
                note: Some("one".to_owned()),
            },
        )]),
    }
}

/// A message of one of the fixture's types, as Rust and Python build it.
#[derive(Debug, PartialEq)]
enum Case {
    Everything(Everything),
    Defaults(Defaults),
    Echo(EchoRequest),
}

impl Case {
    fn encode(&self) -> Vec<u8> {
        match self {
            Case::Everything(m) => m.encode_to_vec(),
            Case::Defaults(m) => m.encode_to_vec(),
            Case::Echo(m) => m.encode_to_vec(),
        }
    }

    /// `bytes` read as the same type.
    fn decode_like(&self, bytes: &[u8]) -> Case {
        match self {
            Case::Everything(_) => Case::Everything(Everything::decode(bytes).expect("decodes")),
            Case::Defaults(_) => Case::Defaults(Defaults::decode(bytes).expect("decodes")),
            Case::Echo(_) => Case::Echo(EchoRequest::decode(bytes).expect("decodes")),
        }
    }
}

fn cases() -> Vec<(&'static str, Case)> {
    vec![
        ("everything_set", Case::Everything(everything_set())),
        (
            "everything_defaults",
            Case::Everything(everything_defaults()),
        ),
        (
            "everything_unset",
            Case::Everything(Everything {
                required_int: 0,
                ..Everything::default()
            }),
        ),
        ("defaults_set", Case::Defaults(defaults_set())),
        (
            "defaults_zero",
            Case::Defaults(Defaults {
                inner: Some(Inner::default()),
                present: Some(0),
                ..Defaults::default()
            }),
        ),
        (
            "echo",
            Case::Echo(EchoRequest {
                everything: Some(everything_set()),
                defaults: Some(defaults_set()),
            }),
        ),
        (
            "open_unknown",
            Case::Everything(Everything {
                required_int: 1,
                open: 5,
                ..Everything::default()
            }),
        ),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Runs the Python side on `lines` (`case hex`), with stubs protoc 35
/// generates from `proto/`; its output lines.
fn run_python(lines: &str) -> Vec<String> {
    let stubs = tempfile::tempdir().expect("tempdir");
    protoc(&[
        &format!("--python_out={}", stubs.path().display()),
        "wire.proto",
        "echo.proto",
    ]);
    let mut child = Command::new(python())
        .args(["-c", PYTHON])
        .arg(stubs.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(lines.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("python ends");
    assert!(
        output.status.success(),
        "Python disagrees: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn rust_and_protocs_python_agree_on_the_wire() {
    let cases = cases();
    let mut lines: String = cases
        .iter()
        .map(|(name, case)| format!("{name} {}\n", hex(&case.encode())))
        .collect();
    // A closed enum's unknown number (field 6 = 7, and 7 among the packed
    // enums of field 12), as Rust writes it.
    let closed_unknown = Everything {
        required_int: 1,
        closed: Some(7),
        packed_enums: vec![1, 7, 2],
        ..Everything::default()
    };
    lines.push_str(&format!(
        "closed_unknown {}\n",
        hex(&closed_unknown.encode_to_vec())
    ));
    let output = run_python(&lines);
    assert_eq!(output.len(), cases.len() + 1, "{output:?}");
    for ((name, case), line) in cases.iter().zip(&output) {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts[0], *name);
        // protoc's bytes are Rust's bytes.
        assert_eq!(
            parts[1],
            hex(&case.encode()),
            "{name}: Python's bytes differ"
        );
        // Rust reads protoc's bytes, and Python's re-encoding of Rust's,
        // into the same struct (presence included).
        assert_eq!(&case.decode_like(&unhex(parts[1])), case, "{name}");
        assert_eq!(&case.decode_like(&unhex(parts[2])), case, "{name}");
    }
    // protoc's code keeps the unknown closed numbers as unknown fields and
    // writes them back (after the known fields); prost, which has no
    // unknown-field set, keeps them in the field itself: the wire keeps
    // every number both ways.
    let line = output.last().expect("closed_unknown");
    let reencoded = unhex(line.split(' ').nth(2).expect("hex"));
    let back = Everything::decode(reencoded.as_slice()).expect("decodes");
    assert_eq!(back.closed, Some(7));
    assert_eq!(back.packed_enums, [1, 2, 7]);
}

/// A file's bytes with its source locations sorted: their order carries no
/// meaning.
fn normalised(file: &protoforge_codegen::compile::descriptor::FileDescriptorProto) -> Vec<u8> {
    let mut file = file.clone();
    if let Some(info) = &mut file.source_code_info {
        info.location.sort_by_key(prost::Message::encode_to_vec);
    }
    prost::Message::encode_to_vec(&file)
}
