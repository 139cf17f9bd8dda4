// Family 1: a single factual question about a country, an element or a word, answered in one short
// sentence ("The capital of France is Paris.").
import { z } from 'zod';
import { baseMeta, makeGrade, parseWith } from '../grading.ts';
import { loadWorld } from '../knowledge/index.ts';
import { isRefusal } from '../text.ts';
import type { Grade, TaskFamily, TaskMeta } from '../types.ts';
import { ANSWER_MODES, QUESTIONS, askFact, hasAnswer, namesOtherCandidate, randomFact, type AnswerMode } from './facts.ts';

export interface FactualMeta extends TaskMeta {
  task: 'factual';
  subject: string;
  answers: string[];
  mode: AnswerMode;
}

const schema = z.object({
  task: z.literal('factual'),
  ...baseMeta,
  subject: z.string(),
  answers: z.array(z.string()).min(1),
  mode: z.enum(ANSWER_MODES),
});

/** Grades a reply that should state a fact: shared with the follow-up family. */
export function gradeFact(reply: string, meta: { intent: string; subject: string; answers: string[]; mode: AnswerMode; reference: string }): Grade {
  const text = String(reply ?? '');
  if (hasAnswer(text, meta.answers, meta.mode)) {
    if (namesOtherCandidate(loadWorld(), text, meta)) {
      return makeGrade('hedged', false, 0.2, text, meta.reference);
    }
    return makeGrade('correct', true, 1, text, meta.reference);
  }
  if (isRefusal(text)) return makeGrade('refused', false, 0, text, meta.reference);
  return makeGrade('wrong', false, 0, text, meta.reference);
}

export const factual: TaskFamily<FactualMeta> = {
  name: 'factual',
  templates: Object.values(QUESTIONS),
  parseMeta: (raw) => parseWith(schema, raw, 'factual') as FactualMeta,
  generate(rng, world, split) {
    const fact = randomFact(rng, world, split);
    return {
      prompt: [{ role: 'user', content: askFact(rng, fact, split) }],
      meta: {
        task: 'factual',
        intent: fact.attr,
        split,
        reference: fact.sentence,
        subject: fact.subject,
        answers: fact.answers,
        mode: fact.mode,
      },
    };
  },
  demonstrate: (meta) => [{ role: 'assistant', content: meta.reference }],
  grade: (_prompt, reply, meta) => gradeFact(reply, meta),
};
