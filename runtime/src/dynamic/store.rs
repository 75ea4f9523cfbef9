//! The state of a dynamic mock: its stubs (from files and from the admin
//! API), how often each answered, and the journal of calls.
//!
//! Choosing a stub: the stubs of the method, highest `priority` first; at
//! equal priority stubs added through the admin API come before the files'
//! (a test overrides its fixtures), each group in the order written or
//! added. The first that matches and is not used up (`times`) answers; its
//! count is taken atomically, so a `times: 1` stub answers exactly one of
//! many concurrent calls.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::{
        Arc, Mutex, RwLock,
        atomic::{AtomicU32, AtomicU64, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use prost_reflect::{DescriptorPool, MethodDescriptor};
use serde::Serialize;
use serde_json::Value;
use tonic::{Code, Status, metadata::MetadataMap};

use super::{
    matching::differences,
    stub::{Format, Stub, StubError, parse_stubs},
};

/// The journal keeps the newest calls only.
pub const JOURNAL_LIMIT: usize = 10_000;

/// A schema, its stubs and its journal; cheap to clone (shared state).
#[derive(Clone, Debug)]
pub struct Mock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: DescriptorPool,
    encoded: Vec<u8>,
    /// `/package.Service/Method` to its descriptor.
    methods: HashMap<String, MethodDescriptor>,
    stubs: RwLock<Table>,
    journal: Mutex<VecDeque<JournalEntry>>,
    next_id: AtomicU64,
}

#[derive(Debug, Default)]
struct Table {
    admin: Vec<Arc<Entry>>,
    files: Vec<Arc<Entry>>,
}

impl Table {
    fn all(&self) -> impl Iterator<Item = &Arc<Entry>> {
        self.admin.iter().chain(&self.files)
    }
}

/// A stub and the calls it answered.
#[derive(Debug)]
pub(crate) struct Entry {
    pub stub: Stub,
    pub calls: AtomicU32,
    pub from_admin: bool,
}

/// A call, as the journal keeps it.
#[derive(Clone, Debug, Serialize)]
pub struct JournalEntry {
    /// `package.Service/Method`.
    pub method: String,
    /// The request headers (binary ones base64, as sent).
    pub metadata: BTreeMap<String, String>,
    /// The request in protobuf's JSON mapping; for client streaming the list
    /// of requests.
    pub request: Value,
    /// The stub that answered, if one did.
    pub stub: Option<String>,
    /// The status code the stub chose (`OK`, `NOT_FOUND`, ...); `UNIMPLEMENTED`
    /// when nothing matched.
    pub code: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// A stub that expected calls it did not get.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Unmet {
    /// The stub's id.
    pub id: String,
    /// `package.Service/Method`.
    pub method: String,
    /// Its `times`.
    pub expected: u32,
    /// The calls it answered.
    pub calls: u32,
}

/// A stub as the admin API lists it.
#[derive(Clone, Debug, Serialize)]
pub struct StubInfo {
    /// Its id.
    pub id: String,
    /// `package.Service/Method`.
    pub method: String,
    /// Its priority.
    pub priority: i32,
    /// Its `times`, if any.
    pub times: Option<u32>,
    /// The calls it answered.
    pub calls: u32,
    /// Where it was defined.
    pub source: String,
    /// The stub as written.
    pub spec: Value,
}

/// The name a method is known by in stubs and messages.
pub(crate) fn method_name(method: &MethodDescriptor) -> String {
    format!("{}/{}", method.parent_service().full_name(), method.name())
}

impl Mock {
    /// A mock of every service in `pool`, with no stubs yet. `encoded` is
    /// the `FileDescriptorSet` the pool was built from, served as is by
    /// server reflection (it keeps custom options the pool does not).
    pub fn new(pool: DescriptorPool, encoded: Vec<u8>) -> Mock {
        let methods = pool
            .services()
            .flat_map(|service| service.methods().collect::<Vec<_>>())
            .map(|method| (format!("/{}", method_name(&method)), method))
            .collect();
        Mock {
            inner: Arc::new(Inner {
                pool,
                encoded,
                methods,
                stubs: RwLock::default(),
                journal: Mutex::default(),
                next_id: AtomicU64::new(1),
            }),
        }
    }

    /// The schema.
    pub fn pool(&self) -> &DescriptorPool {
        &self.inner.pool
    }

    /// The encoded `FileDescriptorSet`.
    pub fn encoded_file_descriptor_set(&self) -> &[u8] {
        &self.inner.encoded
    }

    /// The method at an HTTP path (`/package.Service/Method`).
    pub(crate) fn method(&self, path: &str) -> Option<&MethodDescriptor> {
        self.inner.methods.get(path)
    }

    fn table(&self) -> std::sync::RwLockReadGuard<'_, Table> {
        self.inner.stubs.read().unwrap_or_else(|e| e.into_inner())
    }

    fn table_mut(&self) -> std::sync::RwLockWriteGuard<'_, Table> {
        self.inner.stubs.write().unwrap_or_else(|e| e.into_inner())
    }

    fn journal(&self) -> std::sync::MutexGuard<'_, VecDeque<JournalEntry>> {
        self.inner.journal.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the stubs that came from files (a reload); their counts
    /// start again.
    pub fn set_file_stubs(&self, stubs: Vec<Stub>) {
        let entries = stubs
            .into_iter()
            .map(|stub| {
                Arc::new(Entry {
                    stub,
                    calls: AtomicU32::new(0),
                    from_admin: false,
                })
            })
            .collect();
        self.table_mut().files = entries;
    }

    /// Reads and adds stubs as the admin API does: all or none. Stubs with
    /// no `id` get `stub-N`; an id in use is refused.
    pub fn add_stubs(&self, source: &str, format: Format) -> Result<Vec<String>, Vec<StubError>> {
        let origin = "request body";
        let mut stubs = parse_stubs(source, format, origin, &self.inner.pool)?;
        let mut table = self.table_mut();
        let mut ids = Vec::new();
        for stub in &mut stubs {
            if stub.spec.get("id").is_none() {
                let n = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
                stub.id = format!("stub-{n}");
            }
            if table.all().any(|e| e.stub.id == stub.id) || ids.contains(&stub.id) {
                return Err(vec![StubError {
                    origin: origin.to_owned(),
                    position: None,
                    message: format!("a stub with id '{}' exists already", stub.id),
                }]);
            }
            stub.source = "admin".to_owned();
            ids.push(stub.id.clone());
        }
        table.admin.extend(stubs.into_iter().map(|stub| {
            Arc::new(Entry {
                stub,
                calls: AtomicU32::new(0),
                from_admin: true,
            })
        }));
        Ok(ids)
    }

    /// Removes a stub (a file stub comes back when its file is reloaded).
    pub fn delete_stub(&self, id: &str) -> bool {
        let mut table = self.table_mut();
        let before = table.admin.len() + table.files.len();
        table.admin.retain(|e| e.stub.id != id);
        table.files.retain(|e| e.stub.id != id);
        before != table.admin.len() + table.files.len()
    }

    /// Every stub, in the order they are tried at equal priority.
    pub fn stubs(&self) -> Vec<StubInfo> {
        self.table()
            .all()
            .map(|e| StubInfo {
                id: e.stub.id.clone(),
                method: method_name(&e.stub.method),
                priority: e.stub.priority,
                times: e.stub.times,
                calls: e.calls.load(Ordering::Relaxed),
                source: if e.from_admin {
                    "admin".to_owned()
                } else {
                    e.stub.source.clone()
                },
                spec: e.stub.spec.clone(),
            })
            .collect()
    }

    /// The calls so far, oldest first (the newest [`JOURNAL_LIMIT`]).
    pub fn calls(&self) -> Vec<JournalEntry> {
        self.journal().iter().cloned().collect()
    }

    /// Forgets the calls.
    pub fn clear_journal(&self) {
        self.journal().clear();
    }

    /// Removes the admin stubs, sets every count to zero, clears the journal.
    pub fn reset(&self) {
        let mut table = self.table_mut();
        table.admin.clear();
        for entry in &table.files {
            entry.calls.store(0, Ordering::Relaxed);
        }
        drop(table);
        self.clear_journal();
    }

    /// The stubs with a `times` they have not reached.
    pub fn verify(&self) -> Vec<Unmet> {
        self.table()
            .all()
            .filter_map(|e| {
                let expected = e.stub.times?;
                let calls = e.calls.load(Ordering::Relaxed);
                (calls < expected).then(|| Unmet {
                    id: e.stub.id.clone(),
                    method: method_name(&e.stub.method),
                    expected,
                    calls,
                })
            })
            .collect()
    }

    /// The stub that answers `input` (the request as canonical JSON, or the
    /// list of them), counted and journaled; or the status of a call nothing
    /// matches, naming the closest stub and what differed.
    pub(crate) fn answer(
        &self,
        method: &MethodDescriptor,
        input: &Value,
        metadata: &MetadataMap,
    ) -> Result<Arc<Entry>, Status> {
        let headers = headers(metadata);
        let table = self.table();
        let mut candidates: Vec<&Arc<Entry>> =
            table.all().filter(|e| e.stub.method == *method).collect();
        candidates.sort_by_key(|e| std::cmp::Reverse(e.stub.priority));
        let mut chosen = None;
        for entry in &candidates {
            if !differences(&entry.stub.matcher, input, &headers).is_empty() {
                continue;
            }
            let taken = entry
                .calls
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |calls| {
                    match entry.stub.times {
                        Some(times) if calls >= times => None,
                        _ => Some(calls + 1),
                    }
                })
                .is_ok();
            if taken {
                chosen = Some(Arc::clone(entry));
                break;
            }
        }
        let result = match chosen {
            Some(entry) => Ok(entry),
            None => Err(unmatched(method, &candidates, input, &headers)),
        };
        drop(table);
        let code = match &result {
            Ok(entry) => entry
                .stub
                .response
                .error
                .as_ref()
                .map_or(Code::Ok, |e| e.code),
            Err(status) => status.code(),
        };
        self.record(JournalEntry {
            method: method_name(method),
            metadata: headers.into_iter().collect(),
            request: input.clone(),
            stub: result.as_ref().ok().map(|e| e.stub.id.clone()),
            code: code_name(code).to_owned(),
            at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
        });
        result
    }

    fn record(&self, entry: JournalEntry) {
        let mut journal = self.journal();
        if journal.len() == JOURNAL_LIMIT {
            journal.pop_front();
        }
        journal.push_back(entry);
    }
}

/// The request headers a matcher and the journal see: ASCII values as they
/// are, binary ones base64 as sent; the transport's own headers left out.
fn headers(metadata: &MetadataMap) -> Vec<(String, String)> {
    const TRANSPORT: &[&str] = &[
        "te",
        "content-type",
        "grpc-accept-encoding",
        "grpc-encoding",
        "grpc-timeout",
    ];
    metadata
        .clone()
        .into_headers()
        .iter()
        .filter(|(name, _)| !TRANSPORT.contains(&name.as_str()))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn unmatched(
    method: &MethodDescriptor,
    candidates: &[&Arc<Entry>],
    input: &Value,
    headers: &[(String, String)],
) -> Status {
    let name = method_name(method);
    if candidates.is_empty() {
        return Status::unimplemented(format!(
            "no stub for {name}: add one to a stub file or with POST /stubs on the admin address"
        ));
    }
    let closest = candidates
        .iter()
        .map(|e| (e, differences(&e.stub.matcher, input, headers)))
        .min_by_key(|(_, d)| d.len());
    let Some((entry, differing)) = closest else {
        return Status::unimplemented(format!("no stub matches {name}"));
    };
    let why = if differing.is_empty() {
        format!(
            "used up after {} calls (times: {})",
            entry.calls.load(Ordering::Relaxed),
            entry.stub.times.unwrap_or_default()
        )
    } else {
        differing.join("; ")
    };
    Status::unimplemented(format!(
        "no stub matches {name}; closest is '{}' ({}): {why}",
        entry.stub.id, entry.stub.source
    ))
}

/// The canonical name of a status code (`NOT_FOUND`).
pub(crate) fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}
