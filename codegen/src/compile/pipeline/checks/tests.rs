//! Each expected message is protoc 35's on the same file (the differential
//! harness, `bench/frontend-diff.sh`, checks them against protoc itself).

use std::{collections::BTreeMap, sync::Arc};

use crate::compile::{
    Limits, Severity,
    limits::Budget,
    pipeline,
    sources::{Origin, Sources},
};

/// The errors, else the warnings (as `line:col: message`), the own front
/// end gives on `files` (name, source), the first file being the input:
/// the same whether it records source info or builds it again for them.
fn messages(files: &[(&str, &str)]) -> Vec<String> {
    let without = messages_in_mode(files, false);
    assert_eq!(
        messages_in_mode(files, true),
        without,
        "located otherwise without source info"
    );
    without
}

fn messages_in_mode(files: &[(&str, &str)], source_info: bool) -> Vec<String> {
    let texts: BTreeMap<String, String> = files
        .iter()
        .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
        .collect();
    let sources = Sources::new(
        Origin::Memory(Arc::new(texts)),
        Budget::start(Limits::default()),
    );
    let shown = |d: &crate::compile::Diagnostic| match d.start {
        Some(at) => format!("{}:{}: {}", at.line, at.column, d.message),
        None => d.message.clone(),
    };
    match pipeline::compile(&sources, &[files[0].0.to_owned()], source_info) {
        Ok(linked) => linked
            .warnings
            .iter()
            .inspect(|w| assert_eq!(w.severity, Severity::Warning))
            .map(shown)
            .collect(),
        Err(problems) => problems.iter().map(shown).collect(),
    }
}

fn one(source: &str) -> Vec<String> {
    messages(&[("a.proto", source)])
}

const E2023: &str = "edition = \"2023\";\n";

#[test]
fn field_features_are_checked_as_protoc_checks_them() {
    let cases = [
        (
            "message A { repeated int32 x = 1 [features.field_presence = EXPLICIT]; }",
            "2:28: Repeated fields can't specify field presence.",
        ),
        (
            "message A { oneof o { int32 x = 1 [features.field_presence = EXPLICIT]; } }",
            "2:29: Oneof fields can't specify field presence.",
        ),
        (
            "message A { extensions 10 to 20; }\nextend A { int32 x = 10 [features.field_presence = IMPLICIT]; }",
            "3:18: Extensions can't specify field presence.",
        ),
        (
            "message A { extensions 10 to 20; }\nextend A { int32 x = 10 [features.field_presence = LEGACY_REQUIRED]; }",
            "3:18: Extensions can't be required.",
        ),
        (
            "message A { A x = 1 [features.field_presence = IMPLICIT]; }",
            "2:15: Message fields can't specify implicit presence.",
        ),
        (
            "message A { int32 x = 1 [features.message_encoding = DELIMITED]; }",
            "2:19: Only message fields can specify message encoding.",
        ),
        (
            "message A { int32 x = 1 [features.repeated_field_encoding = EXPANDED]; }",
            "2:19: Only repeated fields can specify repeated field encoding.",
        ),
        (
            "message A { repeated string x = 1 [features.repeated_field_encoding = PACKED]; }",
            "2:29: Only repeated primitive fields can specify PACKED repeated field encoding.",
        ),
        (
            "message A { int32 x = 1 [features.utf8_validation = NONE]; }",
            "2:19: Only string fields can specify utf8 validation.",
        ),
        (
            "option features.field_presence = IMPLICIT;\nmessage A { int32 x = 1 [default = 1]; }",
            "3:19: Implicit presence fields can't specify defaults.",
        ),
        (
            "enum E { option features.enum_type = CLOSED; X = 1; }\nmessage A { E x = 1 [features.field_presence = IMPLICIT]; }",
            "3:15: Implicit presence enum fields must always be open.",
        ),
        (
            "message A { repeated int32 x = 1 [packed = true]; }",
            "2:28: Field option packed is not allowed under editions.  Use the \
             repeated_field_encoding feature to control this behavior.",
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(one(&format!("{E2023}{source}\n")), [expected], "{source}");
    }
    // What protoc accepts: the same features set where they are allowed.
    for source in [
        "option features.field_presence = IMPLICIT;\nmessage A { repeated int32 x = 1; oneof o { int32 y = 2; } A m = 3; }",
        "option features.message_encoding = DELIMITED;\nmessage A { map<string, A> m = 1; }",
        "message A { repeated string x = 1 [features.repeated_field_encoding = EXPANDED]; }",
        "message A { map<string, string> m = 1 [features.utf8_validation = NONE]; }",
    ] {
        assert_eq!(
            one(&format!("{E2023}{source}\n")),
            [] as [&str; 0],
            "{source}"
        );
    }
}

#[test]
fn ctype_is_refused_from_2024_on() {
    assert_eq!(
        one("edition = \"2024\";\nmessage A { string x = 1 [ctype = CORD]; }\n"),
        [
            "2:13: ctype option is not allowed under edition 2024 and beyond. Use the feature \
          string_type = VIEW|CORD|STRING|... instead."
        ]
    );
    assert_eq!(
        one(&format!(
            "{E2023}message A {{ string x = 1 [ctype = CORD]; }}\n"
        )),
        [] as [&str; 0]
    );
}

#[test]
fn naming_style_2024_is_protocs() {
    let opt_out =
        "(features.enforce_naming_style = STYLE_LEGACY can be used to opt out of this check)";
    assert_eq!(
        one(
            "edition = \"2024\";\npackage Foo.bar;\nmessage a_b { int32 FooBar = 1; oneof _o { int32 y = 2; } }\nenum e { x = 0; FOO_2 = 1; }\nservice S { rpc do_it(a_b) returns (a_b); }\n"
        ),
        [
            format!("2:1: Package name Foo.bar should be lower_snake_case {opt_out}"),
            format!("3:9: Message name a_b should be TitleCase {opt_out}"),
            format!("3:21: Field name FooBar should be lower_snake_case {opt_out}"),
            format!("Oneof name _o should begin with a lower case letter {opt_out}"),
            format!("4:6: Enum name e should begin with a capital letter {opt_out}"),
            format!("4:10: Enum value name x should be UPPER_SNAKE_CASE {opt_out}"),
            format!("4:17: Enum value name FOO_2 contains style violating underscores {opt_out}"),
            format!("5:17: Method name do_it should be TitleCase {opt_out}"),
        ]
    );
    // STYLE_LEGACY opts out, for an element and what it holds; 2023 does
    // not check.
    assert_eq!(
        one(
            "edition = \"2024\";\nmessage A { option features.enforce_naming_style = STYLE_LEGACY; message b_c { int32 Foo = 1; } }\n"
        ),
        [] as [&str; 0]
    );
    assert_eq!(one(&format!("{E2023}message a_b {{}}\n")), [] as [&str; 0]);
}

#[test]
fn language_features_follow_their_feature_support() {
    let cpp = "import \"google/protobuf/cpp_features.proto\";\n";
    let java = "import \"google/protobuf/java_features.proto\";\n";
    assert_eq!(
        one(&format!(
            "{E2023}{cpp}enum E {{ option features.(pb.cpp).enum_name_uses_string_view = true; X = 0; }}\n"
        )),
        [
            "3:6: pb.CppFeatures.enum_name_uses_string_view wasn't introduced until edition 2024 \
          and can't be used in edition 2023"
        ]
    );
    assert_eq!(
        one(&format!(
            "edition = \"2024\";\n{java}message A {{ option features.(pb.java).nest_in_file_class = LEGACY; }}\n"
        )),
        ["3:9: pb.JavaFeatures.NestInFileClassFeature.LEGACY has been removed in edition 2024"]
    );
    assert_eq!(
        one(&format!(
            "edition = \"2024\";\n{java}option features.(pb.java).use_old_outer_classname_default = true;\n"
        )),
        ["pb.JavaFeatures.use_old_outer_classname_default has been removed in edition 2024"]
    );
    assert_eq!(
        one(&format!(
            "{E2023}{cpp}message A {{ option features.(pb.cpp).string_type = CORD; }}\n"
        )),
        ["Option pb.CppFeatures.string_type cannot be set on an entity of type `message`."]
    );
    let warned = one(&format!(
        "{E2023}{cpp}message A {{ int32 x = 1 [features.(pb.cpp).legacy_closed_enum = true]; }}\n"
    ));
    assert_eq!(warned.len(), 1);
    assert!(
        warned[0].starts_with(
            "3:19: pb.CppFeatures.legacy_closed_enum has been deprecated in edition 2023: The \
             legacy closed enum behavior in C++ is deprecated"
        ),
        "{warned:?}"
    );
    assert_eq!(
        one("edition = \"2024\";\noption java_multiple_files = true;\n"),
        [
            "google.protobuf.FileOptions.java_multiple_files has been removed in edition 2024: \
          This behavior is enabled by default in editions 2024 and above. To disable it, you \
          can set `features.(pb.java).nest_in_file_class = YES` on individual messages, enums, \
          or services."
        ]
    );
}

#[test]
fn unused_imports_are_warned_as_protoc_warns() {
    let a = (
        "a.proto",
        "syntax = \"proto3\";\npackage a;\nmessage A {}\n",
    );
    let b = (
        "b.proto",
        "syntax = \"proto3\";\npackage b;\nmessage B {}\n",
    );
    let public = (
        "p.proto",
        "syntax = \"proto3\";\nimport public \"a.proto\";\n",
    );
    assert_eq!(
        messages(&[
            (
                "m.proto",
                "syntax = \"proto3\";\n  import \"a.proto\";\nimport weak \"b.proto\";\nimport public \"p.proto\";\n"
            ),
            a,
            b,
            public,
        ]),
        [
            "2:3: Import a.proto is unused.",
            "3:1: Import b.proto is unused."
        ]
    );
    // Used through a type, an extendee, a method, a custom option; an
    // import of a file that imports publicly is never reported.
    let options = (
        "o.proto",
        "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FieldOptions { int32 o = 50000; }\n",
    );
    assert_eq!(
        messages(&[
            (
                "m.proto",
                "syntax = \"proto3\";\nimport \"a.proto\";\nimport \"o.proto\";\nimport \"p.proto\";\nmessage M { int32 x = 1 [(o) = 1]; }\nservice S { rpc R(a.A) returns (M); }\n"
            ),
            a,
            options,
            public,
        ]),
        [] as [&str; 0]
    );
}

#[test]
fn strict_visibility_lets_only_namespace_messages_export_enums() {
    let strict = "edition = \"2024\";\noption features.default_symbol_visibility = STRICT;\n";
    assert_eq!(
        one(&format!(
            "{strict}message A {{ export enum E {{ E_X = 0; }} reserved 1 to 10; }}\n"
        )),
        [
            "\"A.E\" is a nested enum and cannot be marked `export` with STRICT \
          default_symbol_visibility. It must be moved to top-level, ideally in its own file in \
          order to be `export`. For C++ namespacing of enums in a messages use: `local message \
          <OuterNamespace> { export enum A.E {...} reserved 1 to max; }`"
        ]
    );
    for refused in [
        "export message A { export enum E { E_X = 0; } reserved 1 to max; }",
        "message A { message B { export enum E { E_X = 0; } reserved 1 to max; } reserved 1 to max; }",
        "message A { export enum E { E_X = 0; } reserved 1 to 100, 101 to max; }",
    ] {
        assert_eq!(one(&format!("{strict}{refused}\n")).len(), 1, "{refused}");
    }
    for accepted in [
        "local message A { export enum E { E_X = 0; } reserved 1 to max; }",
        "message A { export enum E { E_X = 0; } reserved 1 to max; message B {} }",
        "message A { enum E { E_X = 0; } int32 x = 1; }",
    ] {
        assert_eq!(
            one(&format!("{strict}{accepted}\n")),
            [] as [&str; 0],
            "{accepted}"
        );
    }
}

#[test]
fn an_invisible_extendee_is_named_the_target_of_extend() {
    let a = (
        "a.proto",
        "edition = \"2024\";\npackage a;\nlocal message L { extensions 1 to 10; }\n",
    );
    assert_eq!(
        messages(&[
            (
                "m.proto",
                "edition = \"2024\";\nimport \"a.proto\";\nextend a.L { int32 x = 1; }\n"
            ),
            a,
        ]),
        [
            "3:8: Symbol \"a.L\", defined in \"a.proto\" target of extend is not visible from \
          \"m.proto\". It is explicitly marked 'local' and cannot be accessed outside its own file"
        ]
    );
}

#[test]
fn element_rules_of_every_syntax_are_protocs() {
    let cases = [
        (
            "syntax = \"proto2\";\nmessage A { optional A x = 1 [default = 1]; }\n",
            "2:41: Messages can't have default values.",
        ),
        (
            "syntax = \"proto2\";\nmessage A { repeated int32 x = 1 [default = 1]; }\n",
            "2:45: Repeated fields can't have default values.",
        ),
        (
            "syntax = \"proto2\";\nmessage A { extensions 1 to 10; }\nextend A { optional int32 y = 1 [json_name = \"Y\"]; }\n",
            "3:34: option json_name is not allowed on extension fields.",
        ),
        (
            "syntax = \"proto3\";\nmessage A { string s = 1 [jstype = JS_STRING]; }\n",
            "2:13: jstype is only allowed on int64, uint64, sint64, fixed64 or sfixed64 fields.",
        ),
        (
            "syntax = \"proto3\";\nmessage A { option message_set_wire_format = true; }\n",
            "2:9: MessageSet is not supported in proto3.",
        ),
        (
            "syntax = \"proto2\";\nenum E {}\n",
            "2:6: Enums must contain at least one value.",
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(one(source), [expected], "{source}");
    }
    // Extensions get a JSON name when linked; map entries their
    // `map_entry`: neither is the author's.
    assert_eq!(
        one(
            "syntax = \"proto2\";\nmessage A { extensions 1 to 10; map<string, int32> m = 20; }\nextend A { optional int32 y = 1; }\n"
        ),
        [] as [&str; 0]
    );
}

#[test]
fn json_conflicts_in_editions_follow_json_format() {
    let conflict = "message A { int32 foo_bar = 1; int32 fooBar = 2; }";
    let text = "The default JSON name of field \"fooBar\" (\"fooBar\") conflicts with the default \
                JSON name of field \"foo_bar\".";
    assert_eq!(
        one(&format!("{E2023}{conflict}\n")),
        [format!("2:38: {text}")]
    );
    // LEGACY_BEST_EFFORT: a warning only.
    assert_eq!(
        one(&format!(
            "{E2023}option features.json_format = LEGACY_BEST_EFFORT;\n{conflict}\n"
        )),
        [format!("3:38: {text}")]
    );
    let linked = messages(&[(
        "a.proto",
        &format!("{E2023}option features.json_format = LEGACY_BEST_EFFORT;\n{conflict}\n"),
    )]);
    assert_eq!(linked.len(), 1);
}

#[test]
fn enum_prefix_conflicts_are_refused_in_every_syntax() {
    let text = "Enum name FOO has the same name as E_FOO if you ignore case and strip out the enum \
                name prefix (if any). (If you are using allow_alias, please assign the same \
                number to each enum value name.)";
    for syntax in ["syntax = \"proto2\";", "edition = \"2023\";"] {
        assert_eq!(
            one(&format!("{syntax}\nenum E {{ E_FOO = 0; FOO = 1; }}\n")),
            [format!("2:21: {text}")]
        );
    }
}

#[test]
fn extension_declarations_are_checked_as_protoc_checks_them() {
    let range = |declarations: &str| {
        format!(
            "{E2023}package p;\nmessage B {{}}\nmessage A {{ extensions 1 to 10 [{declarations}]; }}\n"
        )
    };
    let declared = "declaration = {number: 1, full_name: \".p.y\", type: \"int32\"}";
    assert_eq!(
        one(&format!("{}extend A {{ int32 z = 2; }}\n", range(declared))),
        [
            "5:8: Missing extension declaration for field p.z with number 2 in extendee message \
          p.A. An extension range must declare for all extension fields if its verification \
          state is DECLARATION or there's any declaration in the range already. Otherwise, \
          consider splitting up the range."
        ]
    );
    assert_eq!(
        one(&format!(
            "{}extend A {{ repeated string y = 1; }}\n",
            range(declared)
        )),
        [
            "5:8: \"p.A\" extension field 1 is expected to be type \"int32\", not \"string\".",
            "5:8: \"p.A\" extension field 1 is expected to be optional."
        ]
    );
    assert_eq!(
        one(&range(&format!(
            "{declared}, declaration = {{number: 1}}, verification = UNVERIFIED"
        ))),
        [
            "Cannot mark the extension range as UNVERIFIED when it has extension(s) declared.",
            "4:24: Extension declaration number 1 is declared multiple times.",
            "Extension declaration #1 should have both \"full_name\" and \"type\" set."
        ]
    );
    // What protoc accepts: extensions as declared, reserved declarations,
    // message types by full name.
    for accepted in [
        format!("{}extend A {{ int32 y = 1; }}\n", range(declared)),
        range(
            "declaration = {number: 1, full_name: \".p.y\", type: \".p.B\"}, declaration = {number: 2, reserved: true}",
        ) + "extend A { B y = 1; }\n",
        range("verification = DECLARATION"),
    ] {
        assert_eq!(one(&accepted), [] as [&str; 0], "{accepted}");
    }
}

#[test]
fn defaults_and_json_names_the_field_cannot_hold_are_refused() {
    let cases = [
        (
            "optional bool e = 1 [default = 1];",
            "2:44: Expected \"true\" or \"false\".",
        ),
        (
            "optional int32 e = 1 [default = \"x\"];",
            "2:45: Expected integer for field default value.",
        ),
        (
            "optional int32 e = 1 [default = 3000000000];",
            "2:45: Integer out of range.",
        ),
        (
            "optional float e = 1 [default = x];",
            "2:45: Expected number.",
        ),
        (
            "optional int32 x = 1 [json_name = \"[a]\"];",
            "2:28: The custom JSON name of field \"x\" (\"[a]\") is invalid: JSON names may not \
             start with '[' and end with ']'.",
        ),
    ];
    for (field, expected) in cases {
        let source = format!("syntax = \"proto2\";\nmessage A {{ {field} }}\n");
        assert_eq!(one(&source), [expected], "{field}");
    }
    assert_eq!(
        one(
            "syntax = \"proto2\";\nenum E { X = 1; }\nmessage A { optional E e = 1 [default = Y]; }\n"
        ),
        ["3:41: Enum type \"E\" has no value named \"Y\"."]
    );
    assert_eq!(
        one(
            "syntax = \"proto2\";\nmessage A { optional int64 i = 1 [default = -9223372036854775808]; optional uint64 j = 2 [default = 18446744073709551615]; optional double d = 3 [default = -inf]; }\n"
        ),
        [] as [&str; 0]
    );
}

#[test]
fn custom_options_keep_to_their_targets() {
    let option = "import \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FieldOptions { int32 o = 50000 [targets = TARGET_TYPE_MESSAGE]; }\n";
    assert_eq!(
        one(&format!(
            "syntax = \"proto3\";\n{option}message A {{ int32 x = 1 [(o) = 1]; }}\n"
        )),
        ["Option o cannot be set on an entity of type `field`."]
    );
    let on_field = option.replace("TARGET_TYPE_MESSAGE", "TARGET_TYPE_FIELD");
    assert_eq!(
        one(&format!(
            "syntax = \"proto3\";\n{on_field}message A {{ int32 x = 1 [(o) = 1]; }}\n"
        )),
        [] as [&str; 0]
    );
}
