//! Generates messages, clients, servers and mocks from `proto/` (editions
//! 2023 and 2024), compiled by protoforge's own front end: prost-build alone
//! cannot read editions.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    protoforge_codegen::configure()
        .build_mocks(true)
        .include_file("protos.rs")
        .compile_protos(&["proto/echo.proto"], &["proto"])?;
    Ok(())
}
