//! Writing case files: YAML values quoted so that any text reads back as written, case ids
//! made from titles, and durable writes (a temporary file synced, then moved into place).
//! The importer updates its own files with [`write_atomically`]; an accepted submission is
//! written with [`write_new`], which never replaces an existing file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::text::{is_valid_slug, slugify};

/// Longest case id made from a title, in bytes (a valid id may be up to 80).
pub const MAX_GENERATED_ID: usize = 60;

/// Quotes a string for YAML. A JSON string is a YAML double-quoted scalar, except that
/// JSON leaves DEL, the C1 controls and U+FFFE/U+FFFF raw, which YAML refuses unescaped:
/// those are written as `\u` escapes.
pub fn yaml_string(value: &str) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if matches!(c, '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}') && c != '\u{85}' {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A YAML flow list of quoted strings: `["a", "b"]`.
pub fn yaml_list(values: &[String]) -> String {
    format!("[{}]", values.iter().map(|v| yaml_string(v)).collect::<Vec<_>>().join(", "))
}

/// Front matter built line by line, in the order the fields are given.
#[derive(Debug, Default, Clone)]
pub struct FrontMatter {
    text: String,
}

impl FrontMatter {
    /// An empty front matter.
    pub fn new() -> Self {
        FrontMatter::default()
    }

    /// Adds `key: value` with the value written as it is (a number, a list, a bare word).
    pub fn raw(&mut self, key: &str, value: &str) -> &mut Self {
        self.text.push_str(key);
        self.text.push_str(": ");
        self.text.push_str(value);
        self.text.push('\n');
        self
    }

    /// Adds `key: "value"`.
    pub fn text(&mut self, key: &str, value: &str) -> &mut Self {
        self.raw(key, &yaml_string(value))
    }

    /// Adds `key: "value"` when there is a value.
    pub fn optional(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.text(key, value);
        }
        self
    }

    /// Adds `key: [...]` unless the list is empty.
    pub fn list(&mut self, key: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            self.raw(key, &yaml_list(values));
        }
        self
    }

    /// The case file: this front matter between `---` lines, a blank line, the body.
    pub fn with_body(&self, body: &str) -> String {
        format!("---\n{}---\n\n{}\n", self.text, body.trim())
    }
}

/// The case id a title gives (a slug of at most [`MAX_GENERATED_ID`] bytes, cut at a word),
/// made unique with `-2`, `-3`... while `taken` says an id is in use; `case` when the title
/// has no letter or digit to make one from.
pub fn id_from_title(title: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut base = slugify(title);
    if base.len() > MAX_GENERATED_ID {
        let cut = base[..MAX_GENERATED_ID].rfind('-').unwrap_or(MAX_GENERATED_ID);
        base.truncate(cut);
    }
    if !is_valid_slug(&base) {
        base = "case".into();
    }
    let mut id = base.clone();
    let mut n = 2;
    while taken(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Writes `text` to a temporary file beside `path` and syncs it; returns the temporary path.
fn write_temporary(path: &Path, text: &str) -> std::io::Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("case.md");
    let temp = dir.join(format!(".{name}.writing"));
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(temp)
}

/// Syncs the folder of `path`, so that a new name in it survives a crash (best effort: not
/// every platform can open a folder for syncing).
fn sync_folder(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(folder) = std::fs::File::open(dir)
    {
        let _ = folder.sync_all();
    }
}

/// Writes `text` to `path` atomically: a temporary file beside it, synced, then renamed over
/// it. A reader (or a crash) sees the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let temp = write_temporary(path, text)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })?;
    sync_folder(path);
    Ok(())
}

/// Writes a new file at `path`, complete or not at all, and never over an existing one: the
/// temporary file is hard-linked to `path`, which fails with `AlreadyExists` when the name is
/// taken. Where hard links are not supported, the file is created exclusively instead.
pub fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let temp = write_temporary(path, text)?;
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => return Err(error),
        Err(_) => {
            let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
            let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
            if let Err(error) = written {
                let _ = std::fs::remove_file(path);
                return Err(error);
            }
        }
    }
    sync_folder(path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_read_back_as_written() {
        for value in ["plain", "a: b # c", "\"quoted\" 'and' \\ back", "line\nbreak", "\u{85}\u{9f}\u{7f}", "città"] {
            let yaml = format!("key: {}\n", yaml_string(value));
            let read: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
            assert_eq!(read["key"], value, "{yaml}");
        }
        assert_eq!(yaml_list(&["a".into(), "b c".into()]), r#"["a", "b c"]"#);
    }

    #[test]
    fn ids_from_titles_are_short_valid_and_unique() {
        assert_eq!(id_from_title("Una città più sicura", |_| false), "una-citta-piu-sicura");
        let long = id_from_title(&"parola ".repeat(20), |_| false);
        assert!(long.len() <= MAX_GENERATED_ID && is_valid_slug(&long), "{long}");
        assert_eq!(id_from_title("Ω", |_| false), "case");
        assert_eq!(id_from_title("Same", |id| id == "same" || id == "same-2"), "same-3");
    }

    #[test]
    fn a_new_file_never_replaces_an_existing_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases/2027/x.md");
        write_new(&path, "first\n").unwrap();
        let again = write_new(&path, "second\n").unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n");
        write_atomically(&path, "third\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "third\n");
        let names: Vec<_> =
            std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("x.md")], "no temporary file left");
    }
}
