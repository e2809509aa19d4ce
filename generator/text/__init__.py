"""Shared text rules: word lists, TF-IDF, dates; pure functions over strings, no records."""
