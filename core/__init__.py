"""Shared helpers at the bottom of the layers: no import of any project app."""
