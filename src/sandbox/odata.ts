/**
 * OData $filter: a tokenizer, a recursive-descent parser, a type check against the entity's
 * schema, and an evaluator. Errors are ODataError; each service turns them into its own format.
 */

export class ODataError extends Error {}

export type FieldType = 'string' | 'guid' | 'bool' | 'int' | 'number' | 'datetime';
export type Schema = Record<string, FieldType>;

type LitType = 'string' | 'guid' | 'bool' | 'null' | 'number' | 'datetime';
export type Node =
  | { k: 'or' | 'and'; l: Node; r: Node }
  | { k: 'not'; e: Node }
  | { k: 'cmp'; op: CmpOp; l: Node; r: Node }
  | { k: 'in'; l: Node; list: Node[] }
  | { k: 'prop'; name: string }
  | { k: 'call'; name: string; args: Node[]; named: Record<string, Node> }
  | { k: 'list'; items: Node[] }
  | { k: 'lit'; t: LitType; v: string | number | boolean | null };
type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const CMP_OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const OP_NAMES: Record<CmpOp, string> = { eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual' };

type Tok =
  | { t: 'punct'; v: string; pos: number }
  | { t: 'ident'; v: string; pos: number }
  | { t: 'lit'; lt: LitType; v: string | number; pos: number }
  | { t: 'eof'; pos: number };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?(?![\w])/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?(?![\w.])/;
const IDENT = /^[A-Za-z_@$][A-Za-z0-9_.]*/;

export function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if ('(),[]=:/'.includes(c)) {
      toks.push({ t: 'punct', v: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= text.length) throw new ODataError(`Syntax error: unterminated string literal at position ${i} in '${text}'.`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            s += "'";
            j += 2;
            continue;
          }
          break;
        }
        s += text[j];
        j++;
      }
      toks.push({ t: 'lit', lt: 'string', v: s, pos: i });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i);
    let m = GUID.exec(rest);
    if (m) {
      toks.push({ t: 'lit', lt: 'guid', v: m[0].toLowerCase(), pos: i });
      i += m[0].length;
      continue;
    }
    m = DATETIME.exec(rest);
    if (m && m[1]) {
      toks.push({ t: 'lit', lt: 'datetime', v: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = NUMBER.exec(rest);
    if (m) {
      toks.push({ t: 'lit', lt: 'number', v: Number(m[0].replace(/[mMdDfFlL]$/, '')), pos: i });
      i += m[0].length;
      continue;
    }
    m = IDENT.exec(rest);
    if (m) {
      toks.push({ t: 'ident', v: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    throw new ODataError(`Syntax error at position ${i} in '${text}'.`);
  }
  toks.push({ t: 'eof', pos: text.length });
  return toks;
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly text: string,
  ) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private fail(tok: Tok): never {
    throw new ODataError(`Syntax error at position ${tok.pos} in '${this.text}'.`);
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t.t === 'ident' && t.v === w;
  }
  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.t === 'punct' && t.v === p;
  }
  private expect(p: string): void {
    if (!this.isPunct(p)) this.fail(this.peek());
    this.i++;
  }

  parse(): Node {
    if (this.peek().t === 'eof') this.fail(this.peek());
    const e = this.or();
    if (this.peek().t !== 'eof') this.fail(this.peek());
    return e;
  }

  private or(): Node {
    let l = this.and();
    while (this.isWord('or')) {
      this.i++;
      l = { k: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): Node {
    let l = this.unary();
    while (this.isWord('and')) {
      this.i++;
      l = { k: 'and', l, r: this.unary() };
    }
    return l;
  }

  private unary(): Node {
    if (this.isWord('not')) {
      this.i++;
      return { k: 'not', e: this.unary() };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const l = this.primary();
    const t = this.peek();
    if (t.t === 'ident' && CMP_OPS.has(t.v)) {
      this.i++;
      return { k: 'cmp', op: t.v as CmpOp, l, r: this.primary() };
    }
    if (t.t === 'ident' && t.v === 'in') {
      this.i++;
      this.expect('(');
      const list: Node[] = [];
      if (!this.isPunct(')')) {
        list.push(this.primary());
        while (this.isPunct(',')) {
          this.i++;
          list.push(this.primary());
        }
      }
      this.expect(')');
      return { k: 'in', l, list };
    }
    return l;
  }

  private primary(): Node {
    const t = this.next();
    if (t.t === 'punct' && t.v === '(') {
      const e = this.or();
      this.expect(')');
      return e;
    }
    if (t.t === 'punct' && t.v === '[') {
      const items: Node[] = [];
      if (!this.isPunct(']')) {
        items.push(this.primary());
        while (this.isPunct(',')) {
          this.i++;
          items.push(this.primary());
        }
      }
      this.expect(']');
      return { k: 'list', items };
    }
    if (t.t === 'lit') return { k: 'lit', t: t.lt, v: t.v };
    if (t.t !== 'ident') this.fail(t);
    if (t.v === 'true' || t.v === 'false') return { k: 'lit', t: 'bool', v: t.v === 'true' };
    if (t.v === 'null') return { k: 'lit', t: 'null', v: null };
    if (['and', 'or', 'not', 'in', ...CMP_OPS].includes(t.v)) this.fail(t);
    if (this.isPunct('(')) {
      this.i++;
      const args: Node[] = [];
      const named: Record<string, Node> = {};
      if (!this.isPunct(')')) {
        for (;;) {
          const a = this.peek();
          const after = this.toks[this.i + 1];
          if (a.t === 'ident' && after?.t === 'punct' && after.v === '=') {
            this.i += 2;
            named[a.v] = this.primary();
          } else {
            args.push(this.or());
          }
          if (!this.isPunct(',')) break;
          this.i++;
        }
      }
      this.expect(')');
      return { k: 'call', name: t.v, args, named };
    }
    if (t.v.includes('.') || t.v.startsWith('@') || t.v.startsWith('$')) this.fail(t);
    return { k: 'prop', name: t.v };
  }
}

export function parseFilter(text: string): Node {
  return new Parser(tokenize(text), text).parse();
}

// ---------------------------------------------------------------- compile + evaluate
export interface FilterOptions {
  /** the type name in messages, e.g. 'microsoft.graph.user' or 'Microsoft.Dynamics.CRM.systemuser' */
  entity: string;
  fields: Schema;
  /** properties that may be filtered on (default: all fields) */
  filterable?: ReadonlySet<string>;
  /** message for a known but non-filterable property */
  unsupportedProperty?: (name: string) => string;
  /** function names allowed (lower-case for OData built-ins) */
  functions: ReadonlySet<string>;
}

export interface CompiledFilter {
  test(row: Record<string, unknown>): boolean;
  /** operators and functions used: 'ne', 'not', 'in', 'endswith', ... */
  features: Set<string>;
}

const EDM: Record<string, string> = {
  string: 'Edm.String',
  guid: 'Edm.Guid',
  bool: 'Edm.Boolean',
  int: 'Edm.Int32',
  number: 'Edm.Double',
  datetime: 'Edm.DateTimeOffset',
  null: 'null',
};

function typeFamily(t: string): string {
  return t === 'int' || t === 'number' ? 'number' : t;
}

export function compileFilter(text: string, opts: FilterOptions): CompiledFilter {
  const ast = parseFilter(text);
  const features = new Set<string>();

  const propType = (name: string): FieldType => {
    const t = opts.fields[name];
    if (!t) throw new ODataError(`Could not find a property named '${name}' on type '${opts.entity}'.`);
    if (opts.filterable && !opts.filterable.has(name)) {
      throw new ODataError(opts.unsupportedProperty?.(name) ?? `The property '${name}' cannot be used in a query filter.`);
    }
    return t;
  };

  const typeOf = (n: Node): string => {
    switch (n.k) {
      case 'prop':
        return propType(n.name);
      case 'lit':
        return n.t === 'number' ? (Number.isInteger(n.v) ? 'int' : 'number') : n.t;
      case 'call':
        return checkCall(n);
      case 'list':
        throw new ODataError('A collection literal is not allowed here.');
      default:
        check(n);
        return 'bool';
    }
  };

  const compatible = (a: string, b: string, op: string): void => {
    if (a === 'null' || b === 'null') return;
    if (typeFamily(a) === typeFamily(b)) return;
    throw new ODataError(
      `A binary operator with incompatible types was detected. Found operand types '${EDM[a] ?? a}' and '${EDM[b] ?? b}' for operator kind '${op}'.`,
    );
  };

  const checkCall = (n: Extract<Node, { k: 'call' }>): string => {
    const fname = n.name.startsWith('Microsoft.Dynamics.CRM.') ? n.name : n.name.toLowerCase();
    if (!opts.functions.has(fname)) throw new ODataError(`An unknown function with name '${n.name}' was found.`);
    features.add(fname);
    if (fname === 'Microsoft.Dynamics.CRM.In') {
      const pn = n.named.PropertyName;
      const pv = n.named.PropertyValues;
      if (!pn || pn.k !== 'lit' || pn.t !== 'string' || !pv || pv.k !== 'list') {
        throw new ODataError(`The function '${n.name}' requires the parameters PropertyName and PropertyValues.`);
      }
      propType(String(pn.v));
      for (const item of pv.items) {
        if (item.k !== 'lit' || item.t !== 'string') throw new ODataError(`PropertyValues of '${n.name}' must be string literals.`);
      }
      return 'bool';
    }
    if (n.args.length !== 2 || Object.keys(n.named).length) throw new ODataError(`The function '${n.name}' takes two arguments.`);
    const [a, b] = n.args as [Node, Node];
    compatible(typeOf(a), 'string', n.name);
    compatible(typeOf(b), 'string', n.name);
    return 'bool';
  };

  const check = (n: Node): void => {
    switch (n.k) {
      case 'or':
      case 'and':
        features.add(n.k);
        check(n.l);
        check(n.r);
        return;
      case 'not':
        features.add('not');
        check(n.e);
        return;
      case 'cmp':
        features.add(n.op);
        compatible(typeOf(n.l), typeOf(n.r), OP_NAMES[n.op]);
        return;
      case 'in': {
        features.add('in');
        const lt = typeOf(n.l);
        for (const item of n.list) compatible(lt, typeOf(item), 'In');
        return;
      }
      case 'call':
        checkCall(n);
        return;
      case 'prop':
        if (propType(n.name) !== 'bool') throw new ODataError(`The $filter expression must evaluate to a single boolean value.`);
        return;
      default:
        throw new ODataError(`The $filter expression must evaluate to a single boolean value.`);
    }
  };

  check(ast);
  return { test: (row) => truthy(evaluate(ast, row)), features };
}

function value(n: Node, row: Record<string, unknown>): unknown {
  if (n.k === 'lit') return n.v;
  if (n.k === 'prop') return row[n.name] ?? null;
  return evaluate(n, row);
}

function norm(v: unknown): unknown {
  if (typeof v === 'string') return v.toLowerCase();
  return v;
}

export function compare(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  const da = Date.parse(sa);
  const db = Date.parse(sb);
  if (/^\d{4}-\d{2}-\d{2}/.test(sa) && /^\d{4}-\d{2}-\d{2}/.test(sb) && !Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  const la = sa.toLowerCase();
  const lb = sb.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function equal(a: unknown, b: unknown): boolean {
  const na = a === undefined ? null : a;
  const nb = b === undefined ? null : b;
  if (na === null || nb === null) return na === nb;
  return compare(norm(na), norm(nb)) === 0;
}

function truthy(v: unknown): boolean {
  return v === true;
}

function evaluate(n: Node, row: Record<string, unknown>): unknown {
  switch (n.k) {
    case 'or':
      return truthy(evaluate(n.l, row)) || truthy(evaluate(n.r, row));
    case 'and':
      return truthy(evaluate(n.l, row)) && truthy(evaluate(n.r, row));
    case 'not':
      return !truthy(evaluate(n.e, row));
    case 'cmp': {
      const a = value(n.l, row);
      const b = value(n.r, row);
      if (n.op === 'eq') return equal(a, b);
      if (n.op === 'ne') return !equal(a, b);
      const c = compare(a, b);
      if (c === null) return false;
      return n.op === 'gt' ? c > 0 : n.op === 'ge' ? c >= 0 : n.op === 'lt' ? c < 0 : c <= 0;
    }
    case 'in': {
      const a = value(n.l, row);
      return n.list.some((item) => equal(a, value(item, row)));
    }
    case 'call': {
      if (n.name === 'Microsoft.Dynamics.CRM.In') {
        const prop = String((n.named.PropertyName as { v: unknown }).v);
        const v = row[prop];
        const list = (n.named.PropertyValues as { items: Node[] }).items;
        return v !== null && v !== undefined && list.some((item) => equal(String(v), value(item, row)));
      }
      const a = value(n.args[0]!, row);
      const b = value(n.args[1]!, row);
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      const la = a.toLowerCase();
      const lb = b.toLowerCase();
      switch (n.name.toLowerCase()) {
        case 'startswith':
          return la.startsWith(lb);
        case 'endswith':
          return la.endsWith(lb);
        case 'contains':
          return la.includes(lb);
        default:
          return false;
      }
    }
    case 'prop':
      return row[n.name] === true;
    default:
      return value(n, row);
  }
}
