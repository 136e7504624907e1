"""Bias audits of scoring algorithms with fairlearn: selection rate and mean score by sex, age
band, arrondissement and disability — never nationality or its proxies. A disparity over the
stated thresholds (bias.yaml) flags the algorithm's register entry."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, selection_rate
from sqlalchemy import Engine, select

from recoque.core.errors import RecoqueError
from recoque.core.parameters import ParameterFile
from recoque.core.store import session_scope
from recoque.governance.algorithms import ALGORITHMS, discover
from recoque.governance.models import BiasAudit

PARAMETERS = ParameterFile(__file__, "bias.yaml")


class BiasAuditError(RecoqueError):
    """The audit was asked to do what it must not (e.g. group by nationality)."""


def _mean_score(y_true, y_pred) -> float:  # noqa: ARG001 - fairlearn's metric signature
    return float(np.mean(y_pred))


def age_band(age: pd.Series) -> pd.Series:
    bands = PARAMETERS["age_bands"]
    labels = [f"{lo}-{hi}" if hi < 120 else f"{lo}+" for lo, hi in bands]
    return pd.cut(age, bins=[b[0] - 0.5 for b in bands] + [bands[-1][1] + 0.5], labels=labels)


def audit_scores(frame: pd.DataFrame, *, score: str = "score", selected: str = "selected",
                 groups: list[str] | None = None) -> dict:
    """MetricFrames of ``selected`` (0/1) and ``score`` (0–1) by each group column of ``frame``."""
    p = PARAMETERS
    groups = groups or list(p["groups"])
    forbidden = sorted({g.lower() for g in groups} & set(p["forbidden_features"]))
    if forbidden:
        raise BiasAuditError(f"{', '.join(forbidden)}: {p['forbidden_rule']}")
    frame = frame.copy()
    if "age_band" in groups and "age_band" not in frame:
        frame["age_band"] = age_band(frame["age"])
    y_sel = frame[selected].astype(int).to_numpy()
    result: dict = {"population": int(len(frame)), "groups": {}, "flags": []}
    for group in groups:
        sizes = frame[group].astype(str).value_counts()
        small = set(sizes[sizes < p["min_group_size"]["value"]].index)
        mask = ~frame[group].astype(str).isin(small)
        mf = MetricFrame(metrics={"selection_rate": selection_rate},
                         y_true=y_sel[mask.to_numpy()], y_pred=frame.loc[mask, selected].astype(int).to_numpy(),
                         sensitive_features=frame.loc[mask, group].astype(str))
        scores = MetricFrame(metrics=_mean_score, y_true=y_sel[mask.to_numpy()],
                             y_pred=frame.loc[mask, score].astype(float).to_numpy(),
                             sensitive_features=frame.loc[mask, group].astype(str))
        by_group = mf.by_group.assign(mean_score=scores.by_group)
        rates = by_group["selection_rate"]
        ratio = float(rates.min() / rates.max()) if rates.max() > 0 else 1.0
        gap = float(scores.difference())
        entry = {"by_group": {str(k): {"selection_rate": round(float(v["selection_rate"]), 4),
                                       "mean_score": round(float(v["mean_score"]), 4),
                                       "people": int(sizes[str(k)])} for k, v in by_group.iterrows()},
                 "withheld_groups": sorted(small), "selection_rate_ratio": round(ratio, 4),
                 "mean_score_difference": round(gap, 4)}
        result["groups"][group] = entry
        if ratio < p["selection_rate_ratio_min"]["value"]:
            result["flags"].append(f"{group}: selection-rate ratio {ratio:.2f} < {p['selection_rate_ratio_min']['value']}")
        if gap > p["mean_score_difference_max"]["value"]:
            result["flags"].append(f"{group}: mean-score gap {gap:.2f} > {p['mean_score_difference_max']['value']}")
    result["flagged"] = bool(result["flags"])
    return result


def record_audit(engine: Engine, algorithm_id: str, result: dict) -> None:
    declared = ALGORITHMS.get(algorithm_id) or discover().get(algorithm_id)
    if declared is None:
        raise BiasAuditError(f"algorithm {algorithm_id!r} is not declared in the code")
    with session_scope(engine) as session:
        session.add(BiasAudit(algorithm_id=algorithm_id, algorithm_version=declared.version,
                              at=datetime.now(UTC), flagged=result["flagged"], result=result))


def latest_audits(engine: Engine) -> dict[str, dict]:
    """The latest audit of each algorithm: {id: {at, flagged, flags}} (shown on the register)."""
    with session_scope(engine) as session:
        rows = session.scalars(select(BiasAudit).order_by(BiasAudit.id)).all()
        return {r.algorithm_id: {"at": r.at.isoformat(), "flagged": r.flagged, "flags": r.result.get("flags", []),
                                 "version": r.algorithm_version} for r in rows}
