//! Serving a dynamic mock: gRPC (every service, reflection, health), the
//! admin API, and the stub files reloaded when they change.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, SystemTime},
};

use tokio::{net::TcpListener, sync::watch, task::JoinHandle};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::Routes;
use tonic_health::ServingStatus;

use super::{
    admin::serve_admin,
    service::DynamicService,
    store::Mock,
    stub::{Format, Stub, StubError, parse_stubs},
};

/// The stub files of `paths`: a file as is, a directory every `.yaml`,
/// `.yml` and `.json` below it, in sorted order.
pub fn stub_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, StubError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|err| StubError {
            origin: path.display().to_string(),
            position: None,
            message: format!("cannot read: {err}"),
        })?;
        if meta.is_dir() {
            collect(path, &mut files).map_err(|err| StubError {
                origin: path.display().to_string(),
                position: None,
                message: format!("cannot read the directory: {err}"),
            })?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            files.push(path);
        }
    }
    Ok(())
}

/// Reads and checks every stub of `paths` (see [`stub_files`]); every
/// problem of every file is reported.
pub fn load_stubs(
    paths: &[PathBuf],
    pool: &prost_reflect::DescriptorPool,
) -> Result<Vec<Stub>, Vec<StubError>> {
    let files = stub_files(paths).map_err(|e| vec![e])?;
    let mut stubs = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let origin = file.display().to_string();
        match std::fs::read_to_string(&file) {
            Ok(text) => match parse_stubs(&text, Format::of_path(&file), &origin, pool) {
                Ok(mut found) => stubs.append(&mut found),
                Err(mut found) => errors.append(&mut found),
            },
            Err(err) => errors.push(StubError {
                origin,
                position: None,
                message: format!("cannot read: {err}"),
            }),
        }
    }
    if errors.is_empty() {
        Ok(stubs)
    } else {
        Err(errors)
    }
}

/// What changes when a stub file is edited, added or removed.
fn fingerprint(paths: &[PathBuf]) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    let files = stub_files(paths).unwrap_or_default();
    let mut all: Vec<(PathBuf, Option<SystemTime>, u64)> = files
        .into_iter()
        .map(|f| {
            let meta = std::fs::metadata(&f).ok();
            let modified = meta.as_ref().and_then(|m| m.modified().ok());
            let len = meta.map_or(0, |m| m.len());
            (f, modified, len)
        })
        .collect();
    // A missing file or directory counts as a state too.
    for path in paths {
        if !path.exists() {
            all.push((path.clone(), None, u64::MAX));
        }
    }
    all
}

/// The outcome of a reload: the number of stubs read, or why the previous
/// stubs were kept.
pub type ReloadReport = Arc<dyn Fn(Result<usize, &[StubError]>) + Send + Sync>;

/// How to serve.
#[derive(Clone)]
pub struct ServeOptions {
    /// Stub files and directories, watched and reloaded when they change
    /// (the stubs read from them are replaced as a whole; a change with
    /// errors keeps the previous stubs).
    pub stub_paths: Vec<PathBuf>,
    /// How often the stub files are checked for changes.
    pub reload_interval: Duration,
    /// Told about every reload.
    pub on_reload: ReloadReport,
}

impl fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeOptions")
            .field("stub_paths", &self.stub_paths)
            .field("reload_interval", &self.reload_interval)
            .finish_non_exhaustive()
    }
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            stub_paths: Vec::new(),
            reload_interval: Duration::from_millis(300),
            on_reload: Arc::new(|_| {}),
        }
    }
}

/// A running dynamic mock server.
#[derive(Debug)]
pub struct DynamicServer {
    addr: SocketAddr,
    admin_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl DynamicServer {
    /// Where gRPC is served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the admin API is served, if it is.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// Stops accepting calls and waits for the ones in flight.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Serves `mock` on `listener` (gRPC: every service of the schema, server
/// reflection v1 and v1alpha, health with every service SERVING), the admin
/// API on `admin`, and reloads the stub files of `options`, in tasks of the
/// current tokio runtime. The stub files are not read here: load them first
/// with [`load_stubs`] and [`Mock::set_file_stubs`], to report their errors.
pub async fn serve(
    mock: Mock,
    listener: TcpListener,
    admin: Option<TcpListener>,
    options: ServeOptions,
) -> std::io::Result<DynamicServer> {
    let addr = listener.local_addr()?;
    let admin_addr = admin.as_ref().map(TcpListener::local_addr).transpose()?;
    let (stop, stopped) = watch::channel(false);

    let encoded = mock.encoded_file_descriptor_set();
    // Health is described too, unless the schema brings its own.
    let mut described = vec![encoded];
    if mock
        .pool()
        .get_service_by_name("grpc.health.v1.Health")
        .is_none()
    {
        described.push(tonic_health::pb::FILE_DESCRIPTOR_SET);
    }
    let reflection = described
        .iter()
        .fold(tonic_reflection::server::Builder::configure(), |b, set| {
            b.register_encoded_file_descriptor_set(set)
        })
        .build_v1()
        .map_err(std::io::Error::other)?;
    let reflection_alpha = described
        .iter()
        .fold(tonic_reflection::server::Builder::configure(), |b, set| {
            b.register_encoded_file_descriptor_set(set)
        })
        .build_v1alpha()
        .map_err(std::io::Error::other)?;
    let (health_reporter, health) = tonic_health::server::health_reporter();
    for service in mock.pool().services() {
        health_reporter
            .set_service_status(service.full_name(), ServingStatus::Serving)
            .await;
    }
    let router = Routes::new(health)
        .add_service(reflection)
        .add_service(reflection_alpha)
        .into_axum_router()
        .fallback_service(DynamicService { mock: mock.clone() });

    let names: Vec<String> = mock
        .pool()
        .services()
        .map(|s| s.full_name().to_owned())
        .collect();
    let mut tasks = Vec::new();
    let mut grpc_stop = stopped.clone();
    tasks.push(tokio::spawn(async move {
        let _ = tonic::transport::Server::builder()
            .add_routes(Routes::from(router))
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async move {
                let _ = grpc_stop.wait_for(|s| *s).await;
                // Health checks say NOT_SERVING while the calls drain.
                for name in names {
                    health_reporter
                        .set_service_status(name, ServingStatus::NotServing)
                        .await;
                }
            })
            .await;
    }));
    if let Some(admin) = admin {
        tasks.push(tokio::spawn(serve_admin(
            mock.clone(),
            admin,
            stopped.clone(),
        )));
    }
    if !options.stub_paths.is_empty() {
        tasks.push(tokio::spawn(watch_stubs(mock, options, stopped)));
    }
    Ok(DynamicServer {
        addr,
        admin_addr,
        stop,
        tasks,
    })
}

/// Polls the stub files and reloads them when anything changed (polling
/// needs no platform watcher and sees files replaced by editors' renames).
async fn watch_stubs(mock: Mock, options: ServeOptions, mut stop: watch::Receiver<bool>) {
    let paths = options.stub_paths.clone();
    let mut seen = fingerprint(&paths);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(options.reload_interval) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let paths_now = paths.clone();
        let Ok(now) = tokio::task::spawn_blocking(move || fingerprint(&paths_now)).await else {
            continue;
        };
        if now == seen {
            continue;
        }
        seen = now;
        let pool = mock.pool().clone();
        let paths_now = paths.clone();
        let Ok(loaded) = tokio::task::spawn_blocking(move || load_stubs(&paths_now, &pool)).await
        else {
            continue;
        };
        match loaded {
            Ok(stubs) => {
                let count = stubs.len();
                mock.set_file_stubs(stubs);
                (options.on_reload)(Ok(count));
            }
            Err(errors) => (options.on_reload)(Err(&errors)),
        }
    }
}
