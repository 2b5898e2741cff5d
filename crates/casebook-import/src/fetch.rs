//! Getting the bytes of a page (a saved file or an http(s) URL) and decoding them to text,
//! with caps on size and time, and the charset of the `Content-Type` header or the page's
//! `<meta charset>` (UTF-8, windows-1252, ISO-8859-1, ...).

use std::path::{Path, PathBuf};
use std::time::Duration;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use ureq::ResponseExt;

/// Largest page accepted, in bytes.
pub const MAX_PAGE_BYTES: u64 = 8 * 1024 * 1024;
/// User-Agent of every request.
pub const USER_AGENT: &str = concat!("casebook-import/", env!("CARGO_PKG_VERSION"), " (case archive importer)");

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// File system error.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// HTTP error, timeout, redirect loop.
    #[error("cannot fetch the page: {0}")]
    Http(String),
    /// The server answered with an error status.
    #[error("the server answered {0}")]
    Status(u16),
    /// Over the size cap.
    #[error("the page is over the {} MiB limit", MAX_PAGE_BYTES / 1024 / 1024)]
    TooLarge,
    /// Not HTML (binary content or another media type).
    #[error("not an HTML page ({0})")]
    NotHtml(String),
}

/// A fetched, decoded page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The HTML as text.
    pub html: String,
    /// Where it came from: the final URL after redirects, or `file://` path.
    pub url: Option<url::Url>,
    /// A name for messages (path or URL as given).
    pub label: String,
}

/// Lists the `.html`/`.htm` files under `dir`, recursively, sorted.
pub fn html_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a saved page.
pub fn read_file(path: &Path) -> Result<Page, FetchError> {
    let metadata = std::fs::metadata(path)?;
    if metadata.len() > MAX_PAGE_BYTES {
        return Err(FetchError::TooLarge);
    }
    let bytes = std::fs::read(path)?;
    let html = decode(&bytes, None)?;
    let url = std::fs::canonicalize(path).ok().and_then(|p| url::Url::from_file_path(p).ok());
    Ok(Page { html, url, label: path.display().to_string() })
}

/// An HTTP client with timeouts, a redirect limit and a clear User-Agent.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
        .max_redirects(5)
        .user_agent(USER_AGENT)
        .http_status_as_error(false)
        .build()
        .new_agent()
}

/// Fetches a page over http(s).
pub fn fetch(agent: &ureq::Agent, url: &url::Url) -> Result<Page, FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Http(format!("unsupported scheme `{}`", url.scheme())));
    }
    let mut response = agent.get(url.as_str()).call().map_err(|e| FetchError::Http(e.to_string()))?;
    let status = response.status().as_u16();
    if status >= 400 {
        return Err(FetchError::Status(status));
    }
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    if !content_type.is_empty() && !content_type.contains("html") && !content_type.contains("xml") {
        return Err(FetchError::NotHtml(content_type));
    }
    let final_url = response.get_uri().to_string().parse::<url::Url>().unwrap_or_else(|_| url.clone());
    let bytes = response.body_mut().with_config().limit(MAX_PAGE_BYTES).read_to_vec().map_err(|e| match e {
        ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge,
        other => FetchError::Http(other.to_string()),
    })?;
    let charset = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_string());
    let html = decode(&bytes, charset.as_deref())?;
    Ok(Page { html, url: Some(final_url), label: url.to_string() })
}

/// Decodes page bytes: a BOM wins, then the header's charset, then `<meta charset>` or
/// `<meta http-equiv=Content-Type>` in the first 2 KB, then UTF-8 if valid, else
/// windows-1252 (the superset of ISO-8859-1 that browsers use for it).
pub fn decode(bytes: &[u8], header_charset: Option<&str>) -> Result<String, FetchError> {
    let head = &bytes[..bytes.len().min(2048)];
    if head.contains(&0) && !head.starts_with(&[0xFF, 0xFE]) && !head.starts_with(&[0xFE, 0xFF]) {
        return Err(FetchError::NotHtml("binary content".into()));
    }
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return Ok(encoding.decode_with_bom_removal(bytes).0.into_owned());
    }
    let declared = header_charset.and_then(|c| Encoding::for_label(c.as_bytes())).or_else(|| meta_charset(head));
    let encoding = match declared {
        Some(encoding) => encoding,
        None if std::str::from_utf8(bytes).is_ok() => UTF_8,
        None => WINDOWS_1252,
    };
    Ok(encoding.decode_without_bom_handling(bytes).0.into_owned())
}

/// The charset declared in a `<meta>` of the page head.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = text.find("charset=")?;
    let value: String = text[at + 8..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    Encoding::for_label(value.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_windows_1252_declared_in_meta() {
        let mut bytes = b"<html><head><meta charset=\"windows-1252\"></head><body>citt".to_vec();
        bytes.extend([0xE0, b' ', b'p', b'e', b'r', b'c', b'h', 0xE9]);
        assert!(decode(&bytes, None).unwrap().ends_with("città perché"));
        // Undeclared but not UTF-8: windows-1252 too.
        assert_eq!(decode(&[b'c', b'i', b't', b't', 0xE0], None).unwrap(), "città");
        // The header wins over the meta.
        assert_eq!(decode("città".as_bytes(), Some("utf-8")).unwrap(), "città");
    }

    #[test]
    fn refuses_binary_content() {
        assert!(matches!(decode(&[0x89, b'P', b'N', b'G', 0, 0, 0], None), Err(FetchError::NotHtml(_))));
    }
}
