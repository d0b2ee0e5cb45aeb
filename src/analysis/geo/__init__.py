"""The geography layer: states, counties and their shapes, keyed as every other table joins them.

``states`` (the one table of the 50 states and DC), ``counties`` (the 2023 county list, FIPS
changes, Connecticut's towns, county-name normalisation), ``topojson`` (the decoder) and
``shapes`` (county and state polygons for maps and neighbours).
"""
