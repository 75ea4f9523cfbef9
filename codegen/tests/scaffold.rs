//! Snapshots of what `protoforge new service` and `protoforge scaffold`
//! write: for a new service with one rpc of each kind, and for the article's
//! services in `proto/`. Stored under `snapshots/`.

use std::path::{Path, PathBuf};

use protoforge_codegen::{
    Compiler,
    scaffold::{FileToWrite, NewService, ProtoforgeSource, Scaffold},
};

fn workspace() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).to_owned()
}

/// Every file, under a header with its path relative to `base`.
fn render(files: &[FileToWrite], base: &Path) -> String {
    files
        .iter()
        .map(|f| {
            let path = f.path.strip_prefix(base).unwrap_or(&f.path);
            format!("=== {} ===\n{}", path.display(), f.content)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn snapshot(name: &str, content: &str) {
    insta::with_settings!({ snapshot_path => workspace().join("snapshots"), prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, content);
    });
}

fn every_kind() -> NewService {
    NewService::parse(
        "billing.v1.InvoiceService",
        &[
            "GetInvoice".to_owned(),
            "WatchInvoices:server-stream".to_owned(),
            "UploadInvoices:client-stream".to_owned(),
            "SyncInvoices:bidi".to_owned(),
        ],
    )
    .expect("valid")
}

#[test]
fn new_service_with_one_rpc_of_each_kind() {
    let file = every_kind().proto_file(Path::new("proto"));
    assert_eq!(
        file.path,
        Path::new("proto/billing/v1/invoice_service.proto")
    );
    snapshot("new_service_every_kind", &file.content);
}

#[test]
fn new_service_defaults_to_one_unary_rpc() {
    let service = NewService::parse("shop.v2.CartService", &[]).expect("valid");
    let file = service.proto_file(Path::new("proto"));
    assert!(
        file.content
            .contains("rpc GetCart(GetCartRequest) returns (GetCartResponse);")
    );
}

#[test]
fn new_service_refuses_bad_names() {
    let err = |name: &str, rpcs: &[&str]| {
        let rpcs: Vec<String> = rpcs.iter().map(|s| (*s).to_owned()).collect();
        NewService::parse(name, &rpcs).expect_err(name).to_string()
    };
    assert!(err("billing.v1.InvoiceService", &["get_invoice"]).contains("must be PascalCase"));
    assert!(
        err("billing.v1.InvoiceService", &["Get-Invoice"]).contains("not a valid proto identifier")
    );
    assert!(
        err("billing.v1.InvoiceService", &["Get:sometimes"])
            .contains("unknown rpc kind 'sometimes'")
    );
    assert!(err("billing.v1.InvoiceService", &["Get", "Get"]).contains("given twice"));
    assert!(err("9billing.v1.InvoiceService", &[]).contains("not a valid proto identifier"));
}

#[test]
fn scaffold_of_a_new_service_as_a_crate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let proto = dir.path().join("proto");
    let file = every_kind().proto_file(&proto);
    protoforge_codegen::scaffold::write_files(&proto, &[file], false).expect("written");
    let compiled = Compiler::new()
        .include_source_info(true)
        .compile(&[&proto])
        .expect("compiles");
    let out = dir.path().join("invoice");
    let files = Scaffold::new()
        .crate_name("invoice")
        .protoforge_source(ProtoforgeSource::Path(PathBuf::from("/path/to/protoforge")))
        .files(&compiled, std::slice::from_ref(&proto), &[], &out)
        .expect("scaffolds");
    snapshot("scaffold_every_kind_crate", &render(&files, &out));
}

#[test]
fn scaffold_of_the_article_services() {
    let proto = workspace().join("proto");
    let compiled = Compiler::new()
        .include_source_info(true)
        .compile(&[&proto])
        .expect("compiles");
    let out = Path::new("src");
    let files = Scaffold::new()
        .files(&compiled, std::slice::from_ref(&proto), &[], out)
        .expect("scaffolds");
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.path
                .strip_prefix(out)
                .expect("below")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "chat_service.rs",
            "chat_service/tests.rs",
            "file_service.rs",
            "file_service/tests.rs",
            "inventory_service.rs",
            "inventory_service/tests.rs",
            "notification_service.rs",
            "notification_service/tests.rs",
            "order_service.rs",
            "order_service/tests.rs",
            "payment_service.rs",
            "payment_service/tests.rs",
            "user_service.rs",
            "user_service/tests.rs",
            "server.rs",
        ]
    );
    snapshot("scaffold_article_services", &render(&files, out));
}

#[test]
fn scaffold_selects_services_and_refuses_unknown_ones() {
    let proto = workspace().join("proto");
    let compiled = Compiler::new().compile(&[&proto]).expect("compiles");
    let files = Scaffold::new()
        .service("UserService")
        .service("chat.v1.ChatService")
        .files(
            &compiled,
            std::slice::from_ref(&proto),
            &[],
            Path::new("out"),
        )
        .expect("scaffolds");
    assert_eq!(
        files.len(),
        5,
        "two services, two files each, and server.rs"
    );
    let err = Scaffold::new()
        .service("NopeService")
        .files(
            &compiled,
            std::slice::from_ref(&proto),
            &[],
            Path::new("out"),
        )
        .expect_err("unknown");
    assert_eq!(
        err.to_string(),
        "no service named 'NopeService' in the input files"
    );
    let err = Scaffold::new()
        .crate_name("1bad")
        .files(
            &compiled,
            std::slice::from_ref(&proto),
            &[],
            Path::new("out"),
        )
        .expect_err("bad crate name");
    assert!(err.to_string().contains("not a valid crate name"), "{err}");
}
