//! Rules on rpcs: deletion from a service, and what an rpc keeps.

use crate::compile::descriptor::{MethodDescriptorProto, method_options::IdempotencyLevel};

use super::{Categories, Check, Report, Rule};
use crate::compat::{
    finding::Span,
    pairing::{MethodPair, ServicePair},
    schema::number::{IDEMPOTENCY_LEVEL, METHOD_INPUT, METHOD_OPTIONS, METHOD_OUTPUT},
};

const EVERY_WIRE: Categories = Categories::all(
    &["FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
    &["CSR", "FILE", "PACKAGE", "WIRE_JSON", "WIRE"],
);

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "RPC_NO_DELETE",
        purpose: "Checks that rpcs are not deleted from a given service.",
        categories: Categories::all(&["FILE", "PACKAGE"], &["FILE", "PACKAGE"]),
        check: Check::Service(rpc_no_delete),
    },
    Rule {
        id: "RPC_SAME_REQUEST_TYPE",
        purpose: "Checks that rpcs are have the same request type.",
        categories: EVERY_WIRE,
        check: Check::Method(rpc_same_request_type),
    },
    Rule {
        id: "RPC_SAME_RESPONSE_TYPE",
        purpose: "Checks that rpcs are have the same response type.",
        categories: EVERY_WIRE,
        check: Check::Method(rpc_same_response_type),
    },
    Rule {
        id: "RPC_SAME_CLIENT_STREAMING",
        purpose: "Checks that rpcs have the same client streaming value.",
        categories: EVERY_WIRE,
        check: Check::Method(|pair, report| {
            same_streaming(
                pair,
                report,
                "client",
                MethodDescriptorProto::client_streaming,
            )
        }),
    },
    Rule {
        id: "RPC_SAME_SERVER_STREAMING",
        purpose: "Checks that rpcs have the same server streaming value.",
        categories: EVERY_WIRE,
        check: Check::Method(|pair, report| {
            same_streaming(
                pair,
                report,
                "server",
                MethodDescriptorProto::server_streaming,
            )
        }),
    },
    Rule {
        id: "RPC_SAME_IDEMPOTENCY_LEVEL",
        purpose: "Checks that rpcs have the same value for the idempotency_level option.",
        categories: EVERY_WIRE,
        check: Check::Method(rpc_same_idempotency_level),
    },
];

fn rpc_no_delete(pair: &ServicePair<'_>, report: &mut Report<'_>) {
    let current: Vec<&str> = pair.current.proto.method.iter().map(|m| m.name()).collect();
    for method in &pair.previous.proto.method {
        if !current.contains(&method.name()) {
            report.add(
                pair.current.place.file.name(),
                pair.current.place.span(&[]),
                format!(
                    "Previously present RPC \"{}\" on service \"{}\" was deleted.",
                    method.name(),
                    pair.current.proto.name()
                ),
            );
        }
    }
}

fn rpc_same_request_type(pair: &MethodPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.input_type(), pair.current.input_type());
    if previous != current {
        report.add(
            pair.file(),
            pair.span(&[METHOD_INPUT]),
            format!(
                "{} changed request type from \"{}\" to \"{}\".",
                pair.describe(),
                previous.trim_start_matches('.'),
                current.trim_start_matches('.')
            ),
        );
    }
}

fn rpc_same_response_type(pair: &MethodPair<'_>, report: &mut Report<'_>) {
    let (previous, current) = (pair.previous.output_type(), pair.current.output_type());
    if previous != current {
        report.add(
            pair.file(),
            pair.span(&[METHOD_OUTPUT]),
            format!(
                "{} changed response type from \"{}\" to \"{}\".",
                pair.describe(),
                previous.trim_start_matches('.'),
                current.trim_start_matches('.')
            ),
        );
    }
}

fn same_streaming(
    pair: &MethodPair<'_>,
    report: &mut Report<'_>,
    side: &str,
    streaming: fn(&MethodDescriptorProto) -> bool,
) {
    let (previous, current) = (streaming(pair.previous), streaming(pair.current));
    let word = |streaming: bool| if streaming { "streaming" } else { "unary" };
    if previous != current {
        report.add(
            pair.file(),
            pair.span(&[]),
            format!(
                "{} changed from {side} {} to {side} {}.",
                pair.describe(),
                word(previous),
                word(current)
            ),
        );
    }
}

fn rpc_same_idempotency_level(pair: &MethodPair<'_>, report: &mut Report<'_>) {
    let level = |m: &MethodDescriptorProto| {
        m.options
            .as_ref()
            .map_or(IdempotencyLevel::IdempotencyUnknown, |o| {
                o.idempotency_level()
            })
    };
    let (previous, current) = (level(pair.previous), level(pair.current));
    if previous != current {
        report.add(
            pair.file(),
            // At the option, or at the file when it is not written.
            pair.exact_span(&[METHOD_OPTIONS, IDEMPOTENCY_LEVEL])
                .or(Some(Span::FILE)),
            format!(
                "{} changed option \"idempotency_level\" from \"{}\" to \"{}\".",
                pair.describe(),
                previous.as_str_name(),
                current.as_str_name()
            ),
        );
    }
}
