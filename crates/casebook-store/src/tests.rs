//! Unit tests of the store: accounts, sessions, tokens, showcases, insights, login limits
//! and transfer, each run on a SQLite file and on a PostgreSQL database; and the checks
//! that both backends have the same schema and the same export.

use super::*;
use crate::testing::{TABLES, TestDb, on_both_backends};

on_both_backends!(
    passwords_sessions_and_tokens,
    showcases_keep_order_notes_and_visibility,
    backups_can_be_restored,
    problems_name_a_half_applied_reorder,
    long_or_odd_case_titles_are_tidied_not_refused,
    insight_counts_add_up_per_day_and_old_days_are_pruned,
    login_failures_are_counted_per_key_in_the_window,
    everything_moves_to_another_database_with_an_export,
    lookups_with_a_nul_character_find_nothing,
);

fn passwords_sessions_and_tokens(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    assert!(matches!(store.add_user("anna", Role::Admin, "another password"), Err(StoreError::Conflict(_))));
    assert!(matches!(store.add_user("x", Role::Admin, "short"), Err(StoreError::Invalid(_))));
    assert!(store.verify_login("anna", "wrong password!").unwrap().is_none());
    assert!(store.verify_login("nobody", "correct horse battery").unwrap().is_none());
    assert_eq!(store.verify_login("anna", "correct horse battery").unwrap(), Some(anna.clone()));

    let (cookie, session) = store.create_session(&anna).unwrap();
    assert_eq!(store.session(&cookie).unwrap().unwrap().csrf, session.csrf);
    store.delete_session(&cookie).unwrap();
    assert!(store.session(&cookie).unwrap().is_none());

    let (info, token) = store.create_token("anna", "laptop").unwrap();
    assert!(token.starts_with(&format!("cbk_{}_", info.id)));
    assert_eq!(store.authenticate_token(&token).unwrap(), Some(anna.clone()));
    assert!(store.authenticate_token(&token.replace(&token[token.len() - 4..], "0000")).unwrap().is_none());
    store.revoke_token(&info.id, Some(&anna)).unwrap();
    assert!(store.authenticate_token(&token).unwrap().is_none());
    // A password change ends the account's sessions.
    let (cookie, _) = store.create_session(&anna).unwrap();
    store.set_password("anna", "another good password").unwrap();
    assert!(store.session(&cookie).unwrap().is_none());
    assert!(store.verify_login("anna", "another good password").unwrap().is_some());
    assert!(store.verify_login("anna\0", "another good password").unwrap().is_none());
    // The database holds no secret that logs in.
    let raw = db.raw(&store);
    let secret = token.rsplit('_').next().unwrap();
    assert!(!raw.windows(secret.len()).any(|w| w == secret.as_bytes()));
}

fn showcases_keep_order_notes_and_visibility(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let bruno = store.add_user("bruno", Role::Organiser, "correct horse battery").unwrap();
    let admin = store.add_user("root", Role::Admin, "correct horse battery").unwrap();
    let showcase = store
        .create_showcase(&anna, &NewShowcase { title: "SMAU Milano 2026 — Health stage".into(), ..Default::default() })
        .unwrap();
    assert_eq!(showcase.slug, "smau-milano-2026-health-stage");
    let again = store
        .create_showcase(&anna, &NewShowcase { title: "SMAU Milano 2026 — Health stage".into(), ..Default::default() })
        .unwrap();
    assert_eq!(again.slug, "smau-milano-2026-health-stage-2");
    for id in ["a", "b", "c"] {
        store.add_item(&showcase.slug, &anna, id, &format!("Case {id}"), "").unwrap();
    }
    assert!(matches!(store.add_item(&showcase.slug, &anna, "a", "Case a", ""), Err(StoreError::Conflict(_))));
    store.set_note(&showcase.slug, &anna, "b", "Speaker: the CTO").unwrap();
    store.move_item(&showcase.slug, &anna, "c", -1).unwrap();
    let order = |s: &Showcase| s.items.iter().map(|i| i.case_id.as_str()).collect::<Vec<_>>().join(",");
    assert_eq!(order(&store.showcase(&showcase.slug, Some(&anna)).unwrap()), "a,c,b");
    assert!(store.reorder(&showcase.slug, &anna, &["a".into(), "b".into()]).is_err());
    // Drafts are private to the owner and admins.
    assert!(store.showcase(&showcase.slug, None).is_err());
    assert!(store.showcase(&showcase.slug, Some(&bruno)).is_err());
    assert!(store.add_item(&showcase.slug, &bruno, "z", "Z", "").is_err());
    assert!(store.showcase(&showcase.slug, Some(&admin)).is_ok());
    store.set_status(&showcase.slug, &anna, Status::Published).unwrap();
    let public = store.showcase(&showcase.slug, None).unwrap();
    assert_eq!(public.items[2].note, "Speaker: the CTO");
    assert_eq!(store.published().unwrap().len(), 1);
    assert_eq!(store.showcases(Some(&anna)).unwrap().len(), 2);

    // Export, delete, import: the same showcases come back.
    let exported = store.export().unwrap();
    store.delete_showcase(&showcase.slug, &anna).unwrap();
    assert!(store.showcase(&showcase.slug, Some(&anna)).is_err());
    assert_eq!(store.import(&exported).unwrap(), 2);
    assert_eq!(order(&store.showcase(&showcase.slug, None).unwrap()), "a,c,b");
    assert!(store.integrity_ok().unwrap());
}

fn backups_can_be_restored(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    store.create_showcase(&anna, &NewShowcase { title: "Kept".into(), ..Default::default() }).unwrap();
    let copy = db.path("backup");
    store.backup(&copy).unwrap();
    assert!(!db.path("backup.partial").exists());
    let other = db.other();
    let restored = match store.dialect() {
        // SQLite: a database file.
        Dialect::Sqlite => Store::open(&copy).unwrap(),
        // PostgreSQL: the whole export, readable by its owner only, imported anywhere.
        Dialect::Postgres => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
            }
            let export: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&copy).unwrap()).unwrap();
            let restored = other.store();
            assert_eq!(restored.import(&export).unwrap(), 1);
            restored
        }
    };
    assert!(restored.integrity_ok().unwrap());
    let anna = restored.verify_login("anna", "correct horse battery").unwrap().expect("the account moved");
    assert_eq!(restored.showcases(Some(&anna)).unwrap()[0].title, "Kept");
}

fn problems_name_a_half_applied_reorder(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let showcase = store.create_showcase(&anna, &NewShowcase { title: "Stage".into(), ..Default::default() }).unwrap();
    for case in ["a", "b", "c"] {
        store.add_item(&showcase.slug, &anna, case, case, "").unwrap();
    }
    assert_eq!(store.problems().unwrap(), Vec::<String>::new());
    // What a reorder stopped after its first UPDATE would leave behind.
    store.run(|c| c.execute("UPDATE showcase_items SET position = 1 WHERE case_id = 'c'", params![])).unwrap();
    assert_eq!(store.problems().unwrap(), vec![format!("showcase `{}`: 2 cases share position 1", showcase.slug)]);
    assert!(!store.integrity_ok().unwrap());
    if store.dialect() == Dialect::Sqlite {
        let error = store.backup(&db.path("copy.db")).unwrap_err().to_string();
        assert!(error.starts_with("the backup copy failed its check: showcase"), "{error}");
        assert!(!db.path("copy.db").exists() && !db.path("copy.db.partial").exists());
    }
}

fn long_or_odd_case_titles_are_tidied_not_refused(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let showcase = store.create_showcase(&anna, &NewShowcase { title: "Stage".into(), ..Default::default() }).unwrap();
    let long = "Titolo ".repeat(100);
    let added = store.add_item(&showcase.slug, &anna, "long-case", &long, "").unwrap();
    let title = &added.items[0].last_title;
    assert_eq!(title.chars().count(), 400);
    assert!(title.ends_with('…'));
    let added = store.add_item(&showcase.slug, &anna, "odd-case", "Due\u{0}righe\u{7}", "").unwrap();
    assert_eq!(added.items[1].last_title, "Due righe");
}

fn search(day: i64, query: &str, filters: &str, results: u64) -> InsightEvent {
    InsightEvent::Search { day, query: query.into(), filters: filters.into(), results }
}

fn insight_counts_add_up_per_day_and_old_days_are_pruned(db: &TestDb) {
    let store = db.store();
    let mut events = vec![search(100, "telemedicina", "", 4); 5];
    events.push(search(101, "quokka", "region=ITC4", 0));
    events.push(search(101, "quokka", "region=ITC4", 0));
    events.push(search(101, "", "region=ITC4&sector=health", 3));
    events.push(InsightEvent::View { day: 101, kind: ViewKind::Case, target: "a".into() });
    events.push(InsightEvent::View { day: 101, kind: ViewKind::Case, target: "a".into() });
    events.push(InsightEvent::View { day: 99, kind: ViewKind::Showcase, target: "s".into() });
    store.record_insights(&events).unwrap();

    let report = store.insight_report(100, 101, 10).unwrap();
    assert_eq!(report.searches, 8);
    assert_eq!(report.searches_per_day, [DayCount { day: 100, searches: 5 }, DayCount { day: 101, searches: 3 }]);
    assert_eq!(
        report.top_queries[0],
        QueryCount { query: "telemedicina".into(), filters: String::new(), searches: 5, results: 4 }
    );
    assert_eq!(report.top_queries.len(), 2, "a browse without text is not a query");
    assert_eq!(
        report.zero_result_queries,
        [QueryCount { query: "quokka".into(), filters: "region=ITC4".into(), searches: 2, results: 0 }]
    );
    assert_eq!(report.top_filters[0], FilterCount { filter: "region=ITC4".into(), searches: 3 });
    assert_eq!(report.top_filters[1], FilterCount { filter: "sector=health".into(), searches: 1 });
    assert_eq!(report.top_cases, [ViewCount { target: "a".into(), views: 2 }]);
    assert!(report.top_showcases.is_empty(), "day 99 is outside the range");

    assert_eq!(store.prune_insights(101).unwrap(), 2);
    assert_eq!(store.insight_report(0, 200, 10).unwrap().searches, 3);
}

fn login_failures_are_counted_per_key_in_the_window(db: &TestDb) {
    let store = db.store();
    let window = 900;
    for _ in 0..4 {
        store.login_failed(&["account:bruno", "address:192.0.2.1"], window).unwrap();
    }
    assert_eq!(store.login_wait("account:bruno", 5, window).unwrap(), None);
    store.login_failed(&["account:bruno"], window).unwrap();
    let wait = store.login_wait("account:bruno", 5, window).unwrap().expect("blocked after 5");
    assert!((899..=900).contains(&wait), "{wait}");
    assert_eq!(store.login_wait("address:192.0.2.1", 5, window).unwrap(), None, "4 failures from the address");
    assert_eq!(store.login_wait("account:anna", 5, window).unwrap(), None);
    // Another server on the same database sees the same failures.
    let other = db.store();
    assert!(other.login_wait("account:bruno", 5, window).unwrap().is_some());
    other.login_succeeded("account:bruno").unwrap();
    assert_eq!(store.login_wait("account:bruno", 5, window).unwrap(), None);
    // Failures older than the window neither count nor stay.
    store.run(|c| c.execute("UPDATE login_failures SET at = at - 1000", params![])).unwrap();
    assert_eq!(store.login_wait("address:192.0.2.1", 1, window).unwrap(), None);
    store.login_failed(&["account:carla"], window).unwrap();
    let left = store.run(|c| c.query("SELECT key_hash FROM login_failures", params![])).unwrap();
    assert_eq!(left.len(), 1, "the old rows are pruned");
    // Keys are stored hashed: no client address in clear.
    assert!(!String::from_utf8_lossy(&db.raw(&store)).contains("192.0.2.1"));
}

fn everything_moves_to_another_database_with_an_export(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    store.add_user("root", Role::Admin, "correct horse battery").unwrap();
    let (_, token) = store.create_token("anna", "laptop").unwrap();
    let (revoked, _) = store.create_token("anna", "old").unwrap();
    store.revoke_token(&revoked.id, None).unwrap();
    let showcase = store.create_showcase(&anna, &NewShowcase { title: "Stage".into(), ..Default::default() }).unwrap();
    store.add_item(&showcase.slug, &anna, "a", "Case a", "Nota: «bene»").unwrap();
    store.set_status(&showcase.slug, &anna, Status::Published).unwrap();
    store.record_insights(&[search(100, "telemedicina", "", 4), search(100, "telemedicina", "", 4)]).unwrap();
    let all = store.export_scoped(ExportScope::ALL).unwrap();
    assert!(store.export().unwrap().get("users").is_none(), "the plain export carries no account");

    let other = db.other();
    let moved = other.store();
    assert_eq!(moved.import(&all).unwrap(), 1);
    assert_eq!(moved.import(&all).unwrap(), 1, "importing again changes nothing");
    assert_eq!(moved.export_scoped(ExportScope::ALL).unwrap(), all);
    assert!(moved.verify_login("anna", "correct horse battery").unwrap().is_some());
    assert_eq!(moved.authenticate_token(&token).unwrap().map(|u| u.name), Some("anna".into()));
    assert!(moved.tokens(Some("anna")).unwrap().iter().any(|t| t.id == revoked.id && t.revoked));
    assert_eq!(moved.insight_report(0, 200, 10).unwrap().searches, 2);
    assert_eq!(moved.problems().unwrap(), Vec::<String>::new());
}

fn lookups_with_a_nul_character_find_nothing(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    assert!(matches!(store.showcase("a\0b", None), Err(StoreError::NotFound(_))));
    assert!(matches!(store.call("a\0b"), Err(StoreError::NotFound(_))));
    assert!(matches!(store.revoke_token("a\0b", Some(&anna)), Err(StoreError::NotFound(_))));
    assert!(store.verify_login("an\0na", "correct horse battery").unwrap().is_none());
}

/// The same export, read from SQLite and written to PostgreSQL, comes back the same: the
/// migration path between the backends, both ways.
#[test]
fn an_export_moves_from_sqlite_to_postgres_and_back() {
    let sqlite = TestDb::sqlite();
    let store = sqlite.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    store.create_token("anna", "laptop").unwrap();
    for title in ["Zeta", "alpha", "Ärzte"] {
        let showcase =
            store.create_showcase(&anna, &NewShowcase { title: title.into(), ..Default::default() }).unwrap();
        store.add_item(&showcase.slug, &anna, "b", "B", "").unwrap();
        store.add_item(&showcase.slug, &anna, "a", "A", "").unwrap();
    }
    store.record_insights(&[search(7, "Zeta", "", 1), search(7, "alpha", "", 0), search(7, "Ärzte", "", 2)]).unwrap();
    let exported = store.export_scoped(ExportScope::ALL).unwrap();

    let postgres = TestDb::postgres();
    let moved = postgres.store();
    moved.import(&exported).unwrap();
    assert_eq!(moved.export_scoped(ExportScope::ALL).unwrap(), exported);
    let back = TestDb::sqlite();
    back.store().import(&moved.export_scoped(ExportScope::ALL).unwrap()).unwrap();
    assert_eq!(back.store().export_scoped(ExportScope::ALL).unwrap(), exported);
    // Ordering compares bytes on both (PostgreSQL's columns are COLLATE "C").
    let names =
        |s: &Store| s.insight_report(0, 10, 10).unwrap().top_queries.into_iter().map(|q| q.query).collect::<Vec<_>>();
    assert_eq!(names(&moved), names(&store));
    assert_eq!(names(&store), ["Zeta", "alpha", "Ärzte"]);
}

/// The columns of every table, as the database describes them.
fn columns(store: &Store) -> std::collections::BTreeSet<(String, String)> {
    let sql = match store.dialect() {
        Dialect::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
        }
        Dialect::Postgres => {
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        }
    };
    let rows = store.run(|c| c.query(sql, params![])).unwrap();
    rows.iter()
        .map(|row| (row.get::<String>(0).unwrap(), row.get::<String>(1).unwrap()))
        .filter(|(table, _)| table != "casebook_schema")
        .collect()
}

#[test]
fn both_backends_have_the_same_tables_and_columns() {
    assert_eq!(schema::MIGRATIONS.len(), schema_postgres::MIGRATIONS.len(), "a migration for each backend");
    let (sqlite, postgres) = (TestDb::sqlite(), TestDb::postgres());
    let expected = columns(&sqlite.store());
    assert_eq!(columns(&postgres.store()), expected);
    let tables: std::collections::BTreeSet<&str> = expected.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tables, TABLES.into_iter().collect(), "testing::TABLES lists every table");
}

/// Replicas starting together apply each migration once (the advisory lock).
#[test]
fn stores_opened_at_once_on_one_postgres_database_migrate_it_once() {
    let db = TestDb::postgres();
    std::thread::scope(|scope| {
        let opened: Vec<_> = (0..4).map(|_| scope.spawn(|| db.store())).collect();
        for store in opened {
            store.join().unwrap();
        }
    });
    let store = db.store();
    let version = store.run(|c| c.query("SELECT version FROM casebook_schema", params![])).unwrap();
    assert_eq!(version.len(), 1);
    assert_eq!(version[0].get::<i64>(0).unwrap(), schema_postgres::MIGRATIONS.len() as i64);
}

/// Concurrent writers on PostgreSQL conflict and are run again: none is lost.
#[test]
fn concurrent_postgres_writes_are_retried_not_lost() {
    let db = TestDb::postgres();
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let showcase = store.create_showcase(&anna, &NewShowcase { title: "Busy".into(), ..Default::default() }).unwrap();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (store, anna, slug) = (&store, &anna, &showcase.slug);
            scope.spawn(move || {
                for i in 0..10 {
                    let id = format!("case-{t}-{i}");
                    store.add_item(slug, anna, &id, &id, "").unwrap();
                }
            });
        }
    });
    let items = store.showcase(&showcase.slug, Some(&anna)).unwrap().items;
    assert_eq!(items.len(), 40);
    assert_eq!(store.problems().unwrap(), Vec::<String>::new(), "positions stay distinct");
    let status = store.pool_status();
    assert_eq!((status.backend, status.size, status.in_use), ("postgres", 4, 0));
}
