//! Problems found in a corpus, each tied to a file and, where one applies, a line and column.

use std::fmt;
use std::path::PathBuf;

/// How serious a problem is: errors keep a case out of the index, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth fixing; the case is still indexed.
    Warning,
    /// The case cannot be indexed until this is fixed.
    Error,
}

/// What a problem is about, for programs that act on it (its message is for people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiagnosticKind {
    /// A problem with a field or with the file.
    #[default]
    Problem,
    /// The file is marked `needs_review` (an import with missing facts): kept out of the
    /// index until an editor completes it.
    NeedsReview,
}

/// One problem in one file, in words an editor understands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file, as found under the corpus folder given by the user.
    pub path: PathBuf,
    /// 1-based line in the file, when the problem has a place.
    pub line: Option<usize>,
    /// 1-based column in that line (in characters), when known.
    pub column: Option<usize>,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and how to fix it.
    pub message: String,
    /// What the problem is about.
    #[serde(skip)]
    pub kind: DiagnosticKind,
    /// The front matter field the problem is about (`sector`; `body` for the text), when it
    /// is about one: a form can show the message next to that field.
    #[serde(skip)]
    pub field: Option<String>,
}

impl Diagnostic {
    /// An error at an optional place.
    pub fn error(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        column: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.into(),
            line,
            column,
            severity: Severity::Error,
            message: message.into(),
            kind: DiagnosticKind::Problem,
            field: None,
        }
    }

    /// A warning at an optional place.
    pub fn warning(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        column: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.into(),
            line,
            column,
            severity: Severity::Warning,
            message: message.into(),
            kind: DiagnosticKind::Problem,
            field: None,
        }
    }

    /// The warning that a file needs review (see [`DiagnosticKind::NeedsReview`]).
    pub fn needs_review(path: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        Diagnostic { kind: DiagnosticKind::NeedsReview, ..Diagnostic::warning(path, line, None, message) }
    }

    /// The same problem, tied to a front matter field.
    pub fn about(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Formats as `path:line:column: error: message`, the form editors and IDEs jump to.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {severity}: {}", self.message)
    }
}
