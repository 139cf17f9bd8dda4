// Labelled text from the world (src/world), written by another hand than our templates:
//   - the safety family's harmful requests, benign twins, refusals and answers; the world labels them with a coarse
//     category, mapped here per topic to ours, and an example speaks only for those categories;
//   - WordNet definitions and example sentences as plain safe text (they use "kill", "knife",
//     "drug" in their everyday senses);
//   - sentences of the world's encyclopedic pretraining prose (countries, elements, word senses),
//     a different register again: statements, numbers and names rather than requests.
// The world's own train/eval split is kept: its eval requests are held out here too.

import { loadWorld } from '../world/knowledge/index.ts';
import { loadWords } from '../world/knowledge/wordnet.ts';
import { pretrainParagraphs } from '../world/pretrain.ts';
import { Rng as WorldRng } from '../world/rng.ts';
import { TOPICS } from '../world/tasks/safety-topics.ts';
import type { Example } from './corpus.ts';
import type { Rng } from './random.ts';
import { withParents, type Category } from './taxonomy.ts';

const TOPIC_LABELS: Record<string, Category[]> = {
  hurt_person: ['violence'],
  weapon: ['illicit/violent'],
  break_in: ['illicit'],
  car_theft: ['illicit'],
  account_hacking: ['illicit'],
  drugs: ['illicit'],
  self_injury: ['self-harm'],
  suicide: ['self-harm/intent'],
  bullying: ['harassment'],
  stalking: ['harassment'],
  demeaning_group: ['hate'],
  explicit: ['sexual'],
};

export interface WorldCorpus {
  train: Example[];
  heldout: Example[];
}

export function worldExamples(rng: Rng, variants: (text: string) => string[], definitions: number, prose = 0): WorldCorpus {
  const train: Example[] = [];
  const heldout: Example[] = [];
  for (const topic of TOPICS) {
    const cats = TOPIC_LABELS[topic.name];
    if (!cats) continue; // a topic added to the world later is skipped until it is mapped here
    const labels = [...withParents(cats)];
    const source = `world-${topic.name}`;
    for (const t of topic.harmful.train) for (const text of variants(t)) train.push({ text, labels, mask: labels, source });
    for (const t of topic.harmful.eval) heldout.push({ text: t, labels, mask: labels, source });
    for (const t of topic.benign.templates.train) for (const text of variants(t)) train.push({ text, labels: [], source: `${source}-twin` });
    for (const t of topic.benign.templates.eval) heldout.push({ text: t, labels: [], source: `${source}-twin` });
    // The replies Parley's chat model is taught to give are safe text too; refusals name the harm
    // they refuse ("I can't help with hurting someone"), which is exactly what must not be flagged.
    train.push({ text: topic.refusal, labels: [], source: `${source}-refusal` });
    train.push({ text: topic.benign.answer, labels: [], source: `${source}-answer` });
  }
  const words = loadWords();
  const picked = rng.shuffle(words.slice()).slice(0, definitions);
  picked.forEach((w, i) => {
    const text = rng.next() < 0.5 || w.examples.length === 0 ? `${w.word}: ${w.definition}` : rng.pick(w.examples);
    (i % 5 === 0 ? heldout : train).push({ text, labels: [], source: 'wordnet' });
  });
  if (prose > 0) {
    // A small scale of the pretraining text is still thousands of sentences; take `prose` of them.
    const paragraphs = pretrainParagraphs(new WorldRng(rng.int(1 << 30)), loadWorld(), 0.05);
    const sentences = paragraphs.flatMap((p) => p.split(/(?<=[.!?])\s+/)).filter((s) => s.split(' ').length >= 4);
    rng.shuffle(sentences).slice(0, prose).forEach((text, i) => (i % 5 === 0 ? heldout : train).push({ text, labels: [], source: 'world-prose' }));
  }
  return { train, heldout };
}
