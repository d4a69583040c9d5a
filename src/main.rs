//! The `tandem` binary: parse the command line, set up logging, run.
//! Everything else lives in the library so tests use exactly what users run.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Parser;
use tandem::cli::{AgentCommand, Cli, Command, EmpathyCommand, LogFormat};
use tandem::config::{self, Settings};
use tandem::intents::tools;
use tandem::protocol::Role;
use tandem::store::SledStore;
use tandem::{agents, empathy, server};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr);
    match cli.settings.log_format.unwrap_or(LogFormat::Text) {
        LogFormat::Text => logs.init(),
        // One JSON object per line, fields and span included, for log
        // collectors (`--log-format json`).
        LogFormat::Json => logs.json().init(),
    }
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
        Command::Check => check(&settings),
        Command::Migrate { from, to } => migrate(&settings, from, &to),
        Command::Agent { command } => agent_command(&settings, command),
        Command::Intents { command } => {
            let ok = tools::command::run_intents(command, &settings, &mut std::io::stdout())?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Chat { intents, pace } => {
            tools::command::run_chat(intents, pace, &settings)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Empathy {
            command: EmpathyCommand::Eval { cases, tune, speed },
        } => {
            let embedder = tools::command::embedder(&settings)?;
            let report = empathy::eval::evaluate(&cases, tune.as_deref(), &embedder)?;
            if let Some(secs) = speed {
                let texts: Vec<String> = empathy::eval::read_cases(&cases)?
                    .into_iter()
                    .map(|c| c.text)
                    .collect();
                let measured = empathy::eval::measure_speed(
                    &texts,
                    std::time::Duration::from_secs(secs.max(1)),
                );
                println!("{measured}");
            }
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Empathy {
            command: EmpathyCommand::Train { data, out },
        } => {
            let train = empathy::eval::read_cases(&data.join("train.csv"))?;
            let val = empathy::eval::read_cases(&data.join("val.csv"))?;
            let embedder = tools::command::embedder(&settings)?;
            let (file, report) = empathy::tone::train::train(&train, &val, &embedder, &|step| {
                eprintln!("{step}");
            });
            std::fs::write(&out, serde_json::to_string(&file)?)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "{} terms; validation: words only {}",
                report.terms, report.words
            );
            if let Some(full) = report.full {
                println!("validation: with sentence vectors {full}");
            }
            println!("written to {} (rebuild Tandem to embed it)", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Empathy {
            command: EmpathyCommand::Explain { text },
        } => {
            let lexicon = empathy::frustration::read_message(&text);
            println!("lexicon alone: {:.2}", lexicon.score);
            for s in lexicon.signals {
                println!("  {:.2}  {}: {}", s.weight, s.kind.describe(), s.evidence);
            }
            let embedder = tools::command::embedder(&settings)?;
            let vector = embedder.embed_message_now(&text).ok();
            let read = empathy::reading::read(&text, vector.as_ref().map(|v| v.as_slice()));
            println!(
                "reads as: {:.2}{}",
                read.score,
                if read.warm { " (warm)" } else { "" }
            );
            for s in &read.signals {
                println!("  {:.2}  {}: {}", s.weight, s.kind.describe(), s.evidence);
            }
            let model = empathy::tone::ToneModel::bundled();
            for (name, v) in [
                ("words only", None),
                ("with the sentence vector", vector.as_ref()),
            ] {
                if name != "words only" && v.is_none() {
                    continue;
                }
                let tone = model.read(&text, v.map(|v| v.as_slice()));
                let words: Vec<String> = tone
                    .words
                    .iter()
                    .map(|(w, c)| format!("{w} (+{c:.2})"))
                    .collect();
                println!(
                    "tone, {name}: {:.2} (frustrated from {:.2}) {}",
                    tone.probability,
                    tone.threshold,
                    words.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn agent_command(settings: &Settings, command: AgentCommand) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(agent_command_on(settings, command))
}

async fn agent_command_on(settings: &Settings, command: AgentCommand) -> anyhow::Result<ExitCode> {
    let store = settings.store.open(&settings.data_dir).await?;
    match command {
        AgentCommand::Add { name, role } => {
            let password = read_password(&name)?;
            agents::add_agent(
                &store,
                &name,
                &password,
                role.into(),
                time::OffsetDateTime::now_utc(),
            )
            .await?;
            println!("agent {name:?} added; they can sign in at /console");
        }
        AgentCommand::List => {
            let all = store.agents().await?;
            if all.is_empty() {
                println!("no agents yet; add one with `tandem agent add NAME`");
            }
            for agent in all {
                let role = match agent.role {
                    Role::Agent => "agent",
                    Role::Admin => "admin",
                };
                println!("{}\t{role}\tadded {}", agent.name, agent.created_at.date());
            }
        }
        AgentCommand::Remove { name } => {
            agents::remove_agent(&store, &name).await?;
            println!("agent {name:?} removed");
        }
        AgentCommand::Passwd { name } => {
            let password = read_password(&name)?;
            agents::set_password(&store, &name, &password).await?;
            println!("password of {name:?} changed; their sessions have ended");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let server = server::start(&settings).await?;
        let base = format!("http://{}", server.addr);
        let mut banner = format!(
            "Tandem is running.\n  Widget (demo shop): {base}/\n  Agent console:      {base}/console\n"
        );
        if server.hub().store().agents().await?.is_empty() {
            banner.push_str("  No agents yet: open the console to create the first one.\n");
        }
        banner.push_str("Press Ctrl-C to stop.\n");
        // Whoever started us may have closed stdout; that must not stop the server.
        let _ = std::io::stdout().write_all(banner.as_bytes()).and_then(|()| std::io::stdout().flush());
        server.run_until(server::shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `tandem migrate`: copies the embedded store into PostgreSQL.
fn migrate(
    settings: &Settings,
    from: Option<std::path::PathBuf>,
    to: &str,
) -> anyhow::Result<ExitCode> {
    let from = from.unwrap_or_else(|| settings.data_dir.clone());
    if !from.join("tandem.sled").exists() {
        bail!(
            "there is no database in {} (is --from right?)",
            from.display()
        );
    }
    let source = SledStore::open_with(&from, settings.store.options())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let copied = runtime.block_on(async {
        let target = tandem::store::PgStore::open(
            to,
            tandem::store::PgOptions {
                pool_size: settings.store.pool_size,
                baton_pool: 2,
                timeout: std::time::Duration::from_millis(settings.store.timeout_ms.max(1)),
                flush_linger: std::time::Duration::ZERO,
            },
        )
        .await?;
        tandem::store::copy::sled_to_postgres(&source, &target, |n| {
            eprintln!("  {n} conversations copied");
        })
        .await
    })?;
    println!("copied {copied} from {} into PostgreSQL", from.display());
    Ok(ExitCode::SUCCESS)
}

/// `tandem check`: every problem on its own line, then the summary; exit 1
/// when there are problems. A locked or unopenable store is an error
/// (exit 2), said as such by `main`.
fn check(settings: &Settings) -> anyhow::Result<ExitCode> {
    let report = match &settings.store.url {
        Some(url) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?
            .block_on(tandem::store::check::check_postgres(url))?,
        None => {
            if !settings.data_dir.join("tandem.sled").exists() {
                bail!(
                    "there is no database in {} (is --data-dir right?)",
                    settings.data_dir.display()
                );
            }
            SledStore::open_with(&settings.data_dir, settings.store.options())?.check()
        }
    };
    let mut out = std::io::stdout().lock();
    for problem in &report.problems {
        writeln!(out, "{problem}")?;
    }
    writeln!(out, "{report}")?;
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
