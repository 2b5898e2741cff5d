//! SQLite schema migrations, applied in order at start-up; `PRAGMA user_version` records the
//! last. `schema_postgres.rs` holds the same versions for PostgreSQL: a migration is appended
//! to both.

/// Each entry migrates from version `index` to `index + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: accounts, sessions, API tokens, showcases.
    r#"
    CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE,
        role          TEXT NOT NULL CHECK (role IN ('admin', 'organiser')),
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        id_hash    TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE tokens (
        id           TEXT PRIMARY KEY,
        user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        secret_hash  BLOB NOT NULL,
        created_at   INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at   INTEGER
    );
    CREATE TABLE showcases (
        id          INTEGER PRIMARY KEY,
        slug        TEXT NOT NULL UNIQUE,
        owner_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        title       TEXT NOT NULL,
        event       TEXT,
        date        TEXT,
        description TEXT NOT NULL DEFAULT '',
        status      TEXT NOT NULL CHECK (status IN ('draft', 'published')) DEFAULT 'draft',
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
    );
    CREATE TABLE showcase_items (
        showcase_id INTEGER NOT NULL REFERENCES showcases(id) ON DELETE CASCADE,
        case_id     TEXT NOT NULL,
        position    INTEGER NOT NULL,
        note        TEXT NOT NULL DEFAULT '',
        last_title  TEXT NOT NULL,
        added_at    INTEGER NOT NULL,
        PRIMARY KEY (showcase_id, case_id)
    );
    CREATE INDEX showcase_items_order ON showcase_items (showcase_id, position);
    "#,
    // 2: insights for organisers: searches and page views counted per day, without personal
    // data (no address, cookie, user agent or time of day).
    r#"
    CREATE TABLE insight_searches (
        day      INTEGER NOT NULL,
        query    TEXT NOT NULL,
        filters  TEXT NOT NULL,
        searches INTEGER NOT NULL,
        results  INTEGER NOT NULL,
        PRIMARY KEY (day, query, filters)
    );
    CREATE TABLE insight_views (
        day    INTEGER NOT NULL,
        kind   TEXT NOT NULL CHECK (kind IN ('case', 'showcase')),
        target TEXT NOT NULL,
        views  INTEGER NOT NULL,
        PRIMARY KEY (day, kind, target)
    );
    "#,
    // 3: calls for entries, public submissions and the history of their review.
    r#"
    CREATE TABLE calls (
        id          INTEGER PRIMARY KEY,
        slug        TEXT NOT NULL UNIQUE,
        owner_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        title       TEXT NOT NULL,
        event       TEXT,
        award       TEXT,
        categories  TEXT NOT NULL DEFAULT '',
        opens_on    TEXT NOT NULL,
        closes_on   TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
    );
    CREATE TABLE submissions (
        id            INTEGER PRIMARY KEY,
        call_id       INTEGER REFERENCES calls(id) ON DELETE SET NULL,
        status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')) DEFAULT 'pending',
        title         TEXT NOT NULL,
        fields        TEXT NOT NULL,
        contact_email TEXT NOT NULL,
        status_hash   TEXT NOT NULL UNIQUE,
        note          TEXT NOT NULL DEFAULT '',
        case_id       TEXT,
        case_path     TEXT,
        submitted_at  INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        decided_at    INTEGER
    );
    CREATE INDEX submissions_by_call ON submissions (call_id, status, id);
    CREATE TABLE submission_events (
        id            INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        at            INTEGER NOT NULL,
        actor         TEXT,
        action        TEXT NOT NULL CHECK (action IN ('submitted', 'edited', 'accepted', 'rejected')),
        note          TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX submission_events_order ON submission_events (submission_id, id);
    "#,
    // 4: failed logins per account and per client address (hashed keys), shared by every
    // server using the database, pruned after the window.
    r#"
    CREATE TABLE login_failures (
        key_hash TEXT NOT NULL,
        at       INTEGER NOT NULL
    );
    CREATE INDEX login_failures_by_key ON login_failures (key_hash, at);
    CREATE INDEX login_failures_by_time ON login_failures (at);
    "#,
];
