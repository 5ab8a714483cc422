"""Measure each language's mean embedding on the built-in articles and write it to
``vectorstore/language_means.json``: ``python -m app.fitting.language_means``.

Dense similarities are taken less the question's similarity to the mean embedding of the
text's language (:func:`vectorstore.embeddings.language_means`), which removes the pull of a
multilingual embedder towards the question's own language. That mean is the embedder's, not
the store's: a store's own mean holds its topics too, and where its languages hold different
topics (an English article on cycling, an Indonesian one on a flood) taking it off a
similarity took off the topic the question asks about, and the other article's sentences were
quoted. The means are measured once per embedder on ``data/corpus`` (articles of our own, five
topics in each language), chunked as ``telaah ingest`` chunks, and shipped.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date
from pathlib import Path

from vectorstore.embeddings import MEANS_PATH, model_id

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    from app.settings import Settings
    from ingest.pipeline import ingest

    with tempfile.TemporaryDirectory() as work:
        settings = Settings(data_dir=Path(work))
        embeddings = settings.embeddings()
        store = settings.store(embeddings)
        ingest([str(ROOT / "data" / "corpus")], settings.ingest, embeddings, store)
        means = store.language_centroids(sample=store.chunk_count())
        chunks = store.chunk_count()
    data = json.loads(MEANS_PATH.read_text(encoding="utf-8")) if MEANS_PATH.exists() else {}
    data[model_id(embeddings)] = {
        "measured": date.today().isoformat(),
        "on": f"data/corpus, {chunks} chunks",
        "means": {lang: [round(float(x), 6) for x in v] for lang, v in sorted(means.items())},
    }
    MEANS_PATH.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {MEANS_PATH.relative_to(ROOT)} for {model_id(embeddings)}", file=sys.stderr)


if __name__ == "__main__":
    main()
