"""Fitting the engine's weights on labelled data (tooling above the engine, the service and the
evaluation): ``python -m app.fitting.fit`` (the answer model) and ``python -m
app.fitting.judge_fit`` (the citation judge)."""
