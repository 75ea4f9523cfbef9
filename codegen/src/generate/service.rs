//! A service as the code generators see it: Rust and proto names, leading
//! doc lines, and each method's request and response as Rust paths from
//! the package's module. Mocks are generated from it; so are tonic's
//! clients and servers in protoforge's own generator (`generate::prost`).
//! Today `configure()` builds it from prost-build's `Service`.

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
    #[cfg_attr(not(feature = "own-generator"), allow(dead_code))]
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
    #[cfg_attr(not(feature = "own-generator"), allow(dead_code))]
    pub(crate) deprecated: bool,
}

impl Service {
    /// `pkg.Service` (`Service` with no package): the name in gRPC paths
    /// (tonic-prost-build always includes the package; mocks unless
    /// `emit_package(false)`), `disable_comments` and attribute patterns.
    pub(crate) fn full_name(&self) -> String {
        if self.package.is_empty() {
            self.proto_name.clone()
        } else {
            format!("{}.{}", self.package, self.proto_name)
        }
    }
}

impl From<&prost_build::Service> for Service {
    fn from(service: &prost_build::Service) -> Self {
        Service {
            name: service.name.clone(),
            proto_name: service.proto_name.clone(),
            package: service.package.clone(),
            doc: service.comments.leading.clone(),
            methods: service
                .methods
                .iter()
                .map(|method| Method {
                    name: method.name.clone(),
                    proto_name: method.proto_name.clone(),
                    doc: method.comments.leading.clone(),
                    input_type: method.input_type.clone(),
                    output_type: method.output_type.clone(),
                    client_streaming: method.client_streaming,
                    server_streaming: method.server_streaming,
                    deprecated: method.options.deprecated(),
                })
                .collect(),
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
