"""Figures -> the Prometheus text format, through the `prometheus-client` package.

A fresh registry per scrape holds one collector that yields the families of that scrape's figures: nothing is
kept between scrapes, so there is no global state for tests or several apps in one process to share.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from server.monitoring.figures import Figures

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class ProcessFigures:
    """What only this replica knows."""

    feed_clients: int = 0
    feed_drops: int = 0
    poll_errors: int = 0
    singletons: dict[str, bool] = field(default_factory=dict)  # worker -> this replica runs it


class _Snapshot(Collector):
    def __init__(self, shared: Figures, local: ProcessFigures) -> None:
        self.shared, self.local = shared, local

    def collect(self) -> Iterator[Metric]:
        shared, local = self.shared, self.local
        depth = GaugeMetricFamily("livecue_outbox_depth", "Deliveries in the outbox by state.", labels=["state"])
        age = GaugeMetricFamily("livecue_outbox_oldest_age_seconds",
                                "Age of the oldest delivery in each state.", labels=["state"])
        for state, count in sorted(shared.outbox_depth.items()):
            depth.add_metric([state], count)
            age.add_metric([state], shared.outbox_oldest_seconds.get(state, 0.0))
        yield depth
        yield age
        latency = HistogramMetricFamily("livecue_delivery_latency_seconds",
                                        "Queued to posted, deliveries posted in the last 15 minutes.",
                                        labels=["platform"])
        for platform, hist in sorted(shared.delivery_latency.items()):
            buckets = [(_le(bound), count) for bound, count in hist.buckets] + [("+Inf", hist.count)]
            latency.add_metric([platform], buckets, hist.total)
        yield latency
        yield GaugeMetricFamily("livecue_ingest_lag_seconds",
                                "Received on the platform to stored, newest audience message.",
                                value=shared.ingest_lag_seconds)
        yield GaugeMetricFamily("livecue_ingest_rate_per_second", "Audience messages stored per second, last minute.",
                                value=shared.ingest_rate_per_second)
        yield CounterMetricFamily("livecue_messages_ingested", "Audience messages stored.",
                                  value=shared.messages_ingested)
        queue = GaugeMetricFamily("livecue_question_queue", "Audience messages waiting in the queue by label.",
                                  labels=["label"])
        for label, count in sorted(shared.question_queue.items()):
            queue.add_metric([label], count)
        yield queue
        yield CounterMetricFamily("livecue_poll_errors", "Failed polling rounds in this replica.",
                                  value=local.poll_errors)
        yield GaugeMetricFamily("livecue_feed_clients", "WebSocket feed clients connected to this replica.",
                                value=local.feed_clients)
        yield CounterMetricFamily("livecue_feed_drops", "Feed clients this replica dropped as too slow.",
                                  value=local.feed_drops)
        held = GaugeMetricFamily("livecue_singleton_held",
                                 "1 where this replica runs the one-at-a-time worker.", labels=["worker"])
        for worker, holding in sorted(local.singletons.items()):
            held.add_metric([worker], 1.0 if holding else 0.0)
        yield held


def _le(bound: float) -> str:
    return repr(float(bound))


def render(shared: Figures, local: ProcessFigures) -> bytes:
    """The text exposition of one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(shared, local))
    return generate_latest(registry)
