#!/usr/bin/env node
// SOP 03.4 "Automatische sync ... zie cron/partnerMarketingJobs.js": the nightly sync no longer runs in Node.
// It is a pg_cron job in the database that fires hourly and runs once a day from
// segment_sync_settings.run_at_local_time in segment_sync_settings.timezone (03:00 Europe/Amsterdam),
// retrying a failed or missed night at later firings the same day.
// Running this file prints the jobs as the database has them (needs psql and DATABASE_URL).
const { spawnSync } = require("node:child_process");

const jobs = {
  nightlySegmentSync: "leadstroom-nightly-segment-sync", // sync_segments_capacity(), then plan_segment_targets()
  purgeCronHistory: "leadstroom-purge-cron-history", // keeps 14 days of cron.job_run_details
};
module.exports = jobs;

if (require.main === module) {
  if (!process.env.DATABASE_URL) {
    console.log(`pg_cron jobs: ${Object.values(jobs).join(", ")}. Set DATABASE_URL to see their schedules.`);
    process.exit(0);
  }
  const result = spawnSync(
    "psql",
    [process.env.DATABASE_URL, "-X", "-c", "select jobname, schedule, command, active from cron.job order by jobname"],
    { stdio: "inherit" },
  );
  process.exit(result.error ? 2 : result.status ?? 1);
}
