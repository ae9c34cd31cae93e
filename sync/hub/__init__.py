"""The reference hub: a small HTTP service that receives kiosk records (`python -m sync.hub`)."""
