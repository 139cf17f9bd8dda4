// Encyclopedic prose about the same facts the conversations use, in many phrasings, plus WordNet
// definitions and examples and a little arithmetic, so a small model learns the language (and reads
// every fact, including those of eval-only entities) before it learns dialogue.
import type { Rng } from './rng.ts';
import type { Country, Element, World, WordSense } from './knowledge/index.ts';
import { nameInSentence } from './knowledge/countries.ts';
import { fill } from './phrasing.ts';
import { capitalize, formatNumber, tidy } from './text.ts';
import { definitionSentence } from './tasks/facts.ts';

const COUNTRY_SENTENCES: Record<string, string[]> = {
  intro: [
    '{In} is a country in {continent}.', '{In} is a country located in {continent}.', '{In} lies in {continent}.',
    'Geographically, {in} is part of {continent}.', 'Among the countries of {continent} is {in}.',
  ],
  capital: [
    'The capital of {in} is {capital}.', '{capital} is the capital of {in}.', '{capital} is the capital and seat of government of {in}.',
    'The capital city of {in} is {capital}.', 'The city of {capital} serves as the capital of {in}.', 'Its capital is {capital}.',
  ],
  currency: [
    'The currency of {in} is the {currency}.', 'In {in}, people pay with the {currency}.', '{In} uses the {currency} as its currency.',
    'The official currency of {in} is the {currency}.', 'Its currency is the {currency}.',
  ],
  language: [
    'People in {in} speak {languages}.', 'The main language of {in} is {language}.', '{language} is spoken in {in}.',
    'Languages spoken in {in} include {languages}.', 'Most people there speak {language}.',
  ],
};

const ELEMENT_SENTENCES: Record<string, string[]> = {
  intro: [
    '{Element} is a chemical element with the symbol {symbol} and atomic number {number}.', '{Element} ({symbol}) is element number {number} of the periodic table.',
    'The chemical element {element} has the symbol {symbol}.', '{Element} is the element with atomic number {number}.',
  ],
  number: [
    'The atomic number of {element} is {number}.', 'Each atom of {element} has {number} protons.', 'Its atomic number is {number}.',
    '{Element} has {number} protons in its nucleus.',
  ],
  symbol: ['The symbol for {element} is {symbol}.', 'Chemists write {element} as {symbol}.', '{symbol} is the chemical symbol of {element}.'],
  state: ['{Element} is a {state} at room temperature.', 'At room temperature, {element} is a {state}.'],
  family: ['{Element} is {article} {family}.', '{Element} belongs to the group of elements called {families}.'],
  discovered: ['{Element} was discovered in {year}.', 'Scientists first identified {element} in {year}.'],
};

const WORD_SENTENCES = [
  '{def_sentence}', 'The word "{word}" is {article} {pos}. It means {def}.', 'In a dictionary, "{word}" is defined as {def}.',
  '{Word} ({pos}): {def}.', 'When people say "{word}", they mean {def}.',
];
const EXAMPLE_SENTENCES = ['For example: "{example}."', 'An example of its use: "{example}."', 'You might read: "{example}."'];

function listPhrase(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function plural(noun: string): string {
  return /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`;
}

function countryParagraph(rng: Rng, c: Country): string {
  const In = nameInSentence(c);
  const vars = {
    in: In, In: capitalize(In), continent: c.continent, capital: c.capital, currency: c.currencies[0],
    language: c.languages[0], languages: listPhrase(c.languages.slice(0, 3)),
  };
  const parts = ['intro', ...rng.shuffle(['capital', 'currency', 'language'])];
  return parts.map((p) => fill(rng.pick(COUNTRY_SENTENCES[p]), vars)).join(' ');
}

function elementParagraph(rng: Rng, e: Element): string {
  const vars: Record<string, string> = {
    element: e.name.toLowerCase(), Element: e.name, symbol: e.symbol, number: String(e.number), state: e.state ?? '',
    family: e.family ?? '', families: plural(e.family ?? ''), article: article(e.family ?? ''), year: String(e.discovered ?? ''),
  };
  const optional = ['number', 'symbol'];
  if (e.state) optional.push('state');
  if (e.family) optional.push('family');
  if (e.discovered) optional.push('discovered');
  const parts = ['intro', ...rng.shuffle(optional)];
  return parts.map((p) => fill(rng.pick(ELEMENT_SENTENCES[p]), vars)).join(' ');
}

function wordParagraph(rng: Rng, w: WordSense): string {
  const def = w.pos === 'verb' && !/^to\b/.test(w.definition) ? `to ${w.definition}` : w.definition;
  const vars = { word: w.word, Word: capitalize(w.word), pos: w.pos, article: article(w.pos), def, def_sentence: definitionSentence(w) };
  const out = [fill(rng.pick(WORD_SENTENCES), vars)];
  for (const ex of rng.shuffle(w.examples).slice(0, 2)) out.push(fill(rng.pick(EXAMPLE_SENTENCES), { example: capitalize(ex) }));
  return out.join(' ');
}

const OPS = [
  { word: 'plus', f: (a: number, b: number) => a + b },
  { word: 'minus', f: (a: number, b: number) => a - b },
  { word: 'times', f: (a: number, b: number) => a * b },
];

const UNIT_FACTS = [
  'One mile is 1.609344 kilometers.', 'One kilometer is about 0.621 miles.', 'One pound is 0.45359237 kilograms.',
  'One kilogram is about 2.205 pounds.', 'One inch is 2.54 centimeters.', 'One foot is 0.3048 meters.',
  'One gallon is about 3.785 liters.', 'To turn degrees Celsius into degrees Fahrenheit, multiply by 9/5 and add 32.',
  'An hour has 60 minutes and a minute has 60 seconds.', 'A day has 24 hours and a week has 7 days.',
  'Water freezes at 0 degrees Celsius, which is 32 degrees Fahrenheit.',
];

function arithmeticLine(rng: Rng): string {
  if (rng.chance(0.1)) return rng.pick(UNIT_FACTS);
  const op = rng.pick(OPS);
  const a = rng.range(0, 99);
  const b = rng.range(0, 99);
  return rng.chance(0.5) ? `${a} ${op.word} ${b} equals ${formatNumber(op.f(a, b))}.` : `${a} ${op.word} ${b} is ${formatNumber(op.f(a, b))}.`;
}

// Sentences that relate two or more entities, so facts appear in varied contexts, not one template.
function relationParagraph(rng: Rng, world: World): string {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const r = rng.int(5);
    if (r === 0) {
      const c = rng.pick(world.countries.all);
      const same = world.countries.all.filter((o) => o.continent === c.continent && o.code !== c.code);
      const picks = rng.shuffle(same).slice(0, rng.range(1, 3));
      const names = [c, ...picks].map((x) => nameInSentence(x));
      out.push(`Countries in ${c.continent} include ${listPhrase(names)}.`);
    } else if (r === 1) {
      const [a, b] = rng.shuffle(world.countries.all).slice(0, 2);
      out.push(`${capitalize(nameInSentence(a))} has ${a.capital} as its capital, while the capital of ${nameInSentence(b)} is ${b.capital}.`);
    } else if (r === 2) {
      const [a, b] = rng.shuffle(world.elements.all).slice(0, 2);
      const [lo, hi] = a.number < b.number ? [a, b] : [b, a];
      out.push(`${hi.name} (${hi.symbol}) has a higher atomic number than ${lo.name.toLowerCase()} (${lo.symbol}): ${hi.number} against ${lo.number}.`);
    } else if (r === 3) {
      const c = rng.pick(world.countries.all);
      const users = world.countries.all.filter((o) => o.currencies[0] === c.currencies[0]);
      if (users.length > 1) {
        const names = rng.shuffle(users).slice(0, 4).map((x) => nameInSentence(x));
        out.push(`The ${c.currencies[0]} is used in ${listPhrase(names)}.`);
      } else out.push(`The ${c.currencies[0]} is the currency of ${nameInSentence(c)}.`);
    } else {
      const e = rng.pick(world.elements.all);
      const next = world.elements.all.find((x) => x.number === e.number + 1);
      if (next) out.push(`After ${e.name.toLowerCase()} (${e.number}) comes ${next.name.toLowerCase()}, element number ${next.number}.`);
      else out.push(`${e.name} is the last element in the periodic table, with atomic number ${e.number}.`);
    }
  }
  return out.join(' ');
}

/** The pretraining text: paragraphs separated by blank lines, in a seeded order. */
export function pretrainParagraphs(rng: Rng, world: World, scale: number): string[] {
  const paragraphs: string[] = [];
  const passes = Math.max(1, Math.round(12 * scale));
  for (let p = 0; p < passes; p++) {
    // Every paragraph states every fact of its entity (in a random order and phrasing): a fact read
    // in only some of an entity's paragraphs was read too rarely to be learnt (studies/FINDINGS.md).
    for (const c of world.countries.all) paragraphs.push(countryParagraph(rng, c));
    for (const e of world.elements.all) paragraphs.push(elementParagraph(rng, e));
    for (const w of world.words.all) paragraphs.push(wordParagraph(rng, w));
  }
  const relations = Math.max(5, Math.round(3000 * scale));
  for (let i = 0; i < relations; i++) paragraphs.push(relationParagraph(rng, world));
  const mathLines = Math.max(5, Math.round(1000 * scale));
  for (let i = 0; i < mathLines; i++) {
    paragraphs.push(Array.from({ length: 5 }, () => arithmeticLine(rng)).join(' '));
  }
  return rng.shuffle(paragraphs).map(tidy);
}
