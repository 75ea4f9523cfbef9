//! `protoforge new service`: the `.proto` file of a new service, following
//! the conventions buf lint checks by default.

use std::path::{Path, PathBuf};

use super::{FileToWrite, ScaffoldError, names};

/// The kind of an rpc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpcKind {
    /// One request, one response.
    Unary,
    /// One request, a stream of responses.
    ServerStream,
    /// A stream of requests, one response.
    ClientStream,
    /// Streams both ways.
    Bidi,
}

impl RpcKind {
    fn parse(text: &str) -> Option<RpcKind> {
        Some(match text {
            "unary" => RpcKind::Unary,
            "server-stream" => RpcKind::ServerStream,
            "client-stream" => RpcKind::ClientStream,
            "bidi" => RpcKind::Bidi,
            _ => return None,
        })
    }
}

/// A service to create: its package, name and rpcs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewService {
    package: String,
    name: String,
    rpcs: Vec<(String, RpcKind)>,
}

impl NewService {
    /// Checks `full_name` (`billing.v1.InvoiceService`) and the `rpcs`
    /// (`NAME[:unary|server-stream|client-stream|bidi]`). With no rpc, the
    /// service gets one unary rpc `Get<Name>` (`GetInvoice`).
    pub fn parse(full_name: &str, rpcs: &[String]) -> Result<NewService, ScaffoldError> {
        let (package, name) = names::split_service(full_name)?;
        let mut parsed: Vec<(String, RpcKind)> = Vec::new();
        for rpc in rpcs {
            let (rpc_name, kind) = match rpc.split_once(':') {
                None => (rpc.as_str(), RpcKind::Unary),
                Some((rpc_name, kind)) => (
                    rpc_name,
                    RpcKind::parse(kind).ok_or_else(|| {
                        ScaffoldError::Name(format!(
                            "unknown rpc kind '{kind}' in '{rpc}': use unary, server-stream, client-stream or bidi"
                        ))
                    })?,
                ),
            };
            names::check_pascal(rpc_name, "rpc", "RPC_PASCAL_CASE")?;
            if parsed.iter().any(|(existing, _)| existing == rpc_name) {
                return Err(ScaffoldError::Name(format!(
                    "rpc '{rpc_name}' is given twice"
                )));
            }
            parsed.push((rpc_name.to_owned(), kind));
        }
        if parsed.is_empty() {
            let stem = name
                .strip_suffix("Service")
                .filter(|s| !s.is_empty())
                .unwrap_or(&name);
            parsed.push((format!("Get{stem}"), RpcKind::Unary));
        }
        Ok(NewService {
            package,
            name,
            rpcs: parsed,
        })
    }

    /// Where the file goes below `proto_root`: the package's directory and
    /// the service's snake-case name (`billing/v1/invoice_service.proto`), as
    /// buf lint's PACKAGE_DIRECTORY_MATCH and FILE_LOWER_SNAKE_CASE want.
    pub fn path(&self, proto_root: &Path) -> PathBuf {
        let mut path = proto_root.to_owned();
        path.extend(self.package.split('.'));
        path.push(format!(
            "{}.proto",
            heck::ToSnakeCase::to_snake_case(self.name.as_str())
        ));
        path
    }

    /// The `.proto` file.
    pub fn proto_file(&self, proto_root: &Path) -> FileToWrite {
        FileToWrite {
            path: self.path(proto_root),
            content: self.render(),
        }
    }

    fn render(&self) -> String {
        let mut out = format!(
            "syntax = \"proto3\";\n\npackage {package};\n\n// TODO: say what {name} is for.\nservice {name} {{\n",
            package = self.package,
            name = self.name
        );
        for (rpc, kind) in &self.rpcs {
            let (request_stream, response_stream) = match kind {
                RpcKind::Unary => ("", ""),
                RpcKind::ServerStream => ("", "stream "),
                RpcKind::ClientStream => ("stream ", ""),
                RpcKind::Bidi => ("stream ", "stream "),
            };
            out.push_str(&format!(
                "  // TODO: say what {rpc} does.\n  rpc {rpc}({request_stream}{rpc}Request) returns ({response_stream}{rpc}Response);\n"
            ));
        }
        out.push_str("}\n");
        for (rpc, kind) in &self.rpcs {
            let (request, response) = match kind {
                RpcKind::Unary => ("The request", "The response"),
                RpcKind::ServerStream => ("The request", "One message of the response stream"),
                RpcKind::ClientStream => ("One message of the request stream", "The response"),
                RpcKind::Bidi => (
                    "One message of the request stream",
                    "One message of the response stream",
                ),
            };
            out.push_str(&format!(
                "\n// {request} of {rpc}.\nmessage {rpc}Request {{}}\n\n// {response} of {rpc}.\nmessage {rpc}Response {{}}\n"
            ));
        }
        out
    }
}
