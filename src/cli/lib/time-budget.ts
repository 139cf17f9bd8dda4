// `--max-minutes X` of the `parley train <stage>` commands: a positive number of minutes, handed to the
// stage as its time budget in seconds (`maxSeconds`), or undefined when the flag is absent.
import { UserError } from '../../util/errors.ts';

export function parseMaxMinutes(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UserError(`--max-minutes must be a positive number of minutes (e.g. 0.5 or 30), got "${raw}"`);
  return v * 60;
}
