"""Spiders of the reading-list crawler."""
