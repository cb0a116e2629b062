"""Natural-language questions over project88_myappdb (rules first, an LLM as fallback)."""
