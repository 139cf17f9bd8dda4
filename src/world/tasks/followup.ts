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
  {
    templates: {
      train: [
        'Now multiply that by {n}.', "What's that times {n}?", 'and times {n}?', 'Multiply the result by {n}.',
        'Multiply it by {n}.', 'Now times it by {n}.', 'What do you get if you multiply that by {n}?', '{n} times that?',
        'And if I multiply it by {n}?', "What's {n} times the result?", 'Multiply that number by {n}, please.', 'ok and that * {n}?',
        'That multiplied by {n} is what?', 'Can you multiply this by {n} as well?', 'Next, multiply by {n}.', 'How much is that times {n}?',
        'What would the answer be multiplied by {n}?', "What's {n} times as much as that?",
      ],
      eval: ['Scale that up {n} times.'],
    },
    expr: (p, n) => `${p}*${n}`,
  },
  {
    templates: {
      train: [
        'Now divide that by {n}.', 'And divided by {n}?', 'Split that into {n} equal parts.', "What's that over {n}?",
        'Divide the result by {n}.', 'What do you get if you divide it by {n}?', 'That divided by {n}?', 'How much is that divided by {n}?',
        'Share that equally among {n} people. How much does each get?', 'And if I divide that by {n}?', 'and that / {n}?',
        'Can you divide this by {n} too?', 'Next, divide by {n}.', "What's the result divided by {n}?", 'Divide the answer by {n} now.',
        'If that gets shared {n} ways, how big is one share?', 'Now the same number over {n}, please.',
      ],
      eval: ['Take that and divide it by {n}.'],
    },
    expr: (p, n) => `${p}/${n}`,
  },
  {
    templates: {
      train: [
        'Add {n} to that.', 'And plus {n}?', 'What if I add {n}?', 'Now add {n}.',
        'Plus {n}?', 'Add {n} to the result.', "What's that plus {n}?", 'And if I add {n} more?', 'Now put {n} on top of that.',
        'What do I get if I add {n} to it?', 'Add another {n}.', 'and that + {n}?', "What's {n} more than that?", 'Can you add {n} to it?',
        'Add {n} more to the total.', 'Next, add {n}.', 'How much is that with {n} added?', 'Then add {n} to the answer.',
      ],
      eval: ['Increase that by {n}.'],
    },
    expr: (p, n) => `${p}+${n}`,
  },
  {
    templates: {
      train: [
        'Subtract {n} from that.', 'And minus {n}?', 'Now take away {n}.', 'What if I subtract {n}?',
        'Minus {n}?', 'Subtract {n} from the result.', "What's that minus {n}?", 'Take {n} off that.', "What's {n} less than that?",
        'And if I subtract {n} from it?', 'Now knock off {n}.', 'Can you take {n} away from it?', 'and that - {n}?', 'Next, subtract {n}.',
        'How much is that minus {n}?', 'Deduct {n} from the answer.', "What's left if I take away {n}?", 'Then subtract {n} from this number.',
      ],
      eval: ['Reduce that by {n}.'],
    },
    expr: (p, n) => `${p}-${n}`,
  },
];

// Questions about the subject already under discussion, by attribute.
const SAME_SUBJECT: Partial<Record<FactAttr, TemplateSet>> = {
  capital: {
    train: [
      'And its capital?', "What's the capital?", 'What is its capital city?', 'And the capital city?', 'Which city is its capital?', 'capital?',
      "What's its main city?", 'And the capital?', "What's the seat of government there?", 'Which city is it governed from?',
      'Tell me its capital too.', 'Do you know the capital as well?', "And what's the capital called?", 'Which city serves as its capital?',
      'What about its capital?', 'Now the capital, please.', 'And the capital is...?', 'Name its capital.', 'Capital city?',
      "I'd also like to know the capital.", "Which city is the country's capital?",
    ],
    eval: ["Where's the capital, by the way?", 'And where is the government based?'],
  },
  continent: {
    train: [
      'Which continent is it in?', 'And what continent?', 'Where is it located?', 'What continent is that on?',
      'Which part of the world is it in?', 'And which continent is it part of?', 'What continent does it belong to?', 'Where in the world is that?',
      'And the continent?', 'Which continent would I find it on?', 'Tell me the continent too.', 'Do you know its continent?', 'continent?',
      'Which continent does it sit in?', "What's the continent?", 'If I went there, which continent would I be on?', 'Which continent is the country in?',
    ],
    eval: ["And it's on which continent?"],
  },
  currency: {
    train: [
      'And its currency?', 'What currency do they use there?', 'What money do they use?', 'and the currency?', 'What do they pay with?',
      "What's the currency called?", 'Which currency is used there?', 'What kind of money do they have?', 'What cash would I need there?',
      'What coins and notes do they use?', "What's the local currency?", 'If I visit, what money should I take?', 'currency?',
      "What's their money called?", 'Tell me the currency as well.', 'Do you know what currency they have?', 'What do the shops there accept as money?',
      'And the money?', "What's the official currency?",
    ],
    eval: ['What would I spend over there?', 'And money-wise, what do they use?'],
  },
  language: {
    train: [
      'What language do they speak there?', 'And the language?', 'What do people speak there?', 'and which languages are spoken?',
      "What's the language there?", "What's the official language?", 'What tongue do they speak?', 'What language do the locals use?',
      'Do you know what language they use?', 'language?', "What's the main language?", 'Which languages do people there speak?',
      'If I went there, what language would I need?', 'What do they speak?', 'Tell me the language too.', "What's spoken there?",
      'In what language do people talk there?',
    ],
    eval: ['What would I hear people speaking there?'],
  },
  symbol: {
    train: [
      'And its symbol?', "What's its chemical symbol?", 'How is it written in chemistry?', 'and the symbol?',
      "What's the symbol?", 'Which symbol does it have?', 'How is it written on the periodic table?', 'What letters stand for it?', 'symbol?',
      'Its chemical symbol?', 'How do you write it as a symbol?', 'Do you know its symbol?', 'Which one- or two-letter code does it use?',
      'What symbol represents it?', 'Tell me the symbol too.', "What's the element symbol for it?",
    ],
    eval: ['And how do chemists abbreviate it?'],
  },
  atomic_number: {
    train: [
      'And its atomic number?', 'How many protons does it have?', 'What number is it?', 'atomic number?',
      "What's its atomic number?", 'Which atomic number does it have?', 'How many protons are in its nucleus?', "What's its number on the periodic table?",
      'Proton count?', 'And the number of protons?', 'What number element is it?', 'Do you know its atomic number?', 'Tell me the atomic number too.',
      "And what's the atomic number?", 'Which element number is that?',
    ],
    eval: ['Where is it in the table, number-wise?'],
  },
  state: {
    train: [
      'Is it a solid, liquid or gas?', 'What state is it at room temperature?', 'And at room temperature?',
      'What state is it in normally?', 'Solid, liquid or gas?', 'Is it solid, liquid or gaseous at room temperature?',
      "What's its state at room temperature?", 'What form does it take at room temperature?', 'And its state of matter?',
      'What phase is it in at room temperature?', 'At room temperature, is it a solid, a liquid or a gas?',
      'How does it exist at room temperature: solid, liquid or gas?', 'Do you know its state at room temperature?', 'state at room temp?',
      'And its normal state?', 'Is it a gas, a liquid or a solid on an ordinary day indoors?',
    ],
    eval: ['Would it be solid if I held it at room temperature?'],
  },
};

// Same question, new subject.
const NEW_SUBJECT: TemplateSet = {
  train: [
    'What about {x}?', 'And {x}?', 'How about {x}?', 'Same question for {x}.', 'And for {x}?', 'what about {x} then?', 'Now do {x}.', 'ok and {x}?',
    'Same thing for {x}?', 'And what about {x}?', 'Okay, now {x}.', 'Do the same for {x}.', 'Now for {x}.', 'Can you do {x} too?',
    "What's the answer for {x}?", 'Same question, but {x}.', 'Now the same for {x}.', 'Alright, {x}?', 'Repeat that for {x}.',
    'Now answer it for {x}.', 'And the same with {x}?', 'Could you do that for {x} as well?', 'Switch to {x} now.', "I'd like the same for {x}.",
    'One more: {x}.', 'Next one: {x}.', 'Also {x}?', 'Then {x}?', 'How about for {x}?', 'And {x}, then?', 'Same again, this time for {x}.',
  ],
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
