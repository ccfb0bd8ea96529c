/**
 * An OData v4 CSDL document (Microsoft Graph's published `$metadata`) read into a small model the
 * request checker can ask questions of: entity and complex types with their base types, properties
 * and navigation properties; enum types; bound and unbound actions and functions with their
 * parameters; the entity container's entity sets, singletons and imports. Qualified names are
 * stored under their namespace; aliases (`graph.user`) are resolved when the document is read.
 */
import * as fs from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

export interface TypeRef {
  collection: boolean;
  /** Fully qualified, alias resolved: `microsoft.graph.user`, `Edm.String`. */
  name: string;
}

export interface PropertyDef {
  name: string;
  type: TypeRef;
  nullable: boolean;
}

export interface StructuredType {
  kind: 'entity' | 'complex';
  fullName: string;
  baseType?: string;
  abstract: boolean;
  openType: boolean;
  properties: Map<string, PropertyDef>;
  navigation: Map<string, PropertyDef>;
}

export interface ParameterDef {
  name: string;
  type: TypeRef;
  nullable: boolean;
  /** Annotated Org.OData.Core.V1.OptionalParameter: may be left out. */
  optional: boolean;
}

export interface OperationDef {
  kind: 'action' | 'function';
  name: string;
  fullName: string;
  bound: boolean;
  /** The binding parameter's type (bound operations only). */
  binding?: TypeRef;
  /** Parameters after the binding parameter. */
  parameters: ParameterDef[];
  returnType?: TypeRef;
}

export interface ContainerEntry {
  kind: 'entitySet' | 'singleton' | 'actionImport' | 'functionImport';
  name: string;
  /** entity type of the set or singleton; operation name of an import */
  target: string;
}

export interface CsdlModel {
  types: Map<string, StructuredType>;
  enums: Map<string, { fullName: string; members: Set<string>; flags: boolean }>;
  /** TypeDefinition name → its underlying primitive type. */
  typeDefinitions: Map<string, string>;
  /** Operations by fully qualified name (overloads: several entries). */
  operations: Map<string, OperationDef[]>;
  container: Map<string, ContainerEntry>;
  /** alias → namespace */
  aliases: Map<string, string>;
  namespaces: Set<string>;
}

type XmlNode = Record<string, unknown>;

function list(node: unknown, key: string): XmlNode[] {
  if (!node || typeof node !== 'object') return [];
  const value = (node as XmlNode)[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as XmlNode[];
}

function attr(node: XmlNode, name: string): string | undefined {
  const value = node[`@_${name}`];
  return value === undefined ? undefined : String(value);
}

/** Parses CSDL XML text into the model. Throws when the text is not an Edmx document. */
export function parseCsdl(xml: string): CsdlModel {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseAttributeValue: false, parseTagValue: false, removeNSPrefix: true });
  const doc = parser.parse(xml) as XmlNode;
  const edmx = list(doc, 'Edmx')[0];
  const services = list(edmx, 'DataServices')[0];
  const schemas = list(services, 'Schema');
  if (!edmx || schemas.length === 0) throw new Error('not a CSDL document: no edmx:Edmx/edmx:DataServices/Schema');

  const aliases = new Map<string, string>();
  const namespaces = new Set<string>();
  for (const schema of schemas) {
    const ns = attr(schema, 'Namespace')!;
    namespaces.add(ns);
    const alias = attr(schema, 'Alias');
    if (alias) aliases.set(alias, ns);
  }
  const qualify = (name: string): string => {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return name;
    const prefix = name.slice(0, dot);
    const ns = aliases.get(prefix);
    return ns ? `${ns}.${name.slice(dot + 1)}` : name;
  };
  const typeRef = (raw: string): TypeRef => {
    const match = /^Collection\((.+)\)$/.exec(raw);
    return match ? { collection: true, name: qualify(match[1]) } : { collection: false, name: qualify(raw) };
  };
  const propertyOf = (node: XmlNode): PropertyDef => ({
    name: attr(node, 'Name')!,
    type: typeRef(attr(node, 'Type')!),
    nullable: attr(node, 'Nullable') !== 'false',
  });

  const model: CsdlModel = {
    types: new Map(),
    enums: new Map(),
    typeDefinitions: new Map(),
    operations: new Map(),
    container: new Map(),
    aliases,
    namespaces,
  };

  for (const schema of schemas) {
    const ns = attr(schema, 'Namespace')!;
    for (const [tag, kind] of [['EntityType', 'entity'], ['ComplexType', 'complex']] as const) {
      for (const node of list(schema, tag)) {
        const fullName = `${ns}.${attr(node, 'Name')}`;
        const base = attr(node, 'BaseType');
        model.types.set(fullName, {
          kind,
          fullName,
          baseType: base ? qualify(base) : undefined,
          abstract: attr(node, 'Abstract') === 'true',
          openType: attr(node, 'OpenType') === 'true',
          properties: new Map(list(node, 'Property').map((p) => [attr(p, 'Name')!, propertyOf(p)])),
          navigation: new Map(list(node, 'NavigationProperty').map((p) => [attr(p, 'Name')!, propertyOf(p)])),
        });
      }
    }
    for (const node of list(schema, 'EnumType')) {
      const fullName = `${ns}.${attr(node, 'Name')}`;
      model.enums.set(fullName, { fullName, members: new Set(list(node, 'Member').map((m) => attr(m, 'Name')!)), flags: attr(node, 'IsFlags') === 'true' });
    }
    for (const node of list(schema, 'TypeDefinition')) {
      model.typeDefinitions.set(`${ns}.${attr(node, 'Name')}`, qualify(attr(node, 'UnderlyingType')!));
    }
    for (const [tag, kind] of [['Action', 'action'], ['Function', 'function']] as const) {
      for (const node of list(schema, tag)) {
        const name = attr(node, 'Name')!;
        const fullName = `${ns}.${name}`;
        const bound = attr(node, 'IsBound') === 'true';
        const params = list(node, 'Parameter').map((p) => ({
          name: attr(p, 'Name')!,
          type: typeRef(attr(p, 'Type')!),
          nullable: attr(p, 'Nullable') !== 'false',
          optional: list(p, 'Annotation').some((a) => /(^|\.)OptionalParameter$/.test(attr(a, 'Term') ?? '')),
        }));
        const returnType = list(node, 'ReturnType')[0];
        const op: OperationDef = {
          kind,
          name,
          fullName,
          bound,
          binding: bound ? params[0]?.type : undefined,
          parameters: bound ? params.slice(1) : params,
          returnType: returnType ? typeRef(attr(returnType, 'Type')!) : undefined,
        };
        const overloads = model.operations.get(fullName) ?? [];
        overloads.push(op);
        model.operations.set(fullName, overloads);
      }
    }
    for (const container of list(schema, 'EntityContainer')) {
      for (const node of list(container, 'EntitySet')) {
        model.container.set(attr(node, 'Name')!, { kind: 'entitySet', name: attr(node, 'Name')!, target: qualify(attr(node, 'EntityType')!) });
      }
      for (const node of list(container, 'Singleton')) {
        model.container.set(attr(node, 'Name')!, { kind: 'singleton', name: attr(node, 'Name')!, target: qualify(attr(node, 'Type')!) });
      }
      for (const node of list(container, 'ActionImport')) {
        model.container.set(attr(node, 'Name')!, { kind: 'actionImport', name: attr(node, 'Name')!, target: qualify(attr(node, 'Action')!) });
      }
      for (const node of list(container, 'FunctionImport')) {
        model.container.set(attr(node, 'Name')!, { kind: 'functionImport', name: attr(node, 'Name')!, target: qualify(attr(node, 'Function')!) });
      }
    }
  }
  return model;
}

export function loadCsdl(file: string): CsdlModel {
  return parseCsdl(fs.readFileSync(file, 'utf8'));
}

/** Resolves an alias-qualified name (`graph.user`) to its namespace-qualified form. */
export function qualifiedName(model: CsdlModel, name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return name;
  const ns = model.aliases.get(name.slice(0, dot));
  return ns ? `${ns}.${name.slice(dot + 1)}` : name;
}

/** The type and its base types, nearest first. */
export function lineage(model: CsdlModel, fullName: string): StructuredType[] {
  const out: StructuredType[] = [];
  let current = model.types.get(fullName);
  const seen = new Set<string>();
  while (current && !seen.has(current.fullName)) {
    seen.add(current.fullName);
    out.push(current);
    current = current.baseType ? model.types.get(current.baseType) : undefined;
  }
  return out;
}

export function findProperty(model: CsdlModel, typeName: string, name: string): { def: PropertyDef; navigation: boolean } | undefined {
  for (const type of lineage(model, typeName)) {
    const structural = type.properties.get(name);
    if (structural) return { def: structural, navigation: false };
    const navigation = type.navigation.get(name);
    if (navigation) return { def: navigation, navigation: true };
  }
  return undefined;
}

/** True when `derived` is `base` or inherits from it. */
export function derivesFrom(model: CsdlModel, derived: string, base: string): boolean {
  return lineage(model, derived).some((t) => t.fullName === base);
}

/** Bound operations named `name` (qualified or not) whose binding parameter accepts `type`. */
export function boundOperations(model: CsdlModel, name: string, type: TypeRef): OperationDef[] {
  const candidates: OperationDef[] = [];
  const qualified = qualifiedName(model, name);
  if (qualified.includes('.')) candidates.push(...(model.operations.get(qualified) ?? []));
  else for (const ns of model.namespaces) candidates.push(...(model.operations.get(`${ns}.${name}`) ?? []));
  return candidates.filter(
    (op) => op.bound && op.binding && op.binding.collection === type.collection && (op.binding.name === type.name || derivesFrom(model, type.name, op.binding.name)),
  );
}

/** A short description of where a type's members come from, for messages. */
export function describeType(model: CsdlModel, fullName: string): string {
  const chain = lineage(model, fullName).map((t) => t.fullName);
  return chain.length > 1 ? `${chain[0]} (or its base types ${chain.slice(1).join(', ')})` : fullName;
}
