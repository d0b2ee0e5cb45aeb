"""ICE 287(g) spreadsheets: read every archived participating and pending list into one history.

Modules, one job each:

- ``read``: find the data sheet and header row of any era, map its columns, classify the list by
  content, keep MOA hyperlink targets;
- ``normalize``: states, models, agency names and keys, dates, agency type and category, each
  next to the original text;
- ``rows``: turn one read sheet into tidy rows plus quarantined rows with reasons;
- ``index``: which ICE files exist — the archived snapshots of ``data/ice_snapshots.csv`` and
  the live downloads of ``data/raw/ice_287g/latest/LATEST.csv`` — as one record type, and how a
  file's snapshot date is resolved;
- ``live``: download today's lists from ICE's 287(g) page (``fetch --latest-ice``), with the
  schema-drift alarm;
- ``snapshot``: load one file (read + rows + hashes);
- ``lineage``: link agreements that disappear to a renamed successor;
- ``history``: ``build_history(raw_dir, out_dir)`` writes the ICE tables (the locate stage adds
  ``agencies`` and the county tables);
- ``schemas``: the ICE tables' columns and pandera schemas, checked at every table boundary;
- ``summary``: the ``snapshot-summary`` and ``diff`` logic behind the CLI.

See ``../shared/docs/ice-287g-data.md`` for the spreadsheets' eras and quirks.
"""
