// Runs `parley` sub-commands in-process for tests: registers the given command files on a fresh
// program, parses `args`, and returns what they printed to stdout (stderr's progress lines are dropped).
import { Command } from 'commander';

type Register = (program: Command) => void;

export async function runInProcess(registers: Register[], args: string[]): Promise<string> {
  const program = new Command('parley').exitOverride();
  for (const register of registers) register(program);
  const out: string[] = [];
  const log = console.log;
  const err = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = () => {};
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    console.log = log;
    console.error = err;
  }
  return out.join('\n');
}
