//! Logs on standard error, written by a background thread so that a slow or full standard
//! error never blocks the work (above all request handling in `casebook serve`).
//!
//! Log lines go into a bounded buffer (`BUFFERED_LINES`); when it is full, new lines are
//! dropped and counted. A monitor thread reports the count as a warning written straight to
//! standard error when it grew (checked every `CHECK_EVERY`), and once more at exit. Colour
//! codes are written only when standard error is a terminal (and `NO_COLOR` is not set).

use std::io::IsTerminal;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

use crate::cli::LogFormat;

/// Log lines held while standard error is slower than the logs; beyond, lines are dropped.
const BUFFERED_LINES: usize = 16_384;
/// How often the monitor checks whether lines were dropped.
const CHECK_EVERY: Duration = Duration::from_secs(5);
/// How long `finish` waits for the monitor's last report (standard error may be stuck).
const FINAL_REPORT_WAIT: Duration = Duration::from_secs(1);
/// The filter when `CASEBOOK_LOG` is not set.
const DEFAULT_FILTER: &str = "casebook=info,warn";

/// The logging of this process; `finish` (or dropping it) flushes the lines still buffered.
pub struct Logging {
    guard: Option<WorkerGuard>,
    stop: Option<Sender<()>>,
    reported: Option<Receiver<()>>,
}

/// A `fmt` subscriber in `format`, writing to `writer`.
fn subscriber<W>(
    format: LogFormat,
    ansi: bool,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync + 'static>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(ansi);
    match format {
        LogFormat::Text => Box::new(builder.with_target(false).without_time().finish()),
        // Log collectors want the time and the origin of each line, and `message` at the top.
        LogFormat::Json => Box::new(builder.json().flatten_event(true).with_target(true).finish()),
    }
}

/// Whether standard error takes colour codes: a terminal, and `NO_COLOR` unset or empty.
fn colours() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// Installs the global subscriber: `CASEBOOK_LOG` filters, `format` formats, and a bounded
/// non-blocking writer carries the lines to standard error.
pub fn init(format: LogFormat) -> Logging {
    let filter = EnvFilter::try_from_env("CASEBOOK_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let ansi = colours();
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(BUFFERED_LINES)
        .thread_name("casebook-log")
        .finish(std::io::stderr());
    let counter = writer.error_counter();
    // Only fails when a subscriber is already installed, which `main` does not do.
    let _ = subscriber(format, ansi, filter, writer).try_init();

    let (stop, stop_rx) = mpsc::channel();
    let (reported_tx, reported) = mpsc::channel();
    let direct = tracing::Dispatch::new(subscriber(format, ansi, EnvFilter::new("warn"), std::io::stderr));
    let spawned = std::thread::Builder::new()
        .name("casebook-log-monitor".into())
        .spawn(move || monitor(&counter, &direct, &stop_rx, &reported_tx));
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the monitor of dropped log lines");
    }
    Logging { guard: Some(guard), stop: Some(stop), reported: Some(reported) }
}

/// Reports dropped lines every `CHECK_EVERY` when their number grew; when told to stop (the
/// buffer is flushed by then), reports the total if any, and says it is done.
fn monitor(counter: &ErrorCounter, direct: &tracing::Dispatch, stop: &Receiver<()>, reported: &Sender<()>) {
    let mut known = 0;
    loop {
        match stop.recv_timeout(CHECK_EVERY) {
            Err(RecvTimeoutError::Timeout) => {
                let dropped = counter.dropped_lines();
                if dropped > known {
                    let new = dropped - known;
                    tracing::dispatcher::with_default(direct, || {
                        tracing::warn!(
                            dropped_lines = new,
                            total = dropped,
                            "{new} log lines were dropped: standard error could not keep up ({dropped} since start)"
                        );
                    });
                    known = dropped;
                }
            }
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                let dropped = counter.dropped_lines();
                if dropped > 0 {
                    tracing::dispatcher::with_default(direct, || {
                        tracing::warn!(
                            total = dropped,
                            "{dropped} log lines were dropped in all: standard error could not keep up"
                        );
                    });
                }
                let _ = reported.send(());
                return;
            }
        }
    }
}

impl Logging {
    /// Writes out the buffered lines, then the dropped-lines report. Call it before printing
    /// anything else on standard error at exit, so that the logs come first.
    pub fn finish(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        // Dropping the guard waits (boundedly) for the writer thread to write every line.
        drop(self.guard.take());
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(reported) = self.reported.take() {
            // The monitor's report may block on a stuck standard error: wait only a while.
            let _ = reported.recv_timeout(FINAL_REPORT_WAIT);
        }
    }
}

impl Drop for Logging {
    fn drop(&mut self) {
        self.shut_down();
    }
}
