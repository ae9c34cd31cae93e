"""The kiosk's Qt user interface: the only package that imports Qt. It schedules and renders; the core computes."""
