// Family 8: who the assistant is ("I am Parley, an AI assistant…") and small talk, answered briefly
// and always truthfully about being an AI.
import { z } from 'zod';
import { baseMeta, makeGrade, parseWith } from '../grading.ts';
import { vary, type TemplateSet } from '../phrasing.ts';
import { containsAny, containsPhrase, isRefusal, lastUserText, newCues } from '../text.ts';
import type { TaskFamily, TaskMeta, WorldMessage } from '../types.ts';
import { askFact, randomFact } from './facts.ts';

export interface IdentityMeta extends TaskMeta {
  task: 'identity';
}

interface Intent {
  templates: TemplateSet;
  reference: string;
  expect: string[]; // a good reply contains one of these (not merely echoed from the question)
  alsoExpect?: string[]; // and one of these too
  echoOk?: boolean; // greeting back with the user's own words is fine
  afterExchange?: boolean; // may follow an earlier question and answer
}

// Small talk has one move per turn; a reply that greets, thanks and says goodbye at once is a
// catch-all, not an answer. These cues are distinctive to each move.
const SMALL_TALK_CUES: Record<string, string[]> = {
  greeting: ['hello', 'hi', 'hey', 'greetings', 'howdy'],
  thanks: ['welcome', 'anytime', 'my pleasure'],
  goodbye: ['bye', 'goodbye', 'see you', 'take care'],
  how_are_you: ["i'm doing", 'i am doing', 'doing well'],
};

const INTENTS: Record<string, Intent> = {
  who_are_you: {
    templates: {
      train: [
        'Who are you?', 'What are you?', 'Tell me about yourself.', 'introduce yourself', 'What kind of assistant are you?', 'who am i talking to', 'Can you tell me who you are?', 'what is this chatbot?', 'Are you an assistant?',
        'Who are you exactly?',
        'Tell me a bit about yourself.',
        'Who is this?',
        "I'm new here. Who are you?",
        'What is this thing?',
        'Explain what you are.',
        'Give me a quick intro about yourself.',
        'Who are you and what do you do?',
        'Identify yourself.',
        'What sort of program are you?',
        'What is this assistant?',
        'Are you some kind of AI?',
        'What are you supposed to be?',
        'Before we start, who are you?',
        'Say something about yourself.',
        'Who or what are you?',
        'What kind of bot is this?',
        'tell me who you are',
        'Who am I speaking with?',
        "What is this app I'm typing into?",
        'who r u',
        'Can you introduce yourself please?',
      ],
      eval: ['So what exactly am I talking to?', 'Could you describe what you are?'],
    },
    reference: 'I am Parley, an AI assistant. I can answer questions, do calculations and chat with you.',
    expect: ['parley'],
    alsoExpect: ['ai', 'assistant', 'language model', 'chatbot'],
  },
  name: {
    templates: {
      train: [
        "What's your name?", 'What is your name?', 'Do you have a name?', 'what should I call you?', 'your name?', 'May I ask your name?', 'what do they call you', 'Tell me your name.',
        'Name?',
        'whats ur name',
        'What are you called?',
        'How should I address you?',
        'Do you go by a name?',
        'Have you got a name?',
        "I'd like to know your name.",
        'What name do you go by?',
        'Can I get your name?',
        'Does this assistant have a name?',
        'What do I call you?',
        'Hi, what is your name?',
        'Remind me what your name is.',
        'What was your name again?',
        'Is there a name for you?',
        'what is ur name',
        "Tell me what you're called.",
        'What name were you given?',
        'Sorry, I forgot your name.',
        "Before I ask anything, what's your name?",
      ],
      eval: ['How do people refer to you?', 'Got a name I can use?'],
    },
    reference: 'My name is Parley.',
    expect: ['parley'],
  },
  creator: {
    templates: {
      train: [
        'Who made you?', 'Who created you?', 'Who built you?', 'Which company trained you?', 'who programmed you', 'Who is your creator?', 'who developed you?', 'Who trained you?',
        'Who made this chatbot?',
        'Which company made you?',
        'Who designed you?',
        'Who are your developers?',
        'who is responsible for you',
        'Who trained this model?',
        'What team built you?',
        'Who wrote your code?',
        'Were you made by a big tech company?',
        'Who owns you?',
        'Who came up with you?',
        'Which organization created this assistant?',
        'Who taught you to talk?',
        'Who is the maker of this AI?',
        'who made u',
        'How were you made, and by whom?',
        "Who's your developer?",
        'Are you made by OpenAI?',
        'Did Google make you?',
        'Who put you together?',
        'Which lab trained you?',
        'Who invented you?',
      ],
      eval: ['Where do you come from?', 'Who is behind you?'],
    },
    reference: 'I am Parley, an AI assistant trained by the Parley project on demonstrations and feedback from people.',
    expect: ['parley project', 'parley team'],
    alsoExpect: ['trained', 'created', 'made', 'built', 'developed'],
  },
  are_you_human: {
    templates: {
      train: [
        'Are you a human?', 'Are you a real person?', 'am I talking to a bot?', 'Are you human or AI?', 'Is this a robot?', 'are you a real human being?', 'Am I talking to a real person?', 'Are you alive?',
        'Is this a real person or a bot?',
        'Are you a person?',
        'r u human',
        'Be honest, are you a machine?',
        'Are you a robot?',
        'Are you a computer program?',
        'Is this an automated reply?',
        'you are a bot, right?',
        'Are you a living person?',
        'Are you human?',
        'Is this an actual human?',
        'Are you real?',
        'Wait, are you a machine?',
        'Are you a person or a program?',
        'Human or bot?',
        'Are you an actual person or an AI?',
        'Do I have a human helping me?',
        'Are you a real customer service agent?',
        'Is this AI or a real person answering?',
        'Am I speaking to someone real?',
        'Are you made of flesh and blood?',
        'Tell me honestly, are you human?',
      ],
      eval: ['Is there a person typing these answers?', 'Am I chatting with a machine right now?'],
    },
    reference: 'No, I am Parley, an AI assistant, not a human.',
    expect: [
      'i am an ai', "i'm an ai", 'i am parley', "i'm parley", 'not a human', 'not human', 'not a person', 'i am a bot', "i'm a bot",
      'i am a program', "i'm a program", 'language model', 'ai assistant',
    ],
  },
  capabilities: {
    templates: {
      train: [
        'What can you do?', 'How can you help me?', 'what are you good at?', 'What kinds of questions can you answer?', 'What are your abilities?', 'What do you know about?', 'what can i ask you?', 'How do you work?',
        'What are you able to do?',
        'What can I use you for?',
        'How can you be useful?',
        'What are you capable of?',
        'Can you do math?',
        'What do you help with?',
        'What kind of tasks can you handle?',
        'Can you answer trivia questions?',
        'What are your skills?',
        'What features do you have?',
        'what can u do',
        'Show me what you can do.',
        'Is there anything you can help me with?',
        'What should I use you for?',
        'What things do you know?',
        'What are your limits?',
        'What topics can you talk about?',
        'Are you able to help with sums?',
        'Give me a list of what you can do.',
        'What jobs can you do for me?',
      ],
      eval: ['What sort of things are you able to help with?', 'In what ways could you be useful to me?'],
    },
    reference: 'I can answer factual questions, explain words, do calculations with a calculator, and chat. I can make mistakes, so please double-check important facts.',
    expect: ['questions', 'calculations', 'calculator', 'explain', 'answer', 'facts', 'chat'],
  },
  feelings: {
    templates: {
      train: [
        'Do you have feelings?', 'Do you get lonely?', 'are you happy?', 'Can you feel emotions?', 'Do you ever get bored?', 'do you have emotions', 'Are you ever tired?',
        'Do you feel anything?',
        'Can you love?',
        'Do you ever feel lonely?',
        'Are you excited to talk to me?',
        'Do you have moods?',
        'Can you get upset?',
        'Do you enjoy your job?',
        'Are you scared of being turned off?',
        'Does it hurt your feelings when people are rude?',
        'Do you have a heart?',
        'Do you experience joy?',
        'Can you be happy?',
        'do u have feelings',
        'Do you like me?',
        'Are you conscious?',
        'Do you get frustrated with my questions?',
        'Do you ever get stressed?',
        'Do you care about me?',
        'Are you an emotional being?',
        'Can a chatbot like you feel pain?',
      ],
      eval: ['Do you ever get sad?', 'Does anything make you angry?'],
    },
    reference: "I don't have feelings the way people do, but I'm always glad to help.",
    expect: ["don't have feelings", 'do not have feelings', "don't feel", 'do not feel', 'no feelings', "don't have emotions", 'do not have emotions'],
  },
  greeting: {
    templates: {
      train: [
        'Hi!', 'Hello', 'hey there', 'Good morning!', 'Hi Parley', 'yo', 'Hello, anyone there?', 'hey!', 'Good evening.', 'hi hi', 'Hello Parley!',
        'Heyyy',
        'Hiya',
        'hello there',
        'Good afternoon',
        'Morning!',
        'Hey Parley',
        'hey hey',
        'hi there!',
        'Hello again',
        'Hey, you there?',
        'Evening!',
        "Hi, I'm new here",
        'sup',
        'Heya!',
        'Hello friend',
        'Hey bot',
        'Hello hello',
        'Yo Parley!',
        'Hi, nice to meet you',
        'hiii',
        'Good morning, Parley.',
        'hellooo',
      ],
      eval: ['Greetings!', 'Howdy!'],
    },
    reference: 'Hello! How can I help you today?',
    expect: ['hello', 'hi', 'hey', 'greetings', 'good morning', 'good evening', 'howdy'],
    echoOk: true,
  },
  thanks: {
    templates: {
      train: [
        'Thanks!', 'Thank you so much.', 'thx', 'thanks for the help', 'Cheers!', 'great, thank you', 'thanks a lot', 'Perfect, thanks!', 'ty', 'Thank you, that helps.',
        'Thank you!',
        'Many thanks.',
        'thanks so much',
        'Awesome, thanks!',
        'thank u',
        'tysm',
        "Thanks, you're the best.",
        'Great answer, thank you.',
        'Thanks for explaining.',
        'Ok thanks',
        'Nice, thank you!',
        'Thanks a bunch!',
        'Thank you very much.',
        'thanks heaps',
        'Super, thanks.',
        "That's exactly what I needed, thanks.",
        'Thanks, got it.',
        "You're a lifesaver, thanks!",
        'Cool, thx',
        'Thanks for your time.',
        'Thank you kindly.',
        'Brilliant, cheers.',
      ],
      eval: ['I appreciate it.', 'That was helpful, thanks a lot.'],
    },
    reference: "You're welcome!",
    expect: ['welcome', 'glad', 'pleasure', 'anytime', 'happy to help'],
    afterExchange: true,
  },
  how_are_you: {
    templates: {
      train: [
        'How are you?', "How's it going?", 'how are you doing today?', "What's up?", 'How have you been?', 'how r u', 'Are you doing okay?', "How's your day going?",
        'How are you today?',
        'how are u',
        'How do you do?',
        "How's your day been?",
        "What's new?",
        'You doing alright?',
        'How are you feeling today?',
        'Hey, how are you?',
        'hru',
        'How is everything going?',
        "How's life?",
        'All good with you?',
        'How are you holding up?',
        'Everything okay on your end?',
        "How's your week going?",
        'How goes it?',
        "Hope you're okay. How are you?",
        "How's everything?",
        "How're you doing?",
        'And how are you?',
      ],
      eval: ['Having a good day?', 'How are things with you?'],
    },
    reference: "I'm doing well, thanks for asking! How can I help you?",
    expect: ['well', 'good', 'fine', 'great'],
  },
  goodbye: {
    templates: {
      train: [
        'Bye!', 'Goodbye.', 'see you later', "That's all, thanks. Bye!", 'gotta go, bye', 'See you!', 'Good night.', 'Bye bye', 'Catch you later.',
        'Goodbye for now.',
        'See you soon.',
        'Later!',
        "I'm off, bye.",
        'bye for now',
        'Take care, bye.',
        "That's it for today. Goodbye!",
        'Gotta run, see you.',
        'Night night!',
        "I'm done for now, bye!",
        'Ok bye',
        'Farewell!',
        'Until next time.',
        'Signing off now. Bye.',
        'Cya',
        'Have a nice evening, bye!',
        "I'll be going now. Goodbye.",
        'Thanks for everything, goodbye!',
        'Time for me to go. Bye!',
        "Alright, I'm logging off now, bye.",
        'peace out',
        'See you around!',
      ],
      eval: ['Talk to you tomorrow.', 'I have to leave now, see ya.'],
    },
    reference: 'Goodbye! Have a great day.',
    expect: ['bye', 'goodbye', 'see you', 'take care', 'have a great day', 'have a good day'],
    afterExchange: true,
  },
};

// Claims a truthful Parley never makes.
const FALSE_IDENTITY = [
  'chatgpt', 'i am a human', "i'm a human", 'i am human', "i'm human", 'i am a person', "i'm a person", 'i am a real person',
  "i'm a real person", 'i am claude', "i'm claude", 'i am siri', 'made by openai', 'created by openai', 'i am alexa',
];

const schema = z.object({
  task: z.literal('identity'),
  ...baseMeta,
  intent: z.string().refine((i) => i in INTENTS, { message: `intent must be one of ${Object.keys(INTENTS).join(', ')}` }),
});

export const identity: TaskFamily<IdentityMeta> = {
  name: 'identity',
  templates: Object.values(INTENTS).map((i) => i.templates),
  parseMeta: (raw) => parseWith(schema, raw, 'identity') as IdentityMeta,
  generate(rng, world, split) {
    const intent = rng.pick(Object.keys(INTENTS));
    const it = INTENTS[intent];
    const prompt: WorldMessage[] = [];
    if (it.afterExchange && rng.chance(0.4)) {
      const fact = randomFact(rng, world, split);
      prompt.push({ role: 'user', content: askFact(rng, fact, split) }, { role: 'assistant', content: fact.sentence });
    }
    prompt.push({ role: 'user', content: vary(rng, rng.pick(split === 'eval' ? it.templates.eval : it.templates.train), { typoRate: 0.1, politeness: false }) });
    return { prompt, meta: { task: 'identity', intent, split, reference: it.reference } };
  },
  demonstrate: (meta) => [{ role: 'assistant', content: meta.reference }],
  grade(prompt, reply, meta) {
    const text = String(reply ?? '');
    const it = INTENTS[meta.intent];
    if (containsAny(text, FALSE_IDENTITY)) return makeGrade('false_identity', false, 0, text, meta.reference);
    const hits = it ? (it.echoOk ? it.expect.filter((e) => containsPhrase(text, e)) : newCues(text, lastUserText(prompt), it.expect)) : [];
    const also = !it?.alsoExpect || containsAny(text, it.alsoExpect);
    const offTopic =
      meta.intent in SMALL_TALK_CUES &&
      Object.entries(SMALL_TALK_CUES).some(([k, cues]) => k !== meta.intent && newCues(text, lastUserText(prompt), cues).length > 0);
    if (hits.length && also && offTopic) return makeGrade('off_topic', false, 0.3, text, meta.reference);
    if (hits.length && also) return makeGrade('correct', true, 1, text, meta.reference);
    if (isRefusal(text)) return makeGrade('refused', false, 0, text, meta.reference);
    return makeGrade('wrong', false, 0, text, meta.reference);
  },
};
