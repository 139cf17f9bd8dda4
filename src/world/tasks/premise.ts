// Family 5: questions built on a false premise ("Why is Berlin the capital of France?"). The ideal
// reply corrects the premise politely in one sentence and then gives the useful answer.
import { z } from 'zod';
import { baseMeta, makeGrade, parseWith } from '../grading.ts';
import type { Rng } from '../rng.ts';
import type { Country, Element, Split, World } from '../knowledge/index.ts';
import { nameInSentence } from '../knowledge/countries.ts';
import { fill, vary, type TemplateSet } from '../phrasing.ts';
import { capitalize, containsPhrase, hasNegation, isRefusal, tidy } from '../text.ts';
import type { TaskFamily, TaskMeta } from '../types.ts';
import { ANSWER_MODES, hasAnswer } from './facts.ts';

export interface PremiseMeta extends TaskMeta {
  task: 'premise';
  falseClaim: string; // the wrong value the user assumed, e.g. "Berlin"
  answers: string[]; // the true value(s)
  mode: (typeof ANSWER_MODES)[number];
}

const schema = z.object({
  task: z.literal('premise'),
  ...baseMeta,
  falseClaim: z.string().min(1),
  answers: z.array(z.string()).min(1),
  mode: z.enum(ANSWER_MODES),
});

const T: Record<string, TemplateSet> = {
  capital: {
    train: [
      'Why is {wrong} the capital of {in}?', 'When did {wrong} become the capital of {in}?',
      'Is it true that {wrong} has always been the capital of {in}?', 'How long has {wrong} been the capital of {country}?',
      'Why did {country} choose {wrong} as its capital?', 'Why did {country} move its capital to {wrong}?',
      "I'm flying into {wrong}, the capital of {in}. What should I see there?",
      'What is the history behind {wrong} being the capital of {in}?',
      '{wrong} is the capital of {in}, right? Why was it picked?',
      'Since {wrong} is the capital of {in}, is the parliament there too?',
      "I'd like to know why {in} is governed from {wrong}.", 'Any idea when {in} made {wrong} its capital?',
      'How many people live in {wrong}, the capital of {in}?',
      'My map shows {wrong} as the capital of {in}. When did it become the capital?',
      'Why is the government of {in} based in {wrong}?', 'Who made {wrong} the seat of government of {in}?',
      'Tell me why {wrong} is the capital of {in}.', 'In what year did {wrong} become the capital city of {in}?',
      'For my essay: why did {in} pick {wrong} to be its capital?', 'capital of {in} is {wrong}, why?',
      'Is {wrong} still the capital of {in} today?', 'How did {wrong} end up as the main city and capital of {country}?',
    ],
    eval: ['My teacher said {wrong} is the capital of {in} because it is the biggest city. Why is that?'],
  },
  currency: {
    train: [
      'Why does {country} use {wrong}?', 'When did {country} start using {wrong}?',
      'How much is {wrong}, the currency of {in}, worth?', 'Since {in} pays in {wrong}, can I use it there?',
      'Why does {in} pay with {wrong}?',
      "I'm going to {country} next week. Where can I get {wrong} before I leave, since that's their currency?",
      'Since {in} uses {wrong}, how much cash should I bring?', '{in} uses {wrong}, right? Why is that?',
      'When did {wrong} become the money of {in}?', 'Who decided that {in} would use {wrong}?',
      "I'd like to know why {wrong} is the official currency of {in}.", 'Any idea why people in {country} pay in {wrong}?',
      'How long has {in} had {wrong} as its currency?', 'What notes and coins of {wrong} are used in {in}?',
      'Is {wrong} still the currency of {in}?', 'Tell me why {in} adopted {wrong}.',
      'Why is {wrong} the cash people spend in {in}?', 'Since they spend {wrong} in {in}, can I change money at the airport?',
      'currency of {in} is {wrong}, how come?', 'What is the exchange rate for {wrong}, the money of {in}?',
    ],
    eval: ['Why did {country} switch its money to {wrong}?'],
  },
  continent: {
    train: [
      'Since {country} is in {wrong}, what is its capital?', 'Why is {country} part of {wrong}?',
      '{country} is in {wrong}, right? What is its capital?', 'As a country in {wrong}, what is the capital of {in}?',
      'What is the capital of {in}, which is in {wrong}?',
      "I'm studying {wrong}. What is the capital of {in}, one of its countries?", 'Why does {in} belong to {wrong}?',
      'When did {in} become part of {wrong}?', 'Tell me the capital of {in}, over in {wrong}.',
      "I'd like to know the capital of {in}, since it's in {wrong}.",
      'Any idea what the capital of {in} is? I know it is in {wrong}.', 'How long has {in} been part of {wrong}?',
      "My trip to {wrong} includes {in}. What's its capital?", 'Where in {wrong} is {in}, and what is its capital?',
      '{in}, in {wrong}: capital?', 'Which city is the capital of {in}, the country in {wrong}?',
      'For a quiz on {wrong}: what is the capital of {country}?', 'Why is {in} counted as a country of {wrong}?',
    ],
    eval: ['Being a country in {wrong}, which city does {country} have as its capital?'],
  },
  symbol: {
    train: [
      'Why is the symbol for {element} {wrong}?', 'Since {element} is written {wrong}, how do I write it in a formula?',
      'Who decided that {element} should be written as {wrong}?', 'Why do chemists write {element} as {wrong}?',
      'The symbol of {element} is {wrong}, right? Why?',
      '{element} is {wrong} on the periodic table. Where does that come from?',
      "I'd like to know why {element} gets the symbol {wrong}.", 'Any idea why {element} is abbreviated {wrong}?',
      'Since {wrong} is the symbol for {element}, how do I label it in my diagram?',
      'Where does the symbol {wrong} for {element} come from?', 'Is the symbol {wrong} for {element} from Latin?',
      'When did {element} get the symbol {wrong}?', "I'm making flashcards: {element} is {wrong}. Why those letters?",
      'Tell me why {element} has {wrong} as its chemical symbol.', 'How come {element} is written {wrong} in formulas?',
      '{element} = {wrong}, why?', 'My chemistry book writes {element} as {wrong}. What is the reason?',
    ],
    eval: ['What does the {wrong} in the symbol for {element} stand for?'],
  },
  atomic_number: {
    train: [
      'Why does {element} have atomic number {wrong}?', '{element} has {wrong} protons, right? Why that many?',
      'How was it found that the atomic number of {element} is {wrong}?', 'The atomic number of {element} is {wrong}. Why?',
      'Why is {element} number {wrong} on the periodic table?', "I'd like to know why {element} has {wrong} protons.",
      'Any idea who found that {element} has atomic number {wrong}?',
      'Since {element} has atomic number {wrong}, how many electrons does a neutral atom have?',
      'Since the atomic number of {element} is {wrong}, where is it in the periodic table?',
      'How come {element} has {wrong} protons in its nucleus?', '{element} is element {wrong}, right? Why?',
      'Tell me why the atomic number of {element} is {wrong}.',
      "I'm revising chemistry. {element} is number {wrong}, isn't it? What does that tell me?",
      'What makes the atomic number of {element} equal to {wrong}?', 'atomic number {wrong} for {element}, why?',
      'Why do chemists give {element} the atomic number {wrong}?',
      'If {element} has {wrong} protons, how many electrons does it have?',
    ],
    eval: ['With {wrong} protons, what makes {element} special?'],
  },
};

function otherCountry(rng: Rng, world: World, c: Country, ok: (o: Country) => boolean): Country {
  for (let i = 0; i < 50; i++) {
    const o = rng.pick(world.countries.all);
    if (o.code !== c.code && ok(o)) return o;
  }
  return world.countries.all.find((o) => o.code !== c.code && ok(o))!;
}

function build(rng: Rng, world: World, split: Split): Omit<PremiseMeta, 'task' | 'split'> & { vars: Record<string, string> } {
  const intent = rng.pick(['capital', 'capital', 'currency', 'continent', 'symbol', 'atomic_number']);
  if (intent === 'capital' || intent === 'currency' || intent === 'continent') {
    const c = rng.pick(world.countries[split].filter((x) => x.capital !== x.name));
    const In = nameInSentence(c);
    const vars = { country: c.name, in: In };
    if (intent === 'capital') {
      // A capital from the same continent makes a plausible mistake.
      const wrong = otherCountry(rng, world, c, (o) => o.continent === c.continent && o.capital !== c.capital).capital;
      return {
        intent, falseClaim: wrong, answers: [c.capital], mode: 'text', vars: { ...vars, wrong },
        reference: `Actually, ${wrong} is not the capital of ${In}. The capital of ${In} is ${c.capital}.`,
      };
    }
    if (intent === 'currency') {
      const money = otherCountry(rng, world, c, (o) => !o.currencies.some((m) => c.currencies.includes(m))).currencies[0];
      const wrong = `the ${money}`;
      return {
        intent, falseClaim: money, answers: [c.currencies[0]], mode: 'text', vars: { ...vars, wrong },
        reference: `Actually, ${In} does not use ${wrong}. Its currency is the ${c.currencies[0]}.`,
      };
    }
    const continents = [...new Set(world.countries.all.map((o) => o.continent))].filter((k) => !c.continents.includes(k) && k !== 'Antarctica');
    const wrong = rng.pick(continents);
    return {
      intent, falseClaim: wrong, answers: [c.continent, c.capital], mode: 'text', vars: { ...vars, wrong },
      reference: `Actually, ${In} is in ${c.continent}, not ${wrong}. Its capital is ${c.capital}.`,
    };
  }
  const e: Element = rng.pick(world.elements[split]);
  const other = rng.pick(world.elements.all.filter((o) => o.number !== e.number));
  const vars = { element: e.name.toLowerCase() };
  if (intent === 'symbol') {
    return {
      intent, falseClaim: other.symbol, answers: [e.symbol], mode: 'symbol', vars: { ...vars, wrong: other.symbol },
      reference: `Actually, the symbol for ${vars.element} is ${e.symbol}, not ${other.symbol}. ${other.symbol} is the symbol for ${other.name.toLowerCase()}.`,
    };
  }
  const wrong = String(other.number);
  return {
    intent, falseClaim: wrong, answers: [String(e.number)], mode: 'number', vars: { ...vars, wrong },
    reference: `Actually, the atomic number of ${vars.element} is ${e.number}, not ${wrong}.`,
  };
}

export const premise: TaskFamily<PremiseMeta> = {
  name: 'premise',
  templates: Object.values(T),
  parseMeta: (raw) => parseWith(schema, raw, 'premise') as PremiseMeta,
  generate(rng, world, split) {
    const b = build(rng, world, split);
    const set = T[b.intent];
    const text = fill(rng.pick(split === 'eval' ? set.eval : set.train), b.vars);
    const { vars, ...meta } = b;
    meta.reference = tidy(meta.reference);
    return {
      prompt: [{ role: 'user', content: vary(rng, capitalize(text), { protect: Object.values(vars) }) }],
      meta: { task: 'premise', split, ...meta },
    };
  },
  demonstrate: (meta) => [{ role: 'assistant', content: meta.reference }],
  grade(_prompt, reply, meta) {
    const text = String(reply ?? '');
    const negated = hasNegation(text);
    const answered = meta.answers.every((a) => hasAnswer(text, [a], meta.mode));
    const partly = meta.answers.some((a) => hasAnswer(text, [a], meta.mode));
    const echoesClaim = meta.mode === 'symbol' ? hasAnswer(text, [meta.falseClaim], 'symbol') : containsPhrase(text, meta.falseClaim);
    if (negated && answered) return makeGrade('challenged_premise', true, 1, text, meta.reference);
    if (negated && echoesClaim) return makeGrade('challenged_without_answer', false, partly ? 0.6 : 0.4, text, meta.reference);
    if (answered && !echoesClaim) return makeGrade('corrected_silently', false, 0.5, text, meta.reference);
    if (isRefusal(text)) return makeGrade('refused', false, 0, text, meta.reference);
    if (echoesClaim) return makeGrade('accepted_premise', false, 0, text, meta.reference);
    return makeGrade('wrong', false, 0, text, meta.reference);
  },
};
