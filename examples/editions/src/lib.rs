//! The code protoforge generates from an editions schema: `proto/wire.proto`
//! (edition 2023) and `proto/echo.proto` (edition 2024), compiled by
//! protoforge in `build.rs`. `tests/wire.rs` proves the generated code on the
//! wire against protoc's Python code, and that protoforge's descriptor set
//! is protoc 35's (`proto/editions.binpb`, protoc's, is the image input of
//! `protoforge generate`'s tests).

pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/protos.rs"));
}
