//! tonic servers, as tonic-build 0.14 writes them through
//! tonic-prost-build: a trait per service, a `tower` service routing each
//! path to its method, and the service's name (see the module docs of
//! [`super`]).

use super::{
    client::{naive_snake_case, push_docs},
    context::FileWriter,
};
use crate::generate::service::{Method, Service, from_service_module};

impl FileWriter<'_, '_> {
    /// Appends the server module of `service`.
    pub(crate) fn server(&mut self, service: &Service) {
        let options = self.options();
        let full_name = service.full_name();
        let name = &service.name;
        let server = format!("{name}Server");
        self.out.push_str("/// Generated server implementations.\n");
        self.tonic_attributes(&options.server_mod_attributes, &service.package);
        self.out.push_str(&format!(
            "pub mod {}_server {{\n{}use tonic::codegen::*;\n",
            naive_snake_case(name),
            "#![allow(unused_variables, dead_code, missing_docs, clippy::wildcard_imports, clippy::let_unit_value,)]\n",
        ));
        self.server_trait(service);
        if !options.disable_comments_exact.contains(&full_name) {
            push_docs(&service.doc, &mut self.out);
        }
        self.tonic_attributes(&options.server_attributes, &full_name);
        self.out.push_str(&format!(
            "#[derive(Debug)]
            pub struct {server}<T> {{
                inner: Arc<T>,
                accept_compression_encodings: EnabledCompressionEncodings,
                send_compression_encodings: EnabledCompressionEncodings,
                max_decoding_message_size: Option<usize>,
                max_encoding_message_size: Option<usize>,
            }}
            impl<T> {server}<T> {{
                pub fn new(inner: T) -> Self {{
                    Self::from_arc(Arc::new(inner))
                }}
                pub fn from_arc(inner: Arc<T>) -> Self {{
                    Self {{
                        inner,
                        accept_compression_encodings: Default::default(),
                        send_compression_encodings: Default::default(),
                        max_decoding_message_size: None,
                        max_encoding_message_size: None,
                    }}
                }}
                pub fn with_interceptor<F>(inner: T, interceptor: F) -> InterceptedService<Self, F>
                where
                    F: tonic::service::Interceptor,
                {{
                    InterceptedService::new(Self::new(inner), interceptor)
                }}
                /// Enable decompressing requests with the given encoding.
                #[must_use]
                pub fn accept_compressed(mut self, encoding: CompressionEncoding) -> Self {{
                    self.accept_compression_encodings.enable(encoding);
                    self
                }}
                /// Compress responses with the given encoding, if the client supports it.
                #[must_use]
                pub fn send_compressed(mut self, encoding: CompressionEncoding) -> Self {{
                    self.send_compression_encodings.enable(encoding);
                    self
                }}
                /// Limits the maximum size of a decoded message.
                ///
                /// Default: `4MB`
                #[must_use]
                pub fn max_decoding_message_size(mut self, limit: usize) -> Self {{
                    self.max_decoding_message_size = Some(limit);
                    self
                }}
                /// Limits the maximum size of an encoded message.
                ///
                /// Default: `usize::MAX`
                #[must_use]
                pub fn max_encoding_message_size(mut self, limit: usize) -> Self {{
                    self.max_encoding_message_size = Some(limit);
                    self
                }}
            }}
            impl<T, B> tonic::codegen::Service<http::Request<B>> for {server}<T>
            where
                T: {name},
                B: Body + std::marker::Send + 'static,
                B::Error: Into<StdError> + std::marker::Send + 'static,
            {{
                type Response = http::Response<tonic::body::Body>;
                type Error = std::convert::Infallible;
                type Future = BoxFuture<Self::Response, Self::Error>;
                fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<std::result::Result<(), Self::Error>> {{
                    Poll::Ready(Ok(()))
                }}
                fn call(&mut self, req: http::Request<B>) -> Self::Future {{
                    match req.uri().path() {{\n"
        ));
        for method in &service.methods {
            self.route(service, method);
        }
        self.out.push_str(&format!(
            "_ => Box::pin(async move {{
                            let mut response = http::Response::new(tonic::body::Body::default());
                            let headers = response.headers_mut();
                            headers.insert(tonic::Status::GRPC_STATUS, (tonic::Code::Unimplemented as i32).into());
                            headers.insert(http::header::CONTENT_TYPE, tonic::metadata::GRPC_CONTENT_TYPE);
                            Ok(response)
                        }}),
                    }}
                }}
            }}
            impl<T> Clone for {server}<T> {{
                fn clone(&self) -> Self {{
                    let inner = self.inner.clone();
                    Self {{
                        inner,
                        accept_compression_encodings: self.accept_compression_encodings,
                        send_compression_encodings: self.send_compression_encodings,
                        max_decoding_message_size: self.max_decoding_message_size,
                        max_encoding_message_size: self.max_encoding_message_size,
                    }}
                }}
            }}
            /// Generated gRPC service name
            pub const SERVICE_NAME: &str = {full_name:?};
            impl<T> tonic::server::NamedService for {server}<T> {{
                const NAME: &'static str = SERVICE_NAME;
            }}
            }}\n"
        ));
    }

    /// The trait a server implements, a method per rpc.
    fn server_trait(&mut self, service: &Service) {
        let options = self.options();
        let name = &service.name;
        push_docs(
            &[format!(
                " Generated trait containing gRPC methods that should be implemented for use with {name}Server."
            )],
            &mut self.out,
        );
        self.tonic_attributes(&options.trait_attributes, name);
        self.out.push_str(&format!(
            "#[async_trait]\npub trait {name}: std::marker::Send + std::marker::Sync + 'static {{\n"
        ));
        let self_param = if options.use_arc_self {
            "self: std::sync::Arc<Self>"
        } else {
            "&self"
        };
        let stubs = options.generate_default_stubs;
        for method in &service.methods {
            let request_type = from_service_module(&method.input_type, &options.proto_path);
            let response_type = from_service_module(&method.output_type, &options.proto_path);
            let doc = if options.disable_comments_exact.contains(&format!(
                "{}.{}",
                service.full_name(),
                method.proto_name
            )) {
                Vec::new()
            } else {
                method.doc.clone()
            };
            let request = if method.client_streaming {
                format!("tonic::Streaming<{}>", request_type)
            } else {
                request_type.clone()
            };
            let response = match (method.server_streaming, stubs) {
                (false, _) => response_type.clone(),
                (true, true) => format!("BoxStream<{}>", response_type),
                (true, false) => {
                    let stream = format!("{}Stream", method.proto_name);
                    push_docs(
                        &[format!(
                            " Server streaming response type for the {} method.",
                            method.proto_name
                        )],
                        &mut self.out,
                    );
                    self.out.push_str(&format!(
                        "type {stream}: tonic::codegen::tokio_stream::Stream<Item = std::result::Result<{}, tonic::Status>> + std::marker::Send + 'static;\n",
                        response_type
                    ));
                    format!("Self::{stream}")
                }
            };
            push_docs(&doc, &mut self.out);
            self.out.push_str(&format!(
                "async fn {}({self_param}, request: tonic::Request<{request}>) -> std::result::Result<tonic::Response<{response}>, tonic::Status>",
                method.name
            ));
            if stubs {
                self.out
                    .push_str(" { Err(tonic::Status::unimplemented(\"Not yet implemented\")) }\n");
            } else {
                self.out.push_str(";\n");
            }
        }
        self.out.push_str("}\n");
    }

    /// The match arm routing a method's path to the trait.
    fn route(&mut self, service: &Service, method: &Method) {
        let options = self.options();
        let trait_name = &service.name;
        let svc = format!("{}Svc", method.proto_name);
        let (kind, call) = match (method.client_streaming, method.server_streaming) {
            (false, false) => ("UnaryService", "unary"),
            (false, true) => ("ServerStreamingService", "server_streaming"),
            (true, false) => ("ClientStreamingService", "client_streaming"),
            (true, true) => ("StreamingService", "streaming"),
        };
        let request = &from_service_module(&method.input_type, &options.proto_path);
        let response = &from_service_module(&method.output_type, &options.proto_path);
        let streamed_request = if method.client_streaming {
            format!("tonic::Streaming<{request}>")
        } else {
            request.clone()
        };
        let (stream_type, future_response) = if method.server_streaming {
            let stream = if options.generate_default_stubs {
                format!("type ResponseStream = BoxStream<{response}>;")
            } else {
                format!("type ResponseStream = T::{}Stream;", method.proto_name)
            };
            (stream, "Self::ResponseStream")
        } else {
            (String::new(), "Self::Response")
        };
        let inner = if options.use_arc_self {
            "inner"
        } else {
            "&inner"
        };
        let path = format!("/{}/{}", service.full_name(), method.proto_name);
        let codec = &options.codec_path;
        self.out.push_str(&format!(
            "{path:?} => {{
                #[allow(non_camel_case_types)]
                struct {svc}<T: {trait_name}>(pub Arc<T>);
                impl<T: {trait_name}> tonic::server::{kind}<{request}> for {svc}<T> {{
                    type Response = {response};
                    {stream_type}
                    type Future = BoxFuture<tonic::Response<{future_response}>, tonic::Status>;
                    fn call(&mut self, request: tonic::Request<{streamed_request}>) -> Self::Future {{
                        let inner = Arc::clone(&self.0);
                        let fut = async move {{
                            <T as {trait_name}>::{name}({inner}, request).await
                        }};
                        Box::pin(fut)
                    }}
                }}
                let accept_compression_encodings = self.accept_compression_encodings;
                let send_compression_encodings = self.send_compression_encodings;
                let max_decoding_message_size = self.max_decoding_message_size;
                let max_encoding_message_size = self.max_encoding_message_size;
                let inner = self.inner.clone();
                let fut = async move {{
                    let method = {svc}(inner);
                    let codec = {codec}::default();
                    let mut grpc = tonic::server::Grpc::new(codec)
                        .apply_compression_config(accept_compression_encodings, send_compression_encodings)
                        .apply_max_message_size_config(max_decoding_message_size, max_encoding_message_size);
                    let res = grpc.{call}(method, req).await;
                    Ok(res)
                }};
                Box::pin(fut)
            }}\n",
            name = method.name,
        ));
    }
}
