"""Benchmark of scoring: `ml.scoring.score` against a bare `predict_proba` on the same feature matrix.

    .venv/bin/python bench/bench_scoring.py                 # 1,000,000 prospects
    .venv/bin/python bench/bench_scoring.py --n 200000 --repeats 5

Trains the calibrated gradient-boosting candidate (and the logistic baseline) on a labelled synthetic world drawn
from the sandbox's propensity function (`tests/unit/test_ml_synthetic.py`), builds the features of `--n` synthetic
prospects once (timed apart), then times, best of `--repeats`:

- `bare`: `artifact.pipeline.predict_proba(X)[:, 1]` on the float64 feature matrix - the faster of its C- and
  Fortran-ordered copies, whichever the model prefers (conservative: the ratio is against the best bare time);
- `score`: `ml.scoring.score(artifact, features)` on the feature frame - the same probabilities plus the matrix
  extraction, the top-5 factors of every prospect (as an Arrow column) and the output frame.

Prints one JSON line; `ratio` = score / bare (goal <= 1.5), `overhead_seconds` = score - bare. On a shared machine
the model call's time swings with the background load (OpenMP threads wait for a core); the timings are
interleaved and the best of each kept, and `--threads 1` gives steadier numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit"))

from test_ml_synthetic import HORIZON, make_world  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from ml.features import build_features, feature_matrix  # noqa: E402
from ml.heuristic import HEURISTIC  # noqa: E402
from ml.labels import build_label_windows  # noqa: E402
from ml.scoring import score  # noqa: E402
from ml.training import build_training_frame, run_training  # noqa: E402


def best_of(repeats: int, fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="prospects to score")
    parser.add_argument("--train", type=int, default=60_000, help="prospects of the labelled training world")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument(
        "--threads", type=int, default=None, help="limit OpenMP/BLAS threads while timing (steadier on a busy box)"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    world = make_world(args.train, seed=7)
    labels = build_label_windows(
        world.history, world.start, world.end, timedelta(days=7), HORIZON, world.observed_until
    ).merge(world.truth, on="prospect_id")
    labelled = build_training_frame(world.prospects, world.demand, world.history, labels)
    with threadpool_limits(1, user_api="openmp"):  # small data: OpenMP overhead outweighs the second core
        run = run_training(labelled, embargo=HORIZON, candidate="gbm")  # the trees: the costlier explainer
    train_seconds = time.perf_counter() - started
    candidate, baseline = run.candidate, run.baseline

    population = make_world(args.n, seed=11, contact_share=0.3)
    feature_seconds, features = best_of(
        1, lambda: build_features(population.prospects, population.demand, population.history, population.end)
    )
    X_c = feature_matrix(features)
    X_f = np.asfortranarray(X_c)

    def bare(model, X):
        return lambda: model.pipeline.predict_proba(X)[:, 1]

    results = {}
    limit = threadpool_limits(args.threads) if args.threads else None
    for name, model in (("candidate", candidate), ("baseline", baseline)):
        # Interleaved, best of each: on a shared machine both see the same background load.
        timings: dict[str, list[float]] = {"bare_c": [], "bare_f": [], "score": []}
        for _ in range(args.repeats):
            for key, fn in (
                ("bare_c", bare(model, X_c)),
                ("bare_f", bare(model, X_f)),
                ("score", lambda model=model: score(model, features, top_k=args.top_k)),
            ):
                seconds, result = best_of(1, fn)
                timings[key].append(seconds)
                if key == "bare_c":
                    p_c = result
                elif key == "score":
                    assert np.allclose(result["score"].to_numpy(), np.clip(p_c, 0, 1))
        bare_c, bare_f, ours = (min(timings[k]) for k in ("bare_c", "bare_f", "score"))
        bare_best = min(bare_c, bare_f)
        results[name] = {
            "model_version": model.version,
            "bare_predict_proba_seconds": round(bare_best, 3),
            "bare_c_order_seconds": round(bare_c, 3),
            "bare_f_order_seconds": round(bare_f, 3),
            "score_seconds": round(ours, 3),
            "ratio": round(ours / bare_best, 3),
            "overhead_seconds": round(ours - bare_best, 3),
            "prospects_per_second": round(args.n / ours),
            "all_timings": {k: [round(t, 3) for t in v] for k, v in timings.items()},
        }
    heuristic_seconds, _ = best_of(args.repeats, lambda: score(HEURISTIC, features, top_k=args.top_k))
    if limit is not None:
        limit.restore_original_limits()
    metrics = run.comparison.metrics
    print(
        json.dumps(
            {
                "prospects": args.n,
                "top_k": args.top_k,
                "threads": args.threads or "all",
                "ratio": results["candidate"]["ratio"],
                "goal": 1.5,
                "candidate": results["candidate"],
                "baseline": results["baseline"],
                "heuristic_score_seconds": round(heuristic_seconds, 3),
                "build_features_seconds": round(feature_seconds, 3),
                "training": {
                    "seconds": round(train_seconds, 1),
                    "train_rows": run.train_rows,
                    "holdout_rows": run.holdout_rows,
                    "candidate_iterations": candidate.params["n_iter"],
                    "calibration": candidate.params["calibration"],
                    "explained_factors": len(candidate.explainer.factor_names),
                    "holdout_roc_auc": {k: round(float(v), 4) for k, v in metrics["roc_auc"].items()},
                    "holdout_ece": {k: round(float(v), 4) for k, v in metrics["ece"].items()},
                },
                "cpus": os.cpu_count(),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
