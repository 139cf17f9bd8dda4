// The calculator tool: a recursive-descent parser and evaluator for arithmetic (never eval).
//
//   expression := term (("+" | "-") term)*
//   term       := unary (("*" | "/" | "x" | "of") unary | "%" unary)*      "%" between operands: remainder
//   unary      := ("-" | "+") unary | power                                 so -2^2 = -4
//   power      := postfix ("^" unary)?                                      right-associative: 2^3^2 = 512
//   postfix    := primary "%"*                                              "%" after an operand: percent
//   primary    := number | "(" expression ")" | "sqrt" primary | "pi"
//
// Also accepted: × · ÷ − √ and "**". "x" multiplies (there are no variables). Numbers may have decimals,
// thousands commas (1,000) and exponents (1e-3). A conversion "EXPR UNIT to|in UNIT" converts units
// (see units.ts). Results are rounded to 10 significant digits, so 0.1+0.2 gives "0.3". Errors are
// returned as text ("error: division by zero"), which is what the model sees as the tool output.
import type { ToolCall } from '../providers/types.ts';
import { convertUnits, findUnit, unitSpellings } from './units.ts';

export type CalcResult =
  | { ok: true; value: number; unit?: string; text: string }
  | { ok: false; error: string; text: string };

class CalcError extends Error {}

type Tok = { kind: 'num'; value: number; at: number } | { kind: 'op' | 'word'; text: string; at: number };

const MAX_LENGTH = 1000;
const MAX_DEPTH = 100;

function lex(src: string): Tok[] {
  const s = src.replace(/\*\*/g, '^').replace(/[×·∙]/g, '*').replace(/÷/g, '/').replace(/[−–]/g, '-');
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?|^\.\d+(?:[eE][+-]?\d+)?/.exec(s.slice(i));
    if (num) {
      toks.push({ kind: 'num', value: Number(num[0].replace(/,/g, '')), at: i });
      i += num[0].length;
      continue;
    }
    if ('+-*/^%()'.includes(c)) { toks.push({ kind: 'op', text: c, at: i }); i++; continue; }
    if (c === '√') { toks.push({ kind: 'word', text: 'sqrt', at: i }); i++; continue; }
    const word = /^[A-Za-zπ]+/.exec(s.slice(i));
    if (word) {
      toks.push({ kind: 'word', text: word[0].toLowerCase(), at: i });
      i += word[0].length;
      continue;
    }
    throw new CalcError(`syntax: unexpected ${JSON.stringify(c)} at position ${i + 1}`);
  }
  return toks;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private isOp(t: Tok | undefined, text: string): boolean {
    return !!t && t.kind === 'op' && t.text === text;
  }
  private isWord(t: Tok | undefined, ...texts: string[]): boolean {
    return !!t && t.kind === 'word' && texts.includes(t.text);
  }
  private startsOperand(t: Tok | undefined): boolean {
    return !!t && (t.kind === 'num' || this.isOp(t, '(') || this.isWord(t, 'sqrt', 'pi', 'π'));
  }
  private describe(t: Tok | undefined): string {
    if (!t) return 'end of expression';
    return `${JSON.stringify(t.kind === 'num' ? String(t.value) : t.text)} at position ${t.at + 1}`;
  }

  parse(): number {
    if (this.toks.length === 0) throw new CalcError('empty expression');
    const v = this.expression();
    if (this.i < this.toks.length) throw new CalcError(`syntax: unexpected ${this.describe(this.peek())}`);
    return v;
  }

  private expression(): number {
    if (++this.depth > MAX_DEPTH) throw new CalcError('expression is nested too deeply');
    let v = this.term();
    while (this.isOp(this.peek(), '+') || this.isOp(this.peek(), '-')) {
      const op = (this.toks[this.i++] as { text: string }).text;
      const r = this.term();
      v = op === '+' ? v + r : v - r;
    }
    this.depth--;
    return v;
  }

  private term(): number {
    let v = this.unary();
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '*') || this.isWord(t, 'x', 'of')) {
        this.i++;
        v *= this.unary();
      } else if (this.isOp(t, '/')) {
        this.i++;
        const r = this.unary();
        if (r === 0) throw new CalcError('division by zero');
        v /= r;
      } else if (this.isOp(t, '%')) {
        // Only reached when an operand follows (postfix took every percent sign that had none).
        this.i++;
        const r = this.unary();
        if (r === 0) throw new CalcError('division by zero');
        v %= r;
      } else return v;
    }
  }

  private unary(): number {
    if (this.isOp(this.peek(), '-') || this.isOp(this.peek(), '+')) {
      const minus = this.isOp(this.toks[this.i++], '-');
      if (++this.depth > MAX_DEPTH) throw new CalcError('expression is nested too deeply');
      const v = this.unary();
      this.depth--;
      return minus ? -v : v;
    }
    return this.power();
  }

  private power(): number {
    const base = this.postfix();
    if (!this.isOp(this.peek(), '^')) return base;
    this.i++;
    const exponent = this.unary();
    if (base === 0 && exponent < 0) throw new CalcError('division by zero');
    const v = Math.pow(base, exponent);
    if (Number.isNaN(v)) throw new CalcError('fractional power of a negative number');
    return v;
  }

  private postfix(): number {
    let v = this.primary();
    while (this.isOp(this.peek(), '%') && !this.startsOperand(this.toks[this.i + 1])) {
      this.i++;
      v /= 100;
    }
    return v;
  }

  private primary(): number {
    const t = this.peek();
    if (!t) throw new CalcError('syntax: expression ends too early');
    if (t.kind === 'num') {
      this.i++;
      return t.value;
    }
    if (this.isOp(t, '(')) {
      this.i++;
      const v = this.expression();
      if (!this.isOp(this.peek(), ')')) throw new CalcError(`syntax: expected ")" but found ${this.describe(this.peek())}`);
      this.i++;
      return v;
    }
    if (this.isWord(t, 'pi', 'π')) {
      this.i++;
      return Math.PI;
    }
    if (this.isWord(t, 'sqrt')) {
      this.i++;
      const v = this.primary();
      if (v < 0) throw new CalcError('square root of a negative number');
      return Math.sqrt(v);
    }
    throw new CalcError(`syntax: unexpected ${this.describe(t)}`);
  }
}

/** A number written canonically: 10 significant digits, no trailing zeros, no "-0". */
export function formatNumber(x: number): string {
  if (x === 0) return '0';
  return String(Number(x.toPrecision(10)));
}

let conversionPattern: RegExp | undefined;
function conversion(src: string): { expr: string; from: string; to: string } | undefined {
  if (!conversionPattern) {
    const alt = unitSpellings().map((u) => u.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
    conversionPattern = new RegExp(`^(.*?)\\s*(?:degrees?\\s+)?(${alt})\\s+(?:to|in|into|as)\\s+(?:degrees?\\s+)?(${alt})\\s*[.?]?$`, 'i');
  }
  const m = conversionPattern.exec(src.trim());
  return m ? { expr: m[1], from: m[2], to: m[3] } : undefined;
}

/** Evaluates an expression or unit conversion. Never throws. */
export function calculate(expression: string): CalcResult {
  const error = (message: string): CalcResult => ({ ok: false, error: message, text: `error: ${message}` });
  if (typeof expression !== 'string') return error('expression must be a string');
  if (expression.length > MAX_LENGTH) return error(`expression is longer than ${MAX_LENGTH} characters`);
  try {
    const conv = conversion(expression);
    const value = new Parser(lex(conv ? conv.expr : expression)).parse();
    if (!Number.isFinite(value)) return error('result is too large');
    if (!conv) return { ok: true, value, text: formatNumber(value) };
    const from = findUnit(conv.from)!, to = findUnit(conv.to)!;
    const converted = convertUnits(value, from, to);
    return { ok: true, value: converted, unit: to.symbol, text: `${formatNumber(converted)} ${to.symbol}` };
  } catch (e) {
    if (e instanceof CalcError || e instanceof Error) return error(e.message);
    return error(String(e));
  }
}

/** The tool's definition as OpenAI's `tools` parameter describes it. */
export const CALCULATOR_TOOL = {
  type: 'function',
  function: {
    name: 'calculator',
    description: 'Evaluates arithmetic (+ - * / ^ % sqrt, parentheses) or converts units ("10 km to miles").',
    parameters: {
      type: 'object',
      properties: { expression: { type: 'string', description: 'e.g. "12*(3+4)" or "100 °F to °C"' } },
      required: ['expression'],
    },
  },
} as const;

/** Runs a calculator tool call and returns the tool output text (results and errors alike). */
export function runCalculatorTool(call: ToolCall): string {
  if (call.function.name !== 'calculator') return `error: unknown tool ${JSON.stringify(call.function.name)}`;
  let args: unknown;
  try {
    args = JSON.parse(call.function.arguments);
  } catch {
    args = undefined;
  }
  const expression = (args as { expression?: unknown } | undefined)?.expression;
  if (typeof expression !== 'string') return 'error: arguments must be a JSON object with an "expression" string';
  return calculate(expression).text;
}
