"""The practice-post form of `/verwaltung`: fields with German labels and help, form values
→ the editor input of `ContentService` (the same dict as the JSON API), a practice → form
values, errors → their fields. Validation is the model's."""

from __future__ import annotations

from typing import Any

from multidict import MultiDictProxy

from mitwirken.models.content import Practice
from mitwirken.models.text_marks import N_
from mitwirken.models.vocab import (
    BudgetRange,
    Licence,
    PartnerRole,
    PracticeSection,
    PracticeStatus,
    PracticeTheme,
    Sector,
)
from mitwirken.server.web import forms
from mitwirken.server.web.forms import FormState, text_value

PARTNER_ROWS = 6
CHOICES = ("themes", "sectors_involved")
RESOURCES = ("staff_hours_per_month", "volunteers", "time_to_implement_months")
CONTACT = ("name", "email", "phone")
SECTIONS = tuple(s.value for s in PracticeSection)
VOCABULARIES = {"themes": PracticeTheme, "sectors_involved": Sector, "status": PracticeStatus,
                "resources.budget_range": BudgetRange, "licence": Licence, "sector": Sector,
                "role": PartnerRole, "sections": PracticeSection}
GROUPS = ("contact", "resources", "partners", "sections")
SECTION_HELP = {
    "ausgangslage": N_("Welches Problem oder welcher Anlass stand am Anfang?"),
    "ansatz": N_("Was war die Idee, wie sind Sie vorgegangen?"),
    "umsetzung": N_("Wer hat was getan, in welchen Schritten?"),
    "ergebnisse": N_("Was hat sich verändert? Zahlen helfen anderen Städten."),
    "stolpersteine": N_("Was lief nicht rund, und was würden Sie heute anders machen?"),
    "uebertragbarkeit": N_("Was braucht eine andere Stadt, um das nachzumachen?"),
}
HELP = {
    "title": N_("Worum geht es, in einer Zeile? Höchstens 150 Zeichen."),
    "summary": N_("Zwei, drei Sätze: Ausgangslage, Ansatz, Ergebnis, beteiligte Sektoren. Das "
               "sehen Menschen in Mastodon als Vorschau – den Rest auf unserer Seite."),
    "themes": N_("Höchstens fünf."),
    "sectors_involved": N_("Wer hat mitgemacht? Die Sektoren der Partner zählen automatisch mit."),
    "partners": N_("Bis zu sechs Partner hier; leere Zeilen werden übergangen."),
    "resources": N_("Was es gebraucht hat – damit andere einschätzen können, ob sie es "
                 "nachmachen können. Alles freiwillig."),
    "contact": N_("Eine Funktionsadresse, keine private. Freiwillig."),
    "city": N_("Die Stadt, in der das Beispiel umgesetzt wurde."),
    "licence": N_("Unter welcher Lizenz dürfen andere den Text übernehmen?"),
    "adapted_from": N_("Haben Sie ein Beispiel einer anderen Stadt übernommen? Dann dessen "
                    "Adresse (beginnt mit https://)."),
    **{f"sections.{k}": v for k, v in SECTION_HELP.items()},
}


def _names() -> list[str]:
    names = ["title", "summary", "status", "resources.budget_range", "city", "licence",
             "adapted_from", "org", *(f"sections.{s}" for s in SECTIONS),
             *(f"resources.{r}" for r in RESOURCES), *(f"contact.{c}" for c in CONTACT)]
    for i in range(PARTNER_ROWS):
        names += [f"partners.{i}.name", f"partners.{i}.sector", f"partners.{i}.role"]
    return names


def values_of_form(form: MultiDictProxy[Any]) -> dict[str, Any]:
    values: dict[str, Any] = {name: text_value(form, name) for name in _names()}
    for name in ("summary", *(f"sections.{s}" for s in SECTIONS)):
        values[name] = str(form.get(name, ""))  # keep the editor's line breaks
    for name in CHOICES:
        values[name] = [str(v) for v in form.getall(name, [])]
    return values


def input_of(values: dict[str, Any], current: Practice | None = None) -> dict[str, Any]:
    """Form values → the editor input; for an update every field of the form is given, and
    what the form does not show (more partners, fediverse ids of partners, attachments) is
    kept from `current`."""
    data: dict[str, Any] = {"title": values["title"], "summary": values["summary"].strip(),
                            "status": values["status"] or "running",
                            "licence": values["licence"] or "CC-BY-SA-4.0"}
    data["sections"] = {s: values[f"sections.{s}"].strip() for s in SECTIONS
                        if values[f"sections.{s}"].strip()}
    for name in CHOICES:
        data[name] = values[name]
    resources = {r: values[f"resources.{r}"].replace(",", ".") for r in RESOURCES
                 if values[f"resources.{r}"]}
    if values["resources.budget_range"]:
        resources["budget_range"] = values["resources.budget_range"]
    data["resources"] = resources
    known = current.partners if current else []
    partners = []
    for i in range(PARTNER_ROWS):
        name = values[f"partners.{i}.name"]
        if not name:
            continue
        row = {"name": name, "sector": values[f"partners.{i}.sector"],
               "role": values[f"partners.{i}.role"] or "partner"}
        if i < len(known) and known[i].name == name and known[i].actor_iri:
            row["actor_iri"] = known[i].actor_iri
        partners.append(row)
    data["partners"] = partners + [p.model_dump(mode="json", exclude_none=True)
                                   for p in known[PARTNER_ROWS:]]
    contact = {c: values[f"contact.{c}"] for c in CONTACT if values[f"contact.{c}"]}
    if current is not None and current.contact is not None:
        kept = current.contact.model_dump(mode="json", exclude_none=True)
        contact = {**{k: v for k, v in kept.items() if k not in CONTACT}, **contact}
    data["contact"] = contact or None
    data["city"] = values["city"] or None
    data["adapted_from"] = values["adapted_from"] or None
    if current is None:
        data = {k: v for k, v in data.items() if v not in (None, [], {})}
    return data


def values_of(practice: Practice | None, org: str = "", city: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {name: "" for name in _names()}
    values.update({name: [] for name in CHOICES})
    if practice is None:
        values.update({"status": "running", "licence": "CC-BY-SA-4.0", "org": org,
                       "city": city})
        return values
    values.update({"title": practice.title, "summary": practice.summary,
                   "status": practice.status.value, "licence": practice.licence,
                   "city": practice.city or "", "adapted_from": practice.adapted_from or "",
                   "org": practice.org_username})
    for section, body in practice.sections.items():
        values[f"sections.{section.value}"] = body or ""
    for name in CHOICES:
        values[name] = [v.value for v in getattr(practice, name)]
    res = practice.resources
    values["resources.budget_range"] = res.budget_range.value if res.budget_range else ""
    for r in RESOURCES:
        number = getattr(res, r)
        values[f"resources.{r}"] = "" if number is None else (
            str(int(number)) if number == int(number) else str(number).replace(".", ","))
    for i, partner in enumerate(practice.partners[:PARTNER_ROWS]):
        values.update({f"partners.{i}.name": partner.name,
                       f"partners.{i}.sector": partner.sector.value,
                       f"partners.{i}.role": partner.role.value})
    if practice.contact:
        for c in CONTACT:
            values[f"contact.{c}"] = getattr(practice.contact, c) or ""
    return values


def place_errors(errors: list[dict[str, str]], state: FormState) -> FormState:
    return forms.place_errors(errors, state, GROUPS)
