// Renders results as Markdown: the same text is printed by `npm run bench`,
// saved to bench/results/latest.md and pasted into docs/benchmarks.md.
import type { BenchResults, ScenarioResult } from './results.js';
import { CEILING_ID, SCENARIOS } from './scenarios.js';

const CLIENT_LABELS: Record<string, string> = {
  lean: 'lean HTTP/1.1',
  'node-http': 'node:http Agent',
  sdk: 'AWS SDK v3',
};

const TARGET_RATIO = 0.5;
const TARGET_STARTUP_MS = 300;

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const ms = (n: number): string => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '–');
const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)} %` : '–');
const whole = (n: number): string => (Number.isFinite(n) ? String(Math.round(n)) : '–');
const mib = (n: number | undefined): string => (n !== undefined && Number.isFinite(n) ? `${Math.round(n)} MiB` : '–');

function throughputRow(s: ScenarioResult, ceiling: number, sameClient: number): string {
  const m = s.median;
  const cells = [
    s.label + (m.disturbedRuns > 0 ? ' †' : ''),
    CLIENT_LABELS[s.client] ?? s.client,
    int(m.cycledPerSecond),
    pct(m.cycledPerSecond / ceiling),
    pct(m.cycledPerSecond / sameClient),
    `${ms(m.calls.send.p50Ms)} / ${ms(m.calls.send.p99Ms)}`,
    `${ms(m.calls.receive.p50Ms)} / ${ms(m.calls.receive.p99Ms)}`,
    `${ms(m.calls.delete.p50Ms)} / ${ms(m.calls.delete.p99Ms)}`,
    `${ms(m.serverCpuMicrosPerMessage)} µs`,
    `${whole(m.serverCpuPercent)} / ${whole(m.loadCpuPercent)} / ${whole(m.otherCpuPercent)}`,
    mib(m.rssPeakMiB),
  ];
  return `| ${cells.join(' | ')} |`;
}

export function renderReport(results: BenchResults): string {
  const lines: string[] = [];
  const byId = new Map(results.scenarios.map((s) => [s.id, s]));
  const ceiling = byId.get(CEILING_ID)?.median.cycledPerSecond ?? Number.NaN;
  const settings = results.meta.settings;

  lines.push(
    `Measured ${results.meta.date} on ${results.meta.cpus} × ${results.meta.cpuModel}, ${results.meta.memoryGiB} GiB RAM, ` +
      `Node ${results.meta.node}, ${results.meta.platform}; Postbox at ${results.meta.revision}. ` +
      'Load generator and server share the machine.',
    '',
    `Cycle = SendMessageBatch(10) → ReceiveMessage(10) → DeleteMessageBatch on one queue; ` +
      `${settings['concurrency']} concurrent loops (one keep-alive connection each), ${settings['bodyBytes']}-byte bodies, ` +
      `${settings['warmupSeconds']} s warm-up + ${settings['seconds']} s measured, median of ${settings['repeats']} runs. ` +
      `"Cycled" = sent, received and deleted. Latencies are per call, p50 / p99 in ms.`,
    '',
    '| Scenario | Client | Cycled msg/s | ÷ HTTP ceiling | ÷ same client on no-op | SendMessageBatch | ReceiveMessage | DeleteMessageBatch | Server CPU per msg | CPU % server / load-gen / other | Server RSS peak |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const s of results.scenarios) {
    const baselineId = SCENARIOS.find((x) => x.id === s.id)?.sameClientBaseline ?? CEILING_ID;
    lines.push(throughputRow(s, ceiling, byId.get(baselineId)?.median.cycledPerSecond ?? Number.NaN));
  }
  const deep = results.deep;
  if (deep) lines.push(throughputRow(deep.scenario, ceiling, ceiling));
  lines.push(
    '',
    '"Server CPU per msg" = server CPU time ÷ cycled messages; it is steadier than msg/s when other work shares the machine. ' +
      'CPU % is of one core over the measured window (2 cores = 200 %); "other" is every other process and the kernel.',
    '',
  );

  const disturbed = [...results.scenarios, ...(deep ? [deep.scenario] : [])].filter((s) => s.median.disturbedRuns > 0);
  if (disturbed.length > 0) {
    lines.push(
      `† Kept although other processes used more than ${settings['maxOtherCpuPercent']} % of a core (a repeat was no quieter): ` +
        disturbed.map((s) => `${s.median.disturbedRuns} of ${s.runs.length} runs of "${s.label}" (${CLIENT_LABELS[s.client] ?? s.client})`).join('; ') +
        '. The median is usually unaffected.',
      '',
    );
  }

  lines.push('| Start-up and memory | Postbox | No-op baseline |', '|---|--:|--:|');
  const startup = results.startup;
  if (startup) {
    const pb = startup.postbox;
    lines.push(
      `| Spawn → first 200 from /_postbox/health (median of ${startup.runs}, empty data dir) | ${pb ? ms(pb.medianHealthyMs) + ' ms' : '–'} | ${ms(startup.noop.medianHealthyMs)} ms |`,
      `| Spawn → "Ready." on stdout (median) | ${pb ? ms(pb.medianReadyLineMs) + ' ms' : '–'} | – |`,
      `| RSS idle after start (1 s after the first healthy answer) | ${mib(pb?.rssIdleMiB)} | ${mib(startup.noop.rssIdleMiB)} |`,
    );
  }
  const durable = byId.get('durable');
  if (durable) lines.push(`| RSS peak under cycle load (durable) | ${mib(durable.median.rssPeakMiB)} | ${mib(byId.get(CEILING_ID)?.median.rssPeakMiB)} |`);
  if (deep) {
    const restart = [...deep.restartHealthyMs].sort((a, b) => a - b);
    lines.push(
      `| Preload ${int(deep.preload.sentMessages)} messages (SendMessageBatch, ${settings['preloadConcurrency']} concurrent) | ${int(deep.preload.messagesPerSecond)} msg/s, ${deep.preload.seconds} s | – |`,
      `| Queue depth after preload / after cycle runs (ApproximateNumberOfMessages) | ${int(deep.depthAfterPreload ?? Number.NaN)} / ${int(deep.depthAfterRuns ?? Number.NaN)} | – |`,
      `| RSS with the queue preloaded / peak while cycling it | ${mib(deep.rssAfterPreloadMiB)} / ${mib(deep.scenario.median.rssPeakMiB)} | – |`,
      `| Data directory size with the queue preloaded | ${mib(deep.dataDirMiB)} | – |`,
      `| Restart on that data dir: spawn → healthy (median of ${restart.length}) | ${restart.length ? ms(restart[Math.floor(restart.length / 2)]!) + ' ms' : '–'} | – |`,
    );
  }
  lines.push('');

  const targets: string[] = [];
  if (durable && Number.isFinite(ceiling)) {
    const ratio = durable.median.cycledPerSecond / ceiling;
    targets.push(`- Durable store ≥ ${pct(TARGET_RATIO)} of the HTTP ceiling: **${pct(ratio)} — ${ratio >= TARGET_RATIO ? 'met' : 'not met'}**`);
    const noopCost = byId.get(CEILING_ID)?.median.serverCpuMicrosPerMessage ?? Number.NaN;
    const cpuRatio = noopCost / durable.median.serverCpuMicrosPerMessage;
    if (Number.isFinite(cpuRatio)) {
      targets.push(`  (by server CPU per message: no-op ${ms(noopCost)} µs vs Postbox ${ms(durable.median.serverCpuMicrosPerMessage)} µs = ${pct(cpuRatio)})`);
    }
  }
  if (startup?.postbox) {
    const t = startup.postbox.medianHealthyMs;
    targets.push(`- Start to ready < ${TARGET_STARTUP_MS} ms: **${ms(t)} ms — ${t < TARGET_STARTUP_MS ? 'met' : 'not met'}**`);
  }
  if (targets.length) lines.push('Targets:', '', ...targets, '');

  const problems = [...results.scenarios, ...(deep ? [deep.scenario] : [])].filter((s) => s.median.errors > 0);
  for (const s of problems) {
    lines.push(`Errors in "${s.label}" (${CLIENT_LABELS[s.client] ?? s.client}): ${s.median.errors} failed calls/entries over all runs, e.g.`);
    for (const sample of s.errorSamples) lines.push(`    ${sample}`);
    lines.push('');
  }
  for (const note of results.notes) lines.push(`Note: ${note}`);
  return lines.join('\n').trimEnd() + '\n';
}
