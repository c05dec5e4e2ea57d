-- The follow-up job: every minute it brings in line what following queued (private.drain_follow_queue).
-- Idempotent: cron.schedule replaces a job of the same name.
select cron.schedule('leadstroom-follow-up', '* * * * *', 'select private.drain_follow_queue()');
