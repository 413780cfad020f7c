"""The eval suite that gates CI: ``python -m bot eval`` (golden set) and ``python -m bot policyqa`` (external)."""

from .dataset import Case, DatasetError, load_cases
from .runner import EvalResult, run_eval
from .thresholds import Thresholds, ThresholdsError, load_thresholds

__all__ = [
    "Case",
    "DatasetError",
    "EvalResult",
    "Thresholds",
    "ThresholdsError",
    "load_cases",
    "load_thresholds",
    "run_eval",
]
