"""County covariates: one harmonised table of demographic, economic and political variables for
every county of the project's geography (:mod:`analysis.geo`).

One module per source family reads its files into tidy frames keyed by 5-digit FIPS text
(``svi``, ``atlas``, ``ers``, ``pep``, ``rucc``, ``elections``); ``connecticut`` moves values that
exist only for the eight old Connecticut counties onto the nine planning regions; ``build``
assembles, derives, flags, validates (``schemas``) and writes the tables.
"""
