//! `casebook submissions list|show|accept|reject`: the review of public submissions from the
//! terminal, for editors who prefer it. The operator acts as an admin; accepting writes the
//! case file with the same checks and writer as the website.

use std::process::ExitCode;

use anyhow::anyhow;
use casebook_corpus::{Context, Vocabulary, WriteError};
use casebook_store::{Role, Submission, SubmissionStatus, User};

use crate::cli::SubmissionsCommand;

use super::state::open;

/// The operator, with an admin's rights, named `by` in the history.
fn operator(by: &str) -> User {
    User { id: 0, name: by.to_string(), role: Role::Admin }
}

fn date_time(seconds: i64) -> String {
    let (year, month, day) = casebook_corpus::civil_date(seconds.div_euclid(86_400));
    let minutes = seconds.rem_euclid(86_400) / 60;
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", minutes / 60, minutes % 60)
}

fn context(vocabulary: &Vocabulary) -> Context<'_> {
    Context { taxonomy: &vocabulary.taxonomy, config: &vocabulary.config, max_year: casebook_corpus::max_award_year() }
}

fn show(submission: &Submission, vocabulary: &Vocabulary) {
    println!("submission {}: {}", submission.id, submission.status.as_str());
    println!("call: {}", submission.call.as_deref().unwrap_or("-"));
    let fields = &submission.fields;
    for name in [
        "title",
        "organisation",
        "year",
        "sector",
        "region",
        "city",
        "country",
        "event",
        "award",
        "category",
        "summary",
        "tags",
        "website",
        "partners",
    ] {
        let value = fields.get(name);
        if !value.trim().is_empty() {
            println!("{name}: {}", value.replace('\n', "; "));
        }
    }
    println!("contact: {}", submission.contact_email);
    println!("text: {} characters", fields.body.chars().count());
    let checked = fields.check(&context(vocabulary));
    if checked.errors.is_empty() {
        println!("check: valid");
    } else {
        println!("check: {} problem(s)", checked.errors.len());
        for (field, message) in &checked.errors {
            println!("  {field}: {message}");
        }
    }
    if let Some(case_id) = &submission.case_id {
        println!("case: {case_id} ({})", submission.case_path.as_deref().unwrap_or_default());
    }
    if !submission.note.is_empty() {
        println!("note: {}", submission.note);
    }
    println!("history:");
    for event in &submission.history {
        let who = event.actor.as_deref().unwrap_or("the submitter");
        let note = if event.note.is_empty() { String::new() } else { format!(": {}", event.note) };
        println!("  {}  {} by {who}{note}", date_time(event.at), event.action);
    }
}

pub fn run(command: SubmissionsCommand) -> anyhow::Result<ExitCode> {
    match command {
        SubmissionsCommand::List { status, call, db } => {
            let status = match status.as_deref() {
                None => None,
                Some(value) => Some(
                    SubmissionStatus::parse(value)
                        .ok_or_else(|| anyhow!("unknown status `{value}`: use pending, accepted or rejected"))?,
                ),
            };
            for s in open(&db)?.submissions(&operator("operator"), status, call.as_deref())? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    s.id,
                    s.status.as_str(),
                    s.call.as_deref().unwrap_or("-"),
                    s.fields.title,
                    s.fields.organisation
                );
            }
        }
        SubmissionsCommand::Show { id, corpus, db } => {
            let vocabulary = Vocabulary::load(&corpus.corpus)?;
            show(&open(&db)?.submission(id, &operator("operator"))?, &vocabulary);
        }
        SubmissionsCommand::Accept { id, note, by, corpus, db } => {
            let root = corpus.corpus;
            let vocabulary = Vocabulary::load(&root)?;
            let store = open(&db)?;
            let undo_root = root.clone();
            let accepted = store.accept_submission::<anyhow::Error>(
                id,
                &operator(&by),
                &note,
                |submission| match submission.fields.write_into(&root, &context(&vocabulary)) {
                    Ok(written) => Ok((written.case_id, written.path.to_string_lossy().replace('\\', "/"))),
                    Err(WriteError::Invalid(errors)) => {
                        let problems =
                            errors.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>();
                        Err(anyhow!(
                            "submission {id} does not pass the checks: {} (edit it on the website first)",
                            problems.join("; ")
                        ))
                    }
                    Err(other) => Err(other.into()),
                },
                |path| {
                    let _ = std::fs::remove_file(undo_root.join(path));
                },
            )?;
            println!(
                "accepted submission {id} as {} (case `{}`): run `casebook index` (or let `serve --watch` notice it) to make it searchable",
                root.join(accepted.case_path.as_deref().unwrap_or_default()).display(),
                accepted.case_id.as_deref().unwrap_or_default()
            );
        }
        SubmissionsCommand::Reject { id, note, by, db } => {
            open(&db)?.reject_submission(id, &operator(&by), &note)?;
            println!("rejected submission {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
