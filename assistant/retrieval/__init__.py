"""Finding passages for a question: hybrid dense + BM25 ranking, and cross-lingual query
translation through the review's own glossary."""
