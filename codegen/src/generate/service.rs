//! A service as the code generators see it: Rust and proto names, leading
//! doc lines, and each method's request and response as Rust paths from
//! the package's module, as `generate::prost` reads them from a file.
//! Clients, servers and mocks are generated from it, and scaffolds name
//! what they implement with it.

/// A service.
#[derive(Clone, Debug)]
pub(crate) struct Service {
    /// Upper camel case: `UserService`.
    pub(crate) name: String,
    /// As declared.
    pub(crate) proto_name: String,
    /// The package, without a leading dot (empty when none).
    pub(crate) package: String,
    /// The leading comment's lines, Markdown cleaned up (for clients and
    /// servers: mocks document methods only).
    pub(crate) doc: Vec<String>,
    pub(crate) methods: Vec<Method>,
}

/// An rpc of a service.
#[derive(Clone, Debug)]
pub(crate) struct Method {
    /// snake case: `get_user`.
    pub(crate) name: String,
    /// As declared: `GetUser`.
    pub(crate) proto_name: String,
    /// The leading comment's lines, Markdown cleaned up.
    pub(crate) doc: Vec<String>,
    /// prost-build's Rust path of the request from the package's module
    /// (`GetUserRequest`, `super::common::v1::Money`, `()`,
    /// `::prost_types::Timestamp`).
    pub(crate) input_type: String,
    /// The same for the response.
    pub(crate) output_type: String,
    pub(crate) client_streaming: bool,
    pub(crate) server_streaming: bool,
    /// For clients (mocks do not mark deprecated rpcs).
    pub(crate) deprecated: bool,
}

impl Service {
    /// `pkg.Service` (`Service` with no package): the name in gRPC paths
    /// (clients, servers and mocks always include the package, as
    /// tonic-prost-build's do), `disable_comments` and attribute patterns.
    pub(crate) fn full_name(&self) -> String {
        if self.package.is_empty() {
            self.proto_name.clone()
        } else {
            format!("{}.{}", self.package, self.proto_name)
        }
    }
}

/// A request or response type as written in a service module, from its
/// Rust path in the package's module, as tonic writes it: `()` and absolute
/// paths (`::x`, `crate::x`) as they are, anything else below `proto_path`.
pub(crate) fn from_service_module(ty: &str, proto_path: &str) -> String {
    if ty.ends_with("()") || ty.starts_with("::") || ty.starts_with("crate::") {
        ty.to_owned()
    } else {
        format!(
            "{proto_path}::{}",
            ty.replace('.', "::").trim_start_matches("::")
        )
    }
}
