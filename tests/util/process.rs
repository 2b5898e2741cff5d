//! The real `casebook` binary as a child process that a test can kill with SIGKILL.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use super::Workspace;

/// A child process, killed (SIGKILL) and reaped when dropped.
pub struct Process(pub Child);

impl Process {
    /// Kills it with SIGKILL (`Child::kill` on Unix) and waits for it; returns whether it
    /// was still running, i.e. whether the kill interrupted it.
    pub fn kill9(&mut self) -> bool {
        let running = matches!(self.0.try_wait(), Ok(None));
        let _ = self.0.kill();
        let _ = self.0.wait();
        running
    }
}

impl Process {
    /// Stops it with SIGTERM (a graceful shutdown, as by a service manager) and waits for it.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.0.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
        assert!(sent.success(), "kill -TERM {pid}");
        self.0.wait().expect("wait for casebook")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `casebook ARGS` started in the workspace, output discarded.
pub fn spawn(workspace: &Workspace, args: &[&str]) -> Process {
    let child = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(args)
        .current_dir(workspace.path())
        .env("CASEBOOK_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start casebook");
    Process(child)
}

/// `casebook serve --addr 127.0.0.1:0 EXTRA...`; returns it with its base URL once it
/// listens.
pub fn serve(workspace: &Workspace, extra: &[&str]) -> (Process, String) {
    serve_with(workspace, &[], extra, &[("CASEBOOK_LOG", "warn")], Stdio::inherit())
}

/// `casebook GLOBAL... serve --addr 127.0.0.1:0 EXTRA...` with extra environment variables
/// and standard error going to `stderr`; returns it with its base URL once it listens.
pub fn serve_with(
    workspace: &Workspace,
    global: &[&str],
    extra: &[&str],
    env: &[(&str, &str)],
    stderr: Stdio,
) -> (Process, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_casebook"));
    command
        .args(global)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .current_dir(workspace.path())
        .env_remove("CASEBOOK_DB")
        .env_remove("CASEBOOK_LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(stderr);
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("start casebook serve");
    let stdout = child.stdout.take().expect("stdout");
    let process = Process(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read the listening line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (process, base)
}

/// A small deterministic generator for kill times (xorshift), seeded per test so a failure
/// can be replayed from the seed printed in its message.
pub struct Xorshift(pub u64);

impl Xorshift {
    /// A number in `range`.
    pub fn between(&mut self, range: std::ops::Range<u64>) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        range.start + self.0 % (range.end - range.start).max(1)
    }
}
