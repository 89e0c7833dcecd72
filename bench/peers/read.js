// read.js reads every invoice of issue 19's bulk read with Conductor's
// official Node SDK (conductor-node, pinned in package.json) from a
// pageserver, and prints what the process used for the whole read, as
// goread does for the Go facade: CPU time (user + system, start-up
// included), peak resident memory and the most V8 heap used at any
// sample (every millisecond the event loop is free).
// Usage: node read.js BASE KEY
'use strict';
const Conductor = require('conductor-node');

async function main() {
  const [base, key] = process.argv.slice(2);
  const conductor = new Conductor({ apiKey: key, baseURL: base, maxRetries: 0 });
  let heap = 0;
  const sample = () => { heap = Math.max(heap, process.memoryUsage().heapUsed); };
  const timer = setInterval(sample, 1);
  const start = process.hrtime.bigint();
  let n = 0;
  for await (const invoice of conductor.qbd.invoices.list({ conductorEndUserId: 'end_usr_bulk', limit: 150 })) {
    if (invoice.lines.length !== 3) throw new Error(`invoice ${invoice.id} has ${invoice.lines.length} lines`);
    n++;
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  sample();
  clearInterval(timer);
  const cpu = process.cpuUsage();
  const rss = process.resourceUsage().maxRSS; // KiB
  console.log(`node sdk:  ${n} invoices, wall ${wall.toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, peak rss ${(rss / 1024).toFixed(1)} MiB, peak heap ${(heap / (1 << 20)).toFixed(1)} MiB`);
  if (n !== 10000) throw new Error(`read ${n} invoices; want 10000`);
}

main().catch((err) => { console.error(err); process.exit(1); });
