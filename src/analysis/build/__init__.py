"""The build layer: raw files → processed tables, stage by stage (``stages``), skipping a stage
whose inputs, code and outputs are unchanged (``cache``)."""
