//! Typed expectations for the four kinds of rpc.
//!
//! Every rpc of a generated mock is a [`Method`]: a list of expectations and a
//! record of calls. An expectation says which calls it matches
//! ([`when`](Expectation::when), [`when_metadata`](Expectation::when_metadata)),
//! how often ([`times`](Expectation::times), [`optional`](Expectation::optional)),
//! how slowly ([`delay`](Expectation::delay)) and what it answers (the
//! terminal methods, which differ per kind of rpc: see [`Unary`],
//! [`ServerStreaming`], [`ClientStreaming`] and [`Bidi`]).
//!
//! # One example per kind of rpc
//!
//! The mocks below are generated from the schemas in `proto/` (see the
//! `protoforge-examples` crate); yours are generated the same way by
//! `protoforge_codegen::configure().build_mocks(true)`.
//!
//! Unary: a value, an error, or a closure of the request, matched in order.
//!
//! ```
//! use protoforge_examples::proto::user::v1::{GetUserRequest, GetUserResponse, User, user_service_mock::MockUserService};
//! use tonic::{Code, Status};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockUserService::new();
//! mock.get_user()
//!     .when(|req| req.user_id == 1)
//!     .returns(GetUserResponse { user: Some(User { id: 1, ..User::default() }), success: true, ..GetUserResponse::default() });
//! mock.get_user().expect().optional().fails(Status::not_found("no such user"));
//!
//! let mut client = mock.client(); // on a Channel connected in memory, no socket
//! let found = client.get_user(GetUserRequest { user_id: 1 }).await.unwrap().into_inner();
//! assert!(found.success);
//! let missing = client.get_user(GetUserRequest { user_id: 2 }).await.unwrap_err();
//! assert_eq!(missing.code(), Code::NotFound);
//!
//! assert_eq!(mock.get_user().calls()[1].request().user_id, 2);
//! mock.verify().unwrap();
//! # }
//! ```
//!
//! Server streaming: a list of items (or errors), or a closure producing a
//! stream.
//!
//! ```
//! use protoforge_examples::proto::notification::v1::{GetNotificationsRequest, Notification, notification_service_mock::MockNotificationService};
//! use tokio_stream::StreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockNotificationService::new();
//! mock.get_notifications().responds_with(|req| {
//!     let items: Vec<_> = (1..=req.limit).map(|id| Ok(Notification { id, ..Notification::default() })).collect();
//!     tokio_stream::iter(items)
//! });
//! let stream = mock.client()
//!     .get_notifications(GetNotificationsRequest { user_id: 1, limit: 3 })
//!     .await.unwrap().into_inner();
//! let ids: Vec<i32> = stream.map(|n| n.unwrap().id).collect().await;
//! assert_eq!(ids, [1, 2, 3]);
//! # }
//! ```
//!
//! Client streaming: a closure over every request, once the client closed
//! its stream.
//!
//! ```
//! use protoforge_examples::proto::file::v1::{FileChunk, UploadResponse, file_service_mock::MockFileService};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockFileService::new();
//! mock.upload_file().responds_with(|chunks| Ok(UploadResponse {
//!     size: chunks.iter().map(|c| c.data.len() as i64).sum(),
//!     ..UploadResponse::default()
//! }));
//! let chunks = vec![
//!     FileChunk { data: b"hello ".to_vec(), filename: "a.txt".into(), ..FileChunk::default() },
//!     FileChunk { data: b"world".to_vec(), chunk_index: 1, is_last: true, ..FileChunk::default() },
//! ];
//! let response = mock.client().upload_file(tokio_stream::iter(chunks)).await.unwrap();
//! assert_eq!(response.into_inner().size, 11);
//! # }
//! ```
//!
//! Bidirectional streaming: a closure from each incoming message to zero or
//! more replies, plus a final status.
//!
//! ```
//! use protoforge_examples::proto::chat::v1::{ChatMessage, chat_service_mock::MockChatService};
//! use tokio_stream::StreamExt;
//! use tonic::{Code, Status};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockChatService::new();
//! mock.chat()
//!     .responds_with(|m: &ChatMessage| vec![ChatMessage { message: format!("echo: {}", m.message), ..ChatMessage::default() }])
//!     .finishes_with(Status::cancelled("room closed"));
//! let outgoing = tokio_stream::iter(vec![
//!     ChatMessage { user_id: 1, message: "hi".into(), ..ChatMessage::default() },
//!     ChatMessage { user_id: 1, message: "bye".into(), ..ChatMessage::default() },
//! ]);
//! let replies: Vec<_> = mock.client().chat(outgoing).await.unwrap().into_inner().collect().await;
//! assert_eq!(replies[0].as_ref().unwrap().message, "echo: hi");
//! assert_eq!(replies[1].as_ref().unwrap().message, "echo: bye");
//! assert_eq!(replies[2].as_ref().unwrap_err().code(), Code::Cancelled);
//! # }
//! ```
//!
//! # Matching order
//!
//! A call is matched against the expectations in the order they were added;
//! the first one whose matchers accept the call and that is not used up
//! (`times(n)` after `n` calls) answers it. So a sequence for a retry test is
//! written in order: `expect().times(1).fails(unavailable).then().returns(ok)`.
//! A call that no expectation matches is answered with `UNIMPLEMENTED`, naming
//! the method and why each expectation did not match; it never hangs.
//!
//! What a matcher sees: the request for unary and server-streaming rpcs; every
//! request, after the client closed its stream, for client streaming; the
//! first request for bidirectional streaming (whose response starts at once,
//! so a failing or unmatched bidirectional call ends its response stream with
//! the status, rather than failing the call).
//!
//! # Verification
//!
//! An expectation with `times(n)` must be called exactly `n` times; one
//! without must be called at least once, unless it is `optional()`.
//! [`Method::verify`] (and the generated `verify()` of a mock) lists every
//! expectation that is not met.

use std::{
    fmt,
    panic::Location,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status, Streaming, metadata::MetadataMap};

/// The stream type of every streaming response a mock returns.
pub type ResponseStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// A unary rpc: one request, one response.
pub type Unary<Req, Res> = Method<kind::Unary<Req, Res>>;
/// A server-streaming rpc: one request, a stream of responses.
pub type ServerStreaming<Req, Res> = Method<kind::ServerStreaming<Req, Res>>;
/// A client-streaming rpc: a stream of requests, one response.
pub type ClientStreaming<Req, Res> = Method<kind::ClientStreaming<Req, Res>>;
/// A bidirectional-streaming rpc: streams both ways.
pub type Bidi<Req, Res> = Method<kind::Bidi<Req, Res>>;

/// The four kinds of rpc, as type-level markers.
pub mod kind {
    use std::{marker::PhantomData, sync::Arc};

    use tonic::Status;

    use super::ResponseStream;

    /// What differs between the kinds: what matchers see and how a matched
    /// expectation answers.
    pub trait Kind: 'static {
        /// The request message.
        type Request: Clone + Send + Sync + 'static;
        /// What `when` matchers see.
        type Matched: ?Sized;
        /// How a matched expectation answers.
        type Responder: Clone + Send + Sync + 'static;
    }

    /// Marker of unary rpcs.
    #[derive(Debug)]
    pub struct Unary<Req, Res>(PhantomData<fn(Req) -> Res>);
    /// Marker of server-streaming rpcs.
    #[derive(Debug)]
    pub struct ServerStreaming<Req, Res>(PhantomData<fn(Req) -> Res>);
    /// Marker of client-streaming rpcs.
    #[derive(Debug)]
    pub struct ClientStreaming<Req, Res>(PhantomData<fn(Req) -> Res>);
    /// Marker of bidirectional-streaming rpcs.
    #[derive(Debug)]
    pub struct Bidi<Req, Res>(PhantomData<fn(Req) -> Res>);

    pub(crate) type UnaryFn<Req, Res> = Arc<dyn Fn(&Req) -> Result<Res, Status> + Send + Sync>;
    pub(crate) type StreamFn<Req, Res> = Arc<dyn Fn(&Req) -> ResponseStream<Res> + Send + Sync>;
    pub(crate) type CollectFn<Req, Res> = Arc<dyn Fn(&[Req]) -> Result<Res, Status> + Send + Sync>;

    pub(crate) type ReplyFn<Req, Res> = Arc<dyn Fn(&Req) -> Vec<Result<Res, Status>> + Send + Sync>;

    /// How a bidirectional expectation answers.
    pub struct BidiResponder<Req, Res> {
        pub(crate) on_message: ReplyFn<Req, Res>,
        pub(crate) finish: Option<Status>,
        pub(crate) fail: Option<Status>,
    }

    impl<Req, Res> std::fmt::Debug for BidiResponder<Req, Res> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("BidiResponder")
                .field("finish", &self.finish)
                .field("fail", &self.fail)
                .finish_non_exhaustive()
        }
    }

    impl<Req, Res> Clone for BidiResponder<Req, Res> {
        fn clone(&self) -> Self {
            BidiResponder {
                on_message: self.on_message.clone(),
                finish: self.finish.clone(),
                fail: self.fail.clone(),
            }
        }
    }

    impl<Req, Res> Kind for Unary<Req, Res>
    where
        Req: Clone + Send + Sync + 'static,
        Res: Send + 'static,
    {
        type Request = Req;
        type Matched = Req;
        type Responder = UnaryFn<Req, Res>;
    }

    impl<Req, Res> Kind for ServerStreaming<Req, Res>
    where
        Req: Clone + Send + Sync + 'static,
        Res: Send + 'static,
    {
        type Request = Req;
        type Matched = Req;
        type Responder = StreamFn<Req, Res>;
    }

    impl<Req, Res> Kind for ClientStreaming<Req, Res>
    where
        Req: Clone + Send + Sync + 'static,
        Res: Send + 'static,
    {
        type Request = Req;
        type Matched = [Req];
        type Responder = CollectFn<Req, Res>;
    }

    impl<Req, Res> Kind for Bidi<Req, Res>
    where
        Req: Clone + Send + Sync + 'static,
        Res: Send + 'static,
    {
        type Request = Req;
        type Matched = Req;
        type Responder = BidiResponder<Req, Res>;
    }
}

use kind::Kind;

type RequestMatcher<K> = Arc<dyn Fn(&<K as Kind>::Matched) -> bool + Send + Sync>;
type MetadataMatcher = Arc<dyn Fn(&MetadataMap) -> bool + Send + Sync>;

/// How many calls an expectation takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Times {
    /// At least one (the default).
    AtLeastOnce,
    /// Exactly this many; used up after.
    Exactly(usize),
    /// Any number, none included.
    Any,
}

struct Rule<K: Kind> {
    origin: &'static Location<'static>,
    name: Option<String>,
    request: Option<RequestMatcher<K>>,
    metadata: Option<MetadataMatcher>,
    times: Times,
    delay: Option<Duration>,
    responder: K::Responder,
    hits: usize,
}

impl<K: Kind> Rule<K> {
    fn label(&self, index: usize) -> String {
        match &self.name {
            Some(name) => format!("#{} \"{name}\" ({})", index + 1, self.origin),
            None => format!("#{} ({})", index + 1, self.origin),
        }
    }
}

/// One recorded call.
#[derive(Clone, Debug)]
pub struct Call<Req> {
    /// The request messages: one for unary and server-streaming rpcs, every
    /// message received so far for streaming requests.
    pub requests: Vec<Req>,
    /// The request metadata (headers).
    pub metadata: MetadataMap,
    /// Which expectation answered it (0-based, in the order added), if any.
    pub expectation: Option<usize>,
}

impl<Req> Call<Req> {
    /// The first request message.
    ///
    /// # Panics
    /// When the call carried no message (a client stream closed at once).
    pub fn request(&self) -> &Req {
        self.requests
            .first()
            .unwrap_or_else(|| panic!("the call carried no request message"))
    }
}

struct CallRecord<Req> {
    requests: Arc<Mutex<Vec<Req>>>,
    metadata: MetadataMap,
    expectation: Option<usize>,
}

struct Book<K: Kind> {
    rules: Vec<Rule<K>>,
    calls: Vec<CallRecord<K::Request>>,
}

/// One rpc of a mock: its expectations and its recorded calls.
pub struct Method<K: Kind> {
    path: &'static str,
    book: Arc<Mutex<Book<K>>>,
}

impl<K: Kind> Clone for Method<K> {
    fn clone(&self) -> Self {
        Method {
            path: self.path,
            book: self.book.clone(),
        }
    }
}

impl<K: Kind> fmt::Debug for Method<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let book = self.lock();
        f.debug_struct("Method")
            .field("path", &self.path)
            .field("expectations", &book.rules.len())
            .field("calls", &book.calls.len())
            .finish()
    }
}

/// What a matched expectation answers with, and after how long.
struct Matched<K: Kind> {
    responder: K::Responder,
    delay: Option<Duration>,
    requests: Arc<Mutex<Vec<K::Request>>>,
}

impl<K: Kind> Method<K> {
    /// A method with no expectations; `path` is the gRPC path,
    /// `/package.Service/Method`.
    pub fn new(path: &'static str) -> Self {
        Method {
            path,
            book: Arc::new(Mutex::new(Book {
                rules: Vec::new(),
                calls: Vec::new(),
            })),
        }
    }

    /// The gRPC path, `/package.Service/Method`.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// Starts an expectation that matches every call, answers every call
    /// (until restricted) and must be called at least once.
    #[track_caller]
    pub fn expect(&self) -> Expectation<'_, K> {
        Expectation {
            method: self,
            origin: Location::caller(),
            name: None,
            request: None,
            metadata: None,
            times: Times::AtLeastOnce,
            delay: None,
        }
    }

    /// Starts an expectation for the calls `matcher` accepts; shorthand for
    /// `expect().when(matcher)`.
    #[track_caller]
    pub fn when(
        &self,
        matcher: impl Fn(&K::Matched) -> bool + Send + Sync + 'static,
    ) -> Expectation<'_, K> {
        self.expect().when(matcher)
    }

    /// Every call so far, in the order they arrived.
    pub fn calls(&self) -> Vec<Call<K::Request>> {
        self.lock()
            .calls
            .iter()
            .map(|call| Call {
                requests: lock(&call.requests).clone(),
                metadata: call.metadata.clone(),
                expectation: call.expectation,
            })
            .collect()
    }

    /// How many calls arrived so far.
    pub fn call_count(&self) -> usize {
        self.lock().calls.len()
    }

    /// Checks that every expectation got the calls it asked for.
    pub fn verify(&self) -> Result<(), VerifyError> {
        let book = self.lock();
        let unmet: Vec<String> = book
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| {
                let problem = match rule.times {
                    Times::Exactly(n) if rule.hits != n => {
                        format!("expected {n} call(s), got {}", rule.hits)
                    }
                    Times::AtLeastOnce if rule.hits == 0 => "never called".to_owned(),
                    _ => return None,
                };
                Some(format!(
                    "{} expectation {}: {problem}",
                    self.path,
                    rule.label(index)
                ))
            })
            .collect();
        if unmet.is_empty() {
            Ok(())
        } else {
            Err(VerifyError { unmet })
        }
    }

    fn lock(&self) -> MutexGuard<'_, Book<K>> {
        lock(&self.book)
    }

    fn add(&self, rule: Rule<K>) {
        self.lock().rules.push(rule);
    }

    /// Records a call and finds the first expectation that answers it.
    fn dispatch(
        &self,
        metadata: &MetadataMap,
        requests: Vec<K::Request>,
        matched_on: impl Fn(&[K::Request]) -> Option<&K::Matched>,
    ) -> Result<Matched<K>, Status> {
        let mut book = self.lock();
        let requests = Arc::new(Mutex::new(requests));
        let mut reasons = Vec::new();
        let mut chosen = None;
        {
            let seen = lock(&requests);
            for (index, rule) in book.rules.iter().enumerate() {
                let reason = if matches!(rule.times, Times::Exactly(n) if rule.hits >= n) {
                    Some("used up")
                } else if rule.metadata.as_ref().is_some_and(|m| !m(metadata)) {
                    Some("metadata did not match")
                } else if let Some(matcher) = &rule.request {
                    match matched_on(&seen) {
                        Some(input) if matcher(input) => None,
                        Some(_) => Some("request did not match"),
                        None => Some("no request message to match"),
                    }
                } else {
                    None
                };
                match reason {
                    Some(reason) => reasons.push(format!("{}: {reason}", rule.label(index))),
                    None => {
                        chosen = Some(index);
                        break;
                    }
                }
            }
        }
        book.calls.push(CallRecord {
            requests: requests.clone(),
            metadata: metadata.clone(),
            expectation: chosen,
        });
        let Some(index) = chosen else {
            let detail = if reasons.is_empty() {
                "it has no expectations".to_owned()
            } else {
                format!("expectations: {}", reasons.join("; "))
            };
            return Err(Status::unimplemented(format!(
                "mock: no expectation of {} matched the call; {detail}",
                self.path
            )));
        };
        let rule = &mut book.rules[index];
        rule.hits += 1;
        Ok(Matched {
            responder: rule.responder.clone(),
            delay: rule.delay,
            requests,
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking matcher poisons nothing that matters: the book stays usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn pause(delay: Option<Duration>) {
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
}

/// An expectation being built; a terminal method (`returns`, `fails`,
/// `responds_with`, ...) adds it to its method.
#[must_use = "an expectation does nothing until a terminal method such as `returns` adds it"]
pub struct Expectation<'a, K: Kind> {
    method: &'a Method<K>,
    origin: &'static Location<'static>,
    name: Option<String>,
    request: Option<RequestMatcher<K>>,
    metadata: Option<MetadataMatcher>,
    times: Times,
    delay: Option<Duration>,
}

impl<K: Kind> fmt::Debug for Expectation<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expectation")
            .field("method", &self.method.path)
            .field("origin", &self.origin)
            .field("name", &self.name)
            .field("times", &self.times)
            .field("delay", &self.delay)
            .finish_non_exhaustive()
    }
}

impl<'a, K: Kind> Expectation<'a, K> {
    /// Matches only the calls whose request `matcher` accepts (see the module
    /// documentation for what it sees per kind of rpc). Several `when`s must
    /// all accept.
    pub fn when(mut self, matcher: impl Fn(&K::Matched) -> bool + Send + Sync + 'static) -> Self {
        self.request = Some(match self.request.take() {
            None => Arc::new(matcher),
            Some(previous) => Arc::new(move |input: &K::Matched| previous(input) && matcher(input)),
        });
        self
    }

    /// Matches only the calls whose metadata `matcher` accepts.
    pub fn when_metadata(
        mut self,
        matcher: impl Fn(&MetadataMap) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.metadata = Some(match self.metadata.take() {
            None => Arc::new(matcher),
            Some(previous) => {
                Arc::new(move |metadata: &MetadataMap| previous(metadata) && matcher(metadata))
            }
        });
        self
    }

    /// Answers exactly `n` calls, then no longer matches (so the next
    /// expectation answers); `verify` wants exactly `n`.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Times::Exactly(n);
        self
    }

    /// May be called any number of times, none included.
    pub fn optional(mut self) -> Self {
        self.times = Times::Any;
        self
    }

    /// Waits this long before answering, for deadline and timeout tests.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Names the expectation in error messages.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    fn add(self, responder: K::Responder) -> Then<'a, K> {
        let method = self.method;
        method.add(Rule {
            origin: self.origin,
            name: self.name,
            request: self.request,
            metadata: self.metadata,
            times: self.times,
            delay: self.delay,
            responder,
            hits: 0,
        });
        Then { method }
    }
}

/// Returned once an expectation is added: chains the next one.
#[derive(Debug)]
pub struct Then<'a, K: Kind> {
    method: &'a Method<K>,
}

impl<'a, K: Kind> Then<'a, K> {
    /// Starts the next expectation of the same method, matched after the
    /// previous ones.
    #[track_caller]
    pub fn then(self) -> Expectation<'a, K> {
        self.method.expect()
    }
}

// ---------------------------------------------------------------- unary

impl<'a, Req, Res> Expectation<'a, kind::Unary<Req, Res>>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    /// Answers with `response`.
    pub fn returns(self, response: Res) -> Then<'a, kind::Unary<Req, Res>>
    where
        Res: Clone + Sync,
    {
        self.add(Arc::new(move |_: &Req| Ok(response.clone())))
    }

    /// Answers with the error `status`.
    pub fn fails(self, status: Status) -> Then<'a, kind::Unary<Req, Res>> {
        self.add(Arc::new(move |_: &Req| Err(status.clone())))
    }

    /// Answers with what `respond` makes of the request.
    pub fn responds_with(
        self,
        respond: impl Fn(&Req) -> Result<Res, Status> + Send + Sync + 'static,
    ) -> Then<'a, kind::Unary<Req, Res>> {
        self.add(Arc::new(respond))
    }
}

impl<Req, Res> Method<kind::Unary<Req, Res>>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    /// Shorthand for `expect().returns(response)`.
    #[track_caller]
    pub fn returns(&self, response: Res) -> Then<'_, kind::Unary<Req, Res>>
    where
        Res: Clone + Sync,
    {
        self.expect().returns(response)
    }

    /// Shorthand for `expect().fails(status)`.
    #[track_caller]
    pub fn fails(&self, status: Status) -> Then<'_, kind::Unary<Req, Res>> {
        self.expect().fails(status)
    }

    /// Shorthand for `expect().responds_with(respond)`.
    #[track_caller]
    pub fn responds_with(
        &self,
        respond: impl Fn(&Req) -> Result<Res, Status> + Send + Sync + 'static,
    ) -> Then<'_, kind::Unary<Req, Res>> {
        self.expect().responds_with(respond)
    }

    /// Answers a call; the generated server trait method calls this.
    pub async fn handle(&self, request: Request<Req>) -> Result<Response<Res>, Status> {
        let (metadata, _, message) = request.into_parts();
        let matched = self.dispatch(&metadata, vec![message], |seen| seen.first())?;
        pause(matched.delay).await;
        let response = {
            let requests = lock(&matched.requests);
            (matched.responder)(&requests[0])
        };
        response.map(Response::new)
    }
}

// ---------------------------------------------------------------- server streaming

impl<'a, Req, Res> Expectation<'a, kind::ServerStreaming<Req, Res>>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    /// Streams `items`, then ends with OK.
    pub fn returns(self, items: Vec<Res>) -> Then<'a, kind::ServerStreaming<Req, Res>>
    where
        Res: Clone + Sync,
    {
        self.returns_results(items.into_iter().map(Ok).collect())
    }

    /// Streams `items`; an `Err` item ends the stream with that status.
    pub fn returns_results(
        self,
        items: Vec<Result<Res, Status>>,
    ) -> Then<'a, kind::ServerStreaming<Req, Res>>
    where
        Res: Clone + Sync,
    {
        self.add(Arc::new(move |_: &Req| {
            let items = items.clone();
            Box::pin(tokio_stream::iter(items)) as ResponseStream<Res>
        }))
    }

    /// Fails the call with `status` before any item.
    pub fn fails(self, status: Status) -> Then<'a, kind::ServerStreaming<Req, Res>> {
        self.add(Arc::new(move |_: &Req| {
            Box::pin(tokio_stream::once(Err(status.clone()))) as ResponseStream<Res>
        }))
    }

    /// Streams what `respond` makes of the request.
    pub fn responds_with<S>(
        self,
        respond: impl Fn(&Req) -> S + Send + Sync + 'static,
    ) -> Then<'a, kind::ServerStreaming<Req, Res>>
    where
        S: Stream<Item = Result<Res, Status>> + Send + 'static,
    {
        self.add(Arc::new(move |request: &Req| {
            Box::pin(respond(request)) as ResponseStream<Res>
        }))
    }
}

impl<Req, Res> Method<kind::ServerStreaming<Req, Res>>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    /// Shorthand for `expect().returns(items)`.
    #[track_caller]
    pub fn returns(&self, items: Vec<Res>) -> Then<'_, kind::ServerStreaming<Req, Res>>
    where
        Res: Clone + Sync,
    {
        self.expect().returns(items)
    }

    /// Shorthand for `expect().fails(status)`.
    #[track_caller]
    pub fn fails(&self, status: Status) -> Then<'_, kind::ServerStreaming<Req, Res>> {
        self.expect().fails(status)
    }

    /// Shorthand for `expect().responds_with(respond)`.
    #[track_caller]
    pub fn responds_with<S>(
        &self,
        respond: impl Fn(&Req) -> S + Send + Sync + 'static,
    ) -> Then<'_, kind::ServerStreaming<Req, Res>>
    where
        S: Stream<Item = Result<Res, Status>> + Send + 'static,
    {
        self.expect().responds_with(respond)
    }

    /// Answers a call; the generated server trait method calls this.
    pub async fn handle(
        &self,
        request: Request<Req>,
    ) -> Result<Response<ResponseStream<Res>>, Status> {
        let (metadata, _, message) = request.into_parts();
        let matched = self.dispatch(&metadata, vec![message], |seen| seen.first())?;
        pause(matched.delay).await;
        let mut stream = {
            let requests = lock(&matched.requests);
            (matched.responder)(&requests[0])
        };
        // An error before the first item fails the call itself, as a handler
        // returning Err would.
        let first = stream.next().await;
        match first {
            Some(Err(status)) => Err(status),
            Some(Ok(item)) => Ok(Response::new(Box::pin(
                tokio_stream::once(Ok(item)).chain(stream),
            ))),
            None => Ok(Response::new(Box::pin(tokio_stream::empty()))),
        }
    }
}

// ---------------------------------------------------------------- client streaming

impl<'a, Req, Res> Expectation<'a, kind::ClientStreaming<Req, Res>>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    /// Answers with `response` once the client closed its stream.
    pub fn returns(self, response: Res) -> Then<'a, kind::ClientStreaming<Req, Res>>
    where
        Res: Clone + Sync,
    {
        self.add(Arc::new(move |_: &[Req]| Ok(response.clone())))
    }

    /// Answers with the error `status` once the client closed its stream.
    pub fn fails(self, status: Status) -> Then<'a, kind::ClientStreaming<Req, Res>> {
        self.add(Arc::new(move |_: &[Req]| Err(status.clone())))
    }

    /// Answers with what `respond` makes of every request received.
    pub fn responds_with(
        self,
        respond: impl Fn(&[Req]) -> Result<Res, Status> + Send + Sync + 'static,
    ) -> Then<'a, kind::ClientStreaming<Req, Res>> {
        self.add(Arc::new(respond))
    }
}

impl<Req, Res> Method<kind::ClientStreaming<Req, Res>>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    /// Shorthand for `expect().returns(response)`.
    #[track_caller]
    pub fn returns(&self, response: Res) -> Then<'_, kind::ClientStreaming<Req, Res>>
    where
        Res: Clone + Sync,
    {
        self.expect().returns(response)
    }

    /// Shorthand for `expect().fails(status)`.
    #[track_caller]
    pub fn fails(&self, status: Status) -> Then<'_, kind::ClientStreaming<Req, Res>> {
        self.expect().fails(status)
    }

    /// Shorthand for `expect().responds_with(respond)`.
    #[track_caller]
    pub fn responds_with(
        &self,
        respond: impl Fn(&[Req]) -> Result<Res, Status> + Send + Sync + 'static,
    ) -> Then<'_, kind::ClientStreaming<Req, Res>> {
        self.expect().responds_with(respond)
    }

    /// Answers a call once the client closed its stream; the generated server
    /// trait method calls this.
    pub async fn handle(&self, request: Request<Streaming<Req>>) -> Result<Response<Res>, Status> {
        let (metadata, _, mut stream) = request.into_parts();
        let mut messages = Vec::new();
        while let Some(message) = stream.message().await? {
            messages.push(message);
        }
        let matched = self.dispatch(&metadata, messages, |seen| Some(seen))?;
        pause(matched.delay).await;
        let response = {
            let requests = lock(&matched.requests);
            (matched.responder)(&requests)
        };
        response.map(Response::new)
    }
}

// ---------------------------------------------------------------- bidirectional streaming

impl<'a, Req, Res> Expectation<'a, kind::Bidi<Req, Res>>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    /// Answers each incoming message with the replies `reply` makes of it
    /// (none, one or several); the stream ends with OK when the client closes
    /// its side, unless [`BidiThen::finishes_with`] says otherwise.
    pub fn responds_with<I>(
        self,
        reply: impl Fn(&Req) -> I + Send + Sync + 'static,
    ) -> BidiThen<'a, Req, Res>
    where
        I: IntoIterator<Item = Res>,
    {
        self.responds_with_results(move |message| {
            reply(message).into_iter().map(Ok).collect::<Vec<_>>()
        })
    }

    /// Like [`responds_with`](Self::responds_with), with replies that may be
    /// errors; an error ends the stream with that status.
    pub fn responds_with_results<I>(
        self,
        reply: impl Fn(&Req) -> I + Send + Sync + 'static,
    ) -> BidiThen<'a, Req, Res>
    where
        I: IntoIterator<Item = Result<Res, Status>>,
    {
        let method = self.method;
        let index = method.lock().rules.len();
        self.add(kind::BidiResponder {
            on_message: Arc::new(move |message| reply(message).into_iter().collect()),
            finish: None,
            fail: None,
        });
        BidiThen { method, index }
    }

    /// Fails the call with `status` at once.
    pub fn fails(self, status: Status) -> Then<'a, kind::Bidi<Req, Res>> {
        self.add(kind::BidiResponder {
            on_message: Arc::new(|_| Vec::new()),
            finish: None,
            fail: Some(status),
        })
    }
}

/// Returned once a bidirectional expectation is added: sets its final status
/// or chains the next expectation.
#[derive(Debug)]
pub struct BidiThen<'a, Req, Res>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    method: &'a Method<kind::Bidi<Req, Res>>,
    index: usize,
}

impl<'a, Req, Res> BidiThen<'a, Req, Res>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    /// Ends the stream with `status` once the client closed its side (after
    /// the replies to its last message).
    pub fn finishes_with(self, status: Status) -> Then<'a, kind::Bidi<Req, Res>> {
        self.method.lock().rules[self.index].responder.finish = Some(status);
        Then {
            method: self.method,
        }
    }

    /// Starts the next expectation of the same method.
    #[track_caller]
    pub fn then(self) -> Expectation<'a, kind::Bidi<Req, Res>> {
        self.method.expect()
    }
}

impl<Req, Res> Method<kind::Bidi<Req, Res>>
where
    Req: Clone + Send + Sync + 'static,
    Res: Send + 'static,
{
    /// Shorthand for `expect().responds_with(reply)`.
    #[track_caller]
    pub fn responds_with<I>(
        &self,
        reply: impl Fn(&Req) -> I + Send + Sync + 'static,
    ) -> BidiThen<'_, Req, Res>
    where
        I: IntoIterator<Item = Res>,
    {
        self.expect().responds_with(reply)
    }

    /// Shorthand for `expect().fails(status)`.
    #[track_caller]
    pub fn fails(&self, status: Status) -> Then<'_, kind::Bidi<Req, Res>> {
        self.expect().fails(status)
    }

    /// Answers a call; the generated server trait method calls this.
    ///
    /// The response starts at once (a tonic client waits for it before it
    /// sends), and the call is matched when its first message arrives, or
    /// when the client closes its side without one. A failing or unmatched
    /// call therefore ends the response stream with its status.
    pub async fn handle(
        &self,
        request: Request<Streaming<Req>>,
    ) -> Result<Response<ResponseStream<Res>>, Status> {
        let (metadata, _, incoming) = request.into_parts();
        let (sender, receiver) = tokio::sync::mpsc::channel(16);
        tokio::spawn(self.clone().converse(metadata, incoming, sender));
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(receiver),
        )))
    }

    async fn converse(
        self,
        metadata: MetadataMap,
        mut incoming: Streaming<Req>,
        sender: tokio::sync::mpsc::Sender<Result<Res, Status>>,
    ) {
        let first = tokio::select! {
            // The client went away before saying anything.
            () = sender.closed() => return,
            first = incoming.message() => first,
        };
        let first = match first {
            Ok(first) => first,
            Err(status) => {
                let _ = sender.send(Err(status)).await;
                return;
            }
        };
        let matched =
            match self.dispatch(&metadata, first.into_iter().collect(), |seen| seen.first()) {
                Ok(matched) => matched,
                Err(status) => {
                    let _ = sender.send(Err(status)).await;
                    return;
                }
            };
        pause(matched.delay).await;
        let responder = matched.responder;
        if let Some(status) = responder.fail {
            let _ = sender.send(Err(status)).await;
            return;
        }
        let already: Vec<Req> = lock(&matched.requests).clone();
        for message in &already {
            if !send_all(&sender, (responder.on_message)(message)).await {
                return;
            }
        }
        loop {
            tokio::select! {
                () = sender.closed() => return,
                next = incoming.message() => match next {
                    Ok(Some(message)) => {
                        let replies = (responder.on_message)(&message);
                        lock(&matched.requests).push(message);
                        if !send_all(&sender, replies).await {
                            return;
                        }
                    }
                    Ok(None) => break,
                    Err(status) => {
                        let _ = sender.send(Err(status)).await;
                        return;
                    }
                },
            }
        }
        if let Some(status) = responder.finish {
            let _ = sender.send(Err(status)).await;
        }
    }
}

/// Sends every reply; false once the stream is over (an error was sent, or
/// the client went away).
async fn send_all<Res>(
    sender: &tokio::sync::mpsc::Sender<Result<Res, Status>>,
    replies: Vec<Result<Res, Status>>,
) -> bool {
    for reply in replies {
        let is_error = reply.is_err();
        if sender.send(reply).await.is_err() || is_error {
            return false;
        }
    }
    true
}

/// Expectations that were not met, one line each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// One line per unmet expectation.
    pub unmet: Vec<String>,
}

impl VerifyError {
    /// Merges the results of several methods' `verify`.
    pub fn collect(
        results: impl IntoIterator<Item = Result<(), VerifyError>>,
    ) -> Result<(), VerifyError> {
        let unmet: Vec<String> = results
            .into_iter()
            .filter_map(Result::err)
            .flat_map(|err| err.unmet)
            .collect();
        if unmet.is_empty() {
            Ok(())
        } else {
            Err(VerifyError { unmet })
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} unmet mock expectation(s):", self.unmet.len())?;
        for line in &self.unmet {
            writeln!(f, "  - {line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerifyError {}
