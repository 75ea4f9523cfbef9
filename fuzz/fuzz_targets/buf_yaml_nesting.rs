#![no_main]

#[path = "../../codegen/tests/common/fuzz_targets.rs"]
mod fuzz_targets;
#[path = "../../codegen/tests/common/schema_model.rs"]
mod schema_model;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::buf_yaml_nesting(data));
