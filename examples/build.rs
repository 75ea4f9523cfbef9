//! Generates the messages, clients, servers and mocks of every schema in
//! `proto/`, with no protoc, and the descriptor set for server reflection.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    protoforge_codegen::configure()
        .build_mocks(true)
        .file_descriptor_set_path("descriptor.binpb")
        .include_file("protos.rs")
        .compile_protos(&["../proto"], &[])?;
    Ok(())
}
