/**
 * IP addresses and CIDR blocks, IPv4 and IPv6 (EventBridge "IP address matching"; SNS "IP address matching").
 * Addresses become bigints so a block is a numeric range. Behaviour follows event-ruler's CIDR class: the block
 * runs from the address as written (host bits are not cleared) to the address with all host bits set; IPv4 mask
 * bits must be < 32 and IPv6 < 128; error texts are event-ruler's.
 */
import { fail } from './errors.js';

export interface IpAddress {
  readonly value: bigint;
  readonly v6: boolean;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): bigint | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length < 2) return undefined;
  let groups: string[];
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = split(halves[0]!);
  const tail = halves.length === 2 ? split(halves[1]!) : [];
  // An embedded IPv4 address ("::ffff:10.0.0.1") stands for the last two groups.
  const last = (halves.length === 2 ? tail : head).at(-1);
  let v4: bigint | undefined;
  if (last !== undefined && last.includes('.')) {
    v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    (halves.length === 2 ? tail : head).pop();
  }
  const wanted = v4 === undefined ? 8 : 6;
  if (halves.length === 2) {
    const missing = wanted - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== wanted) return undefined;
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  if (v4 !== undefined) value = (value << 32n) | v4;
  return value;
}

/** Parses an IPv4 or IPv6 literal; undefined for anything else (event values that are not addresses never match). */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { value: v4, v6: false };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { value: v6, v6: true };
}

export interface CidrRange {
  readonly low: bigint;
  readonly high: bigint;
  readonly v6: boolean;
}

export function parseCidr(text: string): CidrRange {
  const slashed = text.split('/');
  if (slashed.length !== 2) fail("Malformed CIDR, one '/' required");
  const [address, bitsText] = slashed as [string, string];
  if (!/^-?\d+$/.test(bitsText)) fail('Malformed CIDR, mask bits must be an integer');
  const bits = Number(bitsText);
  if (bits < 0) fail('Malformed CIDR, mask bits must not be negative');
  const ip = parseIp(address);
  if (ip === undefined) return fail(`Nonstandard IP address: ${address}`);
  const width = ip.v6 ? 128 : 32;
  if (bits > width - 1) fail(ip.v6 ? 'IPv6 mask bits must be < 128' : 'IPv4 mask bits must be < 32');
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  return { low: ip.value, high: ip.value | hostMask, v6: ip.v6 };
}

export function inCidr(text: string, range: CidrRange): boolean {
  const ip = parseIp(text);
  return ip !== undefined && ip.v6 === range.v6 && ip.value >= range.low && ip.value <= range.high;
}

/** event-ruler turns exact-match strings that are IP literals into single-address ranges, so "10.0.0.1" in a
 *  pattern matches only addresses equal to it; the canonical key lets the exact index do the same. */
export function ipKey(text: string): string | undefined {
  const ip = parseIp(text);
  return ip === undefined ? undefined : `ip:${ip.v6 ? 6 : 4}:${ip.value.toString(16)}`;
}
