// `npm run bench`: measures Postbox against a no-op HTTP server in the same run
// and prints a Markdown report (also saved to bench/results/latest.{json,md}).
//
// Order: start-up timings → interleaved rounds of the throughput scenarios (so
// slow drift of the shared machine hits every scenario alike) → the deep-queue
// scenario, which needs one long-lived preloaded server.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { config, errorText, log, POSTBOX_CLI, RESULTS_DIR, ROOT, sourceRevision } from './context.js';
import { runScenarioOnce } from './cycle-measurement.js';
import { measureDeepQueue } from './deep-queue.js';
import { backgroundCpuPercent, measureUndisturbed, waitForQuiet } from './quiet-machine.js';
import { renderReport } from './report.js';
import { summarise, type BenchResults, type RunRecord, type ScenarioResult } from './results.js';
import { selectScenarios, DEEP_ID } from './scenarios.js';
import { measureStartup } from './startup-measurement.js';

async function main(): Promise<void> {
  const selection = selectScenarios(config.scenarios);
  const notes: string[] = [];
  await waitForQuiet(60);
  const background = await backgroundCpuPercent();
  if (background !== undefined && background > config.maxOtherCpuPercent) {
    const text = `before the run, other processes kept ${Math.round(background)} % of a core busy; figures will be noisier than usual.`;
    log(text);
    notes.push(text);
  }
  const postboxBuilt = existsSync(POSTBOX_CLI);
  let scenarios = selection.scenarios;
  if (!postboxBuilt) {
    notes.push(`${path.relative(ROOT, POSTBOX_CLI)} not found: only the no-op server was measured.`);
    scenarios = scenarios.filter((s) => s.server === 'noop');
  }
  const runDeep = postboxBuilt && selection.deep && config.deepMessages > 0;

  const perRun = config.warmupSeconds + config.seconds + 1;
  const estimate = Math.round((scenarios.length * config.repeats * perRun + (runDeep ? config.repeats * perRun + 120 : 0)) / 60);
  log(`scenarios: ${scenarios.map((s) => s.id).join(', ')}${runDeep ? `, ${DEEP_ID}` : ''}; ~${estimate} min`);

  const startup = await measureStartup(postboxBuilt);

  const runsById = new Map<string, RunRecord[]>(scenarios.map((s) => [s.id, []]));
  for (let r = 1; r <= config.repeats; r++) {
    log(`round ${r}/${config.repeats}`);
    for (const scenario of scenarios) {
      // One failed run (say, a server crash) is reported, not allowed to discard the other results.
      try {
        runsById.get(scenario.id)!.push(await measureUndisturbed(() => runScenarioOnce(scenario, r)));
      } catch (error) {
        const text = `${scenario.id} round ${r} failed: ${errorText(error)}`;
        log(text);
        notes.push(text);
      }
    }
  }
  const scenarioResults: ScenarioResult[] = scenarios
    .filter((s) => runsById.get(s.id)!.length > 0)
    .map((s) => summarise(s.id, s.label, s.client, runsById.get(s.id)!));

  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
      memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
      revision: sourceRevision() ?? 'unknown',
      settings: { ...config, deepMessages: runDeep ? config.deepMessages : 0 },
    },
    startup,
    scenarios: scenarioResults,
    notes,
  };
  if (runDeep) {
    try {
      results.deep = await measureDeepQueue();
    } catch (error) {
      const text = `deep-queue scenario failed: ${errorText(error)}`;
      log(text);
      notes.push(text);
    }
  }

  const report = renderReport(results);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(path.join(RESULTS_DIR, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  await writeFile(path.join(RESULTS_DIR, 'latest.md'), report);
  console.log('\n' + report);
  console.log(`Saved ${path.relative(process.cwd(), path.join(RESULTS_DIR, 'latest.json'))} and latest.md`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
