"""The Gradio web app: ``app.py`` (layout and wiring, one function per tab), ``handlers.py``
(plain functions over the front object), ``render.py`` (answers as safe HTML) and ``text.py``
(the visible strings in English and Bahasa Indonesia)."""
