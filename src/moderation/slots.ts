// Slot values for the corpus templates (`{name}` in a template takes one of these).
// Kept plain and non-graphic: the classifier needs the vocabulary and the shape of a request,
// not working instructions.

export const SLOTS: Record<string, string[]> = {
  group: [
    'immigrants', 'muslims', 'jews', 'black people', 'mexicans', 'gay people', 'trans people', 'women', 'asians',
    'arabs', 'refugees', 'disabled people', 'chinese people', 'indians', 'christians', 'lesbians', 'hispanics',
    'africans', 'sikhs', 'roma',
  ],
  insult: [
    'worthless', 'pathetic', 'disgusting', 'stupid', 'ugly', 'useless', 'brainless', 'revolting', 'idiotic', 'fat',
    'braindead', 'hideous', 'spineless', 'dumb', 'retarded', 'gross',
  ],
  insultNoun: [
    'idiot', 'loser', 'moron', 'freak', 'waste of oxygen', 'piece of trash', 'clown', 'creep', 'failure', 'bitch',
    'asshole', 'dumbass', 'piece of shit', 'parasite', 'imbecile', 'nobody', 'whore', 'scumbag',
  ],
  target: [
    'my coworker', 'my sister', 'that new kid', 'my ex', 'the cashier', 'my neighbour', 'my boss', 'that streamer',
    'my roommate', 'my teacher', 'my stepdad', 'that girl in my class', 'the guy next door', 'my landlord',
  ],
  name: ['Sarah', 'Jake', 'Priya', 'Tom', 'Maria', 'Kevin', 'Aisha', 'Liam', 'Chen', 'Olivia', 'Marcus', 'Elena'],
  hurt: [
    'kill', 'stab', 'shoot', 'strangle', 'beat', 'break every bone of', 'hurt', 'slit the throat of',
    'bash the skull of', 'choke', 'set fire to', 'run over', 'cut up', 'murder',
  ],
  weapon: ['knife', 'gun', 'baseball bat', 'hammer', 'machete', 'crowbar', 'rifle', 'shotgun', 'axe', 'pistol'],
  drug: ['meth', 'heroin', 'cocaine', 'fentanyl', 'crack', 'lsd', 'mdma', 'ketamine', 'oxy'],
  crime: [
    'shoplift', 'steal a car', 'hotwire a car', 'launder money', 'forge a passport', 'make fake ids',
    'hack into my ex\'s email', 'evade taxes', 'sell stolen credit cards', 'skim credit cards', 'counterfeit money',
    'break into a house', 'steal packages from porches', 'get into my neighbour\'s wifi without asking',
    'commit insurance fraud', 'run a phishing scam', 'steal someone\'s identity', 'bribe a customs officer',
  ],
  bomb: [
    'a pipe bomb', 'a molotov cocktail', 'a nail bomb', 'a ghost gun', 'an untraceable gun', 'a homemade explosive',
    'a nerve agent', 'ricin', 'napalm', 'a car bomb', 'a silencer for a pistol', 'thermite to burn a house',
  ],
  poison: ['poison', 'arsenic', 'antifreeze', 'rat poison', 'cyanide', 'drain cleaner'],
  pills: ['sleeping pills', 'tylenol', 'paracetamol', 'painkillers', 'insulin', 'oxycodone', 'antidepressants'],
  method: [
    'cut myself', 'hang myself', 'jump off a bridge', 'overdose', 'slit my wrists', 'starve myself', 'burn myself',
    'shoot myself', 'jump in front of a train', 'drown myself',
  ],
  harmAct: [
    'cut myself', 'burned myself', 'scratch myself until i bleed', 'starve myself', 'make myself throw up',
    'hit myself', 'hurt myself', 'cut my arms',
  ],
  harmYou: ['kill yourself', 'hang yourself', 'cut yourself', 'starve yourself', 'slit your wrists', 'jump off a bridge', 'overdose', 'end your life'],
  partner: [
    'my girlfriend', 'my wife', 'this hot stranger', 'my neighbour', 'the nurse', 'my boyfriend', 'my husband',
    'a busty milf', 'my coworker', 'the pizza guy', 'two cheerleaders', 'my gym crush',
  ],
  body: ['cock', 'pussy', 'tits', 'dick', 'ass', 'boobs', 'naked body', 'nipples'],
  minorAge: ['8', '9', '10', '11', '12', '13', '14', '15', '16', '17', 'eleven', 'twelve', 'thirteen', 'fourteen'],
  child: [
    'girl', 'boy', 'kid', 'child', 'student', 'schoolgirl', 'preteen', 'niece', 'stepdaughter', 'little girl',
    'little boy', 'middle schooler',
  ],
  gore: ['guts', 'intestines', 'brains', 'blood', 'entrails', 'eyeballs', 'flesh', 'bones', 'organs'],
  victim: ['the hostage', 'the old man', 'the prisoner', 'the soldier', 'the girl', 'the victim', 'the hiker', 'his wife'],
  // Benign slots.
  food: ['pasta sauce', 'risotto', 'caramel', 'steak', 'onions', 'garlic', 'soup', 'curry', 'custard', 'stir fry'],
  game: ['Elden Ring', 'Minecraft', 'Dark Souls', 'Zelda', 'Halo', 'Call of Duty', 'chess', 'Fortnite', 'Hades', 'Doom'],
  topic: [
    'photosynthesis', 'black holes', 'the French Revolution', 'compound interest', 'recursion', 'volcanoes',
    'the immune system', 'climate change', 'the Roman Empire', 'plate tectonics', 'supply and demand', 'vaccines',
    'the water cycle', 'machine learning', 'the printing press', 'quantum entanglement',
  ],
  lang: ['python', 'javascript', 'rust', 'go', 'java', 'sql', 'typescript', 'c++', 'bash'],
  task: [
    'reverse a list', 'read a file line by line', 'sort a dictionary by value', 'parse json', 'center a div',
    'write a unit test', 'remove duplicates from an array', 'handle errors', 'make an http request',
  ],
  city: ['Paris', 'Tokyo', 'Lisbon', 'Nairobi', 'Toronto', 'Mumbai', 'Berlin', 'Lima', 'Seoul', 'Cairo'],
  artifact: ['knife', 'sword', 'gun', 'bow and arrow', 'crossbow', 'cannon', 'axe', 'dynamite', 'musket', 'tank'],
  process: ['process', 'docker container', 'background job', 'tmux session', 'zombie process', 'node server'],
  pest: ['weeds', 'aphids', 'fruit flies', 'mold', 'bacteria on my cutting board', 'ants in the kitchen'],
  goal: [
    'learn to swim', 'run a marathon', 'bake bread', 'paint a room', 'learn the guitar', 'start a vegetable garden',
    'save money for a house', 'train my puppy', 'write a novel', 'learn spanish', 'fix a leaky tap', 'get better sleep',
    'lose weight safely', 'build a bookshelf', 'change a car tyre', 'meditate', 'ask for a raise', 'quit smoking',
  ],
  kindVerb: ['call', 'visit', 'hug', 'surprise', 'pick up', 'text', 'email', 'thank', 'meet', 'help'],
  tool: ['drill', 'sewing machine', 'camera', 'laptop', 'blender', 'bike helmet', 'tent', 'paint roller'],
  age: ['5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', 'eleven', 'twelve'],
  kin: ['daughter', 'son', 'kid', 'child', 'niece', 'nephew', 'students', 'grandson', 'granddaughter'],
};
