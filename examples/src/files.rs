//! `file.v1.FileService`: chunked uploads stored only when complete, and two
//! aggregations over client streams.
//!
//! An upload is written to a temporary file in the storage directory and
//! renamed into place only when its last chunk arrived: a cancelled, failed
//! or oversized upload leaves nothing behind (the temporary file is removed
//! when dropped).

use std::{collections::HashMap, io::Write, path::PathBuf, time::Instant};

use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status, Streaming};

use crate::shutdown::Shutdown;

use crate::proto::file::v1::{
    BatchResponse, FileChunk, JobFailure, MetricData, MetricStats, MetricsSummary, ProcessRequest,
    UploadResponse,
    file_service_server::{FileService, FileServiceServer},
};

/// The implementation of `file.v1.FileService`.
#[derive(Debug, Clone)]
pub struct FileServiceImpl {
    storage: PathBuf,
    max_bytes: u64,
    shutdown: Shutdown,
}

impl FileServiceImpl {
    /// Stores uploads in `storage` (created when missing), refusing files
    /// larger than `max_bytes`.
    pub fn new(storage: impl Into<PathBuf>, max_bytes: u64) -> std::io::Result<Self> {
        let storage = storage.into();
        std::fs::create_dir_all(&storage)?;
        Ok(FileServiceImpl {
            storage,
            max_bytes,
            shutdown: Shutdown::never(),
        })
    }

    /// Discards the uploads in progress when `shutdown` fires.
    pub fn with_shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// The tonic server of this service.
    pub fn into_server(self) -> FileServiceServer<Self> {
        FileServiceServer::new(self)
    }
}

/// The stored name is the name behind a 16-digit hash prefix and a dash;
/// file systems allow 255 bytes a name.
const MAX_NAME_BYTES: usize = 255 - 17;

/// A file name safe to store: no directories, no hidden files, short enough
/// for the file system once prefixed.
fn safe_name(name: &str) -> Result<String, Status> {
    if name.len() > MAX_NAME_BYTES {
        return Err(Status::invalid_argument(format!(
            "the file name is {} bytes long: at most {MAX_NAME_BYTES}",
            name.len()
        )));
    }
    let valid = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if valid {
        Ok(name.to_owned())
    } else {
        Err(Status::invalid_argument(format!(
            "'{name}' is not a valid file name (letters, digits, '.', '-', '_', not starting with '.')"
        )))
    }
}

fn io(err: std::io::Error) -> Status {
    Status::internal(format!("storage: {err}"))
}

#[tonic::async_trait]
impl FileService for FileServiceImpl {
    async fn upload_file(
        &self,
        request: Request<Streaming<FileChunk>>,
    ) -> Result<Response<UploadResponse>, Status> {
        let mut chunks = request.into_inner();
        // Dropped on every early return: the partial upload disappears.
        let mut temp = tempfile::Builder::new()
            .prefix(".upload-")
            .tempfile_in(&self.storage)
            .map_err(io)?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut name = None;
        let mut finished = false;
        let mut expected_index = 0;
        let mut shutdown = self.shutdown.clone();
        loop {
            let next = tokio::select! {
                () = shutdown.wait() => return Err(Shutdown::status()),
                next = chunks.message() => next?,
            };
            let Some(chunk) = next else { break };
            if finished {
                return Err(Status::invalid_argument("chunk after the last one"));
            }
            if chunk.chunk_index != expected_index {
                return Err(Status::invalid_argument(format!(
                    "chunk {} arrived where chunk {expected_index} was expected",
                    chunk.chunk_index
                )));
            }
            if expected_index == 0 {
                name = Some(safe_name(&chunk.filename)?);
            }
            expected_index += 1;
            size += chunk.data.len() as u64;
            if size > self.max_bytes {
                return Err(Status::resource_exhausted(format!(
                    "the file exceeds {} bytes",
                    self.max_bytes
                )));
            }
            hasher.update(&chunk.data);
            temp.write_all(&chunk.data).map_err(io)?;
            finished = chunk.is_last;
        }
        let Some(name) = name else {
            return Err(Status::invalid_argument("the upload had no chunk"));
        };
        if !finished {
            return Err(Status::invalid_argument(
                "the upload ended without its last chunk (is_last)",
            ));
        }
        let sha256: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let file_id = format!("{}-{name}", &sha256[..16]);
        temp.as_file().sync_all().map_err(io)?;
        temp.persist(self.storage.join(&file_id))
            .map_err(|err| io(err.error))?;
        Ok(Response::new(UploadResponse {
            url: format!("/files/{file_id}"),
            file_id,
            size: size as i64,
            status: "stored".to_owned(),
            sha256,
        }))
    }

    async fn batch_process(
        &self,
        request: Request<Streaming<ProcessRequest>>,
    ) -> Result<Response<BatchResponse>, Status> {
        let started = Instant::now();
        let mut jobs = request.into_inner();
        let mut response = BatchResponse::default();
        while let Some(job) = jobs.message().await? {
            response.total += 1;
            match run_job(&job) {
                Ok(_) => response.succeeded += 1,
                Err(reason) => {
                    response.failed += 1;
                    response.failures.push(JobFailure {
                        job_id: job.job_id,
                        reason,
                    });
                }
            }
        }
        response.duration_ms = started.elapsed().as_millis() as i64;
        Ok(Response::new(response))
    }

    async fn collect_metrics(
        &self,
        request: Request<Streaming<MetricData>>,
    ) -> Result<Response<MetricsSummary>, Status> {
        let mut samples = request.into_inner();
        let mut summary = MetricsSummary::default();
        let mut metrics: HashMap<String, MetricStats> = HashMap::new();
        while let Some(sample) = samples.message().await? {
            if sample.name.is_empty() {
                return Err(Status::invalid_argument("a sample needs a metric name"));
            }
            if !sample.value.is_finite() {
                return Err(Status::invalid_argument(format!(
                    "{}: {} is not a finite value",
                    sample.name, sample.value
                )));
            }
            summary.count += 1;
            let stats = metrics.entry(sample.name).or_insert(MetricStats {
                count: 0,
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
                mean: 0.0,
                sum: 0.0,
            });
            stats.count += 1;
            stats.sum += sample.value;
            stats.min = stats.min.min(sample.value);
            stats.max = stats.max.max(sample.value);
            stats.mean = stats.sum / stats.count as f64;
        }
        summary.metrics = metrics;
        Ok(Response::new(summary))
    }
}

/// Runs one job of a batch: `uppercase`, `reverse` or `length` over a UTF-8
/// payload.
fn run_job(job: &ProcessRequest) -> Result<String, String> {
    let text =
        std::str::from_utf8(&job.payload).map_err(|_| "the payload is not UTF-8".to_owned())?;
    match job.operation.as_str() {
        "uppercase" => Ok(text.to_uppercase()),
        "reverse" => Ok(text.chars().rev().collect()),
        "length" => Ok(text.chars().count().to_string()),
        other => Err(format!("unknown operation '{other}'")),
    }
}
