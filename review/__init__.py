"""Reviewing tags in a local web app over a SQLite workspace index, and exporting them."""
