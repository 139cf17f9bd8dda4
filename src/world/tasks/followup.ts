// Family 2: follow-up questions that only make sense with the earlier turns: "And its currency?"
// (same subject, new attribute) or "What about Peru?" (same attribute, new subject).
import { z } from 'zod';
import { baseMeta, makeGrade, parseWith } from '../grading.ts';
import type { Rng } from '../rng.ts';
import type { Split, World } from '../knowledge/index.ts';
import { fill, vary, type TemplateSet } from '../phrasing.ts';
import type { TaskFamily, TaskMeta, WorldMessage } from '../types.ts';
import {
  ANSWER_MODES, QUESTIONS, askFact, countryFact, COUNTRY_ATTRS, elementFact, hasAnswer, randomFact, wordFact,
  type AnswerMode, type Fact, type FactAttr,
} from './facts.ts';
import { gradeFact } from './factual.ts';

export interface FollowupMeta extends TaskMeta {
  task: 'followup';
  attr: string;
  subject: string;
  answers: string[];
  mode: AnswerMode;
  previous: string[]; // answers to the question before, for spotting a reply stuck on the old turn
}

const schema = z.object({
  task: z.literal('followup'),
  ...baseMeta,
  attr: z.string(),
  subject: z.string(),
  answers: z.array(z.string()).min(1),
  mode: z.enum(ANSWER_MODES),
  previous: z.array(z.string()),
});

// Questions about the subject already under discussion, by attribute.
const SAME_SUBJECT: Partial<Record<FactAttr, TemplateSet>> = {
  capital: {
    train: ['And its capital?', "What's the capital?", 'What is its capital city?', 'And the capital city?', 'Which city is its capital?', 'capital?'],
    eval: ["Where's the capital, by the way?", 'And where is the government based?'],
  },
  continent: {
    train: ['Which continent is it in?', 'And what continent?', 'Where is it located?', 'What continent is that on?'],
    eval: ["And it's on which continent?"],
  },
  currency: {
    train: ['And its currency?', 'What currency do they use there?', 'What money do they use?', 'and the currency?', 'What do they pay with?'],
    eval: ['What would I spend over there?', 'And money-wise, what do they use?'],
  },
  language: {
    train: ['What language do they speak there?', 'And the language?', 'What do people speak there?', 'and which languages are spoken?'],
    eval: ['What would I hear people speaking there?'],
  },
  symbol: {
    train: ['And its symbol?', "What's its chemical symbol?", 'How is it written in chemistry?', 'and the symbol?'],
    eval: ['And how do chemists abbreviate it?'],
  },
  atomic_number: {
    train: ['And its atomic number?', 'How many protons does it have?', 'What number is it?', 'atomic number?'],
    eval: ['Where is it in the table, number-wise?'],
  },
  state: {
    train: ['Is it a solid, liquid or gas?', 'What state is it at room temperature?', 'And at room temperature?'],
    eval: ['Would it be solid if I held it at room temperature?'],
  },
};

// Same question, new subject.
const NEW_SUBJECT: TemplateSet = {
  train: ['What about {x}?', 'And {x}?', 'How about {x}?', 'Same question for {x}.', 'And for {x}?', 'what about {x} then?', 'Now do {x}.', 'ok and {x}?'],
  eval: ['Okay, and if it were {x}?', "Let's try {x} instead."],
};

function subjectSlot(f: Fact): string {
  if (f.attr === 'country_of_capital') return f.vars.capital;
  if (f.attr === 'element_of_symbol') return f.vars.symbol;
  if (f.attr === 'element_of_number') return f.vars.number;
  if (f.kind === 'word') return `"${f.vars.word}"`;
  if (f.kind === 'element') return f.vars.element;
  return f.vars.country;
}

function sameSubjectFact(rng: Rng, world: World, f: Fact): Fact | undefined {
  if (f.kind === 'country') {
    const c = world.countries.all.find((x) => x.name === f.subject);
    const attrs = COUNTRY_ATTRS.filter((a) => a !== f.attr && a !== 'country_of_capital');
    return c ? countryFact(c, rng.pick(attrs)) : undefined;
  }
  if (f.kind === 'element') {
    const e = world.elements.all.find((x) => x.name === f.subject);
    const attrs = (['symbol', 'atomic_number', 'state'] as const).filter((a) => a !== f.attr && (a !== 'state' || e?.state));
    return e && attrs.length ? elementFact(e, rng.pick(attrs)) : undefined;
  }
  return undefined;
}

function newSubjectFact(rng: Rng, world: World, split: Split, f: Fact): Fact {
  for (let tries = 0; ; tries++) {
    let next: Fact;
    if (f.kind === 'country') next = countryFact(rng.pick(world.countries[split]), f.attr as (typeof COUNTRY_ATTRS)[number]);
    else if (f.kind === 'element') {
      const e = rng.pick(world.elements[split].filter((x) => f.attr !== 'state' || x.state));
      next = elementFact(e, f.attr as 'symbol');
    } else next = wordFact(rng.pick(world.words[split]));
    if (next.subject !== f.subject || tries > 20) return next;
  }
}

function modeOf(answers: string[]): AnswerMode {
  if (answers.every((a) => /^\d+$/.test(a))) return 'number';
  if (answers.every((a) => /^[A-Z][a-z]?$/.test(a))) return 'symbol';
  if (answers.some((a) => a.split(' ').length > 4)) return 'definition';
  return 'text';
}

export const followup: TaskFamily<FollowupMeta> = {
  name: 'followup',
  templates: [...Object.values(QUESTIONS), ...Object.values(SAME_SUBJECT), NEW_SUBJECT],
  parseMeta: (raw) => parseWith(schema, raw, 'followup') as FollowupMeta,
  generate(rng, world, split) {
    let fact = randomFact(rng, world, split);
    const prompt: WorldMessage[] = [{ role: 'user', content: askFact(rng, fact, split) }];
    const turns = rng.chance(0.3) ? 2 : 1;
    let previous = fact;
    let intent = '';
    for (let t = 0; t < turns; t++) {
      prompt.push({ role: 'assistant', content: fact.sentence });
      previous = fact;
      const same = rng.chance(0.5) ? sameSubjectFact(rng, world, fact) : undefined;
      let text: string;
      if (same && SAME_SUBJECT[same.attr]) {
        fact = same;
        intent = `same_subject:${same.attr}`;
        text = vary(rng, rng.pick(split === 'eval' ? SAME_SUBJECT[same.attr]!.eval : SAME_SUBJECT[same.attr]!.train));
      } else {
        fact = newSubjectFact(rng, world, split, fact);
        intent = `new_subject:${fact.attr}`;
        const x = subjectSlot(fact);
        text = vary(rng, fill(rng.pick(split === 'eval' ? NEW_SUBJECT.eval : NEW_SUBJECT.train), { x }), { protect: [x] });
      }
      prompt.push({ role: 'user', content: text });
    }
    return {
      prompt,
      meta: {
        task: 'followup',
        intent,
        split,
        reference: fact.sentence,
        attr: fact.attr,
        subject: fact.subject,
        answers: fact.answers,
        mode: fact.mode,
        previous: previous.answers,
      },
    };
  },
  demonstrate: (meta) => [{ role: 'assistant', content: meta.reference }],
  grade(_prompt, reply, meta) {
    const g = gradeFact(reply, { ...meta, intent: meta.attr });
    // Answering the earlier question again instead of the follow-up is the typical failure.
    if (!g.ok && g.label === 'wrong' && hasAnswer(reply, meta.previous, modeOf(meta.previous))) {
      return makeGrade('confused', false, 0, reply, meta.reference);
    }
    return g;
  },
};
