//! Lowering against protox-parse, a second parser that writes protoc's
//! unlinked descriptors for proto2 and proto3: the same descriptor for
//! every file, and the same source info but where protox-parse departs from
//! protoc ([`protox_departs`]). (The linked output is compared with protoc
//! 35 itself in `codegen/tests/frontend_diff.rs`.)

use prost::Message;

use super::lower;
use crate::syntax;

/// Our unlinked descriptor and protox-parse's, both as encoded prost-types
/// (source info left out), or the first error.
fn both(name: &str, source: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let (ours, theirs) = both_with_source_info(name, source)?;
    Ok((ours.descriptor, theirs.descriptor))
}

/// A descriptor encoded without its source info, and the source info.
struct Parts {
    descriptor: Vec<u8>,
    source_info: prost_types::SourceCodeInfo,
}

/// Ours and protox-parse's, or the first error.
fn both_with_source_info(name: &str, source: &str) -> Result<(Parts, Parts), String> {
    let parsed = syntax::parse(source).map_err(|e| format!("syntax: {}", e.message))?;
    let mut ours = lower(&parsed, name)
        .map_err(|e| format!("lower: {}", e.message))?
        .descriptor;
    // protoc's parser gives a method with a body (`{}`) empty options;
    // protox-parse leaves them out.
    for method in ours.service.iter_mut().flat_map(|s| &mut s.method) {
        if method
            .options
            .as_ref()
            .is_some_and(|o| *o == Default::default())
        {
            method.options = None;
        }
    }
    let ours = prost_types::FileDescriptorProto::decode(ours.encode_to_vec().as_slice())
        .map_err(|e| e.to_string())?;
    let theirs =
        protox::file::File::from_source(name, source).map_err(|e| format!("protox: {e}"))?;
    let theirs = theirs.file_descriptor_proto().clone();
    let parts = |mut file: prost_types::FileDescriptorProto| Parts {
        source_info: file.source_code_info.take().unwrap_or_default(),
        descriptor: file.encode_to_vec(),
    };
    Ok((parts(ours), parts(theirs)))
}

fn assert_same(name: &str, source: &str) {
    let (ours, theirs) = both(name, source).expect("both parse");
    if ours != theirs {
        let ours = prost_types::FileDescriptorProto::decode(ours.as_slice()).expect("decode");
        let theirs = prost_types::FileDescriptorProto::decode(theirs.as_slice()).expect("decode");
        panic!("{name} differs:\nours:   {ours:#?}\ntheirs: {theirs:#?}");
    }
}

#[test]
fn proto2_and_proto3_as_protoc_parses_them() {
    assert_same(
        "p2.proto",
        r#"syntax = "proto2";
package a.b;
import "x.proto";
import public "y.proto";
import weak "z.proto";
option java_package = "com.x";
option (custom) = { a: 1 b: "s" c { d: [1, 2] } };
option (.fully.q).x.(y) = -5;
message M {
  optional int32 a = 1 [default = 0x10, json_name = "A"];
  required string b = 2 [default = "x\ny\\"];
  repeated bytes c = 3 [packed = false];
  optional bytes d = 4 [default = "\001\xff'"];
  optional double e = 5 [default = -inf];
  optional float f = 6 [default = 1.5];
  optional .a.b.E g = 7 [default = ONE];
  optional group Grp = 8 { optional int32 x = 1; }
  map<string, M> by_name = 9;
  oneof choice { int32 h = 10; string i = 11; }
  extensions 100 to 199 [(ext_opt) = true];
  extensions 300, 400 to 401;
  extensions 1000 to max;
  reserved 20, 30 to 40;
  reserved "foo", "bar";
  extend M { optional int32 nested_ext = 101; }
  message Inner { enum Kind { A = 0; B = -1 [deprecated = true]; } }
  option (m) = 1e5;
  option (n) = 18446744073709551615;
  option (o) = -9223372036854775808;
}
enum E { option allow_alias = true; ONE = 1; UNO = 1; reserved 5 to max; reserved "X"; }
service S {
  option deprecated = true;
  rpc A(M) returns (M);
  rpc B(stream M) returns (stream .a.b.M) { option idempotency_level = NO_SIDE_EFFECTS; }
}
extend M { optional string top_ext = 102; }
"#,
    );
    assert_same(
        "p3.proto",
        r#"syntax = "proto3";
message M {
  optional int32 a = 1;
  int32 b = 2;
  repeated int32 c = 3;
  oneof o { string d = 4; }
  optional string _e = 5;
  map<int32, string> f_g_h = 6;
}
"#,
    );
}

/// Every file of googleapis (npm `google-proto-files`, proto2 and proto3),
/// descriptor and source info:
/// `PROTOFORGE_GOOGLEAPIS=1 cargo test -p protoforge-codegen --lib lower`.
#[test]
fn googleapis_as_protoc_parses_it() {
    if std::env::var_os("PROTOFORGE_GOOGLEAPIS").is_none() {
        return;
    }
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../bench/node_modules/google-proto-files");
    let (mut same, mut total, mut editions, mut later_editions) = (0, 0, 0, 0);
    let mut differ = Vec::new();
    for (name, path) in crate::walk::protos_below(&corpus).expect("walk") {
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        if source.contains("edition = ") && !source.contains("syntax = ") {
            // protox-parse reads no editions: these need only lower.
            editions += 1;
            let lowered = syntax::parse(&source)
                .map_err(|e| e.message)
                .and_then(|parsed| lower(&parsed, &name).map(|_| ()).map_err(|e| e.message));
            match lowered {
                // protoc 35 refuses these too (edition 2026), with this message.
                Err(err) if err.ends_with("is later than the maximum supported edition 2024") => {
                    later_editions += 1;
                }
                Err(err) => differ.push(format!("{name}: {err}")),
                Ok(()) => {}
            }
            continue;
        }
        total += 1;
        match both_with_source_info(&name, &source) {
            Ok((ours, theirs)) if ours.descriptor != theirs.descriptor => {
                differ.push(format!("{name}: differs"))
            }
            Ok((ours, theirs)) => {
                match source_info_difference(&ours.source_info, &theirs.source_info) {
                    None => same += 1,
                    Some(difference) => differ.push(format!("{name}: source info: {difference}")),
                }
            }
            // protox-parse refuses the current descriptor.proto (extension
            // declarations): nothing to compare with.
            Err(err) if err.starts_with("protox:") => total -= 1,
            Err(err) => differ.push(format!("{name}: {err}")),
        }
    }
    eprintln!(
        "lowering: {same}/{total} files as protox-parse, source info included; {editions} editions files, \
         {later_editions} of them refused as protoc 35 refuses them"
    );
    assert!(
        differ.is_empty(),
        "{} differ: {:#?}",
        differ.len(),
        &differ[..differ.len().min(20)]
    );
}

/// Where two source infos first differ, once protox-parse's departures from
/// protoc are set aside:
/// - protox-parse records no location inside an option (its name, the parts
///   of its name, its value), which protoc's parser records (and drops once
///   the option is interpreted: [`super::apply_interpreted_options`]).
/// - protox-parse records locations in an order of its own (file options
///   after the types, `syntax` last, ...): both lists are compared sorted.
///   The order is protoc's, checked against protoc 35 in
///   `tests/editions.rs` (`source_info_is_protocs`).
fn source_info_difference(
    ours: &prost_types::SourceCodeInfo,
    theirs: &prost_types::SourceCodeInfo,
) -> Option<String> {
    let sorted = |info: &prost_types::SourceCodeInfo| {
        let mut locations = info.location.clone();
        locations.retain(|l| !inside_an_option(&l.path));
        locations.sort_by(|a, b| (&a.path, &a.span).cmp(&(&b.path, &b.span)));
        locations
    };
    let ours = &sorted(ours);
    let theirs = &sorted(theirs);
    let at = (0..ours.len().max(theirs.len())).find(|&i| ours.get(i) != theirs.get(i))?;
    let show = |l: Option<&prost_types::source_code_info::Location>| {
        l.map(|l| {
            format!(
                "{:?} {:?} {:?} {:?} {:?}",
                l.path,
                l.span,
                l.leading_comments,
                l.trailing_comments,
                l.leading_detached_comments
            )
        })
    };
    Some(format!(
        "location {at}: ours {:?}, protox {:?}",
        show(ours.get(at)),
        show(theirs.get(at))
    ))
}

/// Whether `path` is below an uninterpreted option, `<options>.999.<i>.…`
/// (googleapis has no list of 999 elements, which would look the same).
fn inside_an_option(path: &[i32]) -> bool {
    path.iter()
        .enumerate()
        .any(|(at, part)| *part == 999 && at + 2 < path.len())
}

/// protoc's parser copies a map field's `features.*` options to its entry's
/// key and value, and `enforce_utf8` to those of type string (protoc 35's
/// descriptor set shows them interpreted there).
#[test]
fn map_entries_get_the_fields_features_as_protoc_gives_them() {
    let source = "edition = \"2024\";\nmessage M {\n  map<string, int32> m = 1 [features.utf8_validation = NONE, deprecated = true];\n}\n";
    let parsed = syntax::parse(source).expect("parses");
    let lowered = lower(&parsed, "m.proto").expect("lowers").descriptor;
    let entry = &lowered.message_type[0].nested_type[0];
    for field in &entry.field {
        let options = field.options.as_ref().expect("options copied");
        let names: Vec<_> = options
            .uninterpreted_option
            .iter()
            .map(|o| {
                o.name
                    .iter()
                    .map(|p| p.name_part())
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect();
        assert_eq!(names, ["features.utf8_validation"], "{}", field.name());
    }
}

/// A lone `;` in a oneof or an `extend` block, or an empty one, is an error
/// to protoc 35, which reads a field there (its messages, at the `;` or the
/// `}`).
#[test]
fn empty_statements_in_oneofs_and_extends_are_refused_as_protoc_refuses_them() {
    for (source, message, column) in [
        (
            "syntax = \"proto2\";\nmessage M { oneof o { int32 a = 1; ; } }\n",
            "Expected type name.",
            35,
        ),
        (
            "syntax = \"proto2\";\nmessage M { extend M { ; } }\n",
            "Expected \"required\", \"optional\", or \"repeated\".",
            23,
        ),
        (
            "syntax = \"proto3\";\nextend M { ; }\n",
            "Expected type name.",
            11,
        ),
        // Empty blocks: protoc reads a field first, so it stops at the `}`.
        (
            "syntax = \"proto2\";\nmessage Foo { extensions 1 to 10; } extend Foo {}\n",
            "Expected \"required\", \"optional\", or \"repeated\".",
            48,
        ),
        (
            "edition = \"2023\";\nmessage Foo { extensions 1 to 10; } extend Foo {}\n",
            "Expected type name.",
            48,
        ),
        (
            "syntax = \"proto3\";\nmessage M { oneof o {} }\n",
            "Expected type name.",
            21,
        ),
    ] {
        let parsed = syntax::parse(source).expect("parses");
        let error = lower(&parsed, "e.proto").expect_err(source);
        assert_eq!(error.message, message);
        let line_start = source.find('\n').expect("two lines") as u32 + 1;
        assert_eq!(error.span.start - line_start, column, "{source}");
    }
}
