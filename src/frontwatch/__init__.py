"""FrontWatch: news reports about a war → a sourced, geolocated database of events."""

__version__ = "0.1.0"
