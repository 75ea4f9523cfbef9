use super::*;

/// The tree's debug form with each `Tok(n)` replaced by its text and
/// protoc position (`"name"@line:col`, 0-based), for readable snapshots.
fn outline(source: &str) -> String {
    let file = parse(source).unwrap_or_else(|e| panic!("{e} at {:?}", e.span));
    assert_eq!(file.print(), source, "the tree prints back the source");
    let debug = format!("{:#?}", file.items);
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("Tok(") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        let close = after.find(')').expect("closing parenthesis");
        let index: u32 = after[..close]
            .trim()
            .trim_end_matches(',')
            .parse()
            .expect("token index");
        let tok = Tok(index);
        let position = file.position(file.span(tok).start);
        out.push_str(&format!(
            "{:?}@{}:{}",
            file.text(tok),
            position.line,
            position.column
        ));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

fn error(source: &str) -> String {
    let error = parse(source).expect_err("a syntax error");
    let diagnostic = error.to_diagnostic(std::path::Path::new("a.proto"), source);
    diagnostic.to_string()
}

#[test]
fn proto2_everything() {
    insta::assert_snapshot!(outline(
        r#"// leading
syntax = "proto2";

package foo.bar;
import public "a.proto";
import weak 'b.proto';
option java_package = "x" 'y';
option (my.ext).a.(.b.c) = -inf;
message M {
  optional int32 a = 1 [default = -5, json_name = "A"];
  required .foo.Bar b = 0x2;
  repeated group G = 3 [deprecated = true] { optional int32 x = 1; }
  map<string, M> m = 4;
  oneof o { option (x) = 1; int32 c = 5; group H = 6 {} ; }
  extensions 100 to 199, 300 to max [(v) = {a: 1}];
  reserved 7, 8 to 9;
  reserved "r", "s" "t";
  extend M { optional int32 e = 100; }
  message N { enum E { A = 0; B = -1 [(z) = true]; reserved -3 to -2; option allow_alias = true; } }
  ;
}
service S {
  rpc A(M) returns (stream .foo.M);
  rpc B(stream M) returns (M) { option deprecated = true; ; }
}
"#
    ));
}

#[test]
fn editions_and_aggregates() {
    insta::assert_snapshot!(outline(
        r#"edition = "2024";
import option "google/protobuf/descriptor.proto";
option features.(pb.cpp).legacy_closed_enum = true;
option (a) = { b: 1, c { d: [1, -2.5, inf] } e < f: "g" 'h' > [ext.x]: X; [type.googleapis.com/p.T] { } l: [{a: 1}, {}] s: -nan };
export message Local { local enum E { A = 0; } reserved foo, bar; }
local message stream {}
message X {
  extensions 1 [declaration = {number: 1 full_name: ".a.b" type: ".a.C" reserved: false repeated: true}];
}
"#
    ));
}

#[test]
fn visibility_words_are_names_before_2024() {
    let source = "edition = \"2023\";\nmessage local { local export = 1; }\n";
    let file = parse(source).expect("parses");
    let FileItem::Message(message) = &file.items[1] else {
        panic!("a message")
    };
    assert!(message.visibility.is_none());
    assert!(matches!(message.body.items[0], MessageItem::Field(_)));
    assert_eq!(
        error("edition = \"2024\";\nmessage X { local f = 1; }"),
        "a.proto:2:19: error: 'local' and 'export' visibility modifiers are valid only on 'message' and 'enum'"
    );
}

#[test]
fn positions_count_tabs_and_bytes_as_protoc() {
    let file = parse("//é\n\tmessage A {}").expect("parses");
    let message = file
        .tokens
        .iter()
        .find(|t| t.kind == TokenKind::Ident)
        .expect("ident");
    assert_eq!(
        file.position(message.span.start),
        Position { line: 1, column: 8 }
    );
    assert_eq!(file.position(3), Position { line: 0, column: 3 });
}

#[test]
fn paths_and_trivia() {
    let source = "package a . /* c */ b;\n// x\nmessage M {}";
    let file = parse(source).expect("parses");
    let FileItem::Package(package) = &file.items[0] else {
        panic!("a package")
    };
    assert_eq!(file.path_text(package.name), "a.b");
    let FileItem::Message(message) = &file.items[1] else {
        panic!("a message")
    };
    let trivia: Vec<_> = file.tokens[file.trivia_before(message.keyword)]
        .iter()
        .map(|t| file.slice(t.span))
        .collect();
    assert_eq!(trivia, ["\n", "// x", "\n"]);
}

#[test]
fn errors_are_protoc_like_and_located() {
    let cases = [
        "syntax = \"proto2\";\nfoo",
        "syntax = \"proto2\";\nmessage A { optional int32 x = 1 }",
        "message A { optional int32 x = -1; }",
        "message A { oneof o { optional int32 x = 1; } }",
        "option java_package = +5;",
        "message A {",
        "message A { int32 x = 1; ",
        "enum E { A = 0 }",
        "service S { foo }",
        "message A { reserved foo, 3; }",
        "message A { extensions 5 [a = 1], 6; }",
        "import \"x\n\";",
        "/* never closed",
        "message A { int32 1x = 1; }",
        "option a = { b };",
        "message A { map<string> m = 1; }",
        "syntax = \"proto3\"; syntax = \"proto3\";",
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|case| format!("{case:?}\n  {}", error(case)))
        .collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn nesting_is_bounded_without_recursion_overflow() {
    let deep = "message A {".repeat(200_000);
    let error = parse(&deep).expect_err("too deep");
    assert_eq!(
        error.message,
        "Nesting is deeper than 100 levels, the limit."
    );
    assert_eq!(
        error.span.start,
        100 * 11 + 10,
        "at the first brace too deep"
    );
    let aggregate = format!("option a = {}{};", "{b ".repeat(50_000), "}".repeat(50_000));
    assert!(parse(&aggregate).is_err());
    let list = format!("option a = {{b: {}}};", "[".repeat(50_000));
    assert!(parse(&list).is_err());
    let fine = format!("{}{}", "message A {".repeat(100), "}".repeat(100));
    assert!(parse(&fine).is_ok());
    assert!(parse_with_limit(&fine, 99).is_err());
}

/// Every googleapis file parses and prints back byte for byte. The corpus is
/// installed by `bash bench/install-anchors.sh --corpus`; `bench/format.sh`
/// runs this test.
#[test]
#[ignore = "needs the googleapis corpus (bash bench/install-anchors.sh --corpus)"]
fn googleapis_prints_back_exactly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../bench/node_modules/google-proto-files");
    let mut count = 0;
    for (_, path) in crate::walk::protos_below(&root).expect("readable corpus") {
        let source = std::fs::read_to_string(&path).expect("utf-8 source");
        match parse(&source) {
            Ok(file) => assert!(
                file.print() == source,
                "{} does not print back",
                path.display()
            ),
            Err(error) => panic!(
                "{}",
                error.to_diagnostic(&path, &source).render_with_frame()
            ),
        }
        count += 1;
    }
    assert!(count > 8_000, "only {count} files in {}", root.display());
}
