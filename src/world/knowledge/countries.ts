// Countries, capitals, continents, currencies and languages from the `countries-list` npm package,
// cleaned into facts a grader can check: territories that are part of another country, places with no
// capital (Antarctica, uninhabited islands) and placeholder currencies are dropped.
import { continents, countries, languages } from 'countries-list';
import { currencies } from 'countries-list/currencies';

export interface Country {
  code: string; // ISO 3166-1 alpha-2
  name: string; // "France"
  capital: string; // "Paris"
  continent: string; // main continent, "Europe"
  continents: string[]; // every continent it lies on (transcontinental countries have several)
  currencies: string[]; // names, main first: ["Euro"]
  languages: string[]; // names, main first: ["French"]
}

interface RawCountry {
  name: string;
  capital: string;
  continent: string;
  continents?: string[];
  currency: string[];
  languages: string[];
  partOf?: string;
}

// Fund and accounting units that the data lists beside real money (e.g. "WIR Euro", "Bolivian Mvdol").
const NOT_MONEY = /\b(WIR|Mvdol|Indexed|Unidad|Units?|Fund|Code|Gold)\b|\(/;

let cached: Country[] | undefined;

export function loadCountries(): Country[] {
  if (cached) return cached;
  const raw = countries as unknown as Record<string, RawCountry>;
  const continentNames = continents as Record<string, string>;
  const currencyNames = currencies as Record<string, { name: string }>;
  const languageNames = languages as Record<string, { name: string }>;
  const out: Country[] = [];
  for (const code of Object.keys(raw).sort()) {
    const c = raw[code];
    if (!c.capital || c.partOf || !continentNames[c.continent]) continue;
    const money = c.currency
      .map((k) => currencyNames[k]?.name)
      .filter((n): n is string => !!n && !NOT_MONEY.test(n));
    const langs = c.languages.map((k) => languageNames[k]?.name).filter((n): n is string => !!n);
    if (money.length === 0 || langs.length === 0) continue;
    const conts = (c.continents?.length ? c.continents : [c.continent]).map((k) => continentNames[k]).filter(Boolean);
    out.push({
      code,
      name: c.name,
      capital: c.capital,
      continent: continentNames[c.continent],
      continents: [...new Set([continentNames[c.continent], ...conts])],
      currencies: [...new Set(money)],
      languages: [...new Set(langs.map((l) => l.split(/[,;]/)[0].trim()))],
    });
  }
  // Countries whose capital carries their name (Singapore, Mexico City) stay in the facts; the task
  // families avoid asking capital questions that contain their own answer (see nameInCapital).
  cached = out;
  return out;
}

// Names that read "the Netherlands", "the United States", "the Bahamas" inside a sentence.
const WITH_THE = new Set([
  'Bahamas', 'Gambia', 'Netherlands', 'Philippines', 'Maldives', 'Comoros', 'Seychelles', 'Vatican City',
]);

/** The name as it reads after a preposition: "the capital of the Netherlands". */
export function nameInSentence(c: Pick<Country, 'name'>): string {
  if (WITH_THE.has(c.name) || /\b(Republic|Islands|United|Kingdom|Emirates|States|Federation)\b/.test(c.name)) {
    return `the ${c.name}`;
  }
  return c.name;
}
