//! Generates messages, clients, servers and mocks from protoc 35's
//! descriptor set of `proto/` (editions 2023 and 2024), which prost-build
//! alone cannot read.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    protoforge_codegen::configure()
        .build_mocks(true)
        .include_file("protos.rs")
        .compile_descriptor_set("proto/editions.binpb")?;
    Ok(())
}
