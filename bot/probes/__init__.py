"""Live, advisory checks of a request's production URLs (httpx), safe to point at anything:
only public addresses are ever connected to."""

from bot.probes.probe import PROBED_FIELDS, ProbeOptions, Prober, probe_findings

__all__ = ["PROBED_FIELDS", "ProbeOptions", "Prober", "probe_findings"]
