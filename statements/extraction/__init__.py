"""Quote extraction: direct quotes and their speakers from news text. Pure Python (no web framework)."""
from .engine import extract_quotes
from .model import Alias, ExtractedQuote, KnownSpeaker, KnownSpeakers

__all__ = ["Alias", "ExtractedQuote", "KnownSpeaker", "KnownSpeakers", "extract_quotes"]
