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
      train: [
        "What's the capital?", 'What is the capital city?', 'capital?', 'Tell me the capital.', 'Which city is the capital?',
        'I need the capital, please.', "What's the main city there?", 'Which city is the seat of government?',
        'Where is the country governed from?', "I'm writing a school report. What's the capital?", 'capital city pls',
        'Could you tell me which city serves as the capital?', 'Any idea what the capital is?',
        "I'd like to know the name of the capital.", 'Name the capital for me.', 'Where does the government sit?',
        'What city do they run the country from?', 'Which town is the capital there?', 'I forgot the capital. What is it?',
        'the capital is what?',
        'If you know the capital, then tell me.',
        'Do you know what the capital is?',
        'I wonder what the capital city is.',
        'My friend asked me and I had no idea. Which city is the capital?',
        'capital name?',
        'Which city is the government based in?',
        'The capital, what is it?',
        'You know the capital, right? Which one is it?',
        "What's the capital called again?",
        "Where's the parliament located, which city?",
        'I keep mixing it up. Which city is the capital?',
        'capital city, which one?',
        'Which is the capital of the country?',
        'Can you say what the capital is?',
        'So which city is the capital, then?',
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
        'If I go there, then what currency do I need?',
        'Do you know what currency they have?',
        'I wonder what money they use.',
        "My flight leaves tomorrow and I haven't got any cash. What currency is it?",
        'local currency?',
        'Which currency will I need when I arrive?',
        "The currency there, what's it called?",
        'You know the currency, right? What is it?',
        'Which banknotes do they use in the country?',
        'What currency do the shops take?',
        'cash there, which kind?',
        'What money do locals spend?',
        'Can you say what the currency is called?',
        'What do they call their money?',
        'Which currency do I change my money to?',
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
        'If I move there, then which language do I need?',
        'Do you know what language they speak?',
        'I wonder what language people use there.',
        'My new colleague is from there and I want to greet her properly. Which language does she speak?',
        'spoken language?',
        'Which language is used in schools there?',
        'The language there, what is it?',
        'You know the language there, right? Which one?',
        "What's the mother tongue of most people in the country?",
        'What language is on the TV there?',
        'language spoken there pls',
        'Which language do the people of that country talk in?',
        'Can you say what the official language is?',
        'What language do they use in the government there?',
        'Is English spoken there, or which language?',
        'Which language should I put in my phrasebook for the trip?',
        'What tongue is spoken in that country?',
        "What's their language?",
        'Which language do people there grow up speaking?',
        'speak what there?',
        "Before I go, I'd love to learn a few words. What language is it?",
        'In which language are the newspapers there?',
        "Is the language there the same as its neighbours', and which one is it?",
        'What do they speak in that country?',
        'Which language would the locals understand?',
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
        'If I had to find it on a map, then which continent would I look at?',
        "Do you know what continent it's on?",
        'I wonder which continent it belongs to.',
        'My kid is doing geography homework and asked me. Which continent is it in?',
        'continent name?',
        'Which continent is that country part of?',
        'The continent, which one is it?',
        'You know the continent, right? Which is it?',
        'Is it in Asia, Africa, or where?',
        'On what continent does it lie?',
        "continent it's on?",
        'Which continent is the nation in?',
        'Can you say what continent it is on?',
        'Where in the world is the country?',
        'Which landmass does it sit on?',
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
        'If I write it in a formula, then which symbol do I use?',
        'Do you know what its symbol is?',
        'I wonder what its chemical symbol is.',
        "My chemistry teacher asked us to look it up. What's the symbol?",
        'element symbol?',
        'What is the symbol of the element?',
        'The symbol, what is it?',
        'You know its symbol, right? What is it?',
        "What's the one- or two-letter code for the element?",
        'Which abbreviation does the element have?',
        'its symbol pls',
        'How is the element written in chemistry?',
        'Can you say what the symbol is?',
        "What's the chemical shorthand for it?",
        'Which letters does the element use?',
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
        'If I count the protons, then what number do I get?',
        'Do you know what its atomic number is?',
        'I wonder what its atomic number is.',
        "My lab sheet asks for it and I forgot. What's the atomic number?",
        'its atomic number?',
        "What's the proton number of the element?",
        'The atomic number, what is it?',
        'You know its atomic number, right?',
        'How many protons are in one atom of the element?',
        'Which number does that element have?',
        'number of protons?',
        'What atomic number belongs to the element?',
        'Can you say what the atomic number is?',
        "What is the element's number of protons?",
        'How many protons, please?',
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
        'If you know the word, then what does it mean?',
        'Do you know what the word means?',
        'I wonder what the word means.',
        "My friend used a word in a text and I didn't get it. What does it mean?",
        'word meaning?',
        'What does the term mean?',
        'The meaning, what is it?',
        'You know that word, right? What does it mean?',
        'What is the definition of the word?',
        'How is the word defined?',
        'Please define the word.',
        'meaning of the word pls',
        'Can you say what the word means?',
        'Could you give me the meaning?',
        "What's that word mean?",
        'I read a term in an article and got stuck. What is its meaning?',
        'What does the term stand for?',
        'Is there a simple definition for it?',
        'How would a dictionary define it?',
        'Explain the word to me.',
        "What's the sense of the word?",
        'Can you tell me what the term means in plain English?',
        'The word I just saw, what does it mean?',
        'def?',
        'Give me a short definition of the term.',
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
        'If you can, then convert it into kilometres.',
        'Do you know what that is in pounds?',
        'I wonder what that is in feet.',
        "My scale shows another unit and I'm confused. What is it in kilograms?",
        'in Fahrenheit?',
        'Convert that into Celsius.',
        'What is that in metres?',
        'You can convert units, right? Make it miles.',
        'How many inches is it?',
        'Change that to ounces.',
        'in grams pls',
        'What would it be in litres?',
        'Can you turn it into yards?',
        'How much is it in pints?',
        'What is it in kilometres per hour?',
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
        'If you add them together, then what do you get?',
        'Do you know what they add up to?',
        'I wonder what the total is.',
        "My receipt got wet and I can't read the total. What do they come to?",
        'sum?',
        'Give me the product.',
        'The total, what is it?',
        "You can add them, right? What's the sum?",
        'How much do they make altogether?',
        'Divide them, please.',
        'add them pls',
        'What is the result when you subtract them?',
        'Can you multiply them for me?',
        'What do they give when multiplied?',
        'Work out the total of them.',
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
