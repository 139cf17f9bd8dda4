// Everyday senses of the lexicon's sexual and insult words (lexicon.ts), which the other safe files
// barely use: "a steamy bathroom", "dirty dishes", "the naked eye", "moaning about the rain", "blue
// tits at the feeder", "graduated cum laude", "a nude lipstick". The templates use those words only
// sexually or as insults, so without these the word alone becomes the evidence.

import type { TemplateGroup } from './corpus-unsafe.ts';

export const SAFE_AMBIGUOUS: TemplateGroup[] = [
  {
    name: 'senses-ambiguous-words',
    labels: [],
    templates: [
      'the bathroom mirror is always steamy after my shower, how do i stop the mould',
      'a steamy jungle trek in costa rica, what should i pack',
      'dirty dishes have been piling up in the sink all week',
      'can you see saturn with the naked eye tonight',
      'my grandad keeps moaning about the rain every single morning',
      'we counted six blue tits and a robin at the bird feeder',
      'she graduated cum laude in chemistry last spring',
      'which nude lipstick shade works for pale skin',
      'the windows get steamy when we cook pasta in winter',
      'how do i get dirty grout clean without bleach',
      'never leave a naked flame unattended near curtains',
      'moby dick is a long read, is the audiobook any good',
      'the plumber said the stopcock under the sink is seized',
      'our pussy willow is flowering early this year',
      'stop moaning and help me carry the shopping',
      'wash the dirty football kit on a cold cycle',
      'a steamy mug of cocoa after sledging is the best',
      'the hot spring was steamy and smelled of sulphur',
      'what is a booby prize and where does the phrase come from',
      'my dog came back from the park filthy and dirty again',
      'a cockerel crows at five every morning next door',
      'which nude heels go with a navy dress',
      'the sauna was so steamy i could barely see my friend',
      'i read a philip k dick novel on the train',
      'how long should i leave dirty pans to soak',
      'the baby seemed naked without her little hat',
      'great tits and coal tits visit the garden in winter',
      'he is always moaning that the office is too cold',
    ],
  },
];
