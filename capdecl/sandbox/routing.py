"""What resource modules need to declare routes: :class:`Route` and the :class:`Call`
handed to each handler."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import Request, Response, request
from werkzeug.datastructures import FileStorage

from capdecl.sandbox.apierrors import flat_error
from capdecl.sandbox.defaults import SandboxUser
from capdecl.sandbox.multipart import Form, parse_form
from capdecl.sandbox.store import Store


@dataclass
class Call:
    """One API request as a handler sees it."""

    store: Store
    user: SandboxUser
    params: dict[str, str]

    @property
    def request(self) -> Request:
        return request

    @property
    def base_url(self) -> str:
        """``http://host:port/``, used for absolute URLs in responses."""
        return str(request.host_url)

    @property
    def team(self) -> str:
        return self.user.team

    @cached_property
    def is_form(self) -> bool:
        return request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded")

    @cached_property
    def form(self) -> Form:
        """A form body's fields and files (multipart bodies through the fast path when it
        recognises them; otherwise, and for urlencoded bodies, Werkzeug's parser)."""
        if request.mimetype == "multipart/form-data":
            boundary = request.mimetype_params.get("boundary", "")
            parsed = parse_form(request.get_data(cache=True), boundary)
            if parsed is not None:
                return parsed
        return request.form, request.files

    @cached_property
    def body(self) -> Any:
        """The parsed body: JSON value, form fields (last value wins), or ``{}`` when empty."""
        if self.is_form:
            fields = self.form[0]
            return {key: fields.getlist(key)[-1] for key in fields}
        raw = request.get_data(cache=True)
        if not raw:
            return {}
        if request.mimetype != "application/json":
            detail = f'Unsupported media type "{request.content_type}" in request.'
            raise flat_error(415, detail)
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as error:
            raise flat_error(400, f"JSON parse error - {error}") from None

    def file(self, name: str) -> FileStorage | None:
        return self.form[1].get(name) if self.is_form else None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")


Handler = Callable[[Call], Response]


@dataclass(frozen=True)
class Route:
    """A path template and its handlers. ``kind`` picks authentication and error rendering:
    ``drf`` (401 JSON), ``binary`` (file downloads: non-JSON errors), ``django`` (plain
    Django views: 403 empty body), ``public`` (no authentication, no faults)."""

    template: str
    handlers: Mapping[str, Handler]
    kind: str = "drf"

    @property
    def rule(self) -> str:
        return self.template.replace("{", "<").replace("}", ">")
