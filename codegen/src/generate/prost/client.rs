//! tonic clients, as tonic-build 0.14 writes them through
//! tonic-prost-build (see the module docs of [`super`]).

use super::{
    comments::cleaned_lines,
    context::FileWriter,
    names::{to_snake, to_upper_camel},
};
use crate::compile::descriptor::{MethodDescriptorProto, ServiceDescriptorProto};

/// A method as tonic sees it.
pub(crate) struct Method {
    /// snake case.
    pub(crate) name: String,
    pub(crate) proto_name: String,
    pub(crate) doc: Vec<String>,
    /// Request and response types from the service module.
    pub(crate) request: String,
    pub(crate) response: String,
    /// prost-build's Rust paths of the request and response from the
    /// package module (before `proto_path`), and their proto names.
    pub(crate) input_type: String,
    pub(crate) output_type: String,
    pub(crate) input_proto_type: String,
    pub(crate) output_proto_type: String,
    pub(crate) client_streaming: bool,
    pub(crate) server_streaming: bool,
    pub(crate) deprecated: bool,
}

/// A service as tonic sees it.
pub(crate) struct Service {
    /// upper camel case.
    pub(crate) name: String,
    pub(crate) proto_name: String,
    pub(crate) package: String,
    pub(crate) doc: Vec<String>,
    pub(crate) methods: Vec<Method>,
}

impl Service {
    /// `pkg.Service`: the name in paths, `disable_comments` and attribute
    /// patterns (tonic-prost-build always includes the package).
    pub(crate) fn full_name(&self) -> String {
        if self.package.is_empty() {
            self.proto_name.clone()
        } else {
            format!("{}.{}", self.package, self.proto_name)
        }
    }
}

impl Service {
    /// The service as prost-build hands it to a service generator, for the
    /// mock generator, which still takes prost-build's type (the next step:
    /// `generate::mock` taking this module's `Service`).
    pub(crate) fn to_prost_build(&self) -> prost_build::Service {
        let comments = |leading: &[String]| prost_build::Comments {
            leading: leading.to_vec(),
            ..Default::default()
        };
        prost_build::Service {
            name: self.name.clone(),
            proto_name: self.proto_name.clone(),
            package: self.package.clone(),
            comments: comments(&self.doc),
            methods: self
                .methods
                .iter()
                .map(|m| prost_build::Method {
                    name: m.name.clone(),
                    proto_name: m.proto_name.clone(),
                    comments: comments(&m.doc),
                    input_type: m.input_type.clone(),
                    output_type: m.output_type.clone(),
                    input_proto_type: m.input_proto_type.clone(),
                    output_proto_type: m.output_proto_type.clone(),
                    options: Default::default(),
                    client_streaming: m.client_streaming,
                    server_streaming: m.server_streaming,
                })
                .collect(),
            options: Default::default(),
        }
    }
}

impl FileWriter<'_, '_> {
    /// The service at the current path (`[6, i]`), with its methods' Rust
    /// request and response types.
    pub(crate) fn service(&mut self, service: &ServiceDescriptorProto) -> Service {
        let doc = self.leading_lines();
        let mut methods = Vec::new();
        self.path.push(2);
        for (index, method) in service.method.iter().enumerate() {
            self.path.push(index as i32);
            methods.push(self.method(method));
            self.path.pop();
        }
        self.path.pop();
        Service {
            name: to_upper_camel(service.name()),
            proto_name: service.name().to_owned(),
            package: self.package.clone(),
            doc,
            methods,
        }
    }

    fn method(&self, method: &MethodDescriptorProto) -> Method {
        let input_proto_type = method.input_type.clone().unwrap_or_default();
        let output_proto_type = method.output_type.clone().unwrap_or_default();
        Method {
            input_type: self.rust_path(&input_proto_type),
            output_type: self.rust_path(&output_proto_type),
            input_proto_type: input_proto_type.clone(),
            output_proto_type: output_proto_type.clone(),
            name: to_snake(method.name()),
            proto_name: method.name().to_owned(),
            doc: self.leading_lines(),
            request: self.message_type(&input_proto_type),
            response: self.message_type(&output_proto_type),
            client_streaming: method.client_streaming.unwrap_or(false),
            server_streaming: method.server_streaming.unwrap_or(false),
            deprecated: method.options.as_ref().is_some_and(|o| o.deprecated()),
        }
    }

    /// A request or response type from the service module: `()`, an
    /// absolute extern path as is, else below `proto_path`.
    fn message_type(&self, full_name: &str) -> String {
        let rust = self.rust_path(full_name);
        if rust.ends_with("()") || rust.starts_with("::") || rust.starts_with("crate::") {
            rust
        } else {
            format!("{}::{rust}", self.options().proto_path)
        }
    }

    /// The leading comment at the current path, Markdown cleaned up, each
    /// line as tonic writes it (no rustdoc escaping).
    fn leading_lines(&self) -> Vec<String> {
        self.locations
            .as_ref()
            .and_then(|l| l.get(&self.path))
            .and_then(|location| location.leading_comments.as_deref())
            .map(cleaned_lines)
            .unwrap_or_default()
    }

    /// Appends the client module of `service`.
    pub(crate) fn client(&mut self, service: &Service, transport: bool) {
        let options = self.options();
        let full_name = service.full_name();
        let client = format!("{}Client", service.name);
        self.out.push_str("/// Generated client implementations.\n");
        for (pattern, attribute) in &options.client_mod_attributes {
            if tonic_matches(pattern, &service.package) {
                self.out.push_str(attribute);
                self.out.push('\n');
            }
        }
        self.out.push_str(&format!(
            "pub mod {}_client {{\n",
            naive_snake_case(&service.name)
        ));
        self.out.push_str(concat!(
            "#![allow(unused_variables, dead_code, missing_docs, clippy::wildcard_imports, clippy::let_unit_value,)]\n",
            "use tonic::codegen::*;\n",
            "use tonic::codegen::http::Uri;\n",
        ));
        if !options.disable_comments_exact.contains(&full_name) {
            push_docs(&service.doc, &mut self.out);
        }
        for (pattern, attribute) in &options.client_attributes {
            if tonic_matches(pattern, &full_name) {
                self.out.push_str(attribute);
                self.out.push('\n');
            }
        }
        self.out.push_str(&format!(
            "#[derive(Debug, Clone)]\npub struct {client}<T> {{ inner: tonic::client::Grpc<T>, }}\n"
        ));
        if transport {
            self.out.push_str(&format!(
                "impl {client}<tonic::transport::Channel> {{
                    /// Attempt to create a new client by connecting to a given endpoint.
                    pub async fn connect<D>(dst: D) -> Result<Self, tonic::transport::Error>
                    where D: TryInto<tonic::transport::Endpoint>, D::Error: Into<StdError>,
                    {{
                        let conn = tonic::transport::Endpoint::new(dst)?.connect().await?;
                        Ok(Self::new(conn))
                    }}
                }}\n"
            ));
        }
        self.out.push_str(&format!(
            "impl<T> {client}<T>
            where
                T: tonic::client::GrpcService<tonic::body::Body>,
                T::Error: Into<StdError>,
                T::ResponseBody: Body<Data = Bytes> + std::marker::Send + 'static,
                <T::ResponseBody as Body>::Error: Into<StdError> + std::marker::Send,
            {{
                pub fn new(inner: T) -> Self {{
                    let inner = tonic::client::Grpc::new(inner);
                    Self {{ inner }}
                }}
                pub fn with_origin(inner: T, origin: Uri) -> Self {{
                    let inner = tonic::client::Grpc::with_origin(inner, origin);
                    Self {{ inner }}
                }}
                pub fn with_interceptor<F>(inner: T, interceptor: F) -> {client}<InterceptedService<T, F>>
                where
                    F: tonic::service::Interceptor,
                    T::ResponseBody: Default,
                    T: tonic::codegen::Service<
                        http::Request<tonic::body::Body>,
                        Response = http::Response<<T as tonic::client::GrpcService<tonic::body::Body>>::ResponseBody>
                    >,
                    <T as tonic::codegen::Service<http::Request<tonic::body::Body>>>::Error: Into<StdError> + std::marker::Send + std::marker::Sync,
                {{
                    {client}::new(InterceptedService::new(inner, interceptor))
                }}
                /// Compress requests with the given encoding.
                ///
                /// This requires the server to support it otherwise it might respond with an
                /// error.
                #[must_use]
                pub fn send_compressed(mut self, encoding: CompressionEncoding) -> Self {{
                    self.inner = self.inner.send_compressed(encoding);
                    self
                }}
                /// Enable decompressing responses.
                #[must_use]
                pub fn accept_compressed(mut self, encoding: CompressionEncoding) -> Self {{
                    self.inner = self.inner.accept_compressed(encoding);
                    self
                }}
                /// Limits the maximum size of a decoded message.
                ///
                /// Default: `4MB`
                #[must_use]
                pub fn max_decoding_message_size(mut self, limit: usize) -> Self {{
                    self.inner = self.inner.max_decoding_message_size(limit);
                    self
                }}
                /// Limits the maximum size of an encoded message.
                ///
                /// Default: `usize::MAX`
                #[must_use]
                pub fn max_encoding_message_size(mut self, limit: usize) -> Self {{
                    self.inner = self.inner.max_encoding_message_size(limit);
                    self
                }}\n"
        ));
        for method in &service.methods {
            if !options
                .disable_comments_exact
                .contains(&format!("{full_name}.{}", method.proto_name))
            {
                push_docs(&method.doc, &mut self.out);
            }
            if method.deprecated {
                self.out.push_str("#[deprecated]\n");
            }
            let request = if method.client_streaming {
                format!(
                    "impl tonic::IntoStreamingRequest<Message = {}>",
                    method.request
                )
            } else {
                format!("impl tonic::IntoRequest<{}>", method.request)
            };
            let response = if method.server_streaming {
                format!("tonic::codec::Streaming<{}>", method.response)
            } else {
                method.response.clone()
            };
            let into = if method.client_streaming {
                "into_streaming_request"
            } else {
                "into_request"
            };
            let call = match (method.client_streaming, method.server_streaming) {
                (false, false) => "unary",
                (false, true) => "server_streaming",
                (true, false) => "client_streaming",
                (true, true) => "streaming",
            };
            self.out.push_str(&format!(
                "pub async fn {name}(&mut self, request: {request}) -> std::result::Result<tonic::Response<{response}>, tonic::Status> {{
                    self.inner.ready().await.map_err(|e| {{
                        tonic::Status::unknown(format!(\"Service was not ready: {{}}\", e.into()))
                    }})?;
                    let codec = {codec}::default();
                    let path = http::uri::PathAndQuery::from_static({path:?});
                    let mut req = request.{into}();
                    req.extensions_mut().insert(GrpcMethod::new({full_name:?}, {proto:?}));
                    self.inner.{call}(req, path, codec).await
                }}\n",
                name = method.name,
                codec = options.codec_path,
                path = format!("/{full_name}/{}", method.proto_name),
                proto = method.proto_name,
            ));
        }
        self.out.push_str("}\n}\n");
    }
}

/// Doc lines as tonic writes them: a space in front unless there is one.
pub(crate) fn push_docs(lines: &[String], out: &mut String) {
    for line in lines {
        let text = if line.starts_with(' ') {
            line.clone()
        } else {
            format!(" {line}")
        };
        out.push_str(&format!("#[doc = {text:?}]\n"));
    }
}

/// tonic's module stem of a service: `_` before every capital that follows
/// a character, then lower case (`HTTPService` → `h_t_t_p_service`).
pub(crate) fn naive_snake_case(name: &str) -> String {
    crate::generate::service_module_stem(name)
}

/// tonic's attribute patterns: `.` matches all; a pattern starting with
/// `.` matches a name that starts with its segments (so never a name
/// without a leading dot, as service names are); any other pattern
/// matches a name that ends with its segments.
pub(crate) fn tonic_matches(pattern: &str, name: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    if pattern == "." || pattern == name {
        return true;
    }
    let pattern: Vec<&str> = pattern.split('.').collect();
    let name: Vec<&str> = name.split('.').collect();
    if pattern.len() > name.len() {
        return false;
    }
    if pattern[0].is_empty() {
        name.starts_with(&pattern)
    } else {
        name.ends_with(&pattern)
    }
}
