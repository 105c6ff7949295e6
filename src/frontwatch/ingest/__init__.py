"""Readers: files, directories, stdin and feed URLs → Article (one module per format)."""

from frontwatch.ingest.dispatch import EXTENSIONS, FORMATS, read_paths, read_text

__all__ = ["EXTENSIONS", "FORMATS", "read_paths", "read_text"]
