/** Graph collection queries: $filter, $select, $orderby, $top / $skiptoken paging, replies. */
import { candidates, equalityKeys } from './odataIndex';
import { HttpError, decodeSkipToken, nextLink, type SbReply, type SbRequest, uuid } from './http';
import { ODataError, compileFilter, parseFilter, type FilterOptions, type Node, type Schema } from './odata';
import { compileOrderBy, parseSelect, project } from './odataOptions';

export const GRAPH_PREFIX = '/graph/v1.0';
const GRAPH_CT = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function graphOk(req: SbRequest, status: number, body?: unknown, headers: Record<string, string> = {}): SbReply {
  return {
    status,
    headers: {
      ...(body !== undefined ? { 'Content-Type': GRAPH_CT } : {}),
      'request-id': uuid(),
      'client-request-id': req.headers['client-request-id'] ?? uuid(),
      ...headers,
    },
    body,
  };
}

export function contextUrl(req: SbRequest, fragment: string): string {
  return `${req.origin}${GRAPH_PREFIX}/$metadata#${fragment}`;
}

export interface GraphEntity {
  entity: string;
  schema: Schema;
  filterable: ReadonlySet<string>;
  collections?: FilterOptions['collections'];
  orderable?: ReadonlySet<string>;
  defaults: readonly string[];
}

const ADVANCED = ['ne', 'not', 'endswith'];
const MAX_OR_CLAUSES = 15;

function orWidth(n: Node): number {
  switch (n.k) {
    case 'or': {
      const flat = (x: Node): number => (x.k === 'or' ? flat(x.l) + flat(x.r) : 1);
      return Math.max(flat(n), orWidth(n.l), orWidth(n.r));
    }
    case 'and':
      return Math.max(orWidth(n.l), orWidth(n.r));
    case 'not':
      return orWidth(n.e);
    case 'in':
      return n.list.length;
    default:
      return 1;
  }
}

export function selectOf(req: SbRequest, e: GraphEntity): string[] | null {
  try {
    return parseSelect(req.query.get('$select'), e.schema, e.entity);
  } catch (err) {
    if (err instanceof ODataError) throw new HttpError(400, 'BadRequest', `Parsing OData Select and Expand failed: ${err.message}`);
    throw err;
  }
}

export function filterRows(req: SbRequest, rows: Record<string, unknown>[], e: GraphEntity): Record<string, unknown>[] {
  const text = req.query.get('$filter');
  if (text === null) return rows;
  let compiled;
  try {
    compiled = compileFilter(text, {
      entity: e.entity,
      fields: e.schema,
      collections: e.collections,
      filterable: e.filterable,
      unsupportedProperty: (p) => `Unsupported or invalid query filter clause specified for property '${p}' of resource '${e.entity.replace('microsoft.graph.', '').replace(/^./, (c) => c.toUpperCase())}'.`,
      functions: new Set(['startswith', 'endswith']),
    });
  } catch (err) {
    if (err instanceof ODataError) {
      const code = err.message.startsWith('Unsupported') ? 'Request_UnsupportedQuery' : 'BadRequest';
      throw new HttpError(400, code, code === 'BadRequest' ? `Invalid filter clause: ${err.message}` : err.message);
    }
    throw err;
  }
  const advanced = req.headers.consistencylevel?.toLowerCase() === 'eventual' && req.query.get('$count') === 'true';
  for (const op of ADVANCED) {
    if (compiled.features.has(op) && !advanced) {
      throw new HttpError(400, 'Request_UnsupportedQuery',
        `Operator '${op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header.`);
    }
  }
  const ast = parseFilter(text);
  const width = orWidth(ast);
  if (width > MAX_OR_CLAUSES) {
    throw new HttpError(400, 'Request_UnsupportedQuery',
      `Too many child clauses specified in search filter expression containing 'OR' operators: ${width}. Max allowed: ${MAX_OR_CLAUSES}.`);
  }
  return candidates(equalityKeys(ast), rows).filter((r) => compiled.test(r));
}

/** A paged Graph collection reply ($top is the page size: 1..999, default 100). */
export function graphList(req: SbRequest, rows: Record<string, unknown>[], e: GraphEntity, fragment: string, annotate?: (r: Record<string, unknown>) => Record<string, unknown>): SbReply {
  const select = selectOf(req, e);
  let out = filterRows(req, rows, e);
  const orderby = req.query.get('$orderby');
  if (orderby !== null) {
    const names = orderby.split(',').map((p) => p.trim().split(/\s+/)[0] ?? '');
    const bad = names.find((n) => !(e.orderable ?? new Set()).has(n));
    if (bad !== undefined) throw new HttpError(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
    try {
      const cmp = compileOrderBy(orderby, e.schema, e.entity);
      if (cmp) out = [...out].sort(cmp);
    } catch (err) {
      if (err instanceof ODataError) throw new HttpError(400, 'BadRequest', err.message);
      throw err;
    }
  }
  const topText = req.query.get('$top');
  const top = topText === null ? 100 : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > 999) {
    throw new HttpError(400, 'Request_BadRequest', `Invalid page size specified: '${topText}'. Must be between 1 and 999 inclusive.`);
  }
  const offset = decodeSkipToken(req.query.get('$skiptoken'));
  if (offset === null) throw new HttpError(400, 'Request_BadRequest', 'Invalid $skiptoken value.');
  const page = out.slice(offset, offset + top);
  const body: Record<string, unknown> = {
    '@odata.context': contextUrl(req, select ? `${fragment}(${select.join(',')})` : fragment),
  };
  if (req.query.get('$count') === 'true') body['@odata.count'] = out.length;
  if (offset + top < out.length) body['@odata.nextLink'] = nextLink(req.origin, req.path, req.query, offset + top);
  body.value = page.map((r) => {
    const p = project(r, select, e.defaults);
    return annotate ? { ...annotate(r), ...p } : p;
  });
  return graphOk(req, 200, body);
}

/** One entity with $select applied. */
export function graphEntity(req: SbRequest, row: Record<string, unknown>, e: GraphEntity, fragment: string): SbReply {
  const select = selectOf(req, e);
  return graphOk(req, 200, {
    '@odata.context': contextUrl(req, select ? `${fragment}(${select.join(',')})/$entity` : `${fragment}/$entity`),
    ...project(row, select, e.defaults),
  });
}
