"""Walks every form the project serves, the way a person would: find it on a page, fill every
field with a valid value, submit it.

Forms are found by crawling: every named URL of the project (built with real ids by the
isolation sweep's `ProjectVictim`), then every same-site link those pages offer (the board's
"+ Add" links carry the stage and lane of their cell), as a full page and as an HTMX fragment.
Each `<form method="post">` is parsed with its fields; a field is filled as its widget invites
(the options of a select are the workspace's real teams, stages, transitions, tracks...)."""

import dataclasses
import datetime
import itertools
import urllib.parse
from html.parser import HTMLParser

from django.db import connection
from django.urls import Resolver404, resolve

_counter = itertools.count(1)

# Never fetched while crawling: an endless event stream, signing out, and Django's admin.
NOT_CRAWLED = {"live:events", "workshop:share_events", "logout", "comments:mentions_count"}
# Never submitted: signing out ends the walk's session (it is tested where it lives).
NOT_SUBMITTED = {"logout"}


@dataclasses.dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = dataclasses.field(default_factory=list)
    multiple: bool = False
    attrs: dict = dataclasses.field(default_factory=dict)
    shown: list[str] = dataclasses.field(default_factory=list)  # the values checked or selected when served


@dataclasses.dataclass
class Form:
    action: str
    page: str  # where it was found
    fields: dict[str, Field] = dataclasses.field(default_factory=dict)
    buttons: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    url_name: str = ""

    @property
    def key(self) -> tuple:
        """Two forms are the same form when they post the same named fields to the same view."""
        return (self.url_name, tuple(sorted(self.fields)))


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        for attr in ("href", "hx-get"):
            if attr in a and tag != "form":
                self.links.append(a[attr])
        if tag == "form":
            method = (a.get("method") or "get").lower()
            action = a.get("hx-post") or a.get("action") or self.page
            self._form = Form(action=urllib.parse.urljoin(self.page, action), page=self.page) \
                if method == "post" or "hx-post" in a else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if name:
                    form.buttons.append((name, a.get("value", "")))
                return
            if not name:
                return
            if kind in ("checkbox", "radio"):
                field = form.fields.setdefault(name, Field(name, kind, multiple=kind == "checkbox", attrs=a))
                field.options.append(a.get("value", "on"))
                if "checked" in a:
                    field.value = a.get("value", "on")
                    field.shown.append(field.value)
                return
            form.fields[name] = Field(name, kind, a.get("value", ""), attrs=a)
        elif tag == "button":
            if name and (a.get("type") or "submit") == "submit":
                form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = form.fields[name] = Field(name, "select", multiple="multiple" in a, attrs=a)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
                self._select.shown.append(self._select.value)
        elif tag == "textarea" and name:
            self._textarea = form.fields[name] = Field(name, "textarea", attrs=a)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(html: str, page: str) -> tuple[list[Form], list[str]]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms, parser.links


def url_name(url: str) -> str | None:
    path = urllib.parse.urlsplit(url).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client, start: list[str], *, limit: int = 900) -> dict[tuple, Form]:
    """Every distinct post form reachable from `start`, as page and as HTMX fragment."""
    seen, queue, forms = set(), list(start), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        name = url_name(url)
        if name is None or name in NOT_CRAWLED or name.startswith("admin:") or name.startswith("api:"):
            continue
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            if response.status_code != 200 or response.streaming \
                    or "html" not in response.get("Content-Type", ""):
                continue
            found, links = parse(response.content.decode(), url)
            for form in found:
                form.url_name = url_name(form.action) or ""
                if form.url_name and not form.url_name.startswith("admin:") and form.url_name not in NOT_SUBMITTED:
                    forms.setdefault(form.key, form)
            for link in links:
                absolute = urllib.parse.urljoin(url, link).split("#")[0]
                if absolute.startswith("/") and absolute not in seen:
                    queue.append(absolute)
    return forms


# --- filling -------------------------------------------------------------------------------------


def _number(field: Field) -> str:
    low, high = field.attrs.get("min"), field.attrs.get("max")
    step = field.attrs.get("step", "1")
    if low not in (None, "") and high not in (None, ""):
        value = float(high) if float(high) - float(low) < 3 else float(low) + 2
    elif low not in (None, ""):
        value = float(low) + 2
    elif high not in (None, ""):
        value = float(high) - 1
    else:
        value = 2
    if step in ("any",) or "." in step:
        return f"{value + 0.5:g}" if high in (None, "") or value + 0.5 <= float(high) else f"{value:g}"
    return str(int(value))


def _text(field: Field, n: int) -> str:
    size = int(field.attrs.get("maxlength") or 200)
    return f"Walk{n}-{field.name}"[:size]


def fill(form: Form, files: dict | None = None, rules: dict | None = None) -> tuple[dict, dict]:
    """(data to post, the values a person chose, which must be saved) for `form`. `rules` name the
    choices a person makes knowing the domain ({field: value}, None for "left empty")."""
    n = next(_counter)
    data, chosen = {}, {}
    rules = rules or {}
    for name, field in form.fields.items():
        kind = field.kind
        if name in rules:
            if rules[name] is not None:
                data[name] = chosen[name] = rules[name]
            continue
        if kind == "hidden":
            data[name] = field.value
            continue
        if kind == "file":
            if files and name in files:
                data[name] = files[name]()
            continue
        if kind == "select":
            options = [o for o in field.options if o != ""]
            if not options:
                continue
            if field.multiple:
                value = options[:2]
            else:
                # A different choice from the one shown, so saving it is visible.
                others = [o for o in options if o != field.value]
                value = (others or options)[-1]
        elif kind == "checkbox":
            value = field.options[:2] if len(field.options) > 1 else field.options[0]
        elif kind == "radio":
            value = field.options[-1]
        elif kind == "textarea":
            value = f"Walk{n} {name} text"
        elif kind in ("number", "range"):  # a slider takes a number between its ends, like a number box
            value = _number(field)
        elif kind == "date":
            value = (datetime.date(2026, 3, 1) + datetime.timedelta(days=n % 200)).isoformat()
        elif kind == "month":
            value = "2026-03"
        elif kind == "email":
            value = f"walk{n}@example.test"
        elif kind == "url":
            value = f"https://example.test/walk{n}"
        elif kind == "password":
            value = "a-long-walk-password-42"
        elif kind == "color":
            value = "#336699"
        else:
            value = _text(field, n)
        data[name] = value
        chosen[name] = value
    if form.buttons:
        name, value = form.buttons[0]
        data.setdefault(name, value)
    return data, chosen


# --- what was saved --------------------------------------------------------------------------------


def snapshot(tables: list[str]) -> dict[str, set[str]]:
    """Every row of `tables` as text, per table."""
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT r::text FROM "{table}" r')
            rows[table] = {row[0] for row in cursor.fetchall()}
    return rows


def written(before: dict[str, set[str]], after: dict[str, set[str]]) -> str:
    """The rows that are new or changed, as one text."""
    return "\n".join(row for table in after for row in after[table] - before.get(table, set()))


def as_saved(value) -> list[str]:
    """The spellings a submitted value may have once saved (a row as PostgreSQL writes it)."""
    if value == "on":
        return ["t"]
    text = str(value)
    spellings = [text]
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        spellings += [f"{number:g}", f"{number:.1f}", f"{number:.2f}"]
    if len(text) == 7 and text[4] == "-":  # a month: saved as its first day
        spellings.append(f"{text}-01")
    return spellings


def messages_in(html: str) -> str:
    """The error messages of a refused form, for a failure report."""
    import re

    found = re.findall(r'class="(?:errorlist[^"]*|notice notice-error)"[^>]*>(.*?)</(?:ul|div)>', html, re.S)
    return " | ".join(re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found)[:400] or html[:200]
