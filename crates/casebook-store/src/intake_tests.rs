//! Unit tests of calls and submissions on SQLite and on PostgreSQL: dates and states, who
//! reviews what, deciding once, the history, the showcase in call order, export and import.

use super::*;
use crate::testing::{TestDb, on_both_backends};
use casebook_corpus::CaseFields;

on_both_backends!(
    calls_have_checked_dates_slugs_and_owners,
    closed_and_upcoming_calls_refuse_entries,
    organisers_review_their_own_calls_and_decide_once,
    accepted_entries_make_a_draft_showcase_in_call_order_and_survive_export,
    a_submission_accepted_twice_at_once_is_accepted_once,
);

fn open_call(title: &str, categories: &[&str]) -> NewCall {
    NewCall {
        title: title.into(),
        event: Some("SMAU Napoli 2027".into()),
        award: Some("Premio Innovazione".into()),
        categories: categories.iter().map(|c| c.to_string()).collect(),
        opens: "2020-01-01".into(),
        closes: "2999-12-31".into(),
        description: None,
    }
}

fn entry(title: &str, category: &str) -> CaseFields {
    CaseFields { title: title.into(), category: category.into(), ..Default::default() }
}

fn submit(store: &Store, call: Option<&str>, fields: CaseFields) -> (Submission, String) {
    store
        .create_submission(&NewSubmission {
            call: call.map(str::to_string),
            fields,
            contact_email: "a@example.org".into(),
        })
        .unwrap()
}

fn calls_have_checked_dates_slugs_and_owners(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let bruno = store.add_user("bruno", Role::Organiser, "correct horse battery").unwrap();
    let call =
        store.create_call(&anna, &open_call("SMAU Napoli 2027: Innovation Award", &["Salute", "Energia"])).unwrap();
    assert_eq!(call.slug, "smau-napoli-2027-innovation-award");
    assert_eq!(call.categories, ["Salute", "Energia"]);
    assert_eq!(call.state(), CallState::Open);
    let backwards = NewCall { opens: "2027-05-01".into(), closes: "2027-04-01".into(), ..open_call("X", &[]) };
    assert!(
        matches!(store.create_call(&anna, &backwards), Err(StoreError::Invalid(m)) if m.contains("closes (2027-04-01) before it opens"))
    );
    let patch = CallPatch { closes: Some("2021-01-01".into()), ..Default::default() };
    assert!(matches!(store.update_call(&call.slug, &bruno, &patch), Err(StoreError::Forbidden(_))));
    let closed = store.update_call(&call.slug, &anna, &patch).unwrap();
    assert_eq!(closed.state(), CallState::Closed);
    assert!(store.calls(None).unwrap().is_empty(), "a closed call is not listed publicly");
    assert_eq!(store.calls(Some(&anna)).unwrap().len(), 1);
    assert!(store.calls(Some(&bruno)).unwrap().is_empty());
}

fn closed_and_upcoming_calls_refuse_entries(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let closed = NewCall { opens: "2020-01-01".into(), closes: "2020-12-31".into(), ..open_call("Old", &[]) };
    let closed = store.create_call(&anna, &closed).unwrap();
    let upcoming = NewCall { opens: "2998-01-01".into(), closes: "2998-12-31".into(), ..open_call("Later", &[]) };
    let upcoming = store.create_call(&anna, &upcoming).unwrap();
    for (slug, expected) in [(closed.slug, "closed on 2020-12-31"), (upcoming.slug, "opens on 2998-01-01")] {
        let refused = store.create_submission(&NewSubmission {
            call: Some(slug.clone()),
            fields: entry("T", ""),
            contact_email: "a@example.org".into(),
        });
        assert!(matches!(&refused, Err(StoreError::Closed(m)) if m.contains(expected)), "{slug}: {refused:?}");
    }
    let bad_email =
        store.create_submission(&NewSubmission { call: None, fields: entry("T", ""), contact_email: "nope".into() });
    assert!(matches!(bad_email, Err(StoreError::Invalid(_))));
}

fn organisers_review_their_own_calls_and_decide_once(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let bruno = store.add_user("bruno", Role::Organiser, "correct horse battery").unwrap();
    let root = store.add_user("root", Role::Admin, "correct horse battery").unwrap();
    let call = store.create_call(&anna, &open_call("Health stage", &[])).unwrap();
    let (submission, token) = submit(&store, Some(&call.slug), entry("Telemonitoraggio", ""));
    let (general, _) = submit(&store, None, entry("General", ""));
    assert_eq!(token.len(), 64);
    assert_eq!(store.submission_by_token(&token).unwrap().id, submission.id);
    assert!(matches!(store.submission_by_token(&"0".repeat(64)), Err(StoreError::NotFound(_))));
    // Only a hash of the token is stored.
    let raw = db.raw(&store);
    assert!(!raw.windows(token.len()).any(|w| w == token.as_bytes()));

    assert!(matches!(store.submission(submission.id, &bruno), Err(StoreError::Forbidden(_))));
    assert!(matches!(store.submission(general.id, &anna), Err(StoreError::Forbidden(_))), "no call: admins only");
    assert!(matches!(store.submissions(&bruno, None, Some(&call.slug)), Err(StoreError::Forbidden(_))));
    assert_eq!(store.submissions(&anna, None, None).unwrap().len(), 1);
    assert_eq!(store.submissions(&bruno, None, None).unwrap().len(), 0);
    assert_eq!(store.submissions(&root, Some(SubmissionStatus::Pending), None).unwrap().len(), 2);

    let edited = store.update_submission(submission.id, &anna, &entry("Telemonitoraggio a domicilio", "")).unwrap();
    assert_eq!(edited.fields.title, "Telemonitoraggio a domicilio");
    // A failed write leaves the submission pending.
    let failed: std::result::Result<Submission, StoreError> =
        store.accept_submission(submission.id, &anna, "", |_| Err(StoreError::Invalid("disk full".into())), |_| {});
    assert!(failed.is_err());
    assert_eq!(store.submission(submission.id, &anna).unwrap().status, SubmissionStatus::Pending);
    let accepted: Submission = store
        .accept_submission::<StoreError>(
            submission.id,
            &anna,
            "Benvenuti!",
            |s| Ok(("telemonitoraggio".into(), format!("cases/2027/{}.md", s.id))),
            |_| {},
        )
        .unwrap();
    assert_eq!(accepted.status, SubmissionStatus::Accepted);
    assert_eq!(accepted.case_id.as_deref(), Some("telemonitoraggio"));
    let twice =
        store.accept_submission::<StoreError>(submission.id, &anna, "", |_| Ok((String::new(), String::new())), |_| {});
    assert!(matches!(twice, Err(StoreError::Conflict(m)) if m.contains("already accepted as case `telemonitoraggio`")));
    assert!(matches!(store.reject_submission(submission.id, &root, "no"), Err(StoreError::Conflict(_))));
    let history: Vec<(Option<&str>, &str, &str)> =
        accepted.history.iter().map(|e| (e.actor.as_deref(), e.action.as_str(), e.note.as_str())).collect();
    assert_eq!(
        history,
        [(None, "submitted", ""), (Some("anna"), "edited", ""), (Some("anna"), "accepted", "Benvenuti!")]
    );
    let rejected = store.reject_submission(general.id, &root, "Fuori tema").unwrap();
    assert_eq!((rejected.status, rejected.note.as_str()), (SubmissionStatus::Rejected, "Fuori tema"));
    assert_eq!(store.problems().unwrap(), Vec::<String>::new());
}

fn accepted_entries_make_a_draft_showcase_in_call_order_and_survive_export(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let call = store.create_call(&anna, &open_call("Roadshow Napoli", &["Salute", "Energia"])).unwrap();
    assert!(matches!(store.showcase_from_call(&call.slug, &anna), Err(StoreError::Invalid(_))));
    for (title, category) in
        [("Energia uno", "Energia"), ("Libero", ""), ("Salute uno", "salute"), ("Salute due", "Salute")]
    {
        let (s, _) = submit(&store, Some(&call.slug), entry(title, category));
        let id = casebook_corpus::text::slugify(title);
        store
            .accept_submission::<StoreError>(
                s.id,
                &anna,
                "",
                |_| Ok((id.clone(), format!("cases/2027/{id}.md"))),
                |_| {},
            )
            .unwrap();
    }
    let (_, pending_token) = submit(&store, Some(&call.slug), entry("Ancora in attesa", ""));
    let showcase = store.showcase_from_call(&call.slug, &anna).unwrap();
    assert_eq!(showcase.status, Status::Draft);
    assert_eq!(showcase.title, "Roadshow Napoli");
    assert_eq!(showcase.event.as_deref(), Some("SMAU Napoli 2027"));
    let order: Vec<&str> = showcase.items.iter().map(|i| i.case_id.as_str()).collect();
    assert_eq!(order, ["salute-uno", "salute-due", "energia-uno", "libero"]);

    let exported = store.export().unwrap();
    assert_eq!(exported["calls"].as_array().unwrap().len(), 1);
    assert_eq!(exported["submissions"].as_array().unwrap().len(), 5);
    let other_db = db.other();
    let other = other_db.store();
    other.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    assert_eq!(other.import(&exported).unwrap(), 1);
    assert_eq!(other.import(&exported).unwrap(), 1, "importing again replaces, never duplicates");
    let anna_there = other.users().unwrap().remove(0);
    assert_eq!(other.submissions(&anna_there, None, Some(&call.slug)).unwrap().len(), 5);
    let moved = other.submission_by_token(&pending_token).unwrap();
    assert_eq!((moved.fields.title.as_str(), moved.history.len()), ("Ancora in attesa", 1));
    assert_eq!(other.problems().unwrap(), Vec::<String>::new());
}

/// Two reviewers accept the same submission at the same moment (two servers, say): one
/// acceptance, one 409, and only the winner's file is left.
fn a_submission_accepted_twice_at_once_is_accepted_once(db: &TestDb) {
    let store = db.store();
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let call = store.create_call(&anna, &open_call("Race", &[])).unwrap();
    let (submission, _) = submit(&store, Some(&call.slug), entry("Contesa", ""));
    let files = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let outcomes: Vec<std::result::Result<Submission, StoreError>> = std::thread::scope(|scope| {
        let reviewers: Vec<_> = (0..2)
            .map(|n| {
                let (store, anna, files) = (db.store(), &anna, &files);
                scope.spawn(move || {
                    store.accept_submission::<StoreError>(
                        submission.id,
                        anna,
                        "",
                        |_| {
                            let path = format!("cases/2027/contesa-{n}.md");
                            files.lock().unwrap().insert(path.clone());
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            Ok(("contesa".into(), path))
                        },
                        |path| {
                            files.lock().unwrap().remove(path);
                        },
                    )
                })
            })
            .collect();
        reviewers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let accepted: Vec<&Submission> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(accepted.len(), 1, "{outcomes:?}");
    assert!(outcomes.iter().any(|o| matches!(o, Err(StoreError::Conflict(m)) if m.contains("already accepted"))));
    let left: Vec<String> = files.lock().unwrap().iter().cloned().collect();
    assert_eq!(left, [accepted[0].case_path.clone().unwrap()], "the loser's file is removed");
    assert_eq!(store.submission(submission.id, &anna).unwrap().history.len(), 2);
}
