"""The hub: receives terminal records, serves signed updates and the staff pages (`python -m sync.hub`)."""
