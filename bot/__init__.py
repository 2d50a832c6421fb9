"""An offline FAQ chatbot over a folder of articles: cited answers, no LLM."""

__version__ = "0.1.0"
