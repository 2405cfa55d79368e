import type { Postbox } from '../../../src/index.js';
import type { DeliveryRecord } from '../../../src/store/delivery-log-contract.js';

/** Deliveries Postbox recorded instead of making (SMS, push, one-time codes), read back as a developer would. */
export async function deliveries(postbox: Postbox, filter: Record<string, string> = {}): Promise<DeliveryRecord[]> {
  const query = new URLSearchParams({ service: 'sns', limit: '1000', ...filter });
  const res = await fetch(`${postbox.endpoint}/_postbox/deliveries?${query}`);
  if (res.status !== 200) throw new Error(`GET /_postbox/deliveries answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { deliveries: DeliveryRecord[] }).deliveries;
}
