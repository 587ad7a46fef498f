"""The ``prediction_range`` check family: the model's predictions stay within a configured range.

A policy gives the range as the family's options, and may set the share of predictions allowed outside it as an
ordinary threshold::

    prediction_range: {low: 0, high: 1}
    thresholds: {outside_share: "<= 0.01"}
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from maestro_jupyter.analysis.modeltests import Check, CheckFamily, SuiteContext, Threshold


class RangeOptions(BaseModel):
    """The bounds (either may be left out)."""

    model_config = ConfigDict(extra="forbid")

    low: float | None = None
    high: float | None = None


class PredictionRange(CheckFamily):
    """Every prediction within ``[low, high]`` (by default; a threshold on ``outside_share`` allows some outside)."""

    name = "prediction_range"
    label = "Prediction range"
    options_model = RangeOptions

    def run(self, context: SuiteContext) -> list[Check]:
        options: RangeOptions = self.options(context)
        if options.low is None and options.high is None:
            return [self._skipped("No range given: set prediction_range: {low: ..., high: ...} in the policy")]
        values = np.asarray(context.predictions.values)
        if values.dtype.kind not in "iufb":
            return [self._skipped(f"The predictions are not numbers ({values.dtype})")]
        low = -np.inf if options.low is None else options.low
        high = np.inf if options.high is None else options.high
        outside = int(np.count_nonzero((values < low) | (values > high)))
        share = outside / len(values)
        context.metrics["outside_share"] = share
        threshold = context.policy.threshold("outside_share") or Threshold(op="<=", value=0)
        return [
            Check(
                name="outside_share",
                category=self.name,
                status="passed" if threshold.holds(share) else "failed",
                value=share,
                threshold=str(threshold),
                detail=f"{outside} of {len(values)} predictions outside [{options.low}, {options.high}]",
            )
        ]

    def _skipped(self, why: str) -> Check:
        return Check(name=self.name, category=self.name, status="skipped", detail=why)
