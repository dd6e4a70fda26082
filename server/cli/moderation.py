"""CLI: federation policy and moderation — `federation mode`, `federation show`, the domain
rules (`block`, `unblock`, `limit`, `allow`, `domain list`, `domain remove`), blocks of one
remote actor (`block actor URL`, `unblock actor URL`), Mastodon's
block list (`block import FILE.csv`, `block export`), held content of limited domains
(`review list`, `review approve`) and the audit log (`audit --since DATE`). Every action is
recorded in the audit log as `cli:<login name>`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from mitwirken.federation.urls import Urls
from mitwirken.models.domain_policy import Mode
from mitwirken.models.store import Store, utcnow
from mitwirken.models.web_names import WebNameError
from mitwirken.server.cli._common import CliError, add_data, open_settings, open_store, who
from mitwirken.server.config import Settings
from mitwirken.server.dependencies import content_service
from mitwirken.server.usecases import actor_blocks, moderation, reports

LIST_COMMANDS = ("import", "export")  # `block import FILE`, `block export`
ACTOR = "actor"  # `block actor URL`, `unblock actor URL`: one remote actor, not a domain


def _store(args: argparse.Namespace) -> Store:
    return open_store(open_settings(args))


def _refused(exc: WebNameError) -> CliError:
    return CliError(f"{exc} Nichts wurde verändert.")


# --- block, unblock, import and export ----------------------------------------------------


def cmd_block(args: argparse.Namespace) -> int:
    if args.domain in LIST_COMMANDS:
        return _block_list(args)
    if args.domain == ACTOR:
        return _block_actor(args)
    if args.file is not None:
        raise CliError(f"Unerwartetes Argument »{args.file}«.")
    store = _store(args)
    try:
        result = moderation.block_domain(store, args.domain, args.reason or "", utcnow(),
                                         by=who())
    except WebNameError as exc:
        raise _refused(exc) from exc
    print(f"{result['domain']} blockiert: {result['followers']} Folgende entfernt, "
          f"{result['following']} Abos beendet, {result['deliveries']} Zustellungen "
          f"abgebrochen, {result['content']} Inhalte entfernt.")
    return 0


def _block_list(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.domain == "export":
        sys.stdout.write(moderation.export_mastodon_csv(store))
        return 0
    if args.file is None:
        raise CliError("Welche Datei? `mitwirken block import DATEI.csv --data …`")
    try:
        text = Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{args.file} kann nicht gelesen werden: {exc}") from exc
    try:
        result = moderation.import_mastodon_csv(store, text, utcnow(), by=who())
    except moderation.CsvError as exc:
        raise CliError(str(exc)) from exc
    print(f"{len(result['domains'])} Domains übernommen: {result['blocked']} blockiert, "
          f"{result['limited']} eingeschränkt, {result['allowed']} erlaubt.")
    return 0


def _block_actor(args: argparse.Namespace) -> int:
    if args.file is None:
        raise CliError("Welches Konto? `mitwirken block actor URL --reason … --data …`")
    settings = open_settings(args)
    store = open_store(settings)
    try:
        block = actor_blocks.block_actor(store, Urls(settings.base_url), args.file,
                                         args.reason or "", utcnow(), by=who())
    except actor_blocks.ActorBlockError as exc:
        raise CliError(f"{exc} Nichts wurde verändert.") from exc
    removed = block["removed"]
    print(f"{block['actor']} blockiert: {removed['followers']} Folgende entfernt, "
          f"{removed['content']} Inhalte, {removed['interactions']} Reaktionen und "
          f"{removed['responses']} Rückmeldungen entfernt.")
    return 0


def block_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("domain", help="the domain to block, or `import FILE.csv` / `export` "
                   "(Mastodon's domain-block CSV), or `actor URL` (one remote actor)")
    p.add_argument("file", nargs="?", help="with `import`: the CSV file; with `actor`: the "
                   "actor's URL")
    p.add_argument("--reason")


def cmd_unblock(args: argparse.Namespace) -> int:
    if args.domain == ACTOR:
        return _unblock_actor(args)
    if args.actor is not None:
        raise CliError(f"Unerwartetes Argument »{args.actor}«.")
    store = _store(args)
    try:
        lifted = moderation.unblock_domain(store, args.domain, utcnow(), by=who(),
                                           reason=args.reason or "")
    except WebNameError as exc:
        raise _refused(exc) from exc
    if not lifted:
        raise CliError(f"{args.domain} war nicht blockiert.")
    print(f"{args.domain} ist nicht mehr blockiert.")
    return 0


def domain_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("domain")
    p.add_argument("--reason")


def _unblock_actor(args: argparse.Namespace) -> int:
    if args.actor is None:
        raise CliError("Welches Konto? `mitwirken unblock actor URL --data …`")
    lifted = actor_blocks.unblock_url(_store(args), args.actor, utcnow(), by=who(),
                                      reason=args.reason or "")
    if lifted is None:
        raise CliError(f"{args.actor} war nicht blockiert.")
    print(f"{lifted['actor']} ist nicht mehr blockiert.")
    return 0


def unblock_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("domain", help="the domain to unblock, or `actor URL`")
    p.add_argument("actor", nargs="?", help="with `actor`: the actor's URL")
    p.add_argument("--reason")


# --- limit, allow, the list of rules --------------------------------------------------------


def cmd_limit(args: argparse.Namespace) -> int:
    try:
        result = moderation.limit_domain(_store(args), args.domain, args.reason or "",
                                         utcnow(), by=who())
    except WebNameError as exc:
        raise _refused(exc) from exc
    print(f"{result['domain']} eingeschränkt: Folgeanfragen brauchen eine Bestätigung, "
          f"Inhalte werden erst nach Prüfung sichtbar.")
    return 0


def cmd_allow(args: argparse.Namespace) -> int:
    try:
        result = moderation.allow_domain(_store(args), args.domain, args.reason or "",
                                         utcnow(), by=who())
    except WebNameError as exc:
        raise _refused(exc) from exc
    print(f"{result['domain']} erlaubt ({result['released']} zurückgehaltene Zustellungen "
          f"werden jetzt gesendet).")
    return 0


def cmd_domain_list(args: argparse.Namespace) -> int:
    rules = moderation.domain_rules(_store(args))
    if args.json:
        print(json.dumps({"items": rules}, ensure_ascii=False, indent=2))
        return 0
    for rule in rules:
        print(f"{rule['domain']}\t{rule['policy']}\t{rule['reason']}")
    return 0


def list_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--json", action="store_true")


def cmd_domain_remove(args: argparse.Namespace) -> int:
    try:
        removed = moderation.remove_domain_rule(_store(args), args.domain, utcnow(), by=who(),
                                                reason=args.reason or "")
    except WebNameError as exc:
        raise _refused(exc) from exc
    if not removed:
        raise CliError(f"Für {args.domain} gibt es keine Regel.")
    print(f"Regel für {args.domain} entfernt.")
    return 0


# --- the federation mode ----------------------------------------------------------------


def cmd_federation_mode(args: argparse.Namespace) -> int:
    result = moderation.set_federation_mode(_store(args), Mode(args.mode), utcnow(), by=who(),
                                            reason=args.reason or "")
    if result["mode"] == Mode.ALLOWLIST:
        print(f"Föderation nur noch mit erlaubten Domains ({result['held']} Zustellungen "
              f"zurückgehalten).")
    else:
        print(f"Föderation offen für alle nicht blockierten Domains ({result['released']} "
              f"zurückgehaltene Zustellungen werden jetzt gesendet).")
    return 0


def mode_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("mode", choices=[m.value for m in Mode])
    p.add_argument("--reason")


def cmd_federation_show(args: argparse.Namespace) -> int:
    store = _store(args)
    print(json.dumps({"mode": moderation.federation_mode(store).value,
                      "domains": moderation.domain_rules(store),
                      "actors": actor_blocks.list_blocks(store)}, ensure_ascii=False,
                     indent=2))
    return 0


# --- content waiting for review -----------------------------------------------------------


def cmd_review_list(args: argparse.Namespace) -> int:
    for row in moderation.held_content(_store(args)):
        print(f"{row['id']}\t{row['review']}\t{row['kind']}\t{row['origin']}\t"
              f"{row['received_at']}")
    return 0


REVIEW_TEXT = {  # review command → (German result, German "nothing to do")
    "approve": ("ist freigegeben", "Kein zurückgehaltener oder ausgeblendeter Inhalt"),
    "hide": ("ist ausgeblendet", "Kein Inhalt aus dem Netzwerk gespeichert:"),
    "remove": ("ist entfernt", "Kein Inhalt aus dem Netzwerk gespeichert:"),
}


def cmd_review(args: argparse.Namespace) -> int:
    """`review approve|hide|remove OBJECT`: one of the decisions on remote content."""
    decision = args.review_command
    done, missing = REVIEW_TEXT[decision]
    if not moderation.REVIEW_DECISIONS[decision](_store(args), args.object, utcnow(), by=who(),
                                                 reason=args.reason or ""):
        raise CliError(f"{missing} {args.object}.")
    print(f"{args.object} {done}.")
    return 0


def approve_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("object", help="the object's id (URL)")
    p.add_argument("--reason")


# --- the audit log ------------------------------------------------------------------------


def _since(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"»{value}« ist kein Datum (JJJJ-MM-TT oder ISO-Zeitpunkt)") from None
        parsed = datetime(day.year, day.month, day.day)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cmd_audit(args: argparse.Namespace) -> int:
    for entry in moderation.audit_entries(_store(args), args.since, args.limit):
        print(json.dumps(entry, ensure_ascii=False, sort_keys=True))
    return 0


def audit_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--since", type=_since, help="date (YYYY-MM-DD) or ISO time, UTC")
    p.add_argument("--limit", type=int, default=10_000)


# --- reports --------------------------------------------------------------------------


def cmd_report_list(args: argparse.Namespace) -> int:
    for report in reports.list_reports(_store(args), args.state):
        print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    return 0


def report_list_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("--state", choices=["open", "resolved"])


def cmd_report_resolve(args: argparse.Namespace) -> int:
    settings: Settings = open_settings(args)
    store = open_store(settings)
    try:
        result = reports.resolve(store, content_service(settings, store), args.id,
                                 args.action, args.reason or "", utcnow(), by=who())
    except reports.ReportError as exc:
        raise CliError(f"{exc} Nichts wurde verändert.") from exc
    if result is None:
        raise CliError(f"Keine offene Meldung mit id {args.id}.")
    print(f"Meldung {args.id} erledigt ({args.action}); {len(result['removed'])} Inhalte "
          f"entfernt.")
    return 0


def report_resolve_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("id", type=int)
    p.add_argument("--action", required=True, choices=list(reports.ACTIONS))
    p.add_argument("--reason")


def cmd_report_send(args: argparse.Namespace) -> int:
    settings = open_settings(args)
    store = open_store(settings)
    try:
        report = reports.send(store, Urls(settings.base_url), args.object, args.comment or "",
                              utcnow(), by=who())
    except reports.UnknownObject as exc:
        raise CliError(f"{args.object} ist hier nicht bekannt. Nichts wurde gesendet.") from exc
    print(f"Meldung {report['id']} an {report['origin']} wird zugestellt.")
    return 0


def report_send_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    p.add_argument("object", help="URL of the remote object (or actor) to report")
    p.add_argument("--comment")
