"""shopops — the operations platform of a multi-channel online store."""

__version__ = "0.1.0"
