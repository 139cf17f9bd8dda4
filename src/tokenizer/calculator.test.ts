import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calculate, formatNumber, runCalculatorTool, CALCULATOR_TOOL } from './calculator.ts';
import { convertUnits, findUnit, UNITS } from './units.ts';

const text = (e: string) => calculate(e).text;

test('arithmetic with precedence, associativity and unary minus', () => {
  const cases: Array<[string, string]> = [
    ['12*(3+4)', '84'],
    ['1 + 2 * 3', '7'],
    ['(1 + 2) * 3', '9'],
    ['10 - 4 - 3', '3'], // left-associative
    ['100 / 10 / 5', '2'],
    ['2^3^2', '512'], // right-associative
    ['2**10', '1024'],
    ['-2^2', '-4'],
    ['(-2)^2', '4'],
    ['2^-1', '0.5'],
    ['--3', '3'],
    ['-(3 - 5)', '2'],
    ['3 × 4 ÷ 6', '2'],
    ['7 − 10', '-3'],
    ['6 x 7', '42'],
    ['6x7', '42'],
    ['sqrt(16) + √9', '7'],
    ['sqrt 2', '1.414213562'],
    ['1,000,000 / 4', '250000'],
    ['.5 + 1.25', '1.75'],
    ['1.5e3 * 2', '3000'],
    ['2 * pi', '6.283185307'],
  ];
  for (const [expr, expected] of cases) assert.equal(text(expr), expected, expr);
});

test('percent after an operand, remainder between operands', () => {
  assert.equal(text('50%'), '0.5');
  assert.equal(text('15% of 200'), '30');
  assert.equal(text('200 * 15%'), '30');
  assert.equal(text('10 % 3'), '1');
  assert.equal(text('17 % 5 * 2'), '4');
});

test('results are canonical: no float noise, no -0, ten significant digits', () => {
  assert.equal(text('0.1 + 0.2'), '0.3');
  assert.equal(text('1/3'), '0.3333333333');
  assert.equal(text('2/3'), '0.6666666667');
  assert.equal(text('-0 * 5'), '0');
  assert.equal(text('1.10 * 3'), '3.3');
  assert.equal(text('123456789012'), '123456789000');
  assert.equal(formatNumber(1e21), '1e+21');
  assert.equal(formatNumber(-0.000001234567890123), '-0.00000123456789');
});

test('errors come back as tool output text, never as exceptions', () => {
  const cases: Array<[string, RegExp]> = [
    ['1/0', /^error: division by zero$/],
    ['5 % 0', /^error: division by zero$/],
    ['0^-1', /^error: division by zero$/],
    ['sqrt(-4)', /^error: square root of a negative number$/],
    ['(-8)^(1/3)', /^error: fractional power/],
    ['10^400', /^error: result is too large$/],
    ['', /^error: empty expression$/],
    ['2 +', /^error: syntax: expression ends too early$/],
    ['(1 + 2', /^error: syntax: expected "\)" but found end of expression$/],
    ['1 + 2)', /^error: syntax: unexpected "\)" at position 6$/],
    ['2 $ 3', /^error: syntax: unexpected "\$" at position 3$/],
    ['alert(1)', /^error: syntax: unexpected "alert"/],
    ['process.exit()', /^error: syntax/],
    ['('.repeat(150) + '1' + ')'.repeat(150), /^error: expression is nested too deeply$/],
    ['1+'.repeat(600) + '1', /^error: expression is longer than 1000 characters$/],
  ];
  for (const [expr, re] of cases) {
    const r = calculate(expr);
    assert.equal(r.ok, false, expr);
    assert.match(r.text, re, expr);
  }
});

test('unit conversions', () => {
  assert.equal(text('10 km to miles'), '6.213711922 mi');
  assert.equal(text('26.2 miles in km'), '42.1648128 km');
  assert.equal(text('100 °C to °F'), '212 °F');
  assert.equal(text('98.6 F in C'), '37 °C');
  assert.equal(text('-40 degrees Celsius to degrees Fahrenheit'), '-40 °F');
  assert.equal(text('0 K to C'), '-273.15 °C');
  assert.equal(text('2 * 5 kg to lb'), '22.04622622 lb');
  assert.equal(text('1 lb to g'), '453.59237 g');
  assert.equal(text('100 km/h to mph'), '62.13711922 mph');
  assert.equal(text('3 feet to cm'), '91.44 cm');
  assert.match(text('5 kg to miles'), /^error: cannot convert mass \(kg\) to length \(mi\)$/);
  const r = calculate('1 mile to km');
  assert.ok(r.ok && r.unit === 'km' && Math.abs(r.value - 1.609344) < 1e-12);
});

test('every listed unit round-trips through its base and is found by each spelling', () => {
  for (const u of UNITS) {
    for (const n of u.names) assert.equal(findUnit(n.toUpperCase()), u, n);
    const back = convertUnits(convertUnits(12.5, u, u), u, u);
    assert.ok(Math.abs(back - 12.5) < 1e-9);
  }
  const c = findUnit('celsius')!, f = findUnit('fahrenheit')!;
  assert.ok(Math.abs(convertUnits(convertUnits(21, c, f), f, c) - 21) < 1e-9);
});

test('the tool reads OpenAI-style arguments and reports bad ones', () => {
  const call = (name: string, args: string) => ({ id: 'c', type: 'function' as const, function: { name, arguments: args } });
  assert.equal(runCalculatorTool(call('calculator', '{"expression":"12*(3+4)"}')), '84');
  assert.equal(runCalculatorTool(call('calculator', '{"expression":"1/0"}')), 'error: division by zero');
  assert.match(runCalculatorTool(call('calculator', '{"expr":"1"}')), /^error: arguments must be a JSON object/);
  assert.match(runCalculatorTool(call('calculator', 'not json')), /^error: arguments must be a JSON object/);
  assert.match(runCalculatorTool(call('weather', '{}')), /^error: unknown tool "weather"/);
  assert.equal(CALCULATOR_TOOL.function.name, 'calculator');
});
