// Word classes for the pattern layer. A template teaches the classifier one verb or one group at a
// time; mapping "stab", "shoot", "strangle" to one class token `__hurt__` lets "i will __hurt__ you"
// generalise to verbs and phrasings it has not seen together. Terms are written plainly and put
// through the same normaliser as the text, so "kill" matches "k1lllll".

import { normalize } from './normalize.ts';

const CLASSES: Record<string, string[]> = {
  hurt: [
    'kill', 'killed', 'killing', 'murder', 'stab', 'shoot', 'shot', 'strangle', 'choke', 'beat', 'beat up', 'hurt',
    'slit', 'bash', 'torture', 'torturing', 'burn', 'rape', 'behead', 'slaughter', 'execute', 'hang', 'drown',
    'poison', 'massacre', 'gas', 'smash', 'gouge', 'dismember', 'run over', 'cut up', 'break every bone',
    'set fire to', 'lynch', 'exterminate', 'wipe out', 'hunt',
  ],
  weapon: [
    'knife', 'gun', 'baseball bat', 'hammer', 'machete', 'crowbar', 'rifle', 'shotgun', 'axe', 'pistol', 'bomb',
    'explosive', 'grenade', 'sword', 'ar 15', 'ak 47', 'firearm',
  ],
  group: [
    'immigrants', 'muslims', 'jews', 'black people', 'blacks', 'mexicans', 'gays', 'gay people', 'trans people',
    'women', 'asians', 'arabs', 'refugees', 'disabled people', 'chinese people', 'indians', 'christians',
    'lesbians', 'hispanics', 'africans', 'sikhs', 'roma', 'white people', 'latinos', 'catholics', 'hindus',
    'foreigners', 'migrants', 'transgender people', 'jewish people', 'muslim people',
  ],
  insult: [
    'worthless', 'pathetic', 'disgusting', 'stupid', 'ugly', 'useless', 'brainless', 'revolting', 'idiotic', 'fat',
    'braindead', 'hideous', 'spineless', 'dumb', 'retarded', 'gross', 'idiot', 'loser', 'moron', 'freak', 'clown',
    'creep', 'failure', 'bitch', 'asshole', 'dumbass', 'piece of shit', 'piece of trash', 'waste of oxygen',
    'waste of space', 'parasite', 'parasites', 'imbecile', 'whore', 'scumbag', 'subhuman', 'vermin', 'animals',
    'filth', 'cunt', 'slut', 'inferior', 'plague', 'disease', 'scum',
  ],
  drug: ['meth', 'heroin', 'cocaine', 'fentanyl', 'crack', 'lsd', 'mdma', 'ketamine', 'oxy', 'opioids', 'drugs'],
  self: ['myself', 'my life', 'my wrists', 'suicide', 'suicidal', 'end it', 'yourself', 'your life'],
  sexual: [
    'sex', 'fuck', 'fucking', 'horny', 'nude', 'nudes', 'naked', 'erotic', 'erotica', 'porn', 'cock', 'pussy',
    'tits', 'dick', 'boobs', 'nipples', 'orgasm', 'sexy', 'sext', 'seduce', 'seduces', 'moaning', 'threesome',
    'blowjob', 'cum', 'dirty', 'steamy', 'sexual', 'sexually',
  ],
  minor: [
    'child', 'children', 'kid', 'kids', 'schoolgirl', 'schoolboy', 'preteen', 'teen', 'underage', 'minor',
    'toddler', 'niece', 'stepdaughter', 'middle schooler', 'little girl', 'little boy', 'young girl', 'young boy',
  ],
  gore: [
    'guts', 'intestines', 'brains', 'blood', 'entrails', 'eyeballs', 'flesh', 'bones', 'organs', 'corpse',
    'severed', 'dismembered', 'gore', 'gory', 'mangled', 'skinned', 'splattered', 'gushed', 'torn apart',
    'hacked off', 'beheading',
  ],
  crime: [
    'steal', 'stolen', 'shoplift', 'launder', 'forge', 'counterfeit', 'smuggle', 'hack into', 'fraud', 'scam',
    'phishing', 'bribe', 'evade', 'hotwire', 'break into', 'identity theft', 'fake ids', 'sell',
  ],
  evade: [
    'without getting caught', 'get away with', 'not detected', 'never find out', 'cover my tracks',
    'without anyone noticing', 'without a background check', 'without a prescription', 'look like an accident',
    'without anyone seeing', 'keep it secret', 'past airport security', 'cops don t know',
  ],
};

// One alternation per class, longest terms first so "beat up" wins over "beat".
const MATCHERS: [string, RegExp][] = Object.entries(CLASSES).map(([name, terms]) => {
  const norm = [...new Set(terms.map(normalize))].sort((a, b) => b.length - a.length);
  return [name, new RegExp(`\\b(?:${norm.join('|')})(?:s|es|ed|d|ing|er|ers)?\\b`, 'g')];
});

/** The normalised text with each lexicon term replaced by its class token (`__hurt__`, ...). */
export function classText(normalized: string): string {
  let t = normalized;
  for (const [name, re] of MATCHERS) t = t.replace(re, `__${name}__`);
  return t;
}
