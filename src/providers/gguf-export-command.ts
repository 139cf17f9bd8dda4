// `parley export gguf --model DIR --out FILE`: registered on the `export` command group, which the
// server helper's src/cli/export.ts owns and which calls registerGgufExport.
import type { Command } from 'commander';

export function registerGgufExport(exportCommand: Command): void {
  exportCommand
    .command('gguf')
    .description('write a checkpoint as a GGUF file for llama.cpp and Ollama (llama architecture, BPE tokenizer, chat template)')
    .requiredOption('--model <dir>', 'checkpoint directory (config.json, model.safetensors, tokenizer.json)')
    .requiredOption('--out <file>', 'the .gguf file to write')
    .option('--dtype <type>', 'f16 (matrices in half precision) or f32', 'f16')
    .option('--pre <name>', "llama.cpp pre-tokenizer name, if the tokenizer's is not recognised (e.g. llama-bpe, gpt-2)")
    .option('--name <name>', 'general.name in the file (default: parley.json name or the directory name)')
    .action(async (o: { model: string; out: string; dtype: string; pre?: string; name?: string }) => {
      const { exportGguf } = await import('./gguf-export.ts');
      const started = Date.now();
      const s = exportGguf({ modelDir: o.model, out: o.out, dtype: o.dtype as 'f16' | 'f32', pre: o.pre, name: o.name });
      const mb = (s.bytes / 1e6).toFixed(1);
      console.log(`wrote ${s.out}: ${s.tensors} tensors (${s.dtype}), vocabulary ${s.vocabSize}, pre-tokenizer ${s.pre}, ${mb} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log(`run it with: llama-cli -m ${s.out} -cnv   or, in an Ollama Modelfile: FROM ./${s.out.split('/').pop()}`);
    });
}
