"""The review as data: its text parsed into sections, paragraphs and references, in-text
citations linked to the reference list, and reference formatting (GB/T 7714, BibTeX)."""
