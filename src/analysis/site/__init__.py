"""The reader's site: static pages written by ``analysis run`` after the notebooks.

``page`` (the HTML shell and style every page shares), ``cells`` (human column labels and cell
formats), ``front`` (the front page: snapshot date, key findings, links), ``downloads`` (the
processed tables with their dictionaries), ``methods`` (methods, references and limitations),
``state_data`` and ``state_figures`` (what a state page shows, and its two figures),
``state_pages`` (one page per state and their index), ``changes`` (the change log between
the two latest ICE snapshots) and ``build`` (all of it in one call).
Every page works from ``file://`` and loads nothing from the network.
"""
