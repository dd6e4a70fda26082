"""The `mitwirken` command line. `COMMANDS` below is the table of contents: every command, the
function that runs it and the function that declares its arguments, in the order of
`mitwirken --help`. The commands live in one module per group; `_common` holds what they
share. `python -m mitwirken.server.cli` runs `main` too."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from aiohttp.abc import AbstractResolver

from mitwirken.models.store import DatabaseTooNew
from mitwirken.server.cli import (
    backup,
    check,
    content,
    federation,
    instance,
    moderation,
    organisations,
    queue,
    responses,
    users,
)
from mitwirken.server.cli._common import CliError, Handler, Setup, add_data
from mitwirken.server.config import ConfigError

__all__ = ["COMMANDS", "GROUPS", "CliError", "Command", "add_data", "build_parser", "main"]


@dataclass(frozen=True)
class Command:
    name: str  # "init", or "group command" for the commands of a group ("org add")
    help: str
    run: Handler
    arguments: Setup  # declares the command's options and positionals
    description: str | None = None


GROUPS = {  # the commands with sub-commands, and their help
    "org": "manage organisations",
    "token": "API tokens",
    "queue": "delivery queue",
    "relay": "relay subscriptions of the instance actor",
    "user": "people who log in to the web UI",
    "responses": "volunteers' responses",
    "privacy": "what is held about a person (DSGVO)",
    "federation": "federation mode (open or allow-list)",
    "domain": "domain rules (block, limit, allow)",
    "review": "remote content: held for review, hidden, approved, removed",
    "report": "reports (Flag) in the moderation queue",
}

COMMANDS = (
    Command("init", "create database, keys, city and instance actor",
            instance.cmd_init, instance.init_arguments),
    Command("serve", "run the web server and workers", instance.cmd_serve,
            instance.serve_arguments),
    Command("org add", "add an organisation actor", organisations.cmd_org_add,
            organisations.org_add_arguments),
    Command("org list", "list organisations", organisations.cmd_org_list, add_data),
    Command("token create", "create a bearer token; prints it alone on stdout",
            organisations.cmd_token_create, organisations.token_create_arguments),
    Command("user add", "add a web account (admin, staff or editor)", users.cmd_user_add,
            users.user_add_arguments),
    Command("user list", "list web accounts", users.cmd_user_list, add_data),
    Command("user remove", "remove a web account and end its sessions", users.cmd_user_remove,
            users.email_arguments),
    Command("user reset", "reset a password: prints a new one-time link",
            users.cmd_user_reset, users.email_arguments),
    Command("demo", "seed the demo city Musterstadt", instance.cmd_demo, add_data),
    Command("follow", "follow a remote actor", federation.cmd_follow,
            federation.target_arguments),
    Command("unfollow", "stop following a remote actor", federation.cmd_unfollow,
            federation.target_arguments),
    Command("followers", "list followers", federation.cmd_followers,
            federation.list_arguments),
    Command("remove-follower", "remove a follower (sends Reject, no further deliveries)",
            federation.cmd_remove_follower, federation.remove_follower_arguments),
    Command("following", "list followed actors", federation.cmd_following,
            federation.list_arguments),
    Command("instances", "known instances: software, followers, delivery health",
            federation.cmd_instances, federation.instances_arguments),
    Command("queue show", "counts, unavailable domains and recent deliveries",
            queue.cmd_queue, queue.show_arguments),
    Command("queue retry", "retry one delivery now", queue.cmd_retry, queue.retry_arguments),
    Command("responses overdue", "open responses past their promised reply time",
            responses.cmd_overdue, responses.overdue_arguments),
    Command("privacy export", "print as JSON all that is held about a person",
            responses.cmd_privacy_export, responses.privacy_arguments),
    Command("privacy erase", "remove all that is held about a person",
            responses.cmd_privacy_erase, responses.privacy_arguments),
    Command("queue retry-domain", "retry every failed or waiting delivery to a domain now",
            queue.cmd_retry_domain, queue.retry_domain_arguments),
    Command("queue health", "delivery health: queue, outcomes 24 h / 7 days, failing domains "
            "(JSON)", queue.cmd_health, add_data),
    Command("share", "boost a remote object to our followers", federation.cmd_share,
            federation.share_arguments),
    Command("federation mode", "federate with everyone (open) or listed domains only "
            "(allowlist)", moderation.cmd_federation_mode, moderation.mode_arguments),
    Command("federation show", "the mode and every domain rule (JSON)",
            moderation.cmd_federation_show, add_data),
    Command("block", "block a domain (drops followers, content, deliveries); `block import "
            "FILE.csv` / `block export`: Mastodon's domain-block CSV; `block actor URL "
            "--reason R`: block one remote actor", moderation.cmd_block,
            moderation.block_arguments),
    Command("unblock", "lift a domain block; `unblock actor URL`: lift an actor's block",
            moderation.cmd_unblock, moderation.unblock_arguments),
    Command("limit", "limit a domain (follows need approval, content waits for review)",
            moderation.cmd_limit, moderation.domain_arguments),
    Command("allow", "allow a domain (listed for the allow-list mode)", moderation.cmd_allow,
            moderation.domain_arguments),
    Command("domain list", "list the domain rules", moderation.cmd_domain_list,
            moderation.list_arguments),
    Command("domain remove", "remove a domain's rule, whatever it is",
            moderation.cmd_domain_remove, moderation.domain_arguments),
    Command("review list", "content of limited domains waiting for review",
            moderation.cmd_review_list, add_data),
    Command("review approve", "make held or hidden content visible",
            moderation.cmd_review, moderation.approve_arguments),
    Command("review hide", "hide remote content (leaves search and pages at once)",
            moderation.cmd_review, moderation.approve_arguments),
    Command("review remove", "remove remote content for good (it never comes back)",
            moderation.cmd_review, moderation.approve_arguments),
    Command("report list", "reports in the moderation queue, as JSON lines",
            moderation.cmd_report_list, moderation.report_list_arguments),
    Command("report resolve", "resolve a report: dismiss, hide, remove, block_actor, "
            "block_domain",
            moderation.cmd_report_resolve, moderation.report_resolve_arguments),
    Command("report send", "report a remote object to its origin (a Flag from the instance "
            "actor)", moderation.cmd_report_send, moderation.report_send_arguments),
    Command("audit", "the audit log of admin actions, as JSON lines",
            moderation.cmd_audit, moderation.audit_arguments),
    Command("approval", "new followers wait for approval (on) or not (off)",
            federation.cmd_approval, federation.approval_arguments),
    Command("approve", "approve a pending follow request", federation.cmd_approve,
            federation.decision_arguments),
    Command("reject", "reject a pending follow request", federation.cmd_approve,
            federation.decision_arguments),
    Command("relay add", "subscribe to a relay (its actor URL)", federation.cmd_relay_add,
            federation.relay_add_arguments),
    Command("relay list", "list relay subscriptions", federation.cmd_relay_list, add_data),
    Command("import", "create or update opportunities from a CSV or JSON export",
            content.cmd_import, content.import_arguments,
            description=content.IMPORT_DESCRIPTION),
    Command("backup", "consistent online backup (database with keys, settings)",
            backup.cmd_backup, backup.backup_arguments),
    Command("restore", "unpack a backup into a new, empty data folder", backup.cmd_restore,
            backup.restore_arguments),
    Command("check", "doctor: settings, disk, database, public URL, TLS, clock",
            check.cmd_check, check.check_arguments),
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command in `COMMANDS`; a group's sub-parsers appear where its
    first command does."""
    parser = argparse.ArgumentParser(prog="mitwirken", description="Mitwirken: ActivityPub für "
                                     "Engagement-Angebote und Praxisbeispiele.")
    parser.set_defaults(resolver=None)
    sub = parser.add_subparsers(dest="command", required=True)
    groups: dict[str, argparse._SubParsersAction] = {}
    for command in COMMANDS:
        group, _, name = command.name.rpartition(" ")
        target = sub
        if group:
            if group not in groups:
                groups[group] = sub.add_parser(group, help=GROUPS[group]).add_subparsers(
                    dest=f"{group}_command", required=True)
            target = groups[group]
        p = target.add_parser(name, help=command.help, description=command.description)
        command.arguments(p)
        p.set_defaults(func=command.run)
    return parser


def main(argv: list[str] | None = None, *, resolver: AbstractResolver | None = None) -> int:
    """Run one command; exit status 1 with the reason on stderr when it fails. `resolver`
    replaces the system DNS of the commands that reach the network (tests map fake host
    names); the private-address guard still applies unless `allow_private_network`."""
    args = build_parser().parse_args(argv)
    args.resolver = resolver
    try:
        return args.func(args)
    except (CliError, ConfigError, DatabaseTooNew) as exc:
        print(f"mitwirken: {exc}", file=sys.stderr)
        return 1
