"""Figures for /metrics read from the database at scrape time: the registry of readers.

The web process's own figures (request latency by route) come from
django-prometheus. What an operator wants beside them — outbox rows pending
and failed, documents waiting, reminders sent — lives in the database, so it
is true across every node: each concern registers a reader in its tasks.py
(imported at start-up, like the sweeper's re-queuers), and this collector asks
them when Prometheus scrapes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reader:
    name: str
    documentation: str
    read: Callable[[], dict[tuple[str, ...], float]]
    labels: tuple[str, ...] = ()
    counter: bool = False


READERS: dict[str, Reader] = {}


def register_metric(reader: Reader) -> Reader:
    READERS[reader.name] = reader
    return reader


class DatabaseFiguresCollector:
    """A prometheus_client collector over READERS; one failing reader never hides the others."""

    def collect(self):
        for reader in list(READERS.values()):
            family_class = CounterMetricFamily if reader.counter else GaugeMetricFamily
            family = family_class(reader.name, reader.documentation, labels=list(reader.labels))
            try:
                values = reader.read()
            except Exception:  # noqa: BLE001 - a scrape must answer even when one query fails
                logger.exception("Metrics: reading %s failed", reader.name)
                continue
            for label_values, value in values.items():
                family.add_metric(list(label_values), value)
            yield family
