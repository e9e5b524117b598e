"""Presenting results: number formats, sentences, charts, table exports and the DOCX/PPTX reports."""
