//! The well-known types and the language feature files, as protoc 35 ships
//! them in its `include/` directory (copied from grpcio-tools'
//! `grpc_tools/_proto`, unchanged): imports no include root provides are
//! looked up here, as protoc looks them up in its own include directory.

/// The text of the built-in file named `name` (an import name such as
/// `google/protobuf/any.proto`).
pub(crate) fn source(name: &str) -> Option<&'static str> {
    macro_rules! files {
        ($($name:literal),* $(,)?) => {
            match name {
                $($name => Some(include_str!(concat!("well_known/", $name))),)*
                _ => None,
            }
        };
    }
    files!(
        "google/protobuf/any.proto",
        "google/protobuf/api.proto",
        "google/protobuf/compiler/plugin.proto",
        "google/protobuf/cpp_features.proto",
        "google/protobuf/descriptor.proto",
        "google/protobuf/duration.proto",
        "google/protobuf/empty.proto",
        "google/protobuf/field_mask.proto",
        "google/protobuf/go_features.proto",
        "google/protobuf/java_features.proto",
        "google/protobuf/source_context.proto",
        "google/protobuf/struct.proto",
        "google/protobuf/timestamp.proto",
        "google/protobuf/type.proto",
        "google/protobuf/wrappers.proto",
    )
}
