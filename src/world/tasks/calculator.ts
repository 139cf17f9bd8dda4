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
  ],
  eval: ['Quick math: what does {e} come to?', 'I need the result of {e}.', 'Help me with this sum: {e}'],
};

const VERBAL: Record<Op, TemplateSet> = {
  '+': { train: ['What is {a} plus {b}?', 'Add {a} and {b}.', 'What do {a} and {b} add up to?', 'sum of {a} and {b}?'], eval: ['If I put {a} and {b} together, how much is that?'] },
  '-': { train: ['What is {a} minus {b}?', 'Subtract {b} from {a}.', 'Take {b} away from {a}.', 'what is {a} less {b}?'], eval: ['How much is left when {b} is removed from {a}?'] },
  '*': { train: ['What is {a} times {b}?', 'Multiply {a} by {b}.', 'What is {a} multiplied by {b}?', 'product of {a} and {b}?'], eval: ['How much is {a} lots of {b}?'] },
  '/': { train: ['What is {a} divided by {b}?', 'Divide {a} by {b}.', 'How many times does {b} go into {a}?', '{a} over {b}?'], eval: ['If I split {a} into {b} equal parts, how big is each?'] },
};

const PERCENT: TemplateSet = {
  train: ['What is {p}% of {n}?', "What's {p} percent of {n}?", 'Calculate {p}% of {n}.', 'How much is a {p}% tip on a {n} dollar bill?', '{p} percent of {n}?'],
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
