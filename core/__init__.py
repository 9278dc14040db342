"""Shared helpers at the bottom of the layers: they import no project app."""
