"""The explorer: every processed table in one SQLite database, served with Datasette.

``database`` builds ``data/processed/atlas.sqlite`` from the processed tables (full-text search
on agency, place and county names; indexes on the state, county, model and snapshot columns),
``descriptions`` holds each table's title, description and the units of its columns,
``queries`` the canned queries, ``metadata`` assembles Datasette's metadata from the data
dictionaries and ``data/catalog.csv``, and ``serve`` runs Datasette on 127.0.0.1.
"""
