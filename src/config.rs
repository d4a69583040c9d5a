//! Settings: command-line flags, then `TANDEM_*` environment variables, then
//! `tandem.toml`, then built-in defaults — the first one that says something
//! wins.
//!
//! clap already resolves flag-over-environment; this module adds the file
//! and the defaults, and produces one typed [`Settings`] that the rest of the
//! program reads. Nothing else looks at the environment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::cli::SettingsArgs;
use crate::encoder::worker::WorkerSettings;
use crate::encoder::EncoderChoice;
use crate::hours::BusinessHoursSpec;
use crate::limits::Limits;
use crate::queue::DeskPolicy;
use crate::retention::Retention;
use crate::server::client_ip::TrustedProxies;
use crate::server::origin::AllowedOrigins;

mod store;
pub use store::StoreSettings;

/// The default listening address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The config file read from the working directory when present.
pub const DEFAULT_CONFIG_FILE: &str = "tandem.toml";

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Where to listen; port 0 picks a free port (tests do this).
    pub addr: SocketAddr,
    /// Where the sled database lives.
    pub data_dir: PathBuf,
    /// Where the owner's intent files live.
    pub intents_dir: PathBuf,
    /// When people are at the desk (`[business_hours]` in `tandem.toml`);
    /// `None` means always.
    pub business_hours: Option<BusinessHoursSpec>,
    /// Assignment mode, caps and answer deadline (`[desk]` in `tandem.toml`).
    pub desk: DeskPolicy,
    /// How long conversations are kept (`[retention]` in `tandem.toml`).
    pub retention: Retention,
    /// The sentence encoder and its worker (`[encoder]` in `tandem.toml`,
    /// `--encoder`).
    pub encoder: EncoderSettings,
    /// Timeouts and per-client caps (`[limits]` in `tandem.toml`).
    pub limits: Limits,
    /// Reverse proxies whose `X-Forwarded-For` is believed
    /// (`trusted_proxies`); none by default.
    pub trusted_proxies: TrustedProxies,
    /// Web origins allowed to open the sockets besides Tandem's own pages
    /// (`allowed_origins`); empty means any page may embed the widget.
    pub allowed_origins: AllowedOrigins,
    /// The database's memory and disk limits (`[store]` in `tandem.toml`,
    /// `--store-cache-mb`, `--min-free-mb`).
    pub store: StoreSettings,
    /// Where `/metrics` is also served without sign-in (`metrics_addr`,
    /// `--metrics-addr`), for a Prometheus on a private network; `None`
    /// means only the main address serves it, to admins.
    pub metrics_addr: Option<SocketAddr>,
}

/// `[encoder]` in `tandem.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EncoderSettings {
    /// `"bundled"` (the default), `"off"`, or a converted model file.
    pub model: EncoderChoice,
    /// Threads encoding live messages.
    pub threads: usize,
    /// Messages that may wait for those threads.
    pub queue: usize,
    /// Most messages encoded in one batch.
    pub max_batch: usize,
}

impl Default for EncoderSettings {
    fn default() -> Self {
        let w = WorkerSettings::default();
        EncoderSettings {
            model: EncoderChoice::default(),
            threads: w.threads,
            queue: w.queue,
            max_batch: w.max_batch,
        }
    }
}

impl EncoderSettings {
    /// The worker part.
    pub fn worker(&self) -> WorkerSettings {
        WorkerSettings {
            threads: self.threads,
            queue: self.queue,
            max_batch: self.max_batch,
        }
    }
}

impl Settings {
    /// Defaults with the given directories; handy for tests and tools.
    pub fn new(
        addr: SocketAddr,
        data_dir: impl Into<PathBuf>,
        intents_dir: impl Into<PathBuf>,
    ) -> Self {
        Settings {
            addr,
            data_dir: data_dir.into(),
            intents_dir: intents_dir.into(),
            business_hours: None,
            desk: DeskPolicy::default(),
            retention: Retention::default(),
            encoder: EncoderSettings::default(),
            limits: Limits::default(),
            trusted_proxies: TrustedProxies::default(),
            allowed_origins: AllowedOrigins::default(),
            store: StoreSettings::default(),
            metrics_addr: None,
        }
    }
}

/// A broken configuration, said plainly.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// A setting whose value cannot be used, from whichever source.
    #[error("{setting}: {message}")]
    Invalid {
        setting: &'static str,
        message: String,
    },
}

/// The optional `tandem.toml`. Same names as the flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    addr: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    intents_dir: Option<PathBuf>,
    business_hours: Option<BusinessHoursSpec>,
    desk: Option<DeskPolicy>,
    retention: Option<Retention>,
    encoder: Option<EncoderSettings>,
    limits: Option<Limits>,
    trusted_proxies: Option<Vec<String>>,
    allowed_origins: Option<Vec<String>>,
    store: Option<StoreSettings>,
    metrics_addr: Option<SocketAddr>,
}

/// Resolves flags and environment (already merged by clap), the config file,
/// and the defaults. An explicit `--config` file must exist; the default
/// `./tandem.toml` is read only if it is there.
pub fn resolve(args: &SettingsArgs) -> Result<Settings, ConfigError> {
    let file = match &args.config {
        Some(path) => read_file(path)?,
        None if Path::new(DEFAULT_CONFIG_FILE).exists() => {
            read_file(Path::new(DEFAULT_CONFIG_FILE))?
        }
        None => FileSettings::default(),
    };
    let proxies = args
        .trusted_proxies
        .as_ref()
        .or(file.trusted_proxies.as_ref());
    let trusted_proxies =
        TrustedProxies::parse(proxies.map_or(&[][..], Vec::as_slice)).map_err(|message| {
            ConfigError::Invalid {
                setting: "trusted_proxies",
                message,
            }
        })?;
    let origins = args
        .allowed_origins
        .as_ref()
        .or(file.allowed_origins.as_ref());
    let allowed_origins =
        AllowedOrigins::parse(origins.map_or(&[][..], Vec::as_slice)).map_err(|e| {
            ConfigError::Invalid {
                setting: "allowed_origins",
                message: e.to_string(),
            }
        })?;
    let default_addr: SocketAddr = DEFAULT_ADDR
        .parse()
        .unwrap_or_else(|_| unreachable!("a valid literal"));
    Ok(Settings {
        addr: args.addr.or(file.addr).unwrap_or(default_addr),
        data_dir: args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| "data".into()),
        intents_dir: args
            .intents_dir
            .clone()
            .or(file.intents_dir)
            .unwrap_or_else(|| "intents".into()),
        business_hours: file.business_hours,
        desk: file.desk.unwrap_or_default(),
        retention: file.retention.unwrap_or_default(),
        encoder: {
            let mut encoder = file.encoder.unwrap_or_default();
            if let Some(model) = &args.encoder {
                encoder.model = model.parse().unwrap_or_default();
            }
            encoder
        },
        limits: file.limits.unwrap_or_default(),
        trusted_proxies,
        allowed_origins,
        store: {
            let mut store = file.store.unwrap_or_default();
            if let Some(mb) = args.store_cache_mb {
                store.cache_mb = mb;
            }
            if let Some(url) = &args.store {
                store.url = Some(url.clone());
            }
            if let Some(mb) = args.min_free_mb {
                store.min_free_mb = mb;
            }
            store
        },
        metrics_addr: args.metrics_addr.or(file.metrics_addr),
    })
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        ConfigError::Parse {
            path: path.to_path_buf(),
            message: format!("line {line}: {}", e.message().trim()),
        }
    })
}

#[cfg(test)]
mod tests;
