"""Fixture data the sandbox starts with: the default login and Piccolo's public OAuth apps.

The OAuth applications are those of Piccolo's ``client_oauth.yml`` fixture; the first one is
the client the official SensiML Python SDK has built in, so the SDK can log in unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_USERNAME = "piccolo@sensiml.com"
DEFAULT_PASSWORD = "TinyML4Life"
DEFAULT_TEAM = "Piccolo"

SDK_CLIENT_ID = "qQ3hZ1VIn8xsHIg4ci5Kugyfj68SrJGi2pJM2rPt"
SDK_CLIENT_SECRET = (
    "0W1wyEPLzTt38Zdq0Ky2odibE2KTWs7vHwzqBDoO9pU97Bp764BEBAlmDXX28dCPloDx0hcjMKBaPJTyH2jYEZ80"
    "sHeIX9SsMIvIcGnRcqcbHIyxSA96mDeSQJ7tKjh2"
)

ACCESS_TOKEN_EXPIRE_SECONDS = 36000.0
ENGINE_VERSION = "2024.2.0-sandbox"


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """A public OAuth application allowed to use the password and refresh grants."""

    name: str
    client_id: str
    client_secret: str


@dataclass(frozen=True, slots=True)
class SandboxUser:
    """A login the sandbox accepts. Usernames are e-mail addresses, matched case-insensitively."""

    username: str
    password: str
    team: str = DEFAULT_TEAM


DEFAULT_USER = SandboxUser(DEFAULT_USERNAME, DEFAULT_PASSWORD, DEFAULT_TEAM)

OAUTH_CLIENTS: tuple[OAuthClient, ...] = (
    OAuthClient("Piccolo AI SensiML Python Client", SDK_CLIENT_ID, SDK_CLIENT_SECRET),
    OAuthClient(
        "Piccolo AI Data Studio",
        "f7BuqpT9Pi1rU9U94nHRRvbItMKuRDW9mMIufgJM",
        "gVOzUQDz3KyfAuWZ8f7lhF00AJWi2kje0jAZSTc2axvwUFInX3JRE71VYjfsCoLtW1VF9BU3BlcjoVwyzUwF"
        "ISWzPKC30fo6Wnk4QZiFYtvnJBLanqI23RDv4jKKAWu0",
    ),
    OAuthClient(
        "Piccolo AI Analytics Studio UI",
        "XyHQ0fSNxoi3vydnjaqXKCMXg1AYdpvBPqtFdR5U",
        "sxRICnPzZncZxBMXJMXMYfa9OJr0p7eAvcHj1C7yzQr5HJsB4blWfyYpb78bHGfzhW1Kmv4JpUNpjl4P0nhZ"
        "Fer3PaZEgi9e7zQJjsSUNBQYkE1ffpk0yGgoC7TZGCrY",
    ),
    OAuthClient(
        "SensiML Analytics Studio UI",
        "cEJR6P7BzASf3n8ydVpbshRj66UbMWjCjTUbqkRk",
        "aKAv1v2FmazLRsE5taKpxqO3RMqtWhTWz8MO5MOvKo31OE3KXlvtrBSCWC6VlTVKBqYzdsdCwvzOsMYZLB9U"
        "X99du1cc93xb2GfYFrDFiBFYCyqg0Rq5FRxuPHDpNxy0",
    ),
)
