//! Rules about services.

use super::{Categories, Check, PASCAL_CASE, Report, Rule, check_comment, check_name};
use crate::lint::elements::{SERVICE_NAME, ServiceView, child};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "SERVICE_PASCAL_CASE",
        purpose: "Checks that services are PascalCase.",
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
        check: Check::Service(service_pascal_case),
    },
    Rule {
        id: "SERVICE_SUFFIX",
        purpose: "Checks that services have a consistent suffix (configurable, default suffix is \"Service\").",
        categories: Categories {
            v1beta1: Some(&["DEFAULT", "STANDARD", "STYLE_DEFAULT", "STYLE_STANDARD"]),
            v1: Some(&["DEFAULT", "STANDARD"]),
            v2: Some(&["DEFAULT", "STANDARD"]),
        },
        deprecated: false,
        check: Check::Service(service_suffix),
    },
    Rule {
        id: "COMMENT_SERVICE",
        purpose: "Checks that services have non-empty comments.",
        categories: Categories {
            v1beta1: Some(&["COMMENTS"]),
            v1: Some(&["COMMENTS"]),
            v2: Some(&["COMMENTS"]),
        },
        deprecated: false,
        check: Check::Service(comment_service),
    },
];

fn service_pascal_case(service: &ServiceView<'_>, report: &mut Report<'_>) {
    let name = service.proto.name();
    check_name(
        service.file,
        &service.path,
        "Service",
        name,
        PASCAL_CASE,
        report,
    );
}

fn service_suffix(service: &ServiceView<'_>, report: &mut Report<'_>) {
    let suffix = report.options.service_suffix.clone();
    let name = service.proto.name();
    if !name.ends_with(suffix.as_str()) {
        report.add(
            service.file,
            &service.path,
            &child(&service.path, &[SERVICE_NAME]),
            format!("Service name {name:?} should be suffixed with {suffix:?}."),
        );
    }
}

fn comment_service(service: &ServiceView<'_>, report: &mut Report<'_>) {
    check_comment(
        service.file,
        &service.path,
        "Service",
        service.proto.name(),
        report,
    );
}
