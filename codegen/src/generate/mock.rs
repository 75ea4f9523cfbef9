//! The typed mock of a service, generated beside tonic's client and server.
//!
//! The generated code stays thin: a struct with one
//! `protoforge_runtime::Method` per rpc, an accessor per rpc, and the server
//! trait implemented by handing each call to its method. Everything else
//! (matching, recording, verification, transports) is in `protoforge-runtime`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{
    prost::Options,
    service::{Method, Service, from_service_module},
};

/// Names the mock's own methods take; an rpc whose snake-case name is one of
/// them gets an accessor with an `_rpc` suffix (`verify_rpc()`).
const RESERVED: &[&str] = &[
    "new",
    "verify",
    "server",
    "client",
    "serve",
    "serve_ephemeral",
    "default",
    "clone",
    "fmt",
];

/// The Rust code of `<service>_mock::Mock<Service>` under the build's
/// `options` (a `client()` when clients are built, `use_arc_self`,
/// `proto_path`); `Err` when a type path (an extern path, `proto_path`) is
/// not Rust.
pub(crate) fn generate(service: &Service, options: &Options) -> Result<String, String> {
    let tokens = mock_module(service, options)?;
    let file = syn::parse2::<syn::File>(tokens)
        .map_err(|err| format!("the mock of {} does not parse: {err}", service.full_name()))?;
    Ok(prettyplease::unparse(&file))
}

fn mock_module(service: &Service, options: &Options) -> Result<TokenStream, String> {
    let snake = super::service_module_stem(&service.name);
    let module = format_ident!("{}_mock", snake);
    let server_module = format_ident!("{}_server", snake);
    let client_module = format_ident!("{}_client", snake);
    let mock = format_ident!("Mock{}", service.name);
    let trait_name = format_ident!("{}", service.name);
    let server = format_ident!("{}Server", service.name);
    let client = format_ident!("{}Client", service.name);
    // The routes tonic's clients and servers use: tonic-prost-build 0.14
    // always names a service with its package (see `Builder::emit_package`).
    let full_name = service.full_name();
    let struct_doc = doc(&format!(
        "A typed mock of `{full_name}`: set expectations per rpc through its\n\
         accessors, call it in process through [`{mock}::client`] or over TCP\n\
         through [`{mock}::serve`], then check it with [`{mock}::verify`]."
    ));
    let module_doc = doc(&format!("Generated mock of `{full_name}`."));

    let rpcs: Vec<Rpc> = service
        .methods
        .iter()
        .map(|method| Rpc::new(method, &full_name, &options.proto_path))
        .collect::<Result<_, _>>()?;
    let fields = rpcs.iter().map(|rpc| {
        let (field, ty) = (&rpc.field, &rpc.ty);
        quote! { #field: #ty, }
    });
    let inits = rpcs.iter().map(|rpc| {
        let (field, kind, path) = (&rpc.field, &rpc.kind, &rpc.grpc_path);
        quote! { #field: ::protoforge_runtime::#kind::new(#path), }
    });
    let accessors = rpcs.iter().map(|rpc| {
        let (field, accessor, ty) = (&rpc.field, &rpc.accessor, &rpc.ty);
        let doc = doc(&rpc.doc);
        quote! {
            #doc
            pub fn #accessor(&self) -> &#ty {
                &self.#field
            }
        }
    });
    let verifies = rpcs.iter().map(|rpc| {
        let field = &rpc.field;
        quote! { self.#field.verify(), }
    });
    let receiver = if options.use_arc_self {
        quote!(self: ::std::sync::Arc<Self>)
    } else {
        quote!(&self)
    };
    let handlers = rpcs.iter().map(|rpc| rpc.handler(&receiver));
    let client_fn = options.build_client.then(|| {
        quote! {
            /// A client on a real `tonic::transport::Channel` connected to
            /// this mock in memory, with no socket: the type the code under
            /// test takes. Call it inside a tokio runtime. A request deadline
            /// (`Request::set_timeout`) ends the call as on the network.
            pub fn client(&self) -> super::#client_module::#client<::protoforge_runtime::Channel> {
                super::#client_module::#client::new(::protoforge_runtime::channel(
                    ::protoforge_runtime::Routes::new(self.server()),
                ))
            }
        }
    });

    Ok(quote! {
        #module_doc
        pub mod #module {
            #struct_doc
            #[derive(Clone, Debug)]
            pub struct #mock {
                #(#fields)*
            }

            impl ::core::default::Default for #mock {
                fn default() -> Self {
                    Self::new()
                }
            }

            impl #mock {
                /// A mock with no expectations: every call is answered
                /// `UNIMPLEMENTED` until one is set.
                pub fn new() -> Self {
                    Self { #(#inits)* }
                }

                #(#accessors)*

                /// Checks every expectation of every rpc; the error lists
                /// each unmet one.
                pub fn verify(&self) -> ::core::result::Result<(), ::protoforge_runtime::VerifyError> {
                    ::protoforge_runtime::VerifyError::collect([#(#verifies)*])
                }

                /// The tonic server of this mock, to add to a router.
                pub fn server(&self) -> super::#server_module::#server<Self> {
                    super::#server_module::#server::new(self.clone())
                }

                #client_fn

                /// Serves this mock on `addr` over TCP until the returned
                /// server is dropped.
                pub async fn serve(&self, addr: ::std::net::SocketAddr) -> ::std::io::Result<::protoforge_runtime::MockServer> {
                    ::protoforge_runtime::serve(tonic::service::Routes::new(self.server()), addr).await
                }

                /// Serves this mock on a free port of 127.0.0.1.
                pub async fn serve_ephemeral(&self) -> ::std::io::Result<::protoforge_runtime::MockServer> {
                    ::protoforge_runtime::serve_ephemeral(tonic::service::Routes::new(self.server())).await
                }
            }

            #[tonic::async_trait]
            impl super::#server_module::#trait_name for #mock {
                #(#handlers)*
            }
        }
    })
}

/// One rpc of the mock.
struct Rpc {
    /// The field holding its `Method` (the rpc's snake-case name).
    field: syn::Ident,
    /// The accessor: the field's name, or `<name>_rpc` when reserved.
    accessor: syn::Ident,
    /// `Unary`, `ServerStreaming`, `ClientStreaming` or `Bidi`.
    kind: TokenStream,
    /// `::protoforge_runtime::Unary<Req, Res>` and so on.
    ty: TokenStream,
    request: TokenStream,
    response: TokenStream,
    /// `/package.Service/Method`.
    grpc_path: String,
    /// The trait method's name, as tonic names it.
    method: syn::Ident,
    /// tonic's associated stream type, for server-streaming responses.
    stream_type: syn::Ident,
    client_streaming: bool,
    server_streaming: bool,
    doc: String,
}

impl Rpc {
    fn new(method: &Method, service: &str, proto_path: &str) -> Result<Rpc, String> {
        let request = rust_type(&method.input_type, proto_path)?;
        let response = rust_type(&method.output_type, proto_path)?;
        let kind = match (method.client_streaming, method.server_streaming) {
            (false, false) => quote!(Unary),
            (false, true) => quote!(ServerStreaming),
            (true, false) => quote!(ClientStreaming),
            (true, true) => quote!(Bidi),
        };
        let name = &method.name;
        let accessor = if RESERVED.contains(&name.as_str()) {
            format_ident!("{}_rpc", name)
        } else {
            format_ident!("{}", name)
        };
        let mut doc = format!("Expectations and calls of `{}`.", method.proto_name);
        if !method.doc.is_empty() {
            doc.push('\n');
            for line in &method.doc {
                doc.push_str(&format!("\n{}", line.trim()));
            }
        }
        Ok(Rpc {
            field: format_ident!("{}", name),
            accessor,
            ty: quote!(::protoforge_runtime::#kind<#request, #response>),
            kind,
            grpc_path: format!("/{service}/{}", method.proto_name),
            method: format_ident!("{}", name),
            stream_type: format_ident!("{}Stream", method.proto_name),
            client_streaming: method.client_streaming,
            server_streaming: method.server_streaming,
            request,
            response,
            doc,
        })
    }

    fn handler(&self, receiver: &TokenStream) -> TokenStream {
        let (field, method, request, response) =
            (&self.field, &self.method, &self.request, &self.response);
        let request = if self.client_streaming {
            quote!(tonic::Request<tonic::Streaming<#request>>)
        } else {
            quote!(tonic::Request<#request>)
        };
        if self.server_streaming {
            let stream_type = &self.stream_type;
            quote! {
                type #stream_type = ::protoforge_runtime::ResponseStream<#response>;
                async fn #method(#receiver, request: #request) -> ::core::result::Result<tonic::Response<Self::#stream_type>, tonic::Status> {
                    self.#field.handle(request).await
                }
            }
        } else {
            quote! {
                async fn #method(#receiver, request: #request) -> ::core::result::Result<tonic::Response<#response>, tonic::Status> {
                    self.#field.handle(request).await
                }
            }
        }
    }
}

/// One `#[doc]` attribute per line, so the code reads as `///` comments.
fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// The Rust type of a request or response, as seen from inside the mock
/// module, following tonic's rules: `()` and absolute paths (`::prost_types`,
/// extern paths) as they are, the rest relative to the package module.
fn rust_type(ty: &str, proto_path: &str) -> Result<TokenStream, String> {
    let path = from_service_module(ty, proto_path);
    syn::parse_str::<syn::Type>(&path)
        .map(|ty| quote!(#ty))
        .map_err(|err| {
            format!("`{path}` is not a Rust type ({err}): check extern_path and proto_path")
        })
}
