// Chemical elements from the `periodic-table` npm package: name, symbol, atomic number, state at room
// temperature, family and year of discovery where the data has them.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface Element {
  number: number; // atomic number, 1..118
  symbol: string; // "Fe"
  name: string; // "Iron"
  state?: 'solid' | 'liquid' | 'gas'; // at room temperature
  family?: string; // "transition metal", "noble gas", ...
  discovered?: number; // year, when the data gives one ("Ancient" elements have none)
}

interface RawElement {
  atomicNumber: number;
  symbol: string;
  name: string;
  standardState: string;
  groupBlock: string;
  yearDiscovered: number | string;
}

let cached: Element[] | undefined;

export function loadElements(): Element[] {
  if (cached) return cached;
  const raw = require('periodic-table/data.json') as RawElement[];
  const out: Element[] = [];
  for (const r of raw) {
    if (!r.name || !r.symbol || !Number.isInteger(r.atomicNumber)) continue;
    const state = ['solid', 'liquid', 'gas'].includes(r.standardState) ? (r.standardState as Element['state']) : undefined;
    // A few entries say only "metal", too vague to state as a family.
    const family = r.groupBlock && r.groupBlock !== 'metal' ? r.groupBlock.trim() : undefined;
    const year = typeof r.yearDiscovered === 'number' && r.yearDiscovered > 1000 ? r.yearDiscovered : undefined;
    out.push({ number: r.atomicNumber, symbol: r.symbol, name: r.name.trim(), state, family, discovered: year });
  }
  out.sort((a, b) => a.number - b.number);
  cached = out;
  return out;
}
