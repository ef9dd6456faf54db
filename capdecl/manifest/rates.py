"""A capture's ``sample_rate`` against its configuration's (``capture_sources[0]``)."""

from __future__ import annotations

from typing import Any

from capdecl.manifest.configs import source_rate
from capdecl.manifest.documents import Located
from capdecl.manifest.findings import Findings, quote
from capdecl.manifest.model import CaptureModel
from capdecl.state import DesiredConfiguration


class SampleRates:
    """Warns when a capture's sample rate differs from its configuration's: once per
    declaring entry, configuration and rate (not once per file of a large group)."""

    def __init__(self, configurations: dict[str, DesiredConfiguration], findings: Findings) -> None:
        self.configurations = configurations
        self.findings = findings
        self.rates: dict[str | None, tuple[DesiredConfiguration | None, Any]] = {}
        self.reported: set[tuple[int, str, int]] = set()

    def check(
        self, entry: Located[CaptureModel], configuration_name: str | None, sample_rate: int
    ) -> None:
        """``entry`` set ``sample_rate`` on a capture linked to ``configuration_name``."""
        found = self.rates.get(configuration_name)
        if found is None:  # once per configuration name, not once per file
            configuration = self.configurations.get((configuration_name or "").strip())
            found = self.rates[configuration_name] = (configuration, source_rate(configuration))
        configuration, rate = found
        if configuration is None or rate is None or rate == sample_rate:
            return
        key = (id(entry), configuration.name, sample_rate)
        if key not in self.reported:
            self.reported.add(key)
            message = (
                f"sample_rate {sample_rate} differs from the sample_rate {rate} of "
                f"configuration {quote(configuration.name)} (capture_sources[0])"
            )
            self.findings.warning(entry.ref("sample_rate"), entry.field("sample_rate"), message)
