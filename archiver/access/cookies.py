"""Cookies the operator exported from a logged-in browser, for subscriber crawls.

Two export formats are read: the Netscape ``cookies.txt`` that browser
extensions, curl and wget write, and the JSON storage state that Playwright's
``context.storage_state()`` (and tools built on it) write. Both become
:class:`http.cookiejar.Cookie` objects, the type Scrapy's cookie middleware
keeps, so the cookies are sent by the ordinary ``CookiesMiddleware`` (and,
like every ``Cookie`` header, left out of request records unless
``ARCHIVER_WARC_KEEP_CREDENTIALS`` is on).
"""

from __future__ import annotations

import json
from http.cookiejar import HTTPONLY_ATTR, Cookie, LoadError, MozillaCookieJar
from pathlib import Path
from typing import Any


class CookieFileError(ValueError):
    """A cookies file that cannot be read; the message says which and why."""


def _storage_state_cookie(entry: dict[str, Any]) -> Cookie:
    domain = entry["domain"]
    expires = entry.get("expires")
    return Cookie(
        version=0, name=entry["name"], value=entry["value"], port=None,
        port_specified=False, domain=domain, domain_specified=domain.startswith("."),
        domain_initial_dot=domain.startswith("."), path=entry.get("path", "/"),
        path_specified=True, secure=bool(entry.get("secure")),
        expires=int(expires) if expires and expires > 0 else None, discard=False,
        comment=None, comment_url=None,
        rest={HTTPONLY_ATTR: ""} if entry.get("httpOnly") else {},
    )


def load_cookie_file(path: str | Path) -> list[Cookie]:
    """Every cookie in a ``cookies.txt`` or storage-state file (expired ones too:
    the server decides, and a subscriber crawl should see the refusal)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CookieFileError(f"{path}: cannot read the cookies file ({error})") from None
    if text.lstrip().startswith("{"):
        try:
            return [_storage_state_cookie(entry) for entry in json.loads(text)["cookies"]]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise CookieFileError(f"{path}: not a storage-state file with a \"cookies\" "
                                  f"list ({type(error).__name__}: {error})") from None
    jar = MozillaCookieJar()
    try:
        jar.load(str(path), ignore_discard=True, ignore_expires=True)
    except LoadError as error:
        raise CookieFileError(f"{path}: not a Netscape cookies.txt file ({error})") from None
    cookies = list(jar)
    for cookie in cookies:
        if cookie.expires == 0:  # curl and browser extensions write 0 for session cookies
            cookie.expires = None
    return cookies


def browser_cookies(cookies: list[Cookie]) -> list[dict[str, Any]]:
    """The cookies as Playwright's ``BrowserContext.add_cookies`` takes them."""
    return [
        {"name": c.name, "value": c.value or "", "domain": c.domain, "path": c.path or "/",
         "secure": c.secure, "httpOnly": c.has_nonstandard_attr(HTTPONLY_ATTR),
         **({"expires": c.expires} if c.expires else {})}
        for c in cookies
    ]
