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
    /// Measure the frustration reader.
    Empathy {
        #[command(subcommand)]
        command: EmpathyCommand,
    },
}

/// `tandem empathy …`
#[derive(Debug, Subcommand)]
pub enum EmpathyCommand {
    /// Precision, recall, F1 and accuracy of the per-message frustration
    /// reader on a `text,frustrated` CSV file. The threshold is the policy's
    /// soft threshold, or the best one on `--tune`; never chosen on the cases.
    Eval {
        /// Labelled messages to score (`text,frustrated`, 0 or 1, header line).
        #[arg(long)]
        cases: PathBuf,
        /// Validation file to choose the threshold on.
        #[arg(long)]
        tune: Option<PathBuf>,
        /// Intents directory whose policy.toml gives the threshold
        /// [default: the intents directory setting].
        #[arg(long)]
        intents: Option<PathBuf>,
        /// Also measure scoring speed on the cases' texts for this many
        /// seconds (one core; use a release build).
        #[arg(long, value_name = "SECS")]
        speed: Option<u64>,
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
}
