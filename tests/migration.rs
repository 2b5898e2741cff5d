//! Moving a deployment from SQLite to PostgreSQL (and back) with the commands the docs give:
//! `casebook showcases export --all` from one database, `casebook showcases import` into the
//! other; the two exports are the same, people log in with the same passwords and tokens.
//! And `casebook backup` on PostgreSQL: the whole export, readable by its owner only.

use casebook_store::Role;

use crate::util::backend::Backend;
use crate::util::{Workspace, fixture_corpus, stderr, stdout};

const PASSWORD: &str = "correct horse battery";

fn run(workspace: &Workspace, args: &[&str]) -> String {
    let output = workspace.run(args);
    assert!(output.status.success(), "casebook {args:?}: {}", stderr(&output));
    stdout(&output)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deployment_moves_from_sqlite_to_postgres_and_back_with_the_cli() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let sqlite = Backend::Sqlite.database(&workspace);
    let postgres = Backend::Postgres.database(&workspace);
    let (from, to) = (sqlite.arg(), postgres.arg());
    let token = {
        let store = sqlite.store();
        let anna = store.add_user("anna", Role::Organiser, PASSWORD).unwrap();
        store.add_user("root", Role::Admin, PASSWORD).unwrap();
        let showcase = store
            .create_showcase(&anna, &casebook_store::NewShowcase { title: "Da portare".into(), ..Default::default() })
            .unwrap();
        store.add_item(&showcase.slug, &anna, "fintech-milano", "Pagamenti", "nota").unwrap();
        store.create_token("anna", "laptop").unwrap().1
    };
    run(&workspace, &["showcases", "export", "--all", "moved.json", "--db", &from]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(workspace.path().join("moved.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "an export holds password hashes: owner only");
    }
    assert_eq!(run(&workspace, &["showcases", "import", "moved.json", "--db", &to]), "imported 1 showcases\n");
    run(&workspace, &["showcases", "export", "--all", "back.json", "--db", &to]);
    let read = |name: &str| std::fs::read_to_string(workspace.path().join(name)).unwrap();
    assert_eq!(read("back.json"), read("moved.json"), "the same export from both databases");
    assert_eq!(run(&workspace, &["users", "list", "--db", &to]), "anna\torganiser\nroot\tadmin\n");
    let moved = postgres.store();
    assert!(moved.verify_login("anna", PASSWORD).unwrap().is_some(), "the same password");
    assert_eq!(moved.authenticate_token(&token).unwrap().map(|u| u.name).as_deref(), Some("anna"), "the same token");

    // A backup of PostgreSQL is that export, written whole or not at all.
    let said = run(&workspace, &["backup", "backup.json", "--db", &to]);
    assert!(said.contains("use pg_dump for a full backup"), "{said}");
    run(&workspace, &["showcases", "export", "--all", "now.json", "--db", &to]);
    let backup: serde_json::Value = serde_json::from_str(&read("backup.json")).unwrap();
    let exported: serde_json::Value = serde_json::from_str(&read("now.json")).unwrap();
    assert_eq!(backup, exported, "the backup is the whole export (the token was used since the move)");
    let again = workspace.run(&["backup", "backup.json", "--db", &to]);
    assert_eq!(again.status.code(), Some(2), "never overwrites a backup");
}
