"""Spiders of the project: they only route requests; extraction lives in page code."""
