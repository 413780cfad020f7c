"""One metric per module: retrieval, citation, evidence, faithfulness, refusal, latency."""

from .base import MetricResult, Record, Verdict

__all__ = ["MetricResult", "Record", "Verdict"]
