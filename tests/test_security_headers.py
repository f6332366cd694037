"""Headers and settings: the deployment checklist, a strict Content-Security-Policy, no other
origin referenced anywhere on the signed-in pages or in the served CSS, and secure cookies."""

import io
import os
import re
import subprocess
import sys
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client, override_settings

from maps.models import Card, Journey
from tests.production import SECRET, production_settings
from tests.servers import PROJECT
from workshop.selectors import share_link_token
from workshop.services import share_link_create

pytestmark = pytest.mark.django_db


def _production_settings() -> dict:
    """The cookie and transport settings exactly as journeymap.settings.production sets them."""
    return production_settings("SESSION_", "CSRF_", "SECURE_")


def _csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


URL_ATTRIBUTES = frozenset({"src", "href", "action", "formaction", "poster", "data", "hx-get", "hx-post", "hx-put",
                            "hx-patch", "hx-delete", "xlink:href"})


class _PageReferences(HTMLParser):
    """Every URL a page points at, and anything a strict CSP would block."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.links: list[str] = []  # where a person can navigate with a GET: what the crawl follows
        self.stylesheets: list[str] = []
        self.blocked: list[str] = []  # inline code without a nonce, style attributes, event handlers

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRIBUTES:
                self.urls.append(value)
                if tag == "a" and name == "href":
                    self.links.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.urls += [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]
            elif name == "style":
                self.blocked.append(f"<{tag} style=...>")
                self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)
            elif name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=...>")
        if tag == "script" and "src" not in attributes and "nonce" not in attributes \
                and attributes.get("type", "text/javascript") in ("text/javascript", "module"):
            self.blocked.append("<script> without a nonce")
        if tag == "style" and "nonce" not in attributes:
            self.blocked.append("<style> without a nonce")
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.stylesheets.append(attributes.get("href") or "")


def _other_origin(url: str) -> bool:
    """True when the URL would make the browser talk to another host (or a script URL)."""
    url = url.strip()
    if url.lower().startswith("javascript:"):
        return True
    if url.startswith(("#", "data:", "mailto:", "blob:")):
        return False
    parts = urllib.parse.urlsplit(url)
    return bool(parts.netloc) and parts.hostname not in ("testserver",)


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    owner = get_user_model().objects.get(username="demo")
    client = Client()
    client.force_login(owner)
    return owner, client


def _demo_start_pages(owner) -> list[str]:
    journeys = list(Journey.objects.filter(workspace__memberships__user=owner).order_by("pk"))
    workspace = journeys[0].workspace
    pages = ["/maps/", f"/w/{workspace.slug}/members/", f"/w/{workspace.slug}/stakeholders/",
             f"/w/{workspace.slug}/compliance/", f"/w/{workspace.slug}/diagnosis/settings/",
             f"/w/{workspace.slug}/maps/import/", "/account/api-tokens/", "/mentions/", "/w/new/"]
    for journey in journeys:
        card = Card.objects.filter(journey=journey, deleted_at=None).first()
        pages += [f"/maps/{journey.pk}/{suffix}" for suffix in (
            "", "present/", "workshop/", "share/", "exports/", "export/", "comments/", "activity/", "settings/",
            "stakeholders/", "diagnosis/", "diagnosis/charts/", "diagnosis/fixes/", "diagnosis/metrics/",
            "diagnosis/compare/", "safety/")]
        pages.append(f"/maps/{journey.pk}/cards/{card.pk}/")
    link = share_link_create(actor=owner, journey=journeys[0], days=1)
    pages.append(f"/share/{share_link_token(link=link)}/")
    return pages


# Paths a crawl must not follow: streams never end, and signing out would end the crawl.
_NOT_CRAWLED = re.compile(r"/events/$|^/accounts/logout/|/download/|\.csv$|/export/[^/]+/$|^/admin/")


def test_every_signed_in_page_references_only_its_own_origin(demo):
    owner, client = demo
    queue = _demo_start_pages(owner)
    seen, pages, stylesheets, offences = set(queue), 0, set(), []
    while queue and pages < 200:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        pages += 1
        parser = _PageReferences()
        parser.feed(response.content.decode())
        offences += [f"{path}: {url}" for url in parser.urls if _other_origin(url)]
        offences += [f"{path}: {blocked}" for blocked in parser.blocked]
        stylesheets.update(parser.stylesheets)
        for url in parser.links:
            target = urllib.parse.urljoin(path, url.split("#")[0])
            if target.startswith("/") and target not in seen and not _NOT_CRAWLED.search(target) \
                    and not target.startswith(settings.STATIC_URL):
                seen.add(target)
                queue.append(target)
    assert pages > 60, f"the crawl reached only {pages} pages"
    assert stylesheets, "no stylesheet found"
    for href in stylesheets:
        path = finders.find(urllib.parse.urlsplit(href).path.removeprefix(settings.STATIC_URL))
        assert path, href
        css = Path(path).read_text(encoding="utf-8")
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css) + re.findall(r"@import\s+['\"]([^'\"]+)", css)
        offences += [f"{href}: {url}" for url in urls if _other_origin(url)]
    assert offences == []


def test_other_origins_are_found_by_the_crawl_checks():
    """The checks above would see a reference to another host, an inline handler or an unsigned script."""
    parser = _PageReferences()
    parser.feed('<img srcset="/a.png 1x, https://cdn.example.com/b.png 2x"><a href="//evil.example/x">x</a>'
                '<div style="color:red" onclick="go()"></div><script>alert(1)</script>')
    assert [url for url in parser.urls if _other_origin(url)] == ["https://cdn.example.com/b.png",
                                                                   "//evil.example/x"]
    assert len(parser.blocked) == 3


def test_content_security_policy_is_strict_on_real_pages(client, owner_client, journey):
    signed_in = owner_client
    for page_client, path in [(client, "/accounts/login/"), (signed_in, f"/maps/{journey.pk}/"),
                              (signed_in, f"/maps/{journey.pk}/present/"),
                              (signed_in, f"/maps/{journey.pk}/diagnosis/charts/")]:
        response = page_client.get(path)
        assert response.status_code == 200, path
        policy = _csp_directives(response["Content-Security-Policy"])
        nonce = re.search(r"'nonce-([^']+)'", " ".join(policy["script-src"])).group(1)
        assert f'nonce="{nonce}"' in response.content.decode() or "<script" not in response.content.decode()
        for directive in ("default-src", "script-src", "style-src", "img-src", "font-src", "connect-src"):
            values = policy[directive]
            assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values, (path, directive)
            assert not any(value in ("*", "http:", "https:") or "://" in value for value in values), directive
        # Styles come only from our own stylesheets: no inline style, no other origin.
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
        # A fresh nonce per response: a nonce seen once cannot be reused by an injected script.
        assert nonce not in page_client.get(path)["Content-Security-Policy"]


def test_check_deploy_is_clean_on_production_settings():
    # The browser tests allow sync database calls from async code in this process; a deployment must not.
    environment = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment |= {"DJANGO_SETTINGS_MODULE": "journeymap.settings.production", "SECRET_KEY": SECRET,
                    "ALLOWED_HOSTS": "maps.example.org"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_http_only_and_same_site(owner):
    production = _production_settings()
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    with override_settings(**production):
        client = Client()
        login_page = client.get("/accounts/login/", secure=True)
        assert login_page.status_code == 200
        response = client.post("/accounts/login/", {"login": owner.username, "password": "a-test-password-1"},
                               secure=True, headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 302
        response = client.get("/maps/", secure=True)
        assert response.status_code == 200
        assert "max-age=31536000" in response["Strict-Transport-Security"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    # The CSRF cookie stays readable by the page (HTMX sends the token from <body hx-headers>) but never
    # leaves HTTPS and never rides on another site's request.
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    # Plain HTTP is sent to HTTPS before anything else happens.
    with override_settings(**production):
        assert Client().get("/maps/").status_code == 301
