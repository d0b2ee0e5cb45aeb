"""The study layer: from the processed tables to what the reports show.

``scope`` (which snapshots a run sees: the one ``as_of`` rule, the January 2025 baseline,
loading the tables), ``provenance`` (raw files and the snapshot calendar), ``expansion``
(counting agreements, agencies, states), ``exposure`` (county status and the residents covered),
``adoption`` (county outcomes, state mandates), ``timing`` (the county x month panel) and
``variables`` (covariate labels and the literature's expected signs).
"""
