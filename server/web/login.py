"""Login pages of the web UI: `/anmelden`, `/abmelden`, `/abmelden/ueberall` and the
set-password page `/passwort/{token}` of a one-time link."""

from __future__ import annotations

import logging
import math

from aiohttp import web

from mitwirken.models.accounts import AccountError
from mitwirken.models.text_marks import N_
from mitwirken.server.app_keys import ACCOUNTS, LOGIN, RESET_LIMIT, SERVICES, SETTINGS
from mitwirken.server.usecases.login import LoggedIn, Throttled
from mitwirken.server.usecases.passwords import MAX_LENGTH, WeakPassword
from mitwirken.server.web import i18n
from mitwirken.server.web.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    delete_cookie,
    redirect,
    require_session,
    safe_next,
    set_cookie,
)
from mitwirken.server.web.errors import page_error
from mitwirken.server.web.request_keys import current_session
from mitwirken.server.web.templating import render

log = logging.getLogger("mitwirken.web")

WRONG = N_("E-Mail-Adresse oder Passwort ist falsch.")
LINK_SPENT = (N_("Dieser Link ist abgelaufen oder wurde schon benutzt. Bitte fragen Sie nach "
              "einem neuen."))
NOTICES = {
    "abgemeldet": N_("Sie sind abgemeldet."),
    "ueberall": N_("Sie sind auf allen Geräten abgemeldet."),
    "passwort": N_("Ihr Passwort ist gespeichert. Bitte melden Sie sich jetzt an."),
}
NO_STORE = {"Cache-Control": "no-store"}


def _login_page(request: web.Request, *, email: str = "", error: str | None = None,
                status: int = 200) -> web.Response:
    notice = NOTICES.get(request.query.get("hinweis", ""))
    return render(request, "login.html", {
        "email": email, "error": error, "notice": notice,
        "next": safe_next(request.query.get("weiter"))}, status=status, headers=NO_STORE)


async def login_form(request: web.Request) -> web.Response:
    if current_session(request) is not None:
        return redirect(safe_next(request.query.get("weiter")))
    return _login_page(request)


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    check_csrf(request, form)
    email = str(form.get("email", ""))[:300]
    password = str(form.get("password", ""))[:MAX_LENGTH + 1]
    outcome = await request.app[LOGIN].login(email, password, request.remote or "")
    if isinstance(outcome, Throttled):
        minutes = math.ceil(outcome.wait_seconds / 60)
        tr = i18n.translations(i18n.locale_of(request))
        raise page_error(429, "too_many_logins", tr.ngettext(
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(num)s Minute und "
            "versuchen Sie es dann noch einmal.",
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(num)s Minuten und "
            "versuchen Sie es dann noch einmal.", minutes) % {"num": minutes},
            {"Retry-After": str(outcome.wait_seconds)})
    if not isinstance(outcome, LoggedIn):
        return _login_page(request, email=email, error=WRONG, status=401)
    response = redirect(safe_next(str(form.get("next", "")) or None))
    set_cookie(request, response, SESSION_COOKIE, outcome.cookie_value,
               max_age=int(request.app[LOGIN].lifetime.total_seconds()))
    delete_cookie(request, response, CSRF_COOKIE)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    check_csrf(request, await request.post())
    request.app[LOGIN].logout(session)
    response = redirect("/anmelden?hinweis=abgemeldet")
    delete_cookie(request, response, SESSION_COOKIE)
    return response


async def logout_everywhere(request: web.Request) -> web.StreamResponse:
    session = require_session(request)
    check_csrf(request, await request.post())
    request.app[LOGIN].logout_everywhere(session)
    response = redirect("/anmelden?hinweis=ueberall")
    delete_cookie(request, response, SESSION_COOKIE)
    return response


def _link_account(request: web.Request):
    account = request.app[ACCOUNTS].link_account(request.match_info["token"][:200])
    if account is None:
        raise page_error(404, "link_spent", LINK_SPENT)
    return account


async def password_form(request: web.Request) -> web.Response:
    account = _link_account(request)
    return render(request, "password.html", {"account": account, "error": None},
                  headers={**NO_STORE, "Referrer-Policy": "no-referrer"})


async def password_submit(request: web.Request) -> web.StreamResponse:
    account = _link_account(request)
    form = await request.post()
    check_csrf(request, form)
    password = str(form.get("password", ""))
    error = None
    if password != str(form.get("password2", "")):
        error = N_("Die beiden Eingaben stimmen nicht überein.")
    else:
        try:
            request.app[ACCOUNTS].set_password_by_link(request.match_info["token"], password)
        except WeakPassword as exc:
            error = i18n.gettext_of(request)(exc.template) % exc.values
        except AccountError as exc:
            raise page_error(404, "link_spent", LINK_SPENT) from exc
    if error:
        return render(request, "password.html", {"account": account, "error": error},
                      status=422, headers={**NO_STORE, "Referrer-Policy": "no-referrer"})
    return redirect("/anmelden?hinweis=passwort")


# "Passwort vergessen": only where the instance can send mail (setting smtp_host).
NO_MAIL = (N_("Diese Stadt verschickt keine E-Mails. Bitte wenden Sie sich an die Administration: "
           "sie schickt Ihnen einen Link für ein neues Passwort."))


def _mail_on(request: web.Request) -> None:
    if not request.app[SETTINGS].smtp_host:
        raise page_error(404, "no_mail", NO_MAIL)


async def reset_form(request: web.Request) -> web.Response:
    _mail_on(request)
    return render(request, "password_reset.html", {"sent": False, "email": ""},
                  headers=NO_STORE)


async def reset_submit(request: web.Request) -> web.Response:
    _mail_on(request)
    form = await request.post()
    check_csrf(request, form)
    email = str(form.get("email", "")).strip()[:300]
    wait = request.app[RESET_LIMIT].allow(request.remote or "?")
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        return render(request, "password_reset.html", {
            "sent": False, "email": email,
            "error": i18n.translations(i18n.locale_of(request)).ngettext(
                "Zu viele Versuche. Bitte warten Sie %(num)s Minute.",
                "Zu viele Versuche. Bitte warten Sie %(num)s Minuten.", minutes)
            % {"num": minutes}},
            status=429, headers={**NO_STORE, "Retry-After": str(math.ceil(wait))})
    if email:
        request.app[ACCOUNTS].request_reset(email, request.app[SETTINGS].base_url)
        request.app[SERVICES].workers.mail.wake()
    return render(request, "password_reset.html", {"sent": True, "email": ""},
                  headers=NO_STORE)
