"""Building the searchable store: chunks and single sentences, their embeddings (the bundled
multilingual-e5-small), and the Chroma store (embedded or on a server) with its fingerprint."""
