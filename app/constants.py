"""Sentinels shared by the answerers, the citation check, the UI and the tests."""

from __future__ import annotations

ABSTAIN_ID = "Tidak ditemukan di artikel yang tersimpan."
ABSTAIN_EN = "Not found in the ingested articles."
ABSTAIN_TEXTS = frozenset({ABSTAIN_ID, ABSTAIN_EN})


def abstain_text(lang: str) -> str:
    """The abstention sentence in the question's language ('id' or 'en')."""
    return ABSTAIN_ID if lang == "id" else ABSTAIN_EN


NO_INFO_ID = "Tidak ditemukan informasi tentang {entity} di artikel yang tersimpan."
NO_INFO_EN = "No information about {entity} in the ingested articles."


def no_info_text(entity: str, lang: str) -> str:
    """The comparison sentence for a side the articles say nothing about."""
    return (NO_INFO_ID if lang == "id" else NO_INFO_EN).format(entity=entity)
