//! Unit tests of the store: accounts, sessions, tokens, showcases and transfer on a real SQLite file.

use super::*;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("casebook.db")).unwrap();
    (dir, store)
}

#[test]
fn passwords_sessions_and_tokens() {
    let (_dir, store) = store();
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
    // The database holds no secret that logs in.
    let raw = std::fs::read(_dir.path().join("casebook.db")).unwrap();
    let secret = token.rsplit('_').next().unwrap();
    assert!(!raw.windows(secret.len()).any(|w| w == secret.as_bytes()));
}

#[test]
fn showcases_keep_order_notes_and_visibility() {
    let (_dir, store) = store();
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

#[test]
fn backup_is_a_consistent_copy() {
    let (dir, store) = store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    store.create_showcase(&anna, &NewShowcase { title: "Kept".into(), ..Default::default() }).unwrap();
    let copy = dir.path().join("backup.db");
    store.backup(&copy).unwrap();
    let restored = Store::open(&copy).unwrap();
    assert!(restored.integrity_ok().unwrap());
    assert_eq!(restored.showcases(Some(&anna)).unwrap()[0].title, "Kept");
}

#[test]
fn problems_name_a_half_applied_reorder() {
    let (dir, store) = store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let showcase = store.create_showcase(&anna, &NewShowcase { title: "Stage".into(), ..Default::default() }).unwrap();
    for case in ["a", "b", "c"] {
        store.add_item(&showcase.slug, &anna, case, case, "").unwrap();
    }
    assert_eq!(store.problems().unwrap(), Vec::<String>::new());
    // What a reorder stopped after its first UPDATE would leave behind.
    store.lock().execute("UPDATE showcase_items SET position = 1 WHERE case_id = 'c'", []).unwrap();
    assert_eq!(store.problems().unwrap(), vec![format!("showcase `{}`: 2 cases share position 1", showcase.slug)]);
    assert!(!store.integrity_ok().unwrap());
    let error = store.backup(&dir.path().join("copy.db")).unwrap_err().to_string();
    assert!(error.starts_with("the backup copy failed its check: showcase"), "{error}");
    assert!(!dir.path().join("copy.db").exists() && !dir.path().join("copy.db.partial").exists());
}

#[test]
fn long_or_odd_case_titles_are_tidied_not_refused() {
    let (_dir, store) = store();
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
