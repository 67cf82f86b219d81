"""The AI Scoring Engine's machine learning, pure (numpy, pandas, scikit-learn; no database, no Dagster).

| module | what |
| --- | --- |
| `features` | `build_features(prospects, demand, history, as_of)`: the one feature function of training and scoring |
| `labels` | labels (contacted in a window, converted within a horizon), cold-start minimums, time-based split |
| `heuristic` | the transparent cold-start score: supply gap x profile quality, with exact top factors |
| `training` | calibrated gradient boosting, logistic-regression baseline, the candidate's choice, a training run |
| `evaluation` | ROC AUC, PR AUC, Brier, ECE, lift and gains by decile, `compare`, `oracle_auc` |
| `explain` | signed top factors per prospect (log-odds), fast enough for a million rows |
| `plots` | calibration, gains and score-distribution plots (PNG in Markdown + Vega-Lite) for Dagster metadata |
| `registry` | `ModelArtifact`, (de)serialization with sha256, the promotion rule `should_promote` |
| `scoring` | `score(model_or_heuristic, features)`, the cold-start switch, `outreach_priority` |

The Postgres side (registry table, scores table, events) is `outreach.scoring`.
"""
