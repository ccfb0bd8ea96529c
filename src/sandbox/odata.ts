/**
 * OData $filter: a tokenizer, a recursive-descent parser, a type check against the entity's
 * schema (odataEval.ts evaluates). Errors are ODataError; each service turns them into its own format.
 */
import { evaluate } from './odataEval';
import type { CmpOp, LitType, Node } from './odataAst';

export type { Node };

export class ODataError extends Error {}

export type FieldType = 'string' | 'guid' | 'bool' | 'int' | 'number' | 'datetime';
export type Schema = Record<string, FieldType>;

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
    const c = text[i];
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
    return this.toks[this.i];
  }
  private next(): Tok {
    return this.toks[this.i++];
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
    const segments = [t.v];
    while (this.isPunct('/')) {
      this.i++;
      const s = this.next();
      if (s.t !== 'ident' || s.v.includes('.')) this.fail(s);
      if ((s.v === 'any' || s.v === 'all') && this.isPunct('(')) return this.lambda(s.v, segments.join('/'));
      segments.push(s.v);
    }
    return { k: 'prop', name: segments.join('/') };
  }

  /** `collection/any(v: body)`, `collection/all(v: body)`, `collection/any()` */
  private lambda(op: 'any' | 'all', coll: string): Node {
    this.expect('(');
    if (op === 'any' && this.isPunct(')')) {
      this.i++;
      return { k: 'lambda', op, coll, v: null, body: null };
    }
    const v = this.next();
    if (v.t !== 'ident' || v.v.includes('.')) this.fail(v);
    this.expect(':');
    const body = this.or();
    this.expect(')');
    return { k: 'lambda', op, coll, v: v.v, body };
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
  /** collection-valued properties usable with any/all: element schema, or element type */
  collections?: Record<string, Schema | FieldType>;
  /** properties that may be filtered on (default: all fields) */
  filterable?: ReadonlySet<string>;
  /** message for a known but non-filterable property */
  unsupportedProperty?: (name: string) => string;
  /** function names allowed (lower-case for OData built-ins) */
  functions: ReadonlySet<string>;
}

export interface CompiledFilter {
  test: (row: Record<string, unknown>) => boolean;
  /** operators and functions used: 'ne', 'not', 'in', 'endswith', 'any', ... */
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

/** Lambda variables in scope: name → element schema or element type. */
type Scope = ReadonlyMap<string, Schema | FieldType>;
const NO_SCOPE: Scope = new Map();

export function compileFilter(text: string, opts: FilterOptions): CompiledFilter {
  const ast = parseFilter(text);
  const features = new Set<string>();
  const unknown = (name: string, entity = opts.entity) => new ODataError(`Could not find a property named '${name}' on type '${entity}'.`);

  const filterableOrThrow = (name: string): void => {
    if (opts.filterable && !opts.filterable.has(name)) {
      throw new ODataError(opts.unsupportedProperty?.(name) ?? `The property '${name}' cannot be used in a query filter.`);
    }
  };

  const propType = (name: string, scope: Scope): FieldType => {
    const [first, ...rest] = name.split('/') as [string, ...string[]];
    const bound = scope.get(first);
    if (bound !== undefined) {
      if (typeof bound === 'string') {
        if (rest.length) throw unknown(rest[0], 'element');
        return bound;
      }
      const t = rest.length === 1 ? bound[rest[0]] : undefined;
      if (!t) throw unknown(rest.join('/') || first, 'element');
      return t;
    }
    if (rest.length) throw unknown(name);
    const t = opts.fields[name];
    if (!t) throw unknown(name);
    filterableOrThrow(name);
    return t;
  };

  const typeOf = (n: Node, scope: Scope): string => {
    switch (n.k) {
      case 'prop':
        return propType(n.name, scope);
      case 'lit':
        return n.t === 'number' ? (Number.isInteger(n.v) ? 'int' : 'number') : n.t;
      case 'call':
        return checkCall(n, scope);
      case 'list':
        throw new ODataError('A collection literal is not allowed here.');
      default:
        check(n, scope);
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

  const checkCall = (n: Extract<Node, { k: 'call' }>, scope: Scope): string => {
    const fname = n.name.startsWith('Microsoft.Dynamics.CRM.') ? n.name : n.name.toLowerCase();
    if (!opts.functions.has(fname)) throw new ODataError(`An unknown function with name '${n.name}' was found.`);
    features.add(fname);
    if (fname === 'Microsoft.Dynamics.CRM.In') {
      const pn = n.named.PropertyName;
      const pv = n.named.PropertyValues;
      if (!pn || pn.k !== 'lit' || pn.t !== 'string' || !pv || pv.k !== 'list') {
        throw new ODataError(`The function '${n.name}' requires the parameters PropertyName and PropertyValues.`);
      }
      propType(String(pn.v), scope);
      for (const item of pv.items) {
        if (item.k !== 'lit' || item.t !== 'string') throw new ODataError(`PropertyValues of '${n.name}' must be string literals.`);
      }
      return 'bool';
    }
    if (n.args.length !== 2 || Object.keys(n.named).length) throw new ODataError(`The function '${n.name}' takes two arguments.`);
    const [a, b] = n.args as [Node, Node];
    compatible(typeOf(a, scope), 'string', n.name);
    compatible(typeOf(b, scope), 'string', n.name);
    return 'bool';
  };

  const check = (n: Node, scope: Scope): void => {
    switch (n.k) {
      case 'or':
      case 'and':
        features.add(n.k);
        check(n.l, scope);
        check(n.r, scope);
        return;
      case 'not':
        features.add('not');
        check(n.e, scope);
        return;
      case 'cmp':
        features.add(n.op);
        compatible(typeOf(n.l, scope), typeOf(n.r, scope), OP_NAMES[n.op]);
        return;
      case 'in': {
        features.add('in');
        const lt = typeOf(n.l, scope);
        for (const item of n.list) compatible(lt, typeOf(item, scope), 'In');
        return;
      }
      case 'call':
        checkCall(n, scope);
        return;
      case 'lambda': {
        features.add(n.op);
        const element = opts.collections?.[n.coll];
        if (element === undefined) {
          if (n.coll in opts.fields) throw new ODataError(`'${n.op}' may only be used on a collection; '${n.coll}' is not one.`);
          throw unknown(n.coll);
        }
        filterableOrThrow(n.coll);
        if (n.body && n.v) check(n.body, new Map([...scope, [n.v, element]]));
        return;
      }
      case 'prop':
        if (propType(n.name, scope) !== 'bool') throw new ODataError(`The $filter expression must evaluate to a single boolean value.`);
        return;
      default:
        throw new ODataError(`The $filter expression must evaluate to a single boolean value.`);
    }
  };

  check(ast, NO_SCOPE);
  return { test: (row) => evaluate(ast, row, {}) === true, features };
}
