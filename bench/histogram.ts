// A small log-linear latency histogram (HdrHistogram-style): exact below 256 µs,
// then 128 buckets per power of two, i.e. < 0.8 % error, in a fixed 3,200-slot
// array. Bounded memory and O(1) recording keep the load generator cheap no
// matter how long it runs.

const SUB_BUCKETS = 128;
const SUB_BITS = 7; // log2(SUB_BUCKETS)
const MAX_MICROS = 0x7fffffff; // ~35 minutes; anything longer is clamped
const SLOTS = (31 - SUB_BITS) * SUB_BUCKETS + SUB_BUCKETS;

function slotOf(micros: number): number {
  const v = Math.min(MAX_MICROS, Math.max(0, Math.round(micros)));
  if (v < 2 * SUB_BUCKETS) return v;
  const shift = 31 - Math.clz32(v) - SUB_BITS;
  return (shift + 1) * SUB_BUCKETS + ((v >>> shift) - SUB_BUCKETS);
}

/** Midpoint (in µs) of the values that land in `slot`. */
function valueOf(slot: number): number {
  if (slot < 2 * SUB_BUCKETS) return slot;
  const shift = Math.floor(slot / SUB_BUCKETS) - 1;
  const lower = ((slot % SUB_BUCKETS) + SUB_BUCKETS) * 2 ** shift;
  return lower + 2 ** shift / 2;
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(SLOTS);
  private total = 0;
  private sumMicros = 0;
  private maxMicros = 0;

  recordMillis(ms: number): void {
    const micros = ms * 1000;
    this.counts[slotOf(micros)]! += 1;
    this.total += 1;
    this.sumMicros += micros;
    if (micros > this.maxMicros) this.maxMicros = micros;
  }

  get count(): number {
    return this.total;
  }

  percentileMillis(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let slot = 0; slot < SLOTS; slot++) {
      seen += this.counts[slot]!;
      if (seen >= rank) return Math.min(valueOf(slot), this.maxMicros) / 1000;
    }
    return this.maxMicros / 1000;
  }

  summary(): LatencySummary {
    const round = (ms: number): number => Math.round(ms * 1000) / 1000;
    return {
      count: this.total,
      meanMs: round(this.total === 0 ? 0 : this.sumMicros / this.total / 1000),
      p50Ms: round(this.percentileMillis(50)),
      p90Ms: round(this.percentileMillis(90)),
      p99Ms: round(this.percentileMillis(99)),
      maxMs: round(this.maxMicros / 1000),
    };
  }
}
