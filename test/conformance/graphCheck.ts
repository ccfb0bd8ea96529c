/**
 * Holds Microsoft Graph requests against Graph's own metadata (CSDL). For each request: the path
 * resolves segment by segment (entity set or singleton, key, cast, structural or navigation
 * property, `$ref`, `$count`, `$value`, bound action or function); the method fits what the path
 * names; the body of a create, update, action call or `$ref` names only what the type or the
 * operation declares (inherited members, `@odata.bind` on navigation properties and instance
 * annotations included), with values of the declared kinds; the system query options name only
 * properties of the addressed type. A `$batch` envelope is checked against the JSON batching rules
 * and each of its items is checked as a request of its own.
 *
 * Graph declares its directory types open (`OpenType="true"`) for directory schema extensions; a
 * dynamic property is therefore accepted only when it is named like one
 * (`extension_<app id without dashes>_<name>`), so a misspelt property is still reported.
 */
import {
  boundOperations,
  type CsdlModel,
  derivesFrom,
  describeType,
  findProperty,
  lineage,
  type OperationDef,
  qualifiedName,
  type TypeRef,
} from './csdl';
import { type Expr, ExprSyntaxError, parseExpression, parseOrderBy, splitTopLevel } from './odataExpr';

export interface GraphRequest {
  method: string;
  /** Relative to the version root, with the query string: `/users?$select=id`, `users/{id}`. */
  url: string;
  /** JSON text, an already parsed value, or undefined. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * The version root the request was sent to (e.g. a sandbox's `http://127.0.0.1:1234/graph/v1.0`):
   * entity URLs in `@odata.id` / `@odata.bind` may be absolute on it as on https://graph.microsoft.com/v1.0.
   */
  root?: string;
}

export interface Violation {
  /** `METHOD url` of the request (a batch item: `$batch[id] METHOD url`). */
  request: string;
  message: string;
}

/** Where a path leads. */
type Resource =
  | { kind: 'entities'; type: string; viaNavigation: boolean }
  | { kind: 'entity'; type: string; viaNavigation: boolean }
  | { kind: 'complex'; type: TypeRef }
  | { kind: 'primitive'; type: TypeRef }
  | { kind: 'ref'; collection: boolean }
  | { kind: 'operation'; op: OperationDef }
  | { kind: 'batch' }
  | { kind: 'metadata' };

const DIRECTORY_EXTENSION = /^extension_[0-9a-f]{32}_\w+$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SYSTEM_OPTIONS = new Set([
  '$select',
  '$filter',
  '$orderby',
  '$expand',
  '$top',
  '$skip',
  '$count',
  '$search',
  '$skiptoken',
  '$deltatoken',
  '$format',
  '$levels',
  '$id',
]);
/** OData's canonical functions and Graph's own (used in $filter and $orderby). */
const FUNCTIONS = new Set([
  'contains', 'startswith', 'endswith', 'length', 'indexof', 'substring', 'tolower', 'toupper', 'trim', 'concat',
  'year', 'month', 'day', 'hour', 'minute', 'second', 'fractionalseconds', 'totalseconds', 'date', 'time',
  'totaloffsetminutes', 'now', 'mindatetime', 'maxdatetime', 'round', 'floor', 'ceiling', 'cast', 'isof',
  'matchesPattern', 'hassubset', 'hassubsequence', 'geo.distance', 'geo.intersects', 'geo.length',
]);
const BATCH_LIMIT = 20;
const BATCH_METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

function parseBody(body: unknown): { value?: unknown; error?: string } {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'string') return { value: body };
  try {
    return { value: JSON.parse(body) };
  } catch {
    return { error: 'the body is not JSON' };
  }
}

function splitSegments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** `users('x')` → name `users`, key `'x'`; `delta()` → name `delta`, args ``. */
function splitParens(segment: string): { name: string; parens?: string } {
  const open = segment.indexOf('(');
  if (open <= 0 || !segment.endsWith(')')) return { name: segment };
  return { name: segment.slice(0, open), parens: segment.slice(open + 1, -1) };
}

export class GraphChecker {
  private root: string | undefined;

  constructor(private readonly model: CsdlModel) {}

  /** Every violation in the request (an empty list when it conforms). */
  check(request: GraphRequest): Violation[] {
    const out: Violation[] = [];
    this.root = request.root?.replace(/\/+$/, '');
    this.checkInto(request, `${request.method} ${request.url}`, out, false);
    return out;
  }

  private checkInto(request: GraphRequest, label: string, out: Violation[], inBatch: boolean): void {
    const report = (message: string) => out.push({ request: label, message });
    const method = request.method.toUpperCase();
    const q = request.url.indexOf('?');
    const rawPath = q >= 0 ? request.url.slice(0, q) : request.url;
    const query = new URLSearchParams(q >= 0 ? request.url.slice(q + 1) : '');
    if (/^https?:\/\//i.test(rawPath)) {
      report('the URL must be relative to the version root (…/v1.0)');
      return;
    }
    const resolved = this.resolvePath(splitSegments(rawPath), report);
    if (!resolved) return;
    const body = parseBody(request.body);
    if (body.error) report(body.error);

    if (resolved.kind === 'batch') {
      if (inBatch) report('a $batch cannot contain a $batch');
      else if (method !== 'POST') report('$batch is called with POST');
      else this.checkBatch(body.value, label, out);
      return;
    }
    this.checkMethodAndBody(method, resolved, body.value, report);
    this.checkQuery(method, resolved, query, report);
  }

  // --- paths ----------------------------------------------------------------------------------

  /** Resolves the segments, reporting the first that the metadata does not have. */
  resolvePath(segments: string[], report: (message: string) => void): Resource | undefined {
    if (segments.length === 0) {
      report('the path is empty');
      return undefined;
    }
    const first = splitParens(segments[0]);
    let current: Resource;
    if (first.name === '$batch' && segments.length === 1) return { kind: 'batch' };
    if (first.name === '$metadata' && segments.length === 1) return { kind: 'metadata' };
    const entry = this.model.container.get(first.name);
    if (!entry) {
      report(`"${first.name}" is not an entity set, singleton or operation import of the service`);
      return undefined;
    }
    switch (entry.kind) {
      case 'entitySet':
        current = first.parens !== undefined ? { kind: 'entity', type: entry.target, viaNavigation: false } : { kind: 'entities', type: entry.target, viaNavigation: false };
        break;
      case 'singleton':
        current = { kind: 'entity', type: entry.target, viaNavigation: false };
        break;
      default: {
        const op = this.model.operations.get(entry.target)?.find((o) => !o.bound);
        if (!op) {
          report(`the import "${entry.name}" names no unbound operation`);
          return undefined;
        }
        current = { kind: 'operation', op };
      }
    }
    for (let i = 1; i < segments.length; i++) {
      const next = this.step(current, segments[i], segments.slice(0, i).join('/'), report);
      if (!next) return undefined;
      current = next;
    }
    return current;
  }

  private step(current: Resource, segment: string, before: string, report: (message: string) => void): Resource | undefined {
    const { name, parens } = splitParens(segment);
    const cast = name.includes('.') ? qualifiedName(this.model, name) : undefined;
    switch (current.kind) {
      case 'entities': {
        if (name === '$count') return { kind: 'primitive', type: { collection: false, name: 'Edm.Int32' } };
        if (name === '$ref') {
          if (!current.viaNavigation) report(`$ref follows a navigation property, not ${before}`);
          return { kind: 'ref', collection: true };
        }
        if (cast && this.model.types.has(cast)) {
          if (!derivesFrom(this.model, cast, current.type)) report(`${cast} is not ${current.type} or a type derived from it`);
          return { ...current, type: cast };
        }
        const ops = boundOperations(this.model, name, { collection: true, name: current.type });
        if (ops.length > 0) return { kind: 'operation', op: ops[0] };
        if (parens !== undefined) {
          report(`"${name}" is not an operation bound to a collection of ${current.type}`);
          return undefined;
        }
        // Anything else is a key (Graph also takes alternate keys such as a UPN).
        return { kind: 'entity', type: current.type, viaNavigation: current.viaNavigation };
      }
      case 'entity': {
        if (name === '$ref') {
          if (!current.viaNavigation) report(`$ref follows a navigation property, not ${before}`);
          return { kind: 'ref', collection: false };
        }
        if (name === '$value') return { kind: 'primitive', type: { collection: false, name: 'Edm.Stream' } };
        if (cast && this.model.types.has(cast)) {
          if (!derivesFrom(this.model, cast, current.type)) report(`${cast} is not ${current.type} or a type derived from it`);
          return { ...current, type: cast };
        }
        const member = findProperty(this.model, current.type, name);
        if (member && !member.navigation) return this.valueResource(member.def.type);
        if (member?.navigation) {
          const type = member.def.type;
          if (parens !== undefined && type.collection) return { kind: 'entity', type: type.name, viaNavigation: true };
          return type.collection ? { kind: 'entities', type: type.name, viaNavigation: true } : { kind: 'entity', type: type.name, viaNavigation: true };
        }
        const ops = boundOperations(this.model, name, { collection: false, name: current.type });
        if (ops.length > 0) return { kind: 'operation', op: ops[0] };
        report(`"${name}" is not a property, navigation property or bound operation of ${describeType(this.model, current.type)}`);
        return undefined;
      }
      case 'complex': {
        const member = current.type.collection ? undefined : findProperty(this.model, current.type.name, name);
        if (member) return this.valueResource(member.def.type);
        report(`"${name}" is not a property of ${current.type.collection ? `a collection of ${current.type.name}` : describeType(this.model, current.type.name)}`);
        return undefined;
      }
      case 'operation': {
        const result = current.op.returnType;
        if (current.op.kind === 'action' || !result) {
          report(`nothing can follow the action ${current.op.name}`);
          return undefined;
        }
        const resource = this.valueResource(result);
        return this.step(resource, segment, before, report);
      }
      default:
        report(`nothing can follow ${before}`);
        return undefined;
    }
  }

  private valueResource(type: TypeRef): Resource {
    const structured = this.model.types.get(type.name);
    if (structured?.kind === 'entity') return type.collection ? { kind: 'entities', type: type.name, viaNavigation: false } : { kind: 'entity', type: type.name, viaNavigation: false };
    if (structured?.kind === 'complex') return { kind: 'complex', type };
    return { kind: 'primitive', type };
  }

  // --- methods and bodies ---------------------------------------------------------------------

  private checkMethodAndBody(method: string, resource: Resource, body: unknown, report: (message: string) => void): void {
    const hasBody = body !== undefined;
    switch (resource.kind) {
      case 'operation': {
        const op = resource.op;
        if (op.kind === 'action') {
          if (method !== 'POST') report(`${op.name} is an action: it is invoked with POST, not ${method}`);
          else this.checkParameters(op, body, report);
        } else if (method !== 'GET') report(`${op.name} is a function: it is invoked with GET, not ${method}`);
        return;
      }
      case 'entities':
        if (method === 'POST') this.checkEntityBody(resource.type, body, 'create', report);
        else if (method !== 'GET') report(`${method} is not allowed on a collection (${resource.type})`);
        return;
      case 'entity':
        if (method === 'PATCH' || method === 'PUT') this.checkEntityBody(resource.type, body, 'update', report);
        else if (method === 'POST') report(`POST is not allowed on a single ${resource.type}; update it with PATCH`);
        else if (method === 'DELETE' && hasBody) report('a DELETE has no body');
        return;
      case 'ref':
        if (method === 'POST' || method === 'PUT') {
          if (method === 'POST' && !resource.collection) report('POST $ref adds to a collection-valued navigation property; use PUT for a single one');
          this.checkReferenceBody(body, report);
        } else if (method === 'DELETE') {
          if (hasBody) report('a DELETE has no body');
        } else if (method !== 'GET') report(`${method} is not allowed on $ref`);
        return;
      case 'complex':
      case 'primitive':
        if (method === 'PATCH' || method === 'PUT') {
          if (resource.kind === 'complex') this.checkValue(resource.type, body, true, 'body', report);
        } else if (method !== 'GET' && method !== 'DELETE') report(`${method} is not allowed on a property`);
        return;
      default:
        return;
    }
  }

  private checkParameters(op: OperationDef, body: unknown, report: (message: string) => void): void {
    if (op.parameters.length === 0) {
      if (body !== undefined && !(typeof body === 'object' && body !== null && Object.keys(body).length === 0)) report(`${op.name} takes no parameters`);
      return;
    }
    if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) {
      report(`${op.name} takes a JSON object of parameters (${op.parameters.map((p) => p.name).join(', ')})`);
      return;
    }
    const given = body as Record<string, unknown>;
    const names = new Map(op.parameters.map((p) => [p.name, p]));
    for (const [key, value] of Object.entries(given)) {
      if (key.startsWith('@')) continue;
      const parameter = names.get(key);
      if (!parameter) {
        report(`"${key}" is not a parameter of ${op.fullName} (parameters: ${op.parameters.map((p) => p.name).join(', ')})`);
        continue;
      }
      this.checkValue(parameter.type, value, parameter.nullable, `${op.name}.${key}`, report);
    }
    for (const parameter of op.parameters) {
      if (!(parameter.name in given) && !parameter.nullable && !parameter.optional) report(`${op.name} needs the parameter "${parameter.name}" (not nullable, not optional)`);
    }
  }

  private checkReferenceBody(body: unknown, report: (message: string) => void): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      report('a $ref body is { "@odata.id": "<URL of the entity>" }');
      return;
    }
    const keys = Object.keys(body);
    const id = (body as Record<string, unknown>)['@odata.id'];
    if (typeof id !== 'string') report('a $ref body needs "@odata.id" with the URL of the entity');
    else this.checkEntityUrl(id, '@odata.id', report);
    for (const key of keys) if (key !== '@odata.id' && !key.startsWith('@')) report(`a $ref body has only "@odata.id", not "${key}"`);
  }

  /** An `@odata.id` / `@odata.bind` value: an entity's URL on this service. */
  private checkEntityUrl(value: string, where: string, report: (message: string) => void): void {
    const match = /^https:\/\/graph\.microsoft\.com\/v1\.0\/(.*)$/i.exec(value);
    const onRoot = this.root && value.toLowerCase().startsWith(`${this.root.toLowerCase()}/`) ? value.slice(this.root.length + 1) : undefined;
    const relative = match ? match[1] : onRoot ?? (/^https?:\/\//i.test(value) ? undefined : value);
    if (relative === undefined) {
      report(`${where}: "${value}" is not a URL on https://graph.microsoft.com/v1.0${this.root ? ` (or ${this.root})` : ''}`);
      return;
    }
    const resource = this.resolvePath(splitSegments(relative.split('?')[0]), (message) => report(`${where}: ${message}`));
    if (resource && resource.kind !== 'entity') report(`${where}: "${value}" does not address a single entity`);
  }

  private checkEntityBody(typeName: string, body: unknown, purpose: 'create' | 'update', report: (message: string) => void): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      report(`the body of a ${purpose} is a JSON object of ${typeName}'s properties`);
      return;
    }
    this.checkStructured(typeName, body as Record<string, unknown>, 'body', report);
  }

  private checkStructured(declared: string, value: Record<string, unknown>, where: string, report: (message: string) => void): void {
    let typeName = declared;
    const annotated = value['@odata.type'];
    if (typeof annotated === 'string') {
      const named = qualifiedName(this.model, annotated.replace(/^#/, ''));
      if (!this.model.types.has(named)) report(`${where}: @odata.type "${annotated}" is not a type of the service`);
      else if (!derivesFrom(this.model, named, declared)) report(`${where}: @odata.type ${named} is not ${declared} or derived from it`);
      else typeName = named;
    }
    const open = lineage(this.model, typeName).some((t) => t.openType);
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith('@')) continue;
      const at = key.indexOf('@');
      const name = at > 0 ? key.slice(0, at) : key;
      const annotation = at > 0 ? key.slice(at + 1) : undefined;
      const member = findProperty(this.model, typeName, name);
      if (!member) {
        if (open && annotation === undefined && DIRECTORY_EXTENSION.test(name)) continue;
        report(`${where}: "${name}" is not a property of ${describeType(this.model, typeName)}`);
        continue;
      }
      if (annotation === 'odata.bind') {
        if (!member.navigation) report(`${where}: "${key}" binds "${name}", which is not a navigation property`);
        else if (member.def.type.collection) {
          if (!Array.isArray(item) || !item.every((v) => typeof v === 'string')) report(`${where}: "${key}" is an array of entity URLs`);
          else item.forEach((v, i) => this.checkEntityUrl(v, `${where}.${key}[${i}]`, report));
        } else if (typeof item !== 'string') report(`${where}: "${key}" is an entity URL`);
        else this.checkEntityUrl(item, `${where}.${key}`, report);
        continue;
      }
      if (annotation !== undefined) continue;
      this.checkValue(member.def.type, item, member.def.nullable, `${where}.${name}`, report);
    }
  }

  private checkValue(type: TypeRef, value: unknown, nullable: boolean, where: string, report: (message: string) => void): void {
    if (value === null) {
      if (!nullable && !type.collection) report(`${where} cannot be null`);
      return;
    }
    if (type.collection) {
      if (!Array.isArray(value)) {
        report(`${where} is a collection of ${type.name}, not ${typeof value}`);
        return;
      }
      value.forEach((item, i) => this.checkValue({ collection: false, name: type.name }, item, false, `${where}[${i}]`, report));
      return;
    }
    const structured = this.model.types.get(type.name);
    if (structured) {
      if (typeof value !== 'object' || Array.isArray(value)) report(`${where} is a ${type.name} object`);
      else this.checkStructured(type.name, value as Record<string, unknown>, where, report);
      return;
    }
    const enumType = this.model.enums.get(type.name);
    if (enumType) {
      const names = typeof value === 'string' ? (enumType.flags ? value.split(',').map((s) => s.trim()) : [value]) : [];
      if (names.length === 0 || names.some((n) => !enumType.members.has(n))) report(`${where}: ${JSON.stringify(value)} is not a member of ${type.name}`);
      return;
    }
    const primitive = this.model.typeDefinitions.get(type.name) ?? type.name;
    const fail = (kind: string) => report(`${where} is ${kind} (${primitive}), not ${JSON.stringify(value)}`);
    switch (primitive) {
      case 'Edm.String':
        if (typeof value !== 'string') fail('a string');
        return;
      case 'Edm.Boolean':
        if (typeof value !== 'boolean') fail('a boolean');
        return;
      case 'Edm.Guid':
        if (typeof value !== 'string' || !GUID.test(value)) fail('a GUID');
        return;
      case 'Edm.Int16':
      case 'Edm.Int32':
      case 'Edm.Byte':
      case 'Edm.SByte':
        if (typeof value !== 'number' || !Number.isInteger(value)) fail('an integer');
        return;
      case 'Edm.Int64':
      case 'Edm.Decimal':
      case 'Edm.Double':
      case 'Edm.Single':
        if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value))) fail('a number');
        return;
      case 'Edm.DateTimeOffset':
        if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) fail('a date and time');
        return;
      case 'Edm.Date':
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) fail('a date');
        return;
      default:
        return;
    }
  }

  // --- query options --------------------------------------------------------------------------

  private checkQuery(method: string, resource: Resource, query: URLSearchParams, report: (message: string) => void): void {
    const target = this.queryTarget(resource);
    for (const [key, value] of query) {
      if (!key.startsWith('$')) continue;
      if (!SYSTEM_OPTIONS.has(key)) {
        report(`${key} is not an OData system query option`);
        continue;
      }
      const needsType = ['$select', '$filter', '$orderby', '$expand', '$search'].includes(key);
      if (needsType && !target) {
        report(`${key} does not apply to this resource`);
        continue;
      }
      switch (key) {
        case '$select':
          if (method !== 'GET' && method !== 'POST') report(`$select on a ${method}`);
          this.checkSelect(target!, value, '$select', report);
          break;
        case '$expand':
          this.checkExpand(target!, value, report);
          break;
        case '$filter':
          this.checkExpressionOption(target!, value, '$filter', report, false);
          break;
        case '$orderby':
          this.checkExpressionOption(target!, value, '$orderby', report, true);
          break;
        case '$search':
          if (!/^".*"$/.test(value.trim())) report('$search takes a quoted string, e.g. "displayName:Ola"');
          for (const m of value.matchAll(/"([A-Za-z][\w.]*):/g)) {
            if (!findProperty(this.model, target!, m[1])) report(`$search: "${m[1]}" is not a property of ${describeType(this.model, target!)}`);
          }
          break;
        case '$top':
        case '$skip':
          if (!/^\d+$/.test(value)) report(`${key} is a non-negative integer, not "${value}"`);
          break;
        case '$count':
          if (!/^(true|false)$/.test(value)) report(`$count is true or false, not "${value}"`);
          break;
        default:
          break;
      }
    }
  }

  /** The structured type query options address: the entity (collection) or complex value. */
  private queryTarget(resource: Resource): string | undefined {
    switch (resource.kind) {
      case 'entities':
      case 'entity':
        return resource.type;
      case 'complex':
        return resource.type.name;
      case 'operation': {
        const type = resource.op.returnType;
        return type && this.model.types.has(type.name) ? type.name : undefined;
      }
      default:
        return undefined;
    }
  }

  private checkSelect(typeName: string, value: string, option: string, report: (message: string) => void): void {
    for (const raw of splitTopLevel(value, ',')) {
      const item = raw.trim();
      if (item === '*' || item === '') {
        if (item === '') report(`${option} has an empty item`);
        continue;
      }
      this.checkMemberPath(typeName, item.split('/'), `${option}`, report, true);
    }
  }

  private checkExpand(typeName: string, value: string, report: (message: string) => void): void {
    for (const raw of splitTopLevel(value, ',')) {
      const item = raw.trim();
      if (item === '*') continue;
      const open = item.indexOf('(');
      const pathText = open >= 0 ? item.slice(0, open) : item;
      const options = open >= 0 && item.endsWith(')') ? item.slice(open + 1, -1) : '';
      const segments = pathText.split('/').filter((s) => s !== '$ref');
      let current = typeName;
      let ok = true;
      for (const segment of segments) {
        const cast = segment.includes('.') ? qualifiedName(this.model, segment) : undefined;
        if (cast && this.model.types.has(cast)) {
          current = cast;
          continue;
        }
        const member = findProperty(this.model, current, segment);
        if (!member?.navigation) {
          report(`$expand: "${segment}" is not a navigation property of ${describeType(this.model, current)}`);
          ok = false;
          break;
        }
        current = member.def.type.name;
      }
      if (!ok || !options) continue;
      for (const option of splitTopLevel(options, ';')) {
        const eq = option.indexOf('=');
        const key = option.slice(0, eq).trim();
        const text = option.slice(eq + 1);
        if (key === '$select') this.checkSelect(current, text, `$expand(${pathText}) $select`, report);
        else if (key === '$filter') this.checkExpressionOption(current, text, `$expand(${pathText}) $filter`, report, false);
        else if (key === '$orderby') this.checkExpressionOption(current, text, `$expand(${pathText}) $orderby`, report, true);
        else if (key === '$expand') this.checkExpand(current, text, report);
        else if (!SYSTEM_OPTIONS.has(key)) report(`$expand(${pathText}): ${key} is not a query option`);
      }
    }
  }

  private checkExpressionOption(typeName: string, text: string, option: string, report: (message: string) => void, orderBy: boolean): void {
    let exprs: Expr[];
    try {
      exprs = orderBy ? parseOrderBy(text) : [parseExpression(text)];
    } catch (error) {
      if (error instanceof ExprSyntaxError) {
        report(`${option} is not a valid expression: ${error.message}`);
        return;
      }
      throw error;
    }
    for (const expr of exprs) this.walk(expr, { collection: false, name: typeName }, new Map(), option, report);
  }

  /** Reports every member path in `expr` that `it` (or a lambda variable) does not have. */
  private walk(expr: Expr, it: TypeRef, variables: Map<string, TypeRef>, option: string, report: (message: string) => void): void {
    switch (expr.kind) {
      case 'literal':
        return;
      case 'binary':
        this.walk(expr.left, it, variables, option, report);
        this.walk(expr.right, it, variables, option, report);
        return;
      case 'not':
      case 'negate':
        this.walk(expr.operand, it, variables, option, report);
        return;
      case 'list':
        for (const item of expr.items) this.walk(item, it, variables, option, report);
        return;
      case 'call':
        if (!FUNCTIONS.has(expr.name)) report(`${option}: "${expr.name}" is not an OData function`);
        for (const arg of expr.args) this.walk(arg, it, variables, option, report);
        return;
      case 'path': {
        const first = expr.segments[0];
        let type: TypeRef | undefined = it;
        let start = 0;
        if (first?.kind === 'member' && variables.has(first.name)) {
          type = variables.get(first.name)!;
          start = 1;
        } else if (first?.kind === 'member' && (first.name === '$it' || first.name === '$this')) start = 1;
        for (let i = start; i < expr.segments.length && type; i++) {
          const segment = expr.segments[i];
          if (segment.kind === 'lambda') {
            if (!type.collection) {
              report(`${option}: ${segment.operator}() needs a collection, and ${expr.segments.slice(0, i).map((s) => (s.kind === 'member' ? s.name : '')).join('/')} is not one`);
              return;
            }
            if (segment.variable && segment.predicate) {
              const scope = new Map(variables);
              scope.set(segment.variable, { collection: false, name: type.name });
              this.walk(segment.predicate, it, scope, option, report);
            }
            return;
          }
          type = this.memberType(type, segment.name, option, report);
        }
        return;
      }
    }
  }

  /** The type of `name` on `type`, or undefined (reported) when there is none. */
  private memberType(type: TypeRef, name: string, option: string, report: (message: string) => void): TypeRef | undefined {
    if (name === '$count') {
      if (!type.collection) report(`${option}: $count needs a collection`);
      return { collection: false, name: 'Edm.Int32' };
    }
    if (type.collection) {
      report(`${option}: "${name}" cannot follow a collection (${type.name}) without any() or all()`);
      return undefined;
    }
    const cast = name.includes('.') ? qualifiedName(this.model, name) : undefined;
    if (cast && this.model.types.has(cast)) {
      if (!derivesFrom(this.model, cast, type.name)) report(`${option}: ${cast} is not derived from ${type.name}`);
      return { collection: false, name: cast };
    }
    if (!this.model.types.has(type.name)) {
      report(`${option}: "${name}" cannot follow a value of type ${type.name}`);
      return undefined;
    }
    const member = findProperty(this.model, type.name, name);
    if (!member) {
      const open = lineage(this.model, type.name).some((t) => t.openType);
      if (open && DIRECTORY_EXTENSION.test(name)) return { collection: false, name: 'Edm.Untyped' };
      report(`${option}: "${name}" is not a property of ${describeType(this.model, type.name)}`);
      return undefined;
    }
    return member.def.type;
  }

  private checkMemberPath(typeName: string, path: string[], option: string, report: (message: string) => void, select: boolean): void {
    let type: TypeRef | undefined = { collection: false, name: typeName };
    for (const segment of path) {
      if (!type) return;
      if (select && type.collection) {
        report(`${option}: "${segment}" cannot follow a collection`);
        return;
      }
      type = this.memberType(type, segment, option, report);
    }
  }

  // --- $batch ---------------------------------------------------------------------------------

  private checkBatch(body: unknown, label: string, out: Violation[]): void {
    const report = (message: string) => out.push({ request: label, message });
    const requests = (body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests)) {
      report('a $batch body is { "requests": [ … ] }');
      return;
    }
    if (requests.length === 0) report('a $batch has at least one request');
    if (requests.length > BATCH_LIMIT) report(`a $batch holds at most ${BATCH_LIMIT} requests, not ${requests.length}`);
    const ids = new Set<string>();
    for (const raw of requests) {
      const item = raw as { id?: unknown; method?: unknown; url?: unknown; headers?: unknown; body?: unknown; dependsOn?: unknown };
      const itemLabel = `$batch[${String(item.id)}] ${String(item.method)} ${String(item.url)}`;
      const itemReport = (message: string) => out.push({ request: `${label} → ${itemLabel}`, message });
      // Ids are not case-sensitive (json-batching: "Must be unique in the batch").
      if (typeof item.id !== 'string' || item.id === '') itemReport('every batch request has a string id');
      else if (ids.has(item.id.toLowerCase())) itemReport(`the id "${item.id}" is used twice (ids are not case-sensitive)`);
      else ids.add(item.id.toLowerCase());
      if (typeof item.method !== 'string' || !BATCH_METHODS.has(item.method.toUpperCase())) itemReport('every batch request has a method (GET, POST, PATCH, PUT, DELETE)');
      if (typeof item.url !== 'string') {
        itemReport('every batch request has a url');
        continue;
      }
      const headers = (item.headers ?? {}) as Record<string, unknown>;
      if (item.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        itemReport('a batch request with a body needs a Content-Type header');
      }
      if (item.dependsOn !== undefined) {
        if (!Array.isArray(item.dependsOn)) itemReport('dependsOn is an array of ids');
        else for (const dep of item.dependsOn) if (!requests.some((r) => (r as { id?: unknown }).id === dep)) itemReport(`dependsOn names "${String(dep)}", which is not in the batch`);
      }
      const url = item.url.startsWith('/') ? item.url : `/${item.url}`;
      this.checkInto({ method: String(item.method ?? 'GET'), url, body: item.body }, `${label} → ${itemLabel}`, out, true);
    }
  }
}
