//! The `tandem` command line. `main.rs` parses it and dispatches; the
//! definitions live here so `--help` text sits next to the settings it
//! describes.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Tandem: a support chat server. A bot answers routine questions from your
/// intent files and hands frustrated visitors to a person.
#[derive(Debug, Parser)]
#[command(name = "tandem", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings shared by every subcommand. Precedence: flag, then environment
/// variable, then `tandem.toml`, then the default.
#[derive(Debug, Clone, Args)]
pub struct SettingsArgs {
    /// Address to listen on [default: 127.0.0.1:8080]. Port 0 picks a free port.
    #[arg(long, env = "TANDEM_ADDR", global = true)]
    pub addr: Option<SocketAddr>,
    /// Directory of the embedded database [default: ./data].
    #[arg(long, env = "TANDEM_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Directory of the intent files and policy.toml [default: ./intents].
    #[arg(long, env = "TANDEM_INTENTS_DIR", global = true)]
    pub intents_dir: Option<PathBuf>,
    /// Config file with the same settings (addr, data_dir, intents_dir)
    /// [default: ./tandem.toml when it exists].
    #[arg(long, env = "TANDEM_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// The sentence encoder: `bundled` (the model inside the binary), `off`
    /// (words alone), or a converted model file [default: bundled].
    #[arg(
        long,
        env = "TANDEM_ENCODER",
        global = true,
        value_name = "bundled|off|FILE"
    )]
    pub encoder: Option<String>,
    /// Reverse proxies whose X-Forwarded-For names the client: addresses
    /// or networks, comma-separated (e.g. `127.0.0.1,10.0.0.0/8`)
    /// [default: none].
    #[arg(
        long,
        env = "TANDEM_TRUSTED_PROXIES",
        global = true,
        value_delimiter = ',',
        value_name = "IP|CIDR,..."
    )]
    pub trusted_proxies: Option<Vec<String>>,
    /// Web origins allowed to open the visitor socket (and the agent socket
    /// besides the console's own), comma-separated, e.g.
    /// `https://shop.example` [default: any for visitors].
    #[arg(
        long,
        env = "TANDEM_ALLOWED_ORIGINS",
        global = true,
        value_delimiter = ',',
        value_name = "ORIGIN,..."
    )]
    pub allowed_origins: Option<Vec<String>>,
    /// Keep everything in PostgreSQL instead of the data directory
    /// (cluster mode): `postgres://user@host/db` ([store] url).
    #[arg(long, env = "TANDEM_STORE", global = true, value_name = "postgres://…")]
    pub store: Option<String>,
    /// Most megabytes the database caches in memory ([store] cache_mb)
    /// [default: 64].
    #[arg(long, env = "TANDEM_STORE_CACHE_MB", global = true, value_name = "MB")]
    pub store_cache_mb: Option<u64>,
    /// Report not ready when the data directory's disk has less free space
    /// than this ([store] min_free_mb) [default: 256].
    #[arg(long, env = "TANDEM_MIN_FREE_MB", global = true, value_name = "MB")]
    pub min_free_mb: Option<u64>,
    /// Also serve /metrics here, without sign-in (e.g. 127.0.0.1:9090);
    /// otherwise /metrics needs an admin's token.
    #[arg(long, env = "TANDEM_METRICS_ADDR", global = true)]
    pub metrics_addr: Option<SocketAddr>,
    /// Log lines as plain text or as one JSON object each [default: text].
    #[arg(long, env = "TANDEM_LOG_FORMAT", global = true, value_enum)]
    pub log_format: Option<LogFormat>,
}

/// `--log-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Manage agent accounts. Works on the data directory directly, so stop
    /// the server first.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Work with the intent files.
    Intents {
        #[command(subcommand)]
        command: IntentsCommand,
    },
    /// Talk to the bot in the terminal; shows the chosen intent, its
    /// confidence and the runner-up for every message.
    Chat {
        /// Intents directory [default: the intents directory setting].
        #[arg(long)]
        intents: Option<PathBuf>,
        /// Read the lines as if typed this many seconds apart (for a
        /// scripted conversation piped in; default: as they arrive).
        #[arg(long, value_name = "SECS")]
        pace: Option<u64>,
    },
    /// Copy an embedded store (a data directory) into PostgreSQL, for
    /// cluster mode: conversations with their lines, agents, sessions, left
    /// messages and unanswered questions. Safe to run again (it copies
    /// again, never twice). Stop the server on the data directory first.
    Migrate {
        /// The data directory to copy from [default: the data directory setting].
        #[arg(long, value_name = "DIR")]
        from: Option<std::path::PathBuf>,
        /// The PostgreSQL database to copy into.
        #[arg(long, value_name = "postgres://…")]
        to: String,
    },
    /// Check the stored data: every record decodes, every conversation's
    /// lines are all there and in sequence, every resume token, dedupe entry
    /// and session points at something that exists. Prints each problem and
    /// a summary; exits 0 when clean, 1 with problems, 2 when the database
    /// cannot be opened (stop the server first). With `--store postgres://…`
    /// it checks that database instead (read-only; servers may keep running).
    Check,
    /// Measure the frustration reader.
    Empathy {
        #[command(subcommand)]
        command: EmpathyCommand,
    },
}

/// `tandem empathy …`
#[derive(Debug, Subcommand)]
pub enum EmpathyCommand {
    /// Precision, recall, F1 and accuracy of the per-message tone reader on
    /// a `text,frustrated` CSV file (with sentence vectors unless the
    /// encoder is off). The threshold is the model's own, or the best one on
    /// `--tune`; never chosen on the cases.
    Eval {
        /// Labelled messages to score (`text,frustrated`, 0 or 1, header line).
        #[arg(long)]
        cases: PathBuf,
        /// Validation file to choose the threshold on.
        #[arg(long)]
        tune: Option<PathBuf>,
        /// Also measure scoring speed on the cases' texts for this many
        /// seconds (one core; use a release build).
        #[arg(long, value_name = "SECS")]
        speed: Option<u64>,
    },
    /// Fit the tone model on labelled messages: a directory with
    /// `train.csv` and `val.csv` (`text,frustrated`), e.g.
    /// `../shared/data/goemotions-frustration`. Writes the model file
    /// Tandem ships (`model/frustration.json`); rebuild to embed it.
    Train {
        /// The directory with train.csv and val.csv.
        #[arg(long)]
        data: PathBuf,
        /// Where to write the model [default: model/frustration.json].
        #[arg(long, default_value = "model/frustration.json")]
        out: PathBuf,
    },
    /// Show how one message reads: its frustration score and the signals
    /// behind it, with the words that triggered each.
    Explain {
        /// The message.
        text: String,
    },
}

/// `tandem agent …`
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Create an agent. The password is prompted for on a terminal, or read
    /// from the first line of standard input otherwise.
    Add {
        /// Sign-in name: letters, digits, '.', '-', '_'.
        name: String,
        /// `agent` answers chats; `admin` also manages the desk.
        #[arg(long, value_enum, default_value_t = RoleArg::Agent)]
        role: RoleArg,
    },
    /// List agents with their roles.
    List,
    /// Delete an agent and end their sessions.
    Remove {
        /// The agent's sign-in name.
        name: String,
    },
    /// Set a new password (prompted, or read from stdin) and end the agent's
    /// sessions.
    Passwd {
        /// The agent's sign-in name.
        name: String,
    },
}

/// `--role` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleArg {
    Agent,
    Admin,
}

impl From<RoleArg> for crate::protocol::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Agent => crate::protocol::Role::Agent,
            RoleArg::Admin => crate::protocol::Role::Admin,
        }
    }
}

/// `tandem intents …`
#[derive(Debug, Subcommand)]
pub enum IntentsCommand {
    /// Validate the intent files; prints `file:line:col: message` for each
    /// problem and exits with 1 if there are any.
    Check {
        /// Directory to check [default: the intents directory setting].
        dir: Option<PathBuf>,
    },
    /// Measure the bot on labelled cases (CSV `text,intent`; `oos` = should
    /// fall back): accuracy, out-of-scope recall, per-intent precision and
    /// recall, confusions.
    Test {
        /// The cases file.
        #[arg(long)]
        cases: PathBuf,
        /// Intents directory [default: the intents directory setting].
        #[arg(long)]
        intents: Option<PathBuf>,
        /// Print one JSON object instead of the report.
        #[arg(long)]
        json: bool,
    },
    /// Choose the confidence threshold and close-call margin on labelled
    /// cases and write them to the intents directory's matcher.toml.
    Tune {
        /// The cases file (keep it apart from the one you `test` on).
        #[arg(long)]
        cases: PathBuf,
        /// Intents directory [default: the intents directory setting].
        #[arg(long)]
        intents: Option<PathBuf>,
        /// Instead of the default rule (best out-of-scope recall costing at
        /// most 1 point of accuracy), take the lowest threshold whose
        /// out-of-scope recall on these cases reaches this percentage.
        #[arg(long, value_name = "PERCENT")]
        min_out_of_scope_recall: Option<f64>,
    },
    /// Turn a labelled CSV (`text,intent`) into intent files with
    /// placeholder answers.
    Import {
        /// The CSV file.
        #[arg(long)]
        csv: PathBuf,
        /// Directory to write the intent files into.
        #[arg(long)]
        out: PathBuf,
    },
    /// The most common questions the bot could not answer, grouped when alike.
    Unmatched {
        /// Only since then: RFC 3339 time or an age like `7d`, `12h`, `30m`.
        #[arg(long)]
        since: Option<String>,
        /// How many groups to list.
        #[arg(long, default_value_t = 30)]
        limit: usize,
    },
}
