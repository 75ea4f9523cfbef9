//! Properties of the breaking checker over random valid schemas
//! (`common/schema_model.rs`), with every rule of every category on:
//! a schema against itself reports nothing; a pure addition reports
//! nothing; a known breaking edit reports at least its rule.

#[path = "common/schema_model.rs"]
mod schema_model;

use arbitrary::Unstructured;
use proptest::prelude::*;
use protoforge_codegen::{
    Compiler,
    compat::{Schema, check, rules::RULES},
};
use schema_model::{BreakingEdit, Model};

fn schema(model: &Model) -> Schema {
    let compiled = Compiler::new()
        .include_imports(true)
        .include_source_info(true)
        .compile_sources(&model.sources())
        .unwrap_or_else(|err| panic!("a generated schema must compile: {err}\n{model:#?}"));
    Schema::from_compiled(compiled)
}

fn model(bytes: &[u8]) -> (Model, Unstructured<'_>) {
    let mut u = Unstructured::new(bytes);
    let model = Model::arbitrary(&mut u).expect("a model from any bytes");
    (model, u)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_schema_against_itself_reports_nothing(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let (model, _) = model(&bytes);
        let schema = schema(&model);
        let findings = check(&schema, &schema, RULES.iter());
        prop_assert!(findings.is_empty(), "{findings:#?}\n{}", model.text());
    }

    #[test]
    fn a_pure_addition_reports_nothing(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let (previous, mut u) = model(&bytes);
        let mut current = previous.clone();
        current.add(&mut u).expect("an addition from any bytes");
        let findings = check(&schema(&previous), &schema(&current), RULES.iter());
        prop_assert!(
            findings.is_empty(),
            "{findings:#?}\nbefore:\n{}\nafter:\n{}",
            previous.text(),
            current.text()
        );
    }

    #[test]
    fn a_breaking_edit_reports_its_rule(
        bytes in prop::collection::vec(any::<u8>(), 0..1024),
        edit in 0..BreakingEdit::ALL.len(),
    ) {
        let (previous, mut u) = model(&bytes);
        let mut current = previous.clone();
        let Some(rule) = current.break_with(BreakingEdit::ALL[edit], &mut u).expect("an edit from any bytes") else {
            return Ok(());
        };
        let findings = check(&schema(&previous), &schema(&current), RULES.iter());
        prop_assert!(
            findings.iter().any(|f| f.rule == rule),
            "{:?} should report {rule}: {findings:#?}\nbefore:\n{}\nafter:\n{}",
            BreakingEdit::ALL[edit],
            previous.text(),
            current.text()
        );
    }
}

/// The properties hold for more than trivial models: the generator makes
/// schemas with every kind of element.
#[test]
fn the_generator_makes_rich_schemas() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let (model, _) = model(&bytes);
    let text = model.text();
    for needle in ["message ", "enum ", "service ", "rpc ", " = "] {
        assert!(text.contains(needle), "no {needle:?} in\n{text}");
    }
}

/// Every rule, WIRE_STRUCTURAL included, finds nothing between a generated
/// multi-file, multi-package project and itself, and between two
/// compilations of it (`common/schema_model.rs`'s `Project`, the differential
/// test's model).
#[test]
fn a_project_against_itself_reports_nothing() {
    for case in 0..40 {
        let mut rng = schema_model::Rng::new(0x51de_u64 + u64::from(case));
        let project = schema_model::Project::draw(case, &mut rng);
        if project.valid().is_err() {
            continue;
        }
        let compile = || {
            let compiled = Compiler::new()
                .include_imports(true)
                .include_source_info(true)
                .compile_sources(&project.sources())
                .unwrap_or_else(|err| panic!("a generated project must compile: {err}"));
            Schema::from_compiled(compiled)
        };
        let findings = check(&compile(), &compile(), RULES.iter());
        assert!(
            findings.is_empty(),
            "{findings:#?}\n{:#?}",
            project.sources()
        );
    }
}
