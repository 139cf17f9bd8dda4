// Family 2: follow-up questions that only make sense with the earlier turns: "And its currency?"
// (same subject, new attribute), "What about Peru?" (same attribute, new subject) or, after a
// calculation, "Now multiply that by 3." (a new calculator call on the previous result).
import { z } from 'zod';
import { baseMeta, makeGrade, parseWith } from '../grading.ts';
import type { Rng } from '../rng.ts';
import type { Split, World } from '../knowledge/index.ts';
import { fill, vary, type TemplateSet } from '../phrasing.ts';
import type { TaskFamily, TaskMeta, WorldMessage } from '../types.ts';
import { calculate } from '../../tokenizer/calculator.ts';
import { calculator } from './calculator.ts';
import {
  ANSWER_MODES, QUESTIONS, askFact, nameInCapital, countryFact, COUNTRY_ATTRS, elementFact, hasAnswer, randomFact, wordFact,
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
  expression?: string; // for a calculation follow-up: what the assistant passes to the calculator
}

const schema = z.object({
  task: z.literal('followup'),
  ...baseMeta,
  attr: z.string(),
  subject: z.string(),
  answers: z.array(z.string()).min(1),
  mode: z.enum(ANSWER_MODES),
  previous: z.array(z.string()),
  expression: z.string().min(1).optional(),
});

interface CalcStep {
  templates: TemplateSet; // slot {n}
  expr: (previous: string, n: number) => string;
}

// Operations on "that", the previous result.
const CALC_STEPS: CalcStep[] = [
  { templates: { train: ['Now multiply that by {n}.', "What's that times {n}?", 'and times {n}?', 'Multiply the result by {n}.'], eval: ['Scale that up {n} times.'] }, expr: (p, n) => `${p}*${n}` },
  { templates: { train: ['Now divide that by {n}.', 'And divided by {n}?', 'Split that into {n} equal parts.', "What's that over {n}?"], eval: ['Take that and divide it by {n}.'] }, expr: (p, n) => `${p}/${n}` },
  { templates: { train: ['Add {n} to that.', 'And plus {n}?', 'What if I add {n}?', 'Now add {n}.'], eval: ['Increase that by {n}.'] }, expr: (p, n) => `${p}+${n}` },
  { templates: { train: ['Subtract {n} from that.', 'And minus {n}?', 'Now take away {n}.', 'What if I subtract {n}?'], eval: ['Reduce that by {n}.'] }, expr: (p, n) => `${p}-${n}` },
];

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
    if (f.kind === 'country') {
      const capitalQuestion = f.attr === 'capital' || f.attr === 'country_of_capital';
      const c = rng.pick(world.countries[split].filter((x) => !capitalQuestion || !nameInCapital(x)));
      next = countryFact(c, f.attr as (typeof COUNTRY_ATTRS)[number]);
    }
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

function calcFollowup(rng: Rng, world: World, split: Split): { prompt: WorldMessage[]; meta: FollowupMeta } | undefined {
  const first = calculator.generate(rng, world, split);
  const context = calculator.demonstrate(first.meta);
  const previous = context[1].content; // the tool's output: the number the answer copied
  if (!/^-?\d+(\.\d+)?$/.test(previous)) return undefined;
  const step = rng.pick(CALC_STEPS);
  const n = rng.range(2, 20);
  const expression = step.expr(previous, n);
  const result = calculate(expression);
  if (!result.ok) return undefined;
  const text = vary(rng, fill(rng.pick(split === 'eval' ? step.templates.eval : step.templates.train), { n }), { protect: [String(n)] });
  return {
    prompt: [...first.prompt, ...context, { role: 'user', content: text }],
    meta: {
      task: 'followup', intent: 'calculation', split, reference: `The answer is ${result.text}.`, attr: 'calculation',
      subject: '', answers: [result.text], mode: 'number', previous: [previous], expression,
    },
  };
}

export const followup: TaskFamily<FollowupMeta> = {
  name: 'followup',
  templates: [...Object.values(QUESTIONS), ...Object.values(SAME_SUBJECT), NEW_SUBJECT, ...CALC_STEPS.map((s) => s.templates), ...calculator.templates],
  parseMeta: (raw) => parseWith(schema, raw, 'followup') as FollowupMeta,
  generate(rng, world, split) {
    if (rng.chance(0.2)) {
      const calc = calcFollowup(rng, world, split);
      if (calc) return calc;
    }
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
  demonstrate(meta): WorldMessage[] {
    if (!meta.expression) return [{ role: 'assistant', content: meta.reference }];
    // The earlier calculation used call_0; this one is the conversation's second call.
    const call = { id: 'call_1', type: 'function' as const, function: { name: 'calculator', arguments: JSON.stringify({ expression: meta.expression }) } };
    return [
      { role: 'assistant', content: '', tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: calculate(meta.expression).text },
      { role: 'assistant', content: meta.reference },
    ];
  },
  grade(_prompt, reply, meta) {
    const g = gradeFact(reply, { ...meta, intent: meta.attr });
    // Answering the earlier question again instead of the follow-up is the typical failure.
    if (!g.ok && g.label === 'wrong' && hasAnswer(reply, meta.previous, modeOf(meta.previous))) {
      return makeGrade('confused', false, 0, reply, meta.reference);
    }
    return g;
  },
};
