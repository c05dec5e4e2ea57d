-- Trigger: rows of this table are never deleted (segments keep their history; settings are one row).
create or replace function private.refuse_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    raise exception '% rows are never deleted', tg_table_name
    using errcode = 'restrict_violation',
    hint = case tg_table_name
        when 'lead_segments'
            then 'To keep a segment off whatever its capacity, hold it: select hold_segment(''<code>'', ''<reason>'').'
        else 'Update the row instead.'
    end;
end;
$$;

revoke all on function private.refuse_delete() from public;
