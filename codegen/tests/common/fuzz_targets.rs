//! The bodies of the fuzz targets: one function per target, from the
//! fuzzer's bytes to a call of protoforge's library, panicking only where an
//! invariant breaks. `fuzz/fuzz_targets/*.rs` call them under libFuzzer;
//! `codegen/tests/fuzz_regressions.rs` replays every input committed under
//! `fuzz/regressions/<target>/` through them in CI.

#![allow(dead_code)]

use std::collections::BTreeMap;

use arbitrary::Unstructured;
use protoforge_codegen::{
    Compiler,
    compat::{self, Config, Schema, rules::RULES},
};

use super::schema_model::{BreakingEdit, Model};

/// A target's body.
pub type Body = fn(&[u8]);

/// The targets, by name, as `fuzz/Cargo.toml` names its binaries.
pub const TARGETS: [(&str, Body); 6] = [
    ("compile_proto", compile_proto),
    ("decode_image", decode_image),
    ("buf_yaml", buf_yaml),
    ("buf_yaml_nesting", buf_yaml_nesting),
    ("breaking", breaking),
    ("generate", generate),
];

/// Arbitrary text as up to three `.proto` files (split at lines holding
/// only `//--`), named `a.proto`, `b.proto` and `c.proto` so that they can
/// import each other: compiling must give a result or located errors.
pub fn compile_proto(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources: BTreeMap<String, String> = text
        .split("\n//--\n")
        .take(3)
        .zip(["a.proto", "b.proto", "c.proto"])
        .map(|(source, name)| (name.to_owned(), source.to_owned()))
        .collect();
    let compiler = Compiler::new()
        .include_imports(true)
        .include_source_info(true);
    match compiler.compile_sources(&sources) {
        Ok(compiled) => {
            let encoded = compiled.encode();
            assert!(
                <prost_types::FileDescriptorSet as prost::Message>::decode(encoded.as_slice())
                    .is_ok(),
                "the output must decode"
            );
            let _ = compiled.to_json();
            let schema = Schema::from_compiled(compiled);
            assert!(compat::check(&schema, &schema, RULES.iter()).is_empty());
        }
        Err(err) => assert!(!err.diagnostics().is_empty()),
    }
}

/// Arbitrary bytes as descriptor-set images (the whole, and each half):
/// decoding fails cleanly, or the breaking check runs on whatever they
/// describe, however inconsistent (types that do not exist, duplicate
/// names, paths out of range). An image that passes the validation
/// `breaking` gives images before comparing them is consistent: against
/// itself, it reports nothing (an inconsistent one invents findings).
pub fn decode_image(data: &[u8]) {
    for image in [data, &data[..data.len() / 2], &data[data.len() / 2..]] {
        if compat::input::validate_image(image).is_ok() {
            // Its features may still not resolve (an edition protoc does
            // not know): a clean error.
            let schema = match Schema::decode(image) {
                Ok(schema) => schema,
                Err(compat::schema::ImageError::Features(_)) => continue,
                Err(err) => panic!("a validated image decodes: {err}"),
            };
            let findings = compat::check(&schema, &schema, RULES.iter());
            assert!(
                findings.is_empty(),
                "a valid image against itself: {findings:?}"
            );
        }
    }
    let (first, second) = data.split_at(data.len() / 2);
    let first = Schema::decode(first);
    let second = Schema::decode(second);
    if let Ok(first) = &first {
        let _ = compat::check(first, first, RULES.iter());
    }
    if let (Ok(first), Ok(second)) = (&first, &second) {
        let mut findings = compat::check(first, second, RULES.iter());
        Config::default().filter(&mut findings, first, second);
        for format in compat::output::Format::ALL {
            let _ = compat::output::render(&findings, format);
        }
    }
    if let Ok(whole) = Schema::decode(data) {
        let _ = compat::check(&whole, &whole, RULES.iter());
    }
}

/// Arbitrary text as a `buf.yaml`: parsed, or refused with an error.
pub fn buf_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = Config::parse(text, "buf.yaml") {
        let rules = config.rules();
        let schema = Schema::decode(&[][..]).expect("an empty set decodes");
        let mut findings = compat::check(&schema, &schema, rules);
        config.filter(&mut findings, &schema, &schema);
    }
}

/// Arbitrary bytes as the shape of a deeply nested `buf.yaml`: each byte
/// opens a flow sequence or mapping, a block sequence or mapping, or closes
/// one, up to the input's length. Parsing ends quickly (the YAML reader
/// counts the nesting as it descends) and refuses anything nested deeper
/// than the limit, and a configuration's paths are validated.
pub fn buf_yaml_nesting(data: &[u8]) {
    let mut text = String::from("version: v2\nbreaking:\n  ignore: ");
    let mut open: Vec<char> = Vec::new();
    let mut deepest = 0;
    let mut indent = 2;
    for byte in data {
        match byte % 6 {
            0 => {
                text.push('[');
                open.push(']');
            }
            1 => {
                text.push('{');
                open.push('}');
            }
            2 => {
                if let Some(close) = open.pop() {
                    text.push(close);
                }
            }
            3 => text.push_str("a, "),
            4 if open.is_empty() => {
                indent += 2;
                text.push('\n');
                text.push_str(&" ".repeat(indent));
                text.push_str("- ");
            }
            _ => text.push_str("\"../x\", "),
        }
        deepest = deepest.max(open.len());
    }
    while let Some(close) = open.pop() {
        text.push(close);
    }
    text.push('\n');
    let parsed = Config::parse(&text, "buf.yaml");
    if deepest > protoforge_codegen::workspace::CONFIG_NESTING_LIMIT {
        assert!(parsed.is_err(), "nested {deepest} deep, yet accepted");
    }
    if let Ok(config) = parsed {
        assert!(
            config
                .ignore
                .iter()
                .all(|p| !p.starts_with("..") && !p.starts_with('/')),
            "an ignore path outside the module was accepted: {:?}",
            config.ignore
        );
    }
}

/// Two valid schemas, the second an arbitrary edit of the first: the check
/// runs, a schema against itself reports nothing, and every output format
/// renders.
pub fn breaking(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(previous) = Model::arbitrary(&mut u) else {
        return;
    };
    let mut current = previous.clone();
    let edits = BreakingEdit::ALL;
    for _ in 0..u.int_in_range(0..=4).unwrap_or(0) {
        let result = match u.int_in_range(0..=edits.len()).unwrap_or(0) {
            0 => current.add(&mut u).map(|()| None),
            k => current.break_with(edits[k - 1], &mut u),
        };
        if result.is_err() {
            break;
        }
    }
    let (previous, current) = (schema(&previous), schema(&current));
    assert!(compat::check(&previous, &previous, RULES.iter()).is_empty());
    let findings = compat::check(&previous, &current, RULES.iter());
    for format in compat::output::Format::ALL {
        let _ = compat::output::render(&findings, format);
    }
}

/// A valid schema: the generated Rust (messages, client, server, mocks)
/// parses.
pub fn generate(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(model) = Model::arbitrary(&mut u) else {
        return;
    };
    let compiled = compile(&model);
    let files = protoforge_codegen::configure()
        .build_mocks(true)
        .generate(&compiled)
        .expect("a valid schema generates");
    for file in files {
        if let Err(err) = syn::parse_file(&file.content) {
            panic!("{} does not parse: {err}\n{}", file.name, file.content);
        }
    }
}

fn compile(model: &Model) -> protoforge_codegen::Compiled {
    Compiler::new()
        .include_imports(true)
        .include_source_info(true)
        .compile_sources(&model.sources())
        .unwrap_or_else(|err| panic!("a generated schema must compile: {err}\n{model:#?}"))
}

fn schema(model: &Model) -> Schema {
    Schema::from_compiled(compile(model))
}
