"""Web origins: how a lead form names the company sites allowed to embed and post it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest


def normalize_origin(raw: str) -> str | None:
    """`scheme://host[:port]` in lower case for an http(s) URL without a path, else None.

    "https://Dealer.ru/" → "https://dealer.ru"; default ports are dropped, so the form's
    list compares equal to what browsers send in the Origin header. Wildcards, paths,
    credentials and other schemes are refused: an origin is exactly one site.
    """
    text = (raw or "").strip()
    if not text or len(text) > 255 or any(c in text for c in "*\\ \t\r\n\x00"):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.username or parts.password or parts.query or parts.fragment:
        return None
    if parts.path not in ("", "/"):
        return None
    host = parts.hostname.lower()
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    suffix = f":{port}" if port is not None and port != default else ""
    return f"{parts.scheme}://{host}{suffix}"


def origin_of_url(url: str) -> str | None:
    """The origin of a full URL (a Referer, a return address), or None."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return normalize_origin(f"{parts.scheme}://{parts.netloc}")


def own_origin(request: HttpRequest) -> str | None:
    """The CRM's own origin as this request reached it (the iframe posts from here)."""
    return normalize_origin(f"{request.scheme}://{request.get_host()}")


def request_origin(request: HttpRequest) -> str | None:
    """Where a post came from: the Origin header, else the Referer's origin; None if neither.

    Browsers send Origin on every cross-site POST; "null" (a sandboxed or privacy-
    stripped context) tells nothing, so the Referer decides then.
    """
    origin = request.headers.get("Origin", "").strip()
    if origin and origin != "null":
        return normalize_origin(origin) or "invalid"
    referer = request.headers.get("Referer", "").strip()
    if referer:
        return origin_of_url(referer) or "invalid"
    return None
