#!/usr/bin/env node
// SOP 03.4 step 1 and 3 ("node scripts/test-capacity-sync-manual.js"): kept so the runbook works as written.
// The walkthrough itself is `leadstroom manual-test` (python/leadstroom); this runs it with the same
// arguments and environment (DATABASE_URL, or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY) and exit code.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const local = path.join(__dirname, "..", ".venv", "bin", "leadstroom");
const command = fs.existsSync(local) ? local : "leadstroom";
const result = spawnSync(command, ["manual-test", ...process.argv.slice(2)], { stdio: "inherit" });
if (result.error) {
  console.error(`test-capacity-sync-manual: cannot run ${command}: ${result.error.message} (run make demo first)`);
  process.exit(2);
}
process.exit(result.status ?? 1);
