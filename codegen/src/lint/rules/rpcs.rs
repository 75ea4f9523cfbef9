//! Rules about rpcs.

use std::collections::{BTreeMap, BTreeSet};

use super::{Categories, Check, PASCAL_CASE, Report, Rule, check_comment, check_name};
use crate::lint::{
    elements::{
        FILE_SERVICE, FileView, METHOD_INPUT, METHOD_OUTPUT, MethodView, Module, SERVICE_METHOD,
        child,
    },
    naming,
};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "RPC_PASCAL_CASE",
        purpose: "Checks that RPCs are PascalCase.",
        categories: Categories {
            v1beta1: Some(&[
                "BASIC",
                "DEFAULT",
                "STANDARD",
                "STYLE_BASIC",
                "STYLE_DEFAULT",
                "STYLE_STANDARD",
            ]),
            v1: Some(&["BASIC", "DEFAULT", "STANDARD"]),
            v2: Some(&["BASIC", "DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Method(rpc_pascal_case),
    },
    Rule {
        id: "RPC_NO_CLIENT_STREAMING",
        purpose: "Checks that RPCs are not client streaming.",
        categories: Categories {
            v1beta1: Some(&["UNARY_RPC"]),
            v1: Some(&["UNARY_RPC"]),
            v2: Some(&["UNARY_RPC"]),
        },
        deprecated: false,
        check: Check::Method(rpc_no_client_streaming),
    },
    Rule {
        id: "RPC_NO_SERVER_STREAMING",
        purpose: "Checks that RPCs are not server streaming.",
        categories: Categories {
            v1beta1: Some(&["UNARY_RPC"]),
            v1: Some(&["UNARY_RPC"]),
            v2: Some(&["UNARY_RPC"]),
        },
        deprecated: false,
        check: Check::Method(rpc_no_server_streaming),
    },
    Rule {
        id: "RPC_REQUEST_STANDARD_NAME",
        purpose: "Checks that RPC request type names are RPCNameRequest or ServiceNameRPCNameRequest (configurable).",
        categories: Categories {
            v1beta1: Some(&["DEFAULT", "STANDARD", "STYLE_DEFAULT", "STYLE_STANDARD"]),
            v1: Some(&["DEFAULT", "STANDARD"]),
            v2: Some(&["DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Method(rpc_request_standard_name),
    },
    Rule {
        id: "RPC_RESPONSE_STANDARD_NAME",
        purpose: "Checks that RPC response type names are RPCNameResponse or ServiceNameRPCNameResponse (configurable).",
        categories: Categories {
            v1beta1: Some(&["DEFAULT", "STANDARD", "STYLE_DEFAULT", "STYLE_STANDARD"]),
            v1: Some(&["DEFAULT", "STANDARD"]),
            v2: Some(&["DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Method(rpc_response_standard_name),
    },
    Rule {
        id: "RPC_REQUEST_RESPONSE_UNIQUE",
        purpose: "Checks that RPC request and response types are only used in one RPC (configurable).",
        categories: Categories {
            v1beta1: Some(&["DEFAULT", "STANDARD", "STYLE_DEFAULT", "STYLE_STANDARD"]),
            v1: Some(&["DEFAULT", "STANDARD"]),
            v2: Some(&["DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Module(rpc_request_response_unique),
    },
    Rule {
        id: "COMMENT_RPC",
        purpose: "Checks that RPCs have non-empty comments.",
        categories: Categories {
            v1beta1: Some(&["COMMENTS"]),
            v1: Some(&["COMMENTS"]),
            v2: Some(&["COMMENTS"]),
        },
        deprecated: false,
        check: Check::Method(comment_rpc),
    },
];

const EMPTY: &str = "google.protobuf.Empty";

fn rpc_pascal_case(method: &MethodView<'_>, report: &mut Report<'_>) {
    let name = method.proto.name();
    check_name(method.file, &method.path, "RPC", name, PASCAL_CASE, report);
}

fn rpc_no_client_streaming(method: &MethodView<'_>, report: &mut Report<'_>) {
    if method.proto.client_streaming() {
        let message = format!("RPC {:?} is client streaming.", method.proto.name());
        report.add(method.file, &method.path, &method.path, message);
    }
}

fn rpc_no_server_streaming(method: &MethodView<'_>, report: &mut Report<'_>) {
    if method.proto.server_streaming() {
        let message = format!("RPC {:?} is server streaming.", method.proto.name());
        report.add(method.file, &method.path, &method.path, message);
    }
}

/// The request or response type must be named `{Rpc}{suffix}` or
/// `{Service}{Rpc}{suffix}`.
fn standard_name(
    method: &MethodView<'_>,
    report: &mut Report<'_>,
    full_name: &str,
    at: i32,
    (kind, suffix): (&str, &str),
) {
    let name = full_name.rsplit('.').next().unwrap_or(full_name);
    let first = format!("{}{suffix}", naming::to_pascal_case(method.proto.name()));
    let second = format!("{}{first}", naming::to_pascal_case(method.service.name()));
    if name != first && name != second {
        report.add(
            method.file,
            &method.path,
            &child(&method.path, &[at]),
            format!("RPC {kind} type {name:?} should be named {first:?} or {second:?}."),
        );
    }
}

fn rpc_request_standard_name(method: &MethodView<'_>, report: &mut Report<'_>) {
    let input = method.proto.input_type().trim_start_matches('.');
    if input == EMPTY && report.options.rpc_allow_google_protobuf_empty_requests {
        return;
    }
    standard_name(method, report, input, METHOD_INPUT, ("request", "Request"));
}

fn rpc_response_standard_name(method: &MethodView<'_>, report: &mut Report<'_>) {
    let output = method.proto.output_type().trim_start_matches('.');
    if output == EMPTY && report.options.rpc_allow_google_protobuf_empty_responses {
        return;
    }
    standard_name(
        method,
        report,
        output,
        METHOD_OUTPUT,
        ("response", "Response"),
    );
}

/// An rpc of the module, for the rule across rpcs.
struct Rpc<'a> {
    file: &'a FileView<'a>,
    path: Vec<i32>,
    name: &'a str,
    input: &'a str,
    output: &'a str,
}

fn rpc_request_response_unique(module: &Module<'_>, report: &mut Report<'_>) {
    let options = report.options.clone();
    let (allow_empty_requests, allow_empty_responses) = (
        options.rpc_allow_google_protobuf_empty_requests,
        options.rpc_allow_google_protobuf_empty_responses,
    );
    // Each rpc by full name, as buf keys them.
    let mut rpcs: BTreeMap<String, Rpc<'_>> = BTreeMap::new();
    for file in &module.files {
        let package = file.proto.package();
        for (i, service) in file.proto.service.iter().enumerate() {
            for (j, method) in service.method.iter().enumerate() {
                let full_name = [package, service.name(), method.name()]
                    .iter()
                    .filter(|part| !part.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(".");
                rpcs.insert(
                    full_name,
                    Rpc {
                        file,
                        path: vec![FILE_SERVICE, i as i32, SERVICE_METHOD, j as i32],
                        name: method.name(),
                        input: method.input_type().trim_start_matches('.'),
                        output: method.output_type().trim_start_matches('.'),
                    },
                );
            }
        }
    }
    if !options.rpc_allow_same_request_response {
        for rpc in rpcs.values() {
            if rpc.input == rpc.output
                && !(rpc.input == EMPTY && allow_empty_requests && allow_empty_responses)
            {
                report.add(
                    rpc.file,
                    &rpc.path,
                    &rpc.path,
                    format!(
                        "RPC {:?} has the same type {:?} for the request and response.",
                        rpc.name, rpc.input
                    ),
                );
            }
        }
    }
    let mut by_type: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (full_name, rpc) in &rpcs {
        for type_name in [rpc.input, rpc.output] {
            by_type.entry(type_name).or_default().insert(full_name);
        }
    }
    for (type_name, users) in by_type {
        if users.len() < 2 {
            continue;
        }
        let users = users.iter().map(|name| &rpcs[*name]);
        if type_name == EMPTY && (allow_empty_requests || allow_empty_responses) {
            if allow_empty_requests && allow_empty_responses {
                continue;
            }
            let (requests, responses): (Vec<&Rpc<'_>>, Vec<&Rpc<'_>>) = (
                users.clone().filter(|rpc| rpc.input == EMPTY).collect(),
                users.filter(|rpc| rpc.output == EMPTY).collect(),
            );
            for (allowed, list, kind) in [
                (allow_empty_requests, requests, "request"),
                (allow_empty_responses, responses, "response"),
            ] {
                if !allowed && list.len() > 1 {
                    for rpc in list {
                        report.add(
                            rpc.file,
                            &rpc.path,
                            &rpc.path,
                            format!("{type_name:?} is used as the {kind} for multiple RPCs."),
                        );
                    }
                }
            }
        } else {
            for rpc in users {
                report.add(
                    rpc.file,
                    &rpc.path,
                    &rpc.path,
                    format!(
                        "{type_name:?} is used as the request or response type for multiple RPCs."
                    ),
                );
            }
        }
    }
}

fn comment_rpc(method: &MethodView<'_>, report: &mut Report<'_>) {
    check_comment(
        method.file,
        &method.path,
        "RPC",
        method.proto.name(),
        report,
    );
}
