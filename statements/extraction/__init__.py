"""Quote extraction: direct quotes and their speakers from news text. Pure Python (no web framework)."""
from .engine import extract_quotes
from .model import Alias, ExtractedQuote, KnownSpeaker

__all__ = ["Alias", "ExtractedQuote", "KnownSpeaker", "extract_quotes"]
