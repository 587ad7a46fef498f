"""What usage costs: rates per CPU-hour, GiB-hour and GPU-hour (per GPU type), from the settings.

Every priced ledger row keeps the rates it was priced with (:meth:`Rates.applied`), so a change of price changes
what comes next, never what was already spent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..settings import Settings

CURRENCY = "USD"
MICROS = 1_000_000


@dataclass(frozen=True)
class Rates:
    """Dollars per hour of each resource."""

    cpu_hour: float
    gb_hour: float
    gpu_hour: float
    #: ``(type, dollars per GPU-hour)``: a type matches a GPU whose model name contains it.
    gpu_types: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> Rates:
        return cls(settings.price_cpu_hour, settings.price_gb_hour, settings.price_gpu_hour, settings.price_gpu_types)

    def gpu_rate(self, gpu_type: str | None) -> float:
        """The GPU-hour price of a GPU model (the longest matching type wins: ``a100-80gb`` before ``a100``)."""
        if gpu_type:
            name = gpu_type.lower()
            for key, price in sorted(self.gpu_types, key=lambda kv: -len(kv[0])):
                if key in name:
                    return price
        return self.gpu_hour

    def cost_micros(
        self, cpu_seconds: float, memory_gb_seconds: float, gpu_seconds: float = 0.0, gpu_type: str | None = None
    ) -> int:
        """The price of some usage, in millionths of a dollar."""
        dollars = (
            cpu_seconds * self.cpu_hour + memory_gb_seconds * self.gb_hour + gpu_seconds * self.gpu_rate(gpu_type)
        ) / 3600
        return round(dollars * MICROS)

    def applied(self, gpu_type: str | None = None) -> dict[str, Any]:
        """The rates a price used, to store beside it."""
        return {
            "cpu_hour": self.cpu_hour,
            "gb_hour": self.gb_hour,
            "gpu_hour": self.gpu_rate(gpu_type),
            "gpu_type": gpu_type,
            "currency": CURRENCY,
        }


def dollars(micros: int | float) -> float:
    """Micro-dollars as dollars (rounded to the micro-dollar, so sums print cleanly)."""
    return round(micros / MICROS, 6)
