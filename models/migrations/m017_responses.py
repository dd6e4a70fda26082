"""m017_responses: volunteers' answers to our objects and actors (issue 13, first step).

`responses` holds one conversation between a remote person and one of our organisations: what
it answers (our object's id, or NULL when it was addressed to the actor alone), how it was
addressed (`direct`: an expression of interest; `public`: a public comment), where it stands
(`open` → `answered` → `handled`), when it arrived, when it is due and when it was first
answered. `response_messages` holds its messages, in and out; `note_id` is the ActivityPub
id of the Note (the volunteer's, or the answer we sent), so a later reply in the thread finds
its response and an Update or Delete finds its message.

`moderation` is an editor's decision on a public comment (NULL: none yet, `approved`,
`hidden`). Both tables get a change counter (see m015): the organisation's actor document
carries its answer statistics and an object's page and `replies` collection show approved
comments, so a kept copy of them must be rebuilt when a response or a message changes.

Frozen once released: never edit it (a change is a new migration)."""

from __future__ import annotations

import sqlite_utils


def migrate(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE responses ("
        "id TEXT PRIMARY KEY, organisation TEXT NOT NULL, object_id TEXT, "
        "visibility TEXT NOT NULL, state TEXT NOT NULL, moderation TEXT, "
        "sender_id TEXT, sender_name TEXT, sender_handle TEXT, sender_inbox TEXT, "
        "promise_days INTEGER NOT NULL, received_at TEXT NOT NULL, due_at TEXT, "
        "first_answer_at TEXT, handled_at TEXT)")
    db.execute("CREATE INDEX responses_by_org ON responses(organisation, received_at)")
    db.execute("CREATE INDEX responses_by_sender ON responses(sender_id)")
    db.execute("CREATE INDEX responses_due ON responses(state, due_at)")
    db.execute(
        "CREATE TABLE response_messages ("
        "id TEXT PRIMARY KEY, response_id TEXT NOT NULL, note_id TEXT UNIQUE, "
        "direction TEXT NOT NULL, author TEXT, content TEXT NOT NULL, at TEXT NOT NULL)")
    db.execute("CREATE INDEX response_messages_by_response ON response_messages(response_id, at)")
    db.execute("CREATE INDEX response_messages_by_author ON response_messages(author, at)")
    for table in ("responses", "response_messages"):
        db.execute("INSERT INTO change_counters (name, n) VALUES (?, 0)", [table])
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER change_counters_{table}_{event.lower()} AFTER {event} ON "
                f"{table} BEGIN UPDATE change_counters SET n = n + 1 WHERE name = '{table}'; "
                "END")
