//! The code protoforge generates from an editions schema: `proto/wire.proto`
//! (edition 2023) and `proto/echo.proto` (edition 2024), compiled by protoc
//! 35 into `proto/editions.binpb` (`tests/wire.rs` checks it is current and
//! proves the generated code on the wire against protoc's Python code).

pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/protos.rs"));
}
