//! `coalesce`: the command-line client of a Coalesce node.
//!
//! Thin glue: parses arguments, then runs the command on the node's home folder itself, or,
//! when `coalesce-node` is running on that home, through the node's control API (the node
//! holds the store while it runs): each operation of the command goes to its route, and the
//! replies print here. Either way the `commands` crate does the work and prints the same.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use commands::args::{Cli, Command};
use commands::output::Out;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let out = Out::terminal();
    match run(cli, &out) {
        Ok(code) => code,
        Err(e) => {
            out.note(&format!("error: {e}"));
            for cause in e.chain().skip(1) {
                out.note(&format!("  caused by: {cause}"));
            }
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("COALESCE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

/// The home folder: `--home`, `$COALESCE_HOME`, or the user's data directory.
fn home(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(h) = given {
        return Ok(h);
    }
    directories::ProjectDirs::from("org", "Coalesce", "coalesce")
        .map(|d| d.data_dir().to_owned())
        .context("no home folder given and no user data directory found; pass --home DIR")
}

/// The command-line definition without its hidden commands and options (`debug`): what
/// completions offer. (clap_complete lists hidden subcommands too.)
fn without_hidden(cmd: &clap::Command) -> clap::Command {
    let mut out = clap::Command::new(cmd.get_name().to_owned())
        .args(cmd.get_arguments().filter(|a| !a.is_hide_set()).cloned());
    if let Some(about) = cmd.get_about() {
        out = out.about(about.clone());
    }
    if let Some(version) = cmd.get_version() {
        out = out.version(version.to_owned());
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out = out.subcommand(without_hidden(sub));
    }
    out
}

/// Completions and man pages come from the command-line definition itself.
fn generated(command: &Command, out: &Out) -> Result<bool> {
    use clap::CommandFactory;
    match command {
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(
                *shell,
                &mut without_hidden(&Cli::command()),
                "coalesce",
                &mut script,
            );
            out.text_raw(&String::from_utf8_lossy(&script))?;
            Ok(true)
        }
        Command::Man { out: dir } => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
            clap_mangen::generate_to(Cli::command(), dir)
                .with_context(|| format!("could not write man pages into {}", dir.display()))?;
            out.note(&format!("Man pages written to {}", dir.display()));
            Ok(true)
        }
        _ => Ok(false),
    }
}

fn run(mut cli: Cli, out: &Out) -> Result<ExitCode> {
    if generated(&cli.command, out)? {
        return Ok(ExitCode::SUCCESS);
    }
    let home = home(cli.home)?;
    if let Command::Init { org } = &cli.command {
        commands::init(&home, org, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Rename { org } = &cli.command {
        commands::rename(&home, org, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Restore { file } = &cli.command {
        commands::restore(&home, file, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::ImportIdentity {
        file,
        passphrase_file,
    } = &cli.command
    {
        let sealed = read_text(file, replica::sealed::MAX_SEALED_BYTES as u64)?;
        let pass = passphrase(passphrase_file.as_deref(), false)?;
        let key = replica::Replica::import_identity(&sealed, &pass, &home)
            .with_context(|| format!("could not import {}", file.display()))?;
        out.note(&format!(
            "Identity imported into {}; start `coalesce-node --home {}`: it takes in the coalitions its peers share with it.",
            home.display(),
            home.display()
        ));
        out.id(key)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::ExportIdentity {
        out: file,
        passphrase_file,
    } = &cli.command
    {
        export_identity(&home, file, passphrase_file.as_deref(), out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Member(commands::args::MemberCmd::Leave { c, yes: false }) = &cli.command
        && !confirm_leave(c.id.as_deref())?
    {
        out.note("Not left: nothing was changed.");
        return Ok(ExitCode::FAILURE);
    }
    read_minutes_file(&mut cli.command)?;
    if let Some(mut node) = api::Client::discover(&home)? {
        if let Command::Ui { open } = cli.command {
            return sign_in(&node, open, out);
        }
        if let Command::Join {
            code: Some(code),
            org,
            wait,
            ..
        } = cli.command
        {
            return join(&node, code, org, wait, out);
        }
        // Each operation goes to its route; the replies print here.
        if let Some(other) = commands::run_typed(&mut node, cli.command, out)? {
            // Only the commands handled above, on this machine, are not operations.
            anyhow::bail!(
                "`{}` is not an operation of the running node",
                name_of(&other)
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut replica = replica::Replica::open(&home)?;
    commands::run(&mut replica, cli.command, out)?;
    Ok(ExitCode::SUCCESS)
}

/// `ui`: a one-time sign-in link for this machine's browser, printed (and opened with
/// `--open`, by the desktop's own opener).
fn sign_in(node: &api::Client, open: bool, out: &Out) -> Result<ExitCode> {
    let link = node.sign_in_link()?;
    out.note(&format!(
        "Open this link in a browser on this machine to use Coalesce (it works once, for {} minutes):",
        link.expires_in_seconds / 60
    ));
    out.text_raw(&format!("{}\n", link.url))?;
    if open {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        match std::process::Command::new(opener)
            .arg(&link.url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
        {
            Ok(s) if s.success() => out.note("Opened in the browser."),
            Ok(_) | Err(_) => out.note(&format!(
                "Could not open a browser with `{opener}`: open the link above yourself."
            )),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `meeting add --minutes-file FILE|-`: reads the minutes here, where the file and standard
/// input are the caller's, and puts the text in the command.
fn read_minutes_file(command: &mut Command) -> Result<()> {
    use commands::args::MeetingCmd;
    let Command::Meeting(MeetingCmd::Add {
        minutes,
        minutes_file,
        ..
    }) = command
    else {
        return Ok(());
    };
    let Some(file) = minutes_file.take() else {
        return Ok(());
    };
    // Up to MAX_LONG characters of at most 4 bytes each; the model counts the characters.
    let max = 4 * model::MAX_LONG as u64;
    let text = if file.as_os_str() == "-" {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(max + 1)
            .read_to_end(&mut bytes)
            .context("could not read the minutes from standard input")?;
        if bytes.len() as u64 > max {
            anyhow::bail!("the minutes on standard input are longer than 20,000 characters");
        }
        String::from_utf8(bytes).context("the minutes on standard input are not text (UTF-8)")?
    } else {
        read_text(&file, max)?
    };
    *minutes = text;
    Ok(())
}

/// `member leave` on a terminal: asks before leaving (a coalition cannot be rejoined without
/// a new invite). Without a terminal (a script) it does not ask.
fn confirm_leave(coalition: Option<&str>) -> Result<bool> {
    use std::io::{BufRead, IsTerminal, Read, Write};
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(true);
    }
    let which = coalition.map_or_else(|| "this coalition".to_owned(), |c| format!("coalition {c}"));
    let mut err = std::io::stderr();
    write!(
        err,
        "Leave {which}? Your organization will write nothing more to it, and coming back needs a new invite. Type yes to leave: "
    )?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .take(256)
        .read_line(&mut answer)
        .context("could not read the answer")?;
    Ok(answer.trim().eq_ignore_ascii_case("yes"))
}

/// `join`: the node starts joining; this waits until the coalition's data has arrived, then
/// prints its id. On the way it says how the join is going (on a terminal, a piece counter
/// updates in place); on Ctrl-C it stops waiting, saying that the node goes on.
fn join(
    node: &api::Client,
    code: String,
    org: Option<String>,
    wait: u64,
    out: &Out,
) -> Result<ExitCode> {
    use std::io::{IsTerminal, Write};
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let flag = interrupted.clone();
        // Installed first: Ctrl-C from now on stops only the waiting (the join goes on in
        // the node either way).
        let _ = ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst));
    }
    let started: commands::ops::joins::JoinStarted = node
        .call(&commands::ops::Request::JoinStart {
            body: commands::ops::joins::JoinRequest { code, org },
        })
        .map_err(commands::ops::OpError::into_anyhow)?
        .try_into()?;
    let coalition = started.coalition;
    // The first stage, said at once (and not again when the node says it).
    let first = "connecting to the inviting node";
    out.note(&format!("Joining: {first}."));
    let terminal = std::io::stderr().is_terminal();
    let short = coalition.get(..8).unwrap_or(&coalition).to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(wait);
    let (mut said, mut detail) = (first.to_owned(), String::new());
    // The stage last heard: the node holds its next answer until the stage moves or a second
    // has passed (so that Ctrl-C and `--wait` are heard within about a second), so the
    // arrival is known at once.
    let mut seen: Option<String> = None;
    let end_line = |detail: &str| {
        if terminal && !detail.is_empty() {
            let _ = writeln!(std::io::stderr());
        }
    };
    loop {
        if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
            end_line(&detail);
            out.note(&format!(
                "Stopped waiting. The node goes on joining coalition {short}, also after a restart: `coalesce join --pending` shows how it is going, `coalesce join --cancel {short}` stops it."
            ));
            return Ok(ExitCode::from(130));
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let asked = std::time::Instant::now();
        let stage: commands::ops::joins::JoinStage = node
            .call(&commands::ops::Request::JoinStage {
                coalition: coalition.clone(),
                wait: commands::ops::joins::JoinWait {
                    after: seen.clone(),
                    wait_ms: Some(u64::try_from(left.as_millis().min(1000)).unwrap_or(1000)),
                },
            })
            .map_err(commands::ops::OpError::into_anyhow)?
            .try_into()?;
        // A node that answered at once with nothing new (one that does not hold answers) is
        // asked again after a pause, not in a busy loop.
        if seen.as_deref() == Some(stage.stage.as_str())
            && asked.elapsed() < std::time::Duration::from_millis(100)
        {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        seen = Some(stage.stage.clone());
        let status = stage.stage.as_str();
        if status == "joined" {
            end_line(&detail);
            out.note("Joined: the coalition has arrived on this node.");
            out.id(&coalition)?;
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(reason) = status.strip_prefix("refused: ") {
            end_line(&detail);
            anyhow::bail!("the inviting node refused this join: {reason}");
        }
        if let Some(stage) = status.strip_prefix("pending: ") {
            // The stage in words, once; what follows a colon (a piece counter) updates in
            // place on a terminal.
            let (head, rest) = stage.split_once(": ").unwrap_or((stage, ""));
            if head != said {
                end_line(&detail);
                detail.clear();
                said = head.to_owned();
                out.note(&format!("Joining: {head}."));
            }
            if terminal && rest != detail && !rest.is_empty() {
                detail = rest.to_owned();
                let mut err = std::io::stderr();
                let _ = write!(
                    err,
                    "\r  {}\x1b[K",
                    commands::output::printable(rest, false)
                );
                let _ = err.flush();
            }
        }
        if std::time::Instant::now() >= deadline {
            end_line(&detail);
            anyhow::bail!(
                "the coalition has not arrived within {wait} s; the node goes on joining (also after a restart) — if the coalition admits members by vote, it arrives once the members have voted. `coalesce join --pending` shows how it is going; `coalesce join --cancel {short}` stops it"
            );
        }
    }
}

/// Reads a text file of at most `max` bytes.
fn read_text(path: &Path, max: u64) -> Result<String> {
    String::from_utf8(commands::read_limited(path, max)?)
        .with_context(|| format!("{} is not text", path.display()))
}

/// The passphrase: from a file, `$COALESCE_PASSPHRASE`, or asked on the terminal (twice when
/// setting one).
fn passphrase(file: Option<&Path>, confirm: bool) -> Result<String> {
    if let Some(f) = file {
        let text = read_text(f, 4096)?;
        return Ok(text.trim_end_matches(['\r', '\n']).to_owned());
    }
    if let Ok(p) = std::env::var("COALESCE_PASSPHRASE") {
        return Ok(p);
    }
    let first = rpassword::prompt_password("Passphrase: ").context(
        "could not read a passphrase (give --passphrase-file or set COALESCE_PASSPHRASE)",
    )?;
    if confirm {
        let again = rpassword::prompt_password("Passphrase again: ")
            .context("could not read the passphrase")?;
        if again != first {
            anyhow::bail!("the two passphrases differ");
        }
    }
    Ok(first)
}

/// `export-identity`: the identity file, with the known peers from the running node or the
/// store, sealed with a passphrase.
fn export_identity(home: &Path, file: &Path, pass_file: Option<&Path>, out: &Out) -> Result<()> {
    let identity = replica::Identity::read(&home.join(replica::IDENTITY_FILE))?;
    let peers = match api::Client::discover(home)? {
        Some(node) => {
            let peers: commands::ops::KnownPeers = node
                .call(&commands::ops::Request::KnownPeers)
                .map_err(commands::ops::OpError::into_anyhow)
                .context("could not ask the running node for the peers it knows")?
                .try_into()?;
            Some(peers.json.into_bytes())
        }
        None => replica::Replica::open(home)?.known_peers_stored()?,
    };
    let pass = passphrase(pass_file, true)?;
    let sealed = replica::sealed::seal(&identity, peers.as_deref(), &pass)?;
    replica::write_private(file, sealed.as_bytes())?;
    out.note(&format!(
        "Identity of node {} sealed into {}. Import it only if this machine is lost for good.",
        identity.node_key(),
        file.display()
    ));
    Ok(())
}

/// A command's name, for errors.
fn name_of(command: &Command) -> String {
    format!("{command:?}")
        .split([' ', '(', '{'])
        .next()
        .unwrap_or_default()
        .to_lowercase()
}
