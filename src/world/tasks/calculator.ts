// Family 3: arithmetic, percentages, unit conversions and word problems, answered through the
// calculator tool: the assistant emits a tool call with an expression, the tool returns the value,
// and the assistant states the result in one sentence, copying the number the tool printed (copying
// is what a small model learns reliably; the tool's own formatting is canonical).
import { z } from 'zod';
import { baseMeta, makeGrade, parseWith } from '../grading.ts';
import type { Rng } from '../rng.ts';
import { fill, vary, type TemplateSet } from '../phrasing.ts';
import { calculate, runCalculatorTool } from '../../tokenizer/calculator.ts';
import { isRefusal, numbersIn, sameNumber } from '../text.ts';
import type { TaskFamily, TaskMeta, WorldMessage } from '../types.ts';

export interface CalculatorMeta extends TaskMeta {
  task: 'calculator';
  expression: string; // what the assistant passes to the calculator, e.g. "12*(3+4)"
  value: number; // the exact result
}

const schema = z.object({
  task: z.literal('calculator'),
  ...baseMeta,
  expression: z.string().min(1),
  value: z.number().finite(),
});

type Op = '+' | '-' | '*' | '/';
type Node = { value: number } | { op: Op; left: Node; right: Node };

const PREC: Record<Op, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

function evaluate(n: Node): number {
  if ('value' in n) return n.value;
  const a = evaluate(n.left);
  const b = evaluate(n.right);
  return n.op === '+' ? a + b : n.op === '-' ? a - b : n.op === '*' ? a * b : a / b;
}

// Parentheses exactly where standard precedence needs them, so the string means the tree.
function render(n: Node, spaced: boolean): string {
  if ('value' in n) return String(n.value);
  const wrap = (c: Node, right: boolean) => {
    const s = render(c, spaced);
    if ('value' in c) return s;
    const need = PREC[c.op] < PREC[n.op] || (right && PREC[c.op] === PREC[n.op] && (n.op === '-' || n.op === '/'));
    return need ? `(${s})` : s;
  };
  const sep = spaced ? ' ' : '';
  return `${wrap(n.left, false)}${sep}${n.op}${sep}${wrap(n.right, true)}`;
}

function operand(rng: Rng): Node {
  const r = rng.next();
  if (r < 0.15) return { value: rng.range(1, 999) / 10 };
  if (r < 0.6) return { value: rng.range(2, 99) };
  return { value: rng.range(2, 999) };
}

function binary(rng: Rng, op: Op, left: Node, right: Node): Node {
  // Keep divisions mostly exact, as people usually ask them.
  if (op === '/' && rng.chance(0.7)) {
    const d = rng.range(2, 25);
    return { op, left: { value: d * rng.range(2, 60) }, right: { value: d } };
  }
  return { op, left, right };
}

function expressionTree(rng: Rng): Node {
  const ops: Op[] = ['+', '-', '*', '/'];
  const first = binary(rng, rng.pick(ops), operand(rng), operand(rng));
  if (rng.chance(0.45)) return first;
  const op = rng.pick(ops);
  return rng.chance(0.5) ? { op, left: first, right: operand(rng) } : { op, left: operand(rng), right: first };
}

const SYMBOLIC: TemplateSet = {
  train: [
    'What is {e}?', 'Calculate {e}.', '{e} = ?', 'compute {e}', 'How much is {e}?', 'Can you work out {e}?', 'solve {e}',
    '{e}', "What's {e}?", 'Please calculate {e} for me.', 'what does {e} equal?', 'Evaluate {e}.',
    "What's the answer to {e}?", 'Work out {e} for me.', 'Can you tell me what {e} is?', 'What do I get for {e}?',
    '{e} equals what?', 'Give me the value of {e}.', 'Find {e}.', "I'm doing my homework and got stuck on {e}. What's the answer?",
    "My calculator's battery just died. What is {e}?", 'Do the arithmetic for me: {e}', 'how much does {e} make?',
    'Could you evaluate {e}?', "I'd like to know what {e} is.", 'Any idea what {e} works out to?', 'calc {e}',
    '{e} is how much?', 'Solve this for me: {e}', 'What number do you get from {e}?', 'Double-check this for me: what is {e}?',
    'I keep getting different answers for {e}. What should it be?', 'Checking my numbers here: {e}?', 'Please work this out: {e}',
    'What would {e} be?', 'Mind computing {e}?', 'Tell me {e}.', 'Can I get the answer to {e}?', "Arithmetic question: what's {e}?",
    'What does {e} give?', 'Figure out {e}, would you?',
  ],
  eval: ['Quick math: what does {e} come to?', 'I need the result of {e}.', 'Help me with this sum: {e}'],
};

const VERBAL: Record<Op, TemplateSet> = {
  '+': {
    train: [
      'What is {a} plus {b}?', 'Add {a} and {b}.', 'What do {a} and {b} add up to?', 'sum of {a} and {b}?',
      '{a} plus {b}?', "What's {a} + {b}?", 'Add {b} to {a}.', 'What do you get if you add {a} and {b}?', 'Find the sum of {a} and {b}.',
      "What's the total of {a} and {b}?", 'Can you add up {a} and {b} for me?', 'How much is {a} plus {b}?', '{a} and {b} added up?',
      "What's {b} more than {a}?", 'Total up {a} and {b}.', 'sum {a} and {b}', '{a} + {b} = ?', 'I need to add {a} to {b}. What do I get?',
    ],
    eval: ['If I put {a} and {b} together, how much is that?'],
  },
  '-': {
    train: [
      'What is {a} minus {b}?', 'Subtract {b} from {a}.', 'Take {b} away from {a}.', 'what is {a} less {b}?',
      '{a} minus {b}?', "What's {a} - {b}?", 'How much is {a} minus {b}?', 'What do you get if you subtract {b} from {a}?',
      "What's {b} less than {a}?", 'Deduct {b} from {a}.', '{a} take away {b}?', "If I start with {a} and subtract {b}, what's the answer?",
      'Can you subtract {b} from {a} for me?', 'Take {b} off {a}.', 'What is {a} with {b} subtracted?', 'Work out {a} minus {b}.',
      '{a} - {b} = ?',
    ],
    eval: ['How much is left when {b} is removed from {a}?'],
  },
  '*': {
    train: [
      'What is {a} times {b}?', 'Multiply {a} by {b}.', 'What is {a} multiplied by {b}?', 'product of {a} and {b}?',
      '{a} times {b}?', "What's {a} x {b}?", 'How much is {a} times {b}?', 'What do you get when you multiply {a} by {b}?',
      'Find the product of {a} and {b}.', 'Can you multiply {a} and {b} for me?', '{a} multiplied by {b} equals?', 'Times {a} by {b}.',
      "What's {a} * {b}?", 'Work out {a} times {b}.', 'Give me {a} multiplied by {b}.', 'Multiply {a} and {b} together.',
      '{a} * {b} = ?',
    ],
    eval: ['How much is {a} lots of {b}?'],
  },
  '/': {
    train: [
      'What is {a} divided by {b}?', 'Divide {a} by {b}.', 'How many times does {b} go into {a}?', '{a} over {b}?',
      '{a} divided by {b}?', "What's {a} / {b}?", 'How much is {a} divided by {b}?', 'What do you get when you divide {a} by {b}?',
      "What's the quotient when {a} is divided by {b}?", 'Can you divide {a} by {b} for me?', 'Share {a} equally between {b} people. How much does each one get?',
      'Work out {a} divided by {b}.', 'Give me {a} over {b}.', 'What is {a} / {b} equal to?', "What's the result of dividing {a} by {b}?",
      'If {a} is divided by {b}, what do you get?', 'Could you tell me {a} divided by {b}?', '{a} / {b} = ?',
    ],
    eval: ['If I split {a} into {b} equal parts, how big is each?'],
  },
};

const PERCENT: TemplateSet = {
  train: [
    'What is {p}% of {n}?', "What's {p} percent of {n}?", 'Calculate {p}% of {n}.', 'How much is a {p}% tip on a {n} dollar bill?', '{p} percent of {n}?',
    '{p}% of {n}?', 'Find {p}% of {n}.', 'How much is {p} percent of {n}?', "What's {p} per cent of {n}?",
    "I'm leaving a {p}% tip on a bill of {n}. How much is the tip?", "There's {p}% off a jacket that costs {n}. How much do I save?",
    'The tax rate is {p}% and the price is {n}. How much tax do I pay?', 'What is {p} percent of {n} dollars?', 'Work out {p}% of {n}.',
    '{p} percent of {n} is how much?', 'My budget is {n} and {p}% of it goes on food. How much is that?', 'Can you figure out {p}% of {n}?',
    'Take {p}% of {n}.', 'What does {p}% of {n} work out to?', "I'd like to know {p}% of {n}.", 'A {p}% deposit on {n} dollars: how much is it?',
    'If {p}% of my {n} dollar paycheck goes to savings, how much do I save?',
  ],
  eval: ['If something costs {n} and I get {p}% back, how much do I get back?'],
};

interface Unit {
  from: string;
  to: string;
  expr: (x: string) => string;
  apply: (x: number) => number;
}

const UNITS: Unit[] = [
  { from: 'miles', to: 'kilometers', expr: (x) => `${x}*1.609344`, apply: (x) => x * 1.609344 },
  { from: 'kilometers', to: 'miles', expr: (x) => `${x}/1.609344`, apply: (x) => x / 1.609344 },
  { from: 'kilograms', to: 'pounds', expr: (x) => `${x}/0.45359237`, apply: (x) => x / 0.45359237 },
  { from: 'pounds', to: 'kilograms', expr: (x) => `${x}*0.45359237`, apply: (x) => x * 0.45359237 },
  { from: 'degrees Celsius', to: 'degrees Fahrenheit', expr: (x) => `${x}*9/5+32`, apply: (x) => (x * 9) / 5 + 32 },
  { from: 'degrees Fahrenheit', to: 'degrees Celsius', expr: (x) => `(${x}-32)*5/9`, apply: (x) => ((x - 32) * 5) / 9 },
  { from: 'inches', to: 'centimeters', expr: (x) => `${x}*2.54`, apply: (x) => x * 2.54 },
  { from: 'centimeters', to: 'inches', expr: (x) => `${x}/2.54`, apply: (x) => x / 2.54 },
  { from: 'feet', to: 'meters', expr: (x) => `${x}*0.3048`, apply: (x) => x * 0.3048 },
  { from: 'meters', to: 'feet', expr: (x) => `${x}/0.3048`, apply: (x) => x / 0.3048 },
  { from: 'gallons', to: 'liters', expr: (x) => `${x}*3.785411784`, apply: (x) => x * 3.785411784 },
  { from: 'liters', to: 'gallons', expr: (x) => `${x}/3.785411784`, apply: (x) => x / 3.785411784 },
  { from: 'hours', to: 'minutes', expr: (x) => `${x}*60`, apply: (x) => x * 60 },
  { from: 'minutes', to: 'seconds', expr: (x) => `${x}*60`, apply: (x) => x * 60 },
  { from: 'days', to: 'hours', expr: (x) => `${x}*24`, apply: (x) => x * 24 },
  { from: 'weeks', to: 'days', expr: (x) => `${x}*7`, apply: (x) => x * 7 },
];

const CONVERT: TemplateSet = {
  train: [
    'How many {to} is {x} {from}?', 'Convert {x} {from} to {to}.', 'What is {x} {from} in {to}?', '{x} {from} in {to}?',
    'How many {to} are there in {x} {from}?', 'Can you convert {x} {from} into {to}?',
    '{x} {from} to {to}?', 'Turn {x} {from} into {to}.', '{x} {from} equals how many {to}?', 'Change {x} {from} to {to}.',
    'Could you tell me how many {to} make up {x} {from}?', 'I need to know how many {to} {x} {from} is.',
    'The label says {x} {from}. How many {to} is that?', '{from} to {to}: {x}', 'What does {x} {from} convert to in {to}?',
    'How much is {x} {from} in {to}?', 'How many {to} would {x} {from} be?', 'Give me {x} {from} in {to}.',
    'Convert from {from} to {to}: {x}', 'Working on a school project: how many {to} is {x} {from}?',
    'Any idea what {x} {from} is in {to}?', "I'd like {x} {from} converted to {to}.", "What's the {to} equivalent of {x} {from}?",
    '{x} {from} = ? {to}', 'quick conversion: {x} {from} into {to}',
  ],
  eval: ["I've got {x} {from}; what's that in {to}?", 'Express {x} {from} as {to}, please.'],
};

interface Story {
  text: string; // slots {x} {y}: the left and right operands of the tree, as the user states them
  expr: (a: number, b: number) => Node;
  unit: string;
}

const STORIES: { train: Story[]; eval: Story[] } = {
  train: [
    { text: 'I have {x} boxes with {y} eggs in each. How many eggs do I have?', expr: (a, b) => ({ op: '*', left: { value: a }, right: { value: b } }), unit: 'eggs' },
    { text: 'A car drives at {x} km/h for {y} hours. How far does it go in kilometers?', expr: (a, b) => ({ op: '*', left: { value: a }, right: { value: b } }), unit: 'kilometers' },
    { text: 'I had {x} dollars and spent {y}. How much do I have left?', expr: (a, b) => ({ op: '-', left: { value: a + b }, right: { value: b } }), unit: 'dollars' },
    { text: 'A class has {x} students and {y} more join. How many students are there now?', expr: (a, b) => ({ op: '+', left: { value: a }, right: { value: b } }), unit: 'students' },
    { text: 'A bill of {x} dollars is shared equally by {y} friends. How much does each pay?', expr: (a, b) => ({ op: '/', left: { value: a * b }, right: { value: b } }), unit: 'dollars' },
    { text: 'I read {x} pages a day. How many pages do I read in {y} days?', expr: (a, b) => ({ op: '*', left: { value: a }, right: { value: b } }), unit: 'pages' },
    { text: 'A pack holds {x} pencils. How many pencils are in {y} packs?', expr: (a, b) => ({ op: '*', left: { value: a }, right: { value: b } }), unit: 'pencils' },
    { text: 'Tickets cost {x} dollars each. How much do {y} tickets cost?', expr: (a, b) => ({ op: '*', left: { value: a }, right: { value: b } }), unit: 'dollars' },
    { text: 'I save {x} dollars every week. How much will I have saved after {y} weeks?', expr: (a, b) => ({ op: '*', left: { value: a }, right: { value: b } }), unit: 'dollars' },
    { text: 'Each bus carries {x} people. How many people can {y} buses carry?', expr: (a, b) => ({ op: '*', left: { value: a }, right: { value: b } }), unit: 'people' },
    { text: 'A recipe needs {x} grams of flour per cake. How many grams of flour do I need for {y} cakes?', expr: (a, b) => ({ op: '*', left: { value: a }, right: { value: b } }), unit: 'grams' },
    { text: 'There are {x} red apples and {y} green apples in a bowl. How many apples are in the bowl?', expr: (a, b) => ({ op: '+', left: { value: a }, right: { value: b } }), unit: 'apples' },
    { text: 'My score was {x} points and I just earned {y} more. What is my score now?', expr: (a, b) => ({ op: '+', left: { value: a }, right: { value: b } }), unit: 'points' },
    { text: 'A library had {x} books and was given {y} new ones. How many books does it have now?', expr: (a, b) => ({ op: '+', left: { value: a }, right: { value: b } }), unit: 'books' },
    { text: 'I ran {x} km on Saturday and {y} km on Sunday. How many kilometers did I run over the weekend?', expr: (a, b) => ({ op: '+', left: { value: a }, right: { value: b } }), unit: 'kilometers' },
    { text: 'A tank held {x} liters of water and {y} liters leaked out. How many liters are left?', expr: (a, b) => ({ op: '-', left: { value: a + b }, right: { value: b } }), unit: 'liters' },
    { text: 'There were {x} cookies in the jar and we ate {y} of them. How many cookies are still in the jar?', expr: (a, b) => ({ op: '-', left: { value: a + b }, right: { value: b } }), unit: 'cookies' },
    { text: 'A rope is {x} meters long and I cut off {y} meters. How many meters of rope are left?', expr: (a, b) => ({ op: '-', left: { value: a + b }, right: { value: b } }), unit: 'meters' },
    { text: 'The game costs {x} dollars and I have a coupon for {y} dollars off. How much do I pay?', expr: (a, b) => ({ op: '-', left: { value: a + b }, right: { value: b } }), unit: 'dollars' },
    { text: '{x} candies are shared equally among {y} children. How many candies does each child get?', expr: (a, b) => ({ op: '/', left: { value: a * b }, right: { value: b } }), unit: 'candies' },
    { text: 'A {x}-page book is read in {y} days, the same number of pages every day. How many pages a day is that?', expr: (a, b) => ({ op: '/', left: { value: a * b }, right: { value: b } }), unit: 'pages' },
    { text: 'A trip of {x} kilometers takes {y} hours at a steady speed. What is the speed in km/h?', expr: (a, b) => ({ op: '/', left: { value: a * b }, right: { value: b } }), unit: 'km/h' },
  ],
  eval: [
    { text: 'A shelf holds {x} rows of {y} jars. How many jars fit on it?', expr: (a, b) => ({ op: '*', left: { value: a }, right: { value: b } }), unit: 'jars' },
    { text: 'My bus ride is {x} minutes and the walk after it is {y} minutes. How long is the whole trip?', expr: (a, b) => ({ op: '+', left: { value: a }, right: { value: b } }), unit: 'minutes' },
  ],
};

function templ(rng: Rng, set: TemplateSet, split: 'train' | 'eval'): string {
  return rng.pick(split === 'eval' ? set.eval : set.train);
}

export const calculator: TaskFamily<CalculatorMeta> = {
  name: 'calculator',
  templates: [
    SYMBOLIC, PERCENT, CONVERT, ...Object.values(VERBAL),
    { train: STORIES.train.map((s) => s.text), eval: STORIES.eval.map((s) => s.text) },
  ],
  parseMeta: (raw) => parseWith(schema, raw, 'calculator') as CalculatorMeta,
  generate(rng, _world, split) {
    const kind = rng.pick(['symbolic', 'symbolic', 'verbal', 'percent', 'convert', 'convert', 'story'] as const);
    let text: string;
    let expression: string;
    let value: number;
    let answer: (shown: string) => string;
    if (kind === 'symbolic') {
      const tree = expressionTree(rng);
      expression = render(tree, false);
      value = evaluate(tree);
      const shown = render(tree, rng.chance(0.5));
      text = fill(templ(rng, SYMBOLIC, split), { e: shown });
      answer = (v) => `${shown} = ${v}.`;
    } else if (kind === 'verbal') {
      const op = rng.pick(['+', '-', '*', '/'] as const);
      const tree = binary(rng, op, operand(rng), operand(rng)) as { op: Op; left: { value: number }; right: { value: number } };
      expression = render(tree, false);
      value = evaluate(tree);
      text = fill(templ(rng, VERBAL[op], split), { a: tree.left.value, b: tree.right.value });
      answer = (v) => `The answer is ${v}.`;
    } else if (kind === 'percent') {
      const p = rng.pick([5, 10, 12, 15, 18, 20, 25, 30, 40, 50, 75, 8, 3]);
      const n = rng.range(10, 2000);
      expression = `${n}*${p}/100`;
      value = (n * p) / 100;
      text = fill(templ(rng, PERCENT, split), { p, n });
      answer = (v) => `${p}% of ${n} is ${v}.`;
    } else if (kind === 'convert') {
      const u = rng.pick(UNITS);
      const x = rng.chance(0.8) ? rng.range(1, 500) : rng.range(1, 999) / 10;
      expression = u.expr(String(x));
      value = u.apply(x);
      text = fill(templ(rng, CONVERT, split), { x, from: u.from, to: u.to });
      answer = (v) => `${x} ${u.from} is ${v} ${u.to}.`;
    } else {
      const story = rng.pick(split === 'eval' ? STORIES.eval : STORIES.train);
      const a = rng.range(2, 60);
      const b = rng.range(2, 30);
      const tree = story.expr(a, b);
      expression = render(tree, false);
      value = evaluate(tree);
      const leaves = tree as { left: { value: number }; right: { value: number } };
      text = fill(story.text, { x: leaves.left.value, y: leaves.right.value });
      answer = (v) => `The answer is ${v} ${story.unit}.`;
    }
    // The tool must agree with the value we built the expression from; anything else is a bug here.
    const result = calculate(expression);
    if (!result.ok || Math.abs(result.value - value) > 1e-9 * Math.max(1, Math.abs(value))) {
      throw new Error(`calculator disagrees on ${expression}: ${result.text} vs ${value}`);
    }
    // The printed value is the truth the answer copies (55476, not 55475.999999999993).
    value = Number(result.text);
    const reference = answer(result.text);
    return {
      prompt: [{ role: 'user', content: vary(rng, text, { typoRate: 0.08, protect: [expression] }) }],
      meta: { task: 'calculator', intent: kind, split, reference, expression, value },
    };
  },
  demonstrate(meta): WorldMessage[] {
    const id = 'call_0';
    const call = { id, type: 'function' as const, function: { name: 'calculator', arguments: JSON.stringify({ expression: meta.expression }) } };
    return [
      { role: 'assistant', content: '', tool_calls: [call] },
      { role: 'tool', tool_call_id: id, content: runCalculatorTool(call) },
      { role: 'assistant', content: meta.reference },
    ];
  },
  grade(_prompt, reply, meta) {
    const text = String(reply ?? '');
    const nums = numbersIn(text);
    if (nums.some((n) => sameNumber(n, meta.value))) return makeGrade('correct', true, 1, text, meta.reference);
    if (isRefusal(text)) return makeGrade('refused', false, 0, text, meta.reference);
    return makeGrade(nums.length ? 'wrong' : 'no_answer', false, 0, text, meta.reference);
  },
};
