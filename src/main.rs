//! The `tandem` binary: parse the command line, set up logging, run.
//! Everything else lives in the library so tests use exactly what users run.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Parser;
use tandem::cli::{AgentCommand, Cli, Command};
use tandem::config::{self, Settings};
use tandem::intents::tools;
use tandem::store::Store;
use tandem::{agents, server};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = config::resolve(&cli.settings)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Agent {
            command: AgentCommand::Add { name },
        } => {
            let store = open_store(&settings)?;
            let password = read_password(&name)?;
            agents::add_agent(&store, &name, &password, time::OffsetDateTime::now_utc())?;
            println!("agent {name:?} added; they can sign in at /console");
            Ok(ExitCode::SUCCESS)
        }
        Command::Agent {
            command: AgentCommand::List,
        } => {
            let store = open_store(&settings)?;
            let all = store.agents()?;
            if all.is_empty() {
                println!("no agents yet; add one with `tandem agent add NAME`");
            }
            for agent in all {
                println!("{}\tadded {}", agent.name, agent.created_at.date());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Intents { command } => {
            let ok = tools::command::run_intents(command, &settings, &mut std::io::stdout())?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Chat { intents } => {
            tools::command::run_chat(intents, &settings)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let server = server::start(&settings).await?;
        let base = format!("http://{}", server.addr);
        let mut banner = format!(
            "Tandem is running.\n  Widget (demo shop): {base}/\n  Agent console:      {base}/console\n"
        );
        if server.hub().store().agents()?.is_empty() {
            banner.push_str("  No agents yet: stop Tandem and run `tandem agent add NAME` to create one.\n");
        }
        banner.push_str("Press Ctrl-C to stop.\n");
        // Whoever started us may have closed stdout; that must not stop the server.
        let _ = std::io::stdout().write_all(banner.as_bytes()).and_then(|()| std::io::stdout().flush());
        server.run_until(server::shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}

fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("cannot create {}", settings.data_dir.display()))?;
    Ok(Store::open(&settings.data_dir)?)
}

/// Prompts twice on a terminal; otherwise reads the first line of stdin.
fn read_password(name: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {name}: "))?;
        let second = rpassword::prompt_password("Again: ")?;
        if first != second {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}
