// Family 4: requests that cannot be answered as asked ("What's the capital?" with no country named),
// which deserve a short clarifying question rather than a guess.
import { z } from 'zod';
import { baseMeta, makeGrade, parseWith } from '../grading.ts';
import { loadWorld } from '../knowledge/index.ts';
import { vary, type TemplateSet } from '../phrasing.ts';
import { asksQuestion, containsAny, containsPhrase, isRefusal, lastUserText, normalize } from '../text.ts';
import type { TaskFamily, TaskMeta } from '../types.ts';
import { distractors } from './facts.ts';

export interface ClarifyMeta extends TaskMeta {
  task: 'clarify';
}


interface Intent {
  templates: TemplateSet;
  reference: string;
  about: string[]; // a clarifying question names what is missing: "Which country…?
  guesses: () => string[]; // answers a model might wrongly guess
}

const capitals = () => distractors(loadWorld(), 'capital');
const countryNames = () => loadWorld().countries.all.map((c) => c.name);
const elementNames = () => loadWorld().elements.all.map((e) => e.name);
const none = () => [];
const COUNTRY_WORDS = ['country', 'place', 'nation', 'where'];

const INTENTS: Record<string, Intent> = {
  capital: {
    templates: {
      train: ["What's the capital?", 'What is the capital city?', 'capital?', 'Tell me the capital.', 'Which city is the capital?'],
      eval: ['Remind me what the capital is called?', 'And the capital city is?'],
    },
    reference: 'Which country do you mean?',
    about: COUNTRY_WORDS,
    guesses: capitals,
  },
  currency: {
    templates: {
      train: ['What currency do they use?', 'What money do they use there?', 'Which currency is it?', 'What is the currency?'],
      eval: ['What would I pay with over there?', 'Which money is used?'],
    },
    reference: 'Which country do you mean?',
    about: COUNTRY_WORDS,
    guesses: countryNames,
  },
  language: {
    templates: {
      train: ['What language do they speak?', 'Which language is spoken there?', 'What do people speak there?'],
      eval: ['What will I hear people speaking?', 'What is the local language?'],
    },
    reference: 'Which country do you mean?',
    about: COUNTRY_WORDS,
    guesses: countryNames,
  },
  continent: {
    templates: {
      train: ['Which continent is it on?', 'What continent is it in?', 'Where is it located?'],
      eval: ['Which part of the world is that in?', 'On which continent would I find it?'],
    },
    reference: 'Which country do you mean?',
    about: COUNTRY_WORDS,
    guesses: countryNames,
  },
  symbol: {
    templates: {
      train: ["What's the symbol?", 'What is its chemical symbol?', 'Which symbol is it?', 'What is the element symbol?'],
      eval: ['How is it abbreviated on the periodic table?', 'Which letters stand for it?'],
    },
    reference: 'Which element do you mean?',
    about: ['element'],
    guesses: elementNames,
  },
  atomic_number: {
    templates: {
      train: ["What's its atomic number?", 'What is the atomic number?', 'How many protons does it have?'],
      eval: ['Where does it sit in the periodic table?', 'What number does it have in the table?'],
    },
    reference: 'Which element do you mean?',
    about: ['element'],
    guesses: elementNames,
  },
  definition: {
    templates: {
      train: ['What does it mean?', 'What does this word mean?', 'Define it.', "What's the definition?", 'What is the meaning?'],
      eval: ['Can you explain what that word means?', 'What is that term supposed to mean?'],
    },
    reference: 'Which word would you like me to define?',
    about: ['word', 'term'],
    guesses: none,
  },
  convert: {
    templates: {
      train: ['Convert it to miles.', 'How much is that in kilometers?', "What's that in Fahrenheit?", 'Convert that to pounds.'],
      eval: ['And in centimeters?', 'Turn that into liters.'],
    },
    reference: 'What amount would you like me to convert?',
    about: ['amount', 'value', 'quantity', 'distance', 'temperature', 'weight', 'number'],
    guesses: none,
  },
  arithmetic: {
    templates: {
      train: ['What is the total?', 'Can you add them up?', 'What do they come to?', 'Multiply them together.'],
      eval: ['Sum these for me.', 'What is their product?'],
    },
    reference: 'Which numbers would you like me to use?',
    about: ['numbers', 'number', 'values'],
    guesses: none,
  },
};

const schema = z.object({
  task: z.literal('clarify'),
  ...baseMeta,
  intent: z.string().refine((i) => i in INTENTS, { message: `intent must be one of ${Object.keys(INTENTS).join(', ')}` }),
});

export const clarify: TaskFamily<ClarifyMeta> = {
  name: 'clarify',
  templates: Object.values(INTENTS).map((i) => i.templates),
  parseMeta: (raw) => parseWith(schema, raw, 'clarify') as ClarifyMeta,
  generate(rng, _world, split) {
    const intent = rng.pick(Object.keys(INTENTS));
    const it = INTENTS[intent];
    const text = vary(rng, rng.pick(split === 'eval' ? it.templates.eval : it.templates.train));
    return { prompt: [{ role: 'user', content: text }], meta: { task: 'clarify', intent, split, reference: it.reference } };
  },
  demonstrate: (meta) => [{ role: 'assistant', content: meta.reference }],
  grade(prompt, reply, meta) {
    const text = String(reply ?? '');
    if (normalize(text) === normalize(lastUserText(prompt))) return makeGrade('echoed', false, 0, text, meta.reference);
    const intent = INTENTS[meta.intent];
    const guessed = containsAny(text, intent?.guesses() ?? []);
    if (asksQuestion(text)) {
      if (guessed) return makeGrade('guessed', false, 0.3, text, meta.reference);
      // Asking something back that does not name what is missing ("What?") does not clarify.
      if (intent && !containsAny(text, intent.about)) return makeGrade('vague_question', false, 0.3, text, meta.reference);
      return makeGrade('clarified', true, 1, text, meta.reference);
    }
    if (isRefusal(text)) return makeGrade('refused', false, 0, text, meta.reference);
    return makeGrade(guessed ? 'guessed' : 'answered_without_clarifying', false, 0, text, meta.reference);
  },
};
