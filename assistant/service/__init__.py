"""The assistant for other programs: the HTTP API (OpenAI-compatible chat, JSON endpoints)
and the LangChain seams."""
