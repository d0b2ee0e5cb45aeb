"""The one table of states: FIPS 5-2 codes, USPS abbreviations and names of the 50 states and
DC, of the inhabited territories, and the names of the Census regions. Every other module that
needs a state code or name takes it from here.

The county geography, the covariates and the maps cover the 50 states and DC (``STATES``,
``states()``). ICE's lists also name agencies in territories; they are kept in ``TERRITORIES``,
apart, so that no state count or county table picks them up by accident.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported on use: the ICE spreadsheet reader needs none of it
    import pandas as pd

# FIPS 5-2 state codes, USPS abbreviations and names: the 50 states and DC (a public standard).
STATES = (
    ("01", "AL", "Alabama"), ("02", "AK", "Alaska"), ("04", "AZ", "Arizona"),
    ("05", "AR", "Arkansas"), ("06", "CA", "California"), ("08", "CO", "Colorado"),
    ("09", "CT", "Connecticut"), ("10", "DE", "Delaware"), ("11", "DC", "District of Columbia"),
    ("12", "FL", "Florida"), ("13", "GA", "Georgia"), ("15", "HI", "Hawaii"),
    ("16", "ID", "Idaho"), ("17", "IL", "Illinois"), ("18", "IN", "Indiana"),
    ("19", "IA", "Iowa"), ("20", "KS", "Kansas"), ("21", "KY", "Kentucky"),
    ("22", "LA", "Louisiana"), ("23", "ME", "Maine"), ("24", "MD", "Maryland"),
    ("25", "MA", "Massachusetts"), ("26", "MI", "Michigan"), ("27", "MN", "Minnesota"),
    ("28", "MS", "Mississippi"), ("29", "MO", "Missouri"), ("30", "MT", "Montana"),
    ("31", "NE", "Nebraska"), ("32", "NV", "Nevada"), ("33", "NH", "New Hampshire"),
    ("34", "NJ", "New Jersey"), ("35", "NM", "New Mexico"), ("36", "NY", "New York"),
    ("37", "NC", "North Carolina"), ("38", "ND", "North Dakota"), ("39", "OH", "Ohio"),
    ("40", "OK", "Oklahoma"), ("41", "OR", "Oregon"), ("42", "PA", "Pennsylvania"),
    ("44", "RI", "Rhode Island"), ("45", "SC", "South Carolina"), ("46", "SD", "South Dakota"),
    ("47", "TN", "Tennessee"), ("48", "TX", "Texas"), ("49", "UT", "Utah"),
    ("50", "VT", "Vermont"), ("51", "VA", "Virginia"), ("53", "WA", "Washington"),
    ("54", "WV", "West Virginia"), ("55", "WI", "Wisconsin"), ("56", "WY", "Wyoming"),
)  # fmt: skip
# The five inhabited territories, same columns.
TERRITORIES = (
    ("60", "AS", "American Samoa"), ("66", "GU", "Guam"), ("69", "MP", "Northern Mariana Islands"),
    ("72", "PR", "Puerto Rico"), ("78", "VI", "U.S. Virgin Islands"),
)  # fmt: skip
# The Census Bureau's four regions, by the code of the population estimates' REGION column.
CENSUS_REGIONS = {1: "Northeast", 2: "Midwest", 3: "South", 4: "West"}


def states() -> pd.DataFrame:
    """The 50 states and DC: ``state_fips`` (2-digit text), ``state_usps``, ``state_name``."""
    import pandas as pd

    return pd.DataFrame(STATES, columns=["state_fips", "state_usps", "state_name"]).astype(str)
