//! The reader on each construct, on what it refuses, on random input, and
//! the typed accessors on the cases buf 1.75 was run on.

use proptest::prelude::*;

use super::*;

/// A compact rendering: `~` null, `s"..."` quoted, `p"..."` plain,
/// `[..]`, `{k: v}`.
fn show(node: &Node) -> String {
    match &node.value {
        Value::Null => "~".to_owned(),
        Value::Scalar { text, quoted } => format!("{}{text:?}", if *quoted { "s" } else { "p" }),
        Value::Sequence(items) => {
            let items: Vec<String> = items.iter().map(show).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Mapping(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

fn read(text: &str) -> String {
    match parse(text, 64) {
        Ok(node) => show(&node),
        Err(err) => panic!("{text:?}: {err}"),
    }
}

fn refused(text: &str) -> String {
    match parse(text, 64) {
        Ok(node) => panic!("{text:?} read as {}", show(&node)),
        Err(err) => err.to_string(),
    }
}

#[test]
fn block_collections() {
    assert_eq!(
        read("version: v2\nmodules:\n  - path: a\n    excludes: [a/b]\n  - path: c\n"),
        r#"{p"version": p"v2", p"modules": [{p"path": p"a", p"excludes": [p"a/b"]}, {p"path": p"c"}]}"#
    );
    // `- ` at the key's indentation, comments everywhere, an empty value.
    assert_eq!(
        read("# head\nlint:   # c\n  use:\n  - A # c\n  -  B\n  except:\nx: 1\n"),
        r#"{p"lint": {p"use": [p"A", p"B"], p"except": ~}, p"x": p"1"}"#
    );
    assert_eq!(
        read("- - a\n  - b\n-\n- c: d\n  e: f\n"),
        r#"[[p"a", p"b"], ~, {p"c": p"d", p"e": p"f"}]"#
    );
    assert_eq!(read("---\na: 1\n...\n"), r#"{p"a": p"1"}"#);
    assert_eq!(read("--- [a]\n"), r#"[p"a"]"#);
    assert_eq!(read(""), "~");
    assert_eq!(read("# only a comment\n"), "~");
    assert_eq!(
        read("\u{feff}a: b\r\nc: d\r\n"),
        r#"{p"a": p"b", p"c": p"d"}"#
    );
    assert_eq!(
        read("a:\n  b:\n    c: [1]\n  d: 2\n"),
        r#"{p"a": {p"b": {p"c": [p"1"]}, p"d": p"2"}}"#
    );
}

#[test]
fn flow_collections_and_json() {
    assert_eq!(
        read("{\"version\":\"v2\",\"lint\":{\"use\":[\"A\",\"B\"]},\"n\":null,\"t\":true}"),
        r#"{s"version": s"v2", s"lint": {s"use": [s"A", s"B"]}, s"n": ~, s"t": p"true"}"#
    );
    assert_eq!(
        read("a: [ b , [c, {d: e, f}], ]  # c\ng: {\n  h: [i,\n     j],   # c\n  k: ,\n}\n"),
        r#"{p"a": [p"b", [p"c", {p"d": p"e", p"f": ~}]], p"g": {p"h": [p"i", p"j"], p"k": ~}}"#
    );
    assert_eq!(
        read("[a b\n  c, 'd', x:y, -1]"),
        r#"[p"a b c", s"d", p"x:y", p"-1"]"#
    );
    assert_eq!(read("[]"), "[]");
    assert_eq!(read("{}"), "{}");
}

#[test]
fn plain_scalars_fold() {
    assert_eq!(
        read("a: b\n  c\n\n  d\ne: f#g h # i\n"),
        r#"{p"a": p"b c\nd", p"e": p"f#g h"}"#
    );
    assert_eq!(read("- a\n  b\n- c"), r#"[p"a b", p"c"]"#);
    assert_eq!(
        read("a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nul\n"),
        r#"{p"a": ~, p"b": ~, p"c": ~, p"d": ~, p"e": ~, p"f": p"nul"}"#
    );
    assert_eq!(
        read("url: http://x:80/y\n"),
        r#"{p"url": p"http://x:80/y"}"#
    );
}

#[test]
fn quoted_scalars() {
    assert_eq!(read(r#"a: "1""#), r#"{p"a": s"1"}"#);
    assert_eq!(read("a: 'it''s'\n"), r#"{p"a": s"it's"}"#);
    assert_eq!(
        read(r#"a: "\0\a\b\t\	\n\v\f\r\e\ \"\/\\\N\_\L\P\x41\u00e9\U0001F600""#),
        format!(
            "{{p\"a\": s{:?}}}",
            "\0\u{7}\u{8}\t\t\n\u{b}\u{c}\r\u{1b} \"/\\\u{85}\u{a0}\u{2028}\u{2029}Aé😀"
        )
    );
    assert_eq!(
        read("a: \"b  \n   c\n\n  d\\\n   e\"\n"),
        r#"{p"a": s"b c\nde"}"#
    );
    assert_eq!(read("a: 'b \n  c'\n"), r#"{p"a": s"b c"}"#);
    assert_eq!(
        read("\"a b\": 1\n'c': 2\n"),
        r#"{s"a b": p"1", s"c": p"2"}"#
    );
}

#[test]
fn block_scalars() {
    assert_eq!(
        read("a: |\n  x\n   y\n\n  z\n\nb: 1\n"),
        r#"{p"a": s"x\n y\n\nz\n", p"b": p"1"}"#
    );
    assert_eq!(
        read("a: >\n  x\n  y\n\n  z\n   w\n  v\n"),
        r#"{p"a": s"x y\nz\n w\nv\n"}"#
    );
    assert_eq!(read("a: |-\n  x\n\n"), r#"{p"a": s"x"}"#);
    assert_eq!(read("a: |+\n  x\n\n"), r#"{p"a": s"x\n\n"}"#);
    assert_eq!(read("a: |2-\n   x\n  y\n"), r#"{p"a": s" x\ny"}"#);
    assert_eq!(read("- >-\n  x\n  y\n- z"), r#"[s"x y", p"z"]"#);
    assert_eq!(read("a: |\nb: 1\n"), r#"{p"a": s"", p"b": p"1"}"#);
    assert_eq!(read("a: |\n  x"), r#"{p"a": s"x"}"#);
}

#[test]
fn anchors_aliases_merges_and_tags() {
    assert_eq!(
        read("base: &b\n  use: [A]\nlint: *b\nother: &s x\nlist: [*s, *s]\n"),
        r#"{p"base": {p"use": [p"A"]}, p"lint": {p"use": [p"A"]}, p"other": p"x", p"list": [p"x", p"x"]}"#
    );
    assert_eq!(
        read("b: &b {use: [A], except: [B]}\nlint:\n  use: [C]\n  <<: *b\n"),
        r#"{p"b": {p"use": [p"A"], p"except": [p"B"]}, p"lint": {p"use": [p"C"], p"except": [p"B"]}}"#
    );
    assert_eq!(
        read(
            "a: !!str 1\nb: !!str\nc: !!int 2\nd: !!bool true\ne: !!null ~\nf: !!seq [x]\ng: !!map {}\n"
        ),
        r#"{p"a": s"1", p"b": s"", p"c": p"2", p"d": p"true", p"e": ~, p"f": [p"x"], p"g": {}}"#
    );
}

#[test]
fn unsupported_and_malformed_input_is_refused_where_it_is() {
    for (text, error) in [
        (
            "a: 1\na: 2\n",
            "line 2, column 1: mapping key \"a\" already defined at line 1",
        ),
        (
            "{\"a\": 1, \"a\": 2}",
            "line 1, column 10: mapping key \"a\" already defined at line 1",
        ),
        (
            "? a\n: b\n",
            "line 1, column 1: explicit `? ` keys are not supported",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "line 2, column 1: more than one document: a configuration is one",
        ),
        (
            "%YAML 1.2\n---\na: 1\n",
            "line 1, column 1: directives (%YAML, %TAG) are not supported",
        ),
        (
            "a:\n\tb: 1\n",
            "line 2, column 1: a tab in indentation: YAML indents with spaces",
        ),
        (
            "a: !foo x\n",
            "line 1, column 4: the tag \"!foo\" is not supported (only !!str, !!int, !!bool, !!null, !!seq, !!map): quote a value that starts with `!`",
        ),
        (
            "a: !!int x\n",
            "line 1, column 4: the value does not fit its tag: found the scalar \"x\"",
        ),
        ("a: *nope\n", "line 1, column 4: unknown anchor \"nope\""),
        ("a: [b\n", "line 1, column 4: this `[` is never closed"),
        ("a: {b: c\n", "line 1, column 4: this `{` is never closed"),
        (
            "a: \"b\n",
            "line 1, column 4: this quoted string is never closed",
        ),
        (
            "a: b: c\n",
            "line 1, column 4: a mapping cannot start on the line of its key: put it on the next line",
        ),
        (
            "a: - b\n",
            "line 1, column 4: a sequence cannot start on the line of its key: put `- ` on the next line",
        ),
        (
            "a: 1\n  b: 2\n",
            "line 2, column 4: a mapping key must be a plain or quoted scalar on one line, after the key's own indentation",
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            "line 3, column 2: unexpected indentation: the mapping's keys are at column 1",
        ),
        (
            "- a\nb: 1\n",
            "line 2, column 1: unexpected content: check its indentation",
        ),
        (
            "[a]: 1\n",
            "line 1, column 4: a mapping key must be a plain or quoted scalar on one line, after the key's own indentation",
        ),
        (
            "{[a]: 1}",
            "line 1, column 2: a mapping key must be a plain or quoted scalar",
        ),
        (
            "[a: 1]",
            "line 1, column 3: a `key: value` pair inside `[ ]` is not supported: write `{key: value}`",
        ),
        ("a: \"\\q\"\n", "line 1, column 5: unknown escape \\q"),
        (
            "a: @b\n",
            "line 1, column 4: a value cannot start with '@': quote it",
        ),
        (
            "a: [b] c\n",
            "line 1, column 8: unexpected 'c' after a value",
        ),
        (
            "a: 1\n<<: 2\n",
            "line 2, column 5: <<: a merge key takes a mapping or a list of mappings",
        ),
        // Where libyaml or yaml.v3 (buf) would read it otherwise.
        (
            "a: &\"x\" 1\n",
            "line 1, column 4: an anchor or alias is named with letters, digits, `-` and `_`",
        ),
        (
            "a:\n  &b: 1\n",
            "line 2, column 3: an anchor or alias is named with letters, digits, `-` and `_`",
        ),
        (
            "- \tx\n",
            "line 1, column 2: a tab after `-`: YAML separates with spaces",
        ),
        (
            "a: {b:}\n",
            "line 1, column 6: a `:` right before `,`, `]` or `}`: put a space after it, or quote the value",
        ),
        ("a: [?b]\n", "line 1, column 5: expected a value, found '?'"),
        (
            "a: |\n  \tb\n",
            "line 2, column 3: a tab where a block scalar's indentation is found: indent with spaces",
        ),
        (
            "a: {b\n  : 1}\n",
            "line 1, column 5: a key of `{ }` and its `:` must be on one line",
        ),
    ] {
        assert_eq!(refused(text), error, "{text:?}");
    }
}

#[test]
fn nesting_is_bounded_where_it_passes_the_limit() {
    assert_eq!(
        refused(&"[".repeat(30_000)),
        "line 1, column 65: nested more than 64 deep"
    );
    assert_eq!(
        refused(&format!("version: v2\nbreaking: {}\n", "[".repeat(100))),
        "line 2, column 74: nested more than 64 deep"
    );
    let block: String = (0..70).map(|i| format!("{}- \n", "  ".repeat(i))).collect();
    assert!(refused(&block).ends_with("nested more than 64 deep"));
    let mut fits = String::new();
    for i in 0..62 {
        fits.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
    }
    fits.push_str(&format!("{}- [x]\n", " ".repeat(62)));
    assert!(parse(&fits, 64).is_ok());
    // An alias deepens too.
    let deep = format!("a: &a {}{}\nb: [*a]\n", "[".repeat(63), "]".repeat(63));
    assert_eq!(refused(&deep), "line 2, column 5: nested more than 64 deep");
}

#[test]
fn hostile_shapes_are_refused_without_deep_recursion() {
    for text in [
        "&a\n".repeat(200_000),
        "!!str\n".repeat(200_000),
        "- ".repeat(200_000),
        "[".repeat(200_000),
        "{a: ".repeat(200_000),
        (0..2_000)
            .map(|i| format!("{}a:\n", " ".repeat(i % 1000)))
            .collect(),
    ] {
        assert!(parse(&text, 64).is_err(), "{}", &text[..20]);
    }
    assert_eq!(
        refused("a: &x\n  &y b\n"),
        "line 2, column 3: a second anchor or tag for the same node"
    );
    // Long but flat: read.
    let flat: String = (0..5_000)
        .map(|i| format!("k{i}: [a, 'b', \"c\"]\n"))
        .collect();
    assert!(parse(&flat, 64).is_ok());
}

#[test]
fn a_billion_laughs_is_refused() {
    let mut text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    assert!(refused(&text).contains("aliases expand to more than 100000 nodes"));
}

#[test]
fn scalars_decode_as_buf_decodes_them() {
    // Each checked with buf 1.75 (`buf config ls-lint-rules` over a
    // buf.yaml with `lint: {rpc_allow_same_request_response: VALUE}`).
    let bool_of = |value: &str| {
        let node = parse(&format!("v: {value}\n"), 64).expect("yaml");
        node.get("v")
            .map(|v| v.as_bool("v").map_err(|e| e.to_string()))
            .expect("v")
    };
    for (value, expected) in [
        ("true", Ok(Some(true))),
        ("True", Ok(Some(true))),
        ("TRUE", Ok(Some(true))),
        ("false", Ok(Some(false))),
        ("yes", Ok(Some(true))),
        ("\"yes\"", Ok(Some(true))),
        ("on", Ok(Some(true))),
        ("off", Ok(Some(false))),
        ("n", Ok(Some(false))),
        ("Y", Ok(Some(true))),
        ("'n'", Ok(Some(false))),
        ("On", Ok(Some(true))),
        (
            "oN",
            Err("line 1, column 4: v: expected a boolean, found the scalar \"oN\"".to_owned()),
        ),
        ("~", Ok(None)),
        ("", Ok(None)),
        (
            "\"true\"",
            Err("line 1, column 4: v: expected a boolean, found the scalar \"true\"".to_owned()),
        ),
        (
            "tRue",
            Err("line 1, column 4: v: expected a boolean, found the scalar \"tRue\"".to_owned()),
        ),
        (
            "1",
            Err("line 1, column 4: v: expected a boolean, found the scalar \"1\"".to_owned()),
        ),
        (
            "[true]",
            Err("line 1, column 4: v: expected a boolean, found a sequence".to_owned()),
        ),
    ] {
        assert_eq!(bool_of(value), expected, "{value}");
    }
    // A string field takes any scalar's text (buf: `use: [1]` is the ID
    // "1"); a null item is left out (buf: `ignore: [~]` ignores nothing,
    // `ignore: [""]` everything); a scalar is not a list.
    let list = parse("use: [1, true, ~, '', x]\n", 64).expect("yaml");
    assert_eq!(
        list.get("use").map(|u| u.as_strings("use")),
        Some(Ok(vec![
            "1".into(),
            "true".into(),
            String::new(),
            "x".into()
        ]))
    );
    let scalar = parse("lint:\n  use: MINIMAL\n", 64).expect("yaml");
    assert_eq!(
        super::field(scalar.get("lint"), "use")
            .map(|u| u.as_strings("lint.use").map_err(|e| e.to_string())),
        Some(Err(
            "line 2, column 8: lint.use: expected a list of strings, found the scalar \"MINIMAL\""
                .to_owned()
        ))
    );
    let map = parse("ignore_only: {A: [x], B: ~}\n", 64).expect("yaml");
    assert_eq!(
        map.get("ignore_only")
            .map(|m| m.as_map_of_string_lists("ignore_only")),
        Some(Ok(vec![
            ("A".into(), vec!["x".into()]),
            ("B".into(), Vec::new())
        ]))
    );
    let unknown = parse("lint:\n  use: []\n  uze: []\n", 64).expect("yaml");
    assert_eq!(
        unknown.get("lint").map(|l| l
            .deny_unknown_keys("lint", &["use", "except"])
            .map_err(|e| e.to_string())),
        Some(Err(
            "line 3, column 3: lint: unknown field `uze`, expected one of `use`, `except`"
                .to_owned()
        ))
    );
}

/// Configurations to mutate: each a real shape.
const SEEDS: [&str; 4] = [
    "version: v2\nmodules:\n  - path: proto\n    excludes: [proto/x]\n    lint:\n      use: [STANDARD]\nbreaking:\n  use:\n  - FILE\n  ignore_only:\n    FIELD_NO_DELETE: [a.proto]\n",
    "{\"version\": \"v1\", \"lint\": {\"use\": [\"BASIC\"], \"except\": [\"ENUM_NO_ALLOW_ALIAS\"]}}",
    "version: v1beta1\nbuild:\n  roots: &r\n    - proto\n    - vendor\nlint: {ignore: *r, service_suffix: 'API', enum_zero_value_suffix: \"_NONE\\x41\"}\ntext: |+\n  a\n  b\n\n",
    "---\nversion: v1\ndirectories: [a, b]\n...\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text, 8);
    }

    #[test]
    fn random_yaml_characters_never_panic(chars in proptest::collection::vec(
        proptest::sample::select(vec![
            ' ', ' ', '\n', '\t', '-', ':', '[', ']', '{', '}', ',', '#', '&', '*', '!', '|', '>',
            '\'', '"', '\\', '?', '%', '.', 'a', 'b', '1', '~', '+', '<',
        ]),
        0..120,
    )) {
        let text: String = chars.into_iter().collect();
        let _ = parse(&text, 8);
    }

    #[test]
    fn mutated_configurations_never_panic(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..6),
    ) {
        let mut bytes = SEEDS[seed].as_bytes().to_vec();
        for (at, byte, kind) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 => bytes.insert(at, byte),
                1 if at < bytes.len() => { bytes.remove(at); }
                _ if at < bytes.len() => bytes[at] = byte,
                _ => {}
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(node) = parse(&text, 64) {
            // Accessors never panic either.
            for key in ["version", "modules", "lint", "breaking", "build", "directories"] {
                if let Some(value) = node.get(key) {
                    let _ = value.as_strings(key);
                    let _ = value.as_map_of_string_lists(key);
                    let _ = value.as_bool(key);
                    let _ = value.as_string(key);
                }
            }
        }
    }
}
