"""Bring every source onto the 2023 county list: Connecticut's old counties onto planning
regions, and changes between vintages computed on the Valdez-Cordova area where one side
predates its 2019 split."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.covariates import connecticut
from analysis.covariates.common import by_split_parent, ratio, to_split_children
from analysis.covariates.elections import VOTE_COLUMNS, Votes


@dataclass(frozen=True)
class ConnecticutCells:
    """Estimated Census 2020 population of each old county x planning region cell."""

    cells: pd.DataFrame

    def counts(self, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """Old-county counts spread over regions in proportion to population."""
        old = connecticut.old_county_rows(frame, columns)
        return connecticut.replace_old_counties(
            frame, connecticut.distribute(old, self.cells), columns
        )

    def means(self, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """Old-county values (medians) averaged into regions with population weights."""
        old = connecticut.old_county_rows(frame, columns)
        return connecticut.blend(old, self.cells)

    def votes(self, votes: Votes, pattern: pd.DataFrame) -> Votes:
        """Old-county votes spread over regions along each region's votes in ``pattern``."""
        old = connecticut.old_county_rows(votes.counties, VOTE_COLUMNS)
        pattern = pattern.set_index("fips")
        regions = pd.concat(
            {
                party: connecticut.distribute(
                    old[[party]], connecticut.vote_pattern(self.cells, pattern[party])
                )[party]
                for party in VOTE_COLUMNS
            },
            axis=1,
        )
        counties = connecticut.replace_old_counties(votes.counties, regions, VOTE_COLUMNS)
        return replace(votes, counties=counties)


def income_on_regions(income: pd.DataFrame, ct: ConnecticutCells) -> pd.DataFrame:
    """Income and poverty with Connecticut on regions: poverty counts distributed, medians
    blended, the rate recomputed from the counts."""
    counts = ["in_poverty_acs", "in_poverty_universe_acs"]
    medians = ["median_income_acs", "median_income_saipe"]
    frame = ct.counts(income, counts)
    blended = ct.means(income, medians)
    regions = frame.fips.isin(blended.index)
    # Whole dollars, like the medians they come from.
    frame.loc[regions, medians] = blended.loc[frame.fips[regions]].round().to_numpy()
    frame.loc[regions, "poverty_pct_acs"] = (
        100 * ratio(frame.in_poverty_acs, frame.in_poverty_universe_acs)[regions]
    )
    return frame


def log_growth(new: pd.Series, old: pd.Series) -> pd.Series:
    """ln((new + 1) / (old + 1)): finite for zero counts and tame on tiny bases."""
    return np.log((new + 1) / (old + 1))


def change_between(
    new: pd.DataFrame,
    old: pd.DataFrame,
    part: str,
    whole: str,
    old_part: str,
    old_whole: str,
) -> pd.DataFrame:
    """Old share, change of the share in percentage points, and log growth of the count, from
    a newer and an older frame of counts. Where the old frame has 02261 (Valdez-Cordova) the
    newer counts of 02063 + 02066 are added up first and both successors get the combined
    result."""
    new_on_old = by_split_parent(new, [part, whole])
    both = old[["fips", old_part, old_whole]].merge(
        new_on_old, on="fips", how="outer", validate="one_to_one"
    )
    old_share = ratio(both[old_part], both[old_whole])
    result = pd.DataFrame(
        {
            "fips": both.fips,
            "old_share": old_share,
            "change_pp": 100 * (ratio(both[part], both[whole]) - old_share),
            "growth_log": log_growth(both[part], both[old_part]),
        }
    )
    return to_split_children(result)
