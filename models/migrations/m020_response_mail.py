"""m020_response_mail: reminders, the response form and the mail queue (issue 13, after
m017_responses was released).

- `responses.sender_contact`: the e-mail address or phone number a person without a fediverse
  account left in the form on the opportunity's page (visibility `form`).
- `responses.remind_at` is halfway to `due_at` (filled in for the responses already there);
  `responses.reminded` counts the reminders queued (1: the organisation at half the promise,
  2: it and the city at the whole promise), so a restart never sends one twice.
- `mails` is the durable outgoing mail queue (one row per mail, `key` unique so a reminder or
  the mail of a form is queued once), ticked by the mail worker.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils


def migrate(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE responses ADD COLUMN sender_contact TEXT")
    db.execute("ALTER TABLE responses ADD COLUMN remind_at TEXT")
    db.execute("ALTER TABLE responses ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "UPDATE responses SET remind_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
        "(julianday(received_at) + julianday(due_at)) / 2) WHERE due_at IS NOT NULL")
    db.execute("CREATE INDEX responses_by_contact ON responses(sender_contact, received_at)")
    db.execute("CREATE INDEX responses_remind ON responses(state, reminded, remind_at)")
    db.execute(
        "CREATE TABLE mails ("
        "id INTEGER PRIMARY KEY, key TEXT UNIQUE, to_addr TEXT NOT NULL, "
        "subject TEXT NOT NULL, body TEXT NOT NULL, "
        "state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')), "
        "attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, "
        "locked_until TEXT, last_error TEXT, created_at TEXT NOT NULL, sent_at TEXT)")
    db.execute("CREATE INDEX mails_due ON mails(state, next_attempt_at)")
