// Facts as question/answer material shared by several families (factual questions, follow-ups,
// false premises, corrections): the accepted answers, the one-sentence reference answer in Parley's
// style, and many phrasings of the question, some kept only for evaluation.
import type { Rng } from '../rng.ts';
import type { Country, Element, Split, WordSense, World } from '../knowledge/index.ts';
import { nameInSentence } from '../knowledge/countries.ts';
import { fill, vary, type TemplateSet } from '../phrasing.ts';
import { capitalize, containsPhrase, normalize, numbersIn, sameNumber, tidy } from '../text.ts';

export const COUNTRY_ATTRS = ['capital', 'continent', 'currency', 'language', 'country_of_capital'] as const;
export const ELEMENT_ATTRS = ['symbol', 'atomic_number', 'element_of_symbol', 'element_of_number', 'state'] as const;
export type CountryAttr = (typeof COUNTRY_ATTRS)[number];
export type ElementAttr = (typeof ELEMENT_ATTRS)[number];
export type FactAttr = CountryAttr | ElementAttr | 'definition';
export type AnswerMode = 'text' | 'symbol' | 'number' | 'definition';
export const ANSWER_MODES = ['text', 'symbol', 'number', 'definition'] as const;

export interface Fact {
  kind: 'country' | 'element' | 'word';
  subject: string; // the entity's name: "France", "Iron", "harbor"
  attr: FactAttr;
  answers: string[]; // any of these in a reply counts as the answer
  mode: AnswerMode;
  sentence: string; // the reference answer: "The capital of France is Paris."
  vars: Record<string, string>; // template slots
}

function currencyPhrase(name: string): string {
  return `the ${name}`;
}

function listPhrase(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// "Washington, D.C." should also match "Washington DC".
function withAliases(answers: string[]): string[] {
  const out = new Set(answers);
  for (const a of answers) out.add(a.replace(/[.,]/g, ''));
  return [...out];
}

export function countryFact(c: Country, attr: CountryAttr): Fact {
  const f = countryFactRaw(c, attr);
  return { ...f, sentence: tidy(f.sentence) };
}

function countryFactRaw(c: Country, attr: CountryAttr): Fact {
  const vars = { country: c.name, in: nameInSentence(c), In: capitalize(nameInSentence(c)), capital: c.capital };
  const base = { kind: 'country' as const, subject: c.name, attr, vars };
  switch (attr) {
    case 'capital':
      return { ...base, answers: withAliases([c.capital]), mode: 'text', sentence: `The capital of ${vars.in} is ${c.capital}.` };
    case 'continent':
      return { ...base, answers: c.continents, mode: 'text', sentence: `${vars.In} is in ${c.continent}.` };
    case 'currency':
      return {
        ...base,
        answers: c.currencies,
        mode: 'text',
        sentence: `The currency of ${vars.in} is ${currencyPhrase(c.currencies[0])}.`,
      };
    case 'language': {
      const langs = c.languages.slice(0, 3);
      const sentence =
        langs.length === 1
          ? `The main language of ${vars.in} is ${langs[0]}.`
          : `The main languages of ${vars.in} are ${listPhrase(langs)}.`;
      return { ...base, answers: c.languages, mode: 'text', sentence };
    }
    case 'country_of_capital':
      return { ...base, answers: [c.name], mode: 'text', sentence: `${c.capital} is the capital of ${vars.in}.` };
  }
}

export function elementFact(e: Element, attr: ElementAttr): Fact {
  const vars = { element: e.name.toLowerCase(), Element: e.name, symbol: e.symbol, number: String(e.number) };
  const base = { kind: 'element' as const, subject: e.name, attr, vars };
  switch (attr) {
    case 'symbol':
      return { ...base, answers: [e.symbol], mode: 'symbol', sentence: `The chemical symbol for ${vars.element} is ${e.symbol}.` };
    case 'atomic_number':
      return { ...base, answers: [String(e.number)], mode: 'number', sentence: `The atomic number of ${vars.element} is ${e.number}.` };
    case 'element_of_symbol':
      return { ...base, answers: [e.name], mode: 'text', sentence: `${e.symbol} is the symbol for ${vars.element}.` };
    case 'element_of_number':
      return { ...base, answers: [e.name], mode: 'text', sentence: `The element with atomic number ${e.number} is ${vars.element}.` };
    case 'state':
      return {
        ...base,
        answers: [e.state ?? 'solid'],
        mode: 'text',
        sentence: `${e.name} is a ${e.state ?? 'solid'} at room temperature.`,
      };
  }
}

export function definitionSentence(w: WordSense): string {
  const def = w.pos === 'verb' && !/^to\b/.test(w.definition) ? `to ${w.definition}` : w.definition;
  return tidy(`"${capitalize(w.word)}" means ${def}.`);
}

export function wordFact(w: WordSense): Fact {
  return {
    kind: 'word',
    subject: w.word,
    attr: 'definition',
    answers: [w.definition],
    mode: 'definition',
    sentence: definitionSentence(w),
    vars: { word: w.word },
  };
}

/** A random fact about an entity of the split; `kinds` limits the entity kinds. */
export function randomFact(rng: Rng, world: World, split: Split, kinds: Fact['kind'][] = ['country', 'element', 'word']): Fact {
  // Countries carry most attributes, so they are asked about most often.
  const weights: Record<Fact['kind'], number> = { country: 5, element: 3, word: 2 };
  const total = kinds.reduce((s, k) => s + weights[k], 0);
  let r = rng.next() * total;
  let kind = kinds[0];
  for (const k of kinds) {
    r -= weights[k];
    if (r < 0) {
      kind = k;
      break;
    }
  }
  if (kind === 'country') {
    const c = rng.pick(world.countries[split]);
    // "Mexico City is the capital of which country?" carries its own answer; ask something else.
    const attrs = nameInCapital(c) ? COUNTRY_ATTRS.filter((a) => a !== 'capital' && a !== 'country_of_capital') : COUNTRY_ATTRS;
    return countryFact(c, rng.pick(attrs));
  }
  if (kind === 'element') {
    const e = rng.pick(world.elements[split]);
    const attrs = e.state ? ELEMENT_ATTRS : ELEMENT_ATTRS.filter((a) => a !== 'state');
    return elementFact(e, rng.pick(attrs));
  }
  return wordFact(rng.pick(world.words[split]));
}

/** The capital's name contains the country's or the other way round (Mexico City, Monaco). */
export function nameInCapital(c: Country): boolean {
  const a = normalize(c.name);
  const b = normalize(c.capital);
  return a.includes(b) || b.includes(a);
}

// Element symbols that are also English words. "I" followed by a word is the pronoun ("I read");
// the others are words when they open a clause ("No, it is...", "In chemistry...").
const WORDLIKE_SYMBOLS = new Set(['In', 'As', 'Be', 'He', 'No', 'At', 'Am', 'Pa', 'Ho']);

function hasSymbol(text: string, symbol: string): boolean {
  const s = symbol.replace(/[^A-Za-z]/g, '');
  if (!s) return false;
  for (const m of text.matchAll(new RegExp(`(^|[^A-Za-z])${s}(?![A-Za-z])`, 'g'))) {
    const at = (m.index ?? 0) + m[1].length;
    const after = text.slice(at + s.length);
    if (s === 'I' && /^(['\u2019]|\s+[a-z])/.test(after)) continue;
    if (WORDLIKE_SYMBOLS.has(s) && /(^|[.!?]\s+|["\u201c(]\s*)$/.test(text.slice(0, at)) && /^,?\s+[a-z]/.test(after)) continue;
    return true;
  }
  return false;
}

export const QUESTIONS: Record<FactAttr, TemplateSet> = {
  capital: {
    train: [
      'What is the capital of {in}?', "What's the capital of {country}?", 'Capital of {country}?',
      'Which city is the capital of {in}?', 'Tell me the capital of {in}.', "What's {country}'s capital city?",
      'Do you know the capital of {in}?', 'Name the capital of {in}.', 'Where is the seat of government of {in}?',
      '{country} capital', 'What city serves as the capital of {in}?', 'I need the capital of {in}.',
      "{country}: what's the capital?", "I'm putting together a quiz about {in}. What's its capital city?",
      "What's the name of the capital of {in}?", 'capital city of {country}', 'Any idea what the capital of {in} is?',
      "I'd like to know the capital of {in}.", 'Which city does {in} have as its capital?', 'The capital of {in} is which city?',
      'Can you name the capital of {in}?', "Quick check: what's the capital of {in}?",
      'Which city is the national capital of {in}?', 'My friend is moving to the capital of {in}. Which city is that?',
      'Please give me the capital of {in}.', "I always mix this up: what's the capital of {in}?",
      'In which city is the government of {in} based?', 'For a geography quiz: capital of {in}?',
      "What's the capital over in {in}?", 'Which city holds the title of capital of {in}?',
      "Tell me, what's the capital of {in}?", '{country} capital city?',
      "I'm flying to {in} and want to visit the capital. Which city is it?",
    ],
    eval: [
      "I forgot what {country}'s capital is, can you remind me?", 'Which city is {country} governed from?',
      'Could you tell me what the capital city of {in} is?',
    ],
  },
  continent: {
    train: [
      'What continent is {country} in?', 'Which continent is {in} on?', 'Where is {country} located?',
      '{country} is on which continent?', 'On what continent would I find {in}?', 'Tell me which continent {in} is part of.',
      'Continent of {country}?', 'In which continent is {in}?', 'which continent does {country} belong to',
      'Tell me where in the world {in} is.', 'What continent do you find {in} on?',
      'Which continent does {in} lie on?', 'What continent is home to {in}?',
      "I'm looking at a world map. On which continent is {in}?", '{country}: which continent?',
      'Can you tell me what continent {in} is on?', "What's the continent for {country}?", 'Any idea which continent {in} is in?',
      "I'd like to know which continent {in} belongs to.", '{country} continent?',
      'Geographically, which continent is {in} part of?', 'My pen pal lives in {in}. What continent is that on?',
      'Name the continent where {in} is.', 'Of all the continents, which one is {in} on?', 'Which continent contains {in}?',
      'What continent is {in} a part of?', 'Which continent is {in} found on?', 'Tell me the continent of {in}.',
      'Where on the globe is {in}? I mean, which continent?', 'For my homework: on what continent is {in}?',
    ],
    eval: ['Is {country} in Europe, Asia, Africa or somewhere else?', 'Which part of the world is {in} in, continent-wise?'],
  },
  currency: {
    train: [
      'What currency does {country} use?', 'What is the currency of {in}?', "What's the money called in {country}?",
      'Which currency is used in {in}?', 'Currency of {country}?', 'What do people pay with in {country}?',
      'Tell me the official currency of {in}.', 'If I travel to {country}, what currency do I need?',
      'What money is used in {in}?', '{country} currency?', 'Which currency do they have in {in}?',
      "I'm planning a trip to {in}. What currency should I bring?", '{country} money?', "What's the local currency in {in}?",
      'What cash do they use in {in}?', 'What are the banknotes and coins of {in} called?',
      'Which currency should I change my money into before visiting {in}?', 'What is the national currency of {in}?',
      'Any idea what currency people pay with in {in}?', "I'd like to know what money {in} uses.",
      'What currency are prices in {in} given in?', 'Currency used in {country}?', "In {in}, what's the currency?",
      "What's the official money of {in}?", 'Which currency is legal tender in {in}?',
      'Going to {in} next month. What currency do they use there?', 'What do they call their money in {in}?',
      'Tell me what currency {in} has.', 'What currency do people in {in} pay in?', 'What unit of money does {in} use?',
      '{country} currency name?', "Before my business trip to {in}: what's the currency there?",
    ],
    eval: ['What kind of money would I spend in {country}?', 'Name the currency they use in {in}.'],
  },
  language: {
    train: [
      'What language is spoken in {country}?', 'What languages do people speak in {in}?', 'Official language of {country}?',
      'Which language do they speak in {in}?', 'What is the main language of {in}?', 'Tell me what language {country} speaks.',
      'What do people in {country} speak?', 'Which languages are official in {in}?', 'language of {country}?',
      'What language do people use in {in}?',
      'What languages are spoken in {in}?', "What's the native tongue of people in {in}?",
      "I'm reading up on {in}. What language do people there talk in?", '{country} language?',
      'What language should I learn before moving to {in}?', "What's the official language in {in}?",
      'Which languages do most people in {in} speak?', 'What language do people talk in {in}?',
      'Any idea what language is spoken in {in}?', "I'd like to know the main language of {in}.",
      'Which language is the mother tongue of most people in {in}?', 'Spoken language in {country}?',
      'What is the national language of {in}?', 'In {in}, which language do people use day to day?',
      'Tell me the official languages of {in}.', 'Which language would I need to get by in {in}?',
      'What language are the newspapers in {in} written in?', 'Do you know what language they use in {in}?',
      'languages spoken in {country}', 'My new coworker grew up in {in}. What language do people speak there?',
    ],
    eval: ['If I visit {country}, which language will I hear?', 'Which tongue is spoken in {in}?'],
  },
  country_of_capital: {
    train: [
      '{capital} is the capital of which country?', 'Which country has {capital} as its capital?',
      'What country is {capital} the capital of?', 'Of which country is {capital} the capital?',
      'Tell me which country {capital} is the capital of.', '{capital} is the capital of what country?',
      'Where is {capital} the capital?', 'Which country is {capital} in?', '{capital}: capital of which country?',
      'What country has its capital in {capital}?', '{capital} is the capital city of what nation?',
      "{capital}: which country's capital is that?", 'I keep hearing about {capital}. Which country is it the capital of?',
      "Which country's capital is {capital}?", 'Do you know which country {capital} is the capital of?',
      'Whose capital is {capital}?', 'Name the country whose capital is {capital}.',
      'Any idea which country has {capital} for a capital?', "I'd like to know what country {capital} is the capital of.",
      '{capital}, capital of what?', "My flight lands in {capital}. Which country's capital is that?",
      'In which country is {capital} the capital city?', 'What nation has {capital} as its capital city?',
      'Tell me the country that has {capital} as its capital.', 'Is {capital} a capital? Of which country?',
      'Country whose capital is {capital}?', 'The city of {capital} is the capital of which country?',
      '{capital} capital of which nation?',
    ],
    eval: ['Which nation is governed from {capital}?', 'If the capital is {capital}, what is the country?'],
  },
  symbol: {
    train: [
      'What is the chemical symbol for {element}?', "What's the symbol of {element}?", 'Symbol for {element}?',
      'How do you write {element} in chemical notation?', 'Which symbol stands for {element}?',
      'Tell me the element symbol of {element}.', 'What is the periodic table symbol for {element}?',
      'chemical symbol of {element}?', "What's {element}'s symbol?", 'How do chemists abbreviate {element}?',
      "What's the symbol for {element} on the periodic table?", '{element} symbol?',
      "What's the chemical abbreviation for {element}?", 'How is {element} written in a chemical formula?',
      'What letters do you use for {element} in a formula?', "I'm doing chemistry homework. What's the symbol for {element}?",
      'What symbol is used for {element}?', 'Give me the chemical symbol of {element}.',
      'Any idea what the symbol for {element} is?', "What is {element}'s element symbol?", 'Short symbol for {element}?',
      'In the periodic table, {element} is written as what?', "What's the one- or two-letter symbol for {element}?",
      "I'd like to know the chemical symbol of {element}.", 'What symbol does {element} have?',
      'What do chemists write for {element}?', 'Symbol of the element {element}?',
      'If I write {element} in a formula, which symbol do I use?', 'Can you tell me the atomic symbol of {element}?',
      "The element {element}: what's its symbol?",
    ],
    eval: ['Which letters represent {element} on the periodic table?', 'How is {element} abbreviated in chemistry?'],
  },
  atomic_number: {
    train: [
      'What is the atomic number of {element}?', 'How many protons does {element} have?', "What's {element}'s atomic number?",
      'Atomic number of {element}?', 'Tell me the atomic number for {element}.', 'Which atomic number does {element} have?',
      'What number is {element} on the periodic table?', "{element}'s atomic number?", 'What is the proton number of {element}?',
      '{element} atomic number?', "What's the atomic number for the element {element}?",
      "I'm studying the periodic table. What is the atomic number of {element}?",
      '{element} has how many protons in its nucleus?', 'Proton count of {element}?', 'Give me the atomic number of {element}.',
      "Any idea what {element}'s atomic number is?", 'Which number does {element} have in the periodic table?',
      "What's Z for {element}?", "I'd like to know the atomic number of {element}.", "Can you tell me {element}'s atomic number?",
      'What number element is {element}?', 'Which atomic number is {element} listed under in the periodic table?',
      'The atomic number of {element} is what?', "What's the atomic number of the element called {element}?",
      'For my chemistry class: atomic number of {element}?', "{element}: what's its atomic number?",
      'Number of protons in {element}?', "What is {element}'s number on the periodic table?",
    ],
    eval: ['Where does {element} sit in the periodic table by number?', 'How many protons are in one atom of {element}?'],
  },
  element_of_symbol: {
    train: [
      'Which element has the symbol {symbol}?', 'What element is {symbol}?', 'What does the symbol {symbol} stand for?',
      '{symbol} is the symbol of which element?', 'Tell me which element is written {symbol}.', 'Element with symbol {symbol}?',
      'Which element is {symbol} on the periodic table?', 'What element has {symbol} as its symbol?',
      'What element does {symbol} represent?', '{symbol} stands for which element?', "Which element's symbol is {symbol}?",
      'I saw {symbol} in a chemical formula. What element is that?', 'Chemical symbol {symbol}: which element?',
      'What element is abbreviated {symbol}?', 'Any idea which element {symbol} is?',
      'Name the element with the symbol {symbol}.', '{symbol} on the periodic table is which element?',
      'What is the element {symbol}?', 'The symbol {symbol} belongs to which element?',
      'Which chemical element goes by the symbol {symbol}?', "I'd like to know what element has the symbol {symbol}.",
      'What does {symbol} mean on the periodic table?', 'Can you tell me which element {symbol} refers to?',
      'Decode this element symbol for me: {symbol}.', '{symbol} = which element?', 'Which element is represented by {symbol}?',
      'What element name goes with the symbol {symbol}?', 'My chemistry notes say {symbol}. Which element is that?',
      'symbol {symbol} element name?', "What's the full name of the element {symbol}?",
    ],
    eval: ['In chemistry, what is {symbol} short for?', 'Which element do chemists write as {symbol}?'],
  },
  element_of_number: {
    train: [
      'Which element has atomic number {number}?', 'What is element number {number}?', 'Element {number} is what?',
      'Name the element with atomic number {number}.', 'Which element has {number} protons?',
      'What element is number {number} on the periodic table?', 'atomic number {number} is which element?',
      'Which element has {number} as its atomic number?', "What's the element with {number} protons?",
      'Atomic number {number}: which element is that?', 'Which element comes at number {number} in the periodic table?',
      'Name the element that has {number} protons in its nucleus.', 'What is the name of element {number}?',
      'Any idea which element has atomic number {number}?', "I'd like to know which element is number {number}.",
      'Element no. {number}?', 'An atom with {number} protons is which element?', 'Which element sits at atomic number {number}?',
      'Z = {number}: what element?', 'Can you tell me what element number {number} is?',
      'If an atom has {number} protons, what element is it?', 'Which element is number {number}?',
      "I'm doing a quiz: which element has atomic number {number}?", 'Number {number} on the periodic table is which element?',
      'Which element do you get with {number} protons?', "What's element {number} called?",
      'Atomic number {number}, what element?', 'Which chemical element carries atomic number {number}?',
      'Look up element number {number} for me: what is it?',
    ],
    eval: ['Element number {number} on the periodic table is called what?', 'Tell me the element whose atomic number is {number}.'],
  },
  state: {
    train: [
      'Is {element} a solid, liquid or gas at room temperature?', 'What state is {element} in at room temperature?',
      'At room temperature, is {element} a gas?', "What's the state of {element} at room temperature?",
      'Is {element} solid at room temperature?', 'At normal room temperature, what form does {element} take?',
      'At room temperature, what state of matter is {element}?', 'What phase is {element} in at room temperature?',
      'Solid, liquid or gas: which is {element} at room temperature?', '{element} at room temperature: solid, liquid or gas?',
      'Is {element} a liquid at room temperature?', 'Would {element} be a gas or a solid at room temperature?',
      'What state of matter is {element} at normal room temperature?',
      'Is {element} normally a gas, a liquid or a solid at room temperature?',
      'In what state do you find {element} at room temperature?',
      "I'm curious: at room temperature, is {element} solid, liquid or gaseous?",
      'What physical state does {element} have at room temperature?', 'Room temperature state of {element}?',
      '{element}: solid, liquid or gas at room temp?', 'At room temp, what form is {element} in?',
      'Tell me whether {element} is a solid, liquid or gas at room temperature.', 'Is {element} gaseous at room temperature?',
      'Does {element} exist as a solid, a liquid or a gas at room temperature?',
      'At an ordinary indoor temperature, is {element} solid, liquid or gas?',
      'Any idea what state {element} is in at room temperature?', "I'd like to know the state of {element} at room temperature.",
      'For a science project: is {element} a solid, liquid or gas at room temperature?',
    ],
    eval: ['If I leave {element} on the table at room temperature, is it solid, liquid or gas?'],
  },
  definition: {
    train: [
      'What does "{word}" mean?', 'Define {word}.', 'What is the meaning of the word {word}?', 'Meaning of {word}?',
      'Can you define "{word}" for me?', 'What does the word {word} mean?', "What's the definition of {word}?",
      'Explain the word "{word}".', 'I came across the word {word}. What does it mean?',
      'What is a definition of {word}?', '"{word}" means what?', 'Could you explain what {word} means?',
      "What's the meaning of {word}?", '"{word}": what does it mean?',
      'I heard someone use "{word}" in a meeting. What does it mean?', 'Can you explain the meaning of "{word}"?',
      'Definition of {word}?', 'What is meant by the word "{word}"?', 'Please define the word "{word}".',
      'Any idea what "{word}" means?', "I'd like to know what the word {word} means.", 'How would you define "{word}"?',
      'What does {word} mean in English?', 'Could you tell me the definition of "{word}"?', '{word} meaning',
      'English isn\'t my first language. What does "{word}" mean?', 'Explain "{word}" in simple words.',
      'Look up "{word}" for me: what does it mean?', 'Dictionary meaning of "{word}"?',
      'I\'m reading a book and hit the word "{word}". What does it mean?', 'Help me understand the word "{word}".',
      'Define the term "{word}".',
    ],
    eval: ['Give me a short definition of "{word}".', 'What do people mean when they say "{word}"?'],
  },
};

/** One varied question about a fact, drawn from the split's templates. */
export function askFact(rng: Rng, fact: Fact, split: Split, templates: TemplateSet = QUESTIONS[fact.attr]): string {
  const t = rng.pick(split === 'eval' ? templates.eval : templates.train);
  const text = fill(t, fact.vars);
  return vary(rng, text, { protect: Object.values(fact.vars) });
}

const STOPWORDS = new Set(
  'a an the of or and to in on at by for with from as is are be being been that this which who whom whose its it his her their one some any something someone especially usually used make made have has having into out up not no'.split(
    ' ',
  ),
);

function contentWords(text: string): string[] {
  return normalize(text)
    .split(' ')
    .filter((w) => w.length > 2 && !STOPWORDS.has(w));
}

/** Does `reply` give one of `answers`? Never throws. */
export function hasAnswer(reply: string, answers: readonly string[], mode: AnswerMode): boolean {
  const text = String(reply ?? '');
  switch (mode) {
    case 'text':
      return answers.some((a) => containsPhrase(text, a));
    case 'symbol':
      // Symbols are case-sensitive ("Co" is cobalt, "CO" is carbon monoxide, "in" is a word).
      return answers.some((a) => hasSymbol(text, a));
    case 'number':
      return answers.some((a) => numbersIn(text).some((n) => sameNumber(n, Number(a))));
    case 'definition':
      return answers.some((a) => {
        // A definition made only of common words ("usually") is matched on all its words.
        let want = [...new Set(contentWords(a))];
        let got = new Set(contentWords(text));
        if (want.length === 0) {
          want = normalize(a).split(' ').filter(Boolean);
          got = new Set(normalize(text).split(' '));
        }
        if (want.length === 0) return false;
        const hit = want.filter((w) => got.has(w)).length;
        return hit / want.length >= 0.5;
      });
  }
}

/** Other entities' answers of the same kind, for spotting replies that list many guesses. */
export function distractors(world: World, attr: FactAttr): string[] {
  switch (attr) {
    case 'capital':
      return world.countries.all.map((c) => c.capital);
    case 'continent':
      return [...new Set(world.countries.all.map((c) => c.continent))];
    case 'currency':
      return [...new Set(world.countries.all.flatMap((c) => c.currencies))];
    case 'language':
      return [...new Set(world.countries.all.flatMap((c) => c.languages))];
    case 'country_of_capital':
      return world.countries.all.map((c) => c.name);
    case 'element_of_symbol':
    case 'element_of_number':
      return world.elements.all.map((e) => e.name);
    case 'state':
      return ['solid', 'liquid', 'gas'];
    default:
      return [];
  }
}

/** True when the reply also names a different candidate answer (a hedge such as "Paris or Lyon"). */
export function namesOtherCandidate(
  world: World,
  reply: string,
  fact: { answers: readonly string[]; subject: string; reference: string; intent: string },
): boolean {
  const own = [...fact.answers, fact.subject].map((a) => normalize(a));
  const text = ` ${normalize(reply)} `;
  const reference = ` ${normalize(fact.reference)} `;
  for (const d of distractors(world, fact.intent as FactAttr)) {
    const nd = normalize(d);
    // Names the ideal answer itself mentions ("Port of Spain" contains "Spain") are not guesses.
    if (!nd || own.some((o) => o.includes(nd) || nd.includes(o)) || reference.includes(` ${nd} `)) continue;
    if (text.includes(` ${nd} `)) return true;
  }
  return false;
}
