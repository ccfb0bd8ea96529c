/**
 * A parser for OData v4 common expressions (`$filter`, `$orderby` items), enough to find every
 * property path an expression names: member paths with casts, `$count`, lambda operators
 * (`assignedLicenses/any(x:x/skuId eq …)`), function calls, `in` lists and literals (strings,
 * numbers, GUIDs, dates, enums, `duration'…'`). Grammar after OData v4.01 ABNF
 * (`commonExpr`, `boolCommonExpr`, `memberExpr`, `lambdaPredicateExpr`).
 */

export type Expr =
  | { kind: 'literal'; text: string }
  | { kind: 'path'; segments: PathSegment[] }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'not'; operand: Expr }
  | { kind: 'negate'; operand: Expr }
  | { kind: 'list'; items: Expr[] };

export type PathSegment = { kind: 'member'; name: string } | { kind: 'lambda'; operator: 'any' | 'all'; variable?: string; predicate?: Expr };

export class ExprSyntaxError extends Error {}

type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'literal'; text: string; pos: number }
  | { kind: 'symbol'; text: '(' | ')' | ',' | '/' | ':' | '-'; pos: number }
  | { kind: 'end'; pos: number };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?(?![\w:-])/;
const NUMBER = /^\d+(\.\d+)?([eE][+-]?\d+)?[LlMmDdFf]?(?![\w.])/;
const IDENT = /^[A-Za-z_$@][\w.$@]*/;
const STRING_BODY = /^'(?:[^']|'')*'/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const ch = rest[0];
    if (ch === "'") {
      const m = STRING_BODY.exec(rest);
      if (!m) throw new ExprSyntaxError(`unterminated string literal at ${i}`);
      tokens.push({ kind: 'literal', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const literal = GUID.exec(rest) ?? DATE_TIME.exec(rest) ?? NUMBER.exec(rest);
    if (literal) {
      tokens.push({ kind: 'literal', text: literal[0], pos: i });
      i += literal[0].length;
      continue;
    }
    if ('(),/:-'.includes(ch)) {
      tokens.push({ kind: 'symbol', text: ch as '(', pos: i });
      i += 1;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      // A qualified enum literal, duration'…', binary'…' or geography'…': the name glued to a string.
      const after = rest.slice(ident[0].length);
      const quoted = after.startsWith("'") ? STRING_BODY.exec(after) : null;
      if (quoted) {
        tokens.push({ kind: 'literal', text: ident[0] + quoted[0], pos: i });
        i += ident[0].length + quoted[0].length;
        continue;
      }
      tokens.push({ kind: 'ident', text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    throw new ExprSyntaxError(`unexpected character '${ch}' at ${i}`);
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

const COMPARISON = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'has']);
const ADDITIVE = new Set(['add', 'sub']);
const MULTIPLICATIVE = new Set(['mul', 'div', 'divby', 'mod']);
const KEYWORD_LITERALS = new Set(['true', 'false', 'null', 'INF', 'NaN', '$root']);

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }
  private next(): Token {
    const token = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return token;
  }
  private isIdent(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text === text;
  }
  private isSymbol(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'symbol' && t.text === text;
  }
  private expectSymbol(text: string): void {
    const t = this.next();
    if (t.kind !== 'symbol' || t.text !== text) throw new ExprSyntaxError(`expected '${text}' at ${t.pos}`);
  }

  parseAll(): Expr {
    const expr = this.parseOr();
    const end = this.peek();
    if (end.kind !== 'end') throw new ExprSyntaxError(`unexpected '${'text' in end ? end.text : ''}' at ${end.pos}`);
    return expr;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isIdent('or')) {
      this.next();
      left = { kind: 'binary', op: 'or', left, right: this.parseAnd() };
    }
    return left;
  }
  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isIdent('and')) {
      this.next();
      left = { kind: 'binary', op: 'and', left, right: this.parseNot() };
    }
    return left;
  }
  private parseNot(): Expr {
    if (this.isIdent('not')) {
      this.next();
      return { kind: 'not', operand: this.parseNot() };
    }
    return this.parseComparison();
  }
  private parseComparison(): Expr {
    const left = this.parseAdditive();
    const t = this.peek();
    if (t.kind === 'ident' && COMPARISON.has(t.text)) {
      this.next();
      return { kind: 'binary', op: t.text, left, right: this.parseAdditive() };
    }
    if (t.kind === 'ident' && t.text === 'in') {
      this.next();
      return { kind: 'binary', op: 'in', left, right: this.parsePrimary() };
    }
    return left;
  }
  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.peek().kind === 'ident' && ADDITIVE.has((this.peek() as { text: string }).text)) {
      const op = (this.next() as { text: string }).text;
      left = { kind: 'binary', op, left, right: this.parseMultiplicative() };
    }
    return left;
  }
  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.peek().kind === 'ident' && MULTIPLICATIVE.has((this.peek() as { text: string }).text)) {
      const op = (this.next() as { text: string }).text;
      left = { kind: 'binary', op, left, right: this.parseUnary() };
    }
    return left;
  }
  private parseUnary(): Expr {
    if (this.isSymbol('-')) {
      this.next();
      return { kind: 'negate', operand: this.parseUnary() };
    }
    return this.parsePrimary();
  }
  private parsePrimary(): Expr {
    const t = this.peek();
    if (t.kind === 'symbol' && t.text === '(') {
      this.next();
      const first = this.parseOr();
      if (this.isSymbol(',')) {
        const items = [first];
        while (this.isSymbol(',')) {
          this.next();
          items.push(this.parseOr());
        }
        this.expectSymbol(')');
        return { kind: 'list', items };
      }
      this.expectSymbol(')');
      return first;
    }
    if (t.kind === 'literal') {
      this.next();
      return { kind: 'literal', text: t.text };
    }
    if (t.kind === 'ident') {
      if (KEYWORD_LITERALS.has(t.text)) {
        this.next();
        return { kind: 'literal', text: t.text };
      }
      if (this.isSymbol('(', 1)) {
        this.next();
        this.next();
        const args: Expr[] = [];
        if (!this.isSymbol(')')) {
          args.push(this.parseOr());
          while (this.isSymbol(',')) {
            this.next();
            args.push(this.parseOr());
          }
        }
        this.expectSymbol(')');
        return { kind: 'call', name: t.text, args };
      }
      return this.parsePath();
    }
    throw new ExprSyntaxError(`expected an operand at ${t.pos}`);
  }
  private parsePath(): Expr {
    const segments: PathSegment[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind !== 'ident') throw new ExprSyntaxError(`expected a property name at ${t.pos}`);
      if ((t.text === 'any' || t.text === 'all') && this.isSymbol('(') && segments.length > 0) {
        this.next();
        if (this.isSymbol(')')) {
          this.next();
          segments.push({ kind: 'lambda', operator: t.text });
        } else {
          const variable = this.next();
          if (variable.kind !== 'ident') throw new ExprSyntaxError(`expected a lambda variable at ${variable.pos}`);
          this.expectSymbol(':');
          const predicate = this.parseOr();
          this.expectSymbol(')');
          segments.push({ kind: 'lambda', operator: t.text, variable: variable.text, predicate });
        }
        return { kind: 'path', segments };
      }
      segments.push({ kind: 'member', name: t.text });
      if (!this.isSymbol('/')) return { kind: 'path', segments };
      this.next();
    }
  }
}

export function parseExpression(text: string): Expr {
  return new Parser(tokenize(text)).parseAll();
}

/** `$orderby` items: an expression and an optional direction, comma-separated. */
export function parseOrderBy(text: string): Expr[] {
  return splitTopLevel(text, ',').map((item) => {
    const trimmed = item.trim().replace(/\s+(asc|desc)$/i, '');
    return parseExpression(trimmed);
  });
}

/** Splits at `separator` outside parentheses and string literals. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") inString = !inString;
    else if (!inString && ch === '(') depth++;
    else if (!inString && ch === ')') depth--;
    else if (!inString && depth === 0 && ch === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
