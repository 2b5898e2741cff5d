//! The CSS, JavaScript and icons of `web/static`, compiled into the binary. Each is served
//! at `/static/<name>` with a strong ETag; pages link them as `/static/<name>?v=<hash>`, and
//! such versioned URLs are cached for a year (`immutable`). A leaf: nothing of the server
//! (the route's handler, with its 404 page, is in `pages`).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A file of `web/static`.
#[derive(Debug)]
pub struct Asset {
    name: &'static str,
    bytes: &'static [u8],
    content_type: &'static str,
}

const FILES: &[Asset] = &[
    Asset {
        name: "site.css",
        bytes: include_bytes!("../../../web/static/site.css"),
        content_type: "text/css; charset=utf-8",
    },
    Asset {
        name: "app.js",
        bytes: include_bytes!("../../../web/static/app.js"),
        content_type: "text/javascript; charset=utf-8",
    },
    Asset {
        name: "favicon.svg",
        bytes: include_bytes!("../../../web/static/favicon.svg"),
        content_type: "image/svg+xml",
    },
];

fn hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// The versioned URL of an asset.
pub fn url(name: &str) -> String {
    match FILES.iter().find(|a| a.name == name) {
        Some(asset) => format!("/static/{}?v={}", asset.name, &hash(asset.bytes)[..12]),
        None => format!("/static/{name}"),
    }
}

/// The asset called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Asset> {
    FILES.iter().find(|a| a.name == name)
}

/// The answer to `GET /static/{name}?{query}` for an asset: 304 when the client has it,
/// cache headers by whether the URL is versioned.
pub fn respond(asset: &Asset, query: Option<&str>, headers: &HeaderMap) -> Response {
    let full = hash(asset.bytes);
    let etag = format!("\"{full}\"");
    let versioned = query.is_some_and(|q| q == format!("v={}", &full[..12]));
    let cache = if versioned { "public, max-age=31536000, immutable" } else { "public, max-age=300" };
    let mut response = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    response
}
