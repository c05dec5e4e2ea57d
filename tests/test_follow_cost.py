"""A change costs what it touches: a new partner in a region nobody asks for yet, in a branch many partners ask
for, reads its own rows and not the branch's partners, also when following creates its segment and plans it
(private.few_candidate_partners). Counted in blocks read by every statement of the sign-up, so the test does
not depend on the machine's speed."""

from __future__ import annotations

import pytest

from tests.test_follow_interleavings import as_partner
from tests.test_planner_shares import few_segment_plan_statement

# `others` partners in loodgieter and in one of 20 other branches, each in the same three regions: the generic
# plans think a branch has a tenth of the partners a region has, so a lookup of (loodgieter, a new region) that
# starts from the branch walks every one of them.
CROWDED_BRANCH_SQL = """
insert into auth.users (id, email)
select md5('crowd' || g)::uuid, 'crowd' || g || '@example.nl' from generate_series(1, %(n)s) g;
insert into profiles (id, company_name, is_active_for_routing, max_open_leads)
select md5('crowd' || g)::uuid, 'Crowd ' || g, true, 20 from generate_series(1, %(n)s) g;
insert into industries (name, slug)
select 'Crowd ' || b, 'crowd-' || b from generate_series(0, 19) b on conflict (slug) do nothing;
insert into user_industry_preferences (user_id, industry_id, is_enabled)
select md5('crowd' || g)::uuid, i.id, true
from generate_series(1, %(n)s) g
join industries i on i.slug in ('loodgieter', 'crowd-' || (g %% 20));
insert into user_location_preferences (user_id, location_code, is_enabled)
select md5('crowd' || g)::uuid, r.code, true
from generate_series(1, %(n)s) g cross join (select code from regions order by code limit 3) r;
"""


def blocks_of_a_sign_up(market, others: int, *, request: bool = False) -> int:
    """Blocks read by all statements of one partner's sign-up into (loodgieter, a region nobody asks for), with
    following on, in a marketplace with `others` partners in loodgieter. With `request`, the region is saved by
    the partner's own API request (which also tells whether the new segment's plan fits in it)."""
    market.reset()
    market.industry("loodgieter")
    for statement in CROWDED_BRANCH_SQL.split(";\n")[:-1]:
        market.sql(statement, {"n": others})
    market.region("nieuwland")
    market.region("nieuwdorp")
    market.sync()
    market.sql("analyze")
    market.follow()
    market.partner(["loodgieter"], ["nieuwland"], leads_per_month=30)  # warm-up: plans are cached per session
    market.platform.execute("select extensions.pg_stat_statements_reset()")
    if request:
        partner = market.partner(["loodgieter"], [], leads_per_month=30)
        with market.conn.transaction():
            as_partner(market.conn, partner)
            market.conn.execute(
                "insert into user_location_preferences (user_id, location_code) values (%s, 'nieuwdorp')", (partner,)
            )
        assert market.one("select count(*) from private.segment_plan_queue") == 0, "planned in the request"
    else:
        market.partner(["loodgieter"], ["nieuwdorp"], leads_per_month=30)
    assert "loodgieter_nieuwdorp" in market.active_codes(), "following did not create the new segment"
    return market.platform.execute(
        "select coalesce(sum(shared_blks_hit + shared_blks_read), 0)::int as blocks from extensions.pg_stat_statements "
        "where toplevel and query not like '%%pg_stat_statements%%'"
    ).fetchone()["blocks"]


@pytest.mark.parametrize("request_", [False, True], ids=["back office", "the partner's own request"])
def test_a_new_partner_in_a_new_region_of_a_crowded_branch_reads_its_own_rows(market, request_):
    small, large = (
        blocks_of_a_sign_up(market, 20, request=request_),
        blocks_of_a_sign_up(market, 3000, request=request_),
    )
    assert small > 0, "pg_stat_statements saw nothing of the sign-up"
    # indexes may grow by a level; walking the branch reads blocks for each of its 3,000 partners (30-60x)
    assert large <= 1.5 * small, f"blocks grew with the branch: {small} -> {large}"


def blocks_of_a_first_branch(market, segments: int) -> int:
    """Blocks read by a new partner's first branch preference (no region yet) with following on, where one
    partner already feeds `segments` segments of that branch."""
    market.reset()
    regions = [market.region(f"gebied-{n}") for n in range(segments)]
    market.partner(["schilder"], regions, leads_per_month=500)
    market.follow()
    newcomer = market.user()
    market.prefer_industry(newcomer, "loodgieter")  # warm-up: plans are cached per session
    market.platform.execute("select extensions.pg_stat_statements_reset()")
    market.prefer_industry(newcomer, "schilder")
    return market.platform.execute(
        "select coalesce(sum(shared_blks_hit + shared_blks_read), 0)::int as blocks from extensions.pg_stat_statements "
        "where toplevel and query like 'insert into user_industry_preferences%%'"
    ).fetchone()["blocks"]


def test_a_branch_before_any_region_checks_no_segment_of_that_branch(market):
    """A partner without regions feeds nothing, so its first branch changes nothing; only a deleted partner's
    preferences (whose other side the cascade has already removed) take their branch's segments along."""
    small, large = blocks_of_a_first_branch(market, 3), blocks_of_a_first_branch(market, 400)
    assert small > 0, "pg_stat_statements saw nothing of the preference"
    assert large <= 1.5 * small, f"blocks grew with the branch's segments: {small} -> {large}"


# `n` partners in loodgieter (and one of two other branches) in three regions, and `n` partners in zeeland (and
# one of those two branches): both sides of (loodgieter, zeeland) are crowded, and nobody feeds it.
CROWDED_SIDES_SQL = """
insert into auth.users (id, email)
select md5(side || g)::uuid, side || g || '@example.nl'
from generate_series(1, %(n)s) g cross join (values ('branch'), ('region')) s (side);
insert into profiles (id, company_name, is_active_for_routing, max_open_leads)
select md5(side || g)::uuid, 'Crowd ' || g, true, 20
from generate_series(1, %(n)s) g cross join (values ('branch'), ('region')) s (side);
insert into industries (name, slug)
select 'Crowd ' || b, 'crowd-' || b from generate_series(0, 1) b on conflict (slug) do nothing;
insert into user_industry_preferences (user_id, industry_id, is_enabled)
select md5('branch' || g)::uuid, i.id, true
from generate_series(1, %(n)s) g
join industries i on i.slug in ('loodgieter', 'crowd-' || (g %% 2));
insert into user_industry_preferences (user_id, industry_id, is_enabled)
select md5('region' || g)::uuid, i.id, true
from generate_series(1, %(n)s) g
join industries i on i.slug = 'crowd-' || (g %% 2);
insert into user_location_preferences (user_id, location_code, is_enabled)
select md5('branch' || g)::uuid, r.code, true
from generate_series(1, %(n)s) g cross join (select code from regions where code <> 'zeeland' order by code limit 3) r;
insert into user_location_preferences (user_id, location_code, is_enabled)
select md5('region' || g)::uuid, 'zeeland', true
from generate_series(1, %(n)s) g;
"""

# `n` partners in both other branches and three other regions: following's generic plans now expect a branch to
# have about as many partners as there are profiles, and a plan that joins a branch's partners to their profiles
# by hashing every profile looks cheap to them.
BYSTANDERS_SQL = """
insert into auth.users (id, email)
select md5('bystander' || g)::uuid, 'bystander' || g || '@example.nl' from generate_series(1, %(n)s) g;
insert into profiles (id, company_name, is_active_for_routing, max_open_leads)
select md5('bystander' || g)::uuid, 'Bystander ' || g, true, 20 from generate_series(1, %(n)s) g;
insert into user_industry_preferences (user_id, industry_id, is_enabled)
select md5('bystander' || g)::uuid, i.id, true
from generate_series(1, %(n)s) g join industries i on i.slug like 'crowd-%%';
insert into user_location_preferences (user_id, location_code, is_enabled)
select md5('bystander' || g)::uuid, r.code, true
from generate_series(1, %(n)s) g cross join (select code from regions where code <> 'zeeland' order by code limit 3) r;
"""


def blocks_to_plan_a_combination_of_crowded_sides(market, bystanders: int) -> dict:
    """Blocks read by following's plan (the few-segment statement of private.segment_shares) of the segment a
    new partner creates in (loodgieter, zeeland): 60 partners ask for loodgieter and 60 for zeeland, none for
    both, and `bystanders` partners for other combinations."""
    market.reset()
    market.industry("loodgieter")
    market.region("zeeland")
    for statement in CROWDED_SIDES_SQL.split(";\n")[:-1]:
        market.sql(statement, {"n": 60})
    for statement in BYSTANDERS_SQL.split(";\n")[:-1]:
        market.sql(statement, {"n": bystanders})
    market.sync()
    market.sql("analyze")
    market.follow()
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=30)  # warm-up: plans are cached per session
    market.platform.execute("select extensions.pg_stat_statements_reset()")
    market.partner(["loodgieter"], ["zeeland"], leads_per_month=30)
    assert "loodgieter_zeeland" in market.active_codes(), "following did not create the new segment"
    return few_segment_plan_statement(market)


def test_the_plan_of_a_combination_of_two_crowded_sides_reads_no_partner_outside_them(market):
    """The new segment's partners are looked for among the two sides' enabled preferences, and the rule is asked
    for each of them by id. Asked by combination, following's generic plan (which expects a branch's average
    number of partners) hashed every profile: 41 -> 173 blocks from 0 to 12,000 bystanders."""
    small, large = (
        blocks_to_plan_a_combination_of_crowded_sides(market, 0),
        blocks_to_plan_a_combination_of_crowded_sides(market, 12000),
    )
    assert small["calls"] == large["calls"] == 1, "pg_stat_statements did not see the few-segment statement"
    assert large["blocks"] <= small["blocks"] + 60, f"blocks grew with partners outside both sides: {small} -> {large}"
