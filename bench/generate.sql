-- Deterministic marketplace for the benchmark, loaded set-based. psql variables:
--   partners  number of partners (10000, 100000, 1000000)
--   regions   'provinces' (the 12), 'municipalities' (350 codes) or 'postcodes' (4,000 postcode areas: with the
--             60 branches, 200,000+ combinations at 100,000 partners)
--   seed      any text; the same seed and sizes give the same data
-- Every "random" choice is a hash of the seed and the row number, so the data does not depend on the plan.
-- Triggers are off while loading (session_replication_role): the generator writes normalised, valid rows,
-- and per-row triggers would dominate the load time.

set session_replication_role = replica;

create temporary table bench_params as
select
    :partners::integer as partners,
    :'regions'::text as region_set,
    :'seed'::text as seed;

-- h(n, salt): a deterministic number in [0, 1) from the seed, a salt per choice and the row number
select set_config('bench.seed', hashtext(:'seed')::text, false);
create function pg_temp.h(n bigint, salt text) returns double precision
language sql stable
as $$
    select (hashtextextended(salt || ':' || n, current_setting('bench.seed')::bigint) & 2147483647)
        / 2147483648.0
$$;

insert into public.industries (name, slug)
select
    'Branche ' || i,
    'branche-' || lpad(i::text, 2, '0')
from generate_series(1, 60) as i;

insert into public.regions (code, name)
select
    'gemeente-' || lpad(i::text, 3, '0'),
    'Gemeente ' || i
from generate_series(1, 350) as i
where (select region_set from bench_params) = 'municipalities';

insert into public.regions (code, name)
select
    'postcode-' || lpad(i::text, 4, '0'),
    'Postcodegebied ' || i
from generate_series(1, 4000) as i
where (select region_set from bench_params) = 'postcodes';

create temporary table bench_region as
select
    row_number() over (order by regions.code) - 1 as n,
    regions.code
from public.regions
where
    case (select bp.region_set from bench_params as bp)
        when 'municipalities' then regions.code like 'gemeente-%'
        when 'postcodes' then regions.code like 'postcode-%'
        else regions.code not like 'gemeente-%' and regions.code not like 'postcode-%'
    end;

create temporary table bench_partner as
select
    n,
    md5((select seed from bench_params) || ':partner:' || n)::uuid as id
from generate_series(1, (select partners from bench_params)) as n;

insert into auth.users (id, email)
select
    id,
    'partner' || n || '@bench.example'
from bench_partner;

-- 90% routable, 0.2% admins, max_open_leads unset for 30%, else 5..100
insert into public.profiles (id, company_name, is_active_for_routing, is_admin, max_open_leads)
select
    id,
    'Partner ' || n,
    pg_temp.h(n, 'routing') < 0.9,
    pg_temp.h(n, 'admin') < 0.002,
    case when pg_temp.h(n, 'max') < 0.3 then null else 5 + floor(pg_temp.h(n, 'max-v') * 96)::integer end
from bench_partner;

-- subscriptions: none 20%, cancelled 15%, paused 10%, active 55%; some partners have an older one as well
insert into public.subscriptions (user_id, status, is_paused, leads_per_month, created_at)
select
    p.id,
    case
        when pg_temp.h(p.n, 'sub') < 0.35 then 'cancelled'
        else 'active'
    end,
    pg_temp.h(p.n, 'sub') >= 0.35 and pg_temp.h(p.n, 'sub') < 0.45,
    case when pg_temp.h(p.n, 'lpm') < 0.05 then null else 5 + floor(pg_temp.h(p.n, 'lpm-v') * 196)::integer end,
    timestamptz '2026-01-01' + make_interval(days => floor(pg_temp.h(p.n, 'since') * 300)::integer)
from bench_partner as p
where pg_temp.h(p.n, 'sub') >= 0.2;

insert into public.subscriptions (user_id, status, is_paused, leads_per_month, created_at)
select
    p.id,
    'active',
    false,
    10,
    timestamptz '2025-06-01'
from bench_partner as p
where pg_temp.h(p.n, 'older') < 0.25;

insert into public.payment_methods (user_id, status)
select
    id,
    case when pg_temp.h(n, 'pay') < 0.8 then 'active' else 'failed' end
from bench_partner;

-- 1 to 3 branches, skewed towards the first industries (some trades are more common than others)
insert into public.user_industry_preferences (user_id, industry_id, is_enabled)
select distinct on (p.id, i.id)
    p.id as user_id,
    i.id as industry_id,
    pg_temp.h(p.n * 10 + k, 'branch-on') < 0.95
from bench_partner as p
cross join lateral generate_series(1, 1 + floor(pg_temp.h(p.n, 'branches') * 3)::integer) as k
inner join public.industries as i
    on i.slug = 'branche-' || lpad((1 + floor(power(pg_temp.h(p.n * 10 + k, 'branch'), 1.5) * 60))::text, 2, '0');

-- 1 to 6 regions
insert into public.user_location_preferences (user_id, location_code, location_name, is_enabled)
select distinct on (p.id, r.code)
    p.id as user_id,
    r.code as location_code,
    r.code as location_name,
    pg_temp.h(p.n * 10 + k, 'region-on') < 0.95
from bench_partner as p
cross join lateral generate_series(1, 1 + floor(pg_temp.h(p.n, 'regions') * 6)::integer) as k
inner join bench_region as r
    on r.n = floor(pg_temp.h(p.n * 10 + k, 'region') * (select count(*) from bench_region));

reset session_replication_role;

analyze;
