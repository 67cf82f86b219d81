"""Evaluation plots for the Dagster UI: calibration curve, cumulative gains, score distribution.

Each plot is a `Plot` with a PNG image drawn with matplotlib (headless, the Agg backend), Markdown that embeds it
as a base64 data URI above a table of its numbers (what `MetadataValue.md` shows on the asset's page in the
Dagster UI - the pattern of Dagster's own tutorial), and a Vega-Lite spec built with Altair (`MetadataValue.json`;
paste it into any Vega-Lite viewer for an interactive version). Without matplotlib `png` is None and the Markdown
holds the table only.

    from dagster import MetadataValue
    plots = evaluation_plots(comparison)
    metadata = {f"{name}_plot": MetadataValue.md(p.markdown) for name, p in plots.items()}
    metadata |= {f"{name}_vega_lite": MetadataValue.json(p.vega_lite) for name, p in plots.items()}
"""

from __future__ import annotations

import base64
import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import pandas as pd

from ml.evaluation import Comparison

HISTOGRAM_BINS: Final = 20
MATPLOTLIB_AVAILABLE: Final = importlib.util.find_spec("matplotlib") is not None
FIGURE_SIZE: Final = (5.6, 3.6)
DPI: Final = 80


@dataclass(frozen=True)
class Plot:
    name: str
    title: str
    markdown: str
    vega_lite: dict[str, Any]
    data: pd.DataFrame
    png: bytes | None = None


def _markdown_table(frame: pd.DataFrame, decimals: int = 4) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float | np.floating):
            return "" if np.isnan(value) else f"{value:.{decimals}f}"
        return str(value)

    lines = ["| " + " | ".join(str(c) for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def _render(draw: Callable[[Any], None]) -> bytes | None:
    """A PNG of what `draw(axes)` plots, or None without matplotlib."""
    if not MATPLOTLIB_AVAILABLE:
        return None
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGURE_SIZE, dpi=DPI, layout="constrained")
    draw(figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _with_image(plot: Plot, draw: Callable[[Any], None]) -> Plot:
    """The plot with its PNG, embedded at the top of its Markdown."""
    png = _render(draw)
    if png is None:
        return plot
    image = f"![{plot.title}](data:image/png;base64,{base64.b64encode(png).decode()})\n\n"
    return replace(plot, png=png, markdown=image + plot.markdown)


def _draw_calibration(data: pd.DataFrame) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        top = float(max(data["mean_score"].max(), data["observed_rate"].max(), 0.01)) if len(data) else 1.0
        ax.plot([0, top], [0, top], linestyle="--", color="gray", linewidth=1, label="perfect")
        for scorer, rows in data.groupby("scorer", sort=False):
            ax.plot(rows["mean_score"], rows["observed_rate"], marker="o", markersize=3, label=str(scorer))
        ax.set(xlabel="mean score (bin)", ylabel="observed conversion rate", title="Calibration (equal-mass bins)")
        ax.legend(fontsize=7)

    return draw


def _draw_gains(curve: pd.DataFrame) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        ax.plot([0, 1], [0, 1], linestyle="--", color="gray", linewidth=1, label="random")
        for scorer, rows in curve.groupby("scorer", sort=False):
            ax.plot(rows["contacted_share"], rows["cumulative_gain"], marker="o", markersize=3, label=str(scorer))
        ax.set(xlabel="share of prospects contacted (highest score first)", ylabel="share of conversions",
               title="Cumulative gains")
        ax.legend(fontsize=7)

    return draw


def _draw_distribution(data: pd.DataFrame) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        for (scorer, outcome), rows in data.groupby(["scorer", "outcome"], sort=False):
            ax.stairs(rows["count"].to_numpy(), [*rows["bin_start"], rows["bin_end"].iloc[-1]],
                      label=f"{scorer}, {outcome}")
        ax.set(xlabel="score", ylabel="prospects", title="Score distribution")
        ax.legend(fontsize=6)

    return draw


def _altair():
    import altair as alt

    return alt


def calibration_plot(comparison: Comparison) -> Plot:
    """Observed conversion rate against mean score per equal-mass bin, one line per scorer, and the diagonal."""
    data = pd.concat(
        [table.assign(scorer=name) for name, table in comparison.calibration.items()], ignore_index=True
    )[["scorer", "bin", "n", "mean_score", "observed_rate"]]
    alt = _altair()
    top = float(max(data["mean_score"].max(), data["observed_rate"].max(), 0.01)) if len(data) else 1.0
    diagonal = pd.DataFrame({"mean_score": [0.0, top], "observed_rate": [0.0, top]})
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("mean_score:Q", title="mean score (bin)"),
            y=alt.Y("observed_rate:Q", title="observed conversion rate"),
            color=alt.Color("scorer:N"),
            tooltip=["scorer", "bin", "n", "mean_score", "observed_rate"],
        )
    )
    perfect = (
        alt.Chart(diagonal).mark_line(strokeDash=[4, 4], color="gray").encode(x="mean_score:Q", y="observed_rate:Q")
    )
    spec = (perfect + lines).properties(title="Calibration (equal-mass bins)", width=420, height=320).to_dict()
    wide = data.pivot_table(index="bin", columns="scorer", values=["mean_score", "observed_rate"]).sort_index()
    wide.columns = [f"{scorer} {what}" for what, scorer in wide.columns]
    table = wide.reset_index()
    markdown = "**Calibration** - equal-mass bins by score; a calibrated scorer has observed = mean score.\n\n"
    plot = Plot("calibration", "Calibration", markdown + _markdown_table(table), spec, data)
    return _with_image(plot, _draw_calibration(data))


def gains_plot(comparison: Comparison) -> Plot:
    """Cumulative share of conversions against share of prospects contacted (by score), per scorer + random."""
    parts = []
    for name, table in comparison.gains.items():
        share = table["cumulative_n"] / max(int(table["n"].sum()), 1)
        parts.append(
            pd.DataFrame(
                {
                    "scorer": name,
                    "decile": table["decile"],
                    "contacted_share": share,
                    "cumulative_gain": table["cumulative_gain"],
                    "lift": table["lift"],
                    "cumulative_lift": table["cumulative_lift"],
                }
            )
        )
    data = pd.concat(parts, ignore_index=True)
    alt = _altair()
    origin = pd.DataFrame({"scorer": data["scorer"].unique(), "contacted_share": 0.0, "cumulative_gain": 0.0})
    curve = pd.concat([origin, data[["scorer", "contacted_share", "cumulative_gain"]]], ignore_index=True)
    lines = (
        alt.Chart(curve)
        .mark_line(point=True)
        .encode(
            x=alt.X("contacted_share:Q", title="share of prospects contacted (highest score first)"),
            y=alt.Y("cumulative_gain:Q", title="share of conversions captured"),
            color="scorer:N",
        )
    )
    diagonal = pd.DataFrame({"contacted_share": [0.0, 1.0], "cumulative_gain": [0.0, 1.0]})
    random = alt.Chart(diagonal).mark_line(strokeDash=[4, 4], color="gray").encode(
        x="contacted_share:Q", y="cumulative_gain:Q"
    )
    spec = (random + lines).properties(title="Cumulative gains", width=420, height=320).to_dict()
    wide = data.pivot_table(index="decile", columns="scorer", values=["cumulative_gain", "lift"]).sort_index()
    wide.columns = [f"{scorer} {what}" for what, scorer in wide.columns]
    markdown = "**Cumulative gains and lift by decile** (decile 1 = highest scores; random = decile/10).\n\n"
    plot = Plot("gains", "Cumulative gains", markdown + _markdown_table(wide.reset_index()), spec, data)
    return _with_image(plot, _draw_gains(curve))


def score_distribution_plot(comparison: Comparison, bins: int = HISTOGRAM_BINS) -> Plot:
    """Histogram of scores on 0..1 per scorer, converted and not converted apart."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for name, scores in comparison.scores.items():
        clipped = np.clip(scores, 0.0, 1.0)
        for label in (0, 1):
            counts, _ = np.histogram(clipped[comparison.labels == label], bins=edges)
            rows += [
                {"scorer": name, "outcome": "converted" if label else "not converted", "bin_start": float(lo),
                 "bin_end": float(hi), "count": int(c)}
                for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True)
            ]  # fmt: skip
    data = pd.DataFrame(rows, columns=["scorer", "outcome", "bin_start", "bin_end", "count"])
    alt = _altair()
    spec = (
        alt.Chart(data)
        .mark_bar(opacity=0.7)
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title="score"),
            x2="bin_end:Q",
            y=alt.Y("count:Q", stack=None, title="prospects"),
            color="outcome:N",
            row="scorer:N",
        )
        .properties(title="Score distribution", width=420, height=120)
        .to_dict()
    )
    totals = data.assign(bin=lambda d: d["bin_start"].map(lambda v: f"{v:.2f}"))
    wide = totals.pivot_table(index="bin", columns="scorer", values="count", aggfunc="sum").sort_index()
    markdown = "**Score distribution** - prospects per score bin (both outcomes).\n\n"
    plot = Plot("score_distribution", "Score distribution", markdown + _markdown_table(wide.reset_index()), spec,
                data)
    return _with_image(plot, _draw_distribution(data))


def evaluation_plots(comparison: Comparison) -> dict[str, Plot]:
    """The three plots of an evaluation, by name."""
    plots = (calibration_plot(comparison), gains_plot(comparison), score_distribution_plot(comparison))
    return {p.name: p for p in plots}
