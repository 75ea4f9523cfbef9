//! tonic clients, as tonic-build 0.14 writes them through
//! tonic-prost-build (see the module docs of [`super`]).

use super::{
    comments::cleaned_lines,
    context::FileWriter,
    names::{to_snake, to_upper_camel},
};
use crate::compile::descriptor::{
    FileDescriptorProto, MethodDescriptorProto, ServiceDescriptorProto,
};
use crate::generate::service::{Method, Service, from_service_module};

impl FileWriter<'_, '_> {
    /// Every service of `file`, the one this writer is at the top of.
    pub(crate) fn services(&mut self, file: &FileDescriptorProto) -> Vec<Service> {
        self.path.push(6);
        let mut services = Vec::new();
        for (index, service) in file.service.iter().enumerate() {
            self.path.push(index as i32);
            services.push(self.service(service));
            self.path.pop();
        }
        self.path.pop();
        services
    }

    /// The service at the current path (`[6, i]`), with its methods' Rust
    /// request and response types.
    fn service(&mut self, service: &ServiceDescriptorProto) -> Service {
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
        Method {
            input_type: self.rust_path(method.input_type.as_deref().unwrap_or_default()),
            output_type: self.rust_path(method.output_type.as_deref().unwrap_or_default()),
            name: to_snake(method.name()),
            proto_name: method.name().to_owned(),
            doc: self.leading_lines(),
            client_streaming: method.client_streaming.unwrap_or(false),
            server_streaming: method.server_streaming.unwrap_or(false),
            deprecated: method.options.as_ref().is_some_and(|o| o.deprecated()),
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

    /// Appends each attribute whose tonic pattern matches `name`.
    pub(crate) fn tonic_attributes(&mut self, attributes: &[(String, String)], name: &str) {
        for (pattern, attribute) in attributes {
            if tonic_matches(pattern, name) {
                self.out.push_str(attribute);
                self.out.push('\n');
            }
        }
    }

    /// Appends the client module of `service`.
    pub(crate) fn client(&mut self, service: &Service, transport: bool) {
        let options = self.options();
        let full_name = service.full_name();
        let client = format!("{}Client", service.name);
        self.out.push_str("/// Generated client implementations.\n");
        self.tonic_attributes(&options.client_mod_attributes, &service.package);
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
        self.tonic_attributes(&options.client_attributes, &full_name);
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
            let request_type = from_service_module(&method.input_type, &options.proto_path);
            let response_type = from_service_module(&method.output_type, &options.proto_path);
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
                    request_type
                )
            } else {
                format!("impl tonic::IntoRequest<{}>", request_type)
            };
            let response = if method.server_streaming {
                format!("tonic::codec::Streaming<{}>", response_type)
            } else {
                response_type.clone()
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
