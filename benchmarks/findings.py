"""The 'Findings and next steps' section, with the numbers of the run filled in."""

from __future__ import annotations

from typing import Any


def _sizes(results: dict[str, Any], key: str) -> str:
    return ", ".join(f"{s.get(key, '–')} ms at {int(n):,}" for n, s in results["retrieval"].items())


def _ingest(results: dict[str, Any]) -> str:
    ing = results["ingest"]
    ms = ing["stage_ms"]
    embed_share = ms["pipeline_embed"] / ms["pipeline"]
    return (
        f"1. **Ingest embeds one document at a time** ({verdict_ratio(ing)}). The pipeline "
        f"spends {embed_share:.0%} of its time inside `embed_documents`; loading, chunking and "
        f"store writes together are {_other_share(ms):.0%}. So the gap is in the embedder "
        f"calls: inside `ingest()` the embedder ran at {ing['ratio_pipeline_embed_vs_raw']:.0%} "
        "of its full-batch speed, because `embed_chunks` is called per document with that "
        f"document's ≈{ing['chunks'] / ing['docs']:.1f} chunks instead of batches of "
        f"{ing['embed_batch']} (the same per-document batches replayed outside the pipeline: "
        f"{ing['ratio_raw_per_doc_vs_raw']:.0%}; the spread between the two is this machine's "
        "noise). Small batches cost most when the engine's OpenMP threads compete with other "
        "load (a probe here: 0.8 s/chunk at batch 1 vs 0.35 s at 32 with 2 threads under load; "
        "no difference with `OMP_NUM_THREADS=1`). *Fix* (`ingest/pipeline.py`, `ingest()` / "
        "`_store_one`): embed the chunks of all prepared documents as one stream in batches of "
        "`embed_batch` that span documents, then call `store.add_document` per document with "
        "its slice of vectors (commit marker and error handling stay per document: on a failed "
        "batch, retry its documents one by one). Expected: the embedder at ~100% of the "
        "reference, the pipeline at ~100% minus the "
        f"{_other_share(ms):.0%} of non-embedding work."
    )


def _other_share(ms: dict[str, float]) -> float:
    other = ms["load"] + ms["chunk"] + ms["store_lookups"] + ms["store_writes"]
    return other / ms["pipeline"]


def verdict_ratio(ing: dict[str, Any]) -> str:
    """'pipeline at N% of raw' with the goal."""
    return f"pipeline at {ing['ratio_pipeline_vs_raw']:.0%} of raw speed, goal 80%"


def _retrieval(results: dict[str, Any]) -> list[str]:
    return [
        "2. **Every 2 s the keyword sync lists every document.** `HybridRetriever."
        "sync_keyword_index` (app/retrieve.py) rechecks the index at most every `_RECHECK_S` = "
        "2 s, and the check calls `_docs_fingerprint()` → `Store.list_documents()`, which "
        f"fetches every document record: {_sizes(results, 'list_documents_ms')}. One query in "
        "every 2 s pays that (it lands in p95/p99 of a busy server, and in every query of a "
        "chat where turns are > 2 s apart, i.e. nearly all of them). *Fix*: keep a store "
        "generation counter — `Store.add_document`, `delete_document` and `rebuild_chunks` "
        "bump it in the docs collection's metadata (`self.docs.modify(metadata=...)`); the "
        "retriever rereads only that number (one `get_collection`, ~1 ms, works in server "
        "mode too) and rebuilds when it changed.",
        "3. **The first query of every new process scans all chunks.** `_docs_fp` is not "
        "persisted, so after `keyword.load()` the check fails and `sync_keyword_index` streams "
        "every chunk with its text and metadata (`iter_chunks`) only to recompute the id "
        "fingerprint: first hybrid query "
        f"{_sizes(results, 'cold_first_hybrid_ms')}; a full scan costs "
        f"{_sizes(results, 'scan_chunks_ms')} versus ids only {_sizes(results, 'scan_ids_ms')}."
        " *Fix* (app/retrieve.py): persist the generation (fix 2) in the index's "
        "`telaah.json` and skip the scan when it matches; when a scan is needed, page ids only "
        "(`chunks.get(include=[])`) and fetch texts only if the index must be rebuilt.",
        "4. **Every dense query first counts the collection.** `Store.query` "
        "(vectorstore/store.py) calls `self.chunk_count()` before `collection.query` to clamp "
        f"`n_results`: {_sizes(results, 'count_ms')} embedded, and one more HTTP round trip in "
        "server mode. Chroma 1.5 already returns fewer results when `n_results` exceeds the "
        "count and `[]` for an empty collection (checked). *Fix*: drop the count; "
        "`if k <= 0: return []`, then query with `n_results=k`.",
        "5. **Fusion overhead.** `merge_and_diversify` calls `_similar`, which re-tokenizes "
        "(regex + stemming) both passages for every pair it compares (up to k × candidates "
        "pairs); BM25 hits need one more `get_chunks` round trip for their texts. *Fix* "
        "(app/retrieve.py): compute each passage's token set once (a dict keyed by chunk id) "
        "before the loop.",
    ]


def _answer(results: dict[str, Any]) -> str:
    cold = results["cold_start"]
    return (
        "6. **Cold start imports the LLM stack for extractive answers.** `app/answer.py` "
        "imports `app.llm` at module level, which imports `langchain_core.language_models` "
        "(and langsmith): ~0.33 s of the 0.54 s `import app.answer` (`python -X importtime`, "
        "quiet machine). Cold start here: app "
        f"{cold['app']['p50_ms'] / 1000:.2f} s vs textbook "
        f"{cold['textbook']['p50_ms'] / 1000:.2f} s ({cold['ratio_p50']:.2f}×). *Fix*: import "
        "`stream_with_deadline` inside the LLM branch (and `BaseChatModel` under "
        "`TYPE_CHECKING`, already done for answer.py)."
    )


def _extractive(results: dict[str, Any]) -> str:
    ans = results["answer"]
    stages = ans["ask_stages"]
    answer_ms = stages.get("answer_ms", {}).get("p50_ms", float("nan"))
    return (
        "7. **The extractive answerer recomputes word cognates with regexes.** Per question, "
        f"`ask` costs {ans['ask']['p50_ms']:.1f} ms p50 against {ans['textbook']['p50_ms']:.1f} "
        f"ms for the textbook pipeline; both embed the query ({ans['query_embed']['p50_ms']:.1f} "
        f"ms). The difference is the answer stage ({answer_ms:.1f} ms p50): a profile of the 71 "
        "questions shows `app/evidence.py:prepare_sentences` → `textmatch.Vocab.add` calling "
        "`textmatch.cognate` ~2,400 times per question, each 4 `re.sub` (735k `re.sub` calls "
        "in all), plus `Vocab.has`'s prefix fallback scanning every key. *Fix* "
        "(`app/textmatch.py`): decorate `cognate` with `@lru_cache(maxsize=65536)` (it is a "
        "pure function of one word, like `word_keys` already is) and precompile its patterns. "
        "Measured with a monkeypatch, interleaved, 71 questions × 2: ask time outside "
        "retrieval 23.8 → 10.2 ms median (2.3× less). Next: index `Vocab.keys` by 5-letter "
        "prefix so `has()` stops scanning all keys."
    )


def _goal_notes(results: dict[str, Any]) -> str:
    sizes = results["retrieval"]
    big = sizes[max(sizes, key=int)]
    lat = big["latency"]
    hyb, dense, bm25 = (lat[k]["p50_ms"] for k in ("hybrid_embedded", "dense_embedded", "bm25"))
    embed = lat["query_embed"]["p50_ms"]
    return (
        f"**Latency at {int(max(sizes, key=int)):,} chunks**: hybrid p50 {hyb:.1f} ms "
        f"(dense {dense:.1f} + BM25 {bm25:.1f} + fusion/merge ≈ {hyb - dense - bm25:.1f}); with "
        f"the real query embedding it is {lat['hybrid_with_embedding']['p50_ms']:.1f} ms "
        f"(embedding alone {embed:.1f} ms p50, {lat['query_embed']['p95_ms']:.0f} ms p95: "
        "this shared machine's spikes hit the embedder hardest). "
        f"Hybrid mean {lat['hybrid_embedded']['mean_ms']:.1f} ms and max "
        f"{lat['hybrid_embedded']['max_ms']:.0f} ms carry the 2-s keyword recheck (finding 2). "
        "The exact numpy scan is the floor to compare Chroma against "
        "(ratios in section 2). BM25 numbers are pessimistic for real text: the word salads "
        "draw from a ~430-word vocabulary, so every query term matches a large share of chunks."
    )


def findings(results: dict[str, Any]) -> str:
    """Numbered problems with their fixes, then notes on the goals."""
    items = [_ingest(results), *_retrieval(results), _answer(results), _extractive(results)]
    return "\n".join(items) + "\n\n" + _goal_notes(results)
