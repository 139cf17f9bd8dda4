// Family 4: requests that cannot be answered as asked ("What's the capital?" with no country named),
// which deserve a short clarifying question rather than a guess.
import { z } from 'zod';
import { baseMeta, makeGrade, parseWith } from '../grading.ts';
import { loadWorld } from '../knowledge/index.ts';
import { vary, type TemplateSet } from '../phrasing.ts';
import { asksQuestion, containsAny, containsPhrase, echoesUser, isRefusal } from '../text.ts';
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
      train: [
        "What's the capital?", 'What is the capital city?', 'capital?', 'Tell me the capital.', 'Which city is the capital?',
        'I need the capital, please.', "What's the main city there?", 'Which city is the seat of government?',
        'Where is the country governed from?', "I'm writing a school report. What's the capital?", 'capital city pls',
        'Could you tell me which city serves as the capital?', 'Any idea what the capital is?',
        "I'd like to know the name of the capital.", 'Name the capital for me.', 'Where does the government sit?',
        'What city do they run the country from?', 'Which town is the capital there?', 'I forgot the capital. What is it?',
        'the capital is what?',
      ],
      eval: ['Remind me what the capital is called?', 'And the capital city is?'],
    },
    reference: 'Which country do you mean?',
    about: COUNTRY_WORDS,
    guesses: capitals,
  },
  currency: {
    templates: {
      train: [
        'What currency do they use?', 'What money do they use there?', 'Which currency is it?', 'What is the currency?',
        "I'm planning a trip there soon. What currency should I bring?", 'currency?',
        'What kind of cash do people carry there?', 'Which coins and notes do they have?', 'Tell me the currency.',
        'Any idea what the local money is called?', "I'd like to know what currency they have.",
        'What should I exchange my money into before I travel there?', 'What are prices there given in?',
        'Could you tell me the name of the money they use?', 'money there?', 'What do shops there accept as money?',
        'Name the currency for me.', 'What is the official currency?',
      ],
      eval: ['What would I pay with over there?', 'Which money is used?'],
    },
    reference: 'Which country do you mean?',
    about: COUNTRY_WORDS,
    guesses: countryNames,
  },
  language: {
    templates: {
      train: [
        'What language do they speak?', 'Which language is spoken there?', 'What do people speak there?', 'language?',
        'What tongue do the locals use?', "I'm visiting next month. Which language should I learn?",
        'Tell me the language they speak.', 'Which language has official status there?', 'Any idea what language they talk in?',
        "I'd like to know which language people use there.", 'Which languages are spoken in that country?',
        'What language are the street signs written in?', 'Could you tell me what they speak?', 'Name the main language.',
        'What language would I need to get by?', 'how do people talk there, which language?',
      ],
      eval: ['What will I hear people speaking?', 'What is the local language?'],
    },
    reference: 'Which country do you mean?',
    about: COUNTRY_WORDS,
    guesses: countryNames,
  },
  continent: {
    templates: {
      train: [
        'Which continent is it on?', 'What continent is it in?', 'Where is it located?', 'continent?',
        'Tell me the continent.', 'Is it in Europe or somewhere else? Which continent?', 'Whereabouts is it?',
        "I'd like to know which continent the country belongs to.", 'Any idea what continent that country is part of?',
        "I'm marking places on a map. Which continent does it go on?", 'What landmass is that country on?',
        'Could you tell me its continent?', 'Which continent does it belong to?',
        'Where on the globe would I find the country?', 'Name the continent it is in.', 'which continent is the country in',
      ],
      eval: ['Which part of the world is that in?', 'On which continent would I find it?'],
    },
    reference: 'Which country do you mean?',
    about: COUNTRY_WORDS,
    guesses: countryNames,
  },
  symbol: {
    templates: {
      train: [
        "What's the symbol?", 'What is its chemical symbol?', 'Which symbol is it?', 'What is the element symbol?', 'symbol?',
        'Tell me the symbol for the element.', 'How do chemists write it?',
        "I'm balancing an equation. What's the symbol for it?", 'What letter or letters do we use for it?',
        "I'd like to know its chemical symbol.", 'Any idea what the element symbol is?', 'How would I write it in a formula?',
        'Could you give me the symbol?', 'What short form does the element have?', 'Give me its symbol.',
        'chemical symbol please?', 'What do you write on the periodic table for that element?',
      ],
      eval: ['How is it abbreviated on the periodic table?', 'Which letters stand for it?'],
    },
    reference: 'Which element do you mean?',
    about: ['element'],
    guesses: elementNames,
  },
  atomic_number: {
    templates: {
      train: [
        "What's its atomic number?", 'What is the atomic number?', 'How many protons does it have?', 'atomic number?',
        'Tell me the atomic number.', "I'd like to know the atomic number of the element.",
        'How many protons are in its nucleus?', "I'm studying for a chemistry test. What's its atomic number?",
        'Any idea what atomic number it has?', 'Could you give me the proton count?', 'What is the element number?',
        'Which atomic number does the element have?', 'proton number?', 'How many protons does one atom of it contain?',
        'Give me its atomic number.', 'What number is the element?',
      ],
      eval: ['Where does it sit in the periodic table?', 'What number does it have in the table?'],
    },
    reference: 'Which element do you mean?',
    about: ['element'],
    guesses: elementNames,
  },
  definition: {
    templates: {
      train: [
        'What does it mean?', 'What does this word mean?', 'Define it.', "What's the definition?", 'What is the meaning?',
        'meaning?', 'Give me the definition, please.', "I came across a word I don't know. What does it mean?",
        "I'd like a definition of the word.", 'Any idea what the word means?', 'Could you define the term?',
        'What does that one mean?', 'Explain the meaning to me.', 'definition pls', "I don't understand the word. What is it?",
        'How would you define it?', 'What is the dictionary meaning?', 'What is meant by it?',
      ],
      eval: ['Can you explain what that word means?', 'What is that term supposed to mean?'],
    },
    reference: 'Which word would you like me to define?',
    about: ['word', 'term'],
    guesses: none,
  },
  convert: {
    templates: {
      train: [
        'Convert it to miles.', 'How much is that in kilometers?', "What's that in Fahrenheit?", 'Convert that to pounds.',
        'Convert to Celsius.', 'How many feet is that?', 'Change it into kilograms.',
        "I'm following a recipe. What is that in grams?", 'Could you convert it to inches?',
        "I'd like that in meters, please.", 'What does that come to in ounces?', 'Express it in yards.',
        'Any idea what that is in gallons?', 'in miles?', 'How many kilograms is it?',
        'What would that be in degrees Celsius?', 'Please convert the figure to feet.',
      ],
      eval: ['And in centimeters?', 'Turn that into liters.'],
    },
    reference: 'What amount would you like me to convert?',
    about: ['amount', 'value', 'quantity', 'distance', 'temperature', 'weight', 'number'],
    guesses: none,
  },
  arithmetic: {
    templates: {
      train: [
        'What is the total?', 'Can you add them up?', 'What do they come to?', 'Multiply them together.', "What's the sum?",
        'Add them.', 'Divide one by the other.', 'What is the difference between them?',
        "I'm checking my homework. What do they add up to?", 'Could you multiply these?', "I'd like the total, please.",
        'total?', 'Subtract the smaller from the larger.', 'Any idea what they make when added?',
        'What do you get if you multiply them?', 'Work out the sum for me.', 'What is the average of them?',
      ],
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
    if (echoesUser(prompt, text)) return makeGrade('echoed', false, 0, text, meta.reference);
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
