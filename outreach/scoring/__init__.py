"""Scoring's Postgres side: the model registry (`registry_store`) and the prospect scores (`scores_store`).

The models, features, evaluation and the scoring itself are pure and live in `ml/`; this package reads their inputs
from and writes their results to Postgres:

| function | what |
| --- | --- |
| `registry_store.save_candidate(conn, artifact)` | store a trained `ml.registry.ModelArtifact` as a candidate |
| `registry_store.apply_decision(conn, version, decision)` | promote or reject as `should_promote` decided |
| `registry_store.promote(conn, version)` / `reject(...)` | the same, by hand |
| `registry_store.load_production(conn)` | the production artifact, or None (cold start: the heuristic scores) |
| `registry_store.rollback(conn)` | restore the previous production model (`outreach model rollback`) |
| `registry_store.list_models(conn)` / `get_entry(...)` / `production_version(...)` | read the registry |
| `scores_store.load_prospects(conn)` / `load_demand(conn, first, last)` | inputs of `ml.features.build_features` |
| `scores_store.write_scores(conn, scores, scored_at=...)` | `app.prospect_scores` + ProspectScoredEvents |
| `daily.score_prospects(conn, day, as_of)` | the daily scoring step (the `prospect_scores` asset) |
| `training_data.load_labelled(conn, as_of)` | labelled first contacts with their features, as of a time |
| `retrain.train_and_register(conn, as_of)` / `decide(...)` | the weekly retrain and its promotion gate |
| `evaluation.evaluate_production(conn, as_of, oracle)` | `outreach model evaluate`: production on its holdout |

See `docs/scoring.md`.
"""
