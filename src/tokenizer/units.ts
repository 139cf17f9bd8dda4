// Units the calculator converts between ("10 km to miles", "98.6 °F in °C"). Factors are the exact
// definitions (international mile, foot and pound; US gallon). The world's unit questions draw from
// UNITS, so every unit it asks about is one the calculator understands.

export type Dimension = 'length' | 'mass' | 'temperature' | 'volume' | 'speed';

export interface Unit {
  symbol: string; // how results are written: "mi", "°C"
  name: string; // plural name for questions: "miles", "degrees Celsius"
  dimension: Dimension;
  /** Every spelling accepted in an expression, lower-case. */
  names: string[];
  /** value in this unit → value in the dimension's base unit (m, kg, K, L, km/h) */
  toBase: (v: number) => number;
  fromBase: (v: number) => number;
}

function linear(symbol: string, name: string, dimension: Dimension, factor: number, names: string[]): Unit {
  return { symbol, name, dimension, names: [symbol.toLowerCase(), ...names], toBase: (v) => v * factor, fromBase: (v) => v / factor };
}

export const UNITS: Unit[] = [
  linear('km', 'kilometers', 'length', 1000, ['kilometer', 'kilometers', 'kilometre', 'kilometres', 'kms']),
  linear('m', 'meters', 'length', 1, ['meter', 'meters', 'metre', 'metres']),
  linear('cm', 'centimeters', 'length', 0.01, ['centimeter', 'centimeters', 'centimetre', 'centimetres']),
  linear('mm', 'millimeters', 'length', 0.001, ['millimeter', 'millimeters', 'millimetre', 'millimetres']),
  linear('mi', 'miles', 'length', 1609.344, ['mile', 'miles']),
  linear('yd', 'yards', 'length', 0.9144, ['yard', 'yards', 'yds']),
  linear('ft', 'feet', 'length', 0.3048, ['foot', 'feet']),
  linear('inch', 'inches', 'length', 0.0254, ['inches', 'in.']),
  linear('kg', 'kilograms', 'mass', 1, ['kilogram', 'kilograms', 'kilo', 'kilos', 'kgs']),
  linear('g', 'grams', 'mass', 0.001, ['gram', 'grams']),
  linear('lb', 'pounds', 'mass', 0.45359237, ['lbs', 'pound', 'pounds']),
  linear('oz', 'ounces', 'mass', 0.45359237 / 16, ['ounce', 'ounces']),
  linear('L', 'liters', 'volume', 1, ['liter', 'liters', 'litre', 'litres']),
  linear('mL', 'milliliters', 'volume', 0.001, ['milliliter', 'milliliters', 'millilitre', 'millilitres']),
  linear('gal', 'gallons', 'volume', 3.785411784, ['gallon', 'gallons']),
  linear('km/h', 'kilometers per hour', 'speed', 1, ['kph', 'kmh', 'kilometers per hour', 'kilometres per hour']),
  linear('mph', 'miles per hour', 'speed', 1.609344, ['miles per hour']),
  {
    symbol: '°C', name: 'degrees Celsius', dimension: 'temperature',
    names: ['°c', 'c', 'celsius', 'degrees celsius', 'degree celsius', 'deg c', 'degc'],
    toBase: (v) => v + 273.15, fromBase: (k) => k - 273.15,
  },
  {
    symbol: '°F', name: 'degrees Fahrenheit', dimension: 'temperature',
    names: ['°f', 'f', 'fahrenheit', 'degrees fahrenheit', 'degree fahrenheit', 'deg f', 'degf'],
    toBase: (v) => ((v - 32) * 5) / 9 + 273.15, fromBase: (k) => ((k - 273.15) * 9) / 5 + 32,
  },
  {
    symbol: 'K', name: 'kelvins', dimension: 'temperature',
    names: ['k', 'kelvin', 'kelvins'],
    toBase: (v) => v, fromBase: (k) => k,
  },
];

const byName = new Map<string, Unit>();
for (const u of UNITS) for (const n of u.names) byName.set(n, u);

/** The unit spelled `name` (any accepted spelling, any case), if any. */
export function findUnit(name: string): Unit | undefined {
  return byName.get(name.trim().toLowerCase().replace(/\s+/g, ' '));
}

/** Every accepted spelling, longest first (so "degrees celsius" is tried before "c"). */
export function unitSpellings(): string[] {
  return [...byName.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** Converts between units of one dimension; throws Error for mismatched dimensions. */
export function convertUnits(value: number, from: Unit, to: Unit): number {
  if (from.dimension !== to.dimension) throw new Error(`cannot convert ${from.dimension} (${from.symbol}) to ${to.dimension} (${to.symbol})`);
  return to.fromBase(from.toBase(value));
}
