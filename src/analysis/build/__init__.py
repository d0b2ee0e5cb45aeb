"""The build layer: raw files → processed tables, stage by stage (``stages``), skipping a stage
whose inputs, code and outputs are unchanged (``cache``)."""

STAGE_NAMES = ("ice", "locate", "covariates")
"""The stages in data-flow order, by name: what the command line lists without importing the
stages' code (``stages.STAGES`` maps the same names, in the same order, to their functions; a
test keeps the two equal)."""
