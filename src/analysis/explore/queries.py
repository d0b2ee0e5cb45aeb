"""The explorer's canned queries: SQL with named parameters, over the tables of ``database``.

Each query answers one question a reader asks first; Datasette shows a form with a box per
``:parameter``. Every query orders its rows fully, so the same database gives the same rows in
the same order.
"""

from __future__ import annotations

# The agreements of the agencies placed in a county: by 5-digit FIPS, or by Census name with or
# without its type word ("Collier County", "collier", "Fairfax city"). An agency spanning
# several counties (county_fips_all) is listed in each, with the placement saying which.
AGREEMENTS_IN_COUNTY = """
with wanted as materialized (
  select fips, county_name_full, state_usps from county_covariates
  where fips = trim(:county)
     or lower(county_name_full) = lower(trim(:county))
     or lower(county_name_full) like lower(trim(:county)) || ' %'
)
select
  w.fips as county_fips,
  w.county_name_full as county_name,
  w.state_usps as county_state,
  case when a.county_fips = w.fips then 'principal county' else 'one of its counties' end
    as placement,
  g.agency, g.state, g.model, g.agency_type, g.status,
  g.signed_first, g.signed_last, g.first_seen, g.last_seen, g.gone_at, g.lineage,
  a.jurisdiction_level, a.jurisdiction_name, a.match_method,
  (select h.moa_url from agreements_history h
    where h.agreement_key = g.agreement_key and h.moa_url is not null
    order by h.snapshot_date desc, h.file, h.sheet_row limit 1) as moa_url,
  (select h.addendum_url from agreements_history h
    where h.agreement_key = g.agreement_key and h.addendum_url is not null
    order by h.snapshot_date desc, h.file, h.sheet_row limit 1) as addendum_url,
  g.agreement_key
from wanted w
join agencies a on '|' || a.county_fips_all || '|' like '%|' || w.fips || '|%'
join agreements g on g.agency_key = a.agency_key
order by w.state_usps, w.fips, g.status, g.agency, g.model, g.agreement_key
"""

# The agencies of a state (USPS code or state name) with their county and jurisdiction.
STATE_AGENCIES = """
select
  agency, agency_type, agency_category, status, models_active, models_ever, n_agreements,
  first_seen, last_seen, county_fips, county_name, match_method, match_score, match_conflict,
  jurisdiction_level, jurisdiction_name, jurisdiction_population, agency_key
from agencies
where state = upper(trim(:state))
   or state = (select state_usps from state_aggregates
               where lower(state_name) = lower(trim(:state)))
order by status, agency, agency_key
"""

# Agencies added, removed or holding other models between two participating snapshots. No
# rows unless both dates are snapshot dates (a mistyped date would list every agency added).
SNAPSHOT_CHANGES = """
with valid as (
  select 1 where exists (select 1 from agreements_history where snapshot_date = trim(:old))
             and exists (select 1 from agreements_history where snapshot_date = trim(:new))
),
pairs_old as (
  select distinct agency_key, model from agreements_history
  where list = 'participating' and snapshot_date = trim(:old) order by agency_key, model
),
pairs_new as (
  select distinct agency_key, model from agreements_history
  where list = 'participating' and snapshot_date = trim(:new) order by agency_key, model
),
old as (select agency_key, group_concat(model, '|') as models from pairs_old group by agency_key),
new as (select agency_key, group_concat(model, '|') as models from pairs_new group by agency_key),
changes as (
  select 'added' as change, n.agency_key, null as models_before, n.models as models_after
  from new n left join old o on o.agency_key = n.agency_key where o.agency_key is null
  union all
  select 'removed', o.agency_key, o.models, null
  from old o left join new n on n.agency_key = o.agency_key where n.agency_key is null
  union all
  select 'models changed', o.agency_key, o.models, n.models
  from old o join new n on n.agency_key = o.agency_key where o.models <> n.models
)
select
  c.change, a.state, a.agency, a.agency_type, c.models_before, c.models_after,
  a.county_fips, a.county_name, a.jurisdiction_level, a.first_seen, a.last_seen, c.agency_key
from changes c join agencies a on a.agency_key = c.agency_key, valid
order by c.change, a.state, a.agency, c.agency_key
"""

# The snapshot dates, with their agreements and agencies: the dates snapshot_changes takes.
SNAPSHOT_DATES = """
select
  snapshot_date, file, in_time_series,
  count(*) as rows, count(distinct agreement_key) as agreements,
  count(distinct agency_key) as agencies
from agreements_history
where list = 'participating'
group by snapshot_date, file, in_time_series
order by snapshot_date, file
"""

QUERIES: dict[str, dict[str, str]] = {
    "agreements_in_county": {
        "sql": AGREEMENTS_IN_COUNTY,
        "title": "Agreements in a county",
        "description": (
            "Every agreement ever held by an agency placed in the county, with its model, "
            "dates, status, jurisdiction and the latest MOA and addendum links ICE listed. "
            "county: 5-digit FIPS (12021) or Census name (Collier County, or collier)."
        ),
    },
    "state_agencies": {
        "sql": STATE_AGENCIES,
        "title": "The agencies of a state, with their placement",
        "description": (
            "Every agency ever listed in the state: models, first and last snapshot, the "
            "county it is placed in with the method, and its jurisdiction. "
            "state: USPS code (FL) or name (Florida)."
        ),
    },
    "snapshot_changes": {
        "sql": SNAPSHOT_CHANGES,
        "title": "What changed between two snapshots",
        "description": (
            "Agencies added to, removed from, or holding other models on the participating "
            "list between two snapshot dates. old, new: snapshot dates as YYYY-MM-DD "
            "(see the snapshot_dates query); no rows unless both are snapshot dates."
        ),
    },
    "snapshot_dates": {
        "sql": SNAPSHOT_DATES,
        "title": "Snapshot dates",
        "description": (
            "Every participating snapshot: its file, whether it is part of the time series "
            "(not a repeat of an earlier file's content), its rows, agreements and agencies."
        ),
    },
}
