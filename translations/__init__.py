"""The kiosk's Qt translation sources and the tools that keep them (see translations/README.md)."""
