"""A thin HTTP helper for sandbox tests: a requests session with the bearer token."""

from __future__ import annotations

import io
import struct
import wave
from typing import Any

import requests

from capdecl.sandbox import SandboxHandle

TIMEOUT = 30


class Api:
    """``requests`` against one sandbox, paths relative to its root (``"project/"``)."""

    def __init__(self, sandbox: SandboxHandle, token: str | None) -> None:
        self.url = sandbox.url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.session.close()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    # --- shortcuts -------------------------------------------------------------------

    def ok(self, response: requests.Response, status: int = 200) -> Any:
        """The JSON body, asserting the status first (the body is shown when it differs)."""
        assert response.status_code == status, (response.status_code, response.text[:500])
        return response.json() if response.content else None

    def project(self, name: str = "P") -> str:
        return str(self.ok(self.post("project/", json={"name": name}), 201)["uuid"])

    def configuration(self, p: str, name: str = "cfg", **extra: Any) -> dict[str, Any]:
        body = {"name": name, "configuration": {"version": 3}, **extra}
        result: dict[str, Any] = self.ok(
            self.post(f"project/{p}/captureconfiguration/", json=body), 201
        )
        return result

    def upload(
        self, p: str, name: str, content: bytes, filename: str | None = None, **fields: Any
    ) -> requests.Response:
        files = {"file": (filename or name, content)}
        return self.post(f"project/{p}/capture/", files=files, data={"name": name, **fields})

    def capture(
        self,
        p: str,
        name: str = "a.csv",
        content: bytes = b"AccX,AccY\n1,2\n3,4\n5,6\n",
        **fields: Any,
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.ok(self.upload(p, name, content, **fields), 201)
        return result

    def metadata(
        self, p: str, name: str = "Subject", values: tuple[str, ...] = ("John", "Jane")
    ) -> dict[str, Any]:
        body = {"name": name, "type": "string", "metadata": True, "values": list(values)}
        result: dict[str, Any] = self.ok(self.post(f"project/{p}/metadata/", json=body), 201)
        return result


def value_uuid(label: dict[str, Any], value: str) -> str:
    """The uuid of one of a label's values, from its JSON."""
    return next(str(v["uuid"]) for v in label["label_values"] if v["value"] == value)


def wav_bytes(frames: int, channels: int = 1, width: int = 2, rate: int = 16000) -> bytes:
    """A PCM WAV file with ``frames`` frames of a ramp."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        if width == 2:
            samples = [i % 1000 for i in range(frames * channels)]
            writer.writeframes(struct.pack(f"<{len(samples)}h", *samples))
        else:
            writer.writeframes(bytes(frames * channels * width))
    return buffer.getvalue()
