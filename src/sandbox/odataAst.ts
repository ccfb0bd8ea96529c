/** The parsed form of an OData $filter: what odata.ts parses and type-checks and odataEval.ts evaluates. */

export type LitType = 'string' | 'guid' | 'bool' | 'null' | 'number' | 'datetime';
export type Node =
  | { k: 'or' | 'and'; l: Node; r: Node }
  | { k: 'not'; e: Node }
  | { k: 'cmp'; op: CmpOp; l: Node; r: Node }
  | { k: 'in'; l: Node; list: Node[] }
  | { k: 'prop'; name: string }
  | { k: 'call'; name: string; args: Node[]; named: Record<string, Node> }
  | { k: 'list'; items: Node[] }
  | { k: 'lambda'; op: 'any' | 'all'; coll: string; v: string | null; body: Node | null }
  | { k: 'lit'; t: LitType; v: string | number | boolean | null };
export type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
