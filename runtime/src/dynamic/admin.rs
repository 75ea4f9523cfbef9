//! The admin API: HTTP/1.1 and JSON, for test suites in any language.
//!
//! | request | answer |
//! |---|---|
//! | `GET /stubs` | 200, every stub: id, method, priority, times, calls, source, spec |
//! | `POST /stubs` (a stub document, JSON or YAML by `content-type`) | 201 `{"ids": [...]}`; 400 `{"errors": [...]}`, each located in the body |
//! | `DELETE /stubs/ID` | 204; 404 if no such stub |
//! | `GET /journal` | 200, the calls: method, metadata, request, stub, code, at_ms |
//! | `DELETE /journal` | 204, the journal emptied |
//! | `POST /reset` | 204: admin stubs removed, counts zeroed, journal emptied |
//! | `GET /verify` | 200 `{"unmet": []}`; 409 `{"unmet": [{id, method, expected, calls}]}` |

use std::{convert::Infallible, time::Duration};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::json;
use tokio::{net::TcpListener, sync::watch, task::JoinSet};

use super::{store::Mock, stub::Format};

/// The largest request body accepted.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Serves the admin API until `stop` turns true, then lets the requests in
/// flight finish.
pub(crate) async fn serve_admin(
    mock: Mock,
    listener: TcpListener,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of descriptors and the like: wait instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let mock = mock.clone();
                let mut stop = stop.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        let mock = mock.clone();
                        async move { Ok::<_, Infallible>(handle(&mock, request).await) }
                    });
                    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = stopped(&mut stop) => {
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                });
            }
            _ = stopped(&mut stop) => break,
        }
    }
    while connections.join_next().await.is_some() {}
}

/// Resolves once `stop` is true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

fn respond(status: StatusCode, body: &impl Serialize) -> Response<Full<Bytes>> {
    let mut bytes = serde_json::to_vec_pretty(body).unwrap_or_default();
    bytes.push(b'\n');
    let mut response = Response::new(Full::new(Bytes::from(bytes)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

async fn handle(mock: &Mock, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = request.uri().path().trim_end_matches('/').to_owned();
    let method = request.method().clone();
    match (method, path.as_str()) {
        (Method::GET, "/stubs") => respond(StatusCode::OK, &mock.stubs()),
        (Method::POST, "/stubs") => {
            let yaml = request
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("yaml"));
            let body = match Limited::new(request.into_body(), BODY_LIMIT)
                .collect()
                .await
            {
                Ok(body) => body.to_bytes(),
                Err(err) => {
                    return respond(
                        StatusCode::BAD_REQUEST,
                        &json!({"errors": [format!("reading the body: {err}")]}),
                    );
                }
            };
            let Ok(text) = std::str::from_utf8(&body) else {
                return respond(
                    StatusCode::BAD_REQUEST,
                    &json!({"errors": ["the body is not UTF-8"]}),
                );
            };
            let format = if yaml { Format::Yaml } else { Format::Json };
            match mock.add_stubs(text, format) {
                Ok(ids) => respond(StatusCode::CREATED, &json!({ "ids": ids })),
                Err(errors) => {
                    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    respond(StatusCode::BAD_REQUEST, &json!({ "errors": errors }))
                }
            }
        }
        (Method::DELETE, path) if path.starts_with("/stubs/") => {
            let id = percent_decode(&path["/stubs/".len()..]);
            if mock.delete_stub(&id) {
                empty(StatusCode::NO_CONTENT)
            } else {
                respond(
                    StatusCode::NOT_FOUND,
                    &json!({"error": format!("no stub '{id}'")}),
                )
            }
        }
        (Method::GET, "/journal") => respond(StatusCode::OK, &mock.calls()),
        (Method::DELETE, "/journal") => {
            mock.clear_journal();
            empty(StatusCode::NO_CONTENT)
        }
        (Method::POST, "/reset") => {
            mock.reset();
            empty(StatusCode::NO_CONTENT)
        }
        (Method::GET, "/verify") => {
            let unmet = mock.verify();
            let status = if unmet.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::CONFLICT
            };
            respond(status, &json!({ "unmet": unmet }))
        }
        (_, "/stubs" | "/journal" | "/reset" | "/verify") => respond(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"error": "method not allowed"}),
        ),
        (_, path) if path.starts_with("/stubs/") => respond(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"error": "method not allowed"}),
        ),
        (_, other) => respond(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no such endpoint {other}: use /stubs, /journal, /reset or /verify")}),
        ),
    }
}

/// `%XX` escapes in a path segment (stub ids hold `/` and `:`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
