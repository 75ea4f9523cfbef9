//! Every method of the schema over gRPC, with dynamic messages.
//!
//! One tower service answers every path `/package.Service/Method`: it looks
//! the method up, decodes requests with a codec built from the method's
//! descriptors, and hands them to tonic's own unary, server-streaming,
//! client-streaming and bidirectional machinery, so framing, compression,
//! trailers and deadlines behave exactly as in a generated server.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use bytes::Buf;
use prost::Message;
use prost_reflect::{DynamicMessage, MessageDescriptor, MethodDescriptor};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_stream::{Stream, StreamExt, wrappers::ReceiverStream};
use tonic::{
    Request, Status, Streaming,
    codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
    metadata::MetadataMap,
    server::{
        ClientStreamingService, Grpc, ServerStreamingService, StreamingService, UnaryService,
    },
};

use super::{
    store::{Entry, Mock},
    stub::{Body, to_json},
};

/// Encodes dynamic messages and decodes them as the method's input type.
#[derive(Debug, Clone)]
struct DynamicCodec {
    input: MessageDescriptor,
}

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicEncoder;
    type Decoder = DynamicDecoder;

    fn encoder(&mut self) -> DynamicEncoder {
        DynamicEncoder
    }

    fn decoder(&mut self) -> DynamicDecoder {
        DynamicDecoder(self.input.clone())
    }
}

#[derive(Debug)]
struct DynamicEncoder;

impl Encoder for DynamicEncoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.reserve(item.encoded_len());
        item.encode(dst)
            .map_err(|err| Status::internal(format!("encoding the response: {err}")))
    }
}

#[derive(Debug)]
struct DynamicDecoder(MessageDescriptor);

impl Decoder for DynamicDecoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        DynamicMessage::decode(self.0.clone(), bytes)
            .map(Some)
            .map_err(|err| {
                Status::invalid_argument(format!("not a valid {}: {err}", self.0.full_name()))
            })
    }
}

/// The tower service behind every method of the schema.
#[derive(Clone, Debug)]
pub(crate) struct DynamicService {
    pub mock: Mock,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type ResponseStream = Pin<Box<dyn Stream<Item = Result<DynamicMessage, Status>> + Send>>;

impl tower_service::Service<http::Request<axum::body::Body>> for DynamicService {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<axum::body::Body>) -> Self::Future {
        let mock = self.mock.clone();
        Box::pin(async move {
            let Some(method) = mock.method(request.uri().path()).cloned() else {
                let status = Status::unimplemented(format!(
                    "unknown method {}: the schema has no such service or rpc",
                    request.uri().path()
                ));
                return Ok(status.into_http());
            };
            let mut grpc = Grpc::new(DynamicCodec {
                input: method.input(),
            });
            let handler = Handler { mock, method };
            let response = match (
                handler.method.is_client_streaming(),
                handler.method.is_server_streaming(),
            ) {
                (false, false) => grpc.unary(handler, request).await,
                (false, true) => grpc.server_streaming(handler, request).await,
                (true, false) => grpc.client_streaming(handler, request).await,
                (true, true) => grpc.streaming(handler, request).await,
            };
            Ok(response)
        })
    }
}

/// One call of one method.
#[derive(Clone)]
struct Handler {
    mock: Mock,
    method: MethodDescriptor,
}

/// What templates see: the request(s) and the headers.
fn context(request: &Value, requests: Option<&Value>, metadata: &MetadataMap) -> Value {
    let headers: serde_json::Map<String, Value> = metadata
        .clone()
        .into_headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()),
            )
        })
        .collect();
    json!({"request": request, "requests": requests, "metadata": headers})
}

/// The message of a body, rendered if it has placeholders.
fn render(
    body: &Body,
    output: &MessageDescriptor,
    context: &Value,
    stub: &str,
) -> Result<DynamicMessage, Status> {
    body.render(output, context)
        .map_err(|err| Status::internal(format!("stub '{stub}': {err}")))
}

/// Sends a stub's messages (each after its delay) into `tx`, then its
/// error if it has one; returns whether the call goes on (no error).
async fn send_answer(
    entry: &Entry,
    output: &MessageDescriptor,
    context: &Value,
    tx: &mpsc::Sender<Result<DynamicMessage, Status>>,
) -> bool {
    let response = &entry.stub.response;
    sleep(response.delay).await;
    for (body, delay) in &response.messages {
        sleep(*delay).await;
        let message = render(body, output, context, &entry.stub.id);
        let failed = message.is_err();
        if tx.send(message).await.is_err() || failed {
            return false;
        }
    }
    if let Some(error) = &response.error {
        let _ = tx.send(Err(error.status(context))).await;
        return false;
    }
    true
}

async fn sleep(duration: Duration) {
    if !duration.is_zero() {
        tokio::time::sleep(duration).await;
    }
}

impl Handler {
    /// The single answer of unary and client-streaming rpcs.
    async fn single(
        &self,
        input: Value,
        request: &Value,
        requests: Option<&Value>,
        metadata: &MetadataMap,
    ) -> Result<tonic::Response<DynamicMessage>, Status> {
        let entry = self.mock.answer(&self.method, &input, metadata)?;
        let response = &entry.stub.response;
        sleep(response.delay).await;
        let context = context(request, requests, metadata);
        if let Some(error) = &response.error {
            return Err(error.status(&context));
        }
        let (body, _) = response
            .messages
            .first()
            .ok_or_else(|| Status::internal("the stub has no message"))?;
        render(body, &self.method.output(), &context, &entry.stub.id).map(tonic::Response::new)
    }
}

impl UnaryService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type Future = BoxFuture<Result<tonic::Response<DynamicMessage>, Status>>;

    fn call(&mut self, request: Request<DynamicMessage>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let input = to_json(request.get_ref(), true);
            this.single(input.clone(), &input, None, request.metadata())
                .await
        })
    }
}

impl ServerStreamingService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type ResponseStream = ResponseStream;
    type Future = BoxFuture<Result<tonic::Response<ResponseStream>, Status>>;

    fn call(&mut self, request: Request<DynamicMessage>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let input = to_json(request.get_ref(), true);
            let entry = this.mock.answer(&this.method, &input, request.metadata())?;
            let context = context(&input, None, request.metadata());
            let (tx, rx) = mpsc::channel(16);
            let output = this.method.output();
            tokio::spawn(async move {
                send_answer(&entry, &output, &context, &tx).await;
            });
            Ok(tonic::Response::new(
                Box::pin(ReceiverStream::new(rx)) as ResponseStream
            ))
        })
    }
}

impl ClientStreamingService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type Future = BoxFuture<Result<tonic::Response<DynamicMessage>, Status>>;

    fn call(&mut self, request: Request<Streaming<DynamicMessage>>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let (metadata, _, mut stream) = request.into_parts();
            let mut requests = Vec::new();
            while let Some(message) = stream.next().await {
                requests.push(to_json(&message?, true));
            }
            let last = requests.last().cloned().unwrap_or(Value::Null);
            let all = Value::Array(requests);
            this.single(all.clone(), &last, Some(&all), &metadata).await
        })
    }
}

impl StreamingService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type ResponseStream = ResponseStream;
    type Future = BoxFuture<Result<tonic::Response<ResponseStream>, Status>>;

    fn call(&mut self, request: Request<Streaming<DynamicMessage>>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let (metadata, _, mut stream) = request.into_parts();
            let (tx, rx) = mpsc::channel(16);
            let output = this.method.output();
            tokio::spawn(async move {
                // Each incoming message is answered by the stub it matches;
                // the call ends with OK when the client closes its side, or
                // with the first error.
                while let Some(message) = stream.next().await {
                    let input = match message {
                        Ok(message) => to_json(&message, true),
                        Err(status) => {
                            let _ = tx.send(Err(status)).await;
                            return;
                        }
                    };
                    let entry: Arc<Entry> = match this.mock.answer(&this.method, &input, &metadata)
                    {
                        Ok(entry) => entry,
                        Err(status) => {
                            let _ = tx.send(Err(status)).await;
                            return;
                        }
                    };
                    let context = context(&input, None, &metadata);
                    if !send_answer(&entry, &output, &context, &tx).await {
                        return;
                    }
                }
            });
            Ok(tonic::Response::new(
                Box::pin(ReceiverStream::new(rx)) as ResponseStream
            ))
        })
    }
}
