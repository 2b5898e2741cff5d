//! Test helpers: a temporary working directory holding a corpus, and the binary.

pub mod backend;
pub mod http;
pub mod process;
pub mod proxy;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use casebook_index::{Archive, SearchRequest, SearchResponse};

/// The fixture corpus with ten controlled cases.
pub fn fixture_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// The ids of the ten cases of the fixture corpus.
pub const FIXTURE_CASE_IDS: [&str; 10] = [
    "telemedicina-lombardia",
    "hospital-telehealth-piemonte",
    "ia-fabbrica-brescia",
    "robot-factory-veneto",
    "smart-parking-torino",
    "energy-community-bayern",
    "comunita-energetica-sicilia",
    "fintech-milano",
    "museum-vr-firenze",
    "zero-trust-paris",
];

/// The bundled sample corpus.
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// A temporary working directory with `corpus/cases/` and room for `index/`.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// An empty corpus.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("corpus/cases")).expect("cases dir");
        Workspace { dir }
    }

    /// A copy of a corpus folder.
    pub fn copy_of(corpus: &Path) -> Self {
        let workspace = Workspace::new();
        copy_dir(corpus, &workspace.corpus());
        workspace
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn corpus(&self) -> PathBuf {
        self.path().join("corpus")
    }

    pub fn index(&self) -> PathBuf {
        self.path().join("index")
    }

    /// Writes a file under `corpus/`.
    pub fn write(&self, relative: &str, content: impl AsRef<[u8]>) {
        let path = self.corpus().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }

    /// Runs `casebook ARGS` in the workspace.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_env(args, &[])
    }

    /// Runs `casebook ARGS` with extra environment variables.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_casebook"));
        command.args(args).current_dir(self.path()).env_remove("CASEBOOK_CORPUS").env_remove("CASEBOOK_INDEX");
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().expect("run casebook")
    }

    /// Runs `casebook ARGS` with `input` on standard input (a password, say).
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
            .args(args)
            .current_dir(self.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run casebook");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write standard input");
        child.wait_with_output().expect("wait for casebook")
    }

    /// Builds the index with the library and opens it.
    pub fn build(&self) -> Archive {
        casebook_index::build_index(&self.corpus(), &self.index(), &Default::default(), &mut |_| {}).expect("build");
        Archive::open(&self.index()).expect("open")
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a search that must succeed.
#[track_caller]
pub fn search(archive: &Archive, request: SearchRequest) -> SearchResponse {
    archive.search(&request).expect("search")
}

/// A request with query text.
pub fn query(q: &str) -> SearchRequest {
    SearchRequest { q: q.to_string(), ..Default::default() }
}

/// Ids of the hits, in order.
pub fn ids(response: &SearchResponse) -> Vec<&str> {
    response.hits.iter().map(|h| h.case.id.as_str()).collect()
}

/// Ids of the hits, sorted.
pub fn id_set(response: &SearchResponse) -> Vec<&str> {
    let mut ids = ids(response);
    ids.sort_unstable();
    ids
}
