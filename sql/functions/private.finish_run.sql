-- Closes a run as succeeded, copying the counts and codes of its jsonb result into columns for querying.
create or replace function private.finish_run(p_run_id bigint, p_result jsonb)
returns jsonb
language sql
set search_path = ''
as $$
    update public.segment_sync_runs
    set
        status = 'succeeded',
        finished_at = pg_catalog.clock_timestamp(),
        total_combinations = (p_result ->> 'total_combinations')::integer,
        created_count = (p_result ->> 'created')::integer,
        activated_count = (p_result ->> 'activated')::integer,
        deactivated_count = (p_result ->> 'deactivated')::integer,
        unchanged_count = (p_result ->> 'unchanged')::integer,
        fixed_count = (p_result ->> 'fixed')::integer,
        created_codes = array(select pg_catalog.jsonb_array_elements_text(p_result -> 'created_codes')),
        activated_codes = array(select pg_catalog.jsonb_array_elements_text(p_result -> 'activated_codes')),
        deactivated_codes = array(select pg_catalog.jsonb_array_elements_text(p_result -> 'deactivated_codes')),
        plan_date = (p_result ->> 'date')::date,
        result = p_result
    where id = p_run_id
    returning result
$$;

revoke all on function private.finish_run(bigint, jsonb) from public;
