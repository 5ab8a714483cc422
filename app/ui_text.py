"""The web app's visible strings in English and Bahasa Indonesia."""

from __future__ import annotations

LANGS: dict[str, str] = {"en": "English", "id": "Bahasa Indonesia"}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Telaah — cited answers from your articles",
        "tab_chat": "Chat",
        "tab_add": "Add articles",
        "tab_library": "Library",
        "tab_eval": "Evaluate",
        "question": "Question",
        "question_ph": "e.g. When is Anthropic expected to break even?",
        "ask": "Ask",
        "clear": "New conversation",
        "settings": "Settings",
        "answerer": "Answerer",
        "top_k": "Passages to retrieve (top-k)",
        "provider": "LLM provider",
        "base_url": "LLM base URL",
        "llm_model": "LLM model (name, or GGUF path for llamacpp)",
        "ui_lang": "Interface language",
        "empty": "Ask a question about the articles you have added. "
        "Every sentence of the answer cites a passage; click a [n] marker to read it.",
        "you": "You",
        "sources": "Sources",
        "closest": "Closest passages",
        "abstained": "The articles do not answer this.",
        "unsupported": "not verified against the cited passages",
        "incomplete": "Incomplete answer",
        "thinking": "Searching the articles…",
        "error": "Something went wrong",
        "files": "Upload files (.txt .md .html .pdf)",
        "urls": "URLs (one per line)",
        "paste": "Or paste article text",
        "paste_title": "Title of the pasted text",
        "add": "Add",
        "results": "Results",
        "library": "Documents",
        "document": "Document",
        "delete": "Delete",
        "reingest": "Re-ingest",
        "refresh": "Refresh",
        "library_status": "Status",
        "eval_file": "Question set (JSONL); leave empty for the project set",
        "eval_run": "Run evaluation",
        "eval_summary": "Summary",
        "eval_questions": "Per question",
    },
    "id": {
        "title": "Telaah — jawaban bersumber dari artikel Anda",
        "tab_chat": "Obrolan",
        "tab_add": "Tambah artikel",
        "tab_library": "Pustaka",
        "tab_eval": "Evaluasi",
        "question": "Pertanyaan",
        "question_ph": "mis. Kapan Anthropic diperkirakan mencapai titik impas?",
        "ask": "Tanya",
        "clear": "Percakapan baru",
        "settings": "Pengaturan",
        "answerer": "Penjawab",
        "top_k": "Jumlah bagian yang diambil (top-k)",
        "provider": "Penyedia LLM",
        "base_url": "URL dasar LLM",
        "llm_model": "Model LLM (nama, atau path GGUF untuk llamacpp)",
        "ui_lang": "Bahasa antarmuka",
        "empty": "Ajukan pertanyaan tentang artikel yang sudah Anda tambahkan. "
        "Setiap kalimat jawaban mengutip sebuah bagian; klik penanda [n] untuk membacanya.",
        "you": "Anda",
        "sources": "Sumber",
        "closest": "Bagian terdekat",
        "abstained": "Artikel tidak menjawab pertanyaan ini.",
        "unsupported": "tidak terverifikasi terhadap bagian yang dikutip",
        "incomplete": "Jawaban tidak lengkap",
        "thinking": "Mencari di artikel…",
        "error": "Terjadi kesalahan",
        "files": "Unggah berkas (.txt .md .html .pdf)",
        "urls": "URL (satu per baris)",
        "paste": "Atau tempel teks artikel",
        "paste_title": "Judul teks yang ditempel",
        "add": "Tambahkan",
        "results": "Hasil",
        "library": "Dokumen",
        "document": "Dokumen",
        "delete": "Hapus",
        "reingest": "Muat ulang",
        "refresh": "Segarkan",
        "library_status": "Status",
        "eval_file": "Kumpulan pertanyaan (JSONL); kosongkan untuk set proyek",
        "eval_run": "Jalankan evaluasi",
        "eval_summary": "Ringkasan",
        "eval_questions": "Per pertanyaan",
    },
}

RESULT_HEADERS: dict[str, list[str]] = {
    "en": ["source", "status", "chunks", "reason"],
    "id": ["sumber", "status", "bagian", "alasan"],
}
LIBRARY_HEADERS: dict[str, list[str]] = {
    "en": ["title", "source", "language", "chunks", "published", "doc_id"],
    "id": ["judul", "sumber", "bahasa", "bagian", "terbit", "doc_id"],
}


def text(lang: str, key: str) -> str:
    """One UI string in ``lang`` (English when the language is unknown)."""
    return STRINGS.get(lang, STRINGS["en"])[key]
