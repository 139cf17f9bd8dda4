// Writes one dataset from the configured store as JSONL to a file or standard output (parley export).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { openStore, storeOptionsFromEnv } from './store.ts';
import { exportDataset, type DatasetKind } from './datasets.ts';

export async function exportToFile(kind: DatasetKind, out?: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const store = await openStore(storeOptionsFromEnv(env));
  const sink: Writable = out ? createWriteStream(out) : process.stdout;
  let n = 0;
  try {
    for await (const row of exportDataset(store, kind)) {
      if (!sink.write(JSON.stringify(row) + '\n')) await once(sink, 'drain');
      n++;
    }
  } finally {
    await store.close();
    if (out) {
      sink.end();
      await once(sink, 'finish');
    }
  }
  return n;
}
